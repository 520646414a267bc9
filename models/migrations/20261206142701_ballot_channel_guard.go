package migrations

import (
	"context"
	"fmt"

	"github.com/uptrace/bun"
)

// A ballot cast online belongs to its voter (issue 11, point 1): the database itself
// refuses an online ballot recorded by anyone but its voter, and the change of an online
// ballot into a room entry, so that no code path lets the secretariat overwrite a
// member's own vote.
var (
	ballotGuardSQLite = []string{
		`CREATE TRIGGER sitting_ballots_online_insert BEFORE INSERT ON sitting_ballots FOR EACH ROW
WHEN NEW.channel = 'online' AND NEW.recorded_by <> NEW.voter_user_id
BEGIN SELECT RAISE(ABORT, 'sitting_ballots: an online ballot is cast by its voter'); END`,
		`CREATE TRIGGER sitting_ballots_online_update BEFORE UPDATE ON sitting_ballots FOR EACH ROW
WHEN (OLD.channel = 'online' AND NEW.channel <> 'online') OR (NEW.channel = 'online' AND NEW.recorded_by <> NEW.voter_user_id)
BEGIN SELECT RAISE(ABORT, 'sitting_ballots: only its voter changes a ballot cast online'); END`,
	}
	ballotGuardPG = []string{
		`CREATE FUNCTION sitting_ballots_online_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF NEW.channel = 'online' AND NEW.recorded_by <> NEW.voter_user_id THEN
		RAISE EXCEPTION 'sitting_ballots: an online ballot is cast by its voter';
	END IF;
	IF TG_OP = 'UPDATE' AND OLD.channel = 'online' AND NEW.channel <> 'online' THEN
		RAISE EXCEPTION 'sitting_ballots: only its voter changes a ballot cast online';
	END IF;
	RETURN NEW;
END $$`,
		`CREATE TRIGGER sitting_ballots_online_guard BEFORE INSERT OR UPDATE ON sitting_ballots FOR EACH ROW
EXECUTE FUNCTION sitting_ballots_online_guard()`,
	}
	ballotUnguardSQLite = []string{
		`DROP TRIGGER IF EXISTS sitting_ballots_online_insert`,
		`DROP TRIGGER IF EXISTS sitting_ballots_online_update`,
	}
	ballotUnguardPG = []string{
		`DROP TRIGGER IF EXISTS sitting_ballots_online_guard ON sitting_ballots`,
		`DROP FUNCTION IF EXISTS sitting_ballots_online_guard()`,
	}
)

// execFor runs the statements of the database's dialect in one transaction.
func execFor(ctx context.Context, db *bun.DB, what string, sqlite, pg []string) error {
	stmts := sqlite
	if db.Dialect().Name().String() == "pg" {
		stmts = pg
	}
	return inTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
		for _, q := range stmts {
			if _, err := tx.ExecContext(ctx, q); err != nil {
				return fmt.Errorf("%s: %w", what, err)
			}
		}
		return nil
	})
}

func init() {
	Migrations.MustRegister(func(ctx context.Context, db *bun.DB) error {
		return execFor(ctx, db, "ballot channel guard", ballotGuardSQLite, ballotGuardPG)
	}, func(ctx context.Context, db *bun.DB) error {
		return execFor(ctx, db, "drop ballot channel guard", ballotUnguardSQLite, ballotUnguardPG)
	})
}
