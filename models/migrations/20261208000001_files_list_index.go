package migrations

// The secretariat's file list shows a commission's files newest first (year, then
// number), fifty to a page: with this index the database reads them in that order and
// stops at the page, instead of sorting every file of the commission (issue 17).
var filesListIndex = []index{
	{"files_commission_order_idx", "files (commission_id, year, seq)"},
}

func init() {
	Migrations.MustRegister(indexMigration(filesListIndex))
}
