package migrations

import (
	"context"

	"github.com/uptrace/bun"
)

// The outbox becomes a queue: a message is recorded "queued" with its rendered copy
// (sealed), sent by the mail job with retries, and flagged "failed" when it gives up.
func init() {
	Migrations.MustRegister(func(ctx context.Context, db *bun.DB) error {
		ts := "TIMESTAMP"
		if db.Dialect().Name().String() == "pg" {
			ts = "TIMESTAMPTZ"
		}
		return inTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
			for _, stmt := range []string{
				"ALTER TABLE outbox_messages ADD COLUMN raw TEXT NOT NULL DEFAULT ''",
				"ALTER TABLE outbox_messages ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0",
				"ALTER TABLE outbox_messages ADD COLUMN next_attempt_at " + ts,
				"ALTER TABLE outbox_messages ADD COLUMN claimed_until " + ts,
				"CREATE INDEX outbox_messages_due_idx ON outbox_messages (status, next_attempt_at)",
				"CREATE INDEX outbox_messages_created_idx ON outbox_messages (created_at)",
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
				"DROP INDEX outbox_messages_created_idx",
				"DROP INDEX outbox_messages_due_idx",
				"ALTER TABLE outbox_messages DROP COLUMN claimed_until",
				"ALTER TABLE outbox_messages DROP COLUMN next_attempt_at",
				"ALTER TABLE outbox_messages DROP COLUMN attempts",
				"ALTER TABLE outbox_messages DROP COLUMN raw",
			} {
				if _, err := tx.ExecContext(ctx, stmt); err != nil {
					return err
				}
			}
			return nil
		})
	})
}
