package registry

import (
	"context"
	"fmt"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/uptrace/bun"

	"seance/models"
)

// WarningKind classifies what the composition page warns about.
type WarningKind string

// The composition warnings.
const (
	WarnTermEnding       WarningKind = "term_ending"       // a term ends within TermAlertWindow
	WarnVacantTitulaire  WarningKind = "vacant_titulaire"  // a seat has no titulaire
	WarnVacantSuppleant  WarningKind = "vacant_suppleant"  // a seat has fewer suppléants than places
	WarnMissingCategory  WarningKind = "missing_category"  // a category of R121-12-7 has no seat
	WarnAgrementInactive WarningKind = "agrement_inactive" // an association seat whose agrément is not current
)

// CompositionWarning is one warning, with a French message ready to show.
type CompositionWarning struct {
	Kind      WarningKind
	SeatID    int64 // 0 for a missing category
	MandateID int64 // for a term ending
	Category  SeatCategory
	Message   string
}

// SeatView is a seat on the composition page.
type SeatView struct {
	SeatHolders
	VacantSuppleants int
	TermEndsOn       *time.Time // the titulaire's
	EndingSoon       bool       // some holder's term ends within TermAlertWindow
	Warnings         []CompositionWarning
}

// CategoryGroup is one category of R121-12-7 with its seats.
type CategoryGroup struct {
	Category SeatCategory
	Seats    []SeatView
}

// Composition is the composition page's view model on a day: seats grouped by
// category with their holders, and every warning.
type Composition struct {
	Commission  *models.Commission
	Settings    *models.CommissionSettings
	On          time.Time
	Groups      []CategoryGroup // the 11 categories in order, empty ones included
	Warnings    []CompositionWarning
	Seats       int
	VotingSeats int
	Vacant      int // seats without a titulaire
}

// LoadComposition returns the composition of commission cid on the day of now, with
// warnings for terms ending within TermAlertWindow, vacant seats and suppléant places,
// categories without a seat and association seats whose agrément is not current.
func LoadComposition(ctx context.Context, db bun.IDB, cid int64, now time.Time) (*Composition, error) {
	c, err := models.FindCommission(ctx, db, cid)
	if err != nil {
		return nil, err
	}
	settings, err := models.FindSettings(ctx, db, cid)
	if err != nil {
		return nil, err
	}
	day := models.CalendarDay(now)
	all, err := CommissionHolders(ctx, db, cid, day)
	if err != nil {
		return nil, err
	}
	alertEnd := day.Add(TermAlertWindow)
	comp := &Composition{Commission: c, Settings: settings, On: day}
	byCategory := map[SeatCategory][]SeatView{}
	for _, h := range all {
		v := SeatView{SeatHolders: h}
		v.VacantSuppleants = max(h.Seat.SuppleantPlaces-len(h.Suppleants), 0)
		if h.Titulaire == nil {
			v.warn(WarnVacantTitulaire, 0, "Siège vacant : aucun titulaire.")
		} else {
			v.TermEndsOn = &h.Titulaire.TermEndsOn
		}
		if v.VacantSuppleants == 1 {
			v.warn(WarnVacantSuppleant, 0, "Une place de suppléant est vacante.")
		} else if v.VacantSuppleants > 1 {
			v.warn(WarnVacantSuppleant, 0, fmt.Sprintf("%d places de suppléant sont vacantes.", v.VacantSuppleants))
		}
		for _, m := range h.All() {
			if m.EndedOn == nil && !m.TermEndsOn.After(alertEnd) {
				v.EndingSoon = true
				v.warn(WarnTermEnding, m.ID, fmt.Sprintf("Le mandat de %s (%s) prend fin le %s, dans %d jours.",
					m.User.Name, lowerFirst(m.Kind.Label()), models.FrDate(m.TermEndsOn), m.DaysLeft(now)))
			}
		}
		if a := h.Seat.Association; a != nil && !a.MaySubmitFiles(c.Department, now) {
			v.warn(WarnAgrementInactive, 0, agrementMessage(a, c.Department, now))
		}
		comp.Seats++
		if h.Seat.VotingRight {
			comp.VotingSeats++
		}
		if h.Titulaire == nil {
			comp.Vacant++
		}
		comp.Warnings = append(comp.Warnings, v.Warnings...)
		byCategory[h.Seat.Category] = append(byCategory[h.Seat.Category], v)
	}
	for _, cat := range SeatCategories {
		comp.Groups = append(comp.Groups, CategoryGroup{Category: cat, Seats: byCategory[cat]})
		if len(byCategory[cat]) == 0 {
			comp.Warnings = append(comp.Warnings, CompositionWarning{
				Kind: WarnMissingCategory, Category: cat,
				Message: "Aucun siège pour la catégorie « " + cat.Label() + " » (R121-12-7).",
			})
		}
	}
	return comp, nil
}

func (v *SeatView) warn(kind WarningKind, mandateID int64, msg string) {
	v.Warnings = append(v.Warnings, CompositionWarning{
		Kind: kind, SeatID: v.Seat.ID, MandateID: mandateID, Category: v.Seat.Category,
		Message: v.Seat.Label() + " : " + lowerFirst(msg),
	})
}

func lowerFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 {
		return s
	}
	return string(unicode.ToLower(r)) + s[n:]
}

// CompositionRow is one person of the composition, as the Excel export lists them and
// the import reads them back.
type CompositionRow struct {
	Category     SeatCategory
	Organisation string
	Quality      string
	Kind         MandateKind
	Name         string
	Email        string
	StartsOn     time.Time
	TermEndsOn   time.Time
	ArreteRef    string
	VotingRight  bool
}

// CompositionRows returns one row per person holding a mandate on the day of now, in
// composition order (category, seat, titulaire then suppléants).
func CompositionRows(ctx context.Context, db bun.IDB, cid int64, now time.Time) ([]CompositionRow, error) {
	all, err := CommissionHolders(ctx, db, cid, models.CalendarDay(now))
	if err != nil {
		return nil, err
	}
	var rows []CompositionRow
	for _, h := range all {
		for _, m := range h.All() {
			rows = append(rows, CompositionRow{
				Category: h.Seat.Category, Organisation: h.Seat.Organisation, Quality: h.Seat.Quality,
				Kind: m.Kind, Name: m.User.Name, Email: m.User.Email, StartsOn: m.StartsOn, TermEndsOn: m.TermEndsOn,
				ArreteRef: m.ArreteRef, VotingRight: h.Seat.VotingRight,
			})
		}
	}
	return rows, nil
}
