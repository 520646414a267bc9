package files

import (
	"fmt"

	"seance/models"
)

// FileErrors is the name the files feature uses for FieldErrors: French messages keyed
// by form field, returned as an error when a write is refused.
type FileErrors = models.FieldErrors

// FileFormLevel is FormLevel: a message about the whole action rather than one field.
const FileFormLevel = models.FormLevel

// AsFileErrors returns the FieldErrors carried by err, if any.
func AsFileErrors(err error) (FileErrors, bool) { return models.AsFieldErrors(err) }

// Refuse returns a FieldErrors with one message about the action as a whole.
func Refuse(format string, args ...any) error {
	return models.FieldErrors{models.FormLevel: fmt.Sprintf(format, args...)}
}
