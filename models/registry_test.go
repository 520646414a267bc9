package models_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"seance/models"
	"seance/models/modelstest"
	"seance/models/registry"
)

var (
	ctx    = context.Background()
	tester = models.SystemActor("test")
	start  = modelstest.Date(2025, 9, 15)
)

// fieldErrors returns the message err, a refusal, gives for the form field key
// (models.FormLevel for the action as a whole).
func fieldErrors(t *testing.T, err error, key string) string {
	t.Helper()
	fe, ok := models.AsFieldErrors(err)
	if !ok {
		t.Fatalf("error = %v, want a refusal with a message for %q", err, key)
	}
	msg, ok := fe[key]
	if !ok {
		t.Fatalf("refusal %v has no message for %q", fe, key)
	}
	return msg
}

func TestRule2_SuppleantOnlyForOwnTitulaire(t *testing.T) {
	db := modelstest.NewDB(t)
	c := modelstest.Commission(t, db, "31")
	a := modelstest.Seat(t, db, c.ID, registry.CategoryDDETS, "Directrice")
	b := modelstest.Seat(t, db, c.ID, registry.CategoryDDSP, "Directeur")
	titA := modelstest.Appoint(t, db, a, registry.MandateTitulaire, "tit.a@example.org", start).User
	supA := modelstest.Appoint(t, db, a, registry.MandateSuppleant, "sup.a@example.org", start).User
	titB := modelstest.Appoint(t, db, b, registry.MandateTitulaire, "tit.b@example.org", start).User
	supB := modelstest.Appoint(t, db, b, registry.MandateSuppleant, "sup.b@example.org", start).User
	on := modelstest.Date(2026, 1, 10)

	for _, tt := range []struct {
		name                 string
		suppleant, titulaire int64
		on                   time.Time
		want                 bool
	}{
		{"own titulaire", supA.ID, titA.ID, on, true},
		{"other seat's titulaire", supA.ID, titB.ID, on, false},
		{"other seat's suppléant for own titulaire", supB.ID, titA.ID, on, false},
		{"a titulaire is no suppléant", titB.ID, titA.ID, on, false},
		{"a suppléant does not replace a suppléant", supA.ID, supA.ID, on, false},
		{"before the term", supA.ID, titA.ID, start.AddDate(0, 0, -1), false},
		{"after the term", supA.ID, titA.ID, start.AddDate(3, 0, 0), false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := registry.CanSubstitute(ctx, db, c.ID, tt.suppleant, tt.titulaire, tt.on)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("CanSubstitute = %v, want %v", got, tt.want)
			}
		})
	}

	// Another commission never sees these persons.
	other := modelstest.Commission(t, db, "09")
	if got, err := registry.CanSubstitute(ctx, db, other.ID, supA.ID, titA.ID, on); err != nil || got {
		t.Errorf("CanSubstitute in another commission = %v, %v; want false, nil", got, err)
	}

	// Once the titulaire is replaced, the suppléant substitutes for the successor only.
	seatOfA, err := registry.SeatOf(ctx, db, c.ID, titA.ID, on)
	if err != nil {
		t.Fatal(err)
	}
	if seatOfA.SeatID != a.ID || seatOfA.Kind != registry.MandateTitulaire {
		t.Fatalf("SeatOf(titulaire A) = seat %d %s, want seat %d titulaire", seatOfA.SeatID, seatOfA.Kind, a.ID)
	}
	change := modelstest.Date(2026, 3, 1)
	res, err := registry.ReplaceMember(ctx, db, tester, c.ID, seatOfA.ID, registry.Appointment{
		Email: "tit.a2@example.org", Name: "Successeur", StartsOn: change, ArreteRef: "arrêté 2026-03",
	}, change)
	if err != nil {
		t.Fatal(err)
	}
	after := change.AddDate(0, 1, 0)
	if ok, _ := registry.CanSubstitute(ctx, db, c.ID, supA.ID, res.User.ID, after); !ok {
		t.Error("CanSubstitute(suppléant A, new titulaire A) = false, want true")
	}
	if ok, _ := registry.CanSubstitute(ctx, db, c.ID, supA.ID, titA.ID, after); ok {
		t.Error("CanSubstitute(suppléant A, replaced titulaire) = true, want false")
	}
}

func TestRule1_ReplacementKeepsMandateHistory(t *testing.T) {
	db := modelstest.NewDB(t)
	c := modelstest.Commission(t, db, "31")
	seat := modelstest.Seat(t, db, c.ID, registry.CategoryGendarmerie, "Commandant du groupement")
	first := modelstest.Appoint(t, db, seat, registry.MandateTitulaire, "colonel1@example.org", start)
	change := modelstest.Date(2026, 8, 1)

	_, err := registry.ReplaceMember(ctx, db, tester, c.ID, first.Mandate.ID, registry.Appointment{
		Email: "colonel2@example.org", Name: "Colonelle B", StartsOn: change, TermEndsOn: change.AddDate(3, 0, -1), ArreteRef: "a",
	}, change)
	if msg := fieldErrors(t, err, "term_ends_on"); !strings.Contains(msg, "R133-4") {
		t.Errorf("replacement with a new full term: message %q, want a mention of R133-4", msg)
	}
	res, err := registry.ReplaceMember(ctx, db, tester, c.ID, first.Mandate.ID, registry.Appointment{
		Email: "colonel2@example.org", Name: "Colonelle B", StartsOn: change, ArreteRef: "arrêté n° 31-2026-08-01-002",
	}, change)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Mandate.TermEndsOn.Equal(first.Mandate.TermEndsOn) {
		t.Errorf("successor's term ends %v, want the remaining term %v (R133-4)", res.Mandate.TermEndsOn, first.Mandate.TermEndsOn)
	}
	if res.Mandate.ReplacesID == nil || *res.Mandate.ReplacesID != first.Mandate.ID {
		t.Errorf("successor ReplacesID = %v, want %d", res.Mandate.ReplacesID, first.Mandate.ID)
	}

	hist, err := registry.SeatHistory(ctx, db, c.ID, seat.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(hist) != 2 {
		t.Fatalf("SeatHistory has %d mandates, want 2", len(hist))
	}
	old := hist[0]
	if old.User.Email != "colonel1@example.org" || old.EndedOn == nil || !old.EndedOn.Equal(change.AddDate(0, 0, -1)) || old.EndReason != registry.MandateReplaced {
		t.Errorf("old mandate = %s ended %v (%s), want colonel1 ended the day before %v, replaced", old.User.Email, old.EndedOn, old.EndReason, change)
	}
	if _, err := registry.SeatOf(ctx, db, c.ID, first.User.ID, change); err != models.ErrNotFound {
		t.Errorf("SeatOf(replaced member, after) error = %v, want ErrNotFound", err)
	}
	if m, err := registry.SeatOf(ctx, db, c.ID, first.User.ID, change.AddDate(0, 0, -1)); err != nil || m.SeatID != seat.ID {
		t.Errorf("SeatOf(replaced member, last day) = %v, %v; want the seat", m, err)
	}
	// The replaced mandate cannot be replaced or ended again.
	_, err = registry.ReplaceMember(ctx, db, tester, c.ID, first.Mandate.ID, registry.Appointment{Email: "x@example.org", Name: "X", StartsOn: change.AddDate(0, 1, 0), ArreteRef: "a"}, change)
	fieldErrors(t, err, models.FormLevel)
	err = registry.EndMandate(ctx, db, tester, c.ID, first.Mandate.ID, change, registry.MandateLeft, modelstest.Epoch())
	fieldErrors(t, err, models.FormLevel)

	// A member who leaves without successor leaves the seat vacant; history stays.
	if err := registry.EndMandate(ctx, db, tester, c.ID, res.Mandate.ID, modelstest.Date(2027, 1, 31), registry.MandateLeft, modelstest.Epoch()); err != nil {
		t.Fatal(err)
	}
	roll, err := registry.VotingMembers(ctx, db, c.ID, modelstest.Date(2027, 2, 1))
	if err != nil {
		t.Fatal(err)
	}
	if roll.Count != 1 || roll.Filled != 0 || roll.Seats[0].Titulaire != nil {
		t.Errorf("VotingMembers after departure: count %d filled %d, want 1 vacant seat", roll.Count, roll.Filled)
	}
	if hist, _ := registry.PersonHistory(ctx, db, c.ID, res.User.ID); len(hist) != 1 || hist[0].EndReason != registry.MandateLeft {
		t.Errorf("PersonHistory = %+v, want one mandate ended (left)", hist)
	}
}

func TestRule133_3_SuppleantPlaces(t *testing.T) {
	db := modelstest.NewDB(t)
	c := modelstest.Commission(t, db, "31")

	doctor := &registry.Seat{CommissionID: c.ID, Category: registry.CategoryDoctor, Organisation: "Ordre des médecins", Quality: "Médecin", VotingRight: true, SuppleantPlaces: 1}
	err := registry.CreateSeat(ctx, db, tester, doctor, modelstest.Epoch())
	if msg := fieldErrors(t, err, "suppleant_places"); !strings.Contains(msg, "R133-3") {
		t.Errorf("qualified person with a suppléant place: %q, want R133-3", msg)
	}
	doctor.SuppleantPlaces = 0
	if err := registry.CreateSeat(ctx, db, tester, doctor, modelstest.Epoch()); err != nil {
		t.Fatal(err)
	}
	modelstest.Appoint(t, db, doctor, registry.MandateTitulaire, "docteur@example.org", start)
	appoint := func(seat *registry.Seat, kind registry.MandateKind, email string) error {
		_, err := registry.Appoint(ctx, db, tester, c.ID, registry.Appointment{SeatID: seat.ID, Kind: kind, Email: email, Name: "N", StartsOn: start, ArreteRef: "a"}, start)
		return err
	}
	if msg := fieldErrors(t, appoint(doctor, registry.MandateSuppleant, "sup.doc@example.org"), "kind"); !strings.Contains(msg, "personnalité qualifiée") {
		t.Errorf("suppléant for the doctor: %q", msg)
	}

	ddets := modelstest.Seat(t, db, c.ID, registry.CategoryDDETS, "Directrice")
	modelstest.Appoint(t, db, ddets, registry.MandateTitulaire, "dir@example.org", start)
	modelstest.Appoint(t, db, ddets, registry.MandateSuppleant, "adj@example.org", start)
	fieldErrors(t, appoint(ddets, registry.MandateSuppleant, "adj2@example.org"), models.FormLevel)
	fieldErrors(t, appoint(ddets, registry.MandateTitulaire, "dir2@example.org"), models.FormLevel)

	// One person, one seat.
	ddsp := modelstest.Seat(t, db, c.ID, registry.CategoryDDSP, "Directeur")
	fieldErrors(t, appoint(ddsp, registry.MandateTitulaire, "adj@example.org"), "email")

	// Places cannot drop below the suppléants sitting.
	ddets.SuppleantPlaces = 0
	fieldErrors(t, registry.UpdateSeat(ctx, db, tester, ddets, start.AddDate(0, 1, 0)), "suppleant_places")
}

func TestAppointmentValidation(t *testing.T) {
	db := modelstest.NewDB(t)
	c := modelstest.Commission(t, db, "31")
	seat := modelstest.Seat(t, db, c.ID, registry.CategoryDASEN, "DASEN")
	modelstest.UserWithEmail(t, db, c.ID, models.RoleSecretariat, "secretariat@example.org")
	for _, tt := range []struct {
		name, field string
		a           registry.Appointment
	}{
		{"missing e-mail", "email", registry.Appointment{Kind: registry.MandateTitulaire, Name: "N", StartsOn: start, ArreteRef: "a"}},
		{"bad e-mail", "email", registry.Appointment{Kind: registry.MandateTitulaire, Email: "pas une adresse", Name: "N", StartsOn: start, ArreteRef: "a"}},
		{"missing name", "name", registry.Appointment{Kind: registry.MandateTitulaire, Email: "n@example.org", StartsOn: start, ArreteRef: "a"}},
		{"dates reversed", "term_ends_on", registry.Appointment{Kind: registry.MandateTitulaire, Email: "n@example.org", Name: "N", StartsOn: start, TermEndsOn: start.AddDate(0, 0, -1), ArreteRef: "a"}},
		{"term over 3 years", "term_ends_on", registry.Appointment{Kind: registry.MandateTitulaire, Email: "n@example.org", Name: "N", StartsOn: start, TermEndsOn: start.AddDate(3, 0, 0), ArreteRef: "a"}},
		{"missing arrêté", "arrete_ref", registry.Appointment{Kind: registry.MandateTitulaire, Email: "n@example.org", Name: "N", StartsOn: start}},
		{"missing kind", "kind", registry.Appointment{Email: "n@example.org", Name: "N", StartsOn: start, ArreteRef: "a"}},
		{"account of another role", "email", registry.Appointment{Kind: registry.MandateTitulaire, Email: "secretariat@example.org", StartsOn: start, ArreteRef: "a"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			tt.a.SeatID = seat.ID
			_, err := registry.Appoint(ctx, db, tester, c.ID, tt.a, start)
			fieldErrors(t, err, tt.field)
		})
	}
	if n, _ := db.NewSelect().Model((*registry.Mandate)(nil)).Count(ctx); n != 0 {
		t.Errorf("%d mandates after refused appointments, want 0", n)
	}
	other := modelstest.Commission(t, db, "09")
	if _, err := registry.Appoint(ctx, db, tester, other.ID, registry.Appointment{SeatID: seat.ID, Kind: registry.MandateTitulaire, Email: "n@example.org", Name: "N", StartsOn: start, ArreteRef: "a"}, start); err != models.ErrNotFound {
		t.Errorf("Appoint to another commission's seat: %v, want ErrNotFound", err)
	}
}

func TestRule1_TermAlertBeforeExpiry(t *testing.T) {
	db := modelstest.NewDB(t)
	c := modelstest.Commission(t, db, "31")
	now := modelstest.Date(2026, 11, 22).Add(10 * time.Hour)
	soonSeat := modelstest.Seat(t, db, c.ID, registry.CategoryMagistrate, "Magistrat")
	laterSeat := modelstest.Seat(t, db, c.ID, registry.CategoryDDSP, "Directeur")
	// Ends in 45 days, and in a bit more than 90 days.
	soon := modelstest.Appoint(t, db, soonSeat, registry.MandateTitulaire, "magistrat@example.org", now.AddDate(-3, 0, 46))
	modelstest.Appoint(t, db, laterSeat, registry.MandateTitulaire, "ddsp@example.org", now.AddDate(-3, 0, 93))

	got, err := registry.TermsEndingWithin(ctx, db, c.ID, now, registry.TermAlertWindow)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].ID != soon.Mandate.ID {
		t.Fatalf("TermsEndingWithin(90 days) = %d mandates, want only the magistrate's", len(got))
	}
	if d := got[0].DaysLeft(now); d != 45 {
		t.Errorf("DaysLeft = %d, want 45", d)
	}

	comp, err := registry.LoadComposition(ctx, db, c.ID, now)
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[registry.WarningKind]int{}
	for _, w := range comp.Warnings {
		kinds[w.Kind]++
	}
	if kinds[registry.WarnTermEnding] != 1 || kinds[registry.WarnVacantSuppleant] != 2 || kinds[registry.WarnMissingCategory] != 9 {
		t.Errorf("composition warnings = %v, want 1 term ending, 2 vacant suppléants, 9 missing categories", kinds)
	}
	g := comp.Groups[0]
	if g.Category != registry.CategoryMagistrate || len(g.Seats) != 1 || !g.Seats[0].EndingSoon || g.Seats[0].Titulaire == nil {
		t.Errorf("first group = %+v, want the magistrate's seat, ending soon", g)
	}
	for _, w := range comp.Warnings {
		if w.Kind == registry.WarnTermEnding && !strings.Contains(w.Message, "dans 45 jours") {
			t.Errorf("term warning %q, want the days left", w.Message)
		}
	}

	// Renewing the term removes the alert.
	next, err := registry.RenewMandate(ctx, db, tester, c.ID, soon.Mandate.ID, "arrêté de renouvellement", time.Time{}, now)
	if err != nil {
		t.Fatal(err)
	}
	if !next.StartsOn.Equal(soon.Mandate.TermEndsOn.AddDate(0, 0, 1)) || !next.TermEndsOn.Equal(registry.DefaultTermEnd(next.StartsOn)) {
		t.Errorf("renewed term %v–%v, want the next three years", next.StartsOn, next.TermEndsOn)
	}
	if got, _ := registry.TermsEndingWithin(ctx, db, c.ID, now, registry.TermAlertWindow); len(got) != 0 {
		t.Errorf("TermsEndingWithin after renewal = %d mandates, want 0", len(got))
	}
	if m, err := registry.SeatOf(ctx, db, c.ID, soon.User.ID, next.StartsOn.AddDate(1, 0, 0)); err != nil || m.ID != next.ID {
		t.Errorf("SeatOf during the renewed term = %v, %v; want the new mandate", m, err)
	}
}

func TestVotingMembersAndAssociationSeats(t *testing.T) {
	db := modelstest.NewDB(t)
	c := modelstest.Commission(t, db, "31")
	a := &registry.Association{CommissionID: c.ID, Name: "Association A", AgrementArrete: "x", AgrementDate: modelstest.Date(2025, 1, 1), Departments: "31"}
	if err := registry.CreateAssociation(ctx, db, tester, a, modelstest.Epoch()); err != nil {
		t.Fatal(err)
	}
	assocSeat := &registry.Seat{CommissionID: c.ID, Category: registry.CategoryAssociation, Quality: "Représentante", VotingRight: true, SuppleantPlaces: 1}
	fieldErrors(t, registry.CreateSeat(ctx, db, tester, assocSeat, modelstest.Epoch()), "association_id")
	assocSeat.AssociationID = &a.ID
	if err := registry.CreateSeat(ctx, db, tester, assocSeat, modelstest.Epoch()); err != nil {
		t.Fatal(err)
	}
	if assocSeat.Organisation != a.Name {
		t.Errorf("association seat organisation = %q, want the association's name", assocSeat.Organisation)
	}
	adviser := &registry.Seat{CommissionID: c.ID, Category: registry.CategoryLocalAuthority, Organisation: "Ville", Quality: "Conseillère", VotingRight: false}
	if err := registry.CreateSeat(ctx, db, tester, adviser, modelstest.Epoch()); err != nil {
		t.Fatal(err)
	}
	dup := &registry.Seat{CommissionID: c.ID, Category: registry.CategoryLocalAuthority, Organisation: "ville", Quality: "conseillère"}
	fieldErrors(t, registry.CreateSeat(ctx, db, tester, dup, modelstest.Epoch()), "quality")

	res := modelstest.Appoint(t, db, assocSeat, registry.MandateTitulaire, "rep@example.org", start)
	if res.User.AssociationID == nil || *res.User.AssociationID != a.ID {
		t.Errorf("person sitting for the association: AssociationID = %v, want %d", res.User.AssociationID, a.ID)
	}
	modelstest.Appoint(t, db, adviser, registry.MandateTitulaire, "elue@example.org", start)

	seats, err := registry.SeatsOfAssociation(ctx, db, c.ID, a.ID)
	if err != nil || len(seats) != 1 || seats[0].ID != assocSeat.ID {
		t.Errorf("SeatsOfAssociation = %v, %v; want the association's seat", seats, err)
	}
	roll, err := registry.VotingMembers(ctx, db, c.ID, start.AddDate(0, 2, 0))
	if err != nil {
		t.Fatal(err)
	}
	if roll.Count != 1 || roll.Filled != 1 || roll.Seats[0].Seat.ID != assocSeat.ID || roll.Seats[0].Titulaire.User.Email != "rep@example.org" {
		t.Errorf("VotingMembers = count %d filled %d, want the association seat only", roll.Count, roll.Filled)
	}

	// Once the agrément has expired, the composition flags the association's seat.
	comp, err := registry.LoadComposition(ctx, db, c.ID, modelstest.Date(2028, 2, 1))
	if err != nil {
		t.Fatal(err)
	}
	var flagged bool
	for _, w := range comp.Warnings {
		flagged = flagged || (w.Kind == registry.WarnAgrementInactive && w.SeatID == assocSeat.ID && strings.Contains(w.Message, "a expiré le 01/01/2028"))
	}
	if !flagged {
		t.Errorf("composition warnings %+v, want the expired agrément of the association seat", comp.Warnings)
	}
}

func TestAppointmentCreatesInvitedAccount(t *testing.T) {
	db := modelstest.NewDB(t)
	c := modelstest.Commission(t, db, "31")
	seat := modelstest.Seat(t, db, c.ID, registry.CategoryDDETS, "Directrice")
	res := modelstest.Appoint(t, db, seat, registry.MandateTitulaire, "Nouvelle@Example.org", start)
	if res.Invitation == "" {
		t.Fatal("Appoint of a new e-mail returned no invitation secret")
	}
	u := res.User
	if u.Email != "nouvelle@example.org" || u.Role != models.RoleMember || u.PasswordHash != "" || !u.Active || u.CommissionIDOrZero() != c.ID {
		t.Errorf("new account = %+v, want an active member without password", u)
	}
	got, err := models.ConsumeAccountToken(ctx, db, res.Invitation, models.TokenInvitation, start.Add(time.Hour))
	if err != nil || got.ID != u.ID {
		t.Errorf("ConsumeAccountToken(invitation) = %v, %v; want the new account", got, err)
	}
	// Appointing an existing member again (other seat, later) reuses the account.
	other := modelstest.Seat(t, db, c.ID, registry.CategoryDDSP, "Directeur")
	later := start.AddDate(3, 0, 0)
	again, err := registry.Appoint(ctx, db, tester, c.ID, registry.Appointment{SeatID: other.ID, Kind: registry.MandateTitulaire, Email: "nouvelle@example.org", StartsOn: later, ArreteRef: "a"}, later)
	if err != nil {
		t.Fatal(err)
	}
	if again.User.ID != u.ID || again.Invitation != "" {
		t.Errorf("second appointment: user %d invitation %q, want the same account and no invitation", again.User.ID, again.Invitation)
	}
	ch, err := models.UpdatePerson(ctx, db, tester, c.ID, u.ID, "Nouvelle Directrice", "nd@example.org", later)
	if err != nil || ch == nil || ch.Old != "nouvelle@example.org" || ch.New != "nd@example.org" {
		t.Fatalf("UpdatePerson of an account never activated = %+v, %v; want the change", ch, err)
	}
	_, err = models.UpdatePerson(ctx, db, tester, c.ID, u.ID, "", "nd@example.org", later)
	fieldErrors(t, err, "name")
}

func TestSettingsDefaultsAndRules(t *testing.T) {
	db := modelstest.NewDB(t)
	c := modelstest.Commission(t, db, "31")
	s, err := models.FindSettings(ctx, db, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if s.QuorumRule != models.QuorumHalfVoting || s.AbstentionRule != models.AbstentionsNotCast || s.NoticeDays != 5 || s.MinCellSize != 5 || s.TOTPRequiredForMembers {
		t.Errorf("default settings = %+v", s)
	}
	for _, tt := range []struct {
		rule               models.QuorumRule
		voting, all, quota int
	}{
		{models.QuorumHalfVoting, 19, 19, 10},
		{models.QuorumHalfVoting, 18, 19, 9},
		{models.QuorumMajorityVoting, 18, 19, 10},
		{models.QuorumHalfAll, 17, 20, 10},
	} {
		s.QuorumRule = tt.rule
		if got := s.QuorumRequired(tt.voting, tt.all); got != tt.quota {
			t.Errorf("%s QuorumRequired(%d, %d) = %d, want %d", tt.rule, tt.voting, tt.all, got, tt.quota)
		}
	}
	s.QuorumRule = models.QuorumHalfVoting
	if adopted, tie := s.Outcome(5, 4, 3); !adopted || tie {
		t.Errorf("abstentions not cast: 5-4-3 adopted %v tie %v, want adopted", adopted, tie)
	}
	s.AbstentionRule = models.AbstentionsCast
	if adopted, _ := s.Outcome(5, 4, 3); adopted {
		t.Error("abstentions cast: 5-4-3 adopted, want rejected")
	}
	if _, tie := s.Outcome(4, 4, 0); !tie {
		t.Error("4-4 is not a tie")
	}

	s.NoticeDays, s.MinCellSize = 3, 0
	c.Name, c.Department = " ", "20"
	err = models.UpdateSettings(ctx, db, tester, c, s, modelstest.Epoch())
	for _, k := range []string{"notice_days", "min_cell_size", "name", "department"} {
		fieldErrors(t, err, k)
	}
	modelstest.Commission(t, db, "09")
	c.Name, c.Department, s.NoticeDays, s.MinCellSize = "Commission", "09", 7, 10
	fieldErrors(t, models.UpdateSettings(ctx, db, tester, c, s, modelstest.Epoch()), "department")
	c.Department = "31"
	d := modelstest.Date(2025, 9, 15)
	s.ArreteDate, s.TOTPRequiredForMembers = &d, true
	if err := models.UpdateSettings(ctx, db, tester, c, s, modelstest.Epoch()); err != nil {
		t.Fatal(err)
	}
	got, err := models.FindSettings(ctx, db, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.NoticeDays != 7 || !got.TOTPRequiredForMembers || got.ArreteDate == nil || !got.ArreteDate.Equal(d) || got.AbstentionRule != models.AbstentionsCast {
		t.Errorf("saved settings = %+v", got)
	}
	if _, err := models.FindSettings(ctx, db, 9999); !errors.Is(err, models.ErrNotFound) {
		t.Errorf("FindSettings(unknown) error = %v, want ErrNotFound", err)
	}
}

func TestParseSeatCategory(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want registry.SeatCategory
		ok   bool
	}{
		{"2", registry.CategoryDDETS, true},
		{"11 - Associations agréées", registry.CategoryAssociation, true},
		{"Groupement de gendarmerie departementale", registry.CategoryGendarmerie, true},
		{"  service des étrangers de la PRÉFECTURE ", registry.CategoryForeignersService, true},
		{"12", 0, false},
		{"Pompiers", 0, false},
	} {
		got, ok := registry.ParseSeatCategory(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("ParseSeatCategory(%q) = %d, %v; want %d, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}
