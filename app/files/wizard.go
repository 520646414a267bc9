package files

import (
	"fmt"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"seance/app/web"
	"seance/models"
	filesmodel "seance/models/files"
)

// The wizard of a request: 1 the request, 2 the person and their situation, 3 the
// association's proposal, 4 the attachments and the submission. The draft exists from
// step 2 on and is saved at every step; "Déposer" runs the transition to submitted.

// WizardStep is one step in the wizard's navigation.
type WizardStep struct {
	N       int
	Title   string
	URL     string // empty before the draft exists
	Current bool
}

// Wizard is what every step's template needs to show where the user is.
type Wizard struct {
	Current   int
	Total     int
	Title     string
	NextTitle string
	Steps     []WizardStep
	FileID    int64
	Reference string
	Kind      filesmodel.FileKind
	State     filesmodel.State
	Missing   []string // items the secretariat asked for, when incomplete
}

func stepTitles(k filesmodel.FileKind) []string {
	person := "Situation de la personne"
	if k == filesmodel.KindEngagement || k == "" {
		person = "Personne et situation"
	}
	return []string{"Demande", person, "Proposition de l'association", "Pièces et dépôt"}
}

func wizardFor(current int, f *filesmodel.File, kind filesmodel.FileKind) Wizard {
	titles := stepTitles(kind)
	w := Wizard{Current: current, Total: len(titles), Title: titles[current-1], Kind: kind}
	if current < len(titles) {
		w.NextTitle = titles[current]
	}
	if f != nil {
		w.FileID, w.Reference, w.State, w.Missing = f.ID, f.Reference, f.State, f.MissingItemList()
	}
	for i, t := range titles {
		s := WizardStep{N: i + 1, Title: t, Current: i+1 == current}
		if f != nil && i > 0 {
			s.URL = fileURL(f.ID) + []string{"", "/personne", "/proposition", "/pieces"}[i]
		}
		w.Steps = append(w.Steps, s)
	}
	return w
}

// kindHelp explains each kind of request on step 1.
var kindHelp = map[filesmodel.FileKind]string{
	filesmodel.KindEngagement: "Première entrée dans un parcours de sortie de la prostitution, ou nouvelle entrée après un parcours terminé.",
	filesmodel.KindRenewal:    "Nouvelle période de 6 mois pour un parcours en cours (24 mois de droits au plus au total).",
	filesmodel.KindEnd:        "Fin du parcours : engagements non tenus, départ de la personne ou vers un autre département.",
	filesmodel.KindSuspension: "Suspension du parcours et des droits, qu'un renouvellement pourra reprendre.",
	filesmodel.KindAFIS:       "Attribution ou réexamen de l'aide financière à l'insertion sociale et professionnelle pendant le parcours.",
}

// NewFile shows step 1, or step 2 once the request type is chosen (?type=…&parcours=…,
// as the "Préparer le renouvellement" links do).
func (h *Handler) NewFile(c *fiber.Ctx) error {
	u, ctx, now := web.User(c), c.UserContext(), h.Now()
	ps, err := filesmodel.ListParcours(ctx, h.DB, u, now)
	if err != nil {
		return err
	}
	form := KindForm{Kind: c.Query("type"), Parcours: c.Query("parcours")}
	if form.Kind == "" {
		if form.Parcours != "" {
			form.Kind = string(filesmodel.KindRenewal)
		}
		return h.renderKind(c, form, ps, nil)
	}
	ch, fe := form.Validate(ps)
	if len(fe) > 0 {
		c.Status(fiber.StatusUnprocessableEntity)
		return h.renderKind(c, form, ps, fe)
	}
	sit := SituationForm{WithIdentity: ch.Kind == filesmodel.KindEngagement && ch.Parcours == nil, Children: "0", HousingNeed: string(filesmodel.HousingNone)}
	if ch.Kind.NeedsParcours() {
		prev, _, err := h.previous(c, ch.Parcours.ID)
		if err != nil {
			return err
		}
		if prev != nil {
			sit = situationForm(prev, nil, nil)
		}
	}
	return h.renderNewSituation(c, form, ch, sit, nil)
}

func (h *Handler) renderKind(c *fiber.Ctx, form KindForm, ps []filesmodel.ParcoursSummary, fe models.FieldErrors) error {
	var open, ended []ParcoursRow
	for _, p := range ps {
		if p.Status == filesmodel.ParcoursEnded {
			ended = append(ended, parcoursRow(p, h.Now()))
		} else {
			open = append(open, parcoursRow(p, h.Now()))
		}
	}
	kinds := options(filesmodel.FileKinds)
	for i := range kinds {
		kinds[i].Help = kindHelp[filesmodel.FileKind(kinds[i].Value)]
	}
	return render(c, "files/new", fiber.Map{
		"Title": "Nouvelle demande — étape 1 sur 4", "Wizard": wizardFor(1, nil, ""), "Form": form, "Errors": fe,
		"Kinds": kinds, "Open": open, "Ended": ended,
	})
}

func (h *Handler) renderNewSituation(c *fiber.Ctx, form KindForm, ch choice, sit SituationForm, fe models.FieldErrors) error {
	data := fiber.Map{
		"Title": "Nouvelle demande — étape 2 sur 4", "Wizard": wizardFor(2, nil, ch.Kind), "KindForm": form, "Kind": ch.Kind,
		"Form": sit, "Errors": fe, "Action": "/dossiers/nouveau", "New": true,
	}
	if ch.Parcours != nil {
		data["Parcours"] = parcoursRow(*ch.Parcours, h.Now())
	}
	return h.renderSituation(c, data)
}

func (h *Handler) renderSituation(c *fiber.Ctx, data fiber.Map) error {
	data["Genders"], data["Housings"] = options(filesmodel.Genders), options(filesmodel.Housings)
	return render(c, "files/situation", data)
}

// previous returns the latest file of parcours pid that was submitted, with its
// proposal, to pre-fill a new request on that parcours; nil when there is none.
func (h *Handler) previous(c *fiber.Ctx, pid int64) (*filesmodel.File, *filesmodel.Proposal, error) {
	u, ctx, now := web.User(c), c.UserContext(), h.Now()
	ss, err := filesmodel.ListFiles(ctx, h.DB, u, filesmodel.FileFilter{ParcoursID: pid}, now)
	if err != nil {
		return nil, nil, err
	}
	for _, s := range ss {
		if s.State == filesmodel.StateDraft {
			continue
		}
		f, _, err := filesmodel.FindFile(ctx, h.DB, u, s.ID, now)
		if err != nil {
			return nil, nil, err
		}
		p, err := filesmodel.FileProposal(ctx, h.DB, h.Keys, u, s.ID, now)
		if err != nil {
			return nil, nil, err
		}
		return f, p, nil
	}
	return nil, nil, nil
}

// Create saves step 2 of a new request as a draft and goes on to the proposal.
func (h *Handler) Create(c *fiber.Ctx) error {
	u, ctx, now := web.User(c), c.UserContext(), h.Now()
	ps, err := filesmodel.ListParcours(ctx, h.DB, u, now)
	if err != nil {
		return err
	}
	form := KindForm{Kind: c.FormValue("type"), Parcours: c.FormValue("parcours")}
	ch, fe := form.Validate(ps)
	if len(fe) > 0 {
		c.Status(fiber.StatusUnprocessableEntity)
		return h.renderKind(c, form, ps, fe)
	}
	sit := parseSituation(c, ch.Kind == filesmodel.KindEngagement && ch.Parcours == nil)
	in := filesmodel.FileInput{Kind: ch.Kind}
	switch {
	case ch.Kind.NeedsParcours():
		in.ParcoursID = ch.Parcours.ID
		_, prev, err := h.previous(c, ch.Parcours.ID)
		if err != nil {
			return err
		}
		if prev != nil {
			in.Proposal = filesmodel.Proposal{Commitments: prev.Commitments, Actions: prev.Actions, ExpectedResults: prev.ExpectedResults}
		}
	case ch.Parcours != nil:
		in.PersonID = ch.Parcours.PersonID
	}
	var f *filesmodel.File
	fe, err = attempt(sit.apply(&in), func() (err error) {
		f, err = filesmodel.CreateFile(ctx, h.DB, h.Keys, u, in, now)
		return err
	})
	if err != nil {
		return err
	}
	if len(fe) == 0 {
		web.FlashSuccess(c, "Brouillon "+f.Reference+" enregistré. Rédigez maintenant la proposition de l'association.")
		return c.Redirect(fileURL(f.ID)+"/proposition", fiber.StatusSeeOther)
	}
	c.Status(fiber.StatusUnprocessableEntity)
	return h.renderNewSituation(c, form, ch, sit, fe)
}

// editable returns file id when the user may still change it.
func (h *Handler) editable(c *fiber.Ctx, id int64) (*filesmodel.File, error) {
	u := web.User(c)
	f, _, err := filesmodel.FindFile(c.UserContext(), h.DB, u, id, h.Now())
	if err != nil {
		return nil, err
	}
	if !filesmodel.MayEditFile(u, f) {
		return nil, fiber.NewError(fiber.StatusConflict, fmt.Sprintf("Le dossier %s est à l'état « %s » : il ne peut plus être modifié.", f.Reference, f.State.Label()))
	}
	return f, nil
}

// draft returns the file of the route's :id when the user may still change it, with
// what was saved of it, to change one step.
func (h *Handler) draft(c *fiber.Ctx) (*filesmodel.File, filesmodel.FileInput, error) {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return nil, filesmodel.FileInput{}, err
	}
	f, err := h.editable(c, id)
	if err != nil {
		return nil, filesmodel.FileInput{}, err
	}
	p, err := filesmodel.FileProposal(c.UserContext(), h.DB, h.Keys, web.User(c), id, h.Now())
	if err != nil {
		return nil, filesmodel.FileInput{}, err
	}
	return f, inputOf(f, p), nil
}

// EditSituation shows step 2 of a saved draft (an entry shows the identity: the display
// is audited).
func (h *Handler) EditSituation(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	f, err := h.editable(c, id)
	if err != nil {
		return err
	}
	u, ctx, now := web.User(c), c.UserContext(), h.Now()
	var ident *filesmodel.Identity
	sum, _, err := filesmodel.FindFileSummary(ctx, h.DB, u, id, now)
	if err != nil {
		return err
	}
	if f.Kind == filesmodel.KindEngagement {
		if ident, err = filesmodel.RevealIdentity(ctx, h.DB, h.Keys, u, id, now); err != nil {
			return err
		}
	}
	return h.renderEditSituation(c, f, situationForm(f, sum, ident), nil)
}

func (h *Handler) renderEditSituation(c *fiber.Ctx, f *filesmodel.File, form SituationForm, fe models.FieldErrors) error {
	return h.renderSituation(c, fiber.Map{
		"Title": "Dossier " + f.Reference + " — étape 2 sur 4", "Wizard": wizardFor(2, f, f.Kind), "Kind": f.Kind,
		"Form": form, "Errors": fe, "Action": fileURL(f.ID) + "/personne",
	})
}

// SaveSituation saves step 2 of a draft.
func (h *Handler) SaveSituation(c *fiber.Ctx) error {
	f, in, err := h.draft(c)
	if err != nil {
		return err
	}
	form := parseSituation(c, f.Kind == filesmodel.KindEngagement)
	fe, err := h.update(c, f, &in, form.apply(&in))
	if err != nil {
		return err
	}
	if len(fe) > 0 {
		c.Status(fiber.StatusUnprocessableEntity)
		return h.renderEditSituation(c, f, form, fe)
	}
	return h.saved(c, f, "/personne", "/proposition")
}

// update saves in unless the form already has errors, and returns the errors to show.
func (h *Handler) update(c *fiber.Ctx, f *filesmodel.File, in *filesmodel.FileInput, fe models.FieldErrors) (models.FieldErrors, error) {
	return attempt(fe, func() error {
		return filesmodel.UpdateFile(c.UserContext(), h.DB, h.Keys, web.User(c), f.ID, *in, h.Now())
	})
}

// saved redirects after a step was saved: to the next step, or back to this one when the
// user chose "Enregistrer le brouillon".
func (h *Handler) saved(c *fiber.Ctx, f *filesmodel.File, this, next string) error {
	if c.FormValue("suite") == "rester" {
		web.FlashSuccess(c, "Brouillon "+f.Reference+" enregistré.")
		return c.Redirect(fileURL(f.ID)+this, fiber.StatusSeeOther)
	}
	return c.Redirect(fileURL(f.ID)+next, fiber.StatusSeeOther)
}

// EditProposal shows step 3: the association's proposal.
func (h *Handler) EditProposal(c *fiber.Ctx) error {
	f, in, err := h.draft(c)
	if err != nil {
		return err
	}
	extra, _ := strconv.Atoi(c.Query("lignes"))
	return h.renderProposal(c, f, proposalForm(&in.Proposal, f).withBlankRows(1+min(max(extra, 0), 10), 3), nil)
}

func (h *Handler) renderProposal(c *fiber.Ctx, f *filesmodel.File, form ProposalForm, fe models.FieldErrors) error {
	rows := make([]ActionRowView, len(form.Actions))
	for i, a := range form.Actions {
		rows[i] = ActionRowView{ActionRow: a, N: i + 1, Key: fmt.Sprintf("actions.%d", i)}
	}
	return render(c, "files/proposal", fiber.Map{
		"Title": "Dossier " + f.Reference + " — étape 3 sur 4", "Wizard": wizardFor(3, f, f.Kind), "Kind": f.Kind,
		"Form": form, "Rows": rows, "Errors": fe, "Shown": shownFor(f.Kind), "ActionKinds": options(filesmodel.ActionKinds), "Avises": options(filesmodel.Avises),
		"EndReasons": options(filesmodel.EndReasonsRequested()), "FileID": f.ID,
	})
}

// ActionRowView is a row of planned action with its number and error key prefix.
type ActionRowView struct {
	ActionRow
	N   int
	Key string // "actions.0": errors are keyed Key+".kind", ".description", ".duration"
}

// SaveProposal saves step 3; "Ajouter une action" saves and shows one more blank row.
func (h *Handler) SaveProposal(c *fiber.Ctx) error {
	f, in, err := h.draft(c)
	if err != nil {
		return err
	}
	form := parseProposal(c)
	fe, err := h.update(c, f, &in, form.apply(&in, f.Kind))
	if err != nil {
		return err
	}
	if len(fe) > 0 {
		c.Status(fiber.StatusUnprocessableEntity)
		return h.renderProposal(c, f, form.withBlankRows(1, 3), fe)
	}
	if c.FormValue("suite") == "ligne" {
		return c.Redirect(fmt.Sprintf("%s/proposition?lignes=1#action-%d", fileURL(f.ID), len(form.Actions)), fiber.StatusSeeOther)
	}
	return h.saved(c, f, "/proposition", "/pieces")
}

// SubmitError is a reason why a file cannot be submitted yet, with the step to fix it.
type SubmitError struct {
	Message string
	URL     string
}

// submitStep is the wizard step where a field is entered.
func submitStep(field string) string {
	switch field {
	case "afis_requested", "children", "housing_need", "last_name", "first_name", "birth_year", "gender", "nationality":
		return "/personne"
	case models.FormLevel:
		return ""
	}
	return "/proposition"
}

// EditAttachments shows step 4: the attachments, a summary and the submission.
func (h *Handler) EditAttachments(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	return h.renderAttachments(c, id, nil)
}

// renderAttachments renders step 4; extra holds an upload's or a submission's errors.
func (h *Handler) renderAttachments(c *fiber.Ctx, id int64, extra fiber.Map) error {
	f, err := h.editable(c, id)
	if err != nil {
		return err
	}
	u, ctx, now := web.User(c), c.UserContext(), h.Now()
	as, err := filesmodel.ListAttachments(ctx, h.DB, h.Keys, u, id, now)
	if err != nil {
		return err
	}
	p, err := filesmodel.FileProposal(ctx, h.DB, h.Keys, u, id, now)
	if err != nil {
		return err
	}
	sum, _, err := filesmodel.FindFileSummary(ctx, h.DB, u, id, now)
	if err != nil {
		return err
	}
	var submit *filesmodel.TransitionOption
	for _, o := range filesmodel.AllowedTransitions(u, f) {
		if o.To == filesmodel.StateSubmitted {
			submit = &o
		}
	}
	data := fiber.Map{
		"Title": "Dossier " + f.Reference + " — étape 4 sur 4", "Wizard": wizardFor(4, f, f.Kind), "File": f, "Summary": sum,
		"Proposal": p, "Shown": shownFor(f.Kind), "Attachments": as, "AttachmentKinds": options(filesmodel.AttachmentKinds),
		"Submit": submit, "MayDelete": filesmodel.MayDeleteDraft(u, f), "UploadKind": "",
	}
	for k, v := range extra {
		data[k] = v
	}
	return render(c, "files/attachments", data)
}

// Submit runs the transition to submitted; what is missing is listed on step 4.
func (h *Handler) Submit(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	u, ctx, now := web.User(c), c.UserContext(), h.Now()
	err = filesmodel.Transition(ctx, h.DB, h.Keys, u, id, filesmodel.StateSubmitted, filesmodel.TransitionInput{}, now)
	if fe, ok := models.AsFieldErrors(err); ok {
		var list []SubmitError
		for _, k := range sortedKeys(fe) {
			se := SubmitError{Message: fe[k]}
			if step := submitStep(k); step != "" {
				se.URL = fileURL(id) + step
			}
			list = append(list, se)
		}
		c.Status(fiber.StatusUnprocessableEntity)
		return h.renderAttachments(c, id, fiber.Map{"SubmitErrors": list})
	}
	if err != nil {
		return err
	}
	sum, _, err := filesmodel.FindFileSummary(ctx, h.DB, u, id, now)
	if err != nil {
		return err
	}
	web.FlashSuccess(c, "Le dossier "+sum.Reference+" est déposé : le secrétariat de la commission va vérifier qu'il est complet.")
	return c.Redirect(fileURL(id), fiber.StatusSeeOther)
}

// DeleteDraft deletes a draft of the association.
func (h *Handler) DeleteDraft(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	u, ctx, now := web.User(c), c.UserContext(), h.Now()
	sum, _, err := filesmodel.FindFileSummary(ctx, h.DB, u, id, now)
	if err != nil {
		return err
	}
	err = filesmodel.DeleteDraft(ctx, h.DB, u, id, h.Now())
	if text := web.RefusalText(err); text != "" {
		return fiber.NewError(fiber.StatusConflict, text)
	}
	if err != nil {
		return err
	}
	web.FlashSuccess(c, "Le brouillon "+sum.Reference+" est supprimé.")
	return c.Redirect("/dossiers", fiber.StatusSeeOther)
}
