package models_test

import (
	"archive/zip"
	"bytes"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"seance/models"
	"seance/models/files"
	"seance/models/keyring"
	"seance/models/modelstest"
	"seance/models/sitting"
	"seance/models/twofactor"
)

// Fuzz targets for the parsers of outside input that live in models (issue 18 point 3).
// `go test` runs their seeds; .ci/run fuzzes each for a bounded time.

// FuzzKeyringOpen: any stored string (a tampered or truncated sealed value) is refused
// with an error, never a panic, and never opens under another record's binding; what
// is sealed opens to itself.
func FuzzKeyringOpen(f *testing.F) {
	key, _ := keyring.ParseKey(keyring.NewKey())
	kr, err := keyring.NewKeyring(key)
	if err != nil {
		f.Fatal(err)
	}
	good := kr.Seal([]byte("Camille Exemple"), "file:1:identity")
	f.Add(good, "Camille Exemple", "file:1:identity")
	f.Add(good[:len(good)-3], "", "file:1:identity")
	f.Add(kr.CurrentID()+":", "x", "")
	f.Add("::::", "\x00", "file:2:identity")
	f.Fuzz(func(t *testing.T, sealed, plain, aad string) {
		if _, err := kr.Open(sealed, aad); err == nil && !strings.HasPrefix(sealed, kr.CurrentID()+":") {
			t.Fatalf("opened a value not sealed with the keyring's key: %q", sealed)
		}
		_, _ = kr.OpenBytes([]byte(sealed), aad) // refused or opened, never a panic
		s := kr.Seal([]byte(plain), aad)
		if got, err := kr.Open(s, aad); err != nil || string(got) != plain {
			t.Fatalf("round trip of %q: %q, %v", plain, got, err)
		}
		if _, err := kr.Open(s, aad+"x"); err == nil {
			t.Fatal("a sealed value opened under another binding")
		}
		b := kr.SealBytes([]byte(plain), aad)
		if got, err := kr.OpenBytes(b, aad); err != nil || string(got) != plain {
			t.Fatalf("bytes round trip of %q: %q, %v", plain, got, err)
		}
	})
}

func zipOf(f *testing.F, names ...string) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, n := range names {
		w, err := zw.Create(n)
		if err != nil {
			f.Fatal(err)
		}
		if n == "mimetype" {
			w.Write([]byte("application/vnd.oasis.opendocument.text"))
		} else {
			w.Write([]byte("<x/>"))
		}
	}
	zw.Close()
	return buf.Bytes()
}

// FuzzSniffAttachment: any upload is either one of the accepted types or refused with
// a French message, never a panic; a document with macros is never accepted.
func FuzzSniffAttachment(f *testing.F) {
	f.Add([]byte("%PDF-1.7\n1 0 obj\n"))
	f.Add([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"))
	f.Add([]byte("\xff\xd8\xff\xe0\x00\x10JFIF"))
	f.Add(zipOf(f, "mimetype", "content.xml"))
	f.Add(zipOf(f, "[Content_Types].xml", "word/document.xml"))
	f.Add(zipOf(f, "[Content_Types].xml", "word/document.xml", "word/vbaProject.bin"))
	f.Add([]byte("PK\x03\x04garbage"))
	f.Add([]byte("<script>alert(1)</script>"))
	accepted := []string{files.TypePDF, files.TypePNG, files.TypeJPEG}
	f.Fuzz(func(t *testing.T, content []byte) {
		typ, err := files.SniffAttachment(content)
		if err != nil {
			if fe, ok := models.AsFieldErrors(err); !ok || fe["file"] == "" {
				t.Fatalf("refusal without a French message: %v", err)
			}
			return
		}
		if typ == "" {
			t.Fatal("accepted without a type")
		}
		if bytes.Contains(bytes.ToLower(content), []byte("vbaproject.bin")) && strings.Contains(typ, "zip") {
			t.Fatalf("a document naming a macro part was accepted as %s", typ)
		}
		for _, a := range accepted {
			if typ == a {
				return
			}
		}
		if !strings.Contains(typ, "opendocument") && !strings.Contains(typ, "openxmlformats") {
			t.Fatalf("accepted an unexpected type %q", typ)
		}
	})
}

// FuzzReceipt: a receipt as typed by a member (spaces, dashes, case) normalises to the
// same receipt as its displayed form.
func FuzzReceipt(f *testing.F) {
	f.Add("3f2a9c1d0b7e44aa")
	f.Add(" 3F2A-9C1D 0B7E\u00a044AA ")
	f.Add("")
	f.Fuzz(func(t *testing.T, r string) {
		n := sitting.NormalizeReceipt(r)
		if strings.ContainsAny(n, " -\u00a0") && utf8.ValidString(r) && !strings.ContainsFunc(n, func(c rune) bool { return c > 0x7f && c != 0xa0 }) {
			t.Fatalf("normalised %q still has separators: %q", r, n)
		}
		if again := sitting.NormalizeReceipt(sitting.FormatReceipt(n)); again != n && !strings.ContainsAny(n, " \t\n\r\v\f") {
			t.Fatalf("the displayed form of %q normalises to %q", n, again)
		}
	})
}

// FuzzTextLimits: a single-line field that passes the check holds no line break or
// control character and fits the limit; a refused one names its field in French.
func FuzzTextLimits(f *testing.F) {
	f.Add("Séance du 2 mars", 80)
	f.Add("ligne\r\nBcc: tous@exemple.fr", 200)
	f.Add("\x00\x1b[31m", 10)
	f.Add(strings.Repeat("é", 81), 80)
	f.Fuzz(func(t *testing.T, value string, max int) {
		if max < 1 || max > 10000 {
			return
		}
		fe := models.FieldErrors{}
		models.CheckLine(fe, "title", "Titre", value, max)
		if msg, refused := fe["title"]; refused {
			if !strings.Contains(msg, "Titre") {
				t.Fatalf("refusal of %q does not name the field: %q", value, msg)
			}
			return
		}
		if strings.ContainsAny(value, "\r\n\x00") || utf8.RuneCountInString(value) > max {
			t.Fatalf("accepted %q (limit %d)", value, max)
		}
		fe = models.FieldErrors{}
		models.CheckText(fe, "text", "Texte", value, max)
		if _, refused := fe["text"]; refused {
			t.Fatalf("a valid line %q is refused as a text", value)
		}
	})
}

// FuzzSecondFactorCodes: whatever is typed as a TOTP or recovery code (spaces, letters,
// long strings, control characters) is checked or refused, never a panic or a database
// error, and only the right code passes. Each input runs one minute later on the clock,
// so the failure limit does not stop the checks.
func FuzzSecondFactorCodes(f *testing.F) {
	db := modelstest.NewDB(f)
	kr := modelstest.Keyring(f)
	now := modelstest.Epoch()
	c := modelstest.Commission(f, db, "31")
	u := modelstest.UserWithEmail(f, db, c.ID, models.RoleSecretariat, "secretariat@example.org")
	e, err := twofactor.StartTOTPEnrolment(ctx, db, kr, u, "Séance", now)
	if err != nil {
		f.Fatal(err)
	}
	key, err := otp.NewKeyFromURL(e.URL)
	if err != nil {
		f.Fatal(err)
	}
	good, err := totp.GenerateCode(key.Secret(), now)
	if err != nil {
		f.Fatal(err)
	}
	codes, err := twofactor.ConfirmTOTP(ctx, db, kr, u, good, now)
	if err != nil {
		f.Fatal(err)
	}
	f.Add("123456")
	f.Add(" 12 34 56 ")
	f.Add(codes[0])
	f.Add("ABCD-EFGH-\x00")
	f.Add(strings.Repeat("9", 1000))
	step := 0
	f.Fuzz(func(t *testing.T, typed string) {
		step++
		at := now.Add(time.Duration(step) * 16 * time.Minute) // past the failure window each time
		right, err := totp.GenerateCode(key.Secret(), at)
		if err != nil {
			t.Fatal(err)
		}
		err = twofactor.VerifyTOTP(ctx, db, kr, u, typed, at)
		if err == nil && strings.Join(strings.Fields(typed), "") != right {
			t.Fatalf("TOTP %q accepted at %s (right code %s)", typed, at, right)
		}
		if err := twofactor.UseRecoveryCode(ctx, db, u, typed, at); err == nil && !slices.Contains(codes, typed) &&
			!slices.ContainsFunc(codes, func(c string) bool {
				return strings.EqualFold(strings.ReplaceAll(c, "-", ""), strings.ReplaceAll(strings.Join(strings.Fields(typed), ""), "-", ""))
			}) {
			t.Fatalf("recovery code %q accepted", typed)
		}
	})
}
