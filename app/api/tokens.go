package api

import (
	"errors"

	"github.com/gofiber/fiber/v2"

	"seance/app/web"
	"seance/models"
)

// TokensPath is the page « Jetons d'API », under Mon compte.
const TokensPath = "/compte/jetons"

// Tokens lists the signed-in user's API tokens (name, creation, last use, revocation)
// with the form that creates one.
func (h *Handler) Tokens(c *fiber.Ctx) error {
	return h.renderTokens(c, fiber.StatusOK, "", "", nil)
}

func (h *Handler) renderTokens(c *fiber.Ctx, status int, name, secret string, errs models.FieldErrors) error {
	ts, err := models.ListAPITokens(c.UserContext(), h.DB, web.User(c).ID)
	if err != nil {
		return err
	}
	active := 0
	for _, t := range ts {
		if t.RevokedAt == nil {
			active++
		}
	}
	if secret != "" {
		// The secret is on this page only: no cache, no referrer.
		c.Set(fiber.HeaderCacheControl, "no-store")
		c.Set("Referrer-Policy", "no-referrer")
	}
	c.Status(status)
	return web.Render(c, "api/tokens", fiber.Map{
		"Title": "Jetons d'API", "Tokens": ts, "Active": active, "Max": models.MaxAPITokens, "MaxName": models.MaxAPITokenName,
		"Name": name, "Secret": secret, "Errors": errs, "Base": Base, "Limit": RateLimit,
	})
}

// CreateToken creates a named token and shows its secret, once, on the page itself (it
// is never kept in the session nor in a flash).
func (h *Handler) CreateToken(c *fiber.Ctx) error {
	u := web.User(c)
	name := c.FormValue("name")
	secret, err := models.CreateAPIToken(c.UserContext(), h.DB, models.ActorFor(u), u.ID, name, h.Now())
	if fe, ok := models.AsFieldErrors(err); ok {
		return h.renderTokens(c, fiber.StatusUnprocessableEntity, name, "", fe)
	}
	if err != nil {
		return err
	}
	return h.renderTokens(c, fiber.StatusOK, "", secret, nil)
}

// RevokeToken revokes one of the user's tokens: calls with it get 401 at once.
func (h *Handler) RevokeToken(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	u := web.User(c)
	err = models.RevokeAPIToken(c.UserContext(), h.DB, models.ActorFor(u), u.ID, id, h.Now())
	if errors.Is(err, models.ErrNotFound) {
		return fiber.NewError(fiber.StatusNotFound, "Ce jeton n'existe pas ou ne vous appartient pas.")
	}
	if err != nil {
		return err
	}
	web.FlashSuccess(c, "Le jeton est révoqué : les appels qui l'utilisent sont désormais refusés.")
	return c.Redirect(TokensPath, fiber.StatusSeeOther)
}
