package demo_test

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	"seance/app/demo"
	"seance/app/servertest"
	"seance/models"
	"seance/models/files"
	"seance/models/modelstest"
	"seance/models/registry"
	"seance/models/stats"
)

func TestScaleDepartments(t *testing.T) {
	var got []string
	for _, d := range demo.ScaleDepartments(15) {
		got = append(got, d.Code)
	}
	want := []string{"31", "09", "11", "12", "30", "32", "34", "46", "48", "65", "66", "81", "82", "01", "02"}
	if !slices.Equal(got, want) {
		t.Errorf("ScaleDepartments(15) = %v, want %v", got, want)
	}
	if n := len(demo.ScaleDepartments(1000)); n != len(models.Departments) {
		t.Errorf("ScaleDepartments(1000) has %d departments, want %d", n, len(models.Departments))
	}
}

// TestDemoScaleSeedsSeveralCommissions seeds a demo of three commissions with two years
// of history (bounded run time) and checks the extra commissions: their department and
// region, their accounts with the demo password, their composition and a history with
// the magnitudes of a real year, all in the audit chain.
func TestDemoScaleSeedsSeveralCommissions(t *testing.T) {
	ctx := context.Background()
	db := modelstest.NewDB(t)
	now := modelstest.Epoch()
	s := &demo.Seeder{DB: db, Keys: modelstest.Keyring(t), Now: now, Years: 2, Scale: 3, PasswordHash: servertest.PasswordHash(t)}
	start := time.Now()
	if err := demo.Seed(ctx, s); err != nil {
		t.Fatal(err)
	}
	t.Logf("demo of 3 commissions with 2 years of history seeded in %v", time.Since(start).Round(time.Millisecond))
	cs, err := models.ListCommissions(ctx, db, "76")
	if err != nil {
		t.Fatal(err)
	}
	var deps []string
	for _, c := range cs {
		deps = append(deps, c.Department)
	}
	slices.Sort(deps)
	if !slices.Equal(deps, []string{"09", "11", "31"}) {
		t.Fatalf("Occitanie's demo commissions = %v, want 09, 11, 31", deps)
	}
	prev := now.Year() - 1
	for _, c := range cs {
		if c.Department == "31" {
			continue
		}
		if !c.Demo || c.ArreteRef == "" {
			t.Errorf("commission %s: demo %v, arrêté %q", c.Department, c.Demo, c.ArreteRef)
		}
		for email, role := range map[string]models.Role{
			demo.ScaleEmail("secretariat", c.Department):  models.RoleSecretariat,
			demo.ScaleEmail("president", c.Department):    models.RolePresident,
			demo.ScaleEmail("prefecture", c.Department):   models.RolePrefecture,
			demo.ScaleEmail("association2", c.Department): models.RoleAssociation,
			demo.ScaleMemberEmail(1, c.Department):        models.RoleMember,
			demo.ScaleMemberEmail(14, c.Department):       models.RoleMember,
		} {
			u, err := models.FindUserByEmail(ctx, db, email)
			if err != nil {
				t.Errorf("account %s: %v", email, err)
				continue
			}
			if u.Role != role || u.CommissionID == nil || *u.CommissionID != c.ID || !u.Active || u.PasswordHash != s.PasswordHash {
				t.Errorf("account %s: role %s, commission %v, active %v; want %s of commission %d with the demo password", email, u.Role, u.CommissionID, u.Active, role, c.ID)
			}
		}
		roll, err := registry.VotingMembers(ctx, db, c.ID, now)
		if err != nil || roll.Count != 14 || roll.Filled != 14 {
			t.Fatalf("commission %s: voting roll %+v (%v), want 14 seats filled", c.Department, roll, err)
		}
		st, err := stats.ComputeAnnualStats(ctx, db, c.ID, prev, now)
		if err != nil {
			t.Fatal(err)
		}
		if n := st.SessionsHeld(); n < 6 || n > 10 {
			t.Errorf("commission %s, %d: %d sessions held, want 6 to 10", c.Department, prev, n)
		}
		if n := st.InProgress(); n < 20 || n > 60 {
			t.Errorf("commission %s, %d: %d parcours in progress on 31 December, want 20 to 60", c.Department, prev, n)
		}
		att := st.AttendanceTotal()
		if rate := 100 * (att.Present + att.Represented) / max(1, att.Seats); rate < 60 || rate > 98 {
			t.Errorf("commission %s, %d: attendance rate %d %%, want 60 to 98", c.Department, prev, rate)
		}
		// The history runs to the demo's today: the current year has files too.
		var first, last files.File
		if err := db.NewSelect().Model(&first).Where("commission_id = ? AND submitted_at IS NOT NULL", c.ID).Order("submitted_at ASC").Limit(1).Scan(ctx); err != nil {
			t.Fatal(err)
		}
		if err := db.NewSelect().Model(&last).Where("commission_id = ? AND submitted_at IS NOT NULL", c.ID).Order("submitted_at DESC").Limit(1).Scan(ctx); err != nil {
			t.Fatal(err)
		}
		if first.SubmittedAt.Year() != now.Year()-2 || last.SubmittedAt.Year() != now.Year() || last.SubmittedAt.After(now) {
			t.Errorf("commission %s: files submitted from %s to %s, want from %d to today", c.Department, first.SubmittedAt, last.SubmittedAt, now.Year()-2)
		}
	}
	if rep, err := models.VerifyAuditChain(ctx, db); err != nil || !rep.OK {
		t.Errorf("audit chain = %+v, %v", rep, err)
	}
}

// TestRollUpEqualsEachCommissionsOwnStatistics checks the roll-up's one pass of grouped
// queries on a demo of three commissions with varied histories: each department's figures
// are exactly those ComputeAnnualStats computes for its commission alone, and the total
// those ComputeStats computes over the three together (medians and percentiles of the
// delays included), for a complete year and for the current one.
func TestRollUpEqualsEachCommissionsOwnStatistics(t *testing.T) {
	ctx := context.Background()
	db := modelstest.NewDB(t)
	now := modelstest.Epoch()
	s := &demo.Seeder{DB: db, Keys: modelstest.Keyring(t), Now: now, Years: 2, Scale: 3, PasswordHash: servertest.PasswordHash(t)}
	if err := demo.Seed(ctx, s); err != nil {
		t.Fatal(err)
	}
	cs, err := models.ListCommissions(ctx, db, "76")
	if err != nil || len(cs) != 3 {
		t.Fatalf("Occitanie's demo commissions = %v, %v; want 3", cs, err)
	}
	ids := []int64{cs[0].ID, cs[1].ID, cs[2].ID}
	for _, year := range []int{now.Year() - 1, now.Year()} {
		ru, err := stats.ComputeRollUp(ctx, db, "76", cs, year, now)
		if err != nil {
			t.Fatal(err)
		}
		if len(ru.Departments) != len(cs) {
			t.Fatalf("%d: %d departments, want %d", year, len(ru.Departments), len(cs))
		}
		for i, d := range ru.Departments {
			own, err := stats.ComputeAnnualStats(ctx, db, cs[i].ID, year, now)
			if err != nil {
				t.Fatal(err)
			}
			if d.Commission.ID != cs[i].ID {
				t.Errorf("%d: department %d is commission %d, want %d", year, i, d.Commission.ID, cs[i].ID)
			}
			if own.Received[files.KindEngagement] == 0 || own.Delays[stats.DelayCompleteAvis].N == 0 || own.InProgress() == 0 {
				t.Fatalf("%d, %s: the demo's history is empty (%+v)", year, d.Commission.Department, own)
			}
			diffStats(t, fmt.Sprintf("%d, department %s", year, d.Commission.Department), d.Stats, own)
		}
		together, err := stats.ComputeStats(ctx, db, ids, year, now)
		if err != nil {
			t.Fatal(err)
		}
		diffStats(t, fmt.Sprintf("%d, region", year), ru.Total, together)
	}
}

// diffStats reports each field of got that differs from want.
func diffStats(t *testing.T, what string, got, want *stats.AnnualStats) {
	t.Helper()
	g, w := reflect.ValueOf(got).Elem(), reflect.ValueOf(want).Elem()
	for i := range g.NumField() {
		if !reflect.DeepEqual(g.Field(i).Interface(), w.Field(i).Interface()) {
			t.Errorf("%s: %s = %+v, want %+v", what, g.Type().Field(i).Name, g.Field(i).Interface(), w.Field(i).Interface())
		}
	}
}
