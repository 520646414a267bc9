package jobs_test

import (
	"context"
	"testing"
	"time"

	"seance/jobs"
	"seance/models"
	"seance/models/modelstest"
)

func TestHousekeepingPurgesOldRowsOnce(t *testing.T) {
	db := modelstest.NewDB(t)
	ctx := context.Background()
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	c := modelstest.Commission(t, db, "31")
	u := &models.User{Email: "membre@example.org", Name: "Membre", Role: models.RoleMember, CommissionID: &c.ID, Active: true}
	if err := models.CreateUser(ctx, db, models.SystemActor("test"), u, now.Add(-200*24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	// An invitation created 10 days ago (expired after 72 h) and one created now.
	if _, err := models.CreateAccountToken(ctx, db, models.SystemActor("test"), u.ID, models.TokenInvitation, now.Add(-10*24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if _, err := models.CreateAccountToken(ctx, db, models.SystemActor("test"), u.ID, models.TokenPasswordReset, now); err != nil {
		t.Fatal(err)
	}
	outbox := func(age time.Duration, status string) {
		t.Helper()
		r := &models.OutboxMessage{CommissionID: c.ID, Kind: "reminder", Recipient: u.Email, Subject: "Rappel", Status: status,
			MessageID: "<" + status + age.String() + "@seance.test>", ContentSHA256: "aa", CreatedAt: now.Add(-age)}
		if err := models.RecordMail(ctx, db, models.SystemActor("test"), now.Add(-age), r); err != nil {
			t.Fatal(err)
		}
	}
	outbox(100*24*time.Hour, models.OutboxSent)   // purged
	outbox(100*24*time.Hour, models.OutboxQueued) // still waiting: kept
	outbox(10*24*time.Hour, models.OutboxSent)    // recent: kept
	if _, err := models.StartJobRun(ctx, db, "mail", models.TriggerSchedule, "test", now.Add(-100*24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if _, err := models.StartJobRun(ctx, db, "mail", models.TriggerSchedule, "test", now.Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}

	r, err := jobs.NewRegistry(db, nil, func() time.Time { return now }, time.UTC, nil,
		jobs.Entry{Job: &jobs.Housekeeping{DB: db, Now: func() time.Time { return now }}, Schedule: "0 3 * * *"})
	if err != nil {
		t.Fatal(err)
	}
	run, err := r.Run(ctx, "housekeeping", models.TriggerCLI)
	if err != nil {
		t.Fatal(err)
	}
	if run.Items != 3 {
		t.Errorf("first run handled %d items, want 3 (an expired link, an old sent e-mail, an old job run)", run.Items)
	}
	for _, tt := range []struct {
		what  string
		model any
		want  int
	}{
		{"account tokens", (*models.AccountToken)(nil), 1},
		{"outbox messages", (*models.OutboxMessage)(nil), 2},
		{"job runs", (*models.JobRun)(nil), 2}, // the recent one and this run
	} {
		n, err := db.NewSelect().Model(tt.model).Count(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if int(n) != tt.want {
			t.Errorf("%s left: %d, want %d", tt.what, n, tt.want)
		}
	}
	run, err = r.Run(ctx, "housekeeping", models.TriggerCLI)
	if err != nil || run.Items != 0 {
		t.Errorf("second run: %d items, %v; want nothing left to purge", run.Items, err)
	}
	if rep, err := models.VerifyAuditChain(ctx, db); err != nil || !rep.OK {
		t.Errorf("audit chain after housekeeping: %+v, %v", rep, err)
	}
}
