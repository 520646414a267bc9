package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"seance/models"
	"seance/models/registry"
)

// A demo of several commissions (`seance demo --scale N`, issue 13): the Haute-Garonne
// commission of the other steps, then N-1 more with their associations, composition,
// accounts and ScaleYears of history each, to measure the regional roll-up at the size of
// a region. Occitanie's other departments come first, then the others in INSEE order.

// ScaleYears is the number of calendar years of history of every commission when the demo
// holds several and the Seeder does not say.
const ScaleYears = 10

// mainDepartment is the department of the main demo commission.
const mainDepartment = "31"

// ScaleDepartments returns the departments of the n commissions of a scaled demo:
// Haute-Garonne first, then the other departments of Occitanie (76), then the other
// departments in INSEE order. n is capped at the number of departments.
func ScaleDepartments(n int) []models.Department {
	main, _ := models.FindDepartment(mainDepartment)
	out := []models.Department{main}
	for _, d := range models.DepartmentsOf(main.Region) {
		if d.Code != mainDepartment {
			out = append(out, d)
		}
	}
	for _, d := range models.Departments {
		if d.Region != main.Region {
			out = append(out, d)
		}
	}
	return out[:max(1, min(n, len(out)))]
}

// ScaleEmail returns the address of a fixed account of the extra commission of department
// dept: ScaleEmail("secretariat", "09") is secretariat.09@demo.example.
func ScaleEmail(account, dept string) string {
	return fmt.Sprintf("%s.%s@demo.example", account, dept)
}

// ScaleMemberEmail returns the address of member n of the extra commission of dept.
func ScaleMemberEmail(n int, dept string) string {
	return ScaleEmail(fmt.Sprintf("membre%02d", n), dept)
}

// scaleSeats is the composition of every extra commission: one seat per State service,
// three local authorities and the two approved associations; every person is fictitious.
var scaleSeats = []struct {
	category registry.SeatCategory
	service  string
	quality  string
}{
	{registry.CategoryMagistrate, "Tribunal judiciaire", "Magistrate désignée par les chefs de cour"},
	{registry.CategoryDDETS, "DDETS", "Directeur départemental de l'emploi, du travail et des solidarités"},
	{registry.CategoryDDSP, "Direction départementale de la police nationale", "Directrice départementale"},
	{registry.CategoryJudicialPolice, "Police judiciaire", "Chef de la brigade de protection de la famille"},
	{registry.CategoryGendarmerie, "Groupement de gendarmerie départementale", "Commandant du groupement"},
	{registry.CategoryForeignersService, "Préfecture — service de l'immigration et de l'intégration", "Cheffe de service"},
	{registry.CategoryWorkUnit, "DDETS — pôle travail", "Responsable de l'unité de contrôle"},
	{registry.CategoryDASEN, "Services départementaux de l'éducation nationale", "Directeur académique adjoint"},
	{registry.CategoryDoctor, "Conseil départemental de l'ordre des médecins", "Médecin désignée par l'ordre"},
	{registry.CategoryLocalAuthority, "Conseil départemental", "Vice-présidente chargée des solidarités"},
	{registry.CategoryLocalAuthority, "Ville chef-lieu", "Adjoint au maire chargé des solidarités"},
	{registry.CategoryLocalAuthority, "Communauté d'agglomération", "Vice-présidente chargée de la cohésion sociale"},
	{registry.CategoryAssociation, "", "Directrice"},
	{registry.CategoryAssociation, "", "Coordinateur de l'accompagnement"},
}

// scaleGiven and scaleFamily make the fictitious names of the extra commissions' members.
var (
	scaleGiven  = []string{"Anne", "Bruno", "Céline", "David", "Emma", "Fabien", "Gaëlle", "Hugo", "Inès", "Jérôme", "Karine", "Louis", "Maëlle", "Nicolas"}
	scaleFamily = []string{"Arnaud", "Bousquet", "Cassagne", "Delmas", "Estève", "Fournier", "Gaillard", "Hébrard", "Izard", "Julien", "Lacombe", "Marty", "Noguès", "Olivier", "Pons", "Rouquette", "Salvat", "Teisseire", "Vergnes"}
)

// seedScale adds the commissions 2..Scale after the main one, each in one transaction.
func seedScale(ctx context.Context, s *Seeder) error {
	for i, d := range ScaleDepartments(s.Scale) {
		if i == 0 {
			continue // the main commission, made by the other steps
		}
		err := models.InTx(ctx, s.DB, func(ctx context.Context, tx bun.Tx) error {
			return s.seedExtraCommission(ctx, tx, d, i)
		})
		if err != nil {
			return fmt.Errorf("commission %s: %w", d.Label(), err)
		}
	}
	return nil
}

// seedExtraCommission creates the commission of department d (the i-th of the demo), its
// two associations, its accounts (secretariat, président, prefecture, associations,
// members), its composition, then its history.
func (s *Seeder) seedExtraCommission(ctx context.Context, db bun.IDB, d models.Department, i int) error {
	today := models.CalendarDay(s.Now)
	compStart := time.Date(today.Year(), today.Month()-14, 15, 0, 0, 0, 0, time.UTC)
	arrete := fmt.Sprintf("Arrêté préfectoral n° %s-%s-001 (démonstration)", d.Code, compStart.Format(time.DateOnly))
	c := &models.Commission{
		Department: d.Code, Demo: true, ArreteRef: arrete,
		Name: "Commission départementale de lutte contre la prostitution, le proxénétisme et la traite des êtres humains aux fins d'exploitation sexuelle — " + d.Label(),
	}
	settings := models.DefaultSettings(0)
	settings.ArreteDate = &compStart
	if err := models.AddCommission(ctx, db, s.Actor(), c, settings, s.Now); err != nil {
		return err
	}
	cid := c.ID
	var assocs []HistoryAssociation
	for n := 1; n <= 2; n++ {
		ag := today.AddDate(-1-n%2, -(3*n)%12, 0)
		a := &registry.Association{CommissionID: cid, Name: fmt.Sprintf("Association %s %d (démo)", d.Name, n),
			AgrementArrete: fmt.Sprintf("Arrêté n° %s-%s-%03d", d.Code, ag.Format(time.DateOnly), 10+n), AgrementDate: ag,
			Departments: d.Code, ContactEmail: ScaleEmail(fmt.Sprintf("association%d", n), d.Code)}
		if err := registry.CreateAssociation(ctx, db, s.Actor(), a, s.Now); err != nil {
			return fmt.Errorf("association %d: %w", n, err)
		}
		u, err := s.scaleUser(ctx, db, &models.User{Email: a.ContactEmail, Name: a.Name, Role: models.RoleAssociation, CommissionID: &cid, AssociationID: &a.ID})
		if err != nil {
			return err
		}
		assocs = append(assocs, HistoryAssociation{Association: a, Account: u})
	}
	secretariat, err := s.scaleUser(ctx, db, &models.User{Email: ScaleEmail("secretariat", d.Code), Name: "Secrétariat de la commission — " + d.Name, Role: models.RoleSecretariat, CommissionID: &cid})
	if err != nil {
		return err
	}
	president, err := s.scaleUser(ctx, db, &models.User{Email: ScaleEmail("president", d.Code), Name: "Préfet — " + d.Name + " (présidence)", Role: models.RolePresident, CommissionID: &cid})
	if err != nil {
		return err
	}
	if _, err := s.scaleUser(ctx, db, &models.User{Email: ScaleEmail("prefecture", d.Code), Name: "Préfecture — " + d.Name + ", bureau des statistiques", Role: models.RolePrefecture, CommissionID: &cid}); err != nil {
		return err
	}
	for n, seatDef := range scaleSeats {
		seat := &registry.Seat{CommissionID: cid, Category: seatDef.category, Quality: seatDef.quality, VotingRight: true}
		u := &models.User{Email: ScaleMemberEmail(n+1, d.Code), Role: models.RoleMember, CommissionID: &cid,
			Name: scaleGiven[n%len(scaleGiven)] + " " + scaleFamily[(n+3*i)%len(scaleFamily)]}
		if seatDef.category == registry.CategoryAssociation {
			a := assocs[n-len(scaleSeats)+2].Association
			seat.AssociationID, u.AssociationID = &a.ID, &a.ID
		} else {
			seat.Organisation = seatDef.service + " — " + d.Label()
		}
		if seatDef.category.SuppleantsAllowed() {
			seat.SuppleantPlaces = 1
		}
		if err := registry.CreateSeat(ctx, db, s.Actor(), seat, s.Now); err != nil {
			return fmt.Errorf("seat %d: %w", n+1, err)
		}
		if _, err := s.scaleUser(ctx, db, u); err != nil {
			return err
		}
		_, err := registry.Appoint(ctx, db, s.Actor(), cid, registry.Appointment{
			SeatID: seat.ID, Kind: registry.MandateTitulaire, Email: u.Email, StartsOn: compStart, ArreteRef: arrete,
		}, s.Now)
		if err != nil {
			return fmt.Errorf("appoint %s: %w", u.Email, err)
		}
	}
	h := &History{
		DB: db, Keys: s.Keys, Commission: c, Secretariat: secretariat, President: president, Associations: assocs,
		From: time.Date(today.Year()-s.years(), 1, 1, 0, 0, 0, 0, time.UTC), Cutoff: today, Now: s.Now, Seed: HistorySeed,
	}
	_, err = h.Generate(ctx)
	return err
}

// scaleUser creates an active account with the demo password.
func (s *Seeder) scaleUser(ctx context.Context, db bun.IDB, u *models.User) (*models.User, error) {
	u.PasswordHash, u.Active = s.PasswordHash, true
	if err := models.CreateUser(ctx, db, s.Actor(), u, s.Now); err != nil {
		return nil, fmt.Errorf("account %s: %w", u.Email, err)
	}
	s.Users[u.Email] = u
	return u, nil
}
