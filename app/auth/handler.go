package auth

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/uptrace/bun"

	"seance/app/web"
	"seance/models"
)

// Handler serves sign-in and sign-out and provides the authentication middleware.
type Handler struct {
	DB       *bun.DB
	Sessions *web.Sessions
	Log      *slog.Logger
	Now      func() time.Time
}

// Messages shown on the login page. The same message answers an unknown e-mail,
// a wrong password and an inactive account, so that accounts are not revealed.
const (
	msgBadCredentials = "Adresse électronique ou mot de passe incorrect."
	msgLocked         = "Ce compte est temporairement verrouillé après trop de tentatives. Réessayez dans 15 minutes."
	msgRateLimited    = "Trop de tentatives de connexion depuis votre adresse. Patientez quelques minutes avant de réessayer."
)

// LoginForm is the sign-in form.
type LoginForm struct {
	Email    string
	Password string
}

// Validate checks that both fields are there.
func (f *LoginForm) Validate() map[string]string {
	errs := map[string]string{}
	f.Email = strings.TrimSpace(f.Email)
	if f.Email == "" {
		errs["email"] = "Saisissez votre adresse électronique."
	} else if !strings.Contains(f.Email, "@") || len(f.Email) > 254 {
		errs["email"] = "Saisissez une adresse électronique valide, par exemple nom@exemple.fr."
	}
	if f.Password == "" {
		errs["password"] = "Saisissez votre mot de passe."
	} else if len(f.Password) > 1024 {
		errs["password"] = msgBadCredentials
	}
	return errs
}

// ShowLogin renders the sign-in page (or goes home when already signed in).
func (h *Handler) ShowLogin(c *fiber.Ctx) error {
	if web.User(c) != nil {
		return c.Redirect("/", fiber.StatusSeeOther)
	}
	return web.Render(c, "auth/login", fiber.Map{"Title": "Connexion", "Form": LoginForm{}})
}

func (h *Handler) loginError(c *fiber.Ctx, form LoginForm, status int, msg string, errs map[string]string) error {
	form.Password = ""
	c.Status(status)
	return web.Render(c, "auth/login", fiber.Map{"Title": "Connexion", "Form": form, "Error": msg, "Errors": errs})
}

// Login checks the credentials, applies the per-account lockout and signs the user in
// with a new session identifier.
func (h *Handler) Login(c *fiber.Ctx) error {
	form := LoginForm{Email: c.FormValue("email"), Password: c.FormValue("password")}
	if errs := form.Validate(); len(errs) > 0 {
		return h.loginError(c, form, fiber.StatusUnprocessableEntity, "Le formulaire contient des erreurs.", errs)
	}
	ctx, now, ip := c.UserContext(), h.Now().UTC(), c.IP()
	u, err := models.FindUserByEmail(ctx, h.DB, form.Email)
	if errors.Is(err, models.ErrNotFound) {
		_, _ = VerifyPassword(dummyHash, form.Password) // same work as for a real account
		if err := models.RecordLoginFailure(ctx, h.DB, nil, form.Email, ip, now); err != nil {
			return err
		}
		return h.loginError(c, form, fiber.StatusUnauthorized, msgBadCredentials, nil)
	}
	if err != nil {
		return err
	}
	if u.LockedUntil != nil && now.Before(*u.LockedUntil) {
		if err := models.RecordLoginFailure(ctx, h.DB, nil, form.Email, ip, now); err != nil {
			return err
		}
		return h.loginError(c, form, fiber.StatusTooManyRequests, msgLocked, nil)
	}
	ok := false
	if u.PasswordHash != "" {
		if ok, err = VerifyPassword(u.PasswordHash, form.Password); err != nil {
			return err
		}
	} else {
		_, _ = VerifyPassword(dummyHash, form.Password)
	}
	if !ok || !u.Active {
		if err := models.RecordLoginFailure(ctx, h.DB, u, form.Email, ip, now); err != nil {
			return err
		}
		if u.FailedLogins+1 >= models.MaxFailedLogins {
			return h.loginError(c, form, fiber.StatusTooManyRequests, msgLocked, nil)
		}
		return h.loginError(c, form, fiber.StatusUnauthorized, msgBadCredentials, nil)
	}
	sess, err := h.Sessions.Renew(c)
	if err != nil {
		return err
	}
	sess.UserID = u.ID
	if err := models.RecordLoginSuccess(ctx, h.DB, u, ip, now); err != nil {
		return err
	}
	web.FlashSuccess(c, "Vous êtes connecté(e). Bienvenue, "+u.Name+".")
	return c.Redirect("/", fiber.StatusSeeOther)
}

// Logout ends the session.
func (h *Handler) Logout(c *fiber.Ctx) error {
	if u := web.User(c); u != nil {
		err := models.Audit(c.UserContext(), h.DB, models.AuditEntry{
			CommissionID: u.CommissionIDOrZero(), Actor: models.ActorFor(u), Action: "auth.logout", Object: models.ObjectRef("user", u.ID),
		})
		if err != nil {
			return err
		}
	}
	if _, err := h.Sessions.Renew(c); err != nil {
		return err
	}
	web.AddFlash(c, "info", "Vous êtes déconnecté(e).")
	return c.Redirect("/login", fiber.StatusSeeOther)
}

// LoadUser resolves the session's user (or an API token's) and checks that the account
// is still active and that the session was not ended by a deactivation or a password change.
func (h *Handler) LoadUser(c *fiber.Ctx) error {
	if web.User(c) != nil { // API token
		return c.Next()
	}
	sess := web.SessionOf(c)
	if sess.UserID == 0 {
		return c.Next()
	}
	ctx := c.UserContext()
	u, err := models.FindUser(ctx, h.DB, sess.UserID)
	if err != nil && !errors.Is(err, models.ErrNotFound) {
		return err
	}
	if u == nil || !u.Active || sess.Created.Before(u.SessionsValidAfter) {
		sess.UserID = 0
		sess.MarkChanged()
		return c.Next()
	}
	return h.setUser(ctx, c, u)
}

func (h *Handler) setUser(ctx context.Context, c *fiber.Ctx, u *models.User) error {
	var cm *models.Commission
	if u.CommissionID != nil {
		var err error
		if cm, err = models.FindCommission(ctx, h.DB, *u.CommissionID); err != nil {
			return err
		}
	}
	web.SetUser(c, u, cm)
	return c.Next()
}

// BearerToken authenticates API calls that carry "Authorization: Bearer <token>".
func (h *Handler) BearerToken(c *fiber.Ctx) error {
	authz := c.Get(fiber.HeaderAuthorization)
	token, ok := strings.CutPrefix(authz, "Bearer ")
	if !ok {
		return c.Next()
	}
	u, err := models.UserForAPIToken(c.UserContext(), h.DB, strings.TrimSpace(token))
	if errors.Is(err, models.ErrNotFound) {
		return fiber.NewError(fiber.StatusUnauthorized, "Jeton d'API invalide ou révoqué.")
	}
	if err != nil {
		return err
	}
	web.MarkAPIToken(c)
	return h.setUser(c.UserContext(), c, u)
}

// RateLimited answers the login rate limit.
func (h *Handler) RateLimited(c *fiber.Ctx) error {
	return h.loginError(c, LoginForm{Email: c.FormValue("email")}, fiber.StatusTooManyRequests, msgRateLimited, nil)
}

// ErrForbidden is the 403 for a signed-in user without the right role.
var ErrForbidden = fiber.NewError(fiber.StatusForbidden, "Vous n'avez pas accès à cette page avec votre rôle.")

// Require lets through signed-in users with one of roles (any role when none is given);
// anonymous browsers are sent to the login page, anonymous API calls get 401.
func Require(roles ...models.Role) fiber.Handler {
	return func(c *fiber.Ctx) error {
		u := web.User(c)
		if u == nil {
			if c.Get("HX-Request") != "" || strings.HasPrefix(c.Path(), "/api/") {
				return fiber.NewError(fiber.StatusUnauthorized, "Vous devez vous connecter.")
			}
			return c.Redirect("/login", fiber.StatusSeeOther)
		}
		if len(roles) > 0 && !slices.Contains(roles, u.Role) {
			return ErrForbidden
		}
		return c.Next()
	}
}
