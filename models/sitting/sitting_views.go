package sitting

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"seance/models"
	"seance/models/files"
	"seance/models/meetings"
	"seance/models/registry"
)

// ItemState is one agenda item at a sitting: its quorum now (the item's exclusions and
// the departures so far), the members excluded from it, its vote and, in a written
// session, its deliberation.
type ItemState struct {
	Item         meetings.AgendaItem
	Quorum       Quorum
	Recusals     []Recusal
	Vote         *Vote                // nil: not put to the vote
	Deliberation *WrittenDeliberation // nil: none announced
}

// Current reports whether the item is the one under way.
func (s *ItemState) Current(sitting *Sitting) bool {
	return sitting != nil && sitting.CurrentItemID != nil && *sitting.CurrentItemID == s.Item.ID
}

// SittingOverview is everything a sitting's pages and its minutes read: the session,
// the sitting (nil before it opens), the presence of each seat with its arrivals and
// departures, the quorum, the chair, and each agenda item with its quorum, recusals,
// vote and deliberation.
type SittingOverview struct {
	Meeting  *meetings.Meeting
	Sitting  *Sitting
	Chair    *models.User // nil before opening
	Settings *models.CommissionSettings
	Presence *Presence
	Quorum   Quorum
	Items    []ItemState
}

// OpenVotes returns the items whose vote is open.
func (o *SittingOverview) OpenVotes() []ItemState {
	var out []ItemState
	for _, it := range o.Items {
		if it.Vote != nil && it.Vote.Status == VoteOpen {
			out = append(out, it)
		}
	}
	return out
}

// Unconfirmed counts the seats with a titulaire whose attendance is not confirmed.
func (o *SittingOverview) Unconfirmed() int {
	n := 0
	for _, sp := range o.Presence.Seats {
		if sp.Titulaire != nil && !sp.Confirmed {
			n++
		}
	}
	return n
}

// LoadSittingOverview returns the overview of session meetingID of commission cid.
func LoadSittingOverview(ctx context.Context, db bun.IDB, cid, meetingID int64) (*SittingOverview, error) {
	m, err := meetings.FindMeeting(ctx, db, cid, meetingID)
	if err != nil {
		return nil, err
	}
	o := &SittingOverview{Meeting: m}
	if o.Sitting, err = FindSitting(ctx, db, cid, m.ID); err != nil && err != models.ErrNotFound {
		return nil, err
	}
	if o.Sitting != nil {
		if o.Chair, err = models.FindUser(ctx, db, o.Sitting.ChairUserID); err != nil {
			return nil, err
		}
	}
	if o.Settings, err = models.FindSettings(ctx, db, cid); err != nil {
		return nil, err
	}
	if o.Presence, err = loadPresence(ctx, db, m); err != nil {
		return nil, err
	}
	o.Quorum = quorumOf(o.Presence, o.Settings, nil)
	items, err := meetings.ListAgenda(ctx, db, cid, m.ID)
	if err != nil {
		return nil, err
	}
	votes, err := ListVotes(ctx, db, cid, m.ID)
	if err != nil {
		return nil, err
	}
	delibs, err := ListDeliberations(ctx, db, cid, m.ID)
	if err != nil {
		return nil, err
	}
	lk := files.NewExclusionLookup()
	if err := lk.Preload(ctx, db, cid, meetings.ItemFileIDs(items)); err != nil {
		return nil, err
	}
	for _, it := range items {
		st := ItemState{Item: it}
		x, recusals, err := itemExclusionsWith(ctx, db, o.Presence, &it, lk)
		if err != nil {
			return nil, err
		}
		st.Quorum, st.Recusals = quorumOf(o.Presence, o.Settings, x), recusals
		for i := range votes {
			if votes[i].AgendaItemID == it.ID {
				st.Vote = &votes[i]
			}
		}
		for i := range delibs {
			if delibs[i].AgendaItemID == it.ID {
				st.Deliberation = &delibs[i]
			}
		}
		o.Items = append(o.Items, st)
	}
	return o, nil
}

// ListSittings returns the sessions of commission cid a sitting page lists: those
// convened, open or closed from 60 days before now, and every open one, by date.
func ListSittings(ctx context.Context, db bun.IDB, cid int64, now time.Time) ([]meetings.Meeting, error) {
	var ms []meetings.Meeting
	err := db.NewSelect().Model(&ms).Where("commission_id = ?", cid).
		Where("status = ? OR (status IN (?) AND starts_at >= ?)", meetings.MeetingOpen,
			bun.In([]meetings.MeetingStatus{meetings.MeetingConvened, meetings.MeetingClosed, meetings.MeetingMinutesApproved}), now.AddDate(0, 0, -60).UTC()).
		Order("starts_at ASC").Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("list sittings: %w", err)
	}
	return ms, nil
}

// MemberItem is a file item of a session a member sits in, with whether they are kept
// out of it (and why).
type MemberItem struct {
	Item    meetings.AgendaItem
	Recused *Recusal
}

// MemberSession is a convened or open session in which a member sits, with its file
// items (where they may declare an interest, R133-12) and the written deliberations
// they take part in.
type MemberSession struct {
	Meeting       meetings.Meeting
	Items         []MemberItem
	Deliberations []MemberDeliberation
}

// MemberDeliberation is a written deliberation a member takes part in.
type MemberDeliberation struct {
	Deliberation WrittenDeliberation
	Item         meetings.AgendaItem
}

// MemberSessions returns the convened and open sessions of u's commission in which u
// holds a voting seat (or that u may chair), with their file items.
func MemberSessions(ctx context.Context, db bun.IDB, u *models.User) ([]MemberSession, error) {
	cid := u.CommissionIDOrZero()
	var ms []meetings.Meeting
	err := db.NewSelect().Model(&ms).Where("commission_id = ? AND status IN (?)", cid, bun.In([]meetings.MeetingStatus{meetings.MeetingConvened, meetings.MeetingOpen})).
		Order("starts_at ASC").Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("member sessions: %w", err)
	}
	var out []MemberSession
	lk := files.NewExclusionLookup()
	var r *registry.Roster
	if len(ms) > 0 {
		if r, err = registry.LoadRoster(ctx, db, cid); err != nil {
			return nil, err
		}
	}
	for i := range ms {
		p, err := loadPresenceWith(ctx, db, &ms[i], r)
		if err != nil {
			return nil, err
		}
		sits := u.Role == models.RolePresident
		for j := range p.Seats {
			if _, ok := p.Seats[j].holderNames()[u.ID]; ok {
				sits = true
			}
		}
		if !sits {
			continue
		}
		items, err := meetings.ListAgenda(ctx, db, cid, ms[i].ID)
		if err != nil {
			return nil, err
		}
		if err := lk.Preload(ctx, db, cid, meetings.ItemFileIDs(items)); err != nil {
			return nil, err
		}
		delibs, err := ListDeliberations(ctx, db, cid, ms[i].ID)
		if err != nil {
			return nil, err
		}
		s := MemberSession{Meeting: ms[i]}
		for _, it := range items {
			x, recusals, err := itemExclusionsWith(ctx, db, p, &it, lk)
			if err != nil {
				return nil, err
			}
			for _, d := range delibs {
				if d.AgendaItemID == it.ID && !x.user(u.ID) {
					s.Deliberations = append(s.Deliberations, MemberDeliberation{Deliberation: d, Item: it})
				}
			}
			if it.Kind != meetings.ItemFile || it.FileID == nil {
				continue
			}
			mi := MemberItem{Item: it}
			for k := range recusals {
				if recusals[k].UserID == u.ID {
					mi.Recused = &recusals[k]
				}
			}
			s.Items = append(s.Items, mi)
		}
		out = append(out, s)
	}
	return out, nil
}

// DeclareItemInterest records u's interest in the file of agenda item itemID of a
// convened or open session (R133-12, REGLES.md requirement 6): from then on u neither
// sees the file nor takes part in its vote.
func DeclareItemInterest(ctx context.Context, db bun.IDB, u *models.User, itemID int64, reason string, now time.Time) error {
	cid := u.CommissionIDOrZero()
	item, err := findSittingItem(ctx, db, cid, itemID)
	if err != nil {
		return err
	}
	m, err := meetings.FindMeeting(ctx, db, cid, item.MeetingID)
	if err != nil {
		return err
	}
	if item.FileID == nil || (m.Status != meetings.MeetingConvened && m.Status != meetings.MeetingOpen) {
		return models.ErrNotFound
	}
	return files.DeclareInterest(ctx, db, models.ActorFor(u), cid, *item.FileID, u.ID, reason, now)
}
