package web

import (
	"github.com/gofiber/fiber/v2"

	"seance/models"
)

// Refused answers an action refused by a model function (a *models.Refusal): its
// messages become an error flash and the user goes back to path (303). Any other error
// is returned for the error handler, which shows a refusal that reaches it (a handler
// that does not call Refused) with 422 and its message.
func Refused(c *fiber.Ctx, err error, path string) error {
	r, ok := models.AsRefusal(err)
	if !ok {
		return err
	}
	FlashError(c, r.Error())
	return c.Redirect(path, fiber.StatusSeeOther)
}

// RefusalText returns the French messages of the refusal err carries, for a page or a
// form field that shows it; "" when err carries none.
func RefusalText(err error) string {
	if r, ok := models.AsRefusal(err); ok {
		return r.Error()
	}
	return ""
}
