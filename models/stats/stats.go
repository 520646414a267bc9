package stats

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"seance/models"
	filesmodel "seance/models/files"
	"seance/models/meetings"
	"seance/models/registry"
)

// Annual statistics of a commission (issue 12, REGLES.md requirement 14). Every figure is
// counted by the database (GROUP BY, COUNT, window functions); Go only receives aggregated
// rows. The definitions of the indicators are in statsdefs.go, the tables and the
// statistical secrecy in statsreport.go.

// Delay is the distribution of a delay in days over N files.
type Delay struct {
	N      int
	Median float64 // average of the two middle values when N is even
	P90    float64 // nearest rank: the smallest value with at least 90 % of the files at or below it
}

// AttendanceCount is the attendance of the held sessions for one category of seats.
type AttendanceCount struct {
	Category    registry.SeatCategory
	Seats       int // seats convened, summed over the sessions
	Present     int // present on site or remotely, or replaced by their suppléant
	Represented int // gave a proxy
	Substitutes int // of Present: a suppléant sat
}

// Profile is the breakdown of a population of beneficiaries.
type Profile struct {
	Total       int
	Gender      map[filesmodel.Gender]int
	AgeBands    [AgeBandCount]int
	Nationality map[string]int // ISO code → count; the report keeps the 10 most frequent
	Children    [ChildrenBandCount]int
}

// NameCount is a labelled count.
type NameCount struct {
	Name  string
	Count int
}

// AssociationStats is the activity of one approved association in the year.
type AssociationStats struct {
	ID           int64
	Name         string
	Submitted    int // files submitted
	Favourable   int // commission avis favourable or réservé
	Unfavourable int // commission avis défavorable
	Followed     int // parcours with rights during the year that it follows
}

// MonthStats is one month of the year.
type MonthStats struct {
	Received   int
	Favourable int // avis favourable or réservé
	Unfav      int // avis défavorable
	Authorised int
	Refused    int
	Started    int
}

// The age bands (age reached in the year) and the bands of dependent children.
const (
	AgeBandCount      = 5 // under 25, 25–34, 35–44, 45 and over, unknown
	ChildrenBandCount = 4 // 0, 1, 2, 3 or more
)

// The delays measured.
const (
	DelaySubmittedComplete = iota // submission → declared complete (admissible)
	DelayCompleteAvis             // complete → commission avis
	DelayAvisDecision             // avis → préfet's decision
	DelayDecisionNotified         // decision → notification to the person
	DelayCount
)

// The bands of cumulative duration of rights of the parcours in progress.
const DurationBandCount = 4 // 0–6, 6–12, 12–18, 18–24 months

// AnnualStats holds the indicators of one commission for one calendar year.
type AnnualStats struct {
	CommissionID  int64   // the first of CommissionIDs
	CommissionIDs []int64 // one commission, or those of a roll-up
	Year          int
	Complete      bool      // the year was over when computed
	RefDate       time.Time // 31 December, or today for the current year: the day of "in progress"
	MinCellSize   int       // the commission's threshold of statistical secrecy
	ComputedAt    time.Time

	Sessions           map[meetings.MeetingKind]map[meetings.MeetingMode]int // held sessions by kind and mode
	SecondConvocations int
	UrgentConvocations int
	Attendance         []AttendanceCount // one per category with seats convened

	Received     map[filesmodel.FileKind]int
	Avis         map[filesmodel.FileKind]map[filesmodel.Avis]int // commission avis given in the year
	CastingVotes int
	Dissents     int
	Decisions    map[filesmodel.FileKind]map[filesmodel.DecisionOutcome]int
	Delays       [DelayCount]Delay

	Started       int
	Renewed       int
	Ended         map[filesmodel.EndReason]int
	DurationBands [DurationBandCount]int // of the parcours in progress on RefDate

	StartedProfile    Profile
	InProgressProfile Profile // Total is the number of parcours in progress on RefDate

	APSFirst          int
	APSRenewed        int
	AFISBeneficiaries int
	AFISMonths        int
	AFISCents         int64
	Housing           map[filesmodel.Housing]int

	Associations []AssociationStats
	Monthly      [12]MonthStats
}

// SessionsHeld returns the number of sessions held.
func (s *AnnualStats) SessionsHeld() int {
	n := 0
	for _, byMode := range s.Sessions {
		for _, v := range byMode {
			n += v
		}
	}
	return n
}

// InProgress returns the number of parcours in progress on RefDate.
func (s *AnnualStats) InProgress() int { return s.InProgressProfile.Total }

// statsRange is the year being computed, the SQL of the dialect and where the rows go.
// Every query reads the commissions of in only and groups its rows by commission (cid):
// a row adds to the total and, in a roll-up, to its commission's own statistics, so that
// one pass of the queries computes the region and each department.
type statsRange struct {
	db       bun.IDB
	in       any // bun.In of the commission ids
	year     int
	from, to time.Time // [1 January, next 1 January)
	ref      time.Time
	pg       bool
	total    *AnnualStats
	by       map[int64]*AnnualStats // each commission's own statistics; nil: the total only
	targets  [2]*AnnualStats        // scratch of of
}

// of returns the statistics a row of commission cid adds to: the total and, in a
// roll-up, the commission's own.
func (r *statsRange) of(cid int64) []*AnnualStats {
	r.targets[0] = r.total
	if s := r.by[cid]; s != nil && s != r.total {
		r.targets[1] = s
		return r.targets[:2]
	}
	return r.targets[:1]
}

// ComputeAnnualStats computes the indicators of commission cid for year. now says whether
// the year is complete and, for the current year, the day of the "in progress" counts.
func ComputeAnnualStats(ctx context.Context, db bun.IDB, cid int64, year int, now time.Time) (*AnnualStats, error) {
	return ComputeStats(ctx, db, []int64{cid}, year, now)
}

// ComputeStats computes the indicators of year over the commissions cids together: one
// commission's own statistics, or a regional or national roll-up, with the same queries
// (each reads "commission_id IN (cids)"), so that a total is counted as the database
// counts it, medians included. The threshold of secrecy is the highest of theirs.
func ComputeStats(ctx context.Context, db bun.IDB, cids []int64, year int, now time.Time) (*AnnualStats, error) {
	total, _, err := computeStats(ctx, db, cids, false, year, now)
	return total, err
}

// computeStats computes the indicators of year over the commissions cids together and,
// with each, every commission's own statistics too, from the same queries: each groups
// its rows by commission, and a row adds to the total and to its commission's figures.
// The counts of the total are thus the sums of the commissions', as the database would
// count them over all (a file, a parcours or a person belongs to one commission); the
// medians and percentiles of the delays, which do not add up, are computed by the
// database over the commissions together and over each.
func computeStats(ctx context.Context, db bun.IDB, cids []int64, each bool, year int, now time.Time) (*AnnualStats, map[int64]*AnnualStats, error) {
	if len(cids) == 0 {
		return nil, nil, models.ErrNotFound
	}
	from := time.Date(year, 1, 1, 0, 0, 0, 0, time.UTC)
	to := from.AddDate(1, 0, 0)
	r := &statsRange{db: db, in: bun.In(cids), year: year, from: from, to: to, ref: to.AddDate(0, 0, -1), pg: models.IsPG(db)}
	today := filesmodel.DateOf(now)
	if today.Before(r.ref) {
		r.ref = today
	}
	newStats := func(ids []int64, minCell int) *AnnualStats {
		s := &AnnualStats{CommissionID: ids[0], CommissionIDs: ids, Year: year, Complete: !today.Before(to), RefDate: r.ref,
			MinCellSize: minCell, ComputedAt: now,
			Sessions: map[meetings.MeetingKind]map[meetings.MeetingMode]int{meetings.MeetingPolicy: {}, meetings.MeetingFiles: {}},
			Received: map[filesmodel.FileKind]int{}, Avis: map[filesmodel.FileKind]map[filesmodel.Avis]int{}, Decisions: map[filesmodel.FileKind]map[filesmodel.DecisionOutcome]int{},
			Ended: map[filesmodel.EndReason]int{}, Housing: map[filesmodel.Housing]int{}}
		for _, p := range []*Profile{&s.StartedProfile, &s.InProgressProfile} {
			p.Gender, p.Nationality = map[filesmodel.Gender]int{}, map[string]int{}
		}
		return s
	}
	minCell := 0
	if each {
		r.by = make(map[int64]*AnnualStats, len(cids))
	}
	for _, cid := range cids {
		settings, err := models.FindSettings(ctx, db, cid)
		if err != nil {
			return nil, nil, err
		}
		minCell = max(minCell, settings.MinCellSize)
		if each {
			r.by[cid] = newStats([]int64{cid}, settings.MinCellSize)
		}
	}
	r.total = newStats(cids, minCell)
	for _, step := range []func(context.Context) error{
		r.sessions, r.attendance, r.files, r.delays, r.parcours, r.profiles, r.rights, r.associations, r.monthly,
	} {
		if err := step(ctx); err != nil {
			return nil, nil, fmt.Errorf("annual statistics %d of commissions %v: %w", year, cids, err)
		}
	}
	return r.total, r.by, nil
}

// --- dialect helpers (the only SQL that differs between SQLite and PostgreSQL) ---

// month returns the month (1–12, UTC) of the timestamp column col.
func (r *statsRange) month(col string) string {
	if r.pg {
		return "CAST(EXTRACT(MONTH FROM " + col + " AT TIME ZONE 'UTC') AS INTEGER)"
	}
	return "CAST(strftime('%m', " + col + ") AS INTEGER)"
}

// monthIndex returns year*12 + month - 1 of col.
func (r *statsRange) monthIndex(col string) string {
	if r.pg {
		return "(CAST(EXTRACT(YEAR FROM " + col + " AT TIME ZONE 'UTC') AS INTEGER) * 12 + " + r.month(col) + " - 1)"
	}
	return "(CAST(strftime('%Y', " + col + ") AS INTEGER) * 12 + " + r.month(col) + " - 1)"
}

// days returns the whole days from the date of a to the date of b (UTC).
func (r *statsRange) days(a, b string) string {
	if r.pg {
		return "(CAST(" + b + " AT TIME ZONE 'UTC' AS DATE) - CAST(" + a + " AT TIME ZONE 'UTC' AS DATE))"
	}
	return "CAST(julianday(date(" + b + ")) - julianday(date(" + a + ")) AS INTEGER)"
}

func (r *statsRange) least(a, b string) string {
	if r.pg {
		return "LEAST(" + a + ", " + b + ")"
	}
	return "min(" + a + ", " + b + ")"
}

func (r *statsRange) greatest(a, b string) string {
	if r.pg {
		return "GREATEST(" + a + ", " + b + ")"
	}
	return "max(" + a + ", " + b + ")"
}

// inYear is the condition "col falls in the year", with its two arguments.
func (r *statsRange) inYear(col string) string { return col + " >= ? AND " + col + " < ?" }

// keyCount is one row of a GROUP BY: the commission, up to two keys and a count.
type keyCount struct {
	Cid int64  `bun:"cid"`
	K1  string `bun:"k1"`
	K2  string `bun:"k2"`
	N   int    `bun:"n"`
}

// groups runs a query returning cid, k1 and k2 (both optional) and n.
func (r *statsRange) groups(ctx context.Context, query string, args ...any) ([]keyCount, error) {
	var rows []keyCount
	if err := r.db.NewRaw(query, args...).Scan(ctx, &rows); err != nil && err != sql.ErrNoRows {
		return nil, err
	}
	return rows, nil
}

// count runs a query returning cid and n, and adds each n to the field of the
// statistics of its commission.
func (r *statsRange) count(ctx context.Context, field func(*AnnualStats) *int, query string, args ...any) error {
	rows, err := r.groups(ctx, query, args...)
	if err != nil {
		return err
	}
	for _, x := range rows {
		for _, s := range r.of(x.Cid) {
			*field(s) += x.N
		}
	}
	return nil
}

// --- sessions and attendance ---

// heldStatuses are the statuses of a session that took place.
const heldStatuses = "('open', 'closed', 'minutes_approved')"

func (r *statsRange) sessions(ctx context.Context) error {
	var rows []struct {
		Cid     int64  `bun:"cid"`
		Kind    string `bun:"kind"`
		Mode    string `bun:"mode"`
		Urgency int    `bun:"urgency"`
		Second  int    `bun:"second"`
		N       int    `bun:"n"`
	}
	err := r.db.NewRaw(`SELECT commission_id AS cid, kind, mode, CASE WHEN urgency THEN 1 ELSE 0 END AS urgency,
		CASE WHEN first_convocation_id IS NOT NULL THEN 1 ELSE 0 END AS second, COUNT(*) AS n
		FROM meetings WHERE commission_id IN (?) AND `+r.inYear("starts_at")+` AND status IN `+heldStatuses+`
		GROUP BY 1, 2, 3, 4, 5`, r.in, r.from, r.to).Scan(ctx, &rows)
	if err != nil && err != sql.ErrNoRows {
		return err
	}
	for _, x := range rows {
		for _, s := range r.of(x.Cid) {
			if s.Sessions[meetings.MeetingKind(x.Kind)] == nil {
				s.Sessions[meetings.MeetingKind(x.Kind)] = map[meetings.MeetingMode]int{}
			}
			s.Sessions[meetings.MeetingKind(x.Kind)][meetings.MeetingMode(x.Mode)] += x.N
			s.UrgentConvocations += x.Urgency * x.N
			s.SecondConvocations += x.Second * x.N
		}
	}
	return nil
}

func (r *statsRange) attendance(ctx context.Context) error {
	var rows []struct {
		Cid         int64 `bun:"cid"`
		Category    int   `bun:"category"`
		Seats       int   `bun:"seats"`
		Present     int   `bun:"present"`
		Represented int   `bun:"represented"`
		Substitutes int   `bun:"substitutes"`
	}
	err := r.db.NewRaw(`SELECT m.commission_id AS cid, s.category AS category, COUNT(*) AS seats,
		SUM(CASE WHEN a.status IN ('present_onsite', 'present_remote', 'substituted') THEN 1 ELSE 0 END) AS present,
		SUM(CASE WHEN a.status = 'proxy' THEN 1 ELSE 0 END) AS represented,
		SUM(CASE WHEN a.status = 'substituted' THEN 1 ELSE 0 END) AS substitutes
		FROM meeting_attendance a JOIN seats s ON s.id = a.seat_id JOIN meetings m ON m.id = a.meeting_id
		WHERE m.commission_id IN (?) AND `+r.inYear("m.starts_at")+` AND m.status IN `+heldStatuses+`
		GROUP BY m.commission_id, s.category ORDER BY s.category, m.commission_id`, r.in, r.from, r.to).Scan(ctx, &rows)
	if err != nil && err != sql.ErrNoRows {
		return err
	}
	// In the order of the categories: a category's first row appends it, the next add to it.
	for _, x := range rows {
		for _, s := range r.of(x.Cid) {
			n := len(s.Attendance)
			if n == 0 || s.Attendance[n-1].Category != registry.SeatCategory(x.Category) {
				s.Attendance = append(s.Attendance, AttendanceCount{Category: registry.SeatCategory(x.Category)})
				n++
			}
			a := &s.Attendance[n-1]
			a.Seats += x.Seats
			a.Present += x.Present
			a.Represented += x.Represented
			a.Substitutes += x.Substitutes
		}
	}
	return nil
}

// AttendanceTotal sums the attendance over the categories.
func (s *AnnualStats) AttendanceTotal() AttendanceCount {
	var t AttendanceCount
	for _, a := range s.Attendance {
		t.Seats += a.Seats
		t.Present += a.Present
		t.Represented += a.Represented
		t.Substitutes += a.Substitutes
	}
	return t
}

// --- files, avis and decisions ---

func (r *statsRange) files(ctx context.Context) error {
	rows, err := r.groups(ctx, `SELECT commission_id AS cid, kind AS k1, COUNT(*) AS n FROM files
		WHERE commission_id IN (?) AND `+r.inYear("submitted_at")+` GROUP BY commission_id, kind`, r.in, r.from, r.to)
	if err != nil {
		return err
	}
	for _, x := range rows {
		for _, s := range r.of(x.Cid) {
			s.Received[filesmodel.FileKind(x.K1)] += x.N
		}
	}
	if rows, err = r.groups(ctx, `SELECT commission_id AS cid, kind AS k1, commission_avis AS k2, COUNT(*) AS n FROM files
		WHERE commission_id IN (?) AND `+r.inYear("avis_on")+` AND commission_avis <> '' GROUP BY commission_id, kind, commission_avis`,
		r.in, r.from, r.to); err != nil {
		return err
	}
	for _, x := range rows {
		for _, s := range r.of(x.Cid) {
			if s.Avis[filesmodel.FileKind(x.K1)] == nil {
				s.Avis[filesmodel.FileKind(x.K1)] = map[filesmodel.Avis]int{}
			}
			s.Avis[filesmodel.FileKind(x.K1)][filesmodel.Avis(x.K2)] += x.N
		}
	}
	if rows, err = r.groups(ctx, `SELECT commission_id AS cid, kind AS k1, decision AS k2, COUNT(*) AS n FROM files
		WHERE commission_id IN (?) AND `+r.inYear("decided_on")+` AND decision <> '' GROUP BY commission_id, kind, decision`,
		r.in, r.from, r.to); err != nil {
		return err
	}
	for _, x := range rows {
		for _, s := range r.of(x.Cid) {
			if s.Decisions[filesmodel.FileKind(x.K1)] == nil {
				s.Decisions[filesmodel.FileKind(x.K1)] = map[filesmodel.DecisionOutcome]int{}
			}
			s.Decisions[filesmodel.FileKind(x.K1)][filesmodel.DecisionOutcome(x.K2)] += x.N
		}
	}
	if err := r.count(ctx, func(s *AnnualStats) *int { return &s.CastingVotes }, `SELECT commission_id AS cid, COUNT(*) AS n FROM sitting_votes
		WHERE commission_id IN (?) AND tie AND casting_vote <> '' AND `+r.inYear("closed_at")+` GROUP BY commission_id`, r.in, r.from, r.to); err != nil {
		return err
	}
	return r.count(ctx, func(s *AnnualStats) *int { return &s.Dissents }, `SELECT commission_id AS cid, COUNT(*) AS n FROM sitting_dissents
		WHERE commission_id IN (?) AND `+r.inYear("created_at")+` GROUP BY commission_id`, r.in, r.from, r.to)
}

// Examined returns the number of files of kind k given an avis in the year.
func (s *AnnualStats) Examined(k filesmodel.FileKind) int {
	n := 0
	for _, v := range s.Avis[k] {
		n += v
	}
	return n
}

// delays computes the median and 90th percentile of each delay with window functions,
// for each commission and, in a roll-up, over them all (commission 0 below).
func (r *statsRange) delays(ctx context.Context) error {
	// The first time a file was found complete is the earliest of its events reaching
	// "admissible" (an event is its file's commission's). For the files first found complete
	// in the year, the events of the year are grouped and those with an earlier one left
	// out; for the files given an avis in the year, it is looked up file by file. Both read
	// the (commission, to_state, file_id, at) index only, rather than grouping the events
	// of every file of ten years.
	firstAdmissible := `SELECT MIN(e.at) FROM file_events e WHERE e.commission_id = f.commission_id AND e.to_state = 'admissible' AND e.file_id = f.id`
	sources := [DelayCount]struct {
		query string
		args  []any
	}{
		DelaySubmittedComplete: {`SELECT f.commission_id AS cid, ` + r.days("f.submitted_at", "e.at") + ` AS v FROM files f
			JOIN (SELECT file_id, MIN(at) AS at FROM file_events WHERE commission_id IN (?) AND to_state = 'admissible' AND ` + r.inYear("at") + `
				GROUP BY file_id) e ON e.file_id = f.id
			WHERE f.commission_id IN (?) AND f.submitted_at IS NOT NULL AND NOT EXISTS (SELECT 1 FROM file_events x
				WHERE x.commission_id = f.commission_id AND x.to_state = 'admissible' AND x.file_id = f.id AND x.at < ?)`,
			[]any{r.in, r.from, r.to, r.in, r.from}},
		DelayCompleteAvis: {`SELECT cid, ` + r.days("at", "avis_on") + ` AS v FROM (SELECT f.commission_id AS cid, f.avis_on, (` + firstAdmissible + `) AS at
			FROM files f WHERE f.commission_id IN (?) AND ` + r.inYear("f.avis_on") + `) x WHERE at IS NOT NULL`,
			[]any{r.in, r.from, r.to}},
		DelayAvisDecision: {`SELECT f.commission_id AS cid, ` + r.days("f.avis_on", "f.decided_on") + ` AS v FROM files f
			WHERE f.commission_id IN (?) AND f.avis_on IS NOT NULL AND ` + r.inYear("f.decided_on"),
			[]any{r.in, r.from, r.to}},
		DelayDecisionNotified: {`SELECT f.commission_id AS cid, ` + r.days("f.decided_on", "f.notified_person_on") + ` AS v FROM files f
			WHERE f.commission_id IN (?) AND f.decided_on IS NOT NULL AND ` + r.inYear("f.notified_person_on"),
			[]any{r.in, r.from, r.to}},
	}
	// The database counts each value of the delay per commission and, in a roll-up, over
	// them all (group 0); the running count of the sorted values gives the value of each
	// rank: the median is the mean of the values of ranks (n+1)/2 and (n+2)/2 (one value
	// when n is odd), the 90th percentile the value of rank ⌈0.9 n⌉ = (9n+9)/10.
	// d is read twice in a roll-up: MATERIALIZED keeps SQLite from computing it twice.
	groups := `SELECT 0 AS g, v, COUNT(*) AS k FROM d GROUP BY v`
	if r.by != nil {
		groups = `SELECT cid AS g, v, COUNT(*) AS k FROM d GROUP BY cid, v UNION ALL ` + groups
	}
	for i, src := range sources {
		var rows []struct {
			G      int64           `bun:"g"`
			N      sql.NullInt64   `bun:"n"`
			Median sql.NullFloat64 `bun:"median"`
			P90    sql.NullFloat64 `bun:"p90"`
		}
		err := r.db.NewRaw(`WITH d AS MATERIALIZED (`+src.query+`), h AS (`+groups+`),
			c AS (SELECT g, v, CAST(SUM(k) OVER (PARTITION BY g ORDER BY v) AS BIGINT) AS upto,
				CAST(SUM(k) OVER (PARTITION BY g) AS BIGINT) AS n FROM h)
			SELECT g, MAX(n) AS n,
				CAST(MIN(CASE WHEN upto >= (n + 1) / 2 THEN v END) + MIN(CASE WHEN upto >= (n + 2) / 2 THEN v END) AS DOUBLE PRECISION) / 2 AS median,
				CAST(MIN(CASE WHEN upto >= (9 * n + 9) / 10 THEN v END) AS DOUBLE PRECISION) AS p90
			FROM c GROUP BY g`, src.args...).Scan(ctx, &rows)
		if err != nil && err != sql.ErrNoRows {
			return err
		}
		for _, x := range rows {
			s := r.total
			if x.G != 0 {
				s = r.by[x.G]
			}
			if s != nil {
				s.Delays[i] = Delay{N: int(x.N.Int64), Median: x.Median.Float64, P90: x.P90.Float64}
			}
		}
	}
	return nil
}

// --- parcours ---

// inProgress is the condition "parcours p has rights on the day ?" (3 arguments).
const inProgress = `(p.ended_on IS NULL OR p.ended_on > ?) AND (p.suspended_on IS NULL OR p.suspended_on > ?)`

// currentPeriod joins q, the period of p covering the day ? (3 arguments).
const currentPeriod = `JOIN parcours_periods q ON q.parcours_id = p.id AND q.starts_on <= ? AND q.ends_on > ? AND (q.cut_on IS NULL OR q.cut_on > ?)`

func (r *statsRange) parcours(ctx context.Context) error {
	if err := r.count(ctx, func(s *AnnualStats) *int { return &s.Started }, `SELECT commission_id AS cid, COUNT(*) AS n FROM parcours
		WHERE commission_id IN (?) AND `+r.inYear("started_on")+` GROUP BY commission_id`, r.in, r.from, r.to); err != nil {
		return err
	}
	if err := r.count(ctx, func(s *AnnualStats) *int { return &s.Renewed }, `SELECT commission_id AS cid, COUNT(*) AS n FROM parcours_periods
		WHERE commission_id IN (?) AND seq > 1 AND (cut_on IS NULL OR cut_on > starts_on) AND `+r.inYear("starts_on")+`
		GROUP BY commission_id`, r.in, r.from, r.to); err != nil {
		return err
	}
	rows, err := r.groups(ctx, `SELECT commission_id AS cid, end_reason AS k1, COUNT(*) AS n FROM parcours
		WHERE commission_id IN (?) AND `+r.inYear("ended_on")+` GROUP BY commission_id, end_reason`, r.in, r.from, r.to)
	if err != nil {
		return err
	}
	for _, x := range rows {
		for _, s := range r.of(x.Cid) {
			s.Ended[filesmodel.EndReason(x.K1)] += x.N
		}
	}
	d := r.ref
	if rows, err = r.groups(ctx, `SELECT cid, CAST(band AS VARCHAR(2)) AS k1, COUNT(*) AS n FROM (
		SELECT cid, CASE WHEN m <= 6 THEN 0 WHEN m <= 12 THEN 1 WHEN m <= 18 THEN 2 ELSE 3 END AS band FROM (
			SELECT p.commission_id AS cid, (SELECT SUM(e.months) FROM parcours_periods e WHERE e.parcours_id = p.id AND e.starts_on <= ?
				AND (e.cut_on IS NULL OR e.cut_on > e.starts_on)) AS m
			FROM parcours p `+currentPeriod+` WHERE p.commission_id IN (?) AND `+inProgress+`) x) y
		GROUP BY cid, band`, d, d, d, d, r.in, d, d); err != nil {
		return err
	}
	for _, x := range rows {
		var b int
		if _, err := fmt.Sscan(x.K1, &b); err == nil && b >= 0 && b < DurationBandCount {
			for _, s := range r.of(x.Cid) {
				s.DurationBands[b] += x.N
			}
		}
	}
	return nil
}

// profiles breaks down the persons whose parcours started in the year, and those in
// progress on the reference day, by gender, age band, nationality and children.
func (r *statsRange) profiles(ctx context.Context) error {
	d := r.ref
	started := `SELECT p.commission_id AS cid, p.person_id, q.file_id FROM parcours p JOIN parcours_periods q ON q.parcours_id = p.id AND q.seq = 1
		WHERE p.commission_id IN (?) AND ` + r.inYear("p.started_on")
	current := `SELECT p.commission_id AS cid, p.person_id, q.file_id FROM parcours p ` + currentPeriod + ` WHERE p.commission_id IN (?) AND ` + inProgress
	if err := r.profile(ctx, func(s *AnnualStats) *Profile { return &s.StartedProfile }, started, r.in, r.from, r.to); err != nil {
		return err
	}
	return r.profile(ctx, func(s *AnnualStats) *Profile { return &s.InProgressProfile }, current, d, d, d, r.in, d, d)
}

// profile adds the breakdown of population (cid, person_id, file_id) to the profile of
// the statistics of each commission.
func (r *statsRange) profile(ctx context.Context, profile func(*AnnualStats) *Profile, population string, args ...any) error {
	var rows []struct {
		Cid         int64  `bun:"cid"`
		Gender      string `bun:"gender"`
		Age         int    `bun:"age"`
		Nationality string `bun:"nationality"`
		Children    int    `bun:"children"`
		N           int    `bun:"n"`
	}
	age := fmt.Sprintf("%d - pe.birth_year", r.year)
	err := r.db.NewRaw(`SELECT x.cid AS cid, pe.gender AS gender,
		CASE WHEN pe.birth_year = 0 THEN 4 WHEN `+age+` < 25 THEN 0 WHEN `+age+` < 35 THEN 1 WHEN `+age+` < 45 THEN 2 ELSE 3 END AS age,
		pe.nationality AS nationality,
		CASE WHEN f.children >= 3 THEN 3 ELSE f.children END AS children, COUNT(*) AS n
		FROM (`+population+`) x JOIN persons pe ON pe.id = x.person_id JOIN files f ON f.id = x.file_id
		GROUP BY 1, 2, 3, 4, 5`, args...).Scan(ctx, &rows)
	if err != nil && err != sql.ErrNoRows {
		return err
	}
	for _, x := range rows {
		for _, s := range r.of(x.Cid) {
			p := profile(s)
			p.Total += x.N
			p.Gender[filesmodel.Gender(x.Gender)] += x.N
			p.AgeBands[x.Age] += x.N
			p.Nationality[x.Nationality] += x.N
			p.Children[max(0, x.Children)] += x.N
		}
	}
	return nil
}

// TopNationalities ranks the nationalities of the profiles together (most frequent first,
// ties by code) and keeps the n first; the others are summed under NationalityOthers.
func TopNationalities(n int, ps ...Profile) []string {
	sum := map[string]int{}
	for _, p := range ps {
		for k, v := range p.Nationality {
			sum[k] += v
		}
	}
	out := make([]string, 0, len(sum))
	for k := range sum {
		out = append(out, k)
	}
	sort.Slice(out, func(i, j int) bool {
		if sum[out[i]] != sum[out[j]] {
			return sum[out[i]] > sum[out[j]]
		}
		return out[i] < out[j]
	})
	if len(out) > n {
		out = out[:n]
	}
	return out
}

// NationalityOthers is the label of the nationalities beyond the most frequent.
const NationalityOthers = "Autres"

// --- rights ---

func (r *statsRange) rights(ctx context.Context) error {
	rows, err := r.groups(ctx, `SELECT q.commission_id AS cid, CASE WHEN EXISTS (SELECT 1 FROM parcours_periods e WHERE e.parcours_id = q.parcours_id
			AND e.seq < q.seq AND e.aps_granted) THEN 'renewed' ELSE 'first' END AS k1, COUNT(*) AS n
		FROM parcours_periods q WHERE q.commission_id IN (?) AND q.aps_granted AND `+r.inYear("COALESCE(q.aps_from, q.starts_on)")+`
		GROUP BY 1, 2`, r.in, r.from, r.to)
	if err != nil {
		return err
	}
	for _, x := range rows {
		for _, s := range r.of(x.Cid) {
			if x.K1 == "first" {
				s.APSFirst += x.N
			} else {
				s.APSRenewed += x.N
			}
		}
	}
	// Months paid: from the first month paid to the month AFIS stopped, or to the end of
	// the months granted, intersected with the year. A parcours is one commission's: the
	// beneficiaries of the commissions add up. No period grants more than 24 months (the
	// cap), so only the AFIS started from 24 months before the year to its end can count:
	// the month arithmetic runs on those rows only, not on ten years of them.
	lo, hi := r.year*12, r.year*12+12
	start := r.monthIndex("afis_from")
	stop := "COALESCE(" + r.monthIndex("afis_stopped_from") + ", " + start + " + months)"
	months := r.greatest("0", r.least(stop, fmt.Sprint(hi))+" - "+r.greatest(start, fmt.Sprint(lo)))
	var afis []struct {
		Cid     int64         `bun:"cid"`
		Persons int           `bun:"persons"`
		Months  sql.NullInt64 `bun:"months"`
		Cents   sql.NullInt64 `bun:"cents"`
	}
	if err := r.db.NewRaw(`SELECT commission_id AS cid, COUNT(DISTINCT parcours_id) AS persons, SUM(m) AS months, SUM(m * afis_monthly_cents) AS cents
		FROM (SELECT commission_id, parcours_id, afis_monthly_cents, `+months+` AS m FROM parcours_periods
			WHERE commission_id IN (?) AND afis_granted AND afis_from >= ? AND afis_from < ?) x WHERE m > 0 GROUP BY commission_id`,
		r.in, r.from.AddDate(0, -filesmodel.ParcoursMaxMonths, 0), r.to).Scan(ctx, &afis); err != nil && err != sql.ErrNoRows {
		return err
	}
	for _, x := range afis {
		for _, s := range r.of(x.Cid) {
			s.AFISBeneficiaries += x.Persons
			s.AFISMonths += int(x.Months.Int64)
			s.AFISCents += x.Cents.Int64
		}
	}
	if rows, err = r.groups(ctx, `SELECT commission_id AS cid, housing_provided AS k1, COUNT(*) AS n FROM parcours_periods
		WHERE commission_id IN (?) AND housing_provided <> 'none' AND `+r.inYear("starts_on")+` GROUP BY commission_id, housing_provided`,
		r.in, r.from, r.to); err != nil {
		return err
	}
	for _, x := range rows {
		for _, s := range r.of(x.Cid) {
			s.Housing[filesmodel.Housing(x.K1)] += x.N
		}
	}
	return nil
}

// --- associations ---

func (r *statsRange) associations(ctx context.Context) error {
	// The commission's condition lets the database use its (commission, date) indexes rather
	// than read every file and parcours of the association's ten years.
	var rows []struct {
		Cid int64 `bun:"cid"`
		AssociationStats
	}
	err := r.db.NewRaw(`SELECT a.commission_id AS cid, a.id AS id, a.name AS name,
		(SELECT COUNT(*) FROM files f WHERE f.commission_id = a.commission_id AND f.association_id = a.id AND `+r.inYear("f.submitted_at")+`) AS submitted,
		(SELECT COUNT(*) FROM files f WHERE f.commission_id = a.commission_id AND f.association_id = a.id AND `+r.inYear("f.avis_on")+`
			AND f.commission_avis IN ('favorable', 'reserve')) AS favourable,
		(SELECT COUNT(*) FROM files f WHERE f.commission_id = a.commission_id AND f.association_id = a.id AND `+r.inYear("f.avis_on")+`
			AND f.commission_avis = 'defavorable') AS unfavourable,
		(SELECT COUNT(*) FROM parcours p WHERE p.commission_id = a.commission_id AND p.association_id = a.id AND p.started_on < ?
			AND (p.ended_on IS NULL OR p.ended_on >= ?)) AS followed
		FROM associations a WHERE a.commission_id IN (?) ORDER BY a.name, a.id`,
		r.from, r.to, r.from, r.to, r.from, r.to, r.to, r.from, r.in).Scan(ctx, &rows)
	if err != nil && err != sql.ErrNoRows {
		return err
	}
	// In the order of the names over all the commissions: each commission's keeps it.
	for _, a := range rows {
		if a.Submitted+a.Favourable+a.Unfavourable+a.Followed > 0 {
			for _, s := range r.of(a.Cid) {
				s.Associations = append(s.Associations, a.AssociationStats)
			}
		}
	}
	return nil
}

// --- monthly series ---

func (r *statsRange) monthly(ctx context.Context) error {
	series := []struct {
		table, col, key string
		add             func(m *MonthStats, key string, n int)
	}{
		{"files", "submitted_at", "''", func(m *MonthStats, _ string, n int) { m.Received += n }},
		{"files", "avis_on", "commission_avis", func(m *MonthStats, k string, n int) {
			if filesmodel.Avis(k) == filesmodel.AvisDefavorable {
				m.Unfav += n
			} else if k != "" {
				m.Favourable += n
			}
		}},
		{"files", "decided_on", "decision", func(m *MonthStats, k string, n int) {
			switch filesmodel.DecisionOutcome(k) {
			case filesmodel.DecisionAuthorised:
				m.Authorised += n
			case filesmodel.DecisionRefused:
				m.Refused += n
			}
		}},
		{"parcours", "started_on", "''", func(m *MonthStats, _ string, n int) { m.Started += n }},
	}
	for _, x := range series {
		var rows []struct {
			Cid   int64  `bun:"cid"`
			Month int    `bun:"month"`
			Key   string `bun:"k"`
			N     int    `bun:"n"`
		}
		err := r.db.NewRaw(`SELECT commission_id AS cid, `+r.month(x.col)+` AS month, `+x.key+` AS k, COUNT(*) AS n FROM `+x.table+`
			WHERE commission_id IN (?) AND `+r.inYear(x.col)+` GROUP BY 1, 2, 3`, r.in, r.from, r.to).Scan(ctx, &rows)
		if err != nil && err != sql.ErrNoRows {
			return err
		}
		for _, row := range rows {
			if row.Month >= 1 && row.Month <= 12 {
				for _, s := range r.of(row.Cid) {
					x.add(&s.Monthly[row.Month-1], strings.TrimSpace(row.Key), row.N)
				}
			}
		}
	}
	return nil
}

// StatsYears returns the calendar years with activity for commission cid, newest first,
// always including the year of now.
func StatsYears(ctx context.Context, db bun.IDB, cid int64, now time.Time) ([]int, error) {
	return StatsYearsOf(ctx, db, []int64{cid}, now)
}

// StatsYearsOf returns the calendar years with activity in any of the commissions cids,
// newest first, always including the year of now.
func StatsYearsOf(ctx context.Context, db bun.IDB, cids []int64, now time.Time) ([]int, error) {
	r := &statsRange{db: db, pg: models.IsPG(db)}
	// The year of the earliest date (not the earliest year of every row): an index gives it.
	year := func(col string) string { return r.monthIndex("MIN("+col+")") + " / 12" }
	var first sql.NullInt64
	if len(cids) > 0 {
		in := bun.In(cids)
		err := db.NewRaw(`SELECT MIN(y) FROM (
		SELECT `+year("submitted_at")+` AS y FROM files WHERE commission_id IN (?)
		UNION ALL SELECT `+year("starts_at")+` FROM meetings WHERE commission_id IN (?) AND status IN `+heldStatuses+`
		UNION ALL SELECT `+year("started_on")+` FROM parcours WHERE commission_id IN (?)) x`, in, in, in).Scan(ctx, &first)
		if err != nil && err != sql.ErrNoRows {
			return nil, fmt.Errorf("statistics years: %w", err)
		}
	}
	last := now.UTC().Year()
	from := last
	if first.Valid && int(first.Int64) < last {
		from = int(first.Int64)
	}
	var ys []int
	for y := last; y >= from; y-- {
		ys = append(ys, y)
	}
	return ys, nil
}
