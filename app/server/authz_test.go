package server_test

import (
	"bufio"
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"seance/app/demo"
	"seance/app/servertest"
	"seance/models"
	"seance/models/meetings"
	"seance/models/modelstest"
	"seance/models/registry"
	"seance/models/twofactor"
)

var updateAuthz = flag.Bool("update-authz", false, "rewrite testdata/authz.txt with the answers observed (then review the diff)")

// authzColumns are the callers of the authorization matrix, in its columns' order:
// an anonymous visitor, each role of the demo commission (for members, a titulaire
// convened to the demo's sessions, and one appointed years ago to a seat of their own but
// convened to none of them), and the secretariat of
// another commission asking for the demo commission's objects.
var authzColumns = []string{"anon", "secretariat", "president", "member", "unconvened", "association", "prefecture", "region", "admin", "other"}

// authzMatrixPath is the readable file of expected answers.
const authzMatrixPath = "testdata/authz.txt"

// TestAuthorizationMatrix calls every route of the route table as every caller of
// authzColumns, on the demo data, and compares each answer with testdata/authz.txt:
//   - a status code (200, 403, 404…) must be exactly that (the API under /api/v1 is
//     called with a bearer token of the caller: an API token of each role);
//   - "login": redirected to the sign-in page (anonymous);
//   - "ok" (POST routes of the roles allowed to call them): let through the route's
//     access check — the answer is whatever the handler gives an empty form, but never
//     401, 403, 404, a redirect to the sign-in page or a server error.
//
// A route missing from the file, or a line of the file for a route that no longer
// exists, fails the test. Every GET runs before any POST, and the POSTs run column by
// column in the file's order, so their side effects are the same at every run.
func TestAuthorizationMatrix(t *testing.T) {
	ctx := context.Background()
	env, s := servertest.NewSeeded(t, 0)
	other := modelstest.Commission(t, env.DB, "09")
	otherSec := &models.User{Email: "secretariat@autre-commission.example", Name: "Secrétariat 09", Role: models.RoleSecretariat,
		CommissionID: &other.ID, PasswordHash: servertest.PasswordHash(t), Active: true}
	if err := models.CreateUser(ctx, env.DB, models.SystemActor("test"), otherSec, env.Clock()); err != nil {
		t.Fatal(err)
	}
	// A member holding a seat for two years (a term runs three), convened to no session: holding
	// a seat on a session's day is not being convened to it (issue 11 point 9).
	seat := modelstest.Seat(t, env.DB, s.Commission.ID, registry.CategoryDDETS, "Adjointe (matrice)")
	unconvened := modelstest.Appoint(t, env.DB, seat, registry.MandateTitulaire, "non.convoque@autre.example", env.Clock().AddDate(-2, 0, 0)).User
	if _, err := env.DB.NewUpdate().Model((*models.User)(nil)).Set("password_hash = ?", servertest.PasswordHash(t)).Set("active = ?", true).
		Where("id = ?", unconvened.ID).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	emails := map[string]string{
		"secretariat": demo.EmailSecretariat, "president": demo.EmailPresident, "member": demo.MemberEmail(1),
		"unconvened":  unconvened.Email,
		"association": demo.AssociationEmail(1), "prefecture": demo.EmailPrefecture, "region": demo.EmailRegion,
		"admin": demo.EmailAdmin, "other": otherSec.Email,
	}
	params := authzParams(t, env, s)
	missingParams := map[string]string{}
	for k := range params {
		missingParams[k] = "999999"
	}

	// The routes of the table, as the router holds them.
	var routes []string
	for _, r := range env.App.GetRoutes(true) {
		if r.Method == http.MethodGet || r.Method == http.MethodPost {
			routes = append(routes, r.Method+" "+r.Path)
		}
	}
	slices.Sort(routes)
	routes = slices.Compact(routes)
	var want map[string][]string
	if !*updateAuthz {
		want = readAuthzMatrix(t)
	}
	if !*updateAuthz {
		for _, r := range routes {
			if _, ok := want[r]; !ok {
				t.Errorf("route %s is missing from %s: add its line with the answer expected for each caller", r, authzMatrixPath)
			}
		}
		for r := range want {
			if !slices.Contains(routes, r) {
				t.Errorf("%s lists %s, which the route table no longer has", authzMatrixPath, r)
			}
		}
	}

	tokens := map[string]string{}
	for col, email := range emails {
		u, err := models.FindUserByEmail(ctx, env.DB, email)
		if err != nil {
			t.Fatalf("%s (%s): %v", col, email, err)
		}
		if tokens[col], err = models.CreateAPIToken(ctx, env.DB, models.ActorFor(u), u.ID, "matrice", env.Clock()); err != nil {
			t.Fatal(err)
		}
	}
	clients := map[string]*servertest.Client{}
	signIn := func(col string) *servertest.Client {
		c := env.Client()
		c.IP = "192.0.2." + strconv.Itoa(10+slices.Index(authzColumns, col))
		if col != "anon" {
			u, err := models.FindUserByEmail(ctx, env.DB, emails[col])
			if err != nil {
				t.Fatal(err)
			}
			if twofactor.TOTPRequired(u, nil) && env.TOTPSecret(u.ID) == "" {
				env.EnrolTOTP(t, u)
			}
			c.SignInAs(t, emails[col], servertest.Password)
		}
		clients[col] = c
		return c
	}
	for _, col := range authzColumns {
		signIn(col)
	}
	got := map[string][]string{}
	// send calls one route as col: the API with the caller's bearer token, never a
	// session; the stats resource with the year it requires.
	send := func(method, path, u, col string) *servertest.Response {
		if strings.HasPrefix(path, "/api/") && col != "anon" {
			if strings.HasSuffix(path, "/stats") {
				u += "?year=2025"
			}
			req := httptest.NewRequest(method, u, nil)
			req.Header.Set("Authorization", "Bearer "+tokens[col])
			return env.Client().Do(t, req)
		}
		if method == http.MethodGet {
			return clients[col].Get(t, u)
		}
		return clients[col].PostForm(t, u, url.Values{})
	}
	call := func(route, col string) string {
		method, path, _ := strings.Cut(route, " ")
		u := fillParams(path, params)
		c := clients[col]
		resp := send(method, path, u, col)
		ans := strconv.Itoa(resp.Status)
		switch {
		case resp.Status >= 500:
			t.Errorf("%s %s as %s: server error %d", method, u, col, resp.Status)
		case resp.Status == http.StatusSeeOther && strings.HasPrefix(resp.Location, "/login") && path != "/login":
			ans = "login"
		case method == http.MethodPost && resp.Status != http.StatusUnauthorized && resp.Status != http.StatusForbidden && resp.Status != http.StatusNotFound:
			ans = "ok"
		}
		// Another commission's object answers as an object that does not exist.
		if col == "other" && strings.Contains(path, ":") && !strings.Contains(path, ":token") {
			m := send(method, path, fillParams(path, missingParams), col)
			if m.Status != resp.Status || digits.ReplaceAllString(m.Location, "N") != digits.ReplaceAllString(resp.Location, "N") {
				t.Errorf("%s %s as another commission's secretariat: %d %q, but %d %q for a missing object", method, u, resp.Status, resp.Location, m.Status, m.Location)
			}
		}
		if col != "anon" && path != "/logout" && ans == "login" {
			if home := c.Get(t, "/"); home.Status != http.StatusOK {
				signIn(col) // signed out by the call: sign in again for the next ones
			}
		}
		return ans
	}
	// POST /logout ends the session: each column calls it last.
	order := slices.Clone(routes)
	slices.SortStableFunc(order, func(a, b string) int {
		return boolCmp(a == "POST /logout", b == "POST /logout")
	})
	for _, method := range []string{http.MethodGet, http.MethodPost} {
		for _, col := range authzColumns {
			for _, r := range order {
				if strings.HasPrefix(r, method+" ") {
					got[r] = append(got[r], call(r, col))
				}
			}
		}
	}
	// The API gives a session's results to whoever may read its procès-verbal, and to
	// nobody else (found by this test: a member holding a seat on the day of a session
	// they were not convened to read its results through the API, not its minutes).
	for i, col := range authzColumns {
		api, page := got["GET /api/v1/meetings/:id/results"][i], got["GET /seances/:id/pv"][i]
		if col != "anon" && (api == "200") != (page == "200") {
			t.Errorf("as %s: the results of a session answer %s through the API, its procès-verbal %s", col, api, page)
		}
	}
	if *updateAuthz {
		writeAuthzMatrix(t, routes, got)
		return
	}
	for _, r := range routes {
		w, ok := want[r]
		if !ok {
			continue
		}
		for i, col := range authzColumns {
			if got[r][i] != w[i] {
				t.Errorf("%s as %s: answered %s, %s expects %s", r, col, got[r][i], authzMatrixPath, w[i])
			}
		}
	}
}

// authzParams returns the value of each route parameter: objects of the demo
// commission a caller of each role may have reason to ask for (the next convened
// session and a file on its agenda, a held session with its approved minutes and a vote,
// the written deliberation, a parcours with a period, an attachment…).
func authzParams(t *testing.T, env *servertest.Env, s *demo.Seeder) map[string]string {
	t.Helper()
	ctx := context.Background()
	cid := s.Commission.ID
	one := func(query string, args ...any) string {
		t.Helper()
		var id int64
		err := env.DB.QueryRowContext(ctx, query, args...).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return "999999" // the demo has none (attachments): the route answers for a missing object
		}
		if err != nil {
			t.Fatalf("%s: %v", query, err)
		}
		return strconv.FormatInt(id, 10)
	}
	next := one("SELECT id FROM meetings WHERE commission_id = ? AND status = ? ORDER BY starts_at LIMIT 1", cid, meetings.MeetingConvened)
	held := one("SELECT id FROM meetings WHERE commission_id = ? AND status = ? ORDER BY starts_at DESC LIMIT 1", cid, meetings.MeetingMinutesApproved)
	file := one("SELECT file_id FROM agenda_items WHERE meeting_id = ? AND file_id IS NOT NULL ORDER BY position LIMIT 1", next)
	parcours := one("SELECT id FROM parcours WHERE commission_id = ? ORDER BY id LIMIT 1", cid)
	member := s.Users[demo.MemberEmail(17)]
	return map[string]string{
		"next": next, "held": held, "file": file, "cid": strconv.FormatInt(cid, 10),
		"item":         one("SELECT id FROM agenda_items WHERE meeting_id = ? ORDER BY position LIMIT 1", next),
		"vote":         one("SELECT id FROM sitting_votes WHERE meeting_id = ? ORDER BY id LIMIT 1", held),
		"deliberation": one("SELECT id FROM written_deliberations WHERE commission_id = ? ORDER BY id DESC LIMIT 1", cid),
		"parcours":     parcours,
		"period":       one("SELECT id FROM parcours_periods WHERE parcours_id = ? ORDER BY id LIMIT 1", parcours),
		"attachment":   one("SELECT id FROM attachments WHERE commission_id = ? ORDER BY id LIMIT 1", cid),
		"seat":         one("SELECT id FROM seats WHERE commission_id = ? ORDER BY id LIMIT 1", cid),
		"mandate":      one("SELECT id FROM mandates WHERE commission_id = ? ORDER BY id LIMIT 1", cid),
		"association":  strconv.FormatInt(s.Associations[0].ID, 10),
		"user":         strconv.FormatInt(member.ID, 10),
	}
}

var (
	routeParam = regexp.MustCompile(`:[a-z]+`)
	digits     = regexp.MustCompile(`[0-9]+`)
)

// paramByName and paramAfter choose the value of a route parameter: by its name, or
// else by the path segment before it.
var (
	paramByName = map[string]string{"cid": "cid", "item": "item", "vote": "vote", "aid": "attachment", "pid": "period"}
	paramAfter  = map[string]string{"dossiers": "file", "sitting": "held", "votes": "vote", "deliberations": "deliberation",
		"parcours": "parcours", "sieges": "seat", "mandats": "mandate", "associations": "association", "personnes": "user",
		"comptes": "user", "bodies": "cid", "meetings": "held"}
	paramFixed = map[string]string{"token": "jeton-inconnu", "name": "housekeeping", "year": "2025"}
)

// fillParams replaces a route's parameters with p's values, chosen by the path.
func fillParams(path string, p map[string]string) string {
	seg := strings.Split(path, "/")
	for i, s := range seg {
		if !strings.HasPrefix(s, ":") {
			continue
		}
		name, suffix, _ := strings.Cut(s[1:], ".")
		v := "999999" // tokens, failed e-mails…: an object that does not exist
		switch {
		case paramFixed[name] != "":
			v = paramFixed[name]
		case paramByName[name] != "":
			v = p[paramByName[name]]
		case seg[i-1] == "seances" && strings.Contains(path, "/pv"):
			v = p["held"]
		case seg[i-1] == "seances":
			v = p["next"]
		case paramAfter[seg[i-1]] != "":
			v = p[paramAfter[seg[i-1]]]
		}
		if suffix != "" {
			v += "." + suffix
		}
		seg[i] = v
	}
	return routeParam.ReplaceAllString(strings.Join(seg, "/"), "x")
}

// readAuthzMatrix reads the expected answers, by "METHOD /path".
func readAuthzMatrix(t *testing.T) map[string][]string {
	t.Helper()
	f, err := os.Open(authzMatrixPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	want := map[string][]string{}
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fields := strings.Fields(line)
		if len(fields) != 2+len(authzColumns) {
			t.Fatalf("%s:%d: want METHOD PATH and %d answers, got %q", authzMatrixPath, n, len(authzColumns), line)
		}
		want[fields[0]+" "+fields[1]] = fields[2:]
	}
	return want
}

// writeAuthzMatrix writes the observed answers in the file's format.
func writeAuthzMatrix(t *testing.T, routes []string, got map[string][]string) {
	t.Helper()
	var b strings.Builder
	b.WriteString(`# The authorization matrix: for every route of the route table (app/server/routes.go), the
# answer expected for each caller, checked by TestAuthorizationMatrix on the demo data.
# Callers: anon (not signed in), the demo commission's accounts of each role (member:
# membre01, convened to the demo's sessions; unconvened: a member holding a seat for
# two years, convened to none of them), and
# "other", the secretariat of another commission asking for the demo commission's objects.
# The API (/api/v1) is called with an API token of the caller instead of a session.
# For "other", every route on an object is also called with ids that do not exist: the
# answers must be the same (another commission's objects are as if missing).
# Answers: an HTTP status; "login": sent to the sign-in page; "ok" (POST): let through
# the access check (the handler then answers the empty form as it does).
# Route parameters are objects of the demo commission (see authzParams): the next
# convened session and a file on its agenda, the last session with approved minutes
# and one of its votes, the written deliberation, a parcours, an attachment, the
# account of membre17; tokens and failed e-mails do not exist (999999, "jeton-inconnu").
`)
	fmt.Fprintf(&b, "#\n# %-6s %-58s", "method", "path")
	for _, c := range authzColumns {
		fmt.Fprintf(&b, " %-11s", c)
	}
	b.WriteString("\n")
	for _, r := range routes {
		method, path, _ := strings.Cut(r, " ")
		fmt.Fprintf(&b, "%-8s %-58s", method, path)
		for _, a := range got[r] {
			fmt.Fprintf(&b, " %-11s", a)
		}
		b.WriteString("\n")
	}
	lines := strings.Split(b.String(), "\n")
	for i := range lines {
		lines[i] = strings.TrimRight(lines[i], " ")
	}
	if err := os.WriteFile(authzMatrixPath, []byte(strings.Join(lines, "\n")), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("wrote %s: review the diff", authzMatrixPath)
}

func boolCmp(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return 1
	}
	return -1
}
