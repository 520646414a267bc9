package kvstore_test

import (
	"testing"
	"time"

	"seance/models/kvstore"
	"seance/models/modelstest"
)

// TestStorageReadsWhatWasWrittenUntilItExpires checks the store behind the sessions on
// the database of the run (SQLite, or PostgreSQL with TEST_DATABASE_URL): its read of a
// key, prepared once, sees each write, a missing key, an expiry, a deletion, and works
// again after Close.
func TestStorageReadsWhatWasWrittenUntilItExpires(t *testing.T) {
	db := modelstest.NewDB(t)
	now := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	st := kvstore.NewStorage(db, func() time.Time { return now })
	get := func(key string) string {
		t.Helper()
		v, err := st.Get(key)
		if err != nil {
			t.Fatalf("Get(%s): %v", key, err)
		}
		return string(v)
	}
	if got := get("absente"); got != "" {
		t.Fatalf("Get of a missing key = %q", got)
	}
	for _, v := range []string{"un", "deux"} {
		if err := st.Set("session", []byte(v), time.Hour); err != nil {
			t.Fatal(err)
		}
		if got := get("session"); got != v {
			t.Fatalf("Get after Set(%q) = %q", v, got)
		}
	}
	if err := st.Set("permanent", []byte("toujours"), 0); err != nil {
		t.Fatal(err)
	}
	now = now.Add(2 * time.Hour)
	if got, kept := get("session"), get("permanent"); got != "" || kept != "toujours" {
		t.Fatalf("after its expiry Get(session) = %q; Get(permanent) = %q", got, kept)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	if err := st.Delete("permanent"); err != nil {
		t.Fatal(err)
	}
	if got := get("permanent"); got != "" {
		t.Fatalf("Get after Delete (and Close) = %q", got)
	}
}

// BenchmarkStorageGet is the read every signed-in request makes (its session).
func BenchmarkStorageGet(b *testing.B) {
	db := modelstest.NewDB(b)
	now := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	st := kvstore.NewStorage(db, func() time.Time { return now })
	if err := st.Set("session", []byte(`{"uid":1,"csrf":"x"}`), time.Hour); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if v, err := st.Get("session"); err != nil || len(v) == 0 {
			b.Fatal(v, err)
		}
	}
}
