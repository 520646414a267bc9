package models_test

import (
	"context"
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
