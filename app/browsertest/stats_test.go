package browsertest_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"seance/app/browsertest"
	"seance/app/servertest"
	"seance/models"
	"seance/models/modelstest"
)

// TestBrowserStatisticsDashboard opens the prefecture's statistics of 2025 on a desktop
// and on a phone: the key figures, the SVG charts and their tables are there, and the
// page does not scroll sideways.
func TestBrowserStatisticsDashboard(t *testing.T) {
	for _, size := range []struct {
		name          string
		width, height int
	}{{"1280", 1280, 900}, {"375", 375, 812}} {
		t.Run(size.name, func(t *testing.T) {
			env := servertest.New(t)
			modelstest.StatsFixture(t, env.DB, env.Commission)
			site := browsertest.Start(t, env, size.width, size.height)
			site.Run(t, chromedp.Navigate(site.URL+"/login"), chromedp.WaitVisible(`#email`, chromedp.ByID))
			site.SignIn(t, env.Users[models.RolePrefecture].Email, servertest.Password)
			var h1, keys string
			var charts, overflow int
			site.Run(t,
				chromedp.Navigate(site.URL+"/statistiques?annee=2025"),
				chromedp.WaitVisible(`.seance-stats__keys`, chromedp.ByQuery),
				chromedp.Text(`h1`, &h1, chromedp.ByQuery),
				chromedp.Text(`.seance-stats__keys`, &keys, chromedp.ByQuery),
				chromedp.Evaluate(`document.querySelectorAll('svg.seance-chart__svg[role="img"] title').length`, &charts),
				chromedp.Evaluate(`document.documentElement.scrollWidth - document.documentElement.clientWidth`, &overflow),
			)
			if h1 != "Statistiques 2025" || !strings.Contains(keys, "Dossiers reçus") {
				t.Errorf("h1 %q, key figures %q", h1, keys)
			}
			if charts < 8 {
				t.Errorf("SVG charts with a title = %d, want at least 8", charts)
			}
			if overflow > 0 {
				t.Errorf("the page scrolls sideways by %d px at %d px wide", overflow, size.width)
			}
			site.Screenshot(t, "statistiques-"+size.name)
		})
	}
}
