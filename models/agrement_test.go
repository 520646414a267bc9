package models_test

import (
	"strings"
	"testing"

	"seance/models"
	"seance/models/modelstest"
	"seance/models/registry"
)

func TestRule13_ExpiredAgrementCannotSubmitFiles(t *testing.T) {
	db := modelstest.NewDB(t)
	c := modelstest.Commission(t, db, "31")
	now := modelstest.Date(2026, 11, 22)
	expired := &registry.Association{CommissionID: c.ID, Name: "Ancienne", AgrementArrete: "arrêté 2020", AgrementDate: modelstest.Date(2020, 6, 1), Departments: "31"}
	elsewhere := &registry.Association{CommissionID: c.ID, Name: "Voisine", AgrementArrete: "arrêté 2025", AgrementDate: modelstest.Date(2025, 1, 1), Departments: "09, 82"}
	current := &registry.Association{CommissionID: c.ID, Name: "Active", AgrementArrete: "arrêté 2025", AgrementDate: modelstest.Date(2025, 1, 1), Departments: "31;09"}
	for _, a := range []*registry.Association{expired, elsewhere, current} {
		if err := registry.SaveNewAssociation(ctx, db, tester, a, now); err != nil {
			t.Fatal(err)
		}
	}
	if current.Departments != "31,09" || elsewhere.Departments != "09,82" {
		t.Errorf("departments normalised to %q and %q", current.Departments, elsewhere.Departments)
	}
	sts, err := registry.ListAssociationStatuses(ctx, db, c.ID, now)
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]registry.AssociationStatus{}
	for _, s := range sts {
		byName[s.Name] = s
	}
	for _, tt := range []struct {
		name              string
		maySubmit, expire bool
		message           string
	}{
		{"Ancienne", false, true, "a expiré le 01/06/2023"},
		{"Voisine", false, false, "ne couvre pas le département 31"},
		{"Active", true, false, "valable jusqu'au 31/12/2027"},
	} {
		s := byName[tt.name]
		if s.MaySubmit != tt.maySubmit || s.Expired != tt.expire || !strings.Contains(s.Message, tt.message) {
			t.Errorf("%s: MaySubmit %v Expired %v %q; want %v %v %q", tt.name, s.MaySubmit, s.Expired, s.Message, tt.maySubmit, tt.expire, tt.message)
		}
	}

	if err := registry.RenewAgrement(ctx, db, tester, c.ID, expired.ID, "arrêté de renouvellement 2026", modelstest.Date(2026, 10, 1), now); err != nil {
		t.Fatal(err)
	}
	renewed, err := registry.FindAssociation(ctx, db, c.ID, expired.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !renewed.MaySubmitFiles("31", now) || !renewed.AgrementEnds.Equal(modelstest.Date(2029, 10, 1)) {
		t.Errorf("renewed agrément ends %v, may submit %v; want 2029-10-01, true", renewed.AgrementEnds, renewed.MaySubmitFiles("31", now))
	}
	fieldErrors(t, registry.RenewAgrement(ctx, db, tester, c.ID, expired.ID, "", modelstest.Date(2025, 1, 1), now), "agrement_arrete")
	fieldErrors(t, registry.RenewAgrement(ctx, db, tester, c.ID, expired.ID, "x", modelstest.Date(2025, 1, 1), now), "agrement_date")
}

func TestAssociationValidation(t *testing.T) {
	db := modelstest.NewDB(t)
	c := modelstest.Commission(t, db, "31")
	a := &registry.Association{CommissionID: c.ID, Name: "A", AgrementArrete: "x", AgrementDate: modelstest.Date(2025, 1, 1), Departments: "31"}
	if err := registry.SaveNewAssociation(ctx, db, tester, a, modelstest.Epoch()); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		field  string
		change func(a *registry.Association)
	}{
		{"name", func(a *registry.Association) { a.Name = "  " }},
		{"agrement_arrete", func(a *registry.Association) { a.AgrementArrete = "" }},
		{"agrement_ends", func(a *registry.Association) { a.AgrementEnds = a.AgrementDate.AddDate(4, 0, 0) }},
		{"agrement_ends", func(a *registry.Association) { a.AgrementEnds = a.AgrementDate }},
		{"departments", func(a *registry.Association) { a.Departments = "31,99" }},
		{"departments", func(a *registry.Association) { a.Departments = " , " }},
		{"contact_email", func(a *registry.Association) { a.ContactEmail = "contact@" }},
	} {
		t.Run(tt.field, func(t *testing.T) {
			b := *a
			tt.change(&b)
			fieldErrors(t, registry.UpdateAssociation(ctx, db, tester, &b, modelstest.Epoch()), tt.field)
		})
	}
	a.Name, a.Departments = "A renommée", "31,2A"
	if err := registry.UpdateAssociation(ctx, db, tester, a, modelstest.Epoch()); err != nil {
		t.Fatal(err)
	}
	other := modelstest.Commission(t, db, "09")
	b := *a
	b.CommissionID = other.ID
	if err := registry.UpdateAssociation(ctx, db, tester, &b, modelstest.Epoch()); err != models.ErrNotFound {
		t.Errorf("UpdateAssociation from another commission: %v, want ErrNotFound", err)
	}
}
