package models

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"
)

// Retention periods of the housekeeping job.
const (
	// OutboxRetention: delivery records older than this are deleted (the audit chain
	// keeps the proof of each sending).
	OutboxRetention = 90 * 24 * time.Hour
	// JobHistoryRetention: job runs and occurrence claims older than this are deleted.
	JobHistoryRetention = 90 * 24 * time.Hour
)

// PurgeAccountTokens deletes the invitation and password-reset links that expired or
// were used before before: a leaked database then holds fewer traces of them.
func PurgeAccountTokens(ctx context.Context, db bun.IDB, before time.Time) (int, error) {
	res, err := db.NewDelete().Model((*AccountToken)(nil)).
		Where("expires_at < ? OR used_at < ?", Stamp(before), Stamp(before)).Exec(ctx)
	if err != nil {
		return 0, fmt.Errorf("purge account tokens: %w", err)
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}

// Housekeep deletes what is no longer needed at now — expired links, delivery
// records older than OutboxRetention, job history older than JobHistoryRetention —
// audits what it deleted when it deleted anything ("housekeeping.purged"), and
// returns how many rows it deleted.
func Housekeep(ctx context.Context, db bun.IDB, now time.Time) (int, error) {
	total := 0
	err := InTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
		tokens, err := PurgeAccountTokens(ctx, tx, now)
		if err != nil {
			return err
		}
		outbox, err := PurgeOutbox(ctx, tx, now.Add(-OutboxRetention))
		if err != nil {
			return err
		}
		history, err := PurgeJobHistory(ctx, tx, now.Add(-JobHistoryRetention))
		if err != nil {
			return err
		}
		total = tokens + outbox + history
		if total == 0 {
			return nil
		}
		return Audit(ctx, tx, now, AuditEntry{Actor: SystemActor("housekeeping"), Action: "housekeeping.purged", Object: "database",
			Details: map[string]any{"account_tokens": tokens, "outbox_messages": outbox, "job_history": history}})
	})
	return total, err
}
