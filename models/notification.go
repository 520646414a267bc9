package models

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"
)

// Notification is one notice a reminder job sent to one recipient (an e-mail through
// the outbox, and a line on their « Mes notifications » page). Key names the notice,
// its object, its recipient and its occurrence (« renewal-45:parcours:12:period:3:user:7 »):
// it is unique, so that a job run again records, and sends, nothing twice.
type Notification struct {
	bun.BaseModel `bun:"table:notifications"`

	ID           int64     `bun:",pk,autoincrement"`
	CommissionID int64     `bun:",notnull"`
	UserID       *int64    `bun:",nullzero"` // nil for an address without an account (an association's contact)
	Email        string    `bun:",notnull"`
	Kind         string    `bun:",notnull"` // e.g. "renewal-45", "convocation-reminder"
	Object       string    `bun:",notnull"` // e.g. "parcours:12"
	Key          string    `bun:"notice_key,notnull,unique"`
	Subject      string    `bun:",notnull"`
	Link         string    `bun:",notnull"` // path of the page concerned, e.g. /parcours/12
	OutboxID     *int64    `bun:",nullzero"`
	CreatedAt    time.Time `bun:",notnull"`
}

// InsertNotification inserts n at now unless a notification with its Key exists; it
// reports whether n was inserted (false: already notified). Call it in the
// transaction that queues the e-mail.
func InsertNotification(ctx context.Context, db bun.IDB, n *Notification, now time.Time) (bool, error) {
	n.CreatedAt = Stamp(now)
	res, err := db.NewInsert().Model(n).On("CONFLICT (notice_key) DO NOTHING").Returning("NULL").Exec(ctx)
	if err != nil {
		return false, fmt.Errorf("record notification %s: %w", n.Key, err)
	}
	k, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("record notification %s: %w", n.Key, err)
	}
	if k == 0 {
		return false, nil
	}
	// The id: Returning("NULL") leaves it unset on PostgreSQL.
	if err := db.NewSelect().Model(n).Column("id").Where("notice_key = ?", n.Key).Scan(ctx); err != nil {
		return false, fmt.Errorf("record notification %s: %w", n.Key, err)
	}
	return true, nil
}

// SetNotificationOutbox links notification id to the e-mail that carried it.
func SetNotificationOutbox(ctx context.Context, db bun.IDB, id, outboxID int64) error {
	_, err := db.NewUpdate().Model((*Notification)(nil)).Set("outbox_id = ?", outboxID).Where("id = ?", id).Exec(ctx)
	if err != nil {
		return fmt.Errorf("notification %d outbox: %w", id, err)
	}
	return nil
}

// ListNotifications returns the latest limit notifications of user userID, newest first.
func ListNotifications(ctx context.Context, db bun.IDB, userID int64, limit int) ([]Notification, error) {
	var ns []Notification
	err := db.NewSelect().Model(&ns).Where("user_id = ?", userID).Order("id DESC").Limit(int64(limit)).Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("list notifications: %w", err)
	}
	return ns, nil
}

// ActiveUsersWithRole returns the active accounts of commission cid having one of roles.
func ActiveUsersWithRole(ctx context.Context, db bun.IDB, cid int64, roles ...Role) ([]User, error) {
	var us []User
	err := db.NewSelect().Model(&us).Where("commission_id = ? AND active = ?", cid, true).
		Where("role IN (?)", bun.In(roles)).Order("id ASC").Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("users with role: %w", err)
	}
	return us, nil
}

// KindLabel names the kind of notice in French.
func (n *Notification) KindLabel() string {
	switch n.Kind {
	case "convocation-reminder":
		return "Relance de convocation"
	case "quorum-at-risk":
		return "Quorum non atteint"
	case "renewal-45", "renewal-15":
		return "Fin de période de droits"
	case "term-90":
		return "Fin de mandat"
	case "agrement-90":
		return "Fin d'agrément"
	}
	return "Notification"
}
