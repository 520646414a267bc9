package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/uptrace/bun/migrate"

	"seance/models"
	"seance/models/keyring"
	"seance/models/migrations"
	"seance/models/modelstest"
)

// A backup restored into a fresh database file opens, is migrated, and its audit
// chain verifies; restore refuses to overwrite without -force.
func TestCLIBackupAndRestore(t *testing.T) {
	dir := t.TempDir()
	key := keyring.NewKey()
	env := map[string]string{"DATABASE_URL": filepath.Join(dir, "seance.db"), "SEANCE_SECRET_KEY": key,
		"SEANCE_ADDR": "127.0.0.1:1", "SEANCE_BACKUP_DIR": filepath.Join(dir, "backups"), "SEANCE_CHECKPOINT_DIR": filepath.Join(dir, "cp")}
	if _, err := runCLI(t, env, "", "commission", "add", "-department", "31", "-name", "Commission de la Haute-Garonne"); err != nil {
		t.Fatal(err)
	}
	out, err := runCLI(t, env, "", "backup")
	if err != nil || !strings.HasPrefix(out, "backup written: ") {
		t.Fatalf("backup = %q, %v", out, err)
	}
	backup := strings.TrimSpace(strings.TrimPrefix(out, "backup written: "))
	if filepath.Dir(backup) != env["SEANCE_BACKUP_DIR"] {
		t.Fatalf("backup written to %s, want into SEANCE_BACKUP_DIR", backup)
	}

	fresh := map[string]string{}
	for k, v := range env {
		fresh[k] = v
	}
	fresh["DATABASE_URL"] = filepath.Join(dir, "restored", "seance.db")
	out, err = runCLI(t, fresh, "", "restore", backup)
	if err != nil || !strings.Contains(out, "audit chain intact") {
		t.Fatalf("restore into a fresh file = %q, %v", out, err)
	}
	db := modelstest.Open(t, fresh["DATABASE_URL"])
	ms, err := migrate.NewMigrator(db, migrations.Migrations).MigrationsWithStatus(context.Background())
	if err != nil || len(ms.Unapplied()) != 0 {
		t.Fatalf("restored database: unapplied migrations %v, %v", ms.Unapplied(), err)
	}
	if cs, err := models.ListCommissions(context.Background(), db, ""); err != nil || len(cs) != 1 {
		t.Fatalf("restored commissions = %v, %v", cs, err)
	}
	out, err = runCLI(t, fresh, "", "audit", "verify")
	if err != nil || !strings.Contains(out, "intact") {
		t.Fatalf("audit verify on the restored database = %q, %v", out, err)
	}
	if _, err := runCLI(t, fresh, "", "restore", backup); err == nil || !strings.Contains(err.Error(), "-force") {
		t.Fatalf("restore over an existing file error = %v, want a refusal naming -force", err)
	}
	if _, err := runCLI(t, fresh, "", "restore", "-force", backup); err != nil {
		t.Fatalf("restore -force: %v", err)
	}
	kept, _ := filepath.Glob(fresh["DATABASE_URL"] + ".before-restore-*")
	if len(kept) == 0 {
		t.Fatal("restore -force did not keep the replaced file")
	}
	notDB := filepath.Join(dir, "notes.txt")
	if err := os.WriteFile(notDB, []byte("pas une base"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := runCLI(t, fresh, "", "restore", "-force", notDB); err == nil {
		t.Fatal("restore of a file that is not a database succeeded")
	}
}

// Deleting the last records of the chain is reported by audit verify once a
// checkpoint was written (by the job, as every hour).
func TestCLIAuditVerifyNamesTruncatedChain(t *testing.T) {
	env := map[string]string{"DATABASE_URL": modelstest.URL(t), "SEANCE_SECRET_KEY": keyring.NewKey(),
		"SEANCE_CHECKPOINT_DIR": t.TempDir(), "SEANCE_MAIL_OUTBOX_ONLY": "true"}
	for _, dep := range []string{"31", "32", "33"} {
		if _, err := runCLI(t, env, "", "commission", "add", "-department", dep, "-name", "Commission "+dep); err != nil {
			t.Fatal(err)
		}
	}
	out, err := runCLI(t, env, "", "audit", "verify")
	if err != nil || !strings.Contains(out, "no checkpoint") {
		t.Fatalf("audit verify before any checkpoint = %q, %v", out, err)
	}
	if out, err := runCLI(t, env, "", "jobs", "run", "audit-checkpoint"); err != nil {
		t.Fatalf("jobs run audit-checkpoint = %q, %v", out, err)
	}
	out, err = runCLI(t, env, "", "audit", "verify")
	if err != nil || !strings.Contains(out, "up to the checkpoint") {
		t.Fatalf("audit verify with a checkpoint = %q, %v", out, err)
	}
	db, err := models.Open(env["DATABASE_URL"])
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	head, err := models.ReadAuditHead(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.NewDelete().Model((*models.AuditRecord)(nil)).Where("id >= ?", head.ID-1).Exec(context.Background()); err != nil {
		t.Fatal(err)
	}
	_, err = runCLI(t, env, "", "audit", "verify")
	if err == nil || !strings.Contains(err.Error(), "la chaîne s'arrête au n° ") || !strings.Contains(err.Error(), "en comptait ") {
		t.Fatalf("audit verify after deleting the tail = %v, want the missing tail named", err)
	}
}
