package models_test

import (
	"testing"
	"time"

	"seance/models"
	"seance/models/modelstest"
)

// TestRule15_RotateKeysResealsTOTPSecrets checks that key rotation also re-seals the TOTP
// secrets (keyed by user), so that second factors keep working once the old key is gone.
func TestRule15_RotateKeysResealsTOTPSecrets(t *testing.T) {
	db := modelstest.NewDB(t)
	k1, _ := models.ParseKey(models.NewKey())
	k2, _ := models.ParseKey(models.NewKey())
	old, _ := models.NewKeyring(k1)
	now := modelstest.Date(2026, 11, 22)
	u, secret, _ := enrolled(t, db, old, now)
	later := now.Add(4 * models.TOTPPeriod * time.Second)

	rotated, _ := models.NewKeyring(k2, k1)
	rep, err := models.RotateKeys(ctx, db, rotated, now)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Resealed["user_totp.secret_sealed"] != 1 {
		t.Fatalf("RotateKeys report = %+v, want 1 user_totp.secret_sealed", rep)
	}
	onlyNew, _ := models.NewKeyring(k2)
	if err := models.VerifyTOTP(ctx, db, onlyNew, u, code(t, secret, later), later); err != nil {
		t.Fatalf("VerifyTOTP with the new key only after rotation: %v", err)
	}
}

// TestFileActionPredicatesMatchTheWrites checks the predicates the screens use to offer an
// action against the write functions: each offered action succeeds, each refused one fails.
func TestFileActionPredicatesMatchTheWrites(t *testing.T) {
	w := newWorld(t)
	now := date(2026, 3, 2)
	draft := w.create(t, modelstest.CompleteInput(models.KindEngagement, modelstest.Person("Predicat", "Ana", 1990), 0), now)
	submitted := w.create(t, modelstest.CompleteInput(models.KindEngagement, modelstest.Person("Predicat", "Bea", 1991), 0), now)
	w.driveTo(t, submitted.ID, models.StateSubmitted, "", now)
	decided := w.request(t, modelstest.CompleteInput(models.KindEngagement, modelstest.Person("Predicat", "Cleo", 1992), 0), models.DecisionAuthorised, now)
	renewal := w.create(t, modelstest.CompleteInput(models.KindRenewal, nil, *decided.ParcoursID), now)

	for _, tt := range []struct {
		user                          string
		file                          *models.File
		edit, del, attach, obs, after bool
	}{
		{"association", w.file(t, draft.ID), true, true, true, false, false},
		{"association2", w.file(t, draft.ID), false, false, false, false, false},
		{"secretariat", w.file(t, draft.ID), false, false, true, false, false},
		{"association", w.file(t, submitted.ID), false, false, false, false, false},
		{"secretariat", w.file(t, submitted.ID), false, false, true, false, false},
		{"secretariat", w.file(t, decided.ID), false, false, false, false, true},
		{"association", w.file(t, decided.ID), false, false, false, false, false},
		{"association", w.file(t, renewal.ID), true, true, true, true, false},
		{"secretariat", w.file(t, renewal.ID), false, false, true, true, false},
		{"president", w.file(t, renewal.ID), false, false, false, false, false},
		{"secretariat_c2", w.file(t, renewal.ID), false, false, false, false, false},
	} {
		u := w.users[tt.user]
		got := [5]bool{models.MayEditFile(u, tt.file), models.MayDeleteDraft(u, tt.file), models.MayChangeAttachments(u, tt.file),
			models.MayRecordObservations(u, tt.file), models.MayRecordAfterDecision(u, tt.file)}
		want := [5]bool{tt.edit, tt.del, tt.attach, tt.obs, tt.after}
		if got != want {
			t.Errorf("%s on %s (%s): edit, delete, attachments, observations, after decision = %v, want %v", tt.user, tt.file.Reference, tt.file.State, got, want)
		}
	}
	// What is offered succeeds.
	if err := models.RecordObservations(w.ctx, w.db, w.users["association"], renewal.ID, models.Observations{InvitedOn: now, Means: models.ObservationsMeeting}, now); err != nil {
		t.Errorf("RecordObservations offered to the association failed: %v", err)
	}
	if err := models.RecordAppeal(w.ctx, w.db, w.users["secretariat"], decided.ID, now, "Recours gracieux", now); err != nil {
		t.Errorf("RecordAppeal offered to the secretariat failed: %v", err)
	}
	if _, err := models.AddAttachment(w.ctx, w.db, w.kr, w.users["secretariat"], submitted.ID, models.AttachmentReport, "r.pdf", pdfBytes("x"), now); err != nil {
		t.Errorf("AddAttachment offered to the secretariat failed: %v", err)
	}
	// What is not offered fails.
	if err := models.RecordObservations(w.ctx, w.db, w.users["president"], renewal.ID, models.Observations{InvitedOn: now, Means: models.ObservationsMeeting}, now); err == nil {
		t.Error("RecordObservations by the president succeeded, but is not offered")
	}
	if _, err := models.AddAttachment(w.ctx, w.db, w.kr, w.users["association"], submitted.ID, models.AttachmentReport, "r.pdf", pdfBytes("x"), now); err == nil {
		t.Error("AddAttachment by the association on a submitted file succeeded, but is not offered")
	}
	if err := models.DeleteDraft(w.ctx, w.db, w.users["association"], submitted.ID, now); err == nil {
		t.Error("DeleteDraft on a submitted file succeeded, but is not offered")
	}
}

// TestRule10_NeedsObservationsForEveryEndOfRights lists the decisions that end rights.
func TestRule10_NeedsObservationsForEveryEndOfRights(t *testing.T) {
	for _, tt := range []struct {
		kind    models.FileKind
		outcome models.DecisionOutcome
		want    bool
	}{
		{models.KindEngagement, models.DecisionRefused, false},
		{models.KindRenewal, models.DecisionAuthorised, false},
		{models.KindRenewal, models.DecisionRefused, true},
		{models.KindEnd, models.DecisionAuthorised, true},
		{models.KindEnd, models.DecisionRefused, false},
		{models.KindSuspension, models.DecisionAuthorised, true},
		{models.KindAFIS, models.DecisionRefused, false},
	} {
		if got := models.NeedsObservations(&models.File{Kind: tt.kind}, tt.outcome); got != tt.want {
			t.Errorf("NeedsObservations(%s, %s) = %v, want %v", tt.kind, tt.outcome, got, tt.want)
		}
	}
}
