package demo

import (
	"context"
	"fmt"
	"time"

	"seance/models"
	filesmodel "seance/models/files"
	"seance/models/meetings"
	"seance/models/registry"
	"seance/models/sitting"
)

// seedSittings holds the past year of sessions through the real sitting functions:
// attendance with suppléants and proxies, recusals of the instructing association and
// declared interests, votes by members online and by the secretariat for the room, a
// policy session, a session without quorum and its second convocation, a tie decided
// by the président's casting vote with a dissent, a written deliberation with its
// exchanges, and the préfet's decisions that followed. For trying the screens it
// leaves a session convened for today (the secretariat confirms the attendance and
// opens it) and a written session under way: one deliberation whose exchanges are open,
// one whose vote is open. Every session is convened through models.Convoke.
func seedSittings(ctx context.Context, s *Seeder) error {
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		return err
	}
	d := &sittingSeeder{ctx: ctx, s: s, now: s.Now.UTC(), paris: paris, sec: s.Users[EmailSecretariat], pres: s.Users[EmailPresident],
		f: &fileSeeder{ctx: ctx, s: s, now: filesmodel.DateOf(s.Now), sec: s.Users[EmailSecretariat], pres: s.Users[EmailPresident], n: 500}}
	if d.sec == nil || d.pres == nil {
		return fmt.Errorf("demo sittings need the secretariat and the président")
	}
	for _, step := range []func() error{
		d.entrySession, d.policySession, d.failedQuorum, d.tieSession, d.writtenSession, d.recentSession, d.todaySession, d.openWrittenSession,
	} {
		if err := step(); err != nil {
			return err
		}
	}
	return nil
}

type sittingSeeder struct {
	ctx       context.Context
	s         *Seeder
	f         *fileSeeder
	now       time.Time
	paris     *time.Location
	sec, pres *models.User
}

// day returns 14:00 (Paris) daysAgo days before today, in UTC.
func (d *sittingSeeder) day(daysAgo, hour int) time.Time {
	t := d.now.In(d.paris).AddDate(0, 0, -daysAgo)
	return time.Date(t.Year(), t.Month(), t.Day(), hour, 0, 0, 0, d.paris).UTC()
}

// meeting plans a session starting at start, 40 days before; the step convenes it
// (convene) once its agenda is set.
func (d *sittingSeeder) meeting(kind meetings.MeetingKind, mode meetings.MeetingMode, start time.Time) (*meetings.Meeting, error) {
	in := meetings.MeetingInput{Kind: kind, Mode: mode, StartsAt: start, EndsAt: start.Add(3 * time.Hour), Capacity: 12}
	if mode != meetings.ModeWritten {
		in.Place = "Préfecture de la Haute-Garonne, 1 place Saint-Étienne, Toulouse — salle Capitole"
	}
	if mode == meetings.ModeHybrid || mode == meetings.ModeRemote {
		in.RemoteLink = "https://webconf.demo.example/cdlp31"
	}
	m, err := meetings.CreateMeeting(d.ctx, d.s.DB, d.s.Actor(), d.s.Commission.ID, in, start.AddDate(0, 0, -40))
	if err != nil {
		return nil, fmt.Errorf("demo session of %s: %w", start.Format(time.DateOnly), err)
	}
	return m, nil
}

// convene convenes m at at through the sessions feature (models.Convoke): every seat's
// titulaire and suppléants and the présidence receive the convocation, so that each
// member finds the session, its votes and its procès-verbal on their pages, and the
// convened members get access to the agenda's files. No e-mail is sent.
func (d *sittingSeeder) convene(m *meetings.Meeting, at time.Time) error {
	res, err := meetings.Convoke(d.ctx, d.s.DB, d.pres, m.CommissionID, m.ID, meetings.ConvokeInput{}, at)
	if err != nil {
		return fmt.Errorf("convene the demo session of %s: %w", m.StartsAt.Format(time.DateOnly), err)
	}
	m.Status, m.ConvenedAt = res.Meeting.Status, res.Meeting.ConvenedAt
	return nil
}

// item appends an item to a session's agenda, as the agenda builder would.
func (d *sittingSeeder) item(m *meetings.Meeting, kind meetings.AgendaItemKind, fileID int64, title string) (*meetings.AgendaItem, error) {
	n, err := d.s.DB.NewSelect().Model((*meetings.AgendaItem)(nil)).Where("meeting_id = ?", m.ID).Count(d.ctx)
	if err != nil {
		return nil, err
	}
	it := &meetings.AgendaItem{CommissionID: m.CommissionID, MeetingID: m.ID, Position: int(n) + 1, Kind: kind, Title: title,
		Reason: "Inscrit par le secrétariat (démonstration)", CreatedAt: d.s.Now}
	if fileID != 0 {
		it.FileID = &fileID
	}
	if _, err := d.s.DB.NewInsert().Model(it).Exec(d.ctx); err != nil {
		return nil, fmt.Errorf("demo agenda item: %w", err)
	}
	return it, nil
}

// files creates n complete entry requests, admissible, and schedules them on m.
func (d *sittingSeeder) files(m *meetings.Meeting, n, prefer int) ([]*filesmodel.File, []*meetings.AgendaItem, error) {
	var fs []*filesmodel.File
	var items []*meetings.AgendaItem
	for i := range n {
		u, err := d.f.association((prefer+i)%2, m.StartsAt.AddDate(0, 0, -45), m.StartsAt.AddDate(0, 0, 10))
		if err != nil {
			return nil, nil, err
		}
		f, err := d.f.request(u, d.f.input(filesmodel.KindEngagement, d.f.person(), 0), filesmodel.StateAdmissible, "", filesmodel.DateOf(m.StartsAt))
		if err != nil {
			return nil, nil, err
		}
		if err := filesmodel.MarkScheduled(d.ctx, d.s.DB, d.sec, f.ID, m.ID, m.StartsAt, m.StartsAt.AddDate(0, 0, -30)); err != nil {
			return nil, nil, fmt.Errorf("schedule %s: %w", f.Reference, err)
		}
		it, err := d.item(m, meetings.ItemFile, f.ID, f.Reference+" — "+f.Kind.Label())
		if err != nil {
			return nil, nil, err
		}
		fs, items = append(fs, f), append(items, it)
	}
	return fs, items, nil
}

// attendance codes, one per seat in composition order: P on site, R remote, S replaced
// by the seat's suppléant, X proxy (to the seat named in proxies), E excused, A absent,
// N no reply (then confirmed absent at the sitting).
func (d *sittingSeeder) attendance(m *meetings.Meeting, codes string, proxies map[int]int, at time.Time) error {
	roll, err := registry.VotingMembers(d.ctx, d.s.DB, m.CommissionID, m.StartsAt)
	if err != nil {
		return err
	}
	// Holders of proxies first reply that they come, then the givers.
	order := make([]int, 0, len(codes))
	for i := range codes {
		if codes[i] != 'X' {
			order = append(order, i)
		}
	}
	for i := range codes {
		if codes[i] == 'X' {
			order = append(order, i)
		}
	}
	for _, i := range order {
		h := roll.Seats[i]
		if h.Titulaire == nil || codes[i] == 'N' {
			continue
		}
		in := meetings.AttendanceInput{SeatID: h.Seat.ID}
		switch codes[i] {
		case 'P':
			in.Status = meetings.AttPresentOnSite
		case 'R':
			in.Status = meetings.AttPresentRemote
		case 'S':
			in.Status, in.SubstituteUserID = meetings.AttSubstituted, h.Suppleants[0].UserID
		case 'X':
			in.Status, in.ProxyHolderUserID = meetings.AttProxy, roll.Seats[proxies[i]].Titulaire.UserID
		case 'E':
			in.Status = meetings.AttExcused
		default:
			in.Status = meetings.AttAbsent
		}
		if _, err := meetings.SetAttendance(d.ctx, d.s.DB, models.ActorFor(h.Titulaire.User), m.CommissionID, m.ID, in, at); err != nil {
			return fmt.Errorf("attendance of seat %d: %w", i+1, err)
		}
	}
	return nil
}

// open confirms the replies and opens the sitting at its start, chaired by the président.
func (d *sittingSeeder) open(m *meetings.Meeting) error {
	if _, err := sitting.ConfirmSittingAttendance(d.ctx, d.s.DB, models.ActorFor(d.sec), m.CommissionID, m.ID, m.StartsAt.Add(-10*time.Minute)); err != nil {
		return fmt.Errorf("confirm attendance: %w", err)
	}
	_, err := sitting.OpenSitting(d.ctx, d.s.DB, d.sec, m.CommissionID, m.ID, d.pres.ID, m.StartsAt)
	return err
}

// plan says how the voters vote: the first `no` voters against, the next `abst`
// abstain, the others for; the chair as chair ("" to not vote). A tie plan sets the
// counts so that the chair's vote for makes an equal split.
type plan struct {
	no, abst int
	tie      bool
	chair    sitting.BallotChoice
	room     bool // the secretariat counts the room by hand for the voters on site
}

// vote opens the vote on item at at, has everyone vote by plan (members online, the
// secretariat entering the others' ballots for the room) and closes it.
func (d *sittingSeeder) vote(item *meetings.AgendaItem, proposed filesmodel.Avis, p plan, at time.Time) (*sitting.Vote, error) {
	cid := d.s.Commission.ID
	v, err := sitting.OpenVote(d.ctx, d.s.DB, d.pres, cid, item.ID, sitting.VoteInput{ProposedAvis: proposed}, at)
	if err != nil {
		return nil, fmt.Errorf("open vote on %s: %w", item.Title, err)
	}
	t, err := sitting.VoteTally(d.ctx, d.s.DB, cid, v.ID)
	if err != nil {
		return nil, err
	}
	var voters []sitting.VoterLine
	for _, l := range t.Lines {
		if !l.Chair {
			voters = append(voters, l)
		}
	}
	n := len(voters)
	if p.tie {
		p.no, p.chair = n/2, sitting.BallotFor
		p.abst = n - 2*p.no + 1
	}
	var room sitting.RoomCount
	for i, l := range voters {
		c := sitting.BallotFor
		switch {
		case i < p.no:
			c = sitting.BallotAgainst
		case i < p.no+p.abst:
			c = sitting.BallotAbstain
		}
		if p.room && i%2 == 1 && l.RepresentedUserID == 0 {
			switch c {
			case sitting.BallotFor:
				room.Yes++
			case sitting.BallotAgainst:
				room.No++
			default:
				room.Abstentions++
			}
			continue
		}
		if err := d.ballot(v, l, c, i, at.Add(time.Duration(2+i%5)*time.Minute)); err != nil {
			return nil, err
		}
	}
	if p.chair != "" {
		if _, err := sitting.CastBallot(d.ctx, d.s.DB, d.pres, cid, v.ID, sitting.BallotInput{Choice: p.chair}, at.Add(8*time.Minute)); err != nil {
			return nil, fmt.Errorf("chair's ballot: %w", err)
		}
	}
	// The chair closes knowingly: when the plan gives no chair's ballot, the président
	// is named in the confirmation and counted as not taking part.
	in := sitting.CloseVoteInput{ConfirmMissing: true}
	if p.room {
		in.Room = &room
	}
	v, err = sitting.CloseVote(d.ctx, d.s.DB, d.pres, cid, v.ID, in, at.Add(10*time.Minute))
	if err != nil {
		return nil, fmt.Errorf("close vote on %s: %w", item.Title, err)
	}
	return v, nil
}

// ballot casts one voter's ballot: online from the member's account, or, one in three,
// entered by the secretariat for the room.
func (d *sittingSeeder) ballot(v *sitting.Vote, l sitting.VoterLine, c sitting.BallotChoice, i int, at time.Time) error {
	actor := d.sec
	in := sitting.BallotInput{VoterUserID: l.VoterUserID, RepresentedUserID: l.RepresentedUserID, Choice: c}
	if i%3 != 0 || v.Written {
		u, err := models.FindUser(d.ctx, d.s.DB, l.VoterUserID)
		if err != nil {
			return err
		}
		actor, in.VoterUserID = u, 0
	}
	if _, err := sitting.CastBallot(d.ctx, d.s.DB, actor, d.s.Commission.ID, v.ID, in, at); err != nil {
		return fmt.Errorf("ballot of user %d: %w", l.VoterUserID, err)
	}
	return nil
}

// reason records the reasoning of a file's avis.
func (d *sittingSeeder) reason(v *sitting.Vote, at time.Time) error {
	det := sitting.AvisDetails{Reasoning: "Le projet d'insertion est construit avec la personne ; l'accompagnement est régulier et les engagements sont tenus."}
	switch v.Avis {
	case filesmodel.AvisDefavorable:
		det.Reasoning = "Les engagements pris ne sont pas encore formalisés ; la commission invite l'association à présenter une nouvelle demande."
	case filesmodel.AvisReserve:
		det.Conditions = "Point d'étape à trois mois sur l'hébergement et l'assiduité aux cours de français."
		det.RecommendedMonths = 3
	default:
		det.RecommendedMonths = 6
	}
	return sitting.RecordAvisDetails(d.ctx, d.s.DB, d.s.Keys, d.pres, d.s.Commission.ID, v.ID, det, at)
}

// fileVotes puts each file item to the vote with plans, reasons the avis and returns
// the votes.
func (d *sittingSeeder) fileVotes(items []*meetings.AgendaItem, plans []plan, proposed []filesmodel.Avis, start time.Time) ([]*sitting.Vote, error) {
	var votes []*sitting.Vote
	for i, it := range items {
		at := start.Add(time.Duration(15+20*i) * time.Minute)
		v, err := d.vote(it, proposed[i%len(proposed)], plans[i%len(plans)], at)
		if err != nil {
			return nil, err
		}
		if err := d.reason(v, at.Add(12*time.Minute)); err != nil {
			return nil, err
		}
		votes = append(votes, v)
	}
	return votes, nil
}

// decide records the préfet's decisions ten days after the session, following the avis.
func (d *sittingSeeder) decide(fs []*filesmodel.File, votes []*sitting.Vote, start time.Time) error {
	on := filesmodel.DateOf(start.AddDate(0, 0, 10))
	if on.After(filesmodel.DateOf(d.now)) {
		return nil
	}
	for i, f := range fs {
		outcome := filesmodel.DecisionAuthorised
		if votes[i].Avis == filesmodel.AvisDefavorable {
			outcome = filesmodel.DecisionRefused
		}
		dec := filesmodel.Decision{Outcome: outcome, DecidedOn: on, NotifiedPersonOn: on, NotifiedAssociationOn: on,
			AFISGranted: outcome == filesmodel.DecisionAuthorised && f.AFISRequested}
		if err := filesmodel.Transition(d.ctx, d.s.DB, d.s.Keys, d.sec, f.ID, filesmodel.StateDecided, filesmodel.TransitionInput{Decision: dec}, on); err != nil {
			return fmt.Errorf("decision on %s: %w", f.Reference, err)
		}
	}
	return nil
}

func (d *sittingSeeder) closeSitting(m *meetings.Meeting, at time.Time) error {
	return sitting.CloseSitting(d.ctx, d.s.DB, d.sec, m.CommissionID, m.ID, at)
}

// heldSession describes an in-room session on files held in the past.
type heldSession struct {
	daysAgo  int
	mode     meetings.MeetingMode
	files    int
	prefer   int    // the association instructing the first file (0 or 1)
	codes    string // attendance, see attendance
	proxies  map[int]int
	plans    []plan
	proposed []filesmodel.Avis
	// before runs once the files are on the agenda (declared interests); after once the
	// votes are closed, before the sitting closes (dissents).
	before func(m *meetings.Meeting, fs []*filesmodel.File) error
	after  func(m *meetings.Meeting, votes []*sitting.Vote) error
}

// hold plans, convenes and holds a session on files, then records the préfet's decisions.
func (d *sittingSeeder) hold(h heldSession) error {
	start := d.day(h.daysAgo, 14)
	m, err := d.meeting(meetings.MeetingFiles, h.mode, start)
	if err != nil {
		return err
	}
	fs, items, err := d.files(m, h.files, h.prefer)
	if err != nil {
		return err
	}
	if err := d.convene(m, start.AddDate(0, 0, -20)); err != nil {
		return err
	}
	if h.before != nil {
		if err := h.before(m, fs); err != nil {
			return err
		}
	}
	if err := d.attendance(m, h.codes, h.proxies, start.AddDate(0, 0, -3)); err != nil {
		return err
	}
	if err := d.open(m); err != nil {
		return err
	}
	votes, err := d.fileVotes(items, h.plans, h.proposed, start)
	if err != nil {
		return err
	}
	if h.after != nil {
		if err := h.after(m, votes); err != nil {
			return err
		}
	}
	if err := d.closeSitting(m, start.Add(2*time.Hour)); err != nil {
		return err
	}
	return d.decide(fs, votes, start)
}

// entrySession: eleven months ago, three entries; the doctor gives a proxy; the
// association's seat is kept out of its own files.
func (d *sittingSeeder) entrySession() error {
	return d.hold(heldSession{daysAgo: 330, mode: meetings.ModeOnSite, files: 3, codes: "PPPRSPPEXPPAPPRPPPP", proxies: map[int]int{8: 9},
		plans:    []plan{{chair: sitting.BallotFor}, {no: 2, abst: 1, chair: sitting.BallotFor}, {no: 1, chair: sitting.BallotFor}},
		proposed: []filesmodel.Avis{filesmodel.AvisFavorable}})
}

// policySession: nine months ago, the yearly policy session (REGLES.md requirement 7),
// hybrid, with a vote counted by hand in the room.
func (d *sittingSeeder) policySession() error {
	start := d.day(270, 10)
	m, err := d.meeting(meetings.MeetingPolicy, meetings.ModeHybrid, start)
	if err != nil {
		return err
	}
	var items []*meetings.AgendaItem
	for _, t := range []struct {
		kind  meetings.AgendaItemKind
		title string
	}{
		{meetings.ItemMinutes, "Approbation du procès-verbal de la séance précédente"},
		{meetings.ItemInformation, "Bilan de l'année écoulée : parcours engagés, renouvelés et clos"},
		{meetings.ItemPolicy, "Programme départemental d'actions de lutte contre la prostitution et la traite"},
		{meetings.ItemPolicy, "Convention de partenariat pour l'accès aux soins des personnes accompagnées"},
	} {
		it, err := d.item(m, t.kind, 0, t.title)
		if err != nil {
			return err
		}
		items = append(items, it)
	}
	if err := d.convene(m, start.AddDate(0, 0, -20)); err != nil {
		return err
	}
	if err := d.attendance(m, "PRPPSRPPXPRPPEPPARR", map[int]int{8: 0}, start.AddDate(0, 0, -2)); err != nil {
		return err
	}
	if err := d.open(m); err != nil {
		return err
	}
	for i, p := range map[int]plan{0: {abst: 1, chair: sitting.BallotFor}, 2: {no: 1, abst: 2, chair: sitting.BallotFor, room: true}, 3: {chair: sitting.BallotFor}} {
		if _, err := d.vote(items[i], "", p, start.Add(time.Duration(20+30*i)*time.Minute)); err != nil {
			return err
		}
	}
	return d.closeSitting(m, start.Add(3*time.Hour))
}

// failedQuorum: seven months ago, only six members came: the session is closed for lack
// of quorum and its second convocation, two weeks later, examines the same files
// without quorum (R133-10).
func (d *sittingSeeder) failedQuorum() error {
	start := d.day(200, 14)
	m, err := d.meeting(meetings.MeetingFiles, meetings.ModeOnSite, start)
	if err != nil {
		return err
	}
	fs, _, err := d.files(m, 2, 1)
	if err != nil {
		return err
	}
	if err := d.convene(m, start.AddDate(0, 0, -20)); err != nil {
		return err
	}
	if err := d.attendance(m, "PEEAPEEPEPEENEEPEPA", nil, start.AddDate(0, 0, -3)); err != nil {
		return err
	}
	if err := d.open(m); err != nil {
		return err
	}
	second, err := sitting.CloseSittingWithoutQuorum(d.ctx, d.s.DB, d.pres, m.CommissionID, m.ID, meetings.MeetingInput{
		Mode: meetings.ModeOnSite, StartsAt: start.AddDate(0, 0, 14), Place: m.Place, Capacity: 12,
	}, start.Add(20*time.Minute))
	if err != nil {
		return fmt.Errorf("second convocation: %w", err)
	}
	if err := d.convene(second, start.Add(2*time.Hour)); err != nil {
		return err
	}
	if err := d.attendance(second, "PEPASEEPEPEEPEEPEPE", nil, second.StartsAt.AddDate(0, 0, -2)); err != nil {
		return err
	}
	if err := d.open(second); err != nil {
		return err
	}
	items, err := meetings.ListAgenda(d.ctx, d.s.DB, m.CommissionID, second.ID)
	if err != nil {
		return err
	}
	var ptrs []*meetings.AgendaItem
	for i := range items {
		ptrs = append(ptrs, &items[i])
	}
	votes, err := d.fileVotes(ptrs, []plan{{chair: sitting.BallotFor}, {no: 4, abst: 1, chair: sitting.BallotAgainst}},
		[]filesmodel.Avis{filesmodel.AvisFavorable}, second.StartsAt)
	if err != nil {
		return err
	}
	if err := d.closeSitting(second, second.StartsAt.Add(90*time.Minute)); err != nil {
		return err
	}
	return d.decide(fs, votes, second.StartsAt)
}

// tieSession: a little over four months ago, a member declared an interest, the second
// file splits the votes equally and the président's casting vote decides; a member
// who voted against has their dissent recorded. The gendarmerie commander (replaced
// since) is represented by his suppléant.
func (d *sittingSeeder) tieSession() error {
	return d.hold(heldSession{daysAgo: 130, mode: meetings.ModeHybrid, files: 3, prefer: 1, codes: "PRPESPPRXPPEPRPXAPP", proxies: map[int]int{8: 9, 15: 12},
		plans:    []plan{{no: 1, chair: sitting.BallotFor}, {tie: true}, {no: 7, abst: 2, chair: sitting.BallotAgainst}},
		proposed: []filesmodel.Avis{filesmodel.AvisFavorable, filesmodel.AvisReserve, filesmodel.AvisFavorable},
		before: func(m *meetings.Meeting, fs []*filesmodel.File) error {
			member := d.s.Users[MemberEmail(7)]
			return filesmodel.DeclareInterest(d.ctx, d.s.DB, models.ActorFor(member), m.CommissionID, fs[0].ID, member.ID,
				"A suivi la personne dans un cadre professionnel antérieur", m.StartsAt.AddDate(0, 0, -2))
		},
		after: func(m *meetings.Meeting, votes []*sitting.Vote) error { return d.dissent(m, votes[1]) },
	})
}

// dissent records the dissent of the first member who voted against on v.
func (d *sittingSeeder) dissent(m *meetings.Meeting, v *sitting.Vote) error {
	t, err := sitting.VoteTally(d.ctx, d.s.DB, m.CommissionID, v.ID)
	if err != nil {
		return err
	}
	for _, l := range t.Lines {
		if l.Ballot == nil || l.Ballot.Choice != sitting.BallotAgainst || l.RepresentedUserID != 0 {
			continue
		}
		u, err := models.FindUser(d.ctx, d.s.DB, l.VoterUserID)
		if err != nil {
			return err
		}
		_, err = sitting.RecordDissent(d.ctx, d.s.DB, d.s.Keys, u, m.CommissionID, v.ID, u.ID,
			"Je souhaite que mon désaccord soit consigné : l'hébergement proposé ne me paraît pas assurer la sécurité de la personne.", m.StartsAt.Add(80*time.Minute))
		return err
	}
	return nil
}

// writtenSession: two and a half months ago, a written electronic deliberation on one
// entry, with exchanges, an extension of the deadline, then the vote (REGLES.md
// requirement 12).
func (d *sittingSeeder) writtenSession() error {
	start := d.day(75, 9)
	m, err := d.meeting(meetings.MeetingFiles, meetings.ModeWritten, start)
	if err != nil {
		return err
	}
	fs, items, err := d.files(m, 1, 0)
	if err != nil {
		return err
	}
	if err := d.convene(m, start.AddDate(0, 0, -20)); err != nil {
		return err
	}
	cid := m.CommissionID
	del, err := sitting.AnnounceDeliberation(d.ctx, d.s.DB, d.pres, cid, items[0].ID, sitting.DeliberationInput{
		StartsAt: start, Deadline: start.Add(72 * time.Hour), VotingHours: 48, MeansChecked: true,
	}, start.AddDate(0, 0, -10))
	if err != nil {
		return fmt.Errorf("announce written deliberation: %w", err)
	}
	if _, err := sitting.OpenSitting(d.ctx, d.s.DB, d.pres, cid, m.ID, d.pres.ID, start); err != nil {
		return err
	}
	if _, err := sitting.OpenDeliberation(d.ctx, d.s.DB, d.s.Keys, d.pres, cid, del.ID,
		"Le dossier est examiné par écrit pour permettre un avis avant la fin du mois. Merci de vos contributions.", start.Add(5*time.Minute)); err != nil {
		return err
	}
	posts := []struct {
		member int
		reply  int // index of the contribution answered, -1 for none
		hours  int
		body   string
	}{
		{2, -1, 3, "L'hébergement prévu est-il déjà confirmé par la résidence sociale ?"},
		{19, 0, 5, "Oui : une place est réservée à compter du mois prochain, la convention d'occupation est signée."},
		{10, -1, 20, "Avis favorable du conseil départemental ; un accompagnement vers l'emploi pourrait être proposé dès le troisième mois."},
		{6, 2, 30, "La demande d'autorisation provisoire de séjour pourra être instruite dès l'avis de la commission."},
	}
	var ids []int64
	for _, p := range posts {
		var reply int64
		if p.reply >= 0 {
			reply = ids[p.reply]
		}
		c, err := sitting.PostContribution(d.ctx, d.s.DB, d.s.Keys, d.s.Users[MemberEmail(p.member)], cid, del.ID, reply, p.body, start.Add(time.Duration(p.hours)*time.Hour))
		if err != nil {
			return fmt.Errorf("contribution: %w", err)
		}
		ids = append(ids, c.ID)
	}
	if _, err := sitting.ExtendDeliberation(d.ctx, d.s.DB, d.s.Keys, d.pres, cid, del.ID, start.Add(96*time.Hour), start.Add(60*time.Hour)); err != nil {
		return err
	}
	v, err := sitting.CloseDebate(d.ctx, d.s.DB, d.s.Keys, d.pres, cid, del.ID, start.Add(96*time.Hour))
	if err != nil {
		return err
	}
	for i, n := range []int{1, 2, 3, 4, 5, 6, 8, 10, 11, 12, 14, 17} {
		c := sitting.BallotFor
		if i == 5 {
			c = sitting.BallotAbstain
		}
		if _, err := sitting.CastBallot(d.ctx, d.s.DB, d.s.Users[MemberEmail(n)], cid, v.ID, sitting.BallotInput{Choice: c}, start.Add(time.Duration(97+2*i)*time.Hour)); err != nil {
			return fmt.Errorf("written ballot of member %d: %w", n, err)
		}
	}
	if _, err := sitting.CastBallot(d.ctx, d.s.DB, d.pres, cid, v.ID, sitting.BallotInput{Choice: sitting.BallotFor}, start.Add(110*time.Hour)); err != nil {
		return err
	}
	if v, err = sitting.CloseVote(d.ctx, d.s.DB, d.pres, cid, v.ID, sitting.CloseVoteInput{}, start.Add(145*time.Hour)); err != nil {
		return err
	}
	if err := d.reason(v, start.Add(146*time.Hour)); err != nil {
		return err
	}
	if err := sitting.CloseSitting(d.ctx, d.s.DB, d.pres, cid, m.ID, start.Add(147*time.Hour)); err != nil {
		return err
	}
	return d.decide(fs, []*sitting.Vote{v}, start.Add(147*time.Hour))
}

// recentSession: forty days ago, four files, one avis with reservations and conditions.
func (d *sittingSeeder) recentSession() error {
	return d.hold(heldSession{daysAgo: 40, mode: meetings.ModeOnSite, files: 4, codes: "PPSPPPRPXPPPPEPPPPP", proxies: map[int]int{8: 3},
		plans:    []plan{{chair: sitting.BallotFor}, {no: 3, abst: 2, chair: sitting.BallotFor}, {no: 10, chair: sitting.BallotAgainst}, {abst: 1, chair: sitting.BallotFor}},
		proposed: []filesmodel.Avis{filesmodel.AvisFavorable, filesmodel.AvisReserve, filesmodel.AvisFavorable, filesmodel.AvisFavorable}})
}

// todaySession: a session convened for today at 14:00, with replies
// received (a suppléant, a proxy, remote members, one member without reply): the
// secretariat confirms the attendance and opens it; members vote from "Mes votes".
func (d *sittingSeeder) todaySession() error {
	start := d.day(0, 14)
	m, err := d.meeting(meetings.MeetingFiles, meetings.ModeHybrid, start)
	if err != nil {
		return err
	}
	fs, _, err := d.files(m, 3, 0)
	if err != nil {
		return err
	}
	if _, err := d.item(m, meetings.ItemPolicy, 0, "Point d'étape sur le réseau départemental d'hébergement sécurisé"); err != nil {
		return err
	}
	if _, err := d.item(m, meetings.ItemInformation, 0, "Questions diverses"); err != nil {
		return err
	}
	// The convocation gives the président and the titulaires access to the files.
	if err := d.convene(m, start.AddDate(0, 0, -20)); err != nil {
		return err
	}
	member := d.s.Users[MemberEmail(12)]
	if err := filesmodel.DeclareInterest(d.ctx, d.s.DB, models.ActorFor(member), m.CommissionID, fs[1].ID, member.ID,
		"Lien familial avec un salarié de l'association", start.AddDate(0, 0, -3)); err != nil {
		return err
	}
	return d.attendance(m, "PSPRPPREXPPPPNRPPPP", map[int]int{8: 9}, start.AddDate(0, 0, -2))
}

// openWrittenSession: a written session under way since yesterday, announced ten days
// ago, with two deliberations: the first's exchanges are open until the day after
// tomorrow, members may contribute now; the second's exchanges closed a few hours ago
// and its vote is open for two days: most members have not voted yet, so their
// dashboard shows the ballot that waits for them.
func (d *sittingSeeder) openWrittenSession() error {
	start := d.now.Add(-26 * time.Hour).Truncate(time.Hour)
	m, err := d.meeting(meetings.MeetingPolicy, meetings.ModeWritten, start)
	if err != nil {
		return err
	}
	it, err := d.item(m, meetings.ItemPolicy, 0, "Avis sur le projet de guide départemental d'accueil des victimes de traite")
	if err != nil {
		return err
	}
	voted, err := d.item(m, meetings.ItemPolicy, 0, "Avis sur la charte d'engagement des structures d'hébergement partenaires")
	if err != nil {
		return err
	}
	if err := d.convene(m, start.AddDate(0, 0, -20)); err != nil {
		return err
	}
	cid := m.CommissionID
	del, err := sitting.AnnounceDeliberation(d.ctx, d.s.DB, d.pres, cid, it.ID, sitting.DeliberationInput{
		StartsAt: start, Deadline: start.Add(72 * time.Hour), VotingHours: 48, MeansChecked: true,
	}, start.AddDate(0, 0, -10))
	if err != nil {
		return err
	}
	if _, err := sitting.OpenSitting(d.ctx, d.s.DB, d.pres, cid, m.ID, d.pres.ID, start); err != nil {
		return err
	}
	if _, err := sitting.OpenDeliberation(d.ctx, d.s.DB, d.s.Keys, d.pres, cid, del.ID,
		"Le projet de guide est joint à la convocation. Vos remarques sont attendues avant la clôture des échanges.", start.Add(10*time.Minute)); err != nil {
		return err
	}
	first, err := sitting.PostContribution(d.ctx, d.s.DB, d.s.Keys, d.s.Users[MemberEmail(3)], cid, del.ID, 0,
		"La fiche sur le signalement gagnerait à rappeler le numéro d'urgence et le rôle de l'officier de liaison.", start.Add(4*time.Hour))
	if err != nil {
		return err
	}
	if _, err = sitting.PostContribution(d.ctx, d.s.DB, d.s.Keys, d.s.Users[MemberEmail(18)], cid, del.ID, first.ID,
		"D'accord ; nous proposons aussi une annexe sur l'interprétariat lors du premier accueil.", start.Add(9*time.Hour)); err != nil {
		return err
	}
	return d.openWrittenVote(m, voted, start)
}

// openWrittenVote runs the deliberation of item on the written session m opened at start:
// exchanges until start+20h, then the vote, open for 48 hours, where three members
// have voted.
func (d *sittingSeeder) openWrittenVote(m *meetings.Meeting, item *meetings.AgendaItem, start time.Time) error {
	cid := m.CommissionID
	del, err := sitting.AnnounceDeliberation(d.ctx, d.s.DB, d.pres, cid, item.ID, sitting.DeliberationInput{
		StartsAt: start, Deadline: start.Add(20 * time.Hour), VotingHours: 48, MeansChecked: true,
	}, start.AddDate(0, 0, -10))
	if err != nil {
		return err
	}
	if _, err := sitting.OpenDeliberation(d.ctx, d.s.DB, d.s.Keys, d.pres, cid, del.ID,
		"La charte est jointe à la convocation. Les échanges sont brefs : le vote s'ouvrira demain matin.", start.Add(15*time.Minute)); err != nil {
		return err
	}
	if _, err := sitting.PostContribution(d.ctx, d.s.DB, d.s.Keys, d.s.Users[MemberEmail(10)], cid, del.ID, 0,
		"La charte reprend les engagements de sécurité demandés l'an dernier ; nous y sommes favorables.", start.Add(3*time.Hour)); err != nil {
		return err
	}
	v, err := sitting.CloseDebate(d.ctx, d.s.DB, d.s.Keys, d.pres, cid, del.ID, start.Add(21*time.Hour))
	if err != nil {
		return fmt.Errorf("close the demo debate: %w", err)
	}
	for i, n := range []int{3, 10, 18} {
		if _, err := sitting.CastBallot(d.ctx, d.s.DB, d.s.Users[MemberEmail(n)], cid, v.ID, sitting.BallotInput{Choice: sitting.BallotFor}, start.Add(time.Duration(22+i)*time.Hour)); err != nil {
			return fmt.Errorf("written ballot of member %d: %w", n, err)
		}
	}
	return nil
}
