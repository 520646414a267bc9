package jobs

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"seance/app/mail"
	"seance/models"
)

// Notifier sends the reminder jobs' notices: each is recorded in the notifications
// table under a unique key and its e-mail queued in the outbox, in one transaction,
// so that a notice already given is neither recorded nor sent again.
type Notifier struct {
	DB      *bun.DB
	Mailer  *mail.Mailer
	BaseURL string // absolute, without a trailing slash
}

// recipient is a person to notify: an account, or an address without one.
type recipient struct {
	UserID *int64
	Email  string
}

func (r recipient) key() string {
	if r.UserID != nil {
		return "user:" + strconv.FormatInt(*r.UserID, 10)
	}
	return "email:" + strings.ToLower(r.Email)
}

// accounts returns the recipients of the active accounts us.
func accounts(us []models.User) []recipient {
	out := make([]recipient, 0, len(us))
	for i := range us {
		if us[i].Active {
			out = append(out, recipient{UserID: &us[i].ID, Email: us[i].Email})
		}
	}
	return out
}

// notice is one notice to a list of recipients.
type notice struct {
	CommissionID int64
	Kind         string // also the e-mail's kind: renewal-45, term-90…
	Object       string // parcours:12
	Occurrence   string // what makes a later notice on the same object a new one: period:3
	Subject      string
	Text         string // the paragraph(s) after « Bonjour, »
	Link         string // path of the page concerned
}

// send gives notice n to each recipient not yet notified, at now; it returns how
// many were notified by this call.
func (nt *Notifier) send(ctx context.Context, n notice, to []recipient, now time.Time) (int, error) {
	sent := 0
	for _, r := range to {
		var done bool
		err := models.InTx(ctx, nt.DB, func(ctx context.Context, tx bun.Tx) error {
			var err error
			done, err = nt.queue(ctx, tx, n, r, now)
			return err
		})
		if err != nil {
			return sent, err
		}
		if done {
			sent++
		}
	}
	return sent, nil
}

// sendTx gives notice n to each recipient not yet notified inside tx, the transaction
// that changes what the notice announces; it returns how many were notified.
func (nt *Notifier) sendTx(ctx context.Context, tx bun.Tx, n notice, to []recipient, now time.Time) (int, error) {
	sent := 0
	for _, r := range to {
		done, err := nt.queue(ctx, tx, n, r, now)
		if err != nil {
			return sent, err
		}
		if done {
			sent++
		}
	}
	return sent, nil
}

// queue records notice n to r and queues its e-mail in tx, unless r already had it.
func (nt *Notifier) queue(ctx context.Context, tx bun.Tx, n notice, r recipient, now time.Time) (bool, error) {
	key := n.Kind + ":" + n.Object
	if n.Occurrence != "" {
		key += ":" + n.Occurrence
	}
	key += ":" + r.key()
	row := &models.Notification{CommissionID: n.CommissionID, UserID: r.UserID, Email: r.Email, Kind: n.Kind,
		Object: n.Object, Key: key, Subject: n.Subject, Link: n.Link}
	ok, err := models.InsertNotification(ctx, tx, row, now)
	if err != nil || !ok {
		return false, wrapNotice(key, err)
	}
	d, err := nt.Mailer.Queue(ctx, tx, mail.Message{
		To: []string{r.Email}, Subject: n.Subject, Kind: n.Kind, CommissionID: n.CommissionID,
		Text: "Bonjour,\n\n" + n.Text + "\n\nPage concernée : " + nt.BaseURL + n.Link + "\n\n" +
			"Vos notifications récentes : " + nt.BaseURL + "/notifications\n\n" +
			"— Séance, portail de la commission départementale\n",
		Actor: models.SystemActor("jobs"),
	})
	if err != nil {
		return false, wrapNotice(key, err)
	}
	return true, wrapNotice(key, models.SetNotificationOutbox(ctx, tx, row.ID, d.Results[0].OutboxID))
}

func wrapNotice(key string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("notice %s: %w", key, err)
}

// daysBetween returns the number of calendar days from day a to day b (dates at
// midnight UTC, as models.CalendarDay gives).
func daysBetween(a, b time.Time) int {
	return int(b.Sub(a).Round(time.Hour) / (24 * time.Hour))
}

// frDay formats a date the French way.
func frDay(t time.Time) string { return t.Format("02/01/2006") }
