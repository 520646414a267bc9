package models

import (
	"context"
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

// CreateCommission inserts c and records it in the audit chain.
func CreateCommission(ctx context.Context, db bun.IDB, actor Actor, c *Commission, now time.Time) error {
	return InTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
		c.CreatedAt = now
		if _, err := tx.NewInsert().Model(c).Exec(ctx); err != nil {
			return notFound(err, "create commission")
		}
		return Audit(ctx, tx, now, AuditEntry{
			CommissionID: c.ID, Actor: actor, Action: "commission.create",
			Object: ObjectRef("commission", c.ID), Details: map[string]any{"department": c.Department, "name": c.Name},
		})
	})
}

// FindCommission returns the commission with id.
func FindCommission(ctx context.Context, db bun.IDB, id int64) (*Commission, error) {
	c := new(Commission)
	err := db.NewSelect().Model(c).Where("id = ?", id).Scan(ctx)
	return c, notFound(err, "find commission")
}

// ListCommissions returns all commissions ordered by department, optionally limited to a region.
func ListCommissions(ctx context.Context, db bun.IDB, region string) ([]Commission, error) {
	var cs []Commission
	q := db.NewSelect().Model(&cs).Order("department ASC")
	if region != "" {
		q = q.Where("region = ?", region)
	}
	err := q.Scan(ctx)
	return cs, notFound(err, "list commissions")
}

// Stamp normalises an instant for storage: UTC, truncated to the microsecond, the
// precision both databases keep, so that what is hashed is what is stored. Every clock
// reading that reaches the database goes through it (server.New wraps the injected
// clock with it; model functions apply it to the now they are given).
func Stamp(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }
