package server

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"testing"

	"github.com/gofiber/fiber/v2"

	"seance/models"
)

// TestErrorHandlerShowsRefusals checks the one place that answers a refusal a handler
// did not answer itself (issue 15 point 1): a rule's refusal is a 409 with its French
// message, a form's refusal a 422, even under a wrapping; an internal error stays a 500
// whose text is never shown.
func TestErrorHandlerShowsRefusals(t *testing.T) {
	app := fiber.New(fiber.Config{ErrorHandler: errorHandler(slog.New(slog.NewTextHandler(io.Discard, nil)))})
	rule := models.NewRefusal("La séance n'est pas ouverte.")
	app.Get("/api/rule", func(c *fiber.Ctx) error { return fmt.Errorf("open vote 3: %w", rule) })
	app.Get("/api/field", func(c *fiber.Ctx) error { return models.RefuseField("starts_on", "Indiquez la date.") })
	app.Get("/api/internal", func(c *fiber.Ctx) error { return fmt.Errorf("select: connection reset") })
	for _, tt := range []struct {
		path, msg string
		code      int
	}{
		{"/api/rule", "La séance n'est pas ouverte.", fiber.StatusConflict},
		{"/api/field", "Indiquez la date.", fiber.StatusUnprocessableEntity},
		{"/api/internal", frenchStatus[500][1], fiber.StatusInternalServerError},
	} {
		resp, err := app.Test(httptest.NewRequest("GET", tt.path, nil))
		if err != nil {
			t.Fatal(err)
		}
		var body struct {
			Error string `json:"error"`
		}
		if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != tt.code || body.Error != tt.msg {
			t.Errorf("%s: %d %q, want %d %q", tt.path, resp.StatusCode, body.Error, tt.code, tt.msg)
		}
	}
}
