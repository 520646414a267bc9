package models

import "fmt"

// FileErrors is the name the files feature uses for FieldErrors: French messages keyed
// by form field, returned as an error when a write is refused.
type FileErrors = FieldErrors

// FileFormLevel is FormLevel: a message about the whole action rather than one field.
const FileFormLevel = FormLevel

// AsFileErrors returns the FieldErrors carried by err, if any.
func AsFileErrors(err error) (FileErrors, bool) { return AsFieldErrors(err) }

// refuse returns a FieldErrors with one message about the action as a whole.
func refuse(format string, args ...any) error {
	return FieldErrors{FormLevel: fmt.Sprintf(format, args...)}
}
