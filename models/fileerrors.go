package models

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// FileErrors carries the errors of a file form or of a refused file action: French
// messages ready to show, keyed by the form field they belong to ("last_name",
// "decided_on"...). The key FileFormLevel holds a message about the action as a whole.
// A non-empty FileErrors is an error; the web layer gets it back with AsFileErrors and
// re-renders the form with 422.
type FileErrors map[string]string

// FileFormLevel is the FileErrors key of a message that belongs to no single field.
const FileFormLevel = "_form"

// Error lists the messages in field order, for logs.
func (fe FileErrors) Error() string {
	var b strings.Builder
	for i, k := range slices.Sorted(maps.Keys(fe)) {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(k + ": " + fe[k])
	}
	return b.String()
}

// Add records msg for field unless the field already has one: the first problem found is shown.
func (fe FileErrors) Add(field, msg string) {
	if _, ok := fe[field]; !ok {
		fe[field] = msg
	}
}

// Err returns fe as an error, or nil when it holds no message.
func (fe FileErrors) Err() error {
	if len(fe) == 0 {
		return nil
	}
	return fe
}

// Messages returns the messages in field order.
func (fe FileErrors) Messages() []string {
	out := make([]string, 0, len(fe))
	for _, k := range slices.Sorted(maps.Keys(fe)) {
		out = append(out, fe[k])
	}
	return out
}

// AsFileErrors returns the FileErrors carried by err, if any.
func AsFileErrors(err error) (FileErrors, bool) {
	var fe FileErrors
	if errors.As(err, &fe) {
		return fe, true
	}
	return nil, false
}

// refuse returns a FileErrors with one message about the action as a whole.
func refuse(format string, args ...any) error {
	return FileErrors{FileFormLevel: fmt.Sprintf(format, args...)}
}
