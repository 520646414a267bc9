package files_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"seance/app/files/filestest"
	"seance/app/servertest"
	"seance/models"
	"seance/models/files"
)

// TestIssue11_NoStoreOnAuthenticatedPages reproduces point 8 of issue 11: authenticated
// pages, downloads and fragments, including those showing an identity, came without
// Cache-Control, so a shared computer's browser cache kept them.
func TestIssue11_NoStoreOnAuthenticatedPages(t *testing.T) {
	w := filestest.New(t)
	f := w.Decided(t, w.A1)
	a, err := files.AddAttachment(context.Background(), w.DB, w.Config.Keys, w.Secretariat(), w.Submitted(t, w.A2).ID, files.AttachmentReport, "rapport.pdf", pdf("r"), w.Clock())
	if err != nil {
		t.Fatal(err)
	}
	sec := signIn(t, w, w.Secretariat())
	page := fmt.Sprintf("/dossiers/%d", f.ID)
	fragment := httptest.NewRequest(http.MethodPost, page+"/identite", nil)
	fragment.Header.Set("HX-Request", "true")
	fragment.Header.Set("X-CSRF-Token", sec.CSRF)
	for name, r := range map[string]*servertest.Response{
		"dashboard":         sec.Get(t, "/"),
		"file":              sec.Get(t, page),
		"identity reveal":   sec.PostForm(t, page+"/identite", nil),
		"identity fragment": sec.Do(t, fragment),
		"parcours":          sec.Get(t, fmt.Sprintf("/parcours/%d", *f.ParcoursID)),
		"attachment":        sec.Get(t, fmt.Sprintf("/pieces/%d", a.ID)),
		"audit":             sec.Get(t, "/admin/audit"),
		"minutes list":      sec.Get(t, "/proces-verbaux"),
		"workbook":          sec.Get(t, fmt.Sprintf("/commissions/%d/composition.xlsx", w.Commission.ID)),
		"not found":         sec.Get(t, "/dossiers/999999"),
		"forbidden":         sec.Get(t, "/admin/outbox"),
	} {
		if r.Status >= 500 {
			t.Errorf("%s: status %d", name, r.Status)
		}
		if got := r.Header.Get("Cache-Control"); got != "no-store" {
			t.Errorf("%s (status %d): Cache-Control = %q, want no-store", name, r.Status, got)
		}
	}
	// Static files stay cacheable.
	if r := sec.Get(t, "/static/css/app.css"); r.Status != http.StatusOK || !strings.Contains(r.Header.Get("Cache-Control"), "max-age") {
		t.Errorf("static file: status %d, Cache-Control %q, want a max-age", r.Status, r.Header.Get("Cache-Control"))
	}
}

// TestIssue11_DraftFileIsAssociationOnly reproduces point 9 of issue 11: the president
// and the secretariat opened an association's file still in draft (summary, identity,
// attachment). A draft now does not exist for them.
func TestIssue11_DraftFileIsAssociationOnly(t *testing.T) {
	w := filestest.New(t)
	decided := w.Decided(t, w.A1)
	draft := w.Draft(t, w.A1, files.KindEngagement, 0)
	renewal := w.Draft(t, w.A1, files.KindRenewal, *decided.ParcoursID)
	a, err := files.AddAttachment(context.Background(), w.DB, w.Config.Keys, w.A1, draft.ID, files.AttachmentIdentity, "passeport.pdf", pdf("p"), w.Clock())
	if err != nil {
		t.Fatal(err)
	}
	page := fmt.Sprintf("/dossiers/%d", draft.ID)
	for _, u := range []*models.User{w.Secretariat(), w.Users[models.RolePresident]} {
		c := signIn(t, w, u)
		for _, tt := range []struct{ method, path string }{
			{"GET", page}, {"POST", page + "/identite"}, {"GET", fmt.Sprintf("/pieces/%d", a.ID)},
		} {
			var r *servertest.Response
			if tt.method == "POST" {
				r = c.PostForm(t, tt.path, nil)
			} else {
				r = c.Get(t, tt.path)
			}
			// The identity route is the secretariat's: the president is refused by role first.
			if r.Status != http.StatusNotFound && (r.Status != http.StatusForbidden || u.Role != models.RolePresident || !strings.HasSuffix(tt.path, "/identite")) {
				t.Errorf("%s %s %s = %d, want 404", u.Role, tt.method, tt.path, r.Status)
			}
			if strings.Contains(r.Body, "Fictive") || strings.Contains(r.Body, draft.Reference) {
				t.Errorf("%s %s %s shows the draft", u.Role, tt.method, tt.path)
			}
		}
		for _, path := range []string{"/dossiers", "/dossiers?etat=draft", fmt.Sprintf("/parcours/%d", *decided.ParcoursID)} {
			r := c.Get(t, path)
			if strings.Contains(r.Body, draft.Reference) || strings.Contains(r.Body, renewal.Reference) {
				t.Errorf("%s GET %s lists a draft", u.Role, path)
			}
		}
		if _, _, err := files.FindFileSummary(context.Background(), w.DB, u, draft.ID, w.Clock()); err != models.ErrNotFound {
			t.Errorf("FindFileSummary(draft) as %s error = %v, want ErrNotFound", u.Role, err)
		}
	}
	// The association works on it; once submitted, the secretariat sees it.
	assoc := signIn(t, w, w.A1)
	servertest.Expect(t, "", assoc.Get(t, page), http.StatusOK, draft.Reference)
	w.Move(t, w.A1, draft.ID, files.StateSubmitted, files.TransitionInput{})
	servertest.Expect(t, "", signIn(t, w, w.Secretariat()).Get(t, page), http.StatusOK, draft.Reference)
}

// TestIssue11_AttachmentNamesMasked reproduces point 9 of issue 11: attachment names,
// which often carry the person's name, were shown to roles that may not reveal the
// identity. The president reads « Pièce n° k (type, taille) » and downloads a file named
// after the reference.
func TestIssue11_AttachmentNamesMasked(t *testing.T) {
	w := filestest.New(t)
	f := w.Submitted(t, w.A1)
	ctx, now := context.Background(), w.Clock()
	for _, name := range []string{"rapport.pdf", "Passeport_Ada_FICTIVE.pdf"} {
		if _, err := files.AddAttachment(ctx, w.DB, w.Config.Keys, w.Secretariat(), f.ID, files.AttachmentIdentity, name, pdf(name), now); err != nil {
			t.Fatal(err)
		}
	}
	pres := w.Users[models.RolePresident]
	err := files.GrantFileAccess(ctx, w.DB, models.SystemActor("test"), &files.FileAccessGrant{
		CommissionID: w.Commission.ID, FileID: f.ID, UserID: pres.ID, ValidFrom: now.Add(-time.Hour), ValidUntil: now.Add(24 * time.Hour), Reason: "Séance de test",
	}, now)
	if err != nil {
		t.Fatal(err)
	}
	as, err := files.ListAttachments(ctx, w.DB, w.Config.Keys, pres, f.ID, now)
	if err != nil || len(as) != 2 {
		t.Fatalf("ListAttachments as president = %v, %v", as, err)
	}
	if want := fmt.Sprintf("Pièce n° 2 (PDF, %d o)", len(pdf("Passeport_Ada_FICTIVE.pdf"))); as[1].Name != want {
		t.Errorf("attachment name for the president = %q, want %q", as[1].Name, want)
	}

	page := fmt.Sprintf("/dossiers/%d", f.ID)
	c := signIn(t, w, pres)
	r := c.Get(t, page)
	servertest.Expect(t, "", r, http.StatusOK, "Pièce n° 1 (PDF, ", "Pièce n° 2 (PDF, ")
	if strings.Contains(r.Body, "FICTIVE") || strings.Contains(r.Body, "rapport.pdf") {
		t.Errorf("the president's file page shows an attachment's name")
	}
	d := c.Get(t, fmt.Sprintf("/pieces/%d", as[1].ID))
	if cd := d.Header.Get("Content-Disposition"); d.Status != http.StatusOK || strings.Contains(cd, "FICTIVE") || !strings.Contains(cd, f.Reference+"-piece-2.pdf") {
		t.Errorf("president's download = %d, Content-Disposition %q, want the reference and rank only", d.Status, cd)
	}
	// The secretariat, who may reveal the identity, sees the names.
	servertest.Expect(t, "", signIn(t, w, w.Secretariat()).Get(t, page), http.StatusOK, "Passeport_Ada_FICTIVE.pdf")
}

// TestIssue11_TextFieldMaxLength reproduces point 10 of issue 11: a 10 MB text field and
// 100,000 action rows were accepted. Each text field has a maximum length, refused with
// a message naming it; a form is bounded in size and number of fields; the proposal in
// number of actions.
func TestIssue11_TextFieldMaxLength(t *testing.T) {
	w := filestest.New(t)
	f := w.Draft(t, w.A1, files.KindEngagement, 0)
	c := signIn(t, w, w.A1)
	path := fmt.Sprintf("/dossiers/%d/proposition", f.ID)
	c.Get(t, path)
	base := func() url.Values {
		return url.Values{
			"commitments": {"Suivre le parcours."}, "expected_results": {"Un emploi."}, "avis_reasoning": {"Projet solide."},
			"association_avis": {"favorable"}, "action_kind": {"housing"}, "action_description": {"Formation"}, "action_duration": {"6"},
		}
	}
	for _, tt := range []struct {
		name   string
		change func(v url.Values)
		status int
		want   string
	}{
		{"text of 10,001 characters", func(v url.Values) { v.Set("commitments", strings.Repeat("é", models.MaxTextLength+1)) },
			http.StatusUnprocessableEntity, "Le champ « Engagements de la personne » ne peut dépasser 10\u202f000 caractères (10\u202f001 saisis)."},
		{"action description on two lines", func(v url.Values) { v.Set("action_description", "Formation\r\nBcc: x@exemple.org") },
			http.StatusUnprocessableEntity, "Le champ « Action 1 : description » tient sur une seule ligne"},
		{"20 actions", func(v url.Values) {
			for range 19 {
				v["action_kind"] = append(v["action_kind"], "housing")
				v["action_description"] = append(v["action_description"], "Formation")
				v["action_duration"] = append(v["action_duration"], "6")
			}
		}, http.StatusUnprocessableEntity, "Indiquez au plus 15 actions d&#39;insertion (20 saisies)"},
		{"10 MB field", func(v url.Values) { v.Set("difficulties", strings.Repeat("a", 10<<20)) },
			http.StatusRequestEntityTooLarge, "Le formulaire envoyé dépasse 1 Mo"},
		{"2,000 action rows", func(v url.Values) {
			for range 2000 {
				v["action_kind"] = append(v["action_kind"], "housing")
			}
		}, http.StatusRequestEntityTooLarge, "Le formulaire envoyé compte plus de 1000 champs"},
		{"100,000 action rows", func(v url.Values) {
			for range 100000 {
				v["action_kind"] = append(v["action_kind"], "housing")
			}
		}, http.StatusRequestEntityTooLarge, "Le formulaire envoyé"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			v := base()
			tt.change(v)
			r := c.PostForm(t, path, v)
			if r.Status != tt.status || !strings.Contains(r.Body, tt.want) {
				t.Fatalf("POST %s = %d, want %d with %q\n%s", path, r.Status, tt.status, tt.want, servertest.MainPart(r.Body))
			}
		})
	}
	p, err := files.FileProposal(context.Background(), w.DB, w.Config.Keys, w.A1, f.ID, w.Clock())
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Commitments) > models.MaxTextLength*2 || len(p.Actions) > files.MaxPlannedActions || strings.Contains(p.Actions[0].Description, "Bcc") {
		t.Errorf("a refused proposal was stored: %d bytes of commitments, %d actions", len(p.Commitments), len(p.Actions))
	}
	// The bounds leave room for a real proposal.
	if r := c.PostForm(t, path, base()); r.Status != http.StatusSeeOther {
		t.Fatalf("POST %s with a normal proposal = %d\n%s", path, r.Status, servertest.MainPart(r.Body))
	}
}
