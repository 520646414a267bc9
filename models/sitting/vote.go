package sitting

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"seance/models"
	"seance/models/files"
	"seance/models/keyring"
	"seance/models/meetings"
	"seance/models/registry"
)

// Votes (REGLES.md requirements 5 and 6). The chair opens the vote on an agenda item;
// the voters are fixed at that moment from the presence (vote_voters): each member
// sitting for a seat, each proxy holder once more "acting for" the member represented,
// and the chair when PresidentVotes, never a member excluded from the item. Each
// voter's ballot is one row, unique per (vote, voter, member represented) and per
// seat; a voter may change it until the vote closes. Every ballot, change, opening,
// closing and result is written to the audit chain in the same transaction, and the
// voter gets the first 16 hex digits of the audit record's hash as a receipt.
//
// Concurrency: a ballot and the closing of its vote both read the vote row FOR
// UPDATE on PostgreSQL (SQLite has a single writer), so a ballot is either counted by
// the closing or refused with ErrVoteClosed, never lost.

// VoteStatus is open or closed.
type VoteStatus string

// The statuses of a vote.
const (
	VoteOpen   VoteStatus = "open"
	VoteClosed VoteStatus = "closed"
)

// BallotChoice is a voter's choice.
type BallotChoice string

// The choices of a ballot.
const (
	BallotFor     BallotChoice = "pour"
	BallotAgainst BallotChoice = "contre"
	BallotAbstain BallotChoice = "abstention"
)

// BallotChoices lists the choices in display order.
var BallotChoices = []BallotChoice{BallotFor, BallotAgainst, BallotAbstain}

// Label is the French name of the choice.
func (c BallotChoice) Label() string {
	switch c {
	case BallotFor:
		return "Pour"
	case BallotAgainst:
		return "Contre"
	case BallotAbstain:
		return "Abstention"
	}
	return string(c)
}

// Valid reports whether c is a known choice.
func (c BallotChoice) Valid() bool { return slices.Contains(BallotChoices, c) }

// BallotChannel is how a ballot reached the portal.
type BallotChannel string

// The channels of a ballot.
const (
	ChannelOnline BallotChannel = "online" // cast by the voter from their own account
	ChannelRoom   BallotChannel = "room"   // entered by the secretariat for a voter in the room
)

// Label is the French name of the channel.
func (c BallotChannel) Label() string {
	if c == ChannelRoom {
		return "Saisi en salle par le secrétariat"
	}
	return "Exprimé en ligne"
}

// VoteOutcome is the result of a closed vote.
type VoteOutcome string

// The results of a vote.
const (
	OutcomeAdopted  VoteOutcome = "adopted"
	OutcomeRejected VoteOutcome = "rejected"
	// OutcomeNotValid: a written deliberation in which fewer than half the members took
	// part (ordonnance 2014-1329 art. 4 II).
	OutcomeNotValid VoteOutcome = "not_valid"
)

// Label is the French name of the result.
func (o VoteOutcome) Label() string {
	switch o {
	case OutcomeAdopted:
		return "Adopté"
	case OutcomeRejected:
		return "Rejeté"
	case OutcomeNotValid:
		return "Délibération non valable (participation insuffisante)"
	}
	return "Vote en cours"
}

// Vote is the vote on one agenda item, with its result once closed.
type Vote struct {
	bun.BaseModel `bun:"table:sitting_votes"`

	ID           int64  `bun:",pk,autoincrement"`
	CommissionID int64  `bun:",notnull"`
	MeetingID    int64  `bun:",notnull"`
	AgendaItemID int64  `bun:",notnull"`
	Written      bool   `bun:",notnull"` // the voting window of a written deliberation
	Question     string `bun:",notnull"`
	// ProposedAvis is the avis the motion proposes on a file ("" for other items).
	ProposedAvis files.Avis `bun:",notnull"`
	Status       VoteStatus `bun:",notnull"`
	OpenedAt     time.Time  `bun:",notnull"`
	OpenedBy     int64      `bun:",notnull"`
	ClosesAt     *time.Time // the end of a written voting window
	ClosedAt     *time.Time
	ClosedBy     *int64 `bun:",nullzero"`
	ChairUserID  *int64 `bun:",nullzero"` // the président whose ballot decides a tie
	// The quorum when the vote opened (REGLES.md requirement 4).
	NoQuorumRequired  bool `bun:",notnull"`
	Members           int  `bun:",notnull"`
	QuorumRequired    int  `bun:",notnull"`
	QuorumPresent     int  `bun:",notnull"`
	QuorumRepresented int  `bun:",notnull"`
	Recused           int  `bun:",notnull"` // seats excluded from the item
	Eligible          int  `bun:",notnull"` // ballots expected (seats, for a written vote)
	// The count at closing: named ballots plus the room's counts.
	Yes             int  `bun:",notnull"`
	No              int  `bun:",notnull"`
	Abstentions     int  `bun:",notnull"`
	RoomCounted     bool `bun:",notnull"`
	RoomYes         int  `bun:",notnull"`
	RoomNo          int  `bun:",notnull"`
	RoomAbstentions int  `bun:",notnull"`
	// Participants: seats that took part in a written deliberation (voted or wrote).
	Participants int          `bun:",notnull"`
	Outcome      VoteOutcome  `bun:",notnull"`
	Tie          bool         `bun:",notnull"`
	CastingVote  BallotChoice `bun:",notnull"` // the chair's ballot that decided a tie
	// Avis is the commission's avis on the file that the result gives ("" otherwise).
	Avis              files.Avis `bun:",notnull"`
	ReasoningSealed   string     `bun:",notnull" json:"-"`
	ConditionsSealed  string     `bun:",notnull" json:"-"`
	RecommendedMonths int        `bun:",notnull"` // recommended duration of the parcours period, 0: none
	AvisRecordedAt    *time.Time
	UpdatedAt         time.Time `bun:",notnull"`
}

// Open reports whether the vote still takes ballots at now.
func (v *Vote) Open(now time.Time) bool {
	return v.Status == VoteOpen && (v.ClosesAt == nil || now.Before(*v.ClosesAt))
}

// Quorum returns the quorum recorded when the vote opened.
func (v *Vote) Quorum() Quorum {
	return Quorum{Members: v.Members, Required: v.QuorumRequired, Present: v.QuorumPresent, Represented: v.QuorumRepresented,
		Recused: v.Recused, NotRequired: v.NoQuorumRequired}
}

// Voters is the number of voters counted at closing (abstentions included).
func (v *Vote) Voters() int { return v.Yes + v.No + v.Abstentions }

// NotVoted is the number of expected voters (or seats, for a written vote) who did not
// take part in a closed vote: neither a named ballot nor a vote in the room's count.
func (v *Vote) NotVoted() int {
	if v.Status != VoteClosed {
		return 0
	}
	return max(v.Eligible-v.Voters(), 0)
}

// NotVotedLabel states in French how many did not take part in a closed vote ("" when
// every voter did).
func (v *Vote) NotVotedLabel() string {
	n := v.NotVoted()
	switch {
	case n == 0:
		return ""
	case v.Written:
		return fmt.Sprintf("%d siège%s sur %d n'%s pas voté", n, plural(n), v.Eligible, hasHave(n))
	}
	return fmt.Sprintf("%d votant%s présent%s ou représenté%s sur %d n'%s pas pris part au vote", n, plural(n), plural(n), plural(n), v.Eligible, hasHave(n))
}

// ResultLabel is the French statement of the result, naming the casting vote.
func (v *Vote) ResultLabel() string {
	if t := v.TieLabel(); t != "" {
		return v.Outcome.Label() + " — " + t
	}
	return v.Outcome.Label()
}

// TieLabel says how an equal split was settled ("" without one).
func (v *Vote) TieLabel() string {
	switch {
	case v.Tie && v.CastingVote != "":
		return "partage égal des voix, voix prépondérante du président (" + strings.ToLower(v.CastingVote.Label()) + ", R133-11)"
	case v.Tie:
		return "partage égal des voix, sans voix prépondérante : la proposition n'est pas adoptée"
	}
	return ""
}

// ReasoningAAD and ConditionsAAD bind the sealed texts of a vote's avis to its row.
func ReasoningAAD(voteID int64) string  { return fmt.Sprintf("vote:%d:reasoning", voteID) }
func ConditionsAAD(voteID int64) string { return fmt.Sprintf("vote:%d:conditions", voteID) }

// AvisTexts returns the reasoning and the conditions of the avis, decrypted.
func (v *Vote) AvisTexts(kr *keyring.Keyring) (reasoning, conditions string, err error) {
	open := func(sealed, aad string) (string, error) {
		if sealed == "" {
			return "", nil
		}
		b, err := kr.Open(sealed, aad)
		return string(b), err
	}
	if reasoning, err = open(v.ReasoningSealed, ReasoningAAD(v.ID)); err != nil {
		return "", "", fmt.Errorf("avis reasoning: %w", err)
	}
	if conditions, err = open(v.ConditionsSealed, ConditionsAAD(v.ID)); err != nil {
		return "", "", fmt.Errorf("avis conditions: %w", err)
	}
	return reasoning, conditions, nil
}

// VoteVoter is one voter expected on a vote, fixed when it opened.
type VoteVoter struct {
	bun.BaseModel `bun:"table:sitting_vote_voters"`

	ID                int64  `bun:",pk,autoincrement"`
	CommissionID      int64  `bun:",notnull"`
	VoteID            int64  `bun:",notnull"`
	VoterUserID       int64  `bun:",notnull"`
	RepresentedUserID *int64 `bun:",nullzero"` // the titulaire the voter acts for, by proxy
	SeatID            *int64 `bun:",nullzero"` // the seat the ballot counts for; nil for the chair
	Chair             bool   `bun:",notnull"`
}

// ReceiptLength is the number of hex digits of a receipt.
const ReceiptLength = 16

// Refusals of votes, in French.
var (
	ErrNoQuorum        = models.NewRefusal("Le quorum n'est pas atteint pour ce point : le vote ne peut pas être ouvert (R133-10). Faute de quorum, la séance peut être close et une seconde convocation, sans condition de quorum, créée.")
	ErrVoteClosed      = models.NewRefusal("Le vote est clos : ce bulletin n'a pas été enregistré.")
	ErrVoteStillOpen   = models.NewRefusal("La période de vote n'est pas terminée : le vote ne peut pas encore être clos.")
	ErrNotEligible     = models.NewRefusal("Ce bulletin ne correspond à aucun votant de ce point (membre absent à l'ouverture du vote, ou sans procuration pour ce membre).")
	ErrRecusedVoter    = models.NewRefusal("Ce membre est écarté de ce dossier (association qui l'instruit, ou intérêt déclaré) : il ne prend pas part au vote.")
	ErrSeatVoted       = models.NewRefusal("Ce siège a déjà voté (par son titulaire ou son suppléant).")
	ErrAlreadyVoted    = models.NewRefusal("Ce point a déjà été mis aux voix.")
	ErrNothingToVote   = models.NewRefusal("Un point d'information ne donne pas lieu à un vote.")
	ErrVoteWritten     = models.NewRefusal("Dans une délibération écrite, le vote s'ouvre à la clôture des échanges, et chaque membre vote lui-même.")
	ErrFileNotOnAgenda = models.NewRefusal("Ce dossier n'est plus inscrit à l'ordre du jour : l'avis ne peut pas être mis aux voix.")
	ErrNoAvis          = models.NewRefusal("Ce vote ne porte pas d'avis sur un dossier.")
)

// lockVote reads vote id of commission cid, locked FOR UPDATE on PostgreSQL.
func lockVote(ctx context.Context, tx bun.Tx, cid, id int64) (*Vote, error) {
	return models.LockOwned[Vote](ctx, tx, cid, id, "lock vote")
}

// FindVote returns vote id of commission cid.
func FindVote(ctx context.Context, db bun.IDB, cid, id int64) (*Vote, error) {
	v := new(Vote)
	if err := db.NewSelect().Model(v).Where("id = ? AND commission_id = ?", id, cid).Scan(ctx); err != nil {
		return nil, models.NotFound(err, "find vote")
	}
	return v, nil
}

// FindItemVote returns the vote on agenda item itemID, or ErrNotFound.
func FindItemVote(ctx context.Context, db bun.IDB, cid, itemID int64) (*Vote, error) {
	v := new(Vote)
	if err := db.NewSelect().Model(v).Where("agenda_item_id = ? AND commission_id = ?", itemID, cid).Scan(ctx); err != nil {
		return nil, models.NotFound(err, "find item vote")
	}
	return v, nil
}

// ListVotes returns the votes of session meetingID in agenda order.
func ListVotes(ctx context.Context, db bun.IDB, cid, meetingID int64) ([]Vote, error) {
	var vs []Vote
	err := db.NewSelect().Model(&vs).
		Join("JOIN agenda_items AS ai ON ai.id = vote.agenda_item_id").
		Where("vote.commission_id = ? AND vote.meeting_id = ?", cid, meetingID).
		Order("ai.position ASC", "vote.id ASC").Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("list votes: %w", err)
	}
	return vs, nil
}

// VoteInput is what the chair states when opening a vote.
type VoteInput struct {
	// Question is the motion put to the vote; empty: built from the item.
	Question string
	// ProposedAvis is the avis the motion proposes on a file item: adopted, the file gets
	// it; rejected, it gets the opposite one (défavorable, or favorable when the motion
	// proposed a défavorable avis). Empty: favorable.
	ProposedAvis files.Avis
}

// defaultQuestion states the motion on an item.
func defaultQuestion(item *meetings.AgendaItem, proposed files.Avis) string {
	if item.Kind == meetings.ItemFile {
		return fmt.Sprintf("Avis %s sur le dossier %s", strings.ToLower(proposed.Label()), item.Title)
	}
	return item.Title
}

// OpenVote opens the vote on agenda item itemID of an open, in-room session (REGLES.md
// requirements 4 to 6): refused without the quorum of the item (present plus
// represented, the excluded seats left out) unless the session is a second convocation.
// The voters are fixed now; the members excluded from the item are recorded in the
// audit chain with the opening.
func OpenVote(ctx context.Context, db bun.IDB, actor *models.User, cid, itemID int64, in VoteInput, now time.Time) (*Vote, error) {
	if actor.Role != models.RolePresident && actor.Role != models.RoleSecretariat {
		return nil, ErrNotChair
	}
	var v *Vote
	err := models.InTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
		item, err := findSittingItem(ctx, tx, cid, itemID)
		if err != nil {
			return err
		}
		m, s, err := openSitting(ctx, tx, cid, item.MeetingID)
		if err != nil {
			return err
		}
		if m.Mode == meetings.ModeWritten {
			return ErrVoteWritten
		}
		v, err = openVoteTx(ctx, tx, actor, m, s, item, in, nil, now)
		return err
	})
	if err != nil {
		return nil, err
	}
	return v, nil
}

// openVoteTx checks the item and the quorum and opens its vote; closesAt ends a written
// voting window (nil in the room).
func openVoteTx(ctx context.Context, tx bun.Tx, actor *models.User, m *meetings.Meeting, s *Sitting, item *meetings.AgendaItem, in VoteInput, closesAt *time.Time, now time.Time) (*Vote, error) {
	written := closesAt != nil
	if item.Kind == meetings.ItemInformation {
		return nil, ErrNothingToVote
	}
	exists, err := tx.NewSelect().Model((*Vote)(nil)).Where("agenda_item_id = ?", item.ID).Exists(ctx)
	if err != nil {
		return nil, fmt.Errorf("open vote: %w", err)
	}
	if exists {
		return nil, ErrAlreadyVoted
	}
	if item.Kind == meetings.ItemFile {
		if item.FileID == nil {
			return nil, ErrFileNotOnAgenda
		}
		f, err := files.FindFileRow(ctx, tx, m.CommissionID, *item.FileID)
		if err != nil {
			return nil, err
		}
		if f.State != files.StateScheduled {
			return nil, ErrFileNotOnAgenda
		}
		if in.ProposedAvis == "" {
			in.ProposedAvis = files.AvisFavorable
		}
		if !in.ProposedAvis.Valid() {
			return nil, models.FieldErrors{"proposed_avis": "Choisissez l'avis proposé au vote."}.Err()
		}
	} else {
		in.ProposedAvis = ""
	}
	in.Question = strings.TrimSpace(in.Question)
	if in.Question == "" {
		in.Question = defaultQuestion(item, in.ProposedAvis)
	}
	if err := models.LineError("question", "Question mise aux voix", in.Question, 500); err != nil {
		return nil, err
	}
	p, err := loadPresence(ctx, tx, m)
	if err != nil {
		return nil, err
	}
	x, recusals, err := itemExclusions(ctx, tx, p, item)
	if err != nil {
		return nil, err
	}
	settings, err := models.FindSettings(ctx, tx, m.CommissionID)
	if err != nil {
		return nil, err
	}
	q := quorumOf(p, settings, x)
	if !written && !q.Met() {
		return nil, ErrNoQuorum
	}
	var voters []VoteVoter
	if written {
		voters = writtenVoters(p, x)
	} else {
		voters = roomVoters(p, x)
	}
	chair := s.ChairUserID
	if settings.PresidentVotes && !x.user(chair) {
		voters = append(voters, VoteVoter{VoterUserID: chair, Chair: true})
	}
	t := models.Stamp(now)
	v := &Vote{
		CommissionID: m.CommissionID, MeetingID: m.ID, AgendaItemID: item.ID, Written: written, Question: in.Question,
		ProposedAvis: in.ProposedAvis, Status: VoteOpen, OpenedAt: t, OpenedBy: actor.ID, ClosesAt: closesAt, ChairUserID: &chair,
		NoQuorumRequired: q.NotRequired, Members: q.Members, QuorumRequired: q.Required, QuorumPresent: q.Present,
		QuorumRepresented: q.Represented, Recused: q.Recused, Eligible: eligibleCount(voters, written), UpdatedAt: t,
	}
	if _, err := tx.NewInsert().Model(v).Exec(ctx); err != nil {
		return nil, fmt.Errorf("open vote: %w", err)
	}
	for i := range voters {
		voters[i].CommissionID, voters[i].VoteID = m.CommissionID, v.ID
	}
	if len(voters) > 0 {
		if _, err := tx.NewInsert().Model(&voters).Exec(ctx); err != nil {
			return nil, fmt.Errorf("open vote: voters: %w", err)
		}
	}
	if err := setCurrentItemTx(ctx, tx, actor, s, item, now); err != nil {
		return nil, err
	}
	recused := make([]map[string]any, 0, len(recusals))
	for _, r := range recusals {
		reason := "interest"
		if r.Association {
			reason = "association"
		}
		recused = append(recused, map[string]any{"user_id": r.UserID, "seat_id": r.SeatID, "reason": reason})
	}
	details := map[string]any{
		"agenda_item_id": item.ID, "question": v.Question, "proposed_avis": string(v.ProposedAvis), "written": written,
		"members": q.Members, "quorum_required": q.Required, "present": q.Present, "represented": q.Represented,
		"no_quorum_required": q.NotRequired, "eligible": v.Eligible, "recused": recused,
	}
	if closesAt != nil {
		details["closes_at"] = closesAt.UTC().Format(time.RFC3339)
	}
	if item.FileID != nil {
		details["file_id"] = *item.FileID
	}
	if err := models.Audit(ctx, tx, now, models.AuditEntry{
		CommissionID: m.CommissionID, Actor: models.ActorFor(actor), Action: "vote.open", Object: models.ObjectRef("vote", v.ID), Details: details,
	}); err != nil {
		return nil, err
	}
	return v, nil
}

// roomVoters lists the voters of an in-room vote: whoever sits for each counted seat,
// and each sitting proxy holder for the seat they represent.
func roomVoters(p *Presence, x *exclusions) []VoteVoter {
	var out []VoteVoter
	for i := range p.Seats {
		sp := &p.Seats[i]
		ok, present := x.counts(sp)
		if !ok {
			continue
		}
		seat := sp.Seat.ID
		if present {
			out = append(out, VoteVoter{VoterUserID: sp.SitterID, SeatID: &seat})
		} else {
			represented := sp.Titulaire.UserID
			out = append(out, VoteVoter{VoterUserID: sp.HolderID, RepresentedUserID: &represented, SeatID: &seat})
		}
	}
	return out
}

// writtenVoters lists the voters of a written deliberation: every holder (titulaire and
// suppléants) of each seat not excluded; the seat votes once, by whichever of them.
func writtenVoters(p *Presence, x *exclusions) []VoteVoter {
	var out []VoteVoter
	for i := range p.Seats {
		sp := &p.Seats[i]
		if sp.Titulaire == nil || x.seat(sp.Seat.ID) {
			continue
		}
		seat := sp.Seat.ID
		for _, h := range append([]registry.Mandate{*sp.Titulaire}, sp.Suppleants...) {
			if !x.user(h.UserID) {
				out = append(out, VoteVoter{VoterUserID: h.UserID, SeatID: &seat})
			}
		}
	}
	return out
}

// eligibleCount is the number of ballots expected: voters, or seats (plus the chair) for
// a written vote.
func eligibleCount(voters []VoteVoter, written bool) int {
	if !written {
		return len(voters)
	}
	seats := map[int64]bool{}
	n := 0
	for _, v := range voters {
		switch {
		case v.SeatID == nil:
			n++
		case !seats[*v.SeatID]:
			seats[*v.SeatID] = true
			n++
		}
	}
	return n
}

// RoomCount is the secretariat's count of the room's votes by category, for the voters
// present who did not cast a named ballot.
type RoomCount struct {
	Yes, No, Abstentions int
}

// Total is the number of voters counted.
func (r RoomCount) Total() int { return r.Yes + r.No + r.Abstentions }

// CloseVoteInput is what the closing adds: the room's count, if the secretariat took one,
// and the chair's confirmation that the vote closes without the voters who have not voted.
type CloseVoteInput struct {
	Room *RoomCount
	// ConfirmMissing: the chair has seen the list of the voters present or represented
	// who have not voted (a *MissingVoters refusal) and closes the vote without them.
	ConfirmMissing bool
}

// MissingVoters refuses to close an in-room vote while voters present or represented
// have not voted and the chair has not confirmed it (CloseVoteInput.ConfirmMissing).
type MissingVoters struct {
	// Lines are the expected voters without a named ballot, in the order of the tally.
	Lines []VoterLine
	// RoomCounted is how many of them the room's count covers (by show of hands).
	RoomCounted int
}

// NotVoting is the number of voters who would not take part if the vote closed now.
func (e *MissingVoters) NotVoting() int { return len(e.Lines) - e.RoomCounted }

// Summary says how many would not take part, in French.
func (e *MissingVoters) Summary() string {
	n := e.NotVoting()
	if e.RoomCounted > 0 {
		return fmt.Sprintf("%d votant%s sans vote nominatif, dont %d compté%s à main levée : %d ne %s pas part au vote",
			len(e.Lines), plural(len(e.Lines)), e.RoomCounted, plural(e.RoomCounted), n, takesTake(n))
	}
	return fmt.Sprintf("%d votant%s présent%s ou représenté%s n'%s pas voté", n, plural(n), plural(n), plural(n), hasHave(n))
}

// Error says who has not voted, in French.
func (e *MissingVoters) Error() string {
	names := make([]string, 0, len(e.Lines))
	for _, l := range e.Lines {
		names = append(names, l.Label())
	}
	return e.Summary() + " : " + strings.Join(names, ", ") + ". Confirmez la clôture pour clore le vote sans leur vote."
}

// Label names the voter as the tally shows them: "Nom (pour Autre, procuration)",
// "Nom (présidence)".
func (l VoterLine) Label() string {
	s := l.VoterName
	if l.RepresentedUserID != 0 {
		s += " (pour " + l.RepresentedName + ", procuration)"
	}
	if l.Chair {
		s += " (présidence)"
	}
	return s
}

func plural(n int) string {
	if n > 1 {
		return "s"
	}
	return ""
}

func takesTake(n int) string {
	if n > 1 {
		return "prennent"
	}
	return "prend"
}

func hasHave(n int) string {
	if n > 1 {
		return "ont"
	}
	return "a"
}

// CloseVote closes vote voteID and computes its result (REGLES.md requirements 5 and
// 12): votes for must exceed half the votes cast, abstentions counted as cast or not
// according to the commission's setting; on a tie the chair's ballot decides when the
// président votes (R133-11). A written vote closes only at the end of its window and is
// valid only when at least half the members took part (else OutcomeNotValid). On a file
// item, a valid result records the commission's avis on the file (it becomes examined).
// An in-room vote that voters present or represented have not voted on (neither by name
// nor in the room's count) closes only with in.ConfirmMissing; without it, the refusal is
// a *MissingVoters naming them. Ballots still arriving are either counted or refused with
// ErrVoteClosed.
func CloseVote(ctx context.Context, db bun.IDB, actor *models.User, cid, voteID int64, in CloseVoteInput, now time.Time) (*Vote, error) {
	if actor.Role != models.RolePresident && actor.Role != models.RoleSecretariat {
		return nil, ErrNotChair
	}
	var v *Vote
	err := models.InTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
		var err error
		v, err = lockVote(ctx, tx, cid, voteID)
		if err != nil {
			return err
		}
		if v.Status != VoteOpen {
			return ErrVoteClosed
		}
		if v.ClosesAt != nil && now.Before(*v.ClosesAt) {
			return ErrVoteStillOpen
		}
		if err := refuseSuspendedVote(ctx, tx, v); err != nil {
			return err
		}
		return closeVoteTx(ctx, tx, actor, v, in, now)
	})
	if err != nil {
		return nil, err
	}
	return v, nil
}

func closeVoteTx(ctx context.Context, tx bun.Tx, actor *models.User, v *Vote, in CloseVoteInput, now time.Time) error {
	var ballots []Ballot
	if err := tx.NewSelect().Model(&ballots).Where("vote_id = ?", v.ID).Scan(ctx); err != nil {
		return fmt.Errorf("close vote: %w", err)
	}
	if in.Room != nil {
		if err := checkRoomCount(ctx, tx, v, ballots, *in.Room); err != nil {
			return err
		}
		v.RoomCounted, v.RoomYes, v.RoomNo, v.RoomAbstentions = true, in.Room.Yes, in.Room.No, in.Room.Abstentions
	}
	if !v.Written && !in.ConfirmMissing {
		if err := checkMissingVoters(ctx, tx, v, ballots); err != nil {
			return err
		}
	}
	v.Yes, v.No, v.Abstentions = v.RoomYes, v.RoomNo, v.RoomAbstentions
	var chairChoice BallotChoice
	for _, b := range ballots {
		switch b.Choice {
		case BallotFor:
			v.Yes++
		case BallotAgainst:
			v.No++
		case BallotAbstain:
			v.Abstentions++
		}
		if b.Chair {
			chairChoice = b.Choice
		}
	}
	settings, err := models.FindSettings(ctx, tx, v.CommissionID)
	if err != nil {
		return err
	}
	v.Outcome, v.Tie, v.CastingVote = decide(settings, v.Yes, v.No, v.Abstentions, chairChoice)
	if v.Written {
		n, err := writtenParticipants(ctx, tx, v, ballots)
		if err != nil {
			return err
		}
		v.Participants = n
		if 2*n < v.Members {
			v.Outcome, v.Tie, v.CastingVote = OutcomeNotValid, false, ""
		}
	}
	t := models.Stamp(now)
	v.Status, v.ClosedAt, v.ClosedBy, v.UpdatedAt = VoteClosed, &t, &actor.ID, t
	item, err := findSittingItem(ctx, tx, v.CommissionID, v.AgendaItemID)
	if err != nil {
		return err
	}
	if item.Kind == meetings.ItemFile && item.FileID != nil && v.Outcome != OutcomeNotValid {
		v.Avis = avisOf(v.ProposedAvis, v.Outcome == OutcomeAdopted)
		if err := files.RecordAvis(ctx, tx, actor, *item.FileID, v.Avis, now, now); err != nil {
			return err
		}
	}
	if _, err := tx.NewUpdate().Model(v).WherePK().Exec(ctx); err != nil {
		return fmt.Errorf("close vote: %w", err)
	}
	if v.Written {
		if _, err := tx.NewUpdate().Model((*WrittenDeliberation)(nil)).Set("status = ?", DeliberationClosed).Set("updated_at = ?", t).
			Where("vote_id = ?", v.ID).Exec(ctx); err != nil {
			return fmt.Errorf("close deliberation: %w", err)
		}
	}
	details := map[string]any{
		"agenda_item_id": v.AgendaItemID, "yes": v.Yes, "no": v.No, "abstentions": v.Abstentions, "named_ballots": len(ballots),
		"room_counted": v.RoomCounted, "outcome": string(v.Outcome), "tie": v.Tie, "casting_vote": string(v.CastingVote),
		"abstention_rule": string(settings.AbstentionRule), "president_votes": settings.PresidentVotes, "avis": string(v.Avis),
	}
	if v.RoomCounted {
		details["room"] = map[string]int{"yes": v.RoomYes, "no": v.RoomNo, "abstentions": v.RoomAbstentions}
	}
	details["eligible"], details["not_voted"] = v.Eligible, v.NotVoted()
	if in.ConfirmMissing && v.NotVoted() > 0 {
		details["closed_without_missing_voters"] = true
	}
	if v.Written {
		details["participants"], details["members"] = v.Participants, v.Members
	}
	return models.Audit(ctx, tx, now, models.AuditEntry{
		CommissionID: v.CommissionID, Actor: models.ActorFor(actor), Action: "vote.close", Object: models.ObjectRef("vote", v.ID), Details: details,
	})
}

// decide applies the majority rule and, on a tie, the chair's casting vote.
func decide(s *models.CommissionSettings, yes, no, abstentions int, chair BallotChoice) (VoteOutcome, bool, BallotChoice) {
	adopted, tie := s.Outcome(yes, no, abstentions)
	var casting BallotChoice
	if tie && s.PresidentVotes && (chair == BallotFor || chair == BallotAgainst) {
		casting, adopted = chair, chair == BallotFor
	}
	if adopted {
		return OutcomeAdopted, tie, casting
	}
	return OutcomeRejected, tie, casting
}

// avisOf is the avis a result gives: the proposed one when adopted, else its opposite.
func avisOf(proposed files.Avis, adopted bool) files.Avis {
	switch {
	case adopted:
		return proposed
	case proposed == files.AvisDefavorable:
		return files.AvisFavorable
	}
	return files.AvisDefavorable
}

// checkRoomCount checks the room's count against the attendance: at most one vote per
// expected voter who cast no named ballot (the chair votes by name, for the casting vote).
func checkRoomCount(ctx context.Context, tx bun.Tx, v *Vote, ballots []Ballot, r RoomCount) error {
	if v.Written {
		return ErrVoteWritten
	}
	if r.Yes < 0 || r.No < 0 || r.Abstentions < 0 {
		return models.FieldErrors{"room": "Les nombres de voix ne peuvent pas être négatifs."}.Err()
	}
	var voters []VoteVoter
	if err := tx.NewSelect().Model(&voters).Where("vote_id = ?", v.ID).Scan(ctx); err != nil {
		return fmt.Errorf("room count: %w", err)
	}
	voted := map[string]bool{}
	for _, b := range ballots {
		voted[voterKey(b.VoterUserID, b.RepresentedUserID)] = true
	}
	left := 0
	for _, vv := range voters {
		if !vv.Chair && !voted[voterKey(vv.VoterUserID, vv.RepresentedUserID)] {
			left++
		}
	}
	if r.Total() > left {
		return models.FieldErrors{"room": fmt.Sprintf("Le décompte de la salle (%d voix) dépasse le nombre de votants présents ou représentés qui n'ont pas voté nominativement (%d), d'après l'émargement.", r.Total(), left)}.Err()
	}
	return nil
}

// checkMissingVoters refuses with a *MissingVoters when expected voters of v have cast
// no named ballot and the room's count does not cover them all.
func checkMissingVoters(ctx context.Context, tx bun.Tx, v *Vote, ballots []Ballot) error {
	if len(ballots) >= v.Eligible {
		return nil
	}
	t, err := VoteTally(ctx, tx, v.CommissionID, v.ID)
	if err != nil {
		return err
	}
	e := &MissingVoters{Lines: t.Waiting(), RoomCounted: v.RoomYes + v.RoomNo + v.RoomAbstentions}
	if e.NotVoting() <= 0 {
		return nil
	}
	return e
}

func voterKey(voter int64, represented *int64) string {
	if represented == nil {
		return fmt.Sprint(voter, "/")
	}
	return fmt.Sprint(voter, "/", *represented)
}

// writtenParticipants counts the seats that took part in a written deliberation: a
// ballot, or a contribution by one of the seat's holders.
func writtenParticipants(ctx context.Context, tx bun.Tx, v *Vote, ballots []Ballot) (int, error) {
	seats := map[int64]bool{}
	for _, b := range ballots {
		if b.SeatID != nil {
			seats[*b.SeatID] = true
		}
	}
	var voters []VoteVoter
	if err := tx.NewSelect().Model(&voters).Where("vote_id = ? AND seat_id IS NOT NULL", v.ID).Scan(ctx); err != nil {
		return 0, fmt.Errorf("written participants: %w", err)
	}
	seatOf := map[int64]int64{}
	for _, vv := range voters {
		seatOf[vv.VoterUserID] = *vv.SeatID
	}
	var authors []int64
	err := tx.NewSelect().Model((*Contribution)(nil)).Column("contribution.user_id").
		Join("JOIN written_deliberations AS d ON d.id = contribution.deliberation_id").
		Where("d.vote_id = ? AND contribution.kind = ?", v.ID, ContributionMessage).Scan(ctx, &authors)
	if err != nil {
		return 0, fmt.Errorf("written participants: %w", err)
	}
	for _, u := range authors {
		if s, ok := seatOf[u]; ok {
			seats[s] = true
		}
	}
	return len(seats), nil
}

// VoterLine is one expected voter of a vote, with their ballot once cast.
type VoterLine struct {
	VoterUserID       int64
	VoterName         string
	RepresentedUserID int64 // acting for this titulaire (0: themselves)
	RepresentedName   string
	SeatID            int64
	SeatLabel         string
	Chair             bool
	Ballot            *Ballot // nil: not voted yet
}

// Tally is the state of a vote: every expected voter, their ballots and the counts.
// For a written vote, the lines are the seats (a seat votes once, by any of its holders).
type Tally struct {
	Vote     *Vote
	Item     *meetings.AgendaItem
	Lines    []VoterLine
	Recusals []Recusal
	Yes      int
	No       int
	Abstain  int
	Voted    int
	Pending  int
}

// Waiting returns the lines of the voters who have not voted yet.
func (t *Tally) Waiting() []VoterLine {
	var out []VoterLine
	for _, l := range t.Lines {
		if l.Ballot == nil {
			out = append(out, l)
		}
	}
	return out
}

// VoteTally returns the live state of vote voteID of commission cid: who voted what,
// who has not voted yet, and the counts so far (named ballots; the room's count is added
// at closing).
func VoteTally(ctx context.Context, db bun.IDB, cid, voteID int64) (*Tally, error) {
	v, err := FindVote(ctx, db, cid, voteID)
	if err != nil {
		return nil, err
	}
	item, err := findSittingItem(ctx, db, cid, v.AgendaItemID)
	if err != nil {
		return nil, err
	}
	var voters []VoteVoter
	if err := db.NewSelect().Model(&voters).Where("vote_id = ?", v.ID).Order("id ASC").Scan(ctx); err != nil {
		return nil, fmt.Errorf("vote tally: %w", err)
	}
	var ballots []Ballot
	if err := db.NewSelect().Model(&ballots).Where("vote_id = ?", v.ID).Order("id ASC").Scan(ctx); err != nil {
		return nil, fmt.Errorf("vote tally: %w", err)
	}
	seats, err := registry.ListSeats(ctx, db, cid)
	if err != nil {
		return nil, err
	}
	seatLabel := map[int64]string{}
	for _, s := range seats {
		seatLabel[s.ID] = s.Label()
	}
	names, err := userNames(ctx, db, func(add func(int64)) {
		for _, vv := range voters {
			add(vv.VoterUserID)
			if vv.RepresentedUserID != nil {
				add(*vv.RepresentedUserID)
			}
		}
		for _, b := range ballots {
			add(b.RecordedBy)
		}
	})
	if err != nil {
		return nil, err
	}
	t := &Tally{Vote: v, Item: item}
	byKey, bySeat := map[string]*Ballot{}, map[int64]*Ballot{}
	for i := range ballots {
		b := &ballots[i]
		b.RecorderName = names[b.RecordedBy]
		byKey[voterKey(b.VoterUserID, b.RepresentedUserID)] = b
		if b.SeatID != nil {
			bySeat[*b.SeatID] = b
		}
		switch b.Choice {
		case BallotFor:
			t.Yes++
		case BallotAgainst:
			t.No++
		case BallotAbstain:
			t.Abstain++
		}
	}
	seen := map[int64]bool{}
	for _, vv := range voters {
		l := VoterLine{VoterUserID: vv.VoterUserID, VoterName: names[vv.VoterUserID], Chair: vv.Chair}
		if vv.RepresentedUserID != nil {
			l.RepresentedUserID, l.RepresentedName = *vv.RepresentedUserID, names[*vv.RepresentedUserID]
		}
		if vv.SeatID != nil {
			l.SeatID, l.SeatLabel = *vv.SeatID, seatLabel[*vv.SeatID]
		}
		if v.Written && vv.SeatID != nil {
			if seen[*vv.SeatID] {
				continue // the seat's first holder stands for it
			}
			seen[*vv.SeatID] = true
			l.Ballot = bySeat[*vv.SeatID]
		} else {
			l.Ballot = byKey[voterKey(vv.VoterUserID, vv.RepresentedUserID)]
		}
		if l.Ballot != nil {
			t.Voted++
			if l.Ballot.VoterUserID != l.VoterUserID {
				l.VoterName = names[l.Ballot.VoterUserID]
			}
		} else {
			t.Pending++
		}
		t.Lines = append(t.Lines, l)
	}
	m, err := meetings.FindMeeting(ctx, db, cid, v.MeetingID)
	if err != nil {
		return nil, err
	}
	p, err := loadPresence(ctx, db, m)
	if err != nil {
		return nil, err
	}
	if _, t.Recusals, err = itemExclusions(ctx, db, p, item); err != nil {
		return nil, err
	}
	return t, nil
}

// ListBallots returns the ballots of vote voteID of commission cid, in the order cast.
func ListBallots(ctx context.Context, db bun.IDB, cid, voteID int64) ([]Ballot, error) {
	var bs []Ballot
	if err := db.NewSelect().Model(&bs).Where("commission_id = ? AND vote_id = ?", cid, voteID).Order("id ASC").Scan(ctx); err != nil {
		return nil, fmt.Errorf("list ballots: %w", err)
	}
	return bs, nil
}
