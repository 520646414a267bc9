package models_test

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/uptrace/bun"

	"seance/models"
	filesmodel "seance/models/files"
	"seance/models/keyring"
	"seance/models/migrations"
	"seance/models/modelstest"
	"seance/models/rotation"
)

// secretPerson is an identity whose every field is a marker searched in dumps.
func secretPerson() *filesmodel.PersonInput {
	return &filesmodel.PersonInput{
		Identity: filesmodel.Identity{
			LastName: "Zéphyrinoux", FirstName: "Quenelda", UsedName: "Quenou-Alias", BirthDate: "1987-11-23", BirthPlace: "Utopiaville",
			Phone: "+33 6 98 76 54 32", Email: "quenelda.zephyrinoux@exemple.invalid", Address: "17 impasse des Chimères",
			PostalCode: "31999", City: "Fictiville",
		},
		Gender: filesmodel.GenderFemale, BirthYear: 1987, Nationality: "RO",
	}
}

// TestIdentityProposalAndAttachmentEncryptionRoundTrip checks that what is sealed opens
// back to what was entered, and is not stored in clear.
func TestIdentityProposalAndAttachmentEncryptionRoundTrip(t *testing.T) {
	w := newWorld(t)
	now := date(2026, 3, 2)
	in := modelstest.CompleteInput(filesmodel.KindEngagement, secretPerson(), 0)
	f := w.create(t, in, now)
	content := pdfBytes("CONTENU-PIECE-SECRETE")
	a, err := filesmodel.AddAttachment(w.ctx, w.db, w.kr, w.users["association"], f.ID, filesmodel.AttachmentIdentity, "CNI_Zephyrinoux.pdf", content, now)
	if err != nil {
		t.Fatal(err)
	}
	id, err := filesmodel.RevealIdentity(w.ctx, w.db, w.kr, w.users["association"], f.ID, now)
	if err != nil || *id != secretPerson().Identity {
		t.Fatalf("RevealIdentity = %+v, %v; want %+v", id, err, secretPerson().Identity)
	}
	p, err := filesmodel.FileProposal(w.ctx, w.db, w.kr, w.users["association"], f.ID, now)
	if err != nil || p.Commitments != in.Proposal.Commitments || len(p.Actions) != 1 || p.Actions[0] != in.Proposal.Actions[0] {
		t.Fatalf("FileProposal = %+v, %v", p, err)
	}
	got, opened, err := filesmodel.OpenAttachment(w.ctx, w.db, w.kr, w.users["association"], a.ID, now)
	if err != nil || !bytes.Equal(opened, content) || got.Name != "CNI_Zephyrinoux.pdf" {
		t.Fatalf("OpenAttachment = %q, %d bytes, %v", got.Name, len(opened), err)
	}
	// The identity can be changed while a draft; the new one replaces the old.
	changed := secretPerson()
	changed.Identity.City = "Chimèreville"
	in.Person = changed
	if err := filesmodel.UpdateFile(w.ctx, w.db, w.kr, w.users["association"], f.ID, in, now); err != nil {
		t.Fatal(err)
	}
	if id, err := filesmodel.RevealIdentity(w.ctx, w.db, w.kr, w.users["association"], f.ID, now); err != nil || id.City != "Chimèreville" {
		t.Fatalf("identity after update = %+v, %v", id, err)
	}
	var person filesmodel.Person
	if err := w.db.NewSelect().Model(&person).Where("id = ?", f.PersonID).Scan(w.ctx); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(person.IdentitySealed, "Quenelda") || keyring.SealedWith(person.IdentitySealed) != w.kr.CurrentID() || person.BirthYear != 1987 || person.Nationality != "RO" {
		t.Fatalf("stored person = %+v", person)
	}
	// A sealed value copied to another row does not open there.
	g := w.create(t, modelstest.CompleteInput(filesmodel.KindEngagement, modelstest.Person("Autre", "Wes", 1990), 0), now)
	other := w.file(t, g.ID)
	if _, err := w.db.NewUpdate().Model((*filesmodel.Person)(nil)).Set("identity_sealed = ?", person.IdentitySealed).Where("id = ?", other.PersonID).Exec(w.ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := filesmodel.RevealIdentity(w.ctx, w.db, w.kr, w.users["association"], g.ID, now); !errors.Is(err, keyring.ErrSealed) {
		t.Fatalf("RevealIdentity of a copied sealed value error = %v, want ErrSealed", err)
	}
}

// TestRotateKeysResealsEveryValueWithTheCurrentKey seals under a first key, rotates to a
// second and checks that a ring holding only the second key opens everything.
func TestRotateKeysResealsEveryValueWithTheCurrentKey(t *testing.T) {
	w := newWorld(t)
	k1, _ := keyring.ParseKey(keyring.NewKey())
	k2, _ := keyring.ParseKey(keyring.NewKey())
	w.kr, _ = keyring.NewKeyring(k1)
	now := date(2026, 3, 2)
	var files []*filesmodel.File
	for i := range 3 {
		f := w.create(t, modelstest.CompleteInput(filesmodel.KindEngagement, modelstest.Person("Rotation", "Xia", 1990+i), 0), now)
		if _, err := filesmodel.AddAttachment(w.ctx, w.db, w.kr, w.users["association"], f.ID, filesmodel.AttachmentReport, "rapport.pdf", pdfBytes("rotation"), now); err != nil {
			t.Fatal(err)
		}
		w.move(t, "association", f.ID, filesmodel.StateSubmitted, filesmodel.TransitionInput{}, now)
		files = append(files, f)
	}
	rotated, _ := keyring.NewKeyring(k2, k1)
	rep, err := rotation.RotateKeys(w.ctx, w.db, rotated, now)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int{"persons.identity_sealed": 3, "files.proposal_sealed": 3, "attachments.name_sealed": 3, "attachments.content": 3}
	for k, v := range want {
		if rep.Resealed[k] != v {
			t.Errorf("RotateKeys resealed %d %s, want %d (report %+v)", rep.Resealed[k], k, v, rep)
		}
	}
	if rep.Total != 12 {
		t.Fatalf("RotateKeys total = %d, want 12", rep.Total)
	}
	again, err := rotation.RotateKeys(w.ctx, w.db, rotated, now)
	if err != nil || again.Total != 0 {
		t.Fatalf("second RotateKeys = %+v, %v; want nothing left to reseal", again, err)
	}
	onlyNew, _ := keyring.NewKeyring(k2)
	onlyOld, _ := keyring.NewKeyring(k1)
	for _, f := range files {
		if _, err := filesmodel.RevealIdentity(w.ctx, w.db, onlyNew, w.users["secretariat"], f.ID, now); err != nil {
			t.Fatalf("RevealIdentity with the new key only: %v", err)
		}
		if _, err := filesmodel.FileProposal(w.ctx, w.db, onlyNew, w.users["secretariat"], f.ID, now); err != nil {
			t.Fatalf("FileProposal with the new key only: %v", err)
		}
		as, err := filesmodel.ListAttachments(w.ctx, w.db, onlyNew, w.users["secretariat"], f.ID, now)
		if err != nil {
			t.Fatal(err)
		}
		if _, content, err := filesmodel.OpenAttachment(w.ctx, w.db, onlyNew, w.users["secretariat"], as[0].ID, now); err != nil || !bytes.Contains(content, []byte("rotation")) {
			t.Fatalf("OpenAttachment with the new key only: %v", err)
		}
		if _, err := filesmodel.RevealIdentity(w.ctx, w.db, onlyOld, w.users["secretariat"], f.ID, now); !errors.Is(err, keyring.ErrSealed) {
			t.Fatalf("RevealIdentity with the old key only error = %v, want ErrSealed", err)
		}
	}
	recs, err := models.ListAudit(w.ctx, w.db, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(recs, func(r models.AuditRecord) bool { return r.Action == "keys.rotate" && r.Details == `{"resealed":12}` }) {
		t.Fatal("no keys.rotate audit record with 12 values resealed")
	}
}

// TestNoIdentityInClearInDatabaseDump writes files, identities, proposals and attachments,
// shows them, rotates the key, then reads the whole database as stored (the SQLite file
// and its WAL byte for byte, or every PostgreSQL row as text) and looks for every
// identity field, the proposal's text and the attachment's name and content.
func TestNoIdentityInClearInDatabaseDump(t *testing.T) {
	db, url := dumpableDB(t)
	w := newWorldOn(t, db)
	k1, k2 := twoKeys()
	w.kr, _ = keyring.NewKeyring(k1)
	now := date(2026, 3, 2)
	in := modelstest.CompleteInput(filesmodel.KindEngagement, secretPerson(), 0)
	in.Proposal.Commitments = "ENGAGEMENT-TRES-PRIVE de la personne"
	in.Proposal.Actions[0].Description = "Suivi en CMP-PRIVE-CONFIDENTIEL"
	f := w.create(t, in, now)
	if _, err := filesmodel.AddAttachment(w.ctx, w.db, w.kr, w.users["association"], f.ID, filesmodel.AttachmentIdentity, "CNI_Zephyrinoux.pdf", pdfBytes("CONTENU-PIECE-SECRETE"), now); err != nil {
		t.Fatal(err)
	}
	w.driveTo(t, f.ID, filesmodel.StateDecided, filesmodel.DecisionAuthorised, now)
	if _, err := filesmodel.RevealIdentity(w.ctx, w.db, w.kr, w.users["secretariat"], f.ID, now); err != nil {
		t.Fatal(err)
	}
	as, err := filesmodel.ListAttachments(w.ctx, w.db, w.kr, w.users["secretariat"], f.ID, now)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := filesmodel.OpenAttachment(w.ctx, w.db, w.kr, w.users["secretariat"], as[0].ID, now); err != nil {
		t.Fatal(err)
	}
	rotated, _ := keyring.NewKeyring(k2, k1)
	if _, err := rotation.RotateKeys(w.ctx, w.db, rotated, now); err != nil {
		t.Fatal(err)
	}
	id := secretPerson().Identity
	markers := []string{id.LastName, "Zephyrinoux", id.FirstName, id.UsedName, id.BirthDate, id.BirthPlace, id.Phone, id.Email, id.Address, id.PostalCode, id.City,
		"ENGAGEMENT-TRES-PRIVE", "CMP-PRIVE-CONFIDENTIEL", "CONTENU-PIECE-SECRETE", "CNI_"}

	dump := databaseDump(t, db, url)
	// Positive control: clear attributes and the reference are in the dump.
	for _, clear := range []string{f.Reference, "file.identity_view", "Association Une"} {
		if !bytes.Contains(dump, []byte(clear)) {
			t.Fatalf("dump of %d bytes lacks %q: the dump is not read as stored", len(dump), clear)
		}
	}
	noneInClear(t, dump, markers)
}

// dumpableDB opens a migrated test database and returns it with its URL, for
// databaseDump.
func dumpableDB(t *testing.T) (*bun.DB, string) {
	t.Helper()
	url := modelstest.URL(t)
	db, err := models.Open(url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := migrations.Up(context.Background(), db); err != nil {
		t.Fatal(err)
	}
	return db, url
}

// twoKeys returns two new keys, for a rotation from the first to the second.
func twoKeys() (k1, k2 []byte) {
	k1, _ = keyring.ParseKey(keyring.NewKey())
	k2, _ = keyring.ParseKey(keyring.NewKey())
	return k1, k2
}

// databaseDump reads the whole database as stored: the SQLite file at url and its WAL
// byte for byte, or every row of every PostgreSQL table as text.
func databaseDump(t *testing.T, db *bun.DB, url string) []byte {
	t.Helper()
	ctx := context.Background()
	var dump []byte
	if models.IsPG(db) {
		var tables []string
		err := db.NewRaw("SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY 1").Scan(ctx, &tables)
		if err != nil || len(tables) < 10 {
			t.Fatalf("list tables = %v, %v", tables, err)
		}
		for _, table := range tables {
			var rows []string
			if err := db.NewRaw("SELECT CAST(t AS text) FROM ? AS t", bun.Ident(table)).Scan(ctx, &rows); err != nil {
				t.Fatalf("dump %s: %v", table, err)
			}
			for _, r := range rows {
				dump = append(dump, r...)
				dump = append(dump, '\n')
			}
		}
		return dump
	}
	for _, suffix := range []string{"", "-wal"} {
		b, err := os.ReadFile(url + suffix)
		if err != nil && !(suffix != "" && os.IsNotExist(err)) {
			t.Fatal(err)
		}
		dump = append(dump, b...)
	}
	return dump
}

// noneInClear fails for each marker found in dump as is, lowercased or hex encoded.
func noneInClear(t *testing.T, dump []byte, markers []string) {
	t.Helper()
	if slices.Contains(markers, "") {
		t.Fatal("empty marker")
	}
	lower := bytes.ToLower(dump)
	for _, m := range markers {
		for _, form := range [][]byte{[]byte(m), []byte(strings.ToLower(m)), []byte(hex.EncodeToString([]byte(m)))} {
			if bytes.Contains(dump, form) || bytes.Contains(lower, bytes.ToLower(form)) {
				t.Errorf("the database dump contains %q in clear", form)
			}
		}
	}
}

// TestFileReferencesUniqueUnderConcurrentCreation creates 20 files at once.
func TestFileReferencesUniqueUnderConcurrentCreation(t *testing.T) {
	w := newWorld(t)
	now := date(2026, 3, 2)
	const n = 20
	refs := make([]string, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			u := w.users["association"]
			if i%2 == 1 {
				u = w.users["association2"]
			}
			f, err := filesmodel.CreateFile(w.ctx, w.db, w.kr, u, modelstest.CompleteInput(filesmodel.KindEngagement, modelstest.Person("Concurrent", "Yan", 1980+i), 0), now)
			errs[i] = err
			if err == nil {
				refs[i] = f.Reference
			}
		}()
	}
	close(start)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("CreateFile %d error = %v", i, err)
		}
	}
	slices.Sort(refs)
	for i, r := range refs {
		if want := fmt.Sprintf("31-2026-%04d", i+1); r != want {
			t.Fatalf("references = %v, want 31-2026-0001 … 31-2026-0020 without gaps or duplicates", refs)
		}
	}
}
