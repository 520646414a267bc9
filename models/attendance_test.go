package models_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"seance/models"
	"seance/models/modelstest"
)

// attendanceWorld: seats a and b have a titulaire and a suppléant (a2, b2); seats c, d
// (doctors: never a suppléant) and e (no suppléant appointed) have a titulaire only.
type attendanceWorld struct {
	ctx     context.Context
	db      *bun.DB
	cid     int64
	meeting *models.Meeting
	seats   map[string]*models.Seat
	users   map[string]int64
	now     time.Time
}

func newAttendanceWorld(t *testing.T) *attendanceWorld {
	t.Helper()
	db := modelstest.NewDB(t)
	c := modelstest.Commission(t, db, "31")
	start := modelstest.Date(2026, 1, 5)
	w := &attendanceWorld{ctx: context.Background(), db: db, cid: c.ID, seats: map[string]*models.Seat{}, users: map[string]int64{},
		now: time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)}
	mk := func(name string, cat models.SeatCategory, quality string, suppleant bool) {
		s := modelstest.Seat(t, db, c.ID, cat, quality)
		w.seats[name] = s
		w.users[name] = modelstest.Appoint(t, db, s, models.MandateTitulaire, name+"@test.example", start).User.ID
		if suppleant {
			w.users[name+"2"] = modelstest.Appoint(t, db, s, models.MandateSuppleant, name+"2@test.example", start).User.ID
		}
	}
	mk("a", models.CategoryDDETS, "Directrice DDETS", true)
	mk("b", models.CategoryDDSP, "Directeur DDSP", true)
	mk("c", models.CategoryDoctor, "Médecin 1", false)
	mk("d", models.CategoryDoctor, "Médecin 2", false)
	mk("e", models.CategoryGendarmerie, "Commandant", false)
	m, err := models.CreateMeeting(w.ctx, db, models.SystemActor("test"), c.ID, models.MeetingInput{
		Kind: models.MeetingFiles, Mode: models.ModeOnSite, StartsAt: time.Date(2026, 11, 24, 13, 0, 0, 0, time.UTC),
		Place: "Préfecture, salle Capitole", Capacity: 10,
	}, w.now)
	if err != nil {
		t.Fatal(err)
	}
	w.meeting = m
	return w
}

func (w *attendanceWorld) set(seat string, status models.AttendanceStatus, other string) error {
	in := models.AttendanceInput{SeatID: w.seats[seat].ID, Status: status}
	switch status {
	case models.AttSubstituted:
		in.SubstituteUserID = w.users[other]
	case models.AttProxy:
		in.ProxyHolderUserID = w.users[other]
	}
	_, err := models.SetAttendance(w.ctx, w.db, models.SystemActor("test"), w.cid, w.meeting.ID, in, w.now)
	return err
}

func TestRule2_SuppleantReplacesOnlyOwnTitulaire(t *testing.T) {
	w := newAttendanceWorld(t)
	if err := w.set("a", models.AttSubstituted, "a2"); err != nil {
		t.Fatalf("a replaced by own suppléant a2: %v", err)
	}
	if err := w.set("b", models.AttSubstituted, "a2"); !errors.Is(err, models.ErrNotOwnSuppleant) {
		t.Fatalf("b replaced by a's suppléant: error %v, want ErrNotOwnSuppleant", err)
	}
	if err := w.set("c", models.AttSubstituted, "d"); !errors.Is(err, models.ErrNotOwnSuppleant) {
		t.Fatalf("c replaced by another titulaire: error %v, want ErrNotOwnSuppleant", err)
	}
}

func TestRule2_ProxyOnlyWithoutSuppleant(t *testing.T) {
	w := newAttendanceWorld(t)
	if err := w.set("a", models.AttProxy, "c"); !errors.Is(err, models.ErrProxyWithSuppleant) {
		t.Fatalf("a (who has a suppléant) gives a proxy: error %v, want ErrProxyWithSuppleant", err)
	}
	if err := w.set("c", models.AttProxy, "d"); err != nil {
		t.Fatalf("c (no suppléant) gives a proxy to d: %v", err)
	}
	if err := w.set("e", models.AttProxy, "a2"); !errors.Is(err, models.ErrProxyHolderInvalid) {
		t.Fatalf("proxy to a suppléant: error %v, want ErrProxyHolderInvalid", err)
	}
	if err := w.set("e", models.AttProxy, "e"); !errors.Is(err, models.ErrProxyHolderInvalid) {
		t.Fatalf("proxy to oneself: error %v, want ErrProxyHolderInvalid", err)
	}
}

func TestRule2_AtMostOneProxyHeld(t *testing.T) {
	w := newAttendanceWorld(t)
	if err := w.set("c", models.AttProxy, "a"); err != nil {
		t.Fatal(err)
	}
	if err := w.set("e", models.AttProxy, "a"); !errors.Is(err, models.ErrProxyHolderTaken) {
		t.Fatalf("second proxy to a: error %v, want ErrProxyHolderTaken", err)
	}
	if err := w.set("e", models.AttProxy, "b"); err != nil {
		t.Fatalf("e gives a proxy to b instead: %v", err)
	}
	// c changes their mind and comes: a is free to hold e's proxy... but e already chose b.
	if err := w.set("c", models.AttPresentOnSite, ""); err != nil {
		t.Fatal(err)
	}
	if err := w.set("e", models.AttProxy, "a"); err != nil {
		t.Fatalf("a holds no proxy any more, e may give one: %v", err)
	}
}

func TestRule2_ProxyHolderMustSit(t *testing.T) {
	w := newAttendanceWorld(t)
	if err := w.set("d", models.AttExcused, ""); err != nil {
		t.Fatal(err)
	}
	if err := w.set("c", models.AttProxy, "d"); !errors.Is(err, models.ErrProxyHolderAway) {
		t.Fatalf("proxy to an excused member: error %v, want ErrProxyHolderAway", err)
	}
	if err := w.set("a", models.AttSubstituted, "a2"); err != nil {
		t.Fatal(err)
	}
	if err := w.set("c", models.AttProxy, "a"); !errors.Is(err, models.ErrProxyHolderAway) {
		t.Fatalf("proxy to a titulaire replaced by their suppléant: error %v, want ErrProxyHolderAway", err)
	}
	if err := w.set("d", models.AttPresentRemote, ""); err != nil {
		t.Fatal(err)
	}
	if err := w.set("c", models.AttProxy, "d"); err != nil {
		t.Fatalf("proxy to a remote member: %v", err)
	}
	// The holder cannot then leave without the proxy being withdrawn first.
	if err := w.set("d", models.AttAbsent, ""); !errors.Is(err, models.ErrHoldsProxy) {
		t.Fatalf("proxy holder declared absent: error %v, want ErrHoldsProxy", err)
	}
}

func TestAttendanceIsOneRowPerSeatAndAudited(t *testing.T) {
	w := newAttendanceWorld(t)
	for _, s := range []models.AttendanceStatus{models.AttExcused, models.AttPresentRemote, models.AttPresentOnSite} {
		if err := w.set("b", s, ""); err != nil {
			t.Fatal(err)
		}
	}
	as, err := models.ListAttendance(w.ctx, w.db, w.cid, w.meeting.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(as) != 1 || as[0].Status != models.AttPresentOnSite || as[0].TitulaireUserID != w.users["b"] || as[0].RepliedAt == nil {
		t.Fatalf("attendance = %+v, want one row for b, present on site, replied", as)
	}
	n, err := w.db.NewSelect().Model((*models.AuditRecord)(nil)).Where("action = 'meeting.attendance'").Count(w.ctx)
	if err != nil || n != 3 {
		t.Fatalf("audit records of attendance = %d, %v; want 3", n, err)
	}
	other := modelstest.Commission(t, w.db, "09")
	_, err = models.SetAttendance(w.ctx, w.db, models.SystemActor("test"), other.ID, w.meeting.ID, models.AttendanceInput{SeatID: w.seats["b"].ID, Status: models.AttAbsent}, w.now)
	if !errors.Is(err, models.ErrNotFound) {
		t.Fatalf("attendance through another commission: error %v, want ErrNotFound", err)
	}
}

func TestMeetingInputValidation(t *testing.T) {
	now := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		name  string
		in    models.MeetingInput
		field string
	}{
		{"past", models.MeetingInput{Kind: models.MeetingFiles, Mode: models.ModeOnSite, StartsAt: now.Add(-time.Hour), Place: "x"}, "starts_at"},
		{"no place", models.MeetingInput{Kind: models.MeetingFiles, Mode: models.ModeOnSite, StartsAt: now.Add(time.Hour)}, "place"},
		{"no link", models.MeetingInput{Kind: models.MeetingFiles, Mode: models.ModeRemote, StartsAt: now.Add(time.Hour)}, "remote_link"},
		{"bad link", models.MeetingInput{Kind: models.MeetingFiles, Mode: models.ModeRemote, StartsAt: now.Add(time.Hour), RemoteLink: "javascript:alert(1)"}, "remote_link"},
		{"end before start", models.MeetingInput{Kind: models.MeetingPolicy, Mode: models.ModeWritten, StartsAt: now.Add(2 * time.Hour), EndsAt: now.Add(time.Hour)}, "ends_at"},
		{"urgency without reason", models.MeetingInput{Kind: models.MeetingPolicy, Mode: models.ModeWritten, StartsAt: now.Add(time.Hour), Urgency: true}, "urgency_reason"},
		{"no kind", models.MeetingInput{Mode: models.ModeWritten, StartsAt: now.Add(time.Hour)}, "kind"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			fe := tt.in.Validate(now)
			if fe[tt.field] == "" {
				t.Fatalf("Validate() = %v, want a message for %s", fe, tt.field)
			}
		})
	}
}
