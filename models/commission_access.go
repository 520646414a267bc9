package models

import (
	"context"

	"github.com/uptrace/bun"
)

// VisibleCommissions returns the commissions u may know of, by department: every one for
// the administrator, those of their region for a region user, their own for everybody
// else (and none for an inactive account).
func VisibleCommissions(ctx context.Context, db bun.IDB, u *User) ([]Commission, error) {
	switch {
	case u == nil || !u.Active:
		return []Commission{}, nil
	case u.Role == RoleAdmin:
		return ListCommissions(ctx, db, "")
	case u.Role == RoleRegion:
		if u.Region == "" {
			return []Commission{}, nil
		}
		return ListCommissions(ctx, db, u.Region)
	case u.CommissionID != nil:
		c, err := FindCommission(ctx, db, *u.CommissionID)
		if err != nil {
			return nil, err
		}
		return []Commission{*c}, nil
	}
	return []Commission{}, nil
}

// FindVisibleCommission returns commission id if u may know of it (VisibleCommissions),
// ErrNotFound otherwise: another tenant's commission does not exist for u.
func FindVisibleCommission(ctx context.Context, db bun.IDB, u *User, id int64) (*Commission, error) {
	if u == nil || !u.Active {
		return nil, ErrNotFound
	}
	if u.Role != RoleAdmin && u.Role != RoleRegion && u.CommissionIDOrZero() != id {
		return nil, ErrNotFound
	}
	c, err := FindCommission(ctx, db, id)
	if err != nil {
		return nil, err
	}
	if u.Role == RoleRegion && (u.Region == "" || c.Region != u.Region) {
		return nil, ErrNotFound
	}
	return c, nil
}
