package account

import (
	"errors"
	"html/template"

	"github.com/gofiber/fiber/v2"

	"seance/app/auth"
	"seance/app/web"
	"seance/models"
	"seance/models/twofactor"
)

// Enrol shows the QR code and key of a pending TOTP enrolment, creating one when none
// is pending (the page needs a key to show; it is not audited, see
// models.StartTOTPEnrolment), with the form that confirms it by a first code.
func (h *Handler) Enrol(c *fiber.Ctx) error {
	return h.renderEnrol(c, fiber.StatusOK, nil)
}

func (h *Handler) renderEnrol(c *fiber.Ctx, status int, errs map[string]string) error {
	u := web.User(c)
	ctx := c.UserContext()
	e, err := twofactor.PendingTOTPEnrolment(ctx, h.DB, h.Keys, u, Issuer)
	if errors.Is(err, twofactor.ErrTOTPNotEnrolled) {
		e, err = twofactor.StartTOTPEnrolment(ctx, h.DB, h.Keys, u, Issuer, h.Now())
	}
	if errors.Is(err, twofactor.ErrTOTPAlreadyEnabled) {
		web.AddFlash(c, "info", "La double authentification est déjà activée pour votre compte.")
		return c.Redirect("/compte", fiber.StatusSeeOther)
	}
	if err != nil {
		return err
	}
	noStore(c)
	c.Status(status)
	return web.Render(c, "account/enrol", fiber.Map{
		// The otpauth: link opens the authenticator app of a phone; html/template would
		// neutralise the scheme of a plain string. The URL is built by pquerna/otp, with
		// the account's address query-escaped.
		"Title": "Double authentification", "ManualKey": e.ManualKey, "URL": template.URL(e.URL),

		"Required": auth.MustEnrol(c), "Demo": h.Demo, "Errors": errs,
	})
}

// QRCode serves the PNG of the pending enrolment's QR code; it is never cached.
func (h *Handler) QRCode(c *fiber.Ctx) error {
	e, err := twofactor.PendingTOTPEnrolment(c.UserContext(), h.DB, h.Keys, web.User(c), Issuer)
	if errors.Is(err, twofactor.ErrTOTPNotEnrolled) || errors.Is(err, twofactor.ErrTOTPAlreadyEnabled) {
		return models.ErrNotFound
	}
	if err != nil {
		return err
	}
	noStore(c)
	c.Type("png")
	return c.Send(e.PNG)
}

// ConfirmEnrolment activates the pending enrolment with the first code of the app and
// shows the recovery codes, once.
func (h *Handler) ConfirmEnrolment(c *fiber.Ctx) error {
	u := web.User(c)
	code := c.FormValue("code")
	if len(code) > 64 {
		code = ""
	}
	codes, err := twofactor.ConfirmTOTP(c.UserContext(), h.DB, h.Keys, u, code, h.Now())
	switch {
	case errors.Is(err, twofactor.ErrTOTPAlreadyEnabled):
		return c.Redirect("/compte", fiber.StatusSeeOther)
	case errors.Is(err, twofactor.ErrTOTPNotEnrolled):
		return c.Redirect(auth.EnrolmentPath, fiber.StatusSeeOther)
	case errors.Is(err, twofactor.ErrTOTPRateLimited):
		return h.renderEnrol(c, fiber.StatusTooManyRequests, map[string]string{"code": web.RefusalText(err)})
	case errors.Is(err, twofactor.ErrTOTPInvalidCode), errors.Is(err, twofactor.ErrTOTPReusedCode):
		return h.renderEnrol(c, fiber.StatusUnprocessableEntity, map[string]string{"code": web.RefusalText(err)})
	case err != nil:
		return err
	}
	return h.renderCodes(c, codes, "La double authentification est activée.")
}

func (h *Handler) renderCodes(c *fiber.Ctx, codes []string, lead string) error {
	noStore(c)
	return web.Render(c, "account/recovery_codes", fiber.Map{"Title": "Codes de secours", "Codes": codes, "Lead": lead})
}

// RestartEnrolment replaces the pending key by a new one (e.g. after scanning it on the
// wrong phone).
func (h *Handler) RestartEnrolment(c *fiber.Ctx) error {
	_, err := twofactor.RestartTOTPEnrolment(c.UserContext(), h.DB, h.Keys, web.User(c), Issuer, h.Now())
	if err != nil && !errors.Is(err, twofactor.ErrTOTPAlreadyEnabled) {
		return err
	}
	web.AddFlash(c, "info", "Une nouvelle clé a été générée : l'ancienne ne fonctionnera pas.")
	return c.Redirect(auth.EnrolmentPath, fiber.StatusSeeOther)
}

// SkipEnrolment lets the visitor of a demo instance use an account whose role requires
// TOTP without enrolling; it does not exist outside demo mode.
func (h *Handler) SkipEnrolment(c *fiber.Ctx) error {
	if !h.Demo {
		return fiber.ErrNotFound
	}
	u := web.User(c)
	err := models.Audit(c.UserContext(), h.DB, h.Now(), models.AuditEntry{
		CommissionID: u.CommissionIDOrZero(), Actor: models.ActorFor(u), Action: "totp.demo_skip", Object: models.ObjectRef("user", u.ID),
	})
	if err != nil {
		return err
	}
	sess := web.SessionOf(c)
	sess.DemoSkipTOTP = true
	sess.MarkChanged()
	web.AddFlash(c, "warning", "Démonstration : enrôlement passé pour cette session. Hors démonstration, la double authentification est obligatoire pour votre rôle.")
	return c.Redirect("/", fiber.StatusSeeOther)
}

// RegenerateCodes replaces the recovery codes after checking a current TOTP code.
func (h *Handler) RegenerateCodes(c *fiber.Ctx) error {
	u := web.User(c)
	ctx := c.UserContext()
	code := c.FormValue("totp_code")
	if len(code) > 64 {
		code = ""
	}
	err := twofactor.VerifyTOTP(ctx, h.DB, h.Keys, u, code, h.Now())
	switch {
	case errors.Is(err, twofactor.ErrTOTPNotEnrolled):
		return c.Redirect(auth.EnrolmentPath, fiber.StatusSeeOther)
	case errors.Is(err, twofactor.ErrTOTPRateLimited):
		return h.renderAccount(c, fiber.StatusTooManyRequests, map[string]string{"totp_code": web.RefusalText(err)})
	case errors.Is(err, twofactor.ErrTOTPInvalidCode), errors.Is(err, twofactor.ErrTOTPReusedCode):
		return h.renderAccount(c, fiber.StatusUnprocessableEntity, map[string]string{"totp_code": web.RefusalText(err)})
	case err != nil:
		return err
	}
	codes, err := twofactor.RegenerateRecoveryCodes(ctx, h.DB, models.ActorFor(u), u, h.Now())
	if err != nil {
		return err
	}
	return h.renderCodes(c, codes, "Vos nouveaux codes de secours remplacent les anciens, qui ne fonctionnent plus.")
}

// ResetTOTP removes a user's TOTP (lost phone): they enrol again at their next sign-in
// when their role requires it.
func (h *Handler) ResetTOTP(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	target, err := models.FindUser(ctx, h.DB, id)
	if err != nil {
		return err
	}
	if err := twofactor.DisableTOTP(ctx, h.DB, models.ActorFor(web.User(c)), target.ID, h.Now()); err != nil {
		return err
	}
	web.FlashSuccess(c, "La double authentification de "+target.Name+" est réinitialisée : la personne la configurera de nouveau à sa prochaine connexion.")
	return c.Redirect("/admin/comptes", fiber.StatusSeeOther)
}
