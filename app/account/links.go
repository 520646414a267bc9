package account

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"seance/app/auth"
	"seance/app/mail"
	"seance/app/web"
	"seance/models"
)

// Paths of the e-mailed links. The request log redacts what follows them.
const (
	InvitationPath = "/invitation/"
	ResetPath      = "/reinitialisation/"
)

// linkPage describes one kind of e-mailed link for the shared pages.
type linkPage struct {
	purpose models.TokenPurpose
	path    string
	title   string
	done    string // flash after the password is set
}

var (
	invitationPage = linkPage{models.TokenInvitation, InvitationPath, "Activer votre compte",
		"Votre mot de passe est enregistré. Connectez-vous pour accéder à Séance."}
	resetPage = linkPage{models.TokenPasswordReset, ResetPath, "Choisir un nouveau mot de passe",
		"Votre nouveau mot de passe est enregistré. Connectez-vous."}
)

// ShowInvitation asks the invited person for their first password.
func (h *Handler) ShowInvitation(c *fiber.Ctx) error { return h.showLink(c, invitationPage) }

// AcceptInvitation sets the first password and uses the link up.
func (h *Handler) AcceptInvitation(c *fiber.Ctx) error { return h.useLink(c, invitationPage) }

// ShowReset asks for a new password through a reset link.
func (h *Handler) ShowReset(c *fiber.Ctx) error { return h.showLink(c, resetPage) }

// Reset sets the new password and uses the link up.
func (h *Handler) Reset(c *fiber.Ctx) error { return h.useLink(c, resetPage) }

func (h *Handler) showLink(c *fiber.Ctx, p linkPage) error {
	noStore(c)
	token := c.Params("token")
	u, err := models.PeekAccountToken(c.UserContext(), h.DB, token, p.purpose, h.Now())
	if errors.Is(err, models.ErrTokenInvalid) {
		return h.linkInvalid(c, p)
	}
	if err != nil {
		return err
	}
	return h.renderSetPassword(c, p, token, u, fiber.StatusOK, nil)
}

func (h *Handler) renderSetPassword(c *fiber.Ctx, p linkPage, token string, u *models.User, status int, errs map[string]string) error {
	c.Status(status)
	return web.Render(c, "account/set_password", fiber.Map{
		"Title": p.title, "Invitation": p.purpose == models.TokenInvitation, "Action": p.path + token,
		"Email": u.Email, "Name": u.Name, "MinLength": auth.MinPasswordLength, "Errors": errs,
	})
}

func (h *Handler) linkInvalid(c *fiber.Ctx, p linkPage) error {
	c.Status(fiber.StatusGone)
	return web.Render(c, "account/link_invalid", fiber.Map{
		"Title": "Lien expiré ou déjà utilisé", "Message": web.RefusalText(models.ErrTokenInvalid), "Invitation": p.purpose == models.TokenInvitation,
	})
}

func (h *Handler) useLink(c *fiber.Ctx, p linkPage) error {
	noStore(c)
	ctx, now := c.UserContext(), h.Now()
	token := c.Params("token")
	u, err := models.PeekAccountToken(ctx, h.DB, token, p.purpose, now)
	if errors.Is(err, models.ErrTokenInvalid) {
		return h.linkInvalid(c, p)
	}
	if err != nil {
		return err
	}
	password := c.FormValue("password")
	if errs := validateNew(password, c.FormValue("confirm")); len(errs) > 0 {
		return h.renderSetPassword(c, p, token, u, fiber.StatusUnprocessableEntity, errs)
	}
	hash, err := auth.HashPassword(password)
	if err != nil {
		return err
	}
	if _, err := models.SetPasswordWithToken(ctx, h.DB, token, p.purpose, hash, now); errors.Is(err, models.ErrTokenInvalid) {
		return h.linkInvalid(c, p) // used by a concurrent request meanwhile
	} else if err != nil {
		return err
	}
	web.FlashSuccess(c, p.done)
	return c.Redirect("/login", fiber.StatusSeeOther)
}

// msgResetSent answers every reset request, whether the address has an account or not.
const msgResetSent = "Si un compte actif correspond à cette adresse, un courriel vient de lui être envoyé avec un lien pour choisir un nouveau mot de passe. Ce lien est valable une heure et ne sert qu'une fois. Pensez à vérifier vos courriers indésirables."

// ShowForgot renders the "mot de passe oublié" form.
func (h *Handler) ShowForgot(c *fiber.Ctx) error {
	return web.Render(c, "account/forgot", fiber.Map{"Title": "Mot de passe oublié"})
}

// Forgot creates a reset link when the address has an active account and e-mails it in
// the background: the answer, and its timing, are the same whether it exists or not.
func (h *Handler) Forgot(c *fiber.Ctx) error {
	email := strings.TrimSpace(c.FormValue("email"))
	if email == "" || !strings.Contains(email, "@") || len(email) > 254 {
		c.Status(fiber.StatusUnprocessableEntity)
		return web.Render(c, "account/forgot", fiber.Map{"Title": "Mot de passe oublié", "Email": email,
			"Errors": map[string]string{"email": "Saisissez une adresse électronique valide, par exemple nom@exemple.fr."}})
	}
	reset, err := models.RequestPasswordReset(c.UserContext(), h.DB, email, c.IP(), h.Now())
	if err != nil {
		return err
	}
	if reset.ShouldSend() {
		go h.sendReset(context.WithoutCancel(c.UserContext()), reset)
	}
	return web.Render(c, "account/forgot", fiber.Map{"Title": "Mot de passe oublié", "Sent": msgResetSent})
}

// sendReset e-mails the reset link; it runs after the response, so failures are only logged.
func (h *Handler) sendReset(ctx context.Context, r *models.PasswordReset) {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	u := r.User
	_, err := h.Mailer.Send(ctx, mail.Message{
		To: []string{u.Email}, Subject: "Séance : choisir un nouveau mot de passe",
		Text: "Bonjour " + u.Name + ",\n\n" +
			"Une réinitialisation du mot de passe de votre compte Séance (" + u.Email + ") a été demandée.\n" +
			"Pour choisir un nouveau mot de passe, ouvrez ce lien, valable une heure et utilisable une seule fois :\n\n" +
			h.BaseURL + ResetPath + r.Secret + "\n\n" +
			"Si vous n'êtes pas à l'origine de cette demande, ignorez ce message : votre mot de passe reste inchangé.\n\n" +
			"— Séance, portail de la commission départementale\n",
		Kind: "password_reset", CommissionID: u.CommissionIDOrZero(), Sensitive: true,
	})
	if err != nil {
		h.Log.Error("password reset e-mail not sent", "user_id", u.ID, "err", err)
	}
}

// ForgotRateLimited answers too many reset requests from one address.
func (h *Handler) ForgotRateLimited(c *fiber.Ctx) error {
	c.Status(fiber.StatusTooManyRequests)
	return web.Render(c, "account/forgot", fiber.Map{"Title": "Mot de passe oublié",
		"Error": "Trop de demandes depuis votre adresse. Patientez quelques minutes avant de réessayer."})
}
