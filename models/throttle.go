package models

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/uptrace/bun"
)

// Sign-in throttling (CNIL, délibération 2022-100 on passwords): after a few failed
// sign-ins the next attempt must wait, and the wait doubles with each further failure up
// to a cap, instead of a lock that anyone knowing an address could trigger. The counters
// are kept per account, keyed by the e-mail typed whether or not an account has it (so
// that an unknown address behaves exactly like a known one), and per client address.
const (
	// AccountFreeFailures is the number of failures of one e-mail address before a wait.
	AccountFreeFailures = 5
	// AddressFreeFailures is the number of failures from one client address before a
	// wait (higher: several people may share an office's address).
	AddressFreeFailures = 20
	// LoginDelayBase is the wait after the last free failure; each further failure doubles it.
	LoginDelayBase = time.Minute
	// LoginDelayMax caps the wait: the owner of an account under attack can still try
	// every LoginDelayMax, and a password reset clears the account's counter at once.
	LoginDelayMax = 30 * time.Minute
	// LoginFailureMemory is how long a counter lasts after its last failure.
	LoginFailureMemory = 24 * time.Hour
)

// LoginThrottle counts the recent failed sign-ins of one subject (an account or a client
// address) and says when the next attempt may be made. Times are Unix milliseconds,
// compared as integers on both databases.
type LoginThrottle struct {
	bun.BaseModel `bun:"table:login_throttles"`

	// Subject is "account:" and the SHA-256 of the normalised e-mail (addresses typed by
	// strangers are not kept in clear), or "address:" and the client's IP address.
	Subject       string `bun:",pk"`
	Failures      int    `bun:",notnull"`
	LastFailureMS int64  `bun:"last_failure_ms,notnull"`
	NotBeforeMS   int64  `bun:"not_before_ms,notnull"`
}

func accountSubject(email string) string {
	sum := sha256.Sum256([]byte(NormalizeEmail(email)))
	return "account:" + hex.EncodeToString(sum[:])
}

func addressSubject(ip string) string { return "address:" + ip }

// LoginDelay returns the wait that follows the failures-th recent failure of a subject
// allowed free failures: none before, LoginDelayBase at the free-th, doubling after,
// never more than LoginDelayMax.
func LoginDelay(failures, free int) time.Duration {
	if failures < free {
		return 0
	}
	d := LoginDelayBase
	for i := free; i < failures && d < LoginDelayMax; i++ {
		d *= 2
	}
	return min(d, LoginDelayMax)
}

// LoginNotBefore returns when the next sign-in attempt for email from ip may be made,
// or the zero time when it may be made now. It is the same for an unknown e-mail as for
// an account: it depends only on the failures recorded for the typed address and the
// client's.
func LoginNotBefore(ctx context.Context, db bun.IDB, email, ip string, now time.Time) (time.Time, error) {
	var ts []LoginThrottle
	err := db.NewSelect().Model(&ts).Where("subject IN (?)", bun.In([]string{accountSubject(email), addressSubject(ip)})).Scan(ctx)
	if err != nil {
		return time.Time{}, fmt.Errorf("login not before: %w", err)
	}
	var until int64
	for _, t := range ts {
		until = max(until, t.NotBeforeMS)
	}
	if until <= now.UnixMilli() {
		return time.Time{}, nil
	}
	return time.UnixMilli(until).UTC(), nil
}

// countLoginFailure adds a failure to subject's counter (restarting it when the last one
// is older than LoginFailureMemory) and moves its next allowed attempt forward. The
// increment is one upsert, so concurrent failures are all counted.
func countLoginFailure(ctx context.Context, tx bun.Tx, subject string, free int, now time.Time) (int, error) {
	var failures int
	ms := now.UnixMilli()
	err := tx.NewRaw(`INSERT INTO login_throttles (subject, failures, last_failure_ms, not_before_ms) VALUES (?, 1, ?, 0)
		ON CONFLICT (subject) DO UPDATE SET
			failures = CASE WHEN login_throttles.last_failure_ms < ? THEN 1 ELSE login_throttles.failures + 1 END,
			last_failure_ms = EXCLUDED.last_failure_ms
		RETURNING failures`, subject, ms, ms-LoginFailureMemory.Milliseconds()).Scan(ctx, &failures)
	if err != nil {
		return 0, fmt.Errorf("count login failure: %w", err)
	}
	if d := LoginDelay(failures, free); d > 0 {
		until := now.Add(d).UnixMilli()
		_, err := tx.NewUpdate().Model((*LoginThrottle)(nil)).Set("not_before_ms = ?", until).
			Where("subject = ? AND not_before_ms < ?", subject, until).Exec(ctx)
		if err != nil {
			return 0, fmt.Errorf("count login failure: %w", err)
		}
	}
	return failures, nil
}

// RecordLoginFailure counts a failed sign-in for the typed e-mail and the client address
// and audits it. u is the account of email, or nil for an unknown e-mail: the counting
// is the same either way.
func RecordLoginFailure(ctx context.Context, db bun.IDB, u *User, email, ip string, now time.Time) error {
	return InTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
		entry := AuditEntry{Actor: Actor{Label: NormalizeEmail(email)}, Action: "auth.login_failed", Details: map[string]any{"ip": ip}}
		if u != nil {
			entry.Actor.UserID = u.ID
			entry.CommissionID = u.CommissionIDOrZero()
			entry.Object = ObjectRef("user", u.ID)
		}
		n, err := countLoginFailure(ctx, tx, accountSubject(email), AccountFreeFailures, now)
		if err != nil {
			return err
		}
		if d := LoginDelay(n, AccountFreeFailures); d > 0 {
			entry.Details["account_delay_s"] = int(d.Seconds())
		}
		if n, err = countLoginFailure(ctx, tx, addressSubject(ip), AddressFreeFailures, now); err != nil {
			return err
		}
		if d := LoginDelay(n, AddressFreeFailures); d > 0 {
			entry.Details["address_delay_s"] = int(d.Seconds())
		}
		return Audit(ctx, tx, now, entry)
	})
}

// RecordLoginThrottled audits an attempt refused because it came before the wait's end
// (its password was not checked, and it is not counted as a failure).
func RecordLoginThrottled(ctx context.Context, db bun.IDB, email, ip string, until, now time.Time) error {
	return Audit(ctx, db, now, AuditEntry{
		Actor: Actor{Label: NormalizeEmail(email)}, Action: "auth.login_throttled",
		Details: map[string]any{"ip": ip, "not_before": until.UTC().Format(time.RFC3339)},
	})
}

// clearAccountFailures forgets the failures of the account of email (after a sign-in or
// a new password); the client address's counter stays.
func clearAccountFailures(ctx context.Context, db bun.IDB, email string) error {
	_, err := db.NewDelete().Model((*LoginThrottle)(nil)).Where("subject = ?", accountSubject(email)).Exec(ctx)
	if err != nil {
		return fmt.Errorf("clear login failures: %w", err)
	}
	return nil
}

// ForgetLoginFailures deletes the counters whose last failure is older than
// LoginFailureMemory; the cleanup job calls it.
func ForgetLoginFailures(ctx context.Context, db bun.IDB, now time.Time) (int64, error) {
	res, err := db.NewDelete().Model((*LoginThrottle)(nil)).
		Where("last_failure_ms < ? AND not_before_ms < ?", now.Add(-LoginFailureMemory).UnixMilli(), now.UnixMilli()).Exec(ctx)
	if err != nil {
		return 0, fmt.Errorf("forget login failures: %w", err)
	}
	n, _ := res.RowsAffected()
	return n, nil
}
