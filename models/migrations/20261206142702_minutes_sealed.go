package migrations

import (
	"context"

	"github.com/uptrace/bun"
)

// The procès-verbal snapshot is sealed with the keyring (issue 11, point 7): it holds
// the avis reasoning, conditions, dissents and written contributions, each sealed in
// its own table. New rows keep it in content_sealed and leave content empty. A
// migration has no key, so rows made before stay in clear in content until the
// application seals them (models.SealMinutesSnapshots, at start-up and by `seance keys
// rotate`).
//
// Sealing and re-sealing must reach locked rows too, which the guard refuses any
// change: the guard now lets a locked row change only its sealed snapshot (a new
// sealing of the same content, under the current key) and empty its clear one once
// sealed, every other column unchanged. The content hash, computed over the clear
// snapshot and written to the audit chain, still proves the content unchanged
// (models.VerifyMinutes).
//
// Rolling back drops the sealed snapshots with their column: it is meant for removing
// the schema altogether (the demo's reset), not for going back with data.
var (
	minutesSealedSQLite = []string{
		`ALTER TABLE minutes ADD COLUMN content_sealed TEXT NOT NULL DEFAULT ''`,
		`DROP TRIGGER minutes_locked_update`,
		// Every column of the table but content and content_sealed: a column added to
		// minutes later must be added here.
		`CREATE TRIGGER minutes_locked_update BEFORE UPDATE ON minutes FOR EACH ROW WHEN OLD.status = 'locked' AND NOT (
	NEW.content_sealed <> '' AND (NEW.content = OLD.content OR NEW.content = '')
	AND NEW.id IS OLD.id AND NEW.commission_id IS OLD.commission_id AND NEW.meeting_id IS OLD.meeting_id
	AND NEW.version IS OLD.version AND NEW.status IS OLD.status AND NEW.general_items IS OLD.general_items
	AND NEW.observations IS OLD.observations AND NEW.validated_by IS OLD.validated_by AND NEW.validated_at IS OLD.validated_at
	AND NEW.submitted_to_meeting_id IS OLD.submitted_to_meeting_id AND NEW.submitted_at IS OLD.submitted_at
	AND NEW.approved_at IS OLD.approved_at AND NEW.approval_ref IS OLD.approval_ref AND NEW.locked_at IS OLD.locked_at
	AND NEW.content_hash IS OLD.content_hash AND NEW.previous_version_id IS OLD.previous_version_id
	AND NEW.previous_hash IS OLD.previous_hash AND NEW.correction_note IS OLD.correction_note
	AND NEW.created_at IS OLD.created_at AND NEW.updated_at IS OLD.updated_at)
BEGIN SELECT RAISE(ABORT, 'minutes: a locked procès-verbal cannot be changed'); END`,
	}
	minutesSealedPG = []string{
		`ALTER TABLE minutes ADD COLUMN content_sealed TEXT NOT NULL DEFAULT ''`,
		// The trigger (WHEN OLD.status = 'locked') stays; its function now compares the
		// whole rows, so that a column added later is guarded without a change here.
		`CREATE OR REPLACE FUNCTION minutes_locked_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'UPDATE' AND NEW.content_sealed <> '' AND (NEW.content = OLD.content OR NEW.content = '')
		AND to_jsonb(NEW) - 'content' - 'content_sealed' = to_jsonb(OLD) - 'content' - 'content_sealed' THEN
		RETURN NEW;
	END IF;
	RAISE EXCEPTION 'minutes: a locked procès-verbal cannot be changed';
END $$`,
	}
	minutesUnsealedSQLite = []string{
		`DROP TRIGGER minutes_locked_update`,
		minutesGuardSQLite[0],
		`ALTER TABLE minutes DROP COLUMN content_sealed`,
	}
	minutesUnsealedPG = []string{
		`CREATE OR REPLACE FUNCTION minutes_locked_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'minutes: a locked procès-verbal cannot be changed'; END $$`,
		`ALTER TABLE minutes DROP COLUMN content_sealed`,
	}
)

func init() {
	Migrations.MustRegister(func(ctx context.Context, db *bun.DB) error {
		return execFor(ctx, db, "seal minutes", minutesSealedSQLite, minutesSealedPG)
	}, func(ctx context.Context, db *bun.DB) error {
		return execFor(ctx, db, "unseal minutes", minutesUnsealedSQLite, minutesUnsealedPG)
	})
}
