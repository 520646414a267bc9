package sitting

import (
	"testing"
	"time"
)

// FuzzParseLocal checks the date-time fields of the chair's forms (a written
// deliberation's schedule, its extension, its resumption): an accepted value is a
// time in UTC that formats back, in Paris, to what was understood.
func FuzzParseLocal(f *testing.F) {
	for _, s := range []string{"", "2026-12-07T09:00", " 2026-12-07T09:00 ", "2026-03-29T02:30", "2026-10-25T02:30",
		"2026-02-30T10:00", "2026-12-07T24:00", "2026-12-07 09:00", "2026-12-07T09:00:00", "0000-01-01T00:00", "\xff"} {
		f.Add(s)
	}
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := parseLocal(s, paris)
		if !ok {
			if !got.IsZero() {
				t.Fatalf("parseLocal(%q) refused but returned %v", s, got)
			}
			return
		}
		// In UTC; not always a whole minute: before 1911 Paris kept its local mean time
		// (UTC+0:09:21), which the model's date checks refuse anyway.
		if got.Location() != time.UTC {
			t.Fatalf("parseLocal(%q) = %v: want UTC", s, got)
		}
		again, ok := parseLocal(got.In(paris).Format(dateTimeLayout), paris)
		if !ok || !again.Equal(got) {
			t.Fatalf("parseLocal(%q) = %v, which formats back to %q = %v", s, got, got.In(paris).Format(dateTimeLayout), again)
		}
	})
}
