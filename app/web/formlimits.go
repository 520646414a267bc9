package web

import (
	"bytes"
	"fmt"

	"github.com/gofiber/fiber/v2"
)

// Bounds of a posted form other than its files (issue 11 point 10). Each text field has
// its own maximum, checked by the models with a message naming it; these bounds stop a
// hostile post before it is parsed field by field.
const (
	MaxFormBytes  = 1 << 20 // an urlencoded form: the longest texts (10,000 characters) fit many times
	MaxFormFields = 1000    // fields of one form, repeated ones (rows of a list) included
)

// ErrFormTooLarge and ErrFormTooManyFields answer a form beyond the bounds.
var (
	ErrFormTooLarge      = fiber.NewError(fiber.StatusRequestEntityTooLarge, fmt.Sprintf("Le formulaire envoyé dépasse %d Mo : raccourcissez les textes saisis.", MaxFormBytes>>20))
	ErrFormTooManyFields = fiber.NewError(fiber.StatusRequestEntityTooLarge, fmt.Sprintf("Le formulaire envoyé compte plus de %d champs : il n'a pas été enregistré.", MaxFormFields))
)

// FormLimits refuses an urlencoded form larger than MaxFormBytes, and any form with more
// than MaxFormFields fields. Uploads (multipart) are bounded in size by the server's
// BodyLimit and each attachment by models.MaxAttachmentSize.
func FormLimits(c *fiber.Ctx) error {
	ct := c.Request().Header.ContentType()
	switch {
	case bytes.HasPrefix(ct, []byte(fiber.MIMEApplicationForm)):
		if len(c.Body()) > MaxFormBytes {
			return ErrFormTooLarge
		}
		if c.Request().PostArgs().Len() > MaxFormFields {
			return ErrFormTooManyFields
		}
	case bytes.HasPrefix(ct, []byte(fiber.MIMEMultipartForm)):
		if mf, err := c.MultipartForm(); err == nil {
			n := 0
			for _, vs := range mf.Value {
				n += len(vs)
			}
			for _, fs := range mf.File {
				n += len(fs)
			}
			if n > MaxFormFields {
				return ErrFormTooManyFields
			}
		}
	}
	return c.Next()
}
