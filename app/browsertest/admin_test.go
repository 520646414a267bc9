package browsertest_test

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"seance/app/browsertest"
	"seance/app/servertest"
	"seance/models"
	"seance/models/modelstest"
)

// TestBrowserAccountsAndRegionalDashboard walks the administrator's account list and a
// new account's form, then the region's dashboard comparing two departments, at 1280 px.
func TestBrowserAccountsAndRegionalDashboard(t *testing.T) {
	env := servertest.New(t)
	modelstest.StatsFixture(t, env.DB, env.Commission)
	modelstest.StatsFixture(t, env.DB, modelstest.Commission(t, env.DB, "09"))
	gers := &models.Commission{Department: "32", Name: "Commission départementale du Gers"}
	if err := models.CreateCommission(context.Background(), env.DB, models.SystemActor("test"), gers, env.Clock()); err != nil {
		t.Fatal(err)
	}
	site := browsertest.Start(t, env, 1280, 900)
	site.SignIn(t, env.Users[models.RoleAdmin].Email, servertest.Password)
	var list string
	site.Run(t, chromedp.Navigate(site.URL+"/admin/comptes"), chromedp.WaitVisible(`table`, chromedp.ByQuery),
		chromedp.Text(`table`, &list, chromedp.ByQuery))
	for _, want := range []string{"secretariat@test.example", "Haute-Garonne (31)", "Région Occitanie (76)", "activée"} {
		if !strings.Contains(strings.ToLower(list), strings.ToLower(want)) {
			t.Errorf("accounts table lacks %q", want)
		}
	}
	site.Screenshot(t, "comptes")
	site.Run(t, chromedp.Navigate(site.URL+"/admin/comptes/nouveau"), chromedp.WaitVisible(`#role`, chromedp.ByID),
		chromedp.SetValue(`#name`, "Préfecture du Gers", chromedp.ByID), chromedp.SetValue(`#email`, "pref32@example.org", chromedp.ByID),
		chromedp.SetValue(`#role`, "prefecture", chromedp.ByID))
	site.ClickAndWait(t, `main form[method="post"] button[type="submit"]`)
	var page string
	site.Run(t, chromedp.Text(`main`, &page, chromedp.ByQuery))
	if !strings.Contains(page, "appartient à une commission") {
		t.Errorf("account without commission: page lacks the rule\n%s", page)
	}
	site.Screenshot(t, "compte-erreur")

	site.Run(t, chromedp.Navigate(site.URL+"/admin/commissions"), chromedp.WaitVisible(`table`, chromedp.ByQuery))
	site.Screenshot(t, "commissions")

	signOut(t, site)
	site.SignIn(t, env.Users[models.RoleRegion].Email, servertest.Password)
	var h1, lead string
	var overflow int
	site.Run(t, chromedp.Navigate(site.URL+"/statistiques/region?annee=2025"), chromedp.WaitVisible(`.seance-stats__keys`, chromedp.ByQuery),
		chromedp.Text(`h1`, &h1, chromedp.ByQuery), chromedp.Text(`.fr-text--lead`, &lead, chromedp.ByQuery),
		chromedp.Evaluate(`document.documentElement.scrollWidth - document.documentElement.clientWidth`, &overflow))
	if !strings.HasPrefix(h1, "Statistiques régionales 2025") || !strings.Contains(lead, "3 commission(s)") {
		t.Errorf("h1 %q, lead %q", h1, lead)
	}
	if overflow > 0 {
		t.Errorf("the regional page scrolls sideways by %d px", overflow)
	}
	site.Screenshot(t, "statistiques-region")
}
