package stats_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"syscall"
	"testing"
	"time"

	"seance/app/demo"
	"seance/app/servertest"
	"seance/app/stats"
	"seance/models"
	statsmodel "seance/models/stats"
)

// Benchmarks at the size of a region (issue 13): `seance demo --scale 13`, the 13
// commissions of Occitanie with ten years of history each, built once per benchmark
// through the demo's generator (outside the timer). Each reports the allocations, the
// peak Go heap in use sampled after each operation (peak-heap-MiB) and the peak resident
// memory of the process, database included (peak-RSS-MiB).

// scaleYears is the history of each commission in these benchmarks.
const scaleYears = 10

// scaleEnv starts the application on a database holding the 13-commission demo.
func scaleEnv(b *testing.B) (*servertest.Env, *demo.Seeder) {
	b.Helper()
	e := servertest.NewBare(b)
	s := &demo.Seeder{DB: e.DB, Keys: e.Config.Keys, Now: e.Clock(), Scale: 13, Years: scaleYears, PasswordHash: servertest.PasswordHash(b)}
	start := time.Now()
	if err := demo.Seed(context.Background(), s); err != nil {
		b.Fatal(err)
	}
	var files int
	if err := e.DB.NewRaw("SELECT COUNT(*) FROM files").Scan(context.Background(), &files); err != nil {
		b.Fatal(err)
	}
	b.Logf("13 commissions × %d years seeded in %v: %d files", scaleYears, time.Since(start).Round(time.Millisecond), files)
	// PostgreSQL plans from table statistics, which autovacuum gathers some time after a
	// bulk load; a database in service has them, so the benchmark gathers them at once.
	if models.IsPG(e.DB) {
		if _, err := e.DB.ExecContext(context.Background(), "ANALYZE"); err != nil {
			b.Fatal(err)
		}
	}
	return e, s
}

// measure runs op in b.Loop and reports the peak heap in use, the peak RSS and the CPU
// time of the process per operation (cpu-ms/op: user + system, SQLite included as it
// runs in the process; PostgreSQL's own work is not), which a loaded machine inflates
// less than the wall time.
func measure(b *testing.B, op func()) {
	b.Helper()
	var peak uint64
	var ms runtime.MemStats
	runtime.GC()
	b.ReportAllocs()
	cpu0 := cpuTime()
	b.ResetTimer()
	for b.Loop() {
		op()
		runtime.ReadMemStats(&ms)
		peak = max(peak, ms.HeapInuse)
	}
	b.StopTimer()
	if b.N > 0 {
		b.ReportMetric(float64(cpuTime()-cpu0)/float64(time.Millisecond)/float64(b.N), "cpu-ms/op")
	}
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
	if hwm := peakRSS(); hwm > 0 {
		b.ReportMetric(hwm, "peak-RSS-MiB")
	}
}

// cpuTime is the user and system CPU time of the process so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkRegionWorkbook13x10 computes and writes the previous year's workbook of
// Occitanie (76): the roll-up (one computation for the region and one per commission),
// its secrecy and the excelize writing, as RegionWorkbook does.
func BenchmarkRegionWorkbook13x10(b *testing.B) {
	e, s := scaleEnv(b)
	ctx := context.Background()
	year := s.Now.Year() - 1
	measure(b, func() {
		cs, err := models.ListCommissions(ctx, e.DB, "76")
		if err != nil || len(cs) != 13 {
			b.Fatalf("Occitanie's commissions: %d, %v", len(cs), err)
		}
		ru, err := statsmodel.ComputeRollUp(ctx, e.DB, "76", cs, year, s.Now)
		if err != nil {
			b.Fatal(err)
		}
		var buf bytes.Buffer
		sub := stats.Subject{Heading: "Rapport annuel consolidé", Name: statsmodel.RollUpTitle("76"), CodeLabel: "Région", Code: "76"}
		if err := stats.WriteWorkbook(&buf, sub, statsmodel.BuildRollUpReport(ru)); err != nil {
			b.Fatal(err)
		}
	})
}

// BenchmarkRegionDashboard13x10 serves the regional dashboard of the previous year to
// the region account through the real router (session, roles, roll-up, SVG charts).
func BenchmarkRegionDashboard13x10(b *testing.B) {
	e, s := scaleEnv(b)
	c := e.Client()
	c.SignInAs(b, demo.EmailRegion, servertest.Password)
	path := fmt.Sprintf("%s?annee=%d", stats.RegionPath, s.Now.Year()-1)
	measure(b, func() {
		if r := c.Get(b, path); r.Status != http.StatusOK {
			b.Fatalf("GET %s: %d", path, r.Status)
		}
	})
}

// BenchmarkAPIStats13x10 calls /api/v1/bodies/{id}/stats?year= for Haute-Garonne with
// the prefecture's token through the real router. A new token is made (outside the timer)
// every 100 calls, below the per-token rate limit.
func BenchmarkAPIStats13x10(b *testing.B) {
	e, s := scaleEnv(b)
	ctx := context.Background()
	owner := s.Users[demo.EmailPrefecture]
	path := fmt.Sprintf("/api/v1/bodies/%d/stats?year=%d", s.Commission.ID, s.Now.Year()-1)
	var token string
	n := 0
	c := e.Client()
	measure(b, func() {
		if n%100 == 0 {
			b.StopTimer()
			var err error
			if token, err = models.CreateAPIToken(ctx, e.DB, models.ActorFor(owner), owner.ID, fmt.Sprintf("banc %d", n), e.Clock()); err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
		}
		n++
		req := httptest.NewRequest(http.MethodGet, path, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		if r := c.Do(b, req); r.Status != http.StatusOK {
			b.Fatalf("GET %s: %d %s", path, r.Status, r.Body)
		}
	})
}
