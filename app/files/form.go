package files

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"seance/app/web"
	"seance/models"
	filesmodel "seance/models/files"
)

// formValues returns every value of a repeated form field, in document order.
func formValues(c *fiber.Ctx, name string) []string {
	if mf, err := c.MultipartForm(); err == nil && mf != nil {
		return mf.Value[name]
	}
	var out []string
	for _, v := range c.Request().PostArgs().PeekMulti(name) {
		out = append(out, string(v))
	}
	return out
}

func checked(c *fiber.Ctx, name string) bool {
	v := c.FormValue(name)
	return v == "1" || v == "on" || v == "true"
}

// parseDate reads a date typed as 2026-03-02 (date inputs) or 02/03/2026 (browsers
// without a date picker). A blank value is the zero time.
func parseDate(fe models.FieldErrors, field, s string) time.Time {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}
	}
	for _, layout := range []string{time.DateOnly, "02/01/2006"} {
		if t, err := time.Parse(layout, s); err == nil {
			if !plausibleYear(t) {
				fe.Add(field, yearRangeError)
				return time.Time{}
			}
			return t
		}
	}
	fe.Add(field, "Date invalide : indiquez-la au format JJ/MM/AAAA.")
	return time.Time{}
}

// yearRangeError refuses a date outside plausibleYear.
const yearRangeError = "Date invalide : indiquez une année à partir de 1900."

// plausibleYear reports whether t's year may be that of a file's date: 1900 or later
// (dates in the future are the model's to refuse, with their own message). Year 1 would
// also read as a blank field (the zero time), found by FuzzDateFields.
func plausibleYear(t time.Time) bool { return t.Year() >= 1900 }

// parseMonth reads a month typed as 2026-03 (month inputs), 03/2026 or a full date, as
// the first day of that month.
func parseMonth(fe models.FieldErrors, field, s string) time.Time {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}
	}
	for _, layout := range []string{"2006-01", "01/2006", time.DateOnly, "02/01/2006"} {
		if t, err := time.Parse(layout, s); err == nil {
			if !plausibleYear(t) {
				fe.Add(field, yearRangeError)
				return time.Time{}
			}
			return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
		}
	}
	fe.Add(field, "Mois invalide : indiquez-le au format MM/AAAA.")
	return time.Time{}
}

// parseCount reads a whole number in 0..max; blank is 0.
func parseCount(fe models.FieldErrors, field, s, msg string) int {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		fe.Add(field, msg)
		return 0
	}
	return n
}

// isoOrEmpty formats an optional date for a date input.
func isoOrEmpty(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.Format(time.DateOnly)
}

// KindForm is step 1 of the wizard: what is asked, and about which parcours.
type KindForm struct {
	Kind     string
	Parcours string
}

// choice is a valid KindForm.
type choice struct {
	Kind     filesmodel.FileKind
	Parcours *filesmodel.ParcoursSummary // the parcours concerned, or the ended one of a re-entry
}

// Validate checks the request type and the parcours against those the association follows.
func (f *KindForm) Validate(ps []filesmodel.ParcoursSummary) (choice, models.FieldErrors) {
	fe := models.FieldErrors{}
	ch := choice{Kind: filesmodel.FileKind(f.Kind)}
	if !ch.Kind.Valid() {
		fe.Add("type", "Choisissez le type de demande.")
		return ch, fe
	}
	var p *filesmodel.ParcoursSummary
	if f.Parcours != "" && f.Parcours != "0" {
		id, err := strconv.ParseInt(f.Parcours, 10, 64)
		for i := range ps {
			if err == nil && ps[i].ID == id {
				p = &ps[i]
			}
		}
		if p == nil {
			fe.Add("parcours", "Choisissez un parcours dans la liste.")
			return ch, fe
		}
	}
	ended := p != nil && p.Status == filesmodel.ParcoursEnded
	switch {
	case ch.Kind.NeedsParcours() && p == nil:
		fe.Add("parcours", "Choisissez le parcours concerné par la demande.")
	case ch.Kind.NeedsParcours() && ended:
		fe.Add("parcours", "Ce parcours est terminé : une nouvelle entrée passe par une demande d'engagement.")
	case ch.Kind == filesmodel.KindEngagement && p != nil && !ended:
		fe.Add("parcours", "Cette personne a déjà un parcours en cours : choisissez « Renouvellement » ou une autre demande sur ce parcours.")
	}
	ch.Parcours = p
	return ch, fe
}

// SituationForm is step 2: the person (an entry) and their situation, as typed.
type SituationForm struct {
	WithIdentity bool // an entry: the identity is entered here

	LastName, FirstName, UsedName, BirthDate, BirthPlace string
	Phone, Email, Address, PostalCode, City              string
	Gender, BirthYear, Nationality                       string

	Children      string
	AFISRequested bool
	APSNeeded     bool
	HousingNeed   string
}

func parseSituation(c *fiber.Ctx, withIdentity bool) SituationForm {
	return SituationForm{
		WithIdentity: withIdentity,
		LastName:     c.FormValue("last_name"), FirstName: c.FormValue("first_name"), UsedName: c.FormValue("used_name"),
		BirthDate: c.FormValue("birth_date"), BirthPlace: c.FormValue("birth_place"),
		Phone: c.FormValue("phone"), Email: c.FormValue("email"), Address: c.FormValue("address"),
		PostalCode: c.FormValue("postal_code"), City: c.FormValue("city"),
		Gender: c.FormValue("gender"), BirthYear: c.FormValue("birth_year"), Nationality: c.FormValue("nationality"),
		Children: c.FormValue("children"), AFISRequested: checked(c, "afis_requested"), APSNeeded: checked(c, "aps_needed"),
		HousingNeed: c.FormValue("housing_need"),
	}
}

// situationForm fills the form from a saved file (and the identity, for an entry).
func situationForm(f *filesmodel.File, s *filesmodel.FileSummary, id *filesmodel.Identity) SituationForm {
	form := SituationForm{
		Children: strconv.Itoa(f.Children), AFISRequested: f.AFISRequested, APSNeeded: f.APSNeeded, HousingNeed: string(f.HousingNeed),
	}
	if id != nil {
		form.WithIdentity = true
		form.LastName, form.FirstName, form.UsedName, form.BirthDate, form.BirthPlace = id.LastName, id.FirstName, id.UsedName, id.BirthDate, id.BirthPlace
		form.Phone, form.Email, form.Address, form.PostalCode, form.City = id.Phone, id.Email, id.Address, id.PostalCode, id.City
		form.Gender, form.Nationality = string(s.Gender), s.Nationality
		if s.BirthYear != 0 {
			form.BirthYear = strconv.Itoa(s.BirthYear)
		}
	}
	return form
}

// apply copies the form into in; the models check the values themselves.
func (f *SituationForm) apply(in *filesmodel.FileInput) models.FieldErrors {
	fe := models.FieldErrors{}
	in.Children = parseCount(fe, "children", f.Children, "Indiquez le nombre d'enfants à charge en chiffres (0 si aucun).")
	in.AFISRequested, in.APSNeeded, in.HousingNeed = f.AFISRequested, f.APSNeeded, filesmodel.Housing(f.HousingNeed)
	in.Person = nil
	if f.WithIdentity {
		p := &filesmodel.PersonInput{
			Identity: filesmodel.Identity{
				LastName: f.LastName, FirstName: f.FirstName, UsedName: f.UsedName, BirthDate: f.BirthDate, BirthPlace: f.BirthPlace,
				Phone: f.Phone, Email: f.Email, Address: f.Address, PostalCode: f.PostalCode, City: f.City,
			},
			Gender: filesmodel.Gender(f.Gender), Nationality: f.Nationality,
		}
		if d := parseDate(fe, "birth_date", f.BirthDate); !d.IsZero() {
			p.Identity.BirthDate = d.Format(time.DateOnly)
		}
		p.BirthYear = parseCount(fe, "birth_year", f.BirthYear, "Indiquez l'année de naissance en chiffres, par exemple 1994.")
		in.Person = p
	}
	return fe
}

// ActionRow is one planned action as typed.
type ActionRow struct {
	Kind, Description, Duration, Result string
}

func (r ActionRow) blank() bool {
	return strings.TrimSpace(r.Kind+r.Description+r.Duration+r.Result) == ""
}

// ProposalForm is step 3: the association's proposal and avis, as typed.
type ProposalForm struct {
	Commitments, ExpectedResults, AchievedResults, Difficulties, AvisReasoning string
	AssociationAvis, EndReason                                                 string
	Actions                                                                    []ActionRow
	// Dropped counts the filled action rows beyond maxActions: they are refused, not kept.
	Dropped int
}

// maxActions bounds the rows of planned actions.
const maxActions = filesmodel.MaxPlannedActions

func parseProposal(c *fiber.Ctx) ProposalForm {
	f := ProposalForm{
		Commitments: c.FormValue("commitments"), ExpectedResults: c.FormValue("expected_results"),
		AchievedResults: c.FormValue("achieved_results"), Difficulties: c.FormValue("difficulties"),
		AvisReasoning: c.FormValue("avis_reasoning"), AssociationAvis: c.FormValue("association_avis"), EndReason: c.FormValue("end_reason"),
	}
	kinds, descs, durs, results := formValues(c, "action_kind"), formValues(c, "action_description"), formValues(c, "action_duration"), formValues(c, "action_result")
	n := max(len(kinds), len(descs), len(durs), len(results))
	at := func(vs []string, i int) string {
		if i < len(vs) {
			return vs[i]
		}
		return ""
	}
	for i := range n {
		r := ActionRow{Kind: at(kinds, i), Description: at(descs, i), Duration: at(durs, i), Result: at(results, i)}
		switch {
		case r.blank():
		case len(f.Actions) < maxActions:
			f.Actions = append(f.Actions, r)
		default:
			f.Dropped++
		}
	}
	return f
}

func proposalForm(p *filesmodel.Proposal, f *filesmodel.File) ProposalForm {
	form := ProposalForm{
		Commitments: p.Commitments, ExpectedResults: p.ExpectedResults, AchievedResults: p.AchievedResults,
		Difficulties: p.Difficulties, AvisReasoning: p.AvisReasoning, AssociationAvis: string(f.AssociationAvis), EndReason: string(f.EndReason),
	}
	for _, a := range p.Actions {
		r := ActionRow{Kind: string(a.Kind), Description: a.Description, Result: a.Result}
		if a.DurationMonths > 0 {
			r.Duration = strconv.Itoa(a.DurationMonths)
		}
		form.Actions = append(form.Actions, r)
	}
	return form
}

// withBlankRows returns the form with blank action rows added, at least total rows.
func (f ProposalForm) withBlankRows(blank, total int) ProposalForm {
	rows := append([]ActionRow{}, f.Actions...)
	for i := 0; i < blank || len(rows) < total; i++ {
		if len(rows) >= maxActions {
			break
		}
		rows = append(rows, ActionRow{})
	}
	f.Actions = rows
	return f
}

// Shown says which parts of the proposal a kind of request asks for.
type Shown struct {
	Commitments, Actions, Expected, Achieved, Difficulties, EndReason bool
}

func shownFor(k filesmodel.FileKind) Shown {
	switch k {
	case filesmodel.KindEngagement:
		return Shown{Commitments: true, Actions: true, Expected: true}
	case filesmodel.KindRenewal:
		return Shown{Commitments: true, Actions: true, Expected: true, Achieved: true, Difficulties: true}
	case filesmodel.KindEnd:
		return Shown{Achieved: true, Difficulties: true, EndReason: true}
	case filesmodel.KindSuspension:
		return Shown{Achieved: true, Difficulties: true}
	}
	return Shown{Achieved: true, Difficulties: true}
}

// apply copies the shown parts of the form into in, keeping the others as saved.
func (f *ProposalForm) apply(in *filesmodel.FileInput, kind filesmodel.FileKind) models.FieldErrors {
	fe := models.FieldErrors{}
	sh := shownFor(kind)
	p := &in.Proposal
	p.AvisReasoning = f.AvisReasoning
	in.AssociationAvis = filesmodel.Avis(f.AssociationAvis)
	if sh.Commitments {
		p.Commitments = f.Commitments
	}
	if sh.Expected {
		p.ExpectedResults = f.ExpectedResults
	}
	if sh.Achieved {
		p.AchievedResults = f.AchievedResults
	}
	if sh.Difficulties {
		p.Difficulties = f.Difficulties
	}
	if sh.EndReason {
		in.EndReason = filesmodel.EndReason(f.EndReason)
	}
	if sh.Actions && f.Dropped > 0 {
		fe.Add("actions", fmt.Sprintf("Indiquez au plus %d actions d'insertion (%d saisies) : regroupez-en ou retirez-en.", maxActions, maxActions+f.Dropped))
	}
	if sh.Actions {
		p.Actions = nil
		for i, r := range f.Actions {
			months := parseCount(fe, fmt.Sprintf("actions.%d.duration", i), r.Duration, fmt.Sprintf("Action %d : indiquez la durée en nombre de mois.", i+1))
			p.Actions = append(p.Actions, filesmodel.PlannedAction{Kind: filesmodel.ActionKind(r.Kind), Description: r.Description, DurationMonths: months, Result: r.Result})
		}
	}
	return fe
}

// inputOf rebuilds the input of a saved file, to change one step of it.
func inputOf(f *filesmodel.File, p *filesmodel.Proposal) filesmodel.FileInput {
	return filesmodel.FileInput{
		Kind: f.Kind, Children: f.Children, AFISRequested: f.AFISRequested, APSNeeded: f.APSNeeded, HousingNeed: f.HousingNeed,
		AssociationAvis: f.AssociationAvis, Proposal: *p, EndReason: f.EndReason,
	}
}

// commonMissingItems are offered as boxes to tick when declaring a file incomplete.
var commonMissingItems = []string{
	"Document de suivi signé par la personne",
	"Pièce d'identité ou titre de séjour",
	"Rapport de l'association",
	"Justificatif d'hébergement",
	"Motivation de l'avis de l'association",
}

// TransitionForm holds what the moves of a file need, as typed.
type TransitionForm struct {
	To                                    string
	Missing                               []string // ticked common items
	OtherMissing                          string   // one per line
	SessionDate                           string
	Avis, AvisOn                          string
	Outcome, DecidedOn                    string
	NotifiedPersonOn, NotifiedAssociation string
	AFISGranted                           bool
}

func parseTransition(c *fiber.Ctx) TransitionForm {
	return TransitionForm{
		To: c.FormValue("to"), Missing: formValues(c, "missing"), OtherMissing: c.FormValue("other_missing"),
		SessionDate: c.FormValue("session_date"), Avis: c.FormValue("avis"), AvisOn: c.FormValue("avis_on"),
		Outcome: c.FormValue("outcome"), DecidedOn: c.FormValue("decided_on"),
		NotifiedPersonOn: c.FormValue("notified_person_on"), NotifiedAssociation: c.FormValue("notified_association_on"),
		AFISGranted: checked(c, "afis_granted"),
	}
}

// Ticked reports whether a common missing item is ticked.
func (f TransitionForm) Ticked(item string) bool {
	for _, m := range f.Missing {
		if m == item {
			return true
		}
	}
	return false
}

func (f TransitionForm) input() (filesmodel.TransitionInput, models.FieldErrors) {
	fe := models.FieldErrors{}
	in := filesmodel.TransitionInput{
		SessionDate: parseDate(fe, "session_date", f.SessionDate),
		Avis:        filesmodel.Avis(f.Avis),
		AvisOn:      parseDate(fe, "avis_on", f.AvisOn),
		Decision: filesmodel.Decision{
			Outcome:               filesmodel.DecisionOutcome(f.Outcome),
			DecidedOn:             parseDate(fe, "decided_on", f.DecidedOn),
			NotifiedPersonOn:      parseDate(fe, "notified_person_on", f.NotifiedPersonOn),
			NotifiedAssociationOn: parseDate(fe, "notified_association_on", f.NotifiedAssociation),
			AFISGranted:           f.AFISGranted,
		},
	}
	in.MissingItems = append(in.MissingItems, f.Missing...)
	for _, l := range strings.Split(f.OtherMissing, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			in.MissingItems = append(in.MissingItems, l)
		}
	}
	return in, fe
}

// ObservationsForm is the observations step, as typed.
type ObservationsForm struct {
	InvitedOn, Means, ReceivedOn string
}

func (f ObservationsForm) input() (filesmodel.Observations, models.FieldErrors) {
	fe := models.FieldErrors{}
	return filesmodel.Observations{
		InvitedOn: parseDate(fe, "invited_on", f.InvitedOn), Means: filesmodel.ObservationMeans(f.Means), ReceivedOn: parseDate(fe, "received_on", f.ReceivedOn),
	}, fe
}

// AfterDecisionForm is the notification or the appeal of a decided file, as typed.
type AfterDecisionForm struct {
	NotifiedPersonOn, NotifiedAssociationOn string
	AppealOn, AppealNote                    string
}

// EndForm ends a parcours, as typed.
type EndForm struct {
	Reason, EndedOn string
}

// RightsForm is the rights of a period, as typed.
type RightsForm struct {
	APSRequested, APSGranted bool
	APSFrom, APSUntil        string
	AFISGranted              bool
	AFISChildren             string
	AFISFrom, AFISStopped    string
	HousingProvided          string
}

func parseRights(c *fiber.Ctx) RightsForm {
	return RightsForm{
		APSRequested: checked(c, "aps_requested"), APSGranted: checked(c, "aps_granted"),
		APSFrom: c.FormValue("aps_from"), APSUntil: c.FormValue("aps_until"),
		AFISGranted: checked(c, "afis_granted"), AFISChildren: c.FormValue("afis_children"),
		AFISFrom: c.FormValue("afis_from"), AFISStopped: c.FormValue("afis_stopped_from"),
		HousingProvided: c.FormValue("housing_provided"),
	}
}

func rightsForm(p *filesmodel.Period) RightsForm {
	month := func(t *time.Time) string {
		if t == nil {
			return ""
		}
		return t.Format("2006-01")
	}
	return RightsForm{
		APSRequested: p.APSRequested, APSGranted: p.APSGranted, APSFrom: isoOrEmpty(p.APSFrom), APSUntil: isoOrEmpty(p.APSUntil),
		AFISGranted: p.AFISGranted, AFISChildren: strconv.Itoa(p.AFISChildren), AFISFrom: month(p.AFISFrom), AFISStopped: month(p.AFISStoppedFrom),
		HousingProvided: string(p.HousingProvided),
	}
}

func (f RightsForm) input() (filesmodel.PeriodRights, models.FieldErrors) {
	fe := models.FieldErrors{}
	return filesmodel.PeriodRights{
		APSRequested: f.APSRequested, APSGranted: f.APSGranted,
		APSFrom: parseDate(fe, "aps_from", f.APSFrom), APSUntil: parseDate(fe, "aps_until", f.APSUntil),
		AFISGranted: f.AFISGranted, AFISChildren: parseCount(fe, "afis_children", f.AFISChildren, "Indiquez le nombre d'enfants à charge en chiffres."),
		AFISFrom: parseMonth(fe, "afis_from", f.AFISFrom), AFISStoppedFrom: parseMonth(fe, "afis_stopped_from", f.AFISStopped),
		HousingProvided: filesmodel.Housing(f.HousingProvided),
	}, fe
}

// merge adds the messages of more to fe, keeping fe's first.
func merge(fe models.FieldErrors, more models.FieldErrors) models.FieldErrors {
	for k, v := range more {
		fe.Add(k, v)
	}
	return fe
}

// fieldOrder is the order in which the wizard asks for the fields, to list errors the
// way the user meets the fields.
var fieldOrder = []string{
	models.FormLevel, "type", "parcours", "last_name", "first_name", "used_name", "birth_place", "birth_date", "birth_year", "gender",
	"nationality", "phone", "email", "address", "postal_code", "city", "children", "housing_need", "afis_requested",
	"end_reason", "commitments", "actions", "expected_results", "achieved_results", "difficulties", "association_avis", "avis_reasoning",
	"kind", "file", "missing_items", "session_date", "avis", "avis_on", "observations", "outcome", "decided_on",
	"notified_person_on", "notified_association_on", "afis_granted", "invited_on", "means", "received_on", "notified_on", "appeal_on",
	"reason", "ended_on", "aps_from", "aps_until", "afis_children", "afis_from", "afis_stopped_from", "housing_provided",
	"etat", "association", "echeance", "statut",
}

// sortedKeys returns the fields of fe in wizard order (actions.N.* with actions).
func sortedKeys(fe models.FieldErrors) []string {
	rank := func(k string) int {
		if strings.HasPrefix(k, "actions.") {
			k = "actions"
		}
		if i := slices.Index(fieldOrder, k); i >= 0 {
			return i
		}
		return len(fieldOrder)
	}
	keys := slices.Collect(maps.Keys(fe))
	slices.SortFunc(keys, func(a, b string) int {
		if c := cmp.Compare(rank(a), rank(b)); c != 0 {
			return c
		}
		return cmp.Compare(a, b)
	})
	return keys
}

// FieldMessage is one error of a form, for the summary at its top.
type FieldMessage struct {
	Field, Message string
}

// render renders a page of the feature; the form's errors are also listed in the order
// of the fields, for the summary at the top of the page.
func render(c *fiber.Ctx, name string, data fiber.Map) error {
	if fe, ok := data["Errors"].(models.FieldErrors); ok && len(fe) > 0 {
		list := make([]FieldMessage, 0, len(fe))
		for _, k := range sortedKeys(fe) {
			list = append(list, FieldMessage{Field: k, Message: fe[k]})
		}
		data["ErrorList"] = list
	}
	return web.Render(c, name, data)
}

// attempt runs write unless fe already holds the form's errors, and returns the errors to
// show: fe, or the FieldErrors the write was refused with. Other errors are returned.
func attempt(fe models.FieldErrors, write func() error) (models.FieldErrors, error) {
	if len(fe) > 0 {
		return fe, nil
	}
	err := write()
	if ferrs, ok := models.AsFieldErrors(err); ok {
		return ferrs, nil
	}
	return nil, err
}
