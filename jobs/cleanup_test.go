package jobs_test

import (
	"context"
	"testing"
	"time"

	"seance/jobs"
	"seance/models"
	"seance/models/kvstore"
	"seance/models/modelstest"
)

func TestCleanupDeletesExpiredSessions(t *testing.T) {
	db := modelstest.NewDB(t)
	now := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	st := kvstore.NewStorage(db, modelstest.NewClock().Now)
	st.Now = func() time.Time { return now }
	if err := st.Set("old", []byte("x"), time.Minute); err != nil {
		t.Fatal(err)
	}
	if err := st.Set("fresh", []byte("y"), time.Hour); err != nil {
		t.Fatal(err)
	}
	now = now.Add(10 * time.Minute)
	if err := (&jobs.Cleanup{Storage: st}).Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	n, err := db.NewSelect().Model((*kvstore.KV)(nil)).Count(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Fatalf("keys left = %d, want 1 (the fresh one)", n)
	}
	if v, err := st.Get("fresh"); err != nil || string(v) != "y" {
		t.Fatalf("Get(fresh) = %q, %v", v, err)
	}
}

func TestCleanupForgetsOldLoginFailures(t *testing.T) {
	db := modelstest.NewDB(t)
	now := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	if err := models.RecordLoginFailure(context.Background(), db, nil, "inconnu@example.org", "192.0.2.1", now); err != nil {
		t.Fatal(err)
	}
	st := kvstore.NewStorage(db, nil)
	st.Now = func() time.Time { return now.Add(models.LoginFailureMemory - time.Minute) }
	count := func() int64 {
		n, err := db.NewSelect().Model((*models.LoginThrottle)(nil)).Count(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if err := (&jobs.Cleanup{Storage: st}).Run(context.Background()); err != nil || count() != 2 {
		t.Fatalf("cleanup within a day: %v, %d counters left, want 2 (account and address)", err, count())
	}
	st.Now = func() time.Time { return now.Add(models.LoginFailureMemory + time.Minute) }
	if err := (&jobs.Cleanup{Storage: st}).Run(context.Background()); err != nil || count() != 0 {
		t.Fatalf("cleanup after a day: %v, %d counters left, want none", err, count())
	}
}
