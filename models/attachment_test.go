package models_test

import (
	"archive/zip"
	"bytes"
	"strings"
	"testing"

	"seance/models"
	"seance/models/files"
	"seance/models/modelstest"
)

func pdfBytes(text string) []byte {
	return []byte("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n% " + text + "\n%%EOF\n")
}

func pngBytes() []byte {
	return append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), make([]byte, 32)...)
}

// zipBytes builds a zip archive of the named entries, in order.
func zipBytes(t *testing.T, entries ...string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, name := range entries {
		content := "<x/>"
		if name == "mimetype" {
			content = strings.TrimPrefix(entries[len(entries)-1], "=")
		}
		if strings.HasPrefix(name, "=") {
			continue
		}
		fw, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := fw.Write([]byte(content)); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestSniffAttachmentByContent checks that the type is detected from the bytes.
func TestSniffAttachmentByContent(t *testing.T) {
	for _, tt := range []struct {
		name    string
		content []byte
		want    string // accepted type, or part of the French refusal
		ok      bool
	}{
		{"pdf", pdfBytes("x"), files.TypePDF, true},
		{"png", pngBytes(), files.TypePNG, true},
		{"jpeg", append([]byte("\xff\xd8\xff\xe0\x00\x10JFIF\x00"), make([]byte, 20)...), files.TypeJPEG, true},
		{"docx", zipBytes(t, "[Content_Types].xml", "_rels/.rels", "word/document.xml"), files.TypeDOCX, true},
		{"xlsx", zipBytes(t, "[Content_Types].xml", "xl/workbook.xml", "xl/worksheets/sheet1.xml"), files.TypeXLSX, true},
		{"odt", zipBytes(t, "mimetype", "content.xml", "="+files.TypeODT), files.TypeODT, true},
		{"ods", zipBytes(t, "mimetype", "content.xml", "="+files.TypeODS), files.TypeODS, true},
		{"odp", zipBytes(t, "mimetype", "content.xml", "=application/vnd.oasis.opendocument.presentation"), "application/vnd.oasis.opendocument.presentation détecté", false},
		{"pptx", zipBytes(t, "[Content_Types].xml", "ppt/presentation.xml"), "PowerPoint", false},
		{"docm", zipBytes(t, "[Content_Types].xml", "word/document.xml", "word/vbaProject.bin"), "macros", false},
		{"zip", zipBytes(t, "notes.txt"), "archive ZIP détectée", false},
		{"text named .pdf", []byte("Bonjour, ceci est un texte."), "texte brut détecté", false},
		{"html", []byte("<!DOCTYPE html><html><script>x</script></html>"), "page HTML détecté", false},
		{"executable", []byte("MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"), "détecté", false},
		{"gif", []byte("GIF89a\x01\x00\x01\x00"), "image GIF", false},
		{"empty", nil, "vide", false},
		{"too large", append(pdfBytes("x"), make([]byte, files.MaxAttachmentSize)...), "20 Mo", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := files.SniffAttachment(tt.content)
			if tt.ok {
				if err != nil || got != tt.want {
					t.Fatalf("SniffAttachment = %q, %v; want %q", got, err, tt.want)
				}
				return
			}
			wantRefusal(t, err, "file", tt.want)
		})
	}
}

// TestAttachmentsLifecycle checks who may add and remove documents, and in which states.
func TestAttachmentsLifecycle(t *testing.T) {
	w := newWorld(t)
	now := date(2026, 3, 2)
	f := w.create(t, modelstest.CompleteInput(files.KindEngagement, modelstest.Person("Pieces", "Rui", 1990), 0), now)
	a, err := files.AddAttachment(w.ctx, w.db, w.kr, w.users["association"], f.ID, files.AttachmentFollowUp, `C:\Users\x\suivi signé.pdf`, pdfBytes("suivi"), now)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := files.AddAttachment(w.ctx, w.db, w.kr, w.users["association2"], f.ID, files.AttachmentOther, "x.pdf", pdfBytes("x"), now); !isNotFound(err) {
		t.Fatalf("AddAttachment by another association error = %v, want ErrNotFound", err)
	}
	_, err = files.AddAttachment(w.ctx, w.db, w.kr, w.users["association"], f.ID, files.AttachmentOther, "x.exe", []byte("MZ\x90\x00"), now)
	wantRefusal(t, err, "file", "détecté")
	w.driveTo(t, f.ID, files.StateSubmitted, "", now)
	_, err = files.AddAttachment(w.ctx, w.db, w.kr, w.users["association"], f.ID, files.AttachmentOther, "x.pdf", pdfBytes("x"), now)
	wantRefusal(t, err, models.FormLevel, "ne peuvent plus")
	if err := files.DeleteAttachment(w.ctx, w.db, w.users["association"], a.ID, now); err == nil {
		t.Fatal("DeleteAttachment by the association after submission succeeded")
	}
	if _, err := files.AddAttachment(w.ctx, w.db, w.kr, w.users["secretariat"], f.ID, files.AttachmentOther, "courrier.pdf", pdfBytes("courrier"), now); err != nil {
		t.Fatal(err)
	}
	as, err := files.ListAttachments(w.ctx, w.db, w.kr, w.users["association"], f.ID, now)
	if err != nil || len(as) != 2 || as[0].Name != "suivi signé.pdf" || as[0].ContentType != files.TypePDF || as[0].Content != nil {
		t.Fatalf("ListAttachments = %+v, %v", as, err)
	}
	w.driveTo(t, f.ID, files.StateIncomplete, "", now)
	if err := files.DeleteAttachment(w.ctx, w.db, w.users["association"], a.ID, now); err != nil {
		t.Fatal(err)
	}
	hist, err := files.FileHistory(w.ctx, w.db, w.users["secretariat"], f.ID, now)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range hist {
		if strings.HasPrefix(e.Action, "attachment_") {
			n++
		}
	}
	if n != 3 {
		t.Fatalf("attachment lines in the history = %d, want 3", n)
	}
}

// TestDeleteDraftNeverReusesItsReference checks draft deletion.
func TestDeleteDraftNeverReusesItsReference(t *testing.T) {
	w := newWorld(t)
	now := date(2026, 3, 2)
	f1 := w.create(t, modelstest.CompleteInput(files.KindEngagement, modelstest.Person("Brouillon", "Sam", 1990), 0), now)
	if err := files.DeleteDraft(w.ctx, w.db, w.users["association2"], f1.ID, now); !isNotFound(err) {
		t.Fatalf("DeleteDraft by another association error = %v, want ErrNotFound", err)
	}
	if err := files.DeleteDraft(w.ctx, w.db, w.users["association"], f1.ID, now); err != nil {
		t.Fatal(err)
	}
	f2 := w.create(t, modelstest.CompleteInput(files.KindEngagement, modelstest.Person("Brouillon", "Tom", 1990), 0), now)
	if f1.Reference != "31-2026-0001" || f2.Reference != "31-2026-0002" {
		t.Fatalf("references = %s then %s, want 31-2026-0001 then 31-2026-0002", f1.Reference, f2.Reference)
	}
	n, err := w.db.NewSelect().Model((*files.Person)(nil)).Count(w.ctx)
	if err != nil || n != 1 {
		t.Fatalf("persons after deleting a draft = %d, %v; want 1", n, err)
	}
	w.driveTo(t, f2.ID, files.StateSubmitted, "", now)
	wantRefusal(t, files.DeleteDraft(w.ctx, w.db, w.users["association"], f2.ID, now), models.FormLevel, "brouillon")
	// Each year has its own numbers; another commission has its own numbers.
	f3 := w.create(t, modelstest.CompleteInput(files.KindEngagement, modelstest.Person("Brouillon", "Ugo", 1990), 0), date(2025, 6, 2))
	f4, err := files.CreateFile(w.ctx, w.db, w.kr, w.users["association_c2"], modelstest.CompleteInput(files.KindEngagement, modelstest.Person("Ariege", "Val", 1990), 0), now)
	if err != nil || f3.Reference != "31-2025-0001" || f4.Reference != "09-2026-0001" {
		t.Fatalf("references = %s and %v (%v), want 31-2025-0001 and 09-2026-0001", f3.Reference, f4, err)
	}
}
