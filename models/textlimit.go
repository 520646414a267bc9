package models

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"unicode/utf8"
)

// Maximum lengths of the text fields, in characters. Every text a form sends is checked
// against one of them before it is stored (issue 11 point 10).
const (
	MaxLineLength  = 200   // single-line fields: titles, names, places, references, links
	MaxEmailLength = 254   // an e-mail address (RFC 5321)
	MaxNoteLength  = 2000  // short free texts: reasons, conditions, notes
	MaxTextLength  = 10000 // long free texts: the proposal, contributions, messages
)

// CheckLine adds to fe, under field, the refusal of a single-line value longer than max
// characters or holding a line break or another control character (tab aside): such a
// value ends up in e-mail subjects and headers, calendar entries and spreadsheet cells.
// label is the field's name as the form shows it.
func CheckLine(fe FieldErrors, field, label, value string, max int) {
	checkText(fe, field, label, value, max, false)
}

// CheckText adds to fe, under field, the refusal of a multi-line value longer than max
// characters or holding a control character other than tab and line breaks.
func CheckText(fe FieldErrors, field, label, value string, max int) {
	checkText(fe, field, label, value, max, true)
}

// LineError is CheckLine for a lone field: the refusal as an error, or nil.
func LineError(field, label, value string, max int) error {
	fe := FieldErrors{}
	checkText(fe, field, label, value, max, false)
	return fe.Err()
}

// TextError is CheckText for a lone field: the refusal as an error, or nil.
func TextError(field, label, value string, max int) error {
	fe := FieldErrors{}
	checkText(fe, field, label, value, max, true)
	return fe.Err()
}

func checkText(fe FieldErrors, field, label, value string, max int, multiline bool) {
	if !utf8.ValidString(value) {
		fe.Add(field, fmt.Sprintf("Le champ « %s » contient des caractères illisibles : saisissez-le de nouveau.", label))
		return
	}
	if n := utf8.RuneCountInString(value); n > max {
		fe.Add(field, fmt.Sprintf("Le champ « %s » ne peut dépasser %s caractères (%s saisis).", label, thousands(max), thousands(n)))
		return
	}
	for _, r := range value {
		if !controlChar(r, multiline) {
			continue
		}
		if multiline {
			fe.Add(field, fmt.Sprintf("Le champ « %s » contient un caractère de contrôle invisible : retirez-le.", label))
		} else {
			fe.Add(field, fmt.Sprintf("Le champ « %s » tient sur une seule ligne : retirez les retours à la ligne et caractères de contrôle.", label))
		}
		return
	}
}

// controlChar reports whether r is refused: C0 controls but tab (and line feed and
// carriage return in a multi-line text), DEL, C1 controls, and the Unicode line and
// paragraph separators in a single line.
func controlChar(r rune, multiline bool) bool {
	switch {
	case r == '\t':
		return false
	case r == '\n' || r == '\r':
		return !multiline
	case r < 0x20, r >= 0x7f && r <= 0x9f:
		return true
	case r == '\u2028' || r == '\u2029':
		return !multiline
	}
	return false
}

// thousands writes n with a narrow space between thousands, as French does: 10 000.
func thousands(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "\u202f" + s[i:]
	}
	return s
}

// TextDigest is the hex SHA-256 of s: the audit chain records it instead of a sealed text.
func TextDigest(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}
