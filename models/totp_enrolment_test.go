package models_test

import (
	"bytes"
	"errors"
	"testing"
	"time"

	"seance/models"
	"seance/models/modelstest"
	"seance/models/twofactor"
)

func TestPendingTOTPEnrolmentShowsTheSameKeyAgain(t *testing.T) {
	db := modelstest.NewDB(t)
	kr := modelstest.Keyring(t)
	c := modelstest.Commission(t, db, "31")
	u := modelstest.UserWithEmail(t, db, c.ID, models.RoleSecretariat, "secretariat@example.org")
	now := modelstest.Date(2026, 11, 22).Add(10 * time.Hour)

	if _, err := twofactor.PendingTOTPEnrolment(ctx, db, kr, u, "Séance"); !errors.Is(err, twofactor.ErrTOTPNotEnrolled) {
		t.Fatalf("PendingTOTPEnrolment before any enrolment: %v, want ErrTOTPNotEnrolled", err)
	}
	started, err := twofactor.StartTOTPEnrolment(ctx, db, kr, u, "Séance", now)
	if err != nil {
		t.Fatal(err)
	}
	again, err := twofactor.PendingTOTPEnrolment(ctx, db, kr, u, "Séance")
	if err != nil {
		t.Fatal(err)
	}
	if again.URL != started.URL || again.ManualKey != started.ManualKey || !bytes.Equal(again.PNG, started.PNG) {
		t.Errorf("PendingTOTPEnrolment gives another key than StartTOTPEnrolment:\n%s\n%s", again.URL, started.URL)
	}
	secret := bytes.ReplaceAll([]byte(again.ManualKey), []byte(" "), nil)
	if _, err := twofactor.ConfirmTOTP(ctx, db, kr, u, code(t, string(secret), now), now); err != nil {
		t.Fatalf("ConfirmTOTP with a code of the key shown again: %v", err)
	}
	if _, err := twofactor.PendingTOTPEnrolment(ctx, db, kr, u, "Séance"); !errors.Is(err, twofactor.ErrTOTPAlreadyEnabled) {
		t.Errorf("PendingTOTPEnrolment once confirmed: %v, want ErrTOTPAlreadyEnabled", err)
	}
}

func TestTOTPEnrolmentNeededByRoleSettingsAndState(t *testing.T) {
	db := modelstest.NewDB(t)
	kr := modelstest.Keyring(t)
	c := modelstest.Commission(t, db, "31")
	now := modelstest.Date(2026, 11, 22).Add(10 * time.Hour)
	secretariat := modelstest.UserWithEmail(t, db, c.ID, models.RoleSecretariat, "secretariat@example.org")
	member := modelstest.UserWithEmail(t, db, c.ID, models.RoleMember, "membre@example.org")
	association := modelstest.UserWithEmail(t, db, c.ID, models.RoleAssociation, "asso@example.org")
	admin := modelstest.UserWithEmail(t, db, c.ID, models.RoleAdmin, "admin@example.org")

	check := func(step string, u *models.User, want bool) {
		t.Helper()
		got, err := twofactor.TOTPEnrolmentNeeded(ctx, db, u)
		if err != nil || got != want {
			t.Errorf("%s: TOTPEnrolmentNeeded(%s) = %v, %v; want %v", step, u.Role, got, err, want)
		}
	}
	check("no enrolment", secretariat, true)
	check("no enrolment", admin, true)
	check("members not required", member, false)
	check("association", association, false)

	e, err := twofactor.StartTOTPEnrolment(ctx, db, kr, secretariat, "Séance", now)
	if err != nil {
		t.Fatal(err)
	}
	check("pending enrolment", secretariat, true)
	secret := bytes.ReplaceAll([]byte(e.ManualKey), []byte(" "), nil)
	if _, err := twofactor.ConfirmTOTP(ctx, db, kr, secretariat, code(t, string(secret), now), now); err != nil {
		t.Fatal(err)
	}
	check("confirmed", secretariat, false)

	s, err := models.FindSettings(ctx, db, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	s.TOTPRequiredForMembers = true
	if err := models.UpdateSettings(ctx, db, tester, c, s, now); err != nil {
		t.Fatal(err)
	}
	check("members required by the commission", member, true)
	check("association, members required", association, false)

	if err := twofactor.DisableTOTP(ctx, db, tester, secretariat.ID, now); err != nil {
		t.Fatal(err)
	}
	check("after the administrator's reset", secretariat, true)
}
