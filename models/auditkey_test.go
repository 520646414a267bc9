package models_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"seance/models"
	"seance/models/modelstest"
)

func appendAudit(t *testing.T, db bun.IDB, from, n int) {
	t.Helper()
	for i := from; i < from+n; i++ {
		err := models.Audit(context.Background(), db, modelstest.Epoch(), models.AuditEntry{Actor: models.SystemActor("test"),
			Action: "test.write", Object: models.ObjectRef("thing", int64(i))})
		if err != nil {
			t.Fatal(err)
		}
	}
}

func verify(t *testing.T, db bun.IDB) models.ChainReport {
	t.Helper()
	rep, err := models.VerifyAuditChain(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// A chain begun without key (records written before this version) goes on keyed; a
// process without the key can no longer append, and a keyed link cannot be forged.
func TestAuditChainKeyedAfterUnkeyedRecords(t *testing.T) {
	ctx := context.Background()
	keyed, url := modelstest.NewDBURL(t)
	plain, err := models.Open(url) // the same database without the audit keys
	if err != nil {
		t.Fatal(err)
	}
	defer plain.Close()
	appendAudit(t, plain, 0, 2)
	appendAudit(t, keyed, 2, 3)
	if rep := verify(t, keyed); !rep.OK || rep.Checked != 5 {
		t.Fatalf("VerifyAuditChain = %+v, want OK over 5 records", rep)
	}
	var recs []models.AuditRecord
	if err := keyed.NewSelect().Model(&recs).Order("id").Scan(ctx); err != nil {
		t.Fatal(err)
	}
	if recs[1].KeyID != "" || recs[2].KeyID == "" {
		t.Fatalf("key ids = %q, %q; want the old record unkeyed and the new one keyed", recs[1].KeyID, recs[2].KeyID)
	}
	err = models.Audit(ctx, plain, modelstest.Epoch(), models.AuditEntry{Actor: models.SystemActor("test"), Action: "test.write", Object: "x"})
	if !errors.Is(err, models.ErrAuditKeyMissing) {
		t.Fatalf("Audit without key on a keyed chain = %v, want ErrAuditKeyMissing", err)
	}
	if rep := verify(t, plain); rep.OK || rep.BrokenID != recs[2].ID || !strings.Contains(rep.Reason, "SEANCE_SECRET_KEY") {
		t.Fatalf("VerifyAuditChain without key = %+v, want the first keyed record named", rep)
	}

	// A database writer without the key appends a link with a key of their own and
	// labels it with the portal's key id: the seal does not hold.
	forger := models.WithAuditKeys(plain, models.DeriveAuditKeys([]byte("not the portal's secret key 32b!")))
	appendAudit(t, forger, 5, 1)
	last := recs[len(recs)-1].ID + 1
	if rep := verify(t, keyed); rep.OK || rep.BrokenID != last || !strings.Contains(rep.Reason, "clé inconnue") {
		t.Fatalf("VerifyAuditChain after a link with another key = %+v, want broken at %d (unknown key)", rep, last)
	}
	if _, err := keyed.NewUpdate().Model((*models.AuditRecord)(nil)).Set("key_id = ?", recs[2].KeyID).Where("id = ?", last).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	if rep := verify(t, keyed); rep.OK || rep.BrokenID != last || !strings.Contains(rep.Reason, "lien forgé sans la clé") {
		t.Fatalf("VerifyAuditChain after a forged link = %+v, want broken at %d (forged)", rep, last)
	}
	// A keyed record turned into an unkeyed one (its hash recomputed without key) is seen too.
	if _, err := keyed.NewDelete().Model((*models.AuditRecord)(nil)).Where("id = ?", last).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := keyed.NewUpdate().Model((*models.AuditRecord)(nil)).Set("key_id = ''").Where("id = ?", recs[4].ID).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	if rep := verify(t, keyed); rep.OK || rep.BrokenID != recs[4].ID {
		t.Fatalf("VerifyAuditChain after unkeying a record = %+v, want broken at %d", rep, recs[4].ID)
	}
}

// Deleting the last records leaves a chain that holds: the checkpoint written outside
// the database names the missing tail.
func TestAuditCheckpointNamesAMissingTail(t *testing.T) {
	ctx := context.Background()
	db := modelstest.NewDB(t)
	dir := t.TempDir()
	paris, _ := time.LoadLocation("Europe/Paris")
	appendAudit(t, db, 0, 6)
	cp, err := models.WriteAuditCheckpoint(ctx, db, dir, modelstest.Epoch())
	if err != nil {
		t.Fatal(err)
	}
	loaded, ok, err := models.LoadAuditCheckpoint(dir)
	if err != nil || !ok || loaded.Head.ID != cp.Head.ID || loaded.Head.Hash != cp.Head.Hash || !loaded.Written.Equal(modelstest.Epoch()) {
		t.Fatalf("LoadAuditCheckpoint = %+v, %v, %v; want %+v", loaded, ok, err, cp)
	}
	rep := verify(t, db)
	if why, err := loaded.CheckAgainst(ctx, db, rep, paris); err != nil || why != "" {
		t.Fatalf("CheckAgainst on the whole chain = %q, %v", why, err)
	}
	appendAudit(t, db, 6, 1) // records after the checkpoint are fine
	if why, _ := loaded.CheckAgainst(ctx, db, verify(t, db), paris); why != "" {
		t.Fatalf("CheckAgainst with a longer chain = %q", why)
	}
	head := cp.Head.ID
	if _, err := db.NewDelete().Model((*models.AuditRecord)(nil)).Where("id >= ?", head-1).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	rep = verify(t, db)
	if !rep.OK {
		t.Fatalf("the truncated chain itself holds, got %+v", rep)
	}
	why, err := loaded.CheckAgainst(ctx, db, rep, paris)
	want := "la chaîne s'arrête au n° " + strconv.FormatInt(head-2, 10) + " alors que le point de contrôle du " +
		modelstest.Epoch().In(paris).Format("02/01/2006 à 15:04") + " en comptait " + strconv.FormatInt(head, 10)
	if err != nil || !strings.HasPrefix(why, want) {
		t.Fatalf("CheckAgainst after deleting the tail = %q, %v; want %q", why, err, want)
	}
}
