package models

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/uptrace/bun"
)

// The statuses of an outbox row.
const (
	// OutboxSent: the SMTP server accepted the message.
	OutboxSent = "sent"
	// OutboxFailed: the SMTP exchange failed; Error says why.
	OutboxFailed = "failed"
	// OutboxStored: SMTP is not configured; the message was only kept here, to be read by an admin.
	OutboxStored = "outbox"
	// OutboxQueued: waiting for the mail job (first attempt or a retry after NextAttemptAt).
	OutboxQueued = "queued"
)

// OutboxMessage is one copy of an e-mail for one recipient: its delivery record, and
// in outbox mode (no SMTP server configured) the only place where it can be read.
//
// Body holds the plain-text body with the secret of every link masked (MaskLinkSecrets),
// except for a Sensitive message (invitation or password-reset link) that went through
// SMTP: its body is never stored, sent or not.
type OutboxMessage struct {
	bun.BaseModel `bun:"table:outbox_messages"`

	ID           int64  `bun:",pk,autoincrement"`
	CommissionID int64  `bun:",nullzero"` // 0 (NULL) for platform-wide messages
	Kind         string `bun:",notnull"`  // "invitation", "password_reset", "convocation"…
	Recipient    string `bun:",notnull"`
	Subject      string `bun:",notnull"`
	Body         string `bun:",notnull"`
	// Attachments lists the attachment file names, one per line.
	Attachments string `bun:",notnull"`
	// ContentSHA256 is the hex SHA-256 of the complete RFC 5322 message (headers and
	// MIME body, exactly the bytes handed to the SMTP server).
	ContentSHA256 string     `bun:"content_sha256,notnull"`
	Sensitive     bool       `bun:",notnull"`
	Status        string     `bun:",notnull"`
	Error         string     `bun:",notnull"`
	MessageID     string     `bun:",notnull"` // with angle brackets, as in the Message-ID header
	CreatedAt     time.Time  `bun:",notnull"`
	SentAt        *time.Time // when the SMTP server accepted it; nil when failed or kept in the outbox
	// Raw is the rendered message (sealed with the secret key) while it waits to be
	// sent; it is emptied once sent, and for a sensitive message once given up.
	Raw           string `bun:",notnull" json:"-"`
	Attempts      int    `bun:",notnull"`
	NextAttemptAt *time.Time
	// ClaimedUntil is the lease of the mail job sending it: no other run takes it before.
	ClaimedUntil *time.Time
}

// AttachmentNames returns the attachment file names.
func (m *OutboxMessage) AttachmentNames() []string {
	if m.Attachments == "" {
		return nil
	}
	return strings.Split(m.Attachments, "\n")
}

// BodyWithheld reports whether the body was deliberately not stored (a sensitive message sent by SMTP).
func (m *OutboxMessage) BodyWithheld() bool { return m.Sensitive && m.Status != OutboxStored }

// linkSecret matches the secret part of the portal's personal links: a path segment of
// 32 or more URL-safe base64 characters (NewSecretToken gives 43).
var linkSecret = regexp.MustCompile(`/[A-Za-z0-9_-]{32,}`)

// MaskedSecret replaces a link's secret in stored and displayed copies of e-mails.
const MaskedSecret = "/[secret masqué]"

// MaskLinkSecrets returns text with the secret of every personal link (invitation,
// password reset, convocation, calendar feed, e-mail confirmation) masked: whoever reads
// the outbox table, a page showing it or a dump cannot use the links.
func MaskLinkSecrets(text string) string {
	return linkSecret.ReplaceAllLiteralString(text, MaskedSecret)
}

// RecordMail inserts the delivery records of one e-mail and audits each of them
// ("mail.sent", "mail.failed" or "mail.outbox", with the kind, recipient, Message-ID
// and content SHA-256) in one transaction. The rows' IDs are set. Link secrets in the
// body and the error are masked (MaskLinkSecrets) before anything is written.
func RecordMail(ctx context.Context, db bun.IDB, actor Actor, now time.Time, rows ...*OutboxMessage) error {
	for _, r := range rows {
		switch r.Status {
		case OutboxSent, OutboxFailed, OutboxStored, OutboxQueued:
		default:
			return fmt.Errorf("record mail: unknown status %q", r.Status)
		}
	}
	return InTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
		for _, r := range rows {
			if r.CreatedAt.IsZero() {
				r.CreatedAt = now
			}
			r.CreatedAt = r.CreatedAt.UTC()
			r.Body, r.Error = MaskLinkSecrets(r.Body), MaskLinkSecrets(r.Error)
			if r.SentAt != nil {
				t := r.SentAt.UTC()
				r.SentAt = &t
			}
			if _, err := tx.NewInsert().Model(r).Exec(ctx); err != nil {
				return fmt.Errorf("record mail: %w", err)
			}
			details := map[string]any{
				"kind": r.Kind, "recipient": r.Recipient, "message_id": r.MessageID, "sha256": r.ContentSHA256,
			}
			if r.Error != "" {
				details["error"] = r.Error
			}
			err := Audit(ctx, tx, now, AuditEntry{
				CommissionID: r.CommissionID, Actor: actor, Action: "mail." + r.Status,
				Object: ObjectRef("outbox", r.ID), Details: details,
			})
			if err != nil {
				return err
			}
		}
		return nil
	})
}

// ListOutbox returns the latest delivery records of commission cid, newest first.
// cid 0 selects the platform-wide messages (those of no commission), not every row:
// a caller can never see another commission's mail by passing a zero id.
func ListOutbox(ctx context.Context, db bun.IDB, cid int64, limit int) ([]OutboxMessage, error) {
	var ms []OutboxMessage
	q := db.NewSelect().Model(&ms).Order("id DESC").Limit(int64(limit))
	q = scopeOutbox(q, cid)
	if err := q.Scan(ctx); err != nil {
		return nil, fmt.Errorf("list outbox: %w", err)
	}
	return ms, nil
}

// FindOutbox returns the delivery record id of commission cid (0: platform-wide);
// a row of another commission is ErrNotFound.
func FindOutbox(ctx context.Context, db bun.IDB, cid, id int64) (*OutboxMessage, error) {
	m := new(OutboxMessage)
	q := db.NewSelect().Model(m).Where("id = ?", id)
	if err := scopeOutbox(q, cid).Scan(ctx); err != nil {
		return nil, NotFound(err, "find outbox message")
	}
	return m, nil
}

func scopeOutbox(q *bun.SelectQuery, cid int64) *bun.SelectQuery {
	if cid == 0 {
		return q.Where("commission_id IS NULL")
	}
	return q.Where("commission_id = ?", cid)
}
