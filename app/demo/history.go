package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/uptrace/bun"

	"seance/models"
	filesmodel "seance/models/files"
	"seance/models/keyring"
	"seance/models/meetings"
	"seance/models/registry"
)

// The demo's past: several calendar years of sessions, files and parcours with the
// magnitudes of a commission like Haute-Garonne's (about 40 parcours in progress at the
// end of a year, 6 to 9 sessions a year, 25 to 30 first requests and 50 to 60 renewals), so that
// the statistics, the dashboard and the annual workbook are worth looking at. The other
// steps stage the last twelve months scenario by scenario through the model functions;
// this one simulates the years before, person by person, and writes the rows in bulk in
// one transaction, as the model functions would have left them.

// DefaultHistoryYears is the number of full calendar years of history before the current
// one when the Seeder does not say.
const DefaultHistoryYears = 3

// HistorySeed seeds the demo's history: the same seed and dates give the same rows.
const HistorySeed = 0x5eace31

// historyCutoffDays: the history holds no session in the last 350 days, which belong to
// the scenarios of the sittings step (its first session is convened 350 days ago).
const historyCutoffDays = 350

// HistoryAssociation is an approved association of the history and its account, which
// creates and submits its files.
type HistoryAssociation struct {
	Association *registry.Association
	Account     *models.User
}

// History generates the past of one commission. The commission's composition (seats,
// titulaires, suppléants) as of Now attends the sessions it generates.
type History struct {
	DB           bun.IDB
	Keys         *keyring.Keyring
	Commission   *models.Commission
	Secretariat  *models.User
	President    *models.User
	Associations []HistoryAssociation
	From         time.Time // first day of the history, usually a 1 January
	// Cutoff: no session is generated from this day on, and fewer entries from a month
	// before. The files sessions already held from Cutoff to Now examine the later requests
	// (entries, renewals, ends), so that the history runs on until Now.
	Cutoff time.Time
	Now    time.Time // the demo's today: nothing is dated after it
	Seed   uint64
}

// HistoryCounts says what History.Generate wrote.
type HistoryCounts struct {
	Sessions, Persons, Files, Parcours int
}

// seedHistory generates Seeder.years() of history before
// the current year, and the current year up to the scenarios of the last twelve months.
func seedHistory(ctx context.Context, s *Seeder) error {
	years := s.years()
	today := models.CalendarDay(s.Now)
	h := &History{
		DB: s.DB, Keys: s.Keys, Commission: s.Commission, Secretariat: s.Users[EmailSecretariat], President: s.Users[EmailPresident],
		From: time.Date(today.Year()-years, 1, 1, 0, 0, 0, 0, time.UTC), Cutoff: today.AddDate(0, 0, -historyCutoffDays),
		Now: s.Now, Seed: HistorySeed,
	}
	for i, a := range s.Associations {
		h.Associations = append(h.Associations, HistoryAssociation{Association: a, Account: s.Users[AssociationEmail(i+1)]})
	}
	_, err := h.Generate(ctx)
	return err
}

// Generate simulates the history and writes it in one transaction, with one audit record.
func (h *History) Generate(ctx context.Context) (HistoryCounts, error) {
	if h.Secretariat == nil || h.President == nil || len(h.Associations) == 0 {
		return HistoryCounts{}, fmt.Errorf("demo history needs the secretariat, the président and an association")
	}
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		return HistoryCounts{}, err
	}
	g := &historyGen{h: h, rng: rand.New(rand.NewPCG(h.Seed, uint64(h.Commission.ID))), paris: paris,
		today: filesmodel.DateOf(h.Now), seqs: map[int]int{}}
	if err := g.load(ctx); err != nil {
		return HistoryCounts{}, fmt.Errorf("demo history: %w", err)
	}
	g.planSessions()
	g.simulate()
	err = models.InTx(ctx, h.DB, func(ctx context.Context, tx bun.Tx) error { return g.write(ctx, tx) })
	if err != nil {
		return HistoryCounts{}, fmt.Errorf("demo history: %w", err)
	}
	return g.counts(), nil
}

// --- the simulation, in memory ---

type hSession struct {
	day     time.Time         // calendar day
	meeting *meetings.Meeting // generated here; nil for a session already in the database
	files   []*hFile          // examined there, in order
}

type hPerson struct {
	row      *filesmodel.Person
	identity filesmodel.Identity
}

type hFile struct {
	row      *filesmodel.File
	person   *hPerson
	parcours *hParcours // the parcours it is about, or that it opened
	session  *hSession
	events   []*filesmodel.FileEvent
	proposal filesmodel.Proposal
}

type hParcours struct {
	row     *filesmodel.Parcours
	person  *hPerson
	assoc   HistoryAssociation
	periods []*hPeriod
}

type hPeriod struct {
	row  *filesmodel.Period
	file *hFile
}

type historyGen struct {
	h        *History
	rng      *rand.Rand
	paris    *time.Location
	today    time.Time
	roll     *registry.VotingRoll
	scales   []filesmodel.AFISScale
	seqs     map[int]int // last file number by year
	sessions []*hSession // by day
	persons  []*hPerson
	files    []*hFile
	parcours []*hParcours
}

// load reads what the history builds on: the composition, the AFIS scales, the file
// numbers already taken and the files sessions held from the cutoff on.
func (g *historyGen) load(ctx context.Context) error {
	db, cid := g.h.DB, g.h.Commission.ID
	var err error
	if g.roll, err = registry.VotingMembers(ctx, db, cid, g.h.Now); err != nil {
		return err
	}
	if g.scales, err = filesmodel.ListAFISScales(ctx, db); err != nil {
		return err
	}
	var counters []struct {
		Year    int `bun:"year"`
		LastSeq int `bun:"last_seq"`
	}
	if err := db.NewRaw("SELECT year, last_seq FROM file_counters WHERE commission_id = ?", cid).Scan(ctx, &counters); err != nil {
		return fmt.Errorf("file counters: %w", err)
	}
	for _, c := range counters {
		g.seqs[c.Year] = c.LastSeq
	}
	var later []meetings.Meeting
	err = db.NewSelect().Model(&later).
		Where("commission_id = ? AND kind = ? AND starts_at >= ? AND starts_at <= ?", cid, meetings.MeetingFiles, g.h.Cutoff, g.h.Now).
		Where("status IN (?)", bun.In([]meetings.MeetingStatus{meetings.MeetingOpen, meetings.MeetingClosed, meetings.MeetingMinutesApproved})).
		Where("id NOT IN (SELECT first_convocation_id FROM meetings WHERE first_convocation_id IS NOT NULL)").
		Order("starts_at ASC").Scan(ctx)
	if err != nil {
		return fmt.Errorf("later sessions: %w", err)
	}
	for _, m := range later {
		g.sessions = append(g.sessions, &hSession{day: models.CalendarDay(m.StartsAt)})
	}
	return nil
}

// pick returns an index drawn with the given weights.
func (g *historyGen) pick(weights ...int) int {
	total := 0
	for _, w := range weights {
		total += w
	}
	r := g.rng.IntN(total)
	for i, w := range weights {
		if r < w {
			return i
		}
		r -= w
	}
	return len(weights) - 1
}

// days returns a random number of days in [lo, hi].
func (g *historyGen) days(lo, hi int) int { return lo + g.rng.IntN(hi-lo+1) }

// at returns a working hour of day, in UTC, never after the demo's now (an event of
// today happens before now).
func (g *historyGen) at(day time.Time) time.Time {
	t := time.Date(day.Year(), day.Month(), day.Day(), g.days(9, 17), g.rng.IntN(60), 0, 0, g.paris).UTC()
	if t.After(g.h.Now) {
		return models.Stamp(g.h.Now)
	}
	return t
}

// sessionStart returns hour:00 (Paris) on day, in UTC.
func (g *historyGen) sessionStart(day time.Time, hour int) time.Time {
	return time.Date(day.Year(), day.Month(), day.Day(), hour, 0, 0, 0, g.paris).UTC()
}

// planSessions plans, for each year, 5 or 6 files sessions (none in August) and the
// policy session(s), before the cutoff.
func (g *historyGen) planSessions() {
	cid := g.h.Commission.ID
	var ours []*hSession
	add := func(kind meetings.MeetingKind, mode meetings.MeetingMode, day time.Time, hour int, urgent bool) {
		if day.Before(g.h.From) || day.After(g.today) {
			return
		}
		start := g.sessionStart(day, hour)
		m := &meetings.Meeting{CommissionID: cid, Kind: kind, Mode: mode, Status: meetings.MeetingMinutesApproved, StartsAt: start,
			EndsAt: start.Add(3 * time.Hour), Capacity: 20, Urgency: urgent, CreatedAt: start.AddDate(0, 0, -40), UpdatedAt: start.AddDate(0, 1, 0)}
		if mode != meetings.ModeRemote {
			m.Place = "Préfecture de la Haute-Garonne, 1 place Saint-Étienne, Toulouse — salle Capitole"
		}
		if mode != meetings.ModeOnSite {
			m.RemoteLink = "https://webconf.demo.example/cdlp31"
		}
		if urgent {
			m.UrgencyReason = "Situation de mise à l'abri d'une personne en danger (démonstration)"
		}
		convened := start.AddDate(0, 0, -20)
		if urgent {
			convened = start.AddDate(0, 0, -4)
		}
		m.ConvenedAt = &convened
		ours = append(ours, &hSession{day: filesmodel.DateOf(day), meeting: m})
	}
	// weekday returns the first Tuesday or Thursday from day.
	weekday := func(day time.Time) time.Time {
		for day.Weekday() != time.Tuesday && day.Weekday() != time.Thursday {
			day = day.AddDate(0, 0, 1)
		}
		return day
	}
	months := []time.Month{1, 2, 3, 4, 5, 6, 7, 9, 10, 11, 12}
	for y := g.h.From.Year(); y <= g.h.Cutoff.Year(); y++ {
		n := 5 + g.rng.IntN(2)
		for i := range n { // spread over the year, so that renewals are examined in time
			mo := months[min(len(months)-1, i*len(months)/n+g.rng.IntN(2))]
			mode := []meetings.MeetingMode{meetings.ModeOnSite, meetings.ModeHybrid, meetings.ModeRemote}[g.pick(60, 35, 5)]
			if day := weekday(time.Date(y, mo, g.days(5, 20), 0, 0, 0, 0, time.UTC)); day.Before(g.h.Cutoff) {
				add(meetings.MeetingFiles, mode, day, 14, g.rng.IntN(20) == 0)
			}
		}
		// The yearly policy session (R133-7), twice a year from 2026.
		for _, p := range []struct {
			month time.Month
			mode  meetings.MeetingMode
		}{{5, meetings.ModeHybrid}, {11, meetings.ModeOnSite}} {
			if day := weekday(time.Date(y, p.month, g.days(12, 24), 0, 0, 0, 0, time.UTC)); day.Before(g.h.Cutoff) && (p.month == 5 || y >= 2026) {
				add(meetings.MeetingPolicy, p.mode, day, 10, false)
			}
		}
	}
	// From the cutoff the sessions are the scenarios'. Where the files sessions, ours and
	// theirs, leave more than 80 days between them, one more keeps the renewals in time.
	files := slices.DeleteFunc(append(slices.Clone(ours), g.sessions...), func(s *hSession) bool {
		return s.meeting != nil && s.meeting.Kind != meetings.MeetingFiles
	})
	slices.SortStableFunc(files, func(a, b *hSession) int { return a.day.Compare(b.day) })
	last := g.h.From
	for _, s := range append(files, &hSession{day: g.today}) {
		if gap := int(s.day.Sub(last).Hours() / 24); gap > 80 {
			add(meetings.MeetingFiles, meetings.ModeOnSite, weekday(last.AddDate(0, 0, gap/2)), 14, false)
		}
		last = s.day
	}
	g.sessions = append(ours, g.sessions...)
	slices.SortStableFunc(g.sessions, func(a, b *hSession) int { return a.day.Compare(b.day) })
}

// next returns the first files session held on or after day, nil if none by today.
func (g *historyGen) next(day time.Time) *hSession {
	for _, s := range g.sessions {
		if s.meeting != nil && s.meeting.Kind != meetings.MeetingFiles {
			continue
		}
		if !s.day.Before(day) && !s.day.After(g.today) {
			return s
		}
	}
	return nil
}

// simulate draws the entry requests month by month (about 25 a year; 4 a year from a
// month before the cutoff, the scenarios adding theirs) and follows each person's
// parcours until it ends or until today.
func (g *historyGen) simulate() {
	until, reduced := g.today, g.h.Cutoff.AddDate(0, 0, -30)
	for month := g.h.From; month.Before(until); month = month.AddDate(0, 1, 0) {
		n := 1 + g.rng.IntN(3)
		if !month.Before(reduced) {
			n = 0
			if g.rng.IntN(3) == 0 {
				n = 1
			}
		} else if g.rng.IntN(8) == 0 {
			n++
		}
		length := month.AddDate(0, 1, -1).Day()
		subs := make([]time.Time, n)
		for i := range subs {
			subs[i] = month.AddDate(0, 0, g.rng.IntN(length))
		}
		slices.SortFunc(subs, time.Time.Compare)
		for _, sub := range subs {
			if sub.Before(until) {
				g.entry(sub)
			}
		}
	}
}

// Nationalities of the history's persons, with their weights: mostly foreign nationals,
// Nigerian women first, as in the national figures.
var (
	historyNationalities = []string{"NG", "CN", "RO", "FR", "BR", "CM", "CI", "GH", "BG", "AL", "CO", "MA", "VE", "ES", "XX"}
	historyNatWeights    = []int{34, 10, 8, 7, 6, 6, 5, 4, 4, 3, 3, 3, 3, 2, 2}
)

// person returns a new fictitious person, aged as of day.
func (g *historyGen) person(day time.Time) *hPerson {
	n := 1000 + len(g.persons)
	band := g.pick(20, 42, 25, 13) // 18–24, 25–34, 35–44, 45–59
	age := []int{18, 25, 35, 45}[band] + g.rng.IntN([]int{7, 10, 10, 15}[band])
	born := time.Date(day.Year()-age, time.Month(1+g.rng.IntN(12)), 1+g.rng.IntN(28), 0, 0, 0, 0, time.UTC)
	if born.AddDate(18, 0, 0).After(day) {
		born = born.AddDate(-1, 0, 0)
	}
	gender := []filesmodel.Gender{filesmodel.GenderFemale, filesmodel.GenderMale, filesmodel.GenderOther}[g.pick(92, 5, 3)]
	nat := historyNationalities[g.pick(historyNatWeights...)]
	created := g.at(day)
	p := &hPerson{
		row: &filesmodel.Person{CommissionID: g.h.Commission.ID, Gender: gender, BirthYear: born.Year(), Nationality: nat, CreatedAt: created, UpdatedAt: created},
		identity: filesmodel.Identity{
			LastName: fmt.Sprintf("%s %04d", demoLastNames[n%len(demoLastNames)], n), FirstName: demoFirstNames[n%len(demoFirstNames)],
			BirthDate: born.Format(time.DateOnly), Phone: fmt.Sprintf("06 00 00 %02d %02d", n/100%100, n%100),
			Email: fmt.Sprintf("personne%04d@exemple.invalid", n), Address: fmt.Sprintf("%d rue de l'Exemple", n%200+1),
			PostalCode: "31000", City: "Toulouse (fictif)",
		},
	}
	g.persons = append(g.persons, p)
	return p
}

// request starts a request of kind, created a few days before its submission on sub
// (which the instruction records); nil when created after today.
func (g *historyGen) request(kind filesmodel.FileKind, pe *hPerson, pa *hParcours, a HistoryAssociation, sub time.Time, like *filesmodel.File) *hFile {
	created := g.at(sub.AddDate(0, 0, -g.days(2, 15)))
	if created.After(g.h.Now) {
		return nil
	}
	year := created.Year()
	g.seqs[year]++
	f := &filesmodel.File{
		CommissionID: g.h.Commission.ID, Reference: fmt.Sprintf("%s-%d-%04d", g.h.Commission.Department, year, g.seqs[year]),
		Year: year, Seq: g.seqs[year], AssociationID: a.Association.ID, Kind: kind, State: filesmodel.StateDraft,
		AssociationAvis: filesmodel.AvisFavorable, ObservationsMeans: "", CreatedBy: a.Account.ID, CreatedAt: created, UpdatedAt: created,
	}
	if like == nil {
		f.Children = g.pick(55, 25, 13, 5, 2)
		f.AFISRequested = g.rng.IntN(100) < 65
		f.APSNeeded = !isEU(pe.row.Nationality)
		f.HousingNeed = filesmodel.Housings[1+g.pick(35, 40, 25)]
	} else {
		f.Children, f.AFISRequested, f.APSNeeded, f.HousingNeed = like.Children, like.AFISRequested || like.AFISGranted, like.APSNeeded, like.HousingNeed
	}
	reserve := g.rng.IntN(8) == 0
	if reserve {
		f.AssociationAvis = filesmodel.AvisReserve
	}
	switch kind {
	case filesmodel.KindEnd:
		f.AssociationAvis, f.EndReason = filesmodel.AvisDefavorable, filesmodel.EndBreach
	case filesmodel.KindAFIS:
		f.AFISRequested, f.Children = true, max(1, f.Children)
	}
	hf := &hFile{row: f, person: pe, parcours: pa, proposal: proposal(kind, reserve)}
	hf.event(a.Account, "create", "", filesmodel.StateDraft, created)
	g.files = append(g.files, hf)
	return hf
}

// event records a step of the file's history, as Transition does.
func (f *hFile) event(actor *models.User, action string, from, to filesmodel.State, at time.Time) {
	f.events = append(f.events, &filesmodel.FileEvent{CommissionID: f.row.CommissionID, At: at.UTC(), ActorID: actor.ID, ActorLabel: actor.Email,
		Action: action, FromState: from, ToState: to, Details: "{}"})
	if to != "" {
		f.row.State = to
	}
	f.row.UpdatedAt = at.UTC()
}

// instruct takes f from its submission on sub to the commission's avis and the préfet's
// decision: complete after a few days (sometimes after missing items), examined at the
// first files session at least five days later, decided one to three weeks after,
// notified within a week. It stops at today and reports whether the decision was taken.
func (g *historyGen) instruct(f *hFile, sub time.Time, avis filesmodel.Avis, outcome filesmodel.DecisionOutcome) bool {
	h, a := g.h, g.h.Associations[0].Account
	for _, x := range g.h.Associations {
		if x.Association.ID == f.row.AssociationID {
			a = x.Account
		}
	}
	step := func(actor *models.User, from, to filesmodel.State, day time.Time) bool {
		if day.After(g.today) {
			return false
		}
		f.event(actor, string(to), from, to, g.at(day))
		return true
	}
	if !step(a, filesmodel.StateDraft, filesmodel.StateSubmitted, sub) {
		return false
	}
	t := f.events[len(f.events)-1].At
	f.row.SubmittedAt = &t
	day := sub
	if g.rng.IntN(100) < 15 {
		day = day.AddDate(0, 0, g.days(3, 8))
		if !step(h.Secretariat, filesmodel.StateSubmitted, filesmodel.StateIncomplete, day) {
			return false
		}
		f.row.MissingItems = "Justificatif d'hébergement"
		day = day.AddDate(0, 0, g.days(5, 15))
		if !step(a, filesmodel.StateIncomplete, filesmodel.StateSubmitted, day) {
			return false
		}
	}
	day = day.AddDate(0, 0, g.days(2, 10))
	if !step(h.Secretariat, filesmodel.StateSubmitted, filesmodel.StateAdmissible, day) {
		return false
	}
	s := g.next(day.AddDate(0, 0, 5))
	if s == nil {
		return false
	}
	scheduled := s.day.AddDate(0, 0, -g.days(5, 20))
	if scheduled.Before(day) {
		scheduled = day
	}
	step(h.Secretariat, filesmodel.StateAdmissible, filesmodel.StateScheduled, scheduled)
	sd := s.day
	f.row.SessionDate, f.session = &sd, s
	step(h.President, filesmodel.StateScheduled, filesmodel.StateExamined, s.day)
	f.row.CommissionAvis, f.row.AvisOn = avis, &sd
	s.files = append(s.files, f)
	decided := s.day.AddDate(0, 0, g.days(6, 20))
	if !step(h.Secretariat, filesmodel.StateExamined, filesmodel.StateDecided, decided) {
		return false
	}
	f.row.Decision, f.row.DecidedOn = outcome, &decided
	f.row.AFISGranted = outcome == filesmodel.DecisionAuthorised && f.row.AFISRequested && !f.row.Kind.EndsRights()
	if notified := decided.AddDate(0, 0, g.days(1, 6)); !notified.After(g.today) {
		f.row.NotifiedPersonOn, f.row.NotifiedAssociationOn = &notified, &notified
	}
	return true
}

// observations records that the person was invited to submit observations (before a
// refusal of renewal or an end), two days after sub.
func (g *historyGen) observations(f *hFile, sub time.Time) {
	invited := sub.AddDate(0, 0, 2)
	f.row.ObservationsInvitedOn, f.row.ObservationsMeans = &invited, filesmodel.ObservationsLetter
	if g.rng.IntN(2) == 0 {
		received := invited.AddDate(0, 0, g.days(5, 15))
		f.row.ObservationsReceivedOn = &received
	}
}

// entry draws an entry request submitted on sub; once authorised, its parcours.
func (g *historyGen) entry(sub time.Time) {
	a := g.h.Associations[g.pick(60, 40)%len(g.h.Associations)]
	pe := g.person(sub)
	f := g.request(filesmodel.KindEngagement, pe, nil, a, sub, nil)
	if f == nil {
		return
	}
	avis, outcome := filesmodel.AvisFavorable, filesmodel.DecisionAuthorised
	switch r := g.rng.IntN(100); {
	case r < 13:
		avis, outcome = filesmodel.AvisDefavorable, filesmodel.DecisionRefused
	case r < 15:
		outcome = filesmodel.DecisionRefused // the préfet does not follow the avis
	case r < 24:
		avis = filesmodel.AvisReserve
	}
	if !g.instruct(f, sub, avis, outcome) || outcome == filesmodel.DecisionRefused {
		return
	}
	p := &hParcours{person: pe, assoc: a, row: &filesmodel.Parcours{CommissionID: g.h.Commission.ID, AssociationID: a.Association.ID,
		StartedOn: *f.row.DecidedOn, CreatedAt: f.row.UpdatedAt, UpdatedAt: f.row.UpdatedAt}}
	f.parcours = p
	g.parcours = append(g.parcours, p)
	g.follow(p, f)
}

// follow grants the periods of parcours p from the authorisation f, with the events of
// each period: the person leaves (4 %) or moves away (2 %), an end for commitments not
// kept (2 %), an AFIS request (8 %), then the renewal (5 % refused) until 24 months.
func (g *historyGen) follow(p *hParcours, f *hFile) {
	start := *f.row.DecidedOn
	for k := 1; ; k++ {
		per := g.period(p, f, start, k)
		end := per.row.EndsOn
		switch r := g.rng.IntN(100); {
		case r < 4:
			if g.end(p, filesmodel.EndLeft, start.AddDate(0, 0, g.days(20, 160))) {
				return
			}
		case r < 6:
			if g.end(p, filesmodel.EndMoved, start.AddDate(0, 0, g.days(20, 160))) {
				return
			}
		case r < 8:
			if g.breach(p, start.AddDate(0, 0, g.days(20, 70))) {
				return
			}
		case r < 16 && !per.row.AFISGranted:
			g.afis(p, per, start.AddDate(0, 0, g.days(15, 45)))
		}
		if k*filesmodel.PeriodMonths >= filesmodel.ParcoursMaxMonths {
			g.end(p, filesmodel.EndMaxDuration, end)
			return
		}
		sub := end.AddDate(0, 0, -g.days(60, 85))
		ren := g.request(filesmodel.KindRenewal, p.person, p, p.assoc, sub, f.row)
		if ren == nil {
			return
		}
		refused := g.rng.IntN(100) < 5
		avis, outcome := filesmodel.AvisFavorable, filesmodel.DecisionAuthorised
		if refused {
			avis, outcome = filesmodel.AvisDefavorable, filesmodel.DecisionRefused
			g.observations(ren, sub)
		}
		if !g.instruct(ren, sub, avis, outcome) {
			return
		}
		if refused { // rights end with the period, or at notification if later
			ends := end
			if n := ren.row.NotifiedPersonOn; n != nil && n.After(ends) {
				ends = *n
			} else if n == nil && ren.row.DecidedOn.After(ends) {
				ends = *ren.row.DecidedOn
			}
			p.row.EndedOn, p.row.EndReason = &ends, filesmodel.EndNotRenewed
			return
		}
		start = end // after an interruption, the new period starts with the authorisation
		if ren.row.DecidedOn.After(end) {
			start = *ren.row.DecidedOn
		}
		f = ren
	}
}

// period grants period k of p from start with the rights of file f: the APS for most of
// those who need one, the AFIS when requested, a housing solution for most.
func (g *historyGen) period(p *hParcours, f *hFile, start time.Time, k int) *hPeriod {
	per := &filesmodel.Period{
		CommissionID: g.h.Commission.ID, Seq: k, StartsOn: start, EndsOn: filesmodel.AddMonths(start, filesmodel.PeriodMonths),
		Months: filesmodel.PeriodMonths, APSRequested: f.row.APSNeeded, HousingNeed: f.row.HousingNeed, CreatedAt: f.row.UpdatedAt, UpdatedAt: f.row.UpdatedAt,
	}
	if per.APSRequested && g.rng.IntN(100) < 85 {
		from, until := start.AddDate(0, 0, g.days(0, 20)), per.EndsOn
		per.APSGranted, per.APSFrom, per.APSUntil = true, &from, &until
	}
	if f.row.AFISGranted {
		g.grantAFIS(per, f.row.Children, time.Date(start.Year(), start.Month(), 1, 0, 0, 0, 0, time.UTC))
	}
	housing := [][]int{{30, 35, 28, 7}, {22, 25, 38, 15}, {15, 15, 40, 30}, {10, 10, 35, 45}}[k-1]
	per.HousingProvided = filesmodel.Housings[g.pick(housing...)]
	hp := &hPeriod{row: per, file: f}
	p.periods = append(p.periods, hp)
	return hp
}

// grantAFIS sets the AFIS of per from month from under the scale then in force.
func (g *historyGen) grantAFIS(per *filesmodel.Period, children int, from time.Time) {
	for i := len(g.scales) - 1; i >= 0; i-- {
		if !g.scales[i].EffectiveFrom.After(from) {
			per.AFISGranted, per.AFISChildren, per.AFISMonthlyCents, per.AFISFrom = true, children, g.scales[i].Amount(children), &from
			return
		}
	}
}

// end ends p on day (not after today) for reason, cutting its rights as EndParcours does.
func (g *historyGen) end(p *hParcours, reason filesmodel.EndReason, day time.Time) bool {
	if day.After(g.today) {
		return false
	}
	for _, hp := range p.periods {
		filesmodel.CutPeriod(hp.row, day)
	}
	p.row.EndedOn, p.row.EndReason = &day, reason
	return true
}

// breach runs an end request for commitments not kept, submitted on sub; rights end at
// its notification.
func (g *historyGen) breach(p *hParcours, sub time.Time) bool {
	f := g.request(filesmodel.KindEnd, p.person, p, p.assoc, sub, p.periods[len(p.periods)-1].file.row)
	if f == nil {
		return false
	}
	g.observations(f, sub)
	if !g.instruct(f, sub, filesmodel.AvisFavorable, filesmodel.DecisionAuthorised) || f.row.NotifiedPersonOn == nil {
		return false
	}
	return g.end(p, filesmodel.EndBreach, *f.row.NotifiedPersonOn)
}

// afis runs an AFIS request during period per, submitted on sub; granted from the month
// of the decision when the period still runs then.
func (g *historyGen) afis(p *hParcours, per *hPeriod, sub time.Time) {
	f := g.request(filesmodel.KindAFIS, p.person, p, p.assoc, sub, per.file.row)
	if f == nil || !g.instruct(f, sub, filesmodel.AvisFavorable, filesmodel.DecisionAuthorised) {
		return
	}
	dec := *f.row.DecidedOn
	if !dec.Before(per.row.End()) {
		f.row.AFISGranted = false
		return
	}
	g.grantAFIS(per.row, f.row.Children, time.Date(dec.Year(), dec.Month(), 1, 0, 0, 0, 0, time.UTC))
}

func (g *historyGen) counts() HistoryCounts {
	c := HistoryCounts{Persons: len(g.persons), Files: len(g.files), Parcours: len(g.parcours)}
	for _, s := range g.sessions {
		if s.meeting != nil {
			c.Sessions++
		}
	}
	return c
}
