package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"seance/models"
)

// Backup copies the SQLite database into Dir (VACUUM INTO) and rotates the copies:
// it keeps the newest copy of each of the 7 most recent days that have one, and of
// the older copies the newest of each of the 4 most recent weeks (Monday to Sunday),
// days and weeks in Location. With PostgreSQL it only logs that pg_dump is the tool.
type Backup struct {
	DB       *bun.DB
	Dir      string // SEANCE_BACKUP_DIR
	Now      func() time.Time
	Location *time.Location
	Log      *slog.Logger
}

// Name names the job.
func (j *Backup) Name() string { return "backup" }

// Run backs up and rotates; the items are the files written and removed.
func (j *Backup) Run(ctx context.Context) error {
	if models.IsPG(j.DB) {
		j.Log.Info("backup: the database is PostgreSQL; back it up with pg_dump -Fc (see the README), the portal does not")
		return nil
	}
	if j.Dir == "" {
		return errors.New("backup: no folder configured (SEANCE_BACKUP_DIR)")
	}
	path, err := BackupNow(ctx, j.DB, j.Dir, j.Now())
	if err != nil {
		return err
	}
	Handled(ctx, 1)
	j.Log.Info("backup written", "file", path)
	removed, err := Rotate(j.Dir, j.Location)
	Handled(ctx, len(removed))
	for _, f := range removed {
		j.Log.Info("backup removed by rotation", "file", f)
	}
	return err
}

const backupPrefix, backupSuffix, backupStamp = "seance-", ".db", "20060102T150405Z"

// BackupName is the file name of a backup taken at t.
func BackupName(t time.Time) string {
	return backupPrefix + t.UTC().Format(backupStamp) + backupSuffix
}

// BackupNow writes a backup taken at now into dir and returns its path.
func BackupNow(ctx context.Context, db bun.IDB, dir string, now time.Time) (string, error) {
	path := filepath.Join(dir, BackupName(now))
	return path, models.BackupSQLite(ctx, db, path)
}

type backupFile struct {
	name string
	at   time.Time
}

// Rotate removes the backups of dir that the rotation does not keep (see Backup) and
// returns their names. Files not named by BackupName are left alone.
func Rotate(dir string, loc *time.Location) ([]string, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("rotate backups: %w", err)
	}
	var files []backupFile
	for _, e := range ents {
		n := e.Name()
		if e.IsDir() || !strings.HasPrefix(n, backupPrefix) || !strings.HasSuffix(n, backupSuffix) {
			continue
		}
		at, err := time.Parse(backupStamp, strings.TrimSuffix(strings.TrimPrefix(n, backupPrefix), backupSuffix))
		if err != nil {
			continue
		}
		files = append(files, backupFile{n, at})
	}
	sort.Slice(files, func(i, k int) bool { return files[i].at.After(files[k].at) })
	days, weeks := map[string]bool{}, map[string]bool{}
	var removed []string
	var errs []error
	for _, f := range files {
		local := f.at.In(loc)
		day := local.Format("2006-01-02")
		y, w := local.ISOWeek()
		week := fmt.Sprintf("%d-W%02d", y, w)
		switch {
		case days[day]: // an older copy of a day already kept
		case len(days) < 7:
			days[day] = true
			continue
		case !weeks[week] && len(weeks) < 4:
			weeks[week] = true
			continue
		}
		if err := os.Remove(filepath.Join(dir, f.name)); err != nil && !errors.Is(err, os.ErrNotExist) {
			errs = append(errs, err)
			continue
		}
		removed = append(removed, f.name)
	}
	return removed, errors.Join(errs...)
}
