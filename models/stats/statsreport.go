package stats

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"seance/models/files"
	"seance/models/meetings"
)

// StatsReport is the annual report as tables grouped by theme: what the page, the workbook
// and their charts show, masked or exact.
type StatsReport struct {
	Stats  *AnnualStats
	Exact  bool // the secretariat's view: exact counts, not for publication
	Themes []Theme
}

// Theme is one sheet of the workbook and one section of the page.
type Theme struct {
	ID     string
	Title  string
	Tables []*Table
}

// Tables returns every table of the report in order.
func (r *StatsReport) Tables() []*Table {
	var out []*Table
	for _, th := range r.Themes {
		out = append(out, th.Tables...)
	}
	return out
}

// Table returns the table with id, or nil.
func (r *StatsReport) Table(id string) *Table {
	for _, t := range r.Tables() {
		if t.ID == id {
			return t
		}
	}
	return nil
}

// The month names, for the series.
var monthNames = [12]string{"Janvier", "Février", "Mars", "Avril", "Mai", "Juin", "Juillet", "Août", "Septembre", "Octobre", "Novembre", "Décembre"}

// AgeBandLabels and the other band labels are the rows of the profile tables.
var (
	AgeBandLabels      = [AgeBandCount]string{"18–24 ans", "25–34 ans", "35–44 ans", "45 ans et plus", "Non renseigné"}
	ChildrenBandLabels = [ChildrenBandCount]string{"Aucun enfant", "1 enfant", "2 enfants", "3 enfants ou plus"}
	DurationBandLabels = [DurationBandCount]string{"0 à 6 mois", "6 à 12 mois", "12 à 18 mois", "18 à 24 mois"}
	DelayLabels        = [DelayCount]string{"Dépôt → dossier complet", "Dossier complet → avis", "Avis → décision", "Décision → notification"}
)

func count(key string, v int) Cell { return Cell{Key: key, Kind: CellCount, Value: float64(v)} }

func rate(num, den string, n, d int) Cell {
	if d == 0 {
		return Cell{Kind: CellMissing}
	}
	return Cell{Kind: CellRate, Value: float64(n) / float64(d), Base: d, Num: num, Den: den}
}

// BuildStatsReport lays out the indicators of s as tables and, unless exact, applies the
// statistical secrecy with the commission's threshold.
func BuildStatsReport(s *AnnualStats, exact bool) *StatsReport {
	r := &StatsReport{Stats: s, Exact: exact, Themes: themes(s)}
	if !exact {
		ApplySecrecy(r.Tables(), s.MinCellSize)
	}
	return r
}

// themes lays out the indicators of s as the themes of the report.
func themes(s *AnnualStats) []Theme {
	return []Theme{
		{ID: "seances", Title: "Séances et présence", Tables: []*Table{sessionsTable(s), attendanceTable(s), governanceTable(s)}},
		{ID: "dossiers", Title: "Dossiers et avis", Tables: []*Table{filesTable(s)}},
		{ID: "decisions", Title: "Décisions et délais", Tables: []*Table{decisionsTable(s), delaysTable(s)}},
		{ID: "parcours", Title: "Parcours", Tables: []*Table{parcoursTable(s), exitsTable(s), durationTable(s)}},
		{ID: "beneficiaires", Title: "Bénéficiaires", Tables: profileTables(s)},
		{ID: "droits", Title: "Droits", Tables: []*Table{apsTable(s), afisTable(s), housingTable(s)}},
		{ID: "associations", Title: "Associations", Tables: []*Table{associationsTable(s)}},
		{ID: "mensuel", Title: "Série mensuelle", Tables: []*Table{monthlyTable(s)}},
	}
}

func sessionsTable(s *AnnualStats) *Table {
	t := &Table{ID: "sessions", Title: "Séances tenues par objet et par mode", Def: "sessions", TotalRow: true,
		Chart: &Chart{Kind: "stacked", Series: []int{0, 1, 2, 3}, Caption: "Séances tenues par objet et par mode"}}
	for _, m := range meetings.MeetingModes {
		t.Columns = append(t.Columns, m.Label())
	}
	t.Columns = append(t.Columns, "Total")
	t.RowSums = []RowSum{{Total: len(meetings.MeetingModes), Parts: []int{0, 1, 2, 3}}}
	for _, k := range []meetings.MeetingKind{meetings.MeetingPolicy, meetings.MeetingFiles} {
		row := Row{Label: k.Label()}
		n := 0
		for _, m := range meetings.MeetingModes {
			row.Cells = append(row.Cells, count("sessions."+string(k)+"."+string(m), s.Sessions[k][m]))
			n += s.Sessions[k][m]
		}
		t.Rows = append(t.Rows, append1(row, count("sessions."+string(k), n)))
	}
	return addTotalRow(t, "sessions")
}

func append1(r Row, c Cell) Row { r.Cells = append(r.Cells, c); return r }

// addTotalRow appends the total row, column by column, keyed prefix.total.<column>.
func addTotalRow(t *Table, prefix string) *Table {
	total := Row{Label: "Total", Total: true}
	for j := range t.Columns {
		sum := 0.0
		for _, r := range t.Rows {
			sum += r.Cells[j].Value
		}
		key := fmt.Sprintf("%s.total.%d", prefix, j)
		total.Cells = append(total.Cells, Cell{Key: key, Kind: CellCount, Value: sum})
	}
	t.Rows = append(t.Rows, total)
	t.TotalRow = true
	return t
}

func attendanceTable(s *AnnualStats) *Table {
	t := &Table{ID: "attendance", Title: "Présence par catégorie de membres", Def: "attendance",
		Columns: []string{"Sièges convoqués", "Présents", "Représentés", "dont suppléants", "Taux de présence"},
		Chart:   &Chart{Kind: "bar", Series: []int{1, 2}, Caption: "Présence par catégorie de membres"}}
	row := func(label string, a AttendanceCount, total bool) Row {
		return Row{Label: label, Total: total, Cells: []Cell{count("", a.Seats), count("", a.Present), count("", a.Represented),
			count("", a.Substitutes), rate("", "", a.Present+a.Represented, a.Seats)}}
	}
	for _, a := range s.Attendance {
		t.Rows = append(t.Rows, row(a.Category.Label(), a, false))
	}
	t.Rows = append(t.Rows, row("Ensemble", s.AttendanceTotal(), true))
	return t
}

func governanceTable(s *AnnualStats) *Table {
	tot := s.AttendanceTotal()
	return &Table{ID: "governance", Title: "Fonctionnement de la commission", Def: "governance", Columns: []string{"Nombre"},
		Rows: []Row{
			{Label: "Secondes convocations (sans quorum)", Cells: []Cell{count("", s.SecondConvocations)}},
			{Label: "Convocations en urgence", Cells: []Cell{count("", s.UrgentConvocations)}},
			{Label: "Procurations données", Cells: []Cell{count("", tot.Represented)}},
			{Label: "Suppléants ayant siégé", Cells: []Cell{count("", tot.Substitutes)}},
			{Label: "Avis acquis par la voix prépondérante", Cells: []Cell{count("", s.CastingVotes)}},
			{Label: "Opinions divergentes consignées", Cells: []Cell{count("", s.Dissents)}},
		}}
}

func filesTable(s *AnnualStats) *Table {
	t := &Table{ID: "files", Title: "Dossiers reçus et avis de la commission, par nature de demande", Def: "files", Sensitive: true,
		Columns: []string{"Reçus", "Avis favorables", "Avis favorables avec réserves", "Avis défavorables", "Examinés"},
		RowSums: []RowSum{{Total: 4, Parts: []int{1, 2, 3}}},
		Chart:   &Chart{Kind: "bar", Series: []int{0, 4}, Caption: "Dossiers reçus et examinés par nature"}}
	for _, k := range files.FileKinds {
		t.Rows = append(t.Rows, Row{Label: k.Label(), Cells: []Cell{
			count("files.received."+string(k), s.Received[k]),
			count("avis."+string(k)+".favorable", s.Avis[k][files.AvisFavorable]),
			count("avis."+string(k)+".reserve", s.Avis[k][files.AvisReserve]),
			count("avis."+string(k)+".defavorable", s.Avis[k][files.AvisDefavorable]),
			count("files.examined."+string(k), s.Examined(k)),
		}})
	}
	return addTotalRow(t, "files")
}

// decisionGroups groups the kinds of file for the decisions: first requests, renewals, others.
func decisionGroups(s *AnnualStats) []struct {
	key, label  string
	auth, refus int
} {
	out := []struct {
		key, label  string
		auth, refus int
	}{{key: "first", label: "Premières demandes (engagement)"}, {key: "renewal", label: "Renouvellements"}, {key: "other", label: "Autres demandes (fin, suspension, AFIS)"}}
	for k, m := range s.Decisions {
		i := 2
		switch k {
		case files.KindEngagement:
			i = 0
		case files.KindRenewal:
			i = 1
		}
		out[i].auth += m[files.DecisionAuthorised]
		out[i].refus += m[files.DecisionRefused]
	}
	return out
}

func decisionsTable(s *AnnualStats) *Table {
	t := &Table{ID: "decisions", Title: "Décisions du préfet et taux de refus", Def: "decisions", Sensitive: true,
		Columns: []string{"Autorisations", "Refus", "Décisions", "Taux de refus"},
		RowSums: []RowSum{{Total: 2, Parts: []int{0, 1}}},
		Chart:   &Chart{Kind: "stacked", Series: []int{0, 1}, Caption: "Décisions du préfet (autorisations et refus empilés)"}}
	ta, tr := 0, 0
	for _, g := range decisionGroups(s) {
		ka, kr, kt := "decisions."+g.key+".authorised", "decisions."+g.key+".refused", "decisions."+g.key
		t.Rows = append(t.Rows, Row{Label: g.label, Cells: []Cell{count(ka, g.auth), count(kr, g.refus), count(kt, g.auth+g.refus),
			rate(kr, kt, g.refus, g.auth+g.refus)}})
		ta += g.auth
		tr += g.refus
	}
	t.Rows = append(t.Rows, Row{Label: "Total", Total: true, Cells: []Cell{count("decisions.total.authorised", ta),
		count("decisions.total.refused", tr), count("decisions.total", ta+tr), rate("decisions.total.refused", "decisions.total", tr, ta+tr)}})
	t.TotalRow = true
	return t
}

func delaysTable(s *AnnualStats) *Table {
	t := &Table{ID: "delays", Title: "Délais d'instruction (jours)", Def: "delays", Sensitive: true,
		Columns: []string{"Dossiers", "Médiane (jours)", "90e centile (jours)"}}
	for i, d := range s.Delays {
		key := "delay." + strconv.Itoa(i)
		days := func(v float64) Cell {
			if d.N == 0 {
				return Cell{Kind: CellMissing}
			}
			return Cell{Kind: CellDays, Value: v, Base: d.N, Num: key}
		}
		t.Rows = append(t.Rows, Row{Label: DelayLabels[i], Cells: []Cell{count(key, d.N), days(d.Median), days(d.P90)}})
	}
	return t
}

func parcoursTable(s *AnnualStats) *Table {
	return &Table{ID: "parcours", Title: "Entrées, renouvellements et parcours en cours", Def: "parcours", Sensitive: true,
		Columns: []string{"Nombre"},
		Chart:   &Chart{Kind: "col", Series: []int{0}, Caption: "Mouvements des parcours"},
		Rows: []Row{
			{Label: "Parcours commencés (entrées)", Cells: []Cell{count("parcours.started", s.Started)}},
			{Label: "Périodes de renouvellement commencées", Cells: []Cell{count("parcours.renewed", s.Renewed)}},
			{Label: "Parcours terminés (sorties)", Cells: []Cell{count("parcours.ended", sumEnded(s))}},
			{Label: "Parcours en cours au " + files.FormatDate(s.RefDate), Cells: []Cell{count("parcours.inprogress", s.InProgress())}},
		}}
}

func sumEnded(s *AnnualStats) int {
	n := 0
	for _, v := range s.Ended {
		n += v
	}
	return n
}

func exitsTable(s *AnnualStats) *Table {
	t := &Table{ID: "exits", Title: "Sorties de parcours par motif", Def: "exits", Sensitive: true, Columns: []string{"Parcours terminés"}, TotalRow: true}
	for _, e := range files.EndReasons {
		t.Rows = append(t.Rows, Row{Label: e.Label(), Cells: []Cell{count("exits."+string(e), s.Ended[e])}})
	}
	t.Rows = append(t.Rows, Row{Label: "Total", Total: true, Cells: []Cell{count("parcours.ended", sumEnded(s))}})
	return t
}

func durationTable(s *AnnualStats) *Table {
	t := &Table{ID: "duration", Title: "Durée cumulée des parcours en cours au " + files.FormatDate(s.RefDate), Def: "duration", Sensitive: true,
		Columns: []string{"Parcours en cours"}, TotalRow: true,
		Chart: &Chart{Kind: "col", Series: []int{0}, Caption: "Durée cumulée des parcours en cours (histogramme)"}}
	for i, l := range DurationBandLabels {
		t.Rows = append(t.Rows, Row{Label: l, Cells: []Cell{count("duration."+strconv.Itoa(i), s.DurationBands[i])}})
	}
	t.Rows = append(t.Rows, Row{Label: "Total", Total: true, Cells: []Cell{count("parcours.inprogress", s.InProgress())}})
	return t
}

// profileTables are the beneficiaries by gender, age band, nationality and children.
func profileTables(s *AnnualStats) []*Table {
	cols := []string{"Entrées dans l'année", "En parcours au " + files.FormatDate(s.RefDate)}
	a, b := s.StartedProfile, s.InProgressProfile
	mk := func(id, title string, chart bool, labels []string, keys []string, va, vb []int) *Table {
		t := &Table{ID: id, Title: title, Def: "beneficiaries", Sensitive: true, Columns: cols, TotalRow: true}
		if chart {
			t.Chart = &Chart{Kind: "bar", Series: []int{0, 1}, Caption: title}
		}
		for i, l := range labels {
			t.Rows = append(t.Rows, Row{Label: l, Cells: []Cell{count("started."+id+"."+keys[i], va[i]), count("current."+id+"."+keys[i], vb[i])}})
		}
		t.Rows = append(t.Rows, Row{Label: "Total", Total: true, Cells: []Cell{count("parcours.started", a.Total), count("parcours.inprogress", b.Total)}})
		return t
	}
	var gl, gk []string
	var ga, gb []int
	for _, g := range files.Genders {
		gl, gk, ga, gb = append(gl, g.Label()), append(gk, string(g)), append(ga, a.Gender[g]), append(gb, b.Gender[g])
	}
	var al, ak []string
	var aa, ab []int
	for i, l := range AgeBandLabels {
		al, ak, aa, ab = append(al, l), append(ak, strconv.Itoa(i)), append(aa, a.AgeBands[i]), append(ab, b.AgeBands[i])
	}
	top := TopNationalities(10, a, b)
	var nl, nk []string
	var na, nb []int
	ra, rb := a.Total, b.Total
	for _, code := range top {
		label := files.CountryName(code) + " (" + code + ")"
		nl, nk, na, nb = append(nl, label), append(nk, code), append(na, a.Nationality[code]), append(nb, b.Nationality[code])
		ra -= a.Nationality[code]
		rb -= b.Nationality[code]
	}
	nl, nk, na, nb = append(nl, NationalityOthers), append(nk, "others"), append(na, ra), append(nb, rb)
	var cl, ck []string
	var ca, cb []int
	for i, l := range ChildrenBandLabels {
		cl, ck, ca, cb = append(cl, l), append(ck, strconv.Itoa(i)), append(ca, a.Children[i]), append(cb, b.Children[i])
	}
	return []*Table{
		mk("age", "Bénéficiaires par tranche d'âge", true, al, ak, aa, ab),
		mk("gender", "Bénéficiaires par sexe", false, gl, gk, ga, gb),
		mk("nationality", "Bénéficiaires par nationalité", false, nl, nk, na, nb),
		mk("children", "Bénéficiaires par nombre d'enfants à charge", false, cl, ck, ca, cb),
	}
}

func apsTable(s *AnnualStats) *Table {
	return &Table{ID: "aps", Title: "Autorisations provisoires de séjour (APS)", Def: "aps", Sensitive: true, Columns: []string{"APS"}, TotalRow: true,
		Rows: []Row{
			{Label: "Premières APS", Cells: []Cell{count("aps.first", s.APSFirst)}},
			{Label: "APS renouvelées", Cells: []Cell{count("aps.renewed", s.APSRenewed)}},
			{Label: "Total", Total: true, Cells: []Cell{count("aps.total", s.APSFirst+s.APSRenewed)}},
		}}
}

func afisTable(s *AnnualStats) *Table {
	n := s.AFISBeneficiaries
	return &Table{ID: "afis", Title: "Aide financière à l'insertion sociale (AFIS)", Def: "afis", Sensitive: true, Columns: []string{"Valeur"},
		Rows: []Row{
			{Label: "Bénéficiaires", Cells: []Cell{count("afis.persons", n)}},
			{Label: "Mensualités dues dans l'année", Cells: []Cell{{Kind: CellDays, Value: float64(s.AFISMonths), Base: n, Num: "afis.persons"}}},
			{Label: "Montant dû dans l'année", Cells: []Cell{{Kind: CellAmount, Value: float64(s.AFISCents), Base: n, Num: "afis.persons"}}},
		}}
}

func housingTable(s *AnnualStats) *Table {
	t := &Table{ID: "housing", Title: "Solutions de logement obtenues", Def: "housing", Sensitive: true, Columns: []string{"Périodes de droits"}}
	for _, h := range files.Housings[1:] {
		t.Rows = append(t.Rows, Row{Label: h.Label(), Cells: []Cell{count("housing."+string(h), s.Housing[h])}})
	}
	return addTotalRow(t, "housing")
}

func associationsTable(s *AnnualStats) *Table {
	t := &Table{ID: "associations", Title: "Activité des associations agréées", Def: "associations", Sensitive: true,
		Columns: []string{"Dossiers déposés", "Avis favorables", "Avis défavorables", "Parcours suivis"},
		Chart:   &Chart{Kind: "bar", Series: []int{0, 3}, Caption: "Dossiers déposés et parcours suivis par association"}}
	for _, a := range s.Associations {
		id := strconv.FormatInt(a.ID, 10)
		t.Rows = append(t.Rows, Row{Label: a.Name, Cells: []Cell{count("assoc."+id+".submitted", a.Submitted),
			count("assoc."+id+".fav", a.Favourable), count("assoc."+id+".unfav", a.Unfavourable), count("assoc."+id+".followed", a.Followed)}})
	}
	addTotalRow(t, "associations")
	t.Rows[len(t.Rows)-1].Cells[0].Key = "files.total.0" // the files received, all kinds
	return t
}

func monthlyTable(s *AnnualStats) *Table {
	t := &Table{ID: "monthly", Title: "Série mensuelle", Def: "monthly", Sensitive: true,
		Columns: []string{"Dossiers reçus", "Avis favorables", "Avis défavorables", "Autorisations", "Refus", "Parcours commencés"},
		Chart:   &Chart{Kind: "bar", Series: []int{0, 1, 2}, Caption: "Dossiers reçus et avis par mois"}}
	for i, m := range s.Monthly {
		k := "month." + strconv.Itoa(i+1) + "."
		t.Rows = append(t.Rows, Row{Label: monthNames[i], Cells: []Cell{count(k+"received", m.Received), count(k+"fav", m.Favourable),
			count(k+"unfav", m.Unfav), count(k+"authorised", m.Authorised), count(k+"refused", m.Refused), count(k+"started", m.Started)}})
	}
	addTotalRow(t, "monthly")
	last := t.Rows[len(t.Rows)-1].Cells
	last[0].Key, last[3].Key, last[4].Key, last[5].Key = "files.total.0", "decisions.total.authorised", "decisions.total.refused", "parcours.started"
	return t
}

// Text formats the cell for a reader: masked cells as « < min » or « s ».
func (c Cell) Text(min int) string {
	switch c.Mask {
	case Primary:
		return "< " + strconv.Itoa(min)
	case Secondary, SmallBase:
		return "s"
	}
	switch c.Kind {
	case CellCount:
		return FormatInt(int64(c.Value))
	case CellRate:
		return strings.Replace(strconv.FormatFloat(math.Round(c.Value*1000)/10, 'f', 1, 64), ".", ",", 1) + " %"
	case CellDays:
		if c.Value == math.Trunc(c.Value) {
			return FormatInt(int64(c.Value))
		}
		return strings.Replace(strconv.FormatFloat(c.Value, 'f', 1, 64), ".", ",", 1)
	case CellAmount:
		cents := int64(c.Value) // thousands spaced, as the other figures of the report
		return FormatInt(cents/100) + fmt.Sprintf(",%02d €", cents%100)
	case CellMissing:
		return "—"
	}
	return ""
}

// Hidden reports whether the cell is masked.
func (c Cell) Hidden() bool { return c.Mask != Shown }

// FormatInt writes n with a narrow no-break space between thousands, the French way.
func FormatInt(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteString("\u202f")
		}
		b.WriteRune(r)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}
