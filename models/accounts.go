package models

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/uptrace/bun"
)

// Account administration by the platform administrator (/admin/comptes): creating an
// account with its invitation, changing its role within the rules, deactivating and
// reactivating it. Every change is one transaction with its audit record.

// AccountScope is a role and where it applies: the administrator and the region role
// have no commission (the region role has a region); every other role belongs to one
// commission; an association account to one of that commission's associations.
type AccountScope struct {
	Role          Role
	CommissionID  int64  // 0 for admin and region
	Region        string // INSEE region code, region role only
	AssociationID int64  // association role (required) or a member sitting for an association (optional)
}

// ScopeOf returns the current scope of u.
func ScopeOf(u *User) AccountScope {
	sc := AccountScope{Role: u.Role, CommissionID: u.CommissionIDOrZero(), Region: u.Region}
	if u.AssociationID != nil {
		sc.AssociationID = *u.AssociationID
	}
	return sc
}

// check validates sc against the rules into fe (keys "role", "commission", "region",
// "association") and normalises what does not apply to the role.
func (sc *AccountScope) check(ctx context.Context, db bun.IDB, fe FieldErrors) error {
	sc.Region = strings.TrimSpace(sc.Region)
	if !sc.Role.Valid() {
		fe.Add("role", "Choisissez un rôle.")
		return nil
	}
	if !sc.Role.NeedsCommission() {
		sc.CommissionID, sc.AssociationID = 0, 0
		if sc.Role == RoleAdmin {
			sc.Region = ""
		} else if !ValidRegion(sc.Region) {
			fe.Add("region", "Un compte régional lit les statistiques d'une région : choisissez sa région.")
		}
		return nil
	}
	sc.Region = ""
	if sc.CommissionID == 0 {
		fe.Add("commission", "Le rôle « "+sc.Role.Label()+" » appartient à une commission : choisissez-la.")
		return nil
	}
	if _, err := FindCommission(ctx, db, sc.CommissionID); err == ErrNotFound {
		fe.Add("commission", "Cette commission n'existe pas.")
		return nil
	} else if err != nil {
		return err
	}
	if sc.Role != RoleAssociation && sc.Role != RoleMember {
		sc.AssociationID = 0
	}
	switch {
	case sc.Role == RoleAssociation && sc.AssociationID == 0:
		fe.Add("association", "Un compte d'association agréée est rattaché à son association : choisissez-la.")
	case sc.AssociationID != 0:
		// The registry sits above the accounts: its table is read here, not its model.
		n, err := db.NewSelect().Table("associations").Where("id = ? AND commission_id = ?", sc.AssociationID, sc.CommissionID).Count(ctx)
		if err != nil {
			return fmt.Errorf("account scope: association: %w", err)
		}
		if n == 0 {
			fe.Add("association", "Cette association n'est pas agréée auprès de la commission choisie.")
		}
	}
	return nil
}

// apply copies sc into u.
func (sc AccountScope) apply(u *User) {
	u.Role, u.Region, u.CommissionID, u.AssociationID = sc.Role, sc.Region, nil, nil
	if sc.CommissionID != 0 {
		id := sc.CommissionID
		u.CommissionID = &id
	}
	if sc.AssociationID != 0 {
		id := sc.AssociationID
		u.AssociationID = &id
	}
}

// auditDetails describes the scope in an audit record.
func (sc AccountScope) auditDetails() map[string]any {
	return map[string]any{"role": string(sc.Role), "commission_id": sc.CommissionID, "region": sc.Region, "association_id": sc.AssociationID}
}

// CreateAccount validates and creates an active account without a password, with its
// invitation link, in one transaction; it returns the account and the link's secret, to
// be e-mailed. Errors come back as FieldErrors keyed "name", "email", "role",
// "commission", "region" and "association".
func CreateAccount(ctx context.Context, db bun.IDB, actor Actor, name, email string, sc AccountScope, now time.Time) (*User, string, error) {
	name, email = strings.TrimSpace(name), NormalizeEmail(email)
	fe := FieldErrors{}
	if name == "" {
		fe.Add("name", "Indiquez le nom de la personne ou du service.")
	}
	switch {
	case email == "":
		fe.Add("email", "Indiquez l'adresse électronique du compte.")
	case !ValidEmail(email):
		fe.Add("email", "L'adresse électronique n'est pas valide.")
	}
	var u *User
	var secret string
	err := InTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
		if err := sc.check(ctx, tx, fe); err != nil {
			return err
		}
		if _, ok := fe["email"]; !ok {
			if _, err := FindUserByEmail(ctx, tx, email); err == nil {
				fe.Add("email", "Un compte utilise déjà cette adresse électronique.")
			} else if err != ErrNotFound {
				return err
			}
		}
		if err := fe.Err(); err != nil {
			return err
		}
		u = &User{Name: name, Email: email, Active: true}
		sc.apply(u)
		if err := CreateUser(ctx, tx, actor, u, now); err != nil {
			return err
		}
		var err error
		secret, err = CreateAccountTokenTx(ctx, tx, actor, u, TokenInvitation, "", now)
		return err
	})
	if err != nil {
		return nil, "", err
	}
	return u, secret, nil
}

// ownAccount refuses an administrator's change to their own role or activity, which
// could leave the platform without an administrator.
func ownAccount() error {
	return FieldErrors{FormLevel: "Vous ne pouvez pas modifier le rôle de votre propre compte ni le désactiver : demandez-le à un autre administrateur."}.Err()
}

// ChangeAccountScope gives userID the role and scope sc, within the rules (see
// AccountScope), ends their sessions so that the new rights apply at once, and audits
// the old and the new scope. An administrator cannot change their own account.
func ChangeAccountScope(ctx context.Context, db bun.IDB, actor Actor, userID int64, sc AccountScope, now time.Time) error {
	if actor.UserID == userID {
		return ownAccount()
	}
	return InTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
		u, err := FindUser(ctx, tx, userID)
		if err != nil {
			return err
		}
		fe := FieldErrors{}
		if err := sc.check(ctx, tx, fe); err != nil {
			return err
		}
		if err := fe.Err(); err != nil {
			return err
		}
		old := ScopeOf(u)
		if old == sc {
			return nil
		}
		sc.apply(u)
		_, err = tx.NewUpdate().Model((*User)(nil)).
			Set("role = ?", u.Role).Set("commission_id = ?", u.CommissionID).Set("region = ?", u.Region).
			Set("association_id = ?", u.AssociationID).Set("sessions_valid_after = ?", now).Set("updated_at = ?", now).
			Where("id = ?", userID).Exec(ctx)
		if err != nil {
			return fmt.Errorf("change account scope: %w", err)
		}
		cid := sc.CommissionID
		if cid == 0 {
			cid = old.CommissionID
		}
		return Audit(ctx, tx, now, AuditEntry{
			CommissionID: cid, Actor: actor, Action: "user.role", Object: ObjectRef("user", userID),
			Details: map[string]any{"from": old.auditDetails(), "to": sc.auditDetails()},
		})
	})
}

// SetAccountActive deactivates (ending the sessions at once) or reactivates userID for
// the administrator, who cannot deactivate their own account.
func SetAccountActive(ctx context.Context, db bun.IDB, actor Actor, userID int64, active bool, now time.Time) error {
	if actor.UserID == userID {
		return ownAccount()
	}
	return SetUserActive(ctx, db, actor, userID, active, now)
}

// AccountRow is one account on the administrator's list, with where it works and its
// two-factor status.
type AccountRow struct {
	User
	Department      string     `bun:"department"`
	AssociationName string     `bun:"association_name"`
	TOTPConfirmedAt *time.Time `bun:"totp_confirmed_at"`
	RecoveryLeft    int        `bun:"recovery_left"`
}

// Where writes the commission, region or platform the account works for.
func (a *AccountRow) Where() string {
	switch {
	case a.Department != "":
		return DepartmentName(a.Department) + " (" + a.Department + ")"
	case a.Role == RoleRegion:
		return "Région " + RegionName(a.Region) + " (" + a.Region + ")"
	}
	return "Plateforme"
}

// AccountFilter narrows the list of accounts; zero values keep everything.
type AccountFilter struct {
	Role         Role
	CommissionID int64
	Active       string // "oui", "non" or ""
}

// ListAccounts returns the accounts matching f, by e-mail, with their commission,
// association and two-factor status, in one query.
func ListAccounts(ctx context.Context, db bun.IDB, f AccountFilter) ([]AccountRow, error) {
	var rows []AccountRow
	q := db.NewSelect().Model(&rows).ModelTableExpr("users AS u").ColumnExpr("u.*").
		ColumnExpr("COALESCE(c.department, '') AS department").ColumnExpr("COALESCE(a.name, '') AS association_name").
		ColumnExpr("t.confirmed_at AS totp_confirmed_at").
		ColumnExpr("(SELECT COUNT(*) FROM recovery_codes r WHERE r.user_id = u.id AND r.used_at IS NULL) AS recovery_left").
		Join("LEFT JOIN commissions AS c ON c.id = u.commission_id").
		Join("LEFT JOIN associations AS a ON a.id = u.association_id").
		Join("LEFT JOIN user_totp AS t ON t.user_id = u.id").
		OrderExpr("u.email ASC")
	if f.Role != "" {
		q = q.Where("u.role = ?", f.Role)
	}
	if f.CommissionID != 0 {
		q = q.Where("u.commission_id = ?", f.CommissionID)
	}
	switch f.Active {
	case "oui":
		q = q.Where("u.active")
	case "non":
		q = q.Where("NOT u.active")
	}
	if err := q.Scan(ctx); err != nil {
		return nil, fmt.Errorf("list accounts: %w", err)
	}
	return rows, nil
}
