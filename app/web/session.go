// Package web holds what every page needs: server-side sessions, CSRF protection,
// flash messages, navigation and rendering.
package web

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strings"
	"sync"
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

	token  string
	dirty  bool
	stored bool // loaded from the store
	shown  bool // a page showed the CSRF token: the browser needs the cookie
}

// Flash is a one-time message shown on the next page.
type Flash struct {
	Kind string `json:"k"` // success, info, warning, error (DSFR alert types)
	Text string `json:"t"`
}

// Sessions loads and saves sessions in a fiber.Storage.
//
// A browser without stored state (health checks, static files, token links, calendar
// feeds, the login page) gets no row: its cookie holds a random identifier and its CSRF
// token is an HMAC of that identifier under Secret, so a form can be shown and checked
// without writing anything. The session is stored once it carries state: a user (or a
// user owing the second factor), a flash message, or MarkChanged.
type Sessions struct {
	Store  fiber.Storage
	Secure bool
	Now    func() time.Time
	// Secret keys the CSRF tokens of unstored sessions (at least 32 random bytes, the same
	// on every instance). Without it, a random key is drawn at the first request.
	Secret []byte

	secretOnce sync.Once
}

const sessionLocal = "web.session"

func storageKey(token string) string {
	sum := sha256.Sum256([]byte(token))
	return "sess:" + hex.EncodeToString(sum[:])
}

// Middleware loads the session of the request (or starts a new one) and saves it
// after the handler when it changed or, once stored, was last saved more than a minute
// ago. A new session without state is not stored (see Sessions).
func (s *Sessions) Middleware(c *fiber.Ctx) error {
	if APIToken(c) != 0 || strings.HasPrefix(c.Path(), "/api/") {
		c.Locals(sessionLocal, &Session{}) // API calls authenticate by token: no cookie, no session
		return c.Next()
	}
	now := s.Now()
	cookie := c.Cookies(CookieName)
	sess := s.load(cookie, now)
	c.Locals(sessionLocal, sess)
	err := c.Next()
	switch {
	case sess.dirty || (sess.stored && now.Sub(sess.LastSeen) > touchEvery):
		sess.LastSeen = now
		if serr := s.save(c, sess); serr != nil {
			return errors.Join(err, serr)
		}
	case sess.shown && cookie != sess.token:
		s.setCookie(c, sess.token)
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
				sess.token, sess.stored = token, true
				return &sess
			}
			token = "" // an ended session: its identifier is not reused
		}
	}
	if !wellFormedToken(token) {
		token = models.NewSecretToken()
	}
	return &Session{token: token, CSRF: s.unstoredCSRF(token), Created: now, LastSeen: now}
}

// wellFormedToken reports whether t looks like a models.NewSecretToken identifier.
func wellFormedToken(t string) bool {
	b, err := base64.RawURLEncoding.DecodeString(t)
	return err == nil && len(b) == 32
}

// unstoredCSRF is the CSRF token of a session that is not stored: an HMAC of its
// identifier, which only the server can compute.
func (s *Sessions) unstoredCSRF(token string) string {
	s.secretOnce.Do(func() {
		if len(s.Secret) == 0 {
			s.Secret = []byte(models.NewSecretToken())
		}
	})
	mac := hmac.New(sha256.New, s.Secret)
	mac.Write([]byte("csrf:" + token))
	return base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

func (s *Sessions) save(c *fiber.Ctx, sess *Session) error {
	raw, err := json.Marshal(sess)
	if err != nil {
		return err
	}
	if err := s.Store.Set(storageKey(sess.token), raw, IdleTimeout); err != nil {
		return err
	}
	sess.stored = true
	s.setCookie(c, sess.token)
	return nil
}

func (s *Sessions) setCookie(c *fiber.Ctx, token string) {
	c.Cookie(&fiber.Cookie{
		Name: CookieName, Value: token, Path: "/", HTTPOnly: true, Secure: s.Secure, SameSite: fiber.CookieSameSiteLaxMode,
		// A session cookie: it ends with the browser; the server enforces idle and absolute timeouts.
	})
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

// CSRFToken returns the token a page puts in its forms, and records that the browser
// needs the session cookie to send it back. The token is masked afresh at each call (a
// random pad, then the token XORed with it): pages are compressed, and a secret repeated
// byte for byte in every response next to text an attacker may choose is what BREACH
// guesses by watching the compressed sizes. CSRF unmasks it.
func (s *Session) CSRFToken() string {
	s.shown = true
	return maskToken(s.CSRF)
}

func maskToken(t string) string {
	out := make([]byte, 2*len(t))
	pad, masked := out[:len(t)], out[len(t):]
	if _, err := rand.Read(pad); err != nil {
		panic(err) // crypto/rand does not fail on the supported systems
	}
	for i := range len(t) {
		masked[i] = t[i] ^ pad[i]
	}
	return base64.RawURLEncoding.EncodeToString(out)
}

// unmaskToken returns the token maskToken masked, or "" when m is not a masked token.
func unmaskToken(m string) string {
	b, err := base64.RawURLEncoding.DecodeString(m)
	if err != nil || len(b) == 0 || len(b)%2 != 0 {
		return ""
	}
	n := len(b) / 2
	for i := range n {
		b[n+i] ^= b[i]
	}
	return string(b[n:])
}

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
	if APIToken(c) != 0 {
		return c.Next()
	}
	want := SessionOf(c).CSRF
	masked := c.Get("X-CSRF-Token")
	if masked == "" {
		masked = c.FormValue("csrf")
	}
	got := unmaskToken(masked)
	if want == "" || subtle.ConstantTimeCompare([]byte(got), []byte(want)) != 1 {
		return ErrCSRF
	}
	return c.Next()
}

const apiTokenLocal = "web.apitoken"

// MarkAPIToken records that the request was authenticated by the API token id.
func MarkAPIToken(c *fiber.Ctx, id int64) { c.Locals(apiTokenLocal, id) }

// APIToken returns the id of the API token that authenticated the request, or 0 for a
// request without one (a browser's session, or anonymous).
func APIToken(c *fiber.Ctx) int64 {
	id, _ := c.Locals(apiTokenLocal).(int64)
	return id
}
