// Package demo fills a database with the fictitious Haute-Garonne commission used by
// `seance demo`. Each feature adds its own step to Steps, in dependency order.
package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"seance/models"
	"seance/models/keyring"
	"seance/models/registry"
)

// Password is the password of every demo account.
const Password = "demo-seance-2026"

// Seeder carries what the steps share: each step reads what earlier steps made.
type Seeder struct {
	DB           *bun.DB
	Keys         *keyring.Keyring
	Now          time.Time // the demo's "today"
	Years        int       // calendar years of history before the current one; 0: DefaultHistoryYears, or ScaleYears when Scale > 1
	Scale        int       // number of commissions; 0 or 1: the Haute-Garonne commission only
	PasswordHash string    // argon2id hash of Password, computed once

	Commission   *models.Commission
	Users        map[string]*models.User // by e-mail
	Associations []*registry.Association
}

// Actor is the audit actor of demo seeding.
func (s *Seeder) Actor() models.Actor { return models.SystemActor("démo") }

// Step is one feature's part of the demo.
type Step struct {
	Name string
	Run  func(ctx context.Context, s *Seeder) error
}

// Steps run in order; features append theirs after the ones they build on.
var Steps = []Step{
	{"commission", seedCommission},
	{"comptes", seedAccounts},
	{"composition", seedRegistry},
	{"dossiers", seedFiles},
	{"séances", seedSessions},
	{"séances tenues", seedSittings},
	{"historique", seedHistory},
	{"procès-verbaux", seedMinutes},
	{"autres commissions", seedScale},
}

// years is the number of calendar years of history of every commission.
func (s *Seeder) years() int {
	switch {
	case s.Years > 0:
		return s.Years
	case s.Scale > 1:
		return ScaleYears
	}
	return DefaultHistoryYears
}

// Seed runs every step.
func Seed(ctx context.Context, s *Seeder) error {
	if s.Users == nil {
		s.Users = map[string]*models.User{}
	}
	for _, st := range Steps {
		if err := st.Run(ctx, s); err != nil {
			return fmt.Errorf("demo step %s: %w", st.Name, err)
		}
	}
	return nil
}
