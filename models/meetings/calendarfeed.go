package meetings

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"seance/models"
)

// CalendarFeed is a user's personal calendar subscription: a secret URL listing their
// sessions, for a calendar application. Only the token's hash is stored; a user has
// at most one feed not revoked, and creating a new one revokes the old.
type CalendarFeed struct {
	bun.BaseModel `bun:"table:calendar_feeds"`

	ID           int64     `bun:",pk,autoincrement"`
	CommissionID int64     `bun:",notnull"`
	UserID       int64     `bun:",notnull"`
	TokenHash    string    `bun:",notnull,unique" json:"-"`
	CreatedAt    time.Time `bun:",notnull"`
	LastUsedAt   *time.Time
	RevokedAt    *time.Time
}

// CreateCalendarFeed revokes u's current feed, if any, and creates a new one; it returns
// the secret token, shown once.
func CreateCalendarFeed(ctx context.Context, db bun.IDB, u *models.User, now time.Time) (string, error) {
	cid := u.CommissionIDOrZero()
	if cid == 0 || !u.Active {
		return "", models.ErrNotFound
	}
	token := models.NewSecretToken()
	err := models.InTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
		if err := revokeFeedsTx(ctx, tx, u, now); err != nil {
			return err
		}
		f := &CalendarFeed{CommissionID: cid, UserID: u.ID, TokenHash: models.HashToken(token), CreatedAt: models.Stamp(now)}
		if _, err := tx.NewInsert().Model(f).Exec(ctx); err != nil {
			return fmt.Errorf("create calendar feed: %w", err)
		}
		return models.Audit(ctx, tx, now, models.AuditEntry{CommissionID: cid, Actor: models.ActorFor(u), Action: "calendar_feed.create", Object: models.ObjectRef("user", u.ID),
			Details: map[string]any{"feed_id": f.ID}})
	})
	if err != nil {
		return "", err
	}
	return token, nil
}

// RevokeCalendarFeed revokes u's feed: its URL stops working at once.
func RevokeCalendarFeed(ctx context.Context, db bun.IDB, u *models.User, now time.Time) error {
	return models.InTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
		if err := revokeFeedsTx(ctx, tx, u, now); err != nil {
			return err
		}
		return models.Audit(ctx, tx, now, models.AuditEntry{CommissionID: u.CommissionIDOrZero(), Actor: models.ActorFor(u), Action: "calendar_feed.revoke", Object: models.ObjectRef("user", u.ID)})
	})
}

func revokeFeedsTx(ctx context.Context, tx bun.Tx, u *models.User, now time.Time) error {
	_, err := tx.NewUpdate().Model((*CalendarFeed)(nil)).Set("revoked_at = ?", models.Stamp(now)).
		Where("user_id = ? AND revoked_at IS NULL", u.ID).Exec(ctx)
	if err != nil {
		return fmt.Errorf("revoke calendar feed: %w", err)
	}
	return nil
}

// ActiveCalendarFeed returns u's feed not revoked, or ErrNotFound.
func ActiveCalendarFeed(ctx context.Context, db bun.IDB, u *models.User) (*CalendarFeed, error) {
	f := new(CalendarFeed)
	err := db.NewSelect().Model(f).Where("user_id = ? AND revoked_at IS NULL", u.ID).Order("id DESC").Limit(1).Scan(ctx)
	if err != nil {
		return nil, models.NotFound(err, "find calendar feed")
	}
	return f, nil
}

// CalendarFeedUser returns the active user whose feed token is token, and records the
// use; ErrNotFound for an unknown or revoked token.
func CalendarFeedUser(ctx context.Context, db bun.IDB, token string, now time.Time) (*models.User, error) {
	if token == "" {
		return nil, models.ErrNotFound
	}
	f := new(CalendarFeed)
	if err := db.NewSelect().Model(f).Where("token_hash = ? AND revoked_at IS NULL", models.HashToken(token)).Scan(ctx); err != nil {
		return nil, models.NotFound(err, "find calendar feed")
	}
	u, err := models.FindUser(ctx, db, f.UserID)
	if err != nil {
		return nil, err
	}
	if !u.Active || u.CommissionIDOrZero() != f.CommissionID {
		return nil, models.ErrNotFound
	}
	if _, err := db.NewUpdate().Model(f).Set("last_used_at = ?", models.Stamp(now)).WherePK().Exec(ctx); err != nil {
		return nil, fmt.Errorf("calendar feed use: %w", err)
	}
	return u, nil
}
