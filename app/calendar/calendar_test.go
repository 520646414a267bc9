package calendar_test

import (
	"bytes"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	ics "github.com/arran4/golang-ical"

	"seance/app/calendar"
)

func paris(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// session returns a session from 14:00 to 17:00 Paris time on day.
func session(t *testing.T, day time.Time) calendar.Event {
	t.Helper()
	loc := paris(t)
	start := time.Date(day.Year(), day.Month(), day.Day(), 14, 0, 0, 0, loc)
	return calendar.Event{
		UID:         calendar.UID(42, "seance.example.gouv.fr"),
		Sequence:    2,
		Summary:     "Séance plénière de la commission départementale, ordre du jour; votes",
		Description: "Convocation.\r\nOrdre du jour : 3 dossiers, dont 2 renouvellements; chemin C:\\séance. " + strings.Repeat("éèàç€", 12),
		Location:    "Préfecture de la Haute-Garonne, salle Riquet",
		URL:         "https://seance.example.gouv.fr/seances/42",
		Start:       start,
		End:         start.Add(3 * time.Hour),
		Updated:     time.Date(2026, 11, 22, 10, 30, 0, 0, time.UTC),
	}
}

func write(t *testing.T, method string, events ...calendar.Event) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := calendar.Write(&b, "Commission 31", paris(t), method, events...); err != nil {
		t.Fatalf("Write: %v", err)
	}
	return b.Bytes()
}

func parse(t *testing.T, b []byte) (*ics.Calendar, *ics.VEvent) {
	t.Helper()
	cal, err := ics.ParseCalendar(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("ParseCalendar: %v\n%s", err, b)
	}
	evs := cal.Events()
	if len(evs) != 1 {
		t.Fatalf("parsed %d events, want 1", len(evs))
	}
	return cal, evs[0]
}

func calProp(cal *ics.Calendar, name ics.Property) string {
	for _, p := range cal.CalendarProperties {
		if p.IANAToken == string(name) {
			return p.Value
		}
	}
	return ""
}

func TestWrite_LocalTimeWithTZIDInWinterAndSummer(t *testing.T) {
	for _, tt := range []struct {
		name    string
		day     time.Time
		wantUTC string // 14:00 Paris is 13:00 UTC in winter (CET), 12:00 UTC in summer (CEST)
	}{
		{"winter CET", time.Date(2026, 12, 3, 0, 0, 0, 0, time.UTC), "20261203T130000Z"},
		{"summer CEST", time.Date(2026, 6, 11, 0, 0, 0, 0, time.UTC), "20260611T120000Z"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ev := session(t, tt.day)
			cal, got := parse(t, write(t, calendar.MethodRequest, ev))

			start := got.GetProperty(ics.ComponentPropertyDtStart)
			if start == nil || start.ICalParameters["TZID"][0] != "Europe/Paris" || !strings.HasSuffix(start.Value, "T140000") {
				t.Fatalf("DTSTART = %+v, want TZID=Europe/Paris and local time 14:00", start)
			}
			at, err := got.GetStartAt()
			if err != nil {
				t.Fatal(err)
			}
			if at.UTC().Format("20060102T150405Z") != tt.wantUTC {
				t.Errorf("DTSTART instant = %s, want %s", at.UTC().Format("20060102T150405Z"), tt.wantUTC)
			}
			end, err := got.GetEndAt()
			if err != nil {
				t.Fatal(err)
			}
			if !end.Equal(ev.End) {
				t.Errorf("DTEND = %s, want %s", end, ev.End)
			}
			if stamp := got.GetProperty(ics.ComponentPropertyDtstamp); stamp == nil || stamp.Value != "20261122T103000Z" {
				t.Errorf("DTSTAMP = %+v, want 20261122T103000Z (UTC)", stamp)
			}

			if calProp(cal, ics.PropertyProductId) != calendar.ProductID || calProp(cal, ics.PropertyMethod) != "REQUEST" ||
				calProp(cal, ics.PropertyVersion) != "2.0" {
				t.Errorf("calendar properties = %+v, want VERSION 2.0, PRODID %q, METHOD REQUEST", cal.CalendarProperties, calendar.ProductID)
			}
			tzs := cal.Timezones()
			if len(tzs) != 1 || tzs[0].GetProperty(ics.ComponentPropertyTzid).Value != "Europe/Paris" {
				t.Fatalf("VTIMEZONE = %+v, want one for Europe/Paris", tzs)
			}
			var rules []string
			for _, c := range tzs[0].Components {
				switch o := c.(type) {
				case *ics.Daylight:
					rules = append(rules, "DAYLIGHT "+o.GetProperty(ics.ComponentPropertyRrule).Value+" "+
						o.GetProperty(ics.ComponentProperty(ics.PropertyTzoffsetto)).Value)
				case *ics.Standard:
					rules = append(rules, "STANDARD "+o.GetProperty(ics.ComponentPropertyRrule).Value+" "+
						o.GetProperty(ics.ComponentProperty(ics.PropertyTzoffsetto)).Value)
				}
			}
			want := []string{
				"DAYLIGHT FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU +0200",
				"STANDARD FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU +0100",
			}
			if strings.Join(rules, "|") != strings.Join(want, "|") {
				t.Errorf("VTIMEZONE observances = %q, want %q", rules, want)
			}
		})
	}
}

func TestWrite_CRLFFoldingAndEscaping(t *testing.T) {
	ev := session(t, time.Date(2026, 12, 3, 0, 0, 0, 0, time.UTC))
	b := write(t, calendar.MethodRequest, ev)

	if n := bytes.Count(b, []byte("\n")); n != bytes.Count(b, []byte("\r\n")) || n != bytes.Count(b, []byte("\r")) {
		t.Fatalf("%d LF, %d CRLF and %d CR: want every line ended by CRLF and no bare CR or LF", n, bytes.Count(b, []byte("\r\n")), bytes.Count(b, []byte("\r")))
	}
	if !bytes.HasSuffix(b, []byte("END:VCALENDAR\r\n")) {
		t.Errorf("file does not end with END:VCALENDAR CRLF")
	}
	folded := 0
	for _, line := range strings.Split(strings.TrimSuffix(string(b), "\r\n"), "\r\n") {
		if len(line) > 75 {
			t.Errorf("line of %d octets, want at most 75: %q", len(line), line)
		}
		if !utf8.ValidString(line) {
			t.Errorf("line folded inside a UTF-8 sequence: %q", line)
		}
		if strings.HasPrefix(line, " ") {
			folded++
		}
	}
	if folded == 0 {
		t.Error("no folded line, want the long description folded")
	}

	_, got := parse(t, b)
	for _, tt := range []struct {
		prop ics.ComponentProperty
		want string
	}{
		{ics.ComponentPropertySummary, ev.Summary},
		{ics.ComponentPropertyDescription, strings.ReplaceAll(ev.Description, "\r\n", "\n")},
		{ics.ComponentPropertyLocation, ev.Location},
		{ics.ComponentPropertyUrl, ev.URL},
	} {
		if p := got.GetProperty(tt.prop); p == nil || p.Value != tt.want {
			t.Errorf("%s after a round trip = %+v, want %q", tt.prop, p, tt.want)
		}
	}
	for _, escaped := range []string{`ordre du jour\; votes`, `départementale\,`, `C:\\séance`, `Convocation.\nOrdre`} {
		if !strings.Contains(strings.ReplaceAll(string(b), "\r\n ", ""), escaped) {
			t.Errorf("unfolded file lacks the escaped text %q", escaped)
		}
	}
}

func TestWrite_UIDAndSequenceStableAcrossWrites(t *testing.T) {
	ev := session(t, time.Date(2026, 12, 3, 0, 0, 0, 0, time.UTC))
	first, second := write(t, calendar.MethodRequest, ev), write(t, calendar.MethodRequest, ev)
	if !bytes.Equal(first, second) {
		t.Errorf("two writes of the same event differ:\n%s\n---\n%s", first, second)
	}
	_, a := parse(t, first)
	ev.Sequence = 3
	ev.Location = "Salle du conseil"
	_, b := parse(t, write(t, calendar.MethodRequest, ev))
	if a.Id() != "seance-42@seance.example.gouv.fr" || a.Id() != b.Id() {
		t.Errorf("UIDs = %q and %q, want both seance-42@seance.example.gouv.fr", a.Id(), b.Id())
	}
	for _, tt := range []struct {
		ev   *ics.VEvent
		want string
	}{{a, "2"}, {b, "3"}} {
		if p := tt.ev.GetProperty(ics.ComponentPropertySequence); p == nil || p.Value != tt.want {
			t.Errorf("SEQUENCE = %+v, want %s", p, tt.want)
		}
	}
}

func TestWrite_StatusConfirmedOrCancelled(t *testing.T) {
	for _, tt := range []struct {
		name       string
		method     string
		cancelled  bool
		wantStatus string
	}{
		{"convocation", calendar.MethodRequest, false, "CONFIRMED"},
		{"published", calendar.MethodPublish, false, "CONFIRMED"},
		{"cancellation", calendar.MethodCancel, true, "CANCELLED"},
		{"cancelled session in a published calendar", calendar.MethodPublish, true, "CANCELLED"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ev := session(t, time.Date(2026, 12, 3, 0, 0, 0, 0, time.UTC))
			ev.Cancelled = tt.cancelled
			cal, got := parse(t, write(t, tt.method, ev))
			if p := got.GetProperty(ics.ComponentPropertyStatus); p == nil || p.Value != tt.wantStatus {
				t.Errorf("STATUS = %+v, want %s", p, tt.wantStatus)
			}
			if m := calProp(cal, ics.PropertyMethod); m != tt.method {
				t.Errorf("METHOD = %q, want %s", m, tt.method)
			}
		})
	}
}

func TestWrite_RejectsInvalidInput(t *testing.T) {
	valid := session(t, time.Date(2026, 12, 3, 0, 0, 0, 0, time.UTC))
	for _, tt := range []struct {
		name   string
		method string
		loc    *time.Location
		edit   func(e *calendar.Event)
	}{
		{"unknown method", "REPLY", paris(t), func(*calendar.Event) {}},
		{"no time zone", calendar.MethodRequest, nil, func(*calendar.Event) {}},
		{"unnamed local zone", calendar.MethodRequest, time.Local, func(*calendar.Event) {}},
		{"no UID", calendar.MethodRequest, paris(t), func(e *calendar.Event) { e.UID = " " }},
		{"no summary", calendar.MethodRequest, paris(t), func(e *calendar.Event) { e.Summary = "" }},
		{"ends before it starts", calendar.MethodRequest, paris(t), func(e *calendar.Event) { e.End = e.Start.Add(-time.Hour) }},
		{"no update time", calendar.MethodRequest, paris(t), func(e *calendar.Event) { e.Updated = time.Time{} }},
		{"negative sequence", calendar.MethodRequest, paris(t), func(e *calendar.Event) { e.Sequence = -1 }},
		{"cancel method on a confirmed event", calendar.MethodCancel, paris(t), func(*calendar.Event) {}},
		{"URL with a line break", calendar.MethodRequest, paris(t), func(e *calendar.Event) { e.URL += "\r\nATTENDEE:x" }},
		{"relative URL", calendar.MethodRequest, paris(t), func(e *calendar.Event) { e.URL = "/seances/42" }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ev := valid
			tt.edit(&ev)
			var b bytes.Buffer
			if err := calendar.Write(&b, "", tt.loc, tt.method, ev); err == nil {
				t.Errorf("Write succeeded, want an error:\n%s", b.String())
			}
		})
	}
	if err := calendar.Write(&bytes.Buffer{}, "", paris(t), calendar.MethodRequest); err == nil {
		t.Error("Write without events succeeded, want an error")
	}
}

func TestWrite_VTimezoneOfOtherZones(t *testing.T) {
	for _, tt := range []struct {
		zone      string
		days      []time.Time
		wantRules []string // RRULE of each observance, "" for a fixed offset
		wantErr   bool
	}{
		{"America/Miquelon", []time.Time{time.Date(2026, 12, 3, 0, 0, 0, 0, time.UTC)},
			[]string{"FREQ=YEARLY;BYMONTH=3;BYDAY=2SU", "FREQ=YEARLY;BYMONTH=11;BYDAY=1SU"}, false},
		{"Indian/Reunion", []time.Time{time.Date(2026, 12, 3, 0, 0, 0, 0, time.UTC)}, []string{""}, false},
		// Morocco's Ramadan changes follow no weekday rule: describing 2026 and 2027 with one RRULE would be wrong.
		{"Africa/Casablanca", []time.Time{time.Date(2026, 12, 3, 0, 0, 0, 0, time.UTC), time.Date(2027, 1, 5, 0, 0, 0, 0, time.UTC)}, nil, true},
	} {
		t.Run(tt.zone, func(t *testing.T) {
			loc, err := time.LoadLocation(tt.zone)
			if err != nil {
				t.Fatal(err)
			}
			var evs []calendar.Event
			for i, d := range tt.days {
				start := time.Date(d.Year(), d.Month(), d.Day(), 14, 0, 0, 0, loc)
				evs = append(evs, calendar.Event{UID: calendar.UID(int64(i+1), "seance.test"), Summary: "Séance",
					Start: start, End: start.Add(time.Hour), Updated: start})
			}
			var b bytes.Buffer
			err = calendar.Write(&b, "", loc, calendar.MethodPublish, evs...)
			if tt.wantErr {
				if err == nil {
					t.Errorf("Write succeeded, want an error for irregular rules:\n%s", b.String())
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			cal, err := ics.ParseCalendar(&b)
			if err != nil {
				t.Fatal(err)
			}
			var rules []string
			for _, c := range cal.Timezones()[0].Components {
				var base *ics.ComponentBase
				switch o := c.(type) {
				case *ics.Daylight:
					base = &o.ComponentBase
				case *ics.Standard:
					base = &o.ComponentBase
				}
				r := ""
				if p := base.GetProperty(ics.ComponentPropertyRrule); p != nil {
					r = p.Value
				}
				rules = append(rules, r)
			}
			if strings.Join(rules, "|") != strings.Join(tt.wantRules, "|") {
				t.Errorf("observance rules = %q, want %q", rules, tt.wantRules)
			}
			start, err := cal.Events()[0].GetStartAt()
			if err != nil || !start.Equal(evs[0].Start) {
				t.Errorf("DTSTART = %v (%v), want %v", start, err, evs[0].Start)
			}
		})
	}
}

func TestUID(t *testing.T) {
	for _, tt := range []struct {
		id   int64
		host string
		want string
	}{
		{42, "seance.example.gouv.fr", "seance-42@seance.example.gouv.fr"},
		{7, "Localhost:8080", "seance-7@localhost"},
	} {
		if got := calendar.UID(tt.id, tt.host); got != tt.want {
			t.Errorf("UID(%d, %q) = %q, want %q", tt.id, tt.host, got, tt.want)
		}
	}
}
