package minutes

import (
	"errors"
	"html/template"
	"time"

	"github.com/gofiber/fiber/v2"

	"seance/models/meetings"
	minutesmodel "seance/models/minutes"
)

// Document is h.document, for the tests of package minutes_test.
func (h *Handler) Document(c *fiber.Ctx, m *meetings.Meeting, r *minutesmodel.Minutes) (template.HTML, error) {
	doc, _, err := h.document(c, m, r)
	return doc, err
}

// KeptDocument returns what h keeps at now of the rendering of version versionID: the
// sealed bytes, nil when it keeps none.
func KeptDocument(h *Handler, versionID int64, now time.Time) []byte {
	d, err := h.documents.Get(versionID, now, func() (*sealedDocument, error) { return nil, errors.New("nothing kept") })
	if err != nil {
		return nil
	}
	return d.sealed
}
