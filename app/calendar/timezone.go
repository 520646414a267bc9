package calendar

import (
	"fmt"
	"slices"
	"time"

	ics "github.com/arran4/golang-ical"
)

// transition is one change of a zone's UTC offset.
type transition struct {
	at       time.Time // UTC instant of the change
	from, to int       // offsets in seconds east of UTC
	name     string    // abbreviation in force after it (CET, CEST)
	dst      bool      // daylight saving time after it
}

// transitions returns the offset changes of loc during year, in order.
func transitions(loc *time.Location, year int) []transition {
	var out []transition
	end := time.Date(year+1, 1, 1, 0, 0, 0, 0, time.UTC)
	prev := time.Date(year, 1, 1, 0, 0, 0, 0, time.UTC)
	_, prevOff := prev.In(loc).Zone()
	for t := prev.Add(24 * time.Hour); !t.After(end); t = t.Add(24 * time.Hour) {
		_, off := t.In(loc).Zone()
		if off != prevOff {
			// The change lies in (prev, t]: find its second by bisection.
			lo, hi := prev, t
			for hi.Sub(lo) > time.Second {
				mid := lo.Add(hi.Sub(lo) / 2)
				if _, o := mid.In(loc).Zone(); o == prevOff {
					lo = mid
				} else {
					hi = mid
				}
			}
			name, _ := hi.In(loc).Zone()
			out = append(out, transition{at: hi, from: prevOff, to: off, name: name, dst: hi.In(loc).IsDST()})
		}
		prev, prevOff = t, off
	}
	return out
}

// rule is a yearly transition described as iCalendar expects it: "the last Sunday
// of March at 02:00 local time (before the change)".
type rule struct {
	month    time.Month
	ordinal  int // 1..4, or -1 for the last such weekday of the month
	weekday  time.Weekday
	clock    time.Duration // wall-clock time of day in the offset before the change
	from, to int
	name     string
	dst      bool
}

func ruleOf(tr transition) rule {
	wall := tr.at.Add(time.Duration(tr.from) * time.Second).UTC() // local time before the change
	monthLen := time.Date(wall.Year(), wall.Month()+1, 0, 0, 0, 0, 0, time.UTC).Day()
	ordinal := (wall.Day()-1)/7 + 1
	if wall.Day() > monthLen-7 {
		ordinal = -1
	}
	clock := time.Duration(wall.Hour())*time.Hour + time.Duration(wall.Minute())*time.Minute + time.Duration(wall.Second())*time.Second
	return rule{month: wall.Month(), ordinal: ordinal, weekday: wall.Weekday(), clock: clock,
		from: tr.from, to: tr.to, name: tr.name, dst: tr.dst}
}

// firstOnset returns the date of the rule in 1970, the conventional DTSTART of an
// observance (as in the tzurl.org definitions).
func (r rule) firstOnset() time.Time {
	const year = 1970
	var d time.Time
	if r.ordinal == -1 {
		d = time.Date(year, r.month+1, 0, 0, 0, 0, 0, time.UTC) // last day of the month
		for d.Weekday() != r.weekday {
			d = d.AddDate(0, 0, -1)
		}
	} else {
		d = time.Date(year, r.month, 1, 0, 0, 0, 0, time.UTC)
		for d.Weekday() != r.weekday {
			d = d.AddDate(0, 0, 1)
		}
		d = d.AddDate(0, 0, 7*(r.ordinal-1))
	}
	return d.Add(r.clock)
}

var icalWeekdays = [...]string{"SU", "MO", "TU", "WE", "TH", "FR", "SA"}

func (r rule) rrule() string {
	return fmt.Sprintf("FREQ=YEARLY;BYMONTH=%d;BYDAY=%d%s", int(r.month), r.ordinal, icalWeekdays[r.weekday])
}

// vtimezone describes loc for the years minYear..maxYear: one observance per yearly
// change with its RRULE, or one fixed observance for a zone without daylight saving.
// A zone whose changes in those years follow no fixed weekday rule is refused rather
// than described wrongly.
func vtimezone(loc *time.Location, minYear, maxYear int) (*ics.VTimezone, error) {
	tz := ics.NewTimezone(loc.String())
	var rules []rule
	for y := minYear; y <= maxYear; y++ {
		var yr []rule
		for _, tr := range transitions(loc, y) {
			yr = append(yr, ruleOf(tr))
		}
		if y == minYear {
			rules = yr
		} else if !slices.Equal(rules, yr) {
			return nil, fmt.Errorf("calendar: the rules of time zone %s change between %d and %d", loc, minYear, y)
		}
	}
	if len(rules) == 0 {
		name, off := time.Date(minYear, 1, 1, 12, 0, 0, 0, loc).Zone()
		st := &ics.Standard{}
		st.AddProperty(ics.ComponentPropertyDtStart, "19700101T000000")
		st.AddProperty(ics.ComponentProperty(ics.PropertyTzoffsetfrom), utcOffset(off))
		st.AddProperty(ics.ComponentProperty(ics.PropertyTzoffsetto), utcOffset(off))
		st.AddProperty(ics.ComponentProperty(ics.PropertyTzname), name)
		tz.Components = append(tz.Components, st)
		return tz, nil
	}
	if len(rules) != 2 || rules[0].dst == rules[1].dst {
		return nil, fmt.Errorf("calendar: time zone %s has %d offset changes in %d, not one daylight-saving period", loc, len(rules), minYear)
	}
	for _, r := range rules {
		base := ics.ComponentBase{}
		base.AddProperty(ics.ComponentPropertyDtStart, r.firstOnset().Format(localFormat))
		base.AddProperty(ics.ComponentPropertyRrule, r.rrule())
		base.AddProperty(ics.ComponentProperty(ics.PropertyTzoffsetfrom), utcOffset(r.from))
		base.AddProperty(ics.ComponentProperty(ics.PropertyTzoffsetto), utcOffset(r.to))
		base.AddProperty(ics.ComponentProperty(ics.PropertyTzname), r.name)
		if r.dst {
			tz.Components = append(tz.Components, &ics.Daylight{ComponentBase: base})
		} else {
			tz.Components = append(tz.Components, &ics.Standard{ComponentBase: base})
		}
	}
	return tz, nil
}

// utcOffset formats seconds east of UTC as iCalendar's UTC-OFFSET (+0100, -0330, +053028).
func utcOffset(sec int) string {
	sign := "+"
	if sec < 0 {
		sign, sec = "-", -sec
	}
	s := fmt.Sprintf("%s%02d%02d", sign, sec/3600, sec/60%60)
	if sec%60 != 0 {
		s += fmt.Sprintf("%02d", sec%60)
	}
	return s
}
