package browsertest_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"seance/app/browsertest"
	"seance/app/servertest"
	"seance/models"
)

func TestBrowserSignInShowsDashboard(t *testing.T) {
	env := servertest.New(t)
	site := browsertest.Start(t, env, 1280, 900)
	u := env.Users[models.RoleSecretariat]

	site.Run(t, chromedp.Navigate(site.URL+"/login"), chromedp.WaitVisible(`#email`, chromedp.ByID))
	site.Screenshot(t, "login")

	// A wrong password first: the page answers in French and keeps the e-mail.
	site.SignIn(t, u.Email, "ce n'est pas le bon")
	var alert, email string
	site.Run(t,
		chromedp.Text(`.fr-alert--error`, &alert, chromedp.ByQuery),
		chromedp.Value(`#email`, &email, chromedp.ByID),
	)
	if !strings.Contains(alert, "mot de passe incorrect") || email != u.Email {
		t.Fatalf("after a wrong password: alert %q, e-mail field %q", alert, email)
	}

	site.Run(t, chromedp.Clear(`#email`, chromedp.ByID))
	site.SignIn(t, u.Email, servertest.Password)
	var h1, stylesheetOK string
	site.Run(t,
		chromedp.Text(`h1`, &h1, chromedp.ByQuery),
		// The DSFR stylesheet and its Marianne font are applied.
		chromedp.Evaluate(`getComputedStyle(document.body).fontFamily.includes('Marianne') ? 'yes' : 'no'`, &stylesheetOK),
	)
	if h1 != "Tableau de bord" {
		t.Fatalf("after sign-in h1 = %q, want Tableau de bord", h1)
	}
	if stylesheetOK != "yes" {
		t.Errorf("DSFR stylesheet does not seem applied")
	}
	site.Screenshot(t, "dashboard")

	// Sign out through the header button.
	site.ClickAndWait(t, `form[action="/logout"] button`)
	var flash string
	site.Run(t, chromedp.Text(`.fr-alert--info`, &flash, chromedp.ByQuery))
	if !strings.Contains(flash, "déconnecté") {
		t.Errorf("after sign-out: flash %q, want the sign-out message", flash)
	}
}
