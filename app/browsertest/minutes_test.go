package browsertest_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"seance/app/browsertest"
	"seance/app/servertest"
	"seance/models"
	"seance/models/meetings"
	"seance/models/sitting"
)

// closedSitting holds and closes the session of e: three members present, a vote on
// each policy item.
func closedSitting(t *testing.T, e *sittingEnv) {
	t.Helper()
	cid, sec, pres := e.Commission.ID, e.Users[models.RoleSecretariat], e.Users[models.RolePresident]
	for i := range 3 {
		e.reply(t, i, meetings.AttPresentOnSite)
	}
	at := e.m.StartsAt
	if _, err := sitting.ConfirmSittingAttendance(e.ctx, e.DB, models.ActorFor(sec), cid, e.m.ID, at.Add(-5*time.Minute)); err != nil {
		t.Fatal(err)
	}
	if _, err := sitting.OpenSitting(e.ctx, e.DB, sec, cid, e.m.ID, pres.ID, at); err != nil {
		t.Fatal(err)
	}
	for i, it := range e.items {
		v, err := sitting.OpenVote(e.ctx, e.DB, pres, cid, it.ID, sitting.VoteInput{}, at.Add(time.Duration(10+10*i)*time.Minute))
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range e.users[:3] {
			if _, err := sitting.CastBallot(e.ctx, e.DB, u, cid, v.ID, sitting.BallotInput{Choice: sitting.BallotFor}, at.Add(time.Duration(12+10*i)*time.Minute)); err != nil {
				t.Fatal(err)
			}
		}
		// The président does not vote: the closing is confirmed without their ballot.
		if _, err := sitting.CloseVote(e.ctx, e.DB, pres, cid, v.ID, sitting.CloseVoteInput{ConfirmMissing: true}, at.Add(time.Duration(15+10*i)*time.Minute)); err != nil {
			t.Fatal(err)
		}
	}
	if err := sitting.CloseSitting(e.ctx, e.DB, pres, cid, e.m.ID, at.Add(40*time.Minute)); err != nil {
		t.Fatal(err)
	}
	e.SetClock(at.Add(2 * time.Hour))
}

// TestBrowserSecretariatEditsMinutesPresidentValidates: the secretariat opens the
// procès-verbal of a closed session, establishes the draft with the button (opening
// the page alone writes nothing), types the questions diverses,
// and the président validates it.
func TestBrowserSecretariatEditsMinutesPresidentValidates(t *testing.T) {
	e := newSittingEnv(t)
	closedSitting(t, e)
	site := browsertest.Start(t, e.Env, 1280, 900)
	path := fmt.Sprintf("%s/seances/%d/pv", site.URL, e.m.ID)
	site.SignIn(t, e.Users[models.RoleSecretariat].Email, servertest.Password)
	site.Run(t, chromedp.Navigate(path), chromedp.WaitVisible(`form[action$="/etablir"]`, chromedp.ByQuery))
	wantText(t, site, "main", "Le procès-verbal n'est pas encore établi")
	site.Screenshot(t, "secretariat-establish")
	site.ClickAndWait(t, `form[action$="/etablir"] button[type=submit]`)
	site.Run(t, chromedp.WaitVisible(`#general_items`, chromedp.ByID))
	wantText(t, site, "main", "Le projet de procès-verbal est établi")
	wantText(t, site, "main", "Projet", "Programme départemental d'actions 2027", "Le quorum est atteint")
	site.Run(t, chromedp.SendKeys(`#general_items`, "Calendrier 2027 : séances les 19 janvier et 16 mars.", chromedp.ByID))
	site.ClickAndWait(t, `form[action$="/textes"] button[type=submit]`)
	wantText(t, site, "main", "Les textes du projet de procès-verbal sont enregistrés.", "Calendrier 2027 : séances les 19 janvier et 16 mars.")
	site.Screenshot(t, "secretariat-draft")
	switchUser(t, site, e.Users[models.RolePresident].Email)
	site.Run(t, chromedp.Navigate(path), chromedp.WaitVisible(`form[action$="/valider"]`, chromedp.ByQuery))
	site.ClickAndWait(t, `form[action$="/valider"] button[type=submit]`)
	wantText(t, site, "main", "Le procès-verbal est validé.", "Validé par le président")
	site.Screenshot(t, "president-validated")
	site.Run(t, chromedp.EmulateViewport(375, 800))
	shot(t, site, "phone")
}
