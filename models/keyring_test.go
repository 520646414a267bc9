package models_test

import (
	"errors"
	"testing"

	"seance/models"
)

func TestKeyringRoundTripAndRotation(t *testing.T) {
	k1, _ := models.ParseKey(models.NewKey())
	k2, _ := models.ParseKey(models.NewKey())
	old, err := models.NewKeyring(k1)
	if err != nil {
		t.Fatal(err)
	}
	sealed := old.Seal([]byte("Camille Exemple"), "file:1:identity")
	if got, err := old.Open(sealed, "file:1:identity"); err != nil || string(got) != "Camille Exemple" {
		t.Fatalf("Open = %q, %v; want the plaintext", got, err)
	}
	if _, err := old.Open(sealed, "file:2:identity"); !errors.Is(err, models.ErrSealed) {
		t.Fatalf("Open with another aad error = %v, want ErrSealed", err)
	}
	rotated, err := models.NewKeyring(k2, k1)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := rotated.Open(sealed, "file:1:identity"); err != nil || string(got) != "Camille Exemple" {
		t.Fatalf("rotated ring Open(old value) = %q, %v", got, err)
	}
	if models.SealedWith(rotated.Seal([]byte("x"), "a")) != rotated.CurrentID() || rotated.CurrentID() == old.CurrentID() {
		t.Fatal("new values must be sealed with the new current key")
	}
	if _, err := models.ParseKey("c2hvcnQ="); err == nil {
		t.Fatal("ParseKey accepted a short key")
	}
}
