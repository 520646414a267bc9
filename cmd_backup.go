package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/uptrace/bun"

	"seance/app/config"
	"seance/jobs"
	"seance/models"
)

const pgBackupHint = "with PostgreSQL, back up with pg_dump -Fc and restore with pg_restore (see the README)"

// cmdBackup writes a backup of the SQLite database into SEANCE_BACKUP_DIR now
// (the daily job also rotates them).
func cmdBackup(ctx context.Context, getenv func(string) string, now func() time.Time, stdout io.Writer) error {
	return withDB(ctx, getenv, func(cfg *config.Config, db *bun.DB) error {
		if models.IsPG(db) {
			return errors.New("backup: " + pgBackupHint)
		}
		path, err := jobs.BackupNow(ctx, db, cfg.BackupDir, now())
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "backup written: %s\n", path)
		return nil
	})
}

// cmdRestore replaces the SQLite database of DATABASE_URL with a backup. It refuses
// while a server answers at SEANCE_ADDR, and, without -force, when the database file
// exists; with -force the replaced file is kept beside it. The restored database is
// migrated, its audit chain verified, the restore audited and a new checkpoint written
// (the previous one is kept: the records after the backup are lost, and it says how many).
func cmdRestore(ctx context.Context, args []string, getenv func(string) string, now func() time.Time, stdout io.Writer) error {
	fs := flag.NewFlagSet("restore", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	force := fs.Bool("force", false, "replace an existing database file")
	if err := fs.Parse(args); err != nil || fs.NArg() != 1 {
		return errors.New("restore: expected [-force] FILE")
	}
	src := fs.Arg(0)
	cfg, err := config.Load(getenv)
	if err != nil {
		return err
	}
	dest := models.SQLitePath(cfg.DatabaseURL)
	if dest == "" {
		return errors.New("restore: " + pgBackupHint)
	}
	if cmdHealthcheck(getenv) == nil {
		return fmt.Errorf("restore: a server answers at SEANCE_ADDR=%q; stop it first", cfg.Addr)
	}
	if err := models.CheckSQLiteFile(ctx, src); err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	if same, _ := sameFile(src, dest); same {
		return errors.New("restore: the backup is the database file itself")
	}
	stamp := now().UTC().Format("20060102T150405Z")
	if _, err := os.Stat(dest); err == nil {
		if !*force {
			return fmt.Errorf("restore: %s exists; add -force to replace it (it is kept as %s.before-restore-…)", dest, filepath.Base(dest))
		}
		// The database and its WAL move aside together: a WAL left beside the restored
		// file would be replayed into it.
		for _, suffix := range []string{"", "-wal", "-shm"} {
			if err := os.Rename(dest+suffix, dest+".before-restore-"+stamp+suffix); err != nil && !errors.Is(err, os.ErrNotExist) {
				return fmt.Errorf("restore: keep the replaced database: %w", err)
			}
		}
	}
	if err := copyFile(src, dest); err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	db, err := openDB(ctx, cfg)
	if err != nil {
		return fmt.Errorf("restore: the restored database does not open: %w", err)
	}
	defer db.Close()
	rep, err := models.VerifyAuditChain(ctx, db)
	if err != nil {
		return err
	}
	if !rep.OK {
		return fmt.Errorf("restore: done, but the restored audit chain is broken at record %d: %s", rep.BrokenID, rep.Reason)
	}
	fmt.Fprintf(stdout, "restored %s into %s: audit chain intact, %d records\n", src, dest, rep.Checked)
	if cp, ok, err := models.LoadAuditCheckpoint(cfg.CheckpointDir); err == nil && ok && cp.Head.ID > rep.Head.ID {
		fmt.Fprintf(stdout, "the backup ends at record %d; the last checkpoint (%s) counted %d: the records after the backup are lost\n",
			rep.Head.ID, cp.Written.In(cfg.Location).Format("2006-01-02 15:04"), cp.Head.ID)
		old := filepath.Join(cfg.CheckpointDir, models.AuditCheckpointFile)
		if err := os.Rename(old, old+".before-restore-"+stamp); err != nil {
			return fmt.Errorf("restore: keep the previous checkpoint: %w", err)
		}
	}
	err = models.Audit(ctx, db, now(), models.AuditEntry{Actor: cliActor, Action: "database.restore", Object: "database",
		Details: map[string]any{"backup": filepath.Base(src), "records": rep.Checked, "head": rep.Head.ID}})
	if err != nil {
		return err
	}
	_, err = jobs.WriteCheckpoint(ctx, db, cfg.CheckpointDir, now(), nil)
	return err
}

func sameFile(a, b string) (bool, error) {
	sa, err := os.Stat(a)
	if err != nil {
		return false, err
	}
	sb, err := os.Stat(b)
	if err != nil {
		return false, err
	}
	return os.SameFile(sa, sb), nil
}

// copyFile copies src to dest through a synced temporary file renamed into place.
func copyFile(src, dest string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	if err := os.MkdirAll(filepath.Dir(dest), 0o700); err != nil {
		return err
	}
	tmp := dest + ".restoring"
	out, err := os.OpenFile(tmp, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	defer os.Remove(tmp) // fails harmlessly once renamed
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	if err := out.Sync(); err != nil {
		out.Close()
		return err
	}
	if err := out.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, dest)
}
