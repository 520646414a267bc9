package server_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"seance/app/servertest"
	"seance/app/web"
	"seance/models"
	filesmodel "seance/models/files"
	"seance/models/meetings"
	"seance/models/modelstest"
	"seance/models/sitting"
)

// fuzzEnv is a commission with a year of records (modelstest.StatsFixture), its
// secretariat signed in, a member signed in and an API token of the prefecture.
type fuzzEnv struct {
	env                *servertest.Env
	sec, member        *servertest.Client
	token              string
	posts              []string // the form routes fuzzed, ids filled in
	cid, meeting, vote string
}

func newFuzzEnv(f *testing.F) *fuzzEnv {
	env := servertest.New(f)
	modelstest.StatsFixture(f, env.DB, env.Commission)
	sealFixture(f, env)
	cid := env.Commission.ID
	fz := &fuzzEnv{env: env, cid: strconv.FormatInt(cid, 10)}
	fz.sec = env.Client()
	fz.sec.SignIn(f, models.RoleSecretariat)
	fz.member = env.Client()
	fz.member.SignIn(f, models.RolePresident)
	meeting := firstID(f, env, (*meetings.Meeting)(nil), cid)
	file := firstID(f, env, (*filesmodel.File)(nil), cid)
	parcours := firstID(f, env, (*filesmodel.Parcours)(nil), cid)
	vote := firstID(f, env, (*sitting.Vote)(nil), cid)
	token, err := models.CreateAPIToken(f.Context(), env.DB, models.SystemActor("test"), env.Users[models.RolePrefecture].ID, "fuzz", env.Clock())
	if err != nil {
		f.Fatal(err)
	}
	fz.token, fz.meeting, fz.vote = token, meeting, vote
	fz.posts = []string{
		"/seances", "/seances/" + meeting + "/modifier", "/seances/" + meeting + "/ordre-du-jour/ordre",
		"/seances/" + meeting + "/ordre-du-jour/point", "/sitting/" + meeting + "/attendance",
		"/sitting/" + meeting + "/presence", "/sitting/" + meeting + "/votes/" + vote + "/ballot",
		"/sitting/" + meeting + "/votes/" + vote + "/avis", "/commissions/" + fz.cid + "/parametres",
		"/dossiers/" + file + "/transition", "/dossiers/" + file + "/notification", "/parcours/" + parcours + "/fin",
		"/commissions/" + fz.cid + "/sieges/nouveau", "/commissions/" + fz.cid + "/associations/nouvelle",
	}
	return fz
}

// FuzzFormPosts: any body posted to the staff's forms (sessions, agenda, attendance,
// room ballots, avis, settings, file decisions, seats, associations) is answered with a
// page or a French refusal, never a server error.
func FuzzFormPosts(f *testing.F) {
	fz := newFuzzEnv(f)
	f.Add(uint8(0), "title=S%C3%A9ance&starts_on=2026-03-02&start_time=14%3A00&kind=files&mode=on_site")
	f.Add(uint8(4), "user_id=1&status=present&user_id=2&status=proxy&proxy_to=1")
	f.Add(uint8(6), "voter=1&choice=pour&choice=contre")
	f.Add(uint8(8), "quorum_rule=majority&notice_days=-5&max_files=99999999999999999999")
	f.Add(uint8(9), "transition=%00%ff&date=31/02/2026")
	f.Add(uint8(2), "order=1,1,1,-3,abc")
	f.Add(uint8(11), "reason=%3Cscript%3E&ended_on=0000-00-00")
	f.Fuzz(func(t *testing.T, route uint8, body string) {
		postRawNo5xx(t, fz.sec, fz.posts[int(route)%len(fz.posts)], body)
	})
}

// sealFixture replaces the placeholders StatsFixture stores where sealed values go (the
// statistics never open them) by values sealed with env's key, as a real database holds:
// the fuzzed pages open them, and a placeholder answered 500 on a file's notification
// form (found by FuzzFormPosts). Its placeholder dissents are dropped.
func sealFixture(f *testing.F, env *servertest.Env) {
	ctx, kr := f.Context(), env.Config.Keys
	var files []filesmodel.File
	if err := env.DB.NewSelect().Model(&files).Where("proposal_sealed = ?", "sealed").Scan(ctx); err != nil {
		f.Fatal(err)
	}
	for i := range files {
		if err := filesmodel.SealProposal(kr, &files[i], &filesmodel.Proposal{}); err != nil {
			f.Fatal(err)
		}
		if _, err := env.DB.NewUpdate().Model(&files[i]).Column("proposal_sealed").WherePK().Exec(ctx); err != nil {
			f.Fatal(err)
		}
	}
	var persons []filesmodel.Person
	if err := env.DB.NewSelect().Model(&persons).Where("identity_sealed = ?", "sealed").Scan(ctx); err != nil {
		f.Fatal(err)
	}
	for i := range persons {
		if err := filesmodel.SealIdentity(kr, &persons[i], filesmodel.Identity{LastName: "Fixture", FirstName: "Personne"}); err != nil {
			f.Fatal(err)
		}
		if _, err := env.DB.NewUpdate().Model(&persons[i]).Column("identity_sealed").WherePK().Exec(ctx); err != nil {
			f.Fatal(err)
		}
	}
	if _, err := env.DB.NewDelete().Model((*sitting.Dissent)(nil)).Where("text_sealed = ?", "sealed").Exec(ctx); err != nil {
		f.Fatal(err)
	}
}

// postRawNo5xx posts body as is (with c's CSRF token) to path and fails on a server error.
func postRawNo5xx(t *testing.T, c *servertest.Client, path, body string) {
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-CSRF-Token", c.CSRF)
	if resp := c.Do(t, req); resp.Status >= 500 {
		t.Fatalf("POST %s %q: %d", path, body, resp.Status)
	}
}

// FuzzMemberForms: the voter's forms (ballot, receipt check, declared interest) take
// any body without a server error.
func FuzzMemberForms(f *testing.F) {
	fz := newFuzzEnv(f)
	paths := []string{"/votes/" + fz.vote + "/ballot", "/votes/receipt", "/votes/interest", "/votes/" + fz.vote + "/dissent"}
	f.Add(uint8(0), "choice=pour&acting_for=0")
	f.Add(uint8(0), "choice=pour&acting_for=-1")
	f.Add(uint8(1), "receipt=3f2a+9c1d+0b7e+44aa")
	f.Add(uint8(1), "receipt=%E2%80%AE%00")
	f.Add(uint8(2), "file=99999999999999999999&interest=1")
	f.Add(uint8(3), "dissent="+strings.Repeat("x", 5000))
	f.Fuzz(func(t *testing.T, route uint8, body string) {
		postRawNo5xx(t, fz.member, paths[int(route)%len(paths)], body)
	})
}

// FuzzAPIQuery: any query string on the API's lists and statistics is answered in JSON
// (data, or an error with a French message), never a server error.
func FuzzAPIQuery(f *testing.F) {
	fz := newFuzzEnv(f)
	paths := []string{"/api/v1/bodies", "/api/v1/bodies/" + fz.cid + "/meetings", "/api/v1/bodies/" + fz.cid + "/stats",
		"/api/v1/meetings/" + fz.meeting + "/results"}
	f.Add(uint8(2), "year=2025")
	f.Add(uint8(2), "year=-1")
	f.Add(uint8(2), "year=99999999999999999999")
	f.Add(uint8(1), "limit=0&cursor=%%%")
	f.Add(uint8(1), "limit=1000000&cursor=AAAA")
	f.Add(uint8(0), "cursor=eyJpZCI6LTF9")
	f.Fuzz(func(t *testing.T, route uint8, query string) {
		path := paths[int(route)%len(paths)] + "?" + query
		req, err := http.NewRequest(http.MethodGet, "http://seance.test"+path, nil)
		if err != nil {
			return // not a request a client can send
		}
		req.RequestURI = ""
		req.Header.Set("Authorization", "Bearer "+fz.token)
		resp := fz.env.Client().Do(t, req)
		if resp.Status >= 500 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/") {
			t.Fatalf("GET %s: %d %s", path, resp.Status, resp.Header.Get("Content-Type"))
		}
	})
}

// TestHostileInput_NulAndInvalidUTF8Refused: found by FuzzMemberForms, a receipt typed
// with a NUL byte reached the database and failed as a server error (PostgreSQL refuses
// NUL in text). Every form value and query parameter with a NUL byte or invalid UTF-8
// is now refused up front with a French message, and nothing is recorded.
func TestHostileInput_NulAndInvalidUTF8Refused(t *testing.T) {
	e := servertest.New(t)
	c := e.Client()
	c.SignIn(t, models.RolePresident)
	for _, tc := range []struct{ method, path, body string }{
		{"POST", "/votes/receipt", "receipt=%E2%80%AE%00"},
		{"POST", "/votes/receipt", "receipt=%FF%FE"},
		{"POST", "/votes/receipt", "rec%00eipt=1"},
		{"GET", "/seances?annee=%00", ""},
		{"GET", "/seances?annee=%C3%28", ""},
	} {
		req := httptest.NewRequest(tc.method, tc.path, strings.NewReader(tc.body))
		if tc.method == "POST" {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("X-CSRF-Token", c.CSRF)
		}
		resp := c.Do(t, req)
		if resp.Status != http.StatusBadRequest || !strings.Contains(resp.Body, "caractère nul ou un texte mal encodé") {
			t.Errorf("%s %s %q: %d, want 400 with the French message", tc.method, tc.path, tc.body, resp.Status)
		}
	}
	if resp := c.PostForm(t, "/votes/receipt", url.Values{"receipt": {"3f2a 9c1d"}}); resp.Status >= 500 || resp.Status == http.StatusBadRequest {
		t.Errorf("an ordinary receipt check answered %d", resp.Status)
	}
}

// FuzzSessionCookie: a forged, truncated or hostile session cookie (and the session
// record it may name) never signs anybody in and never causes a server error.
func FuzzSessionCookie(f *testing.F) {
	e := servertest.New(f)
	c := e.Client()
	c.SignIn(f, models.RoleSecretariat)
	f.Add("")
	f.Add("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
	f.Add("../../etc/passwd")
	f.Add("%00%ff;seance_session=x")
	f.Add(strings.Repeat("z", 3000))
	f.Fuzz(func(t *testing.T, cookie string) {
		if len(cookie) > 3500 || strings.ContainsAny(cookie, "\r\n") {
			return // refused by the HTTP server's header reader before the portal sees it
		}
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		req.Header.Set("Cookie", web.CookieName+"="+cookie)
		resp := e.Client().Do(t, req)
		if resp.Status >= 500 || resp.Status == http.StatusOK {
			t.Fatalf("cookie %q: %d (want the sign-in page)", cookie, resp.Status)
		}
	})
}
