package models_test

import (
	"testing"
	"time"

	"seance/models/files"
	"seance/models/keyring"
	"seance/models/modelstest"
	"seance/models/rotation"
	"seance/models/twofactor"
)

// TestRule15_RotateKeysResealsTOTPSecrets checks that key rotation also re-seals the TOTP
// secrets (keyed by user), so that second factors keep working once the old key is gone.
func TestRule15_RotateKeysResealsTOTPSecrets(t *testing.T) {
	db := modelstest.NewDB(t)
	k1, _ := keyring.ParseKey(keyring.NewKey())
	k2, _ := keyring.ParseKey(keyring.NewKey())
	old, _ := keyring.NewKeyring(k1)
	now := modelstest.Date(2026, 11, 22)
	u, secret, _ := enrolled(t, db, old, now)
	later := now.Add(4 * twofactor.TOTPPeriod * time.Second)

	rotated, _ := keyring.NewKeyring(k2, k1)
	rep, err := rotation.RotateKeys(ctx, db, rotated, now)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Resealed["user_totp.secret_sealed"] != 1 {
		t.Fatalf("RotateKeys report = %+v, want 1 user_totp.secret_sealed", rep)
	}
	onlyNew, _ := keyring.NewKeyring(k2)
	if err := twofactor.VerifyTOTP(ctx, db, onlyNew, u, code(t, secret, later), later); err != nil {
		t.Fatalf("VerifyTOTP with the new key only after rotation: %v", err)
	}
}

// TestFileActionPredicatesMatchTheWrites checks the predicates the screens use to offer an
// action against the write functions: each offered action succeeds, each refused one fails.
func TestFileActionPredicatesMatchTheWrites(t *testing.T) {
	w := newWorld(t)
	now := date(2026, 3, 2)
	draft := w.create(t, modelstest.CompleteInput(files.KindEngagement, modelstest.Person("Predicat", "Ana", 1990), 0), now)
	submitted := w.create(t, modelstest.CompleteInput(files.KindEngagement, modelstest.Person("Predicat", "Bea", 1991), 0), now)
	w.driveTo(t, submitted.ID, files.StateSubmitted, "", now)
	decided := w.request(t, modelstest.CompleteInput(files.KindEngagement, modelstest.Person("Predicat", "Cleo", 1992), 0), files.DecisionAuthorised, now)
	renewal := w.create(t, modelstest.CompleteInput(files.KindRenewal, nil, *decided.ParcoursID), now)

	for _, tt := range []struct {
		user                          string
		file                          *files.File
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
		got := [5]bool{files.MayEditFile(u, tt.file), files.MayDeleteDraft(u, tt.file), files.MayChangeAttachments(u, tt.file),
			files.MayRecordObservations(u, tt.file), files.MayRecordAfterDecision(u, tt.file)}
		want := [5]bool{tt.edit, tt.del, tt.attach, tt.obs, tt.after}
		if got != want {
			t.Errorf("%s on %s (%s): edit, delete, attachments, observations, after decision = %v, want %v", tt.user, tt.file.Reference, tt.file.State, got, want)
		}
	}
	// What is offered succeeds.
	if err := files.RecordObservations(w.ctx, w.db, w.users["association"], renewal.ID, files.Observations{InvitedOn: now, Means: files.ObservationsMeeting}, now); err != nil {
		t.Errorf("RecordObservations offered to the association failed: %v", err)
	}
	if err := files.RecordAppeal(w.ctx, w.db, w.users["secretariat"], decided.ID, now, "Recours gracieux", now); err != nil {
		t.Errorf("RecordAppeal offered to the secretariat failed: %v", err)
	}
	if _, err := files.AddAttachment(w.ctx, w.db, w.kr, w.users["secretariat"], submitted.ID, files.AttachmentReport, "r.pdf", pdfBytes("x"), now); err != nil {
		t.Errorf("AddAttachment offered to the secretariat failed: %v", err)
	}
	// What is not offered fails.
	if err := files.RecordObservations(w.ctx, w.db, w.users["president"], renewal.ID, files.Observations{InvitedOn: now, Means: files.ObservationsMeeting}, now); err == nil {
		t.Error("RecordObservations by the president succeeded, but is not offered")
	}
	if _, err := files.AddAttachment(w.ctx, w.db, w.kr, w.users["association"], submitted.ID, files.AttachmentReport, "r.pdf", pdfBytes("x"), now); err == nil {
		t.Error("AddAttachment by the association on a submitted file succeeded, but is not offered")
	}
	if err := files.DeleteDraft(w.ctx, w.db, w.users["association"], submitted.ID, now); err == nil {
		t.Error("DeleteDraft on a submitted file succeeded, but is not offered")
	}
}

// TestRule10_NeedsObservationsForEveryEndOfRights lists the decisions that end rights.
func TestRule10_NeedsObservationsForEveryEndOfRights(t *testing.T) {
	for _, tt := range []struct {
		kind    files.FileKind
		outcome files.DecisionOutcome
		want    bool
	}{
		{files.KindEngagement, files.DecisionRefused, false},
		{files.KindRenewal, files.DecisionAuthorised, false},
		{files.KindRenewal, files.DecisionRefused, true},
		{files.KindEnd, files.DecisionAuthorised, true},
		{files.KindEnd, files.DecisionRefused, false},
		{files.KindSuspension, files.DecisionAuthorised, true},
		{files.KindAFIS, files.DecisionRefused, false},
	} {
		if got := files.NeedsObservations(&files.File{Kind: tt.kind}, tt.outcome); got != tt.want {
			t.Errorf("NeedsObservations(%s, %s) = %v, want %v", tt.kind, tt.outcome, got, tt.want)
		}
	}
}
