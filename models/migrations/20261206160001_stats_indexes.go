package migrations

import (
	"context"

	"github.com/uptrace/bun"
)

// Indexes for the statistics at the scale of a region (issue 13, 13 commissions × 10
// years): the queries of models/stats.go filter these tables by commission and a year of
// one date column; without such an index each read every commission's rows (or all ten
// years of the commission's files, wide rows with their sealed proposal), once per
// commission and once more for the region's roll-up. The file_events index covers the
// "first found complete" lookup of the delays (commission, state reached, file, time)
// without reading the rows.
var statsIndexes = []index{
	{"file_events_commission_state_idx", "file_events (commission_id, to_state, file_id, at)"},
	{"parcours_periods_commission_idx", "parcours_periods (commission_id, starts_on)"},
	{"sitting_dissents_commission_idx", "sitting_dissents (commission_id, created_at)"},
	{"sitting_votes_commission_idx", "sitting_votes (commission_id, closed_at)"},
	{"files_commission_submitted_idx", "files (commission_id, submitted_at)"},
	{"files_commission_avis_idx", "files (commission_id, avis_on)"},
	{"files_commission_decided_idx", "files (commission_id, decided_on)"},
	{"files_commission_notified_idx", "files (commission_id, notified_person_on)"},
}

func init() {
	Migrations.MustRegister(indexMigration(statsIndexes))
}

// index is an index a migration creates: its name and its definition after ON.
type index = struct{ name, def string }

// indexMigration returns the up and down functions of a migration creating indexes (and
// dropping them, last first), in one transaction.
func indexMigration(ixs []index) (func(context.Context, *bun.DB) error, func(context.Context, *bun.DB) error) {
	exec := func(stmts []string) func(context.Context, *bun.DB) error {
		return func(ctx context.Context, db *bun.DB) error {
			return inTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
				for _, q := range stmts {
					if _, err := tx.ExecContext(ctx, q); err != nil {
						return err
					}
				}
				return nil
			})
		}
	}
	var up, down []string
	for i, ix := range ixs {
		up = append(up, "CREATE INDEX "+ix.name+" ON "+ix.def)
		down = append(down, "DROP INDEX "+ixs[len(ixs)-1-i].name)
	}
	return exec(up), exec(down)
}
