package models

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/uptrace/bun"
)

// Role is what a user may do on the portal.
type Role string

// The roles of the portal.
const (
	RoleAdmin       Role = "admin"       // platform administrator, all commissions
	RoleSecretariat Role = "secretariat" // prepares sessions and files of one commission
	RolePresident   Role = "president"   // chairs the commission
	RoleMember      Role = "member"      // member of the commission
	RoleAssociation Role = "association" // approved association submitting files
	RolePrefecture  Role = "prefecture"  // read-only reports of one commission
	RoleRegion      Role = "region"      // read-only roll-up of the commissions of a region
)

// Roles lists every role in display order.
var Roles = []Role{RoleAdmin, RoleSecretariat, RolePresident, RoleMember, RoleAssociation, RolePrefecture, RoleRegion}

// Label is the French name of the role.
func (r Role) Label() string {
	switch r {
	case RoleAdmin:
		return "Administrateur de la plateforme"
	case RoleSecretariat:
		return "Secrétariat"
	case RolePresident:
		return "Présidence"
	case RoleMember:
		return "Membre"
	case RoleAssociation:
		return "Association agréée"
	case RolePrefecture:
		return "Préfecture"
	case RoleRegion:
		return "Région"
	}
	return string(r)
}

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return slices.Contains(Roles, r) }

// NeedsCommission reports whether users of this role belong to one commission.
func (r Role) NeedsCommission() bool { return r != RoleAdmin && r != RoleRegion }

// User is an account. Admins and region users have no commission.
type User struct {
	bun.BaseModel `bun:"table:users"`

	ID           int64  `bun:",pk,autoincrement"`
	CommissionID *int64 `bun:",nullzero"`
	Region       string `bun:",notnull"` // for the region role
	// AssociationID links an association account (and a member sitting for an association) to it.
	AssociationID *int64 `bun:",nullzero"`
	Email         string `bun:",notnull,unique"`
	Name          string `bun:",notnull"`
	Role          Role   `bun:",notnull"`
	PasswordHash  string `bun:",notnull"` // argon2id PHC string; empty until the account is activated
	Active        bool   `bun:",notnull"`
	// SessionsValidAfter invalidates every session created before it.
	SessionsValidAfter time.Time `bun:",notnull"`
	LastLoginAt        *time.Time
	CreatedAt          time.Time `bun:",notnull"`
	UpdatedAt          time.Time `bun:",notnull"`
}

// Activated reports whether the account's owner has chosen a password (or signed in):
// from then on, only they or the administrator may change its e-mail address, and no
// invitation can be sent to it.
func (u *User) Activated() bool { return u.PasswordHash != "" || u.LastLoginAt != nil }

// CommissionIDOrZero returns the user's commission id, or 0 for users without one.
func (u *User) CommissionIDOrZero() int64 {
	if u.CommissionID == nil {
		return 0
	}
	return *u.CommissionID
}

// NormalizeEmail lowercases and trims an e-mail address.
func NormalizeEmail(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// ErrEmailTaken is returned when an account already uses the e-mail address.
var ErrEmailTaken = errors.New("email already used")

// CreateUser inserts u (its password already hashed) and audits it.
func CreateUser(ctx context.Context, db bun.IDB, actor Actor, u *User, now time.Time) error {
	u.Email = NormalizeEmail(u.Email)
	if !u.Role.Valid() {
		return fmt.Errorf("create user: unknown role %q", u.Role)
	}
	if u.Role.NeedsCommission() && u.CommissionID == nil {
		return fmt.Errorf("create user: role %s needs a commission", u.Role)
	}
	if u.Role == RoleRegion && !ValidRegion(u.Region) {
		return fmt.Errorf("create user: role region needs an INSEE region code, not %q", u.Region)
	}
	return InTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
		n, err := tx.NewSelect().Model((*User)(nil)).Where("email = ?", u.Email).Count(ctx)
		if err != nil {
			return fmt.Errorf("create user: %w", err)
		}
		if n > 0 {
			return ErrEmailTaken
		}
		now := now
		u.CreatedAt, u.UpdatedAt, u.SessionsValidAfter = now, now, now.Add(-time.Second)
		if _, err := tx.NewInsert().Model(u).Exec(ctx); err != nil {
			return fmt.Errorf("create user: %w", err)
		}
		var cid int64
		if u.CommissionID != nil {
			cid = *u.CommissionID
		}
		return Audit(ctx, tx, now, AuditEntry{
			CommissionID: cid, Actor: actor, Action: "user.create", Object: ObjectRef("user", u.ID),
			Details: map[string]any{"email": u.Email, "role": string(u.Role)},
		})
	})
}

// FindUser returns the user with id.
func FindUser(ctx context.Context, db bun.IDB, id int64) (*User, error) {
	u := new(User)
	err := db.NewSelect().Model(u).Where("id = ?", id).Scan(ctx)
	if err != nil {
		return nil, NotFound(err, "find user")
	}
	return u, nil
}

// FindUserByEmail returns the user with the (normalised) e-mail address.
func FindUserByEmail(ctx context.Context, db bun.IDB, email string) (*User, error) {
	u := new(User)
	err := db.NewSelect().Model(u).Where("email = ?", NormalizeEmail(email)).Scan(ctx)
	if err != nil {
		return nil, NotFound(err, "find user by email")
	}
	return u, nil
}

// ListUsers returns the users of a commission (0: all users) ordered by e-mail.
func ListUsers(ctx context.Context, db bun.IDB, commissionID int64) ([]User, error) {
	var us []User
	q := db.NewSelect().Model(&us).Order("email ASC")
	if commissionID != 0 {
		q = q.Where("commission_id = ?", commissionID)
	}
	if err := q.Scan(ctx); err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	return us, nil
}

// SetPassword stores a new password hash, ends the user's other sessions, forgets the
// account's failed sign-ins (the owner who reset their password signs in at once) and
// audits it.
func SetPassword(ctx context.Context, db bun.IDB, actor Actor, userID int64, hash string, now time.Time) error {
	return InTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
		u, err := FindUser(ctx, tx, userID)
		if err != nil {
			return err
		}
		now = Stamp(now)
		_, err = tx.NewUpdate().Model((*User)(nil)).
			Set("password_hash = ?", hash).Set("sessions_valid_after = ?", now).Set("updated_at = ?", now).
			Where("id = ?", userID).Exec(ctx)
		if err != nil {
			return fmt.Errorf("set password: %w", err)
		}
		if err := clearAccountFailures(ctx, tx, u.Email); err != nil {
			return err
		}
		return Audit(ctx, tx, now, AuditEntry{
			CommissionID: u.CommissionIDOrZero(), Actor: actor, Action: "user.password", Object: ObjectRef("user", userID),
		})
	})
}

// RecordLoginSuccess forgets the account's failed sign-ins (not the client address's)
// and audits the sign-in.
func RecordLoginSuccess(ctx context.Context, db bun.IDB, u *User, ip string, now time.Time) error {
	return InTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
		_, err := tx.NewUpdate().Model((*User)(nil)).Set("last_login_at = ?", now.UTC()).Where("id = ?", u.ID).Exec(ctx)
		if err != nil {
			return fmt.Errorf("record login: %w", err)
		}
		if err := clearAccountFailures(ctx, tx, u.Email); err != nil {
			return err
		}
		return Audit(ctx, tx, now, AuditEntry{
			CommissionID: u.CommissionIDOrZero(), Actor: ActorFor(u), Action: "auth.login",
			Object: ObjectRef("user", u.ID), Details: map[string]any{"ip": ip},
		})
	})
}

// SetUserActive activates or deactivates an account; deactivation ends its sessions at once.
func SetUserActive(ctx context.Context, db bun.IDB, actor Actor, userID int64, active bool, now time.Time) error {
	return InTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
		u, err := FindUser(ctx, tx, userID)
		if err != nil {
			return err
		}
		now := now
		q := tx.NewUpdate().Model((*User)(nil)).Set("active = ?", active).Set("updated_at = ?", now).Where("id = ?", userID)
		if !active {
			q = q.Set("sessions_valid_after = ?", now)
		}
		if _, err := q.Exec(ctx); err != nil {
			return fmt.Errorf("set user active: %w", err)
		}
		return Audit(ctx, tx, now, AuditEntry{
			CommissionID: u.CommissionIDOrZero(), Actor: actor, Action: "user.active", Object: ObjectRef("user", userID),
			Details: map[string]any{"active": active},
		})
	})
}

// RenamePersonTx changes the name of u and audits it.
func RenamePersonTx(ctx context.Context, tx bun.Tx, actor Actor, u *User, name string, now time.Time) error {
	_, err := tx.NewUpdate().Model((*User)(nil)).Set("name = ?", name).Set("updated_at = ?", now.UTC()).Where("id = ?", u.ID).Exec(ctx)
	if err != nil {
		return fmt.Errorf("rename person: %w", err)
	}
	u.Name = name
	return Audit(ctx, tx, now, AuditEntry{
		CommissionID: u.CommissionIDOrZero(), Actor: actor, Action: "user.update", Object: ObjectRef("user", u.ID),
		Details: map[string]any{"name": name},
	})
}
