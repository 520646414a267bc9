package jobs

import (
	"context"
	"time"

	"seance/models"
)

// Cleanup removes expired sessions and rate-limit counters, and the counters of failed
// sign-ins that are no longer remembered.
type Cleanup struct {
	Storage *models.Storage
}

// Name names the job.
func (j *Cleanup) Name() string { return "cleanup" }

// Every is the job's period.
func (j *Cleanup) Every() time.Duration { return 15 * time.Minute }

// Run deletes expired keys and forgotten sign-in failures.
func (j *Cleanup) Run(ctx context.Context) error {
	if _, err := j.Storage.DeleteExpired(ctx); err != nil {
		return err
	}
	_, err := models.ForgetLoginFailures(ctx, j.Storage.DB, j.Storage.Now())
	return err
}
