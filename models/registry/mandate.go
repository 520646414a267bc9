package registry

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"seance/models"
)

// TermYears is the length of a member's term of office, renewable (décret 2006-665 art. 9).
const TermYears = 3

// TermAlertWindow is how long before the end of a term the composition page warns
// (REGLES requirement 1, "alert before expiry").
const TermAlertWindow = 90 * 24 * time.Hour

// DefaultTermEnd returns the last day of a term starting on start: three years less a day.
func DefaultTermEnd(start time.Time) time.Time {
	return models.DateOnly(start).AddDate(TermYears, 0, -1)
}

// MandateKind says whether a mandate is the seat's titulaire or one of its suppléants.
type MandateKind string

// The kinds of mandate.
const (
	MandateTitulaire MandateKind = "titulaire"
	MandateSuppleant MandateKind = "suppleant"
)

// MandateKinds lists the kinds of mandate.
var MandateKinds = []MandateKind{MandateTitulaire, MandateSuppleant}

// Valid reports whether k is a known kind.
func (k MandateKind) Valid() bool { return slices.Contains(MandateKinds, k) }

// Label is the French name of the kind.
func (k MandateKind) Label() string {
	switch k {
	case MandateTitulaire:
		return "Titulaire"
	case MandateSuppleant:
		return "Suppléant"
	}
	return string(k)
}

// ParseMandateKind reads a kind typed by hand: "Titulaire", "T", "Suppléant(e)", "S"...
func ParseMandateKind(s string) (MandateKind, bool) {
	switch k := foldKey(s); {
	case k == "titulaire" || k == "t":
		return MandateTitulaire, true
	case k == "s" || strings.HasPrefix(k, "suppleant"):
		return MandateSuppleant, true
	}
	return "", false
}

// MandateEndReason records why a mandate ended before or at the end of its term.
type MandateEndReason string

// The reasons a mandate ends.
const (
	MandateReplaced MandateEndReason = "replaced" // someone else was appointed for the remaining term (R133-4)
	MandateLeft     MandateEndReason = "left"     // resignation, transfer, loss of the office; the seat is vacant
	MandateRenewed  MandateEndReason = "renewed"  // the term ended and the same person was appointed again
	MandateRemoved  MandateEndReason = "removed"  // absent from an imported composition
)

// Label is the French name of the reason.
func (r MandateEndReason) Label() string {
	switch r {
	case MandateReplaced:
		return "Remplacé"
	case MandateLeft:
		return "Départ"
	case MandateRenewed:
		return "Mandat renouvelé"
	case MandateRemoved:
		return "Retiré de la composition importée"
	}
	return string(r)
}

// Mandate is one person's appointment to a seat, as titulaire or suppléant, for a term
// (StartsOn to TermEndsOn, both included; dates are midnight UTC, see CalendarDay). A
// mandate is never overwritten when its holder changes: it gets an EndedOn (the last
// day it ran) and an EndReason, and the successor gets a new Mandate. A member who
// leaves is replaced for the remaining term (R133-4), the successor pointing back
// with ReplacesID.
type Mandate struct {
	bun.BaseModel `bun:"table:mandates"`

	ID           int64       `bun:",pk,autoincrement"`
	CommissionID int64       `bun:",notnull"`
	SeatID       int64       `bun:",notnull"`
	UserID       int64       `bun:",notnull"`
	Kind         MandateKind `bun:",notnull"`
	StartsOn     time.Time   `bun:",notnull"`
	TermEndsOn   time.Time   `bun:",notnull"`
	EndedOn      *time.Time
	EndReason    MandateEndReason `bun:",notnull"`
	ArreteRef    string           `bun:",notnull"` // arrêté that appointed the person
	ReplacesID   *int64           `bun:",nullzero"`
	CreatedAt    time.Time        `bun:",notnull"`
	UpdatedAt    time.Time        `bun:",notnull"`

	Seat *Seat        `bun:"rel:belongs-to,join:seat_id=id"`
	User *models.User `bun:"rel:belongs-to,join:user_id=id"`
}

// LastDay is the last day the mandate runs: the end of the term, or the day it ended.
func (m *Mandate) LastDay() time.Time {
	if m.EndedOn != nil && m.EndedOn.Before(m.TermEndsOn) {
		return *m.EndedOn
	}
	return m.TermEndsOn
}

// CurrentOn reports whether the mandate runs on day (a date as CalendarDay returns).
func (m *Mandate) CurrentOn(day time.Time) bool {
	return !day.Before(m.StartsOn) && !day.After(m.LastDay())
}

// overlaps reports whether the mandate runs on any day from start to end included.
func (m *Mandate) overlaps(start, end time.Time) bool {
	return !m.StartsOn.After(end) && !m.LastDay().Before(start) && !m.LastDay().Before(m.StartsOn)
}

// Appointment is what the secretariat types to appoint a person to a seat.
type Appointment struct {
	SeatID int64
	Kind   MandateKind
	Email  string
	// Name is used when the e-mail has no account yet; an existing account keeps its name.
	Name       string
	StartsOn   time.Time
	TermEndsOn time.Time // zero: DefaultTermEnd(StartsOn), or the remaining term for a replacement
	ArreteRef  string
}

// AppointResult is what an appointment made.
type AppointResult struct {
	Mandate *Mandate
	User    *models.User
	// Invitation is the secret of the invitation link when the appointment created the
	// account (empty otherwise). It is shown nowhere else: e-mail it at once.
	Invitation string
}

// Appoint appoints a person to a seat, creating their account (role member, no
// password) and an invitation when the e-mail is new. It refuses, with FieldErrors
// keyed "email", "name", "kind", "starts_on", "term_ends_on", "arrete_ref" or FormLevel:
// a second titulaire on the same dates, a suppléant where the seat has no free place
// (R133-3), a person who already sits in the commission on those dates, an account of
// another commission or role.
func Appoint(ctx context.Context, db bun.IDB, actor models.Actor, cid int64, a Appointment, now time.Time) (*AppointResult, error) {
	var res *AppointResult
	err := models.InTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
		seat, err := FindSeat(ctx, tx, cid, a.SeatID)
		if err != nil {
			return err
		}
		res, err = appointTx(ctx, tx, actor, seat, a, nil, now)
		return err
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// ReplaceMember ends mandate mandateID on the day before a.StartsOn (reason MandateReplaced)
// and appoints the person of a to the same seat and kind for the remaining term (R133-4):
// a.SeatID and a.Kind are taken from the replaced mandate, and a.TermEndsOn must be zero
// or the replaced term's end.
func ReplaceMember(ctx context.Context, db bun.IDB, actor models.Actor, cid, mandateID int64, a Appointment, now time.Time) (*AppointResult, error) {
	var res *AppointResult
	err := models.InTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
		old, err := FindMandate(ctx, tx, cid, mandateID)
		if err != nil {
			return err
		}
		fe := models.FieldErrors{}
		switch {
		case old.EndedOn != nil:
			fe.Add(models.FormLevel, "Ce mandat a déjà pris fin le "+models.FrDate(*old.EndedOn)+".")
		case a.StartsOn.IsZero():
			fe.Add("starts_on", "Indiquez la date à laquelle le remplacement prend effet.")
		case !models.DateOnly(a.StartsOn).After(old.StartsOn) || models.DateOnly(a.StartsOn).After(old.TermEndsOn):
			fe.Add("starts_on", fmt.Sprintf("Le remplacement prend effet entre le %s et le %s.",
				models.FrDate(old.StartsOn.AddDate(0, 0, 1)), models.FrDate(old.TermEndsOn)))
		case !a.TermEndsOn.IsZero() && !models.DateOnly(a.TermEndsOn).Equal(old.TermEndsOn):
			fe.Add("term_ends_on", "Le remplaçant est nommé pour la durée du mandat restant à courir, jusqu'au "+models.FrDate(old.TermEndsOn)+" (R133-4).")
		}
		if err := fe.Err(); err != nil {
			return err
		}
		a.SeatID, a.Kind, a.TermEndsOn = old.SeatID, old.Kind, old.TermEndsOn
		if res, err = appointTx(ctx, tx, actor, old.Seat, a, old, now); err != nil {
			return err
		}
		return endMandateTx(ctx, tx, actor, old, models.DateOnly(a.StartsOn).AddDate(0, 0, -1), MandateReplaced, now)
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// appointTx validates a against the seat and the commission, creates the account when
// needed and inserts the mandate. replaces, when set, is left out of the checks.
func appointTx(ctx context.Context, tx bun.Tx, actor models.Actor, seat *Seat, a Appointment, replaces *Mandate, now time.Time) (*AppointResult, error) {
	cid := seat.CommissionID
	a.Email, a.Name, a.ArreteRef = models.NormalizeEmail(a.Email), strings.TrimSpace(a.Name), strings.TrimSpace(a.ArreteRef)
	fe := validateTerm(a.StartsOn, &a.TermEndsOn, a.ArreteRef)
	if !a.Kind.Valid() {
		fe.Add("kind", "Choisissez titulaire ou suppléant.")
	}
	u, found, err := checkPerson(ctx, tx, cid, a.Email, a.Name, fe)
	if err != nil {
		return nil, err
	}
	if len(fe) == 0 {
		if err := checkSeatRoom(ctx, tx, seat, a.Kind, a.StartsOn, a.TermEndsOn, replaces, fe); err != nil {
			return nil, err
		}
	}
	if len(fe) == 0 && found {
		if replaces != nil && replaces.UserID == u.ID {
			fe.Add("email", "Cette personne occupe déjà ce mandat.")
		} else if err := checkPersonFree(ctx, tx, cid, u.ID, a.StartsOn, a.TermEndsOn, replaces, fe); err != nil {
			return nil, err
		}
	}
	if err := fe.Err(); err != nil {
		return nil, err
	}
	res := &AppointResult{User: u}
	if !found {
		if res.User, res.Invitation, err = createPersonTx(ctx, tx, actor, seat, a.Email, a.Name, now); err != nil {
			return nil, err
		}
	}
	m := &Mandate{
		CommissionID: cid, SeatID: seat.ID, UserID: res.User.ID, Kind: a.Kind,
		StartsOn: a.StartsOn, TermEndsOn: a.TermEndsOn, ArreteRef: a.ArreteRef,
	}
	if replaces != nil {
		m.ReplacesID = &replaces.ID
	}
	if err := insertMandateTx(ctx, tx, actor, m, now); err != nil {
		return nil, err
	}
	m.Seat, m.User = seat, res.User
	res.Mandate = m
	return res, nil
}

// validateTerm normalises the dates (an empty end becomes DefaultTermEnd) and checks
// them with the arrêté reference.
func validateTerm(start time.Time, end *time.Time, arrete string) models.FieldErrors {
	fe := models.FieldErrors{}
	if start.IsZero() {
		fe.Add("starts_on", "Indiquez la date de début du mandat.")
		return fe
	}
	if end.IsZero() {
		*end = DefaultTermEnd(start)
	}
	*end = models.DateOnly(*end)
	switch {
	case end.Before(models.DateOnly(start)):
		fe.Add("term_ends_on", "La fin du mandat doit suivre son début.")
	case end.After(DefaultTermEnd(start)):
		fe.Add("term_ends_on", "Un mandat dure trois ans au plus ; il peut être renouvelé.")
	}
	if arrete == "" {
		fe.Add("arrete_ref", "Indiquez la référence de l'arrêté de nomination.")
	}
	models.CheckLine(fe, "arrete_ref", "Arrêté de nomination", arrete, models.MaxLineLength)
	return fe
}

// checkPerson validates the e-mail and name into fe and looks the e-mail up: found
// reports an existing account u; otherwise appointing will create one.
func checkPerson(ctx context.Context, db bun.IDB, cid int64, email, name string, fe models.FieldErrors) (u *models.User, found bool, err error) {
	models.CheckLine(fe, "name", "Nom", name, models.MaxLineLength)
	switch {
	case email == "":
		fe.Add("email", "Indiquez l'adresse électronique de la personne.")
		return nil, false, nil
	case !models.ValidEmail(email):
		fe.Add("email", "L'adresse électronique n'est pas valide.")
		return nil, false, nil
	}
	u, err = models.FindUserByEmail(ctx, db, email)
	if err == models.ErrNotFound {
		if name == "" {
			fe.Add("name", "Indiquez le nom de la personne.")
		}
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	if msg := personProblem(u, cid); msg != "" {
		fe.Add("email", msg)
	}
	return u, true, nil
}

// personProblem says why an existing account cannot be appointed in commission cid.
func personProblem(u *models.User, cid int64) string {
	switch {
	case u.CommissionIDOrZero() != cid || u.Role != models.RoleMember:
		return "Cette adresse est déjà celle d'un compte qui ne peut pas siéger dans la commission."
	case !u.Active:
		return "Le compte de cette personne est désactivé : réactivez-le d'abord."
	}
	return ""
}

// checkSeatRoom refuses a second titulaire and a suppléant beyond the seat's places
// on any day of the new term.
func checkSeatRoom(ctx context.Context, db bun.IDB, seat *Seat, kind MandateKind, start, end time.Time, replaces *Mandate, fe models.FieldErrors) error {
	ms, err := seatMandates(ctx, db, seat.ID)
	if err != nil {
		return err
	}
	var overlapping []Mandate
	for _, m := range ms {
		if m.Kind == kind && (replaces == nil || m.ID != replaces.ID) && m.overlaps(models.DateOnly(start), end) {
			overlapping = append(overlapping, m)
		}
	}
	switch {
	case kind == MandateTitulaire && len(overlapping) > 0:
		fe.Add(models.FormLevel, fmt.Sprintf("Ce siège a déjà un titulaire sur cette période (%s) : utilisez le remplacement.", overlapping[0].User.Name))
	case kind == MandateSuppleant && !seat.Category.SuppleantsAllowed():
		fe.Add("kind", seat.Category.SuppleantRule())
	case kind == MandateSuppleant && seat.SuppleantPlaces == 0:
		fe.Add("kind", "Ce siège n'a pas de place de suppléant : modifiez d'abord le siège.")
	case kind == MandateSuppleant && len(overlapping) >= seat.SuppleantPlaces:
		fe.Add(models.FormLevel, "Toutes les places de suppléant de ce siège sont pourvues sur cette période : utilisez le remplacement.")
	}
	return nil
}

// checkPersonFree refuses to appoint someone who holds another mandate of the
// commission on any day of the new term: one person, one seat.
func checkPersonFree(ctx context.Context, db bun.IDB, cid, userID int64, start, end time.Time, replaces *Mandate, fe models.FieldErrors) error {
	ms, err := UserMandates(ctx, db, cid, userID)
	if err != nil {
		return err
	}
	for _, m := range ms {
		if (replaces == nil || m.ID != replaces.ID) && m.overlaps(models.DateOnly(start), end) {
			fe.Add("email", fmt.Sprintf("Cette personne siège déjà dans la commission sur cette période (%s, %s).",
				m.Seat.Label(), strings.ToLower(m.Kind.Label())))
			return nil
		}
	}
	return nil
}

// createPersonTx creates the account of a newly appointed person, with no password, and
// an invitation. A person sitting for an association is linked to it.
func createPersonTx(ctx context.Context, tx bun.Tx, actor models.Actor, seat *Seat, email, name string, now time.Time) (*models.User, string, error) {
	cid := seat.CommissionID
	u := &models.User{CommissionID: &cid, AssociationID: seat.AssociationID, Email: email, Name: name, Role: models.RoleMember, Active: true}
	if err := models.CreateUser(ctx, tx, actor, u, now); err != nil {
		return nil, "", err
	}
	secret, err := models.CreateAccountTokenTx(ctx, tx, actor, u, models.TokenInvitation, "", now)
	if err != nil {
		return nil, "", err
	}
	return u, secret, nil
}

func insertMandateTx(ctx context.Context, tx bun.Tx, actor models.Actor, m *Mandate, now time.Time) error {
	t := now
	m.StartsOn, m.TermEndsOn, m.CreatedAt, m.UpdatedAt = models.DateOnly(m.StartsOn), models.DateOnly(m.TermEndsOn), t, t
	if _, err := tx.NewInsert().Model(m).Exec(ctx); err != nil {
		return fmt.Errorf("insert mandate: %w", err)
	}
	d := map[string]any{
		"seat_id": m.SeatID, "user_id": m.UserID, "kind": string(m.Kind), "arrete_ref": m.ArreteRef,
		"starts_on": m.StartsOn.Format(time.DateOnly), "term_ends_on": m.TermEndsOn.Format(time.DateOnly),
	}
	if m.ReplacesID != nil {
		d["replaces"] = *m.ReplacesID
	}
	return models.Audit(ctx, tx, now, models.AuditEntry{CommissionID: m.CommissionID, Actor: actor, Action: "mandate.create", Object: models.ObjectRef("mandate", m.ID), Details: d})
}

func endMandateTx(ctx context.Context, tx bun.Tx, actor models.Actor, m *Mandate, lastDay time.Time, reason MandateEndReason, now time.Time) error {
	lastDay = models.DateOnly(lastDay)
	_, err := tx.NewUpdate().Model((*Mandate)(nil)).Set("ended_on = ?", lastDay).Set("end_reason = ?", reason).
		Set("updated_at = ?", now).Where("id = ?", m.ID).Exec(ctx)
	if err != nil {
		return fmt.Errorf("end mandate: %w", err)
	}
	m.EndedOn, m.EndReason = &lastDay, reason
	return models.Audit(ctx, tx, now, models.AuditEntry{
		CommissionID: m.CommissionID, Actor: actor, Action: "mandate.end", Object: models.ObjectRef("mandate", m.ID),
		Details: map[string]any{"ended_on": lastDay.Format(time.DateOnly), "reason": string(reason)},
	})
}

// EndMandate ends a mandate on lastDay without a successor (the seat or place becomes
// vacant), for reason MandateLeft unless another is given. FieldErrors keyed "ended_on".
func EndMandate(ctx context.Context, db bun.IDB, actor models.Actor, cid, mandateID int64, lastDay time.Time, reason MandateEndReason, now time.Time) error {
	if reason == "" {
		reason = MandateLeft
	}
	return models.InTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
		m, err := FindMandate(ctx, tx, cid, mandateID)
		if err != nil {
			return err
		}
		switch d := models.DateOnly(lastDay); {
		case m.EndedOn != nil:
			return models.FieldErrors{models.FormLevel: "Ce mandat a déjà pris fin le " + models.FrDate(*m.EndedOn) + "."}.Err()
		case lastDay.IsZero():
			return models.FieldErrors{"ended_on": "Indiquez le dernier jour du mandat."}.Err()
		case d.Before(m.StartsOn.AddDate(0, 0, -1)) || d.After(m.TermEndsOn):
			return models.FieldErrors{"ended_on": fmt.Sprintf("Le dernier jour du mandat est compris entre le %s et le %s.", models.FrDate(m.StartsOn), models.FrDate(m.TermEndsOn))}.Err()
		}
		return endMandateTx(ctx, tx, actor, m, lastDay, reason, now)
	})
}

// RenewMandate appoints the holder of mandateID again for a new term starting the day
// after the current one ends (TermEndsOn zero: three years), under arrêté arreteRef.
// The old mandate keeps its dates and gets the reason MandateRenewed, so that it leaves the
// term alerts.
func RenewMandate(ctx context.Context, db bun.IDB, actor models.Actor, cid, mandateID int64, arreteRef string, termEndsOn time.Time, now time.Time) (*Mandate, error) {
	var next *Mandate
	err := models.InTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
		old, err := FindMandate(ctx, tx, cid, mandateID)
		if err != nil {
			return err
		}
		if old.EndedOn != nil {
			return models.FieldErrors{models.FormLevel: "Ce mandat a déjà pris fin le " + models.FrDate(*old.EndedOn) + " : nommez la personne à nouveau."}.Err()
		}
		start := old.TermEndsOn.AddDate(0, 0, 1)
		arreteRef = strings.TrimSpace(arreteRef)
		if err := validateTerm(start, &termEndsOn, arreteRef).Err(); err != nil {
			return err
		}
		next = &Mandate{
			CommissionID: cid, SeatID: old.SeatID, UserID: old.UserID, Kind: old.Kind,
			StartsOn: start, TermEndsOn: termEndsOn, ArreteRef: arreteRef,
		}
		if err := endMandateTx(ctx, tx, actor, old, old.TermEndsOn, MandateRenewed, now); err != nil {
			return err
		}
		if err := insertMandateTx(ctx, tx, actor, next, now); err != nil {
			return err
		}
		next.Seat, next.User = old.Seat, old.User
		return nil
	})
	if err != nil {
		return nil, err
	}
	return next, nil
}

// CorrectMandate fixes the dates or arrêté of a mandate typed wrongly; it keeps the same
// person (use ReplaceMember to change the person). FieldErrors as for Appoint.
func CorrectMandate(ctx context.Context, db bun.IDB, actor models.Actor, cid, mandateID int64, startsOn, termEndsOn time.Time, arreteRef string, now time.Time) error {
	return models.InTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
		m, err := FindMandate(ctx, tx, cid, mandateID)
		if err != nil {
			return err
		}
		arreteRef = strings.TrimSpace(arreteRef)
		fe := validateTerm(startsOn, &termEndsOn, arreteRef)
		if len(fe) == 0 {
			if err := checkSeatRoom(ctx, tx, m.Seat, m.Kind, startsOn, termEndsOn, m, fe); err != nil {
				return err
			}
		}
		if len(fe) == 0 {
			if err := checkPersonFree(ctx, tx, cid, m.UserID, startsOn, termEndsOn, m, fe); err != nil {
				return err
			}
		}
		if err := fe.Err(); err != nil {
			return err
		}
		return correctMandateTx(ctx, tx, actor, m, models.DateOnly(startsOn), termEndsOn, arreteRef, now)
	})
}

func correctMandateTx(ctx context.Context, tx bun.Tx, actor models.Actor, m *Mandate, start, end time.Time, arrete string, now time.Time) error {
	_, err := tx.NewUpdate().Model((*Mandate)(nil)).Set("starts_on = ?", start).Set("term_ends_on = ?", end).
		Set("arrete_ref = ?", arrete).Set("updated_at = ?", now).Where("id = ?", m.ID).Exec(ctx)
	if err != nil {
		return fmt.Errorf("correct mandate: %w", err)
	}
	err = models.Audit(ctx, tx, now, models.AuditEntry{
		CommissionID: m.CommissionID, Actor: actor, Action: "mandate.correct", Object: models.ObjectRef("mandate", m.ID),
		Details: map[string]any{
			"starts_on": start.Format(time.DateOnly), "term_ends_on": end.Format(time.DateOnly), "arrete_ref": arrete,
			"was": map[string]any{"starts_on": m.StartsOn.Format(time.DateOnly), "term_ends_on": m.TermEndsOn.Format(time.DateOnly), "arrete_ref": m.ArreteRef},
		},
	})
	m.StartsOn, m.TermEndsOn, m.ArreteRef = start, end, arrete
	return err
}

// mandateQuery selects mandates with their seat (and its association) and holder.
func mandateQuery(db bun.IDB, ms *[]Mandate) *bun.SelectQuery {
	return db.NewSelect().Model(ms).Relation("Seat").Relation("Seat.Association").Relation("User")
}

// FindMandate returns mandate id of commission cid, with its seat and holder.
func FindMandate(ctx context.Context, db bun.IDB, cid, id int64) (*Mandate, error) {
	var ms []Mandate
	if err := mandateQuery(db, &ms).Where("mandate.id = ? AND mandate.commission_id = ?", id, cid).Scan(ctx); err != nil {
		return nil, fmt.Errorf("find mandate: %w", err)
	}
	if len(ms) == 0 {
		return nil, models.ErrNotFound
	}
	return &ms[0], nil
}

func scanMandates(ctx context.Context, q *bun.SelectQuery, ms *[]Mandate, op string) error {
	err := q.Order("mandate.starts_on ASC", "mandate.id ASC").Scan(ctx)
	if err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	return nil
}

func seatMandates(ctx context.Context, db bun.IDB, seatID int64) ([]Mandate, error) {
	var ms []Mandate
	return ms, scanMandates(ctx, mandateQuery(db, &ms).Where("mandate.seat_id = ?", seatID), &ms, "seat mandates")
}

// UserMandates returns the mandates of user userID in commission cid.
func UserMandates(ctx context.Context, db bun.IDB, cid, userID int64) ([]Mandate, error) {
	var ms []Mandate
	return ms, scanMandates(ctx, mandateQuery(db, &ms).Where("mandate.commission_id = ? AND mandate.user_id = ?", cid, userID), &ms, "person mandates")
}

func commissionMandates(ctx context.Context, db bun.IDB, cid int64) ([]Mandate, error) {
	var ms []Mandate
	return ms, scanMandates(ctx, mandateQuery(db, &ms).Where("mandate.commission_id = ?", cid), &ms, "commission mandates")
}

// currentOf returns the mandates of kind ("" for any) that run on day.
func currentOf(ms []Mandate, kind MandateKind, day time.Time) []Mandate {
	var out []Mandate
	for _, m := range ms {
		if (kind == "" || m.Kind == kind) && m.CurrentOn(day) {
			out = append(out, m)
		}
	}
	return out
}

// SeatHistory returns every mandate of a seat, ended ones included, oldest first.
func SeatHistory(ctx context.Context, db bun.IDB, cid, seatID int64) ([]Mandate, error) {
	if _, err := FindSeat(ctx, db, cid, seatID); err != nil {
		return nil, err
	}
	return seatMandates(ctx, db, seatID)
}

// PersonHistory returns every mandate a person held in the commission, oldest first.
func PersonHistory(ctx context.Context, db bun.IDB, cid, userID int64) ([]Mandate, error) {
	return UserMandates(ctx, db, cid, userID)
}

// SeatOf returns the mandate (with its seat) under which userID sits on the day of on,
// or ErrNotFound when the person holds none that day.
func SeatOf(ctx context.Context, db bun.IDB, cid, userID int64, on time.Time) (*Mandate, error) {
	ms, err := UserMandates(ctx, db, cid, userID)
	if err != nil {
		return nil, err
	}
	if cur := currentOf(ms, "", models.CalendarDay(on)); len(cur) > 0 {
		return &cur[0], nil
	}
	return nil, models.ErrNotFound
}

// CanSubstitute reports whether suppleantUserID may sit in place of titulaireUserID on
// the day of on: the first must be a current suppléant of the very seat the second
// holds as titulaire (REGLES requirement 2, R133-3).
func CanSubstitute(ctx context.Context, db bun.IDB, cid, suppleantUserID, titulaireUserID int64, on time.Time) (bool, error) {
	s, err := SeatOf(ctx, db, cid, suppleantUserID, on)
	if err == models.ErrNotFound {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	t, err := SeatOf(ctx, db, cid, titulaireUserID, on)
	if err == models.ErrNotFound {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return s.Kind == MandateSuppleant && t.Kind == MandateTitulaire && s.SeatID == t.SeatID, nil
}

// SeatHolders is a seat with the persons holding it on a given day.
type SeatHolders struct {
	Seat       Seat
	Titulaire  *Mandate  // nil: vacant
	Suppleants []Mandate // in order of appointment
}

// All returns the titulaire (when the seat has one) then the suppléants.
func (h *SeatHolders) All() []Mandate {
	if h.Titulaire == nil {
		return h.Suppleants
	}
	return append([]Mandate{*h.Titulaire}, h.Suppleants...)
}

// CommissionHolders returns every seat of commission cid, in composition order, with
// its holders on day.
func CommissionHolders(ctx context.Context, db bun.IDB, cid int64, day time.Time) ([]SeatHolders, error) {
	r, err := LoadRoster(ctx, db, cid)
	if err != nil {
		return nil, err
	}
	return r.HoldersOn(day), nil
}

// Roster is a commission's seats and every mandate of its history, read once for the
// presence of several sessions.
type Roster struct {
	Seats    []Seat
	mandates []Mandate
}

// LoadRoster reads the seats of commission cid and every mandate held on them.
func LoadRoster(ctx context.Context, db bun.IDB, cid int64) (*Roster, error) {
	seats, err := ListSeats(ctx, db, cid)
	if err != nil {
		return nil, err
	}
	ms, err := commissionMandates(ctx, db, cid)
	if err != nil {
		return nil, err
	}
	return &Roster{Seats: seats, mandates: ms}, nil
}

// HoldersOn pairs every seat of the roster with its mandates current on day.
func (r *Roster) HoldersOn(day time.Time) []SeatHolders {
	bySeat := map[int64][]Mandate{}
	for _, m := range currentOf(r.mandates, "", day) {
		bySeat[m.SeatID] = append(bySeat[m.SeatID], m)
	}
	out := make([]SeatHolders, len(r.Seats))
	for i, s := range r.Seats {
		out[i].Seat = s
		for _, m := range bySeat[s.ID] {
			if m.Kind == MandateTitulaire {
				out[i].Titulaire = &m
			} else {
				out[i].Suppleants = append(out[i].Suppleants, m)
			}
		}
	}
	return out
}

// VotingRoll lists the seats with a voting right on a day: the base of the quorum
// (R133-10) and of proxies and substitutions.
type VotingRoll struct {
	On     time.Time
	Seats  []SeatHolders
	Count  int // seats with a voting right, vacant ones included: the members "composant la commission"
	Filled int // of which have a titulaire that day
}

// VotingMembers returns the seats with a voting right and their current titulaire and
// suppléants on the day of on.
func VotingMembers(ctx context.Context, db bun.IDB, cid int64, on time.Time) (*VotingRoll, error) {
	all, err := CommissionHolders(ctx, db, cid, models.CalendarDay(on))
	if err != nil {
		return nil, err
	}
	return NewVotingRoll(all, on), nil
}

// NewVotingRoll keeps the seats with a voting right of all, the holders of every seat on on.
func NewVotingRoll(all []SeatHolders, on time.Time) *VotingRoll {
	roll := &VotingRoll{On: models.CalendarDay(on)}
	for _, h := range all {
		if !h.Seat.VotingRight {
			continue
		}
		roll.Seats = append(roll.Seats, h)
		if h.Titulaire != nil {
			roll.Filled++
		}
	}
	roll.Count = len(roll.Seats)
	return roll
}

// TermsEndingWithin returns the current mandates whose term ends within the window
// after now and that were neither ended early nor renewed, soonest first (REGLES
// requirement 1). Each carries its seat and holder.
func TermsEndingWithin(ctx context.Context, db bun.IDB, cid int64, now time.Time, within time.Duration) ([]Mandate, error) {
	ms, err := commissionMandates(ctx, db, cid)
	if err != nil {
		return nil, err
	}
	today := models.CalendarDay(now)
	limit := today.AddDate(0, 0, int(within/(24*time.Hour)))
	var out []Mandate
	for _, m := range currentOf(ms, "", today) {
		if m.EndedOn == nil && !m.TermEndsOn.After(limit) {
			out = append(out, m)
		}
	}
	slices.SortStableFunc(out, func(a, b Mandate) int { return a.TermEndsOn.Compare(b.TermEndsOn) })
	return out, nil
}

// DaysLeft returns the number of days from the day of now to the end of the term.
func (m *Mandate) DaysLeft(now time.Time) int {
	return int(m.TermEndsOn.Sub(models.CalendarDay(now)) / (24 * time.Hour))
}

// SetPersonActive activates or deactivates the account of a member of commission cid
// (ErrNotFound for anyone else); deactivation ends their sessions at once (SetUserActive)
// and makes their pending links unusable. Mandates are ended separately (EndMandate,
// ReplaceMember), so that their dates are those of the arrêté.
func SetPersonActive(ctx context.Context, db bun.IDB, actor models.Actor, cid, userID int64, active bool, now time.Time) error {
	u, err := models.FindUser(ctx, db, userID)
	if err != nil {
		return err
	}
	if u.CommissionIDOrZero() != cid || u.Role != models.RoleMember {
		return models.ErrNotFound
	}
	return models.SetUserActive(ctx, db, actor, userID, active, now)
}
