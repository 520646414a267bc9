package modelstest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"seance/models"
	"seance/models/files"
	"seance/models/meetings"
	"seance/models/registry"
	"seance/models/sitting"
)

// StatsYear is the year of StatsFixture; StatsNow is a day after it, so the year is complete.
const StatsYear = 2025

// StatsNow is the instant the fixture's statistics are computed at.
var StatsNow = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// StatsFixture fills commission c with one year (2025) of sessions, files, parcours and
// rights, plus older history, written row by row so that every indicator can be computed
// by hand (see models/stats_test.go for the expected values and how they are obtained).
// Persons carry no identity: the sealed column holds a placeholder.
func StatsFixture(t testing.TB, db bun.IDB, c *models.Commission) {
	t.Helper()
	ctx := context.Background()
	ins := func(v any) {
		t.Helper()
		if _, err := db.NewInsert().Model(v).Exec(ctx); err != nil {
			t.Fatalf("stats fixture: insert %T: %v", v, err)
		}
	}
	d := Date
	p := func(v time.Time) *time.Time { return &v }
	created := time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC)
	a1 := Association(t, db, c, "Amicale du Nid 31", c.Department, d(2022, 1, 1))
	a2 := Association(t, db, c, "Association Olympe", c.Department, d(2022, 1, 1))
	member := User(t, db, c, models.RoleMember, nil)

	// Sessions of 2025 (M5 cancelled, M0 in 2024: not counted).
	meeting := func(kind meetings.MeetingKind, mode meetings.MeetingMode, status meetings.MeetingStatus, on time.Time, urgent bool, first *int64) *meetings.Meeting {
		m := &meetings.Meeting{CommissionID: c.ID, Kind: kind, Mode: mode, Status: status, StartsAt: on.Add(14 * time.Hour),
			EndsAt: on.Add(17 * time.Hour), Urgency: urgent, FirstConvocationID: first, CreatedAt: created, UpdatedAt: created}
		ins(m)
		return m
	}
	meeting(meetings.MeetingFiles, meetings.ModeOnSite, meetings.MeetingClosed, d(2024, 12, 2), false, nil)
	m1 := meeting(meetings.MeetingFiles, meetings.ModeOnSite, meetings.MeetingClosed, d(2025, 2, 10), false, nil)
	m2 := meeting(meetings.MeetingFiles, meetings.ModeRemote, meetings.MeetingClosed, d(2025, 6, 16), true, nil)
	meeting(meetings.MeetingPolicy, meetings.ModeOnSite, meetings.MeetingMinutesApproved, d(2025, 9, 1), false, nil)
	m4 := meeting(meetings.MeetingFiles, meetings.ModeWritten, meetings.MeetingClosed, d(2025, 11, 3), false, &m2.ID)
	m5 := meeting(meetings.MeetingFiles, meetings.ModeOnSite, meetings.MeetingCancelled, d(2025, 12, 1), false, nil)

	seat := func(cat registry.SeatCategory, pos int) *registry.Seat {
		s := &registry.Seat{CommissionID: c.ID, Category: cat, Position: pos, Organisation: fmt.Sprintf("Organisme %d", cat), VotingRight: true, CreatedAt: created, UpdatedAt: created}
		ins(s)
		return s
	}
	s1, s2, s3 := seat(registry.CategoryDDETS, 1), seat(registry.CategoryAssociation, 1), seat(registry.CategoryDoctor, 1)
	att := func(m *meetings.Meeting, s *registry.Seat, st meetings.AttendanceStatus) {
		ins(&meetings.Attendance{CommissionID: c.ID, MeetingID: m.ID, SeatID: s.ID, TitulaireUserID: member.ID, Status: st, UpdatedAt: created})
	}
	att(m1, s1, meetings.AttPresentOnSite)
	att(m1, s2, meetings.AttProxy)
	att(m1, s3, meetings.AttAbsent)
	att(m2, s1, meetings.AttSubstituted)
	att(m2, s2, meetings.AttPresentRemote)
	att(m2, s3, meetings.AttExcused)
	att(m5, s1, meetings.AttPresentOnSite)

	item := &meetings.AgendaItem{CommissionID: c.ID, MeetingID: m4.ID, Position: 1, Kind: meetings.ItemOther, Title: "Point", CreatedAt: created}
	ins(item)
	vote := &sitting.Vote{CommissionID: c.ID, MeetingID: m4.ID, AgendaItemID: item.ID, Written: true, Question: "Avis",
		Status: "closed", OpenedAt: d(2025, 11, 3), OpenedBy: member.ID, ClosedAt: p(d(2025, 11, 3).Add(time.Hour)),
		Tie: true, CastingVote: "yes", UpdatedAt: created}
	ins(vote)
	for _, u := range []*models.User{member, User(t, db, c, models.RoleMember, nil)} {
		ins(&sitting.Dissent{CommissionID: c.ID, VoteID: vote.ID, UserID: u.ID, TextSealed: "sealed", RecordedBy: member.ID, CreatedAt: d(2025, 11, 3)})
	}

	// Persons and their parcours.
	person := func(g files.Gender, born int, nat string) *files.Person {
		pe := &files.Person{CommissionID: c.ID, IdentitySealed: "sealed", Gender: g, BirthYear: born, Nationality: nat, CreatedAt: created, UpdatedAt: created}
		ins(pe)
		return pe
	}
	seq := 0
	type dates struct{ sub, adm, avis, dec, notif time.Time }
	file := func(pe *files.Person, a *registry.Association, kind files.FileKind, children int, avis files.Avis, dec files.DecisionOutcome, x dates) *files.File {
		seq++
		f := &files.File{CommissionID: c.ID, Reference: fmt.Sprintf("%s-%d-%04d", c.Department, x.sub.Year(), seq), Year: x.sub.Year(), Seq: seq,
			PersonID: pe.ID, AssociationID: a.ID, Kind: kind, State: files.StateSubmitted, Children: children, HousingNeed: files.HousingNone,
			AssociationAvis: files.AvisFavorable, ProposalSealed: "sealed", CreatedBy: member.ID, CreatedAt: x.sub, SubmittedAt: p(x.sub), UpdatedAt: x.sub}
		if !x.avis.IsZero() {
			f.State, f.CommissionAvis, f.AvisOn = files.StateExamined, avis, p(x.avis)
		}
		if !x.dec.IsZero() {
			f.State, f.Decision, f.DecidedOn, f.NotifiedPersonOn = files.StateDecided, dec, p(x.dec), p(x.notif)
		}
		ins(f)
		if !x.adm.IsZero() {
			ins(&files.FileEvent{CommissionID: c.ID, FileID: f.ID, At: x.adm.Add(10 * time.Hour), ActorID: member.ID, ActorLabel: "test",
				Action: "admissible", FromState: "submitted", ToState: "admissible", Details: "{}"})
		}
		return f
	}
	parcours := func(pe *files.Person, a *registry.Association, started time.Time, ended *time.Time, reason files.EndReason) *files.Parcours {
		pa := &files.Parcours{CommissionID: c.ID, PersonID: pe.ID, AssociationID: a.ID, StartedOn: started, EndedOn: ended, EndReason: reason, CreatedAt: created, UpdatedAt: created}
		ins(pa)
		return pa
	}
	type rights struct {
		aps            bool
		afisFrom, stop time.Time
		afisCents      int64
		housing        files.Housing
		cut            time.Time
	}
	period := func(pa *files.Parcours, f *files.File, n int, start time.Time, r rights) {
		q := &files.Period{CommissionID: c.ID, ParcoursID: pa.ID, FileID: f.ID, Seq: n, StartsOn: start, EndsOn: files.AddMonths(start, 6), Months: 6,
			APSGranted: r.aps, HousingNeed: files.HousingNone, HousingProvided: files.HousingNone, CreatedAt: created, UpdatedAt: created}
		if r.aps {
			q.APSRequested, q.APSFrom = true, p(start)
		}
		if !r.afisFrom.IsZero() {
			q.AFISGranted, q.AFISFrom, q.AFISMonthlyCents = true, p(r.afisFrom), r.afisCents
		}
		if !r.stop.IsZero() {
			q.AFISStoppedFrom = p(r.stop)
		}
		if r.housing != "" {
			q.HousingProvided = r.housing
		}
		if !r.cut.IsZero() {
			q.CutOn = p(r.cut)
		}
		ins(q)
	}
	eng, ren, end := files.KindEngagement, files.KindRenewal, files.KindEnd
	fav, res, def := files.AvisFavorable, files.AvisReserve, files.AvisDefavorable
	ok, no := files.DecisionAuthorised, files.DecisionRefused

	// Older parcours, renewed, ended or in progress in 2025.
	p6person := person(files.GenderFemale, 1995, "CN")
	p7person := person(files.GenderFemale, 1999, "CN")
	p8person := person(files.GenderOther, 1980, "NG")
	p9person := person(files.GenderFemale, 1970, "RO")
	p10person := person(files.GenderFemale, 1988, "NG")
	old := func(pe *files.Person) *files.File {
		return file(pe, a2, eng, 0, fav, ok, dates{d(2023, 11, 2), d(2023, 11, 9), d(2023, 12, 4), d(2023, 12, 11), d(2023, 12, 12)})
	}
	p6 := parcours(p6person, a2, d(2024, 7, 1), nil, "")
	period(p6, old(p6person), 1, d(2024, 7, 1), rights{aps: true})
	p7 := parcours(p7person, a2, d(2024, 7, 1), p(d(2025, 12, 1)), files.EndLeft)
	period(p7, old(p7person), 1, d(2024, 7, 1), rights{})
	p8 := parcours(p8person, a2, d(2024, 7, 1), nil, "")
	period(p8, old(p8person), 1, d(2024, 7, 1), rights{})
	p9 := parcours(p9person, a2, d(2024, 1, 1), p(d(2025, 7, 1)), files.EndNotRenewed)
	f9 := old(p9person)
	period(p9, f9, 1, d(2024, 1, 1), rights{})
	period(p9, f9, 2, d(2024, 7, 1), rights{})
	p10 := parcours(p10person, a2, d(2023, 1, 1), p(d(2025, 1, 1)), files.EndMaxDuration)
	f10 := old(p10person)
	for i := range 4 {
		r := rights{}
		if i == 3 {
			r = rights{afisFrom: d(2024, 7, 1), afisCents: 34320}
		}
		period(p10, f10, i+1, files.AddMonths(d(2023, 1, 1), 6*i), r)
	}

	// First requests of 2025 (E9 still under instruction).
	pe1 := person(files.GenderFemale, 1998, "NG")
	pe2 := person(files.GenderFemale, 2001, "NG")
	pe3 := person(files.GenderFemale, 1985, "RO")
	pe4 := person(files.GenderMale, 1990, "BR")
	pe5 := person(files.GenderFemale, 1975, "NG")
	e1 := file(pe1, a1, eng, 0, fav, ok, dates{d(2025, 1, 6), d(2025, 1, 16), d(2025, 2, 10), d(2025, 2, 20), d(2025, 2, 24)})
	e2 := file(pe2, a1, eng, 1, fav, ok, dates{d(2025, 1, 13), d(2025, 1, 20), d(2025, 2, 10), d(2025, 2, 25), d(2025, 3, 3)})
	e3 := file(pe3, a1, eng, 2, fav, ok, dates{d(2025, 5, 5), d(2025, 5, 19), d(2025, 6, 16), d(2025, 6, 23), d(2025, 6, 30)})
	e4 := file(pe4, a1, eng, 0, fav, ok, dates{d(2025, 5, 12), d(2025, 5, 15), d(2025, 6, 16), d(2025, 6, 30), d(2025, 7, 2)})
	e5 := file(pe5, a1, eng, 4, fav, ok, dates{d(2025, 5, 20), d(2025, 6, 2), d(2025, 6, 16), d(2025, 7, 1), d(2025, 7, 4)})
	file(person(files.GenderFemale, 1996, "CM"), a2, eng, 0, fav, no, dates{d(2025, 10, 1), d(2025, 10, 6), d(2025, 11, 3), d(2025, 11, 10), d(2025, 11, 12)})
	file(person(files.GenderFemale, 1994, "CM"), a2, eng, 0, res, no, dates{d(2025, 10, 2), d(2025, 10, 9), d(2025, 11, 3), d(2025, 11, 17), d(2025, 11, 20)})
	file(person(files.GenderFemale, 1992, "CN"), a2, eng, 0, def, no, dates{d(2025, 10, 8), d(2025, 10, 10), d(2025, 11, 3), d(2025, 11, 17), d(2025, 11, 19)})
	file(person(files.GenderFemale, 2000, "NG"), a2, eng, 0, "", "", dates{sub: d(2025, 12, 15)})

	// Renewals and the end request of 2025.
	r1 := file(p6person, a2, ren, 1, fav, ok, dates{d(2025, 5, 2), d(2025, 5, 9), d(2025, 6, 16), d(2025, 6, 23), d(2025, 6, 25)})
	r2 := file(p7person, a2, ren, 0, fav, ok, dates{d(2025, 5, 6), d(2025, 5, 13), d(2025, 6, 16), d(2025, 6, 23), d(2025, 6, 26)})
	r3 := file(p8person, a2, ren, 0, fav, ok, dates{d(2025, 5, 7), d(2025, 5, 21), d(2025, 6, 16), d(2025, 6, 30), d(2025, 7, 1)})
	r4 := file(pe1, a1, ren, 0, fav, ok, dates{d(2025, 10, 1), d(2025, 10, 8), d(2025, 11, 3), d(2025, 11, 10), d(2025, 11, 13)})
	r5 := file(pe2, a1, ren, 2, fav, ok, dates{d(2025, 10, 3), d(2025, 10, 13), d(2025, 11, 3), d(2025, 11, 10), d(2025, 11, 14)})
	r6 := file(p9person, a2, ren, 0, fav, ok, dates{d(2025, 10, 6), d(2025, 10, 10), d(2025, 11, 3), d(2025, 11, 17), d(2025, 11, 18)})
	file(pe5, a1, end, 4, fav, ok, dates{d(2025, 10, 7), d(2025, 10, 14), d(2025, 11, 3), d(2025, 11, 10), d(2025, 11, 12)})

	period(p6, r1, 2, d(2025, 7, 1), rights{aps: true, afisFrom: d(2025, 7, 1), afisCents: 44928})
	period(p7, r2, 2, d(2025, 7, 1), rights{cut: d(2025, 12, 1)})
	period(p8, r3, 2, d(2025, 7, 1), rights{aps: true})
	period(p9, r6, 3, d(2025, 1, 1), rights{})
	pa1 := parcours(pe1, a1, d(2025, 3, 1), nil, "")
	period(pa1, e1, 1, d(2025, 3, 1), rights{afisFrom: d(2025, 3, 1), afisCents: 34320})
	period(pa1, r4, 2, d(2025, 9, 1), rights{afisFrom: d(2025, 9, 1), afisCents: 34320, housing: files.HousingPermanent})
	pa2 := parcours(pe2, a1, d(2025, 3, 1), nil, "")
	period(pa2, e2, 1, d(2025, 3, 1), rights{})
	period(pa2, r5, 2, d(2025, 9, 1), rights{housing: files.HousingShelter})
	pa3 := parcours(pe3, a1, d(2025, 7, 1), nil, "")
	period(pa3, e3, 1, d(2025, 7, 1), rights{aps: true, housing: files.HousingShelter})
	pa4 := parcours(pe4, a1, d(2025, 7, 1), nil, "")
	period(pa4, e4, 1, d(2025, 7, 1), rights{aps: true, housing: files.HousingTemporary})
	pa5 := parcours(pe5, a1, d(2025, 8, 1), p(d(2025, 11, 15)), files.EndBreach)
	period(pa5, e5, 1, d(2025, 8, 1), rights{afisFrom: d(2025, 8, 1), stop: d(2025, 12, 1), afisCents: 76752, cut: d(2025, 11, 15)})
}
