package sitting_test

import (
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"

	"seance/app/servertest"
	"seance/models"
	"seance/models/meetings"
	"seance/models/sitting"
)

// TestTwoInstancesShareSessionsAndBallots runs two applications on one PostgreSQL
// database, each with its own connection pool, as two `seance serve` processes behind a
// reverse proxy: a session opened on one is served by the other, and the ballots cast
// through both, even at the same instant by the same voter, are counted once per voter.
func TestTwoInstancesShareSessionsAndBallots(t *testing.T) {
	if os.Getenv("TEST_DATABASE_URL") == "" {
		t.Skip("two instances share a PostgreSQL database: set TEST_DATABASE_URL to run this test (SQLite serves one process)")
	}
	w := newWorld(t, meetings.ModeOnSite)
	second := w.env.SecondInstance(t)
	w.reply(t, "s1", meetings.AttPresentOnSite)
	w.reply(t, "m2", meetings.AttPresentOnSite)
	w.reply(t, "m3", meetings.AttPresentOnSite)
	w.reply(t, "m4", meetings.AttExcused)

	// The secretariat signs in on instance 1 and runs the sitting on instance 2.
	sec1 := w.env.Client()
	sec1.SignIn(t, models.RoleSecretariat)
	sec2 := sec1.Via(second)
	if r := sec2.Get(t, "/"); r.Status != http.StatusOK || !strings.Contains(r.Body, w.env.Users[models.RoleSecretariat].Name) {
		t.Fatalf("instance 2 does not serve the session opened on instance 1: status %d", r.Status)
	}
	base := w.path("/sitting/%d", w.m.ID)
	follow(t, sec2, sec2.PostForm(t, base+"/attendance/confirm", nil))
	follow(t, sec1, sec1.PostForm(t, base+"/open", url.Values{"chair_id": {fmt.Sprint(w.env.Users[models.RolePresident].ID)}}))
	r := sec2.PostForm(t, w.path("%s/items/%d/vote", base, w.item.ID), nil)
	if r.Status != http.StatusSeeOther {
		t.Fatalf("open vote on instance 2: status %d\n%s", r.Status, r.Body)
	}
	v, err := sitting.FindItemVote(w.ctx, w.env.DB, w.env.Commission.ID, w.item.ID)
	if err != nil {
		t.Fatal(err)
	}
	ballot := w.path("/votes/%d/ballot", v.ID)

	// The member, signed in on instance 1, votes through both instances at once.
	mem1 := w.env.Client()
	mem1.SignIn(t, models.RoleMember)
	mem1.Get(t, w.path("/votes/%d", v.ID))
	mem2 := mem1.Via(second)
	var wg sync.WaitGroup
	status := make([]int, 2)
	for i, client := range []*servertest.Client{mem1, mem2} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			status[i] = client.PostForm(t, ballot, url.Values{"choice": {[]string{"pour", "contre"}[i]}}).Status
		}()
	}
	wg.Wait()
	for i, st := range status {
		if st != http.StatusSeeOther && st != http.StatusUnprocessableEntity {
			t.Errorf("ballot through instance %d: status %d", i+1, st)
		}
	}
	// The président votes through instance 2 and m2 has the secretariat record its ballot on instance 1.
	pres := w.env.Client()
	pres.SignIn(t, models.RolePresident)
	follow(t, pres.Via(second), pres.Via(second).PostForm(t, ballot, url.Values{"choice": {"pour"}}))
	follow(t, sec1, sec1.PostForm(t, r.Location+"/ballot", url.Values{"voter": {fmt.Sprintf("%d:0", w.users["m2"].ID)}, "choice": {"contre"}}))

	var rows []sitting.Ballot
	if err := w.env.DB.NewSelect().Model(&rows).Where("vote_id = ?", v.ID).Scan(w.ctx); err != nil {
		t.Fatal(err)
	}
	perVoter := map[int64]int{}
	for _, b := range rows {
		perVoter[b.VoterUserID]++
	}
	if len(rows) != 3 || perVoter[w.member.ID] != 1 || perVoter[w.env.Users[models.RolePresident].ID] != 1 || perVoter[w.users["m2"].ID] != 1 {
		t.Fatalf("ballots stored = %d (per voter %v), want one each for the member, the président and m2", len(rows), perVoter)
	}
	// Both instances show the same tally: three ballots, the member's once.
	var yes, no int
	for _, b := range rows {
		switch b.Choice {
		case sitting.BallotFor:
			yes++
		case sitting.BallotAgainst:
			no++
		}
	}
	for i, c := range []*servertest.Client{sec1, sec2} {
		tally := c.Get(t, r.Location+"/tally").Body
		for _, want := range []string{fmt.Sprintf("<dt>Pour</dt><dd>%d</dd>", yes), fmt.Sprintf("<dt>Contre</dt><dd>%d</dd>", no)} {
			if !strings.Contains(tally, want) {
				t.Errorf("tally on instance %d lacks %q", i+1, want)
			}
		}
	}
	if yes+no != 3 {
		t.Errorf("yes %d + no %d = %d, want 3 ballots", yes, no, yes+no)
	}
}
