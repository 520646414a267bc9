package minutes_test

import (
	"context"
	"testing"
	"time"

	"seance/app/demo"
	"seance/app/servertest"
	"seance/models/minutes"
	"seance/models/modelstest"
)

func TestDemoSessionsHaveTheirMinutes(t *testing.T) {
	ctx := context.Background()
	db := modelstest.NewDB(t)
	kr := modelstest.Keyring(t)
	s := &demo.Seeder{DB: db, Keys: kr, Now: time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC), PasswordHash: servertest.PasswordHash(t)}
	if err := demo.Seed(ctx, s); err != nil {
		t.Fatal(err)
	}
	var rs []minutes.Minutes
	if err := db.NewSelect().Model(&rs).Order("meeting_id ASC").Scan(ctx); err != nil {
		t.Fatal(err)
	}
	counts := map[minutes.MinutesStatus]int{}
	for _, r := range rs {
		counts[r.Status]++
	}
	if len(rs) < 3 || counts[minutes.MinutesDraft] != 1 || counts[minutes.MinutesLocked] != len(rs)-1 {
		t.Fatalf("demo minutes by status = %v, want one draft and the others locked", counts)
	}
	for _, r := range rs {
		if r.Status == minutes.MinutesLocked {
			if err := minutes.VerifyMinutes(ctx, db, kr, r.CommissionID, r.ID); err != nil {
				t.Errorf("locked demo minutes %d: %v", r.ID, err)
			}
		}
	}
}
