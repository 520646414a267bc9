package registry

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"seance/models"
)

// AgrementAlertWindow is how long before its end an agrément is flagged as ending soon.
const AgrementAlertWindow = 90 * 24 * time.Hour

// Validate trims the association's fields, normalises its department list ("31, 09" →
// "31,09") and checks them; an empty AgrementEnds becomes AgrementDate + 3 years.
// Messages are keyed "name", "agrement_arrete", "agrement_date", "agrement_ends",
// "departments" and "contact_email".
func (a *Association) Validate() models.FieldErrors {
	a.Name, a.AgrementArrete = strings.TrimSpace(a.Name), strings.TrimSpace(a.AgrementArrete)
	a.ContactEmail = models.NormalizeEmail(a.ContactEmail)
	fe := models.FieldErrors{}
	if a.Name == "" {
		fe.Add("name", "Indiquez le nom de l'association.")
	}
	if a.AgrementArrete == "" {
		fe.Add("agrement_arrete", "Indiquez la référence de l'arrêté d'agrément.")
	}
	models.CheckLine(fe, "name", "Nom de l'association", a.Name, models.MaxLineLength)
	models.CheckLine(fe, "agrement_arrete", "Arrêté d'agrément", a.AgrementArrete, models.MaxLineLength)
	models.CheckLine(fe, "departments", "Départements", a.Departments, models.MaxLineLength)
	if a.AgrementDate.IsZero() {
		fe.Add("agrement_date", "Indiquez la date de l'agrément.")
	} else {
		a.AgrementDate = models.DateOnly(a.AgrementDate)
		if a.AgrementEnds.IsZero() {
			a.AgrementEnds = a.AgrementDate.AddDate(AgrementYears, 0, 0)
		}
		a.AgrementEnds = models.DateOnly(a.AgrementEnds)
		switch {
		case !a.AgrementEnds.After(a.AgrementDate):
			fe.Add("agrement_ends", "La fin de l'agrément doit suivre sa date.")
		case a.AgrementEnds.After(a.AgrementDate.AddDate(AgrementYears, 0, 0)):
			fe.Add("agrement_ends", "L'agrément est accordé pour trois ans au plus ; il se renouvelle (R121-12-4).")
		}
	}
	var deps []string
	for _, d := range strings.FieldsFunc(strings.ToUpper(a.Departments), func(r rune) bool { return r == ',' || r == ';' || r == ' ' }) {
		if !models.ValidDepartment(d) {
			fe.Add("departments", "« "+d+" » n'est pas un code de département.")
		}
		deps = append(deps, d)
	}
	if len(deps) == 0 {
		fe.Add("departments", "Indiquez au moins un département couvert par l'agrément.")
	}
	a.Departments = strings.Join(deps, ",")
	if a.ContactEmail != "" && !models.ValidEmail(a.ContactEmail) {
		fe.Add("contact_email", "L'adresse électronique n'est pas valide.")
	}
	return fe
}

// SaveNewAssociation validates a and creates it (CreateAssociation).
func SaveNewAssociation(ctx context.Context, db bun.IDB, actor models.Actor, a *Association, now time.Time) error {
	if err := a.Validate().Err(); err != nil {
		return err
	}
	return CreateAssociation(ctx, db, actor, a, now)
}

// UpdateAssociation validates and saves a (its ID and CommissionID name the row).
func UpdateAssociation(ctx context.Context, db bun.IDB, actor models.Actor, a *Association, now time.Time) error {
	if err := a.Validate().Err(); err != nil {
		return err
	}
	return models.InTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
		old, err := FindAssociation(ctx, tx, a.CommissionID, a.ID)
		if err != nil {
			return err
		}
		a.CreatedAt, a.UpdatedAt = old.CreatedAt, now
		_, err = tx.NewUpdate().Model(a).
			Column("name", "agrement_arrete", "agrement_date", "agrement_ends", "departments", "contact_email", "updated_at").
			WherePK().Exec(ctx)
		if err != nil {
			return fmt.Errorf("update association: %w", err)
		}
		return models.Audit(ctx, tx, now, models.AuditEntry{
			CommissionID: a.CommissionID, Actor: actor, Action: "association.update", Object: models.ObjectRef("association", a.ID),
			Details: map[string]any{
				"name": a.Name, "arrete": a.AgrementArrete, "departments": a.Departments,
				"date": a.AgrementDate.Format(time.DateOnly), "ends": a.AgrementEnds.Format(time.DateOnly),
			},
		})
	})
}

// RenewAgrement records a new agrément of association id from date for three years,
// under arrêté arrete. FieldErrors keyed "agrement_arrete" and "agrement_date".
func RenewAgrement(ctx context.Context, db bun.IDB, actor models.Actor, cid, id int64, arrete string, date time.Time, now time.Time) error {
	return models.InTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
		a, err := FindAssociation(ctx, tx, cid, id)
		if err != nil {
			return err
		}
		fe := models.FieldErrors{}
		if strings.TrimSpace(arrete) == "" {
			fe.Add("agrement_arrete", "Indiquez la référence de l'arrêté de renouvellement.")
		}
		if date.IsZero() {
			fe.Add("agrement_date", "Indiquez la date du renouvellement.")
		} else if models.DateOnly(date).Before(a.AgrementDate) {
			fe.Add("agrement_date", "Le renouvellement ne peut pas précéder l'agrément en cours ("+models.FrDate(a.AgrementDate)+").")
		}
		if err := fe.Err(); err != nil {
			return err
		}
		a.AgrementArrete, a.AgrementDate, a.AgrementEnds = arrete, models.DateOnly(date), time.Time{}
		return UpdateAssociation(ctx, tx, actor, a, now)
	})
}

// AssociationStatus is an association with what the list page shows about its agrément.
type AssociationStatus struct {
	Association
	MaySubmit  bool    // current agrément covering the commission's department (REGLES requirement 13)
	Expired    bool    // shown in red, with the date AgrementEnds
	EndingSoon bool    // ends within AgrementAlertWindow
	Covers     bool    // the agrément names the commission's department
	Message    string  // French summary: expired on, ending on, not covering, valid until
	SeatIDs    []int64 // the association's seats in the commission (category 11)
}

// ListAssociationStatuses returns the associations of commission cid with the state of
// their agrément on the day of now.
func ListAssociationStatuses(ctx context.Context, db bun.IDB, cid int64, now time.Time) ([]AssociationStatus, error) {
	c, err := models.FindCommission(ctx, db, cid)
	if err != nil {
		return nil, err
	}
	as, err := ListAssociations(ctx, db, cid)
	if err != nil {
		return nil, err
	}
	seats, err := ListSeats(ctx, db, cid)
	if err != nil {
		return nil, err
	}
	out := make([]AssociationStatus, len(as))
	for i, a := range as {
		st := AssociationStatus{Association: a, MaySubmit: a.MaySubmitFiles(c.Department, now), Covers: a.Covers(c.Department)}
		st.Expired = !now.Before(a.AgrementEnds)
		st.EndingSoon = !st.Expired && now.Add(AgrementAlertWindow).After(a.AgrementEnds)
		st.Message = agrementMessage(&a, c.Department, now)
		for _, s := range seats {
			if s.AssociationID != nil && *s.AssociationID == a.ID {
				st.SeatIDs = append(st.SeatIDs, s.ID)
			}
		}
		out[i] = st
	}
	return out, nil
}

// agrementMessage describes in French the state of an agrément for department dep.
func agrementMessage(a *Association, dep string, now time.Time) string {
	switch {
	case !now.Before(a.AgrementEnds):
		return "L'agrément de « " + a.Name + " » a expiré le " + models.FrDate(a.AgrementEnds) + "."
	case now.Before(a.AgrementDate):
		return "L'agrément de « " + a.Name + " » ne prend effet que le " + models.FrDate(a.AgrementDate) + "."
	case !a.Covers(dep):
		return "L'agrément de « " + a.Name + " » ne couvre pas le département " + dep + "."
	case now.Add(AgrementAlertWindow).After(a.AgrementEnds):
		return "L'agrément de « " + a.Name + " » expire le " + models.FrDate(a.AgrementEnds) + "."
	}
	return "Agrément valable jusqu'au " + models.FrDate(a.AgrementEnds.AddDate(0, 0, -1)) + "."
}
