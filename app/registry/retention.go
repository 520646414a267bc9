package registry

import (
	"github.com/gofiber/fiber/v2"

	"seance/app/web"
	"seance/models"
	"seance/models/retention"
)

// Retention lists, for the secretariat, the files that the retention job will anonymise
// within 30 days (REGLES.md requirement 15): reference, last activity and day of
// anonymisation, never an identity.
func (h *Handler) Retention(c *fiber.Ctx) error {
	cm, err := h.commission(c)
	if err != nil {
		return err
	}
	s, err := models.FindSettings(c.UserContext(), h.DB, cm.ID)
	if err != nil {
		return err
	}
	files, err := retention.RetentionPreview(c.UserContext(), h.DB, web.User(c), cm.ID, h.Now())
	if err != nil {
		return err
	}
	return render(c, cm, fiber.StatusOK, "registry/retention", fiber.Map{
		"Title": "Conservation des dossiers", "Files": files, "Months": s.RetentionMonths, "Days": retention.RetentionPreviewDays,
	})
}
