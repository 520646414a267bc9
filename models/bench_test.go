package models_test

import (
	"context"
	"testing"

	"seance/models"
	"seance/models/modelstest"
)

// BenchmarkAuditAppend measures one audited write: a transaction that appends a link
// to the hash chain (SQLite: synchronous=FULL; PostgreSQL: advisory lock).
func BenchmarkAuditAppend(b *testing.B) {
	db := modelstest.NewDB(b)
	ctx := context.Background()
	for b.Loop() {
		err := models.Audit(ctx, db, modelstest.Epoch(), models.AuditEntry{CommissionID: 1, Actor: models.SystemActor("bench"), Action: "bench", Object: "x:1"})
		if err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerifyAuditChain measures verifying a chain of 2,000 links.
func BenchmarkVerifyAuditChain(b *testing.B) {
	db := modelstest.NewDB(b)
	ctx := context.Background()
	for range 2000 {
		if err := models.Audit(ctx, db, modelstest.Epoch(), models.AuditEntry{Actor: models.SystemActor("bench"), Action: "bench"}); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for b.Loop() {
		if rep, err := models.VerifyAuditChain(ctx, db); err != nil || !rep.OK {
			b.Fatal(rep, err)
		}
	}
}
