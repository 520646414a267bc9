package stats

import (
	"fmt"
	"io"
	"strings"

	"github.com/xuri/excelize/v2"

	"seance/models"
	"seance/models/files"
	statsmodel "seance/models/stats"
)

// SheetCover is the first sheet of the annual workbook.
const SheetCover = "Couverture"

// Colours (DSFR "bleu France" and greys), as in the procès-verbal workbook.
const (
	colorBlue      = "000091"
	colorBlueLight = "E3E3FD"
	colorGrey      = "F0F0F0"
)

// workbook holds the styles of one annual workbook.
type workbook struct {
	f                                         *excelize.File
	r                                         *statsmodel.StatsReport
	title, header, label, total, masked, wrap int
	count, rate, days, amount, countT, rateT  int
	daysT, amountT                            int
	err                                       error
}

func (b *workbook) do(err error) {
	if b.err == nil && err != nil {
		b.err = err
	}
}

func (b *workbook) style(s *excelize.Style) int {
	id, err := b.f.NewStyle(s)
	b.do(err)
	return id
}

// Subject is what a workbook covers: one commission, a region or every commission.
type Subject struct {
	Heading   string // first line of the cover sheet
	Name      string // the commission's name, or the region's
	CodeLabel string // "Département" or "Région"
	Code      string
}

// CommissionSubject is the subject of commission cm's own report.
func CommissionSubject(cm *models.Commission) Subject {
	return Subject{Heading: "Rapport annuel de la commission départementale de lutte contre la prostitution",
		Name: cm.Name, CodeLabel: "Département", Code: cm.Department}
}

// WriteWorkbook writes the annual report r of subject cm: a cover sheet with the
// definitions, then one sheet per theme with its tables (header rows frozen, autofilter
// on the main table, number formats, A4 print setup with repeated header rows) and a
// native chart beside each table that has one. Theme sheets are written with the
// StreamWriter, so a large table (associations, monthly series) costs little memory.
func WriteWorkbook(w io.Writer, cm Subject, r *statsmodel.StatsReport) error {
	f := excelize.NewFile()
	defer f.Close()
	b := &workbook{f: f, r: r}
	b.styles()
	b.cover(cm)
	for _, th := range r.Themes {
		b.theme(cm, th)
	}
	if b.err != nil {
		return fmt.Errorf("annual workbook: %w", b.err)
	}
	f.SetActiveSheet(0)
	if err := f.Write(w); err != nil {
		return fmt.Errorf("annual workbook: %w", err)
	}
	return nil
}

func (b *workbook) styles() {
	font := func(bold bool, color string, size float64) *excelize.Font {
		return &excelize.Font{Family: "Arial", Bold: bold, Color: color, Size: size}
	}
	border := []excelize.Border{{Type: "bottom", Color: "929292", Style: 1}}
	fill := func(c string) excelize.Fill { return excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{c}} }
	b.title = b.style(&excelize.Style{Font: font(true, colorBlue, 13)})
	b.header = b.style(&excelize.Style{Font: font(true, "FFFFFF", 10), Fill: fill(colorBlue), Alignment: &excelize.Alignment{WrapText: true, Vertical: "center"}})
	b.label = b.style(&excelize.Style{Font: font(false, "000000", 10), Border: border})
	b.total = b.style(&excelize.Style{Font: font(true, "000000", 10), Fill: fill(colorGrey), Border: border})
	b.wrap = b.style(&excelize.Style{Font: font(false, "000000", 10), Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}})
	b.masked = b.style(&excelize.Style{Font: font(false, "666666", 10), Fill: fill(colorBlueLight), Border: border, Alignment: &excelize.Alignment{Horizontal: "right"}})
	num := func(format string, bold bool) int {
		s := &excelize.Style{Font: font(bold, "000000", 10), Border: border, CustomNumFmt: &format}
		if bold {
			s.Fill = fill(colorGrey)
		}
		return b.style(s)
	}
	b.count, b.countT = num("#,##0", false), num("#,##0", true)
	b.rate, b.rateT = num("0.0%", false), num("0.0%", true)
	b.days, b.daysT = num("0.0", false), num("0.0", true)
	b.amount, b.amountT = num(`#,##0.00 "€"`, false), num(`#,##0.00 "€"`, true)
}

// cover writes the cover sheet: who, which year, how complete, the threshold, and the
// definitions of every indicator.
func (b *workbook) cover(cm Subject) {
	f, s := b.f, b.r.Stats
	b.do(f.SetSheetName("Sheet1", SheetCover))
	status := "Année complète"
	if !s.Complete {
		status = "Provisoire : année en cours, chiffres arrêtés au " + files.FormatDate(s.RefDate)
	}
	rows := [][]any{
		{cm.Heading},
		{"Périmètre", cm.Name},
		{cm.CodeLabel, cm.Code},
		{"Année", s.Year},
		{"Généré le", files.FormatDate(s.ComputedAt)},
		{"Statut", status},
		{"Seuil de secret statistique", fmt.Sprintf("Effectifs de 1 à %d masqués (« < %d »), secret secondaire « s »", s.MinCellSize-1, s.MinCellSize)},
		{"Source", "Portail Séance : données agrégées, aucune donnée d'identité"},
		{},
		{"Indicateur", "Définition"},
	}
	for _, d := range statsmodel.StatDefinitions() {
		rows = append(rows, []any{d.Label, d.FR})
	}
	for i, row := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		b.do(f.SetSheetRow(SheetCover, cell, &row))
	}
	b.do(f.SetCellStyle(SheetCover, "A1", "A1", b.title))
	b.do(f.SetCellStyle(SheetCover, "A2", "A8", b.total))
	b.do(f.SetCellStyle(SheetCover, "A10", "B10", b.header))
	last := len(rows)
	b.do(f.SetCellStyle(SheetCover, "A11", fmt.Sprintf("A%d", last), b.label))
	b.do(f.SetCellStyle(SheetCover, "B2", fmt.Sprintf("B%d", last), b.wrap))
	b.do(f.SetColWidth(SheetCover, "A", "A", 34))
	b.do(f.SetColWidth(SheetCover, "B", "B", 100))
	b.printSetup(SheetCover, cm, "$10:$10", "portrait")
}

func (b *workbook) printSetup(sheet string, cm Subject, titleRows, orientation string) {
	size, fitW, fitH := 9, 1, 0 // 9: A4
	b.do(b.f.SetPageLayout(sheet, &excelize.PageLayoutOptions{Size: &size, Orientation: &orientation, FitToWidth: &fitW, FitToHeight: &fitH}))
	b.do(b.f.SetHeaderFooter(sheet, &excelize.HeaderFooterOptions{
		OddHeader: "&L" + strings.ReplaceAll(cm.Name, "&", "&&") + fmt.Sprintf("&RRapport annuel %d", b.r.Stats.Year),
		OddFooter: "&L" + sheet + "&RPage &P / &N",
	}))
	if titleRows != "" {
		b.do(b.f.SetDefinedName(&excelize.DefinedName{Name: "_xlnm.Print_Titles", RefersTo: "'" + sheet + "'!" + titleRows, Scope: sheet}))
	}
}

// theme writes one sheet: its tables one under the other, each with a title row, a
// header row and a chart to its right.
func (b *workbook) theme(cm Subject, th statsmodel.Theme) {
	f, min := b.f, b.r.Stats.MinCellSize
	name := th.Title
	if _, err := f.NewSheet(name); err != nil {
		b.do(err)
		return
	}
	sw, err := f.NewStreamWriter(name)
	if err != nil {
		b.do(err)
		return
	}
	cols := 1
	for _, t := range th.Tables {
		cols = max(cols, len(t.Columns)+1)
	}
	b.do(sw.SetColWidth(1, 1, 42))
	b.do(sw.SetColWidth(2, cols, 16))
	b.do(sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 2, TopLeftCell: "A3", ActivePane: "bottomLeft"}))
	type placed struct {
		t           *statsmodel.Table
		header, end int // rows of the header and of the last line
	}
	var tables []placed
	row := 1
	for _, t := range th.Tables {
		cell, _ := excelize.CoordinatesToCellName(1, row)
		b.do(sw.SetRow(cell, []any{excelize.Cell{StyleID: b.title, Value: t.Title}}))
		row++
		header := []any{excelize.Cell{StyleID: b.header, Value: "Libellé"}}
		for _, c := range t.Columns {
			header = append(header, excelize.Cell{StyleID: b.header, Value: c})
		}
		cell, _ = excelize.CoordinatesToCellName(1, row)
		b.do(sw.SetRow(cell, header, excelize.RowOpts{Height: 30}))
		p := placed{t: t, header: row}
		for _, r := range t.Rows {
			row++
			style := b.label
			if r.Total {
				style = b.total
			}
			values := []any{excelize.Cell{StyleID: style, Value: r.Label}}
			for _, c := range r.Cells {
				values = append(values, b.cell(c, r.Total, min))
			}
			cell, _ = excelize.CoordinatesToCellName(1, row)
			b.do(sw.SetRow(cell, values))
		}
		p.end = row
		tables = append(tables, p)
		row++
		cell, _ = excelize.CoordinatesToCellName(1, row)
		def := statsmodel.StatDefinition(t.Def)
		b.do(sw.SetRow(cell, []any{excelize.Cell{StyleID: b.wrap, Value: "Définition : " + def.FR}}))
		row += 3 // room between tables (and for the charts)
		if t.Chart != nil {
			row += 12
		}
	}
	b.do(sw.Flush())
	// The main (first) table gets the autofilter; every table with a chart gets it beside.
	main := tables[0]
	last, _ := excelize.ColumnNumberToName(len(main.t.Columns) + 1)
	b.do(f.AutoFilter(name, fmt.Sprintf("A%d:%s%d", main.header, last, main.end), nil))
	for _, p := range tables {
		if p.t.Chart != nil {
			b.chart(name, p.t, p.header, cols)
		}
	}
	b.printSetup(name, cm, "$1:$2", "landscape")
}

// cell writes one value with its number format, or the masked text.
func (b *workbook) cell(c statsmodel.Cell, total bool, min int) excelize.Cell {
	if c.Hidden() {
		return excelize.Cell{StyleID: b.masked, Value: c.Text(min)}
	}
	pick := func(plain, bold int) int {
		if total {
			return bold
		}
		return plain
	}
	switch c.Kind {
	case statsmodel.CellCount:
		return excelize.Cell{StyleID: pick(b.count, b.countT), Value: int64(c.Value)}
	case statsmodel.CellRate:
		return excelize.Cell{StyleID: pick(b.rate, b.rateT), Value: c.Value}
	case statsmodel.CellDays:
		return excelize.Cell{StyleID: pick(b.days, b.daysT), Value: c.Value}
	case statsmodel.CellAmount:
		return excelize.Cell{StyleID: pick(b.amount, b.amountT), Value: c.Value / 100}
	}
	return excelize.Cell{StyleID: pick(b.label, b.total), Value: c.Text(min)}
}

// chart adds a native chart of table t (header at row header) to the right of the tables.
func (b *workbook) chart(sheet string, t *statsmodel.Table, header, cols int) {
	body := len(t.Body())
	if body == 0 {
		return
	}
	kind := excelize.Col
	switch t.Chart.Kind {
	case "stacked":
		kind = excelize.ColStacked
	case "bar":
		kind = excelize.Col
	}
	q := "'" + sheet + "'!"
	cats := fmt.Sprintf("%s$A$%d:$A$%d", q, header+1, header+body)
	var series []excelize.ChartSeries
	for _, s := range t.Chart.Series {
		col, _ := excelize.ColumnNumberToName(s + 2)
		series = append(series, excelize.ChartSeries{
			Name:       fmt.Sprintf("%s$%s$%d", q, col, header),
			Categories: cats,
			Values:     fmt.Sprintf("%s$%s$%d:$%s$%d", q, col, header+1, col, header+body),
		})
	}
	anchor, _ := excelize.CoordinatesToCellName(cols+2, header)
	b.do(b.f.AddChart(sheet, anchor, &excelize.Chart{
		Type: kind, Series: series, Title: excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{Text: t.Chart.Caption}}},
		Legend: excelize.ChartLegend{Position: "bottom"}, Dimension: excelize.ChartDimension{Width: 520, Height: 260},
		ShowBlanksAs: "gap",
	}))
}
