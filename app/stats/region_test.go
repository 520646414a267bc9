package stats_test

import (
	"bytes"
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"seance/app/servertest"
	"seance/models"
	"seance/models/files"
	"seance/models/meetings"
	"seance/models/modelstest"
)

// regionEnv has the fixture's year 2025 in Haute-Garonne (31) and Ariège (09), both in
// Occitanie, and an empty commission in Gironde (33, Nouvelle-Aquitaine).
func regionEnv(t *testing.T) (*servertest.Env, *models.Commission) {
	t.Helper()
	e := env(t)
	modelstest.StatsFixture(t, e.DB, modelstest.Commission(t, e.DB, "09"))
	gironde := &models.Commission{Department: "33", Name: "Commission de la Gironde"}
	if err := models.CreateCommission(context.Background(), e.DB, models.SystemActor("test"), gironde, e.Clock()); err != nil {
		t.Fatal(err)
	}
	return e, gironde
}

func TestRegionDashboard(t *testing.T) {
	e, _ := regionEnv(t)
	c := e.Client()
	c.SignIn(t, models.RoleRegion)
	home := c.Get(t, "/")
	if !strings.Contains(home.Body, `href="/statistiques/region"`) || strings.Contains(home.Body, "pas encore disponible") {
		t.Errorf("the region's dashboard card does not link to the regional statistics")
	}
	resp := c.Get(t, "/statistiques/region?annee=2025")
	if resp.Status != http.StatusOK {
		t.Fatalf("GET /statistiques/region status = %d\n%s", resp.Status, resp.Body)
	}
	body := resp.Body
	for _, s := range []string{"Statistiques régionales 2025", "Région Occitanie (76) — 2 commission(s)", "Comparaison des départements", `<svg class="seance-chart__svg"`} {
		if !strings.Contains(body, s) {
			t.Errorf("regional page lacks %q", s)
		}
	}
	if strings.Contains(body, "Gironde") || strings.Contains(body, "Périmètre") {
		t.Error("the region user sees another region's commission or the administrator's selector")
	}
	// Hand-counted from the fixture (models/stats_test.go), in each department: 16 files
	// received, 15 avis of which 1 défavorable, 15 decisions of which 3 refusals, 5 parcours
	// started, 6 in progress, 3 AFIS beneficiaries. Small counts show « < 5 »; the
	// authorisations (15 − 3) and the rate are masked with them, and so is the region's 6
	// refusals (else 6 − 3 gives the other department's).
	for label, want := range map[string]string{
		"Ariège (09)":        "16|15|< 5|s|< 5|15|s|5|6|< 5",
		"Haute-Garonne (31)": "16|15|< 5|s|< 5|15|s|5|6|< 5",
		"Région Occitanie":   "32|30|< 5|s|s|30|s|10|12|6",
	} {
		if got := strings.Join(row(t, body, label), "|"); got != want {
			t.Errorf("departments row %q = %s, want %s", label, got, want)
		}
	}
	if got := row(t, body, "Parcours commencés (entrées)"); len(got) != 1 || got[0] != "10" {
		t.Errorf("region parcours started = %v, want 10", got)
	}
	// Another region is not this user's; the administrator's parameter does not widen it.
	for _, p := range []string{"/statistiques/region?region=75", "/statistiques/region/rapports/2025.xlsx?region=75", "/statistiques/region?annee=1990"} {
		if resp := c.Get(t, p); resp.Status != http.StatusNotFound {
			t.Errorf("region GET %s status = %d, want 404", p, resp.Status)
		}
	}
}

func TestRegionNeverReachesFilesSessionsOrMinutes(t *testing.T) {
	e, _ := regionEnv(t)
	var fileID, meetingID int64
	if err := e.DB.NewSelect().Model((*files.File)(nil)).Column("id").Where("commission_id = ?", e.Commission.ID).Limit(1).Scan(context.Background(), &fileID); err != nil {
		t.Fatal(err)
	}
	if err := e.DB.NewSelect().Model((*meetings.Meeting)(nil)).Column("id").Where("commission_id = ?", e.Commission.ID).Limit(1).Scan(context.Background(), &meetingID); err != nil {
		t.Fatal(err)
	}
	c := e.Client()
	c.SignIn(t, models.RoleRegion)
	f, m := "/dossiers/"+itoa(fileID), "/seances/"+itoa(meetingID)
	for _, p := range []string{"/dossiers", f, f + "/pieces", "/parcours", "/seances", m, m + "/pv", m + "/pv.pdf", m + "/pv.xlsx",
		"/proces-verbaux", "/sitting", "/votes", "/statistiques", "/statistiques/rapports/2025.xlsx", "/composition", "/admin/comptes"} {
		if resp := c.Get(t, p); resp.Status != http.StatusForbidden {
			t.Errorf("region GET %s status = %d, want 403", p, resp.Status)
		}
	}
}

func TestRegionWorkbookAndAdminSelector(t *testing.T) {
	e, _ := regionEnv(t)
	c := e.Client()
	c.SignIn(t, models.RoleRegion)
	resp := c.Get(t, "/statistiques/region/rapports/2025.xlsx")
	if resp.Status != http.StatusOK || !strings.Contains(resp.Header.Get("Content-Disposition"), "rapport-annuel-region-76-2025.xlsx") {
		t.Fatalf("region workbook: status %d, disposition %q", resp.Status, resp.Header.Get("Content-Disposition"))
	}
	f, err := excelize.OpenReader(bytes.NewReader([]byte(resp.Body)))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) < 3 || sheets[0] != "Couverture" || sheets[1] != "Comparaison des départements" {
		t.Fatalf("sheets = %v", sheets)
	}
	rows, err := f.GetRows("Comparaison des départements")
	if err != nil {
		t.Fatal(err)
	}
	found := map[string][]string{}
	for _, r := range rows {
		if len(r) < 2 {
			continue
		}
		if _, seen := found[r[0]]; !seen {
			found[r[0]] = r[1:] // the first table: the main indicators
		}
	}
	if got := found["Ariège (09)"]; len(got) < 10 || got[0] != "16" || got[3] != "s" || got[4] != "< 5" || got[9] != "< 5" {
		t.Errorf("Ariège row in the workbook = %v", got)
	}
	if got := found["Région Occitanie"]; len(got) < 10 || got[0] != "32" || got[7] != "10" {
		t.Errorf("region row in the workbook = %v", got)
	}
	cover, _ := f.GetRows("Couverture")
	if len(cover) < 3 || cover[1][1] != "Région Occitanie (76)" {
		t.Errorf("cover = %v", cover[:3])
	}
	n, err := e.DB.NewSelect().Model((*models.AuditRecord)(nil)).Where("action = 'stats.download_rollup' AND object = 'region:76'").Count(context.Background())
	if err != nil || n != 1 {
		t.Errorf("audit records of the download = %d, %v; want 1", n, err)
	}

	a := e.Client()
	a.SignIn(t, models.RoleAdmin)
	national := a.Get(t, "/statistiques/region?annee=2025")
	if national.Status != http.StatusOK || !strings.Contains(national.Body, "Gironde (33)") || !strings.Contains(national.Body, "Ensemble des commissions — 3 commission(s)") {
		t.Errorf("admin national view: status %d, lacks Gironde or the national scope", national.Status)
	}
	if !strings.Contains(national.Body, `<option value="76">76 — Occitanie</option>`) {
		t.Error("admin view lacks the region selector")
	}
	na := a.Get(t, "/statistiques/region?region=75")
	if na.Status != http.StatusOK || !strings.Contains(na.Body, "Gironde (33)") || strings.Contains(na.Body, "Ariège") {
		t.Errorf("admin Nouvelle-Aquitaine view: status %d", na.Status)
	}
	if resp := a.Get(t, "/statistiques/region?region=11"); resp.Status != http.StatusNotFound || !strings.Contains(resp.Body, "Aucune commission de cette région") {
		t.Errorf("admin Île-de-France (no commission): status %d", resp.Status)
	}
	if resp := a.Get(t, "/statistiques/region?region=99"); resp.Status != http.StatusNotFound {
		t.Errorf("admin unknown region: status %d", resp.Status)
	}
	if resp := a.Get(t, "/statistiques/region/rapports/2025.xlsx"); resp.Status != http.StatusOK || !strings.Contains(resp.Header.Get("Content-Disposition"), "rapport-annuel-national-2025.xlsx") {
		t.Errorf("admin national workbook: status %d", resp.Status)
	}
	for _, r := range []models.Role{models.RoleSecretariat, models.RolePrefecture, models.RoleMember, models.RoleAssociation, models.RolePresident} {
		c := e.Client()
		c.SignIn(t, r)
		if resp := c.Get(t, "/statistiques/region"); resp.Status != http.StatusForbidden {
			t.Errorf("%s GET /statistiques/region status = %d, want 403", r, resp.Status)
		}
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
