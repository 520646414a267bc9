package models

import (
	"context"
	"time"

	"github.com/uptrace/bun"
)

// RetentionScheduleUnfiltered is retentionSchedule without its database prefilter: every
// person with a file kept whole is read. Tests compare it with the prefiltered schedule.
func RetentionScheduleUnfiltered(ctx context.Context, db bun.IDB, cid int64, months int, now time.Time) ([]RetentionFile, error) {
	return retentionSchedule(ctx, db, cid, 0, months, CalendarDay(now), time.Time{})
}
