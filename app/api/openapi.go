package api

import (
	_ "embed"
	"encoding/json"

	"github.com/gofiber/fiber/v2"
)

// OpenAPI is the OpenAPI 3 document of the API, served at /api/v1/openapi.json. Every
// route of the table under /api/v1 is in it, and the test of app/api checks every
// response against it.
//
//go:embed openapi.json
var OpenAPI []byte

// Document serves the OpenAPI document; it needs no token.
func (h *Handler) Document(c *fiber.Ctx) error {
	return send(c, json.RawMessage(OpenAPI), shareable)
}
