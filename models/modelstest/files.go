package modelstest

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"seance/models"
)

// Keyring returns a ring with one new random key.
func Keyring(t testing.TB) *models.Keyring {
	t.Helper()
	k, err := models.ParseKey(models.NewKey())
	if err != nil {
		t.Fatal(err)
	}
	kr, err := models.NewKeyring(k)
	if err != nil {
		t.Fatal(err)
	}
	return kr
}

// Association creates an association of commission c approved from agrement for three
// years, covering departments (comma separated).
func Association(t testing.TB, db bun.IDB, c *models.Commission, name, departments string, agrement time.Time) *models.Association {
	t.Helper()
	a := &models.Association{CommissionID: c.ID, Name: name, AgrementArrete: "arrêté test", AgrementDate: agrement, Departments: departments, ContactEmail: "contact@example.org"}
	if err := models.CreateAssociation(context.Background(), db, models.SystemActor("test"), a, Epoch()); err != nil {
		t.Fatal(err)
	}
	return a
}

var userSeq atomic.Int64

// User creates an active user of commission c with role, linked to association a when not nil.
func User(t testing.TB, db bun.IDB, c *models.Commission, role models.Role, a *models.Association) *models.User {
	t.Helper()
	n := userSeq.Add(1)
	u := &models.User{Email: fmt.Sprintf("%s%d-c%d@test.example", role, n, c.ID), Name: fmt.Sprintf("%s %d", role.Label(), n), Role: role, Active: true}
	if role.NeedsCommission() {
		u.CommissionID = &c.ID
	}
	if role == models.RoleRegion {
		u.Region = c.Region
	}
	if a != nil {
		u.AssociationID = &a.ID
	}
	if err := models.CreateUser(context.Background(), db, models.SystemActor("test"), u, Epoch()); err != nil {
		t.Fatal(err)
	}
	return u
}

// Person returns an obviously fictitious person input.
func Person(last, first string, birthYear int) *models.PersonInput {
	return &models.PersonInput{
		Identity: models.Identity{LastName: last, FirstName: first, BirthDate: fmt.Sprintf("%d-05-17", birthYear),
			Phone: "06 00 00 00 00", Email: "personne@exemple.invalid", Address: "1 rue de l'Exemple", PostalCode: "31000", City: "Toulouse"},
		Gender: models.GenderFemale, BirthYear: birthYear, Nationality: "NG",
	}
}

// CompleteInput returns a complete request of kind: an entry for person p, or a request
// on parcours parcoursID.
func CompleteInput(kind models.FileKind, p *models.PersonInput, parcoursID int64) models.FileInput {
	in := models.FileInput{
		Kind: kind, Person: p, ParcoursID: parcoursID, Children: 1, AFISRequested: true, APSNeeded: true, HousingNeed: models.HousingShelter,
		AssociationAvis: models.AvisFavorable,
		Proposal: models.Proposal{
			Commitments:     "Cesser l'activité prostitutionnelle, suivre les rendez-vous d'accompagnement.",
			Actions:         []models.PlannedAction{{Kind: models.ActionHousing, Description: "Hébergement en CHRS", DurationMonths: 6}},
			ExpectedResults: "Accès à un hébergement stable.",
			AchievedResults: "Hébergement obtenu, suivi médical en place.",
			Difficulties:    "Rendez-vous manqués depuis trois mois.",
			AvisReasoning:   "Engagement constant de la personne.",
		},
	}
	if kind == models.KindEnd {
		in.EndReason = models.EndBreach
	}
	return in
}
