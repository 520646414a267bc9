package files_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"seance/app/files/filestest"
	"seance/app/servertest"
	"seance/models"
)

// TestIssue11_NoStoreOnAuthenticatedPages reproduces point 8 of issue 11: authenticated
// pages, downloads and fragments, including those showing an identity, came without
// Cache-Control, so a shared computer's browser cache kept them.
func TestIssue11_NoStoreOnAuthenticatedPages(t *testing.T) {
	w := filestest.New(t)
	f := w.Decided(t, w.A1)
	a, err := models.AddAttachment(context.Background(), w.DB, w.Config.Keys, w.Secretariat(), w.Submitted(t, w.A2).ID, models.AttachmentReport, "rapport.pdf", pdf("r"), w.Clock())
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
	draft := w.Draft(t, w.A1, models.KindEngagement, 0)
	renewal := w.Draft(t, w.A1, models.KindRenewal, *decided.ParcoursID)
	a, err := models.AddAttachment(context.Background(), w.DB, w.Config.Keys, w.A1, draft.ID, models.AttachmentIdentity, "passeport.pdf", pdf("p"), w.Clock())
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
		if _, _, err := models.FindFileSummary(context.Background(), w.DB, u, draft.ID, w.Clock()); err != models.ErrNotFound {
			t.Errorf("FindFileSummary(draft) as %s error = %v, want ErrNotFound", u.Role, err)
		}
	}
	// The association works on it; once submitted, the secretariat sees it.
	assoc := signIn(t, w, w.A1)
	wantPage(t, assoc.Get(t, page), http.StatusOK, draft.Reference)
	w.Move(t, w.A1, draft.ID, models.StateSubmitted, models.TransitionInput{})
	wantPage(t, signIn(t, w, w.Secretariat()).Get(t, page), http.StatusOK, draft.Reference)
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
		if _, err := models.AddAttachment(ctx, w.DB, w.Config.Keys, w.Secretariat(), f.ID, models.AttachmentIdentity, name, pdf(name), now); err != nil {
			t.Fatal(err)
		}
	}
	pres := w.Users[models.RolePresident]
	err := models.GrantFileAccess(ctx, w.DB, models.SystemActor("test"), &models.FileAccessGrant{
		CommissionID: w.Commission.ID, FileID: f.ID, UserID: pres.ID, ValidFrom: now.Add(-time.Hour), ValidUntil: now.Add(24 * time.Hour), Reason: "Séance de test",
	})
	if err != nil {
		t.Fatal(err)
	}
	as, err := models.ListAttachments(ctx, w.DB, w.Config.Keys, pres, f.ID, now)
	if err != nil || len(as) != 2 {
		t.Fatalf("ListAttachments as president = %v, %v", as, err)
	}
	if want := fmt.Sprintf("Pièce n° 2 (PDF, %d o)", len(pdf("Passeport_Ada_FICTIVE.pdf"))); as[1].Name != want {
		t.Errorf("attachment name for the president = %q, want %q", as[1].Name, want)
	}

	page := fmt.Sprintf("/dossiers/%d", f.ID)
	c := signIn(t, w, pres)
	r := c.Get(t, page)
	wantPage(t, r, http.StatusOK, "Pièce n° 1 (PDF, ", "Pièce n° 2 (PDF, ")
	if strings.Contains(r.Body, "FICTIVE") || strings.Contains(r.Body, "rapport.pdf") {
		t.Errorf("the president's file page shows an attachment's name")
	}
	d := c.Get(t, fmt.Sprintf("/pieces/%d", as[1].ID))
	if cd := d.Header.Get("Content-Disposition"); d.Status != http.StatusOK || strings.Contains(cd, "FICTIVE") || !strings.Contains(cd, f.Reference+"-piece-2.pdf") {
		t.Errorf("president's download = %d, Content-Disposition %q, want the reference and rank only", d.Status, cd)
	}
	// The secretariat, who may reveal the identity, sees the names.
	wantPage(t, signIn(t, w, w.Secretariat()).Get(t, page), http.StatusOK, "Passeport_Ada_FICTIVE.pdf")
}
