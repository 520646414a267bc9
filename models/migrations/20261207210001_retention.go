package migrations

import (
	"context"

	"github.com/uptrace/bun"
)

// Retention (REGLES.md requirement 15, issue 14): each commission sets how long a
// file is kept after the person's last contact (24 months by default, CNIL
// référentiel on social support), and an anonymised file records the day it was
// anonymised.
func init() {
	Migrations.MustRegister(func(ctx context.Context, db *bun.DB) error {
		ts := "TIMESTAMP"
		if db.Dialect().Name().String() == "pg" {
			ts = "TIMESTAMPTZ"
		}
		return inTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
			for _, stmt := range []string{
				"ALTER TABLE commission_settings ADD COLUMN retention_months INTEGER NOT NULL DEFAULT 24",
				"ALTER TABLE files ADD COLUMN anonymised_on " + ts,
			} {
				if _, err := tx.ExecContext(ctx, stmt); err != nil {
					return err
				}
			}
			return nil
		})
	}, func(ctx context.Context, db *bun.DB) error {
		return inTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
			for _, stmt := range []string{
				"ALTER TABLE files DROP COLUMN anonymised_on",
				"ALTER TABLE commission_settings DROP COLUMN retention_months",
			} {
				if _, err := tx.ExecContext(ctx, stmt); err != nil {
					return err
				}
			}
			return nil
		})
	})
}
