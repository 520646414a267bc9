package auth

import (
	"context"
	"encoding/base64"
	"strings"
	"testing"

	"seance/models"
	"seance/models/modelstest"
)

// TestIssue11_LoginVerifiesAHashForUnknownAccounts: an unknown address used to answer
// in a different time than a known account. The sign-in now runs exactly one argon2id
// verification whatever the case, with a dummy hash of the same cost when the account
// has none, and gives the same outcome for every wrong case.
func TestIssue11_LoginVerifiesAHashForUnknownAccounts(t *testing.T) {
	ctx := context.Background()
	db := modelstest.NewDB(t)
	c := modelstest.Commission(t, db, "31")
	pw := "une phrase de passe correcte"
	hash, err := HashPassword(pw)
	if err != nil {
		t.Fatal(err)
	}
	add := func(email string, withPassword, active bool) {
		u := &models.User{CommissionID: &c.ID, Email: email, Name: email, Role: models.RoleMember, Active: active}
		if withPassword {
			u.PasswordHash = hash
		}
		if err := models.CreateUser(ctx, db, models.SystemActor("test"), u, modelstest.Epoch()); err != nil {
			t.Fatal(err)
		}
	}
	add("actif@example.org", true, true)
	add("invite@example.org", false, true)
	add("parti@example.org", true, false)

	var verified []string
	h := &Handler{DB: db, verify: func(hash, password string) (bool, error) {
		verified = append(verified, hash)
		return VerifyPassword(hash, password)
	}}
	for _, tt := range []struct {
		name, email, password, wantHash string
		wantOK, wantUser                bool
	}{
		{"unknown e-mail", "fantome@example.org", pw, dummyHash, false, false},
		{"account without password", "invite@example.org", pw, dummyHash, false, true},
		{"wrong password", "actif@example.org", "mauvaise phrase de passe", hash, false, true},
		{"deactivated account", "parti@example.org", pw, hash, false, true},
		{"right password", " Actif@Example.org", pw, hash, true, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			verified = nil
			u, ok, err := h.checkPassword(ctx, tt.email, tt.password)
			if err != nil {
				t.Fatal(err)
			}
			if ok != tt.wantOK || (u != nil) != tt.wantUser {
				t.Errorf("checkPassword(%q) = user %v, ok %v, want user %v, ok %v", tt.email, u != nil, ok, tt.wantUser, tt.wantOK)
			}
			if len(verified) != 1 || verified[0] != tt.wantHash {
				t.Errorf("checkPassword(%q) verified %d hash(es) %v, want exactly one, %s", tt.email, len(verified), verified, tt.wantHash)
			}
		})
	}
	// The dummy hash costs what a real one does: same algorithm and parameters.
	params := func(h string) string { return strings.Join(strings.Split(h, "$")[:4], "$") }
	if params(dummyHash) != params(hash) {
		t.Errorf("dummy hash parameters %s, want those of a real hash %s", params(dummyHash), params(hash))
	}
	// Its salt and key are as long as a real one's (the key's length is part of the
	// cost), and verifying it runs argon2id and refuses.
	for i, part := range []int{4, 5} {
		d, _ := base64.RawStdEncoding.DecodeString(strings.Split(dummyHash, "$")[part])
		r, _ := base64.RawStdEncoding.DecodeString(strings.Split(hash, "$")[part])
		if len(d) == 0 || len(d) != len(r) {
			t.Errorf("dummy hash part %d is %d bytes, a real hash's %d", i, len(d), len(r))
		}
	}
	if ok, err := VerifyPassword(dummyHash, "compte inexistant:unknown:account"); ok || err != nil {
		t.Errorf("VerifyPassword(dummyHash) = %v, %v; want false, nil", ok, err)
	}
}
