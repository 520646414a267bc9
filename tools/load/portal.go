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

// buildPortal builds the portal's binary into dir.
func buildPortal(ctx context.Context, dir string) (string, error) {
	bin := dir + "/seance"
	build := exec.CommandContext(ctx, "go", "build", "-o", bin, ".")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		return "", fmt.Errorf("build the portal: %w", err)
	}
	return bin, nil
}

// startPortal starts `bin command` (demo or serve) on addr with the database in dbURL,
// its log appended to logPath, and waits until it answers. Each sign-in of this tool
// comes with its own X-Forwarded-For address from a trusted loopback proxy, so that
// signing in some thirty accounts in a row is not taken for a password-guessing attack by
// the per-address login limit.
func startPortal(ctx context.Context, bin, command, addr, dbURL, logPath string, env ...string) (*exec.Cmd, error) {
	logFile, err := os.OpenFile(logPath, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, bin, command)
	cmd.Env = append(append(os.Environ(),
		"SEANCE_ADDR="+addr, "DATABASE_URL="+dbURL, "SEANCE_BASE_URL=http://"+addr,
		"SEANCE_PROXY_HEADER=X-Forwarded-For", "SEANCE_TRUSTED_PROXIES=127.0.0.1"), env...)
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
	receipt    = regexp.MustCompile(`est enregistré\. Reçu : ([0-9a-fA-F]{1,4}(?: [0-9a-fA-F]{1,4})*)`)
)

// openVote finds the open vote most of members may vote on: its id, its voters and the
// member each of them votes for (their own ballot form's acting_for).
func openVote(members []*User) (string, []*User, map[*User]string, error) {
	byVote := map[string][]*User{}
	acting := map[*User]string{}
	for _, m := range members {
		page, _, err := m.do("GET", "/votes", nil, "")
		if err != nil {
			return "", nil, nil, err
		}
		for _, id := range regexp.MustCompile(`href="/votes/(\d+)"`).FindAllStringSubmatch(page, -1) {
			vp, _, err := m.do("GET", "/votes/"+id[1], nil, "")
			if err != nil {
				return "", nil, nil, err
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
	if len(byVote[voteID]) == 0 {
		return "", nil, nil, errors.New("no open vote in the demo data for the members signed in")
	}
	return voteID, byVote[voteID], acting, nil
}

// ballot is one ballot cast in a storm: the choice, and the receipt the portal
// acknowledged it with ("" when no acknowledgement came back).
type ballot struct {
	choice, receipt string
}

// castLoop has m cast and change their ballot on voteID until ctx ends (the form's POST,
// then the page it redirects to, as a phone does), reporting each ballot and its latency.
func castLoop(ctx context.Context, m *User, voteID, acting string, report func(b ballot, lat time.Duration, err error)) {
	choices := []string{"pour", "contre", "abstention"}
	for i := 0; ctx.Err() == nil; i++ {
		b := ballot{choice: choices[i%len(choices)]}
		start := time.Now() // real elapsed time: the measurement
		form := url.Values{"csrf": {m.csrf}, "choice": {b.choice}, "acting_for": {acting}}
		_, loc, err := m.do("POST", "/votes/"+voteID+"/ballot", form, "")
		var page string
		if err == nil {
			page, _, err = m.do("GET", loc, nil, "")
		}
		if r := receipt.FindStringSubmatch(page); err == nil && r != nil {
			b.receipt = r[1]
		} else if err == nil {
			err = errors.New("ballot of " + m.Email + " not acknowledged")
		}
		report(b, time.Since(start), err)
	}
}

// ballotStorm has every member of the open vote cast and change their ballot in a loop
// for d, then checks that each member's current ballot is the last one acknowledged to
// them; count is called to compare the database's ballot rows.
func ballotStorm(ctx context.Context, members []*User, d time.Duration, count func(voteID string) (rows, voters int, err error)) (Storm, error) {
	voteID, voters, acting, err := openVote(members)
	if err != nil {
		return Storm{}, err
	}
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
			castLoop(ctx, m, voteID, acting[m], func(b ballot, lat time.Duration, err error) {
				mu.Lock()
				defer mu.Unlock()
				all = append(all, lat)
				if err != nil {
					res.Errors++
					res.FirstError = cmpOr(res.FirstError, err.Error())
					return
				}
				last[m] = b.choice
			})
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
		if err := checkCurrent(m, voteID, last[m], ""); err != nil {
			return st, err
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

// checkCurrent checks that m's current ballot on voteID is want (when m was told it was
// recorded) or pending (a ballot whose answer never came back, which may or may not have
// been recorded).
func checkCurrent(m *User, voteID, want, pending string) error {
	page, _, err := m.do("GET", "/votes/"+voteID, nil, "")
	if err != nil {
		return err
	}
	p := pressed.FindStringSubmatch(page)
	switch {
	case want == "" && (p == nil || p[1] == pending):
		return nil // never told anything was recorded
	case p != nil && (p[1] == want || p[1] == pending):
		return nil
	}
	return fmt.Errorf("ballot lost: %s was told « %s » was recorded, the page shows %v", m.Email, want, p)
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
