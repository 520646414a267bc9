package browsertest_test

import (
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"seance/app/browsertest"
	"seance/app/servertest"
	"seance/models"
)

// TestBrowserAPITokens walks the « Jetons d'API » page from Mon compte: create a named
// token, copy the secret shown once, call the API with it, then revoke it.
func TestBrowserAPITokens(t *testing.T) {
	env := servertest.New(t)
	site := browsertest.Start(t, env, 1280, 900)
	site.SignIn(t, env.Users[models.RolePrefecture].Email, servertest.Password)
	site.Run(t, chromedp.Navigate(site.URL+"/compte"), chromedp.WaitVisible(`#jetons`, chromedp.ByID))
	site.ClickAndWait(t, `a[href="/compte/jetons"]`)
	site.Run(t, chromedp.SendKeys(`#name`, "Export annuel préfecture", chromedp.ByID))
	site.ClickAndWait(t, `form[action="/compte/jetons"] button[type=submit]`)
	var secret, table string
	site.Run(t, chromedp.Text(`#secret`, &secret, chromedp.ByID), chromedp.Text(`table`, &table, chromedp.ByQuery))
	if !regexp.MustCompile(`^sea_[A-Za-z0-9_-]{43}$`).MatchString(secret) || !strings.Contains(table, "Export annuel préfecture") || !strings.Contains(table, "Jamais utilisé") {
		t.Fatalf("after creation: secret %q, table %q", secret, table)
	}
	site.Screenshot(t, "jetons-cree")

	req := httptest.NewRequest(http.MethodGet, "/api/v1/me", nil)
	req.Header.Set("Authorization", "Bearer "+secret)
	if r := env.Client().Do(t, req); r.Status != http.StatusOK {
		t.Fatalf("the API with the token copied from the page = %d", r.Status)
	}
	site.Run(t, chromedp.Navigate(site.URL+"/compte/jetons"), chromedp.Text(`table`, &table, chromedp.ByQuery))
	if strings.Contains(table, "Jamais utilisé") || strings.Contains(table, secret) {
		t.Errorf("after a call the list shows %q: want the last use, never the secret", table)
	}
	site.ClickAndWait(t, `form[action$="/revoquer"] button[type=submit]`)
	site.Run(t, chromedp.Text(`table`, &table, chromedp.ByQuery))
	if !strings.Contains(strings.ToLower(table), "révoqué le") {
		t.Errorf("after revocation the list shows %q", table)
	}
	site.Screenshot(t, "jetons-revoque")
	if r := env.Client().Do(t, req); r.Status != http.StatusUnauthorized {
		t.Errorf("the API with the revoked token = %d, want 401", r.Status)
	}
}
