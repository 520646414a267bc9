package models

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/schema"

	"seance/models/keyring"
)

// AuditKeys are the MAC keys of the audit chain, derived from SEANCE_SECRET_KEY (and
// the older keys still in the ring, so that links made before a rotation verify).
// A link made with a key is HMAC-SHA256(key, previous hash ‖ record): whoever can
// write to the database but does not hold the secret key cannot forge one.
type AuditKeys struct {
	current string
	keys    map[string][]byte
}

// auditKeyLabel separates the audit MAC key from every other use of the secret key.
const auditKeyLabel = "seance audit chain v2"

// DeriveAuditKeys derives the chain's MAC keys from the raw secret keys, current first.
func DeriveAuditKeys(current []byte, older ...[]byte) AuditKeys {
	ks := AuditKeys{keys: map[string][]byte{}}
	for i, k := range append([][]byte{current}, older...) {
		m := hmac.New(sha256.New, k)
		m.Write([]byte(auditKeyLabel))
		mk := m.Sum(nil)
		id := keyring.KeyID(mk)
		if i == 0 {
			ks.current = id
		}
		ks.keys[id] = mk
	}
	return ks
}

// ParseAuditKeys derives the chain's keys from SEANCE_SECRET_KEY and SEANCE_OLD_SECRET_KEYS
// (base64, as in the environment).
func ParseAuditKeys(current string, older []string) (AuditKeys, error) {
	cur, err := keyring.ParseKey(current)
	if err != nil {
		return AuditKeys{}, fmt.Errorf("SEANCE_SECRET_KEY %w", err)
	}
	var olds [][]byte
	for i, s := range older {
		if strings.TrimSpace(s) == "" {
			continue
		}
		k, err := keyring.ParseKey(s)
		if err != nil {
			return AuditKeys{}, fmt.Errorf("SEANCE_OLD_SECRET_KEYS #%d %w", i+1, err)
		}
		olds = append(olds, k)
	}
	return DeriveAuditKeys(cur, olds...), nil
}

// auditKeysArg names the keys among the database handle's named arguments. They are
// carried by the handle that the portal opens (WithAuditKeys), so that Audit, called
// with that handle or a transaction begun on it, keys its links without a new
// parameter at every call site, without a global and without a context value.
const auditKeysArg = "seance_audit_keys"

// WithAuditKeys returns db (sharing its connections) whose audit records are keyed
// with ks. Call it where the database is opened; close either handle, not both.
func WithAuditKeys(db *bun.DB, ks AuditKeys) *bun.DB {
	return db.WithNamedArg(auditKeysArg, &auditKeysHolder{ks: ks})
}

// auditKeysHolder is the named argument. Formatted into an ordinary query it gives a
// harmless literal, never a key: it gives its keys only to auditKeysOf, which formats
// it with a second named argument that asks for them.
type auditKeysHolder struct{ ks AuditKeys }

const revealArg = "seance_audit_keys_reveal"

// AppendQuery implements schema.QueryAppender.
func (h *auditKeysHolder) AppendQuery(gen schema.QueryGen, b []byte) ([]byte, error) {
	if gen.FormatQuery("?"+revealArg) != "reveal" {
		return append(b, "'audit-keys'"...), nil
	}
	ids := make([]string, 0, len(h.ks.keys))
	ids = append(ids, h.ks.current)
	for id := range h.ks.keys {
		if id != h.ks.current {
			ids = append(ids, id)
		}
	}
	for i, id := range ids {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, id...)
		b = append(b, ':')
		b = hex.AppendEncode(b, h.ks.keys[id])
	}
	return b, nil
}

type rawArg string

func (r rawArg) AppendQuery(_ schema.QueryGen, b []byte) ([]byte, error) { return append(b, r...), nil }

// auditKeysOf returns the keys the handle (or the transaction's handle) carries; ok is
// false without keys.
func auditKeysOf(db bun.IDB) (AuditKeys, bool) {
	gen := db.NewSelect().DB().QueryGen().WithNamedArg(revealArg, rawArg("reveal"))
	out := gen.FormatQuery("?" + auditKeysArg)
	if out == "?"+auditKeysArg {
		return AuditKeys{}, false
	}
	ks := AuditKeys{keys: map[string][]byte{}}
	for i, part := range strings.Split(out, ",") {
		id, hx, ok := strings.Cut(part, ":")
		k, err := hex.DecodeString(hx)
		if !ok || err != nil {
			return AuditKeys{}, false
		}
		if i == 0 {
			ks.current = id
		}
		ks.keys[id] = k
	}
	return ks, true
}

func hexMAC(key []byte, parts ...[]byte) string {
	m := hmac.New(sha256.New, key)
	for _, p := range parts {
		m.Write(p)
	}
	return hex.EncodeToString(m.Sum(nil))
}
