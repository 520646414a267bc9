package models_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"seance/models"
	"seance/models/keyring"
	"seance/models/meetings"
	"seance/models/migrations"
	"seance/models/minutes"
	"seance/models/modelstest"
)

// minutesWorld: commission "31" with a held session (closed: the sitting of issue 6
// closes it; here the test sets the status) and the next session, a president and the
// secretariat.
type minutesWorld struct {
	ctx       context.Context
	db        *bun.DB
	kr        *keyring.Keyring
	cid       int64
	held      *meetings.Meeting
	next      *meetings.Meeting
	president *models.User
	actor     models.Actor
	now       time.Time
}

const minutesContent = `{"session":{"meeting_id":1},"items":[{"number":1,"reference":"31-2026-0001","avis":"Favorable","tally":{"pour":9,"contre":1,"abstention":0}}]}`

func newMinutesWorld(t *testing.T) *minutesWorld {
	t.Helper()
	return newMinutesWorldOn(t, modelstest.NewDB(t))
}

// newMinutesWorldOn is newMinutesWorld on a migrated database db.
func newMinutesWorldOn(t *testing.T, db *bun.DB) *minutesWorld {
	t.Helper()
	c := modelstest.Commission(t, db, "31")
	w := &minutesWorld{ctx: context.Background(), db: db, kr: modelstest.Keyring(t), cid: c.ID, now: time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)}
	w.president = modelstest.User(t, db, c, models.RolePresident, nil)
	w.actor = models.ActorFor(modelstest.User(t, db, c, models.RoleSecretariat, nil))
	w.held = w.meeting(t, c.ID, time.Date(2026, 11, 24, 13, 0, 0, 0, time.UTC), meetings.MeetingClosed)
	w.next = w.meeting(t, c.ID, time.Date(2026, 12, 8, 13, 0, 0, 0, time.UTC), meetings.MeetingConvened)
	return w
}

func (w *minutesWorld) meeting(t *testing.T, cid int64, at time.Time, status meetings.MeetingStatus) *meetings.Meeting {
	t.Helper()
	m, err := meetings.CreateMeeting(w.ctx, w.db, models.SystemActor("test"), cid, meetings.MeetingInput{
		Kind: meetings.MeetingFiles, Mode: meetings.ModeOnSite, StartsAt: at, Place: "Préfecture, salle Capitole", Capacity: 10,
	}, w.now)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.db.NewUpdate().Model((*meetings.Meeting)(nil)).Set("status = ?", status).Where("id = ?", m.ID).Exec(w.ctx); err != nil {
		t.Fatal(err)
	}
	m.Status = status
	return m
}

// content returns the snapshot of r, opened with the world's key.
func (w *minutesWorld) content(t *testing.T, r *minutes.Minutes) string {
	t.Helper()
	b, err := r.Snapshot(w.kr)
	if err != nil {
		t.Fatalf("snapshot of minutes %d: %v", r.ID, err)
	}
	return string(b)
}

// locked walks a draft through the whole workflow and returns the locked version.
func (w *minutesWorld) locked(t *testing.T) *minutes.Minutes {
	t.Helper()
	r, err := minutes.CreateMinutesDraft(w.ctx, w.db, w.kr, w.actor, w.cid, w.held.ID, []byte(minutesContent), w.held.EndsAt)
	if err != nil {
		t.Fatal(err)
	}
	return w.lock(t, r, w.held)
}

// lock walks draft r of session held through validation, submission to the next
// session and approval, and returns the locked version.
func (w *minutesWorld) lock(t *testing.T, r *minutes.Minutes, held *meetings.Meeting) *minutes.Minutes {
	t.Helper()
	if _, err := minutes.UpdateMinutesTexts(w.ctx, w.db, w.actor, w.cid, r.ID, minutes.MinutesTexts{GeneralItems: "Calendrier 2027.", Observations: "Néant."}, held.EndsAt); err != nil {
		t.Fatal(err)
	}
	if _, err := minutes.ValidateMinutes(w.ctx, w.db, w.president, w.cid, r.ID, held.EndsAt.Add(24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if _, err := minutes.SubmitMinutes(w.ctx, w.db, w.actor, w.cid, r.ID, w.next.ID, held.EndsAt.Add(48*time.Hour)); err != nil {
		t.Fatal(err)
	}
	r, err := minutes.ApproveMinutes(w.ctx, w.db, w.kr, w.actor, w.cid, r.ID, minutes.ApprovalInput{Reference: "séance du 8 décembre 2026, point 1", Lock: true}, w.next.StartsAt.Add(10*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestRule11_MinutesWorkflowDraftValidatedSubmittedApprovedLocked(t *testing.T) {
	w := newMinutesWorld(t)
	r, err := minutes.CreateMinutesDraft(w.ctx, w.db, w.kr, w.actor, w.cid, w.held.ID, []byte(minutesContent), w.held.EndsAt)
	if err != nil {
		t.Fatal(err)
	}
	if r.Version != 1 || r.Status != minutes.MinutesDraft {
		t.Fatalf("new minutes = v%d %s, want v1 draft", r.Version, r.Status)
	}
	if _, err := minutes.CreateMinutesDraft(w.ctx, w.db, w.kr, w.actor, w.cid, w.held.ID, []byte(minutesContent), w.held.EndsAt); !errors.Is(err, minutes.ErrMinutesExist) {
		t.Errorf("second CreateMinutesDraft error = %v, want ErrMinutesExist", err)
	}
	r, err = minutes.UpdateMinutesTexts(w.ctx, w.db, w.actor, w.cid, r.ID, minutes.MinutesTexts{GeneralItems: "  Calendrier 2027.  "}, w.held.EndsAt)
	if err != nil || r.GeneralItems != "Calendrier 2027." {
		t.Fatalf("UpdateMinutesTexts = %q, %v", r.GeneralItems, err)
	}
	day := 24 * time.Hour
	steps := []struct {
		name       string
		run        func() (*minutes.Minutes, error)
		wantErr    error
		wantStatus minutes.MinutesStatus
	}{
		{"submit before validation", func() (*minutes.Minutes, error) {
			return minutes.SubmitMinutes(w.ctx, w.db, w.actor, w.cid, r.ID, w.next.ID, w.held.EndsAt.Add(day))
		}, minutes.ErrMinutesWrongStatus, ""},
		{"approve a draft", func() (*minutes.Minutes, error) {
			return minutes.ApproveMinutes(w.ctx, w.db, w.kr, w.actor, w.cid, r.ID, minutes.ApprovalInput{Reference: "x"}, w.next.StartsAt.Add(time.Hour))
		}, minutes.ErrMinutesWrongStatus, ""},
		{"validate by the chair", func() (*minutes.Minutes, error) {
			return minutes.ValidateMinutes(w.ctx, w.db, w.president, w.cid, r.ID, w.held.EndsAt.Add(day))
		}, nil, minutes.MinutesValidated},
		{"texts of a validated version", func() (*minutes.Minutes, error) {
			return minutes.UpdateMinutesTexts(w.ctx, w.db, w.actor, w.cid, r.ID, minutes.MinutesTexts{GeneralItems: "autre"}, w.held.EndsAt.Add(day))
		}, minutes.ErrMinutesNotDraft, ""},
		{"submit to the same session", func() (*minutes.Minutes, error) {
			return minutes.SubmitMinutes(w.ctx, w.db, w.actor, w.cid, r.ID, w.held.ID, w.held.EndsAt.Add(day))
		}, minutes.ErrMinutesNextSession, ""},
		{"submit to the next session", func() (*minutes.Minutes, error) {
			return minutes.SubmitMinutes(w.ctx, w.db, w.actor, w.cid, r.ID, w.next.ID, w.held.EndsAt.Add(2*day))
		}, nil, minutes.MinutesSubmitted},
		{"approve before the approving session starts", func() (*minutes.Minutes, error) {
			return minutes.ApproveMinutes(w.ctx, w.db, w.kr, w.actor, w.cid, r.ID, minutes.ApprovalInput{Reference: "séance du 8 décembre 2026"}, w.next.StartsAt.Add(-time.Hour))
		}, minutes.ErrMinutesApprovalDate, ""},
		{"lock before approval", func() (*minutes.Minutes, error) {
			return minutes.LockMinutes(w.ctx, w.db, w.kr, w.actor, w.cid, r.ID, w.next.StartsAt)
		}, minutes.ErrMinutesWrongStatus, ""},
		{"approve at the next session", func() (*minutes.Minutes, error) {
			return minutes.ApproveMinutes(w.ctx, w.db, w.kr, w.actor, w.cid, r.ID, minutes.ApprovalInput{Reference: "séance du 8 décembre 2026, point 1"}, w.next.StartsAt.Add(time.Hour))
		}, nil, minutes.MinutesApproved},
		{"lock", func() (*minutes.Minutes, error) {
			return minutes.LockMinutes(w.ctx, w.db, w.kr, w.actor, w.cid, r.ID, w.next.StartsAt.Add(2*time.Hour))
		}, nil, minutes.MinutesLocked},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			got, err := st.run()
			if st.wantErr != nil {
				if !errors.Is(err, st.wantErr) {
					t.Fatalf("error = %v, want %v", err, st.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.Status != st.wantStatus {
				t.Errorf("status = %s, want %s", got.Status, st.wantStatus)
			}
		})
	}
	got, err := minutes.FindMinutes(w.ctx, w.db, w.cid, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.ContentHash == "" || got.ApprovalRef != "séance du 8 décembre 2026, point 1" || got.SubmittedToMeetingID == nil || *got.SubmittedToMeetingID != w.next.ID {
		t.Errorf("locked minutes = hash %q, ref %q, submitted to %v", got.ContentHash, got.ApprovalRef, got.SubmittedToMeetingID)
	}
	if content := w.content(t, got); content != minutesContent {
		t.Errorf("content changed on the way: %s", content)
	}
	held, err := meetings.FindMeeting(w.ctx, w.db, w.cid, w.held.ID)
	if err != nil {
		t.Fatal(err)
	}
	if held.Status != meetings.MeetingMinutesApproved {
		t.Errorf("minuted session status = %s, want %s", held.Status, meetings.MeetingMinutesApproved)
	}
}

func TestRule11_MinutesOnlyForAHeldSession(t *testing.T) {
	w := newMinutesWorld(t)
	if _, err := minutes.CreateMinutesDraft(w.ctx, w.db, w.kr, w.actor, w.cid, w.next.ID, []byte(minutesContent), w.now); !errors.Is(err, minutes.ErrMinutesMeetingNotHeld) {
		t.Errorf("CreateMinutesDraft(convened session) error = %v, want ErrMinutesMeetingNotHeld", err)
	}
	if _, err := minutes.CreateMinutesDraft(w.ctx, w.db, w.kr, w.actor, w.cid, w.held.ID, []byte("not json"), w.now); err == nil {
		t.Error("CreateMinutesDraft(invalid JSON) succeeded")
	}
	other := modelstest.Commission(t, w.db, "32")
	if _, err := minutes.CreateMinutesDraft(w.ctx, w.db, w.kr, w.actor, other.ID, w.held.ID, []byte(minutesContent), w.now); !errors.Is(err, models.ErrNotFound) {
		t.Errorf("CreateMinutesDraft(another commission's session) error = %v, want ErrNotFound", err)
	}
}

func TestRule11_MinutesValidatedByTheChairOnly(t *testing.T) {
	w := newMinutesWorld(t)
	r, err := minutes.CreateMinutesDraft(w.ctx, w.db, w.kr, w.actor, w.cid, w.held.ID, []byte(minutesContent), w.now)
	if err != nil {
		t.Fatal(err)
	}
	c, err := models.FindCommission(w.ctx, w.db, w.cid)
	if err != nil {
		t.Fatal(err)
	}
	other := modelstest.Commission(t, w.db, "32")
	for _, u := range []*models.User{
		modelstest.User(t, w.db, c, models.RoleSecretariat, nil),
		modelstest.User(t, w.db, c, models.RoleMember, nil),
		modelstest.User(t, w.db, other, models.RolePresident, nil),
	} {
		if _, err := minutes.ValidateMinutes(w.ctx, w.db, u, w.cid, r.ID, w.now); !errors.Is(err, minutes.ErrMinutesChairOnly) {
			t.Errorf("ValidateMinutes by %s of commission %v error = %v, want ErrMinutesChairOnly", u.Role, *u.CommissionID, err)
		}
	}
	got, err := minutes.ValidateMinutes(w.ctx, w.db, w.president, w.cid, r.ID, w.now)
	if err != nil || got.ValidatedBy == nil || *got.ValidatedBy != w.president.ID {
		t.Fatalf("ValidateMinutes by the president = %+v, %v", got, err)
	}
	got, err = minutes.ReopenMinutes(w.ctx, w.db, w.actor, w.cid, r.ID, w.now)
	if err != nil || got.Status != minutes.MinutesDraft || got.ValidatedAt != nil {
		t.Fatalf("ReopenMinutes = %+v, %v", got, err)
	}
}

func TestRule11_LockedMinutesCannotBeChanged(t *testing.T) {
	w := newMinutesWorld(t)
	r := w.locked(t)
	if r.Status != minutes.MinutesLocked || len(r.ContentHash) != 64 {
		t.Fatalf("locked minutes = %s, hash %q", r.Status, r.ContentHash)
	}
	later := w.next.StartsAt.Add(72 * time.Hour)
	for _, tt := range []struct {
		name string
		run  func() error
		want error
	}{
		{"texts", func() error {
			_, err := minutes.UpdateMinutesTexts(w.ctx, w.db, w.actor, w.cid, r.ID, minutes.MinutesTexts{GeneralItems: "ajout"}, later)
			return err
		}, minutes.ErrMinutesLocked},
		{"content", func() error {
			_, err := minutes.RefreshMinutesContent(w.ctx, w.db, w.kr, w.actor, w.cid, r.ID, []byte(`{"items":[]}`), later)
			return err
		}, minutes.ErrMinutesLocked},
		{"reopen", func() error { _, err := minutes.ReopenMinutes(w.ctx, w.db, w.actor, w.cid, r.ID, later); return err }, minutes.ErrMinutesLocked},
		{"lock again", func() error {
			_, err := minutes.LockMinutes(w.ctx, w.db, w.kr, w.actor, w.cid, r.ID, later)
			return err
		}, minutes.ErrMinutesLocked},
		{"validate", func() error {
			_, err := minutes.ValidateMinutes(w.ctx, w.db, w.president, w.cid, r.ID, later)
			return err
		}, minutes.ErrMinutesLocked},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.run(); !errors.Is(err, tt.want) {
				t.Errorf("error = %v, want %v", err, tt.want)
			}
		})
	}
	// The database itself refuses: a direct UPDATE or DELETE of the locked row fails.
	if _, err := w.db.NewUpdate().Model((*minutes.Minutes)(nil)).Set("observations = ?", "falsifié").Where("id = ?", r.ID).Exec(w.ctx); err == nil {
		t.Error("direct UPDATE of a locked procès-verbal succeeded")
	}
	if _, err := w.db.NewDelete().Model((*minutes.Minutes)(nil)).Where("id = ?", r.ID).Exec(w.ctx); err == nil {
		t.Error("direct DELETE of a locked procès-verbal succeeded")
	}
	got, err := minutes.FindMinutes(w.ctx, w.db, w.cid, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Observations != "Néant." || got.ContentHash != r.ContentHash {
		t.Errorf("locked row changed: observations %q, hash %s", got.Observations, got.ContentHash)
	}
	if err := minutes.VerifyMinutes(w.ctx, w.db, w.kr, w.cid, r.ID); err != nil {
		t.Errorf("VerifyMinutes = %v, want nil", err)
	}
}

func TestRule11_LockedMinutesHashIsInTheAuditChain(t *testing.T) {
	w := newMinutesWorld(t)
	r := w.locked(t)
	recs, err := models.ListAudit(w.ctx, w.db, w.cid, 50)
	if err != nil {
		t.Fatal(err)
	}
	var found bool
	actions := map[string]bool{}
	for _, rec := range recs {
		if rec.Object != models.ObjectRef("minutes", r.ID) {
			continue
		}
		actions[rec.Action] = true
		if rec.Action == "minutes.lock" {
			var d map[string]any
			if err := json.Unmarshal([]byte(rec.Details), &d); err != nil {
				t.Fatal(err)
			}
			found = d["content_hash"] == r.ContentHash
		}
		if strings.Contains(rec.Details, "Calendrier") || strings.Contains(rec.Details, "31-2026-0001") {
			t.Errorf("audit details carry the minutes' text: %s", rec.Details)
		}
	}
	if !found {
		t.Error("no minutes.lock audit record carries the content hash")
	}
	for _, a := range []string{"minutes.create", "minutes.texts", "minutes.validate", "minutes.submit", "minutes.approve", "minutes.lock"} {
		if !actions[a] {
			t.Errorf("no %s audit record", a)
		}
	}
	rep, err := models.VerifyAuditChain(w.ctx, w.db)
	if err != nil || !rep.OK {
		t.Errorf("VerifyAuditChain = %+v, %v", rep, err)
	}

	// Someone with database access drops the guard and edits the row: the hash no
	// longer matches and VerifyMinutes says so.
	drop := "DROP TRIGGER minutes_locked_update"
	if models.IsPG(w.db) {
		drop = "DROP TRIGGER minutes_locked_guard ON minutes"
	}
	if _, err := w.db.ExecContext(w.ctx, drop); err != nil {
		t.Fatal(err)
	}
	altered := w.kr.Seal([]byte(strings.Replace(minutesContent, "Favorable", "Défavorable", 1)), fmt.Sprintf("minutes:%d:content", r.ID))
	if _, err := w.db.NewUpdate().Model((*minutes.Minutes)(nil)).Set("content_sealed = ?", altered).Where("id = ?", r.ID).Exec(w.ctx); err != nil {
		t.Fatal(err)
	}
	if err := minutes.VerifyMinutes(w.ctx, w.db, w.kr, w.cid, r.ID); !errors.Is(err, minutes.ErrMinutesTampered) {
		t.Errorf("VerifyMinutes after tampering = %v, want ErrMinutesTampered", err)
	}
}

func TestRule11_CorrectionIsANewVersionKeepingTheOldHash(t *testing.T) {
	w := newMinutesWorld(t)
	old := w.locked(t)
	later := w.next.StartsAt.Add(72 * time.Hour)
	if _, err := minutes.CorrectMinutes(w.ctx, w.db, w.kr, w.actor, w.cid, old.ID, "  ", nil, later); err == nil {
		t.Error("CorrectMinutes without a note succeeded")
	}
	corrected := strings.Replace(minutesContent, `"contre":1`, `"contre":2`, 1)
	v2, err := minutes.CorrectMinutes(w.ctx, w.db, w.kr, w.actor, w.cid, old.ID, "Erreur matérielle au point 1 : 2 voix contre.", []byte(corrected), later)
	if err != nil {
		t.Fatal(err)
	}
	if v2.Version != 2 || v2.Status != minutes.MinutesDraft || v2.PreviousVersionID == nil || *v2.PreviousVersionID != old.ID ||
		v2.PreviousHash != old.ContentHash || w.content(t, v2) != corrected || v2.GeneralItems != old.GeneralItems {
		t.Fatalf("correction = %+v", v2)
	}
	if _, err := minutes.CorrectMinutes(w.ctx, w.db, w.kr, w.actor, w.cid, old.ID, "encore", nil, later); !errors.Is(err, minutes.ErrMinutesSuperseded) {
		t.Errorf("second correction of v1 error = %v, want ErrMinutesSuperseded", err)
	}
	if _, err := minutes.CorrectMinutes(w.ctx, w.db, w.kr, w.actor, w.cid, v2.ID, "encore", nil, later); !errors.Is(err, minutes.ErrMinutesWrongStatus) {
		t.Errorf("correction of a draft error = %v, want ErrMinutesWrongStatus", err)
	}
	if _, err := minutes.UpdateMinutesTexts(w.ctx, w.db, w.actor, w.cid, v2.ID, minutes.MinutesTexts{GeneralItems: "Calendrier 2027 (rectifié)."}, later); err != nil {
		t.Fatal(err)
	}
	third := w.meeting(t, w.cid, time.Date(2027, 1, 12, 13, 0, 0, 0, time.UTC), meetings.MeetingConvened)
	if _, err := minutes.ValidateMinutes(w.ctx, w.db, w.president, w.cid, v2.ID, later); err != nil {
		t.Fatal(err)
	}
	if _, err := minutes.SubmitMinutes(w.ctx, w.db, w.actor, w.cid, v2.ID, third.ID, later); err != nil {
		t.Fatal(err)
	}
	pending, err := minutes.ListMinutesForApproval(w.ctx, w.db, w.cid, third.ID)
	if err != nil || len(pending) != 1 || pending[0].ID != v2.ID {
		t.Fatalf("ListMinutesForApproval = %v, %v", pending, err)
	}
	v2, err = minutes.ApproveMinutes(w.ctx, w.db, w.kr, w.actor, w.cid, v2.ID, minutes.ApprovalInput{Reference: "séance du 12 janvier 2027, point 1", Lock: true}, third.StartsAt.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if v2.ContentHash == "" || v2.ContentHash == old.ContentHash {
		t.Errorf("v2 hash = %q, old %q", v2.ContentHash, old.ContentHash)
	}
	versions, err := minutes.ListMinutesVersions(w.ctx, w.db, w.cid, w.held.ID)
	if err != nil || len(versions) != 2 {
		t.Fatalf("ListMinutesVersions = %d versions, %v", len(versions), err)
	}
	if versions[0].ContentHash != old.ContentHash || w.content(t, &versions[0]) != minutesContent || versions[0].Status != minutes.MinutesLocked {
		t.Errorf("v1 after correction = %+v", versions[0])
	}
	cur, err := minutes.FindCurrentMinutes(w.ctx, w.db, w.cid, w.held.ID)
	if err != nil || cur.ID != v2.ID {
		t.Errorf("FindCurrentMinutes = %v, %v, want v2", cur, err)
	}
	for _, r := range versions {
		if err := minutes.VerifyMinutes(w.ctx, w.db, w.kr, w.cid, r.ID); err != nil {
			t.Errorf("VerifyMinutes(v%d) = %v", r.Version, err)
		}
	}
}

func TestRule11_MinutesScopedByCommission(t *testing.T) {
	w := newMinutesWorld(t)
	r := w.locked(t)
	other := modelstest.Commission(t, w.db, "32")
	if _, err := minutes.FindMinutes(w.ctx, w.db, other.ID, r.ID); !errors.Is(err, models.ErrNotFound) {
		t.Errorf("FindMinutes(other commission) = %v, want ErrNotFound", err)
	}
	if _, err := minutes.CorrectMinutes(w.ctx, w.db, w.kr, w.actor, other.ID, r.ID, "note", nil, w.now); !errors.Is(err, models.ErrNotFound) {
		t.Errorf("CorrectMinutes(other commission) = %v, want ErrNotFound", err)
	}
	if vs, err := minutes.ListMinutesVersions(w.ctx, w.db, other.ID, w.held.ID); err != nil || len(vs) != 0 {
		t.Errorf("ListMinutesVersions(other commission) = %v, %v", vs, err)
	}
}

// The minutes migration (table, guard triggers, PostgreSQL function) rolls back and
// applies again, as `seance demo` does on PostgreSQL.
func TestMinutesMigrationRollsBackAndReapplies(t *testing.T) {
	db := modelstest.NewDB(t)
	ctx := context.Background()
	for {
		g, err := migrations.Rollback(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		if g == 0 {
			break
		}
	}
	if err := migrations.Up(ctx, db); err != nil {
		t.Fatal(err)
	}
	w := &minutesWorld{ctx: ctx, db: db, kr: modelstest.Keyring(t), now: time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)}
	c := modelstest.Commission(t, db, "31")
	w.cid = c.ID
	w.president = modelstest.User(t, db, c, models.RolePresident, nil)
	w.actor = models.SystemActor("test")
	w.held = w.meeting(t, c.ID, time.Date(2026, 11, 24, 13, 0, 0, 0, time.UTC), meetings.MeetingClosed)
	w.next = w.meeting(t, c.ID, time.Date(2026, 12, 8, 13, 0, 0, 0, time.UTC), meetings.MeetingConvened)
	r := w.locked(t)
	if _, err := db.NewDelete().Model((*minutes.Minutes)(nil)).Where("id = ?", r.ID).Exec(ctx); err == nil {
		t.Error("the guard is missing after re-applying the migrations")
	}
}
