// Package filestest gives the tests of the files screens two approved associations with
// a signed-in-able account each, and complete files made through the models.
package filestest

import (
	"context"
	"testing"

	"seance/app/servertest"
	"seance/models"
	"seance/models/files"
	"seance/models/modelstest"
	"seance/models/registry"
)

// World is a servertest.Env with two associations of its commission, one account each
// (password servertest.Password).
type World struct {
	*servertest.Env
	Assoc1, Assoc2 *registry.Association
	A1, A2         *models.User
}

// New starts an env and adds the associations, approved since a year ago for the
// department 31, and their accounts asso1@test.example and asso2@test.example.
func New(t testing.TB) *World {
	t.Helper()
	env := servertest.New(t)
	w := &World{Env: env}
	since := env.Clock().AddDate(-1, 0, 0)
	w.Assoc1 = modelstest.Association(t, env.DB, env.Commission, "Association Une", "31", since)
	w.Assoc2 = modelstest.Association(t, env.DB, env.Commission, "Association Deux", "31", since)
	w.A1 = Account(t, env, "asso1@test.example", w.Assoc1)
	w.A2 = Account(t, env, "asso2@test.example", w.Assoc2)
	return w
}

// Account creates an active association account of env's commission for a, with
// password servertest.Password.
func Account(t testing.TB, env *servertest.Env, email string, a *registry.Association) *models.User {
	t.Helper()
	u := &models.User{
		Email: email, Name: a.Name, Role: models.RoleAssociation, CommissionID: &a.CommissionID, AssociationID: &a.ID,
		PasswordHash: servertest.PasswordHash(t), Active: true,
	}
	if err := models.CreateUser(context.Background(), env.DB, models.SystemActor("test"), u, env.Clock()); err != nil {
		t.Fatal(err)
	}
	return u
}

// Draft creates a complete draft of kind for u's association: an entry for a new
// fictitious person, or a request on parcours parcoursID.
func (w *World) Draft(t testing.TB, u *models.User, kind files.FileKind, parcoursID int64) *files.File {
	t.Helper()
	var p *files.PersonInput
	if kind == files.KindEngagement {
		p = modelstest.Person("Fictive", "Ada", 1995)
	}
	f, err := files.CreateFile(context.Background(), w.DB, w.Config.Keys, u, modelstest.CompleteInput(kind, p, parcoursID), w.Clock())
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// Move performs one transition as u, failing the test on error.
func (w *World) Move(t testing.TB, u *models.User, fileID int64, to files.State, in files.TransitionInput) {
	t.Helper()
	if err := files.Transition(context.Background(), w.DB, w.Config.Keys, u, fileID, to, in, w.Clock()); err != nil {
		t.Fatalf("Transition(%d → %s) error = %v", fileID, to, err)
	}
}

// Submitted creates a complete entry of u's association and submits it.
func (w *World) Submitted(t testing.TB, u *models.User) *files.File {
	t.Helper()
	f := w.Draft(t, u, files.KindEngagement, 0)
	w.Move(t, u, f.ID, files.StateSubmitted, files.TransitionInput{})
	return f
}

// Secretariat returns the env's secretariat account.
func (w *World) Secretariat() *models.User { return w.Users[models.RoleSecretariat] }

// Decided takes a complete entry of u's association to an authorised decision on the
// env's day, which opens a parcours of 6 months, and returns the file.
func (w *World) Decided(t testing.TB, u *models.User) *files.File {
	t.Helper()
	f := w.Submitted(t, u)
	now := w.Clock()
	sec, pres := w.Secretariat(), w.Users[models.RolePresident]
	w.Move(t, sec, f.ID, files.StateAdmissible, files.TransitionInput{})
	w.Move(t, sec, f.ID, files.StateScheduled, files.TransitionInput{SessionDate: now})
	w.Move(t, pres, f.ID, files.StateExamined, files.TransitionInput{Avis: files.AvisFavorable, AvisOn: now})
	w.Move(t, sec, f.ID, files.StateDecided, files.TransitionInput{Decision: files.Decision{
		Outcome: files.DecisionAuthorised, DecidedOn: now, NotifiedPersonOn: now, NotifiedAssociationOn: now, AFISGranted: true,
	}})
	got, _, err := files.FindFile(context.Background(), w.DB, sec, f.ID, now)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// AuditCount returns how many audit records of the env's commission have action.
func (w *World) AuditCount(t testing.TB, action string) int {
	t.Helper()
	n, err := w.DB.NewSelect().Model((*models.AuditRecord)(nil)).Where("action = ? AND commission_id = ?", action, w.Commission.ID).Count(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return int(n)
}
