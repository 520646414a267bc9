package legal_test

import (
	"net/http"
	"strings"
	"testing"

	"seance/app/servertest"
	"seance/models"
)

// TestLegalPagesLinkedFromEveryFooter checks the three legal pages of a State site:
// public, with their required sections, and linked from the footer of every page
// (issue 16, point 4).
func TestLegalPagesLinkedFromEveryFooter(t *testing.T) {
	env := servertest.New(t)
	anon := env.Client()
	for _, tt := range []struct {
		path string
		want []string
	}{
		{"/accessibilite", []string{"Déclaration d'accessibilité", "partiellement conforme", "RGAA", "Résultats des tests", "axe-core", "375 pixels", "Non-conformités connues", "Dérogations", "établie en", "Voies de recours", "Défenseur des droits"}},
		{"/mentions-legales", []string{"Mentions légales", "Éditeur", "Préfecture de la Haute-Garonne", "Directeur ou directrice de la publication", "Hébergement"}},
		{"/donnees-personnelles", []string{"Données personnelles", "Finalités", "Base légale", "Catégories de données", "Destinataires", "Durées de conservation", "2 ans après le dernier contact", "Vos droits", "Délégué à la protection des données", "CNIL"}},
	} {
		r := anon.Get(t, tt.path)
		if r.Status != http.StatusOK {
			t.Fatalf("GET %s anonymously = %d, want 200", tt.path, r.Status)
		}
		for _, w := range tt.want {
			if !strings.Contains(r.Body, w) {
				t.Errorf("GET %s lacks %q", tt.path, w)
			}
		}
	}
	member := env.Client()
	member.SignIn(t, models.RoleMember)
	for _, page := range []*servertest.Response{anon.Get(t, "/login"), member.Get(t, "/"), member.Get(t, "/compte")} {
		for _, link := range []string{`href="/accessibilite"`, `href="/mentions-legales"`, `href="/donnees-personnelles"`} {
			if !strings.Contains(page.Body, link) {
				t.Errorf("a page's footer lacks %s", link)
			}
		}
	}
}
