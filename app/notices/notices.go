// Package notices serves « Mes notifications »: the notices the reminder jobs sent to
// the signed-in user (convocation reminders, quorum alerts, renewals, terms and
// agréments), newest first, each with a link to the page concerned.
package notices

import (
	"github.com/gofiber/fiber/v2"
	"github.com/uptrace/bun"

	"seance/app/web"
	"seance/models"
)

// Limit is how many notices the page lists.
const Limit = 50

// Handler serves the page.
type Handler struct {
	DB *bun.DB
}

// Index lists the signed-in user's latest notices.
func (h *Handler) Index(c *fiber.Ctx) error {
	ns, err := models.ListNotifications(c.UserContext(), h.DB, web.User(c).ID, Limit)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return web.Render(c, "notices/index", fiber.Map{"Title": "Mes notifications", "Notices": ns, "Limit": Limit})
}
