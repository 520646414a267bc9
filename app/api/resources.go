package api

import (
	"errors"
	"slices"
	"time"

	"github.com/gofiber/fiber/v2"

	"seance/app/web"
	"seance/models"
	"seance/models/meetings"
	"seance/models/minutes"
	"seance/models/sitting"
)

// Me is the owner of the token.
type Me struct {
	ID           int64       `json:"id"`
	Email        string      `json:"email"`
	Name         string      `json:"name"`
	Role         models.Role `json:"role"`
	CommissionID int64       `json:"commission_id"`
}

// Me returns the token's owner (to check a token).
func (h *Handler) Me(c *fiber.Ctx) error {
	u := web.User(c)
	return send(c, Me{ID: u.ID, Email: u.Email, Name: u.Name, Role: u.Role, CommissionID: u.CommissionIDOrZero()}, personal)
}

// Body is a commission.
type Body struct {
	ID         int64     `json:"id"`
	Type       string    `json:"type"`
	URL        string    `json:"url"`
	Name       string    `json:"name"`
	Department string    `json:"department"` // INSEE code
	Region     string    `json:"region"`     // INSEE code
	Arrete     string    `json:"compositionArrete"`
	Meetings   string    `json:"meetings"`
	Stats      string    `json:"stats"`
	Created    time.Time `json:"created"`
}

func bodyURL(id int64) string { return Base + "/bodies/" + itoa(id) }

func bodyOf(c *models.Commission) Body {
	u := bodyURL(c.ID)
	return Body{ID: c.ID, Type: "Body", URL: u, Name: c.Name, Department: c.Department, Region: c.Region, Arrete: c.ArreteRef,
		Meetings: u + "/meetings", Stats: u + "/stats", Created: c.CreatedAt.UTC()}
}

// Bodies lists the commissions the caller may know of: their own, their region's, or
// every one for the administrator.
func (h *Handler) Bodies(c *fiber.Ctx) error {
	limit, cursor, err := pageParams(c)
	if err != nil {
		return err
	}
	after := ""
	if cursor != "" {
		if after, err = parseBodyCursor(cursor); err != nil {
			return err
		}
	}
	cs, err := models.VisibleCommissions(c.UserContext(), h.DB, web.User(c))
	if err != nil {
		return err
	}
	start := slices.IndexFunc(cs, func(cm models.Commission) bool { return cm.Department > after })
	if start < 0 {
		start = len(cs)
	}
	end := min(start+limit, len(cs))
	out := List[Body]{Data: []Body{}, Pagination: Pagination{ElementsPerPage: limit}}
	for i := start; i < end; i++ {
		out.Data = append(out.Data, bodyOf(&cs[i]))
	}
	if end < len(cs) {
		out.Links.Next = next(Base+"/bodies", limit, bodyCursor(cs[end-1].Department))
	}
	return send(c, out, shareable)
}

const (
	bodyLocal    = "api.body"
	meetingLocal = "api.meeting"
)

// LoadBody resolves the commission of the :id parameter before the role check of the
// route: a commission the caller may not know of is 404 whatever the caller's role, so
// that another tenant's objects never answer differently from missing ones.
func (h *Handler) LoadBody(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	cm, err := models.FindVisibleCommission(c.UserContext(), h.DB, web.User(c), id)
	if err != nil {
		return err
	}
	c.Locals(bodyLocal, cm)
	return c.Next()
}

// LoadMeeting resolves the session of the :id parameter, in the caller's commission,
// before the role check of the route (404 otherwise, whatever the role).
func (h *Handler) LoadMeeting(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	m, err := meetings.FindMeeting(c.UserContext(), h.DB, web.User(c).CommissionIDOrZero(), id)
	if err != nil {
		return err
	}
	c.Locals(meetingLocal, m)
	return c.Next()
}

func body(c *fiber.Ctx) *models.Commission   { return c.Locals(bodyLocal).(*models.Commission) }
func meeting(c *fiber.Ctx) *meetings.Meeting { return c.Locals(meetingLocal).(*meetings.Meeting) }

// Body shows one commission.
func (h *Handler) Body(c *fiber.Ctx) error {
	return send(c, bodyOf(body(c)), shareable)
}

// Meeting is a session as the calendar shows it.
type Meeting struct {
	ID                int64     `json:"id"`
	Type              string    `json:"type"`
	URL               string    `json:"url"`
	Body              string    `json:"body"`
	Name              string    `json:"name"`
	Kind              string    `json:"kind"`
	Mode              string    `json:"mode"`
	Status            string    `json:"status"`
	StatusLabel       string    `json:"statusLabel"`
	Start             time.Time `json:"start"`
	End               time.Time `json:"end"`
	Urgent            bool      `json:"urgent"`
	SecondConvocation bool      `json:"secondConvocation"`
	Cancelled         bool      `json:"cancelled"`
	Results           string    `json:"results"`
	Modified          time.Time `json:"modified"`
}

func meetingURL(id int64) string { return Base + "/meetings/" + itoa(id) }

func meetingOf(m *meetings.Meeting) Meeting {
	u := meetingURL(m.ID)
	return Meeting{ID: m.ID, Type: "Meeting", URL: u, Body: bodyURL(m.CommissionID), Name: m.Title(), Kind: string(m.Kind),
		Mode: string(m.Mode), Status: string(m.Status), StatusLabel: m.Status.Label(), Start: m.StartsAt.UTC(), End: m.EndsAt.UTC(),
		Urgent: m.Urgency, SecondConvocation: m.FirstConvocationID != nil, Cancelled: m.Status == meetings.MeetingCancelled,
		Results: u + "/results", Modified: m.UpdatedAt.UTC()}
}

// Meetings lists the sessions of a commission the caller sees in the calendar (a member,
// the sessions they sit in), by start.
func (h *Handler) Meetings(c *fiber.Ctx) error {
	cm := body(c)
	limit, cursor, err := pageParams(c)
	if err != nil {
		return err
	}
	var after *meetings.MeetingCursor
	if cursor != "" {
		if after, err = parseMeetingCursor(cursor); err != nil {
			return err
		}
	}
	u := web.User(c)
	if u.CommissionIDOrZero() != cm.ID { // the calendar shows one's own commission only
		return models.ErrNotFound
	}
	ms, more, err := meetings.MeetingsPage(c.UserContext(), h.DB, u, after, limit)
	if err != nil {
		return err
	}
	out := List[Meeting]{Data: make([]Meeting, len(ms)), Pagination: Pagination{ElementsPerPage: limit}}
	for i := range ms {
		out.Data[i] = meetingOf(&ms[i])
	}
	if more {
		out.Links.Next = next(bodyURL(cm.ID)+"/meetings", limit, meetingCursor(&ms[len(ms)-1]))
	}
	return send(c, out, shareable)
}

// AgendaItem is one point of a session's agenda; a file appears by reference only.
type AgendaItem struct {
	ID        int64    `json:"id"`
	Type      string   `json:"type"`
	Number    int      `json:"number"`
	Kind      string   `json:"kind"`
	KindLabel string   `json:"kindLabel"`
	Name      string   `json:"name"`
	File      *FileRef `json:"file"`
}

// FileRef is a file as the API names it: its pseudonymous reference and request kind.
type FileRef struct {
	Reference        string `json:"reference"`
	RequestKind      string `json:"requestKind"`
	RequestKindLabel string `json:"requestKindLabel"`
}

func agendaItemOf(number int, e *minutes.AgendaEntryRef) AgendaItem {
	it := AgendaItem{ID: e.Item.ID, Type: "AgendaItem", Number: number, Kind: string(e.Item.Kind), KindLabel: e.Item.Kind.Label(), Name: e.Item.Title}
	if e.Item.Kind == meetings.ItemFile {
		it.Name = e.Item.Kind.Label()
		if f := e.File; f != nil {
			it.File = &FileRef{Reference: f.Reference, RequestKind: string(f.Kind), RequestKindLabel: f.Kind.Label()}
			it.Name = "Dossier " + f.Reference + " — " + f.Kind.Label()
		}
	}
	return it
}

// MeetingDetail is a session with its place and agenda.
type MeetingDetail struct {
	Meeting
	Place       string       `json:"place"`
	AgendaItems []AgendaItem `json:"agendaItems"`
}

// Meeting shows a session and its agenda to those who may open its page: the
// secretariat, the présidence, and the members who sit in it (404 for others, as the
// page).
func (h *Handler) Meeting(c *fiber.Ctx) error {
	m := meeting(c)
	ok, err := meetings.CanSeeMeeting(c.UserContext(), h.DB, web.User(c), m)
	if err != nil {
		return err
	}
	if !ok {
		return models.ErrNotFound
	}
	entries, err := minutes.PublicAgenda(c.UserContext(), h.DB, m.CommissionID, m.ID)
	if err != nil {
		return err
	}
	out := MeetingDetail{Meeting: meetingOf(m), Place: m.Place, AgendaItems: make([]AgendaItem, len(entries))}
	for i := range entries {
		out.AgendaItems[i] = agendaItemOf(i+1, &entries[i])
	}
	return send(c, out, personal)
}

// Results is the outcome of a session's agenda, as its approved procès-verbal records it.
type Results struct {
	Meeting string         `json:"meeting"`
	Minutes MinutesRef     `json:"minutes"`
	Items   []Consultation `json:"items"`
}

// MinutesRef is the approved version of the procès-verbal the results come from.
type MinutesRef struct {
	Version  int       `json:"version"`
	Status   string    `json:"status"`
	Approved time.Time `json:"approved"`
	Approval string    `json:"approval"` // the approving session, as the minutes cite it
	Locked   bool      `json:"locked"`
}

// Consultation is the commission's deliberation on one agenda item; Vote is null when
// the item was not put to the vote.
type Consultation struct {
	Type       string     `json:"type"`
	AgendaItem AgendaItem `json:"agendaItem"`
	Vote       *Vote      `json:"vote"`
}

// Vote is the result of a closed vote (CRPA R133-11); Avis is the commission's avis on a
// file (null for other items).
type Vote struct {
	Outcome      string  `json:"outcome"`
	OutcomeLabel string  `json:"outcomeLabel"`
	Tally        Tally   `json:"tally"`
	Tie          bool    `json:"tie"`
	CastingVote  *string `json:"castingVote"`
	Avis         *string `json:"avis"`
	AvisLabel    *string `json:"avisLabel"`
}

// Tally is the count of a vote.
type Tally struct {
	Yes         int `json:"yes"`
	No          int `json:"no"`
	Abstentions int `json:"abstentions"`
}

func voteOf(v *sitting.Vote) *Vote {
	if v == nil {
		return nil
	}
	out := &Vote{Outcome: string(v.Outcome), OutcomeLabel: v.ResultLabel(), Tally: Tally{Yes: v.Yes, No: v.No, Abstentions: v.Abstentions}, Tie: v.Tie}
	if v.CastingVote != "" {
		s := string(v.CastingVote)
		out.CastingVote = &s
	}
	if v.Avis != "" {
		a, l := string(v.Avis), v.Avis.Label()
		out.Avis, out.AvisLabel = &a, &l
	}
	return out
}

// Results gives the tally and avis of each agenda item once the procès-verbal is
// approved, to the readers of procès-verbaux (a member, for the sessions they sat in).
func (h *Handler) Results(c *fiber.Ctx) error {
	m := meeting(c)
	ctx, u := c.UserContext(), web.User(c)
	if u.Role == models.RoleMember {
		// The same rule as the procès-verbal's page: a member reads the results of the
		// sessions they were convened to (holding a seat that day is not enough).
		reader, err := minutes.MinutesReaderFor(ctx, h.DB, u)
		if err != nil {
			return err
		}
		if !reader.Convened(m) {
			return fiber.NewError(fiber.StatusForbidden, "Vous n'avez pas été convoqué(e) à cette séance : ses résultats ne vous sont pas accessibles.")
		}
	}
	r, err := minutes.ResultsOf(ctx, h.DB, m.CommissionID, m.ID)
	if errors.Is(err, minutes.ErrResultsNotApproved) {
		return fiber.NewError(fiber.StatusNotFound, "Les résultats de cette séance ne sont publiés qu'une fois son procès-verbal approuvé.")
	}
	if err != nil {
		return err
	}
	out := Results{Meeting: meetingURL(m.ID), Items: make([]Consultation, len(r.Items)),
		Minutes: MinutesRef{Version: r.Minutes.Version, Status: string(r.Minutes.Status), Approval: r.Minutes.ApprovalRef, Locked: r.Minutes.Status == minutes.MinutesLocked}}
	if r.Minutes.ApprovedAt != nil {
		out.Minutes.Approved = r.Minutes.ApprovedAt.UTC()
	}
	for i := range r.Items {
		it := &r.Items[i]
		out.Items[i] = Consultation{Type: "Consultation", AgendaItem: agendaItemOf(i+1, &it.AgendaEntryRef), Vote: voteOf(it.Vote)}
	}
	return send(c, out, personal)
}
