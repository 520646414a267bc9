package jobs

import (
	"context"
	"time"

	"seance/models"
)

// Cleanup removes expired sessions and rate-limit counters.
type Cleanup struct {
	Storage *models.Storage
}

// Name names the job.
func (j *Cleanup) Name() string { return "cleanup" }

// Every is the job's period.
func (j *Cleanup) Every() time.Duration { return 15 * time.Minute }

// Run deletes expired keys.
func (j *Cleanup) Run(ctx context.Context) error {
	_, err := j.Storage.DeleteExpired(ctx)
	return err
}
