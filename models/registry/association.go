package registry

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"seance/models"
)

// AgrementYears is the length of an association's approval (R121-12-4).
const AgrementYears = 3

// Association is an approved association (association agréée) working with a commission.
// Only one whose approval is current and covers the commission's department may submit files.
type Association struct {
	bun.BaseModel `bun:"table:associations"`

	ID             int64     `bun:",pk,autoincrement"`
	CommissionID   int64     `bun:",notnull"`
	Name           string    `bun:",notnull"`
	AgrementArrete string    `bun:",notnull"` // reference of the préfet's arrêté of approval
	AgrementDate   time.Time `bun:",notnull"` // start of the approval
	AgrementEnds   time.Time `bun:",notnull"` // start + 3 years unless renewed
	Departments    string    `bun:",notnull"` // covered departments, comma separated ("31,09,82")
	ContactEmail   string    `bun:",notnull"`
	CreatedAt      time.Time `bun:",notnull"`
	UpdatedAt      time.Time `bun:",notnull"`
}

// DepartmentList returns the covered departments.
func (a *Association) DepartmentList() []string {
	var out []string
	for _, d := range strings.Split(a.Departments, ",") {
		if d = strings.TrimSpace(d); d != "" {
			out = append(out, d)
		}
	}
	return out
}

// Covers reports whether the approval covers department dep.
func (a *Association) Covers(dep string) bool { return slices.Contains(a.DepartmentList(), dep) }

// ApprovedOn reports whether the approval is current on day now.
func (a *Association) ApprovedOn(now time.Time) bool {
	return !now.Before(a.AgrementDate) && now.Before(a.AgrementEnds)
}

// MaySubmitFiles reports whether the association holds a current approval covering dep
// (REGLES.md requirement 13).
func (a *Association) MaySubmitFiles(dep string, now time.Time) bool {
	return a.ApprovedOn(now) && a.Covers(dep)
}

// CreateAssociation inserts a (AgrementEnds defaults to AgrementDate + 3 years) and audits it.
func CreateAssociation(ctx context.Context, db bun.IDB, actor models.Actor, a *Association, now time.Time) error {
	if a.AgrementEnds.IsZero() {
		a.AgrementEnds = a.AgrementDate.AddDate(AgrementYears, 0, 0)
	}
	return models.InTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
		now := now
		a.CreatedAt, a.UpdatedAt = now, now
		if _, err := tx.NewInsert().Model(a).Exec(ctx); err != nil {
			return fmt.Errorf("create association: %w", err)
		}
		return models.Audit(ctx, tx, now, models.AuditEntry{
			CommissionID: a.CommissionID, Actor: actor, Action: "association.create",
			Object: models.ObjectRef("association", a.ID), Details: map[string]any{"name": a.Name, "ends": a.AgrementEnds.Format(time.DateOnly)},
		})
	})
}

// FindAssociation returns association id of commission cid.
func FindAssociation(ctx context.Context, db bun.IDB, cid, id int64) (*Association, error) {
	a := new(Association)
	err := db.NewSelect().Model(a).Where("id = ? AND commission_id = ?", id, cid).Scan(ctx)
	if err != nil {
		return nil, models.NotFound(err, "find association")
	}
	return a, nil
}

// ListAssociations returns the associations of commission cid by name.
func ListAssociations(ctx context.Context, db bun.IDB, cid int64) ([]Association, error) {
	var as []Association
	if err := db.NewSelect().Model(&as).Where("commission_id = ?", cid).Order("name ASC").Scan(ctx); err != nil {
		return nil, fmt.Errorf("list associations: %w", err)
	}
	return as, nil
}

// ListAllAssociations returns every association of every commission, by commission then
// name, for the account form.
func ListAllAssociations(ctx context.Context, db bun.IDB) ([]Association, error) {
	var as []Association
	if err := db.NewSelect().Model(&as).Order("commission_id ASC", "name ASC").Scan(ctx); err != nil {
		return nil, fmt.Errorf("list all associations: %w", err)
	}
	return as, nil
}
