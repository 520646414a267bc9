package models_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"seance/models"
	"seance/models/kvstore"
	"seance/models/modelstest"
)

// TestMemoComputesAgainAfterEveryWrite checks the memo of the pages that keep what they
// computed (issue 17), on both databases: a value is computed once while nothing is
// written, again after a write outside a transaction, after a committed transaction and
// after MaxAge; a session touch (the key-value store) leaves it.
func TestMemoComputesAgainAfterEveryWrite(t *testing.T) {
	db := modelstest.NewDB(t)
	ctx, now := context.Background(), modelstest.Epoch()
	c := modelstest.Commission(t, db, "31")
	memo := models.NewMemo[int64, string](models.TrackWrites(db), time.Hour)
	computed := 0
	name := func(at time.Time) string {
		t.Helper()
		v, err := memo.Get(c.ID, at, func() (string, error) {
			computed++
			cm, err := models.FindCommission(ctx, db, c.ID)
			if err != nil {
				return "", err
			}
			return cm.Name, nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	expect := func(what string, at time.Time, want string, wantComputed int) {
		t.Helper()
		if got := name(at); got != want || computed != wantComputed {
			t.Fatalf("%s: %q computed %d times, want %q computed %d times", what, got, computed, want, wantComputed)
		}
	}
	first := c.Name
	expect("first", now, first, 1)
	expect("no write since", now.Add(time.Minute), first, 1)

	sessions := kvstore.NewStorage(db, func() time.Time { return now })
	if err := sessions.Set("sess:x", []byte("{}"), time.Hour); err != nil {
		t.Fatal(err)
	}
	expect("after a session write", now, first, 1)

	if _, err := db.NewUpdate().Table("commissions").Set("name = ?", "Renommée").Where("id = ?", c.ID).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	expect("after a write", now, "Renommée", 2)

	err := models.InTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
		_, err := tx.NewUpdate().Table("commissions").Set("name = ?", "Dans une transaction").Where("id = ?", c.ID).Exec(ctx)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	expect("after a commit", now, "Dans une transaction", 3)
	expect("before MaxAge", now.Add(59*time.Minute), "Dans une transaction", 3)
	expect("at MaxAge", now.Add(time.Hour), "Dans une transaction", 4)
}

// TestMemoComputesOnceForConcurrentCallers checks that the callers missing a key while
// it is computed wait for that computation (issue 17: every client of a busy page
// missed at once when its value expired), that one arriving after a write computes
// again, and that a failed computation leaves each waiter to compute on its own.
func TestMemoComputesOnceForConcurrentCallers(t *testing.T) {
	db := modelstest.NewDB(t)
	ctx, now := context.Background(), modelstest.Epoch()
	c := modelstest.Commission(t, db, "31")
	memo := models.NewMemo[int64, int](models.TrackWrites(db), time.Hour)
	var computed atomic.Int32
	release := make(chan struct{})
	slow := func() (int, error) {
		n := computed.Add(1)
		<-release
		return int(n), nil
	}
	const callers = 20
	got := make(chan int, callers+1)
	for range callers {
		go func() {
			v, err := memo.Get(c.ID, now, slow)
			if err != nil {
				t.Error(err)
			}
			got <- v
		}()
	}
	waitFor := func(what string, cond func() bool) {
		t.Helper()
		for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(time.Millisecond) { // real time: goroutines
			if time.Now().After(deadline) {
				t.Fatalf("%s: still waiting after 10 s", what)
			}
		}
	}
	waitFor("the first computation", func() bool { return computed.Load() >= 1 })
	time.Sleep(20 * time.Millisecond) // real time: let the other callers reach the memo
	if n := computed.Load(); n != 1 {
		t.Fatalf("%d concurrent callers of one key ran %d computations, want 1", callers, n)
	}
	if _, err := db.NewUpdate().Table("commissions").Set("name = ?", "Renommée").Where("id = ?", c.ID).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	go func() { // after a write: it must not take the value being computed from older data
		v, _ := memo.Get(c.ID, now, slow)
		got <- v
	}()
	waitFor("the computation after the write", func() bool { return computed.Load() == 2 })
	close(release)
	counts := map[int]int{}
	for range callers + 1 {
		counts[<-got]++
	}
	if counts[1] != callers || counts[2] != 1 || computed.Load() != 2 {
		t.Fatalf("values %v from %d computations; want %d callers sharing the first and one the second", counts, computed.Load(), callers)
	}

	failed := errors.New("the first caller's request ended")
	var attempts atomic.Int32
	start := make(chan struct{})
	results := make(chan error, 3)
	for i := range 3 {
		go func() {
			if i > 0 {
				<-start
			}
			_, err := memo.Get(c.ID+1, now, func() (int, error) {
				if attempts.Add(1) == 1 {
					close(start)
					time.Sleep(20 * time.Millisecond) // real time: the others join the flight
					return 0, failed
				}
				return 7, nil
			})
			results <- err
		}()
	}
	errs := 0
	for range 3 {
		if err := <-results; err != nil {
			errs++
		}
	}
	if errs != 1 {
		t.Fatalf("%d callers got an error; only the one whose computation failed should", errs)
	}
}

// TestNilMemoComputes checks that a handler built without its memo computes each time.
func TestNilMemoComputes(t *testing.T) {
	var m *models.Memo[int, int]
	n := 0
	for range 2 {
		if v, err := m.Get(1, modelstest.Epoch(), func() (int, error) { n++; return n, nil }); err != nil || v != n {
			t.Fatalf("Get on a nil memo = %d, %v; want %d", v, err, n)
		}
	}
	if n != 2 {
		t.Fatalf("a nil memo computed %d times for 2 calls", n)
	}
}
