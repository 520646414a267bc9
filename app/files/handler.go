// Package files serves the screens of individual files and parcours: an association's
// files and its request wizard, the secretariat's incoming files, admissibility check and
// filtered list, the file page with its history and actions, and the parcours with their
// periods of rights. Every read goes through the models' access checks; identities and
// attachments are shown only through the audited model functions.
package files

import (
	"cmp"
	"html/template"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/uptrace/bun"

	"seance/app/web"
	"seance/models"
	filesmodel "seance/models/files"
	"seance/models/keyring"
	"seance/models/registry"
)

// Handler serves the files and parcours screens.
type Handler struct {
	DB   *bun.DB
	Keys *keyring.Keyring
	Now  func() time.Time

	// lists keeps the file lists of the secretariat and the president, their tables
	// rendered, until the next write (NewHandler): reading and rendering a page of 50
	// files is most of the page's cost (issue 17).
	lists *models.Memo[listKey, *listView]
	// records keeps, by file, what its page reads from the database, still sealed
	// (files.FileRecord), until the next write: each request checks the access and
	// opens the proposal and the attachments' names for itself.
	records *models.Memo[recordKey, *filesmodel.FileRecord]
}

// recordKey names a file's record: the commission it is read in, and the file.
type recordKey struct{ cid, id int64 }

// NewHandler returns the files handler h with the lists and the files' records kept
// until the next write w counts, and at most maxAge.
func NewHandler(h Handler, w *models.Writes, maxAge time.Duration) *Handler {
	h.lists = &models.Memo[listKey, *listView]{Writes: w, MaxAge: maxAge, Max: 64}
	h.records = &models.Memo[recordKey, *filesmodel.FileRecord]{Writes: w, MaxAge: maxAge, Max: 256}
	return &h
}

// pageSize is the number of files per page of the list.
const pageSize = 50

// renewalHorizon is how far ahead the dashboard and the association's list look for
// periods to renew, in days.
const renewalHorizon = 60

// List shows the files the user may see: an association's own files by stage, or every
// file of the commission, with filters, for the secretariat and the president.
func (h *Handler) List(c *fiber.Ctx) error {
	if web.User(c).Role == models.RoleAssociation {
		return h.mine(c)
	}
	return h.all(c)
}

func (h *Handler) mine(c *fiber.Ctx) error {
	u, ctx, now := web.User(c), c.UserContext(), h.Now()
	ss, err := filesmodel.ListFiles(ctx, h.DB, u, filesmodel.FileFilter{}, now)
	if err != nil {
		return err
	}
	var toComplete, inProgress, decided []filesmodel.FileSummary
	for _, s := range ss {
		switch s.State {
		case filesmodel.StateDraft, filesmodel.StateIncomplete:
			toComplete = append(toComplete, s)
		case filesmodel.StateDecided:
			decided = append(decided, s)
		default:
			inProgress = append(inProgress, s)
		}
	}
	ps, err := filesmodel.ListParcours(ctx, h.DB, u, now)
	if err != nil {
		return err
	}
	var renewals []ParcoursRow
	for _, p := range ps {
		if r := parcoursRow(p, now); r.Renewable && r.DueInDays <= renewalHorizon {
			renewals = append(renewals, r)
		}
	}
	return render(c, "files/mine", fiber.Map{
		"Title": "Mes dossiers", "ToComplete": rows(toComplete), "InProgress": rows(inProgress), "Decided": rows(decided),
		"Renewals": renewals, "Horizon": renewalHorizon,
	})
}

// FilterForm is the filters of the secretariat's list, as typed.
type FilterForm struct {
	State, Kind, Association, DueWithin string
	Page                                int
}

// listKey is what the list of a secretariat or a president depends on besides the
// data: its commission, the reader's role, the filters and page asked, and the day
// (the renewals due are counted in days).
type listKey struct {
	cid  int64
	role models.Role
	form FilterForm
	day  time.Time
}

// listView is the list as shown: the filters as read, the page of files with its
// table rendered, and the parcours due when asked.
type listView struct {
	form                  FilterForm
	fe                    models.FieldErrors
	total, pages          int
	due                   []ParcoursRow
	states, kinds, assocs []Option
	table                 template.HTML
}

func (h *Handler) all(c *fiber.Ctx) error {
	u, now := web.User(c), h.Now()
	form := FilterForm{State: c.Query("etat"), Kind: c.Query("type"), Association: c.Query("association"), DueWithin: c.Query("echeance")}
	form.Page, _ = strconv.Atoi(c.Query("page"))
	form.Page = max(form.Page, 1)
	compute := func() (*listView, error) { return h.list(c, u, form, now) }
	var (
		v   *listView
		err error
	)
	if u.Role != models.RoleMember { // members do not reach this list; their grants run by the hour
		v, err = h.lists.Get(listKey{u.CommissionIDOrZero(), u.Role, form, filesmodel.DateOf(now)}, now, compute)
	} else {
		v, err = compute()
	}
	if err != nil {
		return err
	}
	if len(v.fe) > 0 {
		c.Status(fiber.StatusUnprocessableEntity)
	}
	form = v.form
	return render(c, "files/list", fiber.Map{
		"Title": "Dossiers", "Form": form, "Errors": v.fe, "Table": v.table, "Total": v.total, "Pages": v.pages,
		"PrevPage": form.Page - 1, "NextPage": nextPage(form.Page, v.pages), "Due": v.due, "Filtered": form.DueWithin != "" && v.fe["echeance"] == "",
		"States": v.states, "Kinds": v.kinds, "Associations": v.assocs, "Query": filterQuery(form),
	})
}

// list reads the page of files form asks u for, and renders its table.
func (h *Handler) list(c *fiber.Ctx, u *models.User, form FilterForm, now time.Time) (*listView, error) {
	ctx := c.UserContext()
	fe := models.FieldErrors{}
	// The commission works on submitted files: an association's drafts stay out of its lists.
	states := slices.DeleteFunc(slices.Clone(filesmodel.States), func(s filesmodel.State) bool { return s == filesmodel.StateDraft })
	filter := filesmodel.FileFilter{States: states}
	if form.State != "" {
		if !slices.Contains(states, filesmodel.State(form.State)) {
			fe.Add("etat", "Choisissez un état dans la liste.")
		} else {
			filter.States = []filesmodel.State{filesmodel.State(form.State)}
		}
	}
	if form.Kind != "" {
		if !filesmodel.FileKind(form.Kind).Valid() {
			fe.Add("type", "Choisissez un type de demande dans la liste.")
		} else {
			filter.Kind = filesmodel.FileKind(form.Kind)
		}
	}
	assocs, err := registry.ListAssociations(ctx, h.DB, u.CommissionIDOrZero())
	if err != nil {
		return nil, err
	}
	if form.Association != "" {
		id, err := strconv.ParseInt(form.Association, 10, 64)
		if err != nil || !slices.ContainsFunc(assocs, func(a registry.Association) bool { return a.ID == id }) {
			fe.Add("association", "Choisissez une association dans la liste.")
		} else {
			filter.AssociationID = id
		}
	}
	var due []ParcoursRow
	if form.DueWithin != "" {
		days, err := strconv.Atoi(form.DueWithin)
		if err != nil || days < 1 || days > 730 {
			fe.Add("echeance", "Indiquez un nombre de jours entre 1 et 730.")
		} else {
			ps, err := filesmodel.RenewalsDue(ctx, h.DB, u.CommissionIDOrZero(), filesmodel.DateOf(now).AddDate(0, 0, days+1), now)
			if err != nil {
				return nil, err
			}
			filter.ParcoursIDs = []int64{}
			for _, p := range ps {
				filter.ParcoursIDs = append(filter.ParcoursIDs, p.ID)
				due = append(due, parcoursRow(p, now))
			}
		}
	}
	// The database reads the requested page only; a page beyond the last shows the last.
	shown, total, err := filesmodel.ListFilesPage(ctx, h.DB, u, filter, form.Page, pageSize, now)
	if err != nil {
		return nil, err
	}
	pages := max((total+pageSize-1)/pageSize, 1)
	if form.Page > pages {
		form.Page = pages
		if shown, total, err = filesmodel.ListFilesPage(ctx, h.DB, u, filter, form.Page, pageSize, now); err != nil {
			return nil, err
		}
	}
	v := &listView{form: form, fe: fe, total: total, pages: pages, due: due,
		states: options(states), kinds: options(filesmodel.FileKinds), assocs: associationOptions(assocs)}
	if len(shown) > 0 {
		data := fiber.Map{"Rows": rows(shown), "Caption": "Dossiers de la commission", "ShowDecision": form.State == string(filesmodel.StateDecided)}
		if v.table, err = web.RenderFragment(c, "files/table", data); err != nil {
			return nil, err
		}
	}
	return v, nil
}

func nextPage(page, pages int) int {
	if page < pages {
		return page + 1
	}
	return 0
}

// filterQuery is the query string of the filters, for the pagination links.
func filterQuery(f FilterForm) string {
	q := ""
	for _, kv := range [][2]string{{"etat", f.State}, {"type", f.Kind}, {"association", f.Association}, {"echeance", f.DueWithin}} {
		if kv[1] != "" {
			q += "&" + kv[0] + "=" + url.QueryEscape(kv[1])
		}
	}
	return q
}

// Incoming lists the files waiting for the secretariat's admissibility check, oldest
// submission first, and the incomplete files waiting for their association.
func (h *Handler) Incoming(c *fiber.Ctx) error {
	u, ctx, now := web.User(c), c.UserContext(), h.Now()
	submitted, err := filesmodel.ListFiles(ctx, h.DB, u, filesmodel.FileFilter{States: []filesmodel.State{filesmodel.StateSubmitted}}, now)
	if err != nil {
		return err
	}
	slices.SortFunc(submitted, func(a, b filesmodel.FileSummary) int {
		if c := timeOrZero(a.SubmittedAt).Compare(timeOrZero(b.SubmittedAt)); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
	incomplete, err := filesmodel.ListFiles(ctx, h.DB, u, filesmodel.FileFilter{States: []filesmodel.State{filesmodel.StateIncomplete}}, now)
	if err != nil {
		return err
	}
	waiting := make([]int, len(submitted))
	for i, s := range submitted {
		waiting[i] = int(filesmodel.DateOf(now).Sub(filesmodel.DateOf(timeOrZero(s.SubmittedAt))).Hours() / 24)
	}
	return render(c, "files/incoming", fiber.Map{
		"Title": "Dossiers à vérifier", "Submitted": rows(submitted), "Waiting": waiting, "Incomplete": rows(incomplete),
	})
}

func timeOrZero(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return *t
}

// Show renders the file page.
func (h *Handler) Show(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	return h.renderFile(c, id, nil)
}

// Offer is a move the page offers, with the form it needs.
type Offer struct {
	filesmodel.TransitionOption
	Form string // submit, missing, plain, session, avis, decision
}

// ShowForms holds the values of the forms of the file page.
type ShowForms struct {
	Transition   TransitionForm
	Observations ObservationsForm
	After        AfterDecisionForm
	UploadKind   string
}

// renderFile renders the file page for what the user may see of file id; extra holds the
// values of a form that failed (Errors, Forms, Open) or the revealed identity.
func (h *Handler) renderFile(c *fiber.Ctx, id int64, extra fiber.Map) error {
	u, ctx, now := web.User(c), c.UserContext(), h.Now()
	cid := u.CommissionIDOrZero()
	rec, err := h.records.Get(recordKey{cid, id}, now, func() (*filesmodel.FileRecord, error) {
		return filesmodel.ReadFileRecord(ctx, h.DB, cid, id)
	})
	if err != nil {
		return err
	}
	v, err := filesmodel.ViewRecord(ctx, h.DB, h.Keys, u, rec, now)
	if err != nil {
		return err
	}
	sum, acc := &v.Summary, v.Access
	data := fiber.Map{"Title": "Dossier " + sum.Reference, "Summary": sum, "Badge": stateBadge(sum.State), "Access": int(acc),
		"CanReveal": acc >= filesmodel.AccessFull, "FullAccess": acc >= filesmodel.AccessFull}
	if acc >= filesmodel.AccessProposal {
		h.fileDetails(u, v, data)
	}
	for k, v := range extra {
		data[k] = v
	}
	return render(c, "files/show", data)
}

// fileDetails adds the proposal, attachments, history, parcours and offered actions of v.
func (h *Handler) fileDetails(u *models.User, v *filesmodel.FileView, data fiber.Map) {
	now, f := h.Now(), v.File
	events := make([]Event, len(v.History))
	for i, e := range v.History {
		events[len(v.History)-1-i] = eventView(e) // newest first
	}
	var offers []Offer
	for _, o := range filesmodel.AllowedTransitions(u, f) {
		offers = append(offers, Offer{TransitionOption: o, Form: formFor(f.State, o.To)})
	}
	data["File"], data["Proposal"], data["Attachments"], data["Events"], data["Offers"] = f, v.Proposal, v.Attachments, events, offers
	data["Shown"] = shownFor(f.Kind)
	data["MayEdit"], data["MayDelete"] = filesmodel.MayEditFile(u, f), filesmodel.MayDeleteDraft(u, f)
	data["MayAttach"], data["MayObserve"], data["MayAfter"] = filesmodel.MayChangeAttachments(u, f), filesmodel.MayRecordObservations(u, f), filesmodel.MayRecordAfterDecision(u, f)
	data["ObservationsMissing"] = (f.Kind == filesmodel.KindRenewal || f.Kind.EndsRights()) && f.ObservationsInvitedOn == nil
	data["MissingItems"], data["CommonMissing"] = f.MissingItemList(), commonMissingItems
	data["Avises"], data["Means"], data["AttachmentKinds"] = options(filesmodel.Avises), options(filesmodel.ObservationMeansList), options(filesmodel.AttachmentKinds)
	data["Outcomes"] = options([]filesmodel.DecisionOutcome{filesmodel.DecisionAuthorised, filesmodel.DecisionRefused})
	data["Forms"] = defaultForms(f, now)
	if v.Parcours != nil {
		data["Parcours"] = parcoursRow(*v.Parcours, now)
	}
}

func formFor(from, to filesmodel.State) string {
	switch to {
	case filesmodel.StateSubmitted:
		return "submit"
	case filesmodel.StateIncomplete:
		return "missing"
	case filesmodel.StateScheduled:
		return "session"
	case filesmodel.StateExamined:
		return "avis"
	case filesmodel.StateDecided:
		return "decision"
	}
	return "plain"
}

func defaultForms(f *filesmodel.File, now time.Time) ShowForms {
	today := filesmodel.DateOf(now).Format(time.DateOnly)
	return ShowForms{
		Transition: TransitionForm{DecidedOn: today, AvisOn: today},
		Observations: ObservationsForm{
			InvitedOn: isoOrEmpty(f.ObservationsInvitedOn), Means: string(f.ObservationsMeans), ReceivedOn: isoOrEmpty(f.ObservationsReceivedOn),
		},
		After: AfterDecisionForm{
			NotifiedPersonOn: isoOrEmpty(f.NotifiedPersonOn), NotifiedAssociationOn: isoOrEmpty(f.NotifiedAssociationOn),
			AppealOn: isoOrEmpty(f.AppealOn), AppealNote: f.AppealNote,
		},
	}
}

// failed re-renders the file page with 422, the errors and the typed values of form open.
func (h *Handler) failed(c *fiber.Ctx, id int64, open string, fe models.FieldErrors, set func(*ShowForms)) error {
	u, ctx, now := web.User(c), c.UserContext(), h.Now()
	f, _, err := filesmodel.FindFile(ctx, h.DB, u, id, now)
	if err != nil {
		return err
	}
	forms := defaultForms(f, now)
	set(&forms)
	c.Status(fiber.StatusUnprocessableEntity)
	return h.renderFile(c, id, fiber.Map{"Errors": fe, "Forms": forms, "Open": open})
}

// RevealIdentity shows the identity of the person concerned, after recording the display
// in the audit chain. An htmx request gets the identity block only.
func (h *Handler) RevealIdentity(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	u, ctx, now := web.User(c), c.UserContext(), h.Now()
	ident, err := filesmodel.RevealIdentity(ctx, h.DB, h.Keys, u, id, now)
	if err != nil {
		return err
	}
	if c.Get("HX-Request") == "true" {
		return render(c, "files/identity", fiber.Map{"Identity": ident, "FileID": id, "Revealed": true})
	}
	return h.renderFile(c, id, fiber.Map{"Identity": ident})
}

// Transition moves the file to the state of the form's "to" field, with what that move needs.
func (h *Handler) Transition(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	form := parseTransition(c)
	to := filesmodel.State(form.To)
	if to == filesmodel.StateSubmitted {
		return h.Submit(c)
	}
	if !slices.Contains(filesmodel.States, to) {
		return fiber.NewError(fiber.StatusBadRequest, "Action inconnue.")
	}
	u, ctx, now := web.User(c), c.UserContext(), h.Now()
	in, fe := form.input()
	fe, err = attempt(fe, func() error { return filesmodel.Transition(ctx, h.DB, h.Keys, u, id, to, in, now) })
	if err != nil {
		return err
	}
	if len(fe) > 0 {
		return h.failed(c, id, string(to), fe, func(f *ShowForms) { f.Transition = form })
	}
	sum, _, err := filesmodel.FindFileSummary(ctx, h.DB, u, id, now)
	if err != nil {
		return err
	}
	web.FlashSuccess(c, transitionMessage(sum, to))
	return c.Redirect(fileURL(id), fiber.StatusSeeOther)
}

func transitionMessage(s *filesmodel.FileSummary, to filesmodel.State) string {
	switch to {
	case filesmodel.StateIncomplete:
		return "Le dossier " + s.Reference + " est déclaré incomplet : l'association est invitée à le compléter."
	case filesmodel.StateAdmissible:
		return "Le dossier " + s.Reference + " est recevable : il peut être inscrit à l'ordre du jour d'une séance."
	case filesmodel.StateScheduled:
		return "Le dossier " + s.Reference + " est inscrit à l'ordre du jour de la séance du " + filesmodel.FormatDate(timeOrZero(s.SessionDate)) + "."
	case filesmodel.StateExamined:
		return "L'avis de la commission sur le dossier " + s.Reference + " est enregistré."
	case filesmodel.StateDecided:
		return "La décision du préfet sur le dossier " + s.Reference + " est enregistrée."
	}
	return "Le dossier " + s.Reference + " est à l'état « " + s.State.Label() + " »."
}

func fileURL(id int64) string { return "/dossiers/" + strconv.FormatInt(id, 10) }

// RecordObservations records the observations step of a request that may end rights.
func (h *Handler) RecordObservations(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	form := ObservationsForm{InvitedOn: c.FormValue("invited_on"), Means: c.FormValue("means"), ReceivedOn: c.FormValue("received_on")}
	o, fe := form.input()
	return h.record(c, id, "observations", fe, func(f *ShowForms) { f.Observations = form },
		func() error { return filesmodel.RecordObservations(c.UserContext(), h.DB, web.User(c), id, o, h.Now()) },
		"Les observations de la personne sont enregistrées.")
}

// RecordNotification records when the decision was notified.
func (h *Handler) RecordNotification(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	form := AfterDecisionForm{NotifiedPersonOn: c.FormValue("notified_person_on"), NotifiedAssociationOn: c.FormValue("notified_association_on")}
	fe := models.FieldErrors{}
	person, assoc := parseDate(fe, "notified_person_on", form.NotifiedPersonOn), parseDate(fe, "notified_association_on", form.NotifiedAssociationOn)
	if len(fe) == 0 && person.IsZero() && assoc.IsZero() {
		fe.Add("notified_on", "Indiquez au moins une date de notification.")
	}
	return h.record(c, id, "notification", fe, func(f *ShowForms) {
		f.After.NotifiedPersonOn, f.After.NotifiedAssociationOn = form.NotifiedPersonOn, form.NotifiedAssociationOn
	},
		func() error {
			return filesmodel.RecordNotification(c.UserContext(), h.DB, web.User(c), id, person, assoc, h.Now())
		}, "La notification de la décision est enregistrée.")
}

// RecordAppeal notes an appeal against the decision.
func (h *Handler) RecordAppeal(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	form := AfterDecisionForm{AppealOn: c.FormValue("appeal_on"), AppealNote: c.FormValue("appeal_note")}
	fe := models.FieldErrors{}
	on := parseDate(fe, "appeal_on", form.AppealOn)
	return h.record(c, id, "appeal", fe, func(f *ShowForms) { f.After.AppealOn, f.After.AppealNote = form.AppealOn, form.AppealNote },
		func() error {
			return filesmodel.RecordAppeal(c.UserContext(), h.DB, web.User(c), id, on, form.AppealNote, h.Now())
		},
		"Le recours est enregistré.")
}

// record runs write unless the form already failed, then redirects with msg, or
// re-renders the page with the errors.
func (h *Handler) record(c *fiber.Ctx, id int64, open string, fe models.FieldErrors, set func(*ShowForms), write func() error, msg string) error {
	fe, err := attempt(fe, write)
	if err != nil {
		return err
	}
	if len(fe) > 0 {
		return h.failed(c, id, open, fe, set)
	}
	web.FlashSuccess(c, msg)
	return c.Redirect(fileURL(id), fiber.StatusSeeOther)
}
