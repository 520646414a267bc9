package migrations

import (
	"context"
	"time"

	"github.com/uptrace/bun"
)

// outboxMessage20261122 is a frozen copy of models.OutboxMessage.
type outboxMessage20261122 struct {
	bun.BaseModel `bun:"table:outbox_messages"`

	ID            int64     `bun:",pk,autoincrement"`
	CommissionID  *int64    `bun:",nullzero"`
	Kind          string    `bun:",notnull"`
	Recipient     string    `bun:",notnull"`
	Subject       string    `bun:",notnull"`
	Body          string    `bun:",notnull"`
	Attachments   string    `bun:",notnull"`
	ContentSHA256 string    `bun:"content_sha256,notnull"`
	Sensitive     bool      `bun:",notnull"`
	Status        string    `bun:",notnull"`
	Error         string    `bun:",notnull"`
	MessageID     string    `bun:",notnull"`
	CreatedAt     time.Time `bun:",notnull"`
	SentAt        *time.Time
}

func init() {
	tables := []table{
		{model: (*outboxMessage20261122)(nil), fks: []string{"(commission_id) REFERENCES commissions (id)"}},
	}
	Migrations.MustRegister(func(ctx context.Context, db *bun.DB) error {
		return inTx(ctx, db, func(ctx context.Context, tx bun.Tx) error { return createTables(ctx, tx, tables...) })
	}, func(ctx context.Context, db *bun.DB) error {
		return inTx(ctx, db, func(ctx context.Context, tx bun.Tx) error { return dropTables(ctx, tx, tables...) })
	})
}
