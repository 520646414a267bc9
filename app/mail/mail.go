// Package mail sends the portal's e-mails (invitations, password resets,
// convocations) and keeps a delivery record of each copy in the outbox table,
// audited in the same transaction, so that a convocation's sending can be proved.
//
// Each recipient gets a copy of their own, addressed to them alone: recipients never
// see each other's addresses, and each delivery has its own result and Message-ID.
//
// When SMTP is configured (SMTP_HOST), copies are sent and recorded as "sent" or
// "failed". Otherwise (demo, tests, an instance started with SEANCE_MAIL_OUTBOX_ONLY=true)
// they are only recorded, with status "outbox", for an administrator to read.
//
// Secrets: no stored copy holds a link's secret. The body of a Sensitive message (an
// invitation or password-reset link) is never stored once SMTP is configured, whether the
// delivery succeeded or not; every other stored body, in outbox mode too, has the secret
// of its links masked (models.MaskLinkSecrets), so that neither the outbox page, nor a
// database dump, nor a log gives a usable link. Nothing here logs a body.
package mail

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"mime"
	netmail "net/mail"
	"regexp"
	"strings"
	"time"

	"github.com/uptrace/bun"
	gomail "github.com/wneessen/go-mail"

	"seance/app/config"
	"seance/models"
)

// Attachment is a file sent with a message, e.g. a convocation's .ics
// (ContentType calendar.ContentType(calendar.MethodRequest)).
type Attachment struct {
	Filename    string
	ContentType string
	Data        []byte
}

// Message is an e-mail to send: plain text in UTF-8, with an optional HTML alternative.
type Message struct {
	To []string
	// Cc recipients get their own copy too, with their address in the Cc header.
	Cc          []string
	Subject     string
	Text        string
	HTML        string // optional
	Attachments []Attachment
	// Kind names the message in the records: "invitation", "password_reset", "convocation"…
	Kind string
	// CommissionID scopes the records; 0 for platform-wide mail (e.g. to an administrator).
	CommissionID int64
	// Sensitive marks a body carrying a secret (a sign-in link): it is not stored once
	// sent by SMTP, and masked in the outbox (see the package documentation).
	Sensitive bool
	// Actor is who made the portal send it, for the audit chain; the zero value records "mail".
	Actor models.Actor
}

// Delivery is the outcome of Send: one result per recipient, To first then Cc.
type Delivery struct {
	// SMTP is false when the copies were only stored in the outbox (SMTP not configured).
	SMTP    bool
	Results []Result
}

// Result is the delivery of one copy.
type Result struct {
	Recipient string
	OutboxID  int64
	MessageID string // with angle brackets, as in the header
	SHA256    string // hex SHA-256 of the complete message as transmitted (or as it would have been)
	Status    string // models.OutboxSent, models.OutboxFailed or models.OutboxStored
	Err       error  // why the copy was not delivered (Status failed)
}

// Failed returns the results of the copies that were not delivered.
func (d Delivery) Failed() []Result {
	var out []Result
	for _, r := range d.Results {
		if r.Status == models.OutboxFailed {
			out = append(out, r)
		}
	}
	return out
}

var (
	// ErrInvalidMessage is returned, wrapped with the reason, for a message that cannot
	// be sent as given; nothing is recorded.
	ErrInvalidMessage = errors.New("invalid message")
	// ErrNotDelivered is returned, wrapped with the SMTP errors, when at least one copy
	// failed; the Delivery tells which, and every copy is recorded.
	ErrNotDelivered = errors.New("message not delivered")
)

var kindPattern = regexp.MustCompile(`^[a-z][a-z0-9_.-]{0,63}$`)

// sendTimeout bounds one SMTP session (connection, TLS, login and every copy).
const sendTimeout = 60 * time.Second

// Mailer sends messages and records their delivery. It is safe for concurrent use.
type Mailer struct {
	db     *bun.DB
	log    *slog.Logger
	from   *netmail.Address
	client *gomail.Client // nil in outbox mode
	// Now gives the Date header and the recorded times.
	Now func() time.Time
}

// New returns a mailer sending through the SMTP settings of cfg, or storing messages in
// the outbox when cfg.SMTPConfigured() is false. Records are written to db in their own
// transactions, never the caller's: call Send outside any transaction (on SQLite a
// caller's open transaction would block it, and a rollback must not erase the proof of
// a message that did leave).
func New(cfg *config.Config, db *bun.DB, log *slog.Logger, now func() time.Time) (*Mailer, error) {
	from, err := netmail.ParseAddress(cfg.SMTPFrom)
	if err != nil {
		return nil, fmt.Errorf("configuration: SMTP_FROM=%q is not an e-mail address (e.g. Séance <no-reply@example.gouv.fr>): %w", cfg.SMTPFrom, err)
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	m := &Mailer{db: db, log: log, from: from, Now: now}
	if !cfg.SMTPConfigured() {
		if !cfg.Demo {
			log.Warn("SMTP_HOST is not set and SEANCE_MAIL_OUTBOX_ONLY=true: e-mails are kept in the outbox table, with their links masked, and not sent")
		}
		return m, nil
	}
	opts := []gomail.Option{gomail.WithPort(cfg.SMTPPort), gomail.WithTimeout(sendTimeout)}
	switch cfg.SMTPTLS {
	case "tls":
		opts = append(opts, gomail.WithSSL())
	case "none":
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	default:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	}
	if cfg.SMTPUsername != "" {
		auth := gomail.SMTPAuthAutoDiscover
		if cfg.SMTPTLS == "none" {
			auth = gomail.SMTPAuthPlainNoEnc // a local relay without TLS: the only case where a password may travel in clear
		}
		opts = append(opts, gomail.WithSMTPAuth(auth), gomail.WithUsername(cfg.SMTPUsername), gomail.WithPassword(cfg.SMTPPassword))
	}
	m.client, err = gomail.NewClient(cfg.SMTPHost, opts...)
	if err != nil {
		return nil, fmt.Errorf("configuration: SMTP_HOST/SMTP_PORT: %w", err)
	}
	return m, nil
}

// SMTP reports whether messages are really sent (otherwise they are only stored).
func (m *Mailer) SMTP() bool { return m.client != nil }

// copyOf is one recipient's copy, composed and rendered.
type copyOf struct {
	recipient string
	cc        bool
	msg       *gomail.Msg
	messageID string
	sha256    string
}

// Send sends msg, one copy per recipient, and records every copy (see the package
// documentation). The error wraps ErrInvalidMessage when msg is refused before any
// sending, ErrNotDelivered when a copy failed (the Delivery says which, all copies
// being recorded), or is a database error after sending, in which case the copies
// are logged since their record is lost.
func (m *Mailer) Send(ctx context.Context, msg Message) (Delivery, error) {
	rcpts, err := msg.recipients()
	if err != nil {
		return Delivery{}, err
	}
	if err := msg.validate(); err != nil {
		return Delivery{}, err
	}
	now := models.Stamp(m.Now())
	copies := make([]*copyOf, len(rcpts))
	for i, r := range rcpts {
		if copies[i], err = m.compose(msg, r, now); err != nil {
			return Delivery{}, err
		}
	}

	rows := make([]*models.OutboxMessage, len(copies))
	errs := make([]error, len(copies))
	var sentAt time.Time
	if m.client != nil {
		msgs := make([]*gomail.Msg, len(copies))
		for i, c := range copies {
			msgs[i] = c.msg
		}
		sessionErr := m.client.DialAndSendWithContext(ctx, msgs...)
		sentAt = models.Stamp(m.Now())
		for i, c := range copies {
			if c.msg.IsDelivered() {
				continue
			}
			errs[i] = c.msg.SendError()
			if errs[i] == nil {
				errs[i] = sessionErr // the session failed before this copy (connection, TLS, login)
			}
			if errs[i] == nil {
				errs[i] = errors.New("not sent")
			}
		}
	}
	for i, c := range copies {
		row := &models.OutboxMessage{
			CommissionID: msg.CommissionID, Kind: msg.Kind, Recipient: c.recipient, Subject: msg.Subject,
			Attachments: msg.attachmentNames(), ContentSHA256: c.sha256, Sensitive: msg.Sensitive,
			MessageID: c.messageID, CreatedAt: now,
		}
		switch {
		case m.client == nil:
			row.Status, row.Body = models.OutboxStored, msg.Text
		case errs[i] != nil:
			row.Status, row.Error = models.OutboxFailed, errs[i].Error()
		default:
			row.Status, row.SentAt = models.OutboxSent, &sentAt
		}
		if row.Status != models.OutboxStored && !msg.Sensitive {
			row.Body = msg.Text
		}
		rows[i] = row
	}

	actor := msg.Actor
	if actor == (models.Actor{}) {
		actor = models.SystemActor("mail")
	}
	// The copies have left: record them even if the caller's request was cancelled meanwhile.
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	d := Delivery{SMTP: m.client != nil}
	if err := models.RecordMail(rctx, m.db, actor, m.Now(), rows...); err != nil {
		for i, c := range copies {
			m.log.Error("mail delivery not recorded", "kind", msg.Kind, "commission_id", msg.CommissionID,
				"message_id", c.messageID, "status", rows[i].Status, "sha256", c.sha256)
		}
		return d, fmt.Errorf("send %s: %w", msg.Kind, err)
	}
	var failed []error
	for i, c := range copies {
		d.Results = append(d.Results, Result{Recipient: c.recipient, OutboxID: rows[i].ID, MessageID: c.messageID,
			SHA256: c.sha256, Status: rows[i].Status, Err: errs[i]})
		if errs[i] != nil {
			failed = append(failed, fmt.Errorf("%s: %w", c.recipient, errs[i]))
		}
	}
	if len(failed) > 0 {
		return d, fmt.Errorf("send %s: %w (%d of %d copies): %w", msg.Kind, ErrNotDelivered, len(failed), len(copies), errors.Join(failed...))
	}
	return d, nil
}

// compose builds the copy for one recipient and renders it once, to hash the bytes
// that will be transmitted (the Date, Message-ID and MIME boundaries are fixed by then).
func (m *Mailer) compose(msg Message, r recipient, now time.Time) (*copyOf, error) {
	gm := gomail.NewMsg(gomail.WithNoDefaultUserAgent())
	gm.FromMailAddress(m.from)
	var err error
	if r.cc {
		err = gm.Cc(r.addr)
	} else {
		err = gm.To(r.addr)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: recipient %q: %v", ErrInvalidMessage, r.addr, err)
	}
	gm.Subject(msg.Subject)
	gm.SetDateWithValue(now)
	domain := m.from.Address[strings.LastIndexByte(m.from.Address, '@')+1:]
	gm.SetMessageIDWithValue(strings.ToLower(rand.Text()) + "@" + strings.ToLower(domain))
	gm.SetGenHeader(gomail.Header("Auto-Submitted"), "auto-generated") // RFC 3834: no automatic replies
	gm.SetBodyString(gomail.TypeTextPlain, msg.Text)
	if msg.HTML != "" {
		gm.AddAlternativeString(gomail.TypeTextHTML, msg.HTML)
	}
	for _, a := range msg.Attachments {
		gm.AttachReadSeeker(a.Filename, bytes.NewReader(a.Data), gomail.WithFileContentType(gomail.ContentType(a.ContentType)))
	}
	var buf bytes.Buffer
	if _, err := gm.WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("render %s message: %w", msg.Kind, err)
	}
	sum := sha256.Sum256(buf.Bytes())
	return &copyOf{recipient: r.addr, cc: r.cc, msg: gm, messageID: gm.GetMessageID(), sha256: hex.EncodeToString(sum[:])}, nil
}

type recipient struct {
	addr string
	cc   bool
}

// recipients returns the deduplicated addresses, To first.
func (msg *Message) recipients() ([]recipient, error) {
	var out []recipient
	seen := map[string]bool{}
	for _, list := range []struct {
		addrs []string
		cc    bool
	}{{msg.To, false}, {msg.Cc, true}} {
		for _, s := range list.addrs {
			a, err := netmail.ParseAddress(s)
			if err != nil {
				return nil, fmt.Errorf("%w: recipient %q is not an e-mail address", ErrInvalidMessage, s)
			}
			if key := strings.ToLower(a.Address); !seen[key] {
				seen[key] = true
				out = append(out, recipient{addr: a.Address, cc: list.cc})
			}
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%w: no recipient", ErrInvalidMessage)
	}
	return out, nil
}

func (msg *Message) validate() error {
	switch {
	case !kindPattern.MatchString(msg.Kind):
		return fmt.Errorf("%w: kind %q (want e.g. \"convocation\")", ErrInvalidMessage, msg.Kind)
	case strings.TrimSpace(msg.Subject) == "":
		return fmt.Errorf("%w: empty subject", ErrInvalidMessage)
	case strings.ContainsAny(msg.Subject, "\r\n"):
		return fmt.Errorf("%w: line break in the subject", ErrInvalidMessage)
	case strings.TrimSpace(msg.Text) == "":
		return fmt.Errorf("%w: empty text body", ErrInvalidMessage)
	case msg.CommissionID < 0:
		return fmt.Errorf("%w: commission id %d", ErrInvalidMessage, msg.CommissionID)
	}
	for _, a := range msg.Attachments {
		if a.Filename == "" || strings.ContainsAny(a.Filename, "/\\\"") || strings.ContainsFunc(a.Filename, func(r rune) bool {
			return r < 0x20 || r == 0x7f
		}) {
			return fmt.Errorf("%w: attachment file name %q", ErrInvalidMessage, a.Filename)
		}
		if _, _, err := mime.ParseMediaType(a.ContentType); err != nil {
			return fmt.Errorf("%w: attachment %s: content type %q: %v", ErrInvalidMessage, a.Filename, a.ContentType, err)
		}
	}
	return nil
}

func (msg *Message) attachmentNames() string {
	names := make([]string, len(msg.Attachments))
	for i, a := range msg.Attachments {
		names[i] = a.Filename
	}
	return strings.Join(names, "\n")
}
