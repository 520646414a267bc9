package models_test

import (
	"context"
	"testing"

	"seance/models"
	"seance/models/modelstest"
)

func TestAuditChainVerifiesAndDetectsTampering(t *testing.T) {
	ctx := context.Background()
	db := modelstest.NewDB(t)
	c := modelstest.Commission(t, db, "31")
	for i := range 5 {
		err := models.Audit(ctx, db, modelstest.Epoch(), models.AuditEntry{CommissionID: c.ID, Actor: models.SystemActor("test"),
			Action: "test.write", Object: models.ObjectRef("thing", int64(i)), Details: map[string]any{"i": i, "é": "ç"}})
		if err != nil {
			t.Fatal(err)
		}
	}
	rep, err := models.VerifyAuditChain(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK || rep.Checked != 6 {
		t.Fatalf("VerifyAuditChain = %+v, want OK over 6 records", rep)
	}
	recs, err := models.ListAudit(ctx, db, c.ID, 10)
	if err != nil {
		t.Fatal(err)
	}
	victim := recs[2] // third newest
	if _, err := db.NewUpdate().Model((*models.AuditRecord)(nil)).Set("details = ?", `{"i":99}`).Where("id = ?", victim.ID).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	rep, err = models.VerifyAuditChain(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	if rep.OK || rep.BrokenID != victim.ID {
		t.Fatalf("after tampering VerifyAuditChain = %+v, want broken at %d", rep, victim.ID)
	}
}

func TestAuditRollsBackWithTheWrite(t *testing.T) {
	ctx := context.Background()
	db := modelstest.NewDB(t)
	before, err := db.NewSelect().Model((*models.AuditRecord)(nil)).Count(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// A duplicate department fails after nothing else: the audit record of the failed write must not remain.
	modelstest.Commission(t, db, "31")
	err = models.CreateCommission(ctx, db, models.SystemActor("test"), &models.Commission{Department: "31", Region: "76", Name: "x"}, modelstest.Epoch())
	if err == nil {
		t.Fatal("CreateCommission with a duplicate department succeeded, want an error")
	}
	after, err := db.NewSelect().Model((*models.AuditRecord)(nil)).Count(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if after != before+1 {
		t.Fatalf("audit records = %d, want %d (only the successful creation)", after, before+1)
	}
}
