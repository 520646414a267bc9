package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"seance/app/api"
	"seance/app/servertest"
	"seance/models"
	"seance/models/meetings"
	"seance/models/modelstest"
)

// call sends GET path with the token (none when empty) and extra headers, name/value.
func call(t *testing.T, env *servertest.Env, token, path string, header ...string) *servertest.Response {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	return env.Client().Do(t, req)
}

// apiError returns the French message of a JSON error, failing the test if the body is
// not one.
func apiError(t *testing.T, r *servertest.Response) string {
	t.Helper()
	var e struct {
		Error  string `json:"error"`
		Status int    `json:"status"`
	}
	if err := json.Unmarshal([]byte(r.Body), &e); err != nil || e.Error == "" || e.Status != r.Status {
		t.Fatalf("status %d: body is not a JSON error with its status: %v\n%s", r.Status, err, r.Body)
	}
	return e.Error
}

func decode[T any](t *testing.T, r *servertest.Response) T {
	t.Helper()
	var v T
	if err := json.Unmarshal([]byte(r.Body), &v); err != nil {
		t.Fatalf("decode %T: %v\n%s", v, err, r.Body)
	}
	return v
}

var secretRE = regexp.MustCompile(`sea_[A-Za-z0-9_-]{43}`)

func TestTokenLifecycle(t *testing.T) {
	env := servertest.New(t)
	ctx := context.Background()
	c := env.Client()
	owner := c.SignIn(t, models.RolePrefecture)

	if r := c.Get(t, api.TokensPath); r.Status != http.StatusOK || !strings.Contains(r.Body, "Vous n'avez encore créé aucun jeton") {
		t.Fatalf("GET %s = %d, want the empty list\n%s", api.TokensPath, r.Status, r.Body)
	}
	for _, tt := range []struct{ name, want string }{
		{"   ", "Donnez un nom au jeton"},
		{strings.Repeat("x", models.MaxAPITokenName+1), "ne peut dépasser 100 caractères"},
	} {
		r := c.PostForm(t, api.TokensPath, url.Values{"name": {tt.name}})
		if r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, tt.want) {
			t.Errorf("create a token named %.20q = %d, want 422 with %q", tt.name, r.Status, tt.want)
		}
	}

	r := c.PostForm(t, api.TokensPath, url.Values{"name": {"  Export   annuel préfecture "}})
	secret := secretRE.FindString(r.Body)
	if r.Status != http.StatusOK || secret == "" {
		t.Fatalf("create a token = %d, want 200 showing the secret\n%s", r.Status, r.Body)
	}
	if cc := r.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("the page showing the secret has Cache-Control %q, want no-store", cc)
	}
	var tok models.APIToken
	if err := env.DB.NewSelect().Model(&tok).Where("user_id = ?", owner.ID).Scan(ctx); err != nil {
		t.Fatal(err)
	}
	if tok.Name != "Export annuel préfecture" || tok.TokenHash != models.HashToken(secret) || strings.Contains(tok.TokenHash, secret) || tok.LastUsedAt != nil {
		t.Errorf("stored token = name %q hash %q last use %v; want the tidy name, the secret's SHA-256 only, never used", tok.Name, tok.TokenHash, tok.LastUsedAt)
	}
	if n, err := env.DB.NewSelect().Model((*models.AuditRecord)(nil)).Where("action = 'token.create' AND object = ?", models.ObjectRef("api_token", tok.ID)).Count(ctx); err != nil || n != 1 {
		t.Errorf("audit records of the creation = %d, %v; want 1", n, err)
	}
	if r := c.Get(t, api.TokensPath); strings.Contains(r.Body, secret) {
		t.Error("the list shows the secret again")
	}

	// Use: the call runs as the owner and records the last use, at most once a minute.
	firstUse := env.Clock()
	if r := call(t, env, secret, "/api/v1/me"); r.Status != http.StatusOK || decode[api.Me](t, r).Email != owner.Email {
		t.Fatalf("GET /api/v1/me = %d, want the owner\n%s", r.Status, r.Body)
	}
	lastUse := func() time.Time {
		t.Helper()
		var got models.APIToken
		if err := env.DB.NewSelect().Model(&got).Where("id = ?", tok.ID).Scan(ctx); err != nil || got.LastUsedAt == nil {
			t.Fatalf("token after a call: last use %v, %v", got.LastUsedAt, err)
		}
		return got.LastUsedAt.UTC()
	}
	if got := lastUse(); !got.Equal(firstUse) {
		t.Errorf("last use = %v, want %v", got, firstUse)
	}
	env.Advance(30 * time.Second)
	call(t, env, secret, "/api/v1/me")
	if got := lastUse(); !got.Equal(firstUse) {
		t.Errorf("last use 30 s later = %v, want still %v (written once a minute)", got, firstUse)
	}
	env.Advance(2 * time.Minute)
	call(t, env, secret, "/api/v1/me")
	if got := lastUse(); !got.Equal(env.Clock()) {
		t.Errorf("last use 2 min later = %v, want %v", got, env.Clock())
	}
	if r := c.Get(t, api.TokensPath); !strings.Contains(r.Body, "Export annuel préfecture") || strings.Contains(r.Body, "Jamais utilisé") || !strings.Contains(r.Body, "Actif") {
		t.Errorf("the list does not show the token as used and active\n%s", r.Body)
	}

	// Another account cannot revoke it.
	other := env.Client()
	other.SignIn(t, models.RoleMember)
	revoke := fmt.Sprintf("%s/%d/revoquer", api.TokensPath, tok.ID)
	if r := other.PostForm(t, revoke, nil); r.Status != http.StatusNotFound {
		t.Errorf("another account revoking the token = %d, want 404", r.Status)
	}
	if r := call(t, env, secret, "/api/v1/me"); r.Status != http.StatusOK {
		t.Fatalf("token after another account's attempt = %d, want 200", r.Status)
	}

	// Revocation: 401 at once, as JSON with a French message.
	if r := c.PostForm(t, revoke, nil); r.Status != http.StatusSeeOther || r.Location != api.TokensPath {
		t.Fatalf("revoke = %d to %q, want 303 to the list", r.Status, r.Location)
	}
	r = call(t, env, secret, "/api/v1/me")
	if r.Status != http.StatusUnauthorized || apiError(t, r) != "Jeton d'API invalide ou révoqué." || !strings.HasPrefix(r.Header.Get("WWW-Authenticate"), "Bearer") {
		t.Errorf("call with a revoked token = %d %q (WWW-Authenticate %q), want 401", r.Status, r.Body, r.Header.Get("WWW-Authenticate"))
	}
	if r := c.Get(t, api.TokensPath); !strings.Contains(r.Body, "Révoqué le") || !strings.Contains(r.Body, "Le jeton est révoqué") {
		t.Errorf("the list does not show the revocation\n%s", r.Body)
	}
	if r := c.PostForm(t, revoke, nil); r.Status != http.StatusSeeOther {
		t.Errorf("revoking again = %d, want 303 (nothing to do)", r.Status)
	}
	if n, err := env.DB.NewSelect().Model((*models.AuditRecord)(nil)).Where("action = 'token.revoke'").Count(ctx); err != nil || n != 1 {
		t.Errorf("audit records of the revocation = %d, %v; want 1", n, err)
	}

	// At most MaxAPITokens active tokens; a deactivated account's tokens stop working.
	for i := range models.MaxAPITokens {
		if _, err := models.CreateAPIToken(ctx, env.DB, models.ActorFor(owner), owner.ID, fmt.Sprintf("script %d", i), env.Clock()); err != nil {
			t.Fatal(err)
		}
	}
	if r := c.PostForm(t, api.TokensPath, url.Values{"name": {"un de trop"}}); r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "le maximum") {
		t.Errorf("an 11th active token = %d, want 422 naming the maximum", r.Status)
	}
	live := newToken(t, env, env.Users[models.RoleSecretariat])
	if err := models.SetUserActive(ctx, env.DB, models.SystemActor("test"), env.Users[models.RoleSecretariat].ID, false, env.Clock()); err != nil {
		t.Fatal(err)
	}
	if r := call(t, env, live, "/api/v1/bodies"); r.Status != http.StatusUnauthorized {
		t.Errorf("token of a deactivated account = %d, want 401", r.Status)
	}
}

// TestTokenReachesOnlyTheAPI: a token opens no page and posts no form; the API takes no
// session cookie.
func TestTokenReachesOnlyTheAPI(t *testing.T) {
	env := servertest.New(t)
	secret := newToken(t, env, env.Users[models.RoleSecretariat])

	req := httptest.NewRequest(http.MethodGet, "/statistiques", nil)
	req.Header.Set("Authorization", "Bearer "+secret)
	if r := env.Client().Do(t, req); r.Status != http.StatusSeeOther || r.Location != "/login" {
		t.Errorf("a page with a token = %d to %q, want the sign-in redirect", r.Status, r.Location)
	}
	req = httptest.NewRequest(http.MethodPost, api.TokensPath, strings.NewReader("name=pirate"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Authorization", "Bearer "+secret)
	if r := env.Client().Do(t, req); r.Status != http.StatusForbidden {
		t.Errorf("a form posted with a token = %d, want 403 (no CSRF token, no session)", r.Status)
	}
	if n, err := env.DB.NewSelect().Model((*models.APIToken)(nil)).Count(context.Background()); err != nil || n != 1 {
		t.Errorf("tokens after the forged post = %d, %v; want 1", n, err)
	}

	browser := env.Client()
	browser.SignIn(t, models.RoleSecretariat)
	r := browser.Get(t, "/api/v1/bodies")
	if r.Status != http.StatusUnauthorized || !strings.Contains(apiError(t, r), "Jeton d'API requis") || r.Header.Get("Set-Cookie") != "" {
		t.Errorf("the API with a session cookie = %d (Set-Cookie %q), want 401 asking for a token", r.Status, r.Header.Get("Set-Cookie"))
	}
	for _, h := range []string{"", "Basic c2VjcmV0", "Bearer ", "Bearer sea_faux"} {
		req := httptest.NewRequest(http.MethodGet, "/api/v1/bodies", nil)
		if h != "" {
			req.Header.Set("Authorization", h)
		}
		r := env.Client().Do(t, req)
		if r.Status != http.StatusUnauthorized || r.Header.Get("WWW-Authenticate") == "" {
			t.Errorf("Authorization %q = %d (WWW-Authenticate %q), want 401 with a challenge", h, r.Status, r.Header.Get("WWW-Authenticate"))
		}
		apiError(t, r)
	}
	req = httptest.NewRequest(http.MethodPost, "/api/v1/bodies", nil)
	req.Header.Set("Authorization", "Bearer "+secret)
	if r := env.Client().Do(t, req); r.Status < 400 || r.Status == http.StatusOK {
		t.Errorf("POST /api/v1/bodies = %d, want a refusal", r.Status)
	} else {
		apiError(t, r)
	}
	if r := call(t, env, "", "/api/v1/openapi.json"); r.Status != http.StatusOK || !strings.Contains(r.Body, `"openapi":"3.0.3"`) {
		t.Errorf("GET /api/v1/openapi.json without a token = %d, want the document", r.Status)
	}
}

func TestRateLimitPerToken(t *testing.T) {
	env := servertest.New(t)
	u := env.Users[models.RolePrefecture]
	first, second := newToken(t, env, u), newToken(t, env, u)
	for i := range api.RateLimit {
		if r := call(t, env, first, "/api/v1/me"); r.Status != http.StatusOK {
			t.Fatalf("call %d = %d, want 200", i+1, r.Status)
		}
	}
	r := call(t, env, first, "/api/v1/me")
	if r.Status != http.StatusTooManyRequests || !strings.Contains(apiError(t, r), "Trop de requêtes pour ce jeton") || r.Header.Get("Retry-After") == "" {
		t.Errorf("call %d = %d (Retry-After %q), want 429 as JSON", api.RateLimit+1, r.Status, r.Header.Get("Retry-After"))
	}
	if r := call(t, env, second, "/api/v1/me"); r.Status != http.StatusOK {
		t.Errorf("another token of the same account = %d, want 200 (one allowance per token)", r.Status)
	}
}

// tenants is commission 31 (env.Commission, region 76) with a planned session, and
// commission 09 (region 76) and 75 (region 11), each with a session and its own users.
type tenants struct {
	env      *servertest.Env
	a, b, c  *models.Commission
	mA, mB   *meetings.Meeting
	tokens   map[models.Role]string // of commission 31 (and admin, region 76)
	otherTok map[models.Role]string // of commission 09
}

func newTenants(t *testing.T) *tenants {
	t.Helper()
	env := servertest.New(t)
	ctx := context.Background()
	tt := &tenants{env: env, a: env.Commission, b: modelstest.Commission(t, env.DB, "09"), tokens: map[models.Role]string{}, otherTok: map[models.Role]string{}}
	tt.c = &models.Commission{Department: "75", Region: "11", Name: "Commission départementale 75", ArreteRef: "arrêté test 75"}
	if err := models.CreateCommission(ctx, env.DB, models.SystemActor("test"), tt.c, env.Clock()); err != nil {
		t.Fatal(err)
	}
	plan := func(cm *models.Commission) *meetings.Meeting {
		in := meetings.MeetingInput{Kind: meetings.MeetingPolicy, Mode: meetings.ModeOnSite, StartsAt: env.Clock().AddDate(0, 0, 20), Place: "Préfecture"}
		m, err := meetings.CreateMeeting(ctx, env.DB, models.SystemActor("test"), cm.ID, in, env.Clock())
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	tt.mA, tt.mB = plan(tt.a), plan(tt.b)
	for _, r := range models.Roles {
		tt.tokens[r] = newToken(t, env, env.Users[r])
	}
	for _, r := range []models.Role{models.RoleSecretariat, models.RolePresident, models.RoleMember, models.RoleAssociation, models.RolePrefecture} {
		tt.otherTok[r] = newToken(t, env, modelstest.User(t, env.DB, tt.b, r, nil))
	}
	return tt
}

func id(n int64) string { return strconv.FormatInt(n, 10) }

func TestRolesMirrorThePages(t *testing.T) {
	tt := newTenants(t)
	year := id(int64(tt.env.Clock().Year()))
	bodyA, mA := "/api/v1/bodies/"+id(tt.a.ID), "/api/v1/meetings/"+id(tt.mA.ID)
	const (
		ok   = http.StatusOK
		no   = http.StatusForbidden
		none = http.StatusNotFound
	)
	// Rows: the status each role gets, in the order of models.Roles:
	// admin, secretariat, president, member, association, prefecture, region.
	for _, row := range []struct {
		path string
		want [7]int
	}{
		{"/api/v1/bodies", [7]int{ok, ok, ok, ok, ok, ok, ok}},
		{bodyA, [7]int{ok, ok, ok, ok, ok, ok, ok}},
		{"/api/v1/bodies/" + id(tt.c.ID), [7]int{ok, none, none, none, none, none, none}},
		{bodyA + "/meetings", [7]int{no, ok, ok, ok, ok, ok, no}},
		{bodyA + "/stats?year=" + year, [7]int{no, ok, ok, no, no, ok, no}},
		// The session page: the secretariat, the présidence, the members who sit in it.
		{mA, [7]int{none, ok, ok, none, no, no, none}},
		// Results: not before the procès-verbal is approved (none is here).
		{mA + "/results", [7]int{none, none, none, no, no, none, none}},
	} {
		for i, role := range models.Roles {
			r := call(t, tt.env, tt.tokens[role], row.path)
			if r.Status != row.want[i] {
				t.Errorf("%s GET %s = %d, want %d\n%s", role, row.path, r.Status, row.want[i], r.Body)
			} else if r.Status != ok {
				apiError(t, r)
			}
		}
	}

	departments := func(role models.Role) string {
		l := decode[api.List[api.Body]](t, call(t, tt.env, tt.tokens[role], "/api/v1/bodies"))
		var deps []string
		for _, b := range l.Data {
			deps = append(deps, b.Department)
		}
		return strings.Join(deps, ",")
	}
	for role, want := range map[models.Role]string{models.RoleAdmin: "09,31,75", models.RoleRegion: "09,31", models.RoleSecretariat: "31", models.RoleAssociation: "31"} {
		if got := departments(role); got != want {
			t.Errorf("%s sees the commissions %s, want %s", role, got, want)
		}
	}

	// Statistics: exact for the secretariat (unless the published view), masked for the others.
	for _, tc := range []struct {
		role  models.Role
		query string
		exact bool
		cache string
	}{
		{models.RoleSecretariat, "", true, "private, no-store"},
		{models.RoleSecretariat, "&view=published", false, "private, max-age=0, must-revalidate"},
		{models.RolePresident, "", false, "private, max-age=0, must-revalidate"},
		{models.RolePrefecture, "", false, "private, max-age=0, must-revalidate"},
	} {
		r := call(t, tt.env, tt.tokens[tc.role], bodyA+"/stats?year="+year+tc.query)
		if s := decode[api.Stats](t, r); s.Exact != tc.exact || r.Header.Get("Cache-Control") != tc.cache {
			t.Errorf("%s stats%s: exact %v, Cache-Control %q; want %v, %q", tc.role, tc.query, s.Exact, r.Header.Get("Cache-Control"), tc.exact, tc.cache)
		}
	}

	// Bad parameters: 400 with a French message.
	sec := tt.tokens[models.RoleSecretariat]
	for _, path := range []string{
		bodyA + "/stats", bodyA + "/stats?year=deux-mille", bodyA + "/stats?year=" + year + "&view=exacte",
		"/api/v1/bodies?limit=0", "/api/v1/bodies?limit=101", "/api/v1/bodies?cursor=%25%25", bodyA + "/meetings?cursor=bTp4OjI",
	} {
		if r := call(t, tt.env, sec, path); r.Status != http.StatusBadRequest {
			t.Errorf("GET %s = %d, want 400", path, r.Status)
		} else {
			apiError(t, r)
		}
	}
	if r := call(t, tt.env, sec, bodyA+"/stats?year=1999"); r.Status != http.StatusNotFound || !strings.Contains(apiError(t, r), "1999") {
		t.Errorf("stats of a year without activity = %d, want 404 naming the year", r.Status)
	}
}

// TestTenantIsolation: every role of commission 31 gets 404 for every object of
// commission 09, and the other way round.
func TestTenantIsolation(t *testing.T) {
	tt := newTenants(t)
	year := id(int64(tt.env.Clock().Year()))
	objects := func(cm *models.Commission, m *meetings.Meeting) []string {
		b, mm := "/api/v1/bodies/"+id(cm.ID), "/api/v1/meetings/"+id(m.ID)
		return []string{b, b + "/meetings", b + "/stats?year=" + year, mm, mm + "/results"}
	}
	for _, role := range []models.Role{models.RoleSecretariat, models.RolePresident, models.RoleMember, models.RoleAssociation, models.RolePrefecture} {
		for _, path := range objects(tt.b, tt.mB) {
			if r := call(t, tt.env, tt.tokens[role], path); r.Status != http.StatusNotFound {
				t.Errorf("%s of 31 GET %s (commission 09) = %d, want 404", role, path, r.Status)
			}
		}
		for _, path := range objects(tt.a, tt.mA) {
			if r := call(t, tt.env, tt.otherTok[role], path); r.Status != http.StatusNotFound {
				t.Errorf("%s of 09 GET %s (commission 31) = %d, want 404", role, path, r.Status)
			}
		}
		l := decode[api.List[api.Body]](t, call(t, tt.env, tt.tokens[role], "/api/v1/bodies"))
		if len(l.Data) != 1 || l.Data[0].ID != tt.a.ID {
			t.Errorf("%s of 31 lists the commissions %+v, want 31 alone", role, l.Data)
		}
	}
}

func TestPaginationAndETag(t *testing.T) {
	env := servertest.New(t)
	ctx := context.Background()
	sec := env.Users[models.RoleSecretariat]
	var want []int64
	for i := range 5 {
		in := meetings.MeetingInput{Kind: meetings.MeetingFiles, Mode: meetings.ModeOnSite, StartsAt: env.Clock().AddDate(0, 1, 7*(4-i)), Place: "Salle " + id(int64(i))}
		m, err := meetings.CreateMeeting(ctx, env.DB, models.ActorFor(sec), env.Commission.ID, in, env.Clock())
		if err != nil {
			t.Fatal(err)
		}
		want = append([]int64{m.ID}, want...) // created latest first: the list goes by date
	}
	token := newToken(t, env, sec)

	var got []int64
	next := "/api/v1/bodies/" + id(env.Commission.ID) + "/meetings?limit=2"
	for pages := 0; next != ""; pages++ {
		if pages > 5 {
			t.Fatal("more than 5 pages")
		}
		r := call(t, env, token, next)
		l := decode[api.List[api.Meeting]](t, r)
		if r.Status != http.StatusOK || l.Pagination.ElementsPerPage != 2 || len(l.Data) > 2 {
			t.Fatalf("GET %s = %d with %d items", next, r.Status, len(l.Data))
		}
		for _, m := range l.Data {
			got = append(got, m.ID)
		}
		next = l.Links.Next
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("paged sessions = %v, want %v (by date)", got, want)
	}

	list := "/api/v1/bodies/" + id(env.Commission.ID) + "/meetings"
	r := call(t, env, token, list)
	etag := r.Header.Get("ETag")
	if etag == "" || r.Header.Get("Cache-Control") != "private, max-age=0, must-revalidate" || r.Header.Get("Vary") != "Authorization" {
		t.Fatalf("list headers: ETag %q Cache-Control %q Vary %q", etag, r.Header.Get("Cache-Control"), r.Header.Get("Vary"))
	}
	for _, inm := range []string{etag, "W/" + etag, `"autre", ` + etag, "*"} {
		if r := call(t, env, token, list, "If-None-Match", inm); r.Status != http.StatusNotModified || r.Body != "" || r.Header.Get("ETag") != etag {
			t.Errorf("If-None-Match %s = %d %q, want 304 without body", inm, r.Status, r.Body)
		}
	}
	if _, err := meetings.CancelMeeting(ctx, env.DB, sec, env.Commission.ID, want[0], "Report", env.Clock()); err != nil {
		t.Fatal(err)
	}
	if r := call(t, env, token, list, "If-None-Match", etag); r.Status != http.StatusOK || r.Header.Get("ETag") == etag {
		t.Errorf("after a change, If-None-Match the old ETag = %d (ETag %q), want 200 with a new ETag", r.Status, r.Header.Get("ETag"))
	}
	if r := call(t, env, token, "/api/v1/meetings/"+id(want[1])); r.Header.Get("Cache-Control") != "private, no-store" {
		t.Errorf("a session with its agenda: Cache-Control %q, want private, no-store", r.Header.Get("Cache-Control"))
	}
}
