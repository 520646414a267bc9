package models_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"seance/models"
	"seance/models/modelstest"
)

func TestOutboxScopedByCommission(t *testing.T) {
	ctx := context.Background()
	db := modelstest.NewDB(t)
	c31 := modelstest.Commission(t, db, "31")
	c09 := modelstest.Commission(t, db, "09")
	sent := time.Date(2026, 11, 22, 9, 30, 0, 0, time.UTC)
	rows := []*models.OutboxMessage{
		{CommissionID: c31.ID, Kind: "convocation", Recipient: "a@example.org", Subject: "Séance du 3 décembre",
			Body: "Bonjour", Attachments: "convocation.ics\nordre-du-jour.pdf", ContentSHA256: "aa", Status: models.OutboxSent,
			MessageID: "<1@seance.test>", SentAt: &sent},
		{CommissionID: c09.ID, Kind: "convocation", Recipient: "b@example.org", Subject: "Séance", ContentSHA256: "bb",
			Status: models.OutboxFailed, Error: "dial failed", MessageID: "<2@seance.test>"},
		{Kind: "password_reset", Recipient: "admin@example.org", Subject: "Mot de passe", Body: "lien", Sensitive: true,
			ContentSHA256: "cc", Status: models.OutboxStored, MessageID: "<3@seance.test>"},
	}
	if err := models.RecordMail(ctx, db, models.SystemActor("test"), modelstest.Epoch(), rows...); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name    string
		cid     int64
		wantIDs []int64
	}{
		{"commission 31 sees its row only", c31.ID, []int64{rows[0].ID}},
		{"commission 09 sees its row only", c09.ID, []int64{rows[1].ID}},
		{"zero id sees platform-wide rows only", 0, []int64{rows[2].ID}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := models.ListOutbox(ctx, db, tt.cid, 10)
			if err != nil {
				t.Fatal(err)
			}
			var ids []int64
			for _, m := range got {
				ids = append(ids, m.ID)
			}
			if len(ids) != len(tt.wantIDs) || (len(ids) > 0 && ids[0] != tt.wantIDs[0]) {
				t.Errorf("ListOutbox(%d) ids = %v, want %v", tt.cid, ids, tt.wantIDs)
			}
			for _, id := range tt.wantIDs {
				if _, err := models.FindOutbox(ctx, db, tt.cid, id); err != nil {
					t.Errorf("FindOutbox(%d, %d) error = %v, want nil", tt.cid, id, err)
				}
			}
		})
	}
	if _, err := models.FindOutbox(ctx, db, c09.ID, rows[0].ID); !errors.Is(err, models.ErrNotFound) {
		t.Errorf("FindOutbox(another commission's row) error = %v, want ErrNotFound", err)
	}
	if _, err := models.FindOutbox(ctx, db, 0, rows[0].ID); !errors.Is(err, models.ErrNotFound) {
		t.Errorf("FindOutbox(0, a commission's row) error = %v, want ErrNotFound", err)
	}

	got, err := models.FindOutbox(ctx, db, c31.ID, rows[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if names := got.AttachmentNames(); len(names) != 2 || names[1] != "ordre-du-jour.pdf" {
		t.Errorf("AttachmentNames() = %q, want [convocation.ics ordre-du-jour.pdf]", names)
	}
	if got.SentAt == nil || !got.SentAt.Equal(sent) || got.Subject != "Séance du 3 décembre" {
		t.Errorf("FindOutbox = %+v, want the stored row", got)
	}
	platform, err := models.FindOutbox(ctx, db, 0, rows[2].ID)
	if err != nil {
		t.Fatal(err)
	}
	if platform.CommissionID != 0 || platform.BodyWithheld() {
		t.Errorf("platform row CommissionID = %d, BodyWithheld = %v, want 0 and false (outbox mode keeps the body)",
			platform.CommissionID, platform.BodyWithheld())
	}
}

func TestRecordMailAuditsEachCopy(t *testing.T) {
	ctx := context.Background()
	db := modelstest.NewDB(t)
	c := modelstest.Commission(t, db, "31")
	for _, tt := range []struct {
		status, wantAction string
	}{
		{models.OutboxSent, "mail.sent"},
		{models.OutboxFailed, "mail.failed"},
		{models.OutboxStored, "mail.outbox"},
	} {
		t.Run(tt.status, func(t *testing.T) {
			r := &models.OutboxMessage{CommissionID: c.ID, Kind: "convocation", Recipient: "m@example.org",
				Subject: "s", ContentSHA256: "abc", Status: tt.status, MessageID: "<x@seance.test>"}
			if err := models.RecordMail(ctx, db, models.SystemActor("test"), modelstest.Epoch(), r); err != nil {
				t.Fatal(err)
			}
			recs, err := models.ListAudit(ctx, db, c.ID, 1)
			if err != nil {
				t.Fatal(err)
			}
			var details map[string]any
			if err := json.Unmarshal([]byte(recs[0].Details), &details); err != nil {
				t.Fatal(err)
			}
			if recs[0].Action != tt.wantAction || recs[0].Object != models.ObjectRef("outbox", r.ID) ||
				details["sha256"] != "abc" || details["recipient"] != "m@example.org" || details["message_id"] != "<x@seance.test>" {
				t.Errorf("audit record = %+v, want %s on outbox:%d with sha256, recipient and message-id", recs[0], tt.wantAction, r.ID)
			}
		})
	}
	err := models.RecordMail(ctx, db, models.SystemActor("test"), modelstest.Epoch(), &models.OutboxMessage{Status: "pending"})
	if err == nil {
		t.Error("RecordMail(status pending) succeeded, want an error")
	}
}

func TestMaskLinkSecrets(t *testing.T) {
	secret := models.NewSecretToken()
	for _, tt := range []struct{ in, want string }{
		{"https://seance.example/invitation/" + secret + "\n", "https://seance.example/invitation/[secret masqué]\n"},
		{"lien : http://localhost:8080/convocation/" + secret + ".", "lien : http://localhost:8080/convocation/[secret masqué]."},
		{"https://visio.example.gouv.fr/cdlp et /seances/12", "https://visio.example.gouv.fr/cdlp et /seances/12"},
		{"", ""},
	} {
		if got := models.MaskLinkSecrets(tt.in); got != tt.want {
			t.Errorf("MaskLinkSecrets(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
