package models_test

import (
	"bytes"
	"errors"
	"image/png"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
	"github.com/uptrace/bun"

	"seance/models"
	"seance/models/keyring"
	"seance/models/modelstest"
	"seance/models/twofactor"
)

// enrolled returns a user with a confirmed TOTP, its secret and the recovery codes.
func enrolled(t *testing.T, db *bun.DB, kr *keyring.Keyring, now time.Time) (*models.User, string, []string) {
	t.Helper()
	c := modelstest.Commission(t, db, "31")
	u := modelstest.UserWithEmail(t, db, c.ID, models.RoleSecretariat, "secretariat@example.org")
	e, err := twofactor.StartTOTPEnrolment(ctx, db, kr, u, "Séance", now)
	if err != nil {
		t.Fatal(err)
	}
	key, err := otp.NewKeyFromURL(e.URL)
	if err != nil {
		t.Fatal(err)
	}
	codes, err := twofactor.ConfirmTOTP(ctx, db, kr, u, code(t, key.Secret(), now), now)
	if err != nil {
		t.Fatal(err)
	}
	return u, key.Secret(), codes
}

func code(t *testing.T, secret string, at time.Time) string {
	t.Helper()
	c, err := totp.GenerateCode(secret, at)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestTOTPEnrolment(t *testing.T) {
	db := modelstest.NewDB(t)
	kr := modelstest.Keyring(t)
	c := modelstest.Commission(t, db, "31")
	u := modelstest.UserWithEmail(t, db, c.ID, models.RolePresident, "president@example.org")
	now := modelstest.Date(2026, 11, 22).Add(10 * time.Hour)

	e, err := twofactor.StartTOTPEnrolment(ctx, db, kr, u, "Séance", now)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(e.URL, "otpauth://totp/") || !strings.Contains(e.URL, "president@example.org") {
		t.Errorf("enrolment URL = %q", e.URL)
	}
	if img, err := png.Decode(bytes.NewReader(e.PNG)); err != nil || img.Bounds().Dx() != 256 {
		t.Errorf("QR code PNG does not decode to 256 px: %v", err)
	}
	key, err := otp.NewKeyFromURL(e.URL)
	if err != nil {
		t.Fatal(err)
	}
	if strings.ReplaceAll(e.ManualKey, " ", "") != key.Secret() {
		t.Errorf("manual key %q is not the QR code's secret", e.ManualKey)
	}
	var row twofactor.UserTOTP
	if err := db.NewSelect().Model(&row).Where("user_id = ?", u.ID).Scan(ctx); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(row.SecretSealed, key.Secret()) {
		t.Error("the TOTP secret is stored in clear")
	}
	if _, err := kr.Open(row.SecretSealed, "user:999:totp"); err == nil {
		t.Error("the sealed secret opens for another user")
	}

	// Pending: no sign-in with it yet, and a wrong first code does not confirm.
	if err := twofactor.VerifyTOTP(ctx, db, kr, u, code(t, key.Secret(), now), now); !errors.Is(err, twofactor.ErrTOTPNotEnrolled) {
		t.Errorf("VerifyTOTP before confirmation: %v, want ErrTOTPNotEnrolled", err)
	}
	if _, err := twofactor.ConfirmTOTP(ctx, db, kr, u, "000000", now); !errors.Is(err, twofactor.ErrTOTPInvalidCode) {
		t.Errorf("ConfirmTOTP with a wrong code: %v, want ErrTOTPInvalidCode", err)
	}
	codes, err := twofactor.ConfirmTOTP(ctx, db, kr, u, code(t, key.Secret(), now), now)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, rc := range codes {
		seen[rc] = true
	}
	if len(codes) != twofactor.RecoveryCodeCount || len(seen) != twofactor.RecoveryCodeCount {
		t.Errorf("ConfirmTOTP returned %d recovery codes (%d distinct), want 10", len(codes), len(seen))
	}
	var hashes []twofactor.RecoveryCode
	if err := db.NewSelect().Model(&hashes).Where("user_id = ?", u.ID).Scan(ctx); err != nil {
		t.Fatal(err)
	}
	for _, h := range hashes {
		if seen[h.CodeHash] {
			t.Error("a recovery code is stored in clear")
		}
	}
	st, err := twofactor.TOTPStatusOf(ctx, db, u.ID)
	if err != nil || !st.Enabled || st.RecoveryCodesLeft != 10 {
		t.Errorf("TOTPStatusOf = %+v, %v; want enabled with 10 codes", st, err)
	}
	if _, err := twofactor.StartTOTPEnrolment(ctx, db, kr, u, "Séance", now); !errors.Is(err, twofactor.ErrTOTPAlreadyEnabled) {
		t.Errorf("second enrolment: %v, want ErrTOTPAlreadyEnabled", err)
	}

	// The administrator's reset removes it all.
	if err := twofactor.DisableTOTP(ctx, db, tester, u.ID, now); err != nil {
		t.Fatal(err)
	}
	if st, _ := twofactor.TOTPStatusOf(ctx, db, u.ID); st.Enabled || st.RecoveryCodesLeft != 0 {
		t.Errorf("after DisableTOTP status = %+v", st)
	}
}

func TestTOTPWrongReusedAndSkewedCodes(t *testing.T) {
	db := modelstest.NewDB(t)
	kr := modelstest.Keyring(t)
	now := modelstest.Date(2026, 11, 22).Add(10 * time.Hour)
	u, secret, _ := enrolled(t, db, kr, now)
	later := now.Add(5 * time.Minute)

	for _, tt := range []struct {
		name string
		code string
		at   time.Time
		want error
	}{
		{"wrong code", "123456", later, twofactor.ErrTOTPInvalidCode},
		{"not digits", "abcdef", later, twofactor.ErrTOTPInvalidCode},
		{"two steps late", code(t, secret, later.Add(-60*time.Second)), later, twofactor.ErrTOTPInvalidCode},
		{"one step late", code(t, secret, later.Add(-30*time.Second)), later, nil},
		{"same code again", code(t, secret, later.Add(-30*time.Second)), later, twofactor.ErrTOTPReusedCode},
		{"code of an earlier step than the last accepted", code(t, secret, later.Add(-30*time.Second)), later.Add(-30 * time.Second), twofactor.ErrTOTPReusedCode},
		{"next code, with spaces", " " + code(t, secret, later)[:3] + " " + code(t, secret, later)[3:], later, nil},
		{"confirmation code replayed", code(t, secret, now), now, twofactor.ErrTOTPReusedCode},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := twofactor.VerifyTOTP(ctx, db, kr, u, tt.code, tt.at)
			if !errors.Is(err, tt.want) {
				t.Errorf("VerifyTOTP = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestTOTPRateLimitAfterFiveFailures(t *testing.T) {
	db := modelstest.NewDB(t)
	kr := modelstest.Keyring(t)
	now := modelstest.Date(2026, 11, 22).Add(10 * time.Hour)
	u, secret, codes := enrolled(t, db, kr, now)

	at := now.Add(time.Minute)
	for i := range twofactor.MaxSecondFactorFail {
		if err := twofactor.VerifyTOTP(ctx, db, kr, u, "000000", at.Add(time.Duration(i)*time.Second)); !errors.Is(err, twofactor.ErrTOTPInvalidCode) {
			t.Fatalf("failure %d: %v, want ErrTOTPInvalidCode", i+1, err)
		}
	}
	at = at.Add(time.Minute)
	err := twofactor.VerifyTOTP(ctx, db, kr, u, code(t, secret, at), at)
	var rl *twofactor.RateLimitError
	if !errors.As(err, &rl) || !errors.Is(err, twofactor.ErrTOTPRateLimited) {
		t.Fatalf("correct code after 5 failures: %v, want a RateLimitError", err)
	}
	if !strings.Contains(err.Error(), "réessayez dans 14 minutes") {
		t.Errorf("rate limit message %q, want the minutes left", err.Error())
	}
	if err := twofactor.UseRecoveryCode(ctx, db, u, codes[0], at); !errors.Is(err, twofactor.ErrTOTPRateLimited) {
		t.Errorf("recovery code while limited: %v, want the rate limit", err)
	}
	// Fifteen minutes after the failures, codes work again.
	at = now.Add(time.Minute + twofactor.SecondFactorWindow + 5*time.Second)
	if err := twofactor.VerifyTOTP(ctx, db, kr, u, code(t, secret, at), at); err != nil {
		t.Errorf("after the window: %v, want success", err)
	}
}

func TestRecoveryCodeSingleUse(t *testing.T) {
	db := modelstest.NewDB(t)
	kr := modelstest.Keyring(t)
	now := modelstest.Date(2026, 11, 22).Add(10 * time.Hour)
	u, _, codes := enrolled(t, db, kr, now)

	if err := twofactor.UseRecoveryCode(ctx, db, u, strings.ToLower(codes[3]), now); err != nil {
		t.Fatalf("first use of a recovery code (typed in lower case): %v", err)
	}
	if err := twofactor.UseRecoveryCode(ctx, db, u, codes[3], now); !errors.Is(err, twofactor.ErrRecoveryCodeInvalid) {
		t.Errorf("second use: %v, want ErrRecoveryCodeInvalid", err)
	}
	if err := twofactor.UseRecoveryCode(ctx, db, u, "AAAAA-AAAAA", now); !errors.Is(err, twofactor.ErrRecoveryCodeInvalid) {
		t.Errorf("unknown code: %v, want ErrRecoveryCodeInvalid", err)
	}
	if st, _ := twofactor.TOTPStatusOf(ctx, db, u.ID); st.RecoveryCodesLeft != 9 {
		t.Errorf("recovery codes left = %d, want 9", st.RecoveryCodesLeft)
	}
	fresh, err := twofactor.RegenerateRecoveryCodes(ctx, db, models.ActorFor(u), u, now)
	if err != nil {
		t.Fatal(err)
	}
	if err := twofactor.UseRecoveryCode(ctx, db, u, codes[4], now); !errors.Is(err, twofactor.ErrRecoveryCodeInvalid) {
		t.Errorf("old code after regeneration: %v, want ErrRecoveryCodeInvalid", err)
	}
	if err := twofactor.UseRecoveryCode(ctx, db, u, fresh[0], now); err != nil {
		t.Errorf("new code: %v", err)
	}
}

func TestTOTPRequiredByRole(t *testing.T) {
	off, on := models.DefaultSettings(1), models.DefaultSettings(1)
	on.TOTPRequiredForMembers = true
	for _, tt := range []struct {
		role     models.Role
		settings *models.CommissionSettings
		want     bool
	}{
		{models.RoleAdmin, nil, true},
		{models.RoleSecretariat, off, true},
		{models.RolePresident, off, true},
		{models.RoleMember, off, false},
		{models.RoleMember, on, true},
		{models.RoleAssociation, on, false},
		{models.RolePrefecture, on, false},
		{models.RoleRegion, nil, false},
	} {
		if got := twofactor.TOTPRequired(&models.User{Role: tt.role}, tt.settings); got != tt.want {
			t.Errorf("TOTPRequired(%s, members required %v) = %v, want %v", tt.role, tt.settings != nil && tt.settings.TOTPRequiredForMembers, got, tt.want)
		}
	}
}
