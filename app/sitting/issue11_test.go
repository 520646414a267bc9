package sitting_test

import (
	"fmt"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"seance/app/servertest"
	"seance/models"
	"seance/models/meetings"
	"seance/models/sitting"
)

// openVoteAsSecretariat seats s1 (remotely), m2 and m3, confirms the attendance, opens
// the sitting and the vote on the world's item, signed in as the secretariat; it returns
// the client, the vote page and the vote. The voters are s1, m2, m3 and the président.
func (w *world) openVoteAsSecretariat(t *testing.T) (*servertest.Client, string, *sitting.Vote) {
	t.Helper()
	w.reply(t, "s1", meetings.AttPresentRemote)
	w.reply(t, "m2", meetings.AttPresentOnSite)
	w.reply(t, "m3", meetings.AttPresentOnSite)
	sec := w.env.Client()
	sec.SignIn(t, models.RoleSecretariat)
	base := w.path("/sitting/%d", w.m.ID)
	follow(t, sec, sec.PostForm(t, base+"/attendance/confirm", nil))
	follow(t, sec, sec.PostForm(t, base+"/open", url.Values{"chair_id": {fmt.Sprint(w.env.Users[models.RolePresident].ID)}}))
	r := sec.PostForm(t, w.path("%s/items/%d/vote", base, w.item.ID), nil)
	if r.Status != http.StatusSeeOther || !strings.Contains(r.Location, "/votes/") {
		t.Fatalf("open vote: %d %s\n%s", r.Status, r.Location, r.Body)
	}
	v, err := sitting.FindItemVote(w.ctx, w.env.DB, w.env.Commission.ID, w.item.ID)
	if err != nil {
		t.Fatal(err)
	}
	return sec, r.Location, v
}

// TestIssue11_RoomBallotCannotOverwriteOnlineBallot replays the review through the
// pages: the member votes « pour » online, the secretariat posts a room ballot « contre »
// for them. The post is refused with a French message; the tally, the member's page and
// the vote page show the online ballot, unchanged, with its channel.
func TestIssue11_RoomBallotCannotOverwriteOnlineBallot(t *testing.T) {
	w := newWorld(t, meetings.ModeOnSite)
	sec, votePage, v := w.openVoteAsSecretariat(t)

	// The room-entry form has no pre-selected voter nor choice.
	page := sec.Get(t, votePage)
	if strings.Contains(page.Body, "checked") || !strings.Contains(page.Body, `<option value="" selected disabled>Choisir le votant</option>`) {
		t.Fatalf("room-entry form pre-selects a voter or a choice\n%s", page.Body)
	}
	r := follow(t, sec, sec.PostForm(t, votePage+"/ballot", url.Values{"voter": {fmt.Sprintf("%d:0", w.users["m2"].ID)}}))
	if !strings.Contains(r.Body, "Choisissez pour, contre ou abstention.") {
		t.Fatalf("room entry without a choice: page lacks the refusal\n%s", r.Body)
	}

	mem := w.env.Client()
	mem.SignIn(t, models.RoleMember)
	follow(t, mem, mem.PostForm(t, w.path("/votes/%d/ballot", v.ID), url.Values{"choice": {"pour"}}))
	// The attack: a room ballot « contre » for the member who voted online.
	r = sec.PostForm(t, votePage+"/ballot", url.Values{"voter": {fmt.Sprintf("%d:0", w.member.ID)}, "choice": {"contre"}})
	r = follow(t, sec, r)
	want := html.EscapeString(w.member.Name + " a déjà voté en ligne : seul ce membre peut modifier son vote.")
	if !strings.Contains(r.Body, want) {
		t.Fatalf("room ballot over an online ballot: page lacks %q\n%s", want, r.Body)
	}
	tally := sec.Get(t, votePage+"/tally")
	for _, want := range []string{"<dt>Pour</dt><dd>1</dd>", "<dt>Contre</dt><dd>0</dd>", "Pour <span class=\"fr-text--xs\">(en ligne)</span>"} {
		if !strings.Contains(tally.Body, want) {
			t.Fatalf("tally lacks %q after the refused entry\n%s", want, tally.Body)
		}
	}
	// The vote page lists the member as having voted online, not choosable.
	page = sec.Get(t, votePage)
	if !strings.Contains(page.Body, fmt.Sprintf(`<option value="%d:0" disabled>`, w.member.ID)) {
		t.Fatalf("vote page offers the online voter for a room entry\n%s", page.Body)
	}
	mine := mem.Get(t, w.path("/votes/%d", v.ID))
	if !strings.Contains(mine.Body, "Vote enregistré : <strong>Pour</strong>, en ligne") || strings.Contains(mine.Body, "modifié") {
		t.Fatalf("member's page does not show their own online ballot unchanged\n%s", mine.Body)
	}

	// A room entry for m2 shows who entered it.
	follow(t, sec, sec.PostForm(t, votePage+"/ballot", url.Values{"voter": {fmt.Sprintf("%d:0", w.users["m2"].ID)}, "choice": {"contre"}}))
	tally = sec.Get(t, votePage+"/tally")
	if want := "Contre <span class=\"fr-text--xs\">(en salle, saisi par " + html.EscapeString(w.env.Users[models.RoleSecretariat].Name) + ")</span>"; !strings.Contains(tally.Body, want) {
		t.Fatalf("tally lacks %q\n%s", want, tally.Body)
	}
}

// TestIssue11_CloseVoteNeedsConfirmationForMissingVoters replays the review through the
// pages: one ballot of four expected, and the chair posts the closing. The first post
// answers with the confirmation naming the three voters who have not voted; the vote
// stays open. The confirmation closes it, and the result says three did not take part.
func TestIssue11_CloseVoteNeedsConfirmationForMissingVoters(t *testing.T) {
	w := newWorld(t, meetings.ModeOnSite)
	sec, votePage, v := w.openVoteAsSecretariat(t)
	mem := w.env.Client()
	mem.SignIn(t, models.RoleMember)
	follow(t, mem, mem.PostForm(t, w.path("/votes/%d/ballot", v.ID), url.Values{"choice": {"pour"}}))

	r := sec.PostForm(t, votePage+"/close", nil)
	if r.Status != http.StatusOK {
		t.Fatalf("closing with voters missing: status %d, want 200 with the confirmation\n%s", r.Status, r.Body)
	}
	pres := w.env.Users[models.RolePresident]
	for _, want := range []string{"3 votants présents ou représentés n&#39;ont pas voté", html.EscapeString(w.users["m2"].Name), html.EscapeString(w.users["m3"].Name),
		html.EscapeString(pres.Name) + " (présidence)", `name="confirm" value="1"`, "Confirmer la clôture sans ces 3 votes"} {
		if !strings.Contains(r.Body, want) {
			t.Fatalf("confirmation page lacks %q\n%s", want, r.Body)
		}
	}
	if got, err := sitting.FindVote(w.ctx, w.env.DB, w.env.Commission.ID, v.ID); err != nil || got.Status != sitting.VoteOpen {
		t.Fatalf("vote after the first closing post = %+v, %v; want still open", got, err)
	}
	// A room count is carried by the confirmation form.
	r = sec.PostForm(t, votePage+"/close", url.Values{"room_yes": {"1"}})
	if r.Status != http.StatusOK || !strings.Contains(r.Body, "dont 1 compté à main levée : 2 ne prennent pas part au vote") ||
		!strings.Contains(r.Body, `<input type="hidden" name="room_yes" value="1">`) {
		t.Fatalf("closing with a partial room count: %d\n%s", r.Status, r.Body)
	}

	r = follow(t, sec, sec.PostForm(t, votePage+"/close", url.Values{"confirm": {"1"}, "room_yes": {"1"}}))
	for _, want := range []string{"Vote clos : Adopté. 2 votants présents ou représentés sur 4 n&#39;ont pas pris part au vote.", "Pour 2 · Contre 0 · Abstentions 0 · 2 votants présents ou représentés sur 4 n&#39;ont pas pris part au vote."} {
		if !strings.Contains(r.Body, want) {
			t.Fatalf("closed vote page lacks %q\n%s", want, r.Body)
		}
	}
}
