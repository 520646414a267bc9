package models

import (
	"errors"
	"maps"
	"slices"
	"strings"
)

// FieldErrors carries the validation errors of a form: French messages, ready to show,
// keyed by the name of the form field they belong to ("email", "starts_on"...). The key
// FormLevel holds a message about the form as a whole. A non-empty FieldErrors is an
// error, so that model functions can refuse a write with it; the web layer gets it back
// with AsFieldErrors and re-renders the form with 422.
type FieldErrors map[string]string

// FormLevel is the FieldErrors key of a message that belongs to no single field.
const FormLevel = "_form"

// Error lists the messages in field order, for logs.
func (fe FieldErrors) Error() string {
	var b strings.Builder
	for i, k := range slices.Sorted(maps.Keys(fe)) {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(k + ": " + fe[k])
	}
	return b.String()
}

// Add records msg for field unless the field already has a message: the first
// problem found is the one shown.
func (fe FieldErrors) Add(field, msg string) {
	if _, ok := fe[field]; !ok {
		fe[field] = msg
	}
}

// Err returns fe as an error, or nil when it holds no message.
func (fe FieldErrors) Err() error {
	if len(fe) == 0 {
		return nil
	}
	return fe
}

// Messages returns the messages in field order.
func (fe FieldErrors) Messages() []string {
	out := make([]string, 0, len(fe))
	for _, k := range slices.Sorted(maps.Keys(fe)) {
		out = append(out, fe[k])
	}
	return out
}

// AsFieldErrors returns the FieldErrors carried by err, if any.
func AsFieldErrors(err error) (FieldErrors, bool) {
	var fe FieldErrors
	if errors.As(err, &fe) {
		return fe, true
	}
	return nil, false
}
