package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/go-co-op/gocron/v2"
	"github.com/uptrace/bun"

	"seance/models"
)

// lockNamespace is the first key of the jobs' advisory locks (the second is the
// hash of the job name), apart from the audit chain's lock.
const lockNamespace = 1_4_2014

// ErrOccurrenceTaken is returned by Lock when another instance runs, or ran, the occurrence.
var ErrOccurrenceTaken = errors.New("occurrence taken by another instance")

// Locker is gocron's distributed locker on PostgreSQL. gocron gives it only the job
// name, at the moment an instance's scheduler fires; two things make one occurrence
// run once:
//
//   - a session advisory lock on the job (pg_try_advisory_lock, on a connection
//     kept for the run): no two instances run the job at the same time, and the lock
//     goes with the connection if the instance dies;
//   - a row in job_occurrences keyed by the job and the occurrence: the firing
//     time, on this instance's clock, truncated to the schedule's granularity (a
//     minute; a second for schedules with seconds). The advisory lock alone would let
//     a late instance run an occurrence again once the first has finished; the row
//     makes the occurrence itself the unit. Every instance fires at the tick of its
//     own clock, never before, so they compute the same occurrence unless a firing is
//     late by a whole minute.
//
// An instance that dies after its claim loses that occurrence: the jobs are
// idempotent and catch up at the next one.
type Locker struct {
	DB       *bun.DB
	Now      func() time.Time
	Instance string
	Log      *slog.Logger
	// Granularity gives a job's occurrence precision (time.Minute when nil).
	Granularity func(job string) time.Duration
}

type pgLock struct {
	conn bun.Conn
	job  string
}

// Lock claims the current occurrence of job, or returns an error (gocron then skips
// the run on this instance).
func (l *Locker) Lock(ctx context.Context, job string) (gocron.Lock, error) {
	now := l.Now()
	g := time.Minute
	if l.Granularity != nil {
		g = l.Granularity(job)
	}
	occurrence := now.Truncate(g)
	conn, err := l.DB.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", job, err)
	}
	var ok bool
	if err := conn.QueryRowContext(ctx, "SELECT pg_try_advisory_lock(?, hashtext(?))", lockNamespace, job).Scan(&ok); err != nil {
		conn.Close()
		return nil, fmt.Errorf("lock %s: %w", job, err)
	}
	if !ok {
		conn.Close()
		return nil, fmt.Errorf("%s: %w (still running there)", job, ErrOccurrenceTaken)
	}
	lock := &pgLock{conn: conn, job: job}
	claimed, err := models.ClaimJobOccurrence(ctx, conn, job, occurrence, l.Instance, now)
	if err == nil && !claimed {
		err = fmt.Errorf("%s at %s: %w", job, occurrence.Format(time.RFC3339), ErrOccurrenceTaken)
	}
	if err != nil {
		if uerr := lock.Unlock(ctx); uerr != nil && l.Log != nil {
			l.Log.Error("job lock not released", "job", job, "err", uerr)
		}
		return nil, err
	}
	return lock, nil
}

// Unlock releases the advisory lock and gives the connection back to the pool.
func (p *pgLock) Unlock(ctx context.Context) error {
	ctx = context.WithoutCancel(ctx)
	_, err := p.conn.ExecContext(ctx, "SELECT pg_advisory_unlock(?, hashtext(?))", lockNamespace, p.job)
	return errors.Join(err, p.conn.Close())
}
