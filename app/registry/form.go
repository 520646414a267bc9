package registry

import (
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"

	"seance/models"
)

// formDate reads a date field: 2025-09-15 (what <input type="date"> sends) or
// 15/09/2025. An empty field gives the zero time; an unreadable one adds a message to fe.
func formDate(s, field string, fe models.FieldErrors) time.Time {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}
	}
	for _, layout := range []string{time.DateOnly, "02/01/2006", "2/1/2006"} {
		if t, err := time.Parse(layout, s); err == nil && t.Year() >= 1900 && t.Year() <= 2200 {
			return t
		}
	}
	fe.Add(field, "Date invalide : utilisez le format jj/mm/aaaa.")
	return time.Time{}
}

// formInt reads an integer field; an empty or unreadable one adds a message to fe.
func formInt(s, field string, fe models.FieldErrors) int {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil {
		fe.Add(field, "Saisissez un nombre entier.")
	}
	return n
}

// checked reads a checkbox.
func checked(c *fiber.Ctx, name string) bool { return c.FormValue(name) != "" }

// merge adds the messages of more to fe, keeping fe's own first.
func merge(fe models.FieldErrors, more models.FieldErrors) models.FieldErrors {
	for k, v := range more {
		fe.Add(k, v)
	}
	return fe
}

// inputDate formats a date for an <input type="date"> (empty for the zero time).
func inputDate(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.DateOnly)
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// frDate formats a date as 15/09/2025, for messages.
func frDate(t time.Time) string { return t.Format("02/01/2006") }

// lower lowercases the first letter of s ("Suppléant" → "suppléant").
func lower(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToLower(r)) + s[n:]
}
