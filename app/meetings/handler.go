// Package meetings serves the commission's meetings (séances) before they are held:
// the year calendar, the agenda built from pending files, the convocation with its
// proof, the members' replies and the calendar files.
package meetings

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/uptrace/bun"

	"seance/app/mail"
	"seance/app/web"
	"seance/models"
	filesmodel "seance/models/files"
	meetingsmodel "seance/models/meetings"
	"seance/models/minutes"
)

// Handler serves the sessions pages.
type Handler struct {
	DB       *bun.DB
	Location *time.Location // the commission's time zone: dates shown and typed
	BaseURL  string         // the portal's address, for the links in e-mails and calendars
	Mailer   *mail.Mailer
	Log      *slog.Logger
	Now      func() time.Time

	// staff keeps, by session, what the staff's page reads besides the agenda (the
	// convocations and their recipients, the candidate files, the usual items) until
	// the next write (NewHandler): half the page's statements (issue 17).
	staff *models.Memo[int64, *staffParts]
	// shared keeps, by session, what every reader's page reads besides the access
	// checks (the session, its agenda, the settings, the first convocation, the agenda's
	// files as the links need them) until the next write.
	shared *models.Memo[sessionKey, *sharedParts]
	// index keeps a reader's year of the session list (the sessions, their calendar
	// feed, the check of the policy sessions) until the next write.
	index *models.Memo[indexKey, *indexParts]
}

// NewHandler returns the sessions handler h with the session list, and the parts of a
// session page that are the same for every reader and the staff's, kept until the next
// write w counts, and at most maxAge.
func NewHandler(h Handler, w *models.Writes, maxAge time.Duration) *Handler {
	h.staff = &models.Memo[int64, *staffParts]{Writes: w, MaxAge: maxAge, Max: 64}
	h.shared = &models.Memo[sessionKey, *sharedParts]{Writes: w, MaxAge: maxAge, Max: 64}
	h.index = models.NewMemo[indexKey, *indexParts](w, maxAge)
	return &h
}

func meetingPath(id int64) string { return "/seances/" + strconv.FormatInt(id, 10) }

// visibleMeeting loads the session of the :id parameter if the signed-in user may see it.
func (h *Handler) visibleMeeting(c *fiber.Ctx) (*meetingsmodel.Meeting, error) {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return nil, err
	}
	m, err := meetingsmodel.FindMeeting(c.UserContext(), h.DB, web.User(c).CommissionIDOrZero(), id)
	if err != nil {
		return nil, err
	}
	if err := h.mustSee(c, m); err != nil {
		return nil, err
	}
	return m, nil
}

// mustSee answers ErrNotFound when the signed-in user may not see session m.
func (h *Handler) mustSee(c *fiber.Ctx, m *meetingsmodel.Meeting) error {
	ok, err := meetingsmodel.CanSeeMeeting(c.UserContext(), h.DB, web.User(c), m)
	if err != nil {
		return err
	}
	if !ok {
		return models.ErrNotFound
	}
	return nil
}

func isStaff(u *models.User) bool {
	return u.Role == models.RoleSecretariat || u.Role == models.RolePresident
}

// MonthGroup is one month of the year view.
type MonthGroup struct {
	Name     string
	Meetings []meetingsmodel.Meeting
}

// Index shows the year view of the sessions the user may see.
func (h *Handler) Index(c *fiber.Ctx) error {
	year := h.Now().In(h.Location).Year()
	if y, err := strconv.Atoi(c.Query("annee")); err == nil && y >= 2000 && y <= 2100 {
		year = y
	}
	return h.renderIndex(c, year, "")
}

// indexKey is what a year of the session list depends on besides the data: the reader
// (who sees which sessions, their calendar feed) and the year.
type indexKey struct {
	uid  int64
	role models.Role
	cid  int64
	year int
}

// indexParts is what the session list reads for a reader and a year.
type indexParts struct {
	meetings []meetingsmodel.Meeting
	feed     *meetingsmodel.CalendarFeed
	policy   *meetingsmodel.PolicySessionCheck // the staff's only
	year     template.HTML                     // the year grid (meetings/year)
}

func (h *Handler) renderIndex(c *fiber.Ctx, year int, newFeedURL string) error {
	u := web.User(c)
	linked := isStaff(u) || u.Role == models.RoleMember
	p, err := h.index.Get(indexKey{u.ID, u.Role, u.CommissionIDOrZero(), year}, h.Now(), func() (*indexParts, error) {
		p, err := h.readIndex(c.UserContext(), u, year)
		if err != nil {
			return nil, err
		}
		p.year, err = web.RenderFragment(c, "meetings/year", fiber.Map{"Months": h.months(p.meetings), "Year": year, "Linked": linked})
		return p, err
	})
	if err != nil {
		return err
	}
	data := fiber.Map{
		"Title": fmt.Sprintf("Séances %d", year), "Year": year, "Prev": year - 1, "Next": year + 1, "YearHTML": p.year,
		"Count": len(p.meetings), "Staff": isStaff(u), "Feed": p.feed, "NewFeedURL": newFeedURL,
	}
	if p.policy != nil {
		data["Policy"] = *p.policy
	}
	return web.Render(c, "meetings/index", data)
}

// months groups the sessions ms by month of the commission's time zone.
func (h *Handler) months(ms []meetingsmodel.Meeting) []MonthGroup {
	groups := make([]MonthGroup, 12)
	for i := range groups {
		groups[i].Name = web.MonthsFR[i]
	}
	for _, m := range ms {
		i := m.StartsAt.In(h.Location).Month() - 1
		groups[i].Meetings = append(groups[i].Meetings, m)
	}
	return groups
}

// readIndex reads the sessions of year u may see, u's calendar feed and, for the staff,
// the check of the policy sessions of the year.
func (h *Handler) readIndex(ctx context.Context, u *models.User, year int) (*indexParts, error) {
	from := time.Date(year, 1, 1, 0, 0, 0, 0, h.Location)
	ms, err := meetingsmodel.MeetingsFor(ctx, h.DB, u, from, from.AddDate(1, 0, 0))
	if err != nil {
		return nil, err
	}
	p := &indexParts{meetings: ms}
	p.feed, err = meetingsmodel.ActiveCalendarFeed(ctx, h.DB, u)
	if err != nil && !errors.Is(err, models.ErrNotFound) {
		return nil, err
	}
	if isStaff(u) {
		pc, err := meetingsmodel.CheckPolicySessions(ctx, h.DB, u.CommissionIDOrZero(), year, h.Location)
		if err != nil {
			return nil, err
		}
		p.policy = &pc
	}
	return p, nil
}

// New shows the form of a new session.
func (h *Handler) New(c *fiber.Ctx) error {
	s, err := models.FindSettings(c.UserContext(), h.DB, web.User(c).CommissionIDOrZero())
	if err != nil {
		return err
	}
	f := MeetingForm{Kind: string(meetingsmodel.MeetingFiles), Mode: string(meetingsmodel.ModeOnSite), Start: "14:00", End: "17:00", Capacity: strconv.Itoa(s.MaxFilesPerSession)}
	return h.renderForm(c, f, nil, nil)
}

func (h *Handler) renderForm(c *fiber.Ctx, f MeetingForm, m *meetingsmodel.Meeting, errs models.FieldErrors) error {
	title := "Nouvelle séance"
	if m != nil {
		title = "Modifier la séance"
	}
	return web.Render(c, "meetings/form", fiber.Map{
		"Title": title, "Form": f, "Meeting": m, "Errors": errs, "Modes": meetingsmodel.MeetingModes,
		"Kinds": []meetingsmodel.MeetingKind{meetingsmodel.MeetingFiles, meetingsmodel.MeetingPolicy},
	})
}

// Create plans a session.
func (h *Handler) Create(c *fiber.Ctx) error {
	u := web.User(c)
	f := meetingForm(c)
	in, fe := f.Validate(h.Location, h.Now())
	if len(fe) > 0 {
		c.Status(fiber.StatusUnprocessableEntity)
		return h.renderForm(c, f, nil, fe)
	}
	m, err := meetingsmodel.CreateMeeting(c.UserContext(), h.DB, models.ActorFor(u), u.CommissionIDOrZero(), in, h.Now())
	if fe, ok := models.AsFieldErrors(err); ok {
		c.Status(fiber.StatusUnprocessableEntity)
		return h.renderForm(c, f, nil, fe)
	}
	if err != nil {
		return err
	}
	web.FlashSuccess(c, "Séance planifiée. Composez maintenant son ordre du jour.")
	return c.Redirect(meetingPath(m.ID), fiber.StatusSeeOther)
}

// Edit shows the form of an existing session.
func (h *Handler) Edit(c *fiber.Ctx) error {
	m, err := h.visibleMeeting(c)
	if err != nil {
		return err
	}
	return h.renderForm(c, formOf(m, h.Location), m, nil)
}

// Update saves the session form.
func (h *Handler) Update(c *fiber.Ctx) error {
	m, err := h.visibleMeeting(c)
	if err != nil {
		return err
	}
	u := web.User(c)
	f := meetingForm(c)
	in, fe := f.Validate(h.Location, h.Now())
	if len(fe) == 0 {
		_, err = meetingsmodel.UpdateMeeting(c.UserContext(), h.DB, u, u.CommissionIDOrZero(), m.ID, in, h.Now())
		fe, _ = models.AsFieldErrors(err)
	}
	if len(fe) > 0 {
		c.Status(fiber.StatusUnprocessableEntity)
		return h.renderForm(c, f, m, fe)
	}
	if err != nil {
		return web.Refused(c, err, meetingPath(m.ID))
	}
	web.FlashSuccess(c, "Séance enregistrée.")
	return c.Redirect(meetingPath(m.ID), fiber.StatusSeeOther)
}

// Show shows a session: to the secretariat and the présidence with the agenda builder,
// the convocation and its proof; to a member with the agenda and their reply.
func (h *Handler) Show(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	p, err := h.sharedPartsOf(c, id)
	if err != nil {
		return err
	}
	if err := h.mustSee(c, p.meeting); err != nil { // visibleMeeting's check, on the kept session
		return err
	}
	data, err := h.showData(c, p)
	if err != nil {
		return err
	}
	return web.Render(c, "meetings/show", data)
}

// sessionKey names a session as its reader finds it: in the reader's commission.
type sessionKey struct{ commission, id int64 }

// sharedParts is what a session page reads besides the access checks and the reader's
// own answer: the same for every reader of the session, and nothing in it depends on
// the time. Pages only read it.
type sharedParts struct {
	meeting  *meetingsmodel.Meeting
	agenda   []meetingsmodel.AgendaEntry
	settings *models.CommissionSettings
	first    *meetingsmodel.Meeting // the first convocation of a second one
	files    []filesmodel.File      // the agenda's, as files.ReadableAmong needs them
}

// sharedPartsOf returns the kept parts of session id of the signed-in user's commission.
// A session of another commission is not found; access is the caller's to check.
func (h *Handler) sharedPartsOf(c *fiber.Ctx, id int64) (*sharedParts, error) {
	ctx := c.UserContext()
	key := sessionKey{web.User(c).CommissionIDOrZero(), id}
	return h.shared.Get(key, h.Now(), func() (*sharedParts, error) { return h.readSharedParts(ctx, key) })
}

func (h *Handler) readSharedParts(ctx context.Context, key sessionKey) (*sharedParts, error) {
	m, err := meetingsmodel.FindMeeting(ctx, h.DB, key.commission, key.id)
	if err != nil {
		return nil, err
	}
	p := &sharedParts{meeting: m}
	if p.agenda, err = meetingsmodel.LoadAgenda(ctx, h.DB, m); err != nil {
		return nil, err
	}
	if p.settings, err = models.FindSettings(ctx, h.DB, m.CommissionID); err != nil {
		return nil, err
	}
	if m.FirstConvocationID != nil {
		if p.first, err = meetingsmodel.FindMeeting(ctx, h.DB, m.CommissionID, *m.FirstConvocationID); err != nil {
			return nil, err
		}
	}
	var ids []int64
	for _, e := range p.agenda {
		if e.FileID != nil {
			ids = append(ids, *e.FileID)
		}
	}
	if p.files, err = filesmodel.LinkRows(ctx, h.DB, m.CommissionID, ids); err != nil {
		return nil, err
	}
	return p, nil
}

// showData is the session page's data for the signed-in user, who may see the session.
func (h *Handler) showData(c *fiber.Ctx, p *sharedParts) (fiber.Map, error) {
	ctx, u := c.UserContext(), web.User(c)
	cid := u.CommissionIDOrZero()
	m, agenda, s := p.meeting, p.agenda, p.settings
	data := fiber.Map{"Title": m.Title(), "Meeting": m, "Staff": isStaff(u),
		"Settings": s, "When": h.when(m), "ReplyAction": meetingPath(m.ID) + "/reponse"}
	if p.first != nil {
		data["First"] = p.first
	}
	editable := (m.Status == meetingsmodel.MeetingPlanned || m.Status == meetingsmodel.MeetingConvened) && isStaff(u)
	data["Editable"] = editable
	links, err := h.linkData(c, m, p, data)
	if err != nil {
		return nil, err
	}
	data["Agenda"] = h.agendaRows(agenda, links, isStaff(u), editable)
	if isStaff(u) {
		if err := h.staffData(c, m, agenda, s, data); err != nil {
			return nil, err
		}
	} else {
		rc, err := meetingsmodel.LoadReplyContext(ctx, h.DB, cid, m.ID, u.ID)
		if err != nil {
			return nil, err
		}
		replyData(rc, data)
	}
	return data, nil
}

// linkData says which links of the session page answer for the signed-in user: the
// procès-verbal when they may read a version of it, each file of the agenda whose summary
// they may read (agenda item ID → file ID).
func (h *Handler) linkData(c *fiber.Ctx, m *meetingsmodel.Meeting, p *sharedParts, data fiber.Map) (map[int64]int64, error) {
	ctx, u := c.UserContext(), web.User(c)
	held := m.Status == meetingsmodel.MeetingClosed || m.Status == meetingsmodel.MeetingMinutesApproved
	readable := held && u.Role == models.RoleSecretariat // the page offers the secretariat to establish them
	if held && !readable {
		_, _, err := minutes.ReadableMinutes(ctx, h.DB, u, m.CommissionID, m.ID)
		switch {
		case err == nil:
			readable = true
		case !errors.Is(err, minutes.ErrMinutesNotEstablished) && !errors.Is(err, minutes.ErrMinutesNotConvened) &&
			!errors.Is(err, minutes.ErrMinutesInPreparation) && !errors.Is(err, minutes.ErrMinutesNotApproved):
			return nil, err
		}
	}
	data["MinutesReadable"] = readable
	ok, err := filesmodel.ReadableAmong(ctx, h.DB, u, p.files, h.Now())
	if err != nil {
		return nil, err
	}
	links := map[int64]int64{}
	for _, e := range p.agenda {
		if e.FileID != nil && ok[*e.FileID] {
			links[e.ID] = *e.FileID
		}
	}
	return links, nil
}

// agendaRow is an agenda entry as the session page shows it to its reader, flat and
// formatted beforehand. The template then only reads direct fields: text/template finds
// a field promoted from an embedded struct by a search that allocates, and calls each
// method or function through reflection, for every item of every request.
type agendaRow struct {
	ID                                     int64
	Title, Kind, Notes, Warning, Reference string
	Reason, DueOn                          string // for the staff only
	FileID                                 int64  // the file the reader may open (0: none)
	Up, Down                               bool   // the move buttons of an editable agenda
}

func (h *Handler) agendaRows(agenda []meetingsmodel.AgendaEntry, links map[int64]int64, staff, editable bool) []agendaRow {
	rows := make([]agendaRow, len(agenda))
	for i, e := range agenda {
		r := agendaRow{ID: e.ID, Title: e.Title, Kind: e.Kind.Label(), Notes: e.Notes, Warning: e.Warning,
			Reference: e.Reference, FileID: links[e.ID]}
		if staff {
			r.Reason = e.Reason
			if e.DueOn != nil {
				r.DueOn = web.DateFR(*e.DueOn, h.Location)
			}
		}
		if editable {
			r.Up, r.Down = i > 0, i < len(agenda)-1
		}
		rows[i] = r
	}
	return rows
}

// replyData adds the reply form's values.
func replyData(rc *meetingsmodel.ReplyContext, data fiber.Map) {
	data["Reply"], data["Choices"], data["ProxySelected"] = rc, replyChoices(rc), int64(0)
	if rc.Current != nil && rc.Current.ProxyHolderUserID != nil {
		data["ProxySelected"] = *rc.Current.ProxyHolderUserID
	}
}

// when is the date and times of a session: "lundi 15 juin 2026, de 14:00 à 17:00".
func (h *Handler) when(m *meetingsmodel.Meeting) string {
	loc := h.Location
	return fmt.Sprintf("%s, de %s à %s", longDate(m.StartsAt, loc), m.StartsAt.In(loc).Format("15:04"), m.EndsAt.In(loc).Format("15:04"))
}

func (h *Handler) staffData(c *fiber.Ctx, m *meetingsmodel.Meeting, agenda []meetingsmodel.AgendaEntry, s *models.CommissionSettings, data fiber.Map) error {
	p, err := h.staff.Get(m.ID, h.Now(), func() (*staffParts, error) {
		p, err := h.readStaffParts(c.UserContext(), m)
		if err != nil {
			return nil, err
		}
		p.sent, err = web.RenderFragment(c, "meetings/sent", fiber.Map{"Convocations": p.convocations, "Recipients": p.recipients})
		return p, err
	})
	if err != nil {
		return err
	}
	data["Convocations"], data["SentHTML"] = p.convocations, p.sent
	if len(p.convocations) > 0 {
		data["LastConvocation"], data["Recipients"], data["Stale"] = p.convocations[len(p.convocations)-1], p.recipients, p.stale
	}
	files := 0
	for _, e := range agenda {
		if e.FileID != nil {
			files++
		}
	}
	data["FileCount"] = files
	data["NoticeDays"] = s.NoticeDays
	data["NoticeError"] = ""
	if r, ok := models.AsRefusal(meetingsmodel.CheckNotice(m, s.NoticeDays, h.Now())); ok {
		data["NoticeError"] = r.Message
	}
	data["LatestSend"] = models.CalendarDay(m.StartsAt).AddDate(0, 0, -s.NoticeDays)
	if p.candidates != nil {
		data["Candidates"] = p.candidates.all
		data["Capacity"] = p.candidates.capacity
	}
	data["Standing"] = p.standing
	data["ItemKinds"] = []meetingsmodel.AgendaItemKind{meetingsmodel.ItemInformation, meetingsmodel.ItemPolicy, meetingsmodel.ItemMinutes, meetingsmodel.ItemOther}
	return nil
}

// staffParts is what the staff's session page reads besides the agenda; nothing in it
// depends on the time.
type staffParts struct {
	convocations []meetingsmodel.Convocation
	recipients   []meetingsmodel.ConvocationRecipient // of the last convocation
	stale        bool
	candidates   *candidates // files sessions in preparation only
	standing     []meetingsmodel.ItemInput
	sent         template.HTML // the tables of the convocations and recipients (meetings/sent)
}

type candidates struct {
	all      []meetingsmodel.ProposedFile
	capacity int
}

func (h *Handler) readStaffParts(ctx context.Context, m *meetingsmodel.Meeting) (*staffParts, error) {
	cid := m.CommissionID
	p := &staffParts{}
	var err error
	if p.convocations, err = meetingsmodel.ListConvocations(ctx, h.DB, cid, m.ID); err != nil {
		return nil, err
	}
	if len(p.convocations) > 0 {
		if p.recipients, err = meetingsmodel.ListConvocationRecipients(ctx, h.DB, cid, p.convocations[len(p.convocations)-1].ID); err != nil {
			return nil, err
		}
		if p.stale, err = meetingsmodel.ConvocationStale(ctx, h.DB, m); err != nil {
			return nil, err
		}
	}
	if m.Kind == meetingsmodel.MeetingFiles && (m.Status == meetingsmodel.MeetingPlanned || m.Status == meetingsmodel.MeetingConvened) {
		cands, err := meetingsmodel.ProposeAgenda(ctx, h.DB, cid, m.ID)
		if err != nil {
			return nil, err
		}
		p.candidates = &candidates{all: append(cands.Proposed, cands.LeftOut...), capacity: cands.Capacity}
	}
	if p.standing, err = meetingsmodel.StandingItems(ctx, h.DB, m); err != nil {
		return nil, err
	}
	return p, nil
}

// Choice is one answer offered to a titulaire.
type Choice struct {
	Value   meetingsmodel.AttendanceStatus
	Label   string
	Checked bool
}

func replyChoices(rc *meetingsmodel.ReplyContext) []Choice {
	var out []Choice
	for _, s := range meetingsmodel.ReplyChoices {
		if s == meetingsmodel.AttProxy && !rc.CanProxy() || s == meetingsmodel.AttSubstituted && rc.CanProxy() {
			continue
		}
		ch := Choice{Value: s, Label: meetingsmodel.ReplyLabel(s)}
		if rc.Current != nil && rc.Current.Status == s {
			ch.Checked = true
		}
		out = append(out, ch)
	}
	return out
}

// Proposal shows the agenda builder's proposal for a files session.
func (h *Handler) Proposal(c *fiber.Ctx) error {
	m, err := h.visibleMeeting(c)
	if err != nil {
		return err
	}
	p, err := meetingsmodel.ProposeAgenda(c.UserContext(), h.DB, m.CommissionID, m.ID)
	if err != nil {
		return web.Refused(c, err, meetingPath(m.ID))
	}
	return web.Render(c, "meetings/proposal", fiber.Map{"Title": "Proposition d'ordre du jour", "Meeting": m, "Proposal": p})
}

// AcceptProposal puts the files ticked in the proposal on the agenda, in the proposal's order.
func (h *Handler) AcceptProposal(c *fiber.Ctx) error {
	m, err := h.visibleMeeting(c)
	if err != nil {
		return err
	}
	var ids []int64
	for _, v := range formValues(c, "file") {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return fiber.NewError(fiber.StatusBadRequest, "Dossier invalide.")
		}
		ids = append(ids, id)
	}
	if len(ids) == 0 {
		web.FlashError(c, "Cochez au moins un dossier à inscrire.")
		return c.Redirect(meetingPath(m.ID)+"/proposition", fiber.StatusSeeOther)
	}
	u := web.User(c)
	if err := meetingsmodel.AcceptProposal(c.UserContext(), h.DB, u, u.CommissionIDOrZero(), m.ID, ids, h.Now()); err != nil {
		return web.Refused(c, err, meetingPath(m.ID)+"/proposition")
	}
	web.FlashSuccess(c, fmt.Sprintf("%d dossier(s) inscrit(s) à l'ordre du jour.", len(ids)))
	return c.Redirect(meetingPath(m.ID)+"#ordre-du-jour", fiber.StatusSeeOther)
}

// formValues returns every value of a repeated form field.
func formValues(c *fiber.Ctx, name string) []string {
	var out []string
	c.Request().PostArgs().VisitAll(func(k, v []byte) {
		if string(k) == name {
			out = append(out, string(v))
		}
	})
	return out
}

// AddFile adds one admissible file chosen by hand.
func (h *Handler) AddFile(c *fiber.Ctx) error {
	m, err := h.visibleMeeting(c)
	if err != nil {
		return err
	}
	id, err := strconv.ParseInt(c.FormValue("file"), 10, 64)
	if err != nil {
		web.FlashError(c, "Choisissez un dossier.")
		return c.Redirect(meetingPath(m.ID)+"#ordre-du-jour", fiber.StatusSeeOther)
	}
	u := web.User(c)
	if _, err := meetingsmodel.AddAgendaFile(c.UserContext(), h.DB, u, u.CommissionIDOrZero(), m.ID, id, "", h.Now()); err != nil {
		return web.Refused(c, err, meetingPath(m.ID)+"#ordre-du-jour")
	}
	web.FlashSuccess(c, "Dossier inscrit à l'ordre du jour.")
	return c.Redirect(meetingPath(m.ID)+"#ordre-du-jour", fiber.StatusSeeOther)
}

// AddItem adds a free item (information, policy point, minutes…).
func (h *Handler) AddItem(c *fiber.Ctx) error {
	m, err := h.visibleMeeting(c)
	if err != nil {
		return err
	}
	u := web.User(c)
	in := meetingsmodel.ItemInput{Kind: meetingsmodel.AgendaItemKind(c.FormValue("kind")), Title: c.FormValue("title"), Notes: c.FormValue("notes")}
	_, err = meetingsmodel.AddAgendaItem(c.UserContext(), h.DB, u, u.CommissionIDOrZero(), m.ID, in, h.Now())
	if fe, ok := models.AsFieldErrors(err); ok {
		p, derr := h.sharedPartsOf(c, m.ID)
		if derr != nil {
			return derr
		}
		data, derr := h.showData(c, p)
		if derr != nil {
			return derr
		}
		data["Errors"], data["Item"] = fe, in
		c.Status(fiber.StatusUnprocessableEntity)
		return web.Render(c, "meetings/show", data)
	}
	if err != nil {
		return web.Refused(c, err, meetingPath(m.ID)+"#ordre-du-jour")
	}
	web.FlashSuccess(c, "Point ajouté à l'ordre du jour.")
	return c.Redirect(meetingPath(m.ID)+"#ordre-du-jour", fiber.StatusSeeOther)
}

// AddStanding adds the usual items (previous minutes, information) at the top.
func (h *Handler) AddStanding(c *fiber.Ctx) error {
	m, err := h.visibleMeeting(c)
	if err != nil {
		return err
	}
	u := web.User(c)
	n, err := meetingsmodel.AddStandingItems(c.UserContext(), h.DB, u, u.CommissionIDOrZero(), m.ID, h.Now())
	if err != nil {
		return web.Refused(c, err, meetingPath(m.ID)+"#ordre-du-jour")
	}
	web.FlashSuccess(c, fmt.Sprintf("%d point(s) habituel(s) ajouté(s) en tête de l'ordre du jour.", n))
	return c.Redirect(meetingPath(m.ID)+"#ordre-du-jour", fiber.StatusSeeOther)
}

// agendaChanged answers an agenda change: the agenda fragment for htmx, else a redirect.
func (h *Handler) agendaChanged(c *fiber.Ctx, m *meetingsmodel.Meeting, err error, flash string) error {
	if c.Get("HX-Request") == "true" {
		r, refused := models.AsRefusal(err)
		if err != nil && !refused {
			return err
		}
		p, derr := h.sharedPartsOf(c, m.ID)
		if derr != nil {
			return derr
		}
		data, derr := h.showData(c, p)
		if derr != nil {
			return derr
		}
		if refused {
			data["AgendaError"] = r.Error()
		} else {
			data["AgendaNotice"] = flash
		}
		return web.Render(c, "meetings/agenda", data)
	}
	if err != nil {
		return web.Refused(c, err, meetingPath(m.ID)+"#ordre-du-jour")
	}
	web.FlashSuccess(c, flash)
	return c.Redirect(meetingPath(m.ID)+"#ordre-du-jour", fiber.StatusSeeOther)
}

// RemoveItem takes an item off the agenda (a file goes back to admissible).
func (h *Handler) RemoveItem(c *fiber.Ctx) error {
	m, err := h.visibleMeeting(c)
	if err != nil {
		return err
	}
	item, err := web.ParamID(c, "item")
	if err != nil {
		return err
	}
	u := web.User(c)
	err = meetingsmodel.RemoveAgendaItem(c.UserContext(), h.DB, u, u.CommissionIDOrZero(), m.ID, item, h.Now())
	if errors.Is(err, models.ErrNotFound) {
		return err
	}
	return h.agendaChanged(c, m, err, "Point retiré de l'ordre du jour.")
}

// MoveItem moves an item one place up or down (the keyboard alternative to drag and drop).
func (h *Handler) MoveItem(c *fiber.Ctx) error {
	m, err := h.visibleMeeting(c)
	if err != nil {
		return err
	}
	item, err := web.ParamID(c, "item")
	if err != nil {
		return err
	}
	delta := 1
	if c.FormValue("dir") == "up" {
		delta = -1
	}
	u := web.User(c)
	err = meetingsmodel.MoveAgendaItem(c.UserContext(), h.DB, u, u.CommissionIDOrZero(), m.ID, item, delta, h.Now())
	if errors.Is(err, models.ErrNotFound) {
		return err
	}
	return h.agendaChanged(c, m, err, "Ordre du jour réordonné.")
}

// Reorder saves the order given by drag and drop (every item id, in order).
func (h *Handler) Reorder(c *fiber.Ctx) error {
	m, err := h.visibleMeeting(c)
	if err != nil {
		return err
	}
	var ids []int64
	for _, v := range formValues(c, "item") {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return fiber.NewError(fiber.StatusBadRequest, "Ordre invalide.")
		}
		ids = append(ids, id)
	}
	u := web.User(c)
	err = meetingsmodel.ReorderAgenda(c.UserContext(), h.DB, u, u.CommissionIDOrZero(), m.ID, ids, h.Now())
	return h.agendaChanged(c, m, err, "Ordre du jour réordonné.")
}

// Convene sends the convocation (or a new one after a change).
func (h *Handler) Convene(c *fiber.Ctx) error {
	m, err := h.visibleMeeting(c)
	if err != nil {
		return err
	}
	u := web.User(c)
	in := meetingsmodel.ConvokeInput{Urgency: c.FormValue("urgency") == "1", UrgencyReason: c.FormValue("urgency_reason")}
	// The convocation and its e-mails commit together; the mail job sends them.
	var res *meetingsmodel.ConvocationResult
	err = models.InTx(c.UserContext(), h.DB, func(ctx context.Context, tx bun.Tx) error {
		var err error
		if res, err = meetingsmodel.Convoke(ctx, tx, u, u.CommissionIDOrZero(), m.ID, in, h.Now()); err != nil {
			return err
		}
		return h.queueConvocation(ctx, tx, u, web.Commission(c).Name, res)
	})
	if err != nil {
		return web.Refused(c, err, meetingPath(m.ID)+"#convocation")
	}
	msg := fmt.Sprintf("Convocation n° %d envoyée à %d destinataire(s). Empreinte SHA-256 : %s.", res.Convocation.Number, len(res.Recipients), res.Convocation.ContentSHA256)
	if len(res.Skipped) > 0 {
		msg += " Non convoqués (compte désactivé) : " + strings.Join(res.Skipped, ", ") + "."
	}
	web.FlashSuccess(c, msg)
	return c.Redirect(meetingPath(m.ID)+"#convocation", fiber.StatusSeeOther)
}

// Cancel cancels the session and notifies the people convened.
func (h *Handler) Cancel(c *fiber.Ctx) error {
	m, err := h.visibleMeeting(c)
	if err != nil {
		return err
	}
	u := web.User(c)
	var cr *meetingsmodel.CancelResult
	var notified int
	err = models.InTx(c.UserContext(), h.DB, func(ctx context.Context, tx bun.Tx) error {
		var err error
		if cr, err = meetingsmodel.CancelMeeting(ctx, tx, u, u.CommissionIDOrZero(), m.ID, c.FormValue("reason"), h.Now()); err != nil {
			return err
		}
		notified, err = h.queueCancellation(ctx, tx, u, web.Commission(c).Name, cr)
		return err
	})
	if err != nil {
		return web.Refused(c, err, meetingPath(m.ID)+"#annulation")
	}
	msg := fmt.Sprintf("Séance annulée. %d personne(s) prévenue(s) par courriel.", notified)
	if len(cr.Released) > 0 {
		msg += " Dossiers de nouveau recevables : " + strings.Join(cr.Released, ", ") + "."
	}
	web.FlashSuccess(c, msg)
	return c.Redirect(meetingPath(m.ID), fiber.StatusSeeOther)
}

// Replies shows the chair's live table of replies and the expected quorum.
func (h *Handler) Replies(c *fiber.Ctx) error {
	return h.renderReplies(c, "meetings/replies")
}

// RepliesTable is the table alone, refreshed by htmx.
func (h *Handler) RepliesTable(c *fiber.Ctx) error {
	return h.renderReplies(c, "meetings/replies_table")
}

func (h *Handler) renderReplies(c *fiber.Ctx, page string) error {
	m, err := h.visibleMeeting(c)
	if err != nil {
		return err
	}
	sum, err := meetingsmodel.LoadReplies(c.UserContext(), h.DB, m.CommissionID, m.ID)
	if err != nil {
		return err
	}
	return web.Render(c, page, fiber.Map{"Title": "Réponses à la convocation", "Meeting": m, "Summary": sum, "At": h.Now()})
}

// replyInput reads a reply form.
func replyInput(c *fiber.Ctx) meetingsmodel.ReplyInput {
	in := meetingsmodel.ReplyInput{Status: meetingsmodel.AttendanceStatus(c.FormValue("status"))}
	in.ProxyHolderUserID, _ = strconv.ParseInt(c.FormValue("proxy_holder"), 10, 64)
	in.SuppleantUserID, _ = strconv.ParseInt(c.FormValue("suppleant"), 10, 64)
	return in
}

// MyReply records a signed-in titulaire's reply.
func (h *Handler) MyReply(c *fiber.Ctx) error {
	m, err := h.visibleMeeting(c)
	if err != nil {
		return err
	}
	u := web.User(c)
	if _, err := meetingsmodel.Reply(c.UserContext(), h.DB, models.ActorFor(u), u.CommissionIDOrZero(), m.ID, u.ID, replyInput(c), h.Now()); err != nil {
		return web.Refused(c, err, meetingPath(m.ID)+"#reponse")
	}
	web.FlashSuccess(c, "Votre réponse est enregistrée. Vous pouvez la modifier jusqu'à l'ouverture de la séance.")
	return c.Redirect(meetingPath(m.ID)+"#messages", fiber.StatusSeeOther)
}

// Link shows what a personal link opens, without a password: the session, its
// pseudonymised agenda and the reply form. The first opening is a read receipt.
func (h *Handler) Link(c *fiber.Ctx) error {
	l, err := meetingsmodel.OpenConvocationLink(c.UserContext(), h.DB, c.Params("token"), h.Now())
	if errors.Is(err, meetingsmodel.ErrLinkExpired) {
		return fiber.NewError(fiber.StatusGone, web.RefusalText(err))
	}
	if err != nil {
		return err
	}
	agenda, err := meetingsmodel.LoadAgenda(c.UserContext(), h.DB, l.Meeting)
	if err != nil {
		return err
	}
	rc, err := meetingsmodel.LoadReplyContext(c.UserContext(), h.DB, l.Meeting.CommissionID, l.Meeting.ID, l.User.ID)
	if err != nil {
		return err
	}
	cm, err := models.FindCommission(c.UserContext(), h.DB, l.Meeting.CommissionID)
	if err != nil {
		return err
	}
	c.Set("X-Robots-Tag", "noindex, nofollow")
	c.Set(fiber.HeaderCacheControl, "no-store")
	data := fiber.Map{
		"Title": "Convocation — " + l.Meeting.Title(), "Link": l, "Meeting": l.Meeting, "Agenda": h.agendaRows(agenda, nil, false, false), "When": h.when(l.Meeting),
		"CommissionName": cm.Name, "ReplyAction": "/convocation/" + c.Params("token"),
	}
	if l.Meeting.FirstConvocationID != nil {
		if data["First"], err = meetingsmodel.FindMeeting(c.UserContext(), h.DB, l.Meeting.CommissionID, *l.Meeting.FirstConvocationID); err != nil {
			return err
		}
	}
	replyData(rc, data)
	return web.Render(c, "meetings/link", data)
}

// LinkReply records a reply made from a personal link.
func (h *Handler) LinkReply(c *fiber.Ctx) error {
	tok := c.Params("token")
	l, err := meetingsmodel.OpenConvocationLink(c.UserContext(), h.DB, tok, h.Now())
	if errors.Is(err, meetingsmodel.ErrLinkExpired) {
		return fiber.NewError(fiber.StatusGone, web.RefusalText(err))
	}
	if err != nil {
		return err
	}
	back := "/convocation/" + tok
	actor := models.Actor{UserID: l.User.ID, Label: l.User.Email + " (lien personnel)"}
	if _, err := meetingsmodel.Reply(c.UserContext(), h.DB, actor, l.Meeting.CommissionID, l.Meeting.ID, l.User.ID, replyInput(c), h.Now()); err != nil {
		return web.Refused(c, err, back+"#reponse")
	}
	web.FlashSuccess(c, "Votre réponse est enregistrée. Vous pouvez la modifier avec ce même lien jusqu'à l'ouverture de la séance.")
	return c.Redirect(back+"#messages", fiber.StatusSeeOther)
}
