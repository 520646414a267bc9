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
	"sync"
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
	if cfg.Keys == nil {
		if err := cfg.UseGeneratedKey(); err != nil {
			t.Fatal(err)
		}
	}
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

// auditOf returns the latest audit record of each outbox row, by outbox id.
func auditOf(t *testing.T, db bun.IDB, cid int64) map[string]models.AuditRecord {
	t.Helper()
	out := map[string]models.AuditRecord{}
	for obj, rs := range auditTrail(t, db, cid) {
		out[obj] = rs[0]
	}
	return out
}

// auditTrail returns the audit records of each outbox row, newest first.
func auditTrail(t *testing.T, db bun.IDB, cid int64) map[string][]models.AuditRecord {
	t.Helper()
	recs, err := models.ListAudit(context.Background(), db, cid, 1000)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]models.AuditRecord{}
	for _, r := range recs {
		if strings.HasPrefix(r.Object, "outbox:") {
			out[r.Object] = append(out[r.Object], r)
		}
	}
	return out
}

// deliver runs one delivery pass and fails the test on a recording error.
func deliver(t *testing.T, m *mail.Mailer) mail.DeliverReport {
	t.Helper()
	rep, err := m.Deliver(context.Background())
	if err != nil {
		t.Fatalf("Deliver: %v", err)
	}
	return rep
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
	if n := len(srv.Messages()); n != 0 {
		t.Fatalf("Send delivered %d messages itself, want none (the mail job sends them)", n)
	}
	if rep := deliver(t, m); rep.Sent != 3 {
		t.Fatalf("Deliver = %+v, want 3 sent", rep)
	}
	wantRcpts := []string{"elodie.dupont@example.org", "membre02@example.org", "secretariat@example.org"}
	got := srv.Messages()
	if len(got) != len(wantRcpts) || len(d.Results) != len(wantRcpts) || !d.SMTP {
		t.Fatalf("server received %d messages, Delivery has %d results (SMTP %v), want %d each (duplicate address sent once)",
			len(got), len(d.Results), d.SMTP, len(wantRcpts))
	}
	audits := auditTrail(t, db, c.ID)
	for i, want := range wantRcpts {
		t.Run(want, func(t *testing.T) {
			rcv, res := got[i], d.Results[i]
			if len(rcv.To) != 1 || rcv.To[0] != want || res.Recipient != want || res.Status != models.OutboxQueued {
				t.Fatalf("copy %d: envelope to %v, result %+v; want only %s, queued", i, rcv.To, res, want)
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
			if row.Raw != "" {
				t.Errorf("the sent copy is still kept (%d bytes)", len(row.Raw))
			}
			recs := audits[models.ObjectRef("outbox", row.ID)]
			if len(recs) != 2 {
				t.Fatalf("%d audit records for outbox:%d, want mail.queued then mail.sent", len(recs), row.ID)
			}
			for _, tt := range []struct {
				rec     models.AuditRecord
				action  string
				actorID int64
			}{{recs[1], "mail.queued", 7}, {recs[0], "mail.sent", 0}} {
				var det map[string]any
				if err := json.Unmarshal([]byte(tt.rec.Details), &det); err != nil {
					t.Fatal(err)
				}
				if tt.rec.Action != tt.action || tt.rec.ActorID != tt.actorID || det["kind"] != "convocation" || det["recipient"] != want ||
					det["sha256"] != res.SHA256 || det["message_id"] != res.MessageID {
					t.Errorf("audit record = %+v, want %s by user %d with kind, recipient, sha256 and message-id", tt.rec, tt.action, tt.actorID)
				}
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
			m := newMailer(t, cfg, db)
			d, err := m.Send(ctx, msg)
			if err != nil {
				t.Fatalf("Send: %v", err)
			}
			queued, err := models.FindOutbox(ctx, db, c.ID, d.Results[0].OutboxID)
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(queued.Raw, "SECRET") || strings.Contains(queued.Body, "SECRET") && tt.smtp {
				t.Errorf("the queued copy holds the link in clear: raw %q", queued.Raw)
			}
			deliver(t, m)
			row, err := models.FindOutbox(ctx, db, c.ID, d.Results[0].OutboxID)
			if err != nil {
				t.Fatal(err)
			}
			if row.Status != tt.wantStatus || (row.Body != "") != tt.wantBody || row.BodyWithheld() == tt.wantBody || !row.Sensitive || row.Raw != "" {
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

func TestDeliver_FailuresAreRetriedOrGivenUp(t *testing.T) {
	for _, tt := range []struct {
		name        string
		setup       func(srv *mailtest.Server, cfg *config.Config)
		wantStatus  map[string]string
		wantArrived int
	}{
		{"server down: retried", func(srv *mailtest.Server, _ *config.Config) {
			if err := srv.Close(); err != nil {
				t.Fatal(err)
			}
		}, map[string]string{"a@example.org": models.OutboxQueued, "b@example.org": models.OutboxQueued}, 0},
		{"one recipient refused: given up at once", func(srv *mailtest.Server, _ *config.Config) {
			srv.RejectRecipient("b@example.org")
		}, map[string]string{"a@example.org": models.OutboxSent, "b@example.org": models.OutboxFailed}, 1},
		{"STARTTLS required but not offered: nothing goes out in clear", func(_ *mailtest.Server, cfg *config.Config) {
			cfg.SMTPTLS = "starttls"
		}, map[string]string{"a@example.org": models.OutboxQueued, "b@example.org": models.OutboxQueued}, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			db := modelstest.NewDB(t)
			c := modelstest.Commission(t, db, "31")
			srv := mailtest.NewServer(t)
			cfg := srv.Config(t)
			tt.setup(srv, cfg)
			m := newMailer(t, cfg, db)
			d, err := m.Send(ctx, mail.Message{To: []string{"a@example.org", "b@example.org"},
				Subject: "Convocation", Text: "Séance du 3 décembre.", Kind: "convocation", CommissionID: c.ID})
			if err != nil {
				t.Fatalf("Send: %v", err)
			}
			deliver(t, m)
			if n := len(srv.Messages()); n != tt.wantArrived {
				t.Errorf("server received %d messages, want %d", n, tt.wantArrived)
			}
			audits := auditOf(t, db, c.ID)
			for _, r := range d.Results {
				row, err := models.FindOutbox(ctx, db, c.ID, r.OutboxID)
				if err != nil {
					t.Fatal(err)
				}
				want := tt.wantStatus[r.Recipient]
				if row.Status != want || row.Attempts != 1 || (want != models.OutboxSent) != (row.Error != "" && row.SentAt == nil) {
					t.Errorf("%s: row status %s, attempts %d, error %q, sent at %v; want %s after one attempt (failures with the error text)",
						r.Recipient, row.Status, row.Attempts, row.Error, row.SentAt, want)
				}
				if want == models.OutboxQueued && (row.NextAttemptAt == nil || !row.NextAttemptAt.Equal(fixedNow.Add(mail.Backoff(1)))) {
					t.Errorf("%s: next attempt at %v, want %s", r.Recipient, row.NextAttemptAt, fixedNow.Add(mail.Backoff(1)))
				}
				wantAction := map[string]string{models.OutboxQueued: "mail.queued", models.OutboxSent: "mail.sent", models.OutboxFailed: "mail.failed"}[want]
				if rec := audits[models.ObjectRef("outbox", row.ID)]; rec.Action != wantAction || (want == models.OutboxFailed && !strings.Contains(rec.Details, `"error"`)) {
					t.Errorf("%s: audit record %+v, want %s", r.Recipient, rec, wantAction)
				}
			}
		})
	}
}

// clockedMailer returns a database with commission 31, a test SMTP server and a mailer
// sending to it on a settable clock starting at fixedNow.
func clockedMailer(t *testing.T) (*bun.DB, *models.Commission, *mailtest.Server, *mail.Mailer, *modelstest.Clock) {
	t.Helper()
	db := modelstest.NewDB(t)
	c := modelstest.Commission(t, db, "31")
	srv := mailtest.NewServer(t)
	m := newMailer(t, srv.Config(t), db)
	clock := modelstest.NewClock()
	clock.Set(fixedNow)
	m.Now = clock.Now
	return db, c, srv, m, clock
}

// TestDeliver_ServerFailingThenRecovering queues messages while the relay fails, lets
// the job retry on its back-off, with two runs at once, until the relay recovers:
// every message arrives exactly once.
func TestDeliver_ServerFailingThenRecovering(t *testing.T) {
	ctx := context.Background()
	db, c, srv, m, clock := clockedMailer(t)
	var want []string
	for i := range 12 {
		addr := fmt.Sprintf("membre%02d@example.org", i+1)
		want = append(want, addr)
		if _, err := m.Send(ctx, mail.Message{To: []string{addr}, Subject: "Rappel", Text: "Séance demain.", Kind: "reminder", CommissionID: c.ID}); err != nil {
			t.Fatal(err)
		}
	}
	srv.SetFailing(true)
	for attempt := 1; attempt <= 3; attempt++ {
		if rep := deliver(t, m); rep.Retried != 12 || rep.Sent != 0 {
			t.Fatalf("attempt %d while failing: %+v, want 12 retried", attempt, rep)
		}
		if rep := deliver(t, m); rep != (mail.DeliverReport{}) {
			t.Fatalf("a run before the back-off elapsed did %+v, want nothing", rep)
		}
		clock.Advance(mail.Backoff(attempt))
	}
	srv.SetFailing(false)
	var wg sync.WaitGroup
	reps := make([]mail.DeliverReport, 2)
	for i := range reps {
		wg.Add(1)
		go func() {
			defer wg.Done()
			reps[i] = deliver(t, m)
		}()
	}
	wg.Wait()
	if reps[0].Sent+reps[1].Sent != 12 {
		t.Fatalf("two concurrent runs sent %d + %d, want 12 in all", reps[0].Sent, reps[1].Sent)
	}
	clock.Advance(time.Hour)
	if rep := deliver(t, m); rep != (mail.DeliverReport{}) {
		t.Fatalf("a later run did %+v, want nothing left", rep)
	}
	got := map[string]int{}
	for _, r := range srv.Messages() {
		got[r.To[0]]++
	}
	for _, addr := range want {
		if got[addr] != 1 {
			t.Errorf("%s received %d copies, want exactly 1", addr, got[addr])
		}
	}
	if len(srv.Messages()) != len(want) {
		t.Errorf("server received %d messages, want %d", len(srv.Messages()), len(want))
	}
	rows, err := models.ListOutbox(ctx, db, c.ID, 100)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if r.Status != models.OutboxSent || r.Attempts != 4 || r.SentAt == nil || !r.SentAt.Equal(clock.Now().Add(-time.Hour)) {
			t.Errorf("row %d: status %s, attempts %d, sent at %v; want sent at the 4th attempt", r.ID, r.Status, r.Attempts, r.SentAt)
		}
	}
}

// TestDeliver_GivesUpAndIsResent: a copy that keeps failing is flagged failed after
// MaxAttempts, listed for the secretariat, and can be queued again.
func TestDeliver_GivesUpAndIsResent(t *testing.T) {
	ctx := context.Background()
	db, c, srv, m, clock := clockedMailer(t)
	d, err := m.Send(ctx, mail.Message{To: []string{"a@example.org"}, Subject: "Ordre du jour", Text: "Voir le portail.", Kind: "convocation", CommissionID: c.ID})
	if err != nil {
		t.Fatal(err)
	}
	srv.SetFailing(true)
	for i := 1; i <= mail.MaxAttempts; i++ {
		deliver(t, m)
		clock.Advance(mail.Backoff(i))
	}
	failed, err := models.ListFailedOutbox(ctx, db, c.ID, false, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(failed) != 1 || failed[0].ID != d.Results[0].OutboxID || failed[0].Attempts != mail.MaxAttempts || !strings.Contains(failed[0].Error, "451") {
		t.Fatalf("ListFailedOutbox = %+v, want the message, given up after %d attempts with the server's answer", failed, mail.MaxAttempts)
	}
	if n, err := models.CountFailedOutbox(ctx, db, c.ID+1, false); err != nil || n != 0 {
		t.Errorf("another commission counts %d failed messages (%v), want 0", n, err)
	}
	srv.SetFailing(false)
	if err := models.RequeueOutbox(ctx, db, models.SystemActor("test"), c.ID+1, false, failed[0].ID, clock.Now()); !errors.Is(err, models.ErrNotFound) {
		t.Errorf("RequeueOutbox from another commission = %v, want ErrNotFound", err)
	}
	if err := models.RequeueOutbox(ctx, db, models.SystemActor("test"), c.ID, false, failed[0].ID, clock.Now()); err != nil {
		t.Fatal(err)
	}
	if rep := deliver(t, m); rep.Sent != 1 || len(srv.Messages()) != 1 {
		t.Fatalf("after requeue: %+v, %d received; want the message sent once", rep, len(srv.Messages()))
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
	deliver(t, m)
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
