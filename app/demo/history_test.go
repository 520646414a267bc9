package demo_test

import (
	"context"
	"testing"

	"seance/app/demo"
	"seance/app/servertest"
	"seance/models"
	"seance/models/files"
	"seance/models/meetings"
	"seance/models/modelstest"
	"seance/models/stats"
)

// TestDemoHistoryHasRealisticMagnitudes seeds the demo and checks, through the annual
// statistics, that its previous calendar year looks like Haute-Garonne's: about 40
// parcours in progress on 31 December, 6 to 10 sessions held, first requests and
// renewals, refusals, ends, rights, and a population of mostly foreign women.
func TestDemoHistoryHasRealisticMagnitudes(t *testing.T) {
	ctx := context.Background()
	db := modelstest.NewDB(t)
	kr := modelstest.Keyring(t)
	now := modelstest.Epoch()
	s := &demo.Seeder{DB: db, Keys: kr, Now: now, PasswordHash: servertest.PasswordHash(t)}
	if err := demo.Seed(ctx, s); err != nil {
		t.Fatal(err)
	}
	prev := now.Year() - 1
	st, err := stats.ComputeAnnualStats(ctx, db, s.Commission.ID, prev, now)
	if err != nil {
		t.Fatal(err)
	}
	between := func(name string, got, lo, hi int) {
		t.Helper()
		if got < lo || got > hi {
			t.Errorf("%d: %s = %d, want %d to %d", prev, name, got, lo, hi)
		}
	}
	between("parcours in progress on 31 December", st.InProgress(), 30, 50)
	between("sessions held", st.SessionsHeld(), 6, 10)
	between("files sessions held", st.SessionsHeld()-sum(st.Sessions[meetings.MeetingPolicy]), 5, 9)
	between("first requests received", st.Received[files.KindEngagement], 15, 50)
	between("renewals received", st.Received[files.KindRenewal], st.Received[files.KindEngagement]+1, 100)
	between("parcours started", st.Started, 15, 40)
	between("periods renewed", st.Renewed, 25, 90)
	entries := st.Decisions[files.KindEngagement]
	refused := entries[files.DecisionRefused]
	between("first requests refused (per cent)", 100*refused/max(1, refused+entries[files.DecisionAuthorised]), 3, 30)
	between("parcours ended", sum(st.Ended), 5, 40)
	between("reasons of the ends", len(st.Ended), 3, len(files.EndReasons))
	between("AFIS beneficiaries", st.AFISBeneficiaries, 10, 60)
	between("APS granted (first)", st.APSFirst, 5, 40)
	between("housing solutions", sum(st.Housing), 10, 100)
	between("dates of delays measured", st.Delays[stats.DelayCompleteAvis].N, 40, 150)
	att := st.AttendanceTotal()
	between("attendance rate (per cent)", 100*(att.Present+att.Represented)/max(1, att.Seats), 60, 98)

	p := st.InProgressProfile
	between("women in progress (per cent)", 100*p.Gender[files.GenderFemale]/max(1, p.Total), 70, 100)
	between("foreign nationals in progress (per cent)", 100*(p.Total-p.Nationality["FR"])/max(1, p.Total), 70, 100)
	between("nationalities in progress", len(p.Nationality), 5, 20)
	bands := 0
	for _, n := range p.AgeBands[:4] {
		if n > 0 {
			bands++
		}
	}
	between("age bands represented", bands, 4, 4)

	// The year before is a full year of history too.
	older, err := stats.ComputeAnnualStats(ctx, db, s.Commission.ID, prev-1, now)
	if err != nil {
		t.Fatal(err)
	}
	if n := older.SessionsHeld(); n < 6 || n > 10 {
		t.Errorf("%d: sessions held = %d, want 6 to 10", prev-1, n)
	}

	// Identities and proposals of the history are sealed like the others: the
	// secretariat opens the oldest file.
	var first files.File
	if err := db.NewSelect().Model(&first).Where("commission_id = ? AND submitted_at IS NOT NULL", s.Commission.ID).Order("submitted_at ASC").Limit(1).Scan(ctx); err != nil {
		t.Fatal(err)
	}
	if first.SubmittedAt.Year() != prev-2 {
		t.Errorf("oldest demo file submitted %s, want in %d", first.SubmittedAt, prev-2)
	}
	sec := s.Users[demo.EmailSecretariat]
	if id, err := files.RevealIdentity(ctx, db, kr, sec, first.ID, now); err != nil || id.LastName == "" {
		t.Errorf("RevealIdentity(%s) = %v, %v; want the fictitious identity", first.Reference, id, err)
	}
	if _, err := files.FileProposal(ctx, db, kr, sec, first.ID, now); err != nil {
		t.Errorf("FileProposal(%s) error = %v", first.Reference, err)
	}
	if rep, err := models.VerifyAuditChain(ctx, db); err != nil || !rep.OK {
		t.Errorf("audit chain = %+v, %v", rep, err)
	}
}

func sum[K comparable](m map[K]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}
