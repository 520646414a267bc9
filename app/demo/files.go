package demo

import (
	"context"
	"fmt"
	"slices"
	"time"

	"seance/models"
	filesmodel "seance/models/files"
)

// seedFiles creates about 60 individual files over the last two years, in every state,
// and the parcours they opened: one at 24 months of rights, one at 18, renewals due soon,
// a suspension, ends of every kind. Every identity is obviously fictitious. Each file goes
// through the real state machine with the dates it would have had.
func seedFiles(ctx context.Context, s *Seeder) error {
	d := &fileSeeder{ctx: ctx, s: s, now: filesmodel.DateOf(s.Now), sec: s.Users[EmailSecretariat], pres: s.Users[EmailPresident]}
	if d.sec == nil || d.pres == nil || len(s.Associations) < 2 {
		return fmt.Errorf("demo files need the accounts and the two associations")
	}
	for _, step := range []func() error{d.parcoursScenarios, d.filesInEveryState, d.grantsForSessions} {
		if err := step(); err != nil {
			return err
		}
	}
	return nil
}

// fileSeeder carries the demo's clock and counters.
type fileSeeder struct {
	ctx       context.Context
	s         *Seeder
	now       time.Time // the demo's today, at midnight
	sec, pres *models.User
	n         int                // persons created
	scheduled []*filesmodel.File // on the agenda of the coming session
	examined  []*filesmodel.File // examined at the last session
	parcours  map[string]int64   // by scenario name
}

// The coming and the last sessions of the demo, relative to today.
func (d *fileSeeder) comingSession() time.Time { return d.now.AddDate(0, 0, 7) }
func (d *fileSeeder) lastSession() time.Time   { return d.now.AddDate(0, 0, -10) }

var (
	demoLastNames  = []string{"Exemple", "Fictive", "Imaginaire", "Démonstration", "Inventée", "Prête-Nom", "Modèle", "Essai", "Factice", "Fantaisie"}
	demoFirstNames = []string{"Ada", "Blessing", "Camelia", "Dora", "Esther", "Faith", "Gloria", "Hui", "Ioana", "Joy", "Kenza", "Lina", "Mariana", "Nadia", "Olga", "Precious"}
	demoCountries  = []string{"NG", "RO", "CN", "BR", "FR", "AL", "CM", "BG", "MA", "CI", "ES", "XX", "NG", "NG", "RO", "CO"}
)

// person returns the next fictitious person.
func (d *fileSeeder) person() *filesmodel.PersonInput {
	d.n++
	n := d.n
	nat := demoCountries[n%len(demoCountries)]
	gender := filesmodel.GenderFemale
	switch n % 9 {
	case 4:
		gender = filesmodel.GenderMale
	case 7:
		gender = filesmodel.GenderOther
	}
	year := d.now.Year() - 19 - (n*7)%30
	return &filesmodel.PersonInput{
		Identity: filesmodel.Identity{
			LastName: fmt.Sprintf("%s %02d", demoLastNames[n%len(demoLastNames)], n), FirstName: demoFirstNames[n%len(demoFirstNames)],
			BirthDate: fmt.Sprintf("%d-%02d-%02d", year, 1+n%12, 1+n%28), Phone: fmt.Sprintf("06 00 00 00 %02d", n),
			Email: fmt.Sprintf("personne%02d@exemple.invalid", n), Address: fmt.Sprintf("%d rue de l'Exemple", n), PostalCode: "31000", City: "Toulouse (fictif)",
		},
		Gender: gender, BirthYear: year, Nationality: nat,
	}
}

// input returns a complete request of kind for person p, or on parcours pid.
func (d *fileSeeder) input(kind filesmodel.FileKind, p *filesmodel.PersonInput, pid int64) filesmodel.FileInput {
	n := d.n
	in := filesmodel.FileInput{
		Kind: kind, Person: p, ParcoursID: pid, Children: n % 4, AFISRequested: n%3 != 0,
		APSNeeded: p != nil && !isEU(p.Nationality), HousingNeed: filesmodel.Housings[1+n%3],
		AssociationAvis: filesmodel.AvisFavorable, Proposal: proposal(kind, n%5 == 0),
	}
	if n%5 == 0 {
		in.AssociationAvis = filesmodel.AvisReserve
	}
	switch kind {
	case filesmodel.KindEnd, filesmodel.KindSuspension:
		in.AssociationAvis = filesmodel.AvisDefavorable
		in.EndReason = filesmodel.EndBreach
	case filesmodel.KindAFIS:
		in.AFISRequested, in.Children = true, 1+n%3
	}
	return in
}

// proposal is the association's proposal for a demo request of kind; reserve: its avis
// is réservé.
func proposal(kind filesmodel.FileKind, reserve bool) filesmodel.Proposal {
	p := filesmodel.Proposal{
		Commitments: "Cesser toute activité prostitutionnelle ; se rendre aux rendez-vous d'accompagnement ; suivre les démarches d'insertion convenues.",
		Actions: []filesmodel.PlannedAction{
			{Kind: filesmodel.ActionHousing, Description: "Hébergement en résidence sociale", DurationMonths: 6},
			{Kind: filesmodel.ActionCare, Description: "Bilan de santé et suivi en centre de soins", DurationMonths: 3},
			{Kind: filesmodel.ActionProfessional, Description: "Cours de français langue étrangère puis formation qualifiante", DurationMonths: 6},
		},
		ExpectedResults: "Hébergement stable, ouverture des droits sociaux, entrée en formation.",
		AvisReasoning:   "La personne s'est engagée dans l'accompagnement depuis plusieurs mois et respecte ses rendez-vous.",
	}
	if reserve {
		p.AvisReasoning = "Engagement réel mais fragile ; un point d'étape est proposé à trois mois."
	}
	switch kind {
	case filesmodel.KindRenewal:
		p.AchievedResults = "Hébergement obtenu, droits à l'assurance maladie ouverts, cours de français suivis avec assiduité."
		p.Difficulties = "Démarches administratives longues."
	case filesmodel.KindEnd, filesmodel.KindSuspension:
		p.Difficulties = "Rendez-vous manqués depuis trois mois malgré les relances ; engagements non tenus."
		p.AvisReasoning = "L'association propose de mettre fin à l'accompagnement faute d'adhésion."
	}
	return p
}

func isEU(code string) bool {
	switch code {
	case "FR", "RO", "BG", "ES":
		return true
	}
	return false
}

// association returns the account of a demo association approved from from to to,
// preferring association prefer (0 or 1).
func (d *fileSeeder) association(prefer int, from, to time.Time) (*models.User, error) {
	for _, i := range []int{prefer, 1 - prefer} {
		a := d.s.Associations[i]
		if a.MaySubmitFiles(d.s.Commission.Department, from) && a.MaySubmitFiles(d.s.Commission.Department, to) {
			return d.s.Users[AssociationEmail(i+1)], nil
		}
	}
	return nil, fmt.Errorf("no demo association is approved from %s to %s", from.Format(time.DateOnly), to.Format(time.DateOnly))
}

// request creates a request and takes it to state target along the dates of a session
// held on day session: created 45 days before, submitted 42, admissible 35, scheduled 30,
// examined on the session day, decided 10 days later.
func (d *fileSeeder) request(u *models.User, in filesmodel.FileInput, target filesmodel.State, outcome filesmodel.DecisionOutcome, session time.Time) (*filesmodel.File, error) {
	at := func(days int) time.Time { return session.AddDate(0, 0, days) }
	f, err := filesmodel.CreateFile(d.ctx, d.s.DB, d.s.Keys, u, in, at(-45))
	if err != nil {
		return nil, fmt.Errorf("create %s file: %w", in.Kind, err)
	}
	steps := []struct {
		to   filesmodel.State
		user *models.User
		day  int
		in   filesmodel.TransitionInput
	}{
		{filesmodel.StateSubmitted, u, -42, filesmodel.TransitionInput{}},
		{filesmodel.StateIncomplete, d.sec, -35, filesmodel.TransitionInput{MissingItems: []string{"Document de suivi signé par la personne", "Justificatif d'hébergement"}}},
		{filesmodel.StateAdmissible, d.sec, -35, filesmodel.TransitionInput{}},
		{filesmodel.StateScheduled, d.sec, -30, filesmodel.TransitionInput{SessionDate: session}},
		{filesmodel.StateExamined, d.pres, 0, filesmodel.TransitionInput{Avis: avisFor(outcome, in.AssociationAvis), AvisOn: session}},
		{filesmodel.StateDecided, d.sec, 10, filesmodel.TransitionInput{Decision: filesmodel.Decision{Outcome: outcome, DecidedOn: at(10),
			NotifiedPersonOn: at(10), NotifiedAssociationOn: at(10), AFISGranted: outcome == filesmodel.DecisionAuthorised && in.AFISRequested && !in.Kind.EndsRights()}}},
	}
	path := []filesmodel.State{filesmodel.StateSubmitted, filesmodel.StateAdmissible, filesmodel.StateScheduled, filesmodel.StateExamined, filesmodel.StateDecided}
	if target == filesmodel.StateIncomplete {
		path = []filesmodel.State{filesmodel.StateSubmitted, filesmodel.StateIncomplete}
	}
	for _, st := range steps {
		if target == filesmodel.StateDraft || !slices.Contains(path, st.to) {
			continue
		}
		needsObservations := in.Kind.EndsRights() || (in.Kind == filesmodel.KindRenewal && outcome == filesmodel.DecisionRefused)
		if st.to == filesmodel.StateSubmitted && needsObservations {
			obs := filesmodel.Observations{InvitedOn: at(-42), Means: filesmodel.ObservationsLetter, ReceivedOn: at(-30)}
			// Recorded by the association on its draft, which only it sees (issue 11 point 9).
			if err := filesmodel.RecordObservations(d.ctx, d.s.DB, u, f.ID, obs, at(-30)); err != nil {
				return nil, fmt.Errorf("observations of %s: %w", f.Reference, err)
			}
		}
		if err := filesmodel.Transition(d.ctx, d.s.DB, d.s.Keys, st.user, f.ID, st.to, st.in, at(st.day)); err != nil {
			return nil, fmt.Errorf("%s → %s: %w", f.Reference, st.to, err)
		}
		if st.to == target {
			break
		}
	}
	got, _, err := filesmodel.FindFile(d.ctx, d.s.DB, u, f.ID, d.now) // drafts are the association's alone
	return got, err
}

// avisFor is the commission's avis leading to outcome.
func avisFor(outcome filesmodel.DecisionOutcome, assoc filesmodel.Avis) filesmodel.Avis {
	if outcome == filesmodel.DecisionRefused {
		return filesmodel.AvisDefavorable
	}
	if assoc == filesmodel.AvisReserve {
		return filesmodel.AvisReserve
	}
	return filesmodel.AvisFavorable
}

// entry runs an authorised entry decided on day decided and returns its parcours.
func (d *fileSeeder) entry(name string, prefer int, decided, until time.Time) (int64, *models.User, error) {
	u, err := d.association(prefer, decided.AddDate(0, 0, -55), until)
	if err != nil {
		return 0, nil, fmt.Errorf("parcours %s: %w", name, err)
	}
	f, err := d.request(u, d.input(filesmodel.KindEngagement, d.person(), 0), filesmodel.StateDecided, filesmodel.DecisionAuthorised, decided.AddDate(0, 0, -10))
	if err != nil {
		return 0, nil, fmt.Errorf("parcours %s: %w", name, err)
	}
	d.parcours[name] = *f.ParcoursID
	return *f.ParcoursID, u, nil
}

// renew decides a renewal of parcours pid 5 days before its period ends.
func (d *fileSeeder) renew(u *models.User, pid int64, outcome filesmodel.DecisionOutcome) error {
	p, err := filesmodel.FindParcours(d.ctx, d.s.DB, d.sec, pid, d.now)
	if err != nil {
		return err
	}
	_, err = d.request(u, d.input(filesmodel.KindRenewal, nil, pid), filesmodel.StateDecided, outcome, p.RenewalDueOn.AddDate(0, 0, -15))
	return err
}

// parcoursScenarios builds the parcours of the demo.
func (d *fileSeeder) parcoursScenarios() error {
	d.parcours = map[string]int64{}
	n := d.now
	months := func(m int) time.Time { return filesmodel.AddMonths(n, m) }
	type scenario struct {
		name     string
		prefer   int
		entry    time.Time
		renewals int
		then     func(pid int64, u *models.User) error
	}
	end := func(reason filesmodel.EndReason, on time.Time) func(int64, *models.User) error {
		return func(pid int64, _ *models.User) error {
			return filesmodel.EndParcours(d.ctx, d.s.DB, d.sec, pid, reason, on, on)
		}
	}
	request := func(kind filesmodel.FileKind, target filesmodel.State, outcome filesmodel.DecisionOutcome, session time.Time) func(int64, *models.User) error {
		return func(pid int64, u *models.User) error {
			_, err := d.request(u, d.input(kind, nil, pid), target, outcome, session)
			return err
		}
	}
	for _, sc := range []scenario{
		// 24 months of rights, last period running.
		{"24 mois", 0, months(-20), 3, nil},
		// 18 months, renewal submitted for the period ending in about seven weeks.
		{"18 mois", 0, months(-17).AddDate(0, 0, 20), 2, request(filesmodel.KindRenewal, filesmodel.StateSubmitted, "", n.AddDate(0, 0, 35))},
		// 12 months, period ending in 20 days, no renewal yet.
		{"12 mois à renouveler", 1, months(-12).AddDate(0, 0, 20), 1, nil},
		// 6 months ending in 10 days, renewal on the coming agenda.
		{"6 mois, renouvellement inscrit", 1, months(-6).AddDate(0, 0, 10), 0, func(pid int64, u *models.User) error {
			f, err := d.request(u, d.input(filesmodel.KindRenewal, nil, pid), filesmodel.StateScheduled, "", d.comingSession())
			d.scheduled = append(d.scheduled, f)
			return err
		}},
		// Suspended for three months, then resumed: an interruption.
		{"suspendu puis repris", 0, months(-15), 0, func(pid int64, u *models.User) error {
			if err := request(filesmodel.KindSuspension, filesmodel.StateDecided, filesmodel.DecisionAuthorised, months(-12).AddDate(0, 0, -10))(pid, u); err != nil {
				return err
			}
			if err := request(filesmodel.KindRenewal, filesmodel.StateDecided, filesmodel.DecisionAuthorised, months(-9).AddDate(0, 0, -10))(pid, u); err != nil {
				return err
			}
			return d.renew(u, pid, filesmodel.DecisionAuthorised)
		}},
		{"fin pour manquements", 0, months(-16), 1, request(filesmodel.KindEnd, filesmodel.StateDecided, filesmodel.DecisionAuthorised, months(-7).AddDate(0, 0, -10))},
		{"non renouvelé", 0, months(-19), 0, func(pid int64, u *models.User) error { return d.renew(u, pid, filesmodel.DecisionRefused) }},
		{"24 mois atteints", 0, months(-25), 3, end(filesmodel.EndMaxDuration, months(-1))},
		{"sortie volontaire", 1, months(-10), 0, end(filesmodel.EndLeft, months(-6))},
		{"départ du département", 1, months(-9), 1, end(filesmodel.EndMoved, months(-1))},
		{"réexamen de l'AFIS", 1, months(-4), 0, request(filesmodel.KindAFIS, filesmodel.StateDecided, filesmodel.DecisionAuthorised, months(-1).AddDate(0, 0, -10))},
		{"période échue", 1, months(-8), 0, nil},
		{"récent 1", 0, months(-1), 0, nil},
		{"récent 2", 1, months(-2), 0, nil},
		{"récent 3", 0, months(-3), 0, nil},
		{"récent 4", 1, months(-5), 0, nil},
	} {
		pid, u, err := d.entry(sc.name, sc.prefer, sc.entry, n)
		if err != nil {
			return err
		}
		for range sc.renewals {
			if err := d.renew(u, pid, filesmodel.DecisionAuthorised); err != nil {
				return fmt.Errorf("parcours %s: renewal: %w", sc.name, err)
			}
		}
		if sc.then != nil {
			if err := sc.then(pid, u); err != nil {
				return fmt.Errorf("parcours %s: %w", sc.name, err)
			}
		}
	}
	// Rights recorded by the secretariat on two running parcours.
	for _, name := range []string{"24 mois", "18 mois"} {
		p, err := filesmodel.FindParcours(d.ctx, d.s.DB, d.sec, d.parcours[name], n)
		if err != nil {
			return err
		}
		per := p.CurrentPeriod(n)
		r := filesmodel.PeriodRights{APSGranted: true, APSFrom: per.StartsOn, APSUntil: per.EndsOn, AFISGranted: per.AFISGranted,
			AFISChildren: per.AFISChildren, HousingProvided: filesmodel.HousingTemporary}
		if per.AFISFrom != nil {
			r.AFISFrom = *per.AFISFrom
		}
		if err := filesmodel.UpdatePeriodRights(d.ctx, d.s.DB, d.sec, per.ID, r, n); err != nil {
			return fmt.Errorf("rights of parcours %s: %w", name, err)
		}
	}
	return nil
}

// filesInEveryState adds entries at every stage of instruction.
func (d *fileSeeder) filesInEveryState() error {
	n := d.now
	for i, st := range []struct {
		target  filesmodel.State
		outcome filesmodel.DecisionOutcome
		session time.Time
	}{
		{filesmodel.StateDraft, "", n.AddDate(0, 0, 40)},
		{filesmodel.StateDraft, "", n.AddDate(0, 0, 43)},
		{filesmodel.StateDraft, "", n.AddDate(0, 0, 44)},
		{filesmodel.StateDraft, "", n.AddDate(0, 0, 45)},
		{filesmodel.StateSubmitted, "", n.AddDate(0, 0, 35)},
		{filesmodel.StateSubmitted, "", n.AddDate(0, 0, 38)},
		{filesmodel.StateSubmitted, "", n.AddDate(0, 0, 40)},
		{filesmodel.StateSubmitted, "", n.AddDate(0, 0, 41)},
		{filesmodel.StateIncomplete, "", n.AddDate(0, 0, 30)},
		{filesmodel.StateIncomplete, "", n.AddDate(0, 0, 33)},
		{filesmodel.StateIncomplete, "", n.AddDate(0, 0, 35)},
		{filesmodel.StateAdmissible, "", n.AddDate(0, 0, 20)},
		{filesmodel.StateAdmissible, "", n.AddDate(0, 0, 25)},
		{filesmodel.StateAdmissible, "", n.AddDate(0, 0, 28)},
		{filesmodel.StateAdmissible, "", n.AddDate(0, 0, 30)},
		{filesmodel.StateAdmissible, "", n.AddDate(0, 0, 35)},
		{filesmodel.StateScheduled, "", d.comingSession()},
		{filesmodel.StateScheduled, "", d.comingSession()},
		{filesmodel.StateScheduled, "", d.comingSession()},
		{filesmodel.StateScheduled, "", d.comingSession()},
		{filesmodel.StateExamined, filesmodel.DecisionAuthorised, d.lastSession()},
		{filesmodel.StateExamined, filesmodel.DecisionAuthorised, d.lastSession()},
		{filesmodel.StateExamined, filesmodel.DecisionRefused, d.lastSession()},
		{filesmodel.StateDecided, filesmodel.DecisionRefused, filesmodel.AddMonths(n, -22)},
		{filesmodel.StateDecided, filesmodel.DecisionRefused, filesmodel.AddMonths(n, -15)},
		{filesmodel.StateDecided, filesmodel.DecisionRefused, filesmodel.AddMonths(n, -9)},
		{filesmodel.StateDecided, filesmodel.DecisionRefused, filesmodel.AddMonths(n, -3)},
	} {
		u, err := d.association(i%2, st.session.AddDate(0, 0, -45), minDate(st.session.AddDate(0, 0, 10), n))
		if err != nil {
			return err
		}
		f, err := d.request(u, d.input(filesmodel.KindEngagement, d.person(), 0), st.target, st.outcome, st.session)
		if err != nil {
			return err
		}
		switch st.target {
		case filesmodel.StateScheduled:
			d.scheduled = append(d.scheduled, f)
		case filesmodel.StateExamined:
			d.examined = append(d.examined, f)
		}
	}
	return nil
}

func minDate(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// grantsForSessions lets the president and the members see the files of the coming
// session from its convocation, and those of the last one until 30 days after it, as the
// sessions feature will; one member declares an interest.
func (d *fileSeeder) grantsForSessions() error {
	viewers := []*models.User{d.pres}
	for i := 1; i <= len(memberNames); i++ {
		viewers = append(viewers, d.s.Users[MemberEmail(i)])
	}
	for _, batch := range []struct {
		files   []*filesmodel.File
		session time.Time
	}{{d.scheduled, d.comingSession()}, {d.examined, d.lastSession()}} {
		for _, f := range batch.files {
			for _, u := range viewers {
				g := &filesmodel.FileAccessGrant{
					CommissionID: d.s.Commission.ID, FileID: f.ID, UserID: u.ID,
					ValidFrom: batch.session.AddDate(0, 0, -8), ValidUntil: batch.session.Add(filesmodel.MemberAccessAfterSession),
					Reason: "Convocation à la séance du " + filesmodel.FormatDate(batch.session),
				}
				if err := filesmodel.GrantFileAccess(d.ctx, d.s.DB, d.s.Actor(), g, d.s.Now); err != nil {
					return fmt.Errorf("grant %s to %s: %w", f.Reference, u.Email, err)
				}
			}
		}
	}
	if len(d.scheduled) > 0 {
		m := d.s.Users[MemberEmail(5)]
		return filesmodel.DeclareInterest(d.ctx, d.s.DB, models.ActorFor(m), d.s.Commission.ID, d.scheduled[0].ID, m.ID, "Connaît personnellement la personne", d.now)
	}
	return nil
}
