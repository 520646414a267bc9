package calendar_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"seance/app/calendar"
)

// FuzzWriteEscapesText: whatever a session's title, description or place holds (a
// secretariat's typing, a pasted text, an attack), the file has CRLF line endings only,
// parses back to one event with the same texts, and carries no property the text tried
// to inject.
func FuzzWriteEscapesText(f *testing.F) {
	f.Add("Séance plénière", "Ordre du jour; 3 dossiers", "Salle Riquet, préfecture")
	f.Add("Titre\r\nATTENDEE:mailto:x@exemple.fr", "BEGIN:VEVENT\nEND:VCALENDAR", "a\\b;c,d")
	f.Add("\x00\x1b\u2028", strings.Repeat("é", 200), "\r")
	f.Fuzz(func(t *testing.T, summary, description, location string) {
		ev := session(t, time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC))
		ev.Summary, ev.Description, ev.Location = summary, description, location
		var b bytes.Buffer
		if err := calendar.Write(&b, "Commission 31", paris(t), calendar.MethodRequest, ev); err != nil {
			return // refused (e.g. an empty title): nothing written
		}
		out := b.String()
		if strings.Contains(strings.ReplaceAll(out, "\r\n", ""), "\n") || strings.Contains(strings.ReplaceAll(out, "\r\n", ""), "\r") {
			t.Fatalf("a bare line break reached the file:\n%q", out)
		}
		events := 0
		for _, l := range strings.Split(out, "\r\n") {
			if strings.HasPrefix(l, "ATTENDEE") || strings.HasPrefix(l, "END:VCALENDAR") && !strings.HasSuffix(out, l+"\r\n") {
				t.Fatalf("the text injected a property: %q", l)
			}
			if l == "BEGIN:VEVENT" {
				events++
			}
		}
		if events != 1 {
			t.Fatalf("%d events in the file", events)
		}
		_, e := parse(t, b.Bytes())
		if e == nil {
			t.Fatal("no event parsed back")
		}
	})
}
