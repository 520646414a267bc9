package home_test

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"seance/app/demo"
	"seance/app/servertest"
)

// signIn signs in as the demo account with e-mail email.
func signIn(t *testing.T, env *servertest.Env, s *demo.Seeder, email string) *servertest.Client {
	t.Helper()
	if s.Users[email] == nil {
		t.Fatalf("no demo account %s", email)
	}
	return env.SignedIn(t, email)
}

var hrefAttr = regexp.MustCompile(`href="([^"]*)"`)

// followable reports whether the link is one the crawl fetches: a page of the portal,
// not sign-out, a static asset or a download.
func followable(link string) bool {
	u, err := url.Parse(link)
	if err != nil || u.Scheme != "" || u.Host != "" || !strings.HasPrefix(u.Path, "/") {
		return false
	}
	if u.Path == "/logout" || strings.HasPrefix(u.Path, "/static/") || strings.HasPrefix(u.Path, "/api/") {
		return false
	}
	for _, ext := range []string{".xlsx", ".pdf", ".ics", ".csv", ".json", ".zip"} {
		if strings.HasSuffix(u.Path, ext) {
			return false
		}
	}
	return !strings.Contains(u.Path, "/telecharger") && u.Query().Get("format") == ""
}

// TestEveryLinkAnswersForEveryRole signs in as each role of the demo, starts from its
// dashboard (whose navigation lists every main page), and follows every internal link
// breadth first: none may answer 4xx or 5xx.
func TestEveryLinkAnswersForEveryRole(t *testing.T) {
	env, s := servertest.NewSeeded(t, 0)
	accounts := []string{demo.EmailAdmin, demo.EmailRegion, demo.EmailSecretariat, demo.EmailPresident,
		demo.EmailPrefecture, demo.MemberEmail(1), demo.AssociationEmail(1), demo.SuppleantEmail(1)}
	const maxLinks = 400
	for _, email := range accounts {
		t.Run(email, func(t *testing.T) {
			c := signIn(t, env, s, email)
			seen := map[string]string{"/": "(sign-in)"}
			queue := []string{"/"}
			for len(queue) > 0 && len(seen) <= maxLinks {
				page := queue[0]
				queue = queue[1:]
				resp := c.Get(t, page)
				if resp.Status >= http.StatusBadRequest {
					t.Errorf("GET %s (linked from %s) = %d", page, seen[page], resp.Status)
					continue
				}
				if resp.Status >= 300 {
					continue
				}
				if !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
					continue
				}
				for _, m := range hrefAttr.FindAllStringSubmatch(resp.Body, -1) {
					link := html.UnescapeString(m[1])
					if i := strings.IndexByte(link, '#'); i >= 0 {
						link = link[:i]
					}
					if link == "" || !followable(link) {
						continue
					}
					if _, ok := seen[link]; ok {
						continue
					}
					seen[link] = page
					queue = append(queue, link)
				}
			}
			if len(seen) < 5 {
				t.Errorf("only %d links found from the dashboard", len(seen))
			}
			files := 0
			for l := range seen {
				if strings.HasPrefix(l, "/dossiers/") {
					files++
				}
			}
			if email == demo.MemberEmail(1) && files == 0 {
				t.Error("the member reached no file: the session page should link the files convened on")
			}
			t.Logf("%s: %d links, %d to files", email, len(seen), files)
		})
	}
}
