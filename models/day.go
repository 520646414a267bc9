package models

import (
	"net/mail"
	"strings"
	"time"
	_ "time/tzdata" // the image ships only the binary: embed the zone database for Europe/Paris
)

// paris is the time zone in which the commission's calendar days (terms, agréments) fall.
var Paris = mustLoadParis()

func mustLoadParis() *time.Location {
	loc, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		panic(err) // cannot happen: time/tzdata is embedded
	}
	return loc
}

// CalendarDay returns the day on which t falls in France, as midnight UTC: the form
// in which dates (terms of office, agréments, arrêtés) are stored and compared.
// 23:30 UTC on 14 September is 15 September in Paris.
func CalendarDay(t time.Time) time.Time {
	y, m, d := t.In(Paris).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// DateOnly returns the calendar date of an already date-valued t (a form or a
// spreadsheet date) as midnight UTC, dropping any time of day.
func DateOnly(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// FrDate formats a date the French way, 15/09/2025.
func FrDate(t time.Time) string { return t.Format("02/01/2006") }

// ValidEmail reports whether s is a bare e-mail address (no display name).
func ValidEmail(s string) bool {
	if s == "" || len(s) > MaxEmailLength || strings.ContainsAny(s, " \t\r\n") {
		return false
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s {
		return false
	}
	_, domain, _ := strings.Cut(s, "@")
	return strings.Contains(domain, ".")
}
