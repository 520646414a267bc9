package auth

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/uptrace/bun"

	"seance/app/web"
	"seance/models"
	"seance/models/keyring"
	"seance/models/twofactor"
)

// Handler serves sign-in and sign-out and provides the authentication middleware.
type Handler struct {
	DB       *bun.DB
	Sessions *web.Sessions
	Log      *slog.Logger
	Now      func() time.Time
	// Keys opens the TOTP secrets checked at the second step of sign-in.
	Keys *keyring.Keyring
	// Demo lets the users of a demo instance skip the compulsory TOTP enrolment
	// (web.Session.DemoSkipTOTP); never set outside `seance demo`.
	Demo bool
	// Location gives the time shown in the "try again after" message.
	Location *time.Location
	// verify checks a password against a hash: VerifyPassword, or a recorder in tests.
	verify func(hash, password string) (bool, error)
	// accounts keeps what LoadUser reads for a signed-in account (NewHandler); nil reads
	// it on every request.
	accounts *models.Memo[accountKey, *account]
}

// AccountsMaxAge bounds how long LoadUser trusts an account it read without a write
// through this process since: on PostgreSQL another instance's deactivation, password
// change or role change reaches this one within it. Short, because every page checks
// the account; long enough that a page under load reads it once (issue 17).
const AccountsMaxAge = 5 * time.Second

// NewHandler returns h reading each signed-in account (the account, its commission,
// whether it must enrol TOTP) once until the next write w counts, and at most
// AccountsMaxAge: every page needs it, and it takes three or four queries.
func NewHandler(h Handler, w *models.Writes) *Handler {
	h.accounts = models.NewMemo[accountKey, *account](w, AccountsMaxAge)
	return &h
}

type accountKey struct {
	user     int64
	skipTOTP bool // the demo's skipped enrolment
}

// account is what LoadUser reads about a signed-in user. It is shared by the requests
// of a memo: each gets a copy of the user and of the commission.
type account struct {
	user       *models.User
	commission *models.Commission
	mustEnrol  bool
}

// Paths of the sign-in steps that other pages redirect to.
const (
	// SecondFactorPath asks for the TOTP or recovery code after a correct password.
	SecondFactorPath = "/login/code"
	// EnrolmentPath is the TOTP enrolment page, the only page (with sign-out) open to a
	// user whose role requires two-factor sign-in and who has not enrolled yet.
	EnrolmentPath = "/compte/double-authentification"
)

// PendingTimeout is how long the second step of sign-in waits for its code after the password.
const PendingTimeout = 10 * time.Minute

// Messages shown on the login page. The same message answers an unknown e-mail,
// a wrong password and an inactive account, so that accounts are not revealed; the wait
// after repeated failures (TooManyAttempts) is the same for all of them too.
const (
	msgBadCredentials = "Adresse électronique ou mot de passe incorrect."
	msgRateLimited    = "Trop de tentatives de connexion depuis votre adresse. Patientez quelques minutes avant de réessayer."
)

// TooManyAttempts is the answer to an attempt made before the end of the wait that
// follows repeated failed sign-ins (models.LoginNotBefore), shown in loc's time.
func TooManyAttempts(until time.Time, loc *time.Location) string {
	if loc == nil {
		loc = time.UTC
	}
	return "Trop de tentatives infructueuses : par sécurité, la prochaine tentative sera possible à partir de " +
		until.In(loc).Format("15:04") + ". Si vous avez oublié votre mot de passe, utilisez « Mot de passe oublié »."
}

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

// Login checks the credentials, applies the growing wait after repeated failures (per
// e-mail typed and per client address, models.LoginNotBefore) and signs the user in
// with a new session identifier. An unknown e-mail, an account without password, a
// deactivated account and a wrong password get the same answer after the same work.
func (h *Handler) Login(c *fiber.Ctx) error {
	form := LoginForm{Email: c.FormValue("email"), Password: c.FormValue("password")}
	if errs := form.Validate(); len(errs) > 0 {
		return h.loginError(c, form, fiber.StatusUnprocessableEntity, "Le formulaire contient des erreurs.", errs)
	}
	ctx, now, ip := c.UserContext(), h.Now().UTC(), c.IP()
	until, err := models.LoginNotBefore(ctx, h.DB, form.Email, ip, now)
	if err != nil {
		return err
	}
	if !until.IsZero() {
		if err := models.RecordLoginThrottled(ctx, h.DB, form.Email, ip, until, h.Now()); err != nil {
			return err
		}
		return h.loginError(c, form, fiber.StatusTooManyRequests, TooManyAttempts(until, h.Location), nil)
	}
	u, ok, err := h.checkPassword(ctx, form.Email, form.Password)
	if err != nil {
		return err
	}
	if !ok {
		if err := models.RecordLoginFailure(ctx, h.DB, u, form.Email, ip, now); err != nil {
			return err
		}
		return h.loginError(c, form, fiber.StatusUnauthorized, msgBadCredentials, nil)
	}
	st, err := twofactor.TOTPStatusOf(ctx, h.DB, u.ID)
	if err != nil {
		return err
	}
	sess, err := h.Sessions.Renew(c)
	if err != nil {
		return err
	}
	if st.Enabled {
		// The password is right; the session is not signed in until the second factor.
		sess.PendingUserID = u.ID
		return c.Redirect(SecondFactorPath, fiber.StatusSeeOther)
	}
	return h.signIn(c, sess, u)
}

// checkPassword returns the account of email (nil when there is none) and whether
// password opens it. Exactly one argon2id verification runs in every case: against the
// account's hash, or against dummyHash, of the same cost, for an unknown e-mail or an
// account without password, so that the time taken does not tell whether it exists.
func (h *Handler) checkPassword(ctx context.Context, email, password string) (*models.User, bool, error) {
	u, err := models.FindUserByEmail(ctx, h.DB, email)
	if err != nil && !errors.Is(err, models.ErrNotFound) {
		return nil, false, err
	}
	hash := dummyHash
	if u != nil && u.PasswordHash != "" {
		hash = u.PasswordHash
	}
	verify := h.verify
	if verify == nil {
		verify = VerifyPassword
	}
	ok, err := verify(hash, password)
	if err != nil {
		return nil, false, err
	}
	return u, ok && u != nil && u.PasswordHash != "" && u.Active, nil
}

// signIn completes a sign-in on a renewed session: a user who must still enrol TOTP is
// sent to the enrolment page, where LoadUser and Require keep them.
func (h *Handler) signIn(c *fiber.Ctx, sess *web.Session, u *models.User) error {
	ctx := c.UserContext()
	sess.UserID = u.ID
	if err := models.RecordLoginSuccess(ctx, h.DB, u, c.IP(), h.Now()); err != nil {
		return err
	}
	need, err := twofactor.TOTPEnrolmentNeeded(ctx, h.DB, u)
	if err != nil {
		return err
	}
	if need {
		web.AddFlash(c, "info", "Bienvenue, "+u.Name+". Votre rôle impose la double authentification : configurez-la pour accéder au portail.")
		return c.Redirect(EnrolmentPath, fiber.StatusSeeOther)
	}
	web.FlashSuccess(c, "Vous êtes connecté(e). Bienvenue, "+u.Name+".")
	return c.Redirect("/", fiber.StatusSeeOther)
}

// pendingUser returns the user who gave a correct password and owes the second factor,
// or nil when there is none (or the wait exceeded PendingTimeout, or the account was
// deactivated or its sessions ended meanwhile).
func (h *Handler) pendingUser(c *fiber.Ctx) (*models.User, error) {
	sess := web.SessionOf(c)
	if sess.PendingUserID == 0 {
		return nil, nil
	}
	now := h.Now()
	u, err := models.FindUser(c.UserContext(), h.DB, sess.PendingUserID)
	if err != nil && !errors.Is(err, models.ErrNotFound) {
		return nil, err
	}
	if u == nil || !u.Active || now.Sub(sess.Created) > PendingTimeout || sess.Created.Before(u.SessionsValidAfter) {
		sess.PendingUserID = 0
		sess.MarkChanged()
		web.AddFlash(c, "info", "La vérification a expiré : saisissez de nouveau votre mot de passe.")
		return nil, nil
	}
	return u, nil
}

// ShowSecondFactor asks for the code of the authenticator app (or a recovery code).
func (h *Handler) ShowSecondFactor(c *fiber.Ctx) error {
	u, err := h.pendingUser(c)
	if err != nil {
		return err
	}
	if u == nil {
		return c.Redirect("/login", fiber.StatusSeeOther)
	}
	return web.Render(c, "auth/second_factor", fiber.Map{"Title": "Vérification en deux étapes", "Email": u.Email})
}

// SecondFactor checks the 6-digit TOTP code, or a recovery code, of the pending user and
// completes the sign-in. Wrong codes count towards the rate limit kept by models.
func (h *Handler) SecondFactor(c *fiber.Ctx) error {
	u, err := h.pendingUser(c)
	if err != nil {
		return err
	}
	if u == nil {
		return c.Redirect("/login", fiber.StatusSeeOther)
	}
	ctx, now := c.UserContext(), h.Now()
	code := strings.TrimSpace(c.FormValue("code"))
	fail := func(status int, msg string) error {
		c.Status(status)
		return web.Render(c, "auth/second_factor", fiber.Map{"Title": "Vérification en deux étapes", "Email": u.Email, "Errors": map[string]string{"code": msg}})
	}
	if code == "" || len(code) > 64 {
		return fail(fiber.StatusUnprocessableEntity, "Saisissez le code à 6 chiffres affiché par votre application, ou un code de secours.")
	}
	recovery := !sixDigits(strings.Join(strings.Fields(code), ""))
	if recovery {
		err = twofactor.UseRecoveryCode(ctx, h.DB, u, code, now)
	} else {
		err = twofactor.VerifyTOTP(ctx, h.DB, h.Keys, u, code, now)
	}
	switch {
	case errors.Is(err, twofactor.ErrTOTPRateLimited):
		return fail(fiber.StatusTooManyRequests, web.RefusalText(err))
	case errors.Is(err, twofactor.ErrTOTPInvalidCode), errors.Is(err, twofactor.ErrTOTPReusedCode), errors.Is(err, twofactor.ErrRecoveryCodeInvalid):
		return fail(fiber.StatusUnauthorized, web.RefusalText(err))
	case err != nil && !errors.Is(err, twofactor.ErrTOTPNotEnrolled): // reset by an administrator meanwhile: signIn asks to enrol again
		return err
	}
	sess, err := h.Sessions.Renew(c)
	if err != nil {
		return err
	}
	if recovery {
		st, err := twofactor.TOTPStatusOf(ctx, h.DB, u.ID)
		if err != nil {
			return err
		}
		web.AddFlash(c, "warning", fmt.Sprintf("Vous vous êtes connecté(e) avec un code de secours : il vous en reste %d. Régénérez-les depuis « Mon compte » si nécessaire.", st.RecoveryCodesLeft))
	}
	return h.signIn(c, sess, u)
}

func sixDigits(s string) bool {
	if len(s) != 6 {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// Logout ends the session.
func (h *Handler) Logout(c *fiber.Ctx) error {
	if u := web.User(c); u != nil {
		err := models.Audit(c.UserContext(), h.DB, h.Now(), models.AuditEntry{
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
	skipTOTP := h.Demo && sess.DemoSkipTOTP
	read := func() (*account, error) { return h.readAccount(ctx, sess.UserID, skipTOTP) }
	var a *account
	var err error
	if h.accounts != nil {
		a, err = h.accounts.Get(accountKey{user: sess.UserID, skipTOTP: skipTOTP}, h.Now(), read)
	} else {
		a, err = read()
	}
	if err != nil {
		return err
	}
	if a.user == nil || !a.user.Active || sess.Created.Before(a.user.SessionsValidAfter) {
		sess.UserID = 0
		sess.MarkChanged()
		return c.Next()
	}
	if a.mustEnrol {
		c.Locals(mustEnrolLocal, true)
	}
	u := *a.user
	var cm *models.Commission
	if a.commission != nil {
		cp := *a.commission
		cm = &cp
	}
	web.SetUser(c, &u, cm)
	return c.Next()
}

// readAccount reads the account id (nil user when it no longer exists), its commission
// and whether it must still enrol TOTP.
func (h *Handler) readAccount(ctx context.Context, id int64, skipTOTP bool) (*account, error) {
	u, err := models.FindUser(ctx, h.DB, id)
	if errors.Is(err, models.ErrNotFound) {
		return &account{}, nil
	}
	if err != nil {
		return nil, err
	}
	a := &account{user: u}
	if !skipTOTP {
		if a.mustEnrol, err = twofactor.TOTPEnrolmentNeeded(ctx, h.DB, u); err != nil {
			return nil, err
		}
	}
	if u.CommissionID != nil {
		if a.commission, err = models.FindCommission(ctx, h.DB, *u.CommissionID); err != nil {
			return nil, err
		}
	}
	return a, nil
}

const (
	mustEnrolLocal     = "auth.must_enrol"
	enrolmentStepLocal = "auth.enrolment_step"
)

// MustEnrol reports whether the signed-in user's role requires two-factor sign-in and
// they have not enrolled yet (nor skipped it on a demo instance).
func MustEnrol(c *fiber.Ctx) bool { return c.Locals(mustEnrolLocal) == true }

// EnrolmentStep marks a route as usable by a user who must still enrol TOTP: the
// enrolment pages and sign-out. Put it in the route's extra handlers.
func EnrolmentStep(c *fiber.Ctx) error {
	c.Locals(enrolmentStepLocal, true)
	return c.Next()
}

// ErrEnrolFirst answers a request other than enrolment from a user who must enrol first.
var ErrEnrolFirst = fiber.NewError(fiber.StatusForbidden, "Votre rôle impose la double authentification : configurez-la d'abord (Mon compte › Double authentification).")

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

// BearerToken authenticates the calls of the read API (/api/) that carry
// "Authorization: Bearer <token>". A token reaches nothing but the API: on any other
// path the header is ignored, so a token can neither read a page nor post a form
// (forms are exempt from CSRF only for token calls).
func (h *Handler) BearerToken(c *fiber.Ctx) error {
	if !strings.HasPrefix(c.Path(), "/api/") {
		return c.Next()
	}
	token, ok := strings.CutPrefix(c.Get(fiber.HeaderAuthorization), "Bearer ")
	if !ok {
		return c.Next()
	}
	t, u, err := models.AuthenticateAPIToken(c.UserContext(), h.DB, strings.TrimSpace(token), h.Now())
	if errors.Is(err, models.ErrNotFound) {
		c.Set(fiber.HeaderWWWAuthenticate, `Bearer realm="Séance", error="invalid_token"`)
		return fiber.NewError(fiber.StatusUnauthorized, "Jeton d'API invalide ou révoqué.")
	}
	if err != nil {
		return err
	}
	web.MarkAPIToken(c, t.ID)
	return h.setUser(c.UserContext(), c, u)
}

// RateLimited answers the login rate limit.
func (h *Handler) RateLimited(c *fiber.Ctx) error {
	return h.loginError(c, LoginForm{Email: c.FormValue("email")}, fiber.StatusTooManyRequests, msgRateLimited, nil)
}

// ErrForbidden is the 403 for a signed-in user without the right role.
var ErrForbidden = fiber.NewError(fiber.StatusForbidden, "Vous n'avez pas accès à cette page avec votre rôle.")

// ErrAPIForbidden is the 403 of an API call whose token's owner lacks the right role.
var ErrAPIForbidden = fiber.NewError(fiber.StatusForbidden, "Le rôle du propriétaire de ce jeton ne donne pas accès à cette ressource.")

// Require lets through signed-in users with one of roles (any role when none is given);
// anonymous browsers are sent to the login page, anonymous API calls get 401. A user who
// must still enrol TOTP (MustEnrol) reaches only the routes marked with EnrolmentStep:
// pages redirect to the enrolment page, other requests get 403.
func Require(roles ...models.Role) fiber.Handler {
	return func(c *fiber.Ctx) error {
		u := web.User(c)
		if u == nil {
			if c.Get("HX-Request") != "" || strings.HasPrefix(c.Path(), "/api/") {
				return fiber.NewError(fiber.StatusUnauthorized, "Vous devez vous connecter.")
			}
			return c.Redirect("/login", fiber.StatusSeeOther)
		}
		if MustEnrol(c) && c.Locals(enrolmentStepLocal) != true {
			if c.Method() == fiber.MethodGet && c.Get("HX-Request") == "" {
				return c.Redirect(EnrolmentPath, fiber.StatusSeeOther)
			}
			return ErrEnrolFirst
		}
		if len(roles) > 0 && !slices.Contains(roles, u.Role) {
			if strings.HasPrefix(c.Path(), "/api/") {
				return ErrAPIForbidden
			}
			return ErrForbidden
		}
		return c.Next()
	}
}
