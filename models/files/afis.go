package files

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"seance/models"
)

// AFISScale is one version of the AFIS amounts (D121-12-14), applicable from EffectiveFrom
// until the next version: a single person's monthly amount plus a supplement per
// dependent child. The migration seeds the known versions; AddAFISScale adds new ones.
type AFISScale struct {
	bun.BaseModel `bun:"table:afis_scales"`

	ID            int64     `bun:",pk,autoincrement"`
	EffectiveFrom time.Time `bun:",notnull,unique"`
	SingleCents   int64     `bun:",notnull"`
	PerChildCents int64     `bun:",notnull"`
	Source        string    `bun:",notnull"` // the text that sets the amounts
	CreatedAt     time.Time `bun:",notnull"`
}

// Amount returns the monthly amount in cents for a person with children dependent children.
func (s *AFISScale) Amount(children int) int64 {
	return s.SingleCents + int64(children)*s.PerChildCents
}

// AFISAmount returns the monthly AFIS amount in cents for a person with children
// dependent children, under the scale in force on day on.
func AFISAmount(ctx context.Context, db bun.IDB, children int, on time.Time) (int64, error) {
	if children < 0 {
		return 0, models.Refuse("Le nombre d'enfants à charge ne peut pas être négatif.")
	}
	scales, err := ListAFISScales(ctx, db)
	if err != nil {
		return 0, err
	}
	day := DateOf(on)
	for i := len(scales) - 1; i >= 0; i-- {
		if !scales[i].EffectiveFrom.After(day) {
			return scales[i].Amount(children), nil
		}
	}
	return 0, models.Refuse("Aucun barème de l'AFIS n'est en vigueur le %s.", FormatDate(day))
}

// ListAFISScales returns every version of the scale, oldest first.
func ListAFISScales(ctx context.Context, db bun.IDB) ([]AFISScale, error) {
	var ss []AFISScale
	if err := db.NewSelect().Model(&ss).Order("effective_from ASC").Scan(ctx); err != nil {
		return nil, fmt.Errorf("list afis scales: %w", err)
	}
	return ss, nil
}

// AddAFISScale records a new version of the scale (a revaluation) and audits it.
func AddAFISScale(ctx context.Context, db bun.IDB, actor models.Actor, s *AFISScale, now time.Time) error {
	fe := models.FieldErrors{}
	if s.EffectiveFrom.IsZero() {
		fe.Add("effective_from", "Indiquez la date d'entrée en vigueur du barème.")
	}
	if s.SingleCents <= 0 || s.PerChildCents < 0 {
		fe.Add("single", "Indiquez des montants positifs.")
	}
	if s.Source == "" {
		fe.Add("source", "Indiquez le texte qui fixe ces montants.")
	}
	if err := fe.Err(); err != nil {
		return err
	}
	s.EffectiveFrom = DateOf(s.EffectiveFrom)
	return models.InTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
		n, err := tx.NewSelect().Model((*AFISScale)(nil)).Where("effective_from = ?", s.EffectiveFrom).Count(ctx)
		if err != nil {
			return fmt.Errorf("add afis scale: %w", err)
		}
		if n > 0 {
			return models.FieldErrors{"effective_from": "Un barème entre déjà en vigueur à cette date."}.Err()
		}
		s.CreatedAt = now
		if _, err := tx.NewInsert().Model(s).Exec(ctx); err != nil {
			return fmt.Errorf("add afis scale: %w", err)
		}
		return models.Audit(ctx, tx, now, models.AuditEntry{
			Actor: actor, Action: "afis.scale_add", Object: models.ObjectRef("afis_scale", s.ID),
			Details: map[string]any{"from": s.EffectiveFrom.Format(time.DateOnly), "single_cents": s.SingleCents, "per_child_cents": s.PerChildCents},
		})
	})
}

// FormatEuros formats cents as a French amount, e.g. "343,20 €".
func FormatEuros(cents int64) string {
	sign := ""
	if cents < 0 {
		sign, cents = "-", -cents
	}
	return fmt.Sprintf("%s%d,%02d €", sign, cents/100, cents%100)
}

// DateOf returns the day on which t falls in France at midnight UTC, how dates are
// stored (models.CalendarDay): 22:30 UTC on 30 June is 1 July. A stored date (midnight
// UTC) stays itself.
func DateOf(t time.Time) time.Time { return models.CalendarDay(t) }

// FormatDate formats the day of t in France the French way, e.g. "03/11/2026".
func FormatDate(t time.Time) string { return models.CalendarDay(t).Format("02/01/2006") }

// AddMonths adds n months to day t; a day missing in the target month becomes that
// month's last day (31 August + 6 months = 28 or 29 February).
func AddMonths(t time.Time, n int) time.Time {
	t = DateOf(t)
	first := time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC).AddDate(0, n, 0)
	last := first.AddDate(0, 1, -1).Day()
	return time.Date(first.Year(), first.Month(), min(t.Day(), last), 0, 0, 0, 0, time.UTC)
}

// MonthsSpanned returns the number of months from start to end, a started month counting
// as a whole one (rights cut after 2 months and 3 days count 3 months).
func MonthsSpanned(start, end time.Time) int {
	n := 0
	for AddMonths(start, n).Before(DateOf(end)) {
		n++
	}
	return n
}

// FirstOfNextMonth returns the first day of the month after t's: AFIS stops "from the
// following month" (R121-12-13-2).
func FirstOfNextMonth(t time.Time) time.Time {
	t = DateOf(t)
	return time.Date(t.Year(), t.Month()+1, 1, 0, 0, 0, 0, time.UTC)
}

// firstOfMonth returns the first day of t's month.
func firstOfMonth(t time.Time) time.Time {
	t = DateOf(t)
	return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
}
