package migrations

import (
	"context"
	"time"

	"github.com/uptrace/bun"
)

// Frozen copies of the foundation tables; models may change later.

type commission20261122 struct {
	bun.BaseModel `bun:"table:commissions"`

	ID         int64     `bun:",pk,autoincrement"`
	Department string    `bun:",notnull,unique"`
	Region     string    `bun:",notnull"`
	Name       string    `bun:",notnull"`
	ArreteRef  string    `bun:",notnull"`
	Demo       bool      `bun:",notnull"`
	CreatedAt  time.Time `bun:",notnull"`
}

type user20261122 struct {
	bun.BaseModel `bun:"table:users"`

	ID                 int64  `bun:",pk,autoincrement"`
	CommissionID       *int64 `bun:",nullzero"`
	Region             string `bun:",notnull"`
	AssociationID      *int64 `bun:",nullzero"`
	Email              string `bun:",notnull,unique"`
	Name               string `bun:",notnull"`
	Role               string `bun:",notnull"`
	PasswordHash       string `bun:",notnull"`
	Active             bool   `bun:",notnull"`
	FailedLogins       int    `bun:",notnull"`
	LockedUntil        *time.Time
	SessionsValidAfter time.Time `bun:",notnull"`
	LastLoginAt        *time.Time
	CreatedAt          time.Time `bun:",notnull"`
	UpdatedAt          time.Time `bun:",notnull"`
}

type association20261122 struct {
	bun.BaseModel `bun:"table:associations"`

	ID             int64     `bun:",pk,autoincrement"`
	CommissionID   int64     `bun:",notnull"`
	Name           string    `bun:",notnull"`
	AgrementArrete string    `bun:",notnull"`
	AgrementDate   time.Time `bun:",notnull"`
	AgrementEnds   time.Time `bun:",notnull"`
	Departments    string    `bun:",notnull"`
	ContactEmail   string    `bun:",notnull"`
	CreatedAt      time.Time `bun:",notnull"`
	UpdatedAt      time.Time `bun:",notnull"`
}

type audit20261122 struct {
	bun.BaseModel `bun:"table:audit_log"`

	ID           int64     `bun:",pk,autoincrement"`
	At           time.Time `bun:",notnull"`
	CommissionID int64     `bun:",notnull"`
	ActorID      int64     `bun:",notnull"`
	ActorLabel   string    `bun:",notnull"`
	Action       string    `bun:",notnull"`
	Object       string    `bun:",notnull"`
	Details      string    `bun:",notnull"`
	PrevHash     string    `bun:",notnull"`
	Hash         string    `bun:",notnull,unique"`
}

type kv20261122 struct {
	bun.BaseModel `bun:"table:kv_store"`

	Key       string `bun:"name,pk"`
	Value     []byte `bun:",notnull"`
	ExpiresAt int64  `bun:",notnull"`
}

type apiToken20261122 struct {
	bun.BaseModel `bun:"table:api_tokens"`

	ID         int64     `bun:",pk,autoincrement"`
	UserID     int64     `bun:",notnull"`
	Name       string    `bun:",notnull"`
	TokenHash  string    `bun:",notnull,unique"`
	CreatedAt  time.Time `bun:",notnull"`
	LastUsedAt *time.Time
	RevokedAt  *time.Time
}

func init() {
	tables := []table{
		{model: (*commission20261122)(nil)},
		{model: (*association20261122)(nil), fks: []string{"(commission_id) REFERENCES commissions (id)"}},
		{model: (*user20261122)(nil), fks: []string{
			"(commission_id) REFERENCES commissions (id)", "(association_id) REFERENCES associations (id)",
		}},
		{model: (*audit20261122)(nil)},
		{model: (*kv20261122)(nil)},
		{model: (*apiToken20261122)(nil), fks: []string{"(user_id) REFERENCES users (id) ON DELETE CASCADE"}},
	}
	Migrations.MustRegister(func(ctx context.Context, db *bun.DB) error {
		return inTx(ctx, db, func(ctx context.Context, tx bun.Tx) error { return createTables(ctx, tx, tables...) })
	}, func(ctx context.Context, db *bun.DB) error {
		return inTx(ctx, db, func(ctx context.Context, tx bun.Tx) error { return dropTables(ctx, tx, tables...) })
	})
}
