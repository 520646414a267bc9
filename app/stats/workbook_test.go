package stats_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"seance/app/demo"
	"seance/app/servertest"
	"seance/app/stats"
	"seance/models/modelstest"
	statsmodel "seance/models/stats"
)

// workbook builds the published 2025 workbook of the fixture without the web layer.
func workbook(t testing.TB) []byte {
	t.Helper()
	db := modelstest.NewDB(t)
	c := modelstest.Commission(t, db, "31")
	modelstest.StatsFixture(t, db, c)
	s, err := statsmodel.ComputeAnnualStats(context.Background(), db, c.ID, modelstest.StatsYear, modelstest.StatsNow)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := stats.WriteWorkbook(&buf, stats.CommissionSubject(c), statsmodel.BuildStatsReport(s, false)); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestRule14_Workbook(t *testing.T) {
	raw := workbook(t)
	checkWorkbook(t, raw)
	f, err := excelize.OpenReader(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	// Generated on the fixture's clock, and the definitions are on the cover.
	if got, _ := f.GetCellValue(stats.SheetCover, "B5"); got != "02/03/2026" {
		t.Errorf("generation date = %q, want 02/03/2026", got)
	}
	if got, _ := f.GetCellValue(stats.SheetCover, "B11"); !strings.HasPrefix(got, statsmodel.StatDefinitions()[0].FR[:20]) {
		t.Errorf("first definition = %q", got)
	}
}

// TestLibreOfficeOpensTheAnnualWorkbook converts the workbook with LibreOffice, when it
// is installed, and reopens the result: a workbook LibreOffice must repair fails to
// convert or loses its sheets.
func TestLibreOfficeOpensTheAnnualWorkbook(t *testing.T) {
	bin, err := exec.LookPath("libreoffice")
	if err != nil {
		t.Skip("LibreOffice check not run: libreoffice is not installed (TestWorkbook reopens the workbook with excelize)")
	}
	dir := t.TempDir()
	in := filepath.Join(dir, "rapport-annuel-31-2025.xlsx")
	if err := os.WriteFile(in, workbook(t), 0o600); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out")
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "-env:UserInstallation=file://"+filepath.Join(dir, "profile"), "--headless",
		"--convert-to", "xlsx", "--outdir", out, in)
	cmd.Env = append(os.Environ(), "HOME="+dir)
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("libreoffice --convert-to xlsx: %v\n%s", err, msg)
	}
	f, err := excelize.OpenFile(filepath.Join(out, "rapport-annuel-31-2025.xlsx"))
	if err != nil {
		t.Fatalf("LibreOffice wrote no readable workbook: %v", err)
	}
	defer f.Close()
	if n := len(f.GetSheetList()); n != 9 {
		t.Errorf("LibreOffice's copy has %d sheets, want 9", n)
	}
	if got, _ := f.GetCellValue("Dossiers et avis", "B8"); got != "16" {
		t.Errorf("LibreOffice's copy: files received = %q, want 16", got)
	}
}

// BenchmarkWorkbook measures the annual workbook of the fixture commission (SQL
// aggregation, secrecy and excelize writing).
func BenchmarkWorkbook(b *testing.B) {
	db := modelstest.NewDB(b)
	c := modelstest.Commission(b, db, "31")
	modelstest.StatsFixture(b, db, c)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		s, err := statsmodel.ComputeAnnualStats(ctx, db, c.ID, modelstest.StatsYear, modelstest.StatsNow)
		if err != nil {
			b.Fatal(err)
		}
		var buf bytes.Buffer
		if err := stats.WriteWorkbook(&buf, stats.CommissionSubject(c), statsmodel.BuildStatsReport(s, false)); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkWorkbookDemo10Years measures the published workbook of the demo commission's
// previous year with ten years of history behind it, and reports the peak heap in use
// (sampled after each workbook) and the peak resident memory of the process.
func BenchmarkWorkbookDemo10Years(b *testing.B) {
	db := modelstest.NewDB(b)
	ctx := context.Background()
	now := modelstest.Epoch()
	s := &demo.Seeder{DB: db, Keys: modelstest.Keyring(b), Now: now, Years: 10, PasswordHash: servertest.PasswordHash(b)}
	start := time.Now()
	if err := demo.Seed(ctx, s); err != nil {
		b.Fatal(err)
	}
	var files int
	if err := db.NewRaw("SELECT COUNT(*) FROM files").Scan(ctx, &files); err != nil {
		b.Fatal(err)
	}
	b.Logf("demo with 10 years of history seeded in %v: %d files", time.Since(start).Round(time.Millisecond), files)
	var peakHeap uint64
	var ms runtime.MemStats
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		st, err := statsmodel.ComputeAnnualStats(ctx, db, s.Commission.ID, now.Year()-1, now)
		if err != nil {
			b.Fatal(err)
		}
		var buf bytes.Buffer
		if err := stats.WriteWorkbook(&buf, stats.CommissionSubject(s.Commission), statsmodel.BuildStatsReport(st, false)); err != nil {
			b.Fatal(err)
		}
		runtime.ReadMemStats(&ms)
		peakHeap = max(peakHeap, ms.HeapInuse)
	}
	b.ReportMetric(float64(peakHeap)/(1<<20), "peak-heap-MiB")
	if hwm := peakRSS(); hwm > 0 {
		b.ReportMetric(hwm, "peak-RSS-MiB")
	}
}

// peakRSS returns the process's peak resident memory in MiB (VmHWM), 0 where unknown.
func peakRSS() float64 {
	raw, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			var kb float64
			if _, err := fmt.Sscan(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), &kb); err == nil {
				return kb / 1024
			}
		}
	}
	return 0
}
