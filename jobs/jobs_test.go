package jobs_test

import (
	"context"
	"errors"
	"os"
	"sync"
	"testing"
	"time"

	"seance/jobs"
	"seance/models"
	"seance/models/modelstest"
)

// probe is a test job: it records each run with the occurrence it was fired for.
type probe struct {
	name     string
	instance string
	now      func() time.Time
	mu       *sync.Mutex
	runs     *[]probeRun
	err      error
}

type probeRun struct {
	instance string
	at       time.Time
}

func (p *probe) Name() string { return p.name }

func (p *probe) Run(ctx context.Context) error {
	p.mu.Lock()
	*p.runs = append(*p.runs, probeRun{p.instance, p.now().Truncate(time.Second)})
	p.mu.Unlock()
	jobs.Handled(ctx, 3)
	time.Sleep(50 * time.Millisecond) // a run takes a while: the other instance fires meanwhile
	return p.err
}

func paris(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func TestRunRecordsOutcome(t *testing.T) {
	db := modelstest.NewDB(t)
	ctx := context.Background()
	clock := modelstest.NewClock()
	var mu sync.Mutex
	var runs []probeRun
	ok := &probe{name: "ok", now: clock.Now, mu: &mu, runs: &runs}
	bad := &probe{name: "bad", now: clock.Now, mu: &mu, runs: &runs, err: errors.New("relay down")}
	r, err := jobs.NewRegistry(db, nil, clock.Now, paris(t), nil,
		jobs.Entry{Job: ok, Title: "OK", Schedule: "0 3 * * *"}, jobs.Entry{Job: bad, Title: "KO", Schedule: "off"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Run(ctx, "ok", models.TriggerCLI); err != nil {
		t.Fatalf("Run(ok) = %v", err)
	}
	clock.Advance(time.Minute)
	if _, err := r.Run(ctx, "bad", models.TriggerManual); err == nil {
		t.Fatal("Run(bad) = nil, want the job's error")
	}
	if _, err := r.Run(ctx, "nope", models.TriggerCLI); !errors.Is(err, jobs.ErrUnknownJob) {
		t.Fatalf("Run(nope) = %v, want ErrUnknownJob", err)
	}
	last, err := models.LastJobRuns(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	if got := last["ok"]; got.Status != models.JobOK || got.Items != 3 || got.Trigger != models.TriggerCLI || got.EndedAt == nil {
		t.Errorf("last ok run = %+v, want ok, 3 items, cli, ended", got)
	}
	if got := last["bad"]; got.Status != models.JobFailed || got.Error != "relay down" || !got.StartedAt.Equal(clock.Now()) {
		t.Errorf("last bad run = %+v, want failed with the error, at the clock's time", got)
	}
	// The next run is computed in Paris time: 03:00 Paris is 02:00 UTC in winter.
	plan := r.Plan(time.Date(2026, 1, 10, 12, 0, 0, 0, time.UTC))
	if want := time.Date(2026, 1, 11, 2, 0, 0, 0, time.UTC); !plan[0].Next.Equal(want) {
		t.Errorf("next ok run = %s, want %s", plan[0].Next.UTC(), want)
	}
	if !plan[1].Next.IsZero() {
		t.Errorf("next bad run = %s, want none (off)", plan[1].Next)
	}
}

func TestScheduleOverrides(t *testing.T) {
	db := modelstest.NewDB(t)
	var mu sync.Mutex
	var runs []probeRun
	p := &probe{name: "p", now: time.Now, mu: &mu, runs: &runs}
	for _, tt := range []struct {
		name      string
		overrides map[string]string
		wantErr   bool
	}{
		{"default", nil, false},
		{"override", map[string]string{"p": "*/5 * * * *"}, false},
		{"off", map[string]string{"p": "off"}, false},
		{"bad cron", map[string]string{"p": "every day"}, true},
		{"unknown job", map[string]string{"q": "0 * * * *"}, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := jobs.NewRegistry(db, nil, time.Now, time.UTC, tt.overrides, jobs.Entry{Job: p, Schedule: "0 * * * *"})
			if (err != nil) != tt.wantErr {
				t.Errorf("NewRegistry(%v) error = %v, want error %v", tt.overrides, err, tt.wantErr)
			}
		})
	}
}

// TestTwoInstancesRunEachOccurrenceOnce starts two schedulers on one PostgreSQL
// database, with a job every second, and checks that each occurrence ran once.
func TestTwoInstancesRunEachOccurrenceOnce(t *testing.T) {
	if os.Getenv("TEST_DATABASE_URL") == "" {
		t.Skip("needs PostgreSQL: set TEST_DATABASE_URL (the locker uses advisory locks)")
	}
	db, url := modelstest.NewDBURL(t)
	var mu sync.Mutex
	var runs []probeRun
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var regs []*jobs.Registry
	for _, name := range []string{"A", "B"} {
		// Each instance has its own connection pool, as two processes would.
		idb, err := models.Open(url)
		if err != nil {
			t.Fatal(err)
		}
		defer idb.Close()
		p := &probe{name: "tick", instance: name, now: time.Now, mu: &mu, runs: &runs}
		r, err := jobs.NewRegistry(idb, nil, time.Now, time.UTC, nil, jobs.Entry{Job: p, Title: "tick", Schedule: "* * * * * *"})
		if err != nil {
			t.Fatal(err)
		}
		r.Instance = name
		if err := r.Start(ctx, true); err != nil {
			t.Fatal(err)
		}
		regs = append(regs, r)
	}
	time.Sleep(4500 * time.Millisecond)
	for _, r := range regs {
		if err := r.Shutdown(); err != nil {
			t.Fatal(err)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	seen := map[time.Time]string{}
	for _, r := range runs {
		if other, dup := seen[r.at]; dup {
			t.Errorf("occurrence %s ran on %s and on %s", r.at.Format(time.RFC3339), other, r.instance)
		}
		seen[r.at] = r.instance
	}
	if len(seen) < 3 {
		t.Fatalf("%d occurrences ran in 4.5 s, want at least 3 (runs: %v)", len(seen), runs)
	}
	var claims int
	if err := db.NewRaw("SELECT count(*) FROM job_occurrences WHERE job = 'tick'").Scan(context.Background(), &claims); err != nil {
		t.Fatal(err)
	}
	recorded, err := db.NewSelect().Model((*models.JobRun)(nil)).Where("job = 'tick'").Count(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if claims != len(runs) || int(recorded) != len(runs) {
		t.Errorf("claims = %d, recorded runs = %d, runs = %d: want all equal", claims, recorded, len(runs))
	}
	t.Logf("%d occurrences, by instance: %v", len(seen), seen)
}
