package modelstest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"seance/models"
	"seance/models/registry"
)

// Date returns midnight UTC of a day, the form of stored dates.
func Date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// Seat creates a voting seat of category cat in commission cid with one suppléant place
// where the category allows one; quality tells seats of a category apart.
func Seat(t testing.TB, db bun.IDB, cid int64, cat registry.SeatCategory, quality string) *registry.Seat {
	t.Helper()
	s := &registry.Seat{CommissionID: cid, Category: cat, Organisation: "Organisme " + cat.Label(), Quality: quality, VotingRight: true}
	if cat.SuppleantsAllowed() {
		s.SuppleantPlaces = 1
	}
	if err := registry.CreateSeat(context.Background(), db, models.SystemActor("test"), s, Epoch()); err != nil {
		t.Fatalf("CreateSeat(%s): %v", quality, err)
	}
	return s
}

// Appoint appoints email (a new account named after it, or the existing one) to the
// seat for a three-year term starting on start.
func Appoint(t testing.TB, db bun.IDB, seat *registry.Seat, kind registry.MandateKind, email string, start time.Time) *registry.AppointResult {
	t.Helper()
	res, err := registry.Appoint(context.Background(), db, models.SystemActor("test"), seat.CommissionID, registry.Appointment{
		SeatID: seat.ID, Kind: kind, Email: email, Name: "Nom de " + email, StartsOn: start,
		ArreteRef: fmt.Sprintf("arrêté %s", start.Format(time.DateOnly)),
	}, start)
	if err != nil {
		t.Fatalf("Appoint(%s as %s): %v", email, kind, err)
	}
	return res
}

// UserWithEmail creates an active account of role in commission cid (nil commission for the
// roles that have none), activated (with a password hash).
func UserWithEmail(t testing.TB, db bun.IDB, cid int64, role models.Role, email string) *models.User {
	t.Helper()
	return newUser(t, db, cid, role, email, "x")
}

// InvitedMember creates an active member account of commission cid that has not chosen
// its password yet, as an appointment creates it.
func InvitedMember(t testing.TB, db bun.IDB, cid int64, email string) *models.User {
	t.Helper()
	return newUser(t, db, cid, models.RoleMember, email, "")
}

func newUser(t testing.TB, db bun.IDB, cid int64, role models.Role, email, hash string) *models.User {
	t.Helper()
	u := &models.User{Email: email, Name: "Nom de " + email, Role: role, Active: true, PasswordHash: hash}
	if role.NeedsCommission() {
		u.CommissionID = &cid
	}
	if err := models.CreateUser(context.Background(), db, models.SystemActor("test"), u, Epoch()); err != nil {
		t.Fatal(err)
	}
	return u
}
