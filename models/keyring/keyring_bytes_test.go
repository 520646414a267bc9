package keyring_test

import (
	"bytes"
	"errors"
	"testing"

	"seance/models/keyring"
)

func TestKeyringSealBytesRoundTrip(t *testing.T) {
	k1, _ := keyring.ParseKey(keyring.NewKey())
	k2, _ := keyring.ParseKey(keyring.NewKey())
	kr, err := keyring.NewKeyring(k1)
	if err != nil {
		t.Fatal(err)
	}
	plain := append([]byte("%PDF-1.7 "), bytes.Repeat([]byte{0, 1, 2, 255}, 1000)...)
	sealed := kr.SealBytes(plain, "attachment:1")
	if bytes.Contains(sealed, []byte("%PDF")) || keyring.SealedBytesWith(sealed) != kr.CurrentID() {
		t.Fatalf("sealed value shows its plaintext or names key %q, want %q", keyring.SealedBytesWith(sealed), kr.CurrentID())
	}
	if got, err := kr.OpenBytes(sealed, "attachment:1"); err != nil || !bytes.Equal(got, plain) {
		t.Fatalf("OpenBytes = %d bytes, %v; want the plaintext", len(got), err)
	}
	if _, err := kr.OpenBytes(sealed, "attachment:2"); !errors.Is(err, keyring.ErrSealed) {
		t.Fatalf("OpenBytes with another aad error = %v, want ErrSealed", err)
	}
	tampered := bytes.Clone(sealed)
	tampered[len(tampered)-1] ^= 1
	if _, err := kr.OpenBytes(tampered, "attachment:1"); !errors.Is(err, keyring.ErrSealed) {
		t.Fatalf("OpenBytes of a tampered value error = %v, want ErrSealed", err)
	}
	other, _ := keyring.NewKeyring(k2)
	if _, err := other.OpenBytes(sealed, "attachment:1"); !errors.Is(err, keyring.ErrSealed) {
		t.Fatalf("OpenBytes with a ring missing the key error = %v, want ErrSealed", err)
	}
	if _, err := kr.OpenBytes([]byte("no separator"), "attachment:1"); !errors.Is(err, keyring.ErrSealed) {
		t.Fatalf("OpenBytes of garbage error = %v, want ErrSealed", err)
	}
}
