package demo

import (
	"context"
	"fmt"
	"time"

	"seance/models"
	"seance/models/registry"
)

// SuppleantEmail returns the address of demo suppléant n (1-17).
func SuppleantEmail(n int) string { return fmt.Sprintf("suppleant%02d@demo.example", n) }

// EmailFormerCommander is the deactivated account of the gendarmerie commander the demo
// replaces during the term, so that the seat has a history.
const EmailFormerCommander = "ancien.commandant@demo.example"

// demoSeat is one of the 19 seats of the demo composition, in the order of membreNN.
type demoSeat struct {
	category     registry.SeatCategory
	organisation string
	quality      string
	suppleant    string // name of the suppléant; empty: the place stays vacant
}

// demoSeats are the seats of membre01..membre19. Organisations are the real services of
// Haute-Garonne; every person is fictitious.
var demoSeats = []demoSeat{
	{registry.CategoryMagistrate, "Cour d'appel de Toulouse", "Vice-présidente du tribunal judiciaire de Toulouse", "Olivier Mercadier"},
	{registry.CategoryDDETS, "DDETS de la Haute-Garonne", "Directeur départemental de l'emploi, du travail et des solidarités", "Sandrine Puech"},
	{registry.CategoryDDSP, "Direction interdépartementale de la police nationale de la Haute-Garonne (ex-DDSP)", "Directrice interdépartementale de la police nationale", "Commandant Luc Ferrand"},
	{registry.CategoryJudicialPolice, "Service interdépartemental de police judiciaire de Toulouse", "Chef de la section de lutte contre la traite des êtres humains", "Capitaine Inès Barthe"},
	{registry.CategoryGendarmerie, "Groupement de gendarmerie départementale de la Haute-Garonne", "Commandante du groupement", "Lieutenant-colonel Hugo Sarda"},
	{registry.CategoryForeignersService, "Préfecture de la Haute-Garonne — direction des migrations et de l'intégration", "Cheffe du service de l'immigration et de l'intégration", "Romain Delpech"},
	{registry.CategoryWorkUnit, "DDETS de la Haute-Garonne — pôle travail", "Responsable de l'unité de contrôle de Toulouse", "Agnès Carrère"},
	{registry.CategoryDASEN, "Services départementaux de l'éducation nationale de la Haute-Garonne", "Directrice académique des services de l'éducation nationale", "Thierry Lafforgue"},
	{registry.CategoryDoctor, "Conseil départemental de l'ordre des médecins de la Haute-Garonne", "Médecin désigné par le conseil départemental de l'ordre", ""},
	{registry.CategoryLocalAuthority, "Conseil départemental de la Haute-Garonne", "Vice-présidente chargée des solidarités", "Jean-Marc Dufour"},
	{registry.CategoryLocalAuthority, "Conseil départemental de la Haute-Garonne", "Conseiller départemental délégué à la protection de l'enfance", "Sylvie Azéma"},
	{registry.CategoryLocalAuthority, "Ville de Toulouse", "Adjointe au maire chargée des solidarités", "Nicolas Ribes"},
	{registry.CategoryLocalAuthority, "Toulouse Métropole", "Vice-président chargé de la politique de la ville", "Martine Cazals"},
	{registry.CategoryLocalAuthority, "Région Occitanie", "Conseillère régionale déléguée à l'égalité femmes-hommes", "Alain Pujol"},
	{registry.CategoryLocalAuthority, "Le Muretain Agglo", "Vice-président chargé de la cohésion sociale", "Fatima Zerrouki"},
	{registry.CategoryLocalAuthority, "Sicoval", "Vice-présidente chargée de l'action sociale", ""}, // the vacant suppléant place
	{registry.CategoryLocalAuthority, "Ville de Saint-Gaudens", "Maire", "Denise Soulé"},
	{registry.CategoryAssociation, "", "Directrice", "Julie Marty"},
	{registry.CategoryAssociation, "", "Coordinatrice de l'accompagnement", "Samir Ouali"},
}

// seedRegistry records the commission's settings and its 19 seats with titulaires
// (membre01..membre19) and suppléants (suppleantNN, one place left vacant). Dates follow
// Seeder.Now: the composition was appointed 14 months ago; the magistrate's own term ends
// in 45 days; the gendarmerie commander was replaced four months ago for the remaining
// term (R133-4).
func seedRegistry(ctx context.Context, s *Seeder) error {
	cid := s.Commission.ID
	today := models.CalendarDay(s.Now)
	compStart := time.Date(today.Year(), today.Month()-14, 15, 0, 0, 0, 0, time.UTC)
	compArrete := arreteRef(compStart, 1)

	settings, err := models.FindSettings(ctx, s.DB, cid)
	if err != nil {
		return err
	}
	settings.ArreteDate = &compStart
	s.Commission.ArreteRef = compArrete
	if err := models.UpdateSettings(ctx, s.DB, s.Actor(), s.Commission, settings, s.Now); err != nil {
		return fmt.Errorf("settings: %w", err)
	}

	nSuppleant := 0
	for i, d := range demoSeats {
		seat := &registry.Seat{CommissionID: cid, Category: d.category, Organisation: d.organisation, Quality: d.quality, VotingRight: true}
		if d.category.SuppleantsAllowed() {
			seat.SuppleantPlaces = 1
		}
		if d.category == registry.CategoryAssociation {
			seat.AssociationID = &s.Associations[i-17].ID
		}
		if err := registry.CreateSeat(ctx, s.DB, s.Actor(), seat, s.Now); err != nil {
			return fmt.Errorf("seat %d: %w", i+1, err)
		}
		start, arrete := compStart, compArrete
		switch d.category {
		case registry.CategoryMagistrate:
			// Designated separately, on proposal of the chefs de cour: a term ending soon.
			start = today.AddDate(0, 0, 45).AddDate(-registry.TermYears, 0, 1)
			arrete = arreteRef(start, 12)
			err = s.appointMember(ctx, seat, registry.MandateTitulaire, MemberEmail(i+1), start, arrete)
		case registry.CategoryGendarmerie:
			err = s.replacedCommander(ctx, seat, MemberEmail(i+1), start, arrete, today.AddDate(0, -4, 0))
		default:
			err = s.appointMember(ctx, seat, registry.MandateTitulaire, MemberEmail(i+1), start, arrete)
		}
		if err != nil {
			return err
		}
		if d.suppleant == "" {
			continue
		}
		nSuppleant++
		email := SuppleantEmail(nSuppleant)
		u := &models.User{CommissionID: &cid, AssociationID: seat.AssociationID, Email: email, Name: d.suppleant,
			Role: models.RoleMember, PasswordHash: s.PasswordHash, Active: true}
		if err := models.CreateUser(ctx, s.DB, s.Actor(), u, s.Now); err != nil {
			return fmt.Errorf("account %s: %w", email, err)
		}
		s.Users[email] = u
		if err := s.appointMember(ctx, seat, registry.MandateSuppleant, email, start, arrete); err != nil {
			return err
		}
	}
	return nil
}

// arreteRef formats a fictitious arrêté number of the date, in the préfecture's style.
func arreteRef(d time.Time, n int) string {
	return fmt.Sprintf("Arrêté préfectoral n° 31-%s-%03d (démonstration)", d.Format(time.DateOnly), n)
}

func (s *Seeder) appointMember(ctx context.Context, seat *registry.Seat, kind registry.MandateKind, email string, start time.Time, arrete string) error {
	_, err := registry.Appoint(ctx, s.DB, s.Actor(), s.Commission.ID, registry.Appointment{
		SeatID: seat.ID, Kind: kind, Email: email, StartsOn: start, ArreteRef: arrete,
	}, s.Now)
	if err != nil {
		return fmt.Errorf("appoint %s to %q: %w", email, seat.Label(), err)
	}
	return nil
}

// replacedCommander appoints a former gendarmerie commander from start, replaces them
// by email from on for the remaining term (R133-4) and deactivates the former account.
func (s *Seeder) replacedCommander(ctx context.Context, seat *registry.Seat, email string, start time.Time, arrete string, on time.Time) error {
	cid := s.Commission.ID
	former := &models.User{CommissionID: &cid, Email: EmailFormerCommander, Name: "Colonel Éric Lambert",
		Role: models.RoleMember, PasswordHash: s.PasswordHash, Active: true}
	if err := models.CreateUser(ctx, s.DB, s.Actor(), former, s.Now); err != nil {
		return fmt.Errorf("account %s: %w", former.Email, err)
	}
	s.Users[former.Email] = former
	res, err := registry.Appoint(ctx, s.DB, s.Actor(), cid, registry.Appointment{
		SeatID: seat.ID, Kind: registry.MandateTitulaire, Email: former.Email, StartsOn: start, ArreteRef: arrete,
	}, s.Now)
	if err != nil {
		return fmt.Errorf("former commander: %w", err)
	}
	_, err = registry.ReplaceMember(ctx, s.DB, s.Actor(), cid, res.Mandate.ID, registry.Appointment{
		Email: email, StartsOn: on, ArreteRef: arreteRef(on.AddDate(0, 0, -10), 4),
	}, s.Now)
	if err != nil {
		return fmt.Errorf("replace the gendarmerie commander: %w", err)
	}
	if err := models.SetUserActive(ctx, s.DB, s.Actor(), former.ID, false, s.Now); err != nil {
		return err
	}
	former.Active = false
	return nil
}
