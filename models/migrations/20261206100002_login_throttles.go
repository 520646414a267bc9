package migrations

import (
	"context"
	"fmt"

	"github.com/uptrace/bun"
)

// loginThrottle20261206 is a frozen copy of models.LoginThrottle.
type loginThrottle20261206 struct {
	bun.BaseModel `bun:"table:login_throttles"`

	Subject       string `bun:",pk"`
	Failures      int    `bun:",notnull"`
	LastFailureMS int64  `bun:"last_failure_ms,notnull"`
	NotBeforeMS   int64  `bun:"not_before_ms,notnull"`
}

// Sign-in throttling replaces the per-account lock (users.failed_logins, locked_until),
// which anyone could trigger and which answered differently for known accounts.
func init() {
	tables := []table{{model: (*loginThrottle20261206)(nil)}}
	Migrations.MustRegister(func(ctx context.Context, db *bun.DB) error {
		return inTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
			if err := createTables(ctx, tx, tables...); err != nil {
				return err
			}
			for _, col := range []string{"failed_logins", "locked_until"} {
				if _, err := tx.ExecContext(ctx, "ALTER TABLE users DROP COLUMN "+col); err != nil {
					return fmt.Errorf("drop users.%s: %w", col, err)
				}
			}
			return nil
		})
	}, func(ctx context.Context, db *bun.DB) error {
		return inTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
			ts := "TIMESTAMP"
			if db.Dialect().Name().String() == "pg" {
				ts = "TIMESTAMPTZ"
			}
			for _, q := range []string{
				"ALTER TABLE users ADD COLUMN failed_logins BIGINT NOT NULL DEFAULT 0",
				"ALTER TABLE users ADD COLUMN locked_until " + ts,
			} {
				if _, err := tx.ExecContext(ctx, q); err != nil {
					return fmt.Errorf("restore users lock columns: %w", err)
				}
			}
			return dropTables(ctx, tx, tables...)
		})
	})
}
