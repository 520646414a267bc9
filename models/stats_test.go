package models_test

import (
	"context"
	"fmt"
	"reflect"
	"testing"
	"time"

	"seance/models"
	"seance/models/files"
	"seance/models/meetings"
	"seance/models/modelstest"
	"seance/models/registry"
	"seance/models/stats"
)

// The expected values below are counted by hand from modelstest.StatsFixture.
func TestRule14_ComputeAnnualStats(t *testing.T) {
	db := modelstest.NewDB(t)
	c := modelstest.Commission(t, db, "31")
	modelstest.StatsFixture(t, db, c)
	other := modelstest.Commission(t, db, "09") // another commission's data never leaks in
	modelstest.StatsFixture(t, db, other)

	s, err := stats.ComputeAnnualStats(context.Background(), db, c.ID, 2025, modelstest.StatsNow)
	if err != nil {
		t.Fatal(err)
	}
	check := func(name string, got, want any) {
		t.Helper()
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s = %v, want %v", name, got, want)
		}
	}
	check("Complete", s.Complete, true)
	check("RefDate", s.RefDate, modelstest.Date(2025, 12, 31))
	check("MinCellSize", s.MinCellSize, 5)

	// Sessions: M1 files/onsite, M2 files/remote (urgent), M3 policy/onsite, M4 files/written
	// (second convocation of M2); M5 cancelled and M0 of 2024 left out.
	check("Sessions", s.Sessions, map[meetings.MeetingKind]map[meetings.MeetingMode]int{
		meetings.MeetingPolicy: {meetings.ModeOnSite: 1},
		meetings.MeetingFiles:  {meetings.ModeOnSite: 1, meetings.ModeRemote: 1, meetings.ModeWritten: 1},
	})
	check("SessionsHeld", s.SessionsHeld(), 4)
	check("UrgentConvocations", s.UrgentConvocations, 1)
	check("SecondConvocations", s.SecondConvocations, 1)
	check("Attendance", s.Attendance, []stats.AttendanceCount{
		{Category: registry.CategoryDDETS, Seats: 2, Present: 2, Represented: 0, Substitutes: 1},
		{Category: registry.CategoryDoctor, Seats: 2, Present: 0, Represented: 0, Substitutes: 0},
		{Category: registry.CategoryAssociation, Seats: 2, Present: 1, Represented: 1, Substitutes: 0},
	})
	check("CastingVotes", s.CastingVotes, 1)
	check("Dissents", s.Dissents, 2)

	// Files: E1–E9, R1–R6 and X1 submitted in 2025; E9 not examined yet.
	check("Received", s.Received, map[files.FileKind]int{files.KindEngagement: 9, files.KindRenewal: 6, files.KindEnd: 1})
	check("Avis", s.Avis, map[files.FileKind]map[files.Avis]int{
		files.KindEngagement: {files.AvisFavorable: 6, files.AvisReserve: 1, files.AvisDefavorable: 1},
		files.KindRenewal:    {files.AvisFavorable: 6},
		files.KindEnd:        {files.AvisFavorable: 1},
	})
	check("Decisions", s.Decisions, map[files.FileKind]map[files.DecisionOutcome]int{
		files.KindEngagement: {files.DecisionAuthorised: 5, files.DecisionRefused: 3},
		files.KindRenewal:    {files.DecisionAuthorised: 6},
		files.KindEnd:        {files.DecisionAuthorised: 1},
	})
	// Delays over 15 files each (sorted values in the comments).
	check("Delays", s.Delays, [stats.DelayCount]stats.Delay{
		{N: 15, Median: 7, P90: 14},  // 2 3 4 5 7 7 7 7 7 7 10 10 13 14 14
		{N: 15, Median: 25, P90: 34}, // 14 20 21 21 24 24 25 25 26 26 28 28 32 34 38
		{N: 15, Median: 10, P90: 15}, // 7×7 10 14×5 15 15
		{N: 15, Median: 3, P90: 6},   // 1 1 2 2 2 2 2 3 3 3 3 4 4 6 7
	})

	// Parcours: P1–P5 started; P6, P7, P8 (July), P1, P2 (September) and P9 (January)
	// renewed; P7, P9, P5, P10 ended; P6, P8, P1, P2, P3, P4 in progress on 31/12.
	check("Started", s.Started, 5)
	check("Renewed", s.Renewed, 6)
	check("Ended", s.Ended, map[files.EndReason]int{files.EndLeft: 1, files.EndNotRenewed: 1, files.EndBreach: 1, files.EndMaxDuration: 1})
	check("InProgress", s.InProgress(), 6)
	check("DurationBands", s.DurationBands, [stats.DurationBandCount]int{2, 4, 0, 0})

	check("StartedProfile", s.StartedProfile, stats.Profile{
		Total: 5, Gender: map[files.Gender]int{files.GenderFemale: 4, files.GenderMale: 1},
		AgeBands: [stats.AgeBandCount]int{1, 1, 2, 1, 0}, Nationality: map[string]int{"NG": 3, "RO": 1, "BR": 1},
		Children: [stats.ChildrenBandCount]int{2, 1, 1, 1},
	})
	check("InProgressProfile", s.InProgressProfile, stats.Profile{
		Total: 6, Gender: map[files.Gender]int{files.GenderFemale: 4, files.GenderMale: 1, files.GenderOther: 1},
		AgeBands: [stats.AgeBandCount]int{1, 2, 2, 1, 0}, Nationality: map[string]int{"NG": 3, "RO": 1, "BR": 1, "CN": 1},
		Children: [stats.ChildrenBandCount]int{3, 1, 2, 0},
	})
	check("TopNationalities", stats.TopNationalities(10, s.StartedProfile, s.InProgressProfile), []string{"NG", "BR", "RO", "CN"})

	// Rights: APS first for P3, P4, P8, renewed for P6. AFIS: P1 6 + 4 months at 343,20 €,
	// P5 4 months at 767,52 €, P6 6 months at 449,28 €.
	check("APSFirst", s.APSFirst, 3)
	check("APSRenewed", s.APSRenewed, 1)
	check("AFISBeneficiaries", s.AFISBeneficiaries, 3)
	check("AFISMonths", s.AFISMonths, 20)
	check("AFISCents", s.AFISCents, int64(919776))
	check("Housing", s.Housing, map[files.Housing]int{files.HousingShelter: 2, files.HousingTemporary: 1, files.HousingPermanent: 1})

	if len(s.Associations) != 2 {
		t.Fatalf("Associations = %+v, want 2", s.Associations)
	}
	for i, want := range []stats.AssociationStats{
		{Name: "Amicale du Nid 31", Submitted: 8, Favourable: 8, Unfavourable: 0, Followed: 5},
		{Name: "Association Olympe", Submitted: 8, Favourable: 6, Unfavourable: 1, Followed: 5},
	} {
		want.ID = s.Associations[i].ID
		check("Associations["+want.Name+"]", s.Associations[i], want)
	}

	check("Monthly", s.Monthly, [12]stats.MonthStats{
		0:  {Received: 2},
		1:  {Favourable: 2, Authorised: 2},
		2:  {Started: 2},
		4:  {Received: 6},
		5:  {Favourable: 6, Authorised: 5},
		6:  {Authorised: 1, Started: 2},
		7:  {Started: 1},
		9:  {Received: 7},
		10: {Favourable: 6, Unfav: 1, Authorised: 4, Refused: 3},
		11: {Received: 1},
	})

	years, err := stats.StatsYears(context.Background(), db, c.ID, modelstest.StatsNow)
	if err != nil {
		t.Fatal(err)
	}
	check("StatsYears", years, []int{2026, 2025, 2024, 2023})
}

// The current year is provisional and counts "in progress" on the day.
func TestRule14_ComputeAnnualStatsCurrentYear(t *testing.T) {
	db := modelstest.NewDB(t)
	c := modelstest.Commission(t, db, "31")
	modelstest.StatsFixture(t, db, c)
	s, err := stats.ComputeAnnualStats(context.Background(), db, c.ID, 2025, modelstest.Date(2025, 8, 15))
	if err != nil {
		t.Fatal(err)
	}
	if s.Complete || !s.RefDate.Equal(modelstest.Date(2025, 8, 15)) {
		t.Errorf("Complete, RefDate = %v, %v, want false, 2025-08-15", s.Complete, s.RefDate)
	}
	// On 15/08/2025: P6, P7, P8 (second period from July), P1, P2, P3, P4 and P5.
	if s.InProgress() != 8 {
		t.Errorf("InProgress on 15/08/2025 = %d, want 8", s.InProgress())
	}
}

// TestRule14_NationalitiesNamedInFrench: the report names nationalities as the
// prefecture reads them, not by their ISO code alone.
func TestRule14_NationalitiesNamedInFrench(t *testing.T) {
	for code, want := range map[string]string{"NG": "Nigeria", "CI": "Côte d'Ivoire", "RO": "Roumanie", "CN": "Chine", files.NationalityUnknown: "Inconnue ou apatride", "ZZ": "ZZ"} {
		if got := files.CountryName(code); got != want {
			t.Errorf("CountryName(%q) = %q, want %q", code, got, want)
		}
	}
}

// TestRule14_DelaysFromTheFirstTimeFoundComplete: a file found complete twice (complete,
// then incomplete again, then complete) counts from the first time: its "submitted →
// complete" delay belongs to the year of the first, and its "complete → avis" delay runs
// from it; a file never found complete has no "complete → avis" delay.
func TestRule14_DelaysFromTheFirstTimeFoundComplete(t *testing.T) {
	db := modelstest.NewDB(t)
	c := modelstest.Commission(t, db, "31")
	a := modelstest.Association(t, db, c, "Association Olympe", "31", modelstest.Date(2022, 1, 1))
	u := modelstest.User(t, db, c, models.RoleAssociation, a)
	d := modelstest.Date
	file := func(seq int, submitted, avis time.Time, complete ...time.Time) {
		t.Helper()
		pe := &files.Person{CommissionID: c.ID, IdentitySealed: "sealed", Gender: "F", BirthYear: 1990, Nationality: "NG", CreatedAt: submitted, UpdatedAt: submitted}
		if _, err := db.NewInsert().Model(pe).Exec(ctx); err != nil {
			t.Fatal(err)
		}
		f := &files.File{CommissionID: c.ID, Reference: fmt.Sprintf("31-2025-%04d", seq), Year: 2025, Seq: seq, PersonID: pe.ID, AssociationID: a.ID,
			Kind: files.KindEngagement, State: files.StateExamined, HousingNeed: files.HousingNone, AssociationAvis: files.AvisFavorable,
			ProposalSealed: "sealed", CreatedBy: u.ID, CreatedAt: submitted, SubmittedAt: &submitted, UpdatedAt: submitted,
			CommissionAvis: files.AvisFavorable, AvisOn: &avis}
		if _, err := db.NewInsert().Model(f).Exec(ctx); err != nil {
			t.Fatal(err)
		}
		for _, at := range complete {
			e := &files.FileEvent{CommissionID: c.ID, FileID: f.ID, At: at.Add(10 * time.Hour), ActorID: u.ID, ActorLabel: "test",
				Action: "admissible", FromState: files.StateSubmitted, ToState: files.StateAdmissible, Details: "{}"}
			if _, err := db.NewInsert().Model(e).Exec(ctx); err != nil {
				t.Fatal(err)
			}
		}
	}
	file(1, d(2024, 11, 1), d(2025, 3, 1), d(2024, 12, 10), d(2025, 2, 1)) // complete in 2024 (39 days), again in 2025; avis 81 days after the first
	file(2, d(2025, 1, 5), d(2025, 3, 15), d(2025, 2, 15), d(2025, 1, 15)) // complete on 15/01 (10 days), again on 15/02; avis 59 days after the first
	file(3, d(2025, 1, 6), d(2025, 3, 20))                                 // never found complete
	for year, want := range map[int][2]stats.Delay{
		2024: {{N: 1, Median: 39, P90: 39}, {}},
		2025: {{N: 1, Median: 10, P90: 10}, {N: 2, Median: 70, P90: 81}},
	} {
		s, err := stats.ComputeAnnualStats(ctx, db, c.ID, year, modelstest.StatsNow)
		if err != nil {
			t.Fatal(err)
		}
		if got := [2]stats.Delay{s.Delays[stats.DelaySubmittedComplete], s.Delays[stats.DelayCompleteAvis]}; got != want {
			t.Errorf("%d: submitted → complete, complete → avis = %+v, want %+v", year, got, want)
		}
	}
}
