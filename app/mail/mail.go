// Package mail queues the portal's e-mails (invitations, password resets,
// convocations, reminders) in the outbox table and sends them from the mail job,
// so that no HTTP request waits on an SMTP server.
//
// Queue records one row per recipient, audited, in the caller's transaction: the
// e-mail exists if and only if what it announces was committed. Each recipient gets a
// copy of their own, addressed to them alone: recipients never see each other's
// addresses, and each copy has its own result and Message-ID. The copy is rendered
// once, when queued (its SHA-256 is the proof of what was sent), and kept sealed with
// the secret key until sent.
//
// Deliver, called by the mail job, sends the due copies; a copy that fails is tried
// again with exponential back-off (1, 2, 4… minutes, at most MaxAttempts times), and
// one the server refuses for good (5xx) or that keeps failing is marked failed: the
// secretariat sees it on the page of failed e-mails and can send it again.
//
// When SMTP is not configured (demo, tests, an instance started with
// SEANCE_MAIL_OUTBOX_ONLY=true) copies are only recorded, with status "outbox", for an
// administrator to read.
//
// Secrets: no readable copy holds a link's secret. The body of a Sensitive message (an
// invitation or password-reset link) is kept only sealed, for delivery, and dropped once
// sent or given up; every stored body, in outbox mode too, has the secret of its links
// masked (models.MaskLinkSecrets), so that neither the outbox page, nor a database dump,
// nor a log gives a usable link. Nothing here logs a body.
package mail

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
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
	"seance/models/keyring"
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

// Delivery is the outcome of Queue: one result per recipient, To first then Cc.
type Delivery struct {
	// SMTP is false when the copies were only stored in the outbox (SMTP not configured).
	SMTP    bool
	Results []Result
}

// Result is the record of one copy.
type Result struct {
	Recipient string
	OutboxID  int64
	MessageID string // with angle brackets, as in the header
	SHA256    string // hex SHA-256 of the complete message as it will be transmitted
	Status    string // models.OutboxQueued, or models.OutboxStored without SMTP
}

// ErrInvalidMessage is returned, wrapped with the reason, for a message that cannot
// be sent as given; nothing is recorded.
var ErrInvalidMessage = errors.New("invalid message")

var kindPattern = regexp.MustCompile(`^[a-z][a-z0-9_.-]{0,63}$`)

// sendTimeout bounds one SMTP session (connection, TLS, login and every copy).
const sendTimeout = 60 * time.Second

// Mailer queues messages and delivers them. It is safe for concurrent use.
type Mailer struct {
	db   *bun.DB
	log  *slog.Logger
	from *netmail.Address
	smtp *transport // nil in outbox mode
	keys *keyring.Keyring
	// Now gives the Date header and the recorded times.
	Now func() time.Time
}

// New returns a mailer sending through the SMTP settings of cfg, or storing messages in
// the outbox when cfg.SMTPConfigured() is false. The rendered copies are sealed with
// cfg.Keys.
func New(cfg *config.Config, db *bun.DB, log *slog.Logger, now func() time.Time) (*Mailer, error) {
	from, err := netmail.ParseAddress(cfg.SMTPFrom)
	if err != nil {
		return nil, fmt.Errorf("configuration: SMTP_FROM=%q is not an e-mail address (e.g. Séance <no-reply@example.gouv.fr>): %w", cfg.SMTPFrom, err)
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	m := &Mailer{db: db, log: log, from: from, keys: cfg.Keys, Now: now}
	if !cfg.SMTPConfigured() {
		if !cfg.Demo {
			log.Warn("SMTP_HOST is not set and SEANCE_MAIL_OUTBOX_ONLY=true: e-mails are kept in the outbox table, with their links masked, and not sent")
		}
		return m, nil
	}
	m.smtp = newTransport(cfg)
	return m, nil
}

// SMTP reports whether messages are really sent (otherwise they are only stored).
func (m *Mailer) SMTP() bool { return m.smtp != nil }

// copyOf is one recipient's copy, composed and rendered.
type copyOf struct {
	recipient string
	raw       []byte
	messageID string
	sha256    string
}

// Send is Queue in a transaction of its own.
func (m *Mailer) Send(ctx context.Context, msg Message) (Delivery, error) {
	return m.Queue(ctx, m.db, msg)
}

// Queue records msg in the outbox, one copy per recipient, with its audit records, in
// db: pass the transaction that writes what the message announces. The mail job
// sends the copies (see the package documentation). The error wraps
// ErrInvalidMessage when msg is refused; nothing is recorded then.
func (m *Mailer) Queue(ctx context.Context, db bun.IDB, msg Message) (Delivery, error) {
	rcpts, err := msg.recipients()
	if err != nil {
		return Delivery{}, err
	}
	if err := msg.validate(); err != nil {
		return Delivery{}, err
	}
	now := models.Stamp(m.Now())
	rows := make([]*models.OutboxMessage, len(rcpts))
	copies := make([]*copyOf, len(rcpts))
	for i, r := range rcpts {
		c, err := m.compose(msg, r, now)
		if err != nil {
			return Delivery{}, err
		}
		copies[i] = c
		row := &models.OutboxMessage{
			CommissionID: msg.CommissionID, Kind: msg.Kind, Recipient: c.recipient, Subject: msg.Subject,
			Attachments: msg.attachmentNames(), ContentSHA256: c.sha256, Sensitive: msg.Sensitive,
			MessageID: c.messageID, CreatedAt: now,
		}
		if m.smtp == nil {
			row.Status, row.Body = models.OutboxStored, msg.Text
		} else {
			row.Status, row.NextAttemptAt, row.Raw = models.OutboxQueued, &now, m.seal(c.raw, c.messageID)
			if !msg.Sensitive {
				row.Body = msg.Text
			}
		}
		rows[i] = row
	}
	actor := msg.Actor
	if actor == (models.Actor{}) {
		actor = models.SystemActor("mail")
	}
	d := Delivery{SMTP: m.smtp != nil}
	if err := models.RecordMail(ctx, db, actor, now, rows...); err != nil {
		return d, fmt.Errorf("queue %s: %w", msg.Kind, err)
	}
	for i, c := range copies {
		d.Results = append(d.Results, Result{Recipient: c.recipient, OutboxID: rows[i].ID, MessageID: c.messageID,
			SHA256: c.sha256, Status: rows[i].Status})
	}
	return d, nil
}

// seal protects a rendered copy at rest; the Message-ID binds it to its row.
func (m *Mailer) seal(raw []byte, messageID string) string {
	if m.keys == nil { // tests and tools without a secret key
		return "plain:" + base64.StdEncoding.EncodeToString(raw)
	}
	return m.keys.Seal(raw, "outbox:"+messageID)
}

func (m *Mailer) open(sealed, messageID string) ([]byte, error) {
	if rest, ok := strings.CutPrefix(sealed, "plain:"); ok {
		return base64.StdEncoding.DecodeString(rest)
	}
	if m.keys == nil {
		return nil, errors.New("sealed message and no SEANCE_SECRET_KEY")
	}
	return m.keys.Open(sealed, "outbox:"+messageID)
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
	return &copyOf{recipient: r.addr, raw: buf.Bytes(), messageID: gm.GetMessageID(), sha256: hex.EncodeToString(sum[:])}, nil
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
