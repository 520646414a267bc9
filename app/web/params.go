package web

import (
	"strconv"

	"github.com/gofiber/fiber/v2"

	"seance/models"
)

// ParamID reads the positive integer route parameter name; anything else (missing,
// not a number, zero or negative) is models.ErrNotFound, which the server answers
// with a 404.
func ParamID(c *fiber.Ctx, name string) (int64, error) {
	id, err := strconv.ParseInt(c.Params(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, models.ErrNotFound
	}
	return id, nil
}
