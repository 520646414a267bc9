package models_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"seance/models"
	"seance/models/files"
	"seance/models/keyring"
	"seance/models/modelstest"
	"seance/models/registry"
)

// world is a commission with two associations and one user per role, plus a second
// commission, for the file tests.
type world struct {
	ctx    context.Context
	db     *bun.DB
	kr     *keyring.Keyring
	c, c2  *models.Commission
	a1, a2 *registry.Association
	users  map[string]*models.User
}

func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// newWorld builds the world on a fresh database. Users: secretariat, president, member,
// member_a1 (sits for association 1), association (association 1), association2,
// prefecture, region, admin, secretariat_c2 (another commission).
func newWorld(t *testing.T) *world {
	t.Helper()
	return newWorldOn(t, modelstest.NewDB(t))
}

// newWorldOn builds the world on a migrated database.
func newWorldOn(t *testing.T, db *bun.DB) *world {
	t.Helper()
	w := &world{ctx: context.Background(), db: db, kr: modelstest.Keyring(t), users: map[string]*models.User{}}
	w.c = modelstest.Commission(t, db, "31")
	w.c2 = modelstest.Commission(t, db, "09")
	w.a1 = modelstest.Association(t, db, w.c, "Association Une", "31,09", date(2023, 12, 1))
	w.a2 = modelstest.Association(t, db, w.c, "Association Deux", "31", date(2023, 12, 1))
	a3 := modelstest.Association(t, db, w.c2, "Association Ariège", "09", date(2023, 12, 1))
	for name, u := range map[string]struct {
		c    *models.Commission
		role models.Role
		a    *registry.Association
	}{
		"secretariat": {w.c, models.RoleSecretariat, nil}, "president": {w.c, models.RolePresident, nil},
		"member": {w.c, models.RoleMember, nil}, "member_a1": {w.c, models.RoleMember, w.a1},
		"association": {w.c, models.RoleAssociation, w.a1}, "association2": {w.c, models.RoleAssociation, w.a2},
		"prefecture": {w.c, models.RolePrefecture, nil}, "region": {w.c, models.RoleRegion, nil}, "admin": {w.c, models.RoleAdmin, nil},
		"secretariat_c2": {w.c2, models.RoleSecretariat, nil}, "association_c2": {w.c2, models.RoleAssociation, a3},
	} {
		w.users[name] = modelstest.User(t, db, u.c, u.role, u.a)
	}
	return w
}

// create makes a draft of association 1 at day at.
func (w *world) create(t *testing.T, in files.FileInput, at time.Time) *files.File {
	t.Helper()
	f, err := files.CreateFile(w.ctx, w.db, w.kr, w.users["association"], in, at)
	if err != nil {
		t.Fatalf("CreateFile(%s) error = %v", in.Kind, err)
	}
	return f
}

// move performs one transition, failing the test on error.
func (w *world) move(t *testing.T, user string, id int64, to files.State, in files.TransitionInput, at time.Time) {
	t.Helper()
	if err := files.Transition(w.ctx, w.db, w.kr, w.users[user], id, to, in, at); err != nil {
		t.Fatalf("Transition(%s → %s by %s) error = %v", w.file(t, id).State, to, user, err)
	}
}

// file reads a file as the secretariat, or as association 1 while it is a draft (a
// draft is the association's alone).
func (w *world) file(t *testing.T, id int64) *files.File {
	t.Helper()
	f, _, err := files.FindFile(w.ctx, w.db, w.users["secretariat"], id, modelstest.Epoch())
	if errors.Is(err, models.ErrNotFound) {
		f, _, err = files.FindFile(w.ctx, w.db, w.users["association"], id, modelstest.Epoch())
	}
	if err != nil {
		t.Fatalf("FindFile(%d) error = %v", id, err)
	}
	return f
}

// inputFor returns the valid input of a move to state to at day at.
func inputFor(to files.State, outcome files.DecisionOutcome, at time.Time) files.TransitionInput {
	return files.TransitionInput{
		MissingItems: []string{"Justificatif de domicile"},
		SessionID:    7, SessionDate: at.AddDate(0, 0, 7),
		Avis: files.AvisFavorable, AvisOn: at,
		Decision: files.Decision{Outcome: outcome, DecidedOn: at, NotifiedPersonOn: at, NotifiedAssociationOn: at},
	}
}

// driveTo moves a draft along the main path to state target, all on day at; the decision
// is outcome. Requests that end rights get their observations step first.
func (w *world) driveTo(t *testing.T, id int64, target files.State, outcome files.DecisionOutcome, at time.Time) {
	t.Helper()
	path := []struct {
		from, to files.State
		user     string
	}{
		{files.StateDraft, files.StateSubmitted, "association"}, {files.StateIncomplete, files.StateSubmitted, "association"},
		{files.StateSubmitted, files.StateAdmissible, "secretariat"},
		{files.StateAdmissible, files.StateScheduled, "secretariat"}, {files.StateScheduled, files.StateExamined, "president"},
		{files.StateExamined, files.StateDecided, "secretariat"},
	}
	if target == files.StateIncomplete {
		if w.file(t, id).State == files.StateDraft {
			w.move(t, "association", id, files.StateSubmitted, files.TransitionInput{}, at)
		}
		w.move(t, "secretariat", id, files.StateIncomplete, inputFor(files.StateIncomplete, outcome, at), at)
		return
	}
	for _, step := range path {
		if state := w.file(t, id).State; state == target {
			return
		} else if state != step.from {
			continue
		}
		if step.to == files.StateDecided {
			f := w.file(t, id)
			if f.Kind.EndsRights() || f.Kind == files.KindRenewal {
				err := files.RecordObservations(w.ctx, w.db, w.users["secretariat"], id,
					files.Observations{InvitedOn: at, Means: files.ObservationsLetter}, at)
				if err != nil {
					t.Fatalf("RecordObservations error = %v", err)
				}
			}
		}
		w.move(t, step.user, id, step.to, inputFor(step.to, outcome, at), at)
	}
}

// request runs a request of association 1 from creation to the decision on day at.
func (w *world) request(t *testing.T, in files.FileInput, outcome files.DecisionOutcome, at time.Time) *files.File {
	t.Helper()
	f := w.create(t, in, at)
	w.driveTo(t, f.ID, files.StateDecided, outcome, at)
	return w.file(t, f.ID)
}

// parcours returns the parcours of a decided entry.
func (w *world) parcours(t *testing.T, f *files.File, now time.Time) *files.ParcoursSummary {
	t.Helper()
	if f.ParcoursID == nil {
		t.Fatalf("file %s has no parcours", f.Reference)
	}
	p, err := files.FindParcours(w.ctx, w.db, w.users["secretariat"], *f.ParcoursID, now)
	if err != nil {
		t.Fatalf("FindParcours error = %v", err)
	}
	return p
}

// wantRefusal checks that err is a refusal whose message for field contains want.
func wantRefusal(t *testing.T, err error, field, want string) {
	t.Helper()
	if msg := fieldErrors(t, err, field); !strings.Contains(msg, want) {
		t.Fatalf("refusal of %q = %q, want it to contain %q", field, msg, want)
	}
}

func isNotFound(err error) bool { return errors.Is(err, models.ErrNotFound) }
