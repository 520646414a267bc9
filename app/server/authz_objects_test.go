package server_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"seance/app/demo"
	"seance/app/servertest"
	"seance/models"
	"seance/models/files"
	"seance/models/meetings"
	"seance/models/sitting"
)

// TestAuthorizationObjects completes the route matrix (TestAuthorizationMatrix) with the
// object-level cases it cannot express by route and role alone, on the demo data over
// HTTP: the file of another association, a member recused on the file put to the vote
// (declared interest), a vote already closed, and a procès-verbal locked by its
// approval. Each refusal must leave the database as it was.
func TestAuthorizationObjects(t *testing.T) {
	ctx := context.Background()
	env, s := servertest.NewSeeded(t, 0)
	cid := s.Commission.ID
	// id reads one integer: an id, or a count.
	id := func(query string, args ...any) int64 {
		t.Helper()
		var v int64
		if err := env.DB.QueryRowContext(ctx, query, args...).Scan(&v); err != nil {
			t.Fatalf("%s: %v", query, err)
		}
		return v
	}
	count := func(query string, args ...any) int { return int(id(query, args...)) }

	t.Run("another association's file", func(t *testing.T) {
		other, err := models.FindUserByEmail(ctx, env.DB, demo.AssociationEmail(2))
		if err != nil || other.AssociationID == nil {
			t.Fatalf("the demo's second association account: %+v, %v", other, err)
		}
		file := id("SELECT id FROM files WHERE commission_id = ? AND association_id <> ? ORDER BY id LIMIT 1", cid, *other.AssociationID)
		draft := id("SELECT id FROM files WHERE commission_id = ? AND association_id <> ? AND state = ? ORDER BY id LIMIT 1", cid, *other.AssociationID, files.StateDraft)
		before := count("SELECT COUNT(*) FROM file_events WHERE file_id IN (?, ?)", file, draft)
		c := env.SignedIn(t, demo.AssociationEmail(2))
		for _, path := range []string{"/dossiers/%d", "/dossiers/%d/personne", "/dossiers/%d/proposition", "/dossiers/%d/pieces"} {
			if r := c.Get(t, fmt.Sprintf(path, file)); r.Status != http.StatusNotFound {
				t.Errorf("GET %s of another association's file: %d, want 404", fmt.Sprintf(path, file), r.Status)
			}
		}
		for _, path := range []string{"/dossiers/%d/deposer", "/dossiers/%d/supprimer", "/dossiers/%d/proposition"} {
			if r := c.PostForm(t, fmt.Sprintf(path, draft), url.Values{"proposal": {"Texte d'une autre association"}}); r.Status != http.StatusNotFound {
				t.Errorf("POST %s on another association's draft: %d, want 404", fmt.Sprintf(path, draft), r.Status)
			}
		}
		if after := count("SELECT COUNT(*) FROM file_events WHERE file_id IN (?, ?)", file, draft); after != before {
			t.Errorf("the refused calls wrote %d history lines", after-before)
		}
		if n := count("SELECT COUNT(*) FROM files WHERE id = ?", draft); n != 1 {
			t.Error("another association deleted the draft")
		}
	})

	t.Run("member recused on the file put to the vote", func(t *testing.T) {
		// Today's session: the demo's member 12 declared an interest in its second file.
		m := id("SELECT id FROM meetings WHERE commission_id = ? AND status = ? ORDER BY starts_at LIMIT 1", cid, meetings.MeetingConvened)
		meeting, err := meetings.FindMeeting(ctx, env.DB, cid, m)
		if err != nil {
			t.Fatal(err)
		}
		recused := s.Users[demo.MemberEmail(12)]
		item := id(`SELECT a.id FROM agenda_items a JOIN file_interests i ON i.file_id = a.file_id
			WHERE a.meeting_id = ? AND i.user_id = ?`, m, recused.ID)
		pres := s.Users[demo.EmailPresident]
		env.SetClock(meeting.StartsAt.Add(5 * time.Minute))
		if _, err := sitting.ConfirmSittingAttendance(ctx, env.DB, models.ActorFor(pres), cid, m, env.Clock()); err != nil {
			t.Fatal(err)
		}
		if _, err := sitting.OpenSitting(ctx, env.DB, pres, cid, m, pres.ID, env.Clock()); err != nil {
			t.Fatal(err)
		}
		v, err := sitting.OpenVote(ctx, env.DB, pres, cid, item, sitting.VoteInput{ProposedAvis: files.AvisFavorable}, env.Clock())
		if err != nil {
			t.Fatal(err)
		}
		c := env.SignedIn(t, recused.Email)
		// The vote's page answers as a missing one: the recused member has nothing to do there.
		if r := c.Get(t, fmt.Sprintf("/votes/%d", v.ID)); r.Status != http.StatusNotFound {
			t.Errorf("GET the vote as the recused member: %d, want 404", r.Status)
		}
		// A ballot posted anyway is refused, and the member is told why on a page they may see.
		r := c.PostForm(t, fmt.Sprintf("/votes/%d/ballot", v.ID), url.Values{"choice": {"pour"}})
		if r.Status != http.StatusSeeOther {
			t.Fatalf("POST a ballot as the recused member: %d, want 303 with the refusal", r.Status)
		}
		if next := c.Get(t, r.Location); next.Status != http.StatusOK || !strings.Contains(next.Body, "écarté") {
			t.Errorf("after the refused ballot, %s answers %d without the recusal message", r.Location, next.Status)
		}
		if n := count("SELECT COUNT(*) FROM sitting_ballots WHERE vote_id = ?", v.ID); n != 0 {
			t.Errorf("the recused member's refused ballot left %d ballots", n)
		}
		// A member who is not recused votes on the same item.
		if r := env.SignedIn(t, demo.MemberEmail(1)).PostForm(t, fmt.Sprintf("/votes/%d/ballot", v.ID), url.Values{"choice": {"pour"}}); r.Status != http.StatusSeeOther {
			t.Errorf("POST a ballot as member 1: %d, want 303", r.Status)
		}
		if n := count("SELECT COUNT(*) FROM sitting_ballots WHERE vote_id = ?", v.ID); n != 1 {
			t.Errorf("after member 1's ballot: %d ballots, want 1", n)
		}
	})

	t.Run("vote already closed", func(t *testing.T) {
		v := id("SELECT id FROM sitting_votes WHERE commission_id = ? AND status = ? AND written = ? ORDER BY id LIMIT 1", cid, sitting.VoteClosed, false)
		before := count("SELECT COUNT(*) FROM sitting_ballots WHERE vote_id = ?", v)
		voter := id("SELECT voter_user_id FROM sitting_vote_voters WHERE vote_id = ? ORDER BY id LIMIT 1", v)
		u, err := models.FindUser(ctx, env.DB, voter)
		if err != nil {
			t.Fatal(err)
		}
		c := env.SignedIn(t, u.Email)
		r := c.PostForm(t, fmt.Sprintf("/votes/%d/ballot", v), url.Values{"choice": {"contre"}})
		if r.Status != http.StatusSeeOther {
			t.Fatalf("POST a ballot on a closed vote: %d, want 303 with the refusal", r.Status)
		}
		if next := c.Get(t, r.Location); next.Status != http.StatusOK || !strings.Contains(next.Body, "Le vote est clos : ce bulletin n&#39;a pas été enregistré") {
			t.Errorf("after the refused ballot, %s answers %d without saying the vote is closed", r.Location, next.Status)
		}
		if after := count("SELECT COUNT(*) FROM sitting_ballots WHERE vote_id = ?", v); after != before {
			t.Errorf("a ballot on a closed vote changed the ballots: %d → %d", before, after)
		}
	})

	t.Run("procès-verbal locked by its approval", func(t *testing.T) {
		m := id("SELECT id FROM meetings WHERE commission_id = ? AND status = ? ORDER BY starts_at DESC LIMIT 1", cid, meetings.MeetingMinutesApproved)
		// Every version of the minutes, as stored.
		read := func() string {
			t.Helper()
			rows, err := env.DB.QueryContext(ctx, `SELECT status, content_sealed, general_items, observations, content_hash, updated_at
				FROM minutes WHERE meeting_id = ? ORDER BY id`, m)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			var out []string
			for rows.Next() {
				var status, sealed, general, observations, hash string
				var updated time.Time
				if err := rows.Scan(&status, &sealed, &general, &observations, &hash, &updated); err != nil {
					t.Fatal(err)
				}
				out = append(out, strings.Join([]string{status, sealed, general, observations, hash, updated.UTC().String()}, "|"))
			}
			if len(out) == 0 {
				t.Fatal("the held session has no minutes")
			}
			return strings.Join(out, "\n")
		}
		before := read()
		sec := env.SignedIn(t, demo.EmailSecretariat)
		pres := env.SignedIn(t, demo.EmailPresident)
		for _, call := range []struct {
			c    *servertest.Client
			path string
		}{
			{sec, "/seances/%d/pv/textes"}, {sec, "/seances/%d/pv/etablir"}, {pres, "/seances/%d/pv/valider"},
			{pres, "/seances/%d/pv/soumettre"}, {pres, "/seances/%d/pv/approuver"},
		} {
			path := fmt.Sprintf(call.path, m)
			r := call.c.PostForm(t, path, url.Values{"general_items": {"Texte réécrit après l'approbation"}, "observations": {"Texte réécrit"},
				"approval_ref": {"séance suivante"}, "to_meeting_id": {fmt.Sprint(m)}})
			if r.Status >= 500 {
				t.Errorf("POST %s on approved minutes: %d", path, r.Status)
			}
		}
		if after := read(); after != before {
			t.Errorf("approved minutes changed:\n%s\n→\n%s", before, after)
		}
		if r := sec.Get(t, fmt.Sprintf("/seances/%d/pv", m)); r.Status != http.StatusOK || strings.Contains(r.Body, "Texte réécrit") {
			t.Errorf("GET the approved minutes: %d, rewritten text shown: %v", r.Status, strings.Contains(r.Body, "Texte réécrit"))
		}
	})
}
