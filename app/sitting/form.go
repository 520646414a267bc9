package sitting

import (
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"seance/app/web"
	"seance/models"
	"seance/models/meetings"
	"seance/models/registry"
	sittingmodel "seance/models/sitting"
)

// dateTimeLayout is the value format of <input type="datetime-local">.
const dateTimeLayout = "2006-01-02T15:04"

// dateFR formats a day as "24 novembre 2026" in loc.
func dateFR(t time.Time, loc *time.Location) string {
	return web.DateFR(t, loc)
}

// parseLocal reads a datetime-local value in loc; ok is false when s is not one.
func parseLocal(s string, loc *time.Location) (time.Time, bool) {
	t, err := time.ParseInLocation(dateTimeLayout, strings.TrimSpace(s), loc)
	if err != nil {
		return time.Time{}, false
	}
	return t.UTC(), true
}

// formID reads a positive id from form field name.
func formID(c *fiber.Ctx, name string) (int64, error) {
	n, err := strconv.ParseInt(strings.TrimSpace(c.FormValue(name)), 10, 64)
	if err != nil || n <= 0 {
		return 0, models.FieldErrors{name: "Choix invalide : rechargez la page et recommencez."}.Err()
	}
	return n, nil
}

// attendanceInput reads a seat's confirmed status from the console's select, whose
// values are a status, or "substituted:<suppléant id>", or "proxy:<holder id>".
func attendanceInput(seat, value string) (meetings.AttendanceInput, error) {
	in := meetings.AttendanceInput{Confirm: true}
	var err error
	if in.SeatID, err = strconv.ParseInt(seat, 10, 64); err != nil {
		return in, models.FieldErrors{"seat_id": "Siège inconnu : rechargez la page."}.Err()
	}
	status, who, _ := strings.Cut(value, ":")
	in.Status = meetings.AttendanceStatus(status)
	if who != "" {
		id, err := strconv.ParseInt(who, 10, 64)
		if err != nil {
			return in, models.FieldErrors{"status": "Choix invalide : rechargez la page."}.Err()
		}
		switch in.Status {
		case meetings.AttSubstituted:
			in.SubstituteUserID = id
		case meetings.AttProxy:
			in.ProxyHolderUserID = id
		}
	}
	return in, nil
}

// option is one choice of a select.
type option struct {
	Value    string
	Label    string
	Selected bool
	Disabled bool
}

// seatRow is one seat of the attendance table with the choices the secretariat has:
// present, remote, replaced by one of its own suppléants, proxy to another titulaire
// (only for a seat without suppléant, R133-9), excused, absent.
type seatRow struct {
	*sittingmodel.SeatPresence
	Options []option
	Holders []option // who may arrive for the seat: titulaire and suppléants
}

func seatRows(p *sittingmodel.Presence) []seatRow {
	rows := make([]seatRow, 0, len(p.Seats))
	for i := range p.Seats {
		sp := &p.Seats[i]
		r := seatRow{SeatPresence: sp}
		if sp.Titulaire == nil {
			rows = append(rows, r)
			continue
		}
		cur := string(sp.Status)
		if a := sp.Attendance; a != nil && a.SubstituteUserID != nil {
			cur += ":" + strconv.FormatInt(*a.SubstituteUserID, 10)
		} else if a != nil && a.ProxyHolderUserID != nil {
			cur += ":" + strconv.FormatInt(*a.ProxyHolderUserID, 10)
		}
		add := func(v, label string) {
			r.Options = append(r.Options, option{Value: v, Label: label, Selected: v == cur})
		}
		add(string(meetings.AttPresentOnSite), meetings.AttPresentOnSite.Label())
		add(string(meetings.AttPresentRemote), meetings.AttPresentRemote.Label())
		r.Holders = append(r.Holders, option{Value: strconv.FormatInt(sp.Titulaire.UserID, 10), Label: userName(sp.Titulaire) + " (titulaire)"})
		for _, s := range sp.Suppleants {
			add("substituted:"+strconv.FormatInt(s.UserID, 10), "Remplacé(e) par "+userName(&s)+" (suppléant)")
			r.Holders = append(r.Holders, option{Value: strconv.FormatInt(s.UserID, 10), Label: userName(&s) + " (suppléant)"})
		}
		if len(sp.Suppleants) == 0 {
			for j := range p.Seats {
				o := &p.Seats[j]
				if o.Titulaire != nil && o.Seat.ID != sp.Seat.ID {
					add("proxy:"+strconv.FormatInt(o.Titulaire.UserID, 10), "Procuration à "+userName(o.Titulaire))
				}
			}
		}
		add(string(meetings.AttExcused), meetings.AttExcused.Label())
		add(string(meetings.AttAbsent), meetings.AttAbsent.Label())
		if sp.Status == meetings.AttNoReply {
			r.Options = append([]option{{Value: "", Label: "Pas de réponse — choisir", Selected: true}}, r.Options...)
		}
		rows = append(rows, r)
	}
	return rows
}

func userName(m *registry.Mandate) string {
	if m == nil || m.User == nil {
		return ""
	}
	return m.User.Name
}

// secondForm is the second convocation's form, as typed.
type secondForm struct {
	StartsAt   string
	Mode       string
	Place      string
	RemoteLink string
}

func (f secondForm) input(loc *time.Location) (meetings.MeetingInput, models.FieldErrors) {
	in := meetings.MeetingInput{Mode: meetings.MeetingMode(f.Mode), Place: f.Place, RemoteLink: f.RemoteLink}
	fe := models.FieldErrors{}
	t, ok := parseLocal(f.StartsAt, loc)
	if !ok {
		fe.Add("starts_at", "Indiquez la date et l'heure de la seconde convocation.")
	}
	in.StartsAt = t
	return in, fe
}

// announceForm is a written deliberation's announcement, as typed.
type announceForm struct {
	ItemID       int64
	StartsAt     string
	Deadline     string
	VotingHours  string
	MeansChecked bool
}

func (f announceForm) input(loc *time.Location) (sittingmodel.DeliberationInput, models.FieldErrors) {
	fe := models.FieldErrors{}
	in := sittingmodel.DeliberationInput{MeansChecked: f.MeansChecked}
	var ok bool
	if in.StartsAt, ok = parseLocal(f.StartsAt, loc); !ok {
		fe.Add("starts_at", "Indiquez la date et l'heure d'ouverture des échanges.")
	}
	if in.Deadline, ok = parseLocal(f.Deadline, loc); !ok {
		fe.Add("deadline", "Indiquez la date et l'heure de clôture au plus tôt.")
	}
	n, err := strconv.Atoi(strings.TrimSpace(f.VotingHours))
	if err != nil {
		fe.Add("voting_hours", "Indiquez la durée du vote en heures.")
	}
	in.VotingHours = n
	return in, fe
}

// roomCount reads the room's count; nil when the three fields are empty.
func roomCount(c *fiber.Ctx) (*sittingmodel.RoomCount, models.FieldErrors) {
	vals := [3]string{strings.TrimSpace(c.FormValue("room_yes")), strings.TrimSpace(c.FormValue("room_no")), strings.TrimSpace(c.FormValue("room_abstentions"))}
	if vals[0] == "" && vals[1] == "" && vals[2] == "" {
		return nil, nil
	}
	var n [3]int
	for i, v := range vals {
		if v == "" {
			continue
		}
		x, err := strconv.Atoi(v)
		if err != nil || x < 0 {
			return nil, models.FieldErrors{"room": "Les nombres de voix sont des entiers positifs ou nuls."}
		}
		n[i] = x
	}
	return &sittingmodel.RoomCount{Yes: n[0], No: n[1], Abstentions: n[2]}, nil
}
