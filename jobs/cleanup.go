package jobs

import (
	"context"

	"seance/models"
)

// Cleanup removes expired sessions and rate-limit counters.
type Cleanup struct {
	Storage *models.Storage
}

// Name names the job.
func (j *Cleanup) Name() string { return "cleanup" }

// Run deletes expired keys.
func (j *Cleanup) Run(ctx context.Context) error {
	n, err := j.Storage.DeleteExpired(ctx)
	Handled(ctx, int(n))
	return err
}
