package stats_test

import (
	"context"
	"testing"

	"seance/models/modelstest"
	"seance/models/stats"
)

func cnt(key string, v int) stats.Cell {
	return stats.Cell{Key: key, Kind: stats.CellCount, Value: float64(v)}
}

// grid builds a sensitive table with a total column and a total row from body counts.
func grid(id string, body [][]int) *stats.Table {
	t := &stats.Table{ID: id, Sensitive: true, TotalRow: true}
	cols := len(body[0])
	parts := make([]int, cols)
	for j := range parts {
		parts[j] = j
	}
	t.RowSums = []stats.RowSum{{Total: cols, Parts: parts}}
	colTotals := make([]int, cols+1)
	for _, r := range body {
		row := stats.Row{}
		sum := 0
		for j, v := range r {
			row.Cells = append(row.Cells, cnt("", v))
			sum += v
			colTotals[j] += v
		}
		row.Cells = append(row.Cells, cnt("", sum))
		colTotals[cols] += sum
		t.Rows = append(t.Rows, row)
	}
	total := stats.Row{Total: true}
	for _, v := range colTotals {
		total.Cells = append(total.Cells, cnt("", v))
	}
	t.Rows = append(t.Rows, total)
	return t
}

func masks(t *stats.Table) [][]stats.Mask {
	var out [][]stats.Mask
	for _, r := range t.Rows {
		var m []stats.Mask
		for _, c := range r.Cells {
			m = append(m, c.Mask)
		}
		out = append(out, m)
	}
	return out
}

// recomputable reports whether some masked cell of a row or column equals its total
// minus the shown cells, i.e. is the only masked cell of a line.
func recomputable(t *stats.Table) bool {
	rows := t.Rows
	for _, r := range rows {
		n := 0
		for _, c := range r.Cells {
			if c.Hidden() {
				n++
			}
		}
		if n == 1 {
			return true
		}
	}
	for j := range rows[0].Cells {
		n := 0
		for _, r := range rows {
			if r.Cells[j].Hidden() {
				n++
			}
		}
		if n == 1 {
			return true
		}
	}
	return false
}

func TestRule14_SecrecyRowsAndColumns(t *testing.T) {
	// A 3 among larger counts: the row and the column must each hide a second cell.
	tb := grid("t", [][]int{
		{3, 12, 20},
		{8, 15, 9},
		{10, 0, 11},
	})
	stats.ApplySecrecy([]*stats.Table{tb}, 5)
	if got := tb.Rows[0].Cells[0]; got.Mask != stats.Primary || got.Text(5) != "< 5" {
		t.Errorf("cell 3: mask %v text %q, want primary « < 5 »", got.Mask, got.Text(5))
	}
	if recomputable(tb) {
		t.Errorf("a masked cell can be recomputed from a total: %v", masks(tb))
	}
	if got := tb.Rows[2].Cells[1]; got.Hidden() || got.Text(5) != "0" {
		t.Errorf("zero cell: hidden %v text %q, want shown 0", got.Hidden(), got.Text(5))
	}
	secondary := 0
	for _, r := range tb.Rows {
		for _, c := range r.Cells {
			if c.Mask == stats.Secondary {
				secondary++
				if c.Text(5) != "s" {
					t.Errorf("secondary cell text = %q, want s", c.Text(5))
				}
			}
		}
	}
	if secondary < 3 {
		t.Errorf("secondary cells = %d, want at least 3 (row, column, and the cell closing the rectangle)", secondary)
	}
}

func TestRule14_SecrecyLoneSmallCellHidesTheTotal(t *testing.T) {
	// 3 and 0: the total would give the 3 away; with the zero shown, the total is hidden.
	tb := &stats.Table{ID: "x", Sensitive: true, TotalRow: true, Rows: []stats.Row{
		{Cells: []stats.Cell{cnt("a", 3)}}, {Cells: []stats.Cell{cnt("b", 0)}}, {Total: true, Cells: []stats.Cell{cnt("total", 3)}},
	}}
	stats.ApplySecrecy([]*stats.Table{tb}, 5)
	if !tb.Rows[2].Cells[0].Hidden() || tb.Rows[1].Cells[0].Hidden() {
		t.Errorf("masks = %v, want the total hidden and the zero shown", masks(tb))
	}
}

func TestRule14_SecrecyAcrossTables(t *testing.T) {
	// Table A: started by gender (12 women, 3 men); table B: started by age band with the
	// same total. The total, shown in B, must not let A's 3 be recomputed,
	// and a cell hidden in one table is hidden wherever the same key appears.
	a := &stats.Table{ID: "a", Sensitive: true, TotalRow: true, Rows: []stats.Row{
		{Cells: []stats.Cell{cnt("f", 12)}}, {Cells: []stats.Cell{cnt("m", 3)}}, {Total: true, Cells: []stats.Cell{cnt("started", 15)}},
	}}
	b := &stats.Table{ID: "b", Sensitive: true, TotalRow: true, Rows: []stats.Row{
		{Cells: []stats.Cell{cnt("young", 7)}}, {Cells: []stats.Cell{cnt("old", 8)}}, {Total: true, Cells: []stats.Cell{cnt("started", 15)}},
	}}
	c := &stats.Table{ID: "c", Sensitive: true, Rows: []stats.Row{{Cells: []stats.Cell{cnt("f", 12)}}}}
	stats.ApplySecrecy([]*stats.Table{a, b, c}, 5)
	if !a.Rows[1].Cells[0].Hidden() || !a.Rows[0].Cells[0].Hidden() {
		t.Fatalf("table a masks = %v, want both genders hidden", masks(a))
	}
	if !c.Rows[0].Cells[0].Hidden() {
		t.Errorf("the 12 hidden in table a is shown in table c")
	}
	// The total stays shown (B's cells are large), and A cannot be solved: f + m = 15 alone.
	if a.Rows[2].Cells[0].Hidden() != b.Rows[2].Cells[0].Hidden() {
		t.Errorf("the same total is masked in one table and not the other")
	}
}

func TestRule14_SecrecyRatesAndExactView(t *testing.T) {
	db := modelstest.NewDB(t)
	c := modelstest.Commission(t, db, "31")
	modelstest.StatsFixture(t, db, c)
	s, err := stats.ComputeAnnualStats(context.Background(), db, c.ID, 2025, modelstest.StatsNow)
	if err != nil {
		t.Fatal(err)
	}
	pub := stats.BuildStatsReport(s, false)
	dec := pub.Table("decisions")
	// First requests: 5 authorised, 3 refused: the 3 is primary, so the row hides another
	// cell and the refusal rate, computed from the 3, is hidden too.
	if got := dec.Rows[0].Cells[1].Text(5); got != "< 5" {
		t.Errorf("refused first requests = %q, want « < 5 »", got)
	}
	if got := dec.Rows[0].Cells[3]; !got.Hidden() {
		t.Errorf("refusal rate of first requests shown as %q, want hidden", got.Text(5))
	}
	// AFIS: 3 beneficiaries: months and amount hidden.
	afis := pub.Table("afis")
	for i, r := range afis.Rows {
		if !r.Cells[0].Hidden() {
			t.Errorf("afis row %d shown as %q, want hidden", i, r.Cells[0].Text(5))
		}
	}
	// No masked count can be recomputed in any table of the report.
	for _, tb := range pub.Tables() {
		if tb.Sensitive && tb.TotalRow && len(tb.RowSums) > 0 && recomputable(tb) {
			t.Errorf("table %s: a masked cell can be recomputed: %v", tb.ID, masks(tb))
		}
	}
	exact := stats.BuildStatsReport(s, true)
	if got := exact.Table("decisions").Rows[0].Cells[1].Text(5); got != "3" {
		t.Errorf("exact view refused first requests = %q, want 3", got)
	}
	if got := exact.Table("decisions").Rows[1].Cells[3].Text(5); got != "0,0 %" {
		t.Errorf("exact refusal rate of renewals = %q, want 0,0 %%", got)
	}
	if got := exact.Table("afis").Rows[2].Cells[0].Text(5); got != "9\u202f197,76 €" {
		t.Errorf("exact AFIS amount = %q, want 9 197,76 €", got)
	}
}
