package models_test

import (
	"fmt"
	"testing"
	"time"

	"seance/models"
	filesmodel "seance/models/files"
	"seance/models/modelstest"
	"seance/models/stats"
)

func TestRollUpComparesDepartmentsWithSecrecyAcrossThem(t *testing.T) {
	db := modelstest.NewDB(t)
	hg := modelstest.Commission(t, db, "31")
	modelstest.StatsFixture(t, db, hg)
	ariege := modelstest.Commission(t, db, "09")
	gers := modelstest.Commission(t, db, "32")
	// Ariège: 3 first requests received in 2025, nothing else.
	a := modelstest.Association(t, db, ariege, "Association ariégeoise", "09", modelstest.Date(2022, 1, 1))
	u := modelstest.User(t, db, ariege, models.RoleAssociation, a)
	for i := 1; i <= 3; i++ {
		on := modelstest.Date(2025, time.Month(2*i), 10)
		pe := &filesmodel.Person{CommissionID: ariege.ID, IdentitySealed: "sealed", Gender: "F", BirthYear: 1990, Nationality: "NG", CreatedAt: on, UpdatedAt: on}
		if _, err := db.NewInsert().Model(pe).Exec(ctx); err != nil {
			t.Fatal(err)
		}
		f := &filesmodel.File{CommissionID: ariege.ID, Reference: fmt.Sprintf("09-2025-%04d", i), Year: 2025, Seq: i, PersonID: pe.ID, AssociationID: a.ID,
			Kind: filesmodel.KindEngagement, State: filesmodel.StateSubmitted, HousingNeed: filesmodel.HousingNone, AssociationAvis: filesmodel.AvisFavorable,
			ProposalSealed: "sealed", CreatedBy: u.ID, CreatedAt: on, SubmittedAt: &on, UpdatedAt: on}
		if _, err := db.NewInsert().Model(f).Exec(ctx); err != nil {
			t.Fatal(err)
		}
	}
	cs, err := models.ListCommissions(ctx, db, "76")
	if err != nil || len(cs) != 3 {
		t.Fatalf("ListCommissions(76) = %v, %v", cs, err)
	}
	ru, err := stats.ComputeRollUp(ctx, db, "76", cs, modelstest.StatsYear, modelstest.StatsNow)
	if err != nil {
		t.Fatal(err)
	}
	// The total is counted over the three commissions: 16 files in Haute-Garonne (see
	// TestAnnualStatsFixture) and 3 in Ariège; the parcours are Haute-Garonne's.
	if got := ru.Total.Received[filesmodel.KindEngagement]; got != 12 {
		t.Errorf("region engagement files received = %d, want 9 + 3 = 12", got)
	}
	if ru.Total.Started != 5 || ru.Total.InProgress() != 6 || ru.Total.AFISBeneficiaries != 3 {
		t.Errorf("region parcours: started %d, in progress %d, AFIS %d; want 5, 6, 3", ru.Total.Started, ru.Total.InProgress(), ru.Total.AFISBeneficiaries)
	}
	if len(ru.Departments) != 3 || ru.Departments[0].Commission.Department != "09" || ru.Departments[2].Commission.ID != gers.ID {
		t.Fatalf("departments = %v, want 09, 31, 32 in code order", ru.Departments)
	}
	r := stats.BuildRollUpReport(ru)
	tab := r.Table("departements")
	if tab == nil || len(tab.Rows) != 4 {
		t.Fatalf("departments table = %+v, want 3 departments and the region", tab)
	}
	cell := func(row, col int) stats.Cell { return tab.Rows[row].Cells[col] }
	text := func(row, col int) string { return cell(row, col).Text(r.Stats.MinCellSize) }
	if tab.Rows[0].Label != "Ariège (09)" || tab.Rows[3].Label != "Région Occitanie" || !tab.Rows[3].Total {
		t.Errorf("row labels = %q … %q", tab.Rows[0].Label, tab.Rows[3].Label)
	}
	// Ariège's 3 files are a small count; Gers's 0 is shown; Haute-Garonne's 16 is masked
	// too, else 3 = 19 − 16 − 0 from the region's total.
	for _, tt := range []struct {
		row, col int
		want     string
		mask     stats.Mask
	}{
		{0, 0, "< 5", stats.Primary},
		{1, 0, "s", stats.Secondary},
		{2, 0, "0", stats.Shown},
		{3, 0, "19", stats.Shown},
		{1, 7, "5", stats.Shown},     // parcours started in Haute-Garonne
		{3, 7, "5", stats.Shown},     // and in the region
		{0, 7, "0", stats.Shown},     // none in Ariège
		{1, 8, "6", stats.Shown},     // in progress
		{3, 9, "< 5", stats.Primary}, // 3 AFIS beneficiaries in the region…
		{1, 9, "< 5", stats.Primary}, // …all in Haute-Garonne
	} {
		if got := text(tt.row, tt.col); got != tt.want || cell(tt.row, tt.col).Mask != tt.mask {
			t.Errorf("%s / %s = %q (mask %d), want %q (mask %d)", tab.Rows[tt.row].Label, tab.Columns[tt.col], got, cell(tt.row, tt.col).Mask, tt.want, tt.mask)
		}
	}
	// The region's total of files received is the same cell as in the files table.
	files := r.Table("files")
	if last := files.Rows[len(files.Rows)-1].Cells[0]; last.Value != 19 || last.Hidden() {
		t.Errorf("files table total = %v (hidden %v), want 19 shown", last.Value, last.Hidden())
	}
	// Without Ariège's small count, nothing in the received column is masked.
	ru2, err := stats.ComputeRollUp(ctx, db, "76", []models.Commission{cs[1], cs[2]}, modelstest.StatsYear, modelstest.StatsNow)
	if err != nil {
		t.Fatal(err)
	}
	t2 := stats.BuildRollUpReport(ru2).Table("departements")
	if t2.Rows[0].Cells[0].Hidden() || t2.Rows[0].Cells[0].Value != 16 {
		t.Errorf("Haute-Garonne received without Ariège = %v (hidden %v), want 16 shown", t2.Rows[0].Cells[0].Value, t2.Rows[0].Cells[0].Hidden())
	}
}

func TestRollUpThresholdIsTheHighest(t *testing.T) {
	db := modelstest.NewDB(t)
	a, b := modelstest.Commission(t, db, "31"), modelstest.Commission(t, db, "09")
	s := models.DefaultSettings(b.ID)
	s.MinCellSize = 11
	if err := models.UpdateSettings(ctx, db, tester, b, s, modelstest.Epoch()); err != nil {
		t.Fatal(err)
	}
	st, err := stats.ComputeStats(ctx, db, []int64{a.ID, b.ID}, 2025, modelstest.StatsNow)
	if err != nil || st.MinCellSize != 11 {
		t.Fatalf("ComputeStats threshold = %v, %v; want 11", st, err)
	}
	if _, err := stats.ComputeStats(ctx, db, nil, 2025, modelstest.StatsNow); err != models.ErrNotFound {
		t.Errorf("ComputeStats of no commission error = %v, want ErrNotFound", err)
	}
}
