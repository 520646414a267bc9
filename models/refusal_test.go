package models_test

import (
	"errors"
	"fmt"
	"testing"

	"seance/models"
)

// TestRefusalIsTheOneWayToSayNo checks the one refusal type (issue 15 point 1): a
// sentinel said about a subject, or with a message of its own, still matches the
// sentinel; a form's field errors become a refusal and come back as field errors; a
// wrapped refusal is found under its wrapping, with its French message alone.
func TestRefusalIsTheOneWayToSayNo(t *testing.T) {
	rule := models.NewRefusal("Ce membre détient déjà une procuration.")
	about := rule.For("Siège 3 — Préfecture")
	if !errors.Is(about, rule) || about.Message != "Siège 3 — Préfecture : Ce membre détient déjà une procuration." {
		t.Fatalf("For: %q, Is %v", about.Message, errors.Is(about, rule))
	}
	later := rule.Saying("Réessayez dans 3 minutes.")
	if !errors.Is(later, rule) || later.Error() != "Réessayez dans 3 minutes." {
		t.Fatalf("Saying: %q, Is %v", later.Error(), errors.Is(later, rule))
	}
	if errors.Is(models.NewRefusal(rule.Message), rule) {
		t.Fatal("two sentinels with the same text match each other: logic would branch on the text")
	}

	fe := models.FieldErrors{}
	if fe.Err() != nil {
		t.Fatal("empty field errors are a refusal")
	}
	fe.Add("email", "Indiquez une adresse.")
	fe.Add("email", "second message, not kept")
	fe.Add(models.FormLevel, "Rien n'a été enregistré.")
	err := fmt.Errorf("save user: %w", fe.Err())
	r, ok := models.AsRefusal(err)
	if !ok || r.Message != "Rien n'a été enregistré." || r.Fields["email"] != "Indiquez une adresse." || len(r.Fields) != 1 {
		t.Fatalf("refusal under a wrapping: %+v, %v", r, ok)
	}
	if r.Error() != "Rien n'a été enregistré. Indiquez une adresse." {
		t.Fatalf("Error() = %q, want the message then the fields' messages", r.Error())
	}
	back, ok := models.AsFieldErrors(err)
	if !ok || back["email"] != "Indiquez une adresse." || back[models.FormLevel] != "Rien n'a été enregistré." {
		t.Fatalf("AsFieldErrors = %v, %v", back, ok)
	}
	if _, ok := models.AsRefusal(errors.New("database is locked")); ok {
		t.Fatal("an internal error taken for a refusal")
	}
	if f := models.RefuseField("password", "Trop court."); f.Error() != "Trop court." {
		t.Fatalf("RefuseField: %q", f.Error())
	}
}
