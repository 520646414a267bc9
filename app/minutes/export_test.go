package minutes_test

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/ledongthuc/pdf"
	"github.com/xuri/excelize/v2"

	"seance/app/minutes"
)

// artifact keeps an export under $SEANCE_ARTIFACTS (CI), to be looked at.
func artifact(t *testing.T, name string, data []byte) {
	t.Helper()
	dir := os.Getenv("SEANCE_ARTIFACTS")
	if dir == "" {
		return
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("export: %s", p)
}

func workbook(t *testing.T, m *minutes.Minutes) (*excelize.File, []byte) {
	t.Helper()
	var buf bytes.Buffer
	if err := minutes.WriteXLSX(&buf, m); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatalf("excelize cannot reopen the workbook: %v", err)
	}
	t.Cleanup(func() { f.Close() })
	return f, buf.Bytes()
}

// rows returns the cells of a sheet.
func rows(t *testing.T, f *excelize.File, sheet string) [][]string {
	t.Helper()
	rs, err := f.GetRows(sheet)
	if err != nil {
		t.Fatalf("GetRows(%s): %v", sheet, err)
	}
	return rs
}

// sheetText joins every cell of a sheet with spaces, normalised.
func sheetText(t *testing.T, f *excelize.File, sheet string) string {
	t.Helper()
	var b strings.Builder
	for _, r := range rows(t, f, sheet) {
		for _, c := range r {
			b.WriteString(c + " ")
		}
	}
	return norm(b.String())
}

func norm(s string) string { return strings.Join(strings.Fields(s), " ") }

// rowWith returns the first row whose first cells are prefix.
func rowWith(rs [][]string, prefix ...string) []string {
	for _, r := range rs {
		if len(r) >= len(prefix) && slices.Equal(r[:len(prefix)], prefix) {
			return r
		}
	}
	return nil
}

// facts are what every output of the sample must say (CRPA R133-13, REGLES rule 11).
func facts(m *minutes.Minutes) []string {
	out := []string{
		"PROCÈS-VERBAL", "Séance du mardi 24 novembre 2026", "Séance ouverte à 14 h 00, levée à 16 h 35",
		"Claire Vidal, Sous-préfète, directrice de cabinet, représentant le préfet de la Haute-Garonne",
		"Première convocation, adressée le 16/11/2026",
		"Le quorum est atteint : 10 membres présents ou représentés sur 12 (quorum : 6).",
		"Procuration donnée à Hélène Garcia", "Détient la procuration de Thomas Roux", "Suppléé(e) par Sophie Lefèvre",
		"Excusé(e)", "Absent(e)", "Présent(e) à distance",
		"12 sièges avec voix délibérative : 6 présents sur place, 2 à distance, 1 représenté par leur suppléant, 1 procuration, 1 excusé, 1 absent.",
		"Inès Caron",
		"Pour : 6 — Contre : 1 — Abstention : 1",
		"Pour : 4 — Contre : 4 — Abstention : 1 — partage des voix : voix prépondérante du président",
		"Pour : 8 — Contre : 0 — Abstention : 0",
		"Favorable à la fin du parcours",
		"ne siège pas et ne prend pas part au vote (CASF, art. R121-12-7)",
		"Élise Fournier (intérêt déclaré) : ne prennent pas part à l'examen ni au vote (CRPA, art. R133-12)",
		"Pour : Hélène Garcia, Sophie Lefèvre, Élise Fournier, Laure Nguyen ; Contre : Hélène Garcia (procuration de Thomas Roux), Nadia Benali, Pierre Lambert, Anne Moreau ; Abstention : Sylvie Bonnet",
		"Point 4 — Information — Bilan du partenariat avec la caisse d'allocations familiales",
		"Calendrier 2027 : séances les 19 janvier, 16 mars et 11 mai 2027.",
		"Procès-verbal établi par le secrétariat de la commission.",
		"Le président de séance", "Le secrétaire de séance", "Julien Mercier",
	}
	for _, it := range m.Items {
		out = append(out, it.Heading())
		for _, s := range []string{it.Reasoning, it.Conditions} {
			if s != "" {
				out = append(out, s)
			}
		}
		for _, d := range it.Dissents {
			out = append(out, d.Name+" : « "+d.Text+" »")
		}
	}
	return out
}

// noIdentity fails when text holds any identity of a person concerned by a file.
func noIdentity(t *testing.T, where, text string) {
	t.Helper()
	lower := strings.ToLower(text)
	for ref, ids := range concerned {
		for _, id := range ids {
			if strings.Contains(lower, strings.ToLower(id)) {
				t.Errorf("%s shows %q, the identity of the person concerned by file %s", where, id, ref)
			}
		}
	}
}

func TestRule11_WorkbookSheetsAndMinutesContent(t *testing.T) {
	m := sample()
	f, raw := workbook(t, m)
	artifact(t, minutes.FileName(m, "xlsx"), raw)
	if got, want := f.GetSheetList(), []string{"Procès-verbal", "Présences", "Votes", "Dissents"}; !slices.Equal(got, want) {
		t.Fatalf("sheets = %q, want %q", got, want)
	}
	text := sheetText(t, f, minutes.SheetMinutes)
	for _, want := range facts(m) {
		if !strings.Contains(text, norm(want)) {
			t.Errorf("sheet Procès-verbal lacks %q", want)
		}
	}
	for _, a := range m.Attendance {
		if !strings.Contains(text, a.Name) || !strings.Contains(text, a.Quality) {
			t.Errorf("sheet Procès-verbal lacks the member %s, %s", a.Name, a.Quality)
		}
	}
	if v, _ := f.GetCellValue(minutes.SheetMinutes, "A1"); !strings.Contains(v, "PROJET") {
		t.Errorf("A1 (status banner) = %q, want the draft mention", v)
	}
}

func TestRule11_WorkbookAttendanceCounts(t *testing.T) {
	f, _ := workbook(t, sample())
	rs := rows(t, f, minutes.SheetAttendance)
	for _, tt := range []struct {
		label string
		want  string
	}{
		{"Sièges ayant voix délibérative", "12"},
		{"Présents sur place", "6"},
		{"Présents à distance", "2"},
		{"Représentés par leur suppléant", "1"},
		{"Ayant donné procuration", "1"},
		{"Excusés", "1"},
		{"Absents", "1"},
		{"Présents ou représentés (quorum)", "10"},
		{"Quorum requis", "6"},
		{"Quorum", "Atteint"},
	} {
		r := rowWith(rs, tt.label)
		if len(r) < 3 || r[2] != tt.want {
			t.Errorf("Présences %q = %q, want %s", tt.label, r, tt.want)
		}
	}
	for _, tt := range [][]string{
		{"Hélène Garcia", "Vice-présidente chargée de l'application des peines, tribunal judiciaire de Toulouse", "1 — Magistrat de l'ordre judiciaire", "Présent(e) sur place", "", "", "Thomas Roux"},
		{"Marc Dubois", "Directeur départemental de l'emploi, du travail et des solidarités", "2 — Direction départementale de l'emploi, du travail et des solidarités", "Remplacé(e) par son suppléant", "Sophie Lefèvre"},
		{"Thomas Roux", "Chef de l'office central pour la répression de la traite, antenne de Toulouse", "4 — Police judiciaire", "A donné procuration", "", "Hélène Garcia"},
		{"Jean-Luc Martin", "Conseiller départemental de la Haute-Garonne", "10 — Collectivités territoriales et EPCI", "Absent(e)"},
	} {
		if r := rowWith(rs, tt[0]); !slices.Equal(trimRight(r), tt) {
			t.Errorf("Présences row %s = %q, want %q", tt[0], r, tt)
		}
	}
}

func trimRight(r []string) []string {
	for len(r) > 0 && r[len(r)-1] == "" {
		r = r[:len(r)-1]
	}
	return r
}

func TestRule11_WorkbookVotesOneRowPerItemAndChoice(t *testing.T) {
	f, _ := workbook(t, sample())
	rs := rows(t, f, minutes.SheetVotes)
	for _, tt := range [][]string{
		{"1", "31-2026-0042", "Renouvellement", "Pour", "6", "Non", "Favorable"},
		{"1", "31-2026-0042", "Renouvellement", "Contre", "1", "Non", "Favorable"},
		{"1", "31-2026-0042", "Renouvellement", "Abstention", "1", "Non", "Favorable"},
		{"2", "31-2026-0057", "Engagement dans le parcours", "Pour", "4", "Oui", "Favorable"},
		{"2", "31-2026-0057", "Engagement dans le parcours", "Contre", "4", "Oui", "Favorable"},
		{"2", "31-2026-0057", "Engagement dans le parcours", "Abstention", "1", "Oui", "Favorable"},
		{"3", "31-2026-0061", "Fin du parcours", "Pour", "8", "Non", "Favorable à la fin du parcours"},
	} {
		if r := rowWith(rs, tt[:4]...); !slices.Equal(r, tt) {
			t.Errorf("Votes row %q = %q", tt[:4], r)
		}
	}
	n := 0
	for _, r := range rs {
		if len(r) > 1 && r[0] == "4" {
			t.Errorf("Votes has a row for the information item (no vote): %q", r)
		}
		if len(r) > 3 && r[1] == "31-2026-0057" && r[2] != "Engagement dans le parcours" {
			n++
		}
	}
	for _, tt := range [][]string{
		{"2", "31-2026-0057", "Hélène Garcia", "Contre", "Thomas Roux"},
		{"2", "31-2026-0057", "Sylvie Bonnet", "Abstention"},
	} {
		if r := rowWith(rs, tt[:4]...); !slices.Equal(trimRight(r), tt) {
			t.Errorf("named ballot %q = %q", tt, r)
		}
	}
	if n != 9 {
		t.Errorf("named ballots of point 2 = %d rows, want 9", n)
	}
}

func TestRule11_WorkbookDissents(t *testing.T) {
	m := sample()
	f, _ := workbook(t, m)
	rs := rows(t, f, minutes.SheetDissents)
	for _, it := range m.Items {
		for _, d := range it.Dissents {
			want := []string{strconv.Itoa(it.Number), it.Reference, d.Name, d.Text}
			if r := rowWith(rs, want[:3]...); !slices.Equal(r, want) {
				t.Errorf("Dissents row for %s = %q, want %q", d.Name, r, want)
			}
		}
	}
	none := sample()
	for i := range none.Items {
		none.Items[i].Dissents = nil
	}
	f2, _ := workbook(t, none)
	if !strings.Contains(sheetText(t, f2, minutes.SheetDissents), "Aucune opinion divergente n'a été consignée.") {
		t.Error("Dissents sheet of a session without dissent does not say so")
	}
}

func TestRule11_WorkbookPageSetupForPrint(t *testing.T) {
	m := sampleLocked()
	f, _ := workbook(t, m)
	orientation := map[string]string{minutes.SheetMinutes: "portrait", minutes.SheetAttendance: "landscape", minutes.SheetVotes: "portrait", minutes.SheetDissents: "portrait"}
	titles := map[string]string{}
	for _, dn := range f.GetDefinedName() {
		if dn.Name == "_xlnm.Print_Titles" {
			titles[dn.Scope] = dn.RefersTo
		}
	}
	for _, sheet := range f.GetSheetList() {
		pl, err := f.GetPageLayout(sheet)
		if err != nil {
			t.Fatal(err)
		}
		if pl.Size == nil || *pl.Size != 9 || pl.Orientation == nil || *pl.Orientation != orientation[sheet] {
			t.Errorf("%s page layout = size %v, orientation %v; want A4 (9) %s", sheet, deref(pl.Size), deref(pl.Orientation), orientation[sheet])
		}
		if pl.FitToWidth == nil || *pl.FitToWidth != 1 {
			t.Errorf("%s is not fitted to one page wide", sheet)
		}
		hf, err := f.GetHeaderFooter(sheet)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(hf.OddFooter, "Page &P / &N") {
			t.Errorf("%s footer = %q, want Page &P / &N", sheet, hf.OddFooter)
		}
		if header := norm(hf.OddHeader); !strings.Contains(header, m.Commission.Name) || !strings.Contains(header, "Séance du 24/11/2026") {
			t.Errorf("%s header = %q, want the commission and the date", sheet, hf.OddHeader)
		}
		if !strings.Contains(titles[sheet], "'"+sheet+"'!$") {
			t.Errorf("%s repeated rows = %q", sheet, titles[sheet])
		}
	}
	if titles[minutes.SheetMinutes] != "'Procès-verbal'!$1:$1" {
		t.Errorf("Procès-verbal repeats %q, want its status banner $1:$1", titles[minutes.SheetMinutes])
	}
	a1, _ := f.GetCellValue(minutes.SheetMinutes, "A1")
	if !strings.Contains(a1, "verrouillé, empreinte 5f2b9c0e7a1d43b8") || !strings.Contains(a1, "séance du 8 décembre 2026, point 1") {
		t.Errorf("locked banner = %q", a1)
	}
	// Excel repeats rows $k:$k: on the tabular sheets that row is the column headers.
	for sheet, first := range map[string]string{minutes.SheetAttendance: "Membre", minutes.SheetVotes: "Point", minutes.SheetDissents: "Point"} {
		ref := titles[sheet]
		row, _ := strconv.Atoi(ref[strings.LastIndex(ref, "$")+1:])
		if v, _ := f.GetCellValue(sheet, "A"+strconv.Itoa(row)); v != first {
			t.Errorf("%s repeated row %d starts with %q, want %q", sheet, row, v, first)
		}
	}
	merged, err := f.GetMergeCells(minutes.SheetMinutes)
	if err != nil {
		t.Fatal(err)
	}
	var titleMerged, sectionMerged bool
	for _, mc := range merged {
		v := mc.GetCellValue()
		titleMerged = titleMerged || v == "PROCÈS-VERBAL" && mc.GetStartAxis()[0] == 'A' && mc.GetEndAxis()[0] == 'D'
		sectionMerged = sectionMerged || v == "3. Points examinés" && mc.GetEndAxis()[0] == 'D'
	}
	if !titleMerged || !sectionMerged {
		t.Errorf("merged title %v, merged section heading %v; want both across A:D", titleMerged, sectionMerged)
	}
	bold := func(sheet, cell string) bool {
		id, err := f.GetCellStyle(sheet, cell)
		if err != nil {
			t.Fatal(err)
		}
		st, err := f.GetStyle(id)
		if err != nil {
			t.Fatal(err)
		}
		return st.Font != nil && st.Font.Bold && len(st.Border) == 4
	}
	if rs := rows(t, f, minutes.SheetVotes); !bold(minutes.SheetVotes, "A"+strconv.Itoa(slices.IndexFunc(rs, func(r []string) bool { return len(r) > 0 && r[0] == "Point" })+1)) {
		t.Error("the Votes header row is not bold and boxed")
	}
	if w, _ := f.GetColWidth(minutes.SheetDissents, "D"); w < 50 {
		t.Errorf("Dissents text column width = %v, want a wide column", w)
	}
}

func deref[T any](p *T) any {
	if p == nil {
		return nil
	}
	return *p
}

func TestRule11_NoIdentityOfAPersonConcernedInAnyCell(t *testing.T) {
	for name, m := range map[string]*minutes.Minutes{"sitting": sample(), "written": sampleWritten()} {
		f, _ := workbook(t, m)
		for _, sheet := range f.GetSheetList() {
			noIdentity(t, name+" sheet "+sheet, sheetText(t, f, sheet))
		}
		hf, _ := f.GetHeaderFooter(minutes.SheetMinutes)
		noIdentity(t, name+" header", hf.OddHeader+hf.OddFooter)
		noIdentity(t, name+" PDF", strings.Join(pdfPages(t, pdfBytes(t, m)), " "))
	}
}

func TestRule11_WrittenDeliberationAndItsAnnex(t *testing.T) {
	m := sampleWritten()
	f, raw := workbook(t, m)
	artifact(t, "written-"+minutes.FileName(m, "xlsx"), raw)
	text := sheetText(t, f, minutes.SheetMinutes)
	want := []string{
		"Délibération électronique écrite",
		"Ouverture des échanges 24/11/2026 à 09 h 00",
		"Clôture des échanges 27/11/2026 à 18 h 00 (délai prolongé par le président)",
		"Du 27/11/2026 à 18 h 00 au 28/11/2026 à 18 h 00",
		"9 membres sur 12 ont pris part à la délibération (au moins 6 requis) : la délibération est valable",
		"2 contributions, reproduites en annexe.",
		"Annexe — Contributions à la délibération écrite",
		"24/11/2026 à 10 h 12 Anne Moreau Point 1",
		m.Written.Contributions[1].Text,
	}
	for _, w := range want {
		if !strings.Contains(text, w) {
			t.Errorf("written deliberation workbook lacks %q", w)
		}
	}
	pages := pdfPages(t, pdfBytes(t, m))
	last := pages[len(pages)-1]
	if !strings.Contains(last, "Annexe — Contributions à la délibération écrite") || !strings.Contains(last, "coût de 1 250 € pour la formation") {
		t.Errorf("the PDF's last page is not the annex: %.300s", last)
	}
}

func pdfBytes(t *testing.T, m *minutes.Minutes) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := minutes.WritePDF(&buf, m); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// pdfPages extracts the text of each page with a Go PDF reader, row by row.
func pdfPages(t *testing.T, b []byte) []string {
	t.Helper()
	return pdfText(t, b, false)
}

// pdfBody is the text of every page without the page headers and footers, so that a
// paragraph running onto the next page reads on.
func pdfBody(t *testing.T, b []byte) string {
	t.Helper()
	return strings.Join(pdfText(t, b, true), " ")
}

func pdfText(t *testing.T, b []byte, bodyOnly bool) []string {
	t.Helper()
	r, err := pdf.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatalf("read PDF: %v", err)
	}
	var pages []string
	for i := 1; i <= r.NumPage(); i++ {
		p := r.Page(i)
		if p.V.IsNull() {
			continue
		}
		fonts := map[string]pdf.Font{}
		for _, name := range p.Fonts() {
			fonts[name] = p.Font(name)
		}
		var (
			sb  strings.Builder
			enc pdf.TextEncoding
			y   float64
		)
		// fpdf writes each piece of text as "BT x y Td (text) Tj ET", y in points from
		// the bottom of the page (A4: 842); the header sits above 790, the footer below 37.
		pdf.Interpret(p.V.Key("Contents"), func(stk *pdf.Stack, op string) {
			args := make([]pdf.Value, stk.Len())
			for i := len(args) - 1; i >= 0; i-- {
				args[i] = stk.Pop()
			}
			switch op {
			case "Tf":
				enc = fonts[args[0].Name()].Encoder()
			case "Td":
				y = args[1].Float64()
			case "Tj":
				if enc == nil || bodyOnly && (y > 790 || y < 37) {
					return
				}
				sb.WriteString(enc.Decode(args[0].RawString()) + " ")
			}
		})
		pages = append(pages, norm(sb.String()))
	}
	return pages
}

func TestRule11_PDFSaysWhatTheWorkbookSays(t *testing.T) {
	m := sample()
	raw := pdfBytes(t, m)
	artifact(t, minutes.FileName(m, "pdf"), raw)
	pages := pdfPages(t, raw)
	if len(pages) < 2 {
		t.Fatalf("PDF has %d pages, want the whole minutes over several", len(pages))
	}
	all := pdfBody(t, raw)
	for _, want := range facts(m) {
		if !strings.Contains(all, norm(want)) {
			t.Errorf("PDF lacks %q", want)
		}
	}
	for _, a := range m.Attendance {
		if !strings.Contains(all, a.Name) {
			t.Errorf("PDF lacks the member %s", a.Name)
		}
	}
	for _, s := range []string{"449,28 €", "l'œuvre d'accompagnement", "« français langue étrangère »", "Élise Fournier", "Lefèvre"} {
		if !strings.Contains(all, s) {
			t.Errorf("PDF does not render %q (cp1252: € œ « » É è)", s)
		}
	}
	for i, p := range pages {
		want := "Page " + strconv.Itoa(i+1) + " / " + strconv.Itoa(len(pages))
		if !strings.Contains(p, want) {
			t.Errorf("PDF page %d lacks %q", i+1, want)
		}
		if !strings.Contains(p, "Séance du 24/11/2026") || !strings.Contains(p, "PROJET") {
			t.Errorf("PDF page %d header lacks the date or the draft mention", i+1)
		}
	}
}

func TestRule11_LongTextsGoOnOverRowsAndPages(t *testing.T) {
	m := sample()
	long := strings.Repeat("La commission relève que les engagements ont été tenus malgré des difficultés d'accès aux soins. ", 120)
	m.Items[0].Dissents = []minutes.Dissent{{Name: "Anne Moreau", Text: strings.TrimSpace(long)}}
	m.GeneralItems = strings.TrimSpace(long)
	f, _ := workbook(t, m)
	for _, sheet := range []string{minutes.SheetMinutes, minutes.SheetDissents} {
		rs := rows(t, f, sheet)
		for i := range rs {
			h, err := f.GetRowHeight(sheet, i+1)
			if err != nil {
				t.Fatal(err)
			}
			if h > 409 {
				t.Errorf("%s row %d is %v points high; Excel's limit is 409", sheet, i+1, h)
			}
		}
		if !strings.Contains(sheetText(t, f, sheet), norm(long)) {
			t.Errorf("%s lost part of the long dissent", sheet)
		}
	}
	if all := pdfBody(t, pdfBytes(t, m)); strings.Count(all, "malgré des difficultés d'accès aux soins") != 2*120 {
		t.Errorf("the PDF shows %d of the %d sentences", strings.Count(all, "malgré des difficultés d'accès aux soins"), 2*120)
	}
}

func TestRule11_FileName(t *testing.T) {
	m := sample()
	if got := minutes.FileName(m, "xlsx"); got != "PV-31-2026-11-24.xlsx" {
		t.Errorf("FileName = %q", got)
	}
	m.Record.Version = 2
	if got := minutes.FileName(m, ".pdf"); got != "PV-31-2026-11-24-v2.pdf" {
		t.Errorf("FileName(v2) = %q", got)
	}
	m.Session.StartsAt = day(2026, 11, 30, 23, 30) // already 1 December in Toulouse
	if got := minutes.FileName(m, "pdf"); got != "PV-31-2026-12-01-v2.pdf" {
		t.Errorf("FileName(late evening) = %q", got)
	}
}

func TestRule11_CorrectedVersionSaysWhatItCorrects(t *testing.T) {
	m := sample()
	m.Record = minutes.Record{Version: 2, Status: "draft", PreviousHash: "aa11bb22cc33dd44ee55ff6600112233aa11bb22cc33dd44ee55ff6600112233", CorrectionNote: "Erreur matérielle au point 1 : une voix contre."}
	f, _ := workbook(t, m)
	want := "Version rectificative de la version 1 (empreinte aa11bb22cc33dd44…) : Erreur matérielle au point 1 : une voix contre."
	if !strings.Contains(sheetText(t, f, minutes.SheetMinutes), want) {
		t.Errorf("workbook lacks %q", want)
	}
	if !strings.Contains(pdfBody(t, pdfBytes(t, m)), want) {
		t.Errorf("PDF lacks %q", want)
	}
}

func TestRule11_QuorumStatements(t *testing.T) {
	for _, tt := range []struct {
		q    minutes.Quorum
		want string
	}{
		{minutes.Quorum{Members: 19, Present: 9, Represented: 1, Required: 10, Reached: true}, "Le quorum est atteint : 10 membres présents ou représentés sur 19 (quorum : 10)."},
		{minutes.Quorum{Members: 19, Present: 7, Represented: 1, Required: 10}, "Le quorum n'est pas atteint : 8 membres présents ou représentés sur 19 (quorum : 10)."},
		{minutes.Quorum{Members: 19, Present: 5, Represented: 1, NoQuorumRequired: true}, "Seconde convocation sur le même ordre du jour : la commission délibère valablement sans condition de quorum (CRPA, art. R133-10) ; 6 membres présents ou représentés sur 19."},
	} {
		if got := tt.q.Statement(); !strings.HasPrefix(got, tt.want) {
			t.Errorf("Statement(%+v) = %q, want %q", tt.q, got, tt.want)
		}
	}
}

func TestRule11_MentionsFindsAPersonNamedInAFreeText(t *testing.T) {
	m := sample()
	if got := m.Mentions(concerned["31-2026-0042"]...); len(got) != 0 {
		t.Errorf("Mentions in the clean sample = %q", got)
	}
	m.Items[1].Dissents[0].Text += " Mme POPESCU a été entendue."
	m.GeneralItems += "\nRappel concernant Mariana Popescu."
	got := m.Mentions(concerned["31-2026-0057"]...)
	want := []string{"Questions diverses", "Point 2 — opinion divergente de Pierre Lambert"}
	if !slices.Equal(got, want) {
		t.Errorf("Mentions = %q, want %q", got, want)
	}
}

func TestEncodeDecodeKeepsTheContent(t *testing.T) {
	m := sampleWritten()
	b, err := minutes.Encode(m)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), "Calendrier 2027") {
		t.Error("Encode put the free texts (kept in their own columns) in the content")
	}
	back, err := minutes.Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	b2, err := minutes.Encode(back)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b, b2) {
		t.Errorf("Encode(Decode(content)) differs:\n%s\n%s", b, b2)
	}
	if len(back.Attendance) != 12 || back.Items[0].Tally.Pour != 6 || back.Written.Contributions[1].Name != "Laure Nguyen" {
		t.Errorf("decoded minutes lost data: %+v", back)
	}
}
