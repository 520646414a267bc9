package server_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"seance/app/server"
	"seance/app/servertest"
	"seance/models"
	"seance/models/kvstore"
)

// TestIssue11_HSTSFromBaseURL reproduces point 8 of issue 11: behind a reverse proxy
// that does not send X-Forwarded-Proto, an https portal sent no HSTS header.
func TestIssue11_HSTSFromBaseURL(t *testing.T) {
	for _, tt := range []struct {
		baseURL string
		want    string
	}{
		{"https://seance.example.gouv.fr", server.HSTS},
		{"http://localhost:8080", ""},
	} {
		t.Run(tt.baseURL, func(t *testing.T) {
			env := servertest.NewWithEnv(t, map[string]string{"SEANCE_BASE_URL": tt.baseURL})
			for _, path := range []string{"/login", "/healthz", "/static/css/app.css", "/introuvable"} {
				// A plain http request, as the proxy forwards it, without X-Forwarded-Proto.
				r := env.Client().Get(t, path)
				if got := r.Header.Get("Strict-Transport-Security"); got != tt.want {
					t.Errorf("GET %s: Strict-Transport-Security = %q, want %q", path, got, tt.want)
				}
			}
		})
	}
}

// sessionRows counts the stored sessions.
func sessionRows(t *testing.T, env *servertest.Env) int {
	t.Helper()
	n, err := env.DB.NewSelect().Model((*kvstore.KV)(nil)).Where("name LIKE ?", "sess:%").Count(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return int(n)
}

// TestIssue11_HealthzWritesNoSession reproduces point 11 of issue 11: 500 calls to
// /healthz wrote 500 session rows. Requests that keep no state (health, static files,
// token links, the calendar feed, the login page) now write none; a sign-in still works
// with the CSRF token of the unstored session, on any instance.
func TestIssue11_HealthzWritesNoSession(t *testing.T) {
	env := servertest.New(t)
	for range 500 {
		if r := env.Client().Get(t, "/healthz"); r.Status != http.StatusOK {
			t.Fatalf("GET /healthz = %d", r.Status)
		}
	}
	if n := sessionRows(t, env); n != 0 {
		t.Fatalf("500 calls to /healthz wrote %d session rows, want 0", n)
	}
	token := models.NewSecretToken()
	for _, path := range []string{"/static/css/app.css", "/calendrier/" + token, "/convocation/" + token, "/invitation/" + token, "/login", "/introuvable", "/"} {
		c := env.Client()
		c.Get(t, path)
		c.Get(t, path) // with the cookie the first answer may have set
	}
	if n := sessionRows(t, env); n != 0 {
		t.Fatalf("anonymous pages wrote %d session rows, want 0", n)
	}

	// The login form shown by one instance is accepted by another (same secret key).
	c := env.Client()
	c.Get(t, "/login")
	if c.CSRF == "" {
		t.Fatal("the login page has no CSRF token")
	}
	env.App = server.New(server.Deps{DB: env.DB, Config: env.Config, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: env.Clock, Mailer: env.Mailer})
	c.SignIn(t, models.RoleMember)
	if n := sessionRows(t, env); n != 1 {
		t.Errorf("after one sign-in: %d session rows, want 1", n)
	}

	// Another browser's token is refused: the token is bound to the cookie.
	other := env.Client()
	other.Get(t, "/login")
	req := httptest.NewRequest(http.MethodPost, "/login", strings.NewReader(url.Values{
		"csrf": {c.CSRF}, "email": {"member@test.example"}, "password": {servertest.Password},
	}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if r := other.Do(t, req); r.Status != http.StatusForbidden {
		t.Errorf("POST /login with another browser's CSRF token = %d, want 403", r.Status)
	}
	// A flash message is state: signing out stores the anonymous session that carries it.
	if r := c.PostForm(t, "/logout", nil); r.Status != http.StatusSeeOther {
		t.Fatalf("POST /logout = %d", r.Status)
	}
	if r := c.Get(t, "/login"); !strings.Contains(r.Body, "Vous êtes déconnecté(e).") {
		t.Error("the sign-out message is lost")
	}
}
