// Package api serves the read API under /api/v1 (issue 13) and the page « Jetons d'API »
// where each user manages the bearer tokens it takes.
//
// The vocabulary follows OParl: a commission is a Body, a session a Meeting, a point of
// its agenda an AgendaItem, and the vote on an item its Consultation. Every call runs as
// the token's owner, with the same access rules as the pages: the route table gives the
// roles, and the handlers call the same model functions as the pages (VisibleCommissions,
// MeetingsFor, CanSeeMeeting, the statistics report). Another commission's objects are
// 404. Files appear by their pseudonymous reference only.
//
// Responses are JSON with an ETag (a hash of the body; If-None-Match answers 304).
// Caching: nothing may be kept by a shared cache, hence "private" everywhere, and
// Vary: Authorization. Responses that hold personal data, even pseudonymous (a
// session's agenda with its file references, the avis given on each file) or exact
// small counts (the secretariat's unmasked statistics) are "no-store": no cache, not
// even the caller's, keeps them on disk. The others (commissions, session lists,
// published statistics) are "private, max-age=0, must-revalidate": a client may keep
// them and revalidate each time with If-None-Match, which saves the transfer and its
// own work when nothing changed. Errors are {"error": "<message en français>",
// "status": <code>} (server.errorHandler).
package api

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/uptrace/bun"

	"seance/app/web"
)

// Handler serves the API and the token page.
type Handler struct {
	DB  *bun.DB
	Now func() time.Time
}

// Base is the path of the API's first version.
const Base = "/api/v1"

// Rate limit of the API, per token.
const (
	RateLimit  = 120
	RateWindow = time.Minute
)

// Cache-Control values; see the package comment for the choice.
const (
	cacheRevalidate = "private, max-age=0, must-revalidate"
	cacheNoStore    = "private, no-store"
)

// Sensitivity says how a response may be cached.
type sensitivity bool

const (
	shareable sensitivity = false // no personal data: revalidated with its ETag
	personal  sensitivity = true  // personal (pseudonymous) data or exact counts: no-store
)

// RequireToken lets through calls authenticated by an API token; others get 401 with
// the way to get one. The API takes no session cookie.
func RequireToken(c *fiber.Ctx) error {
	if web.APIToken(c) == 0 {
		c.Set(fiber.HeaderWWWAuthenticate, `Bearer realm="Séance"`)
		return fiber.NewError(fiber.StatusUnauthorized, "Jeton d'API requis : envoyez l'en-tête « Authorization: Bearer <jeton> ». Créez un jeton dans Mon compte › Jetons d'API.")
	}
	return c.Next()
}

// RateLimitKey keys the limiter by token: each token has its own allowance.
func RateLimitKey(c *fiber.Ctx) string {
	return "ratelimit:api:" + itoa(web.APIToken(c))
}

// RateLimited answers a token over its allowance (the limiter has set Retry-After).
func RateLimited(c *fiber.Ctx) error {
	return fiber.NewError(fiber.StatusTooManyRequests,
		"Trop de requêtes pour ce jeton : au plus "+itoa(RateLimit)+" par minute. Réessayez après le délai indiqué par l'en-tête Retry-After.")
}

// send writes v as JSON with its ETag and cache headers, or 304 when the caller's
// If-None-Match names the same ETag.
func send(c *fiber.Ctx, v any, s sensitivity) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // JSON, never HTML (nosniff): keep « < 5 » and links readable
	if err := enc.Encode(v); err != nil {
		return err
	}
	body := buf.Bytes()
	sum := sha256.Sum256(body)
	etag := `"` + hex.EncodeToString(sum[:16]) + `"`
	c.Set(fiber.HeaderETag, etag)
	c.Set(fiber.HeaderVary, fiber.HeaderAuthorization)
	if s == personal {
		c.Set(fiber.HeaderCacheControl, cacheNoStore)
	} else {
		c.Set(fiber.HeaderCacheControl, cacheRevalidate)
	}
	if matches(c.Get(fiber.HeaderIfNoneMatch), etag) {
		c.Status(fiber.StatusNotModified)
		c.Response().ResetBody()
		return nil
	}
	c.Type("json", "utf-8")
	return c.Send(body)
}

// matches reports whether an If-None-Match header names etag (weak comparison, RFC 9110
// 13.1.2): "*", or a list of entity tags, weak or strong.
func matches(header, etag string) bool {
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
		if t == "*" || t == etag {
			return true
		}
	}
	return false
}
