package models

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/uptrace/bun"
)

// DueOutbox returns up to limit queued messages whose next attempt is due at now and
// that no run holds, oldest first.
func DueOutbox(ctx context.Context, db bun.IDB, now time.Time, limit int) ([]OutboxMessage, error) {
	var ms []OutboxMessage
	err := db.NewSelect().Model(&ms).
		Where("status = ?", OutboxQueued).
		Where("next_attempt_at <= ?", Stamp(now)).
		Where("(claimed_until IS NULL OR claimed_until < ?)", Stamp(now)).
		Order("id ASC").Limit(int64(limit)).Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("due outbox: %w", err)
	}
	return ms, nil
}

// ClaimOutbox takes message id for one sending attempt until now+lease; it reports
// false when the message is no longer queued or another run holds it. A run that
// dies leaves the lease to expire: the message is then retried (at least once
// delivery; it keeps its Message-ID, so that receivers can tell a duplicate).
func ClaimOutbox(ctx context.Context, db bun.IDB, id int64, now time.Time, lease time.Duration) (bool, error) {
	until := Stamp(now.Add(lease))
	res, err := db.NewUpdate().Model((*OutboxMessage)(nil)).Set("claimed_until = ?", until).
		Where("id = ? AND status = ?", id, OutboxQueued).
		Where("(claimed_until IS NULL OR claimed_until < ?)", Stamp(now)).Exec(ctx)
	if err != nil {
		return false, fmt.Errorf("claim outbox %d: %w", id, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("claim outbox %d: %w", id, err)
	}
	return n == 1, nil
}

// MarkOutboxSent records that the SMTP server accepted message m at now: the
// rendered copy is dropped, the convocation that sent it (if any) updated, and the
// delivery audited ("mail.sent"), in one transaction.
func MarkOutboxSent(ctx context.Context, db bun.IDB, m *OutboxMessage, now time.Time) error {
	at := Stamp(now)
	m.Status, m.SentAt, m.Raw, m.ClaimedUntil, m.Error, m.Attempts = OutboxSent, &at, "", nil, "", m.Attempts+1
	return finishOutbox(ctx, db, m, now, nil)
}

// MarkOutboxRetry records a failed attempt at now and when to try again.
func MarkOutboxRetry(ctx context.Context, db bun.IDB, m *OutboxMessage, sendErr error, next, now time.Time) error {
	n := Stamp(next)
	m.Attempts, m.Error, m.NextAttemptAt, m.ClaimedUntil = m.Attempts+1, sendErr.Error(), &n, nil
	_, err := db.NewUpdate().Model(m).Column("attempts", "error", "next_attempt_at", "claimed_until").WherePK().Exec(ctx)
	if err != nil {
		return fmt.Errorf("outbox %d retry: %w", m.ID, err)
	}
	return nil
}

// MarkOutboxFailed gives message m up at now: it is flagged to the secretariat
// (ListFailedOutbox), the convocation recipient shows the failure, and the failure is
// audited ("mail.failed"). A sensitive message's copy is dropped (its link would
// have to be issued again); another's is kept so that it can be sent again.
func MarkOutboxFailed(ctx context.Context, db bun.IDB, m *OutboxMessage, sendErr error, now time.Time) error {
	m.Status, m.Error, m.ClaimedUntil, m.Attempts = OutboxFailed, sendErr.Error(), nil, m.Attempts+1
	if m.Sensitive {
		m.Raw = ""
	}
	return finishOutbox(ctx, db, m, now, map[string]any{"error": m.Error, "attempts": m.Attempts})
}

func finishOutbox(ctx context.Context, db bun.IDB, m *OutboxMessage, now time.Time, extra map[string]any) error {
	return InTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
		_, err := tx.NewUpdate().Model(m).Column("status", "sent_at", "raw", "claimed_until", "error", "attempts").
			Where("id = ? AND status = ?", m.ID, OutboxQueued).Exec(ctx)
		if err != nil {
			return fmt.Errorf("outbox %d %s: %w", m.ID, m.Status, err)
		}
		if err := updateConvocationDelivery(ctx, tx, m); err != nil {
			return err
		}
		details := map[string]any{"kind": m.Kind, "recipient": m.Recipient, "message_id": m.MessageID, "sha256": m.ContentSHA256}
		for k, v := range extra {
			details[k] = v
		}
		return Audit(ctx, tx, now, AuditEntry{
			CommissionID: m.CommissionID, Actor: SystemActor("mail"), Action: "mail." + m.Status,
			Object: ObjectRef("outbox", m.ID), Details: details,
		})
	})
}

// updateConvocationDelivery carries the final status of a convocation's e-mail to its
// recipient and to the convocation's counts (which counted it as delivered when queued).
// The outbox sits below the sessions' package: it names their two tables, not their models.
func updateConvocationDelivery(ctx context.Context, tx bun.Tx, m *OutboxMessage) error {
	res, err := tx.NewUpdate().Table("convocation_recipients").Set("delivery_status = ?", m.Status).
		Where("outbox_id = ?", m.ID).Exec(ctx)
	if err != nil {
		return fmt.Errorf("outbox %d: convocation recipient: %w", m.ID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 || m.Status != OutboxFailed {
		return nil
	}
	_, err = tx.NewUpdate().Table("convocations").Set("failed = failed + 1").Set("delivered = delivered - 1").
		Where("id IN (?)", tx.NewSelect().Table("convocation_recipients").Column("convocation_id").Where("outbox_id = ?", m.ID)).
		Exec(ctx)
	if err != nil {
		return fmt.Errorf("outbox %d: convocation counts: %w", m.ID, err)
	}
	return nil
}

// ListFailedOutbox returns the messages the mail job gave up on, newest first: those
// of commission cid, or every one when all is set (administrators).
func ListFailedOutbox(ctx context.Context, db bun.IDB, cid int64, all bool, limit int) ([]OutboxMessage, error) {
	var ms []OutboxMessage
	q := db.NewSelect().Model(&ms).Where("status = ?", OutboxFailed).Order("id DESC").Limit(int64(limit))
	if !all {
		q = scopeOutbox(q, cid)
	}
	if err := q.Scan(ctx); err != nil {
		return nil, fmt.Errorf("list failed outbox: %w", err)
	}
	return ms, nil
}

// CountFailedOutbox counts the failed messages of commission cid (all: every one).
func CountFailedOutbox(ctx context.Context, db bun.IDB, cid int64, all bool) (int, error) {
	q := db.NewSelect().Model((*OutboxMessage)(nil)).Where("status = ?", OutboxFailed)
	if !all {
		q = scopeOutbox(q, cid)
	}
	n, err := q.Count(ctx)
	if err != nil {
		return 0, fmt.Errorf("count failed outbox: %w", err)
	}
	return int(n), nil
}

// ErrNotResendable is returned by RequeueOutbox for a message whose copy was dropped.
var ErrNotResendable = errors.New("message content no longer kept")

// RequeueOutbox puts a failed message of commission cid (all: any) back in the queue
// for an attempt now, audited ("mail.requeued").
func RequeueOutbox(ctx context.Context, db bun.IDB, actor Actor, cid int64, all bool, id int64, now time.Time) error {
	return InTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
		m := new(OutboxMessage)
		q := tx.NewSelect().Model(m).Where("id = ? AND status = ?", id, OutboxFailed)
		if !all {
			q = scopeOutbox(q, cid)
		}
		if err := q.Scan(ctx); err != nil {
			return NotFound(err, "find failed outbox message")
		}
		if m.Raw == "" {
			return ErrNotResendable
		}
		at := Stamp(now)
		m.Status, m.Attempts, m.NextAttemptAt, m.Error = OutboxQueued, 0, &at, ""
		if _, err := tx.NewUpdate().Model(m).Column("status", "attempts", "next_attempt_at", "error").WherePK().Exec(ctx); err != nil {
			return fmt.Errorf("requeue outbox %d: %w", id, err)
		}
		if _, err := tx.NewUpdate().Table("convocation_recipients").Set("delivery_status = ?", OutboxQueued).Where("outbox_id = ?", m.ID).Exec(ctx); err != nil {
			return fmt.Errorf("requeue outbox %d: %w", id, err)
		}
		return Audit(ctx, tx, now, AuditEntry{CommissionID: m.CommissionID, Actor: actor, Action: "mail.requeued",
			Object: ObjectRef("outbox", m.ID), Details: map[string]any{"kind": m.Kind, "recipient": m.Recipient, "message_id": m.MessageID}})
	})
}

// PurgeOutbox deletes the delivery records created before before that are no longer
// waiting (sent, failed or stored); the convocations keep their Message-ID and status,
// and the audit chain keeps the proof of each sending. It returns how many it deleted.
func PurgeOutbox(ctx context.Context, db bun.IDB, before time.Time) (int, error) {
	var n int64
	err := InTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
		old := tx.NewSelect().Model((*OutboxMessage)(nil)).Column("id").
			Where("created_at < ? AND status <> ?", Stamp(before), OutboxQueued)
		if _, err := tx.NewUpdate().Table("convocation_recipients").Set("outbox_id = NULL").Where("outbox_id IN (?)", old).Exec(ctx); err != nil {
			return fmt.Errorf("purge outbox: %w", err)
		}
		res, err := tx.NewDelete().Model((*OutboxMessage)(nil)).Where("created_at < ? AND status <> ?", Stamp(before), OutboxQueued).Exec(ctx)
		if err != nil {
			return fmt.Errorf("purge outbox: %w", err)
		}
		n, _ = res.RowsAffected()
		return nil
	})
	return int(n), err
}
