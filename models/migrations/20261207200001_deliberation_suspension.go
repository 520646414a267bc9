package migrations

import (
	"context"

	"github.com/uptrace/bun"
)

// A written deliberation may be suspended after a technical incident and resumed as
// the chair decides (décret 2014-1627 art. 7): while suspended_at is set, nothing is
// posted, voted, closed or reminded.
func init() {
	Migrations.MustRegister(func(ctx context.Context, db *bun.DB) error {
		ts := "TIMESTAMP"
		if db.Dialect().Name().String() == "pg" {
			ts = "TIMESTAMPTZ"
		}
		return inTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
			for _, stmt := range []string{
				"ALTER TABLE written_deliberations ADD COLUMN suspended_at " + ts,
				"ALTER TABLE written_deliberations ADD COLUMN suspension_reason TEXT NOT NULL DEFAULT ''",
				"ALTER TABLE written_deliberations ADD COLUMN suspensions INTEGER NOT NULL DEFAULT 0",
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
				"ALTER TABLE written_deliberations DROP COLUMN suspensions",
				"ALTER TABLE written_deliberations DROP COLUMN suspension_reason",
				"ALTER TABLE written_deliberations DROP COLUMN suspended_at",
			} {
				if _, err := tx.ExecContext(ctx, stmt); err != nil {
					return err
				}
			}
			return nil
		})
	})
}
