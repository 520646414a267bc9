package models

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/uptrace/bun"
)

// An account's e-mail address is its sign-in identifier and where its password-reset
// links go: whoever changes it can take the account over. So, once the account is
// activated (User.Activated), the address is changed only by its owner, who confirms
// the new one from a link sent there (RequestEmailChange, ConfirmEmailChange), or by the
// administrator (UpdatePerson); never by the secretariat. Every change is audited
// ("user.email_change") and the caller notifies the old address.

// msgEmailOwnerOnly refuses a change of an activated account's address by the secretariat.
const msgEmailOwnerOnly = "Cette personne a déjà activé son compte : son adresse électronique, qui est aussi son identifiant, " +
	"ne peut être changée que par elle-même (Mon compte) ou par l'administrateur de la plateforme."

// msgEmailTaken refuses an address that another account uses.
const msgEmailTaken = "Cette adresse est déjà utilisée par un autre compte."

// EmailChange is a change of an account's e-mail address, to be notified to Old.
type EmailChange struct {
	User     *User // with its new address
	Old, New string
	By       Actor
}

// checkNewEmail adds to fe, under field, why email (normalised) cannot become u's address.
func checkNewEmail(ctx context.Context, db bun.IDB, u *User, email, field string, fe FieldErrors) error {
	switch {
	case email == "":
		fe.Add(field, "Indiquez la nouvelle adresse électronique.")
	case !ValidEmail(email):
		fe.Add(field, "L'adresse électronique n'est pas valide.")
	case email == u.Email:
	default:
		n, err := db.NewSelect().Model((*User)(nil)).Where("email = ? AND id <> ?", email, u.ID).Count(ctx)
		if err != nil {
			return fmt.Errorf("check e-mail: %w", err)
		}
		if n > 0 {
			fe.Add(field, msgEmailTaken)
		}
	}
	return nil
}

// changeEmailTx sets u's address to email (checked by checkNewEmail), makes the links
// sent to the old address unusable and audits the change.
func changeEmailTx(ctx context.Context, tx bun.Tx, actor Actor, u *User, email string, now time.Time) (*EmailChange, error) {
	old := u.Email
	_, err := tx.NewUpdate().Model((*User)(nil)).Set("email = ?", email).Set("updated_at = ?", now.UTC()).Where("id = ?", u.ID).Exec(ctx)
	if err != nil {
		return nil, fmt.Errorf("change e-mail: %w", err)
	}
	if _, err := tx.NewDelete().Model((*AccountToken)(nil)).Where("user_id = ? AND used_at IS NULL", u.ID).Exec(ctx); err != nil {
		return nil, fmt.Errorf("change e-mail: %w", err)
	}
	u.Email = email
	err = Audit(ctx, tx, now, AuditEntry{
		CommissionID: u.CommissionIDOrZero(), Actor: actor, Action: "user.email_change", Object: ObjectRef("user", u.ID),
		Details: map[string]any{"old": old, "new": email},
	})
	if err != nil {
		return nil, err
	}
	return &EmailChange{User: u, Old: old, New: email, By: actor}, nil
}

// actorIsAdmin reports whether actor is a signed-in administrator.
func actorIsAdmin(ctx context.Context, db bun.IDB, actor Actor) (bool, error) {
	if actor.UserID == 0 {
		return false, nil
	}
	u, err := FindUser(ctx, db, actor.UserID)
	if err == ErrNotFound {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return u.Role == RoleAdmin && u.Active, nil
}

// UpdatePerson changes the name and e-mail of a person of commission cid (a member
// account) and returns the address change to notify, if any (nil otherwise).
// FieldErrors keyed "name" and "email": the address of an activated account is refused
// unless actor is the administrator.
func UpdatePerson(ctx context.Context, db bun.IDB, actor Actor, cid, userID int64, name, email string, now time.Time) (*EmailChange, error) {
	name, email = strings.TrimSpace(name), NormalizeEmail(email)
	var change *EmailChange
	err := InTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
		u, err := FindUser(ctx, tx, userID)
		if err != nil {
			return err
		}
		if u.CommissionIDOrZero() != cid || u.Role != RoleMember {
			return ErrNotFound
		}
		fe := FieldErrors{}
		if name == "" {
			fe.Add("name", "Indiquez le nom de la personne.")
		}
		CheckLine(fe, "name", "Nom", name, MaxLineLength)
		if err := checkNewEmail(ctx, tx, u, email, "email", fe); err != nil {
			return err
		}
		if email != u.Email && u.Activated() && fe["email"] == "" {
			admin, err := actorIsAdmin(ctx, tx, actor)
			if err != nil {
				return err
			}
			if !admin {
				fe.Add("email", msgEmailOwnerOnly)
			}
		}
		if err := fe.Err(); err != nil {
			return err
		}
		if name != u.Name {
			if err := RenamePersonTx(ctx, tx, actor, u, name, now); err != nil {
				return err
			}
		}
		if email != u.Email {
			change, err = changeEmailTx(ctx, tx, actor, u, email, now)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return change, nil
}

// RequestEmailChange starts the change of u's address to email, asked by u on "Mon
// compte", and returns the secret of the link to e-mail to the new address (an earlier
// request stops working). Nothing changes until the link is used (ConfirmEmailChange).
// Whether another account uses the address is checked then, not here: the answer would
// tell any signed-in user which addresses have an account. FieldErrors keyed "new_email".
func RequestEmailChange(ctx context.Context, db bun.IDB, u *User, email string, now time.Time) (string, error) {
	email = NormalizeEmail(email)
	fe := FieldErrors{}
	switch {
	case email == "":
		fe.Add("new_email", "Indiquez la nouvelle adresse électronique.")
	case !ValidEmail(email):
		fe.Add("new_email", "L'adresse électronique n'est pas valide.")
	case email == u.Email:
		fe.Add("new_email", "C'est déjà l'adresse de votre compte.")
	}
	if err := fe.Err(); err != nil {
		return "", err
	}
	var secret string
	err := InTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
		var err error
		secret, err = CreateAccountTokenTx(ctx, tx, ActorFor(u), u, TokenEmailChange, email, now)
		return err
	})
	if err != nil {
		return "", err
	}
	return secret, nil
}

// PeekEmailChange returns the change a valid confirmation link would make, without
// using it, for the page that asks to confirm it.
func PeekEmailChange(ctx context.Context, db bun.IDB, secret string, now time.Time) (*EmailChange, error) {
	t, u, err := findAccountToken(ctx, db, secret, TokenEmailChange, now)
	if err != nil {
		return nil, err
	}
	return &EmailChange{User: u, Old: u.Email, New: t.NewEmail, By: ActorFor(u)}, nil
}

// ConfirmEmailChange uses up a confirmation link and gives the account its new address
// in one transaction. FieldErrors keyed "email" when another account took the address
// meanwhile (the link stays usable).
func ConfirmEmailChange(ctx context.Context, db bun.IDB, secret string, now time.Time) (*EmailChange, error) {
	var change *EmailChange
	err := InTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
		t, u, err := consumeAccountTokenTx(ctx, tx, secret, TokenEmailChange, now)
		if err != nil {
			return err
		}
		fe := FieldErrors{}
		if err := checkNewEmail(ctx, tx, u, t.NewEmail, "email", fe); err != nil {
			return err
		}
		if err := fe.Err(); err != nil {
			return err
		}
		change, err = changeEmailTx(ctx, tx, ActorFor(u), u, t.NewEmail, now)
		return err
	})
	if err != nil {
		return nil, err
	}
	return change, nil
}
