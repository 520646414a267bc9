package admin

import (
	"github.com/gofiber/fiber/v2"

	"seance/app/web"
	"seance/models"
)

// OutboxGroup is the outbox of one commission (or of the platform).
type OutboxGroup struct {
	Name     string
	Messages []models.OutboxMessage
}

// Outbox lists the latest e-mails recorded for each commission and for the platform:
// delivery results when SMTP is configured, the messages themselves when it is not.
func (h *Handler) Outbox(c *fiber.Ctx) error {
	ctx := c.UserContext()
	cs, err := models.ListCommissions(ctx, h.DB, "")
	if err != nil {
		return err
	}
	groups := []OutboxGroup{}
	platform, err := models.ListOutbox(ctx, h.DB, 0, 50)
	if err != nil {
		return err
	}
	if len(platform) > 0 {
		groups = append(groups, OutboxGroup{Name: "Plateforme", Messages: platform})
	}
	for _, cm := range cs {
		ms, err := models.ListOutbox(ctx, h.DB, cm.ID, 100)
		if err != nil {
			return err
		}
		groups = append(groups, OutboxGroup{Name: cm.Department + " — " + cm.Name, Messages: ms})
	}
	return web.Render(c, "admin/outbox", fiber.Map{"Title": "Courriels envoyés", "Groups": groups})
}
