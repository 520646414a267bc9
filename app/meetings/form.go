package meetings

import (
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"seance/models"
	meetingsmodel "seance/models/meetings"
)

// MeetingForm is the session form as typed: local date and times in the portal's zone.
type MeetingForm struct {
	Kind          string
	Mode          string
	Date          string // 2026-06-15
	Start         string // 14:00
	End           string // 17:00
	Place         string
	RemoteLink    string
	Capacity      string
	Urgency       bool
	UrgencyReason string
}

// meetingForm reads the form fields.
func meetingForm(c *fiber.Ctx) MeetingForm {
	return MeetingForm{
		Kind: c.FormValue("kind"), Mode: c.FormValue("mode"), Date: strings.TrimSpace(c.FormValue("date")),
		Start: strings.TrimSpace(c.FormValue("start")), End: strings.TrimSpace(c.FormValue("end")),
		Place: c.FormValue("place"), RemoteLink: c.FormValue("remote_link"), Capacity: strings.TrimSpace(c.FormValue("capacity")),
		Urgency: c.FormValue("urgency") == "1", UrgencyReason: c.FormValue("urgency_reason"),
	}
}

// formOf fills the form from a session, in zone loc.
func formOf(m *meetingsmodel.Meeting, loc *time.Location) MeetingForm {
	return MeetingForm{
		Kind: string(m.Kind), Mode: string(m.Mode), Date: m.StartsAt.In(loc).Format(time.DateOnly),
		Start: m.StartsAt.In(loc).Format("15:04"), End: m.EndsAt.In(loc).Format("15:04"),
		Place: m.Place, RemoteLink: m.RemoteLink, Capacity: strconv.Itoa(m.Capacity), Urgency: m.Urgency, UrgencyReason: m.UrgencyReason,
	}
}

// Validate converts the form to a models.MeetingInput, local times read in loc; parse
// errors come back by field, in French, before the model's own checks.
func (f MeetingForm) Validate(loc *time.Location, now time.Time) (meetingsmodel.MeetingInput, models.FieldErrors) {
	fe := models.FieldErrors{}
	in := meetingsmodel.MeetingInput{
		Kind: meetingsmodel.MeetingKind(f.Kind), Mode: meetingsmodel.MeetingMode(f.Mode), Place: f.Place, RemoteLink: f.RemoteLink,
		Urgency: f.Urgency, UrgencyReason: f.UrgencyReason,
	}
	day, err := time.ParseInLocation(time.DateOnly, f.Date, loc)
	if err != nil {
		fe.Add("date", "Indiquez la date de la séance (jj/mm/aaaa).")
	}
	at := func(field, hm, msg string) time.Time {
		t, err := time.Parse("15:04", hm)
		if err != nil {
			fe.Add(field, msg)
			return time.Time{}
		}
		return time.Date(day.Year(), day.Month(), day.Day(), t.Hour(), t.Minute(), 0, 0, loc)
	}
	start := at("start", f.Start, "Indiquez l'heure de début (hh:mm).")
	var end time.Time
	if f.End != "" {
		end = at("end", f.End, "Indiquez l'heure de fin prévue (hh:mm).")
	}
	if len(fe) == 0 {
		in.StartsAt, in.EndsAt = start, end
	}
	if f.Capacity == "" {
		in.Capacity = 0
	} else if n, err := strconv.Atoi(f.Capacity); err != nil {
		fe.Add("capacity", "Indiquez un nombre de dossiers.")
	} else {
		in.Capacity = n
	}
	if in.Kind == meetingsmodel.MeetingPolicy {
		in.Capacity = 0
	}
	for k, v := range in.Validate(now) {
		if k == "starts_at" {
			k = "date"
		}
		if k == "ends_at" {
			k = "end"
		}
		fe.Add(k, v)
	}
	return in, fe
}
