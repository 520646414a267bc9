// Package calendar writes iCalendar (RFC 5545) files for the commission's sessions:
// the .ics attached to a convocation, or offered for download.
//
// Output uses CRLF line endings, folds lines at 75 octets, escapes text values, writes
// times in the commission's zone with a TZID and a VTIMEZONE block describing its
// daylight-saving rules, and DTSTAMP in UTC. Write is deterministic: the same events
// give the same bytes, so a file's hash can be quoted as proof.
package calendar

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // TZID names must resolve even on a host without zoneinfo

	ics "github.com/arran4/golang-ical"
)

// ProductID is the PRODID of every file the portal writes.
const ProductID = "-//Séance//Commission//FR"

// The iTIP methods (RFC 5546) a file may carry.
const (
	// MethodRequest invites the recipients (a convocation, or its update with a higher Sequence).
	MethodRequest = "REQUEST"
	// MethodPublish only informs (a download from the portal).
	MethodPublish = "PUBLISH"
	// MethodCancel cancels events; they must be marked Cancelled.
	MethodCancel = "CANCEL"
)

// Event is one session in a calendar.
type Event struct {
	// UID identifies the session across every file sent about it (see UID); clients
	// use it to update or cancel the entry they already have.
	UID string
	// Sequence is 0 when first sent and grows with each significant change (date, place).
	Sequence    int
	Summary     string
	Description string
	Location    string
	URL         string // absolute http(s) URL of the session on the portal, optional
	Start, End  time.Time
	Cancelled   bool
	// Updated is the last change of the session; it gives DTSTAMP and LAST-MODIFIED.
	Updated time.Time
}

// UID returns the stable iCalendar UID of session sessionID on the portal host
// (e.g. "seance-42@seance.example.gouv.fr"); a port in host is dropped.
func UID(sessionID int64, host string) string {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	return "seance-" + strconv.FormatInt(sessionID, 10) + "@" + strings.ToLower(host)
}

// ContentType returns the MIME type of a file written with method, for an e-mail attachment.
func ContentType(method string) string {
	return "text/calendar; charset=UTF-8; method=" + method
}

// Write writes a calendar named calName (may be empty) holding events, with times in
// loc (a named zone such as Europe/Paris) and the iTIP method (MethodRequest,
// MethodPublish or MethodCancel).
func Write(w io.Writer, calName string, loc *time.Location, method string, events ...Event) error {
	switch method {
	case MethodRequest, MethodPublish, MethodCancel:
	default:
		return fmt.Errorf("calendar: unknown method %q", method)
	}
	if loc == nil || loc.String() == "Local" || loc.String() == "" {
		return errors.New("calendar: a named time zone is required (e.g. Europe/Paris)")
	}
	if len(events) == 0 {
		return errors.New("calendar: no event")
	}
	minYear, maxYear := events[0].Start.In(loc).Year(), events[0].End.In(loc).Year()
	for i := range events {
		if err := events[i].check(method); err != nil {
			return err
		}
		minYear = min(minYear, events[i].Start.In(loc).Year())
		maxYear = max(maxYear, events[i].End.In(loc).Year())
	}
	tz, err := vtimezone(loc, minYear, maxYear)
	if err != nil {
		return err
	}

	cal := ics.NewCalendar()
	cal.SetProductId(ProductID)
	cal.SetCalscale("GREGORIAN")
	cal.SetMethod(ics.Method(method))
	if calName != "" {
		cal.SetXWRCalName(text(calName))
	}
	cal.AddVTimezone(tz)
	for _, e := range events {
		cal.AddVEvent(e.vevent(loc))
	}
	if err := cal.SerializeTo(w, ics.WithNewLineWindows); err != nil {
		return fmt.Errorf("calendar: %w", err)
	}
	return nil
}

func (e *Event) check(method string) error {
	switch {
	case strings.TrimSpace(e.UID) == "":
		return errors.New("calendar: event without UID")
	case strings.TrimSpace(e.Summary) == "":
		return fmt.Errorf("calendar: event %s has no summary", e.UID)
	case e.Start.IsZero() || !e.End.After(e.Start):
		return fmt.Errorf("calendar: event %s must end after it starts", e.UID)
	case e.Updated.IsZero():
		return fmt.Errorf("calendar: event %s has no update time (DTSTAMP)", e.UID)
	case e.Sequence < 0:
		return fmt.Errorf("calendar: event %s has a negative sequence", e.UID)
	case method == MethodCancel && !e.Cancelled:
		return fmt.Errorf("calendar: method CANCEL with event %s not cancelled", e.UID)
	}
	if e.URL != "" {
		u, err := url.Parse(e.URL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || strings.ContainsAny(e.URL, "\r\n\t ") {
			return fmt.Errorf("calendar: event %s: URL %q is not an absolute http(s) URL", e.UID, e.URL)
		}
	}
	return nil
}

const localFormat = "20060102T150405"

func (e *Event) vevent(loc *time.Location) *ics.VEvent {
	ev := ics.NewEvent(text(e.UID))
	ev.SetDtStampTime(e.Updated)
	ev.SetSequence(e.Sequence)
	ev.SetProperty(ics.ComponentPropertyDtStart, e.Start.In(loc).Format(localFormat), ics.WithTZID(loc.String()))
	ev.SetProperty(ics.ComponentPropertyDtEnd, e.End.In(loc).Format(localFormat), ics.WithTZID(loc.String()))
	ev.SetSummary(text(e.Summary))
	if e.Description != "" {
		ev.SetDescription(text(e.Description))
	}
	if e.Location != "" {
		ev.SetLocation(text(e.Location))
	}
	if e.URL != "" {
		ev.SetURL(e.URL)
	}
	if e.Cancelled {
		ev.SetStatus(ics.ObjectStatusCancelled)
	} else {
		ev.SetStatus(ics.ObjectStatusConfirmed)
	}
	ev.SetModifiedAt(e.Updated)
	return ev
}

// text prepares a TEXT value: line breaks become LF (escaped as \n by the library),
// other control characters are dropped so that no bare CR or LF reaches the file.
func text(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	return strings.Map(func(r rune) rune {
		if r == '\n' || r == '\t' || (r >= 0x20 && r != 0x7f) {
			return r
		}
		return -1
	}, s)
}
