package models_test

import (
	"context"
	"testing"

	"github.com/uptrace/bun"

	"seance/models"
	"seance/models/modelstest"
)

// TestPostgresPoolKeepsItsConnections checks that connections released after a burst of
// concurrent requests stay open for the next one (database/sql keeps only 2 by default),
// and that the pool is bounded. SQLite keeps its single connection.
func TestPostgresPoolKeepsItsConnections(t *testing.T) {
	db, url := modelstest.NewDBURL(t)
	ctx := context.Background()
	if !models.IsPostgres(url) {
		if got := db.DB.Stats().MaxOpenConnections; got != 1 {
			t.Fatalf("SQLite MaxOpenConnections = %d, want 1", got)
		}
		return
	}
	if got := db.DB.Stats().MaxOpenConnections; got != models.PostgresMaxConns {
		t.Fatalf("MaxOpenConnections = %d, want %d", got, models.PostgresMaxConns)
	}
	const burst = 8
	var txs []bun.Tx
	for range burst {
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		txs = append(txs, tx)
	}
	for _, tx := range txs {
		if err := tx.Rollback(); err != nil {
			t.Fatal(err)
		}
	}
	if st := db.DB.Stats(); st.Idle < burst || st.MaxIdleClosed != 0 {
		t.Fatalf("after %d concurrent transactions: %d idle connections, %d closed for the idle limit; want all %d kept",
			burst, st.Idle, st.MaxIdleClosed, burst)
	}
}
