// Package jobs runs the portal's periodic work with gocron. A job is a struct of
// its dependencies with Run(ctx); tests and the CLI call it through Registry.Run,
// without the scheduler.
//
// Every run, scheduled or manual, is recorded in the job_runs table (start, end,
// status, error, items handled) and a failure is logged. Schedules are cron
// expressions read in the portal's time zone (Europe/Paris by default); each job
// runs one occurrence at a time (singleton mode) and within its timeout. With
// several instances on one PostgreSQL database, each occurrence runs on one instance
// only (see Locker).
package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-co-op/gocron/v2"
	"github.com/robfig/cron/v3"
	"github.com/uptrace/bun"

	"seance/models"
)

// Job is one periodic task. Run must be idempotent: running it twice, or on two
// instances, does nothing twice.
type Job interface {
	Name() string
	Run(ctx context.Context) error
}

// Entry is a job with its default schedule and limits.
type Entry struct {
	Job Job
	// Title says what the job does, in French, for the administration page.
	Title string
	// Schedule is a cron expression (5 fields, or 6 with seconds first) in the
	// registry's time zone, or "off": the job then runs only when asked.
	Schedule string
	// Timeout bounds one run; its context is cancelled after it.
	Timeout time.Duration
}

// ScheduleOff disables the scheduling of a job (it still runs on demand).
const ScheduleOff = "off"

// ErrUnknownJob is returned by Run for a name no entry has.
var ErrUnknownJob = errors.New("unknown job")

// ErrBusy is returned by Run when the job is already running in this process.
var ErrBusy = errors.New("job already running")

// Registry holds the portal's jobs, runs them and schedules them.
type Registry struct {
	DB       *bun.DB
	Log      *slog.Logger
	Now      func() time.Time
	Location *time.Location
	// Instance names this process in the records (host:pid by default).
	Instance string

	entries []*entry
	sched   gocron.Scheduler
	ctx     context.Context // the server's, once started
}

type entry struct {
	Entry
	spec    cron.Schedule // nil when off
	seconds bool          // the schedule has a seconds field
	running sync.Mutex    // one run at a time in this process, scheduled or manual
}

var parser = cron.NewParser(cron.Second | cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow)

// parseSchedule accepts 5 fields (minute first) or 6 (seconds first).
func parseSchedule(s string) (cron.Schedule, bool, error) {
	fields := strings.Fields(s)
	seconds := len(fields) == 6
	if len(fields) == 5 {
		fields = append([]string{"0"}, fields...)
	}
	if len(fields) != 6 {
		return nil, false, fmt.Errorf("%q: want 5 cron fields (minute hour day month weekday)", s)
	}
	spec, err := parser.Parse(strings.Join(fields, " "))
	if err != nil {
		return nil, false, fmt.Errorf("%q: %w", s, err)
	}
	return spec, seconds, nil
}

// NewRegistry checks the entries and applies the schedule overrides (job name →
// cron expression or "off", from SEANCE_JOB_SCHEDULES).
func NewRegistry(db *bun.DB, log *slog.Logger, now func() time.Time, loc *time.Location, overrides map[string]string, es ...Entry) (*Registry, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	host, _ := os.Hostname()
	r := &Registry{DB: db, Log: log, Now: now, Location: loc, Instance: fmt.Sprintf("%s:%d", host, os.Getpid())}
	names := map[string]bool{}
	for _, e := range es {
		name := e.Job.Name()
		if names[name] {
			return nil, fmt.Errorf("jobs: %s registered twice", name)
		}
		names[name] = true
		if s, ok := overrides[name]; ok {
			e.Schedule = s
		}
		if e.Timeout <= 0 {
			e.Timeout = 5 * time.Minute
		}
		en := &entry{Entry: e}
		if e.Schedule != ScheduleOff {
			var err error
			if en.spec, en.seconds, err = parseSchedule(e.Schedule); err != nil {
				return nil, fmt.Errorf("configuration: SEANCE_JOB_SCHEDULES: job %s: %w", name, err)
			}
		}
		r.entries = append(r.entries, en)
	}
	for name := range overrides {
		if !names[name] {
			return nil, fmt.Errorf("configuration: SEANCE_JOB_SCHEDULES names an unknown job %q (known: %s)", name, strings.Join(r.Names(), ", "))
		}
	}
	return r, nil
}

// Names returns the job names in registration order.
func (r *Registry) Names() []string {
	out := make([]string, len(r.entries))
	for i, e := range r.entries {
		out[i] = e.Job.Name()
	}
	return out
}

func (r *Registry) find(name string) *entry {
	for _, e := range r.entries {
		if e.Job.Name() == name {
			return e
		}
	}
	return nil
}

// Planned is a job's schedule as the administration page shows it.
type Planned struct {
	Name, Title, Schedule string
	Timeout               time.Duration
	Next                  time.Time // zero when the job is off
}

// Plan lists the jobs with their next occurrence after now.
func (r *Registry) Plan(now time.Time) []Planned {
	out := make([]Planned, len(r.entries))
	for i, e := range r.entries {
		out[i] = Planned{Name: e.Job.Name(), Title: e.Title, Schedule: e.Schedule, Timeout: e.Timeout}
		if e.spec != nil {
			out[i].Next = e.spec.Next(now.In(r.Location))
		}
	}
	return out
}

type itemsKey struct{}

// Handled adds n to the items counted for the run of ctx (messages sent, rows
// purged…); outside a run it does nothing.
func Handled(ctx context.Context, n int) {
	if c, ok := ctx.Value(itemsKey{}).(*atomic.Int64); ok {
		c.Add(int64(n))
	}
}

// Run runs job name now, within its timeout, and records the run; trigger says why
// (models.TriggerManual, TriggerCLI…). It returns ErrBusy when the job is running
// in this process, and the job's error otherwise.
func (r *Registry) Run(ctx context.Context, name, trigger string) (*models.JobRun, error) {
	e := r.find(name)
	if e == nil {
		return nil, fmt.Errorf("%w %q (known: %s)", ErrUnknownJob, name, strings.Join(r.Names(), ", "))
	}
	if !e.running.TryLock() {
		return nil, fmt.Errorf("%s: %w", name, ErrBusy)
	}
	defer e.running.Unlock()
	return r.run(ctx, e, trigger)
}

// RunInBackground starts job name now without waiting for it (the administration
// page: no request waits on a job); the run is recorded like any other. It returns
// ErrUnknownJob or ErrBusy at once.
func (r *Registry) RunInBackground(name, trigger string) error {
	e := r.find(name)
	if e == nil {
		return fmt.Errorf("%w %q", ErrUnknownJob, name)
	}
	if !e.running.TryLock() {
		return fmt.Errorf("%s: %w", name, ErrBusy)
	}
	ctx := r.ctx
	if ctx == nil {
		ctx = context.Background()
	}
	go func() {
		defer e.running.Unlock()
		_, _ = r.run(ctx, e, trigger) // logged and recorded by run
	}()
	return nil
}

func (r *Registry) run(ctx context.Context, e *entry, trigger string) (*models.JobRun, error) {
	name := e.Job.Name()
	// The records are written even when the run's context has ended (timeout, shutdown).
	rctx := context.WithoutCancel(ctx)
	run, err := models.StartJobRun(rctx, r.DB, name, trigger, r.Instance, r.Now())
	if err != nil {
		r.Log.Error("job not started", "job", name, "err", err)
		return nil, err
	}
	var items atomic.Int64
	jctx, cancel := context.WithTimeout(context.WithValue(ctx, itemsKey{}, &items), e.Timeout)
	runErr := safeRun(jctx, e.Job)
	if runErr == nil && jctx.Err() != nil {
		runErr = fmt.Errorf("timeout after %s: %w", e.Timeout, jctx.Err())
	}
	cancel()
	if err := models.FinishJobRun(rctx, r.DB, run, int(items.Load()), runErr, r.Now()); err != nil {
		r.Log.Error("job run not recorded", "job", name, "err", err)
	}
	if runErr != nil {
		r.Log.Error("job failed", "job", name, "trigger", trigger, "items", items.Load(), "err", runErr)
		return run, runErr
	}
	r.Log.Debug("job done", "job", name, "trigger", trigger, "items", items.Load(), "duration", run.Duration())
	return run, nil
}

// safeRun turns a panic of the job into an error: one job must not stop the others.
func safeRun(ctx context.Context, j Job) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic: %v", p)
		}
	}()
	return j.Run(ctx)
}

// Start schedules every job that is not off, in the registry's time zone, and starts
// the scheduler. distributed installs the PostgreSQL Locker, so that instances
// sharing the database run each occurrence once. ctx bounds the runs; call Shutdown
// when the server stops.
func (r *Registry) Start(ctx context.Context, distributed bool) error {
	opts := []gocron.SchedulerOption{gocron.WithLocation(r.Location)}
	if distributed {
		opts = append(opts, gocron.WithDistributedLocker(&Locker{DB: r.DB, Now: r.Now, Instance: r.Instance, Log: r.Log, Granularity: r.granularity}))
	}
	s, err := gocron.NewScheduler(opts...)
	if err != nil {
		return fmt.Errorf("start scheduler: %w", err)
	}
	for _, e := range r.entries {
		if e.spec == nil {
			continue
		}
		_, err := s.NewJob(gocron.CronJob(e.Schedule, e.seconds), gocron.NewTask(r.scheduled(ctx, e)),
			gocron.WithName(e.Job.Name()), gocron.WithSingletonMode(gocron.LimitModeReschedule))
		if err != nil {
			return fmt.Errorf("schedule %s: %w", e.Job.Name(), err)
		}
	}
	s.Start()
	r.sched, r.ctx = s, ctx
	return nil
}

// granularity is the precision of a job's occurrences: a second for schedules with a
// seconds field, a minute otherwise.
func (r *Registry) granularity(name string) time.Duration {
	if e := r.find(name); e != nil && e.seconds {
		return time.Second
	}
	return time.Minute
}

func (r *Registry) scheduled(ctx context.Context, e *entry) func() {
	return func() {
		if !e.running.TryLock() { // a manual run is in progress: this occurrence is skipped
			r.Log.Warn("job occurrence skipped: already running", "job", e.Job.Name())
			return
		}
		defer e.running.Unlock()
		_, _ = r.run(ctx, e, models.TriggerSchedule) // failures are logged and recorded by run
	}
}

// Shutdown stops the scheduler, waiting for the runs in progress.
func (r *Registry) Shutdown() error {
	if r.sched == nil {
		return nil
	}
	return r.sched.Shutdown()
}
