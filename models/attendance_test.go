package models_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"seance/models"
	"seance/models/meetings"
	"seance/models/modelstest"
	"seance/models/registry"
)

// attendanceWorld: seats a and b have a titulaire and a suppléant (a2, b2); seats c, d
// (doctors: never a suppléant) and e (no suppléant appointed) have a titulaire only.
type attendanceWorld struct {
	ctx     context.Context
	db      *bun.DB
	cid     int64
	meeting *meetings.Meeting
	seats   map[string]*registry.Seat
	users   map[string]int64
	now     time.Time
}

func newAttendanceWorld(t *testing.T) *attendanceWorld {
	t.Helper()
	db := modelstest.NewDB(t)
	c := modelstest.Commission(t, db, "31")
	start := modelstest.Date(2026, 1, 5)
	w := &attendanceWorld{ctx: context.Background(), db: db, cid: c.ID, seats: map[string]*registry.Seat{}, users: map[string]int64{},
		now: time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)}
	mk := func(name string, cat registry.SeatCategory, quality string, suppleant bool) {
		s := modelstest.Seat(t, db, c.ID, cat, quality)
		w.seats[name] = s
		w.users[name] = modelstest.Appoint(t, db, s, registry.MandateTitulaire, name+"@test.example", start).User.ID
		if suppleant {
			w.users[name+"2"] = modelstest.Appoint(t, db, s, registry.MandateSuppleant, name+"2@test.example", start).User.ID
		}
	}
	mk("a", registry.CategoryDDETS, "Directrice DDETS", true)
	mk("b", registry.CategoryDDSP, "Directeur DDSP", true)
	mk("c", registry.CategoryDoctor, "Médecin 1", false)
	mk("d", registry.CategoryDoctor, "Médecin 2", false)
	mk("e", registry.CategoryGendarmerie, "Commandant", false)
	m, err := meetings.CreateMeeting(w.ctx, db, models.SystemActor("test"), c.ID, meetings.MeetingInput{
		Kind: meetings.MeetingFiles, Mode: meetings.ModeOnSite, StartsAt: time.Date(2026, 11, 24, 13, 0, 0, 0, time.UTC),
		Place: "Préfecture, salle Capitole", Capacity: 10,
	}, w.now)
	if err != nil {
		t.Fatal(err)
	}
	w.meeting = m
	return w
}

func (w *attendanceWorld) set(seat string, status meetings.AttendanceStatus, other string) error {
	in := meetings.AttendanceInput{SeatID: w.seats[seat].ID, Status: status}
	switch status {
	case meetings.AttSubstituted:
		in.SubstituteUserID = w.users[other]
	case meetings.AttProxy:
		in.ProxyHolderUserID = w.users[other]
	}
	_, err := meetings.SetAttendance(w.ctx, w.db, models.SystemActor("test"), w.cid, w.meeting.ID, in, w.now)
	return err
}

func TestRule2_SuppleantReplacesOnlyOwnTitulaire(t *testing.T) {
	w := newAttendanceWorld(t)
	if err := w.set("a", meetings.AttSubstituted, "a2"); err != nil {
		t.Fatalf("a replaced by own suppléant a2: %v", err)
	}
	if err := w.set("b", meetings.AttSubstituted, "a2"); !errors.Is(err, meetings.ErrNotOwnSuppleant) {
		t.Fatalf("b replaced by a's suppléant: error %v, want ErrNotOwnSuppleant", err)
	}
	if err := w.set("c", meetings.AttSubstituted, "d"); !errors.Is(err, meetings.ErrNotOwnSuppleant) {
		t.Fatalf("c replaced by another titulaire: error %v, want ErrNotOwnSuppleant", err)
	}
}

func TestRule2_ProxyOnlyWithoutSuppleant(t *testing.T) {
	w := newAttendanceWorld(t)
	if err := w.set("a", meetings.AttProxy, "c"); !errors.Is(err, meetings.ErrProxyWithSuppleant) {
		t.Fatalf("a (who has a suppléant) gives a proxy: error %v, want ErrProxyWithSuppleant", err)
	}
	if err := w.set("c", meetings.AttProxy, "d"); err != nil {
		t.Fatalf("c (no suppléant) gives a proxy to d: %v", err)
	}
	if err := w.set("e", meetings.AttProxy, "a2"); !errors.Is(err, meetings.ErrProxyHolderInvalid) {
		t.Fatalf("proxy to a suppléant: error %v, want ErrProxyHolderInvalid", err)
	}
	if err := w.set("e", meetings.AttProxy, "e"); !errors.Is(err, meetings.ErrProxyHolderInvalid) {
		t.Fatalf("proxy to oneself: error %v, want ErrProxyHolderInvalid", err)
	}
}

func TestRule2_AtMostOneProxyHeld(t *testing.T) {
	w := newAttendanceWorld(t)
	if err := w.set("c", meetings.AttProxy, "a"); err != nil {
		t.Fatal(err)
	}
	if err := w.set("e", meetings.AttProxy, "a"); !errors.Is(err, meetings.ErrProxyHolderTaken) {
		t.Fatalf("second proxy to a: error %v, want ErrProxyHolderTaken", err)
	}
	if err := w.set("e", meetings.AttProxy, "b"); err != nil {
		t.Fatalf("e gives a proxy to b instead: %v", err)
	}
	// c changes their mind and comes: a is free to hold e's proxy... but e already chose b.
	if err := w.set("c", meetings.AttPresentOnSite, ""); err != nil {
		t.Fatal(err)
	}
	if err := w.set("e", meetings.AttProxy, "a"); err != nil {
		t.Fatalf("a holds no proxy any more, e may give one: %v", err)
	}
}

func TestRule2_ProxyHolderMustSit(t *testing.T) {
	w := newAttendanceWorld(t)
	if err := w.set("d", meetings.AttExcused, ""); err != nil {
		t.Fatal(err)
	}
	if err := w.set("c", meetings.AttProxy, "d"); !errors.Is(err, meetings.ErrProxyHolderAway) {
		t.Fatalf("proxy to an excused member: error %v, want ErrProxyHolderAway", err)
	}
	if err := w.set("a", meetings.AttSubstituted, "a2"); err != nil {
		t.Fatal(err)
	}
	if err := w.set("c", meetings.AttProxy, "a"); !errors.Is(err, meetings.ErrProxyHolderAway) {
		t.Fatalf("proxy to a titulaire replaced by their suppléant: error %v, want ErrProxyHolderAway", err)
	}
	if err := w.set("d", meetings.AttPresentRemote, ""); err != nil {
		t.Fatal(err)
	}
	if err := w.set("c", meetings.AttProxy, "d"); err != nil {
		t.Fatalf("proxy to a remote member: %v", err)
	}
	// The holder cannot then leave without the proxy being withdrawn first.
	if err := w.set("d", meetings.AttAbsent, ""); !errors.Is(err, meetings.ErrHoldsProxy) {
		t.Fatalf("proxy holder declared absent: error %v, want ErrHoldsProxy", err)
	}
}

func TestAttendanceIsOneRowPerSeatAndAudited(t *testing.T) {
	w := newAttendanceWorld(t)
	for _, s := range []meetings.AttendanceStatus{meetings.AttExcused, meetings.AttPresentRemote, meetings.AttPresentOnSite} {
		if err := w.set("b", s, ""); err != nil {
			t.Fatal(err)
		}
	}
	as, err := meetings.ListAttendance(w.ctx, w.db, w.cid, w.meeting.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(as) != 1 || as[0].Status != meetings.AttPresentOnSite || as[0].TitulaireUserID != w.users["b"] || as[0].RepliedAt == nil {
		t.Fatalf("attendance = %+v, want one row for b, present on site, replied", as)
	}
	n, err := w.db.NewSelect().Model((*models.AuditRecord)(nil)).Where("action = 'meeting.attendance'").Count(w.ctx)
	if err != nil || n != 3 {
		t.Fatalf("audit records of attendance = %d, %v; want 3", n, err)
	}
	other := modelstest.Commission(t, w.db, "09")
	_, err = meetings.SetAttendance(w.ctx, w.db, models.SystemActor("test"), other.ID, w.meeting.ID, meetings.AttendanceInput{SeatID: w.seats["b"].ID, Status: meetings.AttAbsent}, w.now)
	if !errors.Is(err, models.ErrNotFound) {
		t.Fatalf("attendance through another commission: error %v, want ErrNotFound", err)
	}
}

func TestMeetingInputValidation(t *testing.T) {
	now := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		name  string
		in    meetings.MeetingInput
		field string
	}{
		{"past", meetings.MeetingInput{Kind: meetings.MeetingFiles, Mode: meetings.ModeOnSite, StartsAt: now.Add(-time.Hour), Place: "x"}, "starts_at"},
		{"no place", meetings.MeetingInput{Kind: meetings.MeetingFiles, Mode: meetings.ModeOnSite, StartsAt: now.Add(time.Hour)}, "place"},
		{"no link", meetings.MeetingInput{Kind: meetings.MeetingFiles, Mode: meetings.ModeRemote, StartsAt: now.Add(time.Hour)}, "remote_link"},
		{"bad link", meetings.MeetingInput{Kind: meetings.MeetingFiles, Mode: meetings.ModeRemote, StartsAt: now.Add(time.Hour), RemoteLink: "javascript:alert(1)"}, "remote_link"},
		{"end before start", meetings.MeetingInput{Kind: meetings.MeetingPolicy, Mode: meetings.ModeWritten, StartsAt: now.Add(2 * time.Hour), EndsAt: now.Add(time.Hour)}, "ends_at"},
		{"urgency without reason", meetings.MeetingInput{Kind: meetings.MeetingPolicy, Mode: meetings.ModeWritten, StartsAt: now.Add(time.Hour), Urgency: true}, "urgency_reason"},
		{"no kind", meetings.MeetingInput{Mode: meetings.ModeWritten, StartsAt: now.Add(time.Hour)}, "kind"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			fe := tt.in.Validate(now)
			if fe[tt.field] == "" {
				t.Fatalf("Validate() = %v, want a message for %s", fe, tt.field)
			}
		})
	}
}
