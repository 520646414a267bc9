package stats_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strings"
	"testing"
	"time"

	"seance/app/servertest"
	"seance/models"
	"seance/models/modelstest"
	"seance/models/stats"
)

// runAnnual runs the annual report job at instant at and returns the items it handled.
func runAnnual(t *testing.T, e *servertest.Env, at time.Time) int {
	t.Helper()
	e.SetClock(at)
	run, err := e.Jobs.Run(context.Background(), "annual_report", models.TriggerCLI)
	if err != nil {
		t.Fatalf("annual report at %s: %v", at, err)
	}
	return run.Items
}

func TestAnnualReportJob_StoredOncePerCommissionYearListedAndDownloaded(t *testing.T) {
	e := env(t)
	ctx := context.Background()
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	// Commission 09 has no activity in 2025: no final report for it.
	other := modelstest.Commission(t, e.DB, "09")
	u09 := &models.User{Email: "prefecture09@test.example", Name: "Préfecture 09", Role: models.RolePrefecture,
		PasswordHash: servertest.PasswordHash(t), Active: true, CommissionID: &other.ID}
	if err := models.CreateUser(ctx, e.DB, models.SystemActor("test"), u09, e.Clock()); err != nil {
		t.Fatal(err)
	}
	count := func() int {
		n, err := e.DB.NewSelect().Model((*stats.AnnualReport)(nil)).Count(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return int(n)
	}
	if n := runAnnual(t, e, time.Date(2026, 1, 31, 23, 0, 0, 0, paris)); n != 0 || count() != 0 {
		t.Fatalf("31 January: %d report(s) stored, want none before 1 February", count())
	}
	if n := runAnnual(t, e, time.Date(2026, 2, 1, 5, 30, 0, 0, paris)); n != 1 || count() != 1 {
		t.Fatalf("1 February: %d item(s), %d report(s); want the 2025 report of commission 31 only", n, count())
	}
	if n := runAnnual(t, e, time.Date(2026, 2, 1, 5, 35, 0, 0, paris)); n != 0 || count() != 1 {
		t.Fatalf("1 February, run again: %d item(s), %d report(s); want nothing twice", n, count())
	}
	if n := runAnnual(t, e, time.Date(2026, 2, 3, 5, 30, 0, 0, paris)); n != 0 || count() != 1 {
		t.Fatalf("3 February: %d item(s), %d report(s); want nothing twice", n, count())
	}
	stored, err := stats.FindAnnualReport(ctx, e.DB, e.Commission.ID, 2025)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(stored.Content)
	if stored.SHA256 != hex.EncodeToString(sum[:]) || !stored.GeneratedAt.Equal(time.Date(2026, 2, 1, 5, 30, 0, 0, paris)) {
		t.Fatalf("stored report: sha256 %s, generated %s", stored.SHA256, stored.GeneratedAt)
	}
	var details []string
	if err := e.DB.NewSelect().Table("audit_log").Column("details").Where("action = ? AND commission_id = ?", "stats.annual_report", e.Commission.ID).
		Scan(ctx, &details); err != nil {
		t.Fatal(err)
	}
	if len(details) != 1 || !strings.Contains(details[0], stored.SHA256) || !strings.Contains(details[0], `"year":2025`) {
		t.Fatalf("audit records of the annual report: %v, want one with its hash", details)
	}
	if rep, err := models.VerifyAuditChain(ctx, e.DB); err != nil || !rep.OK {
		t.Fatalf("audit chain: %+v, %v", rep, err)
	}

	e.SetClock(modelstest.Epoch()) // sign-ins need the accounts' own time, after the job's
	for _, role := range []models.Role{models.RolePrefecture, models.RoleSecretariat} {
		c := e.Client()
		c.SignIn(t, role)
		list := c.Get(t, "/statistiques/rapports")
		if list.Status != http.StatusOK || !strings.Contains(list.Body, "définitif") || !strings.Contains(list.Body, `href="/statistiques/rapports/definitifs/2025.xlsx"`) ||
			!strings.Contains(list.Body, "provisoire") || !strings.Contains(list.Body, stored.SHA256[:16]) {
			t.Fatalf("%s: reports page %d %s, want the final 2025 report beside the on-demand one\n%s", role, list.Status, list.Location, list.Body)
		}
		resp := c.Get(t, "/statistiques/rapports/definitifs/2025.xlsx")
		if resp.Status != http.StatusOK || resp.Body != string(stored.Content) || !strings.Contains(resp.Header.Get("Content-Disposition"), "rapport-annuel-31-2025.xlsx") {
			t.Fatalf("%s: final workbook %d %q, want the stored bytes", role, resp.Status, resp.Header.Get("Content-Disposition"))
		}
		if r := c.Get(t, "/statistiques/rapports/definitifs/2024.xlsx"); r.Status != http.StatusNotFound {
			t.Errorf("%s: a year with no final report: %d, want 404", role, r.Status)
		}
	}
	checkWorkbook(t, stored.Content)
	c := e.Client()
	c.SignInAs(t, u09.Email, servertest.Password)
	if r := c.Get(t, "/statistiques/rapports/definitifs/2025.xlsx"); r.Status != http.StatusNotFound {
		t.Errorf("another commission's prefecture: %d, want 404", r.Status)
	}
	if r := c.Get(t, "/statistiques/rapports"); strings.Contains(r.Body, "definitifs/2025") {
		t.Error("another commission's reports page lists commission 31's final report")
	}
	a := e.Client()
	a.SignIn(t, models.RoleAssociation)
	if r := a.Get(t, "/statistiques/rapports/definitifs/2025.xlsx"); r.Status != http.StatusForbidden {
		t.Errorf("association: %d, want 403", r.Status)
	}
}
