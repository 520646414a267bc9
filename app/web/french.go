package web

import (
	"strconv"
	"time"
)

var (
	// MonthsFR are the French month names, January first: MonthsFR[t.Month()-1].
	MonthsFR = [...]string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"}
	// WeekdaysFR are the French day names in time.Weekday order: WeekdaysFR[t.Weekday()].
	WeekdaysFR = [...]string{"dimanche", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi"}
)

// DateFR formats t as "24 novembre 2026" in loc.
func DateFR(t time.Time, loc *time.Location) string {
	t = t.In(loc)
	return strconv.Itoa(t.Day()) + " " + MonthsFR[t.Month()-1] + " " + strconv.Itoa(t.Year())
}
