package migrations

// Two indexes for the statistics of one year at the size of a region:
//   - the "first found complete" events of the year are found by a range on the event's
//     date rather than by reading the admissible events of every year of the commission;
//   - the AFIS months are computed from a partial covering index of the periods with
//     AFIS, searched by the date AFIS started, instead of every period's row.
var statsRangeIndexes = []index{
	{"file_events_commission_state_at_idx", "file_events (commission_id, to_state, at, file_id)"},
	{"parcours_periods_afis_idx", "parcours_periods (commission_id, afis_from, afis_stopped_from, months, afis_monthly_cents, parcours_id) WHERE afis_granted"},
}

func init() {
	Migrations.MustRegister(indexMigration(statsRangeIndexes))
}
