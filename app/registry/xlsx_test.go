package registry_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/uptrace/bun"
	"github.com/xuri/excelize/v2"

	"seance/app/registry"
	"seance/models"
	"seance/models/modelstest"
	registrymodel "seance/models/registry"
)

var (
	ctx    = context.Background()
	tester = models.SystemActor("test")
	start  = modelstest.Date(2025, 9, 15)
	now    = modelstest.Date(2026, 11, 22).Add(9 * time.Hour)
)

// composition builds a small commission: two seats with titulaire and suppléant, a
// seat without voting right, and one replaced titulaire (history not exported).
func composition(t *testing.T, db bun.IDB) *models.Commission {
	t.Helper()
	c := modelstest.Commission(t, db, "31")
	ddets := modelstest.Seat(t, db, c.ID, registrymodel.CategoryDDETS, "Directrice départementale")
	gend := modelstest.Seat(t, db, c.ID, registrymodel.CategoryGendarmerie, "Commandant du groupement")
	elue := &registrymodel.Seat{CommissionID: c.ID, Category: registrymodel.CategoryLocalAuthority, Organisation: "Ville de Toulouse", Quality: "Adjointe au maire", SuppleantPlaces: 1}
	if err := registrymodel.CreateSeat(ctx, db, tester, elue, modelstest.Epoch()); err != nil {
		t.Fatal(err)
	}
	modelstest.Appoint(t, db, ddets, registrymodel.MandateTitulaire, "directrice@example.org", start)
	modelstest.Appoint(t, db, ddets, registrymodel.MandateSuppleant, "adjoint@example.org", start)
	old := modelstest.Appoint(t, db, gend, registrymodel.MandateTitulaire, "colonel@example.org", start)
	change := modelstest.Date(2026, 6, 1)
	if _, err := registrymodel.ReplaceMember(ctx, db, tester, c.ID, old.Mandate.ID, registrymodel.Appointment{
		Email: "colonelle@example.org", Name: "Colonelle Roussel", StartsOn: change, ArreteRef: "arrêté n° 31-2026-06-01-003",
	}, change); err != nil {
		t.Fatal(err)
	}
	modelstest.Appoint(t, db, elue, registrymodel.MandateTitulaire, "elue@example.org", start)
	return c
}

func export(t *testing.T, db bun.IDB, cid int64) []byte {
	t.Helper()
	rows, err := registrymodel.CompositionRows(ctx, db, cid, now)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := registry.WriteComposition(&buf, rows); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestCompositionExportRoundTrip(t *testing.T) {
	db := modelstest.NewDB(t)
	c := composition(t, db)
	data := export(t, db, c.ID)

	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	got, err := f.GetRows(registry.SheetName)
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		registry.Headers(),
		{registry.CategoryCell(registrymodel.CategoryDDETS), "Organisme " + registrymodel.CategoryDDETS.Label(), "Directrice départementale", "Titulaire", "Nom de directrice@example.org", "directrice@example.org", "15/09/2025", "14/09/2028", "arrêté 2025-09-15", "Oui"},
		{registry.CategoryCell(registrymodel.CategoryDDETS), "Organisme " + registrymodel.CategoryDDETS.Label(), "Directrice départementale", "Suppléant", "Nom de adjoint@example.org", "adjoint@example.org", "15/09/2025", "14/09/2028", "arrêté 2025-09-15", "Oui"},
		{registry.CategoryCell(registrymodel.CategoryGendarmerie), "Organisme " + registrymodel.CategoryGendarmerie.Label(), "Commandant du groupement", "Titulaire", "Colonelle Roussel", "colonelle@example.org", "01/06/2026", "14/09/2028", "arrêté n° 31-2026-06-01-003", "Oui"},
		{registry.CategoryCell(registrymodel.CategoryLocalAuthority), "Ville de Toulouse", "Adjointe au maire", "Titulaire", "Nom de elue@example.org", "elue@example.org", "15/09/2025", "14/09/2028", "arrêté 2025-09-15", "Non"},
	}
	if len(got) != len(want) {
		t.Fatalf("workbook has %d rows, want %d: %q", len(got), len(want), got)
	}
	for i := range want {
		if strings.Join(got[i], "|") != strings.Join(want[i], "|") {
			t.Errorf("row %d = %q\nwant      %q", i+1, got[i], want[i])
		}
	}
	panes, err := f.GetPanes(registry.SheetName)
	if err != nil || !panes.Freeze || panes.YSplit != 1 {
		t.Errorf("panes = %+v, %v; want the header row frozen", panes, err)
	}
	styleID, err := f.GetCellStyle(registry.SheetName, "A1")
	if err != nil {
		t.Fatal(err)
	}
	if st, err := f.GetStyle(styleID); err != nil || st.Font == nil || !st.Font.Bold {
		t.Errorf("header style = %+v, %v; want bold", st, err)
	}
	if raw, _ := f.GetCellValue(registry.SheetName, "G2", excelize.Options{RawCellValue: true}); raw != "45915" {
		t.Errorf("start date cell holds %q, want the date serial 45915", raw)
	}
	if w, _ := f.GetColWidth(registry.SheetName, "F"); w < 20 {
		t.Errorf("e-mail column width = %v, want a set width", w)
	}

	rows, err := registry.ParseComposition(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 4 || !rows[0].StartsOn.Equal(start) || rows[3].VotingRight != "Non" {
		t.Fatalf("ParseComposition = %+v", rows)
	}
	p, err := registrymodel.PreviewImport(ctx, db, c.ID, rows, now)
	if err != nil {
		t.Fatal(err)
	}
	if p.HasErrors() || p.HasChanges() || p.Unchanged != 4 {
		for _, r := range p.Rows {
			t.Logf("line %d: %s %v %v", r.Row.Line, r.Action, r.Changes, r.Errors)
		}
		t.Fatalf("import of the export: %d created, %d changed, %d invalid, ended %v; want no change", p.Created, p.Changed, p.Invalid, p.Ended)
	}
	// The persons of the file sit in this commission: another one cannot import them.
	other := modelstest.Commission(t, db, "09")
	if _, err := registrymodel.ApplyImport(ctx, db, tester, other.ID, rows, now); !errors.Is(err, registrymodel.ErrImportInvalid) {
		t.Errorf("import into another commission of persons sitting here: %v, want ErrImportInvalid", err)
	}
}

func TestCompositionImportFromWorkbookRollsBackOnBadRow(t *testing.T) {
	db := modelstest.NewDB(t)
	c := modelstest.Commission(t, db, "31")
	f := excelize.NewFile()
	defer f.Close()
	// Columns in another order, a real date cell, text dates, a blank line and a bad row.
	sheet := "Sheet1"
	lines := [][]any{
		{"E-mail", "Nom", "Rôle", "Catégorie", "Organisme", "Qualité", "Début du mandat", "Arrêté de nomination"},
		{"dir@example.org", "Directrice", "Titulaire", "2", "DDETS 31", "Directrice", start, "arrêté 1"},
		{"adj@example.org", "Adjoint", "Suppléant", "2", "DDETS 31", "Directrice", "15/09/2025", "arrêté 1"},
		{},
		{"dasen@example.org", "Dasen", "Titulaire", "8", "DSDEN 31", "DASEN", "31/02/2025", "arrêté 1"},
		{"", "Sans adresse", "Titulaire", "3", "DDSP", "Directeur", "2025-09-15", "arrêté 1"},
	}
	for i, l := range lines {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow(sheet, cell, &l); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	rows, err := registry.ParseComposition(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 4 || rows[2].Line != 5 || !rows[1].StartsOn.Equal(start) || !rows[0].StartsOn.Equal(start) {
		t.Fatalf("ParseComposition = %+v", rows)
	}
	if msg := rows[2].Errors["starts_on"]; !strings.Contains(msg, "31/02/2025") {
		t.Errorf("unreadable date: errors %v", rows[2].Errors)
	}
	p, err := registrymodel.PreviewImport(ctx, db, c.ID, rows, now)
	if err != nil {
		t.Fatal(err)
	}
	if p.Invalid != 2 || p.Created != 2 {
		t.Errorf("preview: %d invalid, %d created; want 2 and 2", p.Invalid, p.Created)
	}
	if _, err := registrymodel.ApplyImport(ctx, db, tester, c.ID, rows, now); !errors.Is(err, registrymodel.ErrImportInvalid) {
		t.Fatalf("ApplyImport with bad rows: %v, want ErrImportInvalid", err)
	}
	for _, m := range []any{(*registrymodel.Seat)(nil), (*registrymodel.Mandate)(nil)} {
		if n, _ := db.NewSelect().Model(m).Count(ctx); n != 0 {
			t.Errorf("%T: %d rows written by a refused import, want 0", m, n)
		}
	}
	if _, err := registrymodel.ApplyImport(ctx, db, tester, c.ID, rows[:2], now); err != nil {
		t.Fatalf("ApplyImport of the good rows: %v", err)
	}
	comp, err := registrymodel.LoadComposition(ctx, db, c.ID, now)
	if err != nil {
		t.Fatal(err)
	}
	if comp.Seats != 1 || len(comp.Groups[1].Seats[0].Suppleants) != 1 {
		t.Errorf("after import: %d seats, want the DDETS seat with its suppléant", comp.Seats)
	}
}

func TestParseCompositionRejectsOtherFiles(t *testing.T) {
	for _, tt := range []struct {
		name   string
		header []any
		want   string
	}{
		{"missing column", []any{"Catégorie", "Organisme", "Qualité", "Rôle", "Nom", "Début du mandat", "Arrêté de nomination"}, "« E-mail » manque"},
		{"empty sheet", nil, "La feuille est vide"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := excelize.NewFile()
			defer f.Close()
			if tt.header != nil {
				if err := f.SetSheetRow("Sheet1", "A1", &tt.header); err != nil {
					t.Fatal(err)
				}
			}
			var buf bytes.Buffer
			if err := f.Write(&buf); err != nil {
				t.Fatal(err)
			}
			_, err := registry.ParseComposition(&buf)
			fe, ok := models.AsFieldErrors(err)
			if !ok || !strings.Contains(fe["file"], tt.want) {
				t.Errorf("ParseComposition error = %v, want file: %q", err, tt.want)
			}
		})
	}
	_, err := registry.ParseComposition(strings.NewReader("Catégorie;Organisme\n2;DDETS\n"))
	if fe, ok := models.AsFieldErrors(err); !ok || fe["file"] == "" {
		t.Errorf("ParseComposition(CSV) error = %v, want a file error", err)
	}
}
