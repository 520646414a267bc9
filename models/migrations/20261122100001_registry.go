package migrations

import (
	"context"
	"time"

	"github.com/uptrace/bun"
)

// Frozen copies of the registry tables: commission settings, seats and mandates,
// account links, two-factor sign-in.

type commissionSettings20261122 struct {
	bun.BaseModel `bun:"table:commission_settings"`

	CommissionID           int64 `bun:",pk"`
	ArreteDate             *time.Time
	QuorumRule             string    `bun:",notnull"`
	AbstentionRule         string    `bun:",notnull"`
	NoticeDays             int       `bun:",notnull"`
	MaxFilesPerSession     int       `bun:",notnull"`
	PresidentVotes         bool      `bun:",notnull"`
	MinCellSize            int       `bun:",notnull"`
	TOTPRequiredForMembers bool      `bun:",notnull"`
	UpdatedAt              time.Time `bun:",notnull"`
}

type seat20261122 struct {
	bun.BaseModel `bun:"table:seats"`

	ID              int64     `bun:",pk,autoincrement"`
	CommissionID    int64     `bun:",notnull"`
	Category        int       `bun:",notnull"`
	Position        int       `bun:",notnull"`
	Organisation    string    `bun:",notnull"`
	Quality         string    `bun:",notnull"`
	VotingRight     bool      `bun:",notnull"`
	SuppleantPlaces int       `bun:",notnull"`
	AssociationID   *int64    `bun:",nullzero"`
	CreatedAt       time.Time `bun:",notnull"`
	UpdatedAt       time.Time `bun:",notnull"`
}

type mandate20261122 struct {
	bun.BaseModel `bun:"table:mandates"`

	ID           int64     `bun:",pk,autoincrement"`
	CommissionID int64     `bun:",notnull"`
	SeatID       int64     `bun:",notnull"`
	UserID       int64     `bun:",notnull"`
	Kind         string    `bun:",notnull"`
	StartsOn     time.Time `bun:",notnull"`
	TermEndsOn   time.Time `bun:",notnull"`
	EndedOn      *time.Time
	EndReason    string    `bun:",notnull"`
	ArreteRef    string    `bun:",notnull"`
	ReplacesID   *int64    `bun:",nullzero"`
	CreatedAt    time.Time `bun:",notnull"`
	UpdatedAt    time.Time `bun:",notnull"`
}

type accountToken20261122 struct {
	bun.BaseModel `bun:"table:account_tokens"`

	ID        int64     `bun:",pk,autoincrement"`
	UserID    int64     `bun:",notnull"`
	Purpose   string    `bun:",notnull"`
	TokenHash string    `bun:",notnull,unique"`
	CreatedAt time.Time `bun:",notnull"`
	ExpiresAt time.Time `bun:",notnull"`
	UsedAt    *time.Time
}

type userTOTP20261122 struct {
	bun.BaseModel `bun:"table:user_totp"`

	UserID       int64  `bun:",pk"`
	SecretSealed string `bun:",notnull"`
	ConfirmedAt  *time.Time
	LastStep     int64     `bun:",notnull"`
	CreatedAt    time.Time `bun:",notnull"`
	UpdatedAt    time.Time `bun:",notnull"`
}

type recoveryCode20261122 struct {
	bun.BaseModel `bun:"table:recovery_codes"`

	ID        int64     `bun:",pk,autoincrement"`
	UserID    int64     `bun:",notnull"`
	CodeHash  string    `bun:",notnull,unique"`
	CreatedAt time.Time `bun:",notnull"`
	UsedAt    *time.Time
}

type secondFactorFailure20261122 struct {
	bun.BaseModel `bun:"table:second_factor_failures"`

	ID     int64 `bun:",pk,autoincrement"`
	UserID int64 `bun:",notnull"`
	At     int64 `bun:",notnull"`
}

func init() {
	userFK := []string{"(user_id) REFERENCES users (id) ON DELETE CASCADE"}
	tables := []table{
		{model: (*commissionSettings20261122)(nil), fks: []string{"(commission_id) REFERENCES commissions (id)"}},
		{model: (*seat20261122)(nil), fks: []string{
			"(commission_id) REFERENCES commissions (id)", "(association_id) REFERENCES associations (id)",
		}},
		{model: (*mandate20261122)(nil), fks: []string{
			"(commission_id) REFERENCES commissions (id)", "(seat_id) REFERENCES seats (id)",
			"(user_id) REFERENCES users (id)", "(replaces_id) REFERENCES mandates (id)",
		}},
		{model: (*accountToken20261122)(nil), fks: userFK},
		{model: (*userTOTP20261122)(nil), fks: userFK},
		{model: (*recoveryCode20261122)(nil), fks: userFK},
		{model: (*secondFactorFailure20261122)(nil), fks: userFK},
	}
	Migrations.MustRegister(func(ctx context.Context, db *bun.DB) error {
		return inTx(ctx, db, func(ctx context.Context, tx bun.Tx) error { return createTables(ctx, tx, tables...) })
	}, func(ctx context.Context, db *bun.DB) error {
		return inTx(ctx, db, func(ctx context.Context, tx bun.Tx) error { return dropTables(ctx, tx, tables...) })
	})
}
