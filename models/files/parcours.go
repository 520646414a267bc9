package files

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/uptrace/bun"

	"seance/models"
)

// The durations of the parcours (REGLES.md §2 and requirement 9).
const (
	PeriodMonths      = 6  // an authorisation or a renewal grants 6 months
	ParcoursMaxMonths = 24 // months of rights in total, whatever the interruptions
)

// Parcours is a person's parcours de sortie de la prostitution, opened by an authorised
// entry and made of periods of rights.
type Parcours struct {
	bun.BaseModel `bun:"table:parcours"`

	ID            int64      `bun:",pk,autoincrement"`
	CommissionID  int64      `bun:",notnull"`
	PersonID      int64      `bun:",notnull"`
	AssociationID int64      `bun:",notnull"` // the association that follows it now
	StartedOn     time.Time  `bun:",notnull"`
	SuspendedOn   *time.Time // rights suspended from this day, until a renewal resumes them
	EndedOn       *time.Time // no rights from this day
	EndReason     EndReason  `bun:",notnull"`
	CreatedAt     time.Time  `bun:",notnull"`
	UpdatedAt     time.Time  `bun:",notnull"`

	Periods []Period `bun:"rel:has-many,join:id=parcours_id"`
}

// Period is one period of rights. Days run from StartsOn included to EndsOn excluded,
// unless the period was cut short on CutOn (end, suspension).
type Period struct {
	bun.BaseModel `bun:"table:parcours_periods"`

	ID           int64      `bun:",pk,autoincrement"`
	CommissionID int64      `bun:",notnull"`
	ParcoursID   int64      `bun:",notnull"`
	FileID       int64      `bun:",notnull"` // the authorised entry or renewal
	Seq          int        `bun:",notnull"` // 1, 2, … within the parcours
	StartsOn     time.Time  `bun:",notnull"`
	EndsOn       time.Time  `bun:",notnull"` // first day without rights, as granted
	CutOn        *time.Time // first day without rights when cut short
	Months       int        `bun:",notnull"` // months granted

	APSRequested     bool       `bun:"aps_requested,notnull"`
	APSGranted       bool       `bun:"aps_granted,notnull"`
	APSFrom          *time.Time `bun:"aps_from"`
	APSUntil         *time.Time `bun:"aps_until"`
	AFISGranted      bool       `bun:"afis_granted,notnull"`
	AFISChildren     int        `bun:"afis_children,notnull"`
	AFISMonthlyCents int64      `bun:"afis_monthly_cents,notnull"`
	AFISFrom         *time.Time `bun:"afis_from"`         // first month paid
	AFISStoppedFrom  *time.Time `bun:"afis_stopped_from"` // first month no longer paid
	HousingNeed      Housing    `bun:",notnull"`
	HousingProvided  Housing    `bun:",notnull"`

	CreatedAt time.Time `bun:",notnull"`
	UpdatedAt time.Time `bun:",notnull"`
}

// End returns the first day without rights: CutOn when the period was cut short.
func (p *Period) End() time.Time {
	if p.CutOn != nil && p.CutOn.Before(p.EndsOn) {
		return *p.CutOn
	}
	return p.EndsOn
}

// CountedMonths returns the months of the period that count towards the 24: the months
// granted, or the months started before the period was cut short.
func (p *Period) CountedMonths() int {
	if p.CutOn != nil && p.CutOn.Before(p.EndsOn) {
		if !p.CutOn.After(p.StartsOn) {
			return 0
		}
		return min(p.Months, MonthsSpanned(p.StartsOn, *p.CutOn))
	}
	return p.Months
}

// Covers reports whether day is within the period's rights.
func (p *Period) Covers(day time.Time) bool {
	day = DateOf(day)
	return !day.Before(p.StartsOn) && day.Before(p.End())
}

// CumulativeMonths returns the months of rights of periods, interruptions left out but
// every period with rights counted (REGLES.md requirement 9).
func CumulativeMonths(periods []Period) int {
	n := 0
	for i := range periods {
		n += periods[i].CountedMonths()
	}
	return n
}

// ParcoursStatus is where a parcours stands on a given day.
type ParcoursStatus string

// The statuses of a parcours.
const (
	ParcoursActive    ParcoursStatus = "active"
	ParcoursLapsed    ParcoursStatus = "lapsed" // the last period is over and nothing ended the parcours
	ParcoursSuspended ParcoursStatus = "suspended"
	ParcoursEnded     ParcoursStatus = "ended"
)

// Label is the French name of the status.
func (s ParcoursStatus) Label() string {
	switch s {
	case ParcoursActive:
		return "En cours"
	case ParcoursLapsed:
		return "Période échue"
	case ParcoursSuspended:
		return "Suspendu"
	case ParcoursEnded:
		return "Terminé"
	}
	return string(s)
}

// Status returns the status on day now (Periods must be loaded).
func (p *Parcours) Status(now time.Time) ParcoursStatus {
	day := DateOf(now)
	switch {
	case p.EndedOn != nil && !day.Before(*p.EndedOn):
		return ParcoursEnded
	case p.SuspendedOn != nil && !day.Before(*p.SuspendedOn):
		return ParcoursSuspended
	}
	if last := p.LastPeriod(); last != nil && !day.Before(last.End()) {
		return ParcoursLapsed
	}
	return ParcoursActive
}

// LastPeriod returns the latest period, or nil.
func (p *Parcours) LastPeriod() *Period {
	if len(p.Periods) == 0 {
		return nil
	}
	return &p.Periods[len(p.Periods)-1]
}

// CurrentPeriod returns the period covering day now, or nil.
func (p *Parcours) CurrentPeriod(now time.Time) *Period {
	for i := range p.Periods {
		if p.Periods[i].Covers(now) {
			return &p.Periods[i]
		}
	}
	return nil
}

// RenewalDueOn returns the end of the last period: a renewal must be submitted and
// examined before this day (REGLES.md requirement 8).
func (p *Parcours) RenewalDueOn() time.Time {
	if last := p.LastPeriod(); last != nil {
		return last.End()
	}
	return p.StartedOn
}

// FindParcoursRow returns parcours id of commission cid with its periods, without access checks.
func FindParcoursRow(ctx context.Context, db bun.IDB, cid, id int64) (*Parcours, error) {
	p := new(Parcours)
	err := db.NewSelect().Model(p).Where("parcours.id = ? AND parcours.commission_id = ?", id, cid).
		Relation("Periods", func(q *bun.SelectQuery) *bun.SelectQuery { return q.Order("seq ASC") }).Scan(ctx)
	if err != nil {
		return nil, models.NotFound(err, "find parcours")
	}
	return p, nil
}

// personPeriods returns every period of every parcours of a person.
func personPeriods(ctx context.Context, db bun.IDB, personID int64) ([]Period, error) {
	var ps []Period
	err := db.NewSelect().Model(&ps).
		Where("parcours_id IN (?)", db.NewSelect().Model((*Parcours)(nil)).Column("id").Where("person_id = ?", personID)).
		Order("starts_on ASC").Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("list periods of person: %w", err)
	}
	return ps, nil
}

// PersonCumulativeMonths returns the months of rights a person has had in every parcours.
func PersonCumulativeMonths(ctx context.Context, db bun.IDB, personID int64) (int, error) {
	ps, err := personPeriods(ctx, db, personID)
	if err != nil {
		return 0, err
	}
	return CumulativeMonths(ps), nil
}

// checkCap refuses a request that would take the person's rights beyond 24 months
// (REGLES.md requirement 9) and returns the months a new period may still grant.
func checkCap(ctx context.Context, db bun.IDB, personID int64) (int, error) {
	n, err := PersonCumulativeMonths(ctx, db, personID)
	if err != nil {
		return 0, err
	}
	if n >= ParcoursMaxMonths {
		return 0, models.Refuse("La durée cumulée des droits de cette personne atteint déjà %d mois, le maximum légal de %d mois : aucune nouvelle période ne peut être accordée.", n, ParcoursMaxMonths)
	}
	return min(PeriodMonths, ParcoursMaxMonths-n), nil
}

// checkNoOpenParcours refuses an entry for a person whose parcours has not ended.
func checkNoOpenParcours(ctx context.Context, db bun.IDB, personID int64, now time.Time) error {
	var ps []Parcours
	if err := db.NewSelect().Model(&ps).Where("person_id = ?", personID).Scan(ctx); err != nil {
		return fmt.Errorf("check open parcours: %w", err)
	}
	for _, p := range ps {
		if p.EndedOn == nil || DateOf(now).Before(*p.EndedOn) {
			return models.Refuse("Cette personne a déjà un parcours qui n'est pas clos : présentez une demande de renouvellement.")
		}
	}
	return nil
}

// addPeriod grants a new period on parcours p from start, for months months, with the
// rights of file f.
func addPeriod(ctx context.Context, tx bun.Tx, p *Parcours, f *File, start time.Time, months int, afis bool, now time.Time) (*Period, error) {
	start = DateOf(start)
	per := &Period{
		CommissionID: p.CommissionID, ParcoursID: p.ID, FileID: f.ID, Seq: len(p.Periods) + 1,
		StartsOn: start, EndsOn: AddMonths(start, months), Months: months,
		APSRequested: f.APSNeeded, HousingNeed: f.HousingNeed, HousingProvided: HousingNone, CreatedAt: now, UpdatedAt: now,
	}
	if afis {
		if err := grantAFIS(ctx, tx, per, f.Children, firstOfMonth(start)); err != nil {
			return nil, err
		}
	}
	if _, err := tx.NewInsert().Model(per).Exec(ctx); err != nil {
		return nil, fmt.Errorf("add period: %w", err)
	}
	p.Periods = append(p.Periods, *per)
	return per, nil
}

// grantAFIS sets the AFIS of per from month from, at the scale's amount for children.
func grantAFIS(ctx context.Context, db bun.IDB, per *Period, children int, from time.Time) error {
	amount, err := AFISAmount(ctx, db, children, from)
	if err != nil {
		return err
	}
	per.AFISGranted, per.AFISChildren, per.AFISMonthlyCents, per.AFISFrom, per.AFISStoppedFrom = true, children, amount, &from, nil
	return nil
}

// cutRights ends the rights of parcours p on day (first day without rights): periods are
// cut, later ones emptied, and AFIS stops from the following month (R121-12-13-2).
func cutRights(ctx context.Context, tx bun.Tx, p *Parcours, day, now time.Time) error {
	for i := range p.Periods {
		per := &p.Periods[i]
		if !CutPeriod(per, day) {
			continue
		}
		per.UpdatedAt = now
		if _, err := tx.NewUpdate().Model(per).Column("cut_on", "afis_stopped_from", "updated_at").WherePK().Exec(ctx); err != nil {
			return fmt.Errorf("cut period: %w", err)
		}
	}
	return nil
}

// CutPeriod ends the rights of per on day (first day without rights) when it runs
// beyond it: the period is cut, or emptied when it starts later, and AFIS stops from the
// following month (R121-12-13-2). It reports whether per changed.
func CutPeriod(per *Period, day time.Time) bool {
	day = DateOf(day)
	if !day.Before(per.End()) {
		return false
	}
	cut := day
	if cut.Before(per.StartsOn) {
		cut = per.StartsOn
	}
	per.CutOn = &cut
	stop := FirstOfNextMonth(day.AddDate(0, 0, -1))
	if per.AFISGranted && (per.AFISStoppedFrom == nil || per.AFISStoppedFrom.After(stop)) {
		per.AFISStoppedFrom = &stop
	}
	return true
}

// EndParcours ends a parcours for a reason that needs no decision on a file: 24 months
// reached, not renewed, left by the person, moved to another department. An end for
// commitments not kept goes through a KindEnd file, so that the person can submit
// observations first. Only the secretariat records it.
func EndParcours(ctx context.Context, db bun.IDB, actor *models.User, parcoursID int64, reason EndReason, on, now time.Time) error {
	if actor.Role != models.RoleSecretariat {
		return models.ErrNotFound
	}
	switch {
	case reason == EndBreach:
		return models.FieldErrors{"reason": "Une fin pour non-respect des engagements passe par une demande de fin examinée par la commission, après les observations de la personne."}.Err()
	case !reason.Valid():
		return models.FieldErrors{"reason": "Choisissez le motif de fin du parcours."}.Err()
	case on.IsZero():
		return models.FieldErrors{"ended_on": "Indiquez la date de fin des droits."}.Err()
	}
	on = DateOf(on)
	return models.InTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
		p, err := FindParcoursRow(ctx, tx, actor.CommissionIDOrZero(), parcoursID)
		if err != nil {
			return err
		}
		if p.EndedOn != nil {
			return models.Refuse("Ce parcours est déjà terminé depuis le %s.", FormatDate(*p.EndedOn))
		}
		if on.Before(p.StartedOn) {
			return models.FieldErrors{"ended_on": "La date de fin précède le début du parcours."}.Err()
		}
		if reason == EndMaxDuration && CumulativeMonths(p.Periods) < ParcoursMaxMonths {
			return models.FieldErrors{"reason": fmt.Sprintf("Ce parcours ne compte que %d mois de droits : la durée maximale n'est pas atteinte.", CumulativeMonths(p.Periods))}.Err()
		}
		if err := cutRights(ctx, tx, p, on, now); err != nil {
			return err
		}
		p.EndedOn, p.EndReason, p.UpdatedAt = &on, reason, now
		if _, err := tx.NewUpdate().Model(p).Column("ended_on", "end_reason", "updated_at").WherePK().Exec(ctx); err != nil {
			return fmt.Errorf("end parcours: %w", err)
		}
		return models.Audit(ctx, tx, now, models.AuditEntry{
			CommissionID: p.CommissionID, Actor: models.ActorFor(actor), Action: "parcours.end", Object: models.ObjectRef("parcours", p.ID),
			Details: map[string]any{"reason": string(reason), "on": on.Format(time.DateOnly)},
		})
	})
}

// PeriodRights is what the secretariat records of a period's rights.
type PeriodRights struct {
	APSRequested    bool
	APSGranted      bool
	APSFrom         time.Time // zero: unknown
	APSUntil        time.Time
	AFISGranted     bool
	AFISChildren    int
	AFISFrom        time.Time // first day of the first month paid
	AFISStoppedFrom time.Time // first day of the first month no longer paid; zero: not stopped
	HousingProvided Housing
}

// UpdatePeriodRights records the rights of a period; the AFIS amount comes from the scale
// in force in its first month. Only the secretariat records rights.
func UpdatePeriodRights(ctx context.Context, db bun.IDB, actor *models.User, periodID int64, r PeriodRights, now time.Time) error {
	if actor.Role != models.RoleSecretariat {
		return models.ErrNotFound
	}
	fe := models.FieldErrors{}
	if r.APSGranted && (r.APSFrom.IsZero() || r.APSUntil.IsZero()) {
		fe.Add("aps_from", "Indiquez les dates de début et de fin de l'autorisation provisoire de séjour.")
	}
	if !r.APSFrom.IsZero() && !r.APSUntil.IsZero() && !r.APSUntil.After(r.APSFrom) {
		fe.Add("aps_until", "La fin de l'autorisation provisoire de séjour doit suivre son début.")
	}
	if r.AFISGranted && (r.AFISFrom.IsZero() || r.AFISFrom.Day() != 1) {
		fe.Add("afis_from", "Indiquez le premier mois de versement de l'AFIS (le 1er du mois).")
	}
	if !r.AFISStoppedFrom.IsZero() && r.AFISStoppedFrom.Day() != 1 {
		fe.Add("afis_stopped_from", "L'AFIS s'arrête à partir d'un mois : indiquez le 1er du mois.")
	}
	if r.AFISGranted && !r.AFISStoppedFrom.IsZero() && !r.AFISStoppedFrom.After(r.AFISFrom) {
		fe.Add("afis_stopped_from", "L'arrêt de l'AFIS doit suivre son premier mois de versement.")
	}
	if r.AFISChildren < 0 || r.AFISChildren > 20 {
		fe.Add("afis_children", "Indiquez un nombre d'enfants à charge entre 0 et 20.")
	}
	if r.HousingProvided == "" {
		r.HousingProvided = HousingNone
	}
	if !validHousing(r.HousingProvided) {
		fe.Add("housing_provided", "Choisissez la situation de logement dans la liste.")
	}
	if err := fe.Err(); err != nil {
		return err
	}
	return models.InTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
		per := new(Period)
		err := tx.NewSelect().Model(per).Where("id = ? AND commission_id = ?", periodID, actor.CommissionIDOrZero()).Scan(ctx)
		if err != nil {
			return models.NotFound(err, "find period")
		}
		per.APSRequested, per.APSGranted = r.APSRequested || r.APSGranted, r.APSGranted
		per.APSFrom, per.APSUntil = optionalDate(r.APSFrom), optionalDate(r.APSUntil)
		per.AFISGranted, per.AFISChildren, per.AFISMonthlyCents, per.AFISFrom = false, r.AFISChildren, 0, nil
		if r.AFISGranted {
			if err := grantAFIS(ctx, tx, per, r.AFISChildren, DateOf(r.AFISFrom)); err != nil {
				return err
			}
		}
		per.AFISStoppedFrom = optionalDate(r.AFISStoppedFrom)
		per.HousingProvided, per.UpdatedAt = r.HousingProvided, now
		if _, err := tx.NewUpdate().Model(per).WherePK().Exec(ctx); err != nil {
			return fmt.Errorf("update period rights: %w", err)
		}
		return models.Audit(ctx, tx, now, models.AuditEntry{
			CommissionID: per.CommissionID, Actor: models.ActorFor(actor), Action: "parcours.rights", Object: models.ObjectRef("parcours", per.ParcoursID),
			Details: map[string]any{"period": per.Seq, "aps_granted": per.APSGranted, "afis_granted": per.AFISGranted,
				"afis_monthly_cents": per.AFISMonthlyCents, "housing": string(per.HousingProvided)},
		})
	})
}

// optionalDate returns nil for a zero time, else the date.
func optionalDate(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	d := DateOf(t)
	return &d
}

// ParcoursSummary is a parcours as listed: pseudonymous, with its computed figures.
type ParcoursSummary struct {
	Parcours
	Reference        string // of the entry file
	Status           ParcoursStatus
	CumulativeMonths int
	RenewalDueOn     time.Time
	// PendingFile is the reference of a renewal, end or suspension request under way, if any.
	PendingFile      string
	PendingFileState State
}

// summarizeParcours computes the figures of the parcours ps on day now.
func summarizeParcours(ctx context.Context, db bun.IDB, ps []Parcours, now time.Time) ([]ParcoursSummary, error) {
	if len(ps) == 0 {
		return nil, nil
	}
	ids := make([]int64, len(ps))
	for i := range ps {
		ids[i] = ps[i].ID
	}
	files, err := parcoursFiles(ctx, db, ids)
	if err != nil {
		return nil, err
	}
	out := make([]ParcoursSummary, len(ps))
	for i := range ps {
		out[i] = summaryOf(&ps[i], files, now)
	}
	return out, nil
}

// parcoursFiles returns the files of the parcours ids, as summaryOf needs them.
func parcoursFiles(ctx context.Context, db bun.IDB, ids []int64) ([]File, error) {
	var files []File
	err := db.NewSelect().Model(&files).Column("id", "reference", "parcours_id", "kind", "state").
		Where("parcours_id IN (?)", bun.In(ids)).Order("id ASC").Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("summarize parcours: %w", err)
	}
	return files, nil
}

// summaryOf computes the figures of parcours p on day now; files holds its files (others
// are skipped).
func summaryOf(p *Parcours, files []File, now time.Time) ParcoursSummary {
	s := ParcoursSummary{Parcours: *p, Status: p.Status(now), CumulativeMonths: CumulativeMonths(p.Periods), RenewalDueOn: p.RenewalDueOn()}
	for _, f := range files {
		if *f.ParcoursID != p.ID {
			continue
		}
		if f.Kind == KindEngagement {
			s.Reference = f.Reference
		} else if f.State != StateDraft && f.State != StateDecided {
			s.PendingFile, s.PendingFileState = f.Reference, f.State
		}
	}
	return s
}

// ListParcours returns the parcours the viewer may follow: all of the commission for the
// secretariat and the president, those it follows for an association; nothing otherwise.
func ListParcours(ctx context.Context, db bun.IDB, viewer *models.User, now time.Time) ([]ParcoursSummary, error) {
	var ps []Parcours
	q := db.NewSelect().Model(&ps).Where("parcours.commission_id = ?", viewer.CommissionIDOrZero()).
		Relation("Periods", func(q *bun.SelectQuery) *bun.SelectQuery { return q.Order("seq ASC") }).
		Order("parcours.started_on ASC", "parcours.id ASC")
	switch {
	case !viewer.Active:
		return nil, nil
	case viewer.Role == models.RoleSecretariat, viewer.Role == models.RolePresident:
	case viewer.Role == models.RoleAssociation && viewer.AssociationID != nil:
		q = q.Where("parcours.association_id = ?", *viewer.AssociationID)
	default:
		return nil, nil
	}
	if err := q.Scan(ctx); err != nil {
		return nil, fmt.Errorf("list parcours: %w", err)
	}
	return summarizeParcours(ctx, db, ps, now)
}

// mayFollow reports whether viewer may follow parcours p (see ListParcours).
func mayFollow(viewer *models.User, p *Parcours) bool {
	switch {
	case !viewer.Active || viewer.CommissionIDOrZero() != p.CommissionID:
		return false
	case viewer.Role == models.RoleSecretariat, viewer.Role == models.RolePresident:
		return true
	}
	return viewer.Role == models.RoleAssociation && viewer.AssociationID != nil && *viewer.AssociationID == p.AssociationID
}

// FindParcours returns one parcours the viewer may follow (see ListParcours).
func FindParcours(ctx context.Context, db bun.IDB, viewer *models.User, id int64, now time.Time) (*ParcoursSummary, error) {
	p, err := FindParcoursRow(ctx, db, viewer.CommissionIDOrZero(), id)
	if err != nil {
		return nil, err
	}
	if !mayFollow(viewer, p) {
		return nil, models.ErrNotFound
	}
	ss, err := summarizeParcours(ctx, db, []Parcours{*p}, now)
	if err != nil {
		return nil, err
	}
	return &ss[0], nil
}

// RenewalsDue returns the parcours of commission cid still running whose rights end
// before until, soonest first, with any request under way: the agenda builder lists
// them so that renewals are examined before the period ends (REGLES.md requirement 8).
func RenewalsDue(ctx context.Context, db bun.IDB, cid int64, until, now time.Time) ([]ParcoursSummary, error) {
	var ps []Parcours
	err := db.NewSelect().Model(&ps).Where("parcours.commission_id = ? AND parcours.ended_on IS NULL AND parcours.suspended_on IS NULL", cid).
		Relation("Periods", func(q *bun.SelectQuery) *bun.SelectQuery { return q.Order("seq ASC") }).Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("renewals due: %w", err)
	}
	ss, err := summarizeParcours(ctx, db, ps, now)
	if err != nil {
		return nil, err
	}
	ss = slices.DeleteFunc(ss, func(s ParcoursSummary) bool {
		return !s.RenewalDueOn.Before(DateOf(until)) || s.CumulativeMonths >= ParcoursMaxMonths
	})
	slices.SortFunc(ss, func(a, b ParcoursSummary) int { return a.RenewalDueOn.Compare(b.RenewalDueOn) })
	return ss, nil
}
