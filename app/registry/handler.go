package registry

import (
	"context"
	"html/template"
	"log/slog"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/uptrace/bun"

	"seance/app/mail"
	"seance/app/web"
	"seance/models"
	"seance/models/keyring"
)

// Handler serves the commission registry: settings, composition, seats, mandates,
// persons, associations, and the Excel export and import. Every page is under
// /commissions/:cid/: the secretariat and the president reach their own commission
// only, the administrator any.
type Handler struct {
	DB      *bun.DB
	Keys    *keyring.Keyring
	Mailer  *mail.Mailer
	Log     *slog.Logger
	Now     func() time.Time
	BaseURL string
	// Storage keeps an uploaded import between its preview and its confirmation.
	Storage fiber.Storage

	// composed keeps the composition page's body rendered (NewHandler): every seat and
	// holder through the template is most of the page's cost (issue 17), and it changes
	// only with the data or the day.
	composed *models.Memo[compositionKey, template.HTML]
}

// NewHandler returns the registry handler h with the composition kept until the next
// write w counts, and at most maxAge.
func NewHandler(h Handler, w *models.Writes, maxAge time.Duration) *Handler {
	h.composed = &models.Memo[compositionKey, template.HTML]{Writes: w, MaxAge: maxAge, Max: 64}
	return &h
}

// InvitationPath is where the e-mailed invitation links point (app/account serves it).
const InvitationPath = "/invitation/"

// Base returns the path prefix of commission cid's registry pages.
func Base(cid int64) string { return "/commissions/" + strconv.FormatInt(cid, 10) }

// commission returns the commission named by :cid when the signed-in user may reach
// it (their own; any for the administrator), ErrNotFound otherwise.
func (h *Handler) commission(c *fiber.Ctx) (*models.Commission, error) {
	cid, err := web.ParamID(c, "cid")
	if err != nil {
		return nil, err
	}
	u := web.User(c)
	if u.Role != models.RoleAdmin && u.CommissionIDOrZero() != cid {
		return nil, models.ErrNotFound
	}
	if cm := web.Commission(c); cm != nil && cm.ID == cid {
		return cm, nil // the signed-in user's, read with the account (this request's copy)
	}
	return models.FindCommission(c.UserContext(), h.DB, cid)
}

// render adds what every registry page uses (the commission and its base path).
func render(c *fiber.Ctx, cm *models.Commission, status int, name string, data fiber.Map) error {
	data["Cm"] = cm
	data["Base"] = Base(cm.ID)
	data["CanEdit"] = canEdit(web.User(c))
	data["Retention"] = web.User(c).Role == models.RoleSecretariat // the retention preview is the secretariat's
	c.Status(status)
	return web.Render(c, name, data)
}

// canEdit reports whether u changes the registry (the president only reads it).
func canEdit(u *models.User) bool {
	return u.Role == models.RoleSecretariat || u.Role == models.RoleAdmin
}

// Entry sends the navigation's "Composition", "Associations" and "Paramètres" entries
// to the user's commission; the administrator picks one when there are several.
func (h *Handler) Entry(section string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		u := web.User(c)
		if u.CommissionID != nil {
			return c.Redirect(Base(*u.CommissionID)+"/"+section, fiber.StatusSeeOther)
		}
		cs, err := models.ListCommissions(c.UserContext(), h.DB, "")
		if err != nil {
			return err
		}
		if len(cs) == 1 {
			return c.Redirect(Base(cs[0].ID)+"/"+section, fiber.StatusSeeOther)
		}
		return web.Render(c, "registry/choose", fiber.Map{"Title": "Choisir une commission", "Commissions": cs, "Section": section})
	}
}

// invite e-mails the invitation link secret to a newly created account. Call it after
// the transaction that created the account: the mail is sent and recorded on its own.
func (h *Handler) invite(ctx context.Context, actor models.Actor, cm *models.Commission, u *models.User, secret string) error {
	_, err := h.Mailer.Send(ctx, mail.Message{
		To: []string{u.Email}, Subject: "Séance : activez votre compte de membre de la commission",
		Text: "Bonjour " + u.Name + ",\n\n" +
			"Vous avez été nommé(e) à la " + cm.Name + ".\n\n" +
			"Le portail Séance vous permettra de recevoir les convocations et les ordres du jour, de consulter les dossiers des séances et de voter. " +
			"Pour activer votre compte, choisissez votre mot de passe en ouvrant ce lien, valable 72 heures et utilisable une seule fois :\n\n" +
			h.BaseURL + InvitationPath + secret + "\n\n" +
			"Votre identifiant est votre adresse électronique : " + u.Email + ".\n" +
			"Si le lien a expiré, demandez-en un nouveau au secrétariat de la commission.\n\n" +
			"— Séance, portail de la commission départementale\n",
		Kind: "invitation", CommissionID: cm.ID, Sensitive: true, Actor: actor,
	})
	if err != nil {
		h.Log.Error("invitation e-mail not sent", "user_id", u.ID, "err", err)
	}
	return err
}

// flashInvitation tells the secretariat whether the invitation left.
func flashInvitation(c *fiber.Ctx, u *models.User, err error) {
	web.FlashInvitation(c, u.Email, err, "la fiche de la personne")
}
