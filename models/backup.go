package models

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/uptrace/bun"
)

// SQLitePath returns the file of an SQLite DATABASE_URL ("./data/seance.db",
// "sqlite://…", "file:…?…"); "" for PostgreSQL.
func SQLitePath(databaseURL string) string {
	if IsPostgres(databaseURL) {
		return ""
	}
	path := strings.TrimPrefix(strings.TrimPrefix(databaseURL, "sqlite://"), "file:")
	if i := strings.IndexByte(path, '?'); i >= 0 {
		path = path[:i]
	}
	return path
}

// ErrBackupExists is returned when the backup's file already exists.
var ErrBackupExists = errors.New("backup file already exists")

// BackupSQLite writes a consistent copy of the SQLite database db to dest with
// VACUUM INTO (one read transaction: writers are not stopped, the copy is whole and
// compacted). dest must not exist. The copy is written beside dest, synced, then
// renamed, so that a crash never leaves a partial file under dest's name.
func BackupSQLite(ctx context.Context, db bun.IDB, dest string) error {
	if IsPG(db) {
		return errors.New("backup: PostgreSQL is backed up with pg_dump, not by the portal")
	}
	if _, err := os.Stat(dest); err == nil {
		return fmt.Errorf("%w: %s", ErrBackupExists, dest)
	}
	if err := os.MkdirAll(filepath.Dir(dest), 0o700); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	tmp := dest + ".partial"
	_ = os.Remove(tmp) // a previous crashed attempt
	if _, err := db.ExecContext(ctx, "VACUUM INTO ?", tmp); err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("backup: vacuum into %s: %w", tmp, err)
	}
	if err := syncAndRename(tmp, dest); err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("backup: %w", err)
	}
	return nil
}

func syncAndRename(tmp, dest string) error {
	f, err := os.OpenFile(tmp, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, dest)
}

// CheckSQLiteFile opens the SQLite file at path read-only and checks that it is a
// whole database of the portal (integrity check, an audit chain table).
func CheckSQLiteFile(ctx context.Context, path string) error {
	if _, err := os.Stat(path); err != nil {
		return fmt.Errorf("backup file: %w", err)
	}
	sqldb, err := sql.Open("sqlite", "file:"+path+"?mode=ro&_pragma=busy_timeout(5000)")
	if err != nil {
		return fmt.Errorf("open backup %s: %w", path, err)
	}
	defer sqldb.Close()
	var ok string
	if err := sqldb.QueryRowContext(ctx, "PRAGMA integrity_check").Scan(&ok); err != nil {
		return fmt.Errorf("backup %s is not an SQLite database: %w", path, err)
	}
	if ok != "ok" {
		return fmt.Errorf("backup %s is damaged: %s", path, ok)
	}
	var n int
	if err := sqldb.QueryRowContext(ctx, "SELECT count(*) FROM audit_log").Scan(&n); err != nil {
		return fmt.Errorf("backup %s is not a Séance database: %w", path, err)
	}
	return nil
}
