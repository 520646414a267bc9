package server_test

// Hostile input over HTTP (issue 18 point 4): script payloads, spreadsheet formulas,
// SQL-injection strings, malformed and oversized requests, path traversal and header
// injection, sent through the real router on the demo data, and every output that shows
// them read back (HTML, Excel, PDF, .ics, e-mail, JSON, CSV).

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ledongthuc/pdf"
	"github.com/xuri/excelize/v2"

	"seance/app/api"
	"seance/app/demo"
	"seance/app/mail/mailtest"
	"seance/app/servertest"
	"seance/models"
	"seance/models/files"
	"seance/models/meetings"
	"seance/models/modelstest"
	"seance/models/sitting"
)

// scriptPayloads are what an attacker types into a free text field, hoping that a page,
// a spreadsheet, a PDF, a calendar or an e-mail runs it.
var scriptPayloads = []string{
	`<script>alert(1)</script>`,
	`"><img src=x onerror=alert(1)>`,
	`javascript:alert(1)`,
	`{{.}}`,
	`=HYPERLINK("http://x.example","y")`,
	`=cmd|' /C calc'!A0`,
	`+33 1 23 45 67 89`,
	`-2+3`,
	`@SUM(A1:A2)`,
}

// sqlPayloads are SQL-injection strings.
var sqlPayloads = []string{`' OR 1=1--`, `1; DROP TABLE users`, `%' --`}

// hostile is the demo data with the in-process SMTP server, the route parameters of
// the authorization matrix and the demo secretariat signed in.
type hostile struct {
	env    *servertest.Env
	seed   *demo.Seeder
	smtp   *mailtest.Server
	params map[string]string
	sec    *servertest.Client
	token  string // an API token of the secretariat
	other  *models.Commission
	addr   string // where the application listens, once overTheWire started it
}

func newHostile(t *testing.T) *hostile {
	t.Helper()
	ctx := context.Background()
	srv := mailtest.NewServer(t)
	env := servertest.NewBareWithEnv(t, srv.Env())
	s := &demo.Seeder{DB: env.DB, Keys: env.Config.Keys, Now: env.Clock(), PasswordHash: servertest.PasswordHash(t)}
	if err := demo.Seed(ctx, s); err != nil {
		t.Fatal(err)
	}
	h := &hostile{env: env, seed: s, smtp: srv, params: authzParams(t, env, s)}
	h.other = modelstest.Commission(t, env.DB, "09")
	h.sec = h.signIn(t, demo.EmailSecretariat)
	u, err := models.FindUserByEmail(ctx, env.DB, demo.EmailSecretariat)
	if err != nil {
		t.Fatal(err)
	}
	if h.token, err = models.CreateAPIToken(ctx, env.DB, models.ActorFor(u), u.ID, "hostile", env.Clock()); err != nil {
		t.Fatal(err)
	}
	return h
}

func (h *hostile) signIn(t *testing.T, email string) *servertest.Client {
	t.Helper()
	return h.env.SignedIn(t, email)
}

func (h *hostile) api(t *testing.T, path string) *servertest.Response {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	req.Header.Set("Authorization", "Bearer "+h.token)
	return h.env.Client().Do(t, req)
}

// overTheWire sends req, anonymous, to the application listening on a loopback port.
func (h *hostile) overTheWire(t *testing.T, req *http.Request) *servertest.Response {
	t.Helper()
	if h.addr == "" {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		go func() { _ = h.env.App.Listener(ln) }()
		t.Cleanup(func() { _ = ln.Close() })
		h.addr = ln.Addr().String()
	}
	out, err := http.NewRequest(req.Method, "http://"+h.addr+req.URL.RequestURI(), req.Body)
	if err != nil {
		t.Fatal(err)
	}
	out.Header = req.Header.Clone()
	out.ContentLength = req.ContentLength
	resp, err := http.DefaultClient.Do(out)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return &servertest.Response{Status: resp.StatusCode, Body: string(body), Header: resp.Header, Location: resp.Header.Get("Location")}
}

// leak lists the signs of an answer that shows the server's insides.
var leak = regexp.MustCompile(`goroutine \d+|panic:|runtime error|\.go:\d+|SQLSTATE|sqlite|syntax error at`)

// wantClean fails unless r is a French page or a JSON error below 500 showing nothing of
// the server's insides.
func wantClean(t *testing.T, what string, r *servertest.Response) {
	t.Helper()
	if r.Status >= 500 {
		t.Errorf("%s: server error %d\n%.300s", what, r.Status, r.Body)
	}
	if m := leak.FindString(r.Body); m != "" {
		t.Errorf("%s: the answer shows the server's insides (%q)", what, m)
	}
	if r.Status >= 400 {
		ct := r.Header.Get("Content-Type")
		switch {
		case strings.HasPrefix(ct, "application/json"), strings.HasPrefix(ct, "application/problem+json"):
			if !json.Valid([]byte(r.Body)) {
				t.Errorf("%s: %d with a JSON content type but no JSON: %.200s", what, r.Status, r.Body)
			}
		case strings.HasPrefix(ct, "text/html"):
			if !strings.Contains(r.Body, `lang="fr"`) {
				t.Errorf("%s: %d error page is not a French page: %.200s", what, r.Status, r.Body)
			}
		default:
			t.Errorf("%s: %d answered as %q, want a French page or JSON: %.200s", what, r.Status, ct, r.Body)
		}
	}
}

// wantEscaped checks that an HTML page holds each payload escaped, never raw.
func wantEscaped(t *testing.T, what string, r *servertest.Response, payloads []string) {
	t.Helper()
	if r.Status != http.StatusOK {
		t.Fatalf("%s: %d\n%.300s", what, r.Status, r.Body)
	}
	text := html.UnescapeString(r.Body)
	for _, p := range payloads {
		if strings.ContainsAny(p, `<>"`) && strings.Contains(r.Body, p) {
			t.Errorf("%s shows %q unescaped", what, p)
		}
		if !strings.Contains(text, p) {
			t.Errorf("%s does not show %q", what, p)
		}
	}
	for _, bad := range []string{"<script>alert", "<img src=x", `href="javascript:`, `src="javascript:`} {
		if strings.Contains(r.Body, bad) {
			t.Errorf("%s holds %q", what, bad)
		}
	}
}

// xlsxTexts opens a workbook, fails on any formula cell, and returns every cell's value.
func xlsxTexts(t *testing.T, what string, r *servertest.Response) []string {
	t.Helper()
	if r.Status != http.StatusOK {
		t.Fatalf("%s: %d\n%.300s", what, r.Status, r.Body)
	}
	f, err := excelize.OpenReader(strings.NewReader(r.Body))
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	defer f.Close()
	var values []string
	for _, sheet := range f.GetSheetList() {
		rows, err := f.GetRows(sheet, excelize.Options{RawCellValue: true})
		if err != nil {
			t.Fatal(err)
		}
		for y, row := range rows {
			for x, v := range row {
				cell, _ := excelize.CoordinatesToCellName(x+1, y+1)
				if formula, err := f.GetCellFormula(sheet, cell); err != nil || formula != "" {
					t.Errorf("%s: %s!%s is a formula %q (%v)", what, sheet, cell, formula, err)
				}
				if v != "" {
					values = append(values, v)
				}
			}
		}
	}
	return values
}

// wantCells checks that each payload is the literal text of a cell, or of part of one.
func wantCells(t *testing.T, what string, values []string, payloads []string) {
	t.Helper()
	for _, p := range payloads {
		if !slices.ContainsFunc(values, func(v string) bool { return strings.Contains(v, p) }) {
			t.Errorf("%s: no cell holds %q literally", what, p)
		}
	}
}

func pdfAllText(t *testing.T, what string, r *servertest.Response) string {
	t.Helper()
	if r.Status != http.StatusOK {
		t.Fatalf("%s: %d\n%.300s", what, r.Status, r.Body)
	}
	rd, err := pdf.NewReader(bytes.NewReader([]byte(r.Body)), int64(len(r.Body)))
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	var sb strings.Builder
	for i := 1; i <= rd.NumPage(); i++ {
		p := rd.Page(i)
		if p.V.IsNull() {
			continue
		}
		fonts := map[string]pdf.Font{}
		for _, name := range p.Fonts() {
			fonts[name] = p.Font(name)
		}
		var enc pdf.TextEncoding
		pdf.Interpret(p.V.Key("Contents"), func(stk *pdf.Stack, op string) {
			args := make([]pdf.Value, stk.Len())
			for i := len(args) - 1; i >= 0; i-- {
				args[i] = stk.Pop()
			}
			switch op {
			case "Tf":
				enc = fonts[args[0].Name()].Encoder()
			case "Tj":
				if enc != nil {
					sb.WriteString(enc.Decode(args[0].RawString()))
				}
			}
		})
		sb.WriteString("\n")
	}
	return sb.String()
}

// TestHostileInput_ScriptPayloadsComeBackEscaped types every payload into a person's
// name (shown on the composition, the procès-verbal, the API), a session's place and its
// agenda items' titles and notes (the session page, its .ics, the convocation e-mail,
// the API), then reads every output back.
func TestHostileInput_ScriptPayloadsComeBackEscaped(t *testing.T) {
	h := newHostile(t)
	ctx := context.Background()
	cid := h.params["cid"]
	base := "/commissions/" + cid

	// The members of the commission get each payload as a name.
	var members []int64
	if err := h.env.DB.NewSelect().Table("users").Column("id").Where("commission_id = ? AND role = ?", cid, models.RoleMember).
		Order("id").Limit(int64(len(scriptPayloads))).Scan(ctx, &members); err != nil {
		t.Fatal(err)
	}
	for i, p := range scriptPayloads {
		var email string
		if err := h.env.DB.NewSelect().Table("users").Column("email").Where("id = ?", members[i]).Scan(ctx, &email); err != nil {
			t.Fatal(err)
		}
		r := h.sec.PostForm(t, base+"/personnes/"+strconv.FormatInt(members[i], 10), url.Values{"name": {p}, "email": {email}})
		if r.Status != http.StatusSeeOther {
			t.Fatalf("rename to %q: %d\n%.500s", p, r.Status, r.Body)
		}
	}
	wantEscaped(t, "the composition page", h.sec.Get(t, base+"/composition"), scriptPayloads)
	wantCells(t, "the composition workbook", xlsxTexts(t, "the composition workbook", h.sec.Get(t, base+"/composition.xlsx")), scriptPayloads)

	// API token names, on the page that lists them.
	for _, p := range scriptPayloads {
		if r := h.sec.PostForm(t, api.TokensPath, url.Values{"name": {p}}); r.Status != http.StatusOK {
			t.Fatalf("token named %q: %d\n%.500s", p, r.Status, r.Body)
		}
	}
	wantEscaped(t, "the API tokens page", h.sec.Get(t, api.TokensPath), scriptPayloads)

	// The président's contribution to an open written deliberation, on its page.
	var delibID int64
	if err := h.env.DB.QueryRowContext(ctx, "SELECT id FROM written_deliberations WHERE commission_id = ? AND status = ? ORDER BY id LIMIT 1",
		cid, sitting.DeliberationOpen).Scan(&delibID); err != nil {
		t.Fatalf("an open written deliberation of the demo: %v", err)
	}
	delib := "/deliberations/" + strconv.FormatInt(delibID, 10)
	member := h.signIn(t, demo.EmailPresident)
	if r := member.PostForm(t, delib+"/contributions", url.Values{"body": {strings.Join(scriptPayloads, "\n")}}); r.Status != http.StatusSeeOther {
		t.Fatalf("contribution: %d\n%.500s", r.Status, r.Body)
	}
	wantEscaped(t, "the written deliberation page", member.Get(t, delib), scriptPayloads)

	// The free texts of the draft procès-verbal of the last held session.
	var heldID int64
	if err := h.env.DB.QueryRowContext(ctx, "SELECT id FROM meetings WHERE commission_id = ? AND status = ? ORDER BY starts_at DESC LIMIT 1",
		cid, meetings.MeetingClosed).Scan(&heldID); err != nil {
		t.Fatal(err)
	}
	held := "/seances/" + strconv.FormatInt(heldID, 10)
	all := strings.Join(scriptPayloads, "\n")
	if r := h.sec.PostForm(t, held+"/pv/textes", url.Values{"general_items": {all}, "observations": {all}}); r.Status != http.StatusSeeOther {
		t.Fatalf("minutes texts: %d\n%.500s", r.Status, r.Body)
	}
	wantEscaped(t, "the procès-verbal page", h.sec.Get(t, held+"/pv"), scriptPayloads)
	wantCells(t, "the procès-verbal workbook", xlsxTexts(t, "the procès-verbal workbook", h.sec.Get(t, held+"/pv.xlsx")), scriptPayloads)
	text := pdfAllText(t, "the procès-verbal PDF", h.sec.Get(t, held+"/pv.pdf"))
	for _, p := range scriptPayloads {
		if !strings.Contains(text, p) {
			t.Errorf("the procès-verbal PDF does not show %q as text", p)
		}
	}
	xlsxTexts(t, "the annual workbook", h.sec.Get(t, "/statistiques/rapports/2025.xlsx"))

	// The audit journal exported as CSV: every cell a spreadsheet would read as a formula
	// is prefixed with an apostrophe.
	r := h.sec.Get(t, "/admin/audit/export")
	if r.Status != http.StatusOK {
		t.Fatalf("audit export: %d\n%.300s", r.Status, r.Body)
	}
	cr := csv.NewReader(strings.NewReader(strings.TrimPrefix(r.Body, "\ufeff")))
	cr.Comma = ';'
	cr.FieldsPerRecord = -1
	records, err := cr.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	found := 0
	for _, rec := range records {
		for _, v := range rec {
			if v != "" && strings.ContainsRune("=+-@\t\r", rune(v[0])) {
				t.Errorf("audit CSV cell %q would be read as a formula", v)
			}
			if strings.HasPrefix(v, `'=HYPERLINK("http://x.example","y")`) {
				found++
			}
		}
	}
	if found == 0 {
		t.Error("the audit CSV does not hold the renamed person as text after an apostrophe")
	}

	// A new session: the place, agenda items' titles and notes.
	day := h.env.Clock().AddDate(0, 2, 0)
	for day.Weekday() != time.Tuesday {
		day = day.AddDate(0, 0, 1)
	}
	r = h.sec.PostForm(t, "/seances", url.Values{"kind": {"files"}, "mode": {"onsite"}, "date": {day.Format(time.DateOnly)},
		"start": {"14:00"}, "end": {"17:00"}, "place": {scriptPayloads[0] + " ; salle 2, " + scriptPayloads[1]}, "capacity": {"30"}})
	if r.Status != http.StatusSeeOther || !strings.HasPrefix(r.Location, "/seances/") {
		t.Fatalf("POST /seances: %d %s\n%.500s", r.Status, r.Location, r.Body)
	}
	session := r.Location
	notes := "Première ligne\r\nATTENDEE:mailto:intrus@evil.example\r\nEND:VEVENT\r\n" + scriptPayloads[0]
	for _, p := range scriptPayloads {
		r = h.sec.PostForm(t, session+"/ordre-du-jour/point", url.Values{"kind": {"other"}, "title": {p}, "notes": {notes}})
		if r.Status != http.StatusSeeOther {
			t.Fatalf("agenda item %q: %d\n%.500s", p, r.Status, r.Body)
		}
	}
	wantEscaped(t, "the session page", h.sec.Get(t, session), scriptPayloads)

	ics := h.sec.Get(t, session+"/seance.ics")
	if ics.Status != http.StatusOK {
		t.Fatalf(".ics: %d", ics.Status)
	}
	for _, line := range strings.Split(ics.Body, "\r\n") {
		if strings.HasPrefix(line, "ATTENDEE:mailto:intrus") || strings.HasPrefix(line, "X-") && strings.Contains(line, "alert") {
			t.Errorf(".ics: injected line %q", line)
		}
	}
	if n := strings.Count(ics.Body, "END:VEVENT"); n != 1 {
		t.Errorf(".ics holds END:VEVENT %d times, want 1", n)
	}

	id := strings.TrimPrefix(session, "/seances/")
	if i := strings.IndexAny(id, "/?#"); i >= 0 {
		id = id[:i]
	}
	api := h.api(t, "/api/v1/meetings/"+id)
	if api.Status != http.StatusOK || !json.Valid([]byte(api.Body)) {
		t.Fatalf("API meeting: %d %.300s", api.Status, api.Body)
	}
	// JSON needs no HTML escaping: the answer is JSON that a browser never sniffs as a page.
	if ct := api.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") || api.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("API meeting: Content-Type %q, X-Content-Type-Options %q", ct, api.Header.Get("X-Content-Type-Options"))
	}
	var decoded map[string]any
	if err := json.Unmarshal([]byte(api.Body), &decoded); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(fmt.Sprint(decoded), scriptPayloads[0]) {
		t.Errorf("API meeting: the decoded place is not the text typed: %v", decoded)
	}

	// The convocation e-mails: no injected header; plain text (an HTML part would be escaped).
	before := len(h.smtp.Messages())
	r = h.sec.PostForm(t, session+"/convocation", url.Values{})
	if r.Status != http.StatusSeeOther {
		t.Fatalf("convene: %d\n%.500s", r.Status, r.Body)
	}
	h.env.WaitMail(t, "convocation", 1)
	msgs := h.smtp.Messages()[before:]
	if len(msgs) == 0 {
		t.Fatal("no convocation reached the SMTP server")
	}
	for _, m := range msgs {
		p, err := m.Parse()
		if err != nil {
			t.Fatal(err)
		}
		for k := range p.Header {
			if strings.Contains(strings.ToLower(k), "intrus") || k == "Attendee" || k == "End" {
				t.Errorf("e-mail to %v: injected header %q", m.To, k)
			}
		}
		if strings.Contains(p.HTML, "<script>alert") || strings.Contains(p.HTML, "<img src=x") {
			t.Errorf("e-mail to %v: the HTML part holds a raw payload", m.To)
		}
		if p.HTML != "" && !strings.Contains(p.HTML, html.EscapeString(scriptPayloads[0])) {
			t.Errorf("e-mail to %v: the HTML part does not show the place escaped", m.To)
		}
		// The portal's e-mails are plain text: the place is there as typed.
		if !strings.HasPrefix(p.TextCT, "text/plain") || !strings.Contains(p.Text, scriptPayloads[0]) {
			t.Errorf("e-mail to %v: %q part without the place as typed:\n%s", m.To, p.TextCT, p.Text)
		}
	}
}

// routeCalls are the route table's GET routes and POST routes (but the sign-out), as
// the router holds them.
func routeCalls(h *hostile) []string {
	var routes []string
	for _, r := range h.env.App.GetRoutes(true) {
		if (r.Method == http.MethodGet || r.Method == http.MethodPost) && r.Path != "/logout" && !strings.HasPrefix(r.Path, "/static") {
			routes = append(routes, r.Method+" "+r.Path)
		}
	}
	slices.Sort(routes)
	return slices.Compact(routes)
}

// countRows counts the rows of the main tables.
func countRows(t *testing.T, h *hostile) map[string]int {
	t.Helper()
	n := map[string]int{}
	for _, table := range []string{"users", "commissions", "meetings", "agenda_items", "files", "audit_log", "associations"} {
		var c int
		if err := h.env.DB.QueryRowContext(context.Background(), "SELECT COUNT(*) FROM "+table).Scan(&c); err != nil {
			t.Fatalf("%s after the injections: %v", table, err)
		}
		n[table] = c
	}
	return n
}

// TestHostileInput_SQLInjectionInEveryParameter puts each SQL-injection string in every
// path parameter of every route, in the query string of every GET, and in the main form
// fields: no server error, no other commission's data, every table intact.
func TestHostileInput_SQLInjectionInEveryParameter(t *testing.T) {
	h := newHostile(t)
	before := countRows(t, h)
	calls := 0
	for _, route := range routeCalls(h) {
		method, path, _ := strings.Cut(route, " ")
		for _, inj := range sqlPayloads {
			p := map[string]string{}
			for k := range h.params {
				p[k] = url.PathEscape(inj)
			}
			u := fillParams(path, p)
			for _, fixed := range []string{"jeton-inconnu", "housekeeping", "2025"} {
				u = strings.ReplaceAll(u, "/"+fixed, "/"+url.PathEscape(inj))
			}
			q := url.Values{}
			for _, k := range []string{"q", "page", "year", "annee", "statut", "status", "commission", "type", "action", "from", "to", "before", "sort"} {
				q.Set(k, inj)
			}
			u += "?" + q.Encode()
			var r *servertest.Response
			switch {
			case strings.HasPrefix(path, "/api/"):
				r = h.api(t, u)
			case method == http.MethodGet:
				r = h.sec.Get(t, u)
			default:
				r = h.sec.PostForm(t, u, url.Values{"name": {inj}, "title": {inj}, "place": {inj}, "id": {inj}, "file": {inj}})
			}
			calls++
			wantClean(t, method+" "+u, r)
			if strings.Contains(r.Body, h.other.Name) {
				t.Errorf("%s %s shows another commission (%s)", method, u, h.other.Name)
			}
		}
	}
	// The main form fields of the secretariat.
	for _, inj := range sqlPayloads {
		r := h.sec.PostForm(t, "/seances", url.Values{"kind": {"files"}, "mode": {"onsite"}, "date": {"2027-03-02"}, "start": {"14:00"},
			"end": {"17:00"}, "place": {inj}, "capacity": {"30"}})
		wantClean(t, "POST /seances place="+inj, r)
		r = h.sec.PostForm(t, "/commissions/"+h.params["cid"]+"/personnes/"+h.params["user"], url.Values{"name": {inj}, "email": {demo.MemberEmail(17)}})
		wantClean(t, "rename to "+inj, r)
		r = h.sec.Get(t, "/commissions/"+h.params["cid"]+"/composition")
		if r.Status != http.StatusOK || !strings.Contains(r.Body, html.EscapeString(inj)) {
			t.Errorf("the name %q was not stored as typed: %d", inj, r.Status)
		}
	}
	after := countRows(t, h)
	for table, n := range before {
		if table == "audit_log" || table == "meetings" {
			continue // the sessions created and the changes recorded above
		}
		if after[table] != n {
			t.Errorf("%s: %d rows before the injections, %d after", table, n, after[table])
		}
	}
	t.Logf("%d routes × %d strings: %d calls", len(routeCalls(h)), len(sqlPayloads), calls)
}

// TestHostileInput_MalformedRequestsAnswerFrenchErrors sends path traversal, oversized
// and malformed bodies, wrong content types and hostile redirect targets.
func TestHostileInput_MalformedRequestsAnswerFrenchErrors(t *testing.T) {
	h := newHostile(t)
	for _, p := range []string{
		"/static/../go.mod", "/static/..%2fgo.mod", "/static/%2e%2e/go.mod", "/static/%2e%2e%2fgo.mod", "/static/..%5cgo.mod",
		"/static/....//go.mod", "/static/%252e%252e/go.mod", "/pieces/..%2f..%2fetc%2fpasswd", "/pieces/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
		"/static/v/x/../../../go.mod", "/%2e%2e/%2e%2e/etc/passwd", "/seances/..%2f..%2fadmin",
	} {
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		req.URL.RawPath, req.URL.Path = "", ""
		req.RequestURI = p
		req.URL, _ = url.ParseRequestURI(p)
		r := h.sec.Do(t, req)
		wantClean(t, "GET "+p, r)
		if r.Status < 400 && r.Status != http.StatusSeeOther && r.Status != http.StatusMovedPermanently {
			t.Errorf("GET %s: %d, want an error", p, r.Status)
		}
		if strings.Contains(r.Body, "module seance") || strings.Contains(r.Body, "root:x:0") {
			t.Errorf("GET %s: served a file outside the static files", p)
		}
	}

	// Hostile redirect targets after signing in are ignored.
	for _, next := range []string{"https://evil.example/", "//evil.example/", `/\evil.example`, "javascript:alert(1)"} {
		c := h.env.Client()
		c.Get(t, "/login?next="+url.QueryEscape(next))
		r := c.PostForm(t, "/login?next="+url.QueryEscape(next)+"&return="+url.QueryEscape(next)+"&retour="+url.QueryEscape(next),
			url.Values{"email": {demo.MemberEmail(2)}, "password": {servertest.Password}, "next": {next}})
		if r.Status != http.StatusSeeOther || !strings.HasPrefix(r.Location, "/") || strings.HasPrefix(r.Location, "//") || strings.HasPrefix(r.Location, `/\`) {
			t.Errorf("sign in with next=%s: %d to %q", next, r.Status, r.Location)
		}
	}

	// Oversized bodies and fields.
	big := strings.Repeat("a", 12<<20)
	req := httptest.NewRequest(http.MethodPost, "/seances", strings.NewReader("csrf="+h.sec.CSRF+"&place="+big))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r := h.sec.Do(t, req)
	wantClean(t, "12 MB form", r)
	if r.Status != http.StatusRequestEntityTooLarge {
		t.Errorf("12 MB form: %d, want 413", r.Status)
	}
	r = h.sec.PostForm(t, "/seances", url.Values{"kind": {"files"}, "mode": {"onsite"}, "date": {"2027-03-02"}, "start": {"14:00"},
		"end": {"17:00"}, "place": {strings.Repeat("é", 100_000)}, "capacity": {"30"}})
	wantClean(t, "100 000-character place", r)
	if r.Status != http.StatusUnprocessableEntity {
		t.Errorf("100 000-character place: %d, want 422", r.Status)
	}

	// Wrong content types and malformed multipart.
	for _, tc := range []struct{ ct, body string }{
		{"application/json", `{"place":"x","csrf":"` + h.sec.CSRF + `"}`},
		{"text/plain", "csrf=" + h.sec.CSRF + "&place=x"},
		{"application/xml", "<place>x</place>"},
		{"multipart/form-data", "csrf=" + h.sec.CSRF},
		{"multipart/form-data; boundary=xyz", "--xyz\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n" + h.sec.CSRF + "\r\n--xyz\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.pdf\"\r\n\r\n%PDF"},
		{"multipart/form-data; boundary=", "garbage"},
		{"application/x-www-form-urlencoded; charset=utf-16", "csrf=" + h.sec.CSRF + "&place=x"},
	} {
		for _, path := range []string{"/seances", "/dossiers/" + h.params["file"] + "/pieces", "/api/v1/me"} {
			req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(tc.body))
			req.Header.Set("Content-Type", tc.ct)
			if strings.HasPrefix(path, "/api/") {
				req.Header.Set("Authorization", "Bearer "+h.token)
			}
			var r *servertest.Response
			if strings.HasPrefix(tc.ct, "multipart/") {
				// A body the server cannot read fails before any route: app.Test reports
				// that as its own error, so it goes through a real connection.
				r = h.overTheWire(t, req)
			} else {
				r = h.sec.Do(t, req)
			}
			wantClean(t, fmt.Sprintf("POST %s as %s", path, tc.ct), r)
			if strings.Contains(r.Body, "cannot read") || strings.Contains(r.Body, "multipart/form-data body") {
				t.Errorf("POST %s as %s: the error page shows the server's English reason", path, tc.ct)
			}
			if r.Status < 400 {
				t.Errorf("POST %s as %s: %d, want a 4xx", path, tc.ct, r.Status)
			}
		}
	}

	// A file name with a line break reaches the Content-Disposition header of its download
	// as a name, never as a header.
	var fileID int64
	if err := h.env.DB.QueryRowContext(context.Background(),
		"SELECT id FROM files WHERE commission_id = ? AND state = ? ORDER BY id LIMIT 1", h.params["cid"], files.StateDraft).Scan(&fileID); err != nil {
		t.Fatalf("a draft file of the demo: %v", err)
	}
	var owner string
	if err := h.env.DB.QueryRowContext(context.Background(),
		"SELECT u.email FROM users u JOIN files f ON f.association_id = u.association_id WHERE f.id = ? ORDER BY u.id LIMIT 1", fileID).Scan(&owner); err != nil {
		t.Fatal(err)
	}
	assoc := h.signIn(t, owner)
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	_ = mw.WriteField("csrf", assoc.CSRF)
	_ = mw.WriteField("kind", "other")
	fw, _ := mw.CreatePart(map[string][]string{
		"Content-Disposition": {`form-data; name="file"; filename="avis\r\nX-Injected: oui\r\n.pdf"`},
		"Content-Type":        {"application/pdf"},
	})
	_, _ = fw.Write([]byte("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"))
	_ = mw.Close()
	req = httptest.NewRequest(http.MethodPost, fmt.Sprintf("/dossiers/%d/pieces", fileID), &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	r = assoc.Do(t, req)
	wantClean(t, "upload with a line break in its name", r)
	if r.Status != http.StatusSeeOther {
		t.Fatalf("upload with a line break in its name: %d, want it stored under a clean name\n%.500s", r.Status, r.Body)
	}
	var aid int64
	if err := h.env.DB.QueryRowContext(context.Background(), "SELECT id FROM attachments WHERE file_id = ? ORDER BY id DESC LIMIT 1", fileID).Scan(&aid); err != nil {
		t.Fatal(err)
	}
	d := assoc.Get(t, fmt.Sprintf("/pieces/%d", aid))
	cd := d.Header.Get("Content-Disposition")
	if d.Status != http.StatusOK || d.Header.Get("X-Injected") != "" || strings.ContainsAny(cd, "\r\n") || !strings.HasPrefix(cd, "attachment;") {
		t.Errorf("download: %d, Content-Disposition %q, headers %v", d.Status, cd, d.Header)
	}
}
