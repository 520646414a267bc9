package minutes

import (
	"fmt"
	"io"
	"strings"

	"codeberg.org/go-pdf/fpdf"
)

// Page geometry of the PDF, in millimetres (A4 portrait).
const (
	pdfMarginSide   = 18.0
	pdfMarginTop    = 24.0
	pdfMarginBottom = 18.0
	pdfLine         = 4.4 // line height of 9.5 pt text
	pdfPad          = 1.3 // vertical padding inside a table cell
	pdfLabelWidth   = 42.0
)

type rgb struct{ r, g, b int }

var (
	pdfBlue      = rgb{0, 0, 145}
	pdfBlueLight = rgb{227, 227, 253}
	pdfGrey      = rgb{240, 240, 240}
	pdfBorder    = rgb{146, 146, 146}
	pdfInk       = rgb{22, 22, 22}
	pdfMuted     = rgb{90, 90, 90}
)

// WritePDF writes m as an A4 PDF with the same sections as the workbook's
// "Procès-verbal" sheet: the commission and the date in the page header with the
// version's status, "Page X / Y" in the footer. Text is set in the PDF core fonts
// (Helvetica) with the Windows-1252 encoding, which covers French (é è à ç œ € « »).
func WritePDF(w io.Writer, m *Minutes) error {
	if _, err := m.Location(); err != nil {
		return err
	}
	if m.Session.StartsAt.IsZero() {
		return errNoSession
	}
	f := fpdf.New("P", "mm", "A4", "")
	p := &pdfDoc{f: f, m: m, tr: f.UnicodeTranslatorFromDescriptor("cp1252")}
	pw, _ := f.GetPageSize()
	p.width = pw - 2*pdfMarginSide
	f.SetMargins(pdfMarginSide, pdfMarginTop, pdfMarginSide)
	f.SetAutoPageBreak(false, pdfMarginBottom)
	f.SetCellMargin(1.5)
	f.AliasNbPages("{nb}")
	f.SetTitle(m.Title(), true)
	f.SetSubject(m.Commission.Name, true)
	f.SetAuthor(m.Commission.Name, true)
	f.SetCreator("Séance", true)
	f.SetLang("fr-FR")
	if !m.GeneratedAt.IsZero() {
		f.SetCreationDate(m.GeneratedAt)
		f.SetModificationDate(m.GeneratedAt)
	}
	f.SetCatalogSort(true)
	f.SetHeaderFunc(p.header)
	f.SetFooterFunc(p.footer)
	f.AddPage()
	p.titleBlock()
	for _, sec := range m.Sections() {
		p.section(sec)
	}
	if err := f.Output(w); err != nil {
		return fmt.Errorf("minutes pdf: %w", err)
	}
	return nil
}

type pdfDoc struct {
	f     *fpdf.Fpdf
	m     *Minutes
	tr    func(string) string
	width float64
}

// t converts text to Windows-1252 for the core fonts; letters outside it lose their
// accent rather than becoming a dot.
func (p *pdfDoc) t(s string) string { return p.tr(beyondCP1252.Replace(s)) }

var beyondCP1252 = strings.NewReplacer(
	"\u202f", "\u00a0", "\u2009", " ", "\u2011", "-", "\u2212", "-", "\u2264", "<=", "\u2265", ">=", "\u2192", "->",
	"ł", "l", "Ł", "L", "ő", "o", "Ő", "O", "ű", "u", "Ű", "U", "ă", "a", "Ă", "A", "ș", "s", "Ș", "S", "ş", "s", "Ş", "S",
	"ț", "t", "Ț", "T", "ţ", "t", "ğ", "g", "Ğ", "G", "ı", "i", "İ", "I", "ć", "c", "Ć", "C", "č", "c", "Č", "C",
	"ę", "e", "Ę", "E", "ą", "a", "Ą", "A", "ń", "n", "Ń", "N", "ś", "s", "Ś", "S", "ź", "z", "Ź", "Z", "ż", "z", "Ż", "Z",
	"ė", "e", "ē", "e", "ā", "a", "ī", "i", "ū", "u", "ř", "r", "Ř", "R", "ě", "e", "ů", "u", "đ", "d", "Đ", "D",
)

func (p *pdfDoc) color(c rgb)     { p.f.SetTextColor(c.r, c.g, c.b) }
func (p *pdfDoc) fillColor(c rgb) { p.f.SetFillColor(c.r, c.g, c.b) }

func (p *pdfDoc) font(style string, size float64) { p.f.SetFont("Helvetica", style, size) }

// header prints the commission, the date and the version's status on every page.
func (p *pdfDoc) header() {
	f, m := p.f, p.m
	p.font("", 7.5)
	p.color(pdfMuted)
	right := p.t("Séance du " + m.ShortDate(m.Session.StartsAt))
	rw := f.GetStringWidth(right) + 4
	name := f.SplitLines([]byte(p.t(m.Commission.Name)), p.width-rw)
	if len(name) > 2 {
		name = name[:2]
	}
	y := 17.0 - 3.4*float64(len(name)+1)
	for i, l := range name {
		f.SetXY(pdfMarginSide, y+3.4*float64(i))
		f.CellFormat(p.width-rw, 3.4, string(l), "", 0, "L", false, 0, "")
	}
	f.SetXY(pdfMarginSide+p.width-rw, y)
	f.CellFormat(rw, 3.4, right, "", 0, "R", false, 0, "")
	p.font("I", 7.5)
	f.SetXY(pdfMarginSide, y+3.4*float64(len(name)))
	f.CellFormat(p.width, 3.4, p.fit(m.StatusLine(), p.width), "", 0, "L", false, 0, "")
	f.SetDrawColor(pdfBorder.r, pdfBorder.g, pdfBorder.b)
	f.SetLineWidth(0.2)
	f.Line(pdfMarginSide, 18, pdfMarginSide+p.width, 18)
	f.SetY(pdfMarginTop)
	p.color(pdfInk)
}

// footer prints the file name, "Page X / Y" and the confidentiality mention.
func (p *pdfDoc) footer() {
	f := p.f
	_, ph := f.GetPageSize()
	f.SetY(ph - 12)
	p.font("", 7.5)
	p.color(pdfMuted)
	third := p.width / 3
	f.SetX(pdfMarginSide)
	f.CellFormat(third, 4, p.t(baseName(p.m)), "", 0, "L", false, 0, "")
	f.CellFormat(third, 4, fmt.Sprintf("Page %d / {nb}", f.PageNo()), "", 0, "C", false, 0, "")
	f.CellFormat(third, 4, p.t("Document confidentiel"), "", 0, "R", false, 0, "")
	p.color(pdfInk)
}

// fit shortens s to fit width w in the current font, with an ellipsis.
func (p *pdfDoc) fit(s string, w float64) string {
	out := p.t(s)
	if p.f.GetStringWidth(out) <= w-3 {
		return out
	}
	r := []rune(s)
	for len(r) > 0 {
		r = r[:len(r)-1]
		out = p.t(strings.TrimSpace(string(r)) + "…")
		if p.f.GetStringWidth(out) <= w-3 {
			break
		}
	}
	return out
}

// room starts a new page unless h millimetres are left on this one.
func (p *pdfDoc) room(h float64) {
	_, ph := p.f.GetPageSize()
	if p.f.GetY()+h > ph-pdfMarginBottom {
		p.f.AddPage()
	}
}

func (p *pdfDoc) titleBlock() {
	f, lines := p.f, p.m.TitleLines()
	f.SetY(pdfMarginTop + 2)
	centered := func(style string, size, lh float64, c rgb, s string) {
		if s == "" {
			return
		}
		p.font(style, size)
		p.color(c)
		f.SetX(pdfMarginSide)
		f.MultiCell(p.width, lh, p.t(s), "", "C", false)
	}
	centered("B", 11, 5.5, pdfInk, strings.ToUpper(lines[0]))
	centered("", 10.5, 5, pdfInk, lines[1])
	f.Ln(7)
	centered("B", 20, 9, pdfBlue, lines[2])
	centered("B", 12.5, 7, pdfInk, lines[3])
	f.Ln(3)
	p.fillColor(pdfGrey)
	p.font("I", 8.5)
	p.color(pdfMuted)
	f.SetX(pdfMarginSide + 10)
	f.MultiCell(p.width-20, 4.5, p.t(lines[4]), "", "C", true)
	for _, l := range lines[5:] {
		f.SetX(pdfMarginSide + 10)
		f.MultiCell(p.width-20, 4.5, p.t(l), "", "C", true)
	}
	p.color(pdfInk)
	f.Ln(4)
}

func (p *pdfDoc) section(sec Section) {
	f := p.f
	if sec.NewPage {
		f.AddPage()
	} else {
		f.Ln(4)
		need := 30.0 // a title alone at the foot of a page reads badly
		if len(sec.Blocks) > 0 && len(sec.Blocks[0].Signatures) > 0 {
			need = 75
		}
		p.room(need)
	}
	p.fillColor(pdfBlue)
	p.font("B", 11)
	f.SetTextColor(255, 255, 255)
	f.SetX(pdfMarginSide)
	f.CellFormat(p.width, 7.5, p.t(sec.Title), "", 1, "L", true, 0, "")
	p.color(pdfInk)
	f.Ln(1.5)
	for _, bl := range sec.Blocks {
		p.block(bl)
	}
}

func (p *pdfDoc) block(bl Block) {
	if bl.Heading != "" {
		p.f.Ln(1.5)
		p.room(28)
		p.row([]pcell{{w: p.width, text: bl.Heading, style: "B", fill: &pdfBlueLight, ink: &pdfBlue}}, nil)
	}
	if bl.Table != nil {
		p.table(bl.Table)
		if len(bl.Fields) > 0 {
			p.f.Ln(2)
		}
	}
	for _, fd := range bl.Fields {
		style := ""
		if fd.Strong {
			style = "B"
		}
		p.row([]pcell{
			{w: pdfLabelWidth, text: fd.Label, style: "B", fill: &pdfGrey},
			{w: p.width - pdfLabelWidth, text: fd.Value, style: style},
		}, nil)
	}
	if bl.Text != "" {
		p.row([]pcell{{w: p.width, text: bl.Text, plain: true}}, nil)
	}
	if len(bl.Signatures) > 0 {
		p.signatures(bl.Signatures)
	}
}

// table prints a Section table, its header repeated on each page it runs onto.
func (p *pdfDoc) table(t *Table) {
	total := 0.0
	for _, w := range widthsMinutes {
		total += w
	}
	var widths []float64
	col := 0
	for _, s := range t.spans() {
		w := 0.0
		for i := col; i < col+s && i < len(widthsMinutes); i++ {
			w += widthsMinutes[i]
		}
		widths = append(widths, p.width*w/total)
		col += s
	}
	cells := func(texts []string, style string, fill *rgb) []pcell {
		out := make([]pcell, len(widths))
		for i := range widths {
			if i < len(texts) {
				out[i] = pcell{w: widths[i], text: texts[i], style: style, fill: fill}
			} else {
				out[i] = pcell{w: widths[i], fill: fill}
			}
		}
		return out
	}
	header := func() { p.row(cells(t.Columns, "B", &pdfBlueLight), nil) }
	p.room(20)
	header()
	for _, r := range t.Rows {
		p.row(cells(r, "", nil), header)
	}
}

// pcell is one cell of a PDF row.
type pcell struct {
	w     float64
	text  string
	style string // "", "B", "I"
	fill  *rgb
	ink   *rgb
	plain bool // no border (a paragraph)
}

// row prints cells side by side, wrapped; a row taller than what is left of the page
// goes on over the next pages (after repeat, the table header, when given).
func (p *pdfDoc) row(cells []pcell, repeat func()) {
	f := p.f
	lines := make([][]string, len(cells))
	n := 1
	for i, c := range cells {
		p.font(c.style, 9.5)
		for _, l := range f.SplitLines([]byte(p.t(c.text)), c.w-0.8) {
			lines[i] = append(lines[i], string(l))
		}
		n = max(n, len(lines[i]))
	}
	_, ph := f.GetPageSize()
	for start := 0; start < n; {
		avail := ph - pdfMarginBottom - f.GetY() - 2*pdfPad
		fit := int(avail / pdfLine)
		if fit < min(n-start, 3) {
			f.AddPage()
			if repeat != nil {
				repeat()
			}
			continue
		}
		k := min(fit, n-start)
		h := float64(k)*pdfLine + 2*pdfPad
		y, x := f.GetY(), pdfMarginSide
		for i, c := range cells {
			f.SetDrawColor(pdfBorder.r, pdfBorder.g, pdfBorder.b)
			f.SetLineWidth(0.2)
			switch {
			case c.fill != nil:
				p.fillColor(*c.fill)
				f.Rect(x, y, c.w, h, "FD")
			case !c.plain:
				f.Rect(x, y, c.w, h, "D")
			}
			p.font(c.style, 9.5)
			p.color(pdfInk)
			if c.ink != nil {
				p.color(*c.ink)
			}
			for j := start; j < start+k && j < len(lines[i]); j++ {
				f.SetXY(x, y+pdfPad+float64(j-start)*pdfLine)
				f.CellFormat(c.w, pdfLine, lines[i][j], "", 0, "L", false, 0, "")
			}
			x += c.w
		}
		p.color(pdfInk)
		f.SetXY(pdfMarginSide, y+h)
		start += k
	}
}

// signatures prints the signature blocks side by side, with room to sign.
func (p *pdfDoc) signatures(sigs []Signature) {
	f := p.f
	p.room(55)
	f.Ln(3)
	gap := 10.0
	w := (p.width - gap) / 2
	y, boxY := f.GetY(), 0.0
	for i, g := range sigs {
		x := pdfMarginSide + float64(i%2)*(w+gap)
		f.SetXY(x, y)
		p.font("B", 10)
		f.MultiCell(w, 5, p.t(g.Role), "", "C", false)
		f.SetX(x)
		p.font("", 10)
		f.MultiCell(w, 5, p.t(g.Person.Name), "", "C", false)
		f.SetX(x)
		p.font("I", 8.5)
		f.MultiCell(w, 4.2, p.t(g.Person.Quality), "", "C", false)
		boxY = max(boxY, f.GetY()+2)
	}
	for i := range sigs {
		x := pdfMarginSide + float64(i%2)*(w+gap)
		f.SetDrawColor(pdfBorder.r, pdfBorder.g, pdfBorder.b)
		f.Rect(x, boxY, w, 26, "D")
		p.font("I", 7.5)
		p.color(pdfMuted)
		f.SetXY(x, boxY+0.5)
		f.CellFormat(w, 4, p.t("Date et signature"), "", 0, "L", false, 0, "")
		p.color(pdfInk)
	}
	f.SetXY(pdfMarginSide, boxY+30)
}
