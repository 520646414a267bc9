package admin

import (
	"errors"

	"github.com/gofiber/fiber/v2"

	"seance/app/web"
	"seance/models"
)

// scope returns the commission whose mail the user sees; administrators see all.
func scope(u *models.User) (cid int64, all bool) {
	return u.CommissionIDOrZero(), u.Role == models.RoleAdmin
}

// MailFailures lists the e-mails the mail job gave up on, for the secretariat to act:
// correct the address, or send again once the relay is back.
func (h *Handler) MailFailures(c *fiber.Ctx) error {
	cid, all := scope(web.User(c))
	ms, err := models.ListFailedOutbox(c.UserContext(), h.DB, cid, all, 200)
	if err != nil {
		return err
	}
	return web.Render(c, "admin/mailfailures", fiber.Map{"Title": "Courriels non remis", "Messages": ms})
}

// ResendMail queues a failed e-mail again.
func (h *Handler) ResendMail(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	u := web.User(c)
	cid, all := scope(u)
	err = models.RequeueOutbox(c.UserContext(), h.DB, models.ActorFor(u), cid, all, id, h.Now())
	switch {
	case errors.Is(err, models.ErrNotResendable):
		web.FlashError(c, "Ce courriel contenait un lien personnel qui n'est plus conservé : renvoyez l'invitation ou la convocation depuis sa page.")
	case err != nil:
		return err
	default:
		web.FlashSuccess(c, "Le courriel est de nouveau en file d'envoi : il partira dans la minute.")
	}
	return c.Redirect("/courriels/echecs", fiber.StatusSeeOther)
}
