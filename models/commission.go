package models

import (
	"context"
	"fmt"
	"maps"
	"strings"
	"time"

	"github.com/uptrace/bun"
)

// Commission is one departmental commission. Every domain row belongs to one.
type Commission struct {
	bun.BaseModel `bun:"table:commissions"`

	ID         int64     `bun:",pk,autoincrement"`
	Department string    `bun:",notnull,unique"` // INSEE department code, e.g. "31"
	Region     string    `bun:",notnull"`        // INSEE region code, e.g. "76" (Occitanie)
	Name       string    `bun:",notnull"`
	ArreteRef  string    `bun:",notnull"` // préfet's arrêté of composition
	Demo       bool      `bun:",notnull"`
	CreatedAt  time.Time `bun:",notnull"`
}

// DepartmentName is the name of the commission's department ("Haute-Garonne").
func (c *Commission) DepartmentName() string { return DepartmentName(c.Department) }

// RegionName is the name of the commission's region ("Occitanie").
func (c *Commission) RegionName() string { return RegionName(c.Region) }

// validate normalises c and checks its name, department and region against the INSEE
// codes; an empty region is the department's. Messages are keyed by form field.
func (c *Commission) validate() FieldErrors {
	c.Name, c.ArreteRef = strings.TrimSpace(c.Name), strings.TrimSpace(c.ArreteRef)
	c.Department, c.Region = strings.ToUpper(strings.TrimSpace(c.Department)), strings.TrimSpace(c.Region)
	fe := FieldErrors{}
	if c.Name == "" {
		fe.Add("name", "Indiquez le nom de la commission.")
	}
	d, ok := FindDepartment(c.Department)
	switch {
	case c.Department == "":
		fe.Add("department", "Indiquez le code INSEE du département (par exemple 31, 2A ou 974).")
	case !ok:
		fe.Add("department", "« "+c.Department+" » n'est pas un code de département INSEE (par exemple 31, 2A ou 974).")
	case c.Region == "":
		c.Region = d.Region
	case !ValidRegion(c.Region):
		fe.Add("region", "« "+c.Region+" » n'est pas un code de région INSEE (par exemple 76 pour l'Occitanie).")
	case c.Region != d.Region:
		fe.Add("region", "Le département "+d.Label()+" appartient à la région "+RegionName(d.Region)+" ("+d.Region+"), pas à la région "+RegionName(c.Region)+".")
	}
	return fe
}

// checkDepartmentFree adds an error to fe when another commission covers c's department.
func checkDepartmentFree(ctx context.Context, db bun.IDB, c *Commission, fe FieldErrors) error {
	if _, bad := fe["department"]; bad {
		return nil
	}
	n, err := db.NewSelect().Model((*Commission)(nil)).Where("department = ? AND id <> ?", c.Department, c.ID).Count(ctx)
	if err != nil {
		return fmt.Errorf("check department: %w", err)
	}
	if n > 0 {
		fe.Add("department", "Une commission couvre déjà le département "+DepartmentName(c.Department)+" ("+c.Department+").")
	}
	return nil
}

// CreateCommission validates c (FieldErrors keyed "name", "department", "region"),
// inserts it and records it in the audit chain. It uses the default settings until
// they are saved; AddCommission saves them at once.
func CreateCommission(ctx context.Context, db bun.IDB, actor Actor, c *Commission, now time.Time) error {
	fe := c.validate()
	return InTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
		if err := checkDepartmentFree(ctx, tx, c, fe); err != nil {
			return err
		}
		if err := fe.Err(); err != nil {
			return err
		}
		c.CreatedAt = Stamp(now)
		if _, err := tx.NewInsert().Model(c).Exec(ctx); err != nil {
			return fmt.Errorf("create commission: %w", err)
		}
		return Audit(ctx, tx, now, AuditEntry{
			CommissionID: c.ID, Actor: actor, Action: "commission.create", Object: ObjectRef("commission", c.ID),
			Details: map[string]any{"department": c.Department, "region": c.Region, "name": c.Name, "arrete_ref": c.ArreteRef},
		})
	})
}

// AddCommission creates commission c with settings s in one transaction, both validated
// first (the errors of CreateCommission and UpdateSettings together).
func AddCommission(ctx context.Context, db bun.IDB, actor Actor, c *Commission, s *CommissionSettings, now time.Time) error {
	fe := c.validate()
	maps.Copy(fe, s.Validate())
	if c.ArreteRef == "" && s.ArreteDate != nil {
		fe.Add("arrete_ref", "Indiquez la référence de l'arrêté de composition.")
	}
	return InTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
		if err := checkDepartmentFree(ctx, tx, c, fe); err != nil {
			return err
		}
		if err := fe.Err(); err != nil {
			return err
		}
		if err := CreateCommission(ctx, tx, actor, c, now); err != nil {
			return err
		}
		return UpdateSettings(ctx, tx, actor, c, s, now)
	})
}

// CountCommissionUsers returns, for each commission, its number of active accounts.
func CountCommissionUsers(ctx context.Context, db bun.IDB) (map[int64]int, error) {
	var rows []struct {
		CommissionID int64 `bun:"commission_id"`
		N            int   `bun:"n"`
	}
	err := db.NewSelect().Model((*User)(nil)).ColumnExpr("commission_id, COUNT(*) AS n").
		Where("commission_id IS NOT NULL AND active").Group("commission_id").Scan(ctx, &rows)
	if err != nil {
		return nil, fmt.Errorf("count commission users: %w", err)
	}
	out := make(map[int64]int, len(rows))
	for _, r := range rows {
		out[r.CommissionID] = r.N
	}
	return out, nil
}

// FindCommission returns the commission with id.
func FindCommission(ctx context.Context, db bun.IDB, id int64) (*Commission, error) {
	c := new(Commission)
	err := db.NewSelect().Model(c).Where("id = ?", id).Scan(ctx)
	return c, NotFound(err, "find commission")
}

// ListCommissions returns all commissions ordered by department, optionally limited to a region.
func ListCommissions(ctx context.Context, db bun.IDB, region string) ([]Commission, error) {
	var cs []Commission
	q := db.NewSelect().Model(&cs).Order("department ASC")
	if region != "" {
		q = q.Where("region = ?", region)
	}
	err := q.Scan(ctx)
	return cs, NotFound(err, "list commissions")
}

// Stamp normalises an instant for storage: UTC, truncated to the microsecond, the
// precision both databases keep, so that what is hashed is what is stored. Every clock
// reading that reaches the database goes through it (server.New wraps the injected
// clock with it; model functions apply it to the now they are given).
func Stamp(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }
