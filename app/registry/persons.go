package registry

import (
	"github.com/gofiber/fiber/v2"

	"seance/app/mail"
	"seance/app/web"
	"seance/models"
	registrymodel "seance/models/registry"
)

// PersonForm is the form that corrects a person's name and address.
type PersonForm struct {
	Name, Email string
}

// person returns the member account named by :id in the commission of :cid.
func (h *Handler) person(c *fiber.Ctx) (*models.Commission, *models.User, error) {
	cm, err := h.commission(c)
	if err != nil {
		return nil, nil, err
	}
	uid, err := web.ParamID(c, "id")
	if err != nil {
		return nil, nil, err
	}
	u, err := models.FindUser(c.UserContext(), h.DB, uid)
	if err != nil {
		return nil, nil, err
	}
	if u.CommissionIDOrZero() != cm.ID || u.Role != models.RoleMember {
		return nil, nil, models.ErrNotFound
	}
	return cm, u, nil
}

func (h *Handler) renderPerson(c *fiber.Ctx, cm *models.Commission, u *models.User, status int, f PersonForm, fe models.FieldErrors) error {
	ms, err := registrymodel.PersonHistory(c.UserContext(), h.DB, cm.ID, u.ID)
	if err != nil {
		return err
	}
	return render(c, cm, status, "registry/person", fiber.Map{"Title": u.Name, "Person": u, "History": ms, "Form": f, "Errors": fe,
		"EmailLocked": u.Activated() && web.User(c).Role != models.RoleAdmin})
}

// Person shows a person: their mandates, account state and the form to correct them.
func (h *Handler) Person(c *fiber.Ctx) error {
	cm, u, err := h.person(c)
	if err != nil {
		return err
	}
	return h.renderPerson(c, cm, u, fiber.StatusOK, PersonForm{Name: u.Name, Email: u.Email}, nil)
}

// UpdatePerson corrects the name and e-mail address of a person. The address of an
// activated account is changed by the administrator only (models.UpdatePerson refuses
// it to the secretariat); every change is notified to the old address.
func (h *Handler) UpdatePerson(c *fiber.Ctx) error {
	cm, u, err := h.person(c)
	if err != nil {
		return err
	}
	me := web.User(c)
	f := PersonForm{Name: c.FormValue("name"), Email: c.FormValue("email")}
	change, err := models.UpdatePerson(c.UserContext(), h.DB, models.ActorFor(me), cm.ID, u.ID, f.Name, f.Email, h.Now())
	if fe, ok := models.AsFieldErrors(err); ok {
		return h.renderPerson(c, cm, u, fiber.StatusUnprocessableEntity, f, fe)
	}
	if err != nil {
		return err
	}
	web.FlashSuccess(c, "Fiche de la personne enregistrée.")
	if change != nil {
		by := "par le secrétariat de la commission"
		if me.Role == models.RoleAdmin {
			by = "par l'administrateur de la plateforme"
		}
		if _, err := h.Mailer.Send(c.UserContext(), mail.AddressChanged(change, by)); err != nil {
			h.Log.Error("e-mail change notice not sent", "user_id", u.ID, "err", err)
			web.AddFlash(c, "warning", "L'avis de changement n'a pas pu être envoyé à l'ancienne adresse "+change.Old+".")
		} else {
			web.AddFlash(c, "info", "L'ancienne adresse "+change.Old+" a été prévenue du changement.")
		}
		if !u.Activated() {
			web.AddFlash(c, "info", "Les liens envoyés à l'ancienne adresse ne fonctionnent plus : renvoyez l'invitation à "+change.New+".")
		}
	}
	return c.Redirect(Base(cm.ID)+"/personnes/"+itoa(u.ID), fiber.StatusSeeOther)
}

// SetActive returns the handler that deactivates (ending every session of the account at
// once) or reactivates a person's account.
func (h *Handler) SetActive(active bool) fiber.Handler {
	return func(c *fiber.Ctx) error {
		cm, u, err := h.person(c)
		if err != nil {
			return err
		}
		if err := registrymodel.SetPersonActive(c.UserContext(), h.DB, models.ActorFor(web.User(c)), cm.ID, u.ID, active, h.Now()); err != nil {
			return err
		}
		if active {
			web.FlashSuccess(c, "Le compte de "+u.Name+" est réactivé.")
		} else {
			web.FlashSuccess(c, "Le compte de "+u.Name+" est désactivé : ses sessions ont pris fin immédiatement et ses liens d'invitation ne fonctionnent plus.")
		}
		return c.Redirect(Base(cm.ID)+"/personnes/"+itoa(u.ID), fiber.StatusSeeOther)
	}
}

// Invite e-mails a new invitation link (the earlier one stops working).
func (h *Handler) Invite(c *fiber.Ctx) error {
	cm, u, err := h.person(c)
	if err != nil {
		return err
	}
	actor := models.ActorFor(web.User(c))
	secret, err := models.InvitePerson(c.UserContext(), h.DB, actor, cm.ID, u.ID, h.Now())
	if fe, ok := models.AsFieldErrors(err); ok {
		return h.renderPerson(c, cm, u, fiber.StatusUnprocessableEntity, PersonForm{Name: u.Name, Email: u.Email}, fe)
	}
	if err != nil {
		return err
	}
	flashInvitation(c, u, h.invite(c.UserContext(), actor, cm, u, secret))
	return c.Redirect(Base(cm.ID)+"/personnes/"+itoa(u.ID), fiber.StatusSeeOther)
}
