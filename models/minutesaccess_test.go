package models_test

import (
	"errors"
	"testing"
	"time"

	"seance/models"
	"seance/models/meetings"
	"seance/models/minutes"
	"seance/models/modelstest"
	"seance/models/registry"
)

// TestIssue11_MemberReadsOnlyConvenedMinutes reproduces point 9 of issue 11: a suppléant
// convened to one session read other sessions' procès-verbaux, including an unvalidated
// draft. A member now reads the versions past the draft of the sessions they were
// convened to, and the version submitted for approval to a session they are convened to.
func TestIssue11_MemberReadsOnlyConvenedMinutes(t *testing.T) {
	w := newMinutesWorld(t)
	c := &models.Commission{ID: w.cid}
	sec := modelstest.User(t, w.db, c, models.RoleSecretariat, nil)
	prefecture := modelstest.User(t, w.db, c, models.RolePrefecture, nil)
	seat := modelstest.Seat(t, w.db, w.cid, registry.CategoryDDETS, "Directrice")
	titulaire := modelstest.Appoint(t, w.db, seat, registry.MandateTitulaire, "titulaire@pv.test", modelstest.Date(2026, 1, 1)).User
	// Two sessions, each convened: the held one on 2 November, the next one on 20 November.
	held := w.convened(t, time.Date(2026, 11, 24, 13, 0, 0, 0, time.UTC), w.now)
	// The suppléant is appointed after the held session was convened: their mandate
	// covers its day, but they were convened to the next session only.
	suppleant := modelstest.Appoint(t, w.db, seat, registry.MandateSuppleant, "suppleant@pv.test", modelstest.Date(2026, 11, 10)).User
	next := w.convened(t, time.Date(2026, 12, 8, 13, 0, 0, 0, time.UTC), time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC))
	if _, err := w.db.NewUpdate().Model((*meetings.Meeting)(nil)).Set("status = ?", meetings.MeetingClosed).Where("id = ?", held.ID).Exec(w.ctx); err != nil {
		t.Fatal(err)
	}

	type want struct {
		version int   // 0: none
		err     error // the refusal when none
	}
	check := func(step string, wants map[*models.User]want) {
		t.Helper()
		for u, wt := range wants {
			_, got, err := minutes.ReadableMinutes(w.ctx, w.db, u, w.cid, held.ID)
			switch {
			case wt.version == 0 && !errors.Is(err, wt.err):
				t.Errorf("%s: ReadableMinutes as %s (%s) error = %v, want %v", step, u.Email, u.Role, err, wt.err)
			case wt.version != 0 && (err != nil || got.Version != wt.version):
				t.Errorf("%s: ReadableMinutes as %s (%s) = %v, %v, want version %d", step, u.Email, u.Role, got, err, wt.version)
			}
		}
	}
	check("before the draft", map[*models.User]want{
		sec: {0, minutes.ErrMinutesNotEstablished}, titulaire: {0, minutes.ErrMinutesNotEstablished},
		suppleant: {0, minutes.ErrMinutesNotConvened},
	})
	kr := modelstest.Keyring(t)
	r, err := minutes.CreateMinutesDraft(w.ctx, w.db, kr, models.ActorFor(sec), w.cid, held.ID, []byte(minutesContent), held.EndsAt)
	if err != nil {
		t.Fatal(err)
	}
	check("draft", map[*models.User]want{
		sec: {1, nil}, w.president: {1, nil},
		titulaire: {0, minutes.ErrMinutesInPreparation}, suppleant: {0, minutes.ErrMinutesNotConvened},
		prefecture: {0, minutes.ErrMinutesNotApproved},
	})
	if _, err := minutes.ValidateMinutes(w.ctx, w.db, w.president, w.cid, r.ID, held.EndsAt.Add(24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	check("validated", map[*models.User]want{
		titulaire: {1, nil}, suppleant: {0, minutes.ErrMinutesNotConvened}, prefecture: {0, minutes.ErrMinutesNotApproved},
	})
	if _, err := minutes.SubmitMinutes(w.ctx, w.db, models.ActorFor(sec), w.cid, r.ID, next.ID, held.EndsAt.Add(48*time.Hour)); err != nil {
		t.Fatal(err)
	}
	check("submitted to the next session", map[*models.User]want{titulaire: {1, nil}, suppleant: {1, nil}})
	if _, err := minutes.ApproveMinutes(w.ctx, w.db, kr, models.ActorFor(sec), w.cid, r.ID,
		minutes.ApprovalInput{Reference: "séance du 8 décembre 2026, point 1", Lock: true}, next.StartsAt.Add(10*time.Minute)); err != nil {
		t.Fatal(err)
	}
	check("locked", map[*models.User]want{titulaire: {1, nil}, suppleant: {1, nil}, prefecture: {1, nil}})
	// A correction starts as a draft: members and the prefecture keep reading version 1.
	if _, err := minutes.CorrectMinutes(w.ctx, w.db, kr, models.ActorFor(sec), w.cid, r.ID, "Erreur de décompte au point 1.", nil, next.EndsAt); err != nil {
		t.Fatal(err)
	}
	check("correction in draft", map[*models.User]want{sec: {2, nil}, w.president: {2, nil}, titulaire: {1, nil}, suppleant: {1, nil}, prefecture: {1, nil}})

	// Another commission's session does not exist for these users.
	if _, _, err := minutes.ReadableMinutes(w.ctx, w.db, sec, w.cid+1000, held.ID); !errors.Is(err, models.ErrNotFound) {
		t.Errorf("ReadableMinutes of another commission error = %v, want ErrNotFound", err)
	}
}

// convened plans a session starting at start with one agenda item and convenes it at
// at, as the sessions feature does.
func (w *minutesWorld) convened(t *testing.T, start, at time.Time) *meetings.Meeting {
	t.Helper()
	m, err := meetings.CreateMeeting(w.ctx, w.db, models.SystemActor("test"), w.cid, meetings.MeetingInput{
		Kind: meetings.MeetingPolicy, Mode: meetings.ModeOnSite, StartsAt: start, Place: "Préfecture", Capacity: 5,
	}, at)
	if err != nil {
		t.Fatal(err)
	}
	modelstest.AppendAgendaItemForTests(t, w.db, m, meetings.ItemInformation, 0, "Bilan annuel")
	if _, err := meetings.Convoke(w.ctx, w.db, w.president, w.cid, m.ID, meetings.ConvokeInput{}, at); err != nil {
		t.Fatalf("Convoke(%s) error = %v", start, err)
	}
	return m
}
