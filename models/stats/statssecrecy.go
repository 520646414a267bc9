package stats

import (
	"fmt"
	"math"
	"sort"
)

// Statistical secrecy of the published tables (REGLES.md requirement 14): counts from 1 to
// the threshold minus one are masked (primary secrecy), then further cells are masked
// (secondary secrecy) until no masked count can be recomputed from the totals, by any
// combination of the rows, columns and tables of the same report. Rates, medians and
// amounts computed on fewer persons than the threshold, or from a masked count, are masked
// too. Zero is never masked: it reveals nobody.

// CellKind says what a cell holds.
type CellKind int

// The kinds of cell.
const (
	CellCount   CellKind = iota // a number of persons, files or sessions
	CellRate                    // a ratio in [0, 1], shown as a percentage
	CellDays                    // a delay in days
	CellAmount                  // an amount in cents
	CellLabel                   // text (no number)
	CellMissing                 // not computable (no base)
)

// Mask is why a cell is hidden.
type Mask int

// The masks.
const (
	Shown     Mask = iota
	Primary        // a count from 1 to the threshold minus one
	Secondary      // masked so that a primary cell cannot be recomputed
	SmallBase      // a rate, delay or amount on too few persons, or derived from a masked count
)

// Cell is one value of a table. Key names the quantity: two cells with the same key, in
// one table or in two, are the same number and are masked together.
type Cell struct {
	Key   string
	Kind  CellKind
	Value float64
	Base  int    // observations behind a rate, delay or amount
	Num   string // for a rate or amount: the key of the count it derives from
	Den   string // for a rate: the key of its denominator
	Mask  Mask
}

// Row is one line of a table.
type Row struct {
	Label string
	Cells []Cell
	Total bool // the total row
}

// RowSum says that, in every row, the cell at Total is the sum of the cells at Parts.
type RowSum struct {
	Total int
	Parts []int
}

// Table is one table of the annual report.
type Table struct {
	ID        string
	Title     string
	Def       string // key of the indicator's definition (statsdefs.go)
	Columns   []string
	Rows      []Row
	Sensitive bool     // about persons: subject to statistical secrecy
	TotalRow  bool     // the last row is the sum of the others, column by column (count columns)
	RowSums   []RowSum // sums within each row
	Chart     *Chart   // nil: no chart
}

// Chart describes how a table is drawn: the series are columns, the categories rows.
type Chart struct {
	Kind    string // "bar", "stacked" or "col"
	Series  []int  // the columns drawn
	Caption string
}

// Body returns the rows without the total row.
func (t *Table) Body() []Row {
	if t.TotalRow && len(t.Rows) > 0 {
		return t.Rows[:len(t.Rows)-1]
	}
	return t.Rows
}

// equation is Σ vars = 0 with coefficients ±1, over count keys.
type equation map[string]float64

// ApplySecrecy masks the cells of the sensitive tables with threshold min (the commission's
// MinCellSize). Tables are linked by the keys of their cells.
func ApplySecrecy(tables []*Table, min int) {
	values, eqs := secrecySystem(tables)
	masked := map[string]Mask{}
	for k, v := range values {
		if v > 0 && v < float64(min) {
			masked[k] = Primary
		}
	}
	for {
		k := ""
		for _, x := range recoverable(eqs, masked) {
			if k = cheapestCover(x, eqs, masked, values); k != "" {
				break
			}
		}
		if k == "" {
			break // nothing recoverable, or nothing left to hide
		}
		masked[k] = Secondary
	}
	for _, t := range tables {
		if !t.Sensitive {
			continue
		}
		for i := range t.Rows {
			for j := range t.Rows[i].Cells {
				c := &t.Rows[i].Cells[j]
				switch c.Kind {
				case CellCount:
					c.Mask = masked[c.Key]
				case CellRate, CellDays, CellAmount:
					if (c.Base > 0 && c.Base < min) || masked[c.Num] != Shown || masked[c.Den] != Shown {
						c.Mask = SmallBase
					}
				}
			}
		}
	}
}

// secrecySystem collects the counts of the sensitive tables and their sum equations.
func secrecySystem(tables []*Table) (map[string]float64, []equation) {
	values := map[string]float64{}
	var eqs []equation
	add := func(total string, parts []string) {
		e := equation{}
		e[total]--
		for _, p := range parts {
			e[p]++
		}
		for k, v := range e {
			if v == 0 {
				delete(e, k)
			}
		}
		if len(e) > 0 {
			eqs = append(eqs, e)
		}
	}
	for _, t := range tables {
		if !t.Sensitive {
			continue
		}
		for i := range t.Rows {
			for j := range t.Rows[i].Cells {
				c := &t.Rows[i].Cells[j]
				if c.Kind == CellCount {
					if c.Key == "" {
						c.Key = fmt.Sprintf("%s/%d/%d", t.ID, i, j)
					}
					values[c.Key] = c.Value
				}
			}
		}
		for _, s := range t.RowSums {
			for _, r := range t.Rows {
				var parts []string
				for _, p := range s.Parts {
					parts = append(parts, r.Cells[p].Key)
				}
				add(r.Cells[s.Total].Key, parts)
			}
		}
		if t.TotalRow && len(t.Rows) > 1 {
			last := t.Rows[len(t.Rows)-1]
			for j, c := range last.Cells {
				if c.Kind != CellCount {
					continue
				}
				var parts []string
				for _, r := range t.Body() {
					parts = append(parts, r.Cells[j].Key)
				}
				add(c.Key, parts)
			}
		}
	}
	return values, eqs
}

// recoverable returns the masked keys whose value follows from the equations and the shown
// values (a unit vector in the row space of the equations over the masked keys).
func recoverable(eqs []equation, masked map[string]Mask) []string {
	var keys []string
	for k := range masked {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	col := map[string]int{}
	for i, k := range keys {
		col[k] = i
	}
	var m [][]float64
	for _, e := range eqs {
		row := make([]float64, len(keys))
		has := false
		for k, v := range e {
			if i, ok := col[k]; ok {
				row[i], has = v, true
			}
		}
		if has {
			m = append(m, row)
		}
	}
	// Reduced row echelon form.
	const eps = 1e-9
	pivotRow := 0
	pivots := map[int]int{} // column → row
	for c := 0; c < len(keys) && pivotRow < len(m); c++ {
		best := -1
		for r := pivotRow; r < len(m); r++ {
			if math.Abs(m[r][c]) > eps && (best < 0 || math.Abs(m[r][c]) > math.Abs(m[best][c])) {
				best = r
			}
		}
		if best < 0 {
			continue
		}
		m[pivotRow], m[best] = m[best], m[pivotRow]
		p := m[pivotRow][c]
		for j := range m[pivotRow] {
			m[pivotRow][j] /= p
		}
		for r := range m {
			if r != pivotRow && math.Abs(m[r][c]) > eps {
				f := m[r][c]
				for j := range m[r] {
					m[r][j] -= f * m[pivotRow][j]
				}
			}
		}
		pivots[c] = pivotRow
		pivotRow++
	}
	var out []string
	for c := range keys {
		r, ok := pivots[c]
		if !ok {
			continue
		}
		alone := true
		for j, v := range m[r] {
			if j != c && math.Abs(v) > eps {
				alone = false
				break
			}
		}
		if alone {
			out = append(out, keys[c])
		}
	}
	return out
}

// cheapestCover picks the shown, non-zero count to mask so that x stops being recoverable
// through an equation it appears in: the smallest such count, a part rather than a total
// when they tie (smallest value first keeps the most information).
func cheapestCover(x string, eqs []equation, masked map[string]Mask, values map[string]float64) string {
	best := ""
	for _, e := range eqs {
		if _, ok := e[x]; !ok {
			continue
		}
		for k := range e {
			if masked[k] != Shown || values[k] == 0 {
				continue
			}
			if best == "" || values[k] < values[best] || (values[k] == values[best] && k < best) {
				best = k
			}
		}
	}
	return best
}
