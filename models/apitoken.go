package models

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/uptrace/bun"
)

// APIToken lets a user call the portal from a script (e.g. the prefecture's yearly download).
// Only the SHA-256 of the token is stored.
type APIToken struct {
	bun.BaseModel `bun:"table:api_tokens"`

	ID         int64     `bun:",pk,autoincrement"`
	UserID     int64     `bun:",notnull"`
	Name       string    `bun:",notnull"`
	TokenHash  string    `bun:",notnull,unique"`
	CreatedAt  time.Time `bun:",notnull"`
	LastUsedAt *time.Time
	RevokedAt  *time.Time
}

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

// CreateAPIToken creates a token for a user and returns its secret, shown once.
func CreateAPIToken(ctx context.Context, db bun.IDB, actor Actor, userID int64, name string, now time.Time) (string, error) {
	secret := "sea_" + NewSecretToken()
	err := InTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
		u, err := FindUser(ctx, tx, userID)
		if err != nil {
			return err
		}
		t := &APIToken{UserID: userID, Name: name, TokenHash: HashToken(secret), CreatedAt: now}
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

// UserForAPIToken returns the active user owning a valid token.
func UserForAPIToken(ctx context.Context, db bun.IDB, secret string, now time.Time) (*User, error) {
	var t APIToken
	err := db.NewSelect().Model(&t).Where("token_hash = ? AND revoked_at IS NULL", HashToken(secret)).Scan(ctx)
	if err != nil {
		return nil, notFound(err, "find api token")
	}
	u, err := FindUser(ctx, db, t.UserID)
	if err != nil {
		return nil, err
	}
	if !u.Active {
		return nil, ErrNotFound
	}
	_, err = db.NewUpdate().Model((*APIToken)(nil)).Set("last_used_at = ?", now).Where("id = ?", t.ID).Exec(ctx)
	if err != nil {
		return nil, fmt.Errorf("touch api token: %w", err)
	}
	return u, nil
}
