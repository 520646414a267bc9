package keyring

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
)

// Keyring encrypts sensitive fields with AES-256-GCM. Each sealed value names the key
// that sealed it, so that keys can be rotated: new values use Current, old values
// open with any key still in the ring.
type Keyring struct {
	current string
	keys    map[string]cipher.AEAD
}

// ErrSealed is returned when a sealed value cannot be opened (wrong key, tampering).
var ErrSealed = errors.New("sealed value cannot be opened")

// KeyID derives a short, stable identifier from a key.
func KeyID(key []byte) string {
	sum := sha256.Sum256(append([]byte("seance-key-id:"), key...))
	return hex.EncodeToString(sum[:4])
}

// ParseKey decodes a base64 32-byte key (SEANCE_SECRET_KEY).
func ParseKey(s string) ([]byte, error) {
	k, err := base64.StdEncoding.DecodeString(strings.TrimSpace(s))
	if err != nil {
		return nil, fmt.Errorf("not valid base64: %w", err)
	}
	if len(k) != 32 {
		return nil, fmt.Errorf("decodes to %d bytes, want 32", len(k))
	}
	return k, nil
}

// NewKey returns a new random 32-byte key, base64 encoded.
func NewKey() string {
	k := make([]byte, 32)
	if _, err := rand.Read(k); err != nil {
		panic(err)
	}
	return base64.StdEncoding.EncodeToString(k)
}

// NewKeyring returns a ring whose current key is current; older keys may follow.
func NewKeyring(current []byte, older ...[]byte) (*Keyring, error) {
	kr := &Keyring{keys: map[string]cipher.AEAD{}}
	for i, k := range append([][]byte{current}, older...) {
		block, err := aes.NewCipher(k)
		if err != nil {
			return nil, fmt.Errorf("keyring: %w", err)
		}
		aead, err := cipher.NewGCM(block)
		if err != nil {
			return nil, fmt.Errorf("keyring: %w", err)
		}
		id := KeyID(k)
		if i == 0 {
			kr.current = id
		}
		kr.keys[id] = aead
	}
	return kr, nil
}

// CurrentID returns the identifier of the key used for new values.
func (kr *Keyring) CurrentID() string { return kr.current }

// Seal encrypts plaintext; aad binds the value to its place (e.g. "file:42:identity")
// so that a sealed value copied to another row does not open.
// The result is "<key id>:<base64(nonce ‖ ciphertext)>".
func (kr *Keyring) Seal(plaintext []byte, aad string) string {
	aead := kr.keys[kr.current]
	nonce := make([]byte, aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		panic(err)
	}
	out := aead.Seal(nonce, nonce, plaintext, []byte(aad))
	return kr.current + ":" + base64.StdEncoding.EncodeToString(out)
}

// Open decrypts a value made by Seal with the same aad.
func (kr *Keyring) Open(sealed, aad string) ([]byte, error) {
	id, b64, ok := strings.Cut(sealed, ":")
	if !ok {
		return nil, ErrSealed
	}
	aead, ok := kr.keys[id]
	if !ok {
		return nil, fmt.Errorf("%w: unknown key %s", ErrSealed, id)
	}
	raw, err := base64.StdEncoding.DecodeString(b64)
	if err != nil || len(raw) < aead.NonceSize() {
		return nil, ErrSealed
	}
	pt, err := aead.Open(nil, raw[:aead.NonceSize()], raw[aead.NonceSize():], []byte(aad))
	if err != nil {
		return nil, ErrSealed
	}
	return pt, nil
}

// SealedWith returns the key id a sealed value names.
func SealedWith(sealed string) string {
	id, _, _ := strings.Cut(sealed, ":")
	return id
}

// SealBytes is Seal for large values kept in a binary column (attachments): the
// result is "<key id>:" followed by the raw nonce and ciphertext, without base64.
func (kr *Keyring) SealBytes(plaintext []byte, aad string) []byte {
	aead := kr.keys[kr.current]
	out := make([]byte, 0, len(kr.current)+1+aead.NonceSize()+len(plaintext)+aead.Overhead())
	out = append(out, kr.current...)
	out = append(out, ':')
	nonce := make([]byte, aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		panic(err)
	}
	out = append(out, nonce...)
	return aead.Seal(out, nonce, plaintext, []byte(aad))
}

// OpenBytes decrypts a value made by SealBytes with the same aad.
func (kr *Keyring) OpenBytes(sealed []byte, aad string) ([]byte, error) {
	id, raw, ok := bytes.Cut(sealed, []byte{':'})
	if !ok {
		return nil, ErrSealed
	}
	aead, ok := kr.keys[string(id)]
	if !ok {
		return nil, fmt.Errorf("%w: unknown key %s", ErrSealed, id)
	}
	if len(raw) < aead.NonceSize() {
		return nil, ErrSealed
	}
	pt, err := aead.Open(nil, raw[:aead.NonceSize()], raw[aead.NonceSize():], []byte(aad))
	if err != nil {
		return nil, ErrSealed
	}
	return pt, nil
}

// SealedBytesWith returns the key id a value made by SealBytes names.
func SealedBytesWith(sealed []byte) string {
	id, _, _ := bytes.Cut(sealed, []byte{':'})
	return string(id)
}
