package minutes

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"html/template"
	"io"
	"slices"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/uptrace/bun"

	"seance/app/web"
	"seance/models"
	"seance/models/keyring"
	"seance/models/meetings"
	minutesmodel "seance/models/minutes"
)

// Handler serves the procès-verbal of a session: the print page with its workflow
// (draft, validation by the président, submission, approval, lock, correction) and the
// PDF and Excel downloads.
type Handler struct {
	DB   *bun.DB
	Keys *keyring.Keyring
	Now  func() time.Time

	// records keeps, by session, its procès-verbal as stored (the snapshots sealed)
	// until the next write (NewHandler); each request checks its reader and opens the
	// version it shows for itself.
	records *models.Memo[recordKey, *minutesmodel.MinutesRecord]
	// documents keeps, by version, the procès-verbal rendered (minutes/document) and
	// sealed with the keyring until the next write: a request opens it for itself, so the
	// page neither decodes the snapshot nor renders the document again, and no plaintext
	// outlives its request.
	documents *models.Memo[int64, *sealedDocument]
}

// sealedDocument is a version's rendered procès-verbal, sealed.
type sealedDocument struct {
	sealed []byte
	zone   *time.Location // the minutes' time zone, for the dates of the workflow
}

// documentAAD binds a sealed rendering to its version.
func documentAAD(versionID int64) string { return fmt.Sprintf("minutes-page:%d", versionID) }

// recordKey names a session's record: the commission it is read in, and the session.
type recordKey struct{ cid, id int64 }

// NewHandler returns the procès-verbal handler h with the sessions' records kept until
// the next write w counts, and at most maxAge.
func NewHandler(h Handler, w *models.Writes, maxAge time.Duration) *Handler {
	h.records = &models.Memo[recordKey, *minutesmodel.MinutesRecord]{Writes: w, MaxAge: maxAge, Max: 64}
	h.documents = &models.Memo[int64, *sealedDocument]{Writes: w, MaxAge: maxAge, Max: 64}
	return &h
}

func minutesPath(meetingID int64) string { return fmt.Sprintf("/seances/%d/pv", meetingID) }

func meetingID(c *fiber.Ctx) (int64, error) { return web.ParamID(c, "id") }

// record returns the session of the route and the version of its procès-verbal the
// signed-in user may read (models.MinutesReader), or the refusal as a 403 or a 404.
func (h *Handler) record(c *fiber.Ctx) (*meetings.Meeting, *minutesmodel.Minutes, error) {
	id, err := meetingID(c)
	if err != nil {
		return nil, nil, err
	}
	u, ctx := web.User(c), c.UserContext()
	cid := u.CommissionIDOrZero()
	rec, err := h.records.Get(recordKey{cid, id}, h.Now(), func() (*minutesmodel.MinutesRecord, error) {
		return minutesmodel.ReadMinutesRecord(ctx, h.DB, cid, id)
	})
	if err != nil {
		return nil, nil, err
	}
	m, r, err := minutesmodel.ReadableIn(ctx, h.DB, u, rec)
	switch {
	case errors.Is(err, minutesmodel.ErrMinutesNotEstablished):
		return nil, nil, fiber.NewError(fiber.StatusNotFound, web.RefusalText(err))
	case errors.Is(err, minutesmodel.ErrMinutesNotConvened), errors.Is(err, minutesmodel.ErrMinutesInPreparation), errors.Is(err, minutesmodel.ErrMinutesNotApproved):
		return nil, nil, fiber.NewError(fiber.StatusForbidden, web.RefusalText(err))
	}
	return m, r, err
}

// Show renders the procès-verbal of a session. It writes nothing: when a sitting is
// closed and its procès-verbal not yet established, the secretariat is offered the
// button that establishes the draft (Establish).
func (h *Handler) Show(c *fiber.Ctx) error {
	m, r, err := h.record(c)
	if err != nil {
		// Not readable: when it is because the closed sitting has no procès-verbal yet, the
		// secretariat is offered to establish it (looked up only then: two more statements).
		if m, ok, derr := h.awaitingDraft(c); derr == nil && ok {
			return web.Render(c, "minutes/establish", fiber.Map{"Title": "Procès-verbal — " + m.Title(), "Meeting": m, "Action": minutesPath(m.ID) + "/etablir"})
		}
		return err
	}
	return h.render(c, m, r, nil, nil)
}

// awaitingDraft returns the session of the route when the signed-in user is the
// secretariat, the sitting is closed and no procès-verbal has been established yet.
func (h *Handler) awaitingDraft(c *fiber.Ctx) (*meetings.Meeting, bool, error) {
	u, ctx := web.User(c), c.UserContext()
	if u.Role != models.RoleSecretariat {
		return nil, false, nil
	}
	id, err := meetingID(c)
	if err != nil {
		return nil, false, err
	}
	m, err := meetings.FindMeeting(ctx, h.DB, u.CommissionIDOrZero(), id)
	if err != nil {
		return nil, false, err
	}
	if m.Status != meetings.MeetingClosed && m.Status != meetings.MeetingMinutesApproved {
		return m, false, nil
	}
	if _, err := minutesmodel.FindCurrentMinutes(ctx, h.DB, m.CommissionID, m.ID); errors.Is(err, models.ErrNotFound) {
		return m, true, nil
	} else if err != nil {
		return nil, false, err
	}
	return m, false, nil
}

// Establish makes the draft procès-verbal of a closed sitting from what was recorded
// (secretariat), then shows it.
func (h *Handler) Establish(c *fiber.Ctx) error {
	m, ok, err := h.awaitingDraft(c)
	if err != nil {
		return err
	}
	if !ok {
		if m != nil && m.Status != meetings.MeetingClosed && m.Status != meetings.MeetingMinutesApproved {
			return fiber.NewError(fiber.StatusConflict, minutesmodel.ErrMinutesMeetingNotHeld.Error())
		}
		return fiber.NewError(fiber.StatusConflict, minutesmodel.ErrMinutesExist.Error())
	}
	if err := h.createDraft(c, m); err != nil {
		return err // a refusal is shown by the error handler (409)
	}
	web.FlashSuccess(c, "Le projet de procès-verbal est établi à partir des présences et des votes enregistrés.")
	return c.Redirect(minutesPath(m.ID), fiber.StatusSeeOther)
}

func (h *Handler) createDraft(c *fiber.Ctx, m *meetings.Meeting) error {
	ctx, u := c.UserContext(), web.User(c)
	view, err := BuildMinutes(ctx, h.DB, h.Keys, m.CommissionID, m.ID, h.Now())
	if err != nil {
		return err
	}
	content, err := Encode(view)
	if err != nil {
		return err
	}
	_, err = minutesmodel.CreateMinutesDraft(ctx, h.DB, h.Keys, models.ActorFor(u), m.CommissionID, m.ID, content, h.Now())
	return err
}

// Workflow is what the page offers the signed-in user to do with the procès-verbal.
type Workflow struct {
	Action       string // base path of the forms
	Status       string
	EditTexts    bool
	Validate     bool
	Submit       bool
	Approve      bool
	Correct      bool
	NextSessions []SessionChoice
}

// SessionChoice is a later session the procès-verbal may be submitted to.
type SessionChoice struct {
	ID    int64
	Label string
}

// document returns version r of the procès-verbal of session m rendered, and its time
// zone: opened from the kept sealed rendering, or rendered from the decoded snapshot and
// kept sealed for the next requests.
func (h *Handler) document(c *fiber.Ctx, m *meetings.Meeting, r *minutesmodel.Minutes) (template.HTML, *time.Location, error) {
	var fresh template.HTML // this request's own rendering, when it made one
	d, err := h.documents.Get(r.ID, h.Now(), func() (*sealedDocument, error) {
		view, err := FromRecord(r, h.Keys)
		if err != nil {
			return nil, err
		}
		zone, err := view.Location()
		if err != nil {
			return nil, err
		}
		if fresh, err = web.RenderFragment(c, "minutes/document", fiber.Map{
			"Minutes": view, "PDFURL": minutesPath(m.ID) + ".pdf", "XLSXURL": minutesPath(m.ID) + ".xlsx",
		}); err != nil {
			return nil, err
		}
		return &sealedDocument{sealed: h.Keys.SealBytes([]byte(fresh), documentAAD(r.ID)), zone: zone}, nil
	})
	if err != nil {
		return "", nil, err
	}
	if fresh != "" {
		return fresh, d.zone, nil
	}
	html, err := h.Keys.OpenBytes(d.sealed, documentAAD(r.ID))
	if err != nil {
		return "", nil, fmt.Errorf("open the rendered procès-verbal %d: %w", r.ID, err)
	}
	return template.HTML(html), d.zone, nil
}

func (h *Handler) render(c *fiber.Ctx, m *meetings.Meeting, r *minutesmodel.Minutes, errs models.FieldErrors, form map[string]string) error {
	doc, loc, err := h.document(c, m, r)
	if err != nil {
		return err
	}
	u := web.User(c)
	chair := u.Role == models.RoleSecretariat || u.Role == models.RolePresident
	w := &Workflow{
		Action: minutesPath(m.ID), Status: r.Status.Label(),
		EditTexts: u.Role == models.RoleSecretariat && r.Status == minutesmodel.MinutesDraft,
		Validate:  u.Role == models.RolePresident && r.Status == minutesmodel.MinutesDraft,
		Submit:    chair && r.Status == minutesmodel.MinutesValidated,
		Approve:   chair && r.Status == minutesmodel.MinutesSubmitted,
		Correct:   chair && r.Status == minutesmodel.MinutesLocked,
	}
	if w.Submit {
		ms, err := meetings.ListMeetings(c.UserContext(), h.DB, m.CommissionID, m.StartsAt.Add(time.Minute), m.StartsAt.AddDate(2, 0, 0))
		if err != nil {
			return err
		}
		for _, n := range ms {
			if n.Status.Active() {
				w.NextSessions = append(w.NextSessions, SessionChoice{ID: n.ID, Label: n.Title() + " — " + n.StartsAt.In(loc).Format("02/01/2006 à 15:04")})
			}
		}
	}
	if form == nil {
		form = map[string]string{"general_items": r.GeneralItems, "observations": r.Observations}
	}
	data := fiber.Map{
		"Title": "Procès-verbal — " + m.Title(), "Document": doc, "Workflow": w, "Form": form, "Errors": errs,
	}
	if !chair {
		data["Workflow"] = (*Workflow)(nil)
	}
	return web.Render(c, "minutes/print", data)
}

// step runs a workflow action on the current version and redirects to the page with
// flash, or answers the refusal.
func (h *Handler) step(c *fiber.Ctx, flash string, form map[string]string, do func(m *meetings.Meeting, r *minutesmodel.Minutes) error) error {
	m, r, err := h.record(c)
	if err != nil {
		return err
	}
	err = do(m, r)
	if ref, ok := models.AsRefusal(err); ok && len(ref.Fields) > 0 {
		fe, _ := models.AsFieldErrors(ref)
		c.Status(fiber.StatusUnprocessableEntity)
		return h.render(c, m, r, fe, form)
	}
	if err != nil {
		return err // a refusal of the workflow is shown by the error handler (409)
	}
	web.FlashSuccess(c, flash)
	return c.Redirect(minutesPath(m.ID), fiber.StatusSeeOther)
}

// SaveTexts saves the free texts of a draft (secretariat).
func (h *Handler) SaveTexts(c *fiber.Ctx) error {
	in := minutesmodel.MinutesTexts{GeneralItems: c.FormValue("general_items"), Observations: c.FormValue("observations")}
	form := map[string]string{"general_items": in.GeneralItems, "observations": in.Observations}
	return h.step(c, "Les textes du projet de procès-verbal sont enregistrés.", form, func(m *meetings.Meeting, r *minutesmodel.Minutes) error {
		if fe := in.Validate(); len(fe) > 0 {
			return fe.Err()
		}
		_, err := minutesmodel.UpdateMinutesTexts(c.UserContext(), h.DB, models.ActorFor(web.User(c)), m.CommissionID, r.ID, in, h.Now())
		return err
	})
}

// Validate records the président's validation of the draft.
func (h *Handler) Validate(c *fiber.Ctx) error {
	return h.step(c, "Le procès-verbal est validé.", nil, func(m *meetings.Meeting, r *minutesmodel.Minutes) error {
		_, err := minutesmodel.ValidateMinutes(c.UserContext(), h.DB, web.User(c), m.CommissionID, r.ID, h.Now())
		return err
	})
}

// Submit puts the validated version on the agenda of a later session.
func (h *Handler) Submit(c *fiber.Ctx) error {
	return h.step(c, "Le procès-verbal est soumis à l'approbation de la séance choisie.", nil, func(m *meetings.Meeting, r *minutesmodel.Minutes) error {
		to, err := strconv.ParseInt(c.FormValue("to_meeting_id"), 10, 64)
		if err != nil || to <= 0 {
			return models.FieldErrors{"to_meeting_id": "Choisissez la séance à laquelle le procès-verbal est soumis."}.Err()
		}
		_, err = minutesmodel.SubmitMinutes(c.UserContext(), h.DB, models.ActorFor(web.User(c)), m.CommissionID, r.ID, to, h.Now())
		return err
	})
}

// Approve records the approval with the approving session's reference and locks.
func (h *Handler) Approve(c *fiber.Ctx) error {
	ref := c.FormValue("approval_ref")
	return h.step(c, "Le procès-verbal est approuvé et verrouillé.", map[string]string{"approval_ref": ref}, func(m *meetings.Meeting, r *minutesmodel.Minutes) error {
		_, err := minutesmodel.ApproveMinutes(c.UserContext(), h.DB, h.Keys, models.ActorFor(web.User(c)), m.CommissionID, r.ID,
			minutesmodel.ApprovalInput{Reference: ref, Lock: true}, h.Now())
		return err
	})
}

// Correct starts a corrected version of the locked one, with a note.
func (h *Handler) Correct(c *fiber.Ctx) error {
	note := c.FormValue("correction_note")
	return h.step(c, "Une version rectificative est ouverte en projet.", map[string]string{"correction_note": note}, func(m *meetings.Meeting, r *minutesmodel.Minutes) error {
		_, err := minutesmodel.CorrectMinutes(c.UserContext(), h.DB, h.Keys, models.ActorFor(web.User(c)), m.CommissionID, r.ID, note, nil, h.Now())
		return err
	})
}

// XLSX downloads the procès-verbal as an Excel workbook.
func (h *Handler) XLSX(c *fiber.Ctx) error { return h.download(c, "xlsx", WriteXLSX) }

// PDF downloads the procès-verbal as a PDF.
func (h *Handler) PDF(c *fiber.Ctx) error { return h.download(c, "pdf", WritePDF) }

func (h *Handler) download(c *fiber.Ctx, ext string, write func(w io.Writer, m *Minutes) error) error {
	m, r, err := h.record(c)
	if err != nil {
		return err
	}
	view, err := FromRecord(r, h.Keys)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := write(&buf, view); err != nil {
		return err
	}
	err = models.InTx(c.UserContext(), h.DB, func(ctx context.Context, tx bun.Tx) error {
		return models.Audit(ctx, tx, h.Now(), models.AuditEntry{
			CommissionID: m.CommissionID, Actor: models.ActorFor(web.User(c)), Action: "minutes.download",
			Object: models.ObjectRef("minutes", r.ID), Details: map[string]any{"meeting_id": m.ID, "version": r.Version, "format": ext},
		})
	})
	if err != nil {
		return err
	}
	c.Attachment(FileName(view, ext))
	return c.Send(buf.Bytes())
}

// Line is one held session in the list of procès-verbaux.
type Line struct {
	Meeting meetings.Meeting
	Path    string
	Status  string // the current version's status, or "À établir"
	Version int
}

// Index lists the sessions held and the state of their procès-verbal, as the
// signed-in user may see them.
func (h *Handler) Index(c *fiber.Ctx) error {
	ctx, u := c.UserContext(), web.User(c)
	cid, now := u.CommissionIDOrZero(), h.Now()
	ms, err := meetings.ListMeetings(ctx, h.DB, cid, now.AddDate(-3, 0, 0), now.AddDate(0, 0, 1))
	if err != nil {
		return err
	}
	reader, err := minutesmodel.MinutesReaderFor(ctx, h.DB, u)
	if err != nil {
		return err
	}
	var lines []Line
	for _, m := range slices.Backward(ms) {
		if m.Status != meetings.MeetingClosed && m.Status != meetings.MeetingMinutesApproved {
			continue
		}
		rs, err := minutesmodel.ListMinutesVersions(ctx, h.DB, cid, m.ID)
		if err != nil {
			return err
		}
		l := Line{Meeting: m, Path: minutesPath(m.ID), Status: "À établir"}
		r, err := reader.Latest(&m, rs)
		switch {
		case err == nil:
			l.Status, l.Version = r.Status.Label(), r.Version
		case !reader.Convened(&m) || u.Role == models.RolePrefecture:
			continue
		default:
			if len(rs) > 0 {
				l.Status = "En préparation"
			}
			if u.Role == models.RoleMember {
				// A member reads no procès-verbal before it is validated: the line
				// leads to the session instead of a page that would refuse them.
				l.Path = fmt.Sprintf("/seances/%d", m.ID)
			}
		}
		lines = append(lines, l)
	}
	return web.Render(c, "minutes/index", fiber.Map{"Title": "Procès-verbaux", "Lines": lines})
}
