package models

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"
)

// The statuses of a job run.
const (
	JobRunning = "running"
	JobOK      = "ok"
	JobFailed  = "failed"
)

// The triggers of a job run.
const (
	TriggerSchedule = "schedule" // the scheduler's occurrence
	TriggerManual   = "manual"   // « Exécuter maintenant » on the admin page
	TriggerCLI      = "cli"      // `seance jobs run NAME`
	TriggerShutdown = "shutdown" // the server stopping (audit checkpoint)
)

// JobRun is one run of a scheduled job: when, where, how it ended and how many
// items it handled (messages sent, reminders queued, rows purged…).
type JobRun struct {
	bun.BaseModel `bun:"table:job_runs"`

	ID        int64     `bun:",pk,autoincrement"`
	Job       string    `bun:",notnull"`
	Trigger   string    `bun:",notnull"`
	Instance  string    `bun:",notnull"` // host and process that ran it
	StartedAt time.Time `bun:",notnull"`
	EndedAt   *time.Time
	Status    string `bun:",notnull"`
	Error     string `bun:",notnull"`
	Items     int    `bun:",notnull"`
}

// StatusLabel returns the status in French.
func (r *JobRun) StatusLabel() string {
	switch r.Status {
	case JobOK:
		return "Réussie"
	case JobFailed:
		return "Échec"
	}
	return "En cours"
}

// Duration returns how long the run took (0 while it runs).
func (r *JobRun) Duration() time.Duration {
	if r.EndedAt == nil {
		return 0
	}
	return r.EndedAt.Sub(r.StartedAt)
}

// StartJobRun records that job starts now.
func StartJobRun(ctx context.Context, db bun.IDB, job, trigger, instance string, now time.Time) (*JobRun, error) {
	r := &JobRun{Job: job, Trigger: trigger, Instance: instance, StartedAt: Stamp(now), Status: JobRunning}
	if _, err := db.NewInsert().Model(r).Exec(ctx); err != nil {
		return nil, fmt.Errorf("start job run %s: %w", job, err)
	}
	return r, nil
}

// FinishJobRun records the end of r: its status from runErr, and the items handled.
func FinishJobRun(ctx context.Context, db bun.IDB, r *JobRun, items int, runErr error, now time.Time) error {
	end := Stamp(now)
	r.EndedAt, r.Items, r.Status, r.Error = &end, items, JobOK, ""
	if runErr != nil {
		r.Status, r.Error = JobFailed, runErr.Error()
	}
	_, err := db.NewUpdate().Model(r).Column("ended_at", "items", "status", "error").WherePK().Exec(ctx)
	if err != nil {
		return fmt.Errorf("finish job run %s: %w", r.Job, err)
	}
	return nil
}

// LastJobRuns returns the latest run of each job, by job name, in one query.
func LastJobRuns(ctx context.Context, db bun.IDB) (map[string]JobRun, error) {
	var rs []JobRun
	err := db.NewSelect().Model(&rs).
		Where("id IN (?)", db.NewSelect().Model((*JobRun)(nil)).ColumnExpr("MAX(id)").Group("job")).
		Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("last job runs: %w", err)
	}
	out := make(map[string]JobRun, len(rs))
	for _, r := range rs {
		out[r.Job] = r
	}
	return out, nil
}

// ListJobRuns returns the latest runs of job ("" for every job), newest first.
func ListJobRuns(ctx context.Context, db bun.IDB, job string, limit int) ([]JobRun, error) {
	var rs []JobRun
	q := db.NewSelect().Model(&rs).Order("id DESC").Limit(int64(limit))
	if job != "" {
		q = q.Where("job = ?", job)
	}
	if err := q.Scan(ctx); err != nil {
		return nil, fmt.Errorf("list job runs: %w", err)
	}
	return rs, nil
}

// JobOccurrence is the claim of one scheduled occurrence of a job by one instance:
// with several instances on one database, the first to insert it runs the occurrence.
type JobOccurrence struct {
	bun.BaseModel `bun:"table:job_occurrences"`

	Job        string    `bun:",pk"`
	Occurrence time.Time `bun:",pk"`
	Instance   string    `bun:",notnull"`
	ClaimedAt  time.Time `bun:",notnull"`
}

// ClaimJobOccurrence claims the occurrence of job for instance; it reports false when
// another instance claimed it first.
func ClaimJobOccurrence(ctx context.Context, db bun.IDB, job string, occurrence time.Time, instance string, now time.Time) (bool, error) {
	o := &JobOccurrence{Job: job, Occurrence: Stamp(occurrence), Instance: instance, ClaimedAt: Stamp(now)}
	res, err := db.NewInsert().Model(o).On("CONFLICT DO NOTHING").Exec(ctx)
	if err != nil {
		return false, fmt.Errorf("claim %s occurrence %s: %w", job, occurrence.Format(time.RFC3339), err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("claim %s occurrence: %w", job, err)
	}
	return n == 1, nil
}

// PurgeJobHistory deletes occurrence claims and runs older than before.
func PurgeJobHistory(ctx context.Context, db bun.IDB, before time.Time) (int, error) {
	var total int64
	for _, q := range []*bun.DeleteQuery{
		db.NewDelete().Model((*JobOccurrence)(nil)).Where("occurrence < ?", Stamp(before)),
		db.NewDelete().Model((*JobRun)(nil)).Where("started_at < ?", Stamp(before)),
	} {
		res, err := q.Exec(ctx)
		if err != nil {
			return 0, fmt.Errorf("purge job history: %w", err)
		}
		n, _ := res.RowsAffected()
		total += n
	}
	return int(total), nil
}
