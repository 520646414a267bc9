package models

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"
)

// TokenPurpose is what a single-use e-mailed link lets its holder do.
type TokenPurpose string

// The purposes of account links.
const (
	TokenInvitation    TokenPurpose = "invitation"   // first password of an invited account
	TokenPasswordReset TokenPurpose = "reset"        // new password after "mot de passe oublié"
	TokenEmailChange   TokenPurpose = "email_change" // new e-mail address asked for on "Mon compte"
)

// InvitationTTL is how long an invitation link stays valid.
const InvitationTTL = 72 * time.Hour

// PasswordResetTTL is how long a reset link stays valid: the person asked for it and is
// reading their mail now, so a short window limits what a leaked mailbox gives away.
const PasswordResetTTL = time.Hour

// EmailChangeTTL is how long the link confirming a new e-mail address stays valid.
const EmailChangeTTL = 24 * time.Hour

// TTL returns how long a link of this purpose stays valid.
func (p TokenPurpose) TTL() time.Duration {
	switch p {
	case TokenPasswordReset:
		return PasswordResetTTL
	case TokenEmailChange:
		return EmailChangeTTL
	}
	return InvitationTTL
}

// AccountToken is a single-use link sent by e-mail. Only the SHA-256 of the secret is
// stored; the secret is returned once, to be put in the e-mail.
type AccountToken struct {
	bun.BaseModel `bun:"table:account_tokens"`

	ID        int64        `bun:",pk,autoincrement"`
	UserID    int64        `bun:",notnull"`
	Purpose   TokenPurpose `bun:",notnull"`
	TokenHash string       `bun:",notnull,unique"`
	CreatedAt time.Time    `bun:",notnull"`
	ExpiresAt time.Time    `bun:",notnull"`
	UsedAt    *time.Time
	// NewEmail is the address a TokenEmailChange link confirms (empty for other purposes).
	NewEmail string `bun:",notnull"`
}

// ErrTokenInvalid is returned for a link that is unknown, used, expired, replaced by a
// newer one, of another purpose or of a deactivated account; the message is for the user
// and does not say which.
var ErrTokenInvalid = NewRefusal("Ce lien n'est plus valide : il a déjà servi, il a expiré ou un lien plus récent l'a remplacé.")

// CreateAccountToken creates a link of purpose for userID valid from now for
// purpose.TTL(), and returns its secret, shown once. Earlier unused links of the same
// purpose stop working, so that only the latest e-mail counts.
func CreateAccountToken(ctx context.Context, db bun.IDB, actor Actor, userID int64, purpose TokenPurpose, now time.Time) (string, error) {
	var secret string
	err := InTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
		u, err := FindUser(ctx, tx, userID)
		if err != nil {
			return err
		}
		secret, err = CreateAccountTokenTx(ctx, tx, actor, u, purpose, "", now)
		return err
	})
	if err != nil {
		return "", err
	}
	return secret, nil
}

// CreateAccountTokenTx is CreateAccountToken for user u inside transaction tx; newEmail
// is the address an e-mail change link confirms (empty for the other purposes).
func CreateAccountTokenTx(ctx context.Context, tx bun.Tx, actor Actor, u *User, purpose TokenPurpose, newEmail string, now time.Time) (string, error) {
	switch {
	case purpose != TokenInvitation && purpose != TokenPasswordReset && purpose != TokenEmailChange:
		return "", fmt.Errorf("create account token: unknown purpose %q", purpose)
	case (purpose == TokenEmailChange) != (newEmail != ""):
		return "", fmt.Errorf("create account token: a new e-mail goes with purpose %q only", TokenEmailChange)
	}
	_, err := tx.NewDelete().Model((*AccountToken)(nil)).
		Where("user_id = ? AND purpose = ? AND used_at IS NULL", u.ID, purpose).Exec(ctx)
	if err != nil {
		return "", fmt.Errorf("create account token: %w", err)
	}
	secret := NewSecretToken()
	t := &AccountToken{
		UserID: u.ID, Purpose: purpose, TokenHash: HashToken(secret),
		CreatedAt: now.UTC(), ExpiresAt: now.UTC().Add(purpose.TTL()), NewEmail: newEmail,
	}
	if _, err := tx.NewInsert().Model(t).Exec(ctx); err != nil {
		return "", fmt.Errorf("create account token: %w", err)
	}
	details := map[string]any{"purpose": string(purpose), "expires_at": t.ExpiresAt.Format(time.RFC3339)}
	if newEmail != "" {
		details["new_email"] = newEmail
	}
	err = Audit(ctx, tx, now, AuditEntry{
		CommissionID: u.CommissionIDOrZero(), Actor: actor, Action: "account_token.create", Object: ObjectRef("user", u.ID), Details: details,
	})
	if err != nil {
		return "", err
	}
	return secret, nil
}

// findAccountToken returns the valid token of secret and its active user, or
// ErrTokenInvalid. An invitation is no longer valid once its account is activated: a
// password set through a reset or by the CLI must not leave an older invitation usable.
func findAccountToken(ctx context.Context, db bun.IDB, secret string, purpose TokenPurpose, now time.Time) (*AccountToken, *User, error) {
	t := new(AccountToken)
	err := db.NewSelect().Model(t).Where("token_hash = ? AND purpose = ?", HashToken(secret), purpose).Scan(ctx)
	if err := NotFound(err, "find account token"); err == ErrNotFound {
		return nil, nil, ErrTokenInvalid
	} else if err != nil {
		return nil, nil, err
	}
	if t.UsedAt != nil || !now.Before(t.ExpiresAt) {
		return nil, nil, ErrTokenInvalid
	}
	u, err := FindUser(ctx, db, t.UserID)
	if err == ErrNotFound || (err == nil && (!u.Active || (purpose == TokenInvitation && u.Activated()))) {
		return nil, nil, ErrTokenInvalid
	}
	if err != nil {
		return nil, nil, err
	}
	return t, u, nil
}

// PeekAccountToken returns the user of a valid link without using it up, for the page
// that asks for the new password.
func PeekAccountToken(ctx context.Context, db bun.IDB, secret string, purpose TokenPurpose, now time.Time) (*User, error) {
	_, u, err := findAccountToken(ctx, db, secret, purpose, now)
	if err != nil {
		return nil, err
	}
	return u, nil
}

// ConsumeAccountToken uses up a valid link and returns its user: a second call with the
// same secret gets ErrTokenInvalid, even when two run at once. Call it in the
// transaction that uses the link (as SetPasswordWithToken does), so that a failure
// leaves the link usable.
func ConsumeAccountToken(ctx context.Context, db bun.IDB, secret string, purpose TokenPurpose, now time.Time) (*User, error) {
	var u *User
	err := InTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
		var err error
		_, u, err = consumeAccountTokenTx(ctx, tx, secret, purpose, now)
		return err
	})
	if err != nil {
		return nil, err
	}
	return u, nil
}

func consumeAccountTokenTx(ctx context.Context, tx bun.Tx, secret string, purpose TokenPurpose, now time.Time) (*AccountToken, *User, error) {
	t, u, err := findAccountToken(ctx, tx, secret, purpose, now)
	if err != nil {
		return nil, nil, err
	}
	res, err := tx.NewUpdate().Model((*AccountToken)(nil)).Set("used_at = ?", now.UTC()).
		Where("id = ? AND used_at IS NULL", t.ID).Exec(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("consume account token: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return nil, nil, ErrTokenInvalid
	}
	err = Audit(ctx, tx, now, AuditEntry{
		CommissionID: u.CommissionIDOrZero(), Actor: ActorFor(u), Action: "account_token.use", Object: ObjectRef("user", u.ID),
		Details: map[string]any{"purpose": string(purpose)},
	})
	if err != nil {
		return nil, nil, err
	}
	return t, u, nil
}

// SetPasswordWithToken uses up a link and stores the new password hash in one
// transaction; the user's other sessions end (SetPassword).
func SetPasswordWithToken(ctx context.Context, db bun.IDB, secret string, purpose TokenPurpose, hash string, now time.Time) (*User, error) {
	var u *User
	err := InTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
		var err error
		if u, err = ConsumeAccountToken(ctx, tx, secret, purpose, now); err != nil {
			return err
		}
		return SetPassword(ctx, tx, ActorFor(u), u.ID, hash, now)
	})
	if err != nil {
		return nil, err
	}
	return u, nil
}

// msgAlreadyActivated refuses an invitation for an account whose owner chose a password.
const msgAlreadyActivated = "Cette personne a déjà activé son compte en choisissant son mot de passe : une invitation n'est plus possible. " +
	"Si elle l'a oublié, elle en choisit un nouveau elle-même avec « Mot de passe oublié » sur la page de connexion."

// InvitePerson makes a new invitation link for a member of commission cid (an earlier
// one stops working) and returns its secret, to be e-mailed. Only an account that has
// never been activated (User.Activated) can be invited: an invitation sets a password
// without knowing the current one, so it would hand an activated account to whoever
// reads the mailbox it goes to.
func InvitePerson(ctx context.Context, db bun.IDB, actor Actor, cid, userID int64, now time.Time) (string, error) {
	u, err := FindUser(ctx, db, userID)
	if err != nil {
		return "", err
	}
	if u.CommissionIDOrZero() != cid {
		return "", ErrNotFound
	}
	if !u.Active {
		return "", FieldErrors{FormLevel: "Ce compte est désactivé : réactivez-le avant de l'inviter."}.Err()
	}
	if u.Activated() {
		return "", FieldErrors{FormLevel: msgAlreadyActivated}.Err()
	}
	return CreateAccountToken(ctx, db, actor, userID, TokenInvitation, now)
}

// PasswordReset is the outcome of a reset request. Secret is empty when there is nothing
// to send (unknown e-mail, deactivated account); the page shows the same answer either way.
type PasswordReset struct {
	User   *User
	Secret string
}

// ShouldSend reports whether an e-mail must be sent.
func (r *PasswordReset) ShouldSend() bool { return r.Secret != "" }

// RequestPasswordReset creates a reset link for the active account of email. Whether the
// e-mail exists shows only in the audit log, never in the result's error: an unknown
// address gives an empty PasswordReset and a nil error. Send the e-mail outside the
// request (or after a fixed delay), so that the response time does not tell either.
func RequestPasswordReset(ctx context.Context, db bun.IDB, email, ip string, now time.Time) (*PasswordReset, error) {
	email = NormalizeEmail(email)
	u, err := FindUserByEmail(ctx, db, email)
	if err == ErrNotFound || (err == nil && !u.Active) {
		err := Audit(ctx, db, now, AuditEntry{Actor: Actor{Label: email}, Action: "auth.reset_refused", Details: map[string]any{"ip": ip}})
		if err != nil {
			return nil, err
		}
		return &PasswordReset{}, nil
	}
	if err != nil {
		return nil, err
	}
	secret, err := CreateAccountToken(ctx, db, Actor{UserID: u.ID, Label: u.Email}, u.ID, TokenPasswordReset, now)
	if err != nil {
		return nil, err
	}
	return &PasswordReset{User: u, Secret: secret}, nil
}
