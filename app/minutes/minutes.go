// Package minutes holds the procès-verbal (minutes) of a session as a self-contained
// view-model, Minutes, and writes it as an Excel workbook (WriteXLSX), a PDF (WritePDF)
// or, through Sections, the print page views/minutes/print.html. It knows nothing of the
// web: handlers load a models.Minutes record, turn it into a Minutes with FromRecord and
// pass a writer.
//
// The view-model is what the commission approves: models.Minutes stores it as JSON
// (Encode), sealed with the keyring, when the draft is made, and the content hash of the
// locked version covers those exact bytes in clear. It never holds the identity of a person concerned by a file:
// files appear by their pseudonymous reference only; members appear by name, as
// CRPA R133-13 requires.
//
// # Filling the view-model (BuildMinutes, once sessions and votes exist)
//
//   - Commission: models.Commission Name, Department, ArreteRef; Authority is the
//     deciding authority as printed on the title ("Préfet de la Haute-Garonne").
//   - Session: the models.Meeting (MeetingID, Kind.Label(), Mode.Label(), Place); StartsAt
//     and EndsAt are the times the sitting was opened and closed (UTC);
//     SecondConvocation with FirstConvocationOn when Meeting.FirstConvocationID is set;
//     Urgency and UrgencyReason; ConvenedOn from Meeting.ConvenedAt.
//   - Chair and Secretary: who chaired and who kept the minutes (name and quality).
//   - Attendance: one Attendee per voting seat, in the order of the composition, from
//     models.Attendance: the titulaire's name, the seat's quality and category,
//     Status (AttNoReply is printed as absent), SubstituteName for AttSubstituted,
//     ProxyTo for AttProxy, and ProxyFrom on the holder's own row.
//   - Others: people heard or assisting without a vote (R133-6), secretariat included.
//   - Quorum: the numbers the sitting used: Members (voting seats), Present (sitting on
//     site, remotely or by suppléant), Represented (proxies), Required, Reached, and
//     NoQuorumRequired for a second convocation (R133-10).
//   - Items: the agenda in order. For a file: Reference (never the person's name),
//     Kind (models.FileKind.Label()), Association with AssociationRecused (R121-12-7),
//     Recusals (members who declared an interest, R133-12), Tally (nil: no vote),
//     Avis (the label of the commission's avis), Reasoning, Conditions, Dissents asked to
//     be recorded, and Ballots when the vote was not secret.
//   - Written: set only for a written electronic deliberation (ordonnance 2014-1329,
//     décret 2014-1627), with the contributions, printed as an annex.
//   - GeneratedAt: when the snapshot was made; TimeZone: the portal's zone name
//     (config.TimeZone, "Europe/Paris"), in which every time is printed.
//
// GeneralItems, Observations and Record come from the models.Minutes row (FromRecord),
// not from the JSON content: the secretariat edits the free texts of a draft, the rest is
// recorded data.
package minutes

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // the portal's zone is embedded: writers need no zoneinfo on the host

	"seance/app/web"
	"seance/models"
	"seance/models/keyring"
	"seance/models/meetings"
	minutesmodel "seance/models/minutes"
	"seance/models/sitting"
)

// Minutes is the complete content of a procès-verbal.
type Minutes struct {
	Commission  Commission `json:"commission"`
	Session     Session    `json:"session"`
	Chair       Person     `json:"chair"`
	Secretary   Person     `json:"secretary"`
	Attendance  []Attendee `json:"attendance"`
	Others      []Person   `json:"others,omitempty"` // attending without a vote (R133-6)
	Quorum      Quorum     `json:"quorum"`
	Items       []Item     `json:"items"`
	Written     *Written   `json:"written,omitempty"` // written electronic deliberation only
	GeneratedAt time.Time  `json:"generated_at"`
	TimeZone    string     `json:"time_zone"` // IANA name; "" means Europe/Paris

	// From the record, not the JSON content.
	GeneralItems string `json:"-"` // questions diverses, typed by the secretariat
	Observations string `json:"-"`
	Record       Record `json:"-"`

	loc *time.Location
}

// Commission is the commission as the title block shows it.
type Commission struct {
	Name       string `json:"name"`
	Department string `json:"department"` // "31"
	Authority  string `json:"authority"`  // "Préfet de la Haute-Garonne"
	ArreteRef  string `json:"arrete_ref"` // arrêté setting the composition
}

// Session is the sitting the minutes record.
type Session struct {
	MeetingID          int64      `json:"meeting_id"`
	Kind               string     `json:"kind"` // models.MeetingKind label
	Mode               string     `json:"mode"` // models.MeetingMode label
	Place              string     `json:"place"`
	StartsAt           time.Time  `json:"starts_at"` // opening of the sitting, UTC
	EndsAt             time.Time  `json:"ends_at"`   // closing of the sitting, UTC
	ConvenedOn         *time.Time `json:"convened_on,omitempty"`
	SecondConvocation  bool       `json:"second_convocation"`
	FirstConvocationOn *time.Time `json:"first_convocation_on,omitempty"` // the sitting that lacked a quorum
	Urgency            bool       `json:"urgency"`
	UrgencyReason      string     `json:"urgency_reason,omitempty"`
}

// Person is someone named in the minutes: a member, the chair, the secretary, a guest.
type Person struct {
	Name    string `json:"name"`
	Quality string `json:"quality"` // qualité: the office they hold or represent
}

// Attendee is one voting seat's participation, named after its titulaire.
type Attendee struct {
	Name           string                    `json:"name"`
	Quality        string                    `json:"quality"`
	Category       int                       `json:"category"` // 1 to 11 (CASF R121-12-7)
	CategoryLabel  string                    `json:"category_label"`
	Status         meetings.AttendanceStatus `json:"status"`
	SubstituteName string                    `json:"substitute_name,omitempty"` // the suppléant who sat
	ProxyTo        string                    `json:"proxy_to,omitempty"`        // holder of the proxy this member gave
	ProxyFrom      string                    `json:"proxy_from,omitempty"`      // member whose proxy this member holds
}

// PresenceLabel is how the minutes word the attendee's participation; a member who
// never answered and did not come is absent.
func (a Attendee) PresenceLabel() string {
	if a.Status == meetings.AttNoReply {
		return meetings.AttAbsent.Label()
	}
	return a.Status.Label()
}

// Representation says who replaced the member, whom they gave a proxy to and whose
// proxy they held, in one line ("" when none applies).
func (a Attendee) Representation() string {
	var parts []string
	if a.Status == meetings.AttSubstituted && a.SubstituteName != "" {
		parts = append(parts, "Suppléé(e) par "+a.SubstituteName)
	}
	if a.Status == meetings.AttProxy && a.ProxyTo != "" {
		parts = append(parts, "Procuration donnée à "+a.ProxyTo)
	}
	if a.ProxyFrom != "" {
		parts = append(parts, "Détient la procuration de "+a.ProxyFrom)
	}
	return strings.Join(parts, " ; ")
}

// Quorum is the quorum as the sitting established it (CRPA R133-10).
type Quorum struct {
	Members          int  `json:"members"`     // voting seats
	Present          int  `json:"present"`     // sitting on site, remotely or by their suppléant
	Represented      int  `json:"represented"` // by a proxy
	Required         int  `json:"required"`
	Reached          bool `json:"reached"`
	NoQuorumRequired bool `json:"no_quorum_required"` // second convocation
}

// Statement is the quorum sentence of the minutes.
func (q Quorum) Statement() string {
	n := q.Present + q.Represented
	count := fmt.Sprintf("%d membre%s présent%s ou représenté%s sur %d", n, plural(n), plural(n), plural(n), q.Members)
	switch {
	case q.NoQuorumRequired:
		return "Seconde convocation sur le même ordre du jour : la commission délibère valablement sans condition de quorum (CRPA, art. R133-10) ; " +
			count + "."
	case q.Reached:
		return fmt.Sprintf("Le quorum est atteint : %s (quorum : %d).", count, q.Required)
	}
	return fmt.Sprintf("Le quorum n'est pas atteint : %s (quorum : %d). La commission ne peut délibérer ; elle sera convoquée à nouveau sur le même ordre du jour (CRPA, art. R133-10).", count, q.Required)
}

// Item is one point of the agenda and what the commission did with it.
type Item struct {
	Number             int           `json:"number"` // position in the agenda, from 1
	Kind               string        `json:"kind"`   // request kind label, or agenda item kind label
	Title              string        `json:"title,omitempty"`
	Reference          string        `json:"reference,omitempty"` // pseudonymous file reference
	Association        string        `json:"association,omitempty"`
	AssociationRecused bool          `json:"association_recused,omitempty"`
	Recusals           []string      `json:"recusals,omitempty"` // members who did not take part (R133-12)
	Tally              *Tally        `json:"tally,omitempty"`    // nil: no vote on this point
	Avis               string        `json:"avis,omitempty"`     // label of the commission's avis
	Reasoning          string        `json:"reasoning,omitempty"`
	Conditions         string        `json:"conditions,omitempty"`
	Dissents           []Dissent     `json:"dissents,omitempty"`
	Ballots            []NamedBallot `json:"ballots,omitempty"` // when the vote was not secret
}

// Heading names the item: "Point 2 — Dossier 31-2026-0042 — Renouvellement".
func (it Item) Heading() string {
	parts := []string{"Point " + strconv.Itoa(it.Number)}
	if it.Reference != "" {
		parts = append(parts, "Dossier "+it.Reference)
	}
	if it.Kind != "" {
		parts = append(parts, it.Kind)
	}
	if it.Title != "" {
		parts = append(parts, it.Title)
	}
	return strings.Join(parts, " — ")
}

// Tally is the count of a vote (CRPA R133-11).
type Tally struct {
	Pour        int  `json:"pour"`
	Contre      int  `json:"contre"`
	Abstention  int  `json:"abstention"`
	CastingVote bool `json:"casting_vote"` // the chair's casting vote decided a tie
	// Expected is the number of voters present or represented called to vote (seats, for
	// a written vote); NotVoted, how many of them did not take part. Zero in minutes made
	// before they were recorded.
	Expected int  `json:"expected,omitempty"`
	NotVoted int  `json:"not_voted,omitempty"`
	Written  bool `json:"written,omitempty"` // counted by seat (written deliberation)
}

// Text is the tally in one line.
func (t Tally) Text() string {
	s := fmt.Sprintf("Pour : %d — Contre : %d — Abstention%s : %d", t.Pour, t.Contre, plural(t.Abstention), t.Abstention)
	if t.CastingVote {
		s += " — partage des voix : voix prépondérante du président (CRPA, art. R133-11)"
	}
	if p := t.Participation(); p != "" {
		s += " — " + p
	}
	return s
}

// Participation says how many of the voters called did not take part ("" in minutes
// made before it was recorded).
func (t Tally) Participation() string {
	n, of := t.NotVoted, t.Expected
	switch {
	case of == 0:
		return ""
	case t.Written && n > 0:
		return fmt.Sprintf("%d siège%s sur %d n'%s pas voté", n, plural(n), of, hasHave(n))
	case t.Written:
		return fmt.Sprintf("les %d sièges appelés à voter ont voté", of)
	case n > 0:
		return fmt.Sprintf("%d votant%s présent%s ou représenté%s sur %d n'%s pas pris part au vote", n, plural(n), plural(n), plural(n), of, hasHave(n))
	case of == 1:
		return "le votant présent a pris part au vote"
	}
	return fmt.Sprintf("les %d votants présents ou représentés ont tous pris part au vote", of)
}

// Dissent is an opinion a member asked to have recorded (R133-13).
type Dissent struct {
	Name string `json:"name"`
	Text string `json:"text"`
}

// Choice is a member's vote.
type Choice string

// The choices of a vote.
const (
	ChoicePour       Choice = "pour"
	ChoiceContre     Choice = "contre"
	ChoiceAbstention Choice = "abstention"
)

// Choices lists the choices in the order of the tally.
var Choices = []Choice{ChoicePour, ChoiceContre, ChoiceAbstention}

// Label is the French name of the choice.
func (c Choice) Label() string {
	switch c {
	case ChoicePour:
		return "Pour"
	case ChoiceContre:
		return "Contre"
	case ChoiceAbstention:
		return "Abstention"
	}
	return string(c)
}

// Count returns the tally's number for c.
func (t Tally) Count(c Choice) int {
	switch c {
	case ChoicePour:
		return t.Pour
	case ChoiceContre:
		return t.Contre
	case ChoiceAbstention:
		return t.Abstention
	}
	return 0
}

// NamedBallot is one member's recorded vote.
type NamedBallot struct {
	Name       string `json:"name"`
	Choice     Choice `json:"choice"`
	OnBehalfOf string `json:"on_behalf_of,omitempty"` // cast with the proxy of this member
	// Channel is how the ballot was cast: models.ChannelOnline by the member, or
	// models.ChannelRoom entered by RecordedBy ("" in minutes made before it was recorded).
	Channel    sitting.BallotChannel `json:"channel,omitempty"`
	RecordedBy string                `json:"recorded_by,omitempty"`
}

// ChannelLabel says how the ballot was cast: « en ligne », « en salle, saisi par … »
// ("" when the minutes do not record it).
func (b NamedBallot) ChannelLabel() string {
	switch b.Channel {
	case "":
		return ""
	case sitting.ChannelRoom:
		if b.RecordedBy == "" {
			return "en salle, saisi par le secrétariat"
		}
		return "en salle, saisi par " + b.RecordedBy
	}
	return "en ligne"
}

// Written is the record of a written electronic deliberation (décret 2014-1627).
type Written struct {
	OpensAt         time.Time      `json:"opens_at"`
	EarliestCloseAt time.Time      `json:"earliest_close_at"`
	ClosesAt        time.Time      `json:"closes_at"`
	Extended        bool           `json:"extended"` // the chair extended the debate (art. 4)
	VoteOpensAt     time.Time      `json:"vote_opens_at"`
	VoteClosesAt    time.Time      `json:"vote_closes_at"`
	Members         int            `json:"members"`
	Participants    int            `json:"participants"`
	Contributions   []Contribution `json:"contributions,omitempty"`
}

// ParticipationStatement says whether at least half the members took part
// (ordonnance 2014-1329, art. 4 II).
func (w Written) ParticipationStatement() string {
	need := (w.Members + 1) / 2
	s := fmt.Sprintf("%d membre%s sur %d %s pris part à la délibération (au moins %d requis)", w.Participants, plural(w.Participants), w.Members, hasHave(w.Participants), need)
	if w.Participants >= need {
		return s + " : la délibération est valable (ordonnance 2014-1329, art. 4 II)."
	}
	return s + " : la participation requise n'est pas atteinte (ordonnance 2014-1329, art. 4 II)."
}

// Contribution is one message of a written deliberation.
type Contribution struct {
	At   time.Time `json:"at"`
	Name string    `json:"name"`
	Item int       `json:"item"` // agenda point, 0 for the deliberation as a whole
	Text string    `json:"text"`
}

// Record is the workflow state of the stored version, from models.Minutes.
type Record struct {
	ID             int64
	Version        int
	Status         minutesmodel.MinutesStatus
	ValidatedAt    *time.Time
	SubmittedAt    *time.Time
	ApprovedAt     *time.Time
	ApprovalRef    string // the session that approved it, as written in its minutes
	LockedAt       *time.Time
	Hash           string
	PreviousHash   string // hash of the version this one corrects
	CorrectionNote string
}

// Counts are the attendance figures.
type Counts struct {
	Seats        int
	OnSite       int
	Remote       int
	Substituted  int // replaced by their suppléant
	ProxiesGiven int
	Excused      int
	Absent       int // absent without excuse, or no answer
}

// Sitting is the number of seats occupied (on site, remote or by a suppléant).
func (c Counts) Sitting() int { return c.OnSite + c.Remote + c.Substituted }

// Counts tallies the attendance list.
func (m *Minutes) Counts() Counts {
	c := Counts{Seats: len(m.Attendance)}
	for _, a := range m.Attendance {
		switch a.Status {
		case meetings.AttPresentOnSite:
			c.OnSite++
		case meetings.AttPresentRemote:
			c.Remote++
		case meetings.AttSubstituted:
			c.Substituted++
		case meetings.AttProxy:
			c.ProxiesGiven++
		case meetings.AttExcused:
			c.Excused++
		default:
			c.Absent++
		}
	}
	return c
}

// Encode returns the JSON content that models.CreateMinutesDraft stores.
func Encode(m *Minutes) ([]byte, error) {
	b, err := json.Marshal(m)
	if err != nil {
		return nil, fmt.Errorf("encode minutes: %w", err)
	}
	return b, nil
}

// Decode reads JSON content written by Encode.
func Decode(content []byte) (*Minutes, error) {
	m := new(Minutes)
	if err := json.Unmarshal(content, m); err != nil {
		return nil, fmt.Errorf("decode minutes: %w", err)
	}
	return m, nil
}

// FromRecord returns the minutes a stored version holds: its content, opened with kr,
// with its free texts and workflow state.
func FromRecord(r *minutesmodel.Minutes, kr *keyring.Keyring) (*Minutes, error) {
	content, err := r.Snapshot(kr)
	if err != nil {
		return nil, err
	}
	m, err := Decode(content)
	if err != nil {
		return nil, err
	}
	m.GeneralItems, m.Observations = r.GeneralItems, r.Observations
	m.Record = Record{
		ID: r.ID, Version: r.Version, Status: r.Status, ValidatedAt: r.ValidatedAt, SubmittedAt: r.SubmittedAt,
		ApprovedAt: r.ApprovedAt, ApprovalRef: r.ApprovalRef, LockedAt: r.LockedAt, Hash: r.ContentHash,
		PreviousHash: r.PreviousHash, CorrectionNote: r.CorrectionNote,
	}
	return m, nil
}

// Location returns the zone times are printed in.
func (m *Minutes) Location() (*time.Location, error) {
	if m.loc != nil {
		return m.loc, nil
	}
	name := m.TimeZone
	if name == "" || name == models.Paris.String() {
		m.loc = models.Paris // loaded once: LoadLocation reads the zone file each time
		return m.loc, nil
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, fmt.Errorf("minutes time zone: %w", err)
	}
	m.loc = loc
	return loc, nil
}

// local converts t to the minutes' zone (Europe/Paris when the zone is unknown:
// the writers check it first).
func (m *Minutes) local(t time.Time) time.Time {
	loc, err := m.Location()
	if err != nil {
		loc = time.UTC
	}
	return t.In(loc)
}

// Date formats t as "24 novembre 2026" ("1er" for the first of the month).
func (m *Minutes) Date(t time.Time) string {
	t = m.local(t)
	d := strconv.Itoa(t.Day())
	if t.Day() == 1 {
		d = "1er"
	}
	return d + " " + web.MonthsFR[t.Month()-1] + " " + strconv.Itoa(t.Year())
}

// LongDate formats t as "mardi 24 novembre 2026".
func (m *Minutes) LongDate(t time.Time) string {
	return web.WeekdaysFR[m.local(t).Weekday()] + " " + m.Date(t)
}

// Clock formats the time of day of t as "14 h 30".
func (m *Minutes) Clock(t time.Time) string { return m.local(t).Format("15 h 04") }

// DateTime formats t as "24/11/2026 à 14 h 30".
func (m *Minutes) DateTime(t time.Time) string { return m.local(t).Format("02/01/2006 à 15 h 04") }

// ShortDate formats t as "24/11/2026".
func (m *Minutes) ShortDate(t time.Time) string { return m.local(t).Format("02/01/2006") }

// Title is the title of the document.
func (m *Minutes) Title() string {
	return "Procès-verbal de la séance du " + m.LongDate(m.Session.StartsAt)
}

// StatusLine says where the version stands; it is printed on every page.
func (m *Minutes) StatusLine() string {
	r := m.Record
	v := "Version " + strconv.Itoa(max(r.Version, 1))
	switch r.Status {
	case minutesmodel.MinutesValidated:
		return v + " — projet validé par le président" + m.on(r.ValidatedAt) + ", soumis à l'approbation de la commission à sa prochaine séance"
	case minutesmodel.MinutesSubmitted:
		return v + " — projet inscrit à l'ordre du jour de la séance suivante pour approbation"
	case minutesmodel.MinutesApproved:
		return v + " — approuvé" + m.on(r.ApprovedAt) + m.approvalRef()
	case minutesmodel.MinutesLocked:
		return v + " — approuvé" + m.on(r.ApprovedAt) + m.approvalRef() + " — verrouillé, empreinte " + ShortHash(r.Hash)
	}
	return v + " — PROJET : document de travail, non approuvé"
}

// CorrectionLine describes the version this one corrects ("" for a first version).
func (m *Minutes) CorrectionLine() string {
	r := m.Record
	if r.PreviousHash == "" {
		return ""
	}
	s := fmt.Sprintf("Version rectificative de la version %d (empreinte %s)", max(r.Version-1, 1), ShortHash(r.PreviousHash))
	if r.CorrectionNote != "" {
		s += " : " + r.CorrectionNote
	}
	return s
}

func (m *Minutes) on(t *time.Time) string {
	if t == nil {
		return ""
	}
	return " le " + m.ShortDate(*t)
}

func (m *Minutes) approvalRef() string {
	if m.Record.ApprovalRef == "" {
		return ""
	}
	return " (" + m.Record.ApprovalRef + ")"
}

// ShortHash abbreviates a SHA-256 hex digest for print: its first 16 characters.
func ShortHash(h string) string {
	if len(h) > 16 {
		return h[:16] + "…"
	}
	return h
}

// FileName names an export: "PV-31-2026-11-24.xlsx", with "-v2" for a corrected version.
func FileName(m *Minutes, ext string) string {
	return baseName(m) + "." + strings.TrimPrefix(ext, ".")
}

// baseName is FileName without the extension.
func baseName(m *Minutes) string {
	dep := strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' || r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' {
			return r
		}
		return -1
	}, m.Commission.Department)
	if dep == "" {
		dep = "commission"
	}
	name := "PV-" + dep + "-" + m.local(m.Session.StartsAt).Format(time.DateOnly)
	if m.Record.Version > 1 {
		name += "-v" + strconv.Itoa(m.Record.Version)
	}
	return name
}

// Mentions returns where any of names (compared without case or accents) appears in
// the texts of the minutes: a check the web layer runs with the identities of the
// persons concerned by the session's files before it accepts a free text, since those
// identities must never appear in the minutes.
func (m *Minutes) Mentions(names ...string) []string {
	var keys []string
	for _, n := range names {
		if k := fold(n); len(k) >= 3 {
			keys = append(keys, k)
		}
	}
	var out []string
	check := func(where, text string) {
		t := fold(text)
		for _, k := range keys {
			if strings.Contains(t, k) {
				out = append(out, where)
				return
			}
		}
	}
	check("Questions diverses", m.GeneralItems)
	check("Observations", m.Observations)
	for _, it := range m.Items {
		h := "Point " + strconv.Itoa(it.Number)
		check(h+" — intitulé", it.Title)
		check(h+" — motivation", it.Reasoning)
		check(h+" — conditions", it.Conditions)
		for _, d := range it.Dissents {
			check(h+" — opinion divergente de "+d.Name, d.Text)
		}
	}
	if m.Written != nil {
		for _, c := range m.Written.Contributions {
			check("Contribution de "+c.Name, c.Text)
		}
	}
	return out
}

// fold lowercases s, removes the common accents and collapses spaces.
func fold(s string) string {
	r := strings.NewReplacer("à", "a", "â", "a", "ä", "a", "á", "a", "ç", "c", "é", "e", "è", "e", "ê", "e", "ë", "e",
		"î", "i", "ï", "i", "í", "i", "ô", "o", "ö", "o", "ó", "o", "ù", "u", "û", "u", "ü", "u", "ú", "u", "ÿ", "y",
		"ñ", "n", "œ", "oe", "æ", "ae", "’", "'", "-", " ")
	return strings.Join(strings.Fields(r.Replace(strings.ToLower(s))), " ")
}

func plural(n int) string {
	if n > 1 {
		return "s"
	}
	return ""
}

func hasHave(n int) string {
	if n > 1 {
		return "ont"
	}
	return "a"
}

// errNoSession is returned by the writers for minutes without a session date.
var errNoSession = errors.New("minutes: the session has no date")
