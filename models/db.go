// Package models is the core of the portal's data, below every domain package: the
// database (Open, InTx, the dialect), the audit chain and its keys, users, accounts and
// their tokens, commissions and their settings, the outbox of e-mails, notifications,
// job runs, the one refusal type (Refusal) and the shared value helpers (calendar
// days, text limits, regions and departments).
//
// The domains build on it, each in its own package, in this order (a package imports
// only those before it): keyring (sealing, below models itself); kvstore (the web
// sessions' store), registry, files, meetings, sitting, minutes, stats and dashboard;
// then twofactor, rotation and retention, which reach across domains. Query functions
// take a bun.IDB so that they run on the database or inside a transaction alike.
package models

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"
	"github.com/uptrace/bun/dialect/sqlitedialect"
	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// ErrNotFound is returned when a row does not exist or is outside the caller's scope.
var ErrNotFound = errors.New("not found")

// IsPostgres reports whether the database URL selects PostgreSQL.
func IsPostgres(databaseURL string) bool {
	return strings.HasPrefix(databaseURL, "postgres://") || strings.HasPrefix(databaseURL, "postgresql://")
}

// The PostgreSQL pool of one instance: see Open.
const (
	PostgresMaxConns     = 20
	PostgresConnLifetime = time.Hour
)

// Open connects to PostgreSQL for postgres:// URLs and to an SQLite file otherwise.
// SQLite runs with one connection (one writer), WAL, foreign keys, a busy timeout,
// synchronous=FULL, secure_delete and immediate transactions.
func Open(databaseURL string) (*bun.DB, error) {
	if IsPostgres(databaseURL) {
		sqldb, err := sql.Open("pgx", databaseURL)
		if err != nil {
			return nil, fmt.Errorf("open postgres: %w", err)
		}
		// Size the pool once: database/sql keeps only 2 idle connections by default, so
		// under 50 concurrent requests it closed and reopened about 150 connections every
		// 10 s (a TLS and authentication handshake each, and a new backend process on the
		// server). Keeping as many idle as open reuses them. PostgresMaxConns bounds the
		// backends one instance holds, well below the server's max_connections (100 by
		// default) so that several instances and the jobs fit; a connection is recycled
		// after PostgresConnLifetime so that a failover or a DNS change is picked up.
		sqldb.SetMaxOpenConns(PostgresMaxConns)
		sqldb.SetMaxIdleConns(PostgresMaxConns)
		sqldb.SetConnMaxLifetime(PostgresConnLifetime)
		db := bun.NewDB(sqldb, pgdialect.New())
		if err := db.Ping(); err != nil {
			db.Close()
			return nil, fmt.Errorf("connect to postgres: %w", err)
		}
		return db, nil
	}
	path := SQLitePath(databaseURL)
	if path == "" {
		return nil, errors.New("open sqlite: empty path")
	}
	if dir := filepath.Dir(path); dir != "." {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("create database folder: %w", err)
		}
	}
	q := url.Values{}
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "synchronous(FULL)")
	// Deleted and overwritten content is zeroed, not left in free space: anonymised
	// identities and documents must not survive in the file (models.AnonymiseFile).
	q.Add("_pragma", "secure_delete(1)")
	q.Set("_txlock", "immediate")
	q.Set("_time_format", "sqlite")
	sqldb, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("open sqlite: %w", err)
	}
	sqldb.SetMaxOpenConns(1)
	db := bun.NewDB(sqldb, sqlitedialect.New())
	if err := db.Ping(); err != nil {
		db.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	return db, nil
}

// IsPG reports whether db speaks the PostgreSQL dialect.
func IsPG(db bun.IDB) bool {
	return db.Dialect().Name().String() == "pg"
}

// LockOwned reads the row id of commission cid into a new T, locked until tx ends on
// PostgreSQL (SELECT … FOR UPDATE) so that two writers of the same row take turns;
// SQLite's immediate transactions already serialise writers. A missing row (or one of
// another commission) is ErrNotFound; op names the operation in other errors.
func LockOwned[T any](ctx context.Context, tx bun.Tx, cid, id int64, op string) (*T, error) {
	row := new(T)
	q := tx.NewSelect().Model(row).Where("id = ? AND commission_id = ?", id, cid)
	if IsPG(tx) {
		q = q.For("UPDATE")
	}
	if err := q.Scan(ctx); err != nil {
		return nil, NotFound(err, op)
	}
	return row, nil
}

// InTx runs fn in a transaction on db, or in a savepoint when db is already a transaction.
func InTx(ctx context.Context, db bun.IDB, fn func(ctx context.Context, tx bun.Tx) error) error {
	return db.RunInTx(ctx, nil, fn)
}

// NotFound maps sql.ErrNoRows to ErrNotFound and wraps other errors with op.
func NotFound(err error, op string) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotFound
	}
	return fmt.Errorf("%s: %w", op, err)
}
