package minutes

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
)

// The sheets of the workbook, in order.
const (
	SheetMinutes    = "Procès-verbal"
	SheetAttendance = "Présences"
	SheetVotes      = "Votes"
	SheetDissents   = "Dissents"
)

// Colours of the printed workbook (DSFR "bleu France" and greys).
const (
	colorBlue      = "000091"
	colorBlueLight = "E3E3FD"
	colorGrey      = "F0F0F0"
	colorBorder    = "929292"
	fontFamily     = "Arial"
	maxRowHeight   = 400.0 // Excel refuses rows taller than 409 points
)

// Column widths (in character units) of each sheet. The procès-verbal has the 4 layout
// columns of Section tables.
var (
	widthsMinutes    = []float64{24, 30, 20, 26}
	widthsAttendance = []float64{24, 32, 28, 20, 20, 20, 22}
	widthsVotes      = []float64{7, 16, 26, 12, 9, 13, 20}
	widthsDissents   = []float64{7, 16, 24, 56}
)

// WriteXLSX writes m as a workbook laid out for print on A4: the procès-verbal itself,
// the attendance list, the votes (one row per item and choice, then the named ballots)
// and the dissents. Every sheet has the commission and the date in its page header,
// "Page X / Y" in its footer and its heading rows repeated on each page.
func WriteXLSX(w io.Writer, m *Minutes) error {
	if _, err := m.Location(); err != nil {
		return err
	}
	if m.Session.StartsAt.IsZero() {
		return errNoSession
	}
	f := excelize.NewFile()
	defer f.Close()
	b := &book{f: f, m: m}
	if err := b.build(); err != nil {
		return fmt.Errorf("minutes workbook: %w", err)
	}
	if err := f.Write(w); err != nil {
		return fmt.Errorf("minutes workbook: %w", err)
	}
	return nil
}

// book writes one workbook; the first error stops every later call.
type book struct {
	f   *excelize.File
	m   *Minutes
	st  styles
	err error
}

type styles struct {
	banner, authority, commission, title, subtitle, note               int
	section, heading, label, value, strong, header, cell, number, text int
	sigRole, sigName, sigQuality, sigBox                               int
}

func (b *book) build() error {
	if err := b.f.SetSheetName("Sheet1", SheetMinutes); err != nil {
		return err
	}
	for _, name := range []string{SheetAttendance, SheetVotes, SheetDissents} {
		if _, err := b.f.NewSheet(name); err != nil {
			return err
		}
	}
	b.makeStyles()
	b.minutesSheet()
	b.attendanceSheet()
	b.votesSheet()
	b.dissentsSheet()
	if b.err != nil {
		return b.err
	}
	b.f.SetActiveSheet(0)
	return b.f.SetDocProps(&excelize.DocProperties{
		Title: b.m.Title(), Subject: b.m.Commission.Name, Creator: "Séance", Language: "fr-FR",
		Description: b.m.StatusLine(),
	})
}

func (b *book) style(s *excelize.Style) int {
	if b.err != nil {
		return 0
	}
	id, err := b.f.NewStyle(s)
	b.err = err
	return id
}

func font(size float64, bold, italic bool, color string) *excelize.Font {
	return &excelize.Font{Family: fontFamily, Size: size, Bold: bold, Italic: italic, Color: color}
}

func box(color string) []excelize.Border {
	return []excelize.Border{
		{Type: "left", Color: color, Style: 1}, {Type: "right", Color: color, Style: 1},
		{Type: "top", Color: color, Style: 1}, {Type: "bottom", Color: color, Style: 1},
	}
}

func fill(color string) excelize.Fill {
	return excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{color}}
}

func align(h string) *excelize.Alignment {
	return &excelize.Alignment{Horizontal: h, Vertical: "top", WrapText: true}
}

func (b *book) makeStyles() {
	center := &excelize.Alignment{Horizontal: "center", Vertical: "center", WrapText: true}
	b.st = styles{
		banner: b.style(&excelize.Style{Font: font(8, false, true, "3A3A3A"), Fill: fill(colorGrey), Alignment: align("left"),
			Border: []excelize.Border{{Type: "bottom", Color: colorBorder, Style: 1}}}),
		authority:  b.style(&excelize.Style{Font: font(11, true, false, ""), Alignment: center}),
		commission: b.style(&excelize.Style{Font: font(11, false, false, ""), Alignment: center}),
		title:      b.style(&excelize.Style{Font: font(16, true, false, colorBlue), Alignment: center}),
		subtitle:   b.style(&excelize.Style{Font: font(12, true, false, ""), Alignment: center}),
		note:       b.style(&excelize.Style{Font: font(9, false, true, ""), Alignment: center}),
		section: b.style(&excelize.Style{Font: font(11, true, false, "FFFFFF"), Fill: fill(colorBlue),
			Alignment: &excelize.Alignment{Vertical: "center", Indent: 1}}),
		heading:    b.style(&excelize.Style{Font: font(10, true, false, colorBlue), Fill: fill(colorBlueLight), Border: box(colorBorder), Alignment: align("left")}),
		label:      b.style(&excelize.Style{Font: font(10, true, false, ""), Fill: fill(colorGrey), Border: box(colorBorder), Alignment: align("left")}),
		value:      b.style(&excelize.Style{Font: font(10, false, false, ""), Border: box(colorBorder), Alignment: align("left")}),
		strong:     b.style(&excelize.Style{Font: font(10, true, false, ""), Border: box(colorBorder), Alignment: align("left")}),
		header:     b.style(&excelize.Style{Font: font(10, true, false, ""), Fill: fill(colorBlueLight), Border: box(colorBorder), Alignment: center}),
		cell:       b.style(&excelize.Style{Font: font(10, false, false, ""), Border: box(colorBorder), Alignment: align("left")}),
		number:     b.style(&excelize.Style{Font: font(10, false, false, ""), Border: box(colorBorder), Alignment: align("center")}),
		text:       b.style(&excelize.Style{Font: font(10, false, false, ""), Alignment: align("justify")}),
		sigRole:    b.style(&excelize.Style{Font: font(10, true, false, ""), Alignment: align("center")}),
		sigName:    b.style(&excelize.Style{Font: font(10, false, false, ""), Alignment: align("center")}),
		sigQuality: b.style(&excelize.Style{Font: font(9, false, true, ""), Alignment: align("center")}),
		sigBox:     b.style(&excelize.Style{Border: box(colorBorder)}),
	}
}

// sheet writes rows one after the other on one worksheet.
type sheet struct {
	b      *book
	name   string
	widths []float64
	row    int // last row written
}

func (b *book) newSheet(name string, widths []float64) *sheet {
	s := &sheet{b: b, name: name, widths: widths}
	for i, w := range widths {
		col, _ := excelize.ColumnNumberToName(i + 1)
		b.do(b.f.SetColWidth(name, col, col, w))
	}
	b.do(b.f.SetSheetView(name, 0, &excelize.ViewOptions{ShowGridLines: boolPtr(false)}))
	return s
}

func (b *book) do(err error) {
	if b.err == nil {
		b.err = err
	}
}

func boolPtr(v bool) *bool { return &v }

func cellName(col, row int) string {
	n, _ := excelize.CoordinatesToCellName(col, row)
	return n
}

// span is one value across columns c1..c2 (from 1) of the current row.
type span struct {
	c1, c2 int
	value  any
	style  int
	size   float64 // font size, for the height estimate; 0 for no estimate
}

// line writes spans on a new row whose height fits the tallest one (at least least).
func (s *sheet) line(least float64, spans ...span) {
	s.row++
	h := least
	for _, sp := range spans {
		s.put(sp)
		if t, ok := sp.value.(string); ok && sp.size > 0 {
			h = max(h, textHeight(t, s.width(sp.c1, sp.c2), sp.size))
		}
	}
	if h > 0 {
		s.b.do(s.b.f.SetRowHeight(s.name, s.row, min(h, maxRowHeight)))
	}
}

func (s *sheet) put(sp span) {
	first, last := cellName(sp.c1, s.row), cellName(sp.c2, s.row)
	if sp.c2 > sp.c1 {
		s.b.do(s.b.f.MergeCell(s.name, first, last))
	}
	s.b.do(s.b.f.SetCellValue(s.name, first, sp.value))
	s.b.do(s.b.f.SetCellStyle(s.name, first, last, sp.style))
}

func (s *sheet) width(c1, c2 int) float64 {
	w := 0.0
	for c := c1; c <= c2 && c <= len(s.widths); c++ {
		w += s.widths[c-1]
	}
	return w
}

// gap writes an empty row of height h.
func (s *sheet) gap(h float64) {
	s.row++
	s.b.do(s.b.f.SetRowHeight(s.name, s.row, h))
}

// long writes text that may not fit one row across columns c1..c2, with the label
// (when labelStyle is not 0) in column 1 of the first row: the text goes on as many
// rows as needed, each below Excel's maximum row height.
func (s *sheet) long(label string, labelStyle int, c1, c2 int, text string, style int) {
	per := charsPerLine(s.width(c1, c2), 10)
	chunks := splitLines(text, per, int((maxRowHeight-4)/lineHeight(10)))
	for i, chunk := range chunks {
		var spans []span
		if labelStyle != 0 {
			l := ""
			if i == 0 {
				l = label
			}
			spans = append(spans, span{1, 1, l, labelStyle, 10})
		}
		spans = append(spans, span{c1, c2, chunk, style, 10})
		s.line(lineHeight(10)+4, spans...)
	}
}

// pageSetup prints the sheet on A4 (portrait or landscape), one page wide, with rows
// titleRows ("$4:$4") repeated on every page, the commission and the date in the
// header and "Page X / Y" in the footer.
func (s *sheet) pageSetup(orientation, titleRows string) {
	b, m := s.b, s.b.m
	size, fitW, fitH := 9, 1, 0 // 9: A4
	b.do(b.f.SetPageLayout(s.name, &excelize.PageLayoutOptions{Size: &size, Orientation: &orientation, FitToWidth: &fitW, FitToHeight: &fitH}))
	b.do(b.f.SetSheetProps(s.name, &excelize.SheetPropsOptions{FitToPage: boolPtr(true)}))
	top, bottom, side, hf := 0.85, 0.75, 0.55, 0.3
	b.do(b.f.SetPageMargins(s.name, &excelize.PageLayoutMarginsOptions{Top: &top, Bottom: &bottom, Left: &side, Right: &side, Header: &hf, Footer: &hf, Horizontally: boolPtr(true)}))
	b.do(b.f.SetHeaderFooter(s.name, &excelize.HeaderFooterOptions{
		OddHeader: "&L&8" + hfEscape(strings.Join(wrap(m.Commission.Name, 90), "\n")) + "&R&8Séance du " + m.ShortDate(m.Session.StartsAt),
		OddFooter: "&L&8" + hfEscape(baseName(m)) + " — " + hfEscape(m.Record.Status.Label()) + "&C&8Page &P / &N&R&8Document confidentiel",
	}))
	if titleRows != "" {
		b.do(b.f.SetDefinedName(&excelize.DefinedName{Name: "_xlnm.Print_Titles", RefersTo: "'" + s.name + "'!" + titleRows, Scope: s.name}))
	}
}

// hfEscape doubles the ampersands of text put in a page header or footer.
func hfEscape(s string) string { return strings.ReplaceAll(s, "&", "&&") }

// titleRows writes the title and commission rows that open the tabular sheets.
func (s *sheet) titleRows(title string) {
	n := len(s.widths)
	s.line(22, span{1, n, title, s.b.st.subtitle, 12})
	s.line(0, span{1, n, s.b.m.Commission.Name + " — " + s.b.m.StatusLine(), s.b.st.note, 9})
	s.gap(8)
}

// headerRow writes column headers across the sheet's columns.
func (s *sheet) headerRow(headers ...string) {
	spans := make([]span, len(headers))
	for i, h := range headers {
		spans[i] = span{i + 1, i + 1, h, s.b.st.header, 10}
	}
	s.line(18, spans...)
}

// minutesSheet writes the procès-verbal itself, section by section.
func (b *book) minutesSheet() {
	m := b.m
	s := b.newSheet(SheetMinutes, widthsMinutes)
	s.line(0, span{1, 4, m.StatusLine(), b.st.banner, 8})
	s.gap(6)
	lines := m.TitleLines()
	titleStyles := []int{b.st.authority, b.st.commission, b.st.title, b.st.subtitle}
	titleSizes := []float64{11, 11, 16, 12}
	for i, l := range lines[:4] {
		if l == "" {
			continue
		}
		s.line(titleSizes[i]*1.6, span{1, 4, l, titleStyles[i], titleSizes[i]})
		if i == 1 {
			s.gap(10)
		}
	}
	for _, l := range lines[5:] {
		s.line(0, span{1, 4, l, b.st.note, 9})
	}
	for _, sec := range m.Sections() {
		s.gap(10)
		if sec.NewPage {
			b.do(b.f.InsertPageBreak(s.name, cellName(1, s.row+1)))
		}
		s.line(20, span{1, 4, sec.Title, b.st.section, 11})
		for _, bl := range sec.Blocks {
			s.block(bl)
		}
	}
	s.pageSetup("portrait", "$1:$1")
}

// block writes one block of a section on the procès-verbal sheet.
func (s *sheet) block(bl Block) {
	st := s.b.st
	if bl.Heading != "" {
		s.gap(4)
		s.line(16, span{1, 4, bl.Heading, st.heading, 10})
	}
	if t := bl.Table; t != nil {
		s.table(t)
		if len(bl.Fields) > 0 {
			s.gap(4)
		}
	}
	for _, f := range bl.Fields {
		style := st.value
		if f.Strong {
			style = st.strong
		}
		s.long(f.Label, st.label, 2, 4, f.Value, style)
	}
	if bl.Text != "" {
		s.long("", 0, 1, 4, bl.Text, st.text)
	}
	if len(bl.Signatures) > 0 {
		s.signatures(bl.Signatures)
	}
}

// table writes a Section table over the 4 layout columns.
func (s *sheet) table(t *Table) {
	spans := t.spans()
	row := func(cells []string, style int, least float64) {
		var sp []span
		c := 1
		for i, v := range cells {
			if i >= len(spans) {
				break
			}
			sp = append(sp, span{c, c + spans[i] - 1, v, style, 10})
			c += spans[i]
		}
		s.line(least, sp...)
	}
	row(t.Columns, s.b.st.header, 18)
	for _, r := range t.Rows {
		row(r, s.b.st.cell, 0)
	}
}

// signatures writes the signature blocks side by side, with room to sign.
func (s *sheet) signatures(sigs []Signature) {
	st := s.b.st
	s.gap(8)
	cols := [][2]int{{1, 2}, {3, 4}}
	rows := []struct {
		style int
		size  float64
		text  func(Signature) string
	}{
		{st.sigRole, 10, func(g Signature) string { return g.Role }},
		{st.sigName, 10, func(g Signature) string { return g.Person.Name }},
		{st.sigQuality, 9, func(g Signature) string { return g.Person.Quality }},
	}
	for _, r := range rows {
		var sp []span
		for i, g := range sigs {
			if i < len(cols) {
				sp = append(sp, span{cols[i][0], cols[i][1], r.text(g), r.style, r.size})
			}
		}
		s.line(0, sp...)
	}
	var sp []span
	for i := range sigs {
		if i < len(cols) {
			sp = append(sp, span{cols[i][0], cols[i][1], "", st.sigBox, 0})
		}
	}
	s.line(70, sp...)
}

// attendanceSheet writes the attendance figures and list.
func (b *book) attendanceSheet() {
	m, st := b.m, b.st
	s := b.newSheet(SheetAttendance, widthsAttendance)
	s.titleRows("Liste de présence — séance du " + m.LongDate(m.Session.StartsAt))
	c, q := m.Counts(), m.Quorum
	quorum := "Non atteint"
	switch {
	case q.NoQuorumRequired:
		quorum = "Non requis (seconde convocation)"
	case q.Reached:
		quorum = "Atteint"
	}
	figures := []struct {
		label string
		value any
	}{
		{"Sièges ayant voix délibérative", c.Seats},
		{"Présents sur place", c.OnSite},
		{"Présents à distance", c.Remote},
		{"Représentés par leur suppléant", c.Substituted},
		{"Ayant donné procuration", c.ProxiesGiven},
		{"Excusés", c.Excused},
		{"Absents", c.Absent},
		{"Présents ou représentés (quorum)", q.Present + q.Represented},
		{"Quorum requis", q.Required},
		{"Quorum", quorum},
	}
	s.line(18, span{1, 3, "Récapitulatif", st.header, 10})
	for _, f := range figures {
		s.line(15, span{1, 2, f.label, st.label, 10}, span{3, 3, f.value, st.number, 10})
	}
	s.gap(10)
	s.headerRow("Membre", "Qualité", "Catégorie (CASF, art. R121-12-7)", "Participation", "Suppléé(e) par", "Procuration donnée à", "Détient la procuration de")
	header := s.row
	for _, a := range m.Attendance {
		cat := a.CategoryLabel
		if a.Category > 0 {
			cat = strconv.Itoa(a.Category) + " — " + a.CategoryLabel
		}
		cells := []string{a.Name, a.Quality, cat, a.PresenceLabel(), a.SubstituteName, a.ProxyTo, a.ProxyFrom}
		spans := make([]span, len(cells))
		for i, v := range cells {
			spans[i] = span{i + 1, i + 1, v, st.cell, 10}
		}
		s.line(0, spans...)
	}
	if len(m.Others) > 0 {
		s.gap(10)
		s.line(18, span{1, 7, "Assistaient également, sans voix délibérative (CRPA, art. R133-6)", st.heading, 10})
		for _, p := range m.Others {
			s.line(0, span{1, 1, p.Name, st.cell, 10}, span{2, 7, p.Quality, st.cell, 10})
		}
	}
	s.pageSetup("landscape", fmt.Sprintf("$%d:$%d", header, header))
}

// votesSheet writes one row per item and choice, then the named ballots.
func (b *book) votesSheet() {
	m, st := b.m, b.st
	s := b.newSheet(SheetVotes, widthsVotes)
	s.titleRows("Votes — séance du " + m.LongDate(m.Session.StartsAt))
	s.headerRow("Point", "Référence", "Objet", "Vote", "Nombre", "Voix prépondérante", "Avis")
	header := s.row
	voted := false
	for _, it := range m.Items {
		if it.Tally == nil {
			continue
		}
		voted = true
		casting := "Non"
		if it.Tally.CastingVote {
			casting = "Oui"
		}
		subject := it.Kind
		if it.Title != "" {
			subject = strings.TrimSpace(subject + " — " + it.Title)
		}
		for _, c := range Choices {
			s.line(0, span{1, 1, it.Number, st.number, 10}, span{2, 2, it.Reference, st.cell, 10}, span{3, 3, subject, st.cell, 10},
				span{4, 4, c.Label(), st.cell, 10}, span{5, 5, it.Tally.Count(c), st.number, 10}, span{6, 6, casting, st.number, 10},
				span{7, 7, it.Avis, st.cell, 10})
		}
		if it.Tally.Expected > 0 {
			s.line(0, span{1, 1, it.Number, st.number, 10}, span{2, 2, it.Reference, st.cell, 10}, span{3, 3, subject, st.cell, 10},
				span{4, 4, "N'ont pas pris part au vote", st.cell, 10}, span{5, 5, it.Tally.NotVoted, st.number, 10}, span{6, 6, casting, st.number, 10},
				span{7, 7, it.Avis, st.cell, 10})
		}
	}
	if !voted {
		s.line(18, span{1, 7, "Aucun vote n'a eu lieu au cours de cette séance.", st.cell, 10})
	}
	s.gap(12)
	s.line(18, span{1, 7, "Votes nominatifs", st.heading, 10})
	s.line(18, span{1, 1, "Point", st.header, 10}, span{2, 2, "Référence", st.header, 10}, span{3, 3, "Membre", st.header, 10},
		span{4, 4, "Vote", st.header, 10}, span{5, 5, "Pour le compte de (procuration)", st.header, 10}, span{6, 7, "Mode de vote", st.header, 10})
	named := false
	for _, it := range m.Items {
		for _, bal := range it.Ballots {
			named = true
			s.line(0, span{1, 1, it.Number, st.number, 10}, span{2, 2, it.Reference, st.cell, 10}, span{3, 3, bal.Name, st.cell, 10},
				span{4, 4, bal.Choice.Label(), st.cell, 10}, span{5, 5, bal.OnBehalfOf, st.cell, 10}, span{6, 7, bal.ChannelLabel(), st.cell, 10})
		}
	}
	if !named {
		s.line(18, span{1, 7, "Aucun vote nominatif n'est consigné (vote à bulletin secret ou sans relevé nominatif).", st.cell, 10})
	}
	s.pageSetup("portrait", fmt.Sprintf("$%d:$%d", header, header))
}

// dissentsSheet writes the dissents members asked to record (CRPA R133-13).
func (b *book) dissentsSheet() {
	m, st := b.m, b.st
	s := b.newSheet(SheetDissents, widthsDissents)
	s.titleRows("Opinions divergentes consignées — séance du " + m.LongDate(m.Session.StartsAt))
	s.headerRow("Point", "Référence", "Membre", "Opinion divergente")
	header := s.row
	found := false
	per := charsPerLine(s.width(4, 4), 10)
	for _, it := range m.Items {
		for _, d := range it.Dissents {
			found = true
			for i, chunk := range splitLines(d.Text, per, int((maxRowHeight-4)/lineHeight(10))) {
				var num any = it.Number
				ref, name := it.Reference, d.Name
				if i > 0 {
					num, ref, name = "", "", ""
				}
				s.line(0, span{1, 1, num, st.number, 10}, span{2, 2, ref, st.cell, 10}, span{3, 3, name, st.cell, 10}, span{4, 4, chunk, st.cell, 10})
			}
		}
	}
	if !found {
		s.line(18, span{1, 4, "Aucune opinion divergente n'a été consignée.", st.cell, 10})
	}
	s.pageSetup("portrait", fmt.Sprintf("$%d:$%d", header, header))
}

// charsPerLine estimates how many characters of an Arial text of size points fit on a
// line of a cell width units wide.
func charsPerLine(width, size float64) int {
	return max(int(width*1.1*10/size)-1, 1)
}

func lineHeight(size float64) float64 { return size * 1.32 }

// textHeight estimates the height in points of text wrapped in width units: Excel does
// not size rows to the wrapped text of merged cells, so the writer does.
func textHeight(text string, width, size float64) float64 {
	return float64(len(wrap(text, charsPerLine(width, size))))*lineHeight(size) + 4
}

// wrap breaks text into lines of at most per characters, at spaces, keeping line breaks.
func wrap(text string, per int) []string {
	var out []string
	for _, para := range strings.Split(text, "\n") {
		cur := ""
		for _, w := range strings.Fields(para) {
			switch {
			case cur == "":
				cur = w
			case utf8.RuneCountInString(cur)+1+utf8.RuneCountInString(w) <= per:
				cur += " " + w
			default:
				out = append(out, cur)
				cur = w
			}
			for utf8.RuneCountInString(cur) > per {
				r := []rune(cur)
				out = append(out, string(r[:per]))
				cur = string(r[per:])
			}
		}
		out = append(out, cur)
	}
	return out
}

// splitLines cuts text into pieces of at most maxLines wrapped lines each.
func splitLines(text string, per, maxLines int) []string {
	lines := wrap(text, per)
	if len(lines) <= maxLines {
		return []string{text}
	}
	var out []string
	for i := 0; i < len(lines); i += maxLines {
		out = append(out, strings.Join(lines[i:min(i+maxLines, len(lines))], "\n"))
	}
	return out
}
