package stats

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/uptrace/bun"

	"seance/models"
)

// Cache keeps the reports of the statistics computed since the data last changed:
// computing a commission's year takes some thirty queries, and the statistics pages
// ask for the same year again and again (issue 17). Its Hook counts every statement
// that changes data and every commit on the database it is added to; a report
// computed before the latest of them is computed again, so that a page never shows
// figures older than the last write this process made. Several instances on
// PostgreSQL do not see each other's writes: a report is also recomputed once it is
// MaxAge old.
type Cache struct {
	MaxAge time.Duration

	gen     atomic.Uint64 // bumped after each write or commit
	mu      sync.Mutex
	entries map[cacheKey]cacheEntry
}

type cacheKey struct {
	cid   int64
	year  int
	day   time.Time // the "in progress" counts depend on the day
	exact bool
}

type cacheEntry struct {
	report *StatsReport
	gen    uint64
	at     time.Time
}

// maxCacheEntries bounds the cache: a commission, a year, a day and a view each.
const maxCacheEntries = 256

// NewCache returns an empty cache whose reports are at most maxAge old.
func NewCache(maxAge time.Duration) *Cache {
	return &Cache{MaxAge: maxAge, entries: map[cacheKey]cacheEntry{}}
}

// Hook is the bun query hook that tells c of every write: add it to the database
// the statistics are read from (db.AddQueryHook(c.Hook())).
func (c *Cache) Hook() bun.QueryHook { return cacheHook{c} }

type cacheHook struct{ c *Cache }

func (h cacheHook) BeforeQuery(ctx context.Context, _ *bun.QueryEvent) context.Context { return ctx }

// AfterQuery bumps the generation after a statement that may have changed data, once
// it has run: a COMMIT makes a transaction's writes visible, a write outside any
// transaction is visible at once. A rolled back transaction bumps it too, which only
// costs a recomputation.
func (h cacheHook) AfterQuery(_ context.Context, e *bun.QueryEvent) {
	switch strings.ToUpper(e.Operation()) {
	case "SELECT", "BEGIN", "ROLLBACK", "SAVEPOINT", "RELEASE", "PRAGMA", "WITH", "EXPLAIN":
		// Reads; the statistics' own queries start with WITH and change nothing.
	default:
		h.c.gen.Add(1)
	}
}

// Report returns the report of year for commission cid (BuildStatsReport of
// ComputeAnnualStats), computed at now, from the cache when nothing was written since
// it was computed. The report is shared: callers only read it.
func (c *Cache) Report(ctx context.Context, db bun.IDB, cid int64, year int, now time.Time, exact bool) (*StatsReport, error) {
	key := cacheKey{cid: cid, year: year, day: models.CalendarDay(now), exact: exact}
	gen := c.gen.Load() // read before computing: a write during the computation invalidates it
	c.mu.Lock()
	e, ok := c.entries[key]
	c.mu.Unlock()
	if ok && e.gen == gen && now.Sub(e.at) < c.MaxAge && !now.Before(e.at) {
		return e.report, nil
	}
	s, err := ComputeAnnualStats(ctx, db, cid, year, now)
	if err != nil {
		return nil, err
	}
	r := BuildStatsReport(s, exact)
	c.mu.Lock()
	if len(c.entries) >= maxCacheEntries {
		clear(c.entries)
	}
	c.entries[key] = cacheEntry{report: r, gen: gen, at: now}
	c.mu.Unlock()
	return r, nil
}
