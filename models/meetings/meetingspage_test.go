package meetings_test

import (
	"context"
	"testing"
	"time"

	"seance/models"
	"seance/models/meetings"
	"seance/models/modelstest"
	"seance/models/registry"
)

// TestMeetingsPageFollowsTheMandateDays checks the one rule of a member's sessions on the
// edges of a mandate's days (in Paris time), and that paging through MeetingsPage gives
// exactly MeetingsFor, for a member and for the secretariat.
func TestMeetingsPageFollowsTheMandateDays(t *testing.T) {
	ctx := context.Background()
	db := modelstest.NewDB(t)
	c := modelstest.Commission(t, db, "31")
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	seat := modelstest.Seat(t, db, c.ID, registry.CategoryDDETS, "Directeur départemental")
	res := modelstest.Appoint(t, db, seat, registry.MandateTitulaire, "membre@test.example", modelstest.Date(2025, 3, 1))
	member := res.User
	// The mandate ends on 30 June 2025 (its last day).
	if _, err := db.NewUpdate().Model((*registry.Mandate)(nil)).Set("ended_on = ?", modelstest.Date(2025, 6, 30)).
		Where("id = ?", res.Mandate.ID).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	at := func(y int, m time.Month, d, h, min int) time.Time { return time.Date(y, m, d, h, min, 0, 0, paris) }
	sessions := []struct {
		name    string
		start   time.Time
		visible bool
	}{
		{"the day before the mandate, 23:30", at(2025, 2, 28, 23, 30), false},
		{"the first day, 00:10", at(2025, 3, 1, 0, 10), true},
		{"within", at(2025, 5, 12, 14, 0), true},
		{"same start, other session", at(2025, 5, 12, 14, 0), true},
		{"the last day, 23:30", at(2025, 6, 30, 23, 30), true},
		{"the day after, 00:30", at(2025, 7, 1, 0, 30), false},
	}
	ids := map[int64]string{}
	for _, s := range sessions {
		m := &meetings.Meeting{CommissionID: c.ID, Kind: meetings.MeetingFiles, Mode: meetings.ModeOnSite, Status: meetings.MeetingClosed,
			StartsAt: s.start.UTC(), EndsAt: s.start.Add(2 * time.Hour).UTC(), Place: "Salle", CreatedAt: s.start, UpdatedAt: s.start}
		if _, err := db.NewInsert().Model(m).Exec(ctx); err != nil {
			t.Fatal(err)
		}
		ids[m.ID] = s.name
		ok, err := meetings.CanSeeMeeting(ctx, db, member, m)
		if err != nil || ok != s.visible {
			t.Errorf("CanSeeMeeting(member, %s) = %v, %v; want %v", s.name, ok, err, s.visible)
		}
	}
	secretariat := modelstest.User(t, db, c, models.RoleSecretariat, nil)
	from, to := modelstest.Date(2025, 1, 1), modelstest.Date(2026, 1, 1)
	for _, u := range []*models.User{member, secretariat} {
		all, err := meetings.MeetingsFor(ctx, db, u, from, to)
		if err != nil {
			t.Fatal(err)
		}
		var paged []meetings.Meeting
		var after *meetings.MeetingCursor
		for range 10 {
			page, more, err := meetings.MeetingsPage(ctx, db, u, after, 2)
			if err != nil {
				t.Fatal(err)
			}
			paged = append(paged, page...)
			if !more {
				break
			}
			last := page[len(page)-1]
			after = &meetings.MeetingCursor{StartsAt: last.StartsAt, ID: last.ID}
		}
		if len(paged) != len(all) {
			t.Fatalf("%s: MeetingsPage gave %d sessions, MeetingsFor %d", u.Role, len(paged), len(all))
		}
		for i := range all {
			if paged[i].ID != all[i].ID {
				t.Errorf("%s: session %d is %q by page, %q in MeetingsFor", u.Role, i, ids[paged[i].ID], ids[all[i].ID])
			}
		}
		want := len(sessions)
		if u == member {
			want = 4
		}
		if len(all) != want {
			t.Errorf("%s sees %d sessions, want %d", u.Role, len(all), want)
		}
	}
}
