package jobs_test

import (
	"strings"
	"testing"
	"time"

	"seance/app/mail"
	"seance/jobs"
	"seance/models"
	"seance/models/files"
	"seance/models/modelstest"
)

// TestRule15_RetentionJob runs the retention job day after day on a test clock: the
// secretariat is told once, 30 days ahead; the file is anonymised on its day, not
// before, once; a person with an open parcours is never touched.
func TestRule15_RetentionJob(t *testing.T) {
	start := time.Date(2026, 3, 2, 9, 0, 0, 0, frParis)
	w := newRemindWorld(t, start, modelstest.Date(2025, 1, 1))
	mailer, err := mail.New(w.cfg, w.db, nil, w.clock.Now)
	if err != nil {
		t.Fatal(err)
	}
	if w.reg, err = jobs.Portal(jobs.Deps{DB: w.db, Now: w.clock.Now, Location: frParis, Mailer: mailer, BaseURL: "https://seance.test", Keys: w.kr}); err != nil {
		t.Fatal(err)
	}
	if names := w.reg.Names(); !strings.Contains(strings.Join(names, " "), "retention") {
		t.Fatalf("jobs %v lack retention", names)
	}
	day0 := modelstest.Date(2026, 3, 2)
	closed := w.request(t, modelstest.CompleteInput(files.KindEngagement, modelstest.Person("Fermine", "Ada", 1990), 0), day0, files.StateDecided)
	if err := files.EndParcours(w.ctx, w.db, w.users["secretariat"], *closed.ParcoursID, files.EndLeft, modelstest.Date(2026, 6, 1), modelstest.Date(2026, 6, 1)); err != nil {
		t.Fatal(err)
	}
	open := w.request(t, modelstest.CompleteInput(files.KindEngagement, modelstest.Person("Ouvertine", "Bea", 1985), 0), day0, files.StateDecided)
	sec := w.users["secretariat"]
	notice := "retention-30 " + models.ObjectRef("file", closed.ID) + " → " + sec.Email

	for _, tt := range []struct {
		name       string
		at         time.Time
		items      int
		notices    []string
		anonymised bool
	}{
		{"31 days before", time.Date(2028, 5, 1, 4, 30, 0, 0, frParis), 0, nil, false},
		{"30 days before", time.Date(2028, 5, 2, 4, 30, 0, 0, frParis), 1, []string{notice}, false},
		{"30 days before, run again", time.Date(2028, 5, 2, 10, 0, 0, 0, frParis), 0, nil, false},
		{"the day before", time.Date(2028, 5, 31, 4, 30, 0, 0, frParis), 0, nil, false},
		{"the day", time.Date(2028, 6, 1, 4, 30, 0, 0, frParis), 1, nil, true},
		{"the day, run again", time.Date(2028, 6, 1, 12, 0, 0, 0, frParis), 0, nil, true},
		{"years later", time.Date(2031, 6, 1, 4, 30, 0, 0, frParis), 0, nil, true},
	} {
		w.clock.Set(tt.at)
		before := w.notices(t)
		run, err := w.reg.Run(w.ctx, "retention", models.TriggerSchedule)
		if err != nil {
			t.Fatalf("%s: run: %v", tt.name, err)
		}
		if run.Items != tt.items || run.Status != models.JobOK {
			t.Errorf("%s: run %s with %d items, want %d", tt.name, run.Status, run.Items, tt.items)
		}
		wantNotices(t, tt.name, w.notices(t)[len(before):], tt.notices...)
		f, _, err := files.FindFile(w.ctx, w.db, sec, closed.ID, tt.at)
		if err != nil {
			t.Fatal(err)
		}
		if (f.AnonymisedOn != nil) != tt.anonymised {
			t.Errorf("%s: file anonymised on %v, want anonymised %v", tt.name, f.AnonymisedOn, tt.anonymised)
		}
		o, _, err := files.FindFile(w.ctx, w.db, sec, open.ID, tt.at)
		if err != nil || o.AnonymisedOn != nil {
			t.Fatalf("%s: file with an open parcours = %+v, %v; want kept", tt.name, o, err)
		}
	}
	body := w.outboxBody(t, sec.Email)
	for _, want := range []string{closed.Reference, "sera anonymisé le 01/06/2028", "/commissions/" + itoa(w.c.ID) + "/conservation"} {
		if !strings.Contains(body, want) {
			t.Errorf("notice lacks %q:\n%s", want, body)
		}
	}
	if strings.Contains(body, "Fermine") {
		t.Errorf("the notice names the person:\n%s", body)
	}
}
