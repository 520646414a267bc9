package migrations

import (
	"context"
	"time"

	"github.com/uptrace/bun"
)

// notification20261207 is a frozen copy of models.Notification.
type notification20261207 struct {
	bun.BaseModel `bun:"table:notifications"`

	ID           int64     `bun:",pk,autoincrement"`
	CommissionID int64     `bun:",notnull"`
	UserID       *int64    `bun:",nullzero"`
	Email        string    `bun:",notnull"`
	Kind         string    `bun:",notnull"`
	Object       string    `bun:",notnull"`
	Key          string    `bun:"notice_key,notnull,unique"`
	Subject      string    `bun:",notnull"`
	Link         string    `bun:",notnull"`
	OutboxID     *int64    `bun:",nullzero"`
	CreatedAt    time.Time `bun:",notnull"`
}

// Notices of the reminder jobs (renewals, terms, convocation follow-up): one row per
// notice and recipient, its unique key making a second run send nothing twice.
func init() {
	tables := []table{{model: (*notification20261207)(nil)}}
	Migrations.MustRegister(func(ctx context.Context, db *bun.DB) error {
		return inTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
			if err := createTables(ctx, tx, tables...); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, "CREATE INDEX notifications_user_idx ON notifications (user_id, id)")
			return err
		})
	}, func(ctx context.Context, db *bun.DB) error {
		return inTx(ctx, db, func(ctx context.Context, tx bun.Tx) error { return dropTables(ctx, tx, tables...) })
	})
}
