// Package servertest drives the real application in tests: a migrated database,
// the real router through app.Test, a cookie jar, CSRF tokens and sign-in.
package servertest

import (
	"context"
	"html"
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
	"github.com/pquerna/otp/totp"
	"github.com/uptrace/bun"

	"seance/app/auth"
	"seance/app/config"
	"seance/app/mail"
	"seance/app/server"
	"seance/app/stats"
	"seance/jobs"
	"seance/models"
	"seance/models/modelstest"
	"seance/models/twofactor"
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
	URL        string // the database's URL, for a second instance (SecondInstance)
	Config     *config.Config
	Commission *models.Commission
	Users      map[models.Role]*models.User
	// Now is when the env started: modelstest.Epoch(), whatever the real date.
	Now    time.Time
	clock  *modelstest.Clock
	Mailer *mail.Mailer
	// Jobs are the portal's jobs, not scheduled: tests run them with Jobs.Run.
	Jobs *jobs.Registry
	log  *slog.Logger
	mu   sync.Mutex
	totp map[int64]string // TOTP secrets of the enrolled test accounts, by user id
}

// Clock returns the time the server sees. It starts at modelstest.Epoch() and moves
// only through SetClock and Advance: no test depends on the real date.
func (e *Env) Clock() time.Time { return e.clock.Now() }

// SetClock makes the server's clock read t. Accounts created at a later instant end
// the sessions opened before it (SessionsValidAfter): move the clock forward.
func (e *Env) SetClock(t time.Time) { e.clock.Set(t) }

// Advance moves the server's clock forward by d.
func (e *Env) Advance(d time.Duration) { e.clock.Advance(d) }

// New starts an application on a new database with commission "31" and one account
// per role: <role>@test.example (admin and region have no commission). The accounts
// whose role requires two-factor sign-in (admin, secretariat, president) have TOTP
// enrolled, and SignIn gives their codes. E-mail goes to the outbox table.
func New(t testing.TB) *Env { return NewWithEnv(t, nil) }

// NewWithEnv is New with extra configuration variables, e.g. the SMTP_* settings of a
// mailtest server: NewWithEnv(t, mailtest.NewServer(t).Env()).
func NewWithEnv(t testing.TB, vars map[string]string) *Env {
	t.Helper()
	return newEnv(t, vars, false)
}

// NewDemo is New in demo mode (config Demo, as `seance demo` runs).
func NewDemo(t testing.TB) *Env {
	t.Helper()
	return newEnv(t, nil, true)
}

// NewBare starts the application on a new, empty database: no commission and no account
// (Commission is nil, Users is empty), for a test that fills the database itself, e.g.
// with demo.Seed given the env's Config.Keys and Clock().
func NewBare(t testing.TB) *Env { return NewBareWithEnv(t, nil) }

// NewBareWithEnv is NewBare with extra configuration variables, e.g. the SMTP_* settings
// of a mailtest.Server.
func NewBareWithEnv(t testing.TB, vars map[string]string) *Env {
	t.Helper()
	db, url := modelstest.NewDBURL(t)
	return start(t, db, url, vars, false)
}

func newEnv(t testing.TB, vars map[string]string, demo bool) *Env {
	t.Helper()
	db, url := modelstest.NewDBURL(t)
	e := start(t, db, url, vars, demo)
	e.Commission = modelstest.Commission(t, e.DB, "31")
	for _, r := range models.Roles {
		u := &models.User{Email: string(r) + "@test.example", Name: "Test " + r.Label(), Role: r, PasswordHash: PasswordHash(t), Active: true}
		if r.NeedsCommission() {
			u.CommissionID = &e.Commission.ID
		}
		if r == models.RoleRegion {
			u.Region = "76"
		}
		if err := models.CreateUser(context.Background(), e.DB, models.SystemActor("test"), u, e.Clock()); err != nil {
			t.Fatal(err)
		}
		e.Users[r] = u
		if twofactor.TOTPRequired(u, nil) {
			e.EnrolTOTP(t, u)
		}
	}
	return e
}

// start makes the env's configuration and clock on db, and builds the application.
func start(t testing.TB, db *bun.DB, url string, vars map[string]string, demo bool) *Env {
	t.Helper()
	cfg, err := config.Load(func(k string) string { return vars[k] })
	if err != nil {
		t.Fatal(err)
	}
	if err := cfg.UseGeneratedKey(); err != nil {
		t.Fatal(err)
	}
	cfg.Demo = demo
	clock := modelstest.NewClock()
	e := &Env{DB: db, URL: url, Config: cfg, Users: map[models.Role]*models.User{}, Now: clock.Now(), clock: clock, totp: map[int64]string{}}
	e.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	if testing.Verbose() {
		e.log = slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	e.start(t, e.log)
	return e
}

// start builds the mailer, the jobs and the application with log.
func (e *Env) start(t testing.TB, log *slog.Logger) {
	t.Helper()
	e.App, e.Mailer, e.Jobs = e.build(t, e.DB, log)
}

// build makes a mailer, the jobs and an application on db with the env's
// configuration and clock.
func (e *Env) build(t testing.TB, db *bun.DB, log *slog.Logger) (*fiber.App, *mail.Mailer, *jobs.Registry) {
	t.Helper()
	mailer, err := mail.New(e.Config, db, log, e.Clock)
	if err != nil {
		t.Fatal(err)
	}
	reg, err := jobs.Portal(jobs.Deps{DB: db, Log: log, Now: e.Clock, Location: e.Config.Location, Mailer: mailer, BaseURL: e.Config.BaseURL, Keys: e.Config.Keys,
		AnnualWorkbook: stats.AnnualWorkbook})
	if err != nil {
		t.Fatal(err)
	}
	return server.New(server.Deps{DB: db, Config: e.Config, Log: log, Now: e.Clock, Mailer: mailer, Jobs: reg}), mailer, reg
}

// SecondInstance starts another application on the env's database through its own
// connection pool, as a second `seance serve` process behind the same reverse proxy.
func (e *Env) SecondInstance(t testing.TB) *fiber.App {
	t.Helper()
	app, _, _ := e.build(t, modelstest.Open(t, e.URL), e.log)
	return app
}

// CaptureLog restarts the application and its mailer (same database and clock) with a
// logger that keeps every line, at every level, and returns a function giving what was
// logged so far: tests check that nothing secret reaches the logs.
func (e *Env) CaptureLog(t testing.TB) func() string {
	t.Helper()
	buf := &lockedBuffer{}
	e.start(t, slog.New(slog.NewTextHandler(buf, &slog.HandlerOptions{Level: slog.LevelDebug})))
	return buf.String
}

// WaitMail waits until n e-mails of kind are recorded (some are queued after the response,
// in the background), runs the mail job once so that they reach the SMTP server, and
// returns them, oldest first.
func (e *Env) WaitMail(t testing.TB, kind string, n int) []models.OutboxMessage {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second) // real elapsed time: mail is recorded by a goroutine
	for {
		var ms []models.OutboxMessage
		if err := e.DB.NewSelect().Model(&ms).Where("kind = ?", kind).Order("id ASC").Scan(context.Background()); err != nil {
			t.Fatal(err)
		}
		if len(ms) >= n {
			e.DeliverMail(t) // the mail job's pass: the queued copies go to the SMTP server
			return ms
		}
		if time.Now().After(deadline) { // real elapsed time, as above
			t.Fatalf("%d %s e-mail(s) recorded, want %d", len(ms), kind, n)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

type lockedBuffer struct {
	mu  sync.Mutex
	buf strings.Builder
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// EnrolTOTP enrols and confirms TOTP for u, as the enrolment page would, and keeps the
// secret so that SignIn and TOTPCode can give codes.
func (e *Env) EnrolTOTP(t testing.TB, u *models.User) {
	t.Helper()
	ctx := context.Background()
	en, err := twofactor.StartTOTPEnrolment(ctx, e.DB, e.Config.Keys, u, "Séance", e.Clock())
	if err != nil {
		t.Fatal(err)
	}
	secret := strings.ReplaceAll(en.ManualKey, " ", "")
	if _, err := twofactor.ConfirmTOTP(ctx, e.DB, e.Config.Keys, u, TOTPCodeOf(t, secret, e.Clock()), e.Clock()); err != nil {
		t.Fatal(err)
	}
	e.mu.Lock()
	e.totp[u.ID] = secret
	e.mu.Unlock()
}

// SignedIn returns a new client signed in as the account with e-mail email (password
// Password), its TOTP enrolled first when its role requires one.
func (e *Env) SignedIn(t testing.TB, email string) *Client {
	t.Helper()
	u, err := models.FindUserByEmail(context.Background(), e.DB, email)
	if err != nil {
		t.Fatalf("account %s: %v", email, err)
	}
	if twofactor.TOTPRequired(u, nil) && e.TOTPSecret(u.ID) == "" {
		e.EnrolTOTP(t, u)
	}
	c := e.Client()
	c.SignInAs(t, email, Password)
	return c
}

// TOTPSecret returns the TOTP secret EnrolTOTP kept for userID ("" if none).
func (e *Env) TOTPSecret(userID int64) string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.totp[userID]
}

// TOTPCode returns the current code of an account enrolled by EnrolTOTP. Each code is
// accepted once: a person signing in twice within 30 seconds waits for the next code;
// the helper instead forgets the last accepted step, so tests need not move the clock.
func (e *Env) TOTPCode(t testing.TB, userID int64) string {
	t.Helper()
	secret := e.TOTPSecret(userID)
	if secret == "" {
		t.Fatalf("user %d has no TOTP enrolled by the test env", userID)
	}
	if _, err := e.DB.NewUpdate().Model((*twofactor.UserTOTP)(nil)).Set("last_step = 0").Where("user_id = ?", userID).Exec(context.Background()); err != nil {
		t.Fatal(err)
	}
	return TOTPCodeOf(t, secret, e.Clock())
}

// TOTPCodeOf returns the code of secret at time at.
func TOTPCodeOf(t testing.TB, secret string, at time.Time) string {
	t.Helper()
	code, err := totp.GenerateCode(secret, at)
	if err != nil {
		t.Fatal(err)
	}
	return code
}

type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

// Client is one browser: it keeps cookies and the current CSRF token.
type Client struct {
	env     *Env
	app     *fiber.App // nil: the env's App
	cookies map[string]string
	CSRF    string
	IP      string
}

// DeliverMail runs the mail job once, as the scheduler does every minute: the queued
// e-mails go to the SMTP server of the env (nothing happens in outbox mode). Client
// requests call it after each answer.
func (e *Env) DeliverMail(t testing.TB) {
	t.Helper()
	if _, err := e.Mailer.Deliver(context.Background()); err != nil {
		t.Fatalf("deliver mail: %v", err)
	}
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
	app := c.env.App
	if c.app != nil {
		app = c.app
	}
	resp, err := app.Test(req, -1)
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
	// The mail job would send what the request queued within a minute; tests see it
	// sent by the time the request returns.
	c.env.DeliverMail(t)
	r := &Response{Status: resp.StatusCode, Body: string(body), Header: resp.Header, Location: resp.Header.Get("Location")}
	if m := csrfMeta.FindStringSubmatch(r.Body); m != nil {
		c.CSRF = m[1]
	}
	return r
}

// Via returns a copy of the browser (same cookies, hence the same session, and CSRF
// token) whose requests go to app, e.g. an Env.SecondInstance: what a reverse proxy
// does when it sends the next request to another process.
func (c *Client) Via(app *fiber.App) *Client {
	cp := &Client{env: c.env, app: app, cookies: make(map[string]string, len(c.cookies)), CSRF: c.CSRF, IP: c.IP}
	for k, v := range c.cookies {
		cp.cookies[k] = v
	}
	return cp
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

// SignInAs signs in with e-mail and password, and the TOTP code when the account has
// one (enrolled with EnrolTOTP), and fails the test unless redirected home.
func (c *Client) SignInAs(t testing.TB, email, password string) {
	t.Helper()
	resp := c.PostForm(t, "/login", url.Values{"email": {email}, "password": {password}})
	if resp.Status == http.StatusSeeOther && resp.Location == auth.SecondFactorPath {
		u, err := models.FindUserByEmail(context.Background(), c.env.DB, email)
		if err != nil {
			t.Fatal(err)
		}
		c.Get(t, auth.SecondFactorPath)
		resp = c.PostForm(t, auth.SecondFactorPath, url.Values{"code": {c.env.TOTPCode(t, u.ID)}})
	}
	if resp.Status != http.StatusSeeOther || resp.Location != "/" {
		t.Fatalf("sign in as %s: status %d location %q, want 303 to /\n%s", email, resp.Status, resp.Location, resp.Body)
	}
	c.Get(t, "/") // pick up the new session's CSRF token
}

// Expect fails t unless r has status and its body contains each of want, as sent or
// with its HTML entities decoded (« l&#39;urgence » or « l'urgence »). what names the
// request in the failure messages, which show the page's main part.
func Expect(t testing.TB, what string, r *Response, status int, want ...string) {
	t.Helper()
	if r.Status != status {
		t.Fatalf("%s: status %d, want %d (Location %q)\n%s", what, r.Status, status, r.Location, excerpt(r.Body))
	}
	decoded := html.UnescapeString(r.Body)
	for _, s := range want {
		if !strings.Contains(r.Body, s) && !strings.Contains(decoded, s) {
			t.Errorf("%s: page lacks %q\n%s", what, s, excerpt(r.Body))
		}
	}
}

var mainElement = regexp.MustCompile(`(?s)<main.*</main>`)

// MainPart returns the main element of a page (the whole body when it has none).
func MainPart(body string) string {
	if m := mainElement.FindString(body); m != "" {
		return m
	}
	return body
}

// excerpt is MainPart cut to 4,000 bytes, for failure messages.
func excerpt(body string) string {
	body = MainPart(body)
	if len(body) > 4000 {
		body = body[:4000]
	}
	return body
}
