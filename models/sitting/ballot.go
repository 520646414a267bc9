package sitting

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"seance/models"
	meetingsmodel "seance/models/meetings"
)

// Ballot is a voter's current choice on a vote.
type Ballot struct {
	bun.BaseModel `bun:"table:sitting_ballots"`

	ID                int64         `bun:",pk,autoincrement"`
	CommissionID      int64         `bun:",notnull"`
	VoteID            int64         `bun:",notnull"`
	VoterUserID       int64         `bun:",notnull"`
	RepresentedUserID *int64        `bun:",nullzero"` // "acting for" this titulaire
	SeatID            *int64        `bun:",nullzero"`
	Chair             bool          `bun:",notnull"`
	Choice            BallotChoice  `bun:",notnull"`
	Channel           BallotChannel `bun:",notnull"`
	RecordedBy        int64         `bun:",notnull"`
	Receipt           string        `bun:",notnull"` // of the latest version
	Changes           int           `bun:",notnull"` // how many times the voter changed it
	CastAt            time.Time     `bun:",notnull"`
	UpdatedAt         time.Time     `bun:",notnull"`

	// RecorderName is the name of who entered a room ballot, filled by the pages that show
	// the ballot's channel.
	RecorderName string `bun:"-"`
}

// ChannelLabel says how the ballot reached the portal: « en ligne », or « en salle, saisi
// par … » naming who entered it.
func (b *Ballot) ChannelLabel() string {
	if b.Channel != ChannelRoom {
		return "en ligne"
	}
	if b.RecorderName == "" {
		return "en salle, saisi par le secrétariat"
	}
	return "en salle, saisi par " + b.RecorderName
}

// BallotReceipt links a receipt given to a voter to the audit record of one version of
// their ballot.
type BallotReceipt struct {
	bun.BaseModel `bun:"table:sitting_receipts"`

	ID           int64        `bun:",pk,autoincrement"`
	CommissionID int64        `bun:",notnull"`
	Receipt      string       `bun:",notnull"`
	BallotID     int64        `bun:",notnull"`
	VoteID       int64        `bun:",notnull"`
	VoterUserID  int64        `bun:",notnull"`
	Choice       BallotChoice `bun:",notnull"`
	AuditHash    string       `bun:",notnull"`
	CreatedAt    time.Time    `bun:",notnull"`
}

// BallotInput is a ballot to record.
type BallotInput struct {
	// VoterUserID is the voter; the secretariat names them (in the room), a member or
	// the chair votes for themselves (0).
	VoterUserID int64
	// RepresentedUserID is the titulaire the voter acts for by proxy (0: themselves).
	RepresentedUserID int64
	Choice            BallotChoice
}

// CastBallot records a ballot on vote voteID, or changes the voter's earlier one, while
// the vote is open. A member or the chair votes online for themselves (and, holding a
// proxy, once more for the member represented); the secretariat enters a named ballot
// for a voter in the room. Only the voter changes a ballot they cast online: a room
// entry for them is refused. The ballot and an audit record go in
// one transaction; the ballot's Receipt quotes the audit record.
func CastBallot(ctx context.Context, db bun.IDB, actor *models.User, cid, voteID int64, in BallotInput, now time.Time) (*Ballot, error) {
	if !in.Choice.Valid() {
		return nil, models.FieldErrors{"choice": "Choisissez pour, contre ou abstention."}.Err()
	}
	channel := ChannelOnline
	switch actor.Role {
	case models.RoleSecretariat:
		if in.VoterUserID == 0 {
			return nil, models.FieldErrors{"voter": "Indiquez le votant."}.Err()
		}
		channel = ChannelRoom
	case models.RoleMember, models.RolePresident:
		if in.VoterUserID != 0 && in.VoterUserID != actor.ID {
			return nil, ErrNotEligible
		}
		in.VoterUserID = actor.ID
	default:
		return nil, ErrNotEligible
	}
	if !actor.Active || actor.CommissionIDOrZero() != cid {
		return nil, models.ErrNotFound
	}
	var b *Ballot
	err := models.InTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
		v, err := lockVote(ctx, tx, cid, voteID)
		if err != nil {
			return err
		}
		if !v.Open(now) {
			return ErrVoteClosed
		}
		if v.Written && channel == ChannelRoom {
			return ErrVoteWritten
		}
		voter, err := findVoter(ctx, tx, v, in.VoterUserID, in.RepresentedUserID)
		if err != nil {
			return err
		}
		b, err = saveBallot(ctx, tx, actor, v, voter, in.Choice, channel, now)
		return err
	})
	if err != nil {
		return nil, err
	}
	return b, nil
}

// findVoter returns the expected voter (voterID acting for represented, 0 for
// themselves) of v, or why they may not vote.
func findVoter(ctx context.Context, tx bun.Tx, v *Vote, voterID, represented int64) (*VoteVoter, error) {
	vv := new(VoteVoter)
	q := tx.NewSelect().Model(vv).Where("vote_id = ? AND voter_user_id = ?", v.ID, voterID)
	if represented == 0 {
		q = q.Where("represented_user_id IS NULL")
	} else {
		q = q.Where("represented_user_id = ?", represented)
	}
	err := q.Scan(ctx)
	if err == nil {
		return vv, nil
	}
	if models.NotFound(err, "") != models.ErrNotFound {
		return nil, fmt.Errorf("find voter: %w", err)
	}
	// Not expected: say so more precisely when the voter is excluded from the item.
	item, err := findSittingItem(ctx, tx, v.CommissionID, v.AgendaItemID)
	if err != nil {
		return nil, err
	}
	m, err := meetingsmodel.FindMeeting(ctx, tx, v.CommissionID, v.MeetingID)
	if err != nil {
		return nil, err
	}
	p, err := loadPresence(ctx, tx, m)
	if err != nil {
		return nil, err
	}
	x, _, err := itemExclusions(ctx, tx, p, item)
	if err != nil {
		return nil, err
	}
	if x.user(voterID) || (represented != 0 && x.user(represented)) {
		return nil, ErrRecusedVoter
	}
	return nil, ErrNotEligible
}

// saveBallot inserts or changes the ballot of an expected voter, audits it and gives it
// its receipt.
func saveBallot(ctx context.Context, tx bun.Tx, actor *models.User, v *Vote, voter *VoteVoter, choice BallotChoice, channel BallotChannel, now time.Time) (*Ballot, error) {
	t := models.Stamp(now)
	b := new(Ballot)
	q := tx.NewSelect().Model(b).Where("vote_id = ? AND voter_user_id = ?", v.ID, voter.VoterUserID)
	if voter.RepresentedUserID == nil {
		q = q.Where("represented_user_id IS NULL")
	} else {
		q = q.Where("represented_user_id = ?", *voter.RepresentedUserID)
	}
	err := q.Scan(ctx)
	change := err == nil
	switch {
	case change:
		if channel == ChannelRoom && b.Channel == ChannelOnline {
			return nil, ballotCastOnline(ctx, tx, b)
		}
		if b.Choice == choice {
			return b, nil // the same choice again: nothing to record
		}
		b.Choice, b.Channel, b.RecordedBy, b.UpdatedAt = choice, channel, actor.ID, t
		b.Changes++
		if _, err := tx.NewUpdate().Model(b).Column("choice", "channel", "recorded_by", "changes", "updated_at").WherePK().Exec(ctx); err != nil {
			return nil, fmt.Errorf("change ballot: %w", err)
		}
	case models.NotFound(err, "") == models.ErrNotFound:
		if voter.SeatID != nil {
			taken, err := tx.NewSelect().Model((*Ballot)(nil)).Where("vote_id = ? AND seat_id = ?", v.ID, *voter.SeatID).Exists(ctx)
			if err != nil {
				return nil, fmt.Errorf("cast ballot: %w", err)
			}
			if taken {
				return nil, ErrSeatVoted
			}
		}
		b = &Ballot{CommissionID: v.CommissionID, VoteID: v.ID, VoterUserID: voter.VoterUserID, RepresentedUserID: voter.RepresentedUserID,
			SeatID: voter.SeatID, Chair: voter.Chair, Choice: choice, Channel: channel, RecordedBy: actor.ID, CastAt: t, UpdatedAt: t}
		if _, err := tx.NewInsert().Model(b).Exec(ctx); err != nil {
			return nil, fmt.Errorf("cast ballot: %w", err)
		}
	default:
		return nil, fmt.Errorf("cast ballot: %w", err)
	}
	action := "vote.ballot"
	if change {
		action = "vote.ballot_change"
	}
	details := map[string]any{"vote_id": v.ID, "agenda_item_id": v.AgendaItemID, "ballot_id": b.ID, "voter_user_id": b.VoterUserID,
		"choice": string(b.Choice), "channel": string(b.Channel), "version": b.Changes + 1, "chair": b.Chair}
	if b.RepresentedUserID != nil {
		details["acting_for_user_id"] = *b.RepresentedUserID
	}
	if b.SeatID != nil {
		details["seat_id"] = *b.SeatID
	}
	if err := models.Audit(ctx, tx, now, models.AuditEntry{
		CommissionID: v.CommissionID, Actor: models.ActorFor(actor), Action: action, Object: models.ObjectRef("vote", v.ID), Details: details,
	}); err != nil {
		return nil, err
	}
	var head string
	if err := tx.NewSelect().Model((*models.AuditRecord)(nil)).Column("hash").Order("id DESC").Limit(1).Scan(ctx, &head); err != nil {
		return nil, fmt.Errorf("ballot receipt: %w", err)
	}
	b.Receipt = head[:ReceiptLength]
	if _, err := tx.NewUpdate().Model(b).Column("receipt").WherePK().Exec(ctx); err != nil {
		return nil, fmt.Errorf("ballot receipt: %w", err)
	}
	r := &BallotReceipt{CommissionID: v.CommissionID, Receipt: b.Receipt, BallotID: b.ID, VoteID: v.ID, VoterUserID: b.VoterUserID,
		Choice: b.Choice, AuditHash: head, CreatedAt: t}
	if _, err := tx.NewInsert().Model(r).Exec(ctx); err != nil {
		return nil, fmt.Errorf("ballot receipt: %w", err)
	}
	return b, nil
}

// ballotCastOnline is the refusal of a room entry over b, a ballot its voter cast online.
func ballotCastOnline(ctx context.Context, tx bun.Tx, b *Ballot) error {
	names, err := userNames(ctx, tx, func(add func(int64)) {
		add(b.VoterUserID)
		if b.RepresentedUserID != nil {
			add(*b.RepresentedUserID)
		}
	})
	if err != nil {
		return err
	}
	who := names[b.VoterUserID]
	if b.RepresentedUserID != nil {
		who += " (pour " + names[*b.RepresentedUserID] + ")"
	}
	return models.Refuse("%s a déjà voté en ligne : seul ce membre peut modifier son vote. La saisie en salle n'a pas été enregistrée.", who)
}

// VoteRight is one ballot a member may cast on a vote: for themselves, or acting for
// the member whose proxy they hold.
type VoteRight struct {
	RepresentedUserID int64
	RepresentedName   string
	Ballot            *Ballot // the current ballot, nil before voting
}

// MemberVote is a vote as one member sees it: the item's pseudonymous title, their
// rights and their own ballots.
type MemberVote struct {
	Vote    Vote
	Item    meetingsmodel.AgendaItem
	Meeting meetingsmodel.Meeting
	Rights  []VoteRight
	// SeatTaken: in a written vote, the seat already voted through another holder.
	SeatTaken bool
	Dissent   bool // the member already recorded a dissent
}

// MemberVotes returns the votes on which u is a voter, open ones first then the most
// recent closed ones (at most limit in all). It costs the same few queries whatever the
// number of votes: each kind of row is loaded once for all of them.
func MemberVotes(ctx context.Context, db bun.IDB, u *models.User, limit int) ([]MemberVote, error) {
	var voters []VoteVoter
	err := db.NewSelect().Model(&voters).
		Join("JOIN sitting_votes AS v ON v.id = vote_voter.vote_id").
		Where("vote_voter.commission_id = ? AND vote_voter.voter_user_id = ?", u.CommissionIDOrZero(), u.ID).
		OrderExpr("CASE WHEN v.status = 'open' THEN 0 ELSE 1 END ASC, v.opened_at DESC, vote_voter.id ASC").Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("member votes: %w", err)
	}
	var ids []int64
	byVote := map[int64][]VoteVoter{}
	for _, vv := range voters {
		if _, ok := byVote[vv.VoteID]; !ok {
			if len(ids) >= limit {
				continue
			}
			ids = append(ids, vv.VoteID)
		}
		byVote[vv.VoteID] = append(byVote[vv.VoteID], vv)
	}
	return memberVotes(ctx, db, u, ids, byVote)
}

// FindMemberVote returns vote voteID as u sees it, or ErrNotFound when u is not one of
// its voters.
func FindMemberVote(ctx context.Context, db bun.IDB, u *models.User, voteID int64) (*MemberVote, error) {
	var voters []VoteVoter
	err := db.NewSelect().Model(&voters).Where("vote_id = ? AND voter_user_id = ? AND commission_id = ?", voteID, u.ID, u.CommissionIDOrZero()).
		Order("id ASC").Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("member vote: %w", err)
	}
	if len(voters) == 0 {
		return nil, models.ErrNotFound
	}
	mvs, err := memberVotes(ctx, db, u, []int64{voteID}, map[int64][]VoteVoter{voteID: voters})
	if err != nil {
		return nil, err
	}
	return &mvs[0], nil
}

// memberVotes builds votes ids as u sees them, given u's voter rows on each (byVote):
// votes, items, sessions, ballots, dissents and names are each loaded in one query.
func memberVotes(ctx context.Context, db bun.IDB, u *models.User, ids []int64, byVote map[int64][]VoteVoter) ([]MemberVote, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	cid := u.CommissionIDOrZero()
	var votes []Vote
	if err := db.NewSelect().Model(&votes).Where("id IN (?) AND commission_id = ?", bun.In(ids), cid).Scan(ctx); err != nil {
		return nil, fmt.Errorf("member votes: %w", err)
	}
	voteByID := make(map[int64]*Vote, len(votes))
	var itemIDs, meetingIDs []int64
	for i := range votes {
		voteByID[votes[i].ID] = &votes[i]
		itemIDs = append(itemIDs, votes[i].AgendaItemID)
		meetingIDs = append(meetingIDs, votes[i].MeetingID)
	}
	var items []meetingsmodel.AgendaItem
	var meetings []meetingsmodel.Meeting
	var ballots []Ballot
	var dissents []Dissent
	if len(votes) > 0 {
		if err := db.NewSelect().Model(&items).Where("id IN (?) AND commission_id = ?", bun.In(itemIDs), cid).Scan(ctx); err != nil {
			return nil, fmt.Errorf("member votes: items: %w", err)
		}
		if err := db.NewSelect().Model(&meetings).Where("id IN (?) AND commission_id = ?", bun.In(meetingIDs), cid).Scan(ctx); err != nil {
			return nil, fmt.Errorf("member votes: sessions: %w", err)
		}
		if err := db.NewSelect().Model(&ballots).Where("vote_id IN (?)", bun.In(ids)).Order("id ASC").Scan(ctx); err != nil {
			return nil, fmt.Errorf("member votes: ballots: %w", err)
		}
		if err := db.NewSelect().Model(&dissents).Column("id", "vote_id").Where("vote_id IN (?) AND user_id = ?", bun.In(ids), u.ID).Scan(ctx); err != nil {
			return nil, fmt.Errorf("member votes: dissents: %w", err)
		}
	}
	itemByID := make(map[int64]*meetingsmodel.AgendaItem, len(items))
	for i := range items {
		itemByID[items[i].ID] = &items[i]
	}
	meetingByID := make(map[int64]*meetingsmodel.Meeting, len(meetings))
	for i := range meetings {
		meetingByID[meetings[i].ID] = &meetings[i]
	}
	dissented := map[int64]bool{}
	for _, d := range dissents {
		dissented[d.VoteID] = true
	}
	names, err := userNames(ctx, db, func(add func(int64)) {
		for _, id := range ids {
			for _, vv := range byVote[id] {
				if vv.RepresentedUserID != nil {
					add(*vv.RepresentedUserID)
				}
			}
		}
		for _, b := range ballots {
			if b.VoterUserID == u.ID && b.Channel == ChannelRoom {
				add(b.RecordedBy)
			}
		}
	})
	if err != nil {
		return nil, err
	}
	ballotsByVote := map[int64][]Ballot{}
	for _, b := range ballots {
		b.RecorderName = names[b.RecordedBy]
		ballotsByVote[b.VoteID] = append(ballotsByVote[b.VoteID], b)
	}
	out := make([]MemberVote, 0, len(ids))
	for _, id := range ids {
		v, ok := voteByID[id]
		if !ok {
			return nil, models.ErrNotFound
		}
		item, m := itemByID[v.AgendaItemID], meetingByID[v.MeetingID]
		if item == nil || m == nil {
			return nil, fmt.Errorf("member vote %d: %w", id, models.ErrNotFound)
		}
		mv := MemberVote{Vote: *v, Item: *item, Meeting: *m, Dissent: dissented[id]}
		vb := ballotsByVote[id]
		for _, vv := range byVote[id] {
			r := VoteRight{}
			if vv.RepresentedUserID != nil {
				r.RepresentedUserID, r.RepresentedName = *vv.RepresentedUserID, names[*vv.RepresentedUserID]
			}
			for i := range vb {
				b := &vb[i]
				if b.VoterUserID == u.ID && voterKey(b.VoterUserID, b.RepresentedUserID) == voterKey(vv.VoterUserID, vv.RepresentedUserID) {
					r.Ballot = b
				} else if v.Written && vv.SeatID != nil && b.SeatID != nil && *b.SeatID == *vv.SeatID && b.VoterUserID != u.ID {
					mv.SeatTaken = true
				}
			}
			mv.Rights = append(mv.Rights, r)
		}
		out = append(out, mv)
	}
	return out, nil
}

// ReceiptLine is one receipt given to a member, with what it stands for.
type ReceiptLine struct {
	Receipt   string
	VoteID    int64
	ItemTitle string
	Choice    BallotChoice
	ActingFor string // name of the member represented, "" for themselves
	At        time.Time
	Current   bool // the receipt of the ballot's latest version
}

// MyReceipts returns the receipts given to u, newest first (at most limit).
func MyReceipts(ctx context.Context, db bun.IDB, u *models.User, limit int) ([]ReceiptLine, error) {
	var rs []BallotReceipt
	err := db.NewSelect().Model(&rs).Where("commission_id = ? AND voter_user_id = ?", u.CommissionIDOrZero(), u.ID).
		Order("id DESC").Limit(int64(limit)).Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("my receipts: %w", err)
	}
	return receiptLines(ctx, db, u.CommissionIDOrZero(), rs)
}

func receiptLine(ctx context.Context, db bun.IDB, r *BallotReceipt) (*ReceiptLine, error) {
	ls, err := receiptLines(ctx, db, r.CommissionID, []BallotReceipt{*r})
	if err != nil {
		return nil, err
	}
	return &ls[0], nil
}

// receiptLines describes receipts rs of commission cid: their ballots, votes, items
// and the names of the members represented are each loaded in one query.
func receiptLines(ctx context.Context, db bun.IDB, cid int64, rs []BallotReceipt) ([]ReceiptLine, error) {
	out := make([]ReceiptLine, 0, len(rs))
	if len(rs) == 0 {
		return out, nil
	}
	var ballotIDs, voteIDs []int64
	for _, r := range rs {
		ballotIDs = append(ballotIDs, r.BallotID)
		voteIDs = append(voteIDs, r.VoteID)
	}
	var ballots []Ballot
	if err := db.NewSelect().Model(&ballots).Where("id IN (?)", bun.In(ballotIDs)).Scan(ctx); err != nil {
		return nil, fmt.Errorf("receipt ballots: %w", err)
	}
	var votes []Vote
	if err := db.NewSelect().Model(&votes).Column("id", "agenda_item_id").Where("id IN (?) AND commission_id = ?", bun.In(voteIDs), cid).Scan(ctx); err != nil {
		return nil, fmt.Errorf("receipt votes: %w", err)
	}
	itemOfVote := make(map[int64]int64, len(votes))
	var itemIDs []int64
	for _, v := range votes {
		itemOfVote[v.ID] = v.AgendaItemID
		itemIDs = append(itemIDs, v.AgendaItemID)
	}
	var items []meetingsmodel.AgendaItem
	if len(itemIDs) > 0 {
		if err := db.NewSelect().Model(&items).Column("id", "title").Where("id IN (?) AND commission_id = ?", bun.In(itemIDs), cid).Scan(ctx); err != nil {
			return nil, fmt.Errorf("receipt items: %w", err)
		}
	}
	titles := make(map[int64]string, len(items))
	for _, it := range items {
		titles[it.ID] = it.Title
	}
	ballotByID := make(map[int64]*Ballot, len(ballots))
	for i := range ballots {
		ballotByID[ballots[i].ID] = &ballots[i]
	}
	names, err := userNames(ctx, db, func(add func(int64)) {
		for _, b := range ballots {
			if b.RepresentedUserID != nil {
				add(*b.RepresentedUserID)
			}
		}
	})
	if err != nil {
		return nil, err
	}
	for _, r := range rs {
		b := ballotByID[r.BallotID]
		item, ok := itemOfVote[r.VoteID]
		if b == nil || !ok {
			return nil, fmt.Errorf("receipt %d: %w", r.ID, models.ErrNotFound)
		}
		if _, ok := titles[item]; !ok {
			return nil, fmt.Errorf("receipt %d item: %w", r.ID, models.ErrNotFound)
		}
		l := ReceiptLine{Receipt: r.Receipt, VoteID: r.VoteID, ItemTitle: titles[item], Choice: r.Choice, At: r.CreatedAt, Current: b.Receipt == r.Receipt}
		if b.RepresentedUserID != nil {
			l.ActingFor = names[*b.RepresentedUserID]
		}
		out = append(out, l)
	}
	return out, nil
}

// NormalizeReceipt keeps the ASCII letters and digits of a typed receipt, lowercased:
// the spaces, dashes and any other separator a member types or pastes go. Removing
// only some separators was not idempotent: dropping a space could join two bytes into
// a no-break space (FuzzReceipt).
func NormalizeReceipt(s string) string {
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9', c >= 'a' && c <= 'z':
			b = append(b, c)
		case c >= 'A' && c <= 'Z':
			b = append(b, c+'a'-'A')
		}
	}
	return string(b)
}

// FormatReceipt groups a receipt by four digits for reading: "3f2a 9c1d 0b7e 44aa".
func FormatReceipt(r string) string {
	var parts []string
	for i := 0; i < len(r); i += 4 {
		parts = append(parts, r[i:min(i+4, len(r))])
	}
	return strings.Join(parts, " ")
}

// ReceiptCheck is the verification of a receipt against the audit chain.
type ReceiptCheck struct {
	Line *ReceiptLine
	// Linked: the audit record the receipt quotes still hashes to it, holds the ballot
	// as given, and is chained to the records before and after it.
	Linked bool
	Reason string // French, when not Linked
}

// CheckReceipt verifies one of u's receipts: it finds the audit record whose hash the
// receipt quotes, recomputes that hash, checks that the record states the ballot (vote,
// voter, choice) and that it is linked to its neighbours in the chain. A receipt that is
// not one of u's gives ErrNotFound.
func CheckReceipt(ctx context.Context, db bun.IDB, u *models.User, receipt string) (*ReceiptCheck, error) {
	receipt = NormalizeReceipt(receipt)
	r := new(BallotReceipt)
	err := db.NewSelect().Model(r).Where("receipt = ? AND voter_user_id = ? AND commission_id = ?", receipt, u.ID, u.CommissionIDOrZero()).Scan(ctx)
	if err != nil {
		return nil, models.NotFound(err, "check receipt")
	}
	line, err := receiptLine(ctx, db, r)
	if err != nil {
		return nil, err
	}
	c := &ReceiptCheck{Line: line}
	rec := new(models.AuditRecord)
	if err := db.NewSelect().Model(rec).Where("hash = ?", r.AuditHash).Scan(ctx); err != nil {
		if models.NotFound(err, "") == models.ErrNotFound {
			c.Reason = "L'enregistrement d'audit de ce bulletin est introuvable."
			return c, nil
		}
		return nil, fmt.Errorf("check receipt: %w", err)
	}
	var d struct {
		VoteID   int64  `json:"vote_id"`
		BallotID int64  `json:"ballot_id"`
		Voter    int64  `json:"voter_user_id"`
		Choice   string `json:"choice"`
	}
	switch {
	case !rec.Holds(db) || !strings.HasPrefix(rec.Hash, receipt):
		c.Reason = "L'enregistrement d'audit de ce bulletin a été modifié."
		return c, nil
	case json.Unmarshal([]byte(rec.Details), &d) != nil || d.VoteID != r.VoteID || d.BallotID != r.BallotID || d.Voter != u.ID || d.Choice != string(r.Choice):
		c.Reason = "L'enregistrement d'audit ne correspond pas à ce bulletin."
		return c, nil
	}
	var prev []models.AuditRecord
	if err := db.NewSelect().Model(&prev).Where("id < ?", rec.ID).Order("id DESC").Limit(1).Scan(ctx); err != nil {
		return nil, fmt.Errorf("check receipt: %w", err)
	}
	if (len(prev) == 0 && rec.PrevHash != "") || (len(prev) == 1 && (prev[0].Hash != rec.PrevHash || !prev[0].Holds(db))) {
		c.Reason = "Le lien avec l'enregistrement précédent de la chaîne d'audit est rompu."
		return c, nil
	}
	var next []models.AuditRecord
	if err := db.NewSelect().Model(&next).Where("id > ?", rec.ID).Order("id ASC").Limit(1).Scan(ctx); err != nil {
		return nil, fmt.Errorf("check receipt: %w", err)
	}
	if len(next) == 1 && next[0].PrevHash != rec.Hash {
		c.Reason = "Le lien avec l'enregistrement suivant de la chaîne d'audit est rompu."
		return c, nil
	}
	c.Linked = true
	return c, nil
}

// ReceiptDisplay is the ballot's receipt grouped for reading.
func (b *Ballot) ReceiptDisplay() string { return FormatReceipt(b.Receipt) }

// Display is the receipt grouped for reading.
func (r ReceiptLine) Display() string { return FormatReceipt(r.Receipt) }
