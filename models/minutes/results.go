package minutes

import (
	"context"
	"errors"
	"fmt"

	"github.com/uptrace/bun"

	"seance/models"
	"seance/models/meetings"
	"seance/models/sitting"
)

// ErrResultsNotApproved refuses the results of a session whose procès-verbal is not
// approved yet: the count and the avis are published once the commission approved them.
var ErrResultsNotApproved = models.NewRefusal("Les résultats de cette séance ne sont publiés qu'une fois leur procès-verbal approuvé.")

// ApprovedMinutes returns the latest approved (or approved and locked) version of the
// procès-verbal of session meetingID, or ErrNotFound when none is.
func ApprovedMinutes(ctx context.Context, db bun.IDB, cid, meetingID int64) (*Minutes, error) {
	r := new(Minutes)
	err := db.NewSelect().Model(r).Where("commission_id = ? AND meeting_id = ? AND status IN (?)", cid, meetingID, bun.In([]MinutesStatus{MinutesApproved, MinutesLocked})).
		Order("version DESC").Limit(1).Scan(ctx)
	if err != nil {
		return nil, models.NotFound(err, "find approved minutes")
	}
	return r, nil
}

// AgendaEntryRef is an agenda item as it may be published: a file appears by its
// pseudonymous reference and request kind only, never by the person's identity.
type AgendaEntryRef struct {
	Item meetings.AgendaItem
	File *MinutesFile // for a file item
}

// PublicAgenda returns the agenda of session meetingID of commission cid in order, its
// files by reference.
func PublicAgenda(ctx context.Context, db bun.IDB, cid, meetingID int64) ([]AgendaEntryRef, error) {
	items, err := meetings.ListAgenda(ctx, db, cid, meetingID)
	if err != nil {
		return nil, err
	}
	var ids []int64
	for _, it := range items {
		if it.FileID != nil {
			ids = append(ids, *it.FileID)
		}
	}
	files, err := MinutesFiles(ctx, db, cid, ids)
	if err != nil {
		return nil, err
	}
	out := make([]AgendaEntryRef, len(items))
	for i, it := range items {
		out[i].Item = it
		if it.FileID != nil {
			if f, ok := files[*it.FileID]; ok {
				f.AssociationName = "" // the instructing association is not published
				out[i].File = &f
			}
		}
	}
	return out, nil
}

// ItemResult is one agenda item of a session and its closed vote (nil when none).
type ItemResult struct {
	AgendaEntryRef
	Vote *sitting.Vote
}

// MeetingResults is the outcome of each item of a session, as its approved
// procès-verbal records it.
type MeetingResults struct {
	Minutes *Minutes
	Items   []ItemResult
}

// ResultsOf returns the results of session meetingID of commission cid: for each agenda
// item its closed vote (tally, outcome, avis). ErrResultsNotApproved until a version of
// the session's procès-verbal is approved.
func ResultsOf(ctx context.Context, db bun.IDB, cid, meetingID int64) (*MeetingResults, error) {
	r, err := ApprovedMinutes(ctx, db, cid, meetingID)
	if errors.Is(err, models.ErrNotFound) {
		return nil, ErrResultsNotApproved
	}
	if err != nil {
		return nil, err
	}
	entries, err := PublicAgenda(ctx, db, cid, meetingID)
	if err != nil {
		return nil, err
	}
	votes, err := sitting.ListVotes(ctx, db, cid, meetingID)
	if err != nil {
		return nil, fmt.Errorf("meeting results: %w", err)
	}
	byItem := make(map[int64]*sitting.Vote, len(votes))
	for i := range votes {
		if votes[i].ClosedAt != nil {
			byItem[votes[i].AgendaItemID] = &votes[i]
		}
	}
	out := &MeetingResults{Minutes: r, Items: make([]ItemResult, len(entries))}
	for i, e := range entries {
		out.Items[i] = ItemResult{AgendaEntryRef: e, Vote: byItem[e.Item.ID]}
	}
	return out, nil
}
