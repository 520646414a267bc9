package migrations

import (
	"context"
	"time"

	"github.com/uptrace/bun"
)

type meeting20261122 struct {
	bun.BaseModel `bun:"table:meetings"`

	ID                 int64     `bun:",pk,autoincrement"`
	CommissionID       int64     `bun:",notnull"`
	Kind               string    `bun:",notnull"`
	Mode               string    `bun:",notnull"`
	Status             string    `bun:",notnull"`
	StartsAt           time.Time `bun:",notnull"`
	EndsAt             time.Time `bun:",notnull"`
	Place              string    `bun:",notnull"`
	RemoteLink         string    `bun:",notnull"`
	Capacity           int       `bun:",notnull"`
	Urgency            bool      `bun:",notnull"`
	UrgencyReason      string    `bun:",notnull"`
	FirstConvocationID *int64    `bun:",nullzero"`
	NoQuorumRequired   bool      `bun:",notnull"`
	ConvenedAt         *time.Time
	CancelledReason    string    `bun:",notnull"`
	Sequence           int       `bun:",notnull"`
	CreatedAt          time.Time `bun:",notnull"`
	UpdatedAt          time.Time `bun:",notnull"`
}

type agendaItem20261122 struct {
	bun.BaseModel `bun:"table:agenda_items"`

	ID           int64  `bun:",pk,autoincrement"`
	CommissionID int64  `bun:",notnull"`
	MeetingID    int64  `bun:",notnull"`
	Position     int    `bun:",notnull"`
	Kind         string `bun:",notnull"`
	FileID       *int64 `bun:",nullzero"`
	Title        string `bun:",notnull"`
	Notes        string `bun:",notnull"`
	Reason       string `bun:",notnull"`
	DueOn        *time.Time
	CreatedAt    time.Time `bun:",notnull"`
}

type attendance20261122 struct {
	bun.BaseModel `bun:"table:meeting_attendance"`

	ID                int64  `bun:",pk,autoincrement"`
	CommissionID      int64  `bun:",notnull"`
	MeetingID         int64  `bun:",notnull"`
	SeatID            int64  `bun:",notnull"`
	TitulaireUserID   int64  `bun:",notnull"`
	Status            string `bun:",notnull"`
	SubstituteUserID  *int64 `bun:",nullzero"`
	ProxyHolderUserID *int64 `bun:",nullzero"`
	RepliedAt         *time.Time
	ConfirmedAt       *time.Time
	UpdatedAt         time.Time `bun:",notnull"`
}

func init() {
	tables := []table{
		{model: (*meeting20261122)(nil), fks: []string{
			"(commission_id) REFERENCES commissions (id)", "(first_convocation_id) REFERENCES meetings (id)",
		}},
		{model: (*agendaItem20261122)(nil), fks: []string{
			"(commission_id) REFERENCES commissions (id)", "(meeting_id) REFERENCES meetings (id) ON DELETE CASCADE",
			"(file_id) REFERENCES files (id)",
		}},
		{model: (*attendance20261122)(nil), fks: []string{
			"(commission_id) REFERENCES commissions (id)", "(meeting_id) REFERENCES meetings (id) ON DELETE CASCADE",
			"(seat_id) REFERENCES seats (id)", "(titulaire_user_id) REFERENCES users (id)",
			"(substitute_user_id) REFERENCES users (id)", "(proxy_holder_user_id) REFERENCES users (id)",
		}},
	}
	Migrations.MustRegister(func(ctx context.Context, db *bun.DB) error {
		return inTx(ctx, db, func(ctx context.Context, tx bun.Tx) error { return createTables(ctx, tx, tables...) })
	}, func(ctx context.Context, db *bun.DB) error {
		return inTx(ctx, db, func(ctx context.Context, tx bun.Tx) error { return dropTables(ctx, tx, tables...) })
	})
}
