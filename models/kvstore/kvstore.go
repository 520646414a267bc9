// Package kvstore is the key-value store behind the server-side web sessions and the
// rate limits: a fiber.Storage on the database, so that sessions survive a restart and
// are shared by several instances on PostgreSQL.
package kvstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/uptrace/bun"

	"seance/models"
)

// KV is one row of the key-value store behind server-side sessions and rate limits.
type KV struct {
	bun.BaseModel `bun:"table:kv_store"`

	Key       string `bun:"name,pk"`
	Value     []byte `bun:",notnull"`
	ExpiresAt int64  `bun:",notnull"` // unix seconds, 0 = never
}

// Storage implements fiber.Storage on the database, so that sessions survive restarts
// and are shared by several instances on PostgreSQL.
type Storage struct {
	DB  *bun.DB
	Now func() time.Time

	mu  sync.Mutex // prepares get
	get atomic.Pointer[sql.Stmt]
}

// NewStorage returns a Storage on db.
func NewStorage(db *bun.DB, now func() time.Time) *Storage { return &Storage{DB: db, Now: now} }

// Get returns the value for key, or nil when it is missing or expired.
func (s *Storage) Get(key string) ([]byte, error) {
	ctx := context.Background()
	st, err := s.getStmt(ctx)
	if err != nil {
		return nil, fmt.Errorf("storage get: %w", err)
	}
	var kv KV
	if err := st.QueryRowContext(ctx, key).Scan(&kv.Value, &kv.ExpiresAt); errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("storage get: %w", err)
	}
	if kv.ExpiresAt != 0 && kv.ExpiresAt <= s.Now().Unix() {
		return nil, nil
	}
	return kv.Value, nil
}

// getStmt returns the read of a key, prepared once: it runs on every request (the
// session), and preparing the same SELECT again each time was most of its cost on
// SQLite. It goes around bun's hooks, which only a write needs (models.Writes).
func (s *Storage) getStmt(ctx context.Context) (*sql.Stmt, error) {
	if st := s.get.Load(); st != nil {
		return st, nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if st := s.get.Load(); st != nil {
		return st, nil
	}
	q := "SELECT value, expires_at FROM kv_store WHERE name = ?"
	if models.IsPG(s.DB) {
		q = "SELECT value, expires_at FROM kv_store WHERE name = $1"
	}
	st, err := s.DB.DB.PrepareContext(ctx, q)
	if err != nil {
		return nil, err
	}
	s.get.Store(st)
	return st, nil
}

// Set stores val under key for exp (0: no expiry).
func (s *Storage) Set(key string, val []byte, exp time.Duration) error {
	if key == "" || len(val) == 0 {
		return nil
	}
	var expires int64
	if exp > 0 {
		expires = s.Now().Add(exp).Unix()
	}
	_, err := s.DB.NewInsert().Model(&KV{Key: key, Value: val, ExpiresAt: expires}).
		On("CONFLICT (name) DO UPDATE").Set("value = EXCLUDED.value").Set("expires_at = EXCLUDED.expires_at").
		Exec(context.Background())
	if err != nil {
		return fmt.Errorf("storage set: %w", err)
	}
	return nil
}

// Delete removes key.
func (s *Storage) Delete(key string) error {
	_, err := s.DB.NewDelete().Model((*KV)(nil)).Where("name = ?", key).Exec(context.Background())
	if err != nil {
		return fmt.Errorf("storage delete: %w", err)
	}
	return nil
}

// Reset removes every key.
func (s *Storage) Reset() error {
	_, err := s.DB.NewDelete().Model((*KV)(nil)).Where("1 = 1").Exec(context.Background())
	if err != nil {
		return fmt.Errorf("storage reset: %w", err)
	}
	return nil
}

// Close releases the prepared read; the database is closed by its owner.
func (s *Storage) Close() error {
	if st := s.get.Swap(nil); st != nil {
		return st.Close()
	}
	return nil
}

// DeleteExpired removes expired keys; the cleanup job calls it.
func (s *Storage) DeleteExpired(ctx context.Context) (int64, error) {
	res, err := s.DB.NewDelete().Model((*KV)(nil)).
		Where("expires_at <> 0 AND expires_at <= ?", s.Now().Unix()).Exec(ctx)
	if err != nil {
		return 0, fmt.Errorf("storage delete expired: %w", err)
	}
	n, _ := res.RowsAffected()
	return n, nil
}
