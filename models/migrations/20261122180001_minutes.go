package migrations

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"
)

type minutes20261122 struct {
	bun.BaseModel `bun:"table:minutes"`

	ID                   int64  `bun:",pk,autoincrement"`
	CommissionID         int64  `bun:",notnull"`
	MeetingID            int64  `bun:",notnull"`
	Version              int    `bun:",notnull"`
	Status               string `bun:",notnull"`
	Content              string `bun:"type:text,notnull"`
	GeneralItems         string `bun:"type:text,notnull"`
	Observations         string `bun:"type:text,notnull"`
	ValidatedBy          *int64 `bun:",nullzero"`
	ValidatedAt          *time.Time
	SubmittedToMeetingID *int64 `bun:",nullzero"`
	SubmittedAt          *time.Time
	ApprovedAt           *time.Time
	ApprovalRef          string `bun:",notnull"`
	LockedAt             *time.Time
	ContentHash          string    `bun:",notnull"`
	PreviousVersionID    *int64    `bun:",nullzero"`
	PreviousHash         string    `bun:",notnull"`
	CorrectionNote       string    `bun:"type:text,notnull"`
	CreatedAt            time.Time `bun:",notnull"`
	UpdatedAt            time.Time `bun:",notnull"`
}

// A locked procès-verbal is refused any UPDATE or DELETE by the database itself, so
// that no code path (nor a slip at the SQL prompt) can change what the commission
// approved; a correction is a new row.
var (
	minutesGuardSQLite = []string{
		`CREATE TRIGGER minutes_locked_update BEFORE UPDATE ON minutes FOR EACH ROW WHEN OLD.status = 'locked'
BEGIN SELECT RAISE(ABORT, 'minutes: a locked procès-verbal cannot be changed'); END`,
		`CREATE TRIGGER minutes_locked_delete BEFORE DELETE ON minutes FOR EACH ROW WHEN OLD.status = 'locked'
BEGIN SELECT RAISE(ABORT, 'minutes: a locked procès-verbal cannot be deleted'); END`,
	}
	minutesGuardPG = []string{
		`CREATE FUNCTION minutes_locked_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'minutes: a locked procès-verbal cannot be changed'; END $$`,
		`CREATE TRIGGER minutes_locked_guard BEFORE UPDATE OR DELETE ON minutes FOR EACH ROW
WHEN (OLD.status = 'locked') EXECUTE FUNCTION minutes_locked_guard()`,
	}
)

func init() {
	tables := []table{
		{model: (*minutes20261122)(nil), fks: []string{
			"(commission_id) REFERENCES commissions (id)", "(meeting_id) REFERENCES meetings (id)",
			"(validated_by) REFERENCES users (id)", "(submitted_to_meeting_id) REFERENCES meetings (id)",
			"(previous_version_id) REFERENCES minutes (id)",
		}},
	}
	Migrations.MustRegister(func(ctx context.Context, db *bun.DB) error {
		return inTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
			if err := createTables(ctx, tx, tables...); err != nil {
				return err
			}
			guard := minutesGuardSQLite
			if db.Dialect().Name().String() == "pg" {
				guard = minutesGuardPG
			}
			for _, q := range guard {
				if _, err := tx.ExecContext(ctx, q); err != nil {
					return fmt.Errorf("minutes guard: %w", err)
				}
			}
			return nil
		})
	}, func(ctx context.Context, db *bun.DB) error {
		return inTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
			if err := dropTables(ctx, tx, tables...); err != nil {
				return err
			}
			if db.Dialect().Name().String() == "pg" {
				if _, err := tx.ExecContext(ctx, "DROP FUNCTION IF EXISTS minutes_locked_guard()"); err != nil {
					return fmt.Errorf("drop minutes guard: %w", err)
				}
			}
			return nil
		})
	})
}
