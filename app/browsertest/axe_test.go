package browsertest_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"seance/app/browsertest"
	"seance/app/demo"
	"seance/app/servertest"
	"seance/models"
	"seance/models/meetings"
	"seance/models/twofactor"
)

// axeSource is axe-core, vendored for the tests only by testdata/axe/refresh.sh.
func axeSource(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("testdata/axe/axe.min.js")
	if err != nil {
		t.Fatalf("axe-core missing (run app/browsertest/testdata/axe/refresh.sh): %v", err)
	}
	return string(b)
}

// axeViolation is the part of an axe-core result the test prints.
type axeViolation struct {
	ID     string `json:"id"`
	Impact string `json:"impact"`
	Help   string `json:"help"`
	Nodes  []struct {
		Target []any  `json:"target"`
		HTML   string `json:"html"`
	} `json:"nodes"`
}

// runAxe injects axe-core into the page the tab shows and returns its serious and
// critical violations. The script is evaluated through the DevTools protocol,
// which the page's Content-Security-Policy (script-src 'self') does not govern.
func runAxe(t *testing.T, site *browsertest.Site, src string) []axeViolation {
	t.Helper()
	var loaded bool
	site.Run(t, chromedp.Evaluate(`typeof window.axe === 'object'`, &loaded))
	if !loaded {
		site.Run(t, chromedp.Evaluate(src+";true", &loaded))
	}
	var raw string
	site.Run(t, chromedp.Evaluate(`axe.run(document, {resultTypes: ['violations']}).then(r => JSON.stringify(r.violations))`, &raw,
		func(p *runtime.EvaluateParams) *runtime.EvaluateParams { return p.WithAwaitPromise(true) }))
	var all []axeViolation
	if err := json.Unmarshal([]byte(raw), &all); err != nil {
		t.Fatalf("axe-core result: %v", err)
	}
	var bad []axeViolation
	for _, v := range all {
		if v.Impact == "serious" || v.Impact == "critical" {
			bad = append(bad, v)
		}
	}
	return bad
}

func formatViolations(vs []axeViolation) string {
	var b strings.Builder
	for _, v := range vs {
		fmt.Fprintf(&b, "  [%s] %s: %s\n", v.Impact, v.ID, v.Help)
		for i, n := range v.Nodes {
			if i == 5 {
				fmt.Fprintf(&b, "      … and %d more\n", len(v.Nodes)-5)
				break
			}
			fmt.Fprintf(&b, "      %v  %s\n", n.Target, n.HTML)
		}
	}
	return b.String()
}

// TestBrowserAxeMainPages signs in with one demo account of each role and runs
// axe-core on the dashboard, every page of the main menu and the account page,
// at desktop and phone widths: no serious or critical violation is allowed.
func TestBrowserAxeMainPages(t *testing.T) {
	env, s := servertest.NewSeeded(t, 1)
	accounts := []string{
		demo.EmailAdmin, demo.EmailRegion, demo.EmailSecretariat, demo.EmailPresident, demo.EmailPrefecture,
		demo.AssociationEmail(1), demo.MemberEmail(1), demo.SuppleantEmail(1),
	}
	for _, email := range accounts {
		u := s.Users[email]
		if u == nil {
			u2, err := models.FindUserByEmail(context.Background(), env.DB, email)
			if err != nil {
				t.Fatalf("demo account %s: %v", email, err)
			}
			u = u2
		}
		if twofactor.TOTPRequired(u, nil) {
			env.EnrolTOTP(t, u)
		}
	}
	src := axeSource(t)
	for _, width := range []int{1280, 375} {
		t.Run(fmt.Sprint(width), func(t *testing.T) {
			failures, pages := 0, 0
			for _, email := range accounts {
				// One browser per account: each journey has its own time budget, which a
				// loaded machine needs for eight accounts' pages.
				t.Run(strings.SplitN(email, "@", 2)[0], func(t *testing.T) {
					site := browsertest.Start(t, env, width, 900)
					site.Run(t, network.ClearBrowserCookies())
					site.SignIn(t, email, servertest.Password)
					if p := site.Path(t); p != "/" {
						t.Fatalf("%s: after sign-in the tab shows %s, want the dashboard", email, p)
					}
					var nav []string
					site.Run(t, chromedp.Evaluate(`Array.from(document.querySelectorAll('#navigation a.fr-nav__link')).map(a => a.getAttribute('href'))`, &nav))
					for _, path := range append(append([]string{"/"}, nav...), "/compte") {
						site.Run(t, chromedp.Navigate(site.URL+path), chromedp.WaitVisible(`h1`, chromedp.ByQuery))
						pages++
						if vs := runAxe(t, site, src); len(vs) > 0 {
							failures++
							shot := site.Screenshot(t, strings.NewReplacer("@", "-", ".", "-").Replace(email)+strings.ReplaceAll(path, "/", "_"))
							t.Errorf("%s at %d px, %s: %d serious or critical axe-core violations (screenshot %s):\n%s", email, width, path, len(vs), shot, formatViolations(vs))
						}
					}
				})
			}
			t.Logf("%d px: axe-core ran on %d pages, %d with serious or critical violations", width, pages, failures)
		})
	}
}

// TestBrowserHeaderLogoNotOverlapped signs in (so that the header shows its tools)
// and checks at several desktop widths that the service name does not cover the
// « Préfet de la Haute-Garonne » block, as it did at 1024 px.
func TestBrowserHeaderLogoNotOverlapped(t *testing.T) {
	env, s := servertest.NewSeeded(t, 1)
	// The president's account has the longest name shown in the header tools.
	pres := s.Users[demo.EmailPresident]
	env.EnrolTOTP(t, pres)
	for _, width := range []int{1024, 1100, 1280} {
		t.Run(fmt.Sprint(width), func(t *testing.T) {
			site := browsertest.Start(t, env, width, 800)
			site.SignIn(t, pres.Email, servertest.Password)
			var overlap string
			site.Run(t, chromedp.Evaluate(`(function () {
				const logo = document.querySelector('.fr-header__logo').getBoundingClientRect();
				const text = document.querySelector('.fr-header__logo .fr-logo');
				if (text.scrollWidth > text.clientWidth + 1) return 'the logo text is cut: ' + text.scrollWidth + ' > ' + text.clientWidth;
				const svc = document.querySelector('.fr-header__service').getBoundingClientRect();
				const tools = document.querySelector('.fr-header__tools').getBoundingClientRect();
				const cross = (a, b) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
				const out = [];
				if (cross(logo, svc)) out.push('logo ' + JSON.stringify(logo) + ' under service ' + JSON.stringify(svc));
				if (cross(svc, tools)) out.push('service ' + JSON.stringify(svc) + ' under tools ' + JSON.stringify(tools));
				return out.join('; ');
			})()`, &overlap))
			site.Screenshot(t, "header")
			if overlap != "" {
				t.Errorf("at %d px the header blocks overlap: %s", width, overlap)
			}
		})
	}
}

// TestBrowserValidationErrorFocusesTheSummary: a refused form says so in the page title
// and moves the focus to the error summary, which lists the messages.
func TestBrowserValidationErrorFocusesTheSummary(t *testing.T) {
	env := servertest.New(t)
	site := browsertest.Start(t, env, 375, 800)
	site.SignIn(t, env.Users[models.RoleSecretariat].Email, servertest.Password)
	site.Run(t, chromedp.Navigate(site.URL+"/seances/nouvelle"), chromedp.WaitVisible(`#date`, chromedp.ByID),
		chromedp.SetValue(`#date`, "", chromedp.ByID))
	site.ClickAndWait(t, `main form button[type=submit]`)
	var title, focused, summary string
	site.Run(t,
		chromedp.Poll(`document.activeElement ? document.activeElement.id : ''`, &focused),
		chromedp.Title(&title),
		chromedp.Text(`#resume-erreurs`, &summary, chromedp.ByID),
	)
	site.Screenshot(t, "error-summary")
	if !strings.HasPrefix(title, "Erreur : ") {
		t.Errorf("title after a refused form = %q, want the « Erreur : » prefix", title)
	}
	if focused != "resume-erreurs" {
		t.Errorf("focus after a refused form is on %q, want the error summary", focused)
	}
	if !strings.Contains(summary, "erreur") || !strings.Contains(summary, "date") {
		t.Errorf("error summary = %q", summary)
	}
}

// TestBrowserReplyOnAPhoneShowsTheConfirmation: a demo member answers the convocation
// to the next session from a phone; the confirmation is on screen and focused.
func TestBrowserReplyOnAPhoneShowsTheConfirmation(t *testing.T) {
	env, s := servertest.NewSeeded(t, 1)
	ctx := context.Background()
	ms, err := meetings.ListMeetings(ctx, env.DB, s.Commission.ID, env.Clock(), env.Clock().AddDate(0, 3, 0))
	if err != nil {
		t.Fatal(err)
	}
	var meeting *meetings.Meeting
	for i := range ms {
		if ms[i].Status == meetings.MeetingConvened {
			meeting = &ms[i]
			break
		}
	}
	if meeting == nil {
		t.Fatal("the demo has no convened session ahead")
	}
	site := browsertest.Start(t, env, 375, 800)
	site.SignIn(t, demo.MemberEmail(3), servertest.Password)
	site.Run(t, chromedp.Navigate(fmt.Sprintf("%s/seances/%d", site.URL, meeting.ID)),
		chromedp.WaitVisible(`#reponse form`, chromedp.ByQuery),
		chromedp.Evaluate(`document.getElementById('status-present_onsite').checked = true`, nil))
	site.ClickAndWait(t, `#reponse form button[type=submit]`)
	var seen struct {
		Hash, Focused, Text string
		Top, Height         float64
	}
	site.Run(t, chromedp.Evaluate(`(function () {
		const m = document.getElementById('messages');
		const a = document.activeElement;
		return {Hash: location.hash, Focused: a ? a.id : '', Text: m ? m.innerText : '',
			Top: m ? m.getBoundingClientRect().top : -1, Height: window.innerHeight};
	})()`, &seen))
	site.Screenshot(t, "reply-375")
	if !strings.Contains(seen.Text, "Votre réponse est enregistrée") || seen.Focused != "messages" || seen.Top < -1 || seen.Top >= seen.Height {
		t.Errorf("after the reply at 375 px the confirmation is not on screen and focused: %+v", seen)
	}
}
