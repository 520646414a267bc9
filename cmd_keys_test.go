package main

import (
	"context"
	"strings"
	"testing"

	"seance/models"
	"seance/models/files"
	keyringmodel "seance/models/keyring"
	"seance/models/modelstest"
)

// TestRule15_CLIKeysRotate seals identities, proposals and attachments under a first key,
// then rotates to a second one with `seance keys rotate`: afterwards the second key alone
// opens everything, and a second run has nothing left to do.
func TestRule15_CLIKeysRotate(t *testing.T) {
	ctx := context.Background()
	url := modelstest.URL(t)
	oldKey, newKey := keyringmodel.NewKey(), keyringmodel.NewKey()
	if _, err := runCLI(t, map[string]string{"DATABASE_URL": url}, "", "migrate"); err != nil {
		t.Fatal(err)
	}
	keyring := func(keys ...string) *keyringmodel.Keyring {
		t.Helper()
		var raw [][]byte
		for _, k := range keys {
			b, err := keyringmodel.ParseKey(k)
			if err != nil {
				t.Fatal(err)
			}
			raw = append(raw, b)
		}
		kr, err := keyringmodel.NewKeyring(raw[0], raw[1:]...)
		if err != nil {
			t.Fatal(err)
		}
		return kr
	}

	db, err := models.Open(url)
	if err != nil {
		t.Fatal(err)
	}
	now := modelstest.Epoch()
	c := modelstest.Commission(t, db, "31")
	a := modelstest.Association(t, db, c, "Association Rotation", "31", now.AddDate(-1, 0, 0))
	asso := modelstest.User(t, db, c, models.RoleAssociation, a)
	sec := modelstest.User(t, db, c, models.RoleSecretariat, nil)
	var fileIDs []int64
	for i := range 2 {
		f, err := files.CreateFile(ctx, db, keyring(oldKey), asso, modelstest.CompleteInput(files.KindEngagement, modelstest.Person("Rotation", "Cle", 1990+i), 0), now)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := files.AddAttachment(ctx, db, keyring(oldKey), asso, f.ID, files.AttachmentReport, "rapport.pdf", []byte("%PDF-1.4\n%%EOF\n"), now); err != nil {
			t.Fatal(err)
		}
		// Submitted: the secretariat reads it below (a draft is the association's alone).
		if err := files.Transition(ctx, db, keyring(oldKey), asso, f.ID, files.StateSubmitted, files.TransitionInput{}, now); err != nil {
			t.Fatal(err)
		}
		fileIDs = append(fileIDs, f.ID)
	}
	db.Close()

	for _, tt := range []struct {
		name string
		env  map[string]string
		want string
	}{
		{"no key", map[string]string{"DATABASE_URL": url}, "SEANCE_SECRET_KEY is required"},
		{"old key missing", map[string]string{"DATABASE_URL": url, "SEANCE_SECRET_KEY": newKey}, "add the previous key to SEANCE_OLD_SECRET_KEYS"},
		{"bad old key", map[string]string{"DATABASE_URL": url, "SEANCE_SECRET_KEY": newKey, "SEANCE_OLD_SECRET_KEYS": "court"}, "SEANCE_OLD_SECRET_KEYS item 1"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := runCLI(t, tt.env, "", "keys", "rotate"); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("keys rotate error = %v, want one containing %q", err, tt.want)
			}
		})
	}

	env := map[string]string{"DATABASE_URL": url, "SEANCE_SECRET_KEY": newKey, "SEANCE_OLD_SECRET_KEYS": oldKey}
	out, err := runCLI(t, env, "", "keys", "rotate")
	if err != nil {
		t.Fatalf("keys rotate: %v\n%s", err, out)
	}
	for _, want := range []string{keyring(newKey).CurrentID(), "persons.identity_sealed", "files.proposal_sealed", "attachments.content", "attachments.name_sealed", "total", "8 re-sealed", "every sealed value now uses the current key"} {
		if !strings.Contains(out, want) {
			t.Errorf("keys rotate report lacks %q:\n%s", want, out)
		}
	}
	out, err = runCLI(t, env, "", "keys", "rotate")
	if err != nil || !strings.Contains(out, "0 re-sealed") {
		t.Fatalf("second keys rotate = %q, %v; want nothing left to re-seal", out, err)
	}

	db, err = models.Open(url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	auditKeys, err := models.ParseAuditKeys(newKey, nil) // the chain is keyed with the new key since the rotation
	if err != nil {
		t.Fatal(err)
	}
	db = models.WithAuditKeys(db, auditKeys)
	onlyNew := keyring(newKey)
	for _, id := range fileIDs {
		if _, err := files.RevealIdentity(ctx, db, onlyNew, sec, id, now); err != nil {
			t.Fatalf("identity of file %d with the new key only: %v", id, err)
		}
		if _, err := files.FileProposal(ctx, db, onlyNew, sec, id, now); err != nil {
			t.Fatalf("proposal of file %d with the new key only: %v", id, err)
		}
		as, err := files.ListAttachments(ctx, db, onlyNew, sec, id, now)
		if err != nil || len(as) != 1 {
			t.Fatalf("attachments of file %d with the new key only = %v, %v", id, as, err)
		}
		if _, _, err := files.OpenAttachment(ctx, db, onlyNew, sec, as[0].ID, now); err != nil {
			t.Fatalf("attachment of file %d with the new key only: %v", id, err)
		}
	}
	if out, err := runCLI(t, env, "", "audit", "verify"); err != nil || !strings.Contains(out, "intact") {
		t.Fatalf("audit verify after rotation = %q, %v", out, err)
	}
}
