package models

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/uptrace/bun"
)

// Writes counts the statements that change data on one database handle, once they have
// run: a COMMIT makes a transaction's writes visible, a write outside any transaction is
// visible at once. A value computed from the database at generation g is current as long
// as Gen still returns g (Memo). A rolled back transaction counts too, which only costs
// a recomputation. The key-value store of the sessions and rate limits does not count:
// no page is computed from it, and every signed-in browser writes it once a minute.
type Writes struct {
	gen atomic.Uint64
}

// TrackWrites adds to db the hook that counts its writes. Call it before db is in use
// by other goroutines (bun's hooks are not safe to add concurrently).
func TrackWrites(db *bun.DB) *Writes {
	w := &Writes{}
	db.AddQueryHook(writesHook{w})
	return w
}

// Gen returns the number of writes so far.
func (w *Writes) Gen() uint64 { return w.gen.Load() }

type writesHook struct{ w *Writes }

func (h writesHook) BeforeQuery(ctx context.Context, _ *bun.QueryEvent) context.Context { return ctx }

func (h writesHook) AfterQuery(_ context.Context, e *bun.QueryEvent) {
	switch strings.ToUpper(e.Operation()) {
	case "SELECT", "BEGIN", "ROLLBACK", "SAVEPOINT", "RELEASE", "PRAGMA", "WITH", "EXPLAIN":
		// Reads; the statistics' queries start with WITH and change nothing.
	default:
		if !strings.Contains(e.Query, `"kv_store"`) {
			h.w.gen.Add(1)
		}
	}
}

// Memo keeps values computed from the database until the next write through the
// handle Writes watches, and at most MaxAge: several instances on PostgreSQL do not see
// each other's writes. A value is shared by every caller: they only read it.
type Memo[K comparable, V any] struct {
	Writes *Writes
	MaxAge time.Duration
	// Max bounds the values kept (maxMemoEntries when 0); past it the memo starts
	// again empty.
	Max int

	mu      sync.Mutex
	entries map[K]memoEntry[V]
	flights map[K]*memoFlight[V]
}

// memoFlight is a computation under way: the callers that miss the same key at the same
// write generation wait for it rather than all computing the same value at once (every
// client of a busy page misses when its value expires).
type memoFlight[V any] struct {
	done  chan struct{}
	gen   uint64
	value V
	err   error
}

type memoEntry[V any] struct {
	value V
	gen   uint64
	at    time.Time
}

// maxMemoEntries is a memo's default bound.
const maxMemoEntries = 256

// NewMemo returns an empty memo on w whose values are at most maxAge old.
func NewMemo[K comparable, V any](w *Writes, maxAge time.Duration) *Memo[K, V] {
	return &Memo[K, V]{Writes: w, MaxAge: maxAge}
}

// Get returns the value of key computed at now: the kept one when nothing was written
// since it was computed and it is younger than MaxAge, else compute's, kept for the next
// callers. Callers that miss a key while it is being computed at the same write
// generation wait for that computation. A key must hold everything the value depends on
// besides the data (a commission, a day): now only bounds its age. A nil memo keeps
// nothing: Get computes.
func (m *Memo[K, V]) Get(key K, now time.Time, compute func() (V, error)) (V, error) {
	if m == nil {
		return compute()
	}
	gen := m.Writes.Gen() // read before computing: a write during the computation invalidates it
	m.mu.Lock()
	e, ok := m.entries[key]
	if ok && e.gen == gen && now.Sub(e.at) < m.MaxAge && !now.Before(e.at) {
		m.mu.Unlock()
		return e.value, nil
	}
	if f := m.flights[key]; f != nil && f.gen == gen {
		m.mu.Unlock()
		<-f.done
		if f.err == nil {
			return f.value, nil
		}
		return compute() // the error may be the other caller's own (its request ended)
	}
	f := &memoFlight[V]{done: make(chan struct{}), gen: gen}
	if m.flights == nil {
		m.flights = map[K]*memoFlight[V]{}
	}
	m.flights[key] = f
	m.mu.Unlock()
	defer func() {
		m.mu.Lock()
		if m.flights[key] == f {
			delete(m.flights, key)
		}
		m.mu.Unlock()
		close(f.done) // after the value is kept, also when compute panics
	}()
	f.value, f.err = compute()
	if f.err != nil {
		return f.value, f.err
	}
	m.mu.Lock()
	limit := m.Max
	if limit <= 0 {
		limit = maxMemoEntries
	}
	if m.entries == nil || len(m.entries) >= limit {
		m.entries = map[K]memoEntry[V]{}
	}
	m.entries[key] = memoEntry[V]{value: f.value, gen: gen, at: now}
	m.mu.Unlock()
	return f.value, nil
}
