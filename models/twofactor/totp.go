package twofactor

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base32"
	"errors"
	"fmt"
	"image/png"
	"strconv"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/hotp"
	"github.com/pquerna/otp/totp"
	"github.com/uptrace/bun"

	"seance/models"
	"seance/models/keyring"
)

// Parameters of two-factor sign-in.
const (
	TOTPPeriod          = 30               // seconds per code (RFC 6238 default, what apps expect)
	TOTPSkew            = 1                // codes of the previous and next step are accepted
	MaxSecondFactorFail = 5                // failures allowed in SecondFactorWindow...
	SecondFactorWindow  = 15 * time.Minute // ...after which codes are refused until the oldest ages out
	RecoveryCodeCount   = 10
)

// UserTOTP is a user's TOTP secret, sealed with the Keyring under the aad
// "user:<id>:totp". Until ConfirmedAt is set the enrolment is pending and the secret
// does not protect the account. LastStep is the time step of the last accepted code:
// a code of that step or an earlier one is refused, so each code works once.
type UserTOTP struct {
	bun.BaseModel `bun:"table:user_totp"`

	UserID       int64  `bun:",pk"`
	SecretSealed string `bun:",notnull"`
	ConfirmedAt  *time.Time
	LastStep     int64     `bun:",notnull"`
	CreatedAt    time.Time `bun:",notnull"`
	UpdatedAt    time.Time `bun:",notnull"`
}

// RecoveryCode is one of the single-use codes that stand in for a TOTP code when the
// phone is lost. Only a SHA-256 of the code, salted with the user id, is stored.
type RecoveryCode struct {
	bun.BaseModel `bun:"table:recovery_codes"`

	ID        int64     `bun:",pk,autoincrement"`
	UserID    int64     `bun:",notnull"`
	CodeHash  string    `bun:",notnull,unique"`
	CreatedAt time.Time `bun:",notnull"`
	UsedAt    *time.Time
}

// SecondFactorFailure is one wrong TOTP or recovery code, counted for the rate limit.
type SecondFactorFailure struct {
	bun.BaseModel `bun:"table:second_factor_failures"`

	ID     int64 `bun:",pk,autoincrement"`
	UserID int64 `bun:",notnull"`
	At     int64 `bun:",notnull"` // unix seconds
}

// Refusals of two-factor sign-in.
var (
	ErrTOTPAlreadyEnabled  = models.NewRefusal("La double authentification est déjà activée pour ce compte.")
	ErrTOTPNotEnrolled     = models.NewRefusal("La double authentification n'est pas configurée pour ce compte.")
	ErrTOTPInvalidCode     = models.NewRefusal("Code incorrect : vérifiez l'heure de votre téléphone et saisissez le code affiché.")
	ErrTOTPReusedCode      = models.NewRefusal("Ce code a déjà servi : attendez le code suivant.")
	ErrRecoveryCodeInvalid = models.NewRefusal("Code de secours incorrect ou déjà utilisé.")
	// ErrTOTPRateLimited is matched (errors.Is) by every refusal RateLimited returns.
	ErrTOTPRateLimited = models.NewRefusal("Trop de codes erronés.")
)

// RateLimitError refuses a code after MaxSecondFactorFail failures in SecondFactorWindow;
// errors.Is matches it with ErrTOTPRateLimited, and AsRefusal finds the message saying
// when to try again.
type RateLimitError struct {
	RetryAfter time.Duration
}

// Error returns the refusal's message.
func (e *RateLimitError) Error() string { return e.refusal().Message }

// Unwrap returns the refusal to show, which matches ErrTOTPRateLimited.
func (e *RateLimitError) Unwrap() error { return e.refusal() }

func (e *RateLimitError) refusal() *models.Refusal {
	minutes := max(int((e.RetryAfter+time.Minute-1)/time.Minute), 1)
	if minutes == 1 {
		return ErrTOTPRateLimited.Saying("Trop de codes erronés : réessayez dans une minute.")
	}
	return ErrTOTPRateLimited.Saying(fmt.Sprintf("Trop de codes erronés : réessayez dans %d minutes.", minutes))
}

// TOTPRequired reports whether u must use two-factor sign-in: always for the
// administrator, the secretariat and the president; for members when their commission's
// settings say so (s may be nil for users without a commission); optional otherwise.
func TOTPRequired(u *models.User, s *models.CommissionSettings) bool {
	switch u.Role {
	case models.RoleAdmin, models.RoleSecretariat, models.RolePresident:
		return true
	case models.RoleMember:
		return s != nil && s.TOTPRequiredForMembers
	}
	return false
}

// TOTPAAD binds a user's sealed TOTP secret to its row.
func TOTPAAD(userID int64) string { return "user:" + strconv.FormatInt(userID, 10) + ":totp" }

// TOTPEnrolment is what the enrolment page shows: the QR code and the same key to type by hand.
type TOTPEnrolment struct {
	URL       string // otpauth:// URL the QR code encodes
	ManualKey string // base32 secret in groups of four
	PNG       []byte // QR code image, 256×256
}

// StartTOTPEnrolment creates a new pending TOTP secret for u (replacing a pending one)
// and returns what the enrolment page shows; ConfirmTOTP activates it. issuer names the
// portal in the authenticator app. It writes no audit record: the enrolment page calls
// it when nothing is pending, and a GET records nothing; the key counts once confirmed
// (ConfirmTOTP records totp.confirm), and RestartTOTPEnrolment records a replacement.
func StartTOTPEnrolment(ctx context.Context, db bun.IDB, kr *keyring.Keyring, u *models.User, issuer string, now time.Time) (*TOTPEnrolment, error) {
	return startTOTPEnrolment(ctx, db, kr, u, issuer, now, false)
}

// RestartTOTPEnrolment is StartTOTPEnrolment asked for by the user (a new key, e.g.
// after scanning the first on the wrong phone), recorded as totp.enrol in the audit
// log in the same transaction.
func RestartTOTPEnrolment(ctx context.Context, db bun.IDB, kr *keyring.Keyring, u *models.User, issuer string, now time.Time) (*TOTPEnrolment, error) {
	return startTOTPEnrolment(ctx, db, kr, u, issuer, now, true)
}

func startTOTPEnrolment(ctx context.Context, db bun.IDB, kr *keyring.Keyring, u *models.User, issuer string, now time.Time, audit bool) (*TOTPEnrolment, error) {
	key, err := totp.Generate(totp.GenerateOpts{Issuer: issuer, AccountName: u.Email, Period: TOTPPeriod, SecretSize: 20})
	if err != nil {
		return nil, fmt.Errorf("totp enrolment: %w", err)
	}
	enrolment, err := enrolmentOf(key)
	if err != nil {
		return nil, err
	}
	err = models.InTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
		cur, err := findTOTP(ctx, tx, u.ID)
		if err == nil && cur.ConfirmedAt != nil {
			return ErrTOTPAlreadyEnabled
		}
		if err != nil && err != ErrTOTPNotEnrolled {
			return err
		}
		if _, err := tx.NewDelete().Model((*UserTOTP)(nil)).Where("user_id = ?", u.ID).Exec(ctx); err != nil {
			return fmt.Errorf("totp enrolment: %w", err)
		}
		now := now
		row := &UserTOTP{UserID: u.ID, SecretSealed: kr.Seal([]byte(key.Secret()), TOTPAAD(u.ID)), CreatedAt: now, UpdatedAt: now}
		if _, err := tx.NewInsert().Model(row).Exec(ctx); err != nil {
			return fmt.Errorf("totp enrolment: %w", err)
		}
		if !audit {
			return nil
		}
		return models.Audit(ctx, tx, now, models.AuditEntry{CommissionID: u.CommissionIDOrZero(), Actor: models.ActorFor(u), Action: "totp.enrol", Object: models.ObjectRef("user", u.ID)})
	})
	if err != nil {
		return nil, err
	}
	return enrolment, nil
}

// enrolmentOf renders what the enrolment page shows of key.
func enrolmentOf(key *otp.Key) (*TOTPEnrolment, error) {
	img, err := key.Image(256, 256)
	if err != nil {
		return nil, fmt.Errorf("totp enrolment: %w", err)
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("totp enrolment: %w", err)
	}
	return &TOTPEnrolment{URL: key.URL(), ManualKey: groupsOf4(key.Secret()), PNG: buf.Bytes()}, nil
}

// PendingTOTPEnrolment returns the QR code and key of u's pending enrolment again (the
// enrolment page serves the image by a request of its own): ErrTOTPNotEnrolled when
// nothing is pending, ErrTOTPAlreadyEnabled once it is confirmed.
func PendingTOTPEnrolment(ctx context.Context, db bun.IDB, kr *keyring.Keyring, u *models.User, issuer string) (*TOTPEnrolment, error) {
	row, err := findTOTP(ctx, db, u.ID)
	if err != nil {
		return nil, err
	}
	if row.ConfirmedAt != nil {
		return nil, ErrTOTPAlreadyEnabled
	}
	secret, err := kr.Open(row.SecretSealed, TOTPAAD(u.ID))
	if err != nil {
		return nil, fmt.Errorf("open totp secret of user %d: %w", u.ID, err)
	}
	raw, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(string(secret))
	if err != nil {
		return nil, fmt.Errorf("totp secret of user %d: %w", u.ID, err)
	}
	key, err := totp.Generate(totp.GenerateOpts{Issuer: issuer, AccountName: u.Email, Period: TOTPPeriod, Secret: raw})
	if err != nil {
		return nil, fmt.Errorf("totp enrolment: %w", err)
	}
	return enrolmentOf(key)
}

// TOTPEnrolmentNeeded reports whether u must use two-factor sign-in (TOTPRequired, with
// the settings of u's commission) and has not confirmed an enrolment yet: such a user
// may do nothing but enrol.
func TOTPEnrolmentNeeded(ctx context.Context, db bun.IDB, u *models.User) (bool, error) {
	var s *models.CommissionSettings
	if u.Role == models.RoleMember && u.CommissionID != nil {
		var err error
		if s, err = models.FindSettings(ctx, db, *u.CommissionID); err != nil {
			return false, err
		}
	}
	if !TOTPRequired(u, s) {
		return false, nil
	}
	row, err := findTOTP(ctx, db, u.ID)
	if err == ErrTOTPNotEnrolled {
		return true, nil
	}
	if err != nil {
		return false, err
	}
	return row.ConfirmedAt == nil, nil
}

func groupsOf4(s string) string {
	var b strings.Builder
	for i, r := range s {
		if i > 0 && i%4 == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(r)
	}
	return b.String()
}

func findTOTP(ctx context.Context, db bun.IDB, userID int64) (*UserTOTP, error) {
	row := new(UserTOTP)
	err := db.NewSelect().Model(row).Where("user_id = ?", userID).Scan(ctx)
	if err := models.NotFound(err, "find totp"); err == models.ErrNotFound {
		return nil, ErrTOTPNotEnrolled
	} else if err != nil {
		return nil, err
	}
	return row, nil
}

// ConfirmTOTP activates a pending enrolment with the first code the app shows and
// returns the RecoveryCodeCount recovery codes, shown once.
func ConfirmTOTP(ctx context.Context, db bun.IDB, kr *keyring.Keyring, u *models.User, code string, now time.Time) ([]string, error) {
	row, err := findTOTP(ctx, db, u.ID)
	if err != nil {
		return nil, err
	}
	if row.ConfirmedAt != nil {
		return nil, ErrTOTPAlreadyEnabled
	}
	step, err := checkTOTPCode(ctx, db, kr, u, row, code, now)
	if err != nil {
		return nil, err
	}
	var codes []string
	err = models.InTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
		t := now
		res, err := tx.NewUpdate().Model((*UserTOTP)(nil)).Set("confirmed_at = ?", t).Set("last_step = ?", step).
			Set("updated_at = ?", t).Where("user_id = ? AND confirmed_at IS NULL", u.ID).Exec(ctx)
		if err != nil {
			return fmt.Errorf("confirm totp: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return ErrTOTPAlreadyEnabled
		}
		if codes, err = replaceRecoveryCodesTx(ctx, tx, u.ID, now); err != nil {
			return err
		}
		if err := clearFailures(ctx, tx, u.ID); err != nil {
			return err
		}
		return models.Audit(ctx, tx, now, models.AuditEntry{CommissionID: u.CommissionIDOrZero(), Actor: models.ActorFor(u), Action: "totp.confirm", Object: models.ObjectRef("user", u.ID)})
	})
	if err != nil {
		return nil, err
	}
	return codes, nil
}

// VerifyTOTP checks a sign-in code of u: accepted within ±TOTPSkew steps, only if its
// step is later than the last accepted one, and never after MaxSecondFactorFail
// failures in SecondFactorWindow (RateLimitError). Failures are recorded in their own
// transaction: call it with the database, not inside a transaction that may roll back.
func VerifyTOTP(ctx context.Context, db bun.IDB, kr *keyring.Keyring, u *models.User, code string, now time.Time) error {
	row, err := findTOTP(ctx, db, u.ID)
	if err != nil {
		return err
	}
	if row.ConfirmedAt == nil {
		return ErrTOTPNotEnrolled
	}
	step, err := checkTOTPCode(ctx, db, kr, u, row, code, now)
	if err != nil {
		return err
	}
	return models.InTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
		res, err := tx.NewUpdate().Model((*UserTOTP)(nil)).Set("last_step = ?", step).Set("updated_at = ?", now).
			Where("user_id = ? AND last_step < ?", u.ID, step).Exec(ctx)
		if err != nil {
			return fmt.Errorf("verify totp: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return ErrTOTPReusedCode // the same code won a race against this one
		}
		if err := clearFailures(ctx, tx, u.ID); err != nil {
			return err
		}
		return models.Audit(ctx, tx, now, models.AuditEntry{CommissionID: u.CommissionIDOrZero(), Actor: models.ActorFor(u), Action: "auth.totp", Object: models.ObjectRef("user", u.ID)})
	})
}

// checkTOTPCode applies the rate limit, then matches code against the steps around now
// and returns the matched step; a wrong or replayed code is recorded as a failure.
func checkTOTPCode(ctx context.Context, db bun.IDB, kr *keyring.Keyring, u *models.User, row *UserTOTP, code string, now time.Time) (int64, error) {
	if err := checkRateLimit(ctx, db, u, now); err != nil {
		return 0, err
	}
	secret, err := kr.Open(row.SecretSealed, TOTPAAD(u.ID))
	if err != nil {
		return 0, fmt.Errorf("open totp secret of user %d: %w", u.ID, err)
	}
	code = strings.Join(strings.Fields(code), "")
	current := now.Unix() / TOTPPeriod
	matched, replayed := int64(0), false
	for s := current - TOTPSkew; s <= current+TOTPSkew; s++ {
		want, err := hotp.GenerateCodeCustom(string(secret), uint64(s), hotp.ValidateOpts{Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
		if err != nil {
			return 0, fmt.Errorf("totp code: %w", err)
		}
		if subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			if s > row.LastStep {
				matched = s
			} else {
				replayed = true
			}
		}
	}
	switch {
	case matched > 0:
		return matched, nil
	case replayed:
		return 0, recordFailure(ctx, db, u, "totp_reused", now, ErrTOTPReusedCode)
	}
	return 0, recordFailure(ctx, db, u, "totp_wrong", now, ErrTOTPInvalidCode)
}

// checkRateLimit refuses when the user has MaxSecondFactorFail failures in the window.
func checkRateLimit(ctx context.Context, db bun.IDB, u *models.User, now time.Time) error {
	var fs []SecondFactorFailure
	err := db.NewSelect().Model(&fs).Where("user_id = ? AND at > ?", u.ID, now.Add(-SecondFactorWindow).Unix()).
		Order("at ASC").Scan(ctx)
	if err != nil {
		return fmt.Errorf("second factor rate limit: %w", err)
	}
	if len(fs) < MaxSecondFactorFail {
		return nil
	}
	retry := time.Unix(fs[len(fs)-MaxSecondFactorFail].At, 0).Add(SecondFactorWindow).Sub(now)
	err = models.Audit(ctx, db, now, models.AuditEntry{CommissionID: u.CommissionIDOrZero(), Actor: models.ActorFor(u), Action: "auth.second_factor_refused", Object: models.ObjectRef("user", u.ID)})
	if err != nil {
		return err
	}
	return &RateLimitError{RetryAfter: retry}
}

// recordFailure stores a failure, forgets those out of the window, audits, and returns cause.
func recordFailure(ctx context.Context, db bun.IDB, u *models.User, kind string, now time.Time, cause error) error {
	err := models.InTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.NewInsert().Model(&SecondFactorFailure{UserID: u.ID, At: now.Unix()}).Exec(ctx); err != nil {
			return fmt.Errorf("record second factor failure: %w", err)
		}
		_, err := tx.NewDelete().Model((*SecondFactorFailure)(nil)).
			Where("user_id = ? AND at <= ?", u.ID, now.Add(-SecondFactorWindow).Unix()).Exec(ctx)
		if err != nil {
			return fmt.Errorf("record second factor failure: %w", err)
		}
		return models.Audit(ctx, tx, now, models.AuditEntry{
			CommissionID: u.CommissionIDOrZero(), Actor: models.ActorFor(u), Action: "auth.second_factor_failed",
			Object: models.ObjectRef("user", u.ID), Details: map[string]any{"kind": kind},
		})
	})
	if err != nil {
		return err
	}
	return cause
}

func clearFailures(ctx context.Context, tx bun.Tx, userID int64) error {
	if _, err := tx.NewDelete().Model((*SecondFactorFailure)(nil)).Where("user_id = ?", userID).Exec(ctx); err != nil {
		return fmt.Errorf("clear second factor failures: %w", err)
	}
	return nil
}

// recoveryAlphabet has no 0/O or 1/I, which people misread.
const recoveryAlphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"

func newRecoveryCode() string {
	b := make([]byte, 10)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	out := make([]byte, 0, 11)
	for i, x := range b {
		if i == 5 {
			out = append(out, '-')
		}
		out = append(out, recoveryAlphabet[int(x)%len(recoveryAlphabet)])
	}
	return string(out)
}

func hashRecoveryCode(userID int64, code string) string {
	norm := strings.ToUpper(strings.NewReplacer("-", "", " ", "").Replace(code))
	return models.HashToken("recovery:" + strconv.FormatInt(userID, 10) + ":" + norm)
}

func replaceRecoveryCodesTx(ctx context.Context, tx bun.Tx, userID int64, now time.Time) ([]string, error) {
	if _, err := tx.NewDelete().Model((*RecoveryCode)(nil)).Where("user_id = ?", userID).Exec(ctx); err != nil {
		return nil, fmt.Errorf("recovery codes: %w", err)
	}
	codes := make([]string, RecoveryCodeCount)
	rows := make([]RecoveryCode, RecoveryCodeCount)
	now = models.Stamp(now)
	for i := range codes {
		codes[i] = newRecoveryCode()
		rows[i] = RecoveryCode{UserID: userID, CodeHash: hashRecoveryCode(userID, codes[i]), CreatedAt: now}
	}
	if _, err := tx.NewInsert().Model(&rows).Exec(ctx); err != nil {
		return nil, fmt.Errorf("recovery codes: %w", err)
	}
	return codes, nil
}

// RegenerateRecoveryCodes replaces the recovery codes of u (the old ones stop working)
// and returns the new ones, shown once.
func RegenerateRecoveryCodes(ctx context.Context, db bun.IDB, actor models.Actor, u *models.User, now time.Time) ([]string, error) {
	var codes []string
	err := models.InTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
		row, err := findTOTP(ctx, tx, u.ID)
		if err != nil {
			return err
		}
		if row.ConfirmedAt == nil {
			return ErrTOTPNotEnrolled
		}
		if codes, err = replaceRecoveryCodesTx(ctx, tx, u.ID, now); err != nil {
			return err
		}
		return models.Audit(ctx, tx, now, models.AuditEntry{CommissionID: u.CommissionIDOrZero(), Actor: actor, Action: "totp.recovery_codes", Object: models.ObjectRef("user", u.ID)})
	})
	if err != nil {
		return nil, err
	}
	return codes, nil
}

// UseRecoveryCode accepts an unused recovery code of u in place of a TOTP code and uses
// it up. Wrong codes count towards the same rate limit as TOTP codes.
func UseRecoveryCode(ctx context.Context, db bun.IDB, u *models.User, code string, now time.Time) error {
	if err := checkRateLimit(ctx, db, u, now); err != nil {
		return err
	}
	var left int64
	err := models.InTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
		res, err := tx.NewUpdate().Model((*RecoveryCode)(nil)).Set("used_at = ?", now.UTC()).
			Where("user_id = ? AND code_hash = ? AND used_at IS NULL", u.ID, hashRecoveryCode(u.ID, code)).Exec(ctx)
		if err != nil {
			return fmt.Errorf("use recovery code: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return ErrRecoveryCodeInvalid
		}
		if err := clearFailures(ctx, tx, u.ID); err != nil {
			return err
		}
		if left, err = tx.NewSelect().Model((*RecoveryCode)(nil)).Where("user_id = ? AND used_at IS NULL", u.ID).Count(ctx); err != nil {
			return fmt.Errorf("use recovery code: %w", err)
		}
		return models.Audit(ctx, tx, now, models.AuditEntry{
			CommissionID: u.CommissionIDOrZero(), Actor: models.ActorFor(u), Action: "auth.recovery_code",
			Object: models.ObjectRef("user", u.ID), Details: map[string]any{"left": left},
		})
	})
	if errors.Is(err, ErrRecoveryCodeInvalid) {
		return recordFailure(ctx, db, u, "recovery_wrong", now, ErrRecoveryCodeInvalid)
	}
	return err
}

// TOTPStatus is what the account page shows about two-factor sign-in.
type TOTPStatus struct {
	Enabled           bool
	ConfirmedAt       *time.Time
	RecoveryCodesLeft int64
}

// TOTPStatusOf returns the two-factor status of userID.
func TOTPStatusOf(ctx context.Context, db bun.IDB, userID int64) (*TOTPStatus, error) {
	st := &TOTPStatus{}
	row, err := findTOTP(ctx, db, userID)
	if err == ErrTOTPNotEnrolled {
		return st, nil
	}
	if err != nil {
		return nil, err
	}
	st.Enabled, st.ConfirmedAt = row.ConfirmedAt != nil, row.ConfirmedAt
	st.RecoveryCodesLeft, err = db.NewSelect().Model((*RecoveryCode)(nil)).Where("user_id = ? AND used_at IS NULL", userID).Count(ctx)
	if err != nil {
		return nil, fmt.Errorf("totp status: %w", err)
	}
	return st, nil
}

// DisableTOTP removes the TOTP secret, recovery codes and failures of userID: the
// administrator's reset for a lost phone, after which the user enrols again at the next
// sign-in if TOTPRequired. Audited with the actor.
func DisableTOTP(ctx context.Context, db bun.IDB, actor models.Actor, userID int64, now time.Time) error {
	return models.InTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
		u, err := models.FindUser(ctx, tx, userID)
		if err != nil {
			return err
		}
		for _, m := range []any{(*UserTOTP)(nil), (*RecoveryCode)(nil), (*SecondFactorFailure)(nil)} {
			if _, err := tx.NewDelete().Model(m).Where("user_id = ?", userID).Exec(ctx); err != nil {
				return fmt.Errorf("disable totp: %w", err)
			}
		}
		return models.Audit(ctx, tx, now, models.AuditEntry{CommissionID: u.CommissionIDOrZero(), Actor: actor, Action: "totp.disable", Object: models.ObjectRef("user", userID)})
	})
}
