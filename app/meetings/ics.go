package meetings

import (
	"bytes"
	"fmt"
	"net/url"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"seance/app/calendar"
	"seance/app/web"
	"seance/models"
	meetingsmodel "seance/models/meetings"
)

// event is session m as a calendar entry. The description carries no agenda: a calendar
// is often synchronised with third-party services, so it only links to the portal.
func (h *Handler) event(m *meetingsmodel.Meeting, commission string) calendar.Event {
	e := calendar.Event{
		UID: calendar.UID(m.ID, h.host()), Sequence: m.Sequence, Summary: m.Title() + " — " + commission,
		Start: m.StartsAt, End: m.EndsAt, Cancelled: m.Status == meetingsmodel.MeetingCancelled, Updated: m.UpdatedAt,
		URL: h.BaseURL + "/seances/" + strconv.FormatInt(m.ID, 10),
	}
	switch m.Mode {
	case meetingsmodel.ModeRemote, meetingsmodel.ModeWritten:
		e.Location = m.RemoteLink
	default:
		e.Location = m.Place
	}
	e.Description = m.Mode.Label() + ". Ordre du jour, documents et réponse à la convocation sur le portail : " + e.URL
	if m.RemoteLink != "" && m.Mode == meetingsmodel.ModeHybrid {
		e.Description += "\nConnexion à distance : " + m.RemoteLink
	}
	if m.Status == meetingsmodel.MeetingCancelled {
		e.Description = "Séance annulée : " + m.CancelledReason
	}
	return e
}

func (h *Handler) host() string {
	u, err := url.Parse(h.BaseURL)
	if err != nil || u.Host == "" {
		return "localhost"
	}
	return u.Host
}

// icsOf writes the calendar file of meetings with method.
func (h *Handler) icsOf(name, method string, commission string, ms ...meetingsmodel.Meeting) ([]byte, error) {
	var b bytes.Buffer
	if len(ms) == 0 {
		// calendar.Write needs an event; an empty subscription is still a valid calendar.
		fmt.Fprintf(&b, "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:%s\r\nCALSCALE:GREGORIAN\r\nMETHOD:%s\r\nEND:VCALENDAR\r\n", calendar.ProductID, method)
		return b.Bytes(), nil
	}
	es := make([]calendar.Event, len(ms))
	for i := range ms {
		es[i] = h.event(&ms[i], commission)
	}
	if err := calendar.Write(&b, name, h.Location, method, es...); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// ICS downloads the calendar file of one session.
func (h *Handler) ICS(c *fiber.Ctx) error {
	m, err := h.visibleMeeting(c)
	if err != nil {
		return err
	}
	method := calendar.MethodPublish
	if m.Status == meetingsmodel.MeetingCancelled {
		method = calendar.MethodCancel
	}
	b, err := h.icsOf("", method, web.Commission(c).Name, *m)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, calendar.ContentType(method))
	c.Attachment(fmt.Sprintf("seance-%d.ics", m.ID))
	return c.Send(b)
}

// Feed serves a personal subscription: the sessions of the feed's owner, from a year ago
// to two years ahead, with cancelled ones as STATUS:CANCELLED.
func (h *Handler) Feed(c *fiber.Ctx) error {
	now := h.Now()
	u, err := meetingsmodel.CalendarFeedUser(c.UserContext(), h.DB, c.Params("token"), now)
	if err != nil {
		return err
	}
	ms, err := meetingsmodel.MeetingsFor(c.UserContext(), h.DB, u, now.AddDate(-1, 0, 0), now.AddDate(2, 0, 0))
	if err != nil {
		return err
	}
	cm, err := models.FindCommission(c.UserContext(), h.DB, u.CommissionIDOrZero())
	if err != nil {
		return err
	}
	b, err := h.icsOf("Séances — "+cm.Name, calendar.MethodPublish, cm.Name, ms...)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, calendar.ContentType(calendar.MethodPublish))
	c.Set(fiber.HeaderCacheControl, "private, max-age=900")
	return c.Send(b)
}

// CreateFeed creates (or renews) the signed-in user's subscription and shows its URL once.
func (h *Handler) CreateFeed(c *fiber.Ctx) error {
	u := web.User(c)
	tok, err := meetingsmodel.CreateCalendarFeed(c.UserContext(), h.DB, u, h.Now())
	if err != nil {
		return err
	}
	return h.renderIndex(c, h.Now().In(h.Location).Year(), h.BaseURL+"/calendrier/"+tok)
}

// RevokeFeed revokes the signed-in user's subscription.
func (h *Handler) RevokeFeed(c *fiber.Ctx) error {
	if err := meetingsmodel.RevokeCalendarFeed(c.UserContext(), h.DB, web.User(c), h.Now()); err != nil {
		return err
	}
	web.FlashSuccess(c, "L'abonnement au calendrier est révoqué : son adresse ne fonctionne plus.")
	return c.Redirect("/seances", fiber.StatusSeeOther)
}
