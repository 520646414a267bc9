package minutes_test

import (
	"context"
	"encoding/csv"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"seance/app/minutes"
)

// TestLibreOfficeReadsTheWorkbook converts a generated workbook with LibreOffice, when
// it is installed, and checks key cells of the first sheet as LibreOffice reads them. It
// is an extra check: the required ones reopen the workbook with excelize and read the
// PDF text. Without LibreOffice it skips, saying why.
func TestLibreOfficeReadsTheWorkbook(t *testing.T) {
	bin, err := exec.LookPath("libreoffice")
	if err != nil {
		t.Skip("LibreOffice check not run: libreoffice is not installed (the excelize and PDF checks cover the exports)")
	}
	dir := t.TempDir()
	m := sample()
	_, raw := workbook(t, m)
	in := filepath.Join(dir, minutes.FileName(m, "xlsx"))
	if err := os.WriteFile(in, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "-env:UserInstallation=file://"+filepath.Join(dir, "profile"), "--headless",
		"--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76", "--outdir", dir, in)
	cmd.Env = append(os.Environ(), "HOME="+dir)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("libreoffice --convert-to csv: %v\n%s", err, out)
	}
	f, err := os.Open(strings.TrimSuffix(in, ".xlsx") + ".csv")
	if err != nil {
		t.Fatalf("LibreOffice wrote no CSV: %v", err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = -1
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, rec := range recs {
		b.WriteString(strings.Join(rec, " ") + " ")
	}
	text := norm(b.String())
	for _, want := range []string{
		"PROCÈS-VERBAL", "Séance du mardi 24 novembre 2026", "Le quorum est atteint : 10 membres présents ou représentés sur 12 (quorum : 6).",
		"Point 2 — Dossier 31-2026-0057 — Engagement dans le parcours", "Pour : 4 — Contre : 4 — Abstention : 1", "449,28 €",
		"Pierre Lambert : « Avis défavorable maintenu",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("LibreOffice's reading of the Procès-verbal sheet lacks %q", want)
		}
	}
	noIdentity(t, "LibreOffice CSV", text)
	t.Logf("LibreOffice check run: %d rows read from the Procès-verbal sheet", len(recs))
}
