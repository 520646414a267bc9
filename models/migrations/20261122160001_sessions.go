package migrations

import (
	"context"
	"time"

	"github.com/uptrace/bun"
)

type convocation20261122 struct {
	bun.BaseModel `bun:"table:convocations"`

	ID            int64     `bun:",pk,autoincrement"`
	CommissionID  int64     `bun:",notnull"`
	MeetingID     int64     `bun:",notnull"`
	Number        int       `bun:",notnull"`
	SentAt        time.Time `bun:",notnull"`
	SentByID      *int64    `bun:",nullzero"`
	SentByLabel   string    `bun:",notnull"`
	Urgency       bool      `bun:",notnull"`
	UrgencyReason string    `bun:",notnull"`
	NoticeDays    int       `bun:",notnull"`
	Content       string    `bun:",notnull"`
	ContentSHA256 string    `bun:"content_sha256,notnull"`
	SubjectSHA256 string    `bun:"subject_sha256,notnull"`
	Recipients    int       `bun:",notnull"`
	Delivered     int       `bun:",notnull"`
	Failed        int       `bun:",notnull"`
	DeliveredAt   *time.Time
}

type convocationRecipient20261122 struct {
	bun.BaseModel `bun:"table:convocation_recipients"`

	ID             int64  `bun:",pk,autoincrement"`
	CommissionID   int64  `bun:",notnull"`
	ConvocationID  int64  `bun:",notnull"`
	MeetingID      int64  `bun:",notnull"`
	UserID         int64  `bun:",notnull"`
	SeatID         *int64 `bun:",nullzero"`
	Kind           string `bun:",notnull"`
	Email          string `bun:",notnull"`
	TokenHash      string `bun:",notnull,unique"`
	OutboxID       *int64 `bun:",nullzero"`
	DeliveryStatus string `bun:",notnull"`
	MessageID      string `bun:",notnull"`
	FirstOpenedAt  *time.Time
	CreatedAt      time.Time `bun:",notnull"`
}

type calendarFeed20261122 struct {
	bun.BaseModel `bun:"table:calendar_feeds"`

	ID           int64     `bun:",pk,autoincrement"`
	CommissionID int64     `bun:",notnull"`
	UserID       int64     `bun:",notnull"`
	TokenHash    string    `bun:",notnull,unique"`
	CreatedAt    time.Time `bun:",notnull"`
	LastUsedAt   *time.Time
	RevokedAt    *time.Time
}

func init() {
	tables := []table{
		{model: (*convocation20261122)(nil), fks: []string{
			"(commission_id) REFERENCES commissions (id)", "(meeting_id) REFERENCES meetings (id)", "(sent_by_id) REFERENCES users (id)",
		}},
		{model: (*convocationRecipient20261122)(nil), fks: []string{
			"(commission_id) REFERENCES commissions (id)", "(convocation_id) REFERENCES convocations (id)",
			"(meeting_id) REFERENCES meetings (id)", "(user_id) REFERENCES users (id)", "(seat_id) REFERENCES seats (id)",
			"(outbox_id) REFERENCES outbox_messages (id)",
		}},
		{model: (*calendarFeed20261122)(nil), fks: []string{
			"(commission_id) REFERENCES commissions (id)", "(user_id) REFERENCES users (id)",
		}},
	}
	Migrations.MustRegister(func(ctx context.Context, db *bun.DB) error {
		return inTx(ctx, db, func(ctx context.Context, tx bun.Tx) error { return createTables(ctx, tx, tables...) })
	}, func(ctx context.Context, db *bun.DB) error {
		return inTx(ctx, db, func(ctx context.Context, tx bun.Tx) error { return dropTables(ctx, tx, tables...) })
	})
}
