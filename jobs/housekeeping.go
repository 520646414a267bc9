package jobs

import (
	"context"
	"time"

	"github.com/uptrace/bun"

	"seance/models"
)

// Housekeeping deletes expired invitation and reset links, delivery records older
// than 90 days and old job history (models.Housekeep); expired sessions are the
// cleanup job's.
type Housekeeping struct {
	DB  *bun.DB
	Now func() time.Time
}

// Name names the job.
func (j *Housekeeping) Name() string { return "housekeeping" }

// Run purges; the items are the rows deleted.
func (j *Housekeeping) Run(ctx context.Context) error {
	n, err := models.Housekeep(ctx, j.DB, j.Now())
	Handled(ctx, n)
	return err
}
