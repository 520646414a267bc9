package registry

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/uptrace/bun"

	"seance/models"
)

// SeatCategory is one of the 11 kinds of members listed by CASF R121-12-7.
type SeatCategory int

// The categories of R121-12-7, in the order of the article.
const (
	CategoryMagistrate        SeatCategory = 1  // judicial magistrate designated by the chefs de cour
	CategoryDDETS             SeatCategory = 2  // DDETS (ex-DDCS)
	CategoryDDSP              SeatCategory = 3  // departmental public security directorate
	CategoryJudicialPolice    SeatCategory = 4  // police judiciaire
	CategoryGendarmerie       SeatCategory = 5  // gendarmerie group commander
	CategoryForeignersService SeatCategory = 6  // préfecture's foreigners service
	CategoryWorkUnit          SeatCategory = 7  // DDETS work unit (ex-DIRECCTE unit)
	CategoryDASEN             SeatCategory = 8  // academic director of national education services
	CategoryDoctor            SeatCategory = 9  // doctor designated by the ordre des médecins
	CategoryLocalAuthority    SeatCategory = 10 // local authorities and EPCI (elected members)
	CategoryAssociation       SeatCategory = 11 // approved associations
)

// SeatCategories lists the categories in the order of R121-12-7.
var SeatCategories = []SeatCategory{
	CategoryMagistrate, CategoryDDETS, CategoryDDSP, CategoryJudicialPolice, CategoryGendarmerie,
	CategoryForeignersService, CategoryWorkUnit, CategoryDASEN, CategoryDoctor, CategoryLocalAuthority, CategoryAssociation,
}

// Valid reports whether c is one of the 11 categories.
func (c SeatCategory) Valid() bool { return slices.Contains(SeatCategories, c) }

// Label is the French name of the category, as the composition page and the export show it.
func (c SeatCategory) Label() string {
	switch c {
	case CategoryMagistrate:
		return "Magistrat de l'ordre judiciaire"
	case CategoryDDETS:
		return "Direction départementale de l'emploi, du travail et des solidarités"
	case CategoryDDSP:
		return "Direction départementale de la sécurité publique"
	case CategoryJudicialPolice:
		return "Police judiciaire"
	case CategoryGendarmerie:
		return "Groupement de gendarmerie départementale"
	case CategoryForeignersService:
		return "Service des étrangers de la préfecture"
	case CategoryWorkUnit:
		return "Unité départementale du travail (DDETS)"
	case CategoryDASEN:
		return "Direction académique des services de l'éducation nationale"
	case CategoryDoctor:
		return "Médecin désigné par le conseil départemental de l'ordre des médecins"
	case CategoryLocalAuthority:
		return "Collectivités territoriales et EPCI"
	case CategoryAssociation:
		return "Associations agréées"
	}
	return "Catégorie " + strconv.Itoa(int(c))
}

// SuppleantsAllowed is the category's default under CRPA R133-3: members sitting by
// office (2 to 8) are replaced by someone of their service, the magistrate by another
// magistrate designated the same way, elected members (10) by an elected member of the
// same assembly, associations (11) by another of their representatives; the doctor
// designated by the ordre (9) sits as a qualified person and is never replaced.
func (c SeatCategory) SuppleantsAllowed() bool { return c.Valid() && c != CategoryDoctor }

// SuppleantRule explains in French who may replace a member of the category (R133-3).
func (c SeatCategory) SuppleantRule() string {
	switch c {
	case CategoryDoctor:
		return "Une personnalité qualifiée ne peut pas être suppléée (R133-3)."
	case CategoryLocalAuthority:
		return "Un élu ne peut être suppléé que par un élu de la même assemblée délibérante (R133-3)."
	case CategoryAssociation:
		return "Le suppléant représente la même association agréée."
	case CategoryMagistrate:
		return "Le suppléant est un magistrat désigné dans les mêmes conditions."
	}
	return "Un membre siégeant en raison de ses fonctions est suppléé par un membre de son service (R133-3)."
}

// ParseSeatCategory reads a category from a spreadsheet cell or a form: its number
// ("2", "2 - Direction…", "2. …") or its label, ignoring case and accents.
func ParseSeatCategory(s string) (SeatCategory, bool) {
	s = strings.TrimSpace(s)
	digits := strings.IndexFunc(s, func(r rune) bool { return !unicode.IsDigit(r) })
	if digits == -1 {
		digits = len(s)
	}
	if digits > 0 {
		n, err := strconv.Atoi(s[:digits])
		if c := SeatCategory(n); err == nil && c.Valid() {
			return c, true
		}
		return 0, false
	}
	key := foldKey(s)
	for _, c := range SeatCategories {
		if foldKey(c.Label()) == key {
			return c, true
		}
	}
	return 0, false
}

// foldKey lowercases s, removes accents and collapses spaces, to compare names typed by hand.
func foldKey(s string) string {
	r := strings.NewReplacer("à", "a", "â", "a", "ä", "a", "ç", "c", "é", "e", "è", "e", "ê", "e", "ë", "e",
		"î", "i", "ï", "i", "ô", "o", "ö", "o", "ù", "u", "û", "u", "ü", "u", "ÿ", "y", "œ", "oe", "æ", "ae",
		"’", "'", "–", "-", "—", "-")
	return strings.Join(strings.Fields(r.Replace(strings.ToLower(s))), " ")
}

// MaxSuppleantPlaces bounds the number of suppléants of one seat.
const MaxSuppleantPlaces = 5

// Seat is a place in the commission's composition: a category of R121-12-7, the
// organisation and quality (qualité) it is held for, and the number of suppléant places.
// The persons holding it are Mandates, so that replacing someone keeps the history.
// A seat of category 11 is linked to its association, which is excluded from the files
// it instructed (REGLES requirement 6, see SeatsOfAssociation).
type Seat struct {
	bun.BaseModel `bun:"table:seats"`

	ID           int64        `bun:",pk,autoincrement"`
	CommissionID int64        `bun:",notnull"`
	Category     SeatCategory `bun:",notnull"`
	Position     int          `bun:",notnull"` // order within the category, from 1
	Organisation string       `bun:",notnull"` // e.g. "DDETS de la Haute-Garonne"
	Quality      string       `bun:",notnull"` // qualité of the titulaire, e.g. "Directrice départementale…"
	VotingRight  bool         `bun:",notnull"`
	// SuppleantPlaces is how many suppléants the arrêté provides for the seat (0: none);
	// always 0 where the category allows no suppléant.
	SuppleantPlaces int       `bun:",notnull"`
	AssociationID   *int64    `bun:",nullzero"`
	CreatedAt       time.Time `bun:",notnull"`
	UpdatedAt       time.Time `bun:",notnull"`

	Association *Association `bun:"rel:belongs-to,join:association_id=id"`
}

// Label names the seat in messages: "Organisation — Qualité".
func (s *Seat) Label() string {
	if s.Quality == "" {
		return s.Organisation
	}
	return s.Organisation + " — " + s.Quality
}

// seatKey identifies a seat in an imported file: category, organisation and quality.
func seatKey(c SeatCategory, organisation, quality string) string {
	return strconv.Itoa(int(c)) + "|" + foldKey(organisation) + "|" + foldKey(quality)
}

// validateSeat trims and checks s against the rules of its category and the other seats
// of the commission. Messages are keyed "category", "organisation", "quality",
// "suppleant_places" and "association_id".
func validateSeat(ctx context.Context, db bun.IDB, s *Seat) (models.FieldErrors, error) {
	s.Organisation, s.Quality = strings.TrimSpace(s.Organisation), strings.TrimSpace(s.Quality)
	fe := models.FieldErrors{}
	if !s.Category.Valid() {
		fe.Add("category", "Choisissez une des 11 catégories de membres (R121-12-7).")
	}
	if s.Category == CategoryAssociation {
		if s.AssociationID == nil {
			fe.Add("association_id", "Un siège d'association agréée doit être rattaché à son association.")
		} else {
			a, err := FindAssociation(ctx, db, s.CommissionID, *s.AssociationID)
			if err == models.ErrNotFound {
				fe.Add("association_id", "Cette association n'est pas connue de la commission.")
			} else if err != nil {
				return nil, err
			} else if s.Organisation == "" {
				s.Organisation = a.Name
			}
		}
	} else if s.AssociationID != nil {
		fe.Add("association_id", "Seuls les sièges d'associations agréées sont rattachés à une association.")
	}
	if s.Organisation == "" {
		fe.Add("organisation", "Indiquez l'organisme représenté.")
	}
	if s.Quality == "" {
		fe.Add("quality", "Indiquez la qualité du membre (par exemple « Directrice départementale »).")
	}
	models.CheckLine(fe, "organisation", "Organisme", s.Organisation, models.MaxLineLength)
	models.CheckLine(fe, "quality", "Qualité", s.Quality, models.MaxLineLength)
	switch {
	case s.SuppleantPlaces < 0 || s.SuppleantPlaces > MaxSuppleantPlaces:
		fe.Add("suppleant_places", fmt.Sprintf("Le nombre de suppléants doit être compris entre 0 et %d.", MaxSuppleantPlaces))
	case s.SuppleantPlaces > 0 && s.Category.Valid() && !s.Category.SuppleantsAllowed():
		fe.Add("suppleant_places", s.Category.SuppleantRule())
	}
	if len(fe) > 0 {
		return fe, nil
	}
	var others []Seat
	err := db.NewSelect().Model(&others).Where("commission_id = ? AND category = ? AND id <> ?", s.CommissionID, s.Category, s.ID).Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("validate seat: %w", err)
	}
	key := seatKey(s.Category, s.Organisation, s.Quality)
	for _, o := range others {
		if seatKey(o.Category, o.Organisation, o.Quality) == key {
			fe.Add("quality", "Un siège de même catégorie, organisme et qualité existe déjà : précisez la qualité.")
		}
	}
	return fe, nil
}

// CreateSeat validates and inserts s (Position defaults to the end of its category) and
// audits it. Validation errors are FieldErrors (see validateSeat for the keys).
func CreateSeat(ctx context.Context, db bun.IDB, actor models.Actor, s *Seat, now time.Time) error {
	if _, err := models.FindCommission(ctx, db, s.CommissionID); err != nil {
		return err
	}
	return models.InTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
		return createSeatTx(ctx, tx, actor, s, now)
	})
}

func createSeatTx(ctx context.Context, tx bun.Tx, actor models.Actor, s *Seat, now time.Time) error {
	fe, err := validateSeat(ctx, tx, s)
	if err != nil {
		return err
	}
	if err := fe.Err(); err != nil {
		return err
	}
	if s.Position <= 0 {
		var last int
		err := tx.NewSelect().Model((*Seat)(nil)).ColumnExpr("COALESCE(MAX(position), 0)").
			Where("commission_id = ? AND category = ?", s.CommissionID, s.Category).Scan(ctx, &last)
		if err != nil {
			return fmt.Errorf("create seat: %w", err)
		}
		s.Position = last + 1
	}
	now = models.Stamp(now)
	s.CreatedAt, s.UpdatedAt = now, now
	if _, err := tx.NewInsert().Model(s).Exec(ctx); err != nil {
		return fmt.Errorf("create seat: %w", err)
	}
	return models.Audit(ctx, tx, now, models.AuditEntry{
		CommissionID: s.CommissionID, Actor: actor, Action: "seat.create", Object: models.ObjectRef("seat", s.ID),
		Details: seatDetails(s),
	})
}

func seatDetails(s *Seat) map[string]any {
	d := map[string]any{
		"category": int(s.Category), "organisation": s.Organisation, "quality": s.Quality,
		"voting_right": s.VotingRight, "suppleant_places": s.SuppleantPlaces, "position": s.Position,
	}
	if s.AssociationID != nil {
		d["association_id"] = *s.AssociationID
	}
	return d
}

// UpdateSeat validates and saves the fields of s (its ID and CommissionID name the seat).
// The number of suppléant places cannot drop below the suppléants sitting today.
func UpdateSeat(ctx context.Context, db bun.IDB, actor models.Actor, s *Seat, now time.Time) error {
	return models.InTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
		old, err := FindSeat(ctx, tx, s.CommissionID, s.ID)
		if err != nil {
			return err
		}
		fe, err := validateSeat(ctx, tx, s)
		if err != nil {
			return err
		}
		if s.Category != old.Category {
			n, err := tx.NewSelect().Model((*Mandate)(nil)).Where("seat_id = ?", s.ID).Count(ctx)
			if err != nil {
				return fmt.Errorf("update seat: %w", err)
			}
			if n > 0 {
				fe.Add("category", "La catégorie d'un siège déjà pourvu ne change pas : créez un nouveau siège.")
			}
		}
		if _, bad := fe["suppleant_places"]; !bad {
			ms, err := seatMandates(ctx, tx, s.ID)
			if err != nil {
				return err
			}
			if n := len(currentOf(ms, MandateSuppleant, models.CalendarDay(now))); s.SuppleantPlaces < n {
				fe.Add("suppleant_places", fmt.Sprintf("%d suppléant(s) siègent aujourd'hui : mettez d'abord fin à leur mandat.", n))
			}
		}
		if err := fe.Err(); err != nil {
			return err
		}
		if s.Position <= 0 {
			s.Position = old.Position
		}
		s.CreatedAt, s.UpdatedAt = old.CreatedAt, now
		_, err = tx.NewUpdate().Model(s).
			Column("category", "position", "organisation", "quality", "voting_right", "suppleant_places", "association_id", "updated_at").
			WherePK().Exec(ctx)
		if err != nil {
			return fmt.Errorf("update seat: %w", err)
		}
		return models.Audit(ctx, tx, now, models.AuditEntry{
			CommissionID: s.CommissionID, Actor: actor, Action: "seat.update", Object: models.ObjectRef("seat", s.ID),
			Details: seatDetails(s),
		})
	})
}

// DeleteSeat removes a seat that never had anyone appointed; a seat with a history
// stays, so that past sessions keep their composition.
func DeleteSeat(ctx context.Context, db bun.IDB, actor models.Actor, cid, id int64, now time.Time) error {
	return models.InTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
		s, err := FindSeat(ctx, tx, cid, id)
		if err != nil {
			return err
		}
		n, err := tx.NewSelect().Model((*Mandate)(nil)).Where("seat_id = ?", id).Count(ctx)
		if err != nil {
			return fmt.Errorf("delete seat: %w", err)
		}
		if n > 0 {
			return models.FieldErrors{models.FormLevel: "Ce siège a un historique de mandats : il ne peut pas être supprimé."}.Err()
		}
		if _, err := tx.NewDelete().Model((*Seat)(nil)).Where("id = ?", id).Exec(ctx); err != nil {
			return fmt.Errorf("delete seat: %w", err)
		}
		return models.Audit(ctx, tx, now, models.AuditEntry{
			CommissionID: cid, Actor: actor, Action: "seat.delete", Object: models.ObjectRef("seat", id), Details: seatDetails(s),
		})
	})
}

// FindSeat returns seat id of commission cid, with its association when it has one.
func FindSeat(ctx context.Context, db bun.IDB, cid, id int64) (*Seat, error) {
	s := new(Seat)
	err := db.NewSelect().Model(s).Relation("Association").
		Where("seat.id = ? AND seat.commission_id = ?", id, cid).Scan(ctx)
	if err != nil {
		return nil, models.NotFound(err, "find seat")
	}
	return s, nil
}

// ListSeats returns the seats of commission cid in composition order.
func ListSeats(ctx context.Context, db bun.IDB, cid int64) ([]Seat, error) {
	var ss []Seat
	err := db.NewSelect().Model(&ss).Relation("Association").Where("seat.commission_id = ?", cid).
		Order("seat.category ASC", "seat.position ASC", "seat.id ASC").Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("list seats: %w", err)
	}
	return ss, nil
}

// SeatsOfAssociation returns the seats held for association aid, so that their holders
// are kept out of the files the association instructed (R121-12-7, REGLES requirement 6).
func SeatsOfAssociation(ctx context.Context, db bun.IDB, cid, aid int64) ([]Seat, error) {
	var ss []Seat
	err := db.NewSelect().Model(&ss).Where("commission_id = ? AND association_id = ?", cid, aid).
		Order("category ASC", "position ASC", "id ASC").Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("seats of association: %w", err)
	}
	return ss, nil
}
