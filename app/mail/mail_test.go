package mail_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"strings"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"seance/app/calendar"
	"seance/app/config"
	"seance/app/mail"
	"seance/app/mail/mailtest"
	"seance/models"
	"seance/models/modelstest"
)

var fixedNow = time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)

func newMailer(t *testing.T, cfg *config.Config, db *bun.DB) *mail.Mailer {
	t.Helper()
	m, err := mail.New(cfg, db, nil, func() time.Time { return fixedNow })
	if err != nil {
		t.Fatal(err)
	}
	m.Now = func() time.Time { return fixedNow }
	return m
}

// noSMTP returns a configuration without SMTP_HOST.
func noSMTP(t *testing.T) *config.Config {
	t.Helper()
	cfg, err := config.Load(func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func convocationICS(t *testing.T) []byte {
	t.Helper()
	loc, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	start := time.Date(2026, 12, 3, 14, 0, 0, 0, loc)
	var b bytes.Buffer
	err = calendar.Write(&b, "Commission 31", loc, calendar.MethodRequest, calendar.Event{
		UID: calendar.UID(42, "seance.test"), Summary: "Séance plénière", Location: "Préfecture, salle Riquet",
		Start: start, End: start.Add(3 * time.Hour), Updated: fixedNow,
	})
	if err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// auditOf returns the audit records of the outbox rows, by outbox id.
func auditOf(t *testing.T, db bun.IDB, cid int64) map[string]models.AuditRecord {
	t.Helper()
	recs, err := models.ListAudit(context.Background(), db, cid, 100)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]models.AuditRecord{}
	for _, r := range recs {
		if strings.HasPrefix(r.Object, "outbox:") {
			out[r.Object] = r
		}
	}
	return out
}

func TestSend_SMTPDeliversOneCopyPerRecipientWithProof(t *testing.T) {
	ctx := context.Background()
	srv := mailtest.NewServer(t)
	db := modelstest.NewDB(t)
	c := modelstest.Commission(t, db, "31")
	m := newMailer(t, srv.Config(t), db)
	ics := convocationICS(t)
	msg := mail.Message{
		To:      []string{"Mme Élodie Dupont <elodie.dupont@example.org>", "membre02@example.org", "ELODIE.DUPONT@example.org"},
		Cc:      []string{"secretariat@example.org"},
		Subject: "Convocation à la séance du 3 décembre — ordre du jour",
		Text: "Madame, Monsieur,\n\nVous êtes convoqué(e) à la séance plénière du jeudi 3 décembre à 14 h, à la préfecture.\n" +
			".Une ligne qui commence par un point.\n" + strings.Repeat("Très longue ligne à couper proprement. ", 8) + "\nCordialement,\nLe secrétariat",
		HTML:         "<p>Vous êtes convoqué(e) à la séance du <strong>3 décembre</strong>.</p>",
		Attachments:  []mail.Attachment{{Filename: "convocation.ics", ContentType: calendar.ContentType(calendar.MethodRequest), Data: ics}},
		Kind:         "convocation",
		CommissionID: c.ID,
		Actor:        models.Actor{UserID: 7, Label: "secretariat@demo.example"},
	}
	d, err := m.Send(ctx, msg)
	if err != nil {
		t.Fatalf("Send: %v", err)
	}
	wantRcpts := []string{"elodie.dupont@example.org", "membre02@example.org", "secretariat@example.org"}
	got := srv.Messages()
	if len(got) != len(wantRcpts) || len(d.Results) != len(wantRcpts) || !d.SMTP {
		t.Fatalf("server received %d messages, Delivery has %d results (SMTP %v), want %d each (duplicate address sent once)",
			len(got), len(d.Results), d.SMTP, len(wantRcpts))
	}
	audits := auditOf(t, db, c.ID)
	for i, want := range wantRcpts {
		t.Run(want, func(t *testing.T) {
			rcv, res := got[i], d.Results[i]
			if len(rcv.To) != 1 || rcv.To[0] != want || res.Recipient != want || res.Status != models.OutboxSent || res.Err != nil {
				t.Fatalf("copy %d: envelope to %v, result %+v; want only %s, sent", i, rcv.To, res, want)
			}
			if rcv.From != "no-reply@seance.test" || rcv.Auth != "seance" {
				t.Errorf("envelope from %q, login %q; want no-reply@seance.test and the SMTP_USERNAME login", rcv.From, rcv.Auth)
			}
			for _, other := range wantRcpts {
				if other != want && bytes.Contains(bytes.ToLower(rcv.Data), []byte(other)) {
					t.Errorf("copy for %s discloses %s", want, other)
				}
			}
			p, err := rcv.Parse()
			if err != nil {
				t.Fatal(err)
			}
			if p.Subject != msg.Subject {
				t.Errorf("Subject = %q, want %q", p.Subject, msg.Subject)
			}
			if p.Text != msg.Text {
				t.Errorf("Text = %q, want %q", p.Text, msg.Text)
			}
			if _, params, err := mime.ParseMediaType(p.TextCT); err != nil || !strings.EqualFold(params["charset"], "utf-8") {
				t.Errorf("text part Content-Type = %q, want charset UTF-8", p.TextCT)
			}
			if p.HTML != msg.HTML {
				t.Errorf("HTML = %q, want %q", p.HTML, msg.HTML)
			}
			header := "To"
			if want == "secretariat@example.org" {
				header = "Cc"
			}
			if !strings.Contains(strings.ToLower(p.Header.Get(header)), want) {
				t.Errorf("%s header = %q, want %s", header, p.Header.Get(header), want)
			}
			if len(p.Attachments) != 1 {
				t.Fatalf("%d attachments, want 1", len(p.Attachments))
			}
			a := p.Attachments[0]
			mt, params, err := mime.ParseMediaType(a.ContentType)
			if a.Filename != "convocation.ics" || err != nil || mt != "text/calendar" || params["method"] != "REQUEST" {
				t.Errorf("attachment %q of type %q, want convocation.ics as text/calendar; method=REQUEST", a.Filename, a.ContentType)
			}
			if !bytes.Equal(a.Data, ics) {
				t.Errorf("the .ics arrived altered:\n%q\nwant\n%q", a.Data, ics)
			}

			sum := sha256.Sum256(rcv.Data)
			if hex.EncodeToString(sum[:]) != res.SHA256 {
				t.Errorf("SHA-256 of the received message = %x, recorded %s: want the hash of the bytes transmitted", sum, res.SHA256)
			}
			if p.Header.Get("Message-Id") != res.MessageID || res.MessageID == "" {
				t.Errorf("Message-ID header %q, recorded %q", p.Header.Get("Message-Id"), res.MessageID)
			}

			row, err := models.FindOutbox(ctx, db, c.ID, res.OutboxID)
			if err != nil {
				t.Fatal(err)
			}
			if row.Status != models.OutboxSent || row.SentAt == nil || row.Recipient != want || row.Body != msg.Text ||
				row.Attachments != "convocation.ics" || row.ContentSHA256 != res.SHA256 || row.MessageID != res.MessageID || row.Error != "" {
				t.Errorf("outbox row = %+v, want sent to %s with body, attachment name, hash and Message-ID", row, want)
			}
			rec, ok := audits[models.ObjectRef("outbox", row.ID)]
			if !ok {
				t.Fatalf("no audit record for outbox:%d", row.ID)
			}
			var det map[string]any
			if err := json.Unmarshal([]byte(rec.Details), &det); err != nil {
				t.Fatal(err)
			}
			if rec.Action != "mail.sent" || rec.ActorID != 7 || det["kind"] != "convocation" || det["recipient"] != want ||
				det["sha256"] != res.SHA256 || det["message_id"] != res.MessageID {
				t.Errorf("audit record = %+v, want mail.sent by user 7 with kind, recipient, sha256 and message-id", rec)
			}
		})
	}
	rep, err := models.VerifyAuditChain(ctx, db)
	if err != nil || !rep.OK {
		t.Errorf("VerifyAuditChain = %+v, %v; want an intact chain", rep, err)
	}
}

func TestSend_OutboxModeWhenSMTPNotConfigured(t *testing.T) {
	ctx := context.Background()
	db := modelstest.NewDB(t)
	c := modelstest.Commission(t, db, "31")
	m := newMailer(t, noSMTP(t), db)
	if m.SMTP() {
		t.Fatal("SMTP() = true without SMTP_HOST")
	}
	for _, tt := range []struct {
		name string
		cid  int64
	}{
		{"commission mail", c.ID},
		{"platform-wide mail", 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			msg := mail.Message{To: []string{"nouveau@example.org"}, Subject: "Invitation à rejoindre Séance",
				Text: "Activez votre compte : https://seance.test/activate/SECRET", Kind: "invitation",
				CommissionID: tt.cid, Sensitive: true}
			d, err := m.Send(ctx, msg)
			if err != nil {
				t.Fatalf("Send: %v", err)
			}
			if d.SMTP || len(d.Results) != 1 || d.Results[0].Status != models.OutboxStored || d.Results[0].SHA256 == "" {
				t.Fatalf("Delivery = %+v, want one copy stored in the outbox", d)
			}
			rows, err := models.ListOutbox(ctx, db, tt.cid, 10)
			if err != nil {
				t.Fatal(err)
			}
			if len(rows) != 1 || rows[0].Status != models.OutboxStored || rows[0].Body != msg.Text || rows[0].SentAt != nil ||
				rows[0].Subject != msg.Subject || rows[0].ID != d.Results[0].OutboxID {
				t.Fatalf("ListOutbox(%d) = %+v, want the stored message with its body, not sent", tt.cid, rows)
			}
			rec, ok := auditOf(t, db, tt.cid)[models.ObjectRef("outbox", rows[0].ID)]
			if !ok || rec.Action != "mail.outbox" || rec.ActorLabel != "mail" {
				t.Errorf("audit record = %+v (found %v), want mail.outbox by the system actor", rec, ok)
			}
		})
	}
}

func TestSend_SensitiveBodyNeverStoredOnceSMTPIsConfigured(t *testing.T) {
	for _, tt := range []struct {
		name       string
		smtp       bool
		reject     bool
		wantStatus string
		wantBody   bool
	}{
		{"sent by SMTP", true, false, models.OutboxSent, false},
		{"refused by the SMTP server", true, true, models.OutboxFailed, false},
		{"outbox mode: the only way to read the link", false, false, models.OutboxStored, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			db := modelstest.NewDB(t)
			c := modelstest.Commission(t, db, "31")
			cfg := noSMTP(t)
			if tt.smtp {
				srv := mailtest.NewServer(t)
				if tt.reject {
					srv.RejectRecipient("reset@example.org")
				}
				cfg = srv.Config(t)
			}
			msg := mail.Message{To: []string{"reset@example.org"}, Subject: "Réinitialisation du mot de passe",
				Text: "Lien : https://seance.test/reset/SECRET-TOKEN", Kind: "password_reset", CommissionID: c.ID, Sensitive: true}
			d, err := newMailer(t, cfg, db).Send(ctx, msg)
			if (err != nil) != tt.reject {
				t.Fatalf("Send error = %v, want an error: %v", err, tt.reject)
			}
			row, err := models.FindOutbox(ctx, db, c.ID, d.Results[0].OutboxID)
			if err != nil {
				t.Fatal(err)
			}
			if row.Status != tt.wantStatus || (row.Body != "") != tt.wantBody || row.BodyWithheld() == tt.wantBody || !row.Sensitive {
				t.Errorf("row status %s, body %q, withheld %v; want %s with body stored: %v", row.Status, row.Body, row.BodyWithheld(), tt.wantStatus, tt.wantBody)
			}
			var audit string
			for _, r := range auditOf(t, db, c.ID) {
				audit += r.Details
			}
			if strings.Contains(audit, "SECRET-TOKEN") {
				t.Errorf("the audit chain holds the secret link: %s", audit)
			}
		})
	}
}

func TestSend_FailureIsRecordedAndReturned(t *testing.T) {
	for _, tt := range []struct {
		name        string
		setup       func(srv *mailtest.Server, cfg *config.Config)
		wantSent    []string
		wantFailed  []string
		wantArrived int
	}{
		{"server down", func(srv *mailtest.Server, _ *config.Config) {
			if err := srv.Close(); err != nil {
				t.Fatal(err)
			}
		}, nil, []string{"a@example.org", "b@example.org"}, 0},
		{"one recipient refused", func(srv *mailtest.Server, _ *config.Config) {
			srv.RejectRecipient("b@example.org")
		}, []string{"a@example.org"}, []string{"b@example.org"}, 1},
		{"STARTTLS required but not offered: nothing goes out in clear", func(_ *mailtest.Server, cfg *config.Config) {
			cfg.SMTPTLS = "starttls"
		}, nil, []string{"a@example.org", "b@example.org"}, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			db := modelstest.NewDB(t)
			c := modelstest.Commission(t, db, "31")
			srv := mailtest.NewServer(t)
			cfg := srv.Config(t)
			tt.setup(srv, cfg)
			d, err := newMailer(t, cfg, db).Send(ctx, mail.Message{To: []string{"a@example.org", "b@example.org"},
				Subject: "Convocation", Text: "Séance du 3 décembre.", Kind: "convocation", CommissionID: c.ID})
			if !errors.Is(err, mail.ErrNotDelivered) {
				t.Fatalf("Send error = %v, want ErrNotDelivered", err)
			}
			if n := len(srv.Messages()); n != tt.wantArrived {
				t.Errorf("server received %d messages, want %d", n, tt.wantArrived)
			}
			if len(d.Failed()) != len(tt.wantFailed) {
				t.Errorf("Delivery.Failed() = %+v, want %v", d.Failed(), tt.wantFailed)
			}
			audits := auditOf(t, db, c.ID)
			for _, r := range d.Results {
				row, err := models.FindOutbox(ctx, db, c.ID, r.OutboxID)
				if err != nil {
					t.Fatal(err)
				}
				wantStatus, wantAction := models.OutboxSent, "mail.sent"
				for _, f := range tt.wantFailed {
					if f == r.Recipient {
						wantStatus, wantAction = models.OutboxFailed, "mail.failed"
					}
				}
				if row.Status != wantStatus || (wantStatus == models.OutboxFailed) != (row.Error != "" && row.SentAt == nil && r.Err != nil) {
					t.Errorf("%s: row status %s, error %q, sent at %v; want %s (failed ones with the error text)", r.Recipient, row.Status, row.Error, row.SentAt, wantStatus)
				}
				if rec := audits[models.ObjectRef("outbox", row.ID)]; rec.Action != wantAction || (wantStatus == models.OutboxFailed && !strings.Contains(rec.Details, `"error"`)) {
					t.Errorf("%s: audit record %+v, want %s", r.Recipient, rec, wantAction)
				}
			}
		})
	}
}

func TestSend_RejectsInvalidMessages(t *testing.T) {
	ctx := context.Background()
	db := modelstest.NewDB(t)
	c := modelstest.Commission(t, db, "31")
	m := newMailer(t, noSMTP(t), db)
	valid := func() mail.Message {
		return mail.Message{To: []string{"a@example.org"}, Subject: "Objet", Text: "Corps", Kind: "convocation", CommissionID: c.ID}
	}
	for _, tt := range []struct {
		name string
		edit func(m *mail.Message)
	}{
		{"no recipient", func(m *mail.Message) { m.To = nil }},
		{"malformed address", func(m *mail.Message) { m.To = []string{"pas une adresse"} }},
		{"header injection in an address", func(m *mail.Message) { m.Cc = []string{"a@example.org\r\nBcc: x@example.org"} }},
		{"empty subject", func(m *mail.Message) { m.Subject = " " }},
		{"header injection in the subject", func(m *mail.Message) { m.Subject = "Objet\r\nBcc: x@example.org" }},
		{"empty body", func(m *mail.Message) { m.Text = "" }},
		{"no kind", func(m *mail.Message) { m.Kind = "" }},
		{"attachment path", func(m *mail.Message) {
			m.Attachments = []mail.Attachment{{Filename: "../convocation.ics", ContentType: "text/calendar", Data: []byte("x")}}
		}},
		{"attachment without content type", func(m *mail.Message) {
			m.Attachments = []mail.Attachment{{Filename: "convocation.ics", Data: []byte("x")}}
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			msg := valid()
			tt.edit(&msg)
			if _, err := m.Send(ctx, msg); !errors.Is(err, mail.ErrInvalidMessage) {
				t.Errorf("Send error = %v, want ErrInvalidMessage", err)
			}
		})
	}
	rows, err := models.ListOutbox(ctx, db, c.ID, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 0 {
		t.Errorf("invalid messages left %d outbox rows, want none", len(rows))
	}
	if _, err := m.Send(ctx, valid()); err != nil {
		t.Errorf("Send(valid message) error = %v, want nil", err)
	}
}

func TestSend_ConcurrentSendsShareOneMailer(t *testing.T) {
	ctx := context.Background()
	srv := mailtest.NewServer(t)
	db := modelstest.NewDB(t)
	c := modelstest.Commission(t, db, "31")
	m := newMailer(t, srv.Config(t), db)
	const n = 6
	errs := make(chan error, n)
	for i := range n {
		go func() {
			_, err := m.Send(ctx, mail.Message{To: []string{fmt.Sprintf("membre%02d@example.org", i)}, Subject: "Convocation",
				Text: "Séance du 3 décembre.", Kind: "convocation", CommissionID: c.ID})
			errs <- err
		}()
	}
	for range n {
		if err := <-errs; err != nil {
			t.Errorf("Send: %v", err)
		}
	}
	rows, err := models.ListOutbox(ctx, db, c.ID, 2*n)
	if err != nil {
		t.Fatal(err)
	}
	if len(srv.Messages()) != n || len(rows) != n {
		t.Errorf("server received %d messages and %d rows were recorded, want %d each", len(srv.Messages()), len(rows), n)
	}
}

func TestNew_RejectsAnInvalidSender(t *testing.T) {
	cfg := noSMTP(t)
	cfg.SMTPFrom = "Séance sans adresse"
	if _, err := mail.New(cfg, modelstest.NewDB(t), nil, func() time.Time { return fixedNow }); err == nil || !strings.Contains(err.Error(), "SMTP_FROM") {
		t.Errorf("New with SMTP_FROM %q: error = %v, want one naming SMTP_FROM", cfg.SMTPFrom, err)
	}
}
