package registry_test

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"fmt"
	"hash/crc32"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"seance/app/registry"
	"seance/app/servertest"
	"seance/models"
	"seance/models/modelstest"
	registrymodel "seance/models/registry"
)

// inflated rewrites the workbook data so that its first sheet ends with pad bytes of
// blanks (a few kilobytes once compressed). With lie, the archive declares the sheet's
// original size instead of the real one.
func inflated(t *testing.T, data []byte, pad int, lie bool) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		content, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		declared := uint64(len(content))
		if f.Name == "xl/worksheets/sheet1.xml" {
			content = append(content, bytes.Repeat([]byte(" "), pad)...)
			if !lie {
				declared = uint64(len(content))
			}
		}
		var packed bytes.Buffer
		fw, err := flate.NewWriter(&packed, flate.BestSpeed)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := fw.Write(content); err != nil {
			t.Fatal(err)
		}
		if err := fw.Close(); err != nil {
			t.Fatal(err)
		}
		w, err := zw.CreateRaw(&zip.FileHeader{
			Name: f.Name, Method: zip.Deflate, CRC32: crc32.ChecksumIEEE(content),
			CompressedSize64: uint64(packed.Len()), UncompressedSize64: declared,
		})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(packed.Bytes()); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// TestIssue11_ImportUnzipLimits reproduces point 10 of issue 11: a composition import
// whose sheet expands to 1 GB took 2 minutes and 2.1 GB of memory for a 1 MB upload.
// Workbooks that expand beyond the unzip limits, lie about their sizes, or have more
// lines than the row cap (blank ones included) are refused at once with a French message.
func TestIssue11_ImportUnzipLimits(t *testing.T) {
	db := modelstest.NewDB(t)
	c := composition(t, db)
	valid := export(t, db, c.ID)
	if _, err := registry.ParseComposition(bytes.NewReader(valid)); err != nil {
		t.Fatalf("ParseComposition(valid) error = %v", err)
	}
	blankRows := excelize.NewFile()
	defer blankRows.Close()
	header := []any{}
	for _, h := range registry.Headers() {
		header = append(header, h)
	}
	if err := blankRows.SetSheetRow("Sheet1", "A1", &header); err != nil {
		t.Fatal(err)
	}
	for r := 2; r <= registry.MaxImportRows+10; r++ {
		if err := blankRows.SetCellValue("Sheet1", fmt.Sprintf("A%d", r), " "); err != nil {
			t.Fatal(err)
		}
	}
	var blanks bytes.Buffer
	if err := blankRows.Write(&blanks); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name string
		data []byte
		want string
	}{
		{"sheet expanding to 40 MB", inflated(t, valid, 40<<20, false), "dépasse 32 Mo une fois décompressé"},
		// Declared smaller than it is: only the declared bytes are read.
		{"sheet lying about its size", inflated(t, valid, 40<<20, true), ""},
		{"blank lines beyond the row cap", blanks.Bytes(), fmt.Sprintf("plus de %d lignes", registry.MaxImportRows)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if len(tt.data) > registry.MaxImportBytes {
				t.Fatalf("the test file has %d bytes, more than an upload may", len(tt.data))
			}
			_, err := registry.ParseComposition(bytes.NewReader(tt.data))
			fe, ok := models.AsFieldErrors(err)
			switch {
			case tt.want == "" && err != nil && !ok:
				t.Errorf("ParseComposition error = %v, want none or a file error", err)
			case tt.want != "" && (!ok || !strings.Contains(fe["file"], tt.want)):
				t.Errorf("ParseComposition error = %v, want file: %q", err, tt.want)
			}
		})
	}
	// The model refuses more rows than the cap, whoever reads the file.
	rows := make([]registrymodel.ImportRow, registrymodel.MaxImportRows+1)
	if _, err := registrymodel.PreviewImport(ctx, db, c.ID, rows, now); err == nil || !strings.Contains(err.Error(), "plus de 2000 lignes") {
		t.Errorf("PreviewImport(%d rows) error = %v, want the row cap", len(rows), err)
	}

	// Through the upload form, the secretariat reads the reason.
	env := servertest.New(t)
	cl, base := secretariat(t, env)
	r := upload(t, cl, base+"/import", "composition.xlsx", inflated(t, workbook(t, env), 40<<20, false))
	servertest.Expect(t, "inflated upload", r, http.StatusUnprocessableEntity, "dépasse 32 Mo une fois décompressé")
}
