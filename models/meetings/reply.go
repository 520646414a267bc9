package meetings

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"seance/models"
	"seance/models/registry"
)

// ReplyChoices are the answers a titulaire may give to a convocation, in display order.
var ReplyChoices = []AttendanceStatus{AttPresentOnSite, AttPresentRemote, AttSubstituted, AttProxy, AttAbsent}

// ReplyLabel is the French wording of an answer, in the first person.
func ReplyLabel(s AttendanceStatus) string {
	switch s {
	case AttPresentOnSite:
		return "Je serai présent(e) sur place"
	case AttPresentRemote:
		return "Je participerai à distance (visioconférence ou téléphone)"
	case AttSubstituted:
		return "Je serai absent(e) et remplacé(e) par mon suppléant"
	case AttProxy:
		return "Je serai absent(e) et je donne procuration à un autre membre"
	case AttAbsent:
		return "Je serai absent(e)"
	}
	return s.Label()
}

// Reply refusals, in French.
var (
	ErrNotConvened     = models.NewRefusal("Vous n'êtes pas membre titulaire ayant voix délibérative à la date de cette séance : seul le titulaire répond à la convocation.")
	ErrRepliesClosed   = models.NewRefusal("Les réponses ne sont ouvertes qu'entre l'envoi de la convocation et l'ouverture de la séance.")
	ErrNoSuppleant     = models.NewRefusal("Votre siège n'a pas de suppléant en fonction à la date de la séance : vous pouvez donner procuration à un autre membre.")
	ErrChooseSuppleant = models.NewRefusal("Choisissez lequel de vos suppléants vous remplacera.")
)

// ReplyInput is a titulaire's answer.
type ReplyInput struct {
	Status            AttendanceStatus
	SuppleantUserID   int64 // for AttSubstituted when the seat has several suppléants
	ProxyHolderUserID int64 // for AttProxy
}

// ReplyContext is what a person needs to answer a convocation: their seat on the
// session's day, their suppléants and the members they may give a proxy to.
type ReplyContext struct {
	Meeting    *Meeting
	Seat       *registry.SeatHolders // nil: the person holds no voting seat that day
	Titulaire  bool                  // the person is the seat's titulaire (and answers)
	Suppleants []models.User         // of the seat, in order of appointment
	Candidates []models.User         // other titulaires who may hold a proxy
	Current    *Attendance           // the seat's answer so far
	Open       bool                  // answers are accepted now
}

// CanProxy reports whether the titulaire may give a proxy: only without a suppléant (R133-9).
func (rc *ReplyContext) CanProxy() bool { return rc.Seat != nil && len(rc.Seat.Suppleants) == 0 }

// LoadReplyContext returns the answering context of user userID for session meetingID.
func LoadReplyContext(ctx context.Context, db bun.IDB, cid, meetingID, userID int64) (*ReplyContext, error) {
	m, err := FindMeeting(ctx, db, cid, meetingID)
	if err != nil {
		return nil, err
	}
	rc := &ReplyContext{Meeting: m, Open: m.Status == MeetingConvened}
	roll, err := registry.VotingMembers(ctx, db, cid, m.StartsAt)
	if err != nil {
		return nil, err
	}
	for i := range roll.Seats {
		h := &roll.Seats[i]
		for _, md := range h.All() {
			if md.UserID == userID {
				rc.Seat, rc.Titulaire = h, md.Kind == registry.MandateTitulaire
			}
		}
	}
	if rc.Seat == nil {
		return rc, nil
	}
	for _, s := range rc.Seat.Suppleants {
		u, err := models.FindUser(ctx, db, s.UserID)
		if err != nil {
			return nil, err
		}
		rc.Suppleants = append(rc.Suppleants, *u)
	}
	for i := range roll.Seats {
		h := &roll.Seats[i]
		if h.Titulaire == nil || h.Seat.ID == rc.Seat.Seat.ID {
			continue
		}
		u, err := models.FindUser(ctx, db, h.Titulaire.UserID)
		if err != nil {
			return nil, err
		}
		if u.Active {
			rc.Candidates = append(rc.Candidates, *u)
		}
	}
	as, err := ListAttendance(ctx, db, cid, meetingID)
	if err != nil {
		return nil, err
	}
	for i := range as {
		if as[i].SeatID == rc.Seat.Seat.ID {
			rc.Current = &as[i]
		}
	}
	return rc, nil
}

// Reply records the answer of titulaire userID to the convocation of session meetingID,
// through SetAttendance, which enforces REGLES.md requirement 2 (own suppléant only, a
// proxy only without suppléant, one proxy held at most). A suppléant called to sit gets
// access to the files of the agenda, as convened members have.
func Reply(ctx context.Context, db bun.IDB, actor models.Actor, cid, meetingID, userID int64, in ReplyInput, now time.Time) (*Attendance, error) {
	rc, err := LoadReplyContext(ctx, db, cid, meetingID, userID)
	if err != nil {
		return nil, err
	}
	if !rc.Open {
		return nil, ErrRepliesClosed
	}
	if rc.Seat == nil || !rc.Titulaire {
		return nil, ErrNotConvened
	}
	ai := AttendanceInput{SeatID: rc.Seat.Seat.ID, Status: in.Status}
	switch in.Status {
	case AttPresentOnSite, AttPresentRemote, AttAbsent, AttProxy:
		ai.ProxyHolderUserID = in.ProxyHolderUserID
		if in.Status == AttProxy && in.ProxyHolderUserID == 0 {
			return nil, models.FieldErrors{"proxy_holder": "Choisissez le membre à qui vous donnez procuration."}.Err()
		}
	case AttSubstituted:
		switch {
		case len(rc.Suppleants) == 0:
			return nil, ErrNoSuppleant
		case in.SuppleantUserID != 0:
			ai.SubstituteUserID = in.SuppleantUserID
		case len(rc.Suppleants) == 1:
			ai.SubstituteUserID = rc.Suppleants[0].ID
		default:
			return nil, ErrChooseSuppleant
		}
	default:
		return nil, models.FieldErrors{"status": "Choisissez une réponse."}.Err()
	}
	var a *Attendance
	err = models.InTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
		var err error
		if a, err = SetAttendance(ctx, tx, actor, cid, meetingID, ai, now); err != nil {
			return err
		}
		if a.Status != AttSubstituted {
			return nil
		}
		items, err := ListAgenda(ctx, tx, cid, meetingID)
		if err != nil {
			return err
		}
		return grantFiles(ctx, tx, actor, rc.Meeting, items, []int64{*a.SubstituteUserID}, models.Stamp(now))
	})
	if err != nil {
		return nil, err
	}
	return a, nil
}

// ReplyRow is one voting seat in the chair's table of answers.
type ReplyRow struct {
	Seat         registry.Seat
	Titulaire    string // name; "" for a vacant seat
	TitulaireID  int64
	Status       AttendanceStatus
	Substitute   string
	ProxyHolder  string
	RepliedAt    *time.Time
	ReadAt       *time.Time // first opening of the personal link
	HasSuppleant bool
}

// ReplySummary is the chair's table of answers with the expected quorum (R133-10).
type ReplySummary struct {
	Meeting  *Meeting
	Rows     []ReplyRow
	Voting   int // seats with a voting right, vacant included
	AllSeats int
	Required int // members present or represented needed
	Sitting  int // answers present on site, remotely, or replaced by a suppléant
	Proxies  int
	NoReply  int
	Absent   int
}

// Expected is the number of members expected present or represented.
func (s *ReplySummary) Expected() int { return s.Sitting + s.Proxies }

// Reached reports whether the expected attendance reaches the quorum (always true for a
// second convocation, which needs none).
func (s *ReplySummary) Reached() bool {
	return s.Meeting.NoQuorumRequired || s.Expected() >= s.Required
}

// LoadReplies returns the answers to the convocation of session meetingID and the
// expected quorum: settings.QuorumRequired over VotingMembers on the session's day.
func LoadReplies(ctx context.Context, db bun.IDB, cid, meetingID int64) (*ReplySummary, error) {
	m, err := FindMeeting(ctx, db, cid, meetingID)
	if err != nil {
		return nil, err
	}
	s, err := models.FindSettings(ctx, db, cid)
	if err != nil {
		return nil, err
	}
	roll, err := registry.VotingMembers(ctx, db, cid, m.StartsAt)
	if err != nil {
		return nil, err
	}
	all, err := registry.ListSeats(ctx, db, cid)
	if err != nil {
		return nil, err
	}
	as, err := ListAttendance(ctx, db, cid, meetingID)
	if err != nil {
		return nil, err
	}
	reads, err := ReadReceipts(ctx, db, cid, meetingID)
	if err != nil {
		return nil, err
	}
	bySeat := map[int64]*Attendance{}
	for i := range as {
		bySeat[as[i].SeatID] = &as[i]
	}
	names := map[int64]string{}
	name := func(id int64) (string, error) {
		if n, ok := names[id]; ok {
			return n, nil
		}
		u, err := models.FindUser(ctx, db, id)
		if err != nil {
			return "", err
		}
		names[id] = u.Name
		return u.Name, nil
	}
	sum := &ReplySummary{Meeting: m, Voting: roll.Count, AllSeats: len(all), Required: s.QuorumRequired(roll.Count, len(all))}
	for _, h := range roll.Seats {
		row := ReplyRow{Seat: h.Seat, Status: AttNoReply, HasSuppleant: len(h.Suppleants) > 0}
		if h.Titulaire != nil {
			if row.Titulaire, err = name(h.Titulaire.UserID); err != nil {
				return nil, err
			}
			row.TitulaireID = h.Titulaire.UserID
			if t, ok := reads[h.Titulaire.UserID]; ok {
				row.ReadAt = &t
			}
		}
		if a := bySeat[h.Seat.ID]; a != nil {
			row.Status, row.RepliedAt = a.Status, a.RepliedAt
			if a.SubstituteUserID != nil {
				if row.Substitute, err = name(*a.SubstituteUserID); err != nil {
					return nil, err
				}
			}
			if a.ProxyHolderUserID != nil {
				if row.ProxyHolder, err = name(*a.ProxyHolderUserID); err != nil {
					return nil, err
				}
			}
		}
		switch {
		case row.Status.Sits():
			sum.Sitting++
		case row.Status == AttProxy:
			sum.Proxies++
		case row.Status == AttNoReply:
			sum.NoReply++
		default:
			sum.Absent++
		}
		sum.Rows = append(sum.Rows, row)
	}
	return sum, nil
}

// MyReply is a person's convocation to an upcoming session, for their dashboard.
type MyReply struct {
	Meeting Meeting
	Kind    RecipientKind
	Status  AttendanceStatus // the seat's answer (the titulaire's, for a suppléant)
}

// MyConvocations returns the upcoming convened sessions user userID received a
// convocation to, soonest first, with the answer given for their seat.
func MyConvocations(ctx context.Context, db bun.IDB, cid, userID int64, now time.Time) ([]MyReply, error) {
	var rs []ConvocationRecipient
	err := db.NewSelect().Model(&rs).Join("JOIN meetings AS m ON m.id = convocation_recipient.meeting_id").
		Where("convocation_recipient.commission_id = ? AND convocation_recipient.user_id = ? AND m.status IN (?) AND m.ends_at > ?",
			cid, userID, bun.In([]MeetingStatus{MeetingConvened, MeetingOpen}), now.UTC()).
		Order("convocation_recipient.id DESC").Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("my convocations: %w", err)
	}
	seen := map[int64]bool{}
	var out []MyReply
	for _, r := range rs {
		if seen[r.MeetingID] {
			continue
		}
		seen[r.MeetingID] = true
		m, err := FindMeeting(ctx, db, cid, r.MeetingID)
		if err != nil {
			return nil, err
		}
		mr := MyReply{Meeting: *m, Kind: r.Kind, Status: AttNoReply}
		if r.SeatID != nil {
			a := new(Attendance)
			err := db.NewSelect().Model(a).Where("meeting_id = ? AND seat_id = ?", m.ID, *r.SeatID).Scan(ctx)
			switch err := models.NotFound(err, "my convocations"); {
			case err == nil:
				mr.Status = a.Status
			case err != models.ErrNotFound:
				return nil, err
			}
		}
		out = append(out, mr)
	}
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j].Meeting.StartsAt.Before(out[j-1].Meeting.StartsAt); j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out, nil
}
