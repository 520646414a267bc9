package jobs

import (
	"context"

	"seance/models"
	"seance/models/kvstore"
)

// Cleanup removes expired sessions and rate-limit counters, and the counters of failed
// sign-ins that are no longer remembered.
type Cleanup struct {
	Storage *kvstore.Storage
}

// Name names the job.
func (j *Cleanup) Name() string { return "cleanup" }

// Run deletes expired keys.
func (j *Cleanup) Run(ctx context.Context) error {
	n, err := j.Storage.DeleteExpired(ctx)
	if err != nil {
		return err
	}
	m, err := models.ForgetLoginFailures(ctx, j.Storage.DB, j.Storage.Now())
	Handled(ctx, int(n)+int(m))
	return err
}
