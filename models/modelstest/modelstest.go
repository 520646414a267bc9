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
	"sync"
	"testing"
	"time"

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
	db, _ := NewDBURL(t)
	return db
}

// NewDBURL is NewDB that also returns the database's URL, for tests that open it
// again (a second instance, a backup restored over it).
func NewDBURL(t testing.TB) (*bun.DB, string) {
	t.Helper()
	u := URL(t)
	return Open(t, u), u
}

// Open opens the database at url (from URL), migrates it and closes it at the test's end.
// Opening the same url twice gives two connection pools on one database, as two
// processes of the portal would have.
func Open(t testing.TB, url string) *bun.DB {
	t.Helper()
	db, err := models.Open(url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := migrations.Up(context.Background(), db); err != nil {
		t.Fatal(err)
	}
	return models.WithAuditKeys(db, AuditKeys())
}

// AuditKeys are the audit chain's keys of every test database (a fixed test key).
func AuditKeys() models.AuditKeys {
	return models.DeriveAuditKeys([]byte("seance test audit secret key 32b"))
}

// Commission creates a commission for department dep.
func Commission(t testing.TB, db bun.IDB, dep string) *models.Commission {
	t.Helper()
	c := &models.Commission{Department: dep, Region: "76", Name: "Commission départementale " + dep, ArreteRef: "arrêté test " + dep}
	if err := models.CreateCommission(context.Background(), db, models.SystemActor("test"), c, Epoch()); err != nil {
		t.Fatal(err)
	}
	return c
}

// DefaultEpoch is the instant test clocks start at unless SEANCE_TEST_NOW says otherwise:
// a Monday morning, Paris time, chosen once; no test depends on the real date.
var DefaultEpoch = time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)

// Epoch returns the instant every test clock starts at: DefaultEpoch, or the instant in
// SEANCE_TEST_NOW (RFC 3339, or a date YYYY-MM-DD meaning 08:00 UTC that day). Setting it
// runs the whole suite as if on another date, e.g. SEANCE_TEST_NOW=2029-11-23 go test ./...
// It is read by the test helpers only.
func Epoch() time.Time {
	v := os.Getenv("SEANCE_TEST_NOW")
	if v == "" {
		return DefaultEpoch
	}
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return models.Stamp(t)
	}
	if d, err := time.Parse(time.DateOnly, v); err == nil {
		return d.Add(8 * time.Hour)
	}
	panic("SEANCE_TEST_NOW: want RFC 3339 or YYYY-MM-DD, got " + v)
}

// Clock is a settable test clock. It starts at Epoch and moves only when told.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock returns a clock reading Epoch().
func NewClock() *Clock { return &Clock{t: Epoch()} }

// Now returns the clock's current reading.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Set makes the clock read t.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	c.t = models.Stamp(t)
	c.mu.Unlock()
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// Day returns midnight UTC of the day offset days after Epoch's day (negative: before).
// Tests that need calendar dates take them from here, so that they hold on any date.
func Day(offset int) time.Time {
	e := Epoch()
	return time.Date(e.Year(), e.Month(), e.Day()+offset, 0, 0, 0, 0, time.UTC)
}
