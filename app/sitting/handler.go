// Package sitting serves the sitting of a session: attendance confirmation (émargement),
// live quorum, arrivals and departures, votes with their live tally, the avis and the
// dissents, the closing (or the second convocation when the quorum fails), the members'
// own voting pages with their receipts, and written electronic deliberations.
package sitting

import (
	"fmt"
	"log/slog"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/uptrace/bun"

	"seance/app/mail"
	"seance/app/web"
	"seance/models"
	"seance/models/files"
	"seance/models/keyring"
	"seance/models/meetings"
	sittingmodel "seance/models/sitting"
)

// Handler serves the sitting pages.
type Handler struct {
	DB       *bun.DB
	Keys     *keyring.Keyring
	Mailer   *mail.Mailer
	Log      *slog.Logger
	Now      func() time.Time
	Location *time.Location // the portal's time zone, for date and time fields
	BaseURL  string         // for links in e-mails

	memberPages *models.Memo[memberPageKey, *memberPage]
	// overviews keeps the overview of each session (presence, quorum, items and votes:
	// some twenty queries) that the console and its live fragment, polled every few
	// seconds by each screen, show until the next write.
	overviews *models.Memo[[2]int64, *sittingmodel.SittingOverview]
}

// NewHandler returns the sitting handler; w counts the writes after which a member's
// vote page is computed again (and at least every maxAge).
func NewHandler(h Handler, w *models.Writes, maxAge time.Duration) *Handler {
	h.memberPages = models.NewMemo[memberPageKey, *memberPage](w, maxAge)
	h.overviews = models.NewMemo[[2]int64, *sittingmodel.SittingOverview](w, maxAge)
	return &h
}

// itemParams returns the session and agenda item ids of the route.
func itemParams(c *fiber.Ctx) (id, item int64, err error) {
	if id, err = web.ParamID(c, "id"); err != nil {
		return 0, 0, err
	}
	item, err = web.ParamID(c, "item")
	return id, item, err
}

func cidOf(c *fiber.Ctx) int64 { return web.User(c).CommissionIDOrZero() }

// back answers an action: a refusal becomes an error flash, success a success flash,
// and both return to path. Other errors go to the error handler.
func back(c *fiber.Ctx, err error, path, success string) error {
	if err != nil {
		return web.Refused(c, err, path)
	}
	if success != "" {
		web.FlashSuccess(c, success)
	}
	return c.Redirect(path, fiber.StatusSeeOther)
}

func consolePath(id int64) string { return fmt.Sprintf("/sitting/%d", id) }

// Index lists the sessions to hold or held lately.
func (h *Handler) Index(c *fiber.Ctx) error {
	ms, err := sittingmodel.ListSittings(c.UserContext(), h.DB, cidOf(c), h.Now())
	if err != nil {
		return err
	}
	return web.Render(c, "sitting/index", fiber.Map{"Title": "Déroulé des séances", "Meetings": ms})
}

// Console is the page of a session's sitting: attendance before opening, then quorum,
// presence, agenda with votes, and closing.
func (h *Handler) Console(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	return h.renderConsole(c, id, fiber.Map{})
}

func (h *Handler) renderConsole(c *fiber.Ctx, id int64, data fiber.Map) error {
	ctx := c.UserContext()
	o, err := h.overview(c, id)
	if err != nil {
		return err
	}
	if o.Meeting.Status == meetings.MeetingConvened { // the chair is chosen when the sitting opens
		presidents, err := sittingmodel.ListPresidents(ctx, h.DB, cidOf(c))
		if err != nil {
			return err
		}
		data["Presidents"] = presidents
	}
	data["Title"] = "Séance du " + dateFR(o.Meeting.StartsAt, h.Location)
	data["O"] = o
	data["Seats"] = seatRows(o.Presence)
	data["Modes"] = meetings.MeetingModes
	data["Avises"] = files.Avises
	data["Now"] = h.Now()
	if _, ok := data["Second"]; !ok {
		data["Second"] = secondForm{Mode: string(o.Meeting.Mode), Place: o.Meeting.Place, RemoteLink: o.Meeting.RemoteLink,
			StartsAt: o.Meeting.StartsAt.AddDate(0, 0, 14).In(h.Location).Format(dateTimeLayout)}
	}
	return web.Render(c, "sitting/console", data)
}

// overview returns the overview of session id of the user's commission, shared by the
// requests until the next write: it is only read.
func (h *Handler) overview(c *fiber.Ctx, id int64) (*sittingmodel.SittingOverview, error) {
	cid := cidOf(c)
	return h.overviews.Get([2]int64{cid, id}, h.Now(), func() (*sittingmodel.SittingOverview, error) {
		return sittingmodel.LoadSittingOverview(c.UserContext(), h.DB, cid, id)
	})
}

// Live is the htmx fragment of the console refreshed every few seconds: quorum, item
// under way and open votes.
func (h *Handler) Live(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	o, err := h.overview(c, id)
	if err != nil {
		return err
	}
	return web.Render(c, "sitting/live", fiber.Map{"O": o})
}

// SetAttendance confirms one seat's attendance at the sitting (REGLES.md requirement 2).
func (h *Handler) SetAttendance(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	in, err := attendanceInput(c.FormValue("seat_id"), c.FormValue("status"))
	if err != nil {
		return back(c, err, consolePath(id), "")
	}
	_, err = meetings.SetAttendance(c.UserContext(), h.DB, models.ActorFor(web.User(c)), cidOf(c), id, in, h.Now())
	return back(c, err, consolePath(id)+"#emargement", "Participation confirmée.")
}

// ConfirmAll confirms every reply received; seats without a reply are confirmed absent.
func (h *Handler) ConfirmAll(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	n, err := sittingmodel.ConfirmSittingAttendance(c.UserContext(), h.DB, models.ActorFor(web.User(c)), cidOf(c), id, h.Now())
	return back(c, err, consolePath(id)+"#emargement", fmt.Sprintf("%d participation(s) confirmée(s).", n))
}

// Open opens the sitting, chaired by the président chosen.
func (h *Handler) Open(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	chair, err := formID(c, "chair_id")
	if err != nil {
		return back(c, err, consolePath(id), "")
	}
	_, err = sittingmodel.OpenSitting(c.UserContext(), h.DB, web.User(c), cidOf(c), id, chair, h.Now())
	return back(c, err, consolePath(id), "La séance est ouverte.")
}

// Presence records an arrival or a departure.
func (h *Handler) Presence(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	seat, err := formID(c, "seat_id")
	if err != nil {
		return back(c, err, consolePath(id), "")
	}
	in := sittingmodel.PresenceInput{SeatID: seat, Kind: sittingmodel.PresenceKind(c.FormValue("kind")), Remote: c.FormValue("remote") == "1"}
	if s := c.FormValue("user_id"); s != "" {
		if in.UserID, err = formID(c, "user_id"); err != nil {
			return back(c, err, consolePath(id), "")
		}
	}
	_, err = sittingmodel.RecordPresence(c.UserContext(), h.DB, web.User(c), cidOf(c), id, in, h.Now())
	msg := "Départ enregistré."
	if in.Kind == sittingmodel.PresenceArrival {
		msg = "Arrivée enregistrée."
	}
	return back(c, err, consolePath(id)+"#presence", msg)
}

// CurrentItem records the agenda item under way.
func (h *Handler) CurrentItem(c *fiber.Ctx) error {
	id, item, err := itemParams(c)
	if err != nil {
		return err
	}
	err = sittingmodel.SetCurrentItem(c.UserContext(), h.DB, web.User(c), cidOf(c), id, item, h.Now())
	return back(c, err, consolePath(id)+"#ordre-du-jour", "Point en cours de traitement enregistré.")
}

// Close closes the sitting.
func (h *Handler) Close(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	err = sittingmodel.CloseSitting(c.UserContext(), h.DB, web.User(c), cidOf(c), id, h.Now())
	return back(c, err, consolePath(id), "La séance est close.")
}

// NoQuorum closes the sitting for lack of quorum and creates the second convocation.
func (h *Handler) NoQuorum(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	f := secondForm{StartsAt: c.FormValue("starts_at"), Mode: c.FormValue("mode"), Place: c.FormValue("place"), RemoteLink: c.FormValue("remote_link")}
	in, fe := f.input(h.Location)
	var second *meetings.Meeting
	if len(fe) == 0 {
		second, err = sittingmodel.CloseSittingWithoutQuorum(c.UserContext(), h.DB, web.User(c), cidOf(c), id, in, h.Now())
		if got, ok := models.AsFieldErrors(err); ok {
			fe, err = got, nil
		}
	}
	if len(fe) > 0 {
		c.Status(fiber.StatusUnprocessableEntity)
		return h.renderConsole(c, id, fiber.Map{"Errors": fe, "Second": f})
	}
	if err != nil {
		return back(c, err, consolePath(id), "")
	}
	web.FlashSuccess(c, "Séance close faute de quorum. La seconde convocation du "+dateFR(second.StartsAt, h.Location)+
		" est créée avec le même ordre du jour : elle délibérera sans condition de quorum. Envoyez-la depuis la gestion des séances.")
	return c.Redirect(consolePath(id), fiber.StatusSeeOther)
}
