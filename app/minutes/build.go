package minutes

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"seance/models"
	"seance/models/keyring"
	"seance/models/meetings"
	minutesmodel "seance/models/minutes"
	"seance/models/sitting"
)

// authorities names the deciding authority of the departments the portal knows.
var authorities = map[string]string{"31": "Préfet de la Haute-Garonne"}

// authority is the préfet who decides on the commission's avis.
func authority(dep string) string {
	if a, ok := authorities[dep]; ok {
		return a
	}
	return "Préfet du département (" + dep + ")"
}

// BuildMinutes assembles the minutes of session meetingID of commission cid from the
// recorded sitting: attendance, quorum, agenda, votes, avis and dissents, as the
// package documentation describes. Files appear by their reference only. now is the
// time of the snapshot.
func BuildMinutes(ctx context.Context, db bun.IDB, kr *keyring.Keyring, cid, meetingID int64, now time.Time) (*Minutes, error) {
	o, err := sitting.LoadSittingOverview(ctx, db, cid, meetingID)
	if err != nil {
		return nil, err
	}
	c, err := models.FindCommission(ctx, db, cid)
	if err != nil {
		return nil, fmt.Errorf("build minutes: %w", err)
	}
	names, err := minutesmodel.MinutesUserNames(ctx, db, cid)
	if err != nil {
		return nil, err
	}
	m := &Minutes{
		Commission:  Commission{Name: c.Name, Department: c.Department, Authority: authority(c.Department), ArreteRef: c.ArreteRef},
		GeneratedAt: now.UTC(),
		TimeZone:    "Europe/Paris",
	}
	if err := buildSession(ctx, db, m, o, names); err != nil {
		return nil, err
	}
	buildAttendance(m, o, names)
	if err := buildItems(ctx, db, kr, m, o, names); err != nil {
		return nil, err
	}
	return m, nil
}

// buildSession fills the session, the chair, the secretary and the quorum.
func buildSession(ctx context.Context, db bun.IDB, m *Minutes, o *sitting.SittingOverview, names map[int64]string) error {
	mt := o.Meeting
	s := Session{
		MeetingID: mt.ID, Kind: mt.Kind.Label(), Mode: mt.Mode.Label(), Place: mt.Place,
		StartsAt: mt.StartsAt, EndsAt: mt.EndsAt, ConvenedOn: mt.ConvenedAt,
		Urgency: mt.Urgency, UrgencyReason: mt.UrgencyReason,
	}
	if mt.FirstConvocationID != nil {
		first, err := meetings.FindMeeting(ctx, db, mt.CommissionID, *mt.FirstConvocationID)
		if err != nil {
			return err
		}
		s.SecondConvocation, s.FirstConvocationOn = true, &first.StartsAt
	}
	if o.Sitting != nil {
		s.StartsAt = o.Sitting.OpenedAt
		if o.Sitting.ClosedAt != nil {
			s.EndsAt = *o.Sitting.ClosedAt
		}
		// Whoever of the secretariat opened the sitting kept its minutes; when the président
		// opened it, the secretary is not known from the records and is left blank (the
		// président is the chair, never the secretary nor an attendee without a vote).
		opener, err := models.FindUser(ctx, db, o.Sitting.OpenedBy)
		if err != nil {
			return err
		}
		if opener.Role == models.RoleSecretariat {
			m.Secretary = Person{Name: names[o.Sitting.OpenedBy], Quality: "Secrétariat de la commission"}
			m.Others = append(m.Others, m.Secretary)
		}
	}
	if o.Chair != nil {
		m.Chair = Person{Name: o.Chair.Name, Quality: "Président(e) de la commission"}
	}
	m.Session = s
	q := o.Quorum
	m.Quorum = Quorum{Members: q.Members, Present: q.Present, Represented: q.Represented, Required: q.Required,
		Reached: q.Met(), NoQuorumRequired: q.NotRequired}
	return nil
}

// buildAttendance lists the voting seats with a titulaire, in the order of the composition.
func buildAttendance(m *Minutes, o *sitting.SittingOverview, names map[int64]string) {
	holders := map[int64]string{} // proxy holder → giver
	for _, sp := range o.Presence.Seats {
		if a := sp.Attendance; a != nil && sp.Titulaire != nil && a.Status == meetings.AttProxy && a.ProxyHolderUserID != nil {
			holders[*a.ProxyHolderUserID] = names[sp.Titulaire.UserID]
		}
	}
	for _, sp := range o.Presence.Seats {
		if sp.Titulaire == nil {
			continue
		}
		at := Attendee{
			Name: names[sp.Titulaire.UserID], Quality: sp.Seat.Quality, Category: int(sp.Seat.Category),
			CategoryLabel: sp.Seat.Category.Label(), Status: sp.Status, ProxyFrom: holders[sp.Titulaire.UserID],
		}
		if a := sp.Attendance; a != nil {
			if a.Status == meetings.AttSubstituted && a.SubstituteUserID != nil {
				at.SubstituteName = names[*a.SubstituteUserID]
			}
			if a.Status == meetings.AttProxy && a.ProxyHolderUserID != nil {
				at.ProxyTo = names[*a.ProxyHolderUserID]
			}
		}
		m.Attendance = append(m.Attendance, at)
	}
}

// buildItems fills the agenda points with their votes, avis, dissents and, for a
// written deliberation, its record.
func buildItems(ctx context.Context, db bun.IDB, kr *keyring.Keyring, m *Minutes, o *sitting.SittingOverview, names map[int64]string) error {
	cid := o.Meeting.CommissionID
	var fileIDs []int64
	for _, st := range o.Items {
		if st.Item.FileID != nil {
			fileIDs = append(fileIDs, *st.Item.FileID)
		}
	}
	files, err := minutesmodel.MinutesFiles(ctx, db, cid, fileIDs)
	if err != nil {
		return err
	}
	dissents, err := sitting.ListDissents(ctx, db, kr, cid, o.Meeting.ID)
	if err != nil {
		return err
	}
	for i, st := range o.Items {
		it := Item{Number: i + 1, Kind: st.Item.Kind.Label(), Title: st.Item.Title}
		if st.Item.FileID != nil {
			f := files[*st.Item.FileID]
			it.Kind, it.Title, it.Reference, it.Association = f.Kind.Label(), "", f.Reference, f.AssociationName
		}
		for _, r := range st.Recusals {
			if r.Association {
				it.AssociationRecused = true
				continue
			}
			it.Recusals = append(it.Recusals, r.Name+" (intérêt déclaré)")
		}
		if v := st.Vote; v != nil && v.ClosedAt != nil {
			if err := fillVote(ctx, db, kr, &it, v, dissents, names); err != nil {
				return err
			}
		}
		if d := st.Deliberation; d != nil {
			if err := fillWritten(ctx, db, kr, m, d, st.Vote, it.Number); err != nil {
				return err
			}
		}
		m.Items = append(m.Items, it)
	}
	return nil
}

// fillVote records a closed vote on item it: tally, avis, reasoning, dissents, ballots.
func fillVote(ctx context.Context, db bun.IDB, kr *keyring.Keyring, it *Item, v *sitting.Vote, dissents []sitting.DissentText, names map[int64]string) error {
	it.Tally = &Tally{Pour: v.Yes, Contre: v.No, Abstention: v.Abstentions, CastingVote: v.Tie && v.CastingVote != "",
		Expected: v.Eligible, NotVoted: v.NotVoted(), Written: v.Written}
	if v.Avis != "" {
		it.Avis = v.Avis.Label()
	}
	reasoning, conditions, err := v.AvisTexts(kr)
	if err != nil {
		return err
	}
	it.Reasoning, it.Conditions = reasoning, conditions
	for _, d := range dissents {
		if d.VoteID == v.ID {
			it.Dissents = append(it.Dissents, Dissent{Name: d.Name, Text: d.Text})
		}
	}
	if v.Written {
		return nil // a written vote's ballots are counted per seat
	}
	ballots, err := sitting.ListBallots(ctx, db, v.CommissionID, v.ID)
	if err != nil {
		return err
	}
	for _, b := range ballots {
		nb := NamedBallot{Name: names[b.VoterUserID], Choice: Choice(b.Choice), Channel: b.Channel}
		if b.Channel == sitting.ChannelRoom {
			nb.RecordedBy = names[b.RecordedBy]
		}
		if b.RepresentedUserID != nil {
			nb.OnBehalfOf = names[*b.RepresentedUserID]
		}
		it.Ballots = append(it.Ballots, nb)
	}
	return nil
}

// fillWritten records the written deliberation d on agenda point number.
func fillWritten(ctx context.Context, db bun.IDB, kr *keyring.Keyring, m *Minutes, d *sitting.WrittenDeliberation, v *sitting.Vote, number int) error {
	if m.Written == nil {
		m.Written = &Written{OpensAt: d.StartsAt, EarliestCloseAt: d.Deadline}
		if d.OpenedAt != nil {
			m.Written.OpensAt = *d.OpenedAt
		}
	}
	w := m.Written
	w.Extended = w.Extended || d.Extensions > 0
	if d.DebateClosedAt != nil {
		w.ClosesAt = *d.DebateClosedAt
	}
	if v != nil {
		w.VoteOpensAt, w.Members, w.Participants = v.OpenedAt, v.Members, v.Participants
		if v.ClosedAt != nil {
			w.VoteClosesAt = *v.ClosedAt
		}
	}
	cs, err := sitting.ListContributions(ctx, db, kr, nil, d.CommissionID, d.ID)
	if err != nil {
		return err
	}
	for _, c := range cs {
		if c.Kind == sitting.ContributionMessage {
			w.Contributions = append(w.Contributions, Contribution{At: c.CreatedAt, Name: c.Name, Item: number, Text: c.Body})
		}
	}
	return nil
}
