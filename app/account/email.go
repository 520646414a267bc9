package account

import (
	"errors"
	"strings"

	"github.com/gofiber/fiber/v2"

	"seance/app/mail"
	"seance/app/web"
	"seance/models"
)

// EmailChangePath is where the link confirming a new e-mail address points. The request
// log redacts what follows it.
const EmailChangePath = "/confirmation-adresse/"

// RequestEmailChange starts the change of the signed-in user's address: with their
// current password, it e-mails a confirmation link to the new address and a notice to
// the current one. Nothing changes until the link is opened.
func (h *Handler) RequestEmailChange(c *fiber.Ctx) error {
	u, ctx := web.User(c), c.UserContext()
	newEmail := strings.TrimSpace(c.FormValue("new_email"))
	errs := map[string]string{}
	if status, err := h.checkCurrentPassword(c, "email_current", c.FormValue("email_current"), errs); err != nil {
		return err
	} else if status != 0 {
		return h.renderAccountWith(c, status, errs, newEmail)
	}
	secret, err := models.RequestEmailChange(ctx, h.DB, u, newEmail, h.Now().UTC())
	if fe, ok := models.AsFieldErrors(err); ok {
		return h.renderAccountWith(c, fiber.StatusUnprocessableEntity, fe, newEmail)
	}
	if err != nil {
		return err
	}
	newEmail = models.NormalizeEmail(newEmail)
	_, err = h.Mailer.Send(ctx, mail.Message{
		To: []string{newEmail}, Subject: "Séance : confirmez votre nouvelle adresse électronique",
		Text: "Bonjour " + u.Name + ",\n\n" +
			"Vous avez demandé que cette adresse devienne celle de votre compte Séance, et votre identifiant de connexion, à la place de " + u.Email + ".\n" +
			"Pour confirmer, ouvrez ce lien, valable 24 heures et utilisable une seule fois :\n\n" +
			h.BaseURL + EmailChangePath + secret + "\n\n" +
			"Si vous n'êtes pas à l'origine de cette demande, ignorez ce message : rien ne changera.\n\n" +
			"— Séance, portail de la commission départementale\n",
		Kind: "email_change", CommissionID: u.CommissionIDOrZero(), Sensitive: true, Actor: models.ActorFor(u),
	})
	if err != nil {
		h.Log.Error("e-mail confirmation not sent", "user_id", u.ID, "err", err)
		web.AddFlash(c, "warning", "Le courriel de confirmation n'a pas pu être envoyé à "+newEmail+" : vérifiez l'adresse et réessayez.")
		return c.Redirect("/compte", fiber.StatusSeeOther)
	}
	_, err = h.Mailer.Send(ctx, mail.Message{
		To: []string{u.Email}, Subject: "Séance : demande de changement de l'adresse de votre compte",
		Text: "Bonjour " + u.Name + ",\n\n" +
			"Un changement de l'adresse électronique de votre compte Séance a été demandé depuis la page « Mon compte » : " +
			"la nouvelle adresse serait " + newEmail + ".\n" +
			"Il ne prendra effet que si le lien envoyé à cette nouvelle adresse est ouvert dans les 24 heures.\n\n" +
			"Si vous n'êtes pas à l'origine de cette demande, changez votre mot de passe sans attendre et prévenez le secrétariat de votre commission.\n\n" +
			"— Séance, portail de la commission départementale\n",
		Kind: "email_change_requested", CommissionID: u.CommissionIDOrZero(), Actor: models.ActorFor(u),
	})
	if err != nil {
		h.Log.Error("e-mail change request notice not sent", "user_id", u.ID, "err", err)
	}
	web.FlashSuccess(c, "Un lien de confirmation, valable 24 heures, a été envoyé à "+newEmail+". Votre adresse reste "+u.Email+
		" tant que vous ne l'avez pas ouvert ; un avis a été envoyé à cette adresse actuelle.")
	return c.Redirect("/compte", fiber.StatusSeeOther)
}

// ShowEmailChange asks to confirm the new address of a confirmation link. Opening the
// link changes nothing (mail scanners open links): the button does.
func (h *Handler) ShowEmailChange(c *fiber.Ctx) error {
	noStore(c)
	token := c.Params("token")
	ch, err := models.PeekEmailChange(c.UserContext(), h.DB, token, h.Now().UTC())
	if errors.Is(err, models.ErrTokenInvalid) {
		return h.emailLinkInvalid(c)
	}
	if err != nil {
		return err
	}
	return h.renderEmailChange(c, fiber.StatusOK, token, ch, "")
}

func (h *Handler) renderEmailChange(c *fiber.Ctx, status int, token string, ch *models.EmailChange, problem string) error {
	c.Status(status)
	return web.Render(c, "account/confirm_email", fiber.Map{
		"Title": "Confirmer votre nouvelle adresse", "Action": EmailChangePath + token, "Change": ch, "Problem": problem,
	})
}

func (h *Handler) emailLinkInvalid(c *fiber.Ctx) error {
	c.Status(fiber.StatusGone)
	return web.Render(c, "account/link_invalid", fiber.Map{
		"Title": "Lien expiré ou déjà utilisé", "Message": web.RefusalText(models.ErrTokenInvalid), "EmailChange": true,
	})
}

// ConfirmEmailChange gives the account its new address, uses the link up and notifies
// the former address.
func (h *Handler) ConfirmEmailChange(c *fiber.Ctx) error {
	noStore(c)
	ctx, now, token := c.UserContext(), h.Now().UTC(), c.Params("token")
	ch, err := models.ConfirmEmailChange(ctx, h.DB, token, now)
	if errors.Is(err, models.ErrTokenInvalid) {
		return h.emailLinkInvalid(c)
	}
	if msg := web.RefusalText(err); msg != "" {
		peek, perr := models.PeekEmailChange(ctx, h.DB, token, now)
		if perr != nil {
			return perr
		}
		return h.renderEmailChange(c, fiber.StatusConflict, token, peek, msg)
	}
	if err != nil {
		return err
	}
	if _, err := h.Mailer.Send(ctx, mail.AddressChanged(ch, "depuis la page « Mon compte », et confirmée par un lien envoyé à la nouvelle adresse")); err != nil {
		h.Log.Error("e-mail change notice not sent", "user_id", ch.User.ID, "err", err)
	}
	web.FlashSuccess(c, "Votre adresse électronique est désormais "+ch.New+" : c'est aussi votre identifiant de connexion.")
	if web.User(c) != nil {
		return c.Redirect("/compte", fiber.StatusSeeOther)
	}
	return c.Redirect("/login", fiber.StatusSeeOther)
}
