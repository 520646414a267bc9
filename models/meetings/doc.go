// Package meetings holds the séances before they are held: planning and life cycle,
// the agenda and the files proposed for it, the convocations with their 5-day notice,
// the members' replies (present, suppléant, procuration, absent), the announced
// attendance and the calendar feed.
package meetings
