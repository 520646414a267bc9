package stats

import (
	"context"
	"time"

	"github.com/uptrace/bun"

	"seance/models"
)

// Cache keeps the reports of the statistics computed since the data last changed:
// computing a commission's year takes some thirty queries, and the statistics pages
// ask for the same year again and again (issue 17). A report computed before the
// latest write (models.Writes) is computed again, so that a page never shows figures
// older than the last write this process made; one older than the memo's MaxAge too,
// for the writes of other instances on PostgreSQL.
type Cache struct {
	memo  *models.Memo[cacheKey, *StatsReport]
	years *models.Memo[yearsKey, []int]
}

// yearsKey is what StatsYears depends on besides the data: the commission and the year
// of now (always listed).
type yearsKey struct {
	cid  int64
	year int
}

type cacheKey struct {
	cid   int64
	year  int
	day   time.Time // the "in progress" counts depend on the day
	exact bool
}

// NewCache returns an empty cache on the writes w counts, whose reports are at most
// maxAge old.
func NewCache(w *models.Writes, maxAge time.Duration) *Cache {
	return &Cache{memo: models.NewMemo[cacheKey, *StatsReport](w, maxAge), years: models.NewMemo[yearsKey, []int](w, maxAge)}
}

// Years returns StatsYears of commission cid at now, from the cache when nothing was
// written since they were listed. The slice is shared: callers only read it.
func (c *Cache) Years(ctx context.Context, db bun.IDB, cid int64, now time.Time) ([]int, error) {
	return c.years.Get(yearsKey{cid: cid, year: now.UTC().Year()}, now, func() ([]int, error) {
		return StatsYears(ctx, db, cid, now)
	})
}

// Report returns the report of year for commission cid (BuildStatsReport of
// ComputeAnnualStats), computed at now, from the cache when nothing was written since
// it was computed. The report is shared: callers only read it.
func (c *Cache) Report(ctx context.Context, db bun.IDB, cid int64, year int, now time.Time, exact bool) (*StatsReport, error) {
	key := cacheKey{cid: cid, year: year, day: models.CalendarDay(now), exact: exact}
	return c.memo.Get(key, now, func() (*StatsReport, error) {
		s, err := ComputeAnnualStats(ctx, db, cid, year, now)
		if err != nil {
			return nil, err
		}
		return BuildStatsReport(s, exact), nil
	})
}
