// Package legal serves the legal pages every State site links from its footer: the
// accessibility statement, the legal notice and the personal data page. They are public.
package legal

import (
	"github.com/gofiber/fiber/v2"

	"seance/app/web"
)

// Operator says who publishes the portal; the pages name it.
type Operator struct {
	Name    string // e.g. Préfecture de la Haute-Garonne
	Address string // postal address
	Email   string // contact address (may be empty)
}

// Handler serves the legal pages.
type Handler struct {
	Operator Operator
}

// Accessibility shows the accessibility statement (RGAA).
func (h *Handler) Accessibility(c *fiber.Ctx) error {
	return web.Render(c, "legal/accessibilite", fiber.Map{"Title": "Déclaration d'accessibilité", "Operator": h.Operator})
}

// Notice shows the legal notice.
func (h *Handler) Notice(c *fiber.Ctx) error {
	return web.Render(c, "legal/mentions", fiber.Map{"Title": "Mentions légales", "Operator": h.Operator})
}

// PersonalData shows how the portal processes personal data (GDPR articles 13 and 14).
func (h *Handler) PersonalData(c *fiber.Ctx) error {
	return web.Render(c, "legal/donnees", fiber.Map{"Title": "Données personnelles", "Operator": h.Operator})
}
