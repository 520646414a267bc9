package browsertest_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"seance/app/browsertest"
	"seance/app/demo"
	"seance/app/servertest"
	"seance/models"
)

// TestBrowserDashboardsShowWhatWaits signs in as each working role of the demo at 1280
// and 375 px: the dashboard shows the item seeded for it, linked to its page.
func TestBrowserDashboardsShowWhatWaits(t *testing.T) {
	env := servertest.NewBare(t)
	s := &demo.Seeder{DB: env.DB, Keys: env.Config.Keys, Now: env.Clock(), PasswordHash: servertest.PasswordHash(t)}
	if err := demo.Seed(context.Background(), s); err != nil {
		t.Fatal(err)
	}
	cases := []struct{ email, shot, want, link string }{
		{demo.EmailPresident, "president", "Procès-verbaux à valider", "/pv"},
		{demo.EmailSecretariat, "secretariat", "Séances sans convocation", "/seances/"},
		{demo.MemberEmail(1), "membre", "Mes convocations", "/seances/"},
		{demo.AssociationEmail(1), "association", "Dossiers à compléter", "/dossiers?etat=incomplete"},
	}
	for _, width := range []int{1280, 375} {
		site := browsertest.Start(t, env, width, 900)
		for _, tc := range cases {
			u := s.Users[tc.email]
			if models.TOTPRequired(u, nil) && env.TOTPSecret(u.ID) == "" {
				env.EnrolTOTP(t, u)
			}
			site.SignIn(t, tc.email, servertest.Password)
			var text, hrefs string
			site.Run(t, chromedp.Navigate(site.URL+"/"), chromedp.WaitVisible(`h1`, chromedp.ByQuery),
				chromedp.Text(`main`, &text, chromedp.ByQuery),
				chromedp.Evaluate(`[...document.querySelectorAll('main .fr-card a')].map(a => a.getAttribute('href')).join(' ')`, &hrefs))
			site.Screenshot(t, fmt.Sprintf("tableau-%s-%d", tc.shot, width))
			if !strings.Contains(text, tc.want) {
				t.Errorf("%s at %d px: dashboard lacks %q", tc.shot, width, tc.want)
			}
			if !strings.Contains(hrefs, tc.link) {
				t.Errorf("%s at %d px: no link to %s among %s", tc.shot, width, tc.link, hrefs)
			}
			if tc.email == demo.EmailSecretariat {
				var journal string
				site.Run(t, chromedp.Navigate(site.URL+"/admin/audit"), chromedp.WaitVisible(`table`, chromedp.ByQuery), chromedp.Text(`main`, &journal, chromedp.ByQuery))
				site.Screenshot(t, fmt.Sprintf("journal-%d", width))
				for _, want := range []string{"Vérifier l'intégrité de la chaîne", "Exporter (CSV)", "Connexion", "Opérations plus anciennes"} {
					if !strings.Contains(journal, want) {
						t.Errorf("audit journal at %d px lacks %q", width, want)
					}
				}
			}
			site.Run(t, network.ClearBrowserCookies()) // the next role signs in afresh
		}
	}
}
