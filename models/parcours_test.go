package models_test

import (
	"testing"
	"time"

	"seance/models"
	"seance/models/files"
	"seance/models/modelstest"
)

// TestRule9_CumulativeCapOf24MonthsAcrossAnInterruption builds a parcours with a suspension
// (an interruption) and renewals until 24 months of rights, and checks that only periods
// with rights count, that the last period is shortened to stay within 24 months, and that
// a further renewal is refused at submission already with a French message.
func TestRule9_CumulativeCapOf24MonthsAcrossAnInterruption(t *testing.T) {
	w := newWorld(t)
	entry := w.request(t, modelstest.CompleteInput(files.KindEngagement, modelstest.Person("Plafond", "Dora", 1992), 0), files.DecisionAuthorised, date(2024, 1, 10))
	pid := *entry.ParcoursID
	// Suspended, notified on 20 March: the first period counts 3 started months.
	w.request(t, modelstest.CompleteInput(files.KindSuspension, nil, pid), files.DecisionAuthorised, date(2024, 3, 20))
	p := w.parcours(t, entry, date(2024, 4, 1))
	if p.Status != files.ParcoursSuspended || p.CumulativeMonths != 3 {
		t.Fatalf("after suspension: status %s, %d months; want suspended, 3", p.Status, p.CumulativeMonths)
	}
	steps := []struct {
		on        time.Time
		wantStart time.Time
		wantMonth int
	}{
		{date(2024, 9, 1), date(2024, 9, 1), 9},  // resumes with the authorisation, after the gap
		{date(2025, 2, 3), date(2025, 3, 1), 15}, // follows the current period
		{date(2025, 8, 4), date(2025, 9, 1), 21}, // idem
		{date(2026, 2, 2), date(2026, 3, 1), 24}, // only 3 months remain: the period is shortened
	}
	for _, st := range steps {
		f := w.request(t, modelstest.CompleteInput(files.KindRenewal, nil, pid), files.DecisionAuthorised, st.on)
		p = w.parcours(t, entry, st.on)
		last := p.LastPeriod()
		if last.FileID != f.ID || !last.StartsOn.Equal(st.wantStart) || p.CumulativeMonths != st.wantMonth {
			t.Fatalf("renewal of %s: period from %s, cumulative %d; want from %s, %d",
				st.on.Format(time.DateOnly), last.StartsOn.Format(time.DateOnly), p.CumulativeMonths, st.wantStart.Format(time.DateOnly), st.wantMonth)
		}
	}
	if last := p.LastPeriod(); last.Months != 3 || !last.EndsOn.Equal(date(2026, 6, 1)) {
		t.Fatalf("last period: %d months to %s, want 3 months to 2026-06-01", last.Months, last.EndsOn.Format(time.DateOnly))
	}
	// 29 calendar months after the start, 24 months of rights: a new renewal is refused at submission.
	at := date(2026, 4, 15)
	f := w.create(t, modelstest.CompleteInput(files.KindRenewal, nil, pid), at)
	err := files.Transition(w.ctx, w.db, w.kr, w.users["association"], f.ID, files.StateSubmitted, files.TransitionInput{}, at)
	wantRefusal(t, err, models.FormLevel, "24 mois")
	if got := w.file(t, f.ID).State; got != files.StateDraft {
		t.Fatalf("refused renewal is %s, want still a draft", got)
	}
}

// TestRule9_NewEntryCountsEarlierParcours checks that a new entry of a person whose earlier
// parcours ended counts the earlier periods, and is refused once they reach 24 months.
func TestRule9_NewEntryCountsEarlierParcours(t *testing.T) {
	w := newWorld(t)
	entry := w.request(t, modelstest.CompleteInput(files.KindEngagement, modelstest.Person("Retour", "Eve", 1988), 0), files.DecisionAuthorised, date(2024, 1, 8))
	pid := *entry.ParcoursID
	w.request(t, modelstest.CompleteInput(files.KindRenewal, nil, pid), files.DecisionAuthorised, date(2024, 6, 3))
	if err := files.EndParcours(w.ctx, w.db, w.users["secretariat"], pid, files.EndLeft, date(2024, 9, 1), date(2024, 9, 2)); err != nil {
		t.Fatal(err)
	}
	p := w.parcours(t, entry, date(2024, 9, 2))
	if p.Status != files.ParcoursEnded || p.CumulativeMonths != 8 {
		t.Fatalf("ended parcours: %s, %d months; want ended, 8 (6 + 2 started months)", p.Status, p.CumulativeMonths)
	}
	in := modelstest.CompleteInput(files.KindEngagement, nil, 0)
	in.PersonID = entry.PersonID
	again := w.request(t, in, files.DecisionAuthorised, date(2025, 1, 6))
	p2 := w.parcours(t, again, date(2025, 1, 6))
	if p2.ID == pid || p2.LastPeriod().Months != 6 {
		t.Fatalf("new entry: parcours %d with a %d-month period, want a new parcours of 6 months", p2.ID, p2.LastPeriod().Months)
	}
	months, err := files.PersonCumulativeMonths(w.ctx, w.db, entry.PersonID)
	if err != nil || months != 14 {
		t.Fatalf("PersonCumulativeMonths = %d, %v; want 14", months, err)
	}
	// An entry while a parcours is open is refused.
	_, err = files.CreateFile(w.ctx, w.db, w.kr, w.users["association"], in, date(2025, 2, 3))
	wantRefusal(t, err, models.FormLevel, "renouvellement")
}

// TestRule8_RenewalDueDateIsTheEndOfTheCurrentPeriod checks due dates, month-end
// clamping, contiguous renewals and the list the agenda builder uses.
func TestRule8_RenewalDueDateIsTheEndOfTheCurrentPeriod(t *testing.T) {
	w := newWorld(t)
	a := w.request(t, modelstest.CompleteInput(files.KindEngagement, modelstest.Person("Echeance", "Flo", 1991), 0), files.DecisionAuthorised, date(2025, 8, 31))
	b := w.request(t, modelstest.CompleteInput(files.KindEngagement, modelstest.Person("Echeance", "Gus", 1993), 0), files.DecisionAuthorised, date(2025, 10, 15))
	pa := w.parcours(t, a, date(2025, 9, 1))
	if !pa.RenewalDueOn.Equal(date(2026, 2, 28)) {
		t.Fatalf("due date of a period from 31 August = %s, want 2026-02-28", pa.RenewalDueOn.Format(time.DateOnly))
	}
	now := date(2026, 1, 20)
	due, err := files.RenewalsDue(w.ctx, w.db, w.c.ID, now.AddDate(0, 2, 0), now)
	if err != nil {
		t.Fatal(err)
	}
	if len(due) != 1 || due[0].ID != *a.ParcoursID {
		t.Fatalf("RenewalsDue within 2 months = %+v, want only parcours of %s", due, a.Reference)
	}
	// A renewal under way is shown with the parcours, then extends it by 6 months.
	r := w.create(t, modelstest.CompleteInput(files.KindRenewal, nil, *a.ParcoursID), now)
	w.driveTo(t, r.ID, files.StateAdmissible, "", now)
	due, err = files.RenewalsDue(w.ctx, w.db, w.c.ID, now.AddDate(0, 2, 0), now)
	if err != nil || len(due) != 1 || due[0].PendingFile != r.Reference || due[0].PendingFileState != files.StateAdmissible {
		t.Fatalf("RenewalsDue = %+v, %v; want the pending renewal %s", due, err, r.Reference)
	}
	w.driveTo(t, r.ID, files.StateDecided, files.DecisionAuthorised, date(2026, 2, 10))
	pa = w.parcours(t, a, date(2026, 2, 10))
	if !pa.RenewalDueOn.Equal(date(2026, 8, 28)) || pa.CumulativeMonths != 12 {
		t.Fatalf("after renewal: due %s, %d months; want 2026-08-28, 12", pa.RenewalDueOn.Format(time.DateOnly), pa.CumulativeMonths)
	}
	pb := w.parcours(t, b, now)
	if !pb.RenewalDueOn.Equal(date(2026, 4, 15)) || pb.Status != files.ParcoursActive {
		t.Fatalf("second parcours due %s (%s), want 2026-04-15, active", pb.RenewalDueOn.Format(time.DateOnly), pb.Status)
	}
	lapsed, err := files.FindParcours(w.ctx, w.db, w.users["association"], *b.ParcoursID, date(2026, 4, 16))
	if err != nil || lapsed.Status != files.ParcoursLapsed {
		t.Fatalf("status after the due date = %v, %v; want lapsed", lapsed, err)
	}
}

// TestRule10_DecisionNotificationAndObservationsBeforeRightsEnd checks that a refused
// renewal and an end need the observations step and the notification to the person, and
// what they do to the parcours and its AFIS.
func TestRule10_DecisionNotificationAndObservationsBeforeRightsEnd(t *testing.T) {
	w := newWorld(t)
	entry := w.request(t, modelstest.CompleteInput(files.KindEngagement, modelstest.Person("Fin", "Hana", 1990), 0), files.DecisionAuthorised, date(2025, 9, 1))
	pid := *entry.ParcoursID
	if !entry.NotifiedPersonOn.Equal(date(2025, 9, 1)) || !entry.NotifiedAssociationOn.Equal(date(2025, 9, 1)) {
		t.Fatalf("entry notifications = %v, %v", entry.NotifiedPersonOn, entry.NotifiedAssociationOn)
	}
	at := date(2026, 1, 12)
	r := w.create(t, modelstest.CompleteInput(files.KindRenewal, nil, pid), at)
	w.driveTo(t, r.ID, files.StateExamined, "", at)
	noObs := files.TransitionInput{Decision: files.Decision{Outcome: files.DecisionRefused, DecidedOn: at}}
	err := files.Transition(w.ctx, w.db, w.kr, w.users["secretariat"], r.ID, files.StateDecided, noObs, at)
	wantRefusal(t, err, "observations", "observations")
	wantRefusal(t, err, "notified_person_on", "notification")
	if err := files.RecordObservations(w.ctx, w.db, w.users["association"], r.ID,
		files.Observations{InvitedOn: date(2026, 1, 5), Means: files.ObservationsMeeting, ReceivedOn: date(2026, 1, 9)}, at); err != nil {
		t.Fatal(err)
	}
	refused := noObs
	refused.Decision.NotifiedPersonOn = date(2026, 1, 12)
	if err := files.Transition(w.ctx, w.db, w.kr, w.users["secretariat"], r.ID, files.StateDecided, refused, at); err != nil {
		t.Fatal(err)
	}
	p := w.parcours(t, entry, at)
	if p.EndedOn == nil || !p.EndedOn.Equal(date(2026, 3, 1)) || p.EndReason != files.EndNotRenewed {
		t.Fatalf("refused renewal: parcours ends %v (%s), want 2026-03-01, not renewed", p.EndedOn, p.EndReason)
	}
	if err := files.RecordNotification(w.ctx, w.db, w.users["secretariat"], r.ID, time.Time{}, date(2026, 1, 13), date(2026, 1, 13)); err != nil {
		t.Fatal(err)
	}
	if f := w.file(t, r.ID); f.NotifiedAssociationOn == nil || !f.NotifiedAssociationOn.Equal(date(2026, 1, 13)) {
		t.Fatalf("association notification = %v", f.NotifiedAssociationOn)
	}
	if err := files.RecordAppeal(w.ctx, w.db, w.users["secretariat"], r.ID, date(2026, 2, 2), "Recours au tribunal administratif", date(2026, 2, 3)); err != nil {
		t.Fatal(err)
	}

	// An end for commitments not kept, with AFIS: rights end at notification, AFIS from the next month.
	in := modelstest.CompleteInput(files.KindEngagement, modelstest.Person("Fin", "Ines", 1994), 0)
	in.Children = 2
	entry2 := w.create(t, in, date(2025, 11, 3))
	w.driveTo(t, entry2.ID, files.StateExamined, "", date(2025, 11, 3))
	dec := inputFor(files.StateDecided, files.DecisionAuthorised, date(2025, 11, 3))
	dec.Decision.AFISGranted = true
	w.move(t, "secretariat", entry2.ID, files.StateDecided, dec, date(2025, 11, 3))
	entry2 = w.file(t, entry2.ID)
	end := w.create(t, modelstest.CompleteInput(files.KindEnd, nil, *entry2.ParcoursID), date(2026, 1, 5))
	w.driveTo(t, end.ID, files.StateExamined, "", date(2026, 1, 5))
	err = files.Transition(w.ctx, w.db, w.kr, w.users["secretariat"], end.ID, files.StateDecided, inputFor(files.StateDecided, files.DecisionAuthorised, date(2026, 1, 20)), date(2026, 1, 20))
	wantRefusal(t, err, "observations", "observations")
	w.driveTo(t, end.ID, files.StateDecided, files.DecisionAuthorised, date(2026, 1, 20))
	p2 := w.parcours(t, entry2, date(2026, 1, 21))
	per := p2.LastPeriod()
	if p2.Status != files.ParcoursEnded || p2.EndReason != files.EndBreach || per.CutOn == nil || !per.CutOn.Equal(date(2026, 1, 20)) {
		t.Fatalf("ended parcours: %s (%s), period cut %v", p2.Status, p2.EndReason, per.CutOn)
	}
	if !per.AFISGranted || per.AFISMonthlyCents != 55536 || per.AFISStoppedFrom == nil || !per.AFISStoppedFrom.Equal(date(2026, 2, 1)) {
		t.Fatalf("AFIS of the ended period: granted %v, %d cents, stopped from %v; want 555,36 € stopped from 2026-02-01",
			per.AFISGranted, per.AFISMonthlyCents, per.AFISStoppedFrom)
	}
	if p2.CumulativeMonths != 3 {
		t.Fatalf("cumulative months = %d, want 3 (3 Nov → 20 Jan)", p2.CumulativeMonths)
	}
	err = files.EndParcours(w.ctx, w.db, w.users["secretariat"], pid, files.EndBreach, at, at)
	wantRefusal(t, err, "reason", "observations")
}

// TestRule13_OnlyAssociationsWithCurrentAgrementCreateAndSubmit checks the approval at
// creation and again at submission.
func TestRule13_OnlyAssociationsWithCurrentAgrementCreateAndSubmit(t *testing.T) {
	w := newWorld(t)
	elsewhere := modelstest.Association(t, w.db, w.c, "Association d'ailleurs", "82", date(2024, 1, 1))
	u := modelstest.User(t, w.db, w.c, models.RoleAssociation, elsewhere)
	in := modelstest.CompleteInput(files.KindEngagement, modelstest.Person("Agrement", "Jo", 1990), 0)
	_, err := files.CreateFile(w.ctx, w.db, w.kr, u, in, date(2025, 1, 6))
	wantRefusal(t, err, models.FormLevel, "agrément")
	// Association 1 is approved until 1 December 2026: a draft of November cannot be submitted in December.
	f := w.create(t, in, date(2026, 11, 30))
	err = files.Transition(w.ctx, w.db, w.kr, w.users["association"], f.ID, files.StateSubmitted, files.TransitionInput{}, date(2026, 12, 1))
	wantRefusal(t, err, models.FormLevel, "agrément")
	_, err = files.CreateFile(w.ctx, w.db, w.kr, w.users["member"], in, date(2025, 1, 6))
	wantRefusal(t, err, models.FormLevel, "association agréée")
}

// TestUpdatePeriodRights records APS, AFIS and housing on a period.
func TestUpdatePeriodRights(t *testing.T) {
	w := newWorld(t)
	entry := w.request(t, modelstest.CompleteInput(files.KindEngagement, modelstest.Person("Droits", "Kim", 1990), 0), files.DecisionAuthorised, date(2026, 1, 5))
	p := w.parcours(t, entry, date(2026, 1, 5))
	per := p.LastPeriod()
	if !per.APSRequested || per.AFISGranted || per.HousingNeed != files.HousingShelter {
		t.Fatalf("initial rights = %+v", per)
	}
	r := files.PeriodRights{APSGranted: true, APSFrom: date(2026, 1, 20), APSUntil: date(2026, 7, 20), AFISGranted: true, AFISChildren: 3,
		AFISFrom: date(2026, 2, 1), HousingProvided: files.HousingTemporary}
	if err := files.UpdatePeriodRights(w.ctx, w.db, w.users["association"], per.ID, r, date(2026, 2, 1)); !isNotFound(err) {
		t.Fatalf("UpdatePeriodRights by the association error = %v, want ErrNotFound", err)
	}
	bad := r
	bad.AFISFrom = date(2026, 2, 3)
	wantRefusal(t, files.UpdatePeriodRights(w.ctx, w.db, w.users["secretariat"], per.ID, bad, date(2026, 2, 1)), "afis_from", "1er du mois")
	if err := files.UpdatePeriodRights(w.ctx, w.db, w.users["secretariat"], per.ID, r, date(2026, 2, 1)); err != nil {
		t.Fatal(err)
	}
	per = w.parcours(t, entry, date(2026, 2, 1)).LastPeriod()
	if !per.APSGranted || per.AFISMonthlyCents != 66144 || per.HousingProvided != files.HousingTemporary {
		t.Fatalf("rights = %+v, want APS, AFIS 661,44 €, temporary housing", per)
	}
	if _, err := files.FindParcours(w.ctx, w.db, w.users["member"], p.ID, date(2026, 2, 1)); !isNotFound(err) {
		t.Fatalf("FindParcours by a member error = %v, want ErrNotFound", err)
	}
}
