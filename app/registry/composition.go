package registry

import (
	"html/template"
	"time"

	"github.com/gofiber/fiber/v2"

	"seance/app/web"
	"seance/models"
	registrymodel "seance/models/registry"
)

// Holder is one person on the composition page.
type Holder struct {
	registrymodel.Mandate
	EndingSoon bool // the term ends within models.TermAlertWindow
	DaysLeft   int
}

// SeatRow is one seat on the composition page.
type SeatRow struct {
	registrymodel.SeatView
	Holder     *Holder // the titulaire; nil when vacant
	Suppleants []Holder
}

// GroupRow is one category of R121-12-7 with its seats.
type GroupRow struct {
	Category registrymodel.SeatCategory
	Seats    []SeatRow
}

// compositionKey is what the composition's body depends on besides the data.
type compositionKey struct {
	cid     int64
	day     time.Time
	canEdit bool
}

// Composition shows the seats by category with their titulaire and suppléants, the
// terms ending within 90 days and the vacant seats.
func (h *Handler) Composition(c *fiber.Ctx) error {
	cm, err := h.commission(c)
	if err != nil {
		return err
	}
	now := h.Now()
	edit := canEdit(web.User(c))
	body, err := h.composed.Get(compositionKey{cm.ID, models.CalendarDay(now), edit}, now, func() (template.HTML, error) {
		return h.compose(c, cm, now, edit)
	})
	if err != nil {
		return err
	}
	return render(c, cm, fiber.StatusOK, "registry/composition", fiber.Map{
		"Title": "Composition de la commission", "Body": body,
	})
}

// compose renders the body of commission cm's composition on now's day (the template
// registry/composition_body).
func (h *Handler) compose(c *fiber.Ctx, cm *models.Commission, now time.Time, edit bool) (template.HTML, error) {
	comp, err := registrymodel.LoadComposition(c.UserContext(), h.DB, cm.ID, now)
	if err != nil {
		return "", err
	}
	alertEnd := models.CalendarDay(now).Add(registrymodel.TermAlertWindow)
	holder := func(m registrymodel.Mandate) Holder {
		return Holder{Mandate: m, EndingSoon: m.EndedOn == nil && !m.TermEndsOn.After(alertEnd), DaysLeft: m.DaysLeft(now)}
	}
	groups := make([]GroupRow, len(comp.Groups))
	for i, g := range comp.Groups {
		groups[i].Category = g.Category
		for _, sv := range g.Seats {
			row := SeatRow{SeatView: sv}
			if sv.Titulaire != nil {
				t := holder(*sv.Titulaire)
				row.Holder = &t
			}
			for _, m := range sv.Suppleants {
				row.Suppleants = append(row.Suppleants, holder(m))
			}
			groups[i].Seats = append(groups[i].Seats, row)
		}
	}
	data := fiber.Map{"Data": fiber.Map{
		"Comp": comp, "Groups": groups, "Quorum": comp.Settings.QuorumRequired(comp.VotingSeats, comp.Seats),
		"Cm": cm, "Base": Base(cm.ID), "CanEdit": edit,
	}}
	return web.RenderFragment(c, "registry/composition_body", data)
}

// SeatForm is the seat form, as typed.
type SeatForm struct {
	Category, Organisation, Quality, SuppleantPlaces, AssociationID string
	VotingRight                                                     bool
}

func seatForm(s *registrymodel.Seat) SeatForm {
	f := SeatForm{
		Category: itoa(int64(s.Category)), Organisation: s.Organisation, Quality: s.Quality,
		SuppleantPlaces: itoa(int64(s.SuppleantPlaces)), VotingRight: s.VotingRight,
	}
	if s.AssociationID != nil {
		f.AssociationID = itoa(*s.AssociationID)
	}
	return f
}

func readSeatForm(c *fiber.Ctx) SeatForm {
	return SeatForm{
		Category: c.FormValue("category"), Organisation: c.FormValue("organisation"), Quality: c.FormValue("quality"),
		SuppleantPlaces: c.FormValue("suppleant_places"), AssociationID: c.FormValue("association_id"), VotingRight: checked(c, "voting_right"),
	}
}

// apply copies the form onto s and returns the fields it could not read.
func (f SeatForm) apply(s *registrymodel.Seat) models.FieldErrors {
	fe := models.FieldErrors{}
	cat, ok := registrymodel.ParseSeatCategory(f.Category)
	if !ok {
		fe.Add("category", "Choisissez une des 11 catégories de membres (R121-12-7).")
	}
	s.Category, s.Organisation, s.Quality, s.VotingRight = cat, f.Organisation, f.Quality, f.VotingRight
	s.SuppleantPlaces = formInt(f.SuppleantPlaces, "suppleant_places", fe)
	s.AssociationID = nil
	if f.AssociationID != "" {
		aid := int64(formInt(f.AssociationID, "association_id", fe))
		s.AssociationID = &aid
	}
	return fe
}

func (h *Handler) renderSeatForm(c *fiber.Ctx, cm *models.Commission, status int, seat *registrymodel.Seat, f SeatForm, fe models.FieldErrors) error {
	ctx := c.UserContext()
	as, err := registrymodel.ListAssociations(ctx, h.DB, cm.ID)
	if err != nil {
		return err
	}
	data := fiber.Map{"Title": "Nouveau siège", "Form": f, "Errors": fe, "Categories": registrymodel.SeatCategories, "Associations": as, "Seat": seat}
	if seat != nil {
		data["Title"] = seat.Label()
		if data["History"], err = registrymodel.SeatHistory(ctx, h.DB, cm.ID, seat.ID); err != nil {
			return err
		}
	}
	return render(c, cm, status, "registry/seat", data)
}

// NewSeat shows the form of a new seat.
func (h *Handler) NewSeat(c *fiber.Ctx) error {
	cm, err := h.commission(c)
	if err != nil {
		return err
	}
	f := SeatForm{Category: c.Query("categorie"), SuppleantPlaces: "1", VotingRight: true}
	return h.renderSeatForm(c, cm, fiber.StatusOK, nil, f, nil)
}

// CreateSeat validates and creates a seat.
func (h *Handler) CreateSeat(c *fiber.Ctx) error {
	cm, err := h.commission(c)
	if err != nil {
		return err
	}
	f := readSeatForm(c)
	s := &registrymodel.Seat{CommissionID: cm.ID}
	if fe := f.apply(s); len(fe) > 0 {
		return h.renderSeatForm(c, cm, fiber.StatusUnprocessableEntity, nil, f, fe)
	}
	err = registrymodel.CreateSeat(c.UserContext(), h.DB, models.ActorFor(web.User(c)), s, h.Now())
	if fe, ok := models.AsFieldErrors(err); ok {
		return h.renderSeatForm(c, cm, fiber.StatusUnprocessableEntity, nil, f, fe)
	}
	if err != nil {
		return err
	}
	web.FlashSuccess(c, "Siège créé : "+s.Label()+".")
	return c.Redirect(Base(cm.ID)+"/sieges/"+itoa(s.ID), fiber.StatusSeeOther)
}

// Seat shows a seat: its holders' history and its form.
func (h *Handler) Seat(c *fiber.Ctx) error {
	cm, seat, err := h.seat(c)
	if err != nil {
		return err
	}
	return h.renderSeatForm(c, cm, fiber.StatusOK, seat, seatForm(seat), nil)
}

func (h *Handler) seat(c *fiber.Ctx) (*models.Commission, *registrymodel.Seat, error) {
	cm, err := h.commission(c)
	if err != nil {
		return nil, nil, err
	}
	sid, err := web.ParamID(c, "id")
	if err != nil {
		return nil, nil, err
	}
	seat, err := registrymodel.FindSeat(c.UserContext(), h.DB, cm.ID, sid)
	if err != nil {
		return nil, nil, err
	}
	return cm, seat, nil
}

// UpdateSeat validates and saves a seat.
func (h *Handler) UpdateSeat(c *fiber.Ctx) error {
	cm, seat, err := h.seat(c)
	if err != nil {
		return err
	}
	f := readSeatForm(c)
	next := *seat
	next.Association = nil
	if fe := f.apply(&next); len(fe) > 0 {
		return h.renderSeatForm(c, cm, fiber.StatusUnprocessableEntity, seat, f, fe)
	}
	err = registrymodel.UpdateSeat(c.UserContext(), h.DB, models.ActorFor(web.User(c)), &next, h.Now())
	if fe, ok := models.AsFieldErrors(err); ok {
		return h.renderSeatForm(c, cm, fiber.StatusUnprocessableEntity, seat, f, fe)
	}
	if err != nil {
		return err
	}
	web.FlashSuccess(c, "Siège enregistré.")
	return c.Redirect(Base(cm.ID)+"/sieges/"+itoa(seat.ID), fiber.StatusSeeOther)
}

// DeleteSeat removes a seat that never had anyone appointed.
func (h *Handler) DeleteSeat(c *fiber.Ctx) error {
	cm, seat, err := h.seat(c)
	if err != nil {
		return err
	}
	err = registrymodel.DeleteSeat(c.UserContext(), h.DB, models.ActorFor(web.User(c)), cm.ID, seat.ID, h.Now())
	if fe, ok := models.AsFieldErrors(err); ok {
		return h.renderSeatForm(c, cm, fiber.StatusUnprocessableEntity, seat, seatForm(seat), fe)
	}
	if err != nil {
		return err
	}
	web.FlashSuccess(c, "Siège supprimé : "+seat.Label()+".")
	return c.Redirect(Base(cm.ID)+"/composition", fiber.StatusSeeOther)
}
