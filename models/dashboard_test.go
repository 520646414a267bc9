package models_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"seance/models"
	"seance/models/dashboard"
	"seance/models/files"
	"seance/models/meetings"
	"seance/models/modelstest"
	"seance/models/sitting"
)

// TestOpenVotesAwaitingLeavesOutCastBallots: a member's dashboard lists the open votes
// they have a ballot to cast on, for themself or a titulaire they represent, and
// forgets a vote once every ballot is cast, a closed vote, and a written window over.
func TestOpenVotesAwaitingLeavesOutCastBallots(t *testing.T) {
	ctx := context.Background()
	db := modelstest.NewDB(t)
	c := modelstest.Commission(t, db, "31")
	member := modelstest.User(t, db, c, models.RoleMember, nil)
	titulaire := modelstest.User(t, db, c, models.RoleMember, nil)
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	m := &meetings.Meeting{CommissionID: c.ID, Kind: meetings.MeetingFiles, Mode: meetings.ModeOnSite, Status: meetings.MeetingOpen,
		StartsAt: now.Add(-time.Hour), EndsAt: now.Add(2 * time.Hour), CreatedAt: now, UpdatedAt: now}
	if _, err := db.NewInsert().Model(m).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	position := 0
	vote := func(question string, st sitting.VoteStatus, closesAt *time.Time, voters ...*int64) *sitting.Vote {
		t.Helper()
		position++
		item := &meetings.AgendaItem{CommissionID: c.ID, MeetingID: m.ID, Position: position, Kind: meetings.ItemMinutes, Title: question, CreatedAt: now}
		if _, err := db.NewInsert().Model(item).Exec(ctx); err != nil {
			t.Fatal(err)
		}
		v := &sitting.Vote{CommissionID: c.ID, MeetingID: m.ID, AgendaItemID: item.ID, Question: question, Status: st, OpenedAt: now.Add(-30 * time.Minute), OpenedBy: member.ID, ClosesAt: closesAt}
		if _, err := db.NewInsert().Model(v).Exec(ctx); err != nil {
			t.Fatal(err)
		}
		for _, rep := range voters {
			vv := &sitting.VoteVoter{CommissionID: c.ID, VoteID: v.ID, VoterUserID: member.ID, RepresentedUserID: rep}
			if _, err := db.NewInsert().Model(vv).Exec(ctx); err != nil {
				t.Fatal(err)
			}
		}
		return v
	}
	ballot := func(v *sitting.Vote, rep *int64) {
		t.Helper()
		b := &sitting.Ballot{CommissionID: c.ID, VoteID: v.ID, VoterUserID: member.ID, RepresentedUserID: rep, Choice: sitting.BallotChoices[0],
			Channel: sitting.ChannelOnline, RecordedBy: member.ID, CastAt: now, UpdatedAt: now}
		if _, err := db.NewInsert().Model(b).Exec(ctx); err != nil {
			t.Fatal(err)
		}
	}
	later, earlier := now.Add(48*time.Hour), now.Add(-time.Minute)
	own := vote("Avis sur le dossier 31-2026-0001", sitting.VoteOpen, nil, nil)
	proxy := vote("Avis sur le dossier 31-2026-0002", sitting.VoteOpen, &later, nil, &titulaire.ID)
	ballot(own, nil)
	ballot(proxy, nil) // the member's own ballot: the titulaire's is still due
	vote("Avis sur le dossier 31-2026-0003", sitting.VoteClosed, nil, nil)
	vote("Délibération écrite close", sitting.VoteOpen, &earlier, nil)

	l, err := dashboard.OpenVotesAwaiting(ctx, db, member, now)
	if err != nil {
		t.Fatal(err)
	}
	if l.Count != 1 || len(l.Items) != 1 || l.Items[0].ID != proxy.ID || l.Items[0].MeetingID != m.ID || l.Items[0].Label != proxy.Question {
		t.Fatalf("open votes awaiting = %+v, want only the proxy vote %d", l, proxy.ID)
	}
	ballot(proxy, &titulaire.ID)
	if l, err = dashboard.OpenVotesAwaiting(ctx, db, member, now); err != nil || l.Count != 0 {
		t.Fatalf("after every ballot: %+v, %v", l, err)
	}
}

// TestFilesInStateListsTheLongestWaitingFirst: the secretariat's dashboard lists the
// commission's files to check, the longest waiting first; an association sees only its
// own files to complete; a member nothing.
func TestFilesInStateListsTheLongestWaitingFirst(t *testing.T) {
	w := newWorld(t)
	submit := func(user string, last string, at time.Time) *files.File {
		t.Helper()
		in := modelstest.CompleteInput(files.KindEngagement, modelstest.Person(last, "Lou", 1990), 0)
		f, err := files.CreateFile(w.ctx, w.db, w.kr, w.users[user], in, at)
		if err != nil {
			t.Fatal(err)
		}
		w.move(t, user, f.ID, files.StateSubmitted, files.TransitionInput{}, at)
		return w.file(t, f.ID)
	}
	later := submit("association", "Attente", date(2026, 3, 10))
	first := submit("association", "Premier", date(2026, 3, 2))
	other := submit("association2", "Autre", date(2026, 3, 5))
	incomplete := submit("association", "Incomplet", date(2026, 3, 1))
	w.move(t, "secretariat", incomplete.ID, files.StateIncomplete, files.TransitionInput{MissingItems: []string{"Justificatif d'hébergement"}}, date(2026, 3, 3))

	check := func(user string, st files.State, want ...*files.File) {
		t.Helper()
		l, err := dashboard.FilesInState(w.ctx, w.db, w.users[user], st)
		if err != nil {
			t.Fatal(err)
		}
		var got, exp []string
		for _, it := range l.Items {
			got = append(got, it.Label)
		}
		for _, f := range want {
			exp = append(exp, f.Reference)
		}
		if l.Count != len(want) || strings.Join(got, " ") != strings.Join(exp, " ") {
			t.Errorf("%s, files %s = %d %v, want %v", user, st, l.Count, got, exp)
		}
		for i, it := range l.Items {
			if it.ID != want[i].ID || it.MeetingID != 0 {
				t.Errorf("%s, files %s: item %d = %+v, want file %d", user, st, i, it, want[i].ID)
			}
		}
	}
	check("secretariat", files.StateSubmitted, first, other, later)
	check("secretariat", files.StateIncomplete, incomplete)
	check("association", files.StateSubmitted, first, later)
	check("association", files.StateIncomplete, incomplete)
	check("association2", files.StateIncomplete)
	check("member", files.StateSubmitted)
	check("secretariat_c2", files.StateSubmitted)
}
