package files

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"seance/models"
	"seance/models/keyring"
)

// Gender is the coarse gender kept in clear for statistics.
type Gender string

// The genders.
const (
	GenderFemale Gender = "F"
	GenderMale   Gender = "M"
	GenderOther  Gender = "X" // other, or not stated
)

// Genders lists the genders in display order.
var Genders = []Gender{GenderFemale, GenderMale, GenderOther}

// Label is the French name of the gender.
func (g Gender) Label() string {
	switch g {
	case GenderFemale:
		return "Femme"
	case GenderMale:
		return "Homme"
	case GenderOther:
		return "Autre ou non précisé"
	}
	return string(g)
}

// Housing is a housing need (on a file) or the housing obtained (on a period).
type Housing string

// The housing situations.
const (
	HousingNone      Housing = "none"      // no need, or nothing obtained
	HousingShelter   Housing = "shelter"   // emergency or collective accommodation (hébergement)
	HousingTemporary Housing = "temporary" // temporary or transitional housing
	HousingPermanent Housing = "permanent" // ordinary housing
)

// Housings lists the housing situations in display order.
var Housings = []Housing{HousingNone, HousingShelter, HousingTemporary, HousingPermanent}

// Label is the French name of the housing situation.
func (h Housing) Label() string {
	switch h {
	case HousingNone:
		return "Aucun"
	case HousingShelter:
		return "Hébergement"
	case HousingTemporary:
		return "Logement temporaire"
	case HousingPermanent:
		return "Logement pérenne"
	}
	return string(h)
}

func validHousing(h Housing) bool {
	for _, x := range Housings {
		if x == h {
			return true
		}
	}
	return false
}

// Identity is what identifies a person concerned by a file. It is stored only sealed
// (AES-256-GCM, aad "person:<id>:identity") and shown through RevealIdentity, which
// records every display in the audit chain.
type Identity struct {
	LastName   string `json:"last_name"`
	FirstName  string `json:"first_name"`
	UsedName   string `json:"used_name,omitempty"`  // name in use, alias
	BirthDate  string `json:"birth_date,omitempty"` // YYYY-MM-DD
	BirthPlace string `json:"birth_place,omitempty"`
	Phone      string `json:"phone,omitempty"`
	Email      string `json:"email,omitempty"`
	Address    string `json:"address,omitempty"`
	PostalCode string `json:"postal_code,omitempty"`
	City       string `json:"city,omitempty"`
}

// Person is a person concerned by files: not a user of the portal. Renewals, ends and
// AFIS requests link to the same person, so the cumulative duration of rights follows
// them. Only coarse attributes are kept in clear.
type Person struct {
	bun.BaseModel `bun:"table:persons"`

	ID             int64     `bun:",pk,autoincrement"`
	CommissionID   int64     `bun:",notnull"`
	IdentitySealed string    `bun:",notnull" json:"-"`
	Gender         Gender    `bun:",notnull"`
	BirthYear      int       `bun:",notnull"`
	Nationality    string    `bun:",notnull"` // ISO 3166-1 alpha-2, or XX
	CreatedAt      time.Time `bun:",notnull"`
	UpdatedAt      time.Time `bun:",notnull"`
}

// PersonInput is the identity and the clear attributes of a person as entered.
type PersonInput struct {
	Identity    Identity
	Gender      Gender
	BirthYear   int // derived from Identity.BirthDate when that is given
	Nationality string
}

// normalize trims the text fields and derives the birth year.
func (in *PersonInput) normalize() {
	id := &in.Identity
	for _, s := range []*string{&id.LastName, &id.FirstName, &id.UsedName, &id.BirthDate, &id.BirthPlace,
		&id.Phone, &id.Email, &id.Address, &id.PostalCode, &id.City} {
		*s = strings.TrimSpace(*s)
	}
	in.Nationality = strings.ToUpper(strings.TrimSpace(in.Nationality))
	if d, err := time.Parse(time.DateOnly, id.BirthDate); err == nil && in.BirthYear == 0 {
		in.BirthYear = d.Year()
	}
}

// validate adds the problems of the input to fe.
func (in *PersonInput) validate(fe models.FieldErrors, now time.Time) {
	id := in.Identity
	if id.LastName == "" {
		fe.Add("last_name", "Indiquez le nom de la personne.")
	}
	if id.FirstName == "" {
		fe.Add("first_name", "Indiquez le prénom de la personne.")
	}
	for _, f := range []struct {
		field, label, value string
		max                 int
	}{
		{"last_name", "Nom", id.LastName, models.MaxLineLength}, {"first_name", "Prénom", id.FirstName, models.MaxLineLength},
		{"used_name", "Nom d'usage", id.UsedName, models.MaxLineLength}, {"birth_place", "Lieu de naissance", id.BirthPlace, models.MaxLineLength},
		{"phone", "Téléphone", id.Phone, 40}, {"email", "Adresse électronique", id.Email, models.MaxEmailLength},
		{"address", "Adresse ou lieu d'hébergement", id.Address, models.MaxLineLength}, {"postal_code", "Code postal", id.PostalCode, 10},
		{"city", "Commune", id.City, models.MaxLineLength},
	} {
		models.CheckLine(fe, f.field, f.label, f.value, f.max)
	}
	if id.BirthDate != "" {
		d, err := time.Parse(time.DateOnly, id.BirthDate)
		switch {
		case err != nil:
			fe.Add("birth_date", "La date de naissance doit être au format AAAA-MM-JJ.")
		case d.After(now):
			fe.Add("birth_date", "La date de naissance est dans le futur.")
		case d.Year() != in.BirthYear:
			fe.Add("birth_year", "L'année de naissance ne correspond pas à la date de naissance.")
		}
	}
	if in.BirthYear < now.Year()-100 || in.BirthYear > now.Year() {
		fe.Add("birth_year", fmt.Sprintf("Indiquez une année de naissance entre %d et %d.", now.Year()-100, now.Year()))
	}
	valid := false
	for _, g := range Genders {
		valid = valid || g == in.Gender
	}
	if !valid {
		fe.Add("gender", "Choisissez le genre : femme, homme, ou autre / non précisé.")
	}
	if !ValidNationality(in.Nationality) {
		fe.Add("nationality", "Indiquez la nationalité par son code pays ISO à deux lettres (FR, NG, RO…), ou XX si elle est inconnue.")
	}
}

// IdentityAAD binds a person's sealed identity to its row.
func IdentityAAD(personID int64) string { return fmt.Sprintf("person:%d:identity", personID) }

// SealIdentity seals id into p.IdentitySealed, as savePerson does; p must already have its
// id. It serves writers of rows in bulk (the demo's history); the caller saves the column.
func SealIdentity(kr *keyring.Keyring, p *Person, id Identity) error {
	raw, err := json.Marshal(id)
	if err != nil {
		return fmt.Errorf("encode identity: %w", err)
	}
	p.IdentitySealed = kr.Seal(raw, IdentityAAD(p.ID))
	return nil
}

// savePerson inserts (p.ID == 0) or updates p with the sealed identity, in tx.
func savePerson(ctx context.Context, tx bun.Tx, kr *keyring.Keyring, p *Person, in PersonInput, now time.Time) error {
	p.Gender, p.BirthYear, p.Nationality, p.UpdatedAt = in.Gender, in.BirthYear, in.Nationality, now
	if p.ID == 0 {
		p.CreatedAt = now
		// The id is needed for the aad: insert first with an empty seal, then seal.
		if _, err := tx.NewInsert().Model(p).Exec(ctx); err != nil {
			return fmt.Errorf("create person: %w", err)
		}
	}
	if err := SealIdentity(kr, p, in.Identity); err != nil {
		return err
	}
	if _, err := tx.NewUpdate().Model(p).WherePK().Exec(ctx); err != nil {
		return fmt.Errorf("save person: %w", err)
	}
	return nil
}

// OpenIdentity decrypts the identity of p.
func OpenIdentity(kr *keyring.Keyring, p *Person) (*Identity, error) {
	if p.IdentitySealed == "" {
		return new(Identity), nil // destroyed by AnonymiseFile
	}
	raw, err := kr.Open(p.IdentitySealed, IdentityAAD(p.ID))
	if err != nil {
		return nil, fmt.Errorf("open identity of person %d: %w", p.ID, err)
	}
	id := new(Identity)
	if err := json.Unmarshal(raw, id); err != nil {
		return nil, fmt.Errorf("decode identity of person %d: %w", p.ID, err)
	}
	return id, nil
}

// FindPerson returns person id of commission cid.
func FindPerson(ctx context.Context, db bun.IDB, cid, id int64) (*Person, error) {
	p := new(Person)
	err := db.NewSelect().Model(p).Where("id = ? AND commission_id = ?", id, cid).Scan(ctx)
	if err != nil {
		return nil, models.NotFound(err, "find person")
	}
	return p, nil
}
