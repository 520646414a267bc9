package auth_test

import (
	"fmt"
	"strings"
	"testing"

	"seance/app/auth"
)

// FuzzVerifyPassword: a stored hash of any shape (corrupted column, hostile import) is
// refused or checked, never a panic, and never matches without being the real hash.
func FuzzVerifyPassword(f *testing.F) {
	real, err := auth.HashPassword("cheval agrafe batterie correcte")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(real, "cheval agrafe batterie correcte")
	f.Add("$argon2id$v=19$m=1,t=1,p=1$c2FsdA$aGFzaA", "x")
	f.Add("$argon2id$v=19$m=4294967295,t=4294967295,p=255$$", "")
	f.Add("$argon2id$v=19$m=65536,t=3,p=4$!!$!!", "pw")
	f.Add("$2a$10$abcdefghijklmnopqrstuv", "pw")
	f.Fuzz(func(t *testing.T, hash, pw string) {
		var m, tm uint32
		var p uint8
		if parts := strings.Split(hash, "$"); len(parts) == 6 && hash != real {
			if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &tm, &p); err == nil && m > 1024 && p > 0 {
				return // a costly but legal hash: slow to fuzz, checked by the bounds test below
			}
		}
		ok, err := auth.VerifyPassword(hash, pw)
		if ok && (err != nil || hash != real || pw != "cheval agrafe batterie correcte") {
			t.Fatalf("VerifyPassword(%q, %q) = true, %v", hash, pw, err)
		}
	})
}

// TestVerifyPasswordRefusesHostileCosts: found by FuzzVerifyPassword, a stored hash with
// zero threads made argon2 panic during sign-in; one asking for 4 GiB or 2^32 passes
// would have exhausted the server. Such hashes are refused as malformed.
func TestVerifyPasswordRefusesHostileCosts(t *testing.T) {
	for _, h := range []string{
		"$argon2id$v=19$m=19456,t=2,p=0$c2FsdHNhbHQ$aGFzaGhhc2g",
		"$argon2id$v=19$m=4194304,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2g",
		"$argon2id$v=19$m=19456,t=4294967295,p=1$c2FsdHNhbHQ$aGFzaGhhc2g",
		"$argon2id$v=19$m=4,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2g",
	} {
		if ok, err := auth.VerifyPassword(h, "x"); ok || err != auth.ErrBadHash {
			t.Errorf("VerifyPassword(%q) = %v, %v; want ErrBadHash", h, ok, err)
		}
	}
	other, err := auth.HashPassword("une autre phrase de passe")
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := auth.VerifyPassword(other, "une autre phrase de passe"); !ok || err != nil {
		t.Fatalf("the portal's own hash is refused: %v, %v", ok, err)
	}
}
