package models_test

import (
	"fmt"
	"testing"

	"seance/models/meetings"
	"seance/models/modelstest"
	"seance/models/sitting"
)

// TestMemberVotesCostDoesNotGrowWithBallots checks that the member's vote page reads
// the same number of statements after one vote as after five (no query per vote or
// per receipt), and still returns every vote and receipt.
func TestMemberVotesCostDoesNotGrowWithBallots(t *testing.T) {
	w := newSittingWorld(t, 4, meetings.ModeOnSite)
	w.present(t, "s1", "s2")
	w.open(t)
	counter := modelstest.CountStatements(w.db)
	cost := func(wantVotes int) int64 {
		t.Helper()
		before := counter.N()
		vs, err := sitting.MemberVotes(w.ctx, w.db, w.u["s1"], 30)
		if err != nil {
			t.Fatal(err)
		}
		rs, err := sitting.MyReceipts(w.ctx, w.db, w.u["s1"], 50)
		if err != nil {
			t.Fatal(err)
		}
		if len(vs) != wantVotes || len(rs) != wantVotes {
			t.Fatalf("%d votes and %d receipts, want %d of each", len(vs), len(rs), wantVotes)
		}
		for _, v := range vs {
			if len(v.Rights) != 1 || v.Rights[0].Ballot == nil || v.Item.ID != v.Vote.AgendaItemID || v.Meeting.ID != v.Vote.MeetingID {
				t.Fatalf("vote %d as s1 sees it = %+v, want its item, session and s1's ballot", v.Vote.ID, v)
			}
		}
		return counter.N() - before
	}
	w.voteWith(t, "Point 1", choices(1, 0, 0), "")
	one := cost(1)
	for i := 2; i <= 5; i++ {
		w.voteWith(t, fmt.Sprintf("Point %d", i), choices(1, 0, 0), "")
	}
	if five := cost(5); five != one {
		t.Errorf("MemberVotes and MyReceipts read %d statements after 1 vote, %d after 5; want the same", one, five)
	}
}
