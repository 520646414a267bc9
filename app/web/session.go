// Package web holds what every page needs: server-side sessions, CSRF protection,
// flash messages, navigation and rendering.
package web

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"time"

	"github.com/gofiber/fiber/v2"

	"seance/models"
)

// Session lifetimes.
const (
	IdleTimeout     = 30 * time.Minute
	AbsoluteTimeout = 12 * time.Hour
	touchEvery      = time.Minute
)

// CookieName is the session cookie.
const CookieName = "seance_session"

// Session is the server-side state of one browser. Only a hash of the cookie value
// is used as storage key, so a copy of the database gives no usable session.
type Session struct {
	UserID   int64     `json:"uid,omitempty"`
	CSRF     string    `json:"csrf"`
	Created  time.Time `json:"created"`
	LastSeen time.Time `json:"seen"`
	Flashes  []Flash   `json:"flashes,omitempty"`
	// PendingUserID is set between a correct password and a correct second factor.
	PendingUserID int64 `json:"pending,omitempty"`
	// DemoSkipTOTP records that the user of a demo instance chose to skip the
	// compulsory TOTP enrolment; it has no effect outside demo mode.
	DemoSkipTOTP bool `json:"demo_skip_totp,omitempty"`

	token string
	dirty bool
}

// Flash is a one-time message shown on the next page.
type Flash struct {
	Kind string `json:"k"` // success, info, warning, error (DSFR alert types)
	Text string `json:"t"`
}

// Sessions loads and saves sessions in a fiber.Storage.
type Sessions struct {
	Store  fiber.Storage
	Secure bool
	Now    func() time.Time
}

const sessionLocal = "web.session"

func storageKey(token string) string {
	sum := sha256.Sum256([]byte(token))
	return "sess:" + hex.EncodeToString(sum[:])
}

// Middleware loads the session of the request (or starts a new one) and saves it
// after the handler when it changed or was last saved more than a minute ago.
func (s *Sessions) Middleware(c *fiber.Ctx) error {
	if c.Locals(apiTokenLocal) == true {
		c.Locals(sessionLocal, &Session{}) // API calls carry no cookie and keep no session
		return c.Next()
	}
	now := s.Now()
	sess := s.load(c.Cookies(CookieName), now)
	c.Locals(sessionLocal, sess)
	err := c.Next()
	if sess.dirty || now.Sub(sess.LastSeen) > touchEvery {
		sess.LastSeen = now
		if serr := s.save(c, sess); serr != nil {
			return errors.Join(err, serr)
		}
	}
	return err
}

func (s *Sessions) load(token string, now time.Time) *Session {
	if token != "" {
		raw, err := s.Store.Get(storageKey(token))
		if err == nil && raw != nil {
			var sess Session
			if json.Unmarshal(raw, &sess) == nil &&
				now.Sub(sess.LastSeen) < IdleTimeout && now.Sub(sess.Created) < AbsoluteTimeout {
				sess.token = token
				return &sess
			}
		}
	}
	return &Session{token: models.NewSecretToken(), CSRF: models.NewSecretToken(), Created: now, LastSeen: now, dirty: true}
}

func (s *Sessions) save(c *fiber.Ctx, sess *Session) error {
	raw, err := json.Marshal(sess)
	if err != nil {
		return err
	}
	if err := s.Store.Set(storageKey(sess.token), raw, IdleTimeout); err != nil {
		return err
	}
	c.Cookie(&fiber.Cookie{
		Name: CookieName, Value: sess.token, Path: "/", HTTPOnly: true, Secure: s.Secure, SameSite: fiber.CookieSameSiteLaxMode,
		// A session cookie: it ends with the browser; the server enforces idle and absolute timeouts.
	})
	return nil
}

// Renew gives the session a new identifier and CSRF token (at sign-in and sign-out),
// deleting the old one from storage.
func (s *Sessions) Renew(c *fiber.Ctx) (*Session, error) {
	old := SessionOf(c)
	if err := s.Store.Delete(storageKey(old.token)); err != nil {
		return nil, err
	}
	now := s.Now()
	old.token, old.CSRF, old.Created, old.LastSeen, old.dirty = models.NewSecretToken(), models.NewSecretToken(), now, now, true
	old.UserID, old.PendingUserID, old.DemoSkipTOTP = 0, 0, false
	return old, nil
}

// SessionOf returns the request's session.
func SessionOf(c *fiber.Ctx) *Session {
	if s, ok := c.Locals(sessionLocal).(*Session); ok {
		return s
	}
	return &Session{} // outside the middleware (static files): an empty, unsaved session
}

// MarkChanged asks for the session to be saved after the request.
func (s *Session) MarkChanged() { s.dirty = true }

// AddFlash queues a message for the next page.
func AddFlash(c *fiber.Ctx, kind, text string) {
	s := SessionOf(c)
	s.Flashes = append(s.Flashes, Flash{Kind: kind, Text: text})
	s.dirty = true
}

// FlashSuccess queues a success message.
func FlashSuccess(c *fiber.Ctx, text string) { AddFlash(c, "success", text) }

// FlashInvitation tells the sender whether the invitation e-mail to email left (err is
// the mailer's answer); page names where to send it again ("la fiche de la personne").
func FlashInvitation(c *fiber.Ctx, email string, err error, page string) {
	if err != nil {
		AddFlash(c, "warning", "Le courriel d'invitation à "+email+" n'a pas pu être envoyé : renvoyez-le depuis "+page+".")
		return
	}
	AddFlash(c, "info", "Une invitation à choisir son mot de passe (lien valable 72 heures) a été envoyée à "+email+".")
}

// FlashError queues an error message.
func FlashError(c *fiber.Ctx, text string) { AddFlash(c, "error", text) }

func takeFlashes(c *fiber.Ctx) []Flash {
	s := SessionOf(c)
	f := s.Flashes
	if len(f) > 0 {
		s.Flashes, s.dirty = nil, true
	}
	return f
}

// ErrCSRF is the 403 answered to an unsafe request without a valid CSRF token.
var ErrCSRF = fiber.NewError(fiber.StatusForbidden, "Le jeton de sécurité du formulaire est absent ou expiré. Rechargez la page et recommencez.")

// CSRF refuses unsafe methods (POST, PUT, PATCH, DELETE) whose form field "csrf" or
// header "X-CSRF-Token" does not match the session's token. Requests authenticated by
// an API token (no cookie involved) are exempt.
func CSRF(c *fiber.Ctx) error {
	switch c.Method() {
	case fiber.MethodGet, fiber.MethodHead, fiber.MethodOptions:
		return c.Next()
	}
	if c.Locals(apiTokenLocal) == true {
		return c.Next()
	}
	want := SessionOf(c).CSRF
	got := c.Get("X-CSRF-Token")
	if got == "" {
		got = c.FormValue("csrf")
	}
	if want == "" || subtle.ConstantTimeCompare([]byte(got), []byte(want)) != 1 {
		return ErrCSRF
	}
	return c.Next()
}

const apiTokenLocal = "web.apitoken"

// MarkAPIToken records that the request was authenticated by an API token.
func MarkAPIToken(c *fiber.Ctx) { c.Locals(apiTokenLocal, true) }
