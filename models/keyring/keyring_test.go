package keyring_test

import (
	"errors"
	"testing"

	"seance/models/keyring"
)

func TestKeyringRoundTripAndRotation(t *testing.T) {
	k1, _ := keyring.ParseKey(keyring.NewKey())
	k2, _ := keyring.ParseKey(keyring.NewKey())
	old, err := keyring.NewKeyring(k1)
	if err != nil {
		t.Fatal(err)
	}
	sealed := old.Seal([]byte("Camille Exemple"), "file:1:identity")
	if got, err := old.Open(sealed, "file:1:identity"); err != nil || string(got) != "Camille Exemple" {
		t.Fatalf("Open = %q, %v; want the plaintext", got, err)
	}
	if _, err := old.Open(sealed, "file:2:identity"); !errors.Is(err, keyring.ErrSealed) {
		t.Fatalf("Open with another aad error = %v, want ErrSealed", err)
	}
	rotated, err := keyring.NewKeyring(k2, k1)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := rotated.Open(sealed, "file:1:identity"); err != nil || string(got) != "Camille Exemple" {
		t.Fatalf("rotated ring Open(old value) = %q, %v", got, err)
	}
	if keyring.SealedWith(rotated.Seal([]byte("x"), "a")) != rotated.CurrentID() || rotated.CurrentID() == old.CurrentID() {
		t.Fatal("new values must be sealed with the new current key")
	}
	if _, err := keyring.ParseKey("c2hvcnQ="); err == nil {
		t.Fatal("ParseKey accepted a short key")
	}
}
