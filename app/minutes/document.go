package minutes

import (
	"fmt"
	"strconv"
	"strings"
)

// Section is one titled part of the procès-verbal. The workbook's "Procès-verbal" sheet,
// the PDF and the print page all lay out the same sections, so that they say the same.
type Section struct {
	Title   string
	Blocks  []Block
	NewPage bool // starts on a new page (the annex)
}

// Block is one element of a section; the parts that are set are shown in this order:
// Heading, Fields, Table, Text, Signatures.
type Block struct {
	Heading    string
	Fields     []Field
	Table      *Table
	Text       string
	Signatures []Signature
}

// Field is a label and its value.
type Field struct {
	Label  string
	Value  string
	Strong bool // the value is what the reader looks for (the avis, the quorum)
}

// Table is a table of text cells.
type Table struct {
	Caption string // what the table lists, for screen readers
	Columns []string
	// Spans gives how many of the layout's 4 columns each column takes; nil: one each,
	// the last column taking the rest.
	Spans []int
	Rows  [][]string
}

// Signature is a signature block.
type Signature struct {
	Role   string // "Le président de séance"
	Person Person
}

// gridColumns is the number of layout columns of the procès-verbal.
const gridColumns = 4

// spans returns the layout columns each column of t takes.
func (t *Table) spans() []int {
	if len(t.Spans) == len(t.Columns) {
		return t.Spans
	}
	out := make([]int, len(t.Columns))
	for i := range out {
		out[i] = 1
	}
	if n := len(out); n > 0 && n < gridColumns {
		out[n-1] = gridColumns - n + 1
	}
	return out
}

// TitleLines are the lines of the title block, before the sections: authority,
// commission, document title, session date, then the version's status and, for a
// corrected version, what it corrects.
func (m *Minutes) TitleLines() []string {
	lines := []string{m.Commission.Authority, m.Commission.Name, "PROCÈS-VERBAL", "Séance du " + m.LongDate(m.Session.StartsAt), m.StatusLine()}
	if c := m.CorrectionLine(); c != "" {
		lines = append(lines, c)
	}
	return lines
}

// Sections returns the content of the procès-verbal in order (CRPA R133-13): the
// session, attendance and quorum, the written deliberation if any, each item with its
// vote, avis and dissents, the general items, the observations, the signatures and the
// annex of contributions.
func (m *Minutes) Sections() []Section {
	var out []Section
	add := func(title string, blocks ...Block) {
		out = append(out, Section{Title: fmt.Sprintf("%d. %s", len(out)+1, title), Blocks: blocks})
	}
	add("La séance", Block{Fields: m.sessionFields()})
	add("Présences et quorum", m.attendanceBlocks()...)
	if m.Written != nil {
		add("Délibération électronique écrite", Block{Fields: m.writtenFields()})
	}
	add("Points examinés", m.itemBlocks()...)
	add("Questions diverses", Block{Text: orNone(m.GeneralItems)})
	if strings.TrimSpace(m.Observations) != "" {
		add("Observations", Block{Text: m.Observations})
	}
	out = append(out, Section{Title: "Signatures", Blocks: []Block{{Signatures: []Signature{
		{Role: "Le président de séance", Person: m.Chair},
		{Role: "Le secrétaire de séance", Person: m.Secretary},
	}}}})
	if m.Written != nil && len(m.Written.Contributions) > 0 {
		out = append(out, Section{Title: "Annexe — Contributions à la délibération écrite", NewPage: true, Blocks: []Block{{Table: m.contributionsTable()}}})
	}
	return out
}

func (m *Minutes) sessionFields() []Field {
	s := m.Session
	f := []Field{{Label: "Date", Value: m.LongDate(s.StartsAt)}}
	if !s.EndsAt.IsZero() {
		f = append(f, Field{Label: "Horaires", Value: "Séance ouverte à " + m.Clock(s.StartsAt) + ", levée à " + m.Clock(s.EndsAt)})
	} else {
		f = append(f, Field{Label: "Horaires", Value: "Séance ouverte à " + m.Clock(s.StartsAt)})
	}
	f = append(f, Field{Label: "Nature", Value: s.Kind}, Field{Label: "Modalité", Value: s.Mode})
	if s.Place != "" {
		f = append(f, Field{Label: "Lieu", Value: s.Place})
	}
	conv := "Première convocation"
	if s.ConvenedOn != nil {
		conv += ", adressée le " + m.ShortDate(*s.ConvenedOn)
	}
	if s.SecondConvocation {
		conv = "Seconde convocation sur le même ordre du jour"
		if s.FirstConvocationOn != nil {
			conv += ", la séance du " + m.ShortDate(*s.FirstConvocationOn) + " n'ayant pas réuni le quorum"
		}
		conv += " : la commission délibère sans condition de quorum (CRPA, art. R133-10)"
	}
	f = append(f, Field{Label: "Convocation", Value: conv})
	urgency := "Non"
	if s.Urgency {
		urgency = "Oui : convocation dans un délai réduit (CRPA, art. R133-8)"
		if s.UrgencyReason != "" {
			urgency += " — " + s.UrgencyReason
		}
	}
	f = append(f, Field{Label: "Urgence", Value: urgency}, Field{Label: "Présidence", Value: personLine(m.Chair)})
	if m.Secretary.Name != "" {
		f = append(f, Field{Label: "Secrétariat de séance", Value: personLine(m.Secretary)})
	}
	if m.Commission.ArreteRef != "" {
		f = append(f, Field{Label: "Composition", Value: "Arrêté " + m.Commission.ArreteRef})
	}
	return f
}

func (m *Minutes) attendanceBlocks() []Block {
	t := &Table{Caption: "Liste de présence des membres ayant voix délibérative", Columns: []string{"Membre", "Qualité", "Participation", "Suppléance ou procuration"}}
	for _, a := range m.Attendance {
		q := a.Quality
		if a.Category > 0 {
			q += " (catégorie " + strconv.Itoa(a.Category) + ")"
		}
		t.Rows = append(t.Rows, []string{a.Name, q, a.PresenceLabel(), a.Representation()})
	}
	c := m.Counts()
	summary := fmt.Sprintf("%d siège%s avec voix délibérative : %d présent%s sur place, %d à distance, %d représenté%s par leur suppléant, %d procuration%s, %d excusé%s, %d absent%s.",
		c.Seats, plural(c.Seats), c.OnSite, plural(c.OnSite), c.Remote, c.Substituted, plural(c.Substituted),
		c.ProxiesGiven, plural(c.ProxiesGiven), c.Excused, plural(c.Excused), c.Absent, plural(c.Absent))
	blocks := []Block{{Table: t, Fields: []Field{
		{Label: "Récapitulatif", Value: summary},
		{Label: "Quorum", Value: m.Quorum.Statement(), Strong: true},
	}}}
	if len(m.Others) > 0 {
		o := &Table{Caption: "Personnes assistant à la séance sans voix délibérative", Columns: []string{"Nom", "Qualité"}}
		for _, p := range m.Others {
			o.Rows = append(o.Rows, []string{p.Name, p.Quality})
		}
		blocks = append(blocks, Block{Heading: "Assistaient également, sans voix délibérative (CRPA, art. R133-6)", Table: o})
	}
	return blocks
}

func (m *Minutes) writtenFields() []Field {
	w := m.Written
	closes := m.DateTime(w.ClosesAt)
	if w.Extended {
		closes += " (délai prolongé par le président)"
	}
	return []Field{
		{Label: "Ouverture des échanges", Value: m.DateTime(w.OpensAt)},
		{Label: "Clôture au plus tôt", Value: m.DateTime(w.EarliestCloseAt)},
		{Label: "Clôture des échanges", Value: closes},
		{Label: "Vote", Value: "Du " + m.DateTime(w.VoteOpensAt) + " au " + m.DateTime(w.VoteClosesAt)},
		{Label: "Participation", Value: w.ParticipationStatement(), Strong: true},
		{Label: "Contributions", Value: contributionsLine(len(w.Contributions))},
	}
}

func contributionsLine(n int) string {
	if n == 0 {
		return "Aucune contribution n'a été adressée."
	}
	return fmt.Sprintf("%d contribution%s, reproduite%s en annexe.", n, plural(n), plural(n))
}

func (m *Minutes) itemBlocks() []Block {
	if len(m.Items) == 0 {
		return []Block{{Text: "Aucun point n'a été examiné."}}
	}
	var out []Block
	for _, it := range m.Items {
		var f []Field
		if it.Association != "" {
			v := it.Association
			if it.AssociationRecused {
				v += " — association ayant instruit le dossier : ne siège pas et ne prend pas part au vote (CASF, art. R121-12-7)"
			}
			f = append(f, Field{Label: "Association instructrice", Value: v})
		}
		if len(it.Recusals) > 0 {
			f = append(f, Field{Label: "Déports", Value: strings.Join(it.Recusals, ", ") + " : ne prennent pas part à l'examen ni au vote (CRPA, art. R133-12)"})
		} else if it.Reference != "" {
			f = append(f, Field{Label: "Déports", Value: "Aucun"})
		}
		if it.Tally != nil {
			f = append(f, Field{Label: "Vote", Value: it.Tally.Text()})
		}
		if b := ballotsLine(it.Ballots); b != "" {
			f = append(f, Field{Label: "Votes nominatifs", Value: b})
		}
		if it.Avis != "" {
			f = append(f, Field{Label: "Avis", Value: it.Avis, Strong: true})
		}
		if it.Reasoning != "" {
			f = append(f, Field{Label: "Motivation", Value: it.Reasoning})
		}
		if it.Conditions != "" {
			f = append(f, Field{Label: "Conditions", Value: it.Conditions})
		}
		for _, d := range it.Dissents {
			f = append(f, Field{Label: "Opinion divergente", Value: d.Name + " : « " + d.Text + " »"})
		}
		out = append(out, Block{Heading: it.Heading(), Fields: f})
	}
	return out
}

// ballotsLine lists the named ballots by choice: "Pour : A, B ; Contre : C".
func ballotsLine(bs []NamedBallot) string {
	var parts []string
	for _, c := range Choices {
		var names []string
		for _, b := range bs {
			if b.Choice == c {
				names = append(names, b.label())
			}
		}
		if len(names) > 0 {
			parts = append(parts, c.Label()+" : "+strings.Join(names, ", "))
		}
	}
	return strings.Join(parts, " ; ")
}

func (b NamedBallot) label() string {
	var notes []string
	if b.OnBehalfOf != "" {
		notes = append(notes, "procuration de "+b.OnBehalfOf)
	}
	if c := b.ChannelLabel(); c != "" {
		notes = append(notes, c)
	}
	if len(notes) == 0 {
		return b.Name
	}
	return b.Name + " (" + strings.Join(notes, ", ") + ")"
}

func (m *Minutes) contributionsTable() *Table {
	t := &Table{Caption: "Contributions à la délibération écrite", Columns: []string{"Date et auteur", "Contribution"}}
	for _, c := range m.Written.Contributions {
		who := m.DateTime(c.At) + "\n" + c.Name
		if c.Item > 0 {
			who += "\nPoint " + strconv.Itoa(c.Item)
		}
		t.Rows = append(t.Rows, []string{who, c.Text})
	}
	return t
}

func personLine(p Person) string {
	if p.Quality == "" {
		return p.Name
	}
	if p.Name == "" {
		return p.Quality
	}
	return p.Name + ", " + p.Quality
}

func orNone(s string) string {
	if strings.TrimSpace(s) == "" {
		return "Néant."
	}
	return s
}
