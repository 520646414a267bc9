package demo

import (
	"context"
	"fmt"
	"time"

	"seance/models"
	"seance/models/registry"
)

// Demo e-mail addresses of the fixed accounts.
const (
	EmailSecretariat = "secretariat@demo.example"
	EmailPresident   = "president@demo.example"
	EmailPrefecture  = "prefecture@demo.example"
	EmailAdmin       = "admin@demo.example"
	EmailRegion      = "region@demo.example"
)

// MemberEmail returns the address of demo member n (1-19).
func MemberEmail(n int) string { return fmt.Sprintf("membre%02d@demo.example", n) }

// AssociationEmail returns the address of the account of demo association n (1-2).
func AssociationEmail(n int) string { return fmt.Sprintf("association%d@demo.example", n) }

func seedCommission(ctx context.Context, s *Seeder) error {
	s.Commission = &models.Commission{
		Department: "31", Region: "76", Demo: true,
		Name:      "Commission départementale de lutte contre la prostitution, le proxénétisme et la traite des êtres humains aux fins d'exploitation sexuelle de la Haute-Garonne",
		ArreteRef: "Arrêté préfectoral n° 31-2025-09-15-001 (démonstration)",
	}
	if err := models.CreateCommission(ctx, s.DB, s.Actor(), s.Commission, s.Now); err != nil {
		return err
	}
	// Two approved associations of the demo; names are fictitious. Their agréments
	// (three years) are dated from the demo's today, so that they cover its history
	// whatever the date the demo runs on.
	today := models.CalendarDay(s.Now)
	ag1, ag2 := today.AddDate(-2, -8, 0), today.AddDate(-1, -10, 0)
	for i, a := range []registry.Association{
		{Name: "Association Le Fil d'Ariane (démo)", AgrementArrete: "Arrêté n° 31-" + ag1.Format("2006-01-02") + "-017", AgrementDate: ag1, Departments: "31,09,82", ContactEmail: AssociationEmail(1)},
		{Name: "Association Passerelles Occitanie (démo)", AgrementArrete: "Arrêté n° 31-" + ag2.Format("2006-01-02") + "-004", AgrementDate: ag2, Departments: "31", ContactEmail: AssociationEmail(2)},
	} {
		a.CommissionID = s.Commission.ID
		if err := registry.CreateAssociation(ctx, s.DB, s.Actor(), &a, s.Now); err != nil {
			return fmt.Errorf("association %d: %w", i+1, err)
		}
		s.Associations = append(s.Associations, &a)
	}
	return nil
}

// memberNames are the fictitious names of the 19 demo members, in seat order.
var memberNames = []string{
	"Hélène Martin-Duval", "Karim Benali", "Sophie Lefèvre", "Thomas Garnier", "Colonel Anne Roussel",
	"Nadia Cherif", "Julien Moreau", "Élodie Fabre", "Dr Marc Aubert", "Claire Vidal",
	"Pierre Castan", "Isabelle Nguyen", "François Bonnet", "Laure Sabatier", "Mehdi Haddad",
	"Camille Roques", "Bernard Escande", "Amélie Durand", "Yasmine Belkacem",
}

func seedAccounts(ctx context.Context, s *Seeder) error {
	cid := s.Commission.ID
	accounts := []models.User{
		{Email: EmailAdmin, Name: "Administratrice plateforme", Role: models.RoleAdmin},
		{Email: EmailRegion, Name: "Mission régionale Occitanie", Role: models.RoleRegion, Region: "76"},
		{Email: EmailSecretariat, Name: "Secrétariat de la commission", Role: models.RoleSecretariat, CommissionID: &cid},
		{Email: EmailPresident, Name: "Préfet de la Haute-Garonne (présidence)", Role: models.RolePresident, CommissionID: &cid},
		{Email: EmailPrefecture, Name: "Préfecture — bureau des statistiques", Role: models.RolePrefecture, CommissionID: &cid},
	}
	for i, a := range s.Associations {
		accounts = append(accounts, models.User{Email: AssociationEmail(i + 1), Name: a.Name, Role: models.RoleAssociation, CommissionID: &cid, AssociationID: &a.ID})
	}
	for n, name := range memberNames {
		u := models.User{Email: MemberEmail(n + 1), Name: name, Role: models.RoleMember, CommissionID: &cid}
		// The last two seats are held by the approved associations (category 11).
		if n >= 17 {
			u.AssociationID = &s.Associations[n-17].ID
		}
		accounts = append(accounts, u)
	}
	for i := range accounts {
		u := accounts[i]
		u.PasswordHash, u.Active = s.PasswordHash, true
		if err := models.CreateUser(ctx, s.DB, s.Actor(), &u, s.Now); err != nil {
			return fmt.Errorf("account %s: %w", u.Email, err)
		}
		s.Users[u.Email] = &u
	}
	return nil
}

func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }
