package models

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/uptrace/bun"
)

// APIToken lets a user call the read API (/api/v1) from a script, e.g. the prefecture's
// yearly download. Only the SHA-256 of the secret is stored; the secret is shown once.
type APIToken struct {
	bun.BaseModel `bun:"table:api_tokens"`

	ID         int64     `bun:",pk,autoincrement"`
	UserID     int64     `bun:",notnull"`
	Name       string    `bun:",notnull"`
	TokenHash  string    `bun:",notnull,unique" json:"-"`
	CreatedAt  time.Time `bun:",notnull"`
	LastUsedAt *time.Time
	RevokedAt  *time.Time
}

// Limits of the API tokens of one account.
const (
	// MaxAPITokens is how many tokens not revoked one account may hold.
	MaxAPITokens = 10
	// MaxAPITokenName bounds a token's name, in characters.
	MaxAPITokenName = 100
	// APITokenPrefix starts every secret, so that a leaked one is easy to recognise.
	APITokenPrefix = "sea_"
	// apiTokenTouchEvery is how often a token's last use is written: at most one write
	// per minute and token, whatever the number of calls.
	apiTokenTouchEvery = time.Minute
)

// HashToken returns the hex SHA-256 of a secret token.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// NewSecretToken returns 32 random bytes, URL-safe base64 encoded.
func NewSecretToken() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// CreateAPIToken creates a token named name for a user and returns its secret, shown
// once. The name is required (it tells the tokens apart on the « Jetons d'API » page)
// and an account holds at most MaxAPITokens tokens not revoked; refusals are FieldErrors
// on "name".
func CreateAPIToken(ctx context.Context, db bun.IDB, actor Actor, userID int64, name string, now time.Time) (string, error) {
	name = strings.Join(strings.Fields(name), " ")
	switch {
	case name == "":
		return "", FieldErrors{"name": "Donnez un nom au jeton, par exemple « Export annuel préfecture »."}.Err()
	case utf8.RuneCountInString(name) > MaxAPITokenName:
		return "", FieldErrors{"name": fmt.Sprintf("Le nom du jeton ne peut dépasser %d caractères.", MaxAPITokenName)}.Err()
	}
	secret := APITokenPrefix + NewSecretToken()
	err := InTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
		u, err := FindUser(ctx, tx, userID)
		if err != nil {
			return err
		}
		active, err := tx.NewSelect().Model((*APIToken)(nil)).Where("user_id = ? AND revoked_at IS NULL", userID).Count(ctx)
		if err != nil {
			return fmt.Errorf("count api tokens: %w", err)
		}
		if active >= MaxAPITokens {
			return FieldErrors{"name": fmt.Sprintf("Vous avez déjà %d jetons actifs, le maximum : révoquez-en un avant d'en créer un autre.", MaxAPITokens)}.Err()
		}
		t := &APIToken{UserID: userID, Name: name, TokenHash: HashToken(secret), CreatedAt: Stamp(now)}
		if _, err := tx.NewInsert().Model(t).Exec(ctx); err != nil {
			return fmt.Errorf("create api token: %w", err)
		}
		return Audit(ctx, tx, now, AuditEntry{
			CommissionID: u.CommissionIDOrZero(), Actor: actor, Action: "token.create",
			Object: ObjectRef("api_token", t.ID), Details: map[string]any{"user_id": userID, "name": name},
		})
	})
	if err != nil {
		return "", err
	}
	return secret, nil
}

// ListAPITokens returns the tokens of a user, newest first, revoked ones included.
func ListAPITokens(ctx context.Context, db bun.IDB, userID int64) ([]APIToken, error) {
	ts := []APIToken{}
	err := db.NewSelect().Model(&ts).Where("user_id = ?", userID).Order("created_at DESC", "id DESC").Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("list api tokens: %w", err)
	}
	return ts, nil
}

// RevokeAPIToken revokes token id of user userID: calls with it are refused at once.
// Another user's token is ErrNotFound; revoking a revoked token changes nothing.
func RevokeAPIToken(ctx context.Context, db bun.IDB, actor Actor, userID, id int64, now time.Time) error {
	return InTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
		t := new(APIToken)
		if err := tx.NewSelect().Model(t).Where("id = ? AND user_id = ?", id, userID).Scan(ctx); err != nil {
			return NotFound(err, "find api token")
		}
		if t.RevokedAt != nil {
			return nil
		}
		if _, err := tx.NewUpdate().Model(t).Set("revoked_at = ?", Stamp(now)).WherePK().Exec(ctx); err != nil {
			return fmt.Errorf("revoke api token: %w", err)
		}
		u, err := FindUser(ctx, tx, userID)
		if err != nil {
			return err
		}
		return Audit(ctx, tx, now, AuditEntry{
			CommissionID: u.CommissionIDOrZero(), Actor: actor, Action: "token.revoke",
			Object: ObjectRef("api_token", t.ID), Details: map[string]any{"user_id": userID, "name": t.Name},
		})
	})
}

// AuthenticateAPIToken returns the token with secret and its owner, an active user, and
// records the use (at most once a minute: LastUsedAt is precise to the minute).
// ErrNotFound for an unknown or revoked token, or an inactive account.
func AuthenticateAPIToken(ctx context.Context, db bun.IDB, secret string, now time.Time) (*APIToken, *User, error) {
	if !strings.HasPrefix(secret, APITokenPrefix) {
		return nil, nil, ErrNotFound
	}
	t := new(APIToken)
	if err := db.NewSelect().Model(t).Where("token_hash = ? AND revoked_at IS NULL", HashToken(secret)).Scan(ctx); err != nil {
		return nil, nil, NotFound(err, "find api token")
	}
	u, err := FindUser(ctx, db, t.UserID)
	if err != nil {
		return nil, nil, err
	}
	if !u.Active {
		return nil, nil, ErrNotFound
	}
	now = Stamp(now)
	if t.LastUsedAt == nil || now.Sub(*t.LastUsedAt) >= apiTokenTouchEvery {
		_, err = db.NewUpdate().Model(t).Set("last_used_at = ?", now).WherePK().Exec(ctx)
		if err != nil {
			return nil, nil, fmt.Errorf("touch api token: %w", err)
		}
		t.LastUsedAt = &now
	}
	return t, u, nil
}
