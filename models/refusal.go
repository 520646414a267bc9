package models

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// Refusal is the portal's one way of saying « no » to a user: a model function that
// refuses a request returns a *Refusal, whose French messages are ready to show. Message
// is about the action as a whole; Fields holds messages by form field ("email",
// "starts_on"...), for a form shown again with its errors. The web layer recognises a
// refusal in one place (web.Refused, and the server's error handler for the others) and
// turns it into a flash, a form with 422 or an error page; logic never reads its text.
//
// A rule's refusal is a package-level sentinel (NewRefusal) that callers and tests
// match with errors.Is; For says it about one subject and still matches.
type Refusal struct {
	Message string
	Fields  map[string]string
	rule    *Refusal // the sentinel this refusal says about a subject (For)
}

// NewRefusal returns a refusal with message msg, for a sentinel.
func NewRefusal(msg string) *Refusal { return &Refusal{Message: msg} }

// Refuse returns a refusal of the action as a whole, its message formatted.
func Refuse(format string, args ...any) error {
	return &Refusal{Message: fmt.Sprintf(format, args...)}
}

// RefuseField returns a refusal of one form field's value.
func RefuseField(field, msg string) error {
	return &Refusal{Fields: map[string]string{field: msg}}
}

// For returns r said about subject (« Siège 3 — Préfecture : » followed by r's
// message); errors.Is still matches it with r.
func (r *Refusal) For(subject string) *Refusal {
	return &Refusal{Message: subject + " : " + r.Message, Fields: r.Fields, rule: r}
}

// Saying returns a refusal that errors.Is matches with r but whose message is msg, for
// a message that adds what the sentinel cannot know (when to try again).
func (r *Refusal) Saying(msg string) *Refusal {
	return &Refusal{Message: msg, rule: r}
}

// Error returns the message, then the fields' messages in field order.
func (r *Refusal) Error() string {
	return strings.Join(r.Messages(), " ")
}

// Unwrap returns the sentinel r was made from by For, if any.
func (r *Refusal) Unwrap() error {
	if r.rule == nil {
		return nil
	}
	return r.rule
}

// Messages returns the message, then the fields' messages in field order.
func (r *Refusal) Messages() []string {
	var out []string
	if r.Message != "" {
		out = append(out, r.Message)
	}
	for _, k := range slices.Sorted(maps.Keys(r.Fields)) {
		out = append(out, r.Fields[k])
	}
	return out
}

// AsRefusal returns the refusal carried by err, if any.
func AsRefusal(err error) (*Refusal, bool) {
	var r *Refusal
	if errors.As(err, &r) {
		return r, true
	}
	return nil, false
}

// FieldErrors collects the messages of a form's validation, keyed by the name of the
// field they belong to; the key FormLevel holds a message about the form as a whole.
// Err turns them into a *Refusal for a model function to return.
type FieldErrors map[string]string

// FormLevel is the FieldErrors key of a message that belongs to no single field.
const FormLevel = "_form"

// Add records msg for field unless the field already has a message: the first
// problem found is the one shown.
func (fe FieldErrors) Add(field, msg string) {
	if _, ok := fe[field]; !ok {
		fe[field] = msg
	}
}

// Err returns fe as a *Refusal, or nil when it holds no message.
func (fe FieldErrors) Err() error {
	if len(fe) == 0 {
		return nil
	}
	r := &Refusal{Message: fe[FormLevel]}
	for k, v := range fe {
		if k != FormLevel {
			if r.Fields == nil {
				r.Fields = map[string]string{}
			}
			r.Fields[k] = v
		}
	}
	return r
}

// Messages returns the messages in field order.
func (fe FieldErrors) Messages() []string {
	out := make([]string, 0, len(fe))
	for _, k := range slices.Sorted(maps.Keys(fe)) {
		out = append(out, fe[k])
	}
	return out
}

// AsFieldErrors returns the refusal carried by err as the field errors of a form (its
// message under FormLevel), if err carries one.
func AsFieldErrors(err error) (FieldErrors, bool) {
	r, ok := AsRefusal(err)
	if !ok {
		return nil, false
	}
	fe := FieldErrors{}
	maps.Copy(fe, r.Fields)
	if r.Message != "" {
		fe[FormLevel] = r.Message
	}
	return fe, true
}
