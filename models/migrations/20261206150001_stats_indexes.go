package migrations

import (
	"context"

	"github.com/uptrace/bun"
)

// Indexes for the statistics at the scale of a region (issue 13, 13 commissions × 10
// years): the queries of models/stats.go filter these tables by commission and a year of
// one date column; without such an index each read every commission's rows (or all ten
// years of the commission's files, wide rows with their sealed proposal), once per
// commission and once more for the region's roll-up. The file_events index covers the "first found complete"
// lookup of the delays (commission, state reached, file, time) without reading the rows.
func init() {
	Migrations.MustRegister(func(ctx context.Context, db *bun.DB) error {
		return inTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
			for _, stmt := range []string{
				"CREATE INDEX file_events_commission_state_idx ON file_events (commission_id, to_state, file_id, at)",
				"CREATE INDEX parcours_periods_commission_idx ON parcours_periods (commission_id, starts_on)",
				"CREATE INDEX sitting_dissents_commission_idx ON sitting_dissents (commission_id, created_at)",
				"CREATE INDEX sitting_votes_commission_idx ON sitting_votes (commission_id, closed_at)",
				"CREATE INDEX files_commission_submitted_idx ON files (commission_id, submitted_at)",
				"CREATE INDEX files_commission_avis_idx ON files (commission_id, avis_on)",
				"CREATE INDEX files_commission_decided_idx ON files (commission_id, decided_on)",
				"CREATE INDEX files_commission_notified_idx ON files (commission_id, notified_person_on)",
			} {
				if _, err := tx.ExecContext(ctx, stmt); err != nil {
					return err
				}
			}
			return nil
		})
	}, func(ctx context.Context, db *bun.DB) error {
		return inTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
			for _, stmt := range []string{
				"DROP INDEX files_commission_notified_idx",
				"DROP INDEX files_commission_decided_idx",
				"DROP INDEX files_commission_avis_idx",
				"DROP INDEX files_commission_submitted_idx",
				"DROP INDEX sitting_votes_commission_idx",
				"DROP INDEX sitting_dissents_commission_idx",
				"DROP INDEX parcours_periods_commission_idx",
				"DROP INDEX file_events_commission_state_idx",
			} {
				if _, err := tx.ExecContext(ctx, stmt); err != nil {
					return err
				}
			}
			return nil
		})
	})
}
