// Package auth signs users in and out and enforces who may do what.
package auth

import (
	"bufio"
	"crypto/rand"
	"crypto/subtle"
	_ "embed"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"

	"seance/models"
)

// Argon2id parameters for new hashes (OWASP: 19 MiB, 2 passes, 1 lane). They are
// written into each PHC string, so they can be raised later without breaking old hashes.
const (
	argonMemory  = 19 * 1024
	argonTime    = 2
	argonThreads = 1
	argonKeyLen  = 32
)

// MinPasswordLength is the minimum number of characters of a password.
const MinPasswordLength = 12

//go:embed common_passwords.txt
var commonPasswordsText string

var commonPasswords = func() map[string]bool {
	m := map[string]bool{}
	sc := bufio.NewScanner(strings.NewReader(commonPasswordsText))
	for sc.Scan() {
		if w := strings.TrimSpace(sc.Text()); w != "" && !strings.HasPrefix(w, "#") {
			m[strings.ToLower(w)] = true
		}
	}
	return m
}()

// CheckPasswordPolicy refuses pw, for the field "password", when it is too short or too
// common.
func CheckPasswordPolicy(pw string) error {
	if utf8.RuneCountInString(pw) < MinPasswordLength {
		return models.RefuseField("password", fmt.Sprintf("Le mot de passe doit contenir au moins %d caractères.", MinPasswordLength))
	}
	if commonPasswords[strings.ToLower(pw)] {
		return models.RefuseField("password", "Ce mot de passe est trop courant : choisissez-en un autre, par exemple une phrase de plusieurs mots.")
	}
	return nil
}

// HashPassword returns the argon2id PHC string of pw.
func HashPassword(pw string) (string, error) {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	key := argon2.IDKey([]byte(pw), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key)), nil
}

// The largest costs a stored hash may ask for: four times the ones HashPassword uses.
const (
	maxArgonMemory  = 4 * argonMemory
	maxArgonTime    = 4 * argonTime
	maxArgonThreads = 4 * argonThreads
)

// ErrBadHash is returned for a stored hash that is not an argon2id PHC string.
var ErrBadHash = errors.New("not an argon2id hash")

// VerifyPassword reports whether pw matches the PHC string hash.
func VerifyPassword(hash, pw string) (bool, error) {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false, ErrBadHash
	}
	var version int
	var mem, iters uint32
	var threads uint8
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false, ErrBadHash
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &mem, &iters, &threads); err != nil {
		return false, ErrBadHash
	}
	// The cost comes from the stored string: bound it, so that a corrupted or planted hash
	// can neither crash the sign-in (argon2 panics on zero threads) nor make it take
	// gigabytes or minutes.
	if threads < 1 || threads > maxArgonThreads || iters < 1 || iters > maxArgonTime || mem < 8*uint32(threads) || mem > maxArgonMemory {
		return false, ErrBadHash
	}
	salt, err := base64.RawStdEncoding.DecodeString(parts[4])
	if err != nil {
		return false, ErrBadHash
	}
	want, err := base64.RawStdEncoding.DecodeString(parts[5])
	if err != nil || len(want) == 0 {
		return false, ErrBadHash
	}
	got := argon2.IDKey([]byte(pw), salt, iters, mem, threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// dummyHash is verified against for unknown accounts so that timing does not reveal them.
// Verifying costs what the parameters say, whatever the salt and key, so it is written
// out rather than computed: computing it took 80 ms and 20 MB at every start (issue 17).
// No password opens it: that would take finding an argon2id preimage of its key.
var dummyHash = fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
	base64.RawStdEncoding.EncodeToString([]byte("seance:dummy:slt")), // 16 bytes, as HashPassword's salts
	base64.RawStdEncoding.EncodeToString([]byte("compte inexistant:unknown:account"[:argonKeyLen])))
