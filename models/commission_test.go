package models_test

import (
	"strings"
	"testing"

	"seance/models"
	"seance/models/modelstest"
)

func TestGeoTables(t *testing.T) {
	if len(models.Departments) != 101 {
		t.Errorf("len(Departments) = %d, want 101", len(models.Departments))
	}
	if len(models.Regions) != 18 {
		t.Errorf("len(Regions) = %d, want 18", len(models.Regions))
	}
	seen := map[string]bool{}
	for _, d := range models.Departments {
		if seen[d.Code] {
			t.Errorf("department %s listed twice", d.Code)
		}
		seen[d.Code] = true
		if !models.ValidRegion(d.Region) {
			t.Errorf("department %s: region %q is not in Regions", d.Code, d.Region)
		}
	}
	for _, r := range models.Regions {
		if len(models.DepartmentsOf(r.Code)) == 0 {
			t.Errorf("region %s has no department", r.Code)
		}
	}
	if n := len(models.DepartmentsOf("76")); n != 13 {
		t.Errorf("Occitanie has %d departments, want 13", n)
	}
	for code, want := range map[string]string{"31": "Haute-Garonne", "2A": "Corse-du-Sud", "2B": "Haute-Corse", "974": "La Réunion", "976": "Mayotte", "09": "Ariège"} {
		if d, ok := models.FindDepartment(code); !ok || d.Name != want {
			t.Errorf("FindDepartment(%q) = %v, %v; want %s", code, d, ok, want)
		}
	}
	for _, bad := range []string{"20", "96", "975", "2C", "00", "9", "310", ""} {
		if models.ValidDepartment(bad) {
			t.Errorf("ValidDepartment(%q) = true, want false", bad)
		}
	}
	if r, ok := models.FindRegion("76"); !ok || r.Name != "Occitanie" {
		t.Errorf("FindRegion(76) = %v, %v; want Occitanie", r, ok)
	}
}

func TestCreateCommissionValidation(t *testing.T) {
	db := modelstest.NewDB(t)
	now := modelstest.Epoch()
	modelstest.Commission(t, db, "31")
	for _, tt := range []struct {
		name            string
		c               models.Commission
		field, contains string
	}{
		{"no name", models.Commission{Department: "32"}, "name", "nom de la commission"},
		{"unknown department", models.Commission{Name: "X", Department: "20"}, "department", "n'est pas un code de département"},
		{"unknown region", models.Commission{Name: "X", Department: "32", Region: "77"}, "region", "n'est pas un code de région"},
		{"department of another region", models.Commission{Name: "X", Department: "33", Region: "76"}, "region", "Gironde (33) appartient à la région Nouvelle-Aquitaine (75)"},
		{"department taken", models.Commission{Name: "X", Department: "31"}, "department", "couvre déjà le département Haute-Garonne (31)"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := tt.c
			err := models.CreateCommission(ctx, db, tester, &c, now)
			if msg := fieldErrors(t, err, tt.field); !strings.Contains(msg, tt.contains) {
				t.Errorf("message for %s = %q, want it to contain %q", tt.field, msg, tt.contains)
			}
		})
	}
	// A valid commission gets its region from its department; "2a" reads as 2A.
	c := &models.Commission{Name: " Commission de Corse-du-Sud ", Department: "2a"}
	if err := models.CreateCommission(ctx, db, tester, c, now); err != nil {
		t.Fatal(err)
	}
	if c.Department != "2A" || c.Region != "94" || c.Name != "Commission de Corse-du-Sud" {
		t.Errorf("created %+v, want department 2A, region 94, trimmed name", c)
	}
	cs, err := models.ListCommissions(ctx, db, "94")
	if err != nil || len(cs) != 1 || cs[0].ID != c.ID {
		t.Errorf("ListCommissions(94) = %v, %v; want the new commission", cs, err)
	}
}

func TestAddCommissionWithSettings(t *testing.T) {
	db := modelstest.NewDB(t)
	now := modelstest.Epoch()
	s := models.DefaultSettings(0)
	s.MinCellSize, s.NoticeDays = 0, 2
	c := &models.Commission{Name: "Commission du Gers", Department: "32", Region: "76"}
	err := models.AddCommission(ctx, db, tester, c, s, now)
	fe, ok := models.AsFieldErrors(err)
	if !ok || fe["min_cell_size"] == "" || fe["notice_days"] == "" {
		t.Fatalf("AddCommission with bad settings = %v, want errors on min_cell_size and notice_days", err)
	}
	if cs, _ := models.ListCommissions(ctx, db, ""); len(cs) != 0 {
		t.Fatalf("a refused commission was stored: %v", cs)
	}
	s.MinCellSize, s.NoticeDays, s.TOTPRequiredForMembers = 11, 8, true
	if err := models.AddCommission(ctx, db, tester, c, s, now); err != nil {
		t.Fatal(err)
	}
	got, err := models.FindSettings(ctx, db, c.ID)
	if err != nil || got.MinCellSize != 11 || got.NoticeDays != 8 || !got.TOTPRequiredForMembers {
		t.Errorf("FindSettings = %+v, %v; want the settings given", got, err)
	}
	recs, err := models.ListAudit(ctx, db, c.ID, 10)
	if err != nil {
		t.Fatal(err)
	}
	actions := map[string]bool{}
	for _, r := range recs {
		actions[r.Action] = true
	}
	if !actions["commission.create"] || !actions["commission.settings"] {
		t.Errorf("audit actions = %v, want commission.create and commission.settings", actions)
	}
}
