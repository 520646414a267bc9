package mail

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"strconv"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"seance/app/config"
	"seance/models"
)

// MaxAttempts is how many times a copy is tried before it is marked failed.
const MaxAttempts = 8

// Backoff returns the wait after the attempt-th failed attempt (1-based): one minute,
// doubled each time, at most six hours.
func Backoff(attempt int) time.Duration {
	d := time.Minute << min(attempt-1, 12)
	return min(d, 6*time.Hour)
}

// lease is how long a delivery run holds the copies it sends.
const lease = 5 * time.Minute

// batch is how many copies one delivery run sends at most.
const batch = 200

// transport is an SMTP relay, reached with the TLS mode and login of the configuration.
type transport struct {
	host, tlsMode, user, pass string
	port                      int
}

func newTransport(cfg *config.Config) *transport {
	return &transport{host: cfg.SMTPHost, port: cfg.SMTPPort, tlsMode: cfg.SMTPTLS, user: cfg.SMTPUsername, pass: cfg.SMTPPassword}
}

// dial opens a session, with TLS as configured ("starttls" is mandatory), and logs in.
func (t *transport) dial(ctx context.Context) (*smtp.Client, error) {
	addr := net.JoinHostPort(t.host, strconv.Itoa(t.port))
	d := net.Dialer{Timeout: 30 * time.Second}
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	if err := conn.SetDeadline(time.Now().Add(sendTimeout)); err != nil { // real time: a network deadline
		conn.Close()
		return nil, err
	}
	tlsConfig := &tls.Config{ServerName: t.host, MinVersion: tls.VersionTLS12}
	var c *smtp.Client
	switch t.tlsMode {
	case "tls":
		c = smtp.NewClient(tls.Client(conn, tlsConfig))
	case "none":
		c = smtp.NewClient(conn)
	default:
		if c, err = smtp.NewClientStartTLS(conn, tlsConfig); err != nil {
			conn.Close()
			return nil, fmt.Errorf("STARTTLS: %w", err)
		}
	}
	if t.user != "" {
		if err := c.Auth(sasl.NewPlainClient("", t.user, t.pass)); err != nil {
			c.Close()
			return nil, fmt.Errorf("login: %w", err)
		}
	}
	return c, nil
}

// DeliverReport counts what a delivery run did.
type DeliverReport struct {
	Sent, Retried, Failed int
}

// Deliver sends the queued copies that are due, each claimed first so that two runs
// never send one copy twice. A copy the server accepts is marked sent at once; a
// temporary failure (connection, 4xx) is retried later with Backoff, up to
// MaxAttempts; a refusal (5xx) or the last attempt marks it failed. The error is
// about the records only: SMTP failures are in the report and the rows.
func (m *Mailer) Deliver(ctx context.Context) (DeliverReport, error) {
	var rep DeliverReport
	if m.smtp == nil {
		return rep, nil
	}
	due, err := models.DueOutbox(ctx, m.db, m.Now(), batch)
	if err != nil || len(due) == 0 {
		return rep, err
	}
	var claimed []*models.OutboxMessage
	for i := range due {
		ok, err := models.ClaimOutbox(ctx, m.db, due[i].ID, m.Now(), lease)
		if err != nil {
			return rep, err
		}
		if ok {
			claimed = append(claimed, &due[i])
		}
	}
	if len(claimed) == 0 {
		return rep, nil
	}
	c, dialErr := m.smtp.dial(ctx)
	if c != nil {
		defer func() {
			if err := c.Quit(); err != nil {
				c.Close()
			}
		}()
	}
	var errs []error
	for _, msg := range claimed {
		sendErr := dialErr
		if sendErr == nil {
			sendErr = m.sendOne(c, msg)
		}
		if err := m.record(ctx, msg, sendErr, &rep); err != nil {
			errs = append(errs, err)
		}
	}
	return rep, errors.Join(errs...)
}

func (m *Mailer) sendOne(c *smtp.Client, msg *models.OutboxMessage) error {
	raw, err := m.open(msg.Raw, msg.MessageID)
	if err != nil {
		return permanent{fmt.Errorf("open the queued copy: %w", err)}
	}
	if err := c.SendMail(m.from.Address, []string{msg.Recipient}, bytes.NewReader(raw)); err != nil {
		if rerr := c.Reset(); rerr != nil {
			return errors.Join(err, rerr)
		}
		return err
	}
	return nil
}

// permanent marks an error that retrying cannot cure.
type permanent struct{ error }

func (p permanent) Unwrap() error { return p.error }

func isPermanent(err error) bool {
	var p permanent
	if errors.As(err, &p) {
		return true
	}
	var se *smtp.SMTPError
	return errors.As(err, &se) && se.Code >= 500
}

// record writes the outcome of one copy in its own transaction: a copy that left is
// recorded even if the run's context has ended.
func (m *Mailer) record(ctx context.Context, msg *models.OutboxMessage, sendErr error, rep *DeliverReport) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	now := m.Now()
	switch {
	case sendErr == nil:
		rep.Sent++
		if err := models.MarkOutboxSent(ctx, m.db, msg, now); err != nil {
			m.log.Error("mail sent but not recorded", "outbox_id", msg.ID, "message_id", msg.MessageID, "err", err)
			return err
		}
		return nil
	case isPermanent(sendErr) || msg.Attempts+1 >= MaxAttempts:
		rep.Failed++
		m.log.Error("mail given up", "outbox_id", msg.ID, "kind", msg.Kind, "attempts", msg.Attempts+1, "err", sendErr)
		return models.MarkOutboxFailed(ctx, m.db, msg, sendErr, now)
	default:
		rep.Retried++
		m.log.Warn("mail not sent, will retry", "outbox_id", msg.ID, "kind", msg.Kind, "attempt", msg.Attempts+1, "err", sendErr)
		return models.MarkOutboxRetry(ctx, m.db, msg, sendErr, now.Add(Backoff(msg.Attempts+1)), now)
	}
}
