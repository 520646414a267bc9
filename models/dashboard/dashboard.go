package dashboard

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"seance/models"
	"seance/models/files"
	"seance/models/meetings"
	"seance/models/minutes"
	"seance/models/sitting"
)

// The dashboards' queries: what waits for someone, counted in SQL and listed soonest
// first, a bounded number of queries whatever the size of the commission.

// DueItem is one thing waiting on a dashboard.
type DueItem struct {
	ID        int64     `bun:"id"`         // the vote, deliberation, minutes, session or parcours
	MeetingID int64     `bun:"meeting_id"` // its session (0 for a parcours)
	At        time.Time `bun:"due_at"`     // what orders the list: a deadline or a session's start
	Label     string    `bun:"label"`      // a question, an agenda item's title, a reference
}

// DueList is how many things wait and the soonest of them.
type DueList struct {
	Count int
	Items []DueItem
}

// dueLimit is how many items a dashboard list shows.
const dueLimit = 5

// dueList counts the rows of q (COUNT over the query) and reads the soonest dueLimit.
// q must select id, meeting_id, at and label, ordered soonest first.
func dueList(ctx context.Context, db bun.IDB, q *bun.SelectQuery, what string) (DueList, error) {
	var l DueList
	if err := db.NewSelect().TableExpr("(?) AS due", q).ColumnExpr("COUNT(*)").Scan(ctx, &l.Count); err != nil {
		return l, fmt.Errorf("dashboard %s: count: %w", what, err)
	}
	if l.Count == 0 {
		return l, nil
	}
	if err := q.Limit(dueLimit).Scan(ctx, &l.Items); err != nil {
		return l, fmt.Errorf("dashboard %s: %w", what, err)
	}
	return l, nil
}

// OpenVotesAwaiting lists the open votes on which u still has a ballot to cast (for
// themself or for a titulaire they represent), soonest closing first.
func OpenVotesAwaiting(ctx context.Context, db bun.IDB, u *models.User, now time.Time) (DueList, error) {
	q := db.NewSelect().TableExpr("sitting_votes AS v").
		ColumnExpr("v.id, v.meeting_id, v.question AS label, COALESCE(v.closes_at, v.opened_at) AS due_at").
		Where("v.commission_id = ? AND v.status = ? AND (v.closes_at IS NULL OR v.closes_at > ?)", u.CommissionIDOrZero(), sitting.VoteOpen, now.UTC()).
		Where(`EXISTS (SELECT 1 FROM sitting_vote_voters AS vv WHERE vv.vote_id = v.id AND vv.voter_user_id = ?
			AND NOT EXISTS (SELECT 1 FROM sitting_ballots AS b WHERE b.vote_id = v.id AND b.voter_user_id = vv.voter_user_id
				AND COALESCE(b.represented_user_id, 0) = COALESCE(vv.represented_user_id, 0)))`, u.ID).
		OrderExpr("due_at ASC, v.id ASC")
	return dueList(ctx, db, q, "open votes")
}

// OpenVotes lists the commission's open votes, for the chair to close, oldest first.
func OpenVotes(ctx context.Context, db bun.IDB, cid int64) (DueList, error) {
	q := db.NewSelect().TableExpr("sitting_votes AS v").
		ColumnExpr("v.id, v.meeting_id, v.question AS label, COALESCE(v.closes_at, v.opened_at) AS due_at").
		Where("v.commission_id = ? AND v.status = ?", cid, sitting.VoteOpen).OrderExpr("due_at ASC, v.id ASC")
	return dueList(ctx, db, q, "votes to close")
}

// SessionsUnderway lists the sessions of commission cid in progress, where the chair
// opens the votes.
func SessionsUnderway(ctx context.Context, db bun.IDB, cid int64) (DueList, error) {
	q := db.NewSelect().TableExpr("meetings AS m").ColumnExpr("m.id, m.id AS meeting_id, m.starts_at AS due_at, '' AS label").
		Where("m.commission_id = ? AND m.status = ?", cid, meetings.MeetingOpen).OrderExpr("m.starts_at ASC, m.id ASC")
	return dueList(ctx, db, q, "sessions underway")
}

// WrittenDeliberations lists the written deliberations whose exchanges are announced or
// open (once the debate is closed, the vote is listed with the open votes): all of the
// commission for the chair and the secretariat, those of the sessions a member was
// convened to otherwise; soonest deadline first.
func WrittenDeliberations(ctx context.Context, db bun.IDB, u *models.User) (DueList, error) {
	q := db.NewSelect().TableExpr("written_deliberations AS d").
		Join("JOIN agenda_items AS ai ON ai.id = d.agenda_item_id").
		ColumnExpr("d.id, d.meeting_id, d.deadline AS due_at, ai.title AS label").
		Where("d.commission_id = ? AND d.status IN (?)", u.CommissionIDOrZero(), bun.In([]sitting.WrittenDeliberationStatus{sitting.DeliberationAnnounced, sitting.DeliberationOpen})).
		OrderExpr("d.deadline ASC, d.id ASC")
	if u.Role == models.RoleMember {
		q = q.Where("EXISTS (SELECT 1 FROM convocation_recipients AS r WHERE r.meeting_id = d.meeting_id AND r.user_id = ?)", u.ID)
	}
	return dueList(ctx, db, q, "written deliberations")
}

// MinutesWaiting lists the procès-verbaux in status st, by their session's date: drafts
// for the president to validate; submitted ones for approval (for a member, those
// submitted to a session they were convened to, ordered by that session).
func MinutesWaiting(ctx context.Context, db bun.IDB, u *models.User, st minutes.MinutesStatus) (DueList, error) {
	q := db.NewSelect().TableExpr("minutes AS pv").
		Join("JOIN meetings AS m ON m.id = pv.meeting_id").
		ColumnExpr("pv.id, pv.meeting_id, m.starts_at AS due_at, '' AS label").
		Where("pv.commission_id = ? AND pv.status = ?", u.CommissionIDOrZero(), st).
		OrderExpr("m.starts_at ASC, pv.id ASC")
	if u.Role == models.RoleMember {
		q = q.Where("pv.submitted_to_meeting_id IN (SELECT r.meeting_id FROM convocation_recipients AS r WHERE r.user_id = ?)", u.ID)
	}
	return dueList(ctx, db, q, "minutes")
}

// SessionsToConvene lists the planned sessions of commission cid still to come that no
// convocation was sent for, soonest first.
func SessionsToConvene(ctx context.Context, db bun.IDB, cid int64, now time.Time) (DueList, error) {
	q := db.NewSelect().TableExpr("meetings AS m").ColumnExpr("m.id, m.id AS meeting_id, m.starts_at AS due_at, '' AS label").
		Where("m.commission_id = ? AND m.status = ? AND m.starts_at > ?", cid, meetings.MeetingPlanned, now.UTC()).
		Where("NOT EXISTS (SELECT 1 FROM convocations AS c WHERE c.meeting_id = m.id)").
		OrderExpr("m.starts_at ASC, m.id ASC")
	return dueList(ctx, db, q, "sessions to convene")
}

// FileStateCounts counts the files viewer follows by state in one GROUP BY: the
// commission's (drafts left out) for the secretariat and the president, its own for an
// association; nothing for the other roles.
func FileStateCounts(ctx context.Context, db bun.IDB, viewer *models.User) (map[files.State]int, error) {
	out := map[files.State]int{}
	q := db.NewSelect().Model((*files.File)(nil)).ColumnExpr("state, COUNT(*) AS n").
		Where("commission_id = ?", viewer.CommissionIDOrZero()).GroupExpr("state")
	switch {
	case !viewer.Active:
		return out, nil
	case viewer.Role == models.RoleSecretariat, viewer.Role == models.RolePresident:
		q = q.Where("state <> ?", files.StateDraft)
	case viewer.Role == models.RoleAssociation && viewer.AssociationID != nil:
		q = q.Where("association_id = ?", *viewer.AssociationID)
	default:
		return out, nil
	}
	var rows []struct {
		State files.State `bun:"state"`
		N     int         `bun:"n"`
	}
	if err := q.Scan(ctx, &rows); err != nil {
		return nil, fmt.Errorf("count files by state: %w", err)
	}
	for _, r := range rows {
		out[r.State] = r.N
	}
	return out, nil
}

// FilesInState lists the files viewer follows in state st, the longest waiting first
// (by first submission): the secretariat's files to check or awaiting completion (all
// of the commission), an association's own files to complete; nothing for the other
// roles. The label is the file's reference.
func FilesInState(ctx context.Context, db bun.IDB, viewer *models.User, st files.State) (DueList, error) {
	q := db.NewSelect().TableExpr("files AS f").
		ColumnExpr("f.id, 0 AS meeting_id, COALESCE(f.submitted_at, f.created_at) AS due_at, f.reference AS label").
		Where("f.commission_id = ? AND f.state = ?", viewer.CommissionIDOrZero(), st).
		OrderExpr("due_at ASC, f.id ASC")
	switch {
	case !viewer.Active:
		return DueList{}, nil
	case viewer.Role == models.RoleSecretariat, viewer.Role == models.RolePresident:
	case viewer.Role == models.RoleAssociation && viewer.AssociationID != nil:
		q = q.Where("f.association_id = ?", *viewer.AssociationID)
	default:
		return DueList{}, nil
	}
	return dueList(ctx, db, q, "files "+string(st))
}

// RenewalsDueFor lists the running parcours viewer follows whose rights end before
// until with no request under way, soonest first (see RenewalsDue): SQL keeps the
// candidates, whose periods are then read to leave out those at the 24-month maximum.
func RenewalsDueFor(ctx context.Context, db bun.IDB, viewer *models.User, until time.Time) (DueList, error) {
	var l DueList
	end := "CASE WHEN pp.cut_on IS NOT NULL AND pp.cut_on < pp.ends_on THEN pp.cut_on ELSE pp.ends_on END"
	q := db.NewSelect().TableExpr("parcours AS p").
		Join("JOIN parcours_periods AS pp ON pp.parcours_id = p.id AND pp.seq = (SELECT MAX(x.seq) FROM parcours_periods AS x WHERE x.parcours_id = p.id)").
		ColumnExpr("p.id, 0 AS meeting_id, "+end+" AS due_at, '' AS label").
		Where("p.commission_id = ? AND p.ended_on IS NULL AND p.suspended_on IS NULL", viewer.CommissionIDOrZero()).
		Where(end+" < ?", files.DateOf(until)).
		Where("NOT EXISTS (SELECT 1 FROM files AS f WHERE f.parcours_id = p.id AND f.kind <> ? AND f.state NOT IN (?))",
			files.KindEngagement, bun.In([]files.State{files.StateDraft, files.StateDecided})).
		OrderExpr("due_at ASC, p.id ASC")
	switch {
	case !viewer.Active:
		return l, nil
	case viewer.Role == models.RoleSecretariat, viewer.Role == models.RolePresident:
	case viewer.Role == models.RoleAssociation && viewer.AssociationID != nil:
		q = q.Where("p.association_id = ?", *viewer.AssociationID)
	default:
		return l, nil
	}
	var cands []DueItem
	if err := q.Scan(ctx, &cands); err != nil {
		return l, fmt.Errorf("dashboard renewals: %w", err)
	}
	if len(cands) == 0 {
		return l, nil
	}
	ids := make([]int64, len(cands))
	for i := range cands {
		ids[i] = cands[i].ID
	}
	var periods []files.Period
	if err := db.NewSelect().Model(&periods).Where("parcours_id IN (?)", bun.In(ids)).Scan(ctx); err != nil {
		return l, fmt.Errorf("dashboard renewals: periods: %w", err)
	}
	months := map[int64]int{}
	for i := range periods {
		months[periods[i].ParcoursID] += periods[i].CountedMonths()
	}
	for _, c := range cands {
		if months[c.ID] >= files.ParcoursMaxMonths {
			continue
		}
		l.Count++
		if len(l.Items) < dueLimit {
			l.Items = append(l.Items, c)
		}
	}
	return l, nil
}
