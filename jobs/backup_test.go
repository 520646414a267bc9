package jobs_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"seance/jobs"
	"seance/models"
	"seance/models/modelstest"
)

// Daily backups over 40 days, two on the last day, and a file of someone else's: the
// rotation keeps the newest of each of the last 7 days and of the 4 weeks before.
func TestBackupRotationKeepsSevenDailyAndFourWeekly(t *testing.T) {
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	last := time.Date(2026, 11, 23, 2, 15, 0, 0, paris) // a Monday
	touch := func(name string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	for d := range 40 {
		touch(jobs.BackupName(last.AddDate(0, 0, -d)))
	}
	touch(jobs.BackupName(last.Add(8 * time.Hour))) // a manual backup later the same day
	touch("notes.txt")
	removed, err := jobs.Rotate(dir, paris)
	if err != nil {
		t.Fatal(err)
	}
	ents, _ := os.ReadDir(dir)
	var kept []string
	for _, e := range ents {
		kept = append(kept, e.Name())
	}
	var want []string
	want = append(want, jobs.BackupName(last.Add(8*time.Hour))) // newest of 23 November
	for d := 1; d <= 6; d++ {                                   // 22 … 17 November
		want = append(want, jobs.BackupName(last.AddDate(0, 0, -d)))
	}
	for _, day := range []int{16, 15, 8, 1} { // newest of the weeks of 16, 9, 2 November and 26 October
		want = append(want, jobs.BackupName(time.Date(2026, 11, day, 2, 15, 0, 0, paris)))
	}
	want = append(want, "notes.txt")
	slices.Sort(kept)
	slices.Sort(want)
	if !slices.Equal(kept, want) {
		t.Fatalf("kept %v\nwant %v", kept, want)
	}
	if len(removed) != 41-11 {
		t.Fatalf("removed %d files, want 30", len(removed))
	}
	// Nothing more to remove the second time.
	if again, err := jobs.Rotate(dir, paris); err != nil || len(again) != 0 {
		t.Fatalf("second rotation removed %v, %v", again, err)
	}
}

// The backup job writes a consistent copy that opens and whose chain verifies
// (SQLite); with PostgreSQL it writes nothing and says pg_dump is the tool.
func TestBackupJob(t *testing.T) {
	ctx := context.Background()
	db := modelstest.NewDB(t)
	modelstest.Commission(t, db, "31")
	dir := t.TempDir()
	now := time.Date(2026, 3, 2, 1, 15, 0, 0, time.UTC)
	paris, _ := time.LoadLocation("Europe/Paris")
	reg, err := jobs.Portal(jobs.Deps{DB: db, Now: func() time.Time { return now }, Location: paris, BackupDir: dir, CheckpointDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	run, err := reg.Run(ctx, "backup", models.TriggerCLI)
	if err != nil {
		t.Fatal(err)
	}
	ents, _ := os.ReadDir(dir)
	if models.IsPG(db) {
		if len(ents) != 0 || run.Items != 0 {
			t.Fatalf("PostgreSQL backup job wrote %d files, handled %d", len(ents), run.Items)
		}
		return
	}
	if len(ents) != 1 || ents[0].Name() != jobs.BackupName(now) || run.Items != 1 {
		t.Fatalf("backup dir = %v, items %d; want one %s", ents, run.Items, jobs.BackupName(now))
	}
	copyDB := modelstest.Open(t, filepath.Join(dir, ents[0].Name()))
	if rep, err := models.VerifyAuditChain(ctx, copyDB); err != nil || !rep.OK || rep.Checked != 1 {
		t.Fatalf("VerifyAuditChain on the backup = %+v, %v", rep, err)
	}
	// The same instant again: the file exists, the job says so and keeps it.
	if _, err := reg.Run(ctx, "backup", models.TriggerCLI); err == nil {
		t.Fatal("a second backup at the same instant succeeded")
	}
}
