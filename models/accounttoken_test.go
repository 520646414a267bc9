package models_test

import (
	"testing"
	"time"

	"seance/models"
	"seance/models/modelstest"
	"seance/models/registry"
)

func TestInvitationTokenSingleUseAndExpiry(t *testing.T) {
	db := modelstest.NewDB(t)
	c := modelstest.Commission(t, db, "31")
	u := modelstest.InvitedMember(t, db, c.ID, "invitee@example.org")
	now := modelstest.Date(2026, 11, 22).Add(9 * time.Hour)

	secret, err := models.InvitePerson(ctx, db, tester, c.ID, u.ID, now)
	if err != nil {
		t.Fatal(err)
	}
	var stored models.AccountToken
	if err := db.NewSelect().Model(&stored).Where("user_id = ?", u.ID).Scan(ctx); err != nil {
		t.Fatal(err)
	}
	if stored.TokenHash == secret || stored.TokenHash != models.HashToken(secret) {
		t.Error("the token is not stored as its hash")
	}

	for _, tt := range []struct {
		name    string
		purpose models.TokenPurpose
		at      time.Time
		valid   bool
	}{
		{"wrong purpose", models.TokenPasswordReset, now.Add(time.Hour), false},
		{"after 72 h", models.TokenInvitation, now.Add(72 * time.Hour), false},
		{"just before 72 h", models.TokenInvitation, now.Add(72*time.Hour - time.Second), true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := models.PeekAccountToken(ctx, db, secret, tt.purpose, tt.at)
			if (err == nil) != tt.valid || (err != nil && err != models.ErrTokenInvalid) {
				t.Errorf("PeekAccountToken error = %v, want valid %v", err, tt.valid)
			}
		})
	}

	if _, err := models.ConsumeAccountToken(ctx, db, secret, models.TokenInvitation, now.Add(80*time.Hour)); err != models.ErrTokenInvalid {
		t.Errorf("ConsumeAccountToken after expiry error = %v, want ErrTokenInvalid", err)
	}
	got, err := models.SetPasswordWithToken(ctx, db, secret, models.TokenInvitation, "hash-1", now.Add(time.Hour))
	if err != nil || got.ID != u.ID {
		t.Fatalf("SetPasswordWithToken = %v, %v; want the invited account", got, err)
	}
	if _, err := models.SetPasswordWithToken(ctx, db, secret, models.TokenInvitation, "hash-2", now.Add(2*time.Hour)); err != models.ErrTokenInvalid {
		t.Errorf("second use of the invitation: error = %v, want ErrTokenInvalid", err)
	}
	after, err := models.FindUser(ctx, db, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	if after.PasswordHash != "hash-1" {
		t.Errorf("password hash = %q, want the one set by the first use", after.PasswordHash)
	}
}

func TestNewerTokenReplacesOlderAndDeactivationEndsSessions(t *testing.T) {
	db := modelstest.NewDB(t)
	c := modelstest.Commission(t, db, "31")
	u := modelstest.InvitedMember(t, db, c.ID, "member@example.org")
	now := modelstest.Epoch().Add(time.Hour) // after the fixtures were created
	first, err := models.InvitePerson(ctx, db, tester, c.ID, u.ID, now)
	if err != nil {
		t.Fatal(err)
	}
	second, err := models.InvitePerson(ctx, db, tester, c.ID, u.ID, now.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := models.PeekAccountToken(ctx, db, first, models.TokenInvitation, now.Add(time.Hour)); err != models.ErrTokenInvalid {
		t.Errorf("older invitation: error = %v, want ErrTokenInvalid", err)
	}
	other := modelstest.Commission(t, db, "09")
	if err := registry.SetPersonActive(ctx, db, tester, other.ID, u.ID, false, now); err != models.ErrNotFound {
		t.Errorf("SetPersonActive from another commission: %v, want ErrNotFound", err)
	}
	if err := registry.SetPersonActive(ctx, db, tester, c.ID, u.ID, false, now); err != nil {
		t.Fatal(err)
	}
	if _, err := models.ConsumeAccountToken(ctx, db, second, models.TokenInvitation, now.Add(time.Hour)); err != models.ErrTokenInvalid {
		t.Errorf("invitation of a deactivated account: error = %v, want ErrTokenInvalid", err)
	}
	deactivated, err := models.FindUser(ctx, db, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	if deactivated.Active || !deactivated.SessionsValidAfter.After(u.SessionsValidAfter) {
		t.Errorf("after deactivation: active %v, sessions valid after %v (was %v); want inactive with sessions ended",
			deactivated.Active, deactivated.SessionsValidAfter, u.SessionsValidAfter)
	}
	if _, err := models.InvitePerson(ctx, db, tester, c.ID, u.ID, now); err == nil {
		t.Error("InvitePerson of a deactivated account succeeded")
	}
	if _, err := models.InvitePerson(ctx, db, tester, other.ID, u.ID, now); err != models.ErrNotFound {
		t.Errorf("InvitePerson from another commission: %v, want ErrNotFound", err)
	}
}

func TestPasswordResetDoesNotRevealEmail(t *testing.T) {
	db := modelstest.NewDB(t)
	c := modelstest.Commission(t, db, "31")
	u := modelstest.UserWithEmail(t, db, c.ID, models.RoleMember, "known@example.org")
	now := modelstest.Date(2026, 11, 22)

	unknown, errUnknown := models.RequestPasswordReset(ctx, db, "unknown@example.org", "192.0.2.1", now)
	known, errKnown := models.RequestPasswordReset(ctx, db, " Known@Example.org ", "192.0.2.1", now)
	if errUnknown != nil || errKnown != nil {
		t.Fatalf("RequestPasswordReset errors = %v, %v; want nil for both", errUnknown, errKnown)
	}
	if unknown.ShouldSend() || !known.ShouldSend() || known.User.ID != u.ID {
		t.Fatalf("ShouldSend: unknown %v, known %v; want false, true", unknown.ShouldSend(), known.ShouldSend())
	}
	// A reset link lasts an hour and serves once.
	if _, err := models.PeekAccountToken(ctx, db, known.Secret, models.TokenPasswordReset, now.Add(models.PasswordResetTTL)); err != models.ErrTokenInvalid {
		t.Errorf("reset link after its TTL: %v, want ErrTokenInvalid", err)
	}
	if _, err := models.PeekAccountToken(ctx, db, known.Secret, models.TokenInvitation, now); err != models.ErrTokenInvalid {
		t.Errorf("reset link used as invitation: %v, want ErrTokenInvalid", err)
	}
	if _, err := models.SetPasswordWithToken(ctx, db, known.Secret, models.TokenPasswordReset, "new-hash", now.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if _, err := models.SetPasswordWithToken(ctx, db, known.Secret, models.TokenPasswordReset, "other", now.Add(2*time.Minute)); err != models.ErrTokenInvalid {
		t.Errorf("second use of the reset link: %v, want ErrTokenInvalid", err)
	}
	if err := models.SetUserActive(ctx, db, tester, u.ID, false, now); err != nil {
		t.Fatal(err)
	}
	if r, err := models.RequestPasswordReset(ctx, db, "known@example.org", "192.0.2.1", now); err != nil || r.ShouldSend() {
		t.Errorf("reset of a deactivated account: ShouldSend %v, %v; want false, nil", r.ShouldSend(), err)
	}
}
