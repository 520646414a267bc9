package modelstest

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"seance/models"
	"seance/models/files"
	"seance/models/keyring"
	"seance/models/registry"
)

// Keyring returns a ring with one new random key.
func Keyring(t testing.TB) *keyring.Keyring {
	t.Helper()
	k, err := keyring.ParseKey(keyring.NewKey())
	if err != nil {
		t.Fatal(err)
	}
	kr, err := keyring.NewKeyring(k)
	if err != nil {
		t.Fatal(err)
	}
	return kr
}

// Association creates an association of commission c approved from agrement for three
// years, covering departments (comma separated).
func Association(t testing.TB, db bun.IDB, c *models.Commission, name, departments string, agrement time.Time) *registry.Association {
	t.Helper()
	a := &registry.Association{CommissionID: c.ID, Name: name, AgrementArrete: "arrêté test", AgrementDate: agrement, Departments: departments, ContactEmail: "contact@example.org"}
	if err := registry.CreateAssociation(context.Background(), db, models.SystemActor("test"), a, Epoch()); err != nil {
		t.Fatal(err)
	}
	return a
}

var userSeq atomic.Int64

// User creates an active user of commission c with role, linked to association a when not nil.
func User(t testing.TB, db bun.IDB, c *models.Commission, role models.Role, a *registry.Association) *models.User {
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
func Person(last, first string, birthYear int) *files.PersonInput {
	return &files.PersonInput{
		Identity: files.Identity{LastName: last, FirstName: first, BirthDate: fmt.Sprintf("%d-05-17", birthYear),
			Phone: "06 00 00 00 00", Email: "personne@exemple.invalid", Address: "1 rue de l'Exemple", PostalCode: "31000", City: "Toulouse"},
		Gender: files.GenderFemale, BirthYear: birthYear, Nationality: "NG",
	}
}

// CompleteInput returns a complete request of kind: an entry for person p, or a request
// on parcours parcoursID.
func CompleteInput(kind files.FileKind, p *files.PersonInput, parcoursID int64) files.FileInput {
	in := files.FileInput{
		Kind: kind, Person: p, ParcoursID: parcoursID, Children: 1, AFISRequested: true, APSNeeded: true, HousingNeed: files.HousingShelter,
		AssociationAvis: files.AvisFavorable,
		Proposal: files.Proposal{
			Commitments:     "Cesser l'activité prostitutionnelle, suivre les rendez-vous d'accompagnement.",
			Actions:         []files.PlannedAction{{Kind: files.ActionHousing, Description: "Hébergement en CHRS", DurationMonths: 6}},
			ExpectedResults: "Accès à un hébergement stable.",
			AchievedResults: "Hébergement obtenu, suivi médical en place.",
			Difficulties:    "Rendez-vous manqués depuis trois mois.",
			AvisReasoning:   "Engagement constant de la personne.",
		},
	}
	if kind == files.KindEnd {
		in.EndReason = files.EndBreach
	}
	return in
}
