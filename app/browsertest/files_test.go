package browsertest_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"seance/app/browsertest"
	"seance/app/files/filestest"
	"seance/app/servertest"
	"seance/models/files"
)

// switchUser signs the tab out (its cookies are dropped) and in as email.
func switchUser(t *testing.T, site *browsertest.Site, email string) {
	t.Helper()
	site.Run(t, network.ClearBrowserCookies())
	site.SignIn(t, email, servertest.Password)
}

// text returns the text of the first element matching sel.
func text(t *testing.T, site *browsertest.Site, sel string) string {
	t.Helper()
	var s string
	site.Run(t, chromedp.Text(sel, &s, chromedp.ByQuery))
	return s
}

func wantText(t *testing.T, site *browsertest.Site, sel string, want ...string) {
	t.Helper()
	got := text(t, site, sel)
	for _, w := range want {
		// Badges are shown in capitals (CSS): compare without case.
		if !strings.Contains(strings.ToLower(got), strings.ToLower(w)) {
			t.Fatalf("%s text lacks %q:\n%s", sel, w, got)
		}
	}
}

// writePDF writes a small PDF under dir and returns its path.
func writePDF(t *testing.T, dir, name string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestBrowserFileSubmittedIncompleteCompletedAdmissible walks the main journey of a file:
// an association creates and submits it through the wizard, the secretariat declares it
// incomplete, the association completes it, the secretariat declares it admissible and
// reveals the identity (audited).
func TestBrowserFileSubmittedIncompleteCompletedAdmissible(t *testing.T) {
	w := filestest.New(t)
	decided := w.Decided(t, w.A2) // a parcours, for the parcours screens
	site := browsertest.Start(t, w.Env, 1280, 900)
	dir := t.TempDir()

	// The association creates the request.
	site.SignIn(t, w.A1.Email, servertest.Password)
	site.Screenshot(t, "01-association-tableau-de-bord")
	site.Run(t, chromedp.Navigate(site.URL+"/dossiers/nouveau"), chromedp.WaitVisible(`h1`, chromedp.ByQuery))
	site.Screenshot(t, "02-etape1-demande")
	site.Run(t, chromedp.Click(`label[for="type-engagement"]`, chromedp.ByQuery))
	site.ClickAndWait(t, `main form button[type=submit]`)
	wantText(t, site, `.fr-stepper__title`, "Personne et situation", "Étape 2 sur 4")

	// Submitting without a name: French messages, what was typed is kept.
	site.Run(t, chromedp.SendKeys(`#city`, "Toulouse (fictif)", chromedp.ByID))
	site.ClickAndWait(t, `button[name="suite"][value="suivant"]`)
	wantText(t, site, `#erreurs`, "Indiquez le nom de la personne.", "Choisissez le genre")
	var city string
	site.Run(t, chromedp.Value(`#city`, &city, chromedp.ByID))
	if city != "Toulouse (fictif)" {
		t.Fatalf("after a refused step 2, city = %q, want what was typed", city)
	}
	site.Screenshot(t, "03-etape2-erreurs")
	site.Run(t,
		chromedp.SendKeys(`#last_name`, "Exemple", chromedp.ByID),
		chromedp.SendKeys(`#first_name`, "Joy", chromedp.ByID),
		chromedp.SendKeys(`#birth_year`, "1998", chromedp.ByID),
		chromedp.Click(`label[for="gender-F"]`, chromedp.ByQuery),
		chromedp.SendKeys(`#nationality`, "NG", chromedp.ByID),
		chromedp.SetValue(`#children`, "1", chromedp.ByID),
		chromedp.Click(`label[for="afis_requested"]`, chromedp.ByQuery),
		chromedp.Click(`label[for="aps_needed"]`, chromedp.ByQuery),
		chromedp.SetValue(`#housing_need`, "shelter", chromedp.ByID),
	)
	site.Screenshot(t, "04-etape2-remplie")
	site.ClickAndWait(t, `button[name="suite"][value="suivant"]`)
	wantText(t, site, `.fr-stepper__title`, "Proposition de l'association")
	var loc string
	site.Run(t, chromedp.Location(&loc))
	var id int64
	if _, err := fmt.Sscanf(strings.TrimPrefix(loc, site.URL), "/dossiers/%d/proposition", &id); err != nil {
		t.Fatalf("after step 2 the tab is at %s: %v", loc, err)
	}
	site.Run(t,
		chromedp.SendKeys(`#commitments`, "Suivre les rendez-vous d'accompagnement.", chromedp.ByID),
		chromedp.SetValue(`[id="actions.0.kind"]`, "housing", chromedp.ByQuery),
		chromedp.SendKeys(`[id="actions.0.description"]`, "Hébergement en résidence sociale", chromedp.ByQuery),
		chromedp.SendKeys(`[id="actions.0.duration"]`, "6", chromedp.ByQuery),
		chromedp.SendKeys(`#expected_results`, "Hébergement stable.", chromedp.ByID),
		chromedp.Click(`label[for="association_avis-favorable"]`, chromedp.ByQuery),
		chromedp.SendKeys(`#avis_reasoning`, "Engagement constant depuis trois mois.", chromedp.ByID),
	)
	site.Screenshot(t, "05-etape3-proposition")
	site.ClickAndWait(t, `button[name="suite"][value="suivant"]`)
	wantText(t, site, `.fr-stepper__title`, "Pièces et dépôt")
	site.Run(t,
		chromedp.SetValue(`#kind`, "followup", chromedp.ByID),
		chromedp.SetUploadFiles(`#file`, []string{writePDF(t, dir, "document-de-suivi.pdf")}, chromedp.ByID),
	)
	site.ClickAndWait(t, `#form-upload button[type=submit]`)
	wantText(t, site, `main`, "Pièce ajoutée", "document-de-suivi.pdf")
	site.Screenshot(t, "06-etape4-pieces")
	site.ClickAndWait(t, `form[action$="/deposer"] button`)
	wantText(t, site, `main`, "est déposé", "Déposé")
	site.Screenshot(t, "07-dossier-depose-association")
	page := fmt.Sprintf("/dossiers/%d", id)

	// The secretariat finds it among the files to check and declares it incomplete.
	switchUser(t, site, w.Secretariat().Email)
	site.Run(t, chromedp.Navigate(site.URL+"/dossiers/arrivee"), chromedp.WaitVisible(`h1`, chromedp.ByQuery))
	site.Screenshot(t, "08-secretariat-a-verifier")
	site.ClickAndWait(t, fmt.Sprintf(`a[href="%s#actions"]`, page))
	site.Screenshot(t, "09-secretariat-dossier")
	site.Run(t,
		chromedp.Click(`label[for="missing-2"]`, chromedp.ByQuery),
		chromedp.SendKeys(`#other_missing`, "Attestation de domiciliation", chromedp.ByID),
	)
	site.ClickAndWait(t, `#form-incomplete button[type=submit]`)
	wantText(t, site, `main`, "est déclaré incomplet", "Incomplet", "Manquant : Rapport de l'association", "Manquant : Attestation de domiciliation")
	site.Screenshot(t, "10-secretariat-incomplet")

	// The association completes it.
	switchUser(t, site, w.A1.Email)
	site.Run(t, chromedp.Navigate(site.URL+"/dossiers"), chromedp.WaitVisible(`h1`, chromedp.ByQuery))
	site.Screenshot(t, "11-association-mes-dossiers")
	site.Run(t, chromedp.Navigate(site.URL+page), chromedp.WaitVisible(`h1`, chromedp.ByQuery))
	wantText(t, site, `main`, "Dossier incomplet : éléments demandés", "Attestation de domiciliation")
	site.ClickAndWait(t, `.fr-alert--warning a.fr-btn`)
	site.Run(t,
		chromedp.SetValue(`#kind`, "report", chromedp.ByID),
		chromedp.SetUploadFiles(`#file`, []string{writePDF(t, dir, "rapport.pdf")}, chromedp.ByID),
	)
	site.ClickAndWait(t, `#form-upload button[type=submit]`)
	wantText(t, site, `form[action$="/deposer"] button`, "Déposer les compléments")
	site.Screenshot(t, "12-association-completer")
	site.ClickAndWait(t, `form[action$="/deposer"] button`)
	wantText(t, site, `main`, "est déposé")

	// The secretariat declares it admissible, then reveals the identity.
	switchUser(t, site, w.Secretariat().Email)
	site.Run(t, chromedp.Navigate(site.URL+page), chromedp.WaitVisible(`h1`, chromedp.ByQuery))
	site.ClickAndWait(t, `#form-admissible button`)
	wantText(t, site, `main`, "est recevable", "Recevable", "Compléments déposés", "Dossier déclaré recevable", "Dossier déclaré incomplet")
	if strings.Contains(text(t, site, `main`), "Exemple") {
		t.Fatal("the file page shows the identity before it is asked for")
	}
	site.Run(t,
		chromedp.Click(`#identite button`, chromedp.ByQuery),
		chromedp.WaitVisible(`#identite dl`, chromedp.ByQuery),
	)
	wantText(t, site, `#identite`, "Exemple", "Joy", "journal d'audit")
	if n := w.AuditCount(t, "file.identity_view"); n != 1 {
		t.Errorf("identity_view audit records = %d after one display, want 1", n)
	}
	site.Screenshot(t, "13-secretariat-recevable-identite")

	site.Run(t, chromedp.Navigate(site.URL+"/dossiers?etat=admissible"), chromedp.WaitVisible(`h1`, chromedp.ByQuery))
	wantText(t, site, `main`, "1 dossier.")
	site.Screenshot(t, "14-secretariat-liste-filtree")
	site.Run(t, chromedp.Navigate(site.URL+"/dossiers?echeance=200"), chromedp.WaitVisible(`h1`, chromedp.ByQuery))
	wantText(t, site, `main`, decided.Reference)
	site.Screenshot(t, "15-secretariat-renouvellements")
	site.Run(t, chromedp.Navigate(fmt.Sprintf("%s/parcours/%d", site.URL, *decided.ParcoursID)), chromedp.WaitVisible(`h1`, chromedp.ByQuery))
	site.Screenshot(t, "16-secretariat-parcours")
	site.ClickAndWait(t, `a[href*="/periodes/"]`)
	wantText(t, site, `main`, "Barème de l'AFIS", "449,28 €")
	site.Screenshot(t, "17-secretariat-droits")
	site.Run(t, chromedp.Navigate(site.URL+"/"), chromedp.WaitVisible(`h1`, chromedp.ByQuery))
	site.Screenshot(t, "18-secretariat-tableau-de-bord")
}

// TestBrowserFileScreensOnAPhone opens the files screens at 375 px: nothing may be wider
// than the screen (tables scroll in their own box).
func TestBrowserFileScreensOnAPhone(t *testing.T) {
	w := filestest.New(t)
	decided := w.Decided(t, w.A1)
	f := w.Submitted(t, w.A1)
	draft := w.Draft(t, w.A1, files.KindEngagement, 0)
	if _, err := files.AddAttachment(context.Background(), w.DB, w.Config.Keys, w.A1, draft.ID,
		files.AttachmentReport, "rapport-d-activite-tres-long-nom-de-fichier.pdf", []byte("%PDF-1.4\n%%EOF\n"), w.Clock()); err != nil {
		t.Fatal(err)
	}
	site := browsertest.Start(t, w.Env, 375, 812)

	check := func(name, path string) {
		t.Helper()
		var overflow bool
		site.Run(t,
			chromedp.Navigate(site.URL+path),
			chromedp.WaitVisible(`h1`, chromedp.ByQuery),
			chromedp.Evaluate(`document.documentElement.scrollWidth > window.innerWidth + 1`, &overflow),
		)
		site.Screenshot(t, name)
		if overflow {
			t.Errorf("%s is wider than a 375 px screen", path)
		}
	}
	site.SignIn(t, w.A1.Email, servertest.Password)
	check("01-mes-dossiers", "/dossiers")
	check("02-etape1", "/dossiers/nouveau")
	check("03-etape2", "/dossiers/nouveau?type=engagement")
	check("04-renouvellement", fmt.Sprintf("/dossiers/nouveau?type=renouvellement&parcours=%d", *decided.ParcoursID))
	check("05-dossier-association", fmt.Sprintf("/dossiers/%d", f.ID))
	check("05b-etape4", fmt.Sprintf("/dossiers/%d/pieces", draft.ID))
	check("05c-etape3", fmt.Sprintf("/dossiers/%d/proposition", draft.ID))
	check("06-parcours-association", "/parcours")

	switchUser(t, site, w.Secretariat().Email)
	check("07-secretariat-liste", "/dossiers")
	check("08-secretariat-a-verifier", "/dossiers/arrivee")
	check("09-secretariat-dossier", fmt.Sprintf("/dossiers/%d", f.ID))
	check("10-secretariat-dossier-decide", fmt.Sprintf("/dossiers/%d", decided.ID))
	check("11-secretariat-parcours", fmt.Sprintf("/parcours/%d", *decided.ParcoursID))
}
