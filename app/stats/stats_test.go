package stats_test

import (
	"archive/zip"
	"bytes"
	"context"
	"html"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"seance/app/servertest"
	"seance/models"
	"seance/models/modelstest"
)

// env starts the application with the statistics fixture of 2025 in commission 31.
func env(t *testing.T) *servertest.Env {
	t.Helper()
	e := servertest.New(t)
	modelstest.StatsFixture(t, e.DB, e.Commission)
	return e
}

// row returns the cells' texts of the table row labelled label in the page.
func row(t *testing.T, body, label string) []string {
	t.Helper()
	re := regexp.MustCompile(`<th scope="row">` + regexp.QuoteMeta(html.EscapeString(label)) + `</th>((?:<td[^>]*>[^<]*</td>)+)`)
	m := re.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("row %q not found in the page", label)
	}
	var out []string
	for _, c := range regexp.MustCompile(`<td[^>]*>([^<]*)</td>`).FindAllStringSubmatch(m[1], -1) {
		out = append(out, strings.ReplaceAll(c[1], "&lt;", "<"))
	}
	return out
}

func TestRule14_DashboardValues(t *testing.T) {
	e := env(t)
	for _, tt := range []struct {
		role  models.Role
		exact bool
	}{
		{models.RoleSecretariat, true},
		{models.RolePresident, false},
		{models.RolePrefecture, false},
	} {
		t.Run(string(tt.role), func(t *testing.T) {
			c := e.Client()
			c.SignIn(t, tt.role)
			resp := c.Get(t, "/statistiques?annee=2025")
			if resp.Status != http.StatusOK {
				t.Fatalf("GET /statistiques?annee=2025 status = %d, want 200\n%s", resp.Status, resp.Body)
			}
			body := resp.Body
			// Values hand-counted from the fixture (models/stats_test.go).
			want := map[string][]string{
				"Engagement dans le parcours":           {"9", "s", "< 5", "< 5", "s"},
				"Renouvellement":                        {"s", "s", "0", "0", "s"},
				"Parcours commencés (entrées)":          {"5"},
				"Périodes de renouvellement commencées": {"6"},
				"Parcours en cours au 31/12/2025":       {"6"},
				"Dépôt → dossier complet":               {"15", "7", "14"},
				"Dossier complet → avis":                {"15", "25", "34"},
				"Avis → décision":                       {"15", "10", "15"},
				"Décision → notification":               {"15", "3", "6"},
			}
			if tt.exact {
				want["Engagement dans le parcours"] = []string{"9", "6", "1", "1", "8"}
				want["Renouvellement"] = []string{"6", "6", "0", "0", "6"}
				want["Premières demandes (engagement)"] = []string{"5", "3", "8", "37,5 %"}
				want["Bénéficiaires"] = []string{"3"}
				want["Montant dû dans l'année"] = []string{"9\u202f197,76 €"}
				if !strings.Contains(body, "Vue du secrétariat : effectifs exacts") {
					t.Error("the secretariat's page does not say its counts are exact")
				}
			} else {
				want["Bénéficiaires"] = []string{"< 5"}
				want["Montant dû dans l'année"] = []string{"s"}
				if got := row(t, body, "Premières demandes (engagement)"); got[1] != "< 5" || got[3] != "s" {
					t.Errorf("first requests = %v, want refused « < 5 » and the rate masked", got)
				}
				if strings.Contains(body, "Vue du secrétariat") {
					t.Error("the published view says it is the secretariat's")
				}
			}
			for label, cells := range want {
				if got := row(t, body, label); strings.Join(got, "|") != strings.Join(cells, "|") {
					t.Errorf("row %q = %v, want %v", label, got, cells)
				}
			}
			for _, s := range []string{`<svg class="seance-chart__svg"`, `role="img"`, "Définition.", "Télécharger le rapport annuel"} {
				if !strings.Contains(body, s) {
					t.Errorf("page lacks %q", s)
				}
			}
		})
	}
}

func TestStatisticsAccess(t *testing.T) {
	e := env(t)
	for _, role := range []models.Role{models.RoleAssociation, models.RoleMember} {
		c := e.Client()
		c.SignIn(t, role)
		for _, path := range []string{"/statistiques", "/statistiques/rapports", "/statistiques/rapports/2025.xlsx"} {
			if resp := c.Get(t, path); resp.Status != http.StatusForbidden {
				t.Errorf("%s GET %s status = %d, want 403", role, path, resp.Status)
			}
		}
	}
	// The prefecture of another commission sees its own (empty) statistics, never 31's.
	other := modelstest.Commission(t, e.DB, "09")
	u := &models.User{Email: "prefecture09@test.example", Name: "Préfecture 09", Role: models.RolePrefecture,
		PasswordHash: servertest.PasswordHash(t), Active: true, CommissionID: &other.ID}
	if err := models.CreateUser(context.Background(), e.DB, models.SystemActor("test"), u, e.Clock()); err != nil {
		t.Fatal(err)
	}
	c := e.Client()
	c.SignInAs(t, u.Email, servertest.Password)
	for _, path := range []string{"/statistiques?annee=2025", "/statistiques/rapports/2025.xlsx", "/statistiques?annee=abc"} {
		if resp := c.Get(t, path); resp.Status != http.StatusNotFound {
			t.Errorf("other commission GET %s status = %d, want 404", path, resp.Status)
		}
	}
	resp := c.Get(t, "/statistiques")
	if resp.Status != http.StatusOK || strings.Contains(resp.Body, "Amicale du Nid") {
		t.Errorf("other commission GET /statistiques status = %d, or shows commission 31's associations", resp.Status)
	}
}

func TestRule14_ReportsAndWorkbookMasked(t *testing.T) {
	e := env(t)
	c := e.Client()
	c.SignIn(t, models.RolePrefecture)
	home := c.Get(t, "/")
	if !strings.Contains(home.Body, `href="/statistiques"`) || strings.Contains(home.Body, "seront disponibles ici") {
		t.Error("the prefecture's dashboard does not link to the statistics")
	}
	list := c.Get(t, "/statistiques/rapports")
	if list.Status != http.StatusOK || !strings.Contains(list.Body, "rapport-annuel-31-2025.xlsx") || !strings.Contains(list.Body, "provisoire") {
		t.Fatalf("GET /statistiques/rapports status = %d, want 200 listing rapport-annuel-31-2025.xlsx and a provisional year", list.Status)
	}
	resp := c.Get(t, "/statistiques/rapports/2025.xlsx")
	if resp.Status != http.StatusOK {
		t.Fatalf("GET workbook status = %d\n%s", resp.Status, resp.Body)
	}
	if cd := resp.Header.Get("Content-Disposition"); !strings.Contains(cd, "rapport-annuel-31-2025.xlsx") {
		t.Errorf("Content-Disposition = %q", cd)
	}
	checkWorkbook(t, []byte(resp.Body))
	var n int
	if err := e.DB.NewSelect().TableExpr("audit_log").ColumnExpr("COUNT(*)").Where("action = 'stats.download'").Scan(context.Background(), &n); err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Errorf("stats.download audit records = %d, want 1", n)
	}
}

// checkWorkbook checks the sheets, panes, filters, charts and values of the 2025 workbook.
func checkWorkbook(t *testing.T, raw []byte) {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	z, err := zip.NewReader(bytes.NewReader(raw), int64(len(raw)))
	if err != nil {
		t.Fatal(err)
	}
	charts := 0
	for _, zf := range z.File {
		if strings.HasPrefix(zf.Name, "xl/charts/chart") {
			charts++
		}
	}
	filters := map[string]bool{}
	for _, dn := range f.GetDefinedName() {
		if dn.Name == "_xlnm._FilterDatabase" {
			filters[dn.Scope] = true
		}
	}
	wantSheets := []string{"Couverture", "Séances et présence", "Dossiers et avis", "Décisions et délais", "Parcours", "Bénéficiaires", "Droits", "Associations", "Série mensuelle"}
	if got := f.GetSheetList(); strings.Join(got, "|") != strings.Join(wantSheets, "|") {
		t.Fatalf("sheets = %v, want %v", got, wantSheets)
	}
	for _, sh := range wantSheets[1:] {
		panes, err := f.GetPanes(sh)
		if err != nil || !panes.Freeze || panes.YSplit != 2 {
			t.Errorf("sheet %s: panes %+v (%v), want frozen header rows", sh, panes, err)
		}
		if !filters[sh] {
			t.Errorf("sheet %s has no autofilter", sh)
		}
	}
	if charts != 9 {
		t.Errorf("charts = %d, want 9 (one per main table)", charts)
	}
	cell := func(sheet, ref string) string {
		v, err := f.GetCellValue(sheet, ref)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	for _, tt := range []struct{ sheet, ref, want string }{
		{"Couverture", "B4", "2025"},
		{"Couverture", "B6", "Année complète"},
		{"Dossiers et avis", "A3", "Engagement dans le parcours"},
		{"Dossiers et avis", "B3", "9"},
		{"Dossiers et avis", "D3", "< 5"},
		{"Dossiers et avis", "B8", "16"},
		{"Décisions et délais", "C3", "< 5"},
		{"Parcours", "B3", "5"},
		{"Parcours", "B6", "6"},
	} {
		if got := cell(tt.sheet, tt.ref); got != tt.want {
			t.Errorf("%s!%s = %q, want %q", tt.sheet, tt.ref, got, tt.want)
		}
	}
	// No identity, reference or sealed value anywhere.
	ref := regexp.MustCompile(`\d{2}-\d{4}-\d{4}`)
	for _, sh := range wantSheets {
		rows, err := f.GetRows(sh)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			for _, v := range r {
				if ref.MatchString(v) || strings.Contains(v, "sealed") {
					t.Errorf("sheet %s holds %q", sh, v)
				}
			}
		}
	}
}
