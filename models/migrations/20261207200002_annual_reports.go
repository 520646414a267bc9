package migrations

import (
	"context"
	"time"

	"github.com/uptrace/bun"
)

// annualReport20261207 is a frozen copy of models.AnnualReport.
type annualReport20261207 struct {
	bun.BaseModel `bun:"table:annual_reports"`

	ID           int64     `bun:",pk,autoincrement"`
	CommissionID int64     `bun:",notnull,unique:annual_reports_year"`
	Year         int       `bun:",notnull,unique:annual_reports_year"`
	FileName     string    `bun:",notnull"`
	Content      []byte    `bun:",notnull"`
	SHA256       string    `bun:"sha256,notnull"`
	GeneratedAt  time.Time `bun:",notnull"`
}

// The final annual workbooks, generated on 1 February for the previous year by the
// annual_report job: one per commission and year, its hash in the audit chain.
func init() {
	tables := []table{{model: (*annualReport20261207)(nil), fks: []string{"(commission_id) REFERENCES commissions (id)"}}}
	Migrations.MustRegister(func(ctx context.Context, db *bun.DB) error {
		return inTx(ctx, db, func(ctx context.Context, tx bun.Tx) error { return createTables(ctx, tx, tables...) })
	}, func(ctx context.Context, db *bun.DB) error {
		return inTx(ctx, db, func(ctx context.Context, tx bun.Tx) error { return dropTables(ctx, tx, tables...) })
	})
}
