package servertest

import (
	"context"
	"testing"

	"seance/app/demo"
)

// NewSeeded starts the application on the demo commission's data (years of history; 0:
// the demo's default), seeded on the env's clock.
func NewSeeded(t testing.TB, years int) (*Env, *demo.Seeder) {
	t.Helper()
	env := NewBare(t)
	s := &demo.Seeder{DB: env.DB, Keys: env.Config.Keys, Now: env.Clock(), Years: years, PasswordHash: PasswordHash(t)}
	if err := demo.Seed(context.Background(), s); err != nil {
		t.Fatal(err)
	}
	return env, s
}
