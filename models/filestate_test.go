package models_test

import (
	"slices"
	"testing"
	"time"

	"seance/models"
	"seance/models/files"
	"seance/models/modelstest"
)

// TestFileStateMachine_EveryTransitionPerRole tries every move between two states for every
// user and checks that exactly the allowed ones succeed, that AllowedTransitions offers
// exactly those, and that a refused move leaves the file as it was.
func TestFileStateMachine_EveryTransitionPerRole(t *testing.T) {
	w := newWorld(t)
	at := date(2026, 3, 2)
	allowed := map[[2]files.State][]string{
		{files.StateDraft, files.StateSubmitted}:       {"association"},
		{files.StateIncomplete, files.StateSubmitted}:  {"association"},
		{files.StateSubmitted, files.StateIncomplete}:  {"secretariat"},
		{files.StateSubmitted, files.StateAdmissible}:  {"secretariat"},
		{files.StateAdmissible, files.StateIncomplete}: {"secretariat"},
		{files.StateAdmissible, files.StateScheduled}:  {"secretariat", "president"},
		{files.StateScheduled, files.StateAdmissible}:  {"secretariat", "president"},
		{files.StateScheduled, files.StateExamined}:    {"secretariat", "president"},
		{files.StateExamined, files.StateDecided}:      {"secretariat"},
	}
	users := []string{"secretariat", "president", "member", "member_a1", "association", "association2", "prefecture", "region", "admin", "secretariat_c2", "association_c2"}
	n := 0
	newFile := func(from files.State) *files.File {
		n++
		f := w.create(t, modelstest.CompleteInput(files.KindEngagement, modelstest.Person("Testeur", "Personne", 1990+n%20), 0), at)
		w.driveTo(t, f.ID, from, files.DecisionAuthorised, at)
		return w.file(t, f.ID)
	}
	for _, from := range files.States {
		shared := newFile(from)
		for _, to := range files.States {
			for _, user := range users {
				want := slices.Contains(allowed[[2]files.State{from, to}], user)
				t.Run(string(from)+"→"+string(to)+"/"+user, func(t *testing.T) {
					f := shared
					if want {
						f = newFile(from)
					}
					u := w.users[user]
					offered := slices.ContainsFunc(files.AllowedTransitions(u, f), func(o files.TransitionOption) bool { return o.To == to })
					if offered != want {
						t.Errorf("AllowedTransitions(%s, %s) offers %s = %v, want %v", user, from, to, offered, want)
					}
					err := files.Transition(w.ctx, w.db, w.kr, u, f.ID, to, inputFor(to, files.DecisionAuthorised, at), at)
					if want {
						if err != nil {
							t.Fatalf("Transition(%s → %s by %s) error = %v, want success", from, to, user, err)
						}
						if got := w.file(t, f.ID).State; got != to {
							t.Fatalf("state after transition = %s, want %s", got, to)
						}
						return
					}
					if err == nil {
						t.Fatalf("Transition(%s → %s by %s) succeeded, want a refusal", from, to, user)
					}
					if _, ok := models.AsFieldErrors(err); !ok && !isNotFound(err) {
						t.Fatalf("Transition(%s → %s by %s) error = %v, want a French refusal or ErrNotFound", from, to, user, err)
					}
					if got := w.file(t, f.ID).State; got != from {
						t.Fatalf("state after refused transition = %s, want %s", got, from)
					}
				})
			}
		}
	}
}

// TestFileTransitionsAreRecordedInHistoryAndAudit follows one file to its decision and
// checks the history lines and the audit records of each move.
func TestFileTransitionsAreRecordedInHistoryAndAudit(t *testing.T) {
	w := newWorld(t)
	at := date(2026, 3, 2)
	f := w.create(t, modelstest.CompleteInput(files.KindEngagement, modelstest.Person("Historique", "Ada", 1995), 0), at)
	w.driveTo(t, f.ID, files.StateIncomplete, "", at)
	if got := w.file(t, f.ID).MissingItemList(); !slices.Equal(got, []string{"Justificatif de domicile"}) {
		t.Fatalf("missing items = %v", got)
	}
	w.driveTo(t, f.ID, files.StateDecided, files.DecisionAuthorised, at)
	hist, err := files.FileHistory(w.ctx, w.db, w.users["association"], f.ID, at)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range hist {
		got = append(got, e.Action)
	}
	want := []string{"create", "submitted", "incomplete", "submitted", "admissible", "scheduled", "examined", "decided"}
	if !slices.Equal(got, want) {
		t.Fatalf("history = %v, want %v", got, want)
	}
	if d := hist[len(hist)-1].DetailMap(); d["decision"] != "authorised" || d["parcours_id"] == nil {
		t.Fatalf("decision event details = %v", d)
	}
	recs, err := models.ListAudit(w.ctx, w.db, w.c.ID, 100)
	if err != nil {
		t.Fatal(err)
	}
	transitions := 0
	for _, r := range recs {
		if r.Action == "file.transition" && r.Object == models.ObjectRef("file", f.ID) {
			transitions++
		}
	}
	if transitions != 7 {
		t.Fatalf("file.transition audit records = %d, want 7", transitions)
	}
	if _, err := files.FileHistory(w.ctx, w.db, w.users["member"], f.ID, at); !isNotFound(err) {
		t.Fatalf("FileHistory by an ungranted member error = %v, want ErrNotFound", err)
	}
}

// TestFileTransitionInputsAreRequired checks the French refusals of moves missing their inputs.
func TestFileTransitionInputsAreRequired(t *testing.T) {
	w := newWorld(t)
	at := date(2026, 3, 2)
	draft := w.create(t, files.FileInput{Kind: files.KindEngagement, Person: modelstest.Person("Incomplet", "Bob", 1990)}, at)
	err := files.Transition(w.ctx, w.db, w.kr, w.users["association"], draft.ID, files.StateSubmitted, files.TransitionInput{}, at)
	wantRefusal(t, err, "association_avis", "avis de l'association")
	wantRefusal(t, err, "actions", "action")

	f := w.create(t, modelstest.CompleteInput(files.KindEngagement, modelstest.Person("Complet", "Cléo", 1990), 0), at)
	w.driveTo(t, f.ID, files.StateSubmitted, "", at)
	err = files.Transition(w.ctx, w.db, w.kr, w.users["secretariat"], f.ID, files.StateIncomplete, files.TransitionInput{MissingItems: []string{" "}}, at)
	wantRefusal(t, err, "missing_items", "manquante")
	w.driveTo(t, f.ID, files.StateAdmissible, "", at)
	err = files.MarkScheduled(w.ctx, w.db, w.users["secretariat"], f.ID, 0, date(1, 1, 1), at)
	wantRefusal(t, err, "session_date", "séance")
	if err := files.MarkScheduled(w.ctx, w.db, w.users["president"], f.ID, 12, at.AddDate(0, 0, 10), at); err != nil {
		t.Fatal(err)
	}
	err = files.RecordAvis(w.ctx, w.db, w.users["secretariat"], f.ID, "peut-être", at, at)
	wantRefusal(t, err, "avis", "avis de la commission")
	if err := files.RecordAvis(w.ctx, w.db, w.users["secretariat"], f.ID, files.AvisReserve, at, at); err != nil {
		t.Fatal(err)
	}
	err = files.Transition(w.ctx, w.db, w.kr, w.users["secretariat"], f.ID, files.StateDecided, files.TransitionInput{}, at)
	wantRefusal(t, err, "outcome", "décision du préfet")
	wantRefusal(t, err, "decided_on", "date de la décision")
	err = files.Transition(w.ctx, w.db, w.kr, w.users["secretariat"], f.ID, files.StateDecided,
		files.TransitionInput{Decision: files.Decision{Outcome: files.DecisionAuthorised, DecidedOn: at.AddDate(0, 0, 3)}}, at)
	wantRefusal(t, err, "decided_on", "futur")
}

// TestFileDatesAreParisDays: a file's « today » is the day in France (models.CalendarDay),
// as everywhere else in the portal. At 00:30 in Paris on 1 July (22:30 UTC on 30 June)
// the commission's avis is dated 1 July, and a préfet's decision and its notifications
// typed as 1 July are today, not in the future. A stored date stays itself.
func TestFileDatesAreParisDays(t *testing.T) {
	day := date(2026, 7, 1)
	now := time.Date(2026, 6, 30, 22, 30, 0, 0, time.UTC)
	if got := files.DateOf(now); !got.Equal(day) {
		t.Errorf("DateOf(%s) = %s, want 1 July", now, got)
	}
	if got := files.FormatDate(now); got != "01/07/2026" {
		t.Errorf("FormatDate(%s) = %q, want 01/07/2026", now, got)
	}
	for _, d := range []time.Time{day, date(2026, 1, 15), date(2026, 10, 25), date(2026, 3, 29)} {
		if got := files.DateOf(d); !got.Equal(d) || files.FormatDate(d) != d.Format("02/01/2006") {
			t.Errorf("the stored date %s became %s (%s)", d, got, files.FormatDate(d))
		}
	}

	w := newWorld(t)
	f := w.create(t, modelstest.CompleteInput(files.KindEngagement, modelstest.Person("Minuit", "Lou", 1990), 0), now)
	w.driveTo(t, f.ID, files.StateExamined, "", now)
	if got := w.file(t, f.ID).AvisOn; got == nil || !got.Equal(day) {
		t.Fatalf("avis recorded at 00:30 in Paris on 1 July dated %v, want 1 July", got)
	}
	w.move(t, "secretariat", f.ID, files.StateDecided, files.TransitionInput{Decision: files.Decision{
		Outcome: files.DecisionAuthorised, DecidedOn: day, NotifiedPersonOn: day, NotifiedAssociationOn: day}}, now)
}
