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
	"seance/models/dashboard"
	"seance/models/files"
	"seance/models/meetings"
	"seance/models/minutes"
	"seance/models/twofactor"
)

// dashboardCase is what one demo account's dashboard must show: the text of the card
// that holds the item seeded for the role, and the link of that item.
type dashboardCase struct {
	email, shot string
	card, want  string // the card's title, and a text the card holds
	link        string // the href of a link of that card
}

// pendingItems reads from the demo data the item each role's dashboard must show, so
// that the test fails if the demo stops seeding it.
func pendingItems(t *testing.T, env *servertest.Env, s *demo.Seeder) []dashboardCase {
	t.Helper()
	ctx, now := context.Background(), env.Clock()
	need := func(what string, l dashboard.DueList, err error) dashboard.DueItem {
		t.Helper()
		if err != nil || l.Count == 0 {
			t.Fatalf("the demo seeds no %s (%v): the dashboard test needs one", what, err)
		}
		return l.Items[0]
	}
	member := s.Users[demo.MemberEmail(1)]
	l, err := dashboard.OpenVotesAwaiting(ctx, env.DB, member, now)
	vote := need("open vote awaiting membre01", l, err)
	l, err = dashboard.MinutesWaiting(ctx, env.DB, s.Users[demo.EmailPresident], minutes.MinutesDraft)
	draft := need("procès-verbal draft for the president", l, err)
	l, err = dashboard.FilesInState(ctx, env.DB, s.Users[demo.EmailSecretariat], files.StateSubmitted)
	incoming := need("incoming file for the secretariat", l, err)
	l, err = dashboard.FilesInState(ctx, env.DB, s.Users[demo.AssociationEmail(1)], files.StateIncomplete)
	incomplete := need("file awaiting completion for association1", l, err)
	convs, err := meetings.MyConvocations(ctx, env.DB, member.CommissionIDOrZero(), s.Users[demo.SuppleantEmail(1)].ID, now)
	if err != nil || len(convs) == 0 {
		t.Fatalf("the demo convenes suppleant01 to no session to come (%v): the dashboard test needs one", err)
	}
	return []dashboardCase{
		{demo.MemberEmail(1), "membre", "Mes votes", vote.Label, "/votes"},
		{demo.SuppleantEmail(1), "suppleant", "Mes convocations", "pour information (suppléant)", fmt.Sprintf("/seances/%d", convs[0].Meeting.ID)},
		{demo.EmailPresident, "president", "Procès-verbaux à valider", "procès-verba", fmt.Sprintf("/seances/%d/pv", draft.MeetingID)},
		{demo.EmailSecretariat, "secretariat", "Dossiers à vérifier", "Dossier " + incoming.Label, fmt.Sprintf("/dossiers/%d", incoming.ID)},
		{demo.AssociationEmail(1), "association", "Dossiers à compléter", "Dossier " + incomplete.Label, fmt.Sprintf("/dossiers/%d", incomplete.ID)},
		{demo.EmailPrefecture, "prefecture", "Statistiques annuelles", "secret statistique", "/statistiques"},
		{demo.EmailRegion, "region", "Statistiques régionales", "commissions départementales", "/statistiques/region"},
		{demo.EmailAdmin, "admin", "Comptes", "désactivez", "/admin/comptes"},
	}
}

// TestBrowserDashboardsShowWhatWaits signs in as each role of the demo at 1280 and
// 375 px: the dashboard shows, in the card of its kind, the item the demo seeded for
// that role (an open vote for a member, a procès-verbal draft for the president, an
// incoming file for the secretariat, a file to complete for an association, the
// statistics for the prefecture…) linked to its page, and the page does not scroll
// sideways. The screenshots are kept as artifacts.
func TestBrowserDashboardsShowWhatWaits(t *testing.T) {
	env, s := servertest.NewSeeded(t, 1)
	cases := pendingItems(t, env, s)
	for _, tc := range cases {
		u, err := models.FindUserByEmail(context.Background(), env.DB, tc.email)
		if err != nil {
			t.Fatal(err)
		}
		if twofactor.TOTPRequired(u, nil) && env.TOTPSecret(u.ID) == "" {
			env.EnrolTOTP(t, u)
		}
	}
	for _, width := range []int{1280, 375} {
		site := browsertest.Start(t, env, width, 900)
		for _, tc := range cases {
			site.SignIn(t, tc.email, servertest.Password)
			var card, hrefs string
			var overflow int
			site.Run(t, chromedp.Navigate(site.URL+"/"), chromedp.WaitVisible(`h1`, chromedp.ByQuery),
				chromedp.Evaluate(fmt.Sprintf(`(function () {
					const c = [...document.querySelectorAll('main .fr-card')].find(c => c.querySelector('.fr-card__title').textContent.trim() === %q);
					return c ? c.innerText : '';
				})()`, tc.card), &card),
				chromedp.Evaluate(fmt.Sprintf(`(function () {
					const c = [...document.querySelectorAll('main .fr-card')].find(c => c.querySelector('.fr-card__title').textContent.trim() === %q);
					return c ? [...c.querySelectorAll('a')].filter(a => a.offsetWidth > 0).map(a => a.getAttribute('href')).join(' ') : '';
				})()`, tc.card), &hrefs),
				chromedp.Evaluate(`document.documentElement.scrollWidth - document.documentElement.clientWidth`, &overflow))
			site.Screenshot(t, fmt.Sprintf("tableau-%s-%d", tc.shot, width))
			switch {
			case card == "":
				t.Errorf("%s at %d px: the dashboard has no card %q", tc.shot, width, tc.card)
			case !strings.Contains(card, tc.want):
				t.Errorf("%s at %d px: the card %q lacks %q:\n%s", tc.shot, width, tc.card, tc.want, card)
			}
			if !strings.Contains(" "+hrefs+" ", " "+tc.link+" ") {
				t.Errorf("%s at %d px: the card %q has no visible link to %s (links: %s)", tc.shot, width, tc.card, tc.link, hrefs)
			}
			if overflow > 0 {
				t.Errorf("%s at %d px: the dashboard scrolls sideways by %d px", tc.shot, width, overflow)
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
