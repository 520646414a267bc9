package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"seance/app/api"
	"seance/app/demo"
	"seance/app/servertest"
	"seance/models"
	filesmodel "seance/models/files"
	meetingsmodel "seance/models/meetings"
	"seance/models/minutes"
	"seance/models/sitting"
)

// loadDocument parses and validates the served OpenAPI document.
func loadDocument(t *testing.T) (*openapi3.T, routers.Router) {
	t.Helper()
	ctx := context.Background()
	doc, err := openapi3.NewLoader().LoadFromData(api.OpenAPI)
	if err != nil {
		t.Fatalf("load openapi.json: %v", err)
	}
	if err := doc.Validate(ctx); err != nil {
		t.Fatalf("openapi.json is not a valid OpenAPI 3 document: %v", err)
	}
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	return doc, router
}

// validate checks a response against the document: its status must be documented and
// its headers and body must match the schema.
func validate(t *testing.T, router routers.Router, req *http.Request, resp *servertest.Response) {
	t.Helper()
	route, params, err := router.FindRoute(req)
	if err != nil {
		t.Fatalf("%s %s: no route in the document: %v", req.Method, req.URL, err)
	}
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route},
		Status:                 resp.Status,
		Header:                 resp.Header,
		Options:                &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true},
	}
	in.SetBodyBytes([]byte(resp.Body))
	if err := openapi3filter.ValidateResponse(context.Background(), in); err != nil {
		t.Errorf("%s %s → %d does not match the document: %v\n%.600s", req.Method, req.URL, resp.Status, err, resp.Body)
	}
}

var fiberParam = regexp.MustCompile(`:([A-Za-z]+)`)

// TestEveryAPIRouteIsDocumented fails when a route of the table under /api/v1 is missing
// from the document, or the document names a path the router does not serve.
func TestEveryAPIRouteIsDocumented(t *testing.T) {
	doc, _ := loadDocument(t)
	env := servertest.NewBare(t)
	routed := map[string]bool{}
	for _, r := range env.App.GetRoutes(true) {
		if !strings.HasPrefix(r.Path, api.Base+"/") || r.Method == http.MethodHead {
			continue
		}
		path := fiberParam.ReplaceAllString(r.Path, "{$1}")
		routed[r.Method+" "+path] = true
		item := doc.Paths.Value(path)
		if item == nil || item.GetOperation(r.Method) == nil {
			t.Errorf("route %s %s is not in openapi.json", r.Method, r.Path)
		}
	}
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			if !routed[method+" "+path] {
				t.Errorf("openapi.json documents %s %s, which the route table does not serve", method, path)
			}
		}
	}
	if len(routed) < 8 {
		t.Errorf("found %d API routes in the table, want at least 8: %v", len(routed), routed)
	}
}

// demoEnv is the server on the demo commission's history (sessions, votes, approved
// procès-verbaux, several years of statistics).
type demoEnv struct {
	*servertest.Env
	seeder *demo.Seeder
}

func newDemoEnv(t *testing.T) *demoEnv {
	t.Helper()
	env := servertest.NewBare(t)
	s := &demo.Seeder{DB: env.DB, Keys: env.Config.Keys, Now: env.Clock(), PasswordHash: servertest.PasswordHash(t)}
	if err := demo.Seed(context.Background(), s); err != nil {
		t.Fatal(err)
	}
	return &demoEnv{Env: env, seeder: s}
}

// token creates an API token for the demo account with e-mail email.
func (d *demoEnv) token(t *testing.T, email string) string {
	t.Helper()
	u := d.seeder.Users[email]
	if u == nil {
		t.Fatalf("no demo account %s", email)
	}
	return newToken(t, d.Env, u)
}

// meetings returns the demo commission's sessions whose procès-verbal is approved, and
// the others that were held.
func (d *demoEnv) meetings(t *testing.T) (approved, pending []meetingsmodel.Meeting) {
	t.Helper()
	ctx := context.Background()
	cid := d.seeder.Commission.ID
	ms, err := meetingsmodel.ListMeetings(ctx, d.DB, cid, d.Clock().AddDate(-20, 0, 0), d.Clock().AddDate(2, 0, 0))
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		if m.Status != meetingsmodel.MeetingClosed && m.Status != meetingsmodel.MeetingMinutesApproved {
			continue
		}
		if _, err := minutes.ApprovedMinutes(ctx, d.DB, cid, m.ID); err == nil {
			approved = append(approved, m)
		} else {
			pending = append(pending, m)
		}
	}
	if len(approved) == 0 || len(pending) == 0 {
		t.Fatalf("demo: %d sessions with approved minutes and %d held without, want some of each", len(approved), len(pending))
	}
	return approved, pending
}

// TestDemoCommission runs the API on the demo commission's history (seeded once).
func TestDemoCommission(t *testing.T) {
	d := newDemoEnv(t)
	t.Run("openapi walk", func(t *testing.T) { walkDocument(t, d) })
	t.Run("results", func(t *testing.T) { checkResults(t, d) })
	t.Run("member sessions", func(t *testing.T) { checkMemberSessions(t, d) })
}

// walkDocument calls every operation of the document with a real token on the demo
// commission and validates each answer against its schema: the success, following the
// next links of the lists, the 304 of a revalidation, the 401 without a token and the
// 404 of an unknown object.
func walkDocument(t *testing.T, d *demoEnv) {
	doc, router := loadDocument(t)
	approved, _ := d.meetings(t)
	secretariat := d.token(t, demo.EmailSecretariat)
	client := d.Client()
	ids := map[string]string{
		"bodies":   strconv.FormatInt(d.seeder.Commission.ID, 10),
		"meetings": strconv.FormatInt(approved[len(approved)-1].ID, 10),
	}
	query := map[string]string{"year": strconv.Itoa(d.Clock().Year() - 1), "limit": "3"}
	get := func(path, tok string, header ...string) (*http.Request, *servertest.Response) {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		if tok != "" {
			req.Header.Set("Authorization", "Bearer "+tok)
		}
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		resp := client.Do(t, req)
		// The validator reads the request's URL: give it back the one sent.
		return httptest.NewRequest(http.MethodGet, path, nil), resp
	}
	paths := doc.Paths.InMatchingOrder()
	slices.Sort(paths)
	for _, path := range paths {
		op := doc.Paths.Value(path).Get
		t.Run(strings.TrimPrefix(path, api.Base), func(t *testing.T) {
			concrete, unknown := path, path
			for _, p := range op.Parameters {
				if p.Value.In != openapi3.ParameterInPath {
					continue
				}
				collection := strings.Split(strings.TrimPrefix(path, api.Base+"/"), "/")[0]
				id, ok := ids[collection]
				if !ok {
					t.Fatalf("no test value for path parameter %s of %s", p.Value.Name, path)
				}
				concrete = strings.ReplaceAll(concrete, "{"+p.Value.Name+"}", id)
				unknown = strings.ReplaceAll(unknown, "{"+p.Value.Name+"}", "987654")
			}
			q := url.Values{}
			for _, p := range op.Parameters {
				if p.Value.In != openapi3.ParameterInQuery {
					continue
				}
				if v, ok := query[p.Value.Name]; ok {
					q.Set(p.Value.Name, v)
				} else if p.Value.Required {
					t.Fatalf("no test value for required query parameter %s of %s", p.Value.Name, path)
				}
			}
			target := concrete
			if len(q) > 0 {
				target += "?" + q.Encode()
			}
			pages := 0
			for target != "" {
				req, resp := get(target, secretariat)
				if resp.Status != http.StatusOK {
					t.Fatalf("GET %s = %d, want 200\n%s", target, resp.Status, resp.Body)
				}
				validate(t, router, req, resp)
				etag := resp.Header.Get("ETag")
				if etag == "" || resp.Header.Get("Cache-Control") == "" {
					t.Errorf("GET %s: ETag %q, Cache-Control %q, want both", target, etag, resp.Header.Get("Cache-Control"))
				}
				req, again := get(target, secretariat, "If-None-Match", etag)
				if again.Status != http.StatusNotModified || again.Body != "" {
					t.Errorf("GET %s with If-None-Match %s = %d %q, want 304 without body", target, etag, again.Status, again.Body)
				}
				validate(t, router, req, again)
				var page struct {
					Links struct{ Next string } `json:"links"`
				}
				if err := json.Unmarshal([]byte(resp.Body), &page); err != nil {
					t.Fatalf("GET %s: %v", target, err)
				}
				target = page.Links.Next
				if pages++; pages > 50 {
					t.Fatalf("GET %s: more than 50 pages", path)
				}
			}
			if op.Security != nil && len(*op.Security) == 0 {
				return // public: the document itself
			}
			req, resp := get(concrete, "")
			if resp.Status != http.StatusUnauthorized {
				t.Errorf("GET %s without a token = %d, want 401", concrete, resp.Status)
			}
			validate(t, router, req, resp)
			if op.Responses.Status(http.StatusNotFound) != nil {
				req, resp := get(unknown+"?"+q.Encode(), secretariat)
				if resp.Status != http.StatusNotFound {
					t.Errorf("GET %s = %d, want 404", unknown, resp.Status)
				}
				validate(t, router, req, resp)
			}
		})
	}
}

// newToken creates an API token for u, as the « Jetons d'API » page does.
func newToken(t *testing.T, env *servertest.Env, u *models.User) string {
	t.Helper()
	secret, err := models.CreateAPIToken(context.Background(), env.DB, models.ActorFor(u), u.ID, "test "+u.Email, env.Clock())
	if err != nil {
		t.Fatal(err)
	}
	return secret
}

// checkResults: the tally and avis of each item once the procès-verbal is approved, as
// the sitting recorded them, files by reference only; nothing before the approval.
func checkResults(t *testing.T, d *demoEnv) {
	ctx := context.Background()
	approved, pending := d.meetings(t)
	cid := d.seeder.Commission.ID
	allVotes := 0
	for _, email := range []string{demo.EmailSecretariat, demo.EmailPrefecture, demo.EmailPresident} {
		tok := d.token(t, email)
		for _, m := range pending {
			r := call(t, d.Env, tok, "/api/v1/meetings/"+id(m.ID)+"/results")
			if r.Status != http.StatusNotFound || !strings.Contains(apiError(t, r), "qu'une fois son procès-verbal approuvé") {
				t.Errorf("%s: results of session %d before approval = %d, want 404\n%s", email, m.ID, r.Status, r.Body)
			}
		}
		for _, m := range approved {
			r := call(t, d.Env, tok, "/api/v1/meetings/"+id(m.ID)+"/results")
			if r.Status != http.StatusOK {
				t.Fatalf("%s: results of approved session %d = %d\n%s", email, m.ID, r.Status, r.Body)
			}
			res := decode[api.Results](t, r)
			votes, err := sitting.ListVotes(ctx, d.DB, cid, m.ID)
			if err != nil {
				t.Fatal(err)
			}
			items, err := meetingsmodel.ListAgenda(ctx, d.DB, cid, m.ID)
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Items) != len(items) || res.Minutes.Status != "locked" && res.Minutes.Status != "approved" {
				t.Fatalf("session %d: %d results for %d items, minutes %+v", m.ID, len(res.Items), len(items), res.Minutes)
			}
			voted := 0
			for _, v := range votes {
				for _, it := range res.Items {
					if it.AgendaItem.ID != v.AgendaItemID {
						continue
					}
					voted++
					if it.Vote == nil || it.Vote.Tally != (api.Tally{Yes: v.Yes, No: v.No, Abstentions: v.Abstentions}) || it.Vote.Outcome != string(v.Outcome) ||
						(v.Avis != "" && (it.Vote.Avis == nil || *it.Vote.Avis != string(v.Avis))) {
						t.Errorf("session %d item %d: result %+v, want the recorded vote %d/%d/%d %s %s", m.ID, v.AgendaItemID, it.Vote, v.Yes, v.No, v.Abstentions, v.Outcome, v.Avis)
					}
				}
			}
			if voted != len(votes) {
				t.Errorf("session %d: %d of %d votes found in the results", m.ID, voted, len(votes))
			}
			allVotes += voted
			for _, a := range d.seeder.Associations {
				if strings.Contains(r.Body, a.Name) {
					t.Errorf("session %d: the results name the association %q", m.ID, a.Name)
				}
			}
		}
	}
	if allVotes == 0 {
		t.Error("no vote in the results of the demo's approved sessions")
	}
	// A file is named by its reference, never by the person.
	var files []filesmodel.File
	if err := d.DB.NewSelect().Model(&files).Where("commission_id = ? AND session_id IS NOT NULL", cid).Scan(ctx); err != nil || len(files) == 0 {
		t.Fatalf("demo files on an agenda: %d, %v", len(files), err)
	}
	tok := d.token(t, demo.EmailSecretariat)
	agendas := map[int64]string{} // one call per session: the token's rate limit counts real minutes
	for _, f := range files {
		body, ok := agendas[*f.SessionID]
		if !ok {
			body = call(t, d.Env, tok, "/api/v1/meetings/"+id(*f.SessionID)).Body
			agendas[*f.SessionID] = body
		}
		if !strings.Contains(body, `"reference":"`+f.Reference+`"`) {
			t.Errorf("session %d: file %s is not on its agenda by reference\n%s", *f.SessionID, f.Reference, body)
		}
	}
}

// checkMemberSessions: a member lists, page after page, exactly the sessions the
// calendar shows them, and opens those only.
func checkMemberSessions(t *testing.T, d *demoEnv) {
	ctx := context.Background()
	u := d.seeder.Users[demo.MemberEmail(1)]
	tok := d.token(t, demo.MemberEmail(1))
	all, err := meetingsmodel.MeetingsFor(ctx, d.DB, u, d.Clock().AddDate(-30, 0, 0), d.Clock().AddDate(30, 0, 0))
	if err != nil || len(all) == 0 {
		t.Fatalf("demo member's sessions: %d, %v", len(all), err)
	}
	var got []int64
	next := "/api/v1/bodies/" + id(d.seeder.Commission.ID) + "/meetings?limit=3"
	for next != "" {
		l := decode[api.List[api.Meeting]](t, call(t, d.Env, tok, next))
		for _, m := range l.Data {
			got = append(got, m.ID)
			if r := call(t, d.Env, tok, m.URL); r.Status != http.StatusOK {
				t.Errorf("member GET %s = %d, want 200", m.URL, r.Status)
			}
		}
		next = l.Links.Next
	}
	var want []int64
	for _, m := range all {
		want = append(want, m.ID)
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("member's sessions by the API = %v, want %v", got, want)
	}
}
