package migrations

import (
	"context"
	"time"

	"github.com/uptrace/bun"
)

// jobRun20261206 is a frozen copy of models.JobRun.
type jobRun20261206 struct {
	bun.BaseModel `bun:"table:job_runs"`

	ID        int64     `bun:",pk,autoincrement"`
	Job       string    `bun:",notnull"`
	Trigger   string    `bun:",notnull"`
	Instance  string    `bun:",notnull"`
	StartedAt time.Time `bun:",notnull"`
	EndedAt   *time.Time
	Status    string `bun:",notnull"`
	Error     string `bun:",notnull"`
	Items     int    `bun:",notnull"`
}

// jobOccurrence20261206 is a frozen copy of models.JobOccurrence.
type jobOccurrence20261206 struct {
	bun.BaseModel `bun:"table:job_occurrences"`

	Job        string    `bun:",pk"`
	Occurrence time.Time `bun:",pk"`
	Instance   string    `bun:",notnull"`
	ClaimedAt  time.Time `bun:",notnull"`
}

func init() {
	tables := []table{
		{model: (*jobRun20261206)(nil)},
		{model: (*jobOccurrence20261206)(nil)},
	}
	Migrations.MustRegister(func(ctx context.Context, db *bun.DB) error {
		return inTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
			if err := createTables(ctx, tx, tables...); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, "CREATE INDEX job_runs_job_idx ON job_runs (job, id)")
			return err
		})
	}, func(ctx context.Context, db *bun.DB) error {
		return inTx(ctx, db, func(ctx context.Context, tx bun.Tx) error { return dropTables(ctx, tx, tables...) })
	})
}
