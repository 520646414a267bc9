package files

import (
	"strings"
	"testing"
	"time"

	"seance/models"
)

// FuzzDateFields checks the date and month fields of the file forms (issue 18 point 3):
// whatever is typed, either the field gets a French error or the value is a real day
// that the form shows back as it understood it; a month is the first of its month.
func FuzzDateFields(f *testing.F) {
	for _, s := range []string{"", " ", "2026-03-02", "02/03/2026", "2026-02-30", "31/02/2026", "2026-03", "03/2026",
		"0000-01-01", "9999-12-31", "2026-3-2", "02/03/26", "２０２６-03-02", "2026-03-02T10:00", "\x00", "-0001-01-01"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		fe := models.FieldErrors{}
		d := parseDate(fe, "d", s)
		blank := strings.TrimSpace(s) == ""
		switch {
		case blank && (len(fe) != 0 || !d.IsZero()):
			t.Fatalf("parseDate(%q) = %v, %v; want nothing for a blank field", s, d, fe)
		case !blank && (fe["d"] == "") == d.IsZero():
			t.Fatalf("parseDate(%q) = %v with errors %v: want a day or an error", s, d, fe)
		case !d.IsZero():
			if back, err := time.Parse(time.DateOnly, d.Format(time.DateOnly)); err != nil || !back.Equal(d) {
				t.Fatalf("parseDate(%q) = %v, which does not read back (%v)", s, d, err)
			}
		}
		fe = models.FieldErrors{}
		m := parseMonth(fe, "m", s)
		if !m.IsZero() && (m.Day() != 1 || m.Hour() != 0 || m.Location() != time.UTC) {
			t.Fatalf("parseMonth(%q) = %v, not the first of a month", s, m)
		}
		if !blank && (fe["m"] == "") == m.IsZero() {
			t.Fatalf("parseMonth(%q) = %v with errors %v: want a month or an error", s, m, fe)
		}
	})
}
