package server_test

import (
	"context"
	"encoding/base64"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"seance/app/auth"
	"seance/app/server"
	"seance/app/servertest"
	"seance/models"
	"seance/models/modelstest"
)

func TestLogin(t *testing.T) {
	env := servertest.New(t)
	for _, tt := range []struct {
		name, email, password string
		wantStatus            int
		wantBody              string
	}{
		{"ok", "secretariat@test.example", servertest.Password, http.StatusSeeOther, ""},
		{"ok with capitals and spaces", "  Secretariat@Test.Example ", servertest.Password, http.StatusSeeOther, ""},
		{"bad password", "secretariat@test.example", "mauvais mot de passe", http.StatusUnauthorized, "Adresse électronique ou mot de passe incorrect."},
		{"unknown e-mail", "personne@test.example", servertest.Password, http.StatusUnauthorized, "Adresse électronique ou mot de passe incorrect."},
		{"empty fields", "", "", http.StatusUnprocessableEntity, "Saisissez votre adresse électronique."},
		{"malformed e-mail", "pas-une-adresse", "secret-zq9-kw", http.StatusUnprocessableEntity, "adresse électronique valide"},
		{"huge password", "secretariat@test.example", strings.Repeat("a", 5000), http.StatusUnprocessableEntity, "incorrect"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := env.Client()
			resp := c.PostForm(t, "/login", url.Values{"email": {tt.email}, "password": {tt.password}})
			if resp.Status != tt.wantStatus {
				t.Fatalf("POST /login status = %d, want %d\n%s", resp.Status, tt.wantStatus, resp.Body)
			}
			if !strings.Contains(resp.Body, tt.wantBody) {
				t.Errorf("POST /login body lacks %q", tt.wantBody)
			}
			if strings.Contains(resp.Body, tt.password) && tt.password != "" && tt.wantStatus != http.StatusSeeOther {
				t.Errorf("the login page echoes the password back")
			}
		})
	}
}

func TestLoginRenewsSessionAndShowsDashboard(t *testing.T) {
	env := servertest.New(t)
	c := env.Client()
	c.Get(t, "/login")
	before := c.CSRF
	c.SignIn(t, models.RoleSecretariat)
	if c.CSRF == before || c.CSRF == "" {
		t.Fatalf("CSRF token after sign-in = %q, want a new one (session renewed)", c.CSRF)
	}
	resp := c.Get(t, "/")
	if resp.Status != http.StatusOK || !strings.Contains(resp.Body, "Tableau de bord") || !strings.Contains(resp.Body, "Commission départementale 31") {
		t.Fatalf("GET / = %d, want the dashboard with the commission's name\n%s", resp.Status, resp.Body)
	}
}

func TestLoginRateLimitPerIP(t *testing.T) {
	env := servertest.New(t)
	c := env.Client()
	var last *servertest.Response
	for i := range 21 {
		last = c.PostForm(t, "/login", url.Values{"email": {"inconnu" + string(rune('a'+i)) + "@test.example"}, "password": {"x"}})
	}
	if last.Status != http.StatusTooManyRequests || !strings.Contains(last.Body, "Trop de tentatives de connexion") {
		t.Fatalf("21st attempt: status %d, want 429 with the rate-limit message", last.Status)
	}
}

// TestCSRFTokenMaskedPerResponse reproduces the BREACH exposure of compressed pages
// (docs/BENCHMARKS.md, issue 17): every page carried the session's CSRF token byte for
// byte, gzipped beside text an attacker may choose. Two pages of one session must now
// carry different tokens, both accepted; the unmasked token, an altered one and one
// masked from another session's token are refused.
func TestCSRFTokenMaskedPerResponse(t *testing.T) {
	env := servertest.New(t)
	c := env.Client()
	c.SignIn(t, models.RoleSecretariat)
	c.Get(t, "/seances")
	a := c.CSRF
	c.Get(t, "/seances")
	b := c.CSRF
	if a == "" || a == b {
		t.Fatalf("two pages of one session carry the same CSRF token %q: it is not masked per response", a)
	}
	other := env.Client()
	other.SignIn(t, models.RolePresident)
	other.Get(t, "/")
	raw, _ := base64.RawURLEncoding.DecodeString(a)
	unmasked := make([]byte, len(raw)/2)
	for i := range unmasked {
		unmasked[i] = raw[i] ^ raw[len(unmasked)+i]
	}
	altered := []byte(a) // one character of the masked token (not the last: its low bits are padding)
	altered[len(altered)/2] = map[bool]byte{true: 'B', false: 'A'}[altered[len(altered)/2] == 'A']
	for _, tt := range []struct {
		name, token string
		refused     bool
	}{
		{"the first page's token", a, false},
		{"the second page's token", b, false},
		{"the unmasked token", string(unmasked), true},
		{"an altered token", string(altered), true},
		{"another session's token", other.CSRF, true},
	} {
		resp := c.PostRaw(t, "/admin/audit/verify", url.Values{"csrf": {tt.token}})
		if refused := resp.Status == http.StatusForbidden; refused != tt.refused {
			t.Errorf("POST with %s: status %d, refused %v, want refused %v", tt.name, resp.Status, refused, tt.refused)
		}
	}
}

func TestCSRF(t *testing.T) {
	env := servertest.New(t)
	c := env.Client()
	c.SignIn(t, models.RoleSecretariat)
	for _, tt := range []struct {
		name   string
		token  string
		header string
		want   int
	}{
		{"missing token", "", "", http.StatusForbidden},
		{"wrong token", "nimportequoi", "", http.StatusForbidden},
		{"form token", c.CSRF, "", http.StatusOK},
		{"header token (htmx)", "", c.CSRF, http.StatusOK},
	} {
		t.Run(tt.name, func(t *testing.T) {
			form := url.Values{}
			if tt.token != "" {
				form.Set("csrf", tt.token)
			}
			req := httptest.NewRequest(http.MethodPost, "/admin/audit/verify", strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			if tt.header != "" {
				req.Header.Set("X-CSRF-Token", tt.header)
			}
			resp := c.Do(t, req)
			if resp.Status != tt.want {
				t.Fatalf("POST with %s: status %d, want %d", tt.name, resp.Status, tt.want)
			}
			if tt.want == http.StatusForbidden && !strings.Contains(resp.Body, "jeton de sécurité") {
				t.Errorf("403 page lacks the French CSRF explanation")
			}
		})
	}
}

func TestAuthorization(t *testing.T) {
	env := servertest.New(t)
	for _, tt := range []struct {
		name         string
		role         models.Role // "" for anonymous
		method, path string
		wantStatus   int
		wantLocation string
		wantBody     string
	}{
		{"anonymous home redirects to login", "", "GET", "/", http.StatusSeeOther, "/login", ""},
		{"anonymous audit redirects to login", "", "GET", "/admin/audit", http.StatusSeeOther, "/login", ""},
		{"member on a secretariat route", models.RoleMember, "GET", "/admin/audit", http.StatusForbidden, "", "Accès refusé"},
		{"association on a secretariat route", models.RoleAssociation, "GET", "/admin/audit", http.StatusForbidden, "", "Accès refusé"},
		{"secretariat on audit", models.RoleSecretariat, "GET", "/admin/audit", http.StatusOK, "", "Journal d'audit"},
		{"admin on audit", models.RoleAdmin, "GET", "/admin/audit", http.StatusOK, "", "Journal d'audit"},
		{"unknown route", models.RoleMember, "GET", "/nulle-part", http.StatusNotFound, "", "Page introuvable"},
		{"unknown route anonymous", "", "GET", "/nulle-part", http.StatusNotFound, "", "Page introuvable"},
		{"wrong method", models.RoleMember, "DELETE", "/", http.StatusNotFound, "", "Page introuvable"},
		{"login page", "", "GET", "/login", http.StatusOK, "", "Connexion à Séance"},
		{"health", "", "GET", "/healthz", http.StatusOK, "", `"database":"ok"`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := env.Client()
			if tt.role != "" {
				c.SignIn(t, tt.role)
			}
			req := httptest.NewRequest(tt.method, tt.path, nil)
			if tt.method != "GET" {
				req.Header.Set("X-CSRF-Token", c.CSRF)
			}
			resp := c.Do(t, req)
			if resp.Status != tt.wantStatus {
				t.Fatalf("%s %s status = %d, want %d", tt.method, tt.path, resp.Status, tt.wantStatus)
			}
			if tt.wantLocation != "" && resp.Location != tt.wantLocation {
				t.Errorf("Location = %q, want %q", resp.Location, tt.wantLocation)
			}
			if !strings.Contains(resp.Body, tt.wantBody) {
				t.Errorf("body lacks %q", tt.wantBody)
			}
			if strings.Contains(resp.Body, "goroutine") || strings.Contains(resp.Body, ".go:") {
				t.Errorf("error page leaks a stack trace")
			}
		})
	}
}

func TestLogout(t *testing.T) {
	env := servertest.New(t)
	c := env.Client()
	c.SignIn(t, models.RolePresident)
	resp := c.PostForm(t, "/logout", nil)
	if resp.Status != http.StatusSeeOther || resp.Location != "/login" {
		t.Fatalf("POST /logout = %d %q, want 303 /login", resp.Status, resp.Location)
	}
	if resp := c.Get(t, "/"); resp.Status != http.StatusSeeOther || resp.Location != "/login" {
		t.Fatalf("GET / after logout = %d %q, want redirect to login", resp.Status, resp.Location)
	}
	if resp := c.Get(t, "/login"); !strings.Contains(resp.Body, "Vous êtes déconnecté(e).") {
		t.Errorf("login page after logout lacks the flash message")
	}
}

func TestDeactivationEndsSessions(t *testing.T) {
	env := servertest.New(t)
	c := env.Client()
	u := c.SignIn(t, models.RoleMember)
	if err := models.SetUserActive(context.Background(), env.DB, models.SystemActor("test"), u.ID, false, env.Clock()); err != nil {
		t.Fatal(err)
	}
	if resp := c.Get(t, "/"); resp.Status != http.StatusSeeOther {
		t.Fatalf("GET / after deactivation = %d, want redirect to login", resp.Status)
	}
}

// TestDeactivationOnAnotherInstanceEndsSessionsWithinAccountsMaxAge: each instance keeps
// the signed-in accounts it read until its next write (issue 17); a deactivation made
// through another connection pool, as by a second instance or `seance admin`, is not one
// of its writes, and must still end the session once auth.AccountsMaxAge has passed.
func TestDeactivationOnAnotherInstanceEndsSessionsWithinAccountsMaxAge(t *testing.T) {
	env := servertest.New(t)
	c := env.Client()
	u := c.SignIn(t, models.RoleMember)
	servertest.Expect(t, "signed in", c.Get(t, "/"), http.StatusOK, "Tableau de bord")
	other := modelstest.Open(t, env.URL)
	if err := models.SetUserActive(context.Background(), other, models.SystemActor("test"), u.ID, false, env.Clock()); err != nil {
		t.Fatal(err)
	}
	env.Advance(auth.AccountsMaxAge)
	if resp := c.Get(t, "/"); resp.Status != http.StatusSeeOther {
		t.Fatalf("GET / %s after a deactivation by another instance = %d, want redirect to login", auth.AccountsMaxAge, resp.Status)
	}
}

func TestIdleTimeout(t *testing.T) {
	env := servertest.New(t)
	c := env.Client()
	c.SignIn(t, models.RoleMember)
	env.Advance(31 * time.Minute)
	if resp := c.Get(t, "/"); resp.Status != http.StatusSeeOther {
		t.Fatalf("GET / after 31 idle minutes = %d, want redirect to login", resp.Status)
	}
}

func TestAuditVerifyPageDetectsTampering(t *testing.T) {
	env := servertest.New(t)
	c := env.Client()
	c.SignIn(t, models.RoleAdmin)
	resp := c.PostForm(t, "/admin/audit/verify", nil)
	if !strings.Contains(resp.Body, "Chaîne intègre") {
		t.Fatalf("verify on an intact chain: page lacks 'Chaîne intègre'\n%s", resp.Body)
	}
	if _, err := env.DB.NewUpdate().Model((*models.AuditRecord)(nil)).Set("actor_label = 'intrus'").Where("id = 2").Exec(context.Background()); err != nil {
		t.Fatal(err)
	}
	resp = c.PostForm(t, "/admin/audit/verify", nil)
	if !strings.Contains(resp.Body, "Chaîne rompue à l&#39;enregistrement n° 2") && !strings.Contains(resp.Body, "Chaîne rompue à l'enregistrement n° 2") {
		t.Fatalf("verify after tampering: page does not report record 2\n%s", resp.Body)
	}
}

func TestAPIToken(t *testing.T) {
	env := servertest.New(t)
	u := env.Users[models.RolePrefecture]
	secret, err := models.CreateAPIToken(context.Background(), env.DB, models.SystemActor("test"), u.ID, "rapport annuel", env.Clock())
	if err != nil {
		t.Fatal(err)
	}
	c := env.Client()
	req := httptest.NewRequest(http.MethodGet, "/api/v1/me", nil)
	req.Header.Set("Authorization", "Bearer "+secret)
	if resp := c.Do(t, req); resp.Status != http.StatusOK || !strings.Contains(resp.Body, u.Email) {
		t.Fatalf("GET /api/v1/me with token = %d %s", resp.Status, resp.Body)
	}
	req = httptest.NewRequest(http.MethodGet, "/api/v1/me", nil)
	req.Header.Set("Authorization", "Bearer faux")
	if resp := c.Do(t, req); resp.Status != http.StatusUnauthorized {
		t.Fatalf("GET /api/v1/me with a bad token = %d, want 401", resp.Status)
	}
	if resp := c.Get(t, "/api/v1/me"); resp.Status != http.StatusUnauthorized {
		t.Fatalf("GET /api/v1/me anonymous = %d, want 401", resp.Status)
	}
}

func TestSecurityHeaders(t *testing.T) {
	env := servertest.New(t)
	resp := env.Client().Get(t, "/login")
	csp := resp.Header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") {
		t.Errorf("Content-Security-Policy = %q, want self scripts without unsafe-inline", csp)
	}
	if resp.Header.Get("X-Content-Type-Options") != "nosniff" || resp.Header.Get("X-Frame-Options") == "" {
		t.Errorf("missing nosniff / frame options headers: %v", resp.Header)
	}
	ck := resp.Header.Get("Set-Cookie")
	if !strings.Contains(ck, "HttpOnly") || !strings.Contains(strings.ToLower(ck), "samesite=lax") {
		t.Errorf("session cookie = %q, want HttpOnly and SameSite=Lax", ck)
	}
	if strings.Contains(resp.Body, "<script>") || strings.Contains(resp.Body, " onclick=") {
		t.Errorf("login page has inline script")
	}
}

func TestMalformedInputNeverGives500(t *testing.T) {
	env := servertest.New(t)
	c := env.Client()
	c.Get(t, "/login")
	for _, tt := range []struct {
		name, contentType, body string
	}{
		{"bad percent escape", "application/x-www-form-urlencoded", "csrf=" + c.CSRF + "&email=%zz&password=%"},
		{"invalid utf-8", "application/x-www-form-urlencoded", "csrf=" + c.CSRF + "&email=\xff\xfe@x&password=\xc3"},
		{"multipart without boundary", "multipart/form-data", "abc"},
		{"json instead of a form", "application/json", `{"email":"a@b.c"}`},
		{"repeated fields", "application/x-www-form-urlencoded", "csrf=" + c.CSRF + "&email=a@b.c&email=d@e.f&password=x&password=y"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodPost, "/login", strings.NewReader(tt.body))
			req.Header.Set("Content-Type", tt.contentType)
			resp := c.Do(t, req)
			if resp.Status >= 500 {
				t.Fatalf("POST /login with %s: status %d", tt.name, resp.Status)
			}
		})
	}
}

func TestSessionSurvivesRestartAndIsSharedByInstances(t *testing.T) {
	env := servertest.New(t)
	c := env.Client()
	c.SignIn(t, models.RoleSecretariat)
	// A second application on the same database: a restarted process, or another instance.
	env.App = server.New(server.Deps{DB: env.DB, Config: env.Config, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: env.Clock, Mailer: env.Mailer})
	resp := c.Get(t, "/")
	if resp.Status != http.StatusOK || !strings.Contains(resp.Body, "Tableau de bord") {
		t.Fatalf("GET / on a new instance = %d, want the dashboard (session kept in the database)", resp.Status)
	}
}
