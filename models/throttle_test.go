package models_test

import (
	"testing"
	"time"

	"seance/models"
	"seance/models/modelstest"
)

func TestLoginDelay(t *testing.T) {
	for _, tt := range []struct {
		failures int
		want     time.Duration
	}{
		{0, 0}, {4, 0}, {5, time.Minute}, {6, 2 * time.Minute}, {7, 4 * time.Minute}, {9, 16 * time.Minute},
		{10, models.LoginDelayMax}, {1000, models.LoginDelayMax},
	} {
		if got := models.LoginDelay(tt.failures, models.AccountFreeFailures); got != tt.want {
			t.Errorf("LoginDelay(%d, %d) = %v, want %v", tt.failures, models.AccountFreeFailures, got, tt.want)
		}
	}
}

// TestIssue11_LoginDelayGrowsAndEnds: ten bad passwords used to lock any account for
// 15 minutes, and only known accounts. The wait now starts after AccountFreeFailures,
// doubles up to LoginDelayMax, is the same for an unknown e-mail, is also kept per client
// address, and ends: by itself, on a new password, after a day of quiet.
func TestIssue11_LoginDelayGrowsAndEnds(t *testing.T) {
	db := modelstest.NewDB(t)
	c := modelstest.Commission(t, db, "31")
	known := modelstest.UserWithEmail(t, db, c.ID, models.RoleMember, "membre07@example.org")
	t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	wait := func(email, ip string, at time.Time) time.Duration {
		t.Helper()
		until, err := models.LoginNotBefore(ctx, db, email, ip, at)
		if err != nil {
			t.Fatal(err)
		}
		if until.IsZero() {
			return 0
		}
		return until.Sub(at)
	}
	fail := func(u *models.User, email, ip string, at time.Time) {
		t.Helper()
		if err := models.RecordLoginFailure(ctx, db, u, email, ip, at); err != nil {
			t.Fatal(err)
		}
	}

	// The same failures, for the known account and for an unknown address, each from its
	// own client address, at the same instants.
	accounts := []struct {
		u     *models.User
		email string
		ip    string
	}{{known, known.Email, "198.51.100.1"}, {nil, "fantome@example.org", "198.51.100.2"}}
	at := t0
	for i := 1; i <= models.AccountFreeFailures-1; i++ {
		for _, a := range accounts {
			fail(a.u, a.email, a.ip, at)
			if w := wait(a.email, a.ip, at); w != 0 {
				t.Fatalf("%s after %d failures: wait %v, want none", a.email, i, w)
			}
		}
		at = at.Add(time.Second)
	}
	for _, want := range []time.Duration{time.Minute, 2 * time.Minute, 4 * time.Minute, 8 * time.Minute, 16 * time.Minute, models.LoginDelayMax, models.LoginDelayMax} {
		for _, a := range accounts {
			fail(a.u, a.email, a.ip, at)
			if w := wait(a.email, a.ip, at); w != want {
				t.Fatalf("%s: wait %v, want %v", a.email, w, want)
			}
			// From another client address too: the wait is the account's.
			if w := wait(" "+a.email+" ", "203.0.113.9", at.Add(want-time.Millisecond)); w != time.Millisecond {
				t.Fatalf("%s from another address just before the end: wait %v, want 1ms", a.email, w)
			}
			if w := wait(a.email, a.ip, at.Add(want)); w != 0 {
				t.Fatalf("%s at the end of the wait: %v left, want none (the owner is never locked out for good)", a.email, w)
			}
		}
		at = at.Add(want)
	}

	// A new password clears the account's wait; the client address keeps its own count.
	if err := models.SetPassword(ctx, db, tester, known.ID, "$argon2id$nouveau", modelstest.Epoch()); err != nil {
		t.Fatal(err)
	}
	fail(known, known.Email, "198.51.100.1", at)
	if w := wait(known.Email, "198.51.100.3", at); w != 0 {
		t.Fatalf("after a new password and one failure: wait %v, want none", w)
	}
	// A day without failure: the unknown address's count starts again.
	at = at.Add(models.LoginFailureMemory + time.Minute)
	fail(nil, "fantome@example.org", "198.51.100.2", at)
	if w := wait("fantome@example.org", "198.51.100.4", at); w != 0 {
		t.Fatalf("first failure after a day of quiet: wait %v, want none", w)
	}

	// One client address trying many e-mails waits after AddressFreeFailures.
	for i := range models.AddressFreeFailures {
		email := "essai" + string(rune('a'+i)) + "@example.org"
		fail(nil, email, "192.0.2.66", at)
		if w := wait("nouveau@example.org", "192.0.2.66", at); (w != 0) != (i+1 >= models.AddressFreeFailures) {
			t.Fatalf("address after %d failures on different e-mails: wait %v", i+1, w)
		}
	}

	// Sign-in success clears the account's count.
	for range models.AccountFreeFailures - 1 {
		fail(known, known.Email, "198.51.100.5", at)
	}
	if err := models.RecordLoginSuccess(ctx, db, known, "198.51.100.5", at); err != nil {
		t.Fatal(err)
	}
	fail(known, known.Email, "198.51.100.5", at)
	if w := wait(known.Email, "198.51.100.6", at); w != 0 {
		t.Fatalf("after a sign-in and one failure: wait %v, want none", w)
	}

	// The cleanup forgets what is older than a day.
	n, err := models.ForgetLoginFailures(ctx, db, at.Add(models.LoginFailureMemory+time.Second))
	if err != nil || n == 0 {
		t.Fatalf("ForgetLoginFailures = %d, %v, want the stale counters deleted", n, err)
	}
	left, err := db.NewSelect().Model((*models.LoginThrottle)(nil)).Count(ctx)
	if err != nil || left != 0 {
		t.Fatalf("%d counters left, %v, want none", left, err)
	}
}
