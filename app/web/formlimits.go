package web

import (
	"bytes"
	"fmt"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"
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
	ErrFormBadText       = fiber.NewError(fiber.StatusBadRequest, "Le formulaire ou l'adresse contient un caractère nul ou un texte mal encodé : rien n'a été enregistré.")
)

// badText reports a value no text of the portal may hold: a NUL byte (PostgreSQL refuses
// it in text, SQLite cuts the string) or bytes that are not UTF-8.
func badText(v []byte) bool { return bytes.IndexByte(v, 0) >= 0 || !utf8.Valid(v) }

// hasBadText reports whether a query string or urlencoded form holds such a value (or name).
func hasBadText(args *fasthttp.Args) bool {
	bad := false
	args.VisitAll(func(k, v []byte) { bad = bad || badText(k) || badText(v) })
	return bad
}

// FormLimits refuses an urlencoded form larger than MaxFormBytes, and any form with more
// than MaxFormFields fields. Uploads (multipart) are bounded in size by the server's
// BodyLimit and each attachment by models.MaxAttachmentSize.
//
// It also refuses, for every request, a query string or form value holding a NUL byte or
// invalid UTF-8 (found by fuzzing: such a value reached the database and failed as a
// server error), so that no handler has to check it.
func FormLimits(c *fiber.Ctx) error {
	if hasBadText(c.Request().URI().QueryArgs()) {
		return ErrFormBadText
	}
	ct := c.Request().Header.ContentType()
	switch {
	case bytes.HasPrefix(ct, []byte(fiber.MIMEApplicationForm)):
		if len(c.Body()) > MaxFormBytes {
			return ErrFormTooLarge
		}
		if c.Request().PostArgs().Len() > MaxFormFields {
			return ErrFormTooManyFields
		}
		if hasBadText(c.Request().PostArgs()) {
			return ErrFormBadText
		}
	case bytes.HasPrefix(ct, []byte(fiber.MIMEMultipartForm)):
		if mf, err := c.MultipartForm(); err == nil {
			n := 0
			for k, vs := range mf.Value {
				n += len(vs)
				for _, v := range vs {
					if badText([]byte(k)) || badText([]byte(v)) {
						return ErrFormBadText
					}
				}
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
