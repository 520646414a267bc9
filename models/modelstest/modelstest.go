// Package modelstest gives tests a migrated database: an SQLite file in t.TempDir(),
// or a throwaway PostgreSQL schema when TEST_DATABASE_URL is set.
package modelstest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"github.com/uptrace/bun"

	"seance/models"
	"seance/models/migrations"
)

// URL returns a database URL for a test: a fresh SQLite file, or a fresh PostgreSQL
// schema (dropped when the test ends) when TEST_DATABASE_URL is set.
func URL(t testing.TB) string {
	t.Helper()
	base := os.Getenv("TEST_DATABASE_URL")
	if base == "" {
		return filepath.Join(t.TempDir(), "seance.db")
	}
	b := make([]byte, 6)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	schema := "t_" + hex.EncodeToString(b)
	admin, err := models.Open(base)
	if err != nil {
		t.Fatalf("TEST_DATABASE_URL: %v", err)
	}
	if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
		t.Fatalf("create test schema: %v", err)
	}
	t.Cleanup(func() {
		if _, err := admin.Exec("DROP SCHEMA " + schema + " CASCADE"); err != nil {
			t.Errorf("drop test schema %s: %v", schema, err)
		}
		admin.Close()
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("TEST_DATABASE_URL: %v", err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// NewDB returns a migrated database for the test, closed at its end.
func NewDB(t testing.TB) *bun.DB {
	t.Helper()
	db, err := models.Open(URL(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := migrations.Up(context.Background(), db); err != nil {
		t.Fatal(err)
	}
	return db
}

// Commission creates a commission for department dep.
func Commission(t testing.TB, db bun.IDB, dep string) *models.Commission {
	t.Helper()
	c := &models.Commission{Department: dep, Region: "76", Name: "Commission départementale " + dep, ArreteRef: "arrêté test " + dep}
	if err := models.CreateCommission(context.Background(), db, models.SystemActor("test"), c); err != nil {
		t.Fatal(err)
	}
	return c
}
