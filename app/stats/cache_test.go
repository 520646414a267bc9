package stats_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"seance/app/demo"
	"seance/app/servertest"
	"seance/models"
	"seance/models/meetings"
	statsmodel "seance/models/stats"
)

// TestStatsCacheRecomputesAfterEveryWrite checks the statistics cache (issue 17): a
// second request is served from it, and a write is seen by the next request, on both
// databases. The write that matters most, on PostgreSQL, is the one a report is computed
// during: the transaction has written but not committed, so the report misses it; its
// commit must still make the next request recompute. A report is also recomputed at
// MaxAge.
func TestStatsCacheRecomputesAfterEveryWrite(t *testing.T) {
	env, seed := servertest.NewSeeded(t, 1)
	ctx, db, cid := context.Background(), env.DB, seed.Commission.ID
	now := env.Clock()
	year := now.Year() - 1
	cache := statsmodel.NewCache(models.TrackWrites(db), time.Hour)
	report := func(at time.Time) *statsmodel.StatsReport {
		t.Helper()
		r, err := cache.Report(ctx, db, cid, year, at, false)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	first := report(now)
	held := first.Stats.SessionsHeld()
	if held < 2 {
		t.Fatalf("the demo's year %d holds %d sessions, want at least 2 for this test", year, held)
	}
	if again := report(now); again != first {
		t.Fatal("the same report twice with no write between: computed again instead of served from the cache")
	}

	// A session of the year is cancelled in a transaction; a report is asked for before
	// the commit (it does not see the change), then after it.
	var ids []int64
	if err := db.NewSelect().Table("meetings").Column("id").Where("commission_id = ? AND status = ?", cid, meetings.MeetingMinutesApproved).
		Where("starts_at >= ? AND starts_at < ?", time.Date(year, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(year+1, 1, 1, 0, 0, 0, 0, time.UTC)).
		Order("id ASC").Limit(2).Scan(ctx, &ids); err != nil || len(ids) < 2 {
		t.Fatalf("held sessions of %d: %v, %v", year, ids, err)
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.NewUpdate().Table("meetings").Set("status = ?", meetings.MeetingCancelled).Where("id = ?", ids[0]).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	if models.IsPG(db) {
		// On SQLite the one connection is the transaction's: nothing reads until it ends.
		if during := report(now); during.Stats.SessionsHeld() != held {
			t.Fatalf("the report computed during the transaction saw its uncommitted write (%d)", during.Stats.SessionsHeld())
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	if got := report(now).Stats.SessionsHeld(); got != held-1 {
		t.Fatalf("after the commit: %d sessions held, want %d (a stale report was served)", got, held-1)
	}

	// A write outside any transaction.
	if _, err := db.NewUpdate().Table("meetings").Set("status = ?", meetings.MeetingCancelled).Where("id = ?", ids[1]).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	if got := report(now).Stats.SessionsHeld(); got != held-2 {
		t.Fatalf("after a write: %d sessions held, want %d", got, held-2)
	}

	// Another instance's writes are not seen by the hook: MaxAge bounds their delay.
	cached := report(now)
	if report(now.Add(time.Hour)) == cached {
		t.Fatal("a report MaxAge old was served")
	}
}

// TestStatisticsPageFollowsEachWrite checks the page end to end (issue 17): its
// sections, rendered once per report, change with the next request after a write that
// changes the year's figures, and stay the same without one.
func TestStatisticsPageFollowsEachWrite(t *testing.T) {
	env, seed := servertest.NewSeeded(t, 1)
	ctx, db, cid := context.Background(), env.DB, seed.Commission.ID
	year := env.Clock().Year() - 1
	c := env.Client()
	c.SignInAs(t, demo.EmailPrefecture, servertest.Password)
	sectionsOf := func() string {
		t.Helper()
		r := c.Get(t, fmt.Sprintf("/statistiques?annee=%d", year))
		start, end := strings.Index(r.Body, `<section id="`), strings.LastIndex(r.Body, `<section class="fr-mt-5w">`)
		if r.Status != http.StatusOK || start < 0 || end < start {
			t.Fatalf("GET /statistiques?annee=%d = %d without its sections", year, r.Status)
		}
		return r.Body[start:end]
	}
	first := sectionsOf()
	if again := sectionsOf(); again != first {
		t.Fatal("the same year twice with no write between: the sections differ")
	}
	var id int64
	if err := db.NewSelect().Table("meetings").Column("id").Where("commission_id = ? AND status = ?", cid, meetings.MeetingMinutesApproved).
		Where("starts_at >= ? AND starts_at < ?", time.Date(year, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(year+1, 1, 1, 0, 0, 0, 0, time.UTC)).
		Order("id ASC").Limit(1).Scan(ctx, &id); err != nil {
		t.Fatal(err)
	}
	if _, err := db.NewUpdate().Table("meetings").Set("status = ?", meetings.MeetingCancelled).Where("id = ?", id).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	if after := sectionsOf(); after == first {
		t.Fatal("a held session of the year was cancelled, but the page's sections did not change (stale rendering)")
	}
}

// TestStatsYearsFollowEachWriteAndYear checks the kept list of years (issue 17): served
// again with no write between, it follows a write that brings an earlier year, and the
// first day of a new year lists that year.
func TestStatsYearsFollowEachWriteAndYear(t *testing.T) {
	env, seed := servertest.NewSeeded(t, 1)
	ctx, db, cid := context.Background(), env.DB, seed.Commission.ID
	now := env.Clock()
	// An age limit longer than the test's span: only the key and the writes renew the list.
	cache := statsmodel.NewCache(models.TrackWrites(db), 400*24*time.Hour)
	years := func(at time.Time) []int {
		t.Helper()
		ys, err := cache.Years(ctx, db, cid, at)
		if err != nil {
			t.Fatal(err)
		}
		return ys
	}
	first := years(now)
	if len(first) == 0 || first[0] != now.UTC().Year() {
		t.Fatalf("years at %s = %v, want the year of now first", now, first)
	}
	if again := years(now); &again[0] != &first[0] {
		t.Fatal("the same years twice with no write between: listed again instead of kept")
	}
	oldest := first[len(first)-1]
	var id int64
	if err := db.NewSelect().Table("files").Column("id").Where("commission_id = ? AND submitted_at IS NOT NULL", cid).Order("id ASC").Limit(1).Scan(ctx, &id); err != nil {
		t.Fatal(err)
	}
	earlier := time.Date(oldest-2, 3, 10, 9, 0, 0, 0, time.UTC)
	if _, err := db.NewUpdate().Table("files").Set("submitted_at = ?", earlier).Where("id = ?", id).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	if got := years(now); got[len(got)-1] != oldest-2 {
		t.Fatalf("after a file submitted in %d: years %v, want them to go back to it (stale list)", oldest-2, got)
	}
	next := time.Date(now.UTC().Year()+1, 1, 1, 0, 30, 0, 0, time.UTC)
	if got := years(next); got[0] != next.Year() {
		t.Fatalf("on %s: years %v, want %d first", next.Format(time.DateOnly), got, next.Year())
	}
}
