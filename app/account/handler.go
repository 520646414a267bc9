// Package account serves what a person does with their own account: accepting an
// invitation, resetting a forgotten password, enrolling two-factor sign-in (TOTP) and the
// "Mon compte" page; and the administrator's list of accounts with the TOTP reset.
package account

import (
	"errors"
	"log/slog"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/uptrace/bun"

	"seance/app/auth"
	"seance/app/mail"
	"seance/app/web"
	"seance/models"
	"seance/models/keyring"
	"seance/models/twofactor"
)

// Issuer names the portal in authenticator apps.
const Issuer = "Séance"

// Handler serves the account pages.
type Handler struct {
	DB      *bun.DB
	Keys    *keyring.Keyring
	Mailer  *mail.Mailer
	Log     *slog.Logger
	Now     func() time.Time
	BaseURL string
	// Demo offers demo users to skip the compulsory TOTP enrolment.
	Demo bool
	// Location gives the time shown in the "try again after" message.
	Location *time.Location
}

// Show renders "Mon compte": identity, two-factor status and the password form.
func (h *Handler) Show(c *fiber.Ctx) error {
	return h.renderAccount(c, fiber.StatusOK, nil)
}

func (h *Handler) renderAccount(c *fiber.Ctx, status int, errs map[string]string) error {
	return h.renderAccountWith(c, status, errs, "")
}

// renderAccountWith renders "Mon compte" with newEmail kept in the address form.
func (h *Handler) renderAccountWith(c *fiber.Ctx, status int, errs map[string]string, newEmail string) error {
	u := web.User(c)
	ctx := c.UserContext()
	st, err := twofactor.TOTPStatusOf(ctx, h.DB, u.ID)
	if err != nil {
		return err
	}
	var settings *models.CommissionSettings
	if u.Role == models.RoleMember && u.CommissionID != nil {
		if settings, err = models.FindSettings(ctx, h.DB, *u.CommissionID); err != nil {
			return err
		}
	}
	c.Status(status)
	return web.Render(c, "account/show", fiber.Map{
		"Title": "Mon compte", "TOTP": st, "Required": twofactor.TOTPRequired(u, settings),
		"DemoSkipped": h.Demo && web.SessionOf(c).DemoSkipTOTP, "Errors": errs, "NewEmail": newEmail,
	})
}

// PasswordForm is the form that changes one's password.
type PasswordForm struct {
	Current, Password, Confirm string
}

// validateNew checks the new password and its confirmation; keys "password" and "confirm".
func validateNew(password, confirm string) map[string]string {
	errs := map[string]string{}
	if password == "" {
		errs["password"] = "Saisissez un mot de passe."
	} else if len(password) > 1024 {
		errs["password"] = "Le mot de passe est trop long (1 024 caractères au plus)."
	} else if err := auth.CheckPasswordPolicy(password); err != nil {
		errs["password"] = web.RefusalText(err)
	}
	if _, bad := errs["password"]; !bad && confirm != password {
		errs["confirm"] = "Les deux mots de passe ne sont pas identiques."
	}
	return errs
}

// ChangePassword checks the current password and stores the new one; every session of
// the account ends, this one included, so the person signs in again.
func (h *Handler) ChangePassword(c *fiber.Ctx) error {
	u := web.User(c)
	ctx := c.UserContext()
	f := PasswordForm{Current: c.FormValue("current"), Password: c.FormValue("password"), Confirm: c.FormValue("confirm")}
	errs := validateNew(f.Password, f.Confirm)
	if status, err := h.checkCurrentPassword(c, "current", f.Current, errs); err != nil {
		return err
	} else if status != 0 {
		return h.renderAccount(c, status, errs)
	}
	if len(errs) > 0 {
		return h.renderAccount(c, fiber.StatusUnprocessableEntity, errs)
	}
	hash, err := auth.HashPassword(f.Password)
	if err != nil {
		return err
	}
	if err := models.SetPassword(ctx, h.DB, models.ActorFor(u), u.ID, hash, h.Now()); err != nil {
		return err
	}
	web.FlashSuccess(c, "Votre mot de passe est modifié. Connectez-vous avec le nouveau mot de passe.")
	return c.Redirect("/login", fiber.StatusSeeOther)
}

// checkCurrentPassword checks the signed-in user's current password, typed again in
// field to change their password or address, and adds errs[field] when it is wrong. A
// wrong one counts as a failed sign-in, and while the wait that follows failures runs
// the password is not even checked (status 429): whoever holds the session cannot try
// passwords freely. It returns 422 or 429 when errs[field] was added, 0 otherwise.
func (h *Handler) checkCurrentPassword(c *fiber.Ctx, field, current string, errs map[string]string) (int, error) {
	u, ctx, now, ip := web.User(c), c.UserContext(), h.Now().UTC(), c.IP()
	until, err := models.LoginNotBefore(ctx, h.DB, u.Email, ip, now)
	if err != nil {
		return 0, err
	}
	if !until.IsZero() {
		errs[field] = auth.TooManyAttempts(until, h.Location)
		return fiber.StatusTooManyRequests, models.RecordLoginThrottled(ctx, h.DB, u.Email, ip, until, h.Now())
	}
	ok := false
	if current != "" && len(current) <= 1024 {
		if ok, err = auth.VerifyPassword(u.PasswordHash, current); err != nil && !errors.Is(err, auth.ErrBadHash) {
			return 0, err
		}
	}
	if ok {
		return 0, nil
	}
	errs[field] = "Le mot de passe actuel est incorrect."
	return fiber.StatusUnprocessableEntity, models.RecordLoginFailure(ctx, h.DB, u, u.Email, ip, now)
}

// noStore keeps a page out of every cache: it shows a secret (a TOTP key, recovery
// codes) or carries one in its address (an invitation or reset link).
func noStore(c *fiber.Ctx) {
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Set("Referrer-Policy", "no-referrer")
}
