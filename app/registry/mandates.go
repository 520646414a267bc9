package registry

import (
	"github.com/gofiber/fiber/v2"

	"seance/app/web"
	"seance/models"
	registrymodel "seance/models/registry"
)

// AppointForm is the form that appoints, or replaces, a person, as typed.
type AppointForm struct {
	Kind, Email, Name, StartsOn, TermEndsOn, ArreteRef string
}

func readAppointForm(c *fiber.Ctx) AppointForm {
	return AppointForm{
		Kind: c.FormValue("kind"), Email: c.FormValue("email"), Name: c.FormValue("name"),
		StartsOn: c.FormValue("starts_on"), TermEndsOn: c.FormValue("term_ends_on"), ArreteRef: c.FormValue("arrete_ref"),
	}
}

// appointment returns the appointment the form describes and the fields it could not read.
func (f AppointForm) appointment(seatID int64) (registrymodel.Appointment, models.FieldErrors) {
	fe := models.FieldErrors{}
	a := registrymodel.Appointment{
		SeatID: seatID, Kind: registrymodel.MandateKind(f.Kind), Email: f.Email, Name: f.Name, ArreteRef: f.ArreteRef,
		StartsOn: formDate(f.StartsOn, "starts_on", fe), TermEndsOn: formDate(f.TermEndsOn, "term_ends_on", fe),
	}
	return a, fe
}

// Appoint shows the form that appoints a person to a seat.
func (h *Handler) Appoint(c *fiber.Ctx) error {
	cm, seat, err := h.seat(c)
	if err != nil {
		return err
	}
	kind := registrymodel.MandateTitulaire
	if c.Query("role") == string(registrymodel.MandateSuppleant) {
		kind = registrymodel.MandateSuppleant
	}
	f := AppointForm{Kind: string(kind), StartsOn: inputDate(models.CalendarDay(h.Now()))}
	return h.renderAppoint(c, cm, seat, fiber.StatusOK, f, nil)
}

func (h *Handler) renderAppoint(c *fiber.Ctx, cm *models.Commission, seat *registrymodel.Seat, status int, f AppointForm, fe models.FieldErrors) error {
	return render(c, cm, status, "registry/appoint", fiber.Map{"Title": "Nommer un membre", "Seat": seat, "Form": f, "Errors": fe})
}

// SaveAppointment appoints the person, creating their account and e-mailing their
// invitation when the address is new.
func (h *Handler) SaveAppointment(c *fiber.Ctx) error {
	cm, seat, err := h.seat(c)
	if err != nil {
		return err
	}
	f := readAppointForm(c)
	a, fe := f.appointment(seat.ID)
	if len(fe) > 0 {
		return h.renderAppoint(c, cm, seat, fiber.StatusUnprocessableEntity, f, fe)
	}
	actor := models.ActorFor(web.User(c))
	res, err := registrymodel.Appoint(c.UserContext(), h.DB, actor, cm.ID, a, h.Now())
	if fe, ok := models.AsFieldErrors(err); ok {
		return h.renderAppoint(c, cm, seat, fiber.StatusUnprocessableEntity, f, fe)
	}
	if err != nil {
		return err
	}
	h.appointed(c, cm, actor, res, "nommé(e) "+lower(res.Mandate.Kind.Label())+" : "+seat.Label())
	return c.Redirect(Base(cm.ID)+"/composition#siege-"+itoa(seat.ID), fiber.StatusSeeOther)
}

// appointed flashes the outcome and e-mails the invitation of a new account.
func (h *Handler) appointed(c *fiber.Ctx, cm *models.Commission, actor models.Actor, res *registrymodel.AppointResult, what string) {
	web.FlashSuccess(c, res.User.Name+" est "+what+", du "+frDate(res.Mandate.StartsOn)+" au "+frDate(res.Mandate.TermEndsOn)+".")
	if res.Invitation != "" {
		flashInvitation(c, res.User, h.invite(c.UserContext(), actor, cm, res.User, res.Invitation))
	}
}

// mandate returns the mandate named by :id in the commission of :cid.
func (h *Handler) mandate(c *fiber.Ctx) (*models.Commission, *registrymodel.Mandate, error) {
	cm, err := h.commission(c)
	if err != nil {
		return nil, nil, err
	}
	mid, err := web.ParamID(c, "id")
	if err != nil {
		return nil, nil, err
	}
	m, err := registrymodel.FindMandate(c.UserContext(), h.DB, cm.ID, mid)
	if err != nil {
		return nil, nil, err
	}
	return cm, m, nil
}

func (h *Handler) renderMandate(c *fiber.Ctx, cm *models.Commission, m *registrymodel.Mandate, page, title string, status int, f any, fe models.FieldErrors) error {
	return render(c, cm, status, "registry/"+page, fiber.Map{"Title": title, "Mandate": m, "Form": f, "Errors": fe})
}

// Replace shows the form that replaces a member for the remaining term (R133-4).
func (h *Handler) Replace(c *fiber.Ctx) error {
	cm, m, err := h.mandate(c)
	if err != nil {
		return err
	}
	f := AppointForm{StartsOn: inputDate(models.CalendarDay(h.Now()))}
	return h.renderMandate(c, cm, m, "replace", "Remplacer un membre", fiber.StatusOK, f, nil)
}

// SaveReplacement ends the mandate the day before the successor starts and appoints
// the successor until the end of the term.
func (h *Handler) SaveReplacement(c *fiber.Ctx) error {
	cm, m, err := h.mandate(c)
	if err != nil {
		return err
	}
	f := readAppointForm(c)
	a, fe := f.appointment(m.SeatID)
	if len(fe) > 0 {
		return h.renderMandate(c, cm, m, "replace", "Remplacer un membre", fiber.StatusUnprocessableEntity, f, fe)
	}
	actor := models.ActorFor(web.User(c))
	res, err := registrymodel.ReplaceMember(c.UserContext(), h.DB, actor, cm.ID, m.ID, a, h.Now())
	if fe, ok := models.AsFieldErrors(err); ok {
		return h.renderMandate(c, cm, m, "replace", "Remplacer un membre", fiber.StatusUnprocessableEntity, f, fe)
	}
	if err != nil {
		return err
	}
	h.appointed(c, cm, actor, res, "nommé(e) en remplacement de "+m.User.Name)
	return c.Redirect(Base(cm.ID)+"/composition#siege-"+itoa(m.SeatID), fiber.StatusSeeOther)
}

// EndForm is the form that ends a mandate without successor.
type EndForm struct {
	EndedOn    string
	Deactivate bool
}

// End shows the form that ends a mandate (the seat or place becomes vacant).
func (h *Handler) End(c *fiber.Ctx) error {
	cm, m, err := h.mandate(c)
	if err != nil {
		return err
	}
	f := EndForm{EndedOn: inputDate(models.CalendarDay(h.Now()))}
	return h.renderMandate(c, cm, m, "end", "Mettre fin à un mandat", fiber.StatusOK, f, nil)
}

// SaveEnd ends the mandate on the given day and, when asked, deactivates the account
// (its sessions end at once).
func (h *Handler) SaveEnd(c *fiber.Ctx) error {
	cm, m, err := h.mandate(c)
	if err != nil {
		return err
	}
	f := EndForm{EndedOn: c.FormValue("ended_on"), Deactivate: checked(c, "deactivate")}
	fe := models.FieldErrors{}
	day := formDate(f.EndedOn, "ended_on", fe)
	if len(fe) > 0 {
		return h.renderMandate(c, cm, m, "end", "Mettre fin à un mandat", fiber.StatusUnprocessableEntity, f, fe)
	}
	ctx, actor := c.UserContext(), models.ActorFor(web.User(c))
	err = registrymodel.EndMandate(ctx, h.DB, actor, cm.ID, m.ID, day, registrymodel.MandateLeft, h.Now())
	if fe, ok := models.AsFieldErrors(err); ok {
		return h.renderMandate(c, cm, m, "end", "Mettre fin à un mandat", fiber.StatusUnprocessableEntity, f, fe)
	}
	if err != nil {
		return err
	}
	msg := "Le mandat de " + m.User.Name + " prend fin le " + frDate(day) + "."
	if f.Deactivate {
		if err := registrymodel.SetPersonActive(ctx, h.DB, actor, cm.ID, m.UserID, false, h.Now()); err != nil {
			return err
		}
		msg += " Son compte est désactivé : ses sessions ont pris fin."
	}
	web.FlashSuccess(c, msg)
	return c.Redirect(Base(cm.ID)+"/composition#siege-"+itoa(m.SeatID), fiber.StatusSeeOther)
}

// RenewForm is the form that renews a mandate for a new term.
type RenewForm struct {
	ArreteRef, TermEndsOn string
}

// Renew shows the form that appoints the holder again for the next term.
func (h *Handler) Renew(c *fiber.Ctx) error {
	cm, m, err := h.mandate(c)
	if err != nil {
		return err
	}
	return h.renderMandate(c, cm, m, "renew", "Renouveler un mandat", fiber.StatusOK, RenewForm{}, nil)
}

// SaveRenewal renews the mandate from the day after its term.
func (h *Handler) SaveRenewal(c *fiber.Ctx) error {
	cm, m, err := h.mandate(c)
	if err != nil {
		return err
	}
	f := RenewForm{ArreteRef: c.FormValue("arrete_ref"), TermEndsOn: c.FormValue("term_ends_on")}
	fe := models.FieldErrors{}
	end := formDate(f.TermEndsOn, "term_ends_on", fe)
	if len(fe) > 0 {
		return h.renderMandate(c, cm, m, "renew", "Renouveler un mandat", fiber.StatusUnprocessableEntity, f, fe)
	}
	next, err := registrymodel.RenewMandate(c.UserContext(), h.DB, models.ActorFor(web.User(c)), cm.ID, m.ID, f.ArreteRef, end, h.Now())
	if fe, ok := models.AsFieldErrors(err); ok {
		return h.renderMandate(c, cm, m, "renew", "Renouveler un mandat", fiber.StatusUnprocessableEntity, f, fe)
	}
	if err != nil {
		return err
	}
	web.FlashSuccess(c, "Mandat de "+m.User.Name+" renouvelé du "+frDate(next.StartsOn)+" au "+frDate(next.TermEndsOn)+".")
	return c.Redirect(Base(cm.ID)+"/composition#siege-"+itoa(m.SeatID), fiber.StatusSeeOther)
}
