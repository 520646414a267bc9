package models_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"seance/models"
	"seance/models/modelstest"
	"seance/models/registry"
)

func importRows() []registry.ImportRow {
	end := start.AddDate(3, 0, -1)
	row := func(line int, cat, org, quality, role, name, email string) registry.ImportRow {
		return registry.ImportRow{Line: line, Category: cat, Organisation: org, Quality: quality, Role: role, Name: name, Email: email,
			StartsOn: start, TermEndsOn: end, ArreteRef: "arrêté n° 31-2025-09-15-001", VotingRight: "Oui"}
	}
	return []registry.ImportRow{
		row(2, "2", "DDETS de la Haute-Garonne", "Directrice départementale", "Titulaire", "Claire Martin", "claire.martin@example.org"),
		row(3, "2", "DDETS de la Haute-Garonne", "Directrice départementale", "Suppléant", "Paul Roux", "paul.roux@example.org"),
		row(4, "Médecin désigné par le conseil départemental de l'ordre des médecins", "Ordre des médecins", "Médecin", "Titulaire", "Dr Anne Blanc", "anne.blanc@example.org"),
		row(5, "11", "Association Test", "Représentante", "Titulaire", "Lina Haddad", "lina.haddad@example.org"),
	}
}

func counts(t *testing.T, db bun.IDB) [3]int {
	t.Helper()
	var out [3]int
	for i, m := range []any{(*registry.Seat)(nil), (*registry.Mandate)(nil), (*models.User)(nil)} {
		n, err := db.NewSelect().Model(m).Count(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		out[i] = int(n)
	}
	return out
}

func TestRegistryImportPreviewThenConfirm(t *testing.T) {
	db := modelstest.NewDB(t)
	c := modelstest.Commission(t, db, "31")
	a := &registry.Association{CommissionID: c.ID, Name: "Association test", AgrementArrete: "x", AgrementDate: modelstest.Date(2025, 1, 1), Departments: "31"}
	if err := registry.CreateAssociation(ctx, db, tester, a, modelstest.Epoch()); err != nil {
		t.Fatal(err)
	}
	now := modelstest.Date(2026, 11, 22).Add(9 * time.Hour)
	rows := importRows()

	before := counts(t, db)
	p, err := registry.PreviewImport(ctx, db, c.ID, rows, now)
	if err != nil {
		t.Fatal(err)
	}
	if p.HasErrors() || p.Created != 4 || p.Changed != 0 || len(p.Ended) != 0 {
		t.Fatalf("preview = created %d changed %d invalid %d ended %v, want 4 creations", p.Created, p.Changed, p.Invalid, p.Ended)
	}
	if !strings.Contains(strings.Join(p.Rows[0].Changes, " "), "Nouveau siège") {
		t.Errorf("row 2 changes = %v, want a new seat", p.Rows[0].Changes)
	}
	if counts(t, db) != before {
		t.Fatal("PreviewImport wrote to the database")
	}

	res, err := registry.ApplyImport(ctx, db, tester, c.ID, rows, now)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Invitations) != 4 || res.Invitations[0].Secret == "" {
		t.Errorf("ApplyImport made %d invitations, want one per new account", len(res.Invitations))
	}
	comp, err := registry.LoadComposition(ctx, db, c.ID, now)
	if err != nil {
		t.Fatal(err)
	}
	if comp.Seats != 3 || comp.Vacant != 0 {
		t.Errorf("composition after import: %d seats, %d vacant; want 3 filled seats", comp.Seats, comp.Vacant)
	}
	assocSeats, _ := registry.SeatsOfAssociation(ctx, db, c.ID, a.ID)
	if len(assocSeats) != 1 {
		t.Errorf("the imported association seat is not linked to its association")
	}

	// The same file again changes nothing, nor does an empty voting-right cell.
	rows[3].VotingRight = ""
	p, err = registry.PreviewImport(ctx, db, c.ID, rows, now)
	if err != nil {
		t.Fatal(err)
	}
	if p.HasChanges() || p.Unchanged != 4 {
		t.Errorf("second preview: created %d changed %d unchanged %d ended %v; want 4 unchanged", p.Created, p.Changed, p.Unchanged, p.Ended)
	}

	// A new titulaire replaces, a corrected arrêté changes, an absent suppléant ends.
	change := modelstest.Date(2026, 10, 1)
	rows[0].Name, rows[0].Email, rows[0].StartsOn = "Sophie Durand", "sophie.durand@example.org", change
	rows[2].ArreteRef = "arrêté rectificatif"
	rows = append(rows[:1], rows[2:]...)
	p, err = registry.PreviewImport(ctx, db, c.ID, rows, now)
	if err != nil {
		t.Fatal(err)
	}
	if p.HasErrors() || p.Changed != 2 || p.Unchanged != 1 || len(p.Ended) != 1 {
		t.Fatalf("third preview: changed %d unchanged %d ended %v errors %d; want 2 changes, 1 unchanged, 1 ended", p.Changed, p.Unchanged, p.Ended, p.Invalid)
	}
	if got := strings.Join(p.Rows[0].Changes, " "); !strings.Contains(got, "Remplacement de Claire Martin par Sophie Durand") {
		t.Errorf("replacement described as %q", got)
	}
	if _, err := registry.ApplyImport(ctx, db, tester, c.ID, rows, now); err != nil {
		t.Fatal(err)
	}
	seat := comp.Groups[1].Seats[0].Seat
	hist, err := registry.SeatHistory(ctx, db, c.ID, seat.ID)
	if err != nil {
		t.Fatal(err)
	}
	var ended, current int
	for _, m := range hist {
		if m.CurrentOn(models.CalendarDay(now)) {
			current++
		} else {
			ended++
		}
	}
	if current != 1 || ended != 2 {
		t.Errorf("DDETS seat history: %d current, %d ended; want the new titulaire current and two ended mandates", current, ended)
	}
	if p, _ := registry.PreviewImport(ctx, db, c.ID, rows, now); p.HasChanges() {
		t.Errorf("re-preview after applying: created %d changed %d ended %v, want nothing", p.Created, p.Changed, p.Ended)
	}
}

func TestRegistryImportRowErrorsRollBackEverything(t *testing.T) {
	db := modelstest.NewDB(t)
	c := modelstest.Commission(t, db, "31")
	now := modelstest.Date(2026, 11, 22)
	modelstest.UserWithEmail(t, db, c.ID, models.RoleSecretariat, "secretariat@example.org")
	rows := importRows()[:3]
	bad := []registry.ImportRow{
		{Line: 6, Category: "2", Organisation: "DDETS", Quality: "Adjoint", Role: "Suppléant", Name: "Sans adresse", StartsOn: start, ArreteRef: "a"},
		{Line: 7, Category: "Pompiers", Organisation: "SDIS", Quality: "Chef", Role: "Titulaire", Name: "X", Email: "x@example.org", StartsOn: start, ArreteRef: "a"},
		{Line: 8, Category: "3", Organisation: "DDSP", Quality: "Directeur", Role: "Titulaire", Name: "Y", Email: "y@example.org", StartsOn: start, TermEndsOn: start.AddDate(0, 0, -1), ArreteRef: "a"},
		{Line: 9, Category: "9", Organisation: "Ordre des médecins", Quality: "Médecin", Role: "Suppléant", Name: "Z", Email: "z@example.org", StartsOn: start, ArreteRef: "a"},
		{Line: 10, Category: "4", Organisation: "PJ", Quality: "Chef", Role: "Titulaire", Name: "W", Email: "claire.martin@example.org", StartsOn: start, ArreteRef: "a"},
		{Line: 11, Category: "5", Organisation: "Gendarmerie", Quality: "Colonel", Role: "Chef", Name: "V", Email: "secretariat@example.org", StartsOn: start, ArreteRef: "a", VotingRight: "peut-être"},
		{Line: 12, Category: "6", Organisation: "Préfecture", Quality: "Cheffe", Role: "Titulaire", Name: "U", Email: "u@example.org", ArreteRef: "a", Errors: models.FieldErrors{"starts_on": "Date illisible : « 31/02/2025 »."}},
	}
	rows = append(rows, bad...)

	p, err := registry.PreviewImport(ctx, db, c.ID, rows, now)
	if err != nil {
		t.Fatal(err)
	}
	want := map[int][]string{
		6:  {"email", "L'adresse électronique manque."},
		7:  {"category", "Catégorie inconnue : « Pompiers »"},
		8:  {"term_ends_on", "La fin du mandat doit suivre son début."},
		9:  {"role", "personnalité qualifiée"},
		10: {"email", "Cette adresse figure déjà ligne 2."},
		11: {"role", "Rôle inconnu"},
		12: {"starts_on", "Date illisible"},
	}
	for _, r := range p.Rows {
		w, isBad := want[r.Row.Line]
		switch {
		case !isBad && r.Action != registry.ImportCreate:
			t.Errorf("line %d: action %s, errors %v; want create", r.Row.Line, r.Action, r.Errors)
		case isBad && (r.Action != registry.ImportInvalid || !strings.Contains(r.Errors[w[0]], w[1])):
			t.Errorf("line %d: action %s, errors %v; want %s: %q", r.Row.Line, r.Action, r.Errors, w[0], w[1])
		}
	}
	for _, k := range []string{"email", "voting_right"} {
		if _, ok := p.Rows[8].Errors[k]; !ok {
			t.Errorf("line 11 errors %v, want one for %s", p.Rows[8].Errors, k)
		}
	}
	if p.Invalid != len(bad) {
		t.Errorf("preview counts %d invalid rows, want %d", p.Invalid, len(bad))
	}

	before := counts(t, db)
	if _, err := registry.ApplyImport(ctx, db, tester, c.ID, rows, now); !errors.Is(err, registry.ErrImportInvalid) {
		t.Fatalf("ApplyImport with bad rows: %v, want ErrImportInvalid", err)
	}
	if counts(t, db) != before {
		t.Errorf("ApplyImport with bad rows wrote: %v → %v", before, counts(t, db))
	}
	// Without the bad rows the same import goes through.
	if _, err := registry.ApplyImport(ctx, db, tester, c.ID, rows[:3], now); err != nil {
		t.Fatal(err)
	}
}

func TestRegistryImportPersonSittingElsewhere(t *testing.T) {
	db := modelstest.NewDB(t)
	c := modelstest.Commission(t, db, "31")
	now := modelstest.Date(2026, 11, 22)
	seat := modelstest.Seat(t, db, c.ID, registry.CategoryDASEN, "DASEN")
	modelstest.Appoint(t, db, seat, registry.MandateTitulaire, "dasen@example.org", start)
	rows := []registry.ImportRow{{Line: 2, Category: "8", Organisation: "Autre", Quality: "Adjointe", Role: "Titulaire", Email: "dasen@example.org", StartsOn: start, ArreteRef: "a"}}
	p, err := registry.PreviewImport(ctx, db, c.ID, rows, now)
	if err != nil {
		t.Fatal(err)
	}
	if msg := p.Rows[0].Errors["email"]; !strings.Contains(msg, "siège déjà") {
		t.Errorf("person sitting on a seat absent from the file: errors %v", p.Rows[0].Errors)
	}
}
