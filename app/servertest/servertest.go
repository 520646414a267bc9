// Package servertest drives the real application in tests: a migrated database,
// the real router through app.Test, a cookie jar, CSRF tokens and sign-in.
package servertest

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/uptrace/bun"

	"seance/app/auth"
	"seance/app/config"
	"seance/app/mail"
	"seance/app/server"
	"seance/models"
	"seance/models/modelstest"
)

// Password is the password of every account Env creates.
const Password = "cheval agrafe batterie correcte"

var (
	hashOnce sync.Once
	hash     string
)

// PasswordHash returns the argon2id hash of Password, computed once per test binary.
func PasswordHash(t testing.TB) string {
	hashOnce.Do(func() {
		var err error
		if hash, err = auth.HashPassword(Password); err != nil {
			panic(err)
		}
	})
	return hash
}

// Env is a running application on a fresh database with one account per role.
type Env struct {
	App        *fiber.App
	DB         *bun.DB
	Config     *config.Config
	Commission *models.Commission
	Users      map[models.Role]*models.User
	// Now is when the env started. The server's clock is the real time plus the offset
	// tests add with Advance: a frozen clock would make sessions predate accounts created
	// later in a slow test (SessionsValidAfter is set on the real clock).
	Now    time.Time
	offset time.Duration
	Mailer *mail.Mailer
	mu     sync.Mutex
}

// Clock returns the time the server sees: the real time plus what Advance added.
func (e *Env) Clock() time.Time {
	e.mu.Lock()
	defer e.mu.Unlock()
	return time.Now().UTC().Add(e.offset)
}

// Advance moves the server's clock forward by d.
func (e *Env) Advance(d time.Duration) {
	e.mu.Lock()
	e.offset += d
	e.mu.Unlock()
}

// New starts an application on a new database with commission "31" and one account
// per role: <role>@test.example (admin and region have no commission). E-mail goes
// to the outbox table.
func New(t testing.TB) *Env { return NewWithEnv(t, nil) }

// NewWithEnv is New with extra configuration variables, e.g. the SMTP_* settings of a
// mailtest server: NewWithEnv(t, mailtest.NewServer(t).Env()).
func NewWithEnv(t testing.TB, vars map[string]string) *Env {
	t.Helper()
	db := modelstest.NewDB(t)
	cfg, err := config.Load(func(k string) string { return vars[k] })
	if err != nil {
		t.Fatal(err)
	}
	if err := cfg.UseGeneratedKey(); err != nil {
		t.Fatal(err)
	}
	e := &Env{DB: db, Config: cfg, Users: map[models.Role]*models.User{}, Now: time.Now().UTC()}
	e.Commission = modelstest.Commission(t, db, "31")
	for _, r := range models.Roles {
		u := &models.User{Email: string(r) + "@test.example", Name: "Test " + r.Label(), Role: r, PasswordHash: PasswordHash(t), Active: true}
		if r.NeedsCommission() {
			u.CommissionID = &e.Commission.ID
		}
		if r == models.RoleRegion {
			u.Region = "76"
		}
		if err := models.CreateUser(context.Background(), db, models.SystemActor("test"), u); err != nil {
			t.Fatal(err)
		}
		e.Users[r] = u
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if testing.Verbose() {
		log = slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	mailer, err := mail.New(cfg, db, log)
	if err != nil {
		t.Fatal(err)
	}
	mailer.Now = e.Clock
	e.Mailer = mailer
	e.App = server.New(server.Deps{DB: db, Config: cfg, Log: log, Now: e.Clock, Mailer: mailer})
	return e
}

type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

// Client is one browser: it keeps cookies and the current CSRF token.
type Client struct {
	env     *Env
	cookies map[string]string
	CSRF    string
	IP      string
}

// Client returns a new anonymous browser.
func (e *Env) Client() *Client {
	return &Client{env: e, cookies: map[string]string{}, IP: "192.0.2.10"}
}

// Response is a buffered answer.
type Response struct {
	Status   int
	Body     string
	Header   http.Header
	Location string
}

var csrfMeta = regexp.MustCompile(`<meta name="csrf-token" content="([^"]*)">`)

// Do sends req through the real router.
func (c *Client) Do(t testing.TB, req *http.Request) *Response {
	t.Helper()
	var parts []string
	for k, v := range c.cookies {
		parts = append(parts, k+"="+v)
	}
	if len(parts) > 0 {
		req.Header.Set("Cookie", strings.Join(parts, "; "))
	}
	req.Header.Set("X-Forwarded-For", c.IP)
	req.RemoteAddr = c.IP + ":1234"
	resp, err := c.env.App.Test(req, -1)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	for _, ck := range resp.Cookies() {
		if ck.MaxAge < 0 || ck.Value == "" {
			delete(c.cookies, ck.Name)
		} else {
			c.cookies[ck.Name] = ck.Value
		}
	}
	r := &Response{Status: resp.StatusCode, Body: string(body), Header: resp.Header, Location: resp.Header.Get("Location")}
	if m := csrfMeta.FindStringSubmatch(r.Body); m != nil {
		c.CSRF = m[1]
	}
	return r
}

// Get fetches path.
func (c *Client) Get(t testing.TB, path string) *Response {
	t.Helper()
	return c.Do(t, httptest.NewRequest(http.MethodGet, path, nil))
}

// PostForm posts form to path with the current CSRF token (fetching a page first if none).
func (c *Client) PostForm(t testing.TB, path string, form url.Values) *Response {
	t.Helper()
	if c.CSRF == "" {
		c.Get(t, "/login")
	}
	f := url.Values{}
	for k, v := range form {
		f[k] = v
	}
	if f.Get("csrf") == "" {
		f.Set("csrf", c.CSRF)
	}
	return c.PostRaw(t, path, f)
}

// PostRaw posts form to path as given (no CSRF token added).
func (c *Client) PostRaw(t testing.TB, path string, form url.Values) *Response {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.Do(t, req)
}

// SignIn signs in as the env's user of role r and fails the test otherwise.
func (c *Client) SignIn(t testing.TB, r models.Role) *models.User {
	t.Helper()
	u := c.env.Users[r]
	c.SignInAs(t, u.Email, Password)
	return u
}

// SignInAs signs in with e-mail and password and fails the test unless redirected home.
func (c *Client) SignInAs(t testing.TB, email, password string) {
	t.Helper()
	resp := c.PostForm(t, "/login", url.Values{"email": {email}, "password": {password}})
	if resp.Status != http.StatusSeeOther || resp.Location != "/" {
		t.Fatalf("sign in as %s: status %d location %q, want 303 to /\n%s", email, resp.Status, resp.Location, resp.Body)
	}
	c.Get(t, "/") // pick up the new session's CSRF token
}
