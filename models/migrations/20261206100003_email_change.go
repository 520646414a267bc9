package migrations

import (
	"context"

	"github.com/uptrace/bun"
)

// The link that confirms a new e-mail address carries that address (account_tokens of
// purpose "email_change"); other links leave it empty.
func init() {
	Migrations.MustRegister(func(ctx context.Context, db *bun.DB) error {
		_, err := db.ExecContext(ctx, "ALTER TABLE account_tokens ADD COLUMN new_email VARCHAR NOT NULL DEFAULT ''")
		return err
	}, func(ctx context.Context, db *bun.DB) error {
		_, err := db.ExecContext(ctx, "ALTER TABLE account_tokens DROP COLUMN new_email")
		return err
	})
}
