package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// demoPassword is the password of every demo account (README, app/demo).
const demoPassword = "demo-seance-2026"

// startPortal builds the portal and starts `seance demo` on addr with the database in
// dbURL, its log in logPath. Each sign-in of this tool comes with its own
// X-Forwarded-For address from a trusted loopback proxy, so that signing in some thirty
// accounts in a row is not taken for a password-guessing attack by the per-address
// login limit.
func startPortal(ctx context.Context, dir, addr, dbURL, logPath string) (*exec.Cmd, error) {
	bin := dir + "/seance"
	build := exec.CommandContext(ctx, "go", "build", "-o", bin, ".")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		return nil, fmt.Errorf("build the portal: %w", err)
	}
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, bin, "demo")
	cmd.Env = append(os.Environ(),
		"SEANCE_ADDR="+addr, "DATABASE_URL="+dbURL, "SEANCE_BASE_URL=http://"+addr,
		"SEANCE_PROXY_HEADER=X-Forwarded-For", "SEANCE_TRUSTED_PROXIES=127.0.0.1")
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	if err := waitHealthy(ctx, "http://"+addr+"/healthz", 10*time.Minute); err != nil {
		_ = cmd.Process.Kill()
		return nil, fmt.Errorf("the portal did not start (log in %s): %w", logPath, err)
	}
	return cmd, nil
}

// waitHealthy polls u until it answers 200 or limit has passed (real time: waiting for
// a process to start).
func waitHealthy(ctx context.Context, u string, limit time.Duration) error {
	deadline := time.Now().Add(limit) // real elapsed time: waiting for a process
	for {
		resp, err := http.Get(u)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return fmt.Errorf("%s not answering after %s: %v", u, limit, err)
		}
		time.Sleep(250 * time.Millisecond)
	}
}

var (
	csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)
	csrfMeta  = regexp.MustCompile(`name="csrf-token" content="([^"]+)"`)
)

// User is a signed-in demo account.
type User struct {
	Email  string
	Cookie string // the session cookie, as a Cookie header
	client *http.Client
	base   string
	csrf   string
}

var loginAddress atomic.Int32

// signIn signs email in on base, skipping the TOTP enrolment as the demo allows.
func signIn(base, email string) (*User, error) {
	jar, _ := cookiejar.New(nil)
	u := &User{Email: email, base: base, client: &http.Client{
		Jar: jar, Timeout: 60 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
	n := loginAddress.Add(1)
	forwarded := fmt.Sprintf("10.77.%d.%d", n/250, n%250+1)
	page, _, err := u.do("GET", "/login", nil, forwarded)
	if err != nil {
		return nil, err
	}
	m := csrfField.FindStringSubmatch(page)
	if m == nil {
		return nil, errors.New("no CSRF field on /login")
	}
	_, loc, err := u.do("POST", "/login", url.Values{"csrf": {m[1]}, "email": {email}, "password": {demoPassword}}, forwarded)
	if err != nil {
		return nil, err
	}
	if loc == "/compte/double-authentification" {
		if err := u.refreshCSRF(loc); err != nil {
			return nil, err
		}
		if _, loc, err = u.do("POST", loc+"/passer", url.Values{"csrf": {u.csrf}}, ""); err != nil {
			return nil, err
		}
	}
	if loc != "/" {
		return nil, fmt.Errorf("sign-in of %s: sent to %q instead of the dashboard", email, loc)
	}
	bu, _ := url.Parse(base)
	var parts []string
	for _, c := range jar.Cookies(bu) {
		parts = append(parts, c.Name+"="+c.Value)
	}
	u.Cookie = strings.Join(parts, "; ")
	return u, u.refreshCSRF("/")
}

// do sends one request as u and returns the body and the redirect location.
func (u *User) do(method, path string, form url.Values, forwarded string) (body, location string, err error) {
	var rd io.Reader
	if form != nil {
		rd = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, u.base+path, rd)
	if err != nil {
		return "", "", err
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if forwarded != "" {
		req.Header.Set("X-Forwarded-For", forwarded)
	}
	resp, err := u.client.Do(req)
	if err != nil {
		return "", "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return "", "", err
	}
	if resp.StatusCode >= 400 {
		return string(b), "", fmt.Errorf("%s %s as %s: status %d", method, path, u.Email, resp.StatusCode)
	}
	return string(b), resp.Header.Get("Location"), nil
}

// refreshCSRF reads the session's CSRF token from a page.
func (u *User) refreshCSRF(path string) error {
	page, _, err := u.do("GET", path, nil, "")
	if err != nil {
		return err
	}
	m := csrfMeta.FindStringSubmatch(page)
	if m == nil {
		return fmt.Errorf("no CSRF token on %s", path)
	}
	u.csrf = m[1]
	return nil
}

// firstLink returns the first path of page matching re's group, on the page at path.
func (u *User) firstLink(path string, re *regexp.Regexp) (string, error) {
	page, _, err := u.do("GET", path, nil, "")
	if err != nil {
		return "", err
	}
	m := re.FindStringSubmatch(page)
	if m == nil {
		return "", fmt.Errorf("no link matching %s on %s for %s", re, path, u.Email)
	}
	return m[1], nil
}

// Storm results: ballots cast by every member of an open vote, repeatedly.
type Storm struct {
	VoteID  string
	Voters  int
	Result  Result
	Checked string // what the check after the storm found
}

var (
	ballotForm = regexp.MustCompile(`action="/votes/(\d+)/ballot"[\s\S]*?name="acting_for" value="(\d*)"`)
	pressed    = regexp.MustCompile(`name="choice" value="(\w+)"[^>]*aria-pressed="true"`)
	receipt    = regexp.MustCompile(`est enregistré\. Reçu : ([0-9A-Z-]+)`)
)

// ballotStorm finds the open vote most members may vote on, then has each of them cast
// and change their ballot in a loop for d (the form's POST, then the page it redirects
// to, as a phone does), and checks afterwards that each member's current ballot is the
// last one acknowledged to them; count is called to compare the database's ballot rows.
func ballotStorm(ctx context.Context, members []*User, d time.Duration, count func(voteID string) (rows, voters int, err error)) (Storm, error) {
	byVote := map[string][]*User{}
	acting := map[*User]string{}
	for _, m := range members {
		page, _, err := m.do("GET", "/votes", nil, "")
		if err != nil {
			return Storm{}, err
		}
		for _, id := range regexp.MustCompile(`href="/votes/(\d+)"`).FindAllStringSubmatch(page, -1) {
			vp, _, err := m.do("GET", "/votes/"+id[1], nil, "")
			if err != nil {
				return Storm{}, err
			}
			if f := ballotForm.FindStringSubmatch(vp); f != nil && f[1] == id[1] {
				byVote[id[1]] = append(byVote[id[1]], m)
				acting[m] = f[2]
				break
			}
		}
	}
	var voteID string
	for id, us := range byVote {
		if len(us) > len(byVote[voteID]) {
			voteID = id
		}
	}
	voters := byVote[voteID]
	if len(voters) == 0 {
		return Storm{}, errors.New("no open vote in the demo data for the members signed in")
	}
	choices := []string{"pour", "contre", "abstention"}
	var (
		mu   sync.Mutex
		all  []time.Duration
		res  Result
		last = map[*User]string{}
		wg   sync.WaitGroup
	)
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	from := time.Now() // real elapsed time: the measurement
	for _, m := range voters {
		wg.Go(func() {
			for i := 0; ctx.Err() == nil; i++ {
				choice := choices[i%len(choices)]
				start := time.Now() // real elapsed time: the measurement
				form := url.Values{"csrf": {m.csrf}, "choice": {choice}, "acting_for": {acting[m]}}
				_, loc, err := m.do("POST", "/votes/"+voteID+"/ballot", form, "")
				var page string
				if err == nil {
					page, _, err = m.do("GET", loc, nil, "")
				}
				lat := time.Since(start)
				mu.Lock()
				all = append(all, lat)
				switch {
				case err != nil:
					res.Errors++
					res.FirstError = cmpOr(res.FirstError, err.Error())
				case receipt.FindStringSubmatch(page) == nil:
					res.Errors++
					res.FirstError = cmpOr(res.FirstError, "ballot of "+m.Email+" not acknowledged")
				default:
					last[m] = choice
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	res.Elapsed = time.Since(from)
	res.Requests = len(all)
	res.P50, res.P99 = percentiles(all)
	st := Storm{VoteID: voteID, Voters: len(voters), Result: res}
	// Every acknowledged ballot is there, once: each member's page shows the last choice
	// acknowledged to them, and the database holds one row per voter.
	for _, m := range voters {
		page, _, err := m.do("GET", "/votes/"+voteID, nil, "")
		if err != nil {
			return st, err
		}
		p := pressed.FindStringSubmatch(page)
		if want, ok := last[m]; ok && (p == nil || p[1] != want) {
			return st, fmt.Errorf("ballot lost: %s was told « %s » was recorded, the page shows %v", m.Email, want, p)
		}
	}
	rows, distinct, err := count(voteID)
	if err != nil {
		return st, err
	}
	if rows != distinct || rows != len(last) {
		return st, fmt.Errorf("ballot rows: %d for %d voters, %d members acknowledged", rows, distinct, len(last))
	}
	st.Checked = fmt.Sprintf("each of the %d voters' last acknowledged ballot is current; %d rows for %d voters", len(last), rows, distinct)
	return st, nil
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
