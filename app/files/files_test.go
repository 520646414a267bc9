package files_test

import (
	"bytes"
	"context"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"seance/app/files/filestest"
	"seance/app/servertest"
	"seance/models"
	"seance/models/files"
	"seance/models/modelstest"
)

// signIn returns a browser signed in as u (an account made by filestest) or as the env's
// user of role r.
func signIn(t *testing.T, w *filestest.World, u *models.User) *servertest.Client {
	t.Helper()
	c := client(w)
	c.SignInAs(t, u.Email, servertest.Password)
	return c
}

var clients atomic.Int64

// client returns a new browser with its own address, so that the sign-in rate limit
// (per address) does not trip in tests that sign in many times.
func client(w *filestest.World) *servertest.Client {
	c := w.Client()
	n := clients.Add(1)
	c.IP = fmt.Sprintf("198.51.%d.%d", n/250, 1+n%250)
	return c
}

var idInPath = regexp.MustCompile(`^/dossiers/(\d+)/`)

// fileIDOf reads the file id of a redirect to one of the file's pages.
func fileIDOf(t *testing.T, location string) int64 {
	t.Helper()
	m := idInPath.FindStringSubmatch(location + "/")
	if m == nil {
		t.Fatalf("redirect %q names no file", location)
	}
	var id int64
	fmt.Sscan(m[1], &id)
	return id
}

func personForm(kind string, over map[string]string) url.Values {
	v := url.Values{
		"type": {kind}, "last_name": {"Imaginaire"}, "first_name": {"Lina"}, "used_name": {"Lili"},
		"birth_date": {"1996-04-12"}, "gender": {"F"}, "nationality": {"NG"}, "city": {"Toulouse-Essai"},
		"children": {"1"}, "housing_need": {"shelter"}, "afis_requested": {"1"}, "aps_needed": {"1"},
	}
	for k, s := range over {
		v.Set(k, s)
	}
	return v
}

// TestWizardValidationKeepsTypedValues walks the wizard through its refusals: each one
// answers 422 with French messages next to the fields and everything typed still there.
func TestWizardValidationKeepsTypedValues(t *testing.T) {
	w := filestest.New(t)
	c := signIn(t, w, w.A1)

	servertest.Expect(t, "", c.Get(t, "/dossiers/nouveau"), http.StatusOK, "Que demandez-vous ?", "Étape 1 sur 4")
	for _, tt := range []struct {
		name, query string
		status      int
		want        string
	}{
		{"unknown type", "?type=nimportequoi", http.StatusUnprocessableEntity, "Choisissez le type de demande."},
		{"renewal without parcours", "?type=renouvellement", http.StatusUnprocessableEntity, "Choisissez le parcours concerné par la demande."},
		{"parcours of nobody", "?type=renouvellement&parcours=999", http.StatusUnprocessableEntity, "Choisissez un parcours dans la liste."},
		{"entry", "?type=engagement", http.StatusOK, "Identité de la personne"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			servertest.Expect(t, "", c.Get(t, "/dossiers/nouveau"+tt.query), tt.status, tt.want)
		})
	}

	for _, tt := range []struct {
		name   string
		over   map[string]string
		want   []string
		absent []string
	}{
		{"identity missing, bad nationality, no gender",
			map[string]string{"last_name": " ", "first_name": "", "nationality": "Nigeria", "gender": ""},
			[]string{"Indiquez le nom de la personne.", "Indiquez le prénom de la personne.", "Choisissez le genre", "code pays",
				`value="Lili"`, `value="Toulouse-Essai"`, `value="Nigeria"`, `value="1996-04-12"`, `fr-input-group--error`, "Ce que vous avez saisi est conservé."}, nil},
		{"children in words",
			map[string]string{"children": "deux"},
			[]string{"Indiquez le nombre d'enfants à charge en chiffres (0 si aucun).", `value="deux"`, `value="Imaginaire"`}, nil},
		{"birth date in the future",
			map[string]string{"birth_date": "2999-01-01"},
			[]string{"La date de naissance est dans le futur.", `value="2999-01-01"`}, nil},
		{"birth date unreadable",
			map[string]string{"birth_date": "le 12 avril"},
			[]string{"Date invalide : indiquez-la au format JJ/MM/AAAA."}, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := c.PostForm(t, "/dossiers/nouveau", personForm("engagement", tt.over))
			servertest.Expect(t, "", r, http.StatusUnprocessableEntity, tt.want...)
			if !strings.Contains(r.Body, `name="afis_requested" value="1" checked`) {
				t.Errorf("the AFIS box ticked by the user is not ticked again")
			}
		})
	}

	// A valid step 2 creates the draft and goes on to the proposal.
	r := c.PostForm(t, "/dossiers/nouveau", personForm("engagement", nil))
	if r.Status != http.StatusSeeOther || !strings.HasSuffix(r.Location, "/proposition") {
		t.Fatalf("POST /dossiers/nouveau = %d %q, want 303 to the proposal", r.Status, r.Location)
	}
	id := fileIDOf(t, r.Location)
	page := c.Get(t, r.Location)
	servertest.Expect(t, "", page, http.StatusOK, "Étape 3 sur 4", "enregistré")
	if strings.Contains(page.Body, "Imaginaire") {
		t.Errorf("the proposal page (title, flash) shows the person's name")
	}
	if strings.Contains(r.Location, "Imaginaire") {
		t.Errorf("the redirect carries the person's name")
	}

	base := fmt.Sprintf("/dossiers/%d", id)
	proposal := url.Values{
		"commitments": {"Suivre les rendez-vous."}, "expected_results": {"Hébergement stable."}, "association_avis": {"favorable"},
		"avis_reasoning": {"Engagement réel."},
		"action_kind":    {"housing", "", "care"}, "action_description": {"Hébergement en CHRS", "", "Bilan de santé"},
		"action_duration": {"six", "", "3"}, "action_result": {"", "", ""},
	}
	r = c.PostForm(t, base+"/proposition", proposal)
	servertest.Expect(t, "", r, http.StatusUnprocessableEntity, "Action 1 : indiquez la durée en nombre de mois.", `value="six"`, `value="Bilan de santé"`, "Suivre les rendez-vous.")
	proposal.Set("association_avis", "peut-etre")
	proposal["action_duration"] = []string{"6", "", "3"}
	servertest.Expect(t, "", c.PostForm(t, base+"/proposition", proposal), http.StatusUnprocessableEntity, "Choisissez l'avis de l'association")

	// An incomplete proposal saves as a draft but cannot be submitted.
	proposal.Set("association_avis", "favorable")
	proposal.Set("commitments", "")
	if r := c.PostForm(t, base+"/proposition", proposal); r.Status != http.StatusSeeOther || r.Location != base+"/pieces" {
		t.Fatalf("POST proposition = %d %q, want 303 to the attachments step", r.Status, r.Location)
	}
	r = c.PostForm(t, base+"/deposer", nil)
	servertest.Expect(t, "", r, http.StatusUnprocessableEntity, "Le dossier ne peut pas encore être déposé", "Décrivez les engagements de la personne.", base+"/proposition")

	proposal.Set("commitments", "Suivre les rendez-vous.")
	c.PostForm(t, base+"/proposition", proposal)
	r = c.PostForm(t, base+"/deposer", nil)
	if r.Status != http.StatusSeeOther || r.Location != base {
		t.Fatalf("POST deposer = %d %q, want 303 to the file", r.Status, r.Location)
	}
	page = c.Get(t, base)
	servertest.Expect(t, "", page, http.StatusOK, "est déposé", "Déposé", "Hébergement en CHRS (6 mois)", "Bilan de santé (3 mois)")
	// Once submitted, the wizard is closed to the association.
	servertest.Expect(t, "", c.Get(t, base+"/proposition"), http.StatusConflict, "ne peut plus être modifié")
}

// TestFileAccessThroughHTTP checks the access matrix through the pages: an association
// sees only its files, a member without a convocation and another commission get a 404,
// the préfecture and the admin a 403.
func TestFileAccessThroughHTTP(t *testing.T) {
	w := filestest.New(t)
	f := w.Submitted(t, w.A1)
	a, err := files.AddAttachment(context.Background(), w.DB, w.Config.Keys, w.Secretariat(), f.ID, files.AttachmentReport, "rapport.pdf", pdf("r"), w.Clock())
	if err != nil {
		t.Fatal(err)
	}
	// Another commission, with its own association, account and file.
	c2 := modelstest.Commission(t, w.DB, "09")
	a3 := modelstest.Association(t, w.DB, c2, "Association Ariège", "09", w.Clock().AddDate(-1, 0, 0))
	u3 := filestest.Account(t, w.Env, "asso09@test.example", a3)
	other := w.Draft(t, u3, files.KindEngagement, 0)

	page := fmt.Sprintf("/dossiers/%d", f.ID)
	browsers := map[int64]*servertest.Client{} // one sign-in per user: the login route is rate limited
	for _, tt := range []struct {
		name   string
		user   *models.User
		path   string
		method string
		status int
		want   string
	}{
		{"instructing association", w.A1, page, "GET", http.StatusOK, f.Reference},
		{"other association", w.A2, page, "GET", http.StatusNotFound, "Page introuvable"},
		{"secretariat", w.Secretariat(), page, "GET", http.StatusOK, "Déclarer recevable"},
		{"president without agenda", w.Users[models.RolePresident], page, "GET", http.StatusOK, "Résumé pseudonymisé"},
		{"member not convened", w.Users[models.RoleMember], page, "GET", http.StatusNotFound, "Page introuvable"},
		{"prefecture", w.Users[models.RolePrefecture], page, "GET", http.StatusForbidden, "Accès refusé"},
		{"admin", w.Users[models.RoleAdmin], page, "GET", http.StatusForbidden, "Accès refusé"},
		{"secretariat on another commission's file", w.Secretariat(), fmt.Sprintf("/dossiers/%d", other.ID), "GET", http.StatusNotFound, "Page introuvable"},
		{"association on another commission's file", w.A1, fmt.Sprintf("/dossiers/%d", other.ID), "GET", http.StatusNotFound, "Page introuvable"},
		{"other association reveals identity", w.A2, page + "/identite", "POST", http.StatusNotFound, ""},
		{"president reveals identity", w.Users[models.RolePresident], page + "/identite", "POST", http.StatusForbidden, ""},
		{"other association downloads", w.A2, fmt.Sprintf("/pieces/%d", a.ID), "GET", http.StatusNotFound, ""},
		{"president downloads without agenda", w.Users[models.RolePresident], fmt.Sprintf("/pieces/%d", a.ID), "GET", http.StatusNotFound, ""},
		{"other association edits", w.A2, page + "/personne", "GET", http.StatusNotFound, ""},
		{"other association moves", w.A2, page + "/transition", "POST", http.StatusNotFound, ""},
		{"association declares admissible", w.A1, page + "/transition", "POST", http.StatusUnprocessableEntity, "ne permet pas"},
		{"member lists files", w.Users[models.RoleMember], "/dossiers", "GET", http.StatusForbidden, ""},
		{"association on the incoming list", w.A1, "/dossiers/arrivee", "GET", http.StatusForbidden, ""},
		{"not a number", w.Secretariat(), "/dossiers/abc", "GET", http.StatusNotFound, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := browsers[tt.user.ID]
			if c == nil {
				c = signIn(t, w, tt.user)
				browsers[tt.user.ID] = c
			}
			var r *servertest.Response
			if tt.method == "POST" {
				r = c.PostForm(t, tt.path, url.Values{"to": {"admissible"}})
			} else {
				r = c.Get(t, tt.path)
			}
			servertest.Expect(t, "", r, tt.status, tt.want)
		})
	}

	for _, tt := range []struct {
		user        *models.User
		see, notSee []string
	}{
		{w.A1, []string{f.Reference}, []string{other.Reference}},
		{w.A2, nil, []string{f.Reference, other.Reference}},
		{w.Secretariat(), []string{f.Reference}, []string{other.Reference}},
	} {
		r := browsers[tt.user.ID].Get(t, "/dossiers")
		servertest.Expect(t, "", r, http.StatusOK, tt.see...)
		for _, s := range tt.notSee {
			if strings.Contains(r.Body, s) {
				t.Errorf("%s sees %s in the list", tt.user.Email, s)
			}
		}
	}
}

func pdf(text string) []byte {
	return []byte("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n% " + text + "\n%%EOF\n")
}

// upload posts a multipart form with one file to path.
func upload(t *testing.T, c *servertest.Client, path string, fields map[string]string, name string, content []byte) *servertest.Response {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fields["csrf"] = c.CSRF
	for k, v := range fields {
		if err := mw.WriteField(k, v); err != nil {
			t.Fatal(err)
		}
	}
	fw, err := mw.CreateFormFile("file", name)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fw.Write(content); err != nil {
		t.Fatal(err)
	}
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest(http.MethodPost, path, &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return c.Do(t, req)
}

// TestAttachmentUploadAndDownload checks the refusals of an upload (type detected from
// the content, 20 MB), and that a download is audited and served as an attachment of
// the detected type that the browser must not sniff.
func TestAttachmentUploadAndDownload(t *testing.T) {
	w := filestest.New(t)
	f := w.Draft(t, w.A1, files.KindEngagement, 0)
	c := signIn(t, w, w.A1)
	path := fmt.Sprintf("/dossiers/%d/pieces", f.ID)
	c.Get(t, path)

	for _, tt := range []struct {
		name, file string
		content    []byte
		want       string
	}{
		{"text renamed as pdf", "faux.pdf", []byte("Ceci n'est pas un PDF, seulement du texte."), "Type de fichier refusé : texte brut détecté"},
		{"html", "page.pdf", []byte("<!DOCTYPE html><html><body>x</body></html>"), "Type de fichier refusé : page HTML détecté"},
		{"21 MB", "gros.pdf", append(pdf("gros"), make([]byte, 21<<20)...), "la taille maximale est de 20 Mo"},
		{"empty", "vide.pdf", nil, "Le fichier est vide."},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := upload(t, c, path, map[string]string{"kind": "report", "retour": "pieces"}, tt.file, tt.content)
			servertest.Expect(t, "", r, http.StatusUnprocessableEntity, tt.want, "fr-upload-group--error", `<option value="report" selected>`)
		})
	}

	content := pdf("compte rendu")
	r := upload(t, c, path, map[string]string{"kind": "followup", "retour": "pieces"}, "Suivi_Imaginaire_Lina.pdf", content)
	if r.Status != http.StatusSeeOther || r.Location != path {
		t.Fatalf("upload = %d %q, want 303 to %s", r.Status, r.Location, path)
	}
	page := c.Get(t, path)
	servertest.Expect(t, "", page, http.StatusOK, "Pièce ajoutée au dossier "+f.Reference, "Suivi_Imaginaire_Lina.pdf", "Document de suivi signé")
	if main := servertest.MainPart(page.Body); strings.Contains(main[:strings.Index(main, "Pièces jointes")], "Suivi_Imaginaire") {
		t.Errorf("the flash message shows the uploaded file's name")
	}
	as, err := files.ListAttachments(context.Background(), w.DB, w.Config.Keys, w.A1, f.ID, w.Clock())
	if err != nil || len(as) != 1 {
		t.Fatalf("attachments = %v, %v; want one", as, err)
	}

	// A draft is the association's alone (issue 11 point 9): the secretariat cannot open it.
	if d := signIn(t, w, w.Secretariat()).Get(t, fmt.Sprintf("/pieces/%d", as[0].ID)); d.Status != http.StatusNotFound {
		t.Fatalf("secretariat download of a draft's attachment = %d, want 404", d.Status)
	}
	before := w.AuditCount(t, "file.attachment_view")
	d := c.Get(t, fmt.Sprintf("/pieces/%d", as[0].ID))
	if d.Status != http.StatusOK || d.Body != string(content) {
		t.Fatalf("download = %d, %d bytes; want 200 with the content", d.Status, len(d.Body))
	}
	for h, want := range map[string]string{
		"Content-Type": "application/pdf", "X-Content-Type-Options": "nosniff", "Cache-Control": "no-store",
		"Content-Disposition": `attachment; filename=Suivi_Imaginaire_Lina.pdf`,
	} {
		if got := d.Header.Get(h); got != want {
			t.Errorf("download header %s = %q, want %q", h, got, want)
		}
	}
	if got := w.AuditCount(t, "file.attachment_view"); got != before+1 {
		t.Errorf("attachment_view audit records = %d, want %d", got, before+1)
	}

	// The association removes it from its draft.
	r = c.PostForm(t, fmt.Sprintf("%s/%d/supprimer", path, as[0].ID), url.Values{"retour": {"pieces"}})
	if r.Status != http.StatusSeeOther {
		t.Fatalf("delete attachment = %d, want 303", r.Status)
	}
	servertest.Expect(t, "", c.Get(t, path), http.StatusOK, "La pièce est retirée du dossier.", "Aucune pièce jointe.")
}

// TestIdentityHiddenUntilRevealedAndAudited checks that the file page does not show the
// identity, and that each display through "Afficher l'identité" is audited.
func TestIdentityHiddenUntilRevealedAndAudited(t *testing.T) {
	w := filestest.New(t)
	f := w.Submitted(t, w.A1)
	c := signIn(t, w, w.Secretariat())
	page := fmt.Sprintf("/dossiers/%d", f.ID)

	r := c.Get(t, page)
	servertest.Expect(t, "", r, http.StatusOK, "Afficher l'identité", f.Reference)
	if strings.Contains(r.Body, "Fictive") || strings.Contains(r.Body, "Ada") {
		t.Fatal("the file page shows the identity before it is asked for")
	}
	if n := w.AuditCount(t, "file.identity_view"); n != 0 {
		t.Fatalf("identity_view audit records = %d before any display", n)
	}
	r = c.PostForm(t, page+"/identite", nil)
	servertest.Expect(t, "", r, http.StatusOK, "Fictive", "Ada", "personne@exemple.invalid", "enregistré dans le journal d'audit")
	if n := w.AuditCount(t, "file.identity_view"); n != 1 {
		t.Fatalf("identity_view audit records = %d after one display, want 1", n)
	}
	// htmx asks for the block only.
	req := httptest.NewRequest(http.MethodPost, page+"/identite", nil)
	req.Header.Set("HX-Request", "true")
	req.Header.Set("X-CSRF-Token", c.CSRF)
	r = c.Do(t, req)
	servertest.Expect(t, "", r, http.StatusOK, `id="identite"`, "Fictive")
	if strings.Contains(r.Body, "<html") {
		t.Errorf("the htmx answer is a whole page")
	}
	if n := w.AuditCount(t, "file.identity_view"); n != 2 {
		t.Fatalf("identity_view audit records = %d after two displays, want 2", n)
	}
	recs, err := models.ListAudit(context.Background(), w.DB, w.Commission.ID, 5)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(recs[0].Details, "Fictive") || !strings.Contains(recs[0].Details, f.Reference) {
		t.Errorf("identity_view audit details = %s, want the reference and no identity", recs[0].Details)
	}
}

// TestSecretariatListFilters checks the filters of the secretariat's list: state, kind,
// association and renewal due within N days; drafts stay out.
func TestSecretariatListFilters(t *testing.T) {
	w := filestest.New(t)
	e1 := w.Submitted(t, w.A1)
	e2 := w.Submitted(t, w.A2)
	decided := w.Decided(t, w.A1)
	renewal := w.Draft(t, w.A1, files.KindRenewal, *decided.ParcoursID)
	w.Move(t, w.A1, renewal.ID, files.StateSubmitted, files.TransitionInput{})
	draft := w.Draft(t, w.A2, files.KindEngagement, 0)
	c := signIn(t, w, w.Secretariat())

	all := []string{e1.Reference, e2.Reference, decided.Reference, renewal.Reference, draft.Reference}
	for _, tt := range []struct {
		name, query string
		status      int
		want        []string
		extra       string
	}{
		{"no filter", "", http.StatusOK, []string{e1.Reference, e2.Reference, decided.Reference, renewal.Reference}, "4 dossiers."},
		{"submitted", "?etat=submitted", http.StatusOK, []string{e1.Reference, e2.Reference, renewal.Reference}, "3 dossiers."},
		{"decided", "?etat=decided", http.StatusOK, []string{decided.Reference}, "1 dossier."},
		{"renewals", "?type=renouvellement", http.StatusOK, []string{renewal.Reference}, "1 dossier."},
		{"association 2", fmt.Sprintf("?association=%d", w.Assoc2.ID), http.StatusOK, []string{e2.Reference}, "1 dossier."},
		{"association 1 entries submitted", fmt.Sprintf("?association=%d&type=engagement&etat=submitted", w.Assoc1.ID), http.StatusOK, []string{e1.Reference}, "1 dossier."},
		{"renewal due within 200 days", "?echeance=200", http.StatusOK, []string{decided.Reference, renewal.Reference}, "2 dossiers."},
		{"renewal due within 30 days", "?echeance=30", http.StatusOK, nil, "Aucun dossier ne correspond."},
		{"days not a number", "?echeance=bientot", http.StatusUnprocessableEntity, nil, "Indiquez un nombre de jours entre 1 et 730."},
		{"unknown state", "?etat=perdu", http.StatusUnprocessableEntity, nil, "Choisissez un état dans la liste."},
		{"drafts are not a filter", "?etat=draft", http.StatusUnprocessableEntity, nil, "Choisissez un état dans la liste."},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := c.Get(t, "/dossiers"+tt.query)
			servertest.Expect(t, "", r, tt.status, append(tt.want, tt.extra)...)
			table := r.Body
			if i := strings.Index(table, "<caption>Dossiers de la commission"); i >= 0 {
				table = table[i:]
			} else {
				table = ""
			}
			for _, ref := range all {
				if tt.status != http.StatusOK { // an invalid filter is ignored, with its message
					break
				}
				if !strings.Contains(strings.Join(tt.want, " "), ref) && strings.Contains(table, ref) {
					t.Errorf("the list shows %s, filtered out", ref)
				}
			}
		})
	}
	// The renewal filter also lists the parcours concerned.
	servertest.Expect(t, "", c.Get(t, "/dossiers?echeance=200"), http.StatusOK, "Parcours dont la période se termine d'ici 200 jours (1)")
	// The incoming list shows the submitted files, oldest first.
	r := c.Get(t, "/dossiers/arrivee")
	servertest.Expect(t, "", r, http.StatusOK, "Déposés, en attente de vérification (3)")
	if strings.Index(r.Body, e1.Reference) > strings.Index(r.Body, renewal.Reference) {
		t.Errorf("the incoming list is not oldest first")
	}
}

// TestIncompleteThenAdmissibleThroughHTTP runs the admissibility check through the
// pages and checks that each role is offered only its allowed actions.
func TestIncompleteThenAdmissibleThroughHTTP(t *testing.T) {
	w := filestest.New(t)
	f := w.Submitted(t, w.A1)
	page := fmt.Sprintf("/dossiers/%d", f.ID)
	sec := signIn(t, w, w.Secretariat())
	asso := signIn(t, w, w.A1)

	r := sec.Get(t, page)
	servertest.Expect(t, "", r, http.StatusOK, "Déclarer incomplet", "Déclarer recevable", "Document de suivi signé par la personne")
	for _, s := range []string{"Enregistrer la décision du préfet", "Inscrire à l'ordre du jour", "Déposer le dossier"} {
		if strings.Contains(r.Body, s) {
			t.Errorf("the secretariat is offered %q on a submitted file", s)
		}
	}
	if r := asso.Get(t, page); strings.Contains(r.Body, "Déclarer recevable") || strings.Contains(r.Body, "Déclarer incomplet") {
		t.Errorf("the association is offered the secretariat's actions")
	}

	r = sec.PostForm(t, page+"/transition", url.Values{"to": {"incomplete"}, "other_missing": {"  "}})
	servertest.Expect(t, "", r, http.StatusUnprocessableEntity, "Indiquez au moins une pièce ou information manquante.")
	r = sec.PostForm(t, page+"/transition", url.Values{"to": {"incomplete"}, "missing": {"Justificatif d'hébergement"}, "other_missing": {"Attestation de domiciliation\n"}})
	if r.Status != http.StatusSeeOther {
		t.Fatalf("declare incomplete = %d, want 303\n%s", r.Status, servertest.MainPart(r.Body))
	}
	servertest.Expect(t, "", sec.Get(t, page), http.StatusOK, "est déclaré incomplet", "Manquant : Attestation de domiciliation", "Incomplet")

	r = asso.Get(t, page)
	servertest.Expect(t, "", r, http.StatusOK, "Dossier incomplet : éléments demandés", "Justificatif d'hébergement", "Compléter le dossier")
	r = asso.Get(t, page+"/pieces")
	servertest.Expect(t, "", r, http.StatusOK, "Déposer les compléments", "Attestation de domiciliation")
	if r := asso.PostForm(t, page+"/deposer", nil); r.Status != http.StatusSeeOther {
		t.Fatalf("submit the completed file = %d, want 303\n%s", r.Status, servertest.MainPart(r.Body))
	}
	if r := sec.PostForm(t, page+"/transition", url.Values{"to": {"admissible"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("declare admissible = %d, want 303", r.Status)
	}
	r = sec.Get(t, page)
	servertest.Expect(t, "", r, http.StatusOK, "est recevable", "Compléments déposés", "Dossier déclaré recevable", "Inscrire à l'ordre du jour")
}

// TestRule10_DecisionNeedsObservationsThroughHTTP records a refused renewal: the page
// refuses the decision until the person's observations are recorded, then ends the parcours.
func TestRule10_DecisionNeedsObservationsThroughHTTP(t *testing.T) {
	w := filestest.New(t)
	entry := w.Decided(t, w.A1)
	f := w.Draft(t, w.A1, files.KindRenewal, *entry.ParcoursID)
	w.Move(t, w.A1, f.ID, files.StateSubmitted, files.TransitionInput{})
	w.Move(t, w.Secretariat(), f.ID, files.StateAdmissible, files.TransitionInput{})
	w.Move(t, w.Secretariat(), f.ID, files.StateScheduled, files.TransitionInput{SessionDate: w.Clock()})
	w.Move(t, w.Users[models.RolePresident], f.ID, files.StateExamined, files.TransitionInput{Avis: files.AvisDefavorable})
	sec := signIn(t, w, w.Secretariat())
	page := fmt.Sprintf("/dossiers/%d", f.ID)
	today := files.DateOf(w.Clock()).Format("2006-01-02")

	servertest.Expect(t, "", sec.Get(t, page), http.StatusOK, "Enregistrer la décision du préfet", "Observations de la personne")
	decision := url.Values{"to": {"decided"}, "outcome": {"refused"}, "decided_on": {today}, "notified_person_on": {today}, "notified_association_on": {"31/02/2026"}}
	servertest.Expect(t, "", sec.PostForm(t, page+"/transition", decision), http.StatusUnprocessableEntity, "Date invalide", `value="31/02/2026"`)
	decision.Set("notified_association_on", today)
	servertest.Expect(t, "", sec.PostForm(t, page+"/transition", decision), http.StatusUnprocessableEntity, "présenter ses observations", `value="refused" checked`)

	servertest.Expect(t, "", sec.PostForm(t, page+"/observations", url.Values{"invited_on": {today}}), http.StatusUnprocessableEntity,
		"Indiquez comment la personne a été invitée")
	if r := sec.PostForm(t, page+"/observations", url.Values{"invited_on": {today}, "means": {"letter"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("observations = %d, want 303\n%s", r.Status, servertest.MainPart(r.Body))
	}
	if r := sec.PostForm(t, page+"/transition", decision); r.Status != http.StatusSeeOther {
		t.Fatalf("decision = %d, want 303\n%s", r.Status, servertest.MainPart(r.Body))
	}
	r := sec.Get(t, page)
	servertest.Expect(t, "", r, http.StatusOK, "Décision du préfet : refus", "Fin des droits le", "Noter un recours", "Invitée le")
	servertest.Expect(t, "", sec.PostForm(t, page+"/recours", url.Values{"appeal_on": {"2001-01-01"}}), http.StatusUnprocessableEntity, "Le recours ne peut pas précéder la décision.")
	if r := sec.PostForm(t, page+"/recours", url.Values{"appeal_on": {today}, "appeal_note": {"Recours gracieux"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("appeal = %d, want 303", r.Status)
	}
	servertest.Expect(t, "", sec.Get(t, page), http.StatusOK, "Recours contre la décision", "Recours gracieux")
	servertest.Expect(t, "", sec.Get(t, fmt.Sprintf("/parcours/%d", *entry.ParcoursID)), http.StatusOK, "Non renouvelé")
}

// TestParcoursRightsAndEnd records a period's rights (AFIS from the scale) and ends a
// parcours, through the pages.
func TestParcoursRightsAndEnd(t *testing.T) {
	w := filestest.New(t)
	entry := w.Decided(t, w.A1)
	pid := *entry.ParcoursID
	p, err := files.FindParcours(context.Background(), w.DB, w.Secretariat(), pid, w.Clock())
	if err != nil {
		t.Fatal(err)
	}
	sec := signIn(t, w, w.Secretariat())
	asso := signIn(t, w, w.A1)
	page := fmt.Sprintf("/parcours/%d", pid)

	servertest.Expect(t, "", asso.Get(t, page), http.StatusOK, entry.Reference, "Demander la fin du parcours", "6 mois sur 24")
	servertest.Expect(t, "", asso.Get(t, "/parcours"), http.StatusOK, entry.Reference)
	servertest.Expect(t, "", signIn(t, w, w.A2).Get(t, page), http.StatusNotFound)
	servertest.Expect(t, "", asso.Get(t, fmt.Sprintf("%s/periodes/%d", page, p.Periods[0].ID)), http.StatusForbidden)

	rights := fmt.Sprintf("%s/periodes/%d", page, p.Periods[0].ID)
	servertest.Expect(t, "", sec.Get(t, rights), http.StatusOK, "Barème de l'AFIS", "343,20 €", "449,28 €")
	month := p.Periods[0].StartsOn.Format("2006-01")
	form := url.Values{"afis_granted": {"1"}, "afis_children": {"2"}, "afis_from": {"13/2026"}, "housing_provided": {"temporary"}}
	servertest.Expect(t, "", sec.PostForm(t, rights, form), http.StatusUnprocessableEntity, "Mois invalide : indiquez-le au format MM/AAAA.", `value="13/2026"`)
	form.Set("afis_from", month)
	form.Set("aps_granted", "1")
	servertest.Expect(t, "", sec.PostForm(t, rights, form), http.StatusUnprocessableEntity, "Indiquez les dates de début et de fin de l'autorisation provisoire de séjour.", `value="2"`)
	form.Del("aps_granted")
	if r := sec.PostForm(t, rights, form); r.Status != http.StatusSeeOther {
		t.Fatalf("save rights = %d, want 303\n%s", r.Status, servertest.MainPart(r.Body))
	}
	servertest.Expect(t, "", sec.Get(t, page), http.StatusOK, "Les droits de la période 1 sont enregistrés.", "555,36 € par mois", "Logement temporaire")

	today := files.DateOf(w.Clock()).Format("2006-01-02")
	servertest.Expect(t, "", sec.PostForm(t, page+"/fin", url.Values{"reason": {"breach"}, "ended_on": {today}}), http.StatusUnprocessableEntity, "passe par une demande de fin")
	servertest.Expect(t, "", sec.PostForm(t, page+"/fin", url.Values{"reason": {"max_duration"}, "ended_on": {today}}), http.StatusUnprocessableEntity, "la durée maximale n'est pas atteinte")
	if r := sec.PostForm(t, page+"/fin", url.Values{"reason": {"left"}, "ended_on": {today}}); r.Status != http.StatusSeeOther {
		t.Fatalf("end parcours = %d, want 303\n%s", r.Status, servertest.MainPart(r.Body))
	}
	r := sec.Get(t, page)
	servertest.Expect(t, "", r, http.StatusOK, "Sortie à l'initiative de la personne")
	if strings.Contains(r.Body, "Mettre fin au parcours</button>") {
		t.Errorf("an ended parcours still offers to end it")
	}
}

// TestRenewalPrefilledFromTheParcours starts a renewal from the parcours: step 2 and 3 are
// filled from the last file, and the request is tied to the parcours.
func TestRenewalPrefilledFromTheParcours(t *testing.T) {
	w := filestest.New(t)
	entry := w.Decided(t, w.A1)
	c := signIn(t, w, w.A1)
	q := fmt.Sprintf("/dossiers/nouveau?type=renouvellement&parcours=%d", *entry.ParcoursID)
	r := c.Get(t, q)
	servertest.Expect(t, "", r, http.StatusOK, "Situation de la personne", entry.Reference, `name="children" value="1"`, `name="afis_requested" value="1" checked`, `<option value="shelter" selected>`)
	if strings.Contains(r.Body, `name="last_name"`) {
		t.Errorf("a renewal asks for the identity again")
	}
	r = c.PostForm(t, "/dossiers/nouveau", url.Values{"type": {"renouvellement"}, "parcours": {fmt.Sprint(*entry.ParcoursID)}, "children": {"2"}, "housing_need": {"temporary"}})
	if r.Status != http.StatusSeeOther {
		t.Fatalf("create renewal = %d, want 303\n%s", r.Status, servertest.MainPart(r.Body))
	}
	servertest.Expect(t, "", c.Get(t, r.Location), http.StatusOK, "Cesser l'activité prostitutionnelle", "Hébergement en CHRS", "Actions menées et résultats obtenus")
	// An entry for a person whose parcours is still running is refused at step 1.
	servertest.Expect(t, "", c.Get(t, fmt.Sprintf("/dossiers/nouveau?type=engagement&parcours=%d", *entry.ParcoursID)), http.StatusUnprocessableEntity, "déjà un parcours en cours")
}

// TestDashboardsCountFiles checks the file panels of the dashboards.
func TestDashboardsCountFiles(t *testing.T) {
	w := filestest.New(t)
	w.Submitted(t, w.A1)
	w.Submitted(t, w.A1)
	w.Draft(t, w.A1, files.KindEngagement, 0)
	servertest.Expect(t, "", signIn(t, w, w.Secretariat()).Get(t, "/"), http.StatusOK, "2 dossiers déposés attendent la vérification de recevabilité.", `href="/dossiers/arrivee"`)
	servertest.Expect(t, "", signIn(t, w, w.A1).Get(t, "/"), http.StatusOK, "1 brouillon, 2 dossiers en cours d'instruction, 0 dossier décidé.", `href="/dossiers/nouveau"`)
	servertest.Expect(t, "", signIn(t, w, w.A2).Get(t, "/"), http.StatusOK, "0 brouillon, 0 dossier en cours d'instruction")
}

// TestDeleteDraft deletes a draft from step 4 and refuses to delete a submitted file.
func TestDeleteDraft(t *testing.T) {
	w := filestest.New(t)
	d := w.Draft(t, w.A1, files.KindEngagement, 0)
	s := w.Submitted(t, w.A1)
	c := signIn(t, w, w.A1)
	servertest.Expect(t, "", c.Get(t, fmt.Sprintf("/dossiers/%d/pieces", d.ID)), http.StatusOK, "Supprimer définitivement le brouillon")
	if r := c.PostForm(t, fmt.Sprintf("/dossiers/%d/supprimer", d.ID), nil); r.Status != http.StatusSeeOther || r.Location != "/dossiers" {
		t.Fatalf("delete draft = %d %q, want 303 to /dossiers", r.Status, r.Location)
	}
	servertest.Expect(t, "", c.Get(t, "/dossiers"), http.StatusOK, "Le brouillon "+d.Reference+" est supprimé.")
	servertest.Expect(t, "", c.Get(t, fmt.Sprintf("/dossiers/%d", d.ID)), http.StatusNotFound)
	servertest.Expect(t, "", c.PostForm(t, fmt.Sprintf("/dossiers/%d/supprimer", s.ID), nil), http.StatusConflict, "Seul un brouillon peut être supprimé.")
}

// TestFileListFollowsEachWriteAndDay checks the secretariat's list, kept with its table
// until the next write (issue 17): a file submitted shows on the next request, and the
// days left of a parcours due for renewal drop by one at midnight, within the memo's
// minute.
func TestFileListFollowsEachWriteAndDay(t *testing.T) {
	w := filestest.New(t)
	y, m, d := w.Clock().In(models.Paris).Date() // the files count days in France (files.DateOf)
	w.SetClock(time.Date(y, m, d+1, 23, 59, 30, 0, models.Paris))
	e1 := w.Submitted(t, w.A1)
	decided := w.Decided(t, w.A1)
	c := signIn(t, w, w.Secretariat())
	servertest.Expect(t, "list", c.Get(t, "/dossiers"), http.StatusOK, e1.Reference, decided.Reference, "2 dossiers.")

	e2 := w.Submitted(t, w.A2)
	servertest.Expect(t, "list after a submission", c.Get(t, "/dossiers"), http.StatusOK, e2.Reference, "3 dossiers.")

	dueIn := regexp.MustCompile(`J-(\d+)\)`)
	daysLeft := func() int {
		t.Helper()
		r := c.Get(t, "/dossiers?echeance=730")
		got := dueIn.FindStringSubmatch(r.Body)
		if r.Status != http.StatusOK || got == nil {
			t.Fatalf("GET /dossiers?echeance=730 = %d without a parcours due", r.Status)
		}
		n, _ := strconv.Atoi(got[1])
		return n
	}
	before := daysLeft()
	w.Advance(40 * time.Second)
	if after := daysLeft(); after != before-1 {
		t.Fatalf("after midnight the parcours is due in %d days, want %d", after, before-1)
	}
}

// TestFilePageFollowsEachWriteAndReader checks the file page's record, kept sealed by
// file until the next write (issue 17): an attachment and the end of the parcours show
// on the next request, each reader's access is checked at each request, and the names
// the secretariat's page opened are not what the next reader of the same record sees.
func TestFilePageFollowsEachWriteAndReader(t *testing.T) {
	w := filestest.New(t)
	ctx := context.Background()
	f, d := w.Submitted(t, w.A1), w.Decided(t, w.A1)
	path := fmt.Sprintf("/dossiers/%d", f.ID)
	sec, pres := signIn(t, w, w.Secretariat()), signIn(t, w, w.Users[models.RolePresident])
	asso, other := signIn(t, w, w.A1), signIn(t, w, w.A2)
	servertest.Expect(t, "secretariat", sec.Get(t, path), http.StatusOK, f.Reference)

	if _, err := files.AddAttachment(ctx, w.DB, w.Config.Keys, w.Secretariat(), f.ID, files.AttachmentReport, "rapport-Fictive-Ada.pdf", pdf("r"), w.Clock()); err != nil {
		t.Fatal(err)
	}
	servertest.Expect(t, "secretariat after an attachment", sec.Get(t, path), http.StatusOK, "rapport-Fictive-Ada.pdf", "Pièce ajoutée : ")
	servertest.Expect(t, "instructing association", asso.Get(t, path), http.StatusOK, "rapport-Fictive-Ada.pdf")
	servertest.Expect(t, "another association", other.Get(t, path), http.StatusNotFound)
	// The president without a grant sees the summary only; with one, the proposal and
	// the attachments under masked names, read right after the secretariat's page.
	if r := pres.Get(t, path); r.Status != http.StatusOK || strings.Contains(r.Body, "Pièce n° 1") || strings.Contains(r.Body, "rapport-Fictive") {
		t.Fatalf("president without a grant: GET %s = %d, showing the attachments", path, r.Status)
	}
	g := &files.FileAccessGrant{CommissionID: w.Commission.ID, FileID: f.ID, UserID: w.Users[models.RolePresident].ID,
		ValidFrom: w.Clock().Add(-time.Hour), ValidUntil: w.Clock().AddDate(0, 0, 30), Reason: "Convocation (test)"}
	if err := files.GrantFileAccess(ctx, w.DB, models.SystemActor("test"), g, w.Clock()); err != nil {
		t.Fatal(err)
	}
	servertest.Expect(t, "secretariat after the grant", sec.Get(t, path), http.StatusOK, "rapport-Fictive-Ada.pdf")
	r := pres.Get(t, path)
	servertest.Expect(t, "president with a grant", r, http.StatusOK, "Pièce n° 1 (PDF")
	if strings.Contains(r.Body, "rapport-Fictive") {
		t.Fatal("the president's page shows the attachment's name the secretariat's page opened")
	}

	decided := fmt.Sprintf("/dossiers/%d", d.ID)
	servertest.Expect(t, "decided file", sec.Get(t, decided), http.StatusOK, "Parcours ", "Fin de la période")
	if err := files.EndParcours(ctx, w.DB, w.Secretariat(), *d.ParcoursID, files.EndLeft, models.CalendarDay(w.Clock()), w.Clock()); err != nil {
		t.Fatal(err)
	}
	servertest.Expect(t, "decided file after its parcours ended", sec.Get(t, decided), http.StatusOK, files.EndLeft.Label())
}
