package stats

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"seance/models"
	"seance/models/files"
)

// The regional and national roll-up of the annual statistics (issue 13): the region role
// and the administrator read the commissions of a region (or of the whole instance)
// side by side, with their totals. It is always published with the statistical secrecy,
// applied across the departments too: a department's small count cannot be recovered
// from the region's total and the other departments.

// DepartmentStats is one commission's statistics within a roll-up.
type DepartmentStats struct {
	Commission models.Commission
	Stats      *AnnualStats
}

// RollUp is the statistics of several commissions: the total, counted by the database
// over all of them, and each commission's own.
type RollUp struct {
	Region      string // INSEE region code; "" for every commission of the instance
	Total       *AnnualStats
	Departments []DepartmentStats
}

// ComputeRollUp computes the statistics of year for the commissions cs (at least one),
// together and one by one, from one pass of the queries grouped by commission: each
// department's figures are those ComputeAnnualStats gives it, and the total is counted
// over all of them.
func ComputeRollUp(ctx context.Context, db bun.IDB, region string, cs []models.Commission, year int, now time.Time) (*RollUp, error) {
	if len(cs) == 0 {
		return nil, models.ErrNotFound
	}
	ids := make([]int64, len(cs))
	for i, c := range cs {
		ids[i] = c.ID
	}
	total, by, err := computeStats(ctx, db, ids, true, year, now)
	if err != nil {
		return nil, err
	}
	ru := &RollUp{Region: region, Total: total}
	for _, c := range cs {
		ru.Departments = append(ru.Departments, DepartmentStats{Commission: c, Stats: by[c.ID]})
	}
	return ru, nil
}

// BuildRollUpReport lays out a roll-up: a theme comparing the departments side by side
// (their total row is the region's), then the region's own themes, as in a commission's
// report. The secrecy is applied to all the tables together with the highest threshold
// of the commissions, so that the equations linking a department's row, the region's
// total and the region's tables are all taken into account.
func BuildRollUpReport(ru *RollUp) *StatsReport {
	s := ru.Total
	r := &StatsReport{Stats: s}
	r.Themes = append([]Theme{{ID: "departements", Title: "Comparaison des départements",
		Tables: []*Table{departmentsTable(ru), departmentSessionsTable(ru)}}}, themes(s)...)
	ApplySecrecy(r.Tables(), s.MinCellSize)
	return r
}

// decisionTotals returns the préfet's authorisations and refusals of the year.
func decisionTotals(s *AnnualStats) (auth, refus int) {
	for _, m := range s.Decisions {
		auth += m[files.DecisionAuthorised]
		refus += m[files.DecisionRefused]
	}
	return auth, refus
}

func examinedTotal(s *AnnualStats) (all, unfav int) {
	for _, k := range files.FileKinds {
		all += s.Examined(k)
		unfav += s.Avis[k][files.AvisDefavorable]
	}
	return all, unfav
}

func receivedTotal(s *AnnualStats) int {
	n := 0
	for _, k := range files.FileKinds {
		n += s.Received[k]
	}
	return n
}

// departmentsTable compares the departments' main figures; its total row carries the
// keys of the same totals in the region's tables.
func departmentsTable(ru *RollUp) *Table {
	t := &Table{ID: "departements", Title: "Indicateurs principaux par département", Def: "departments", Sensitive: true, TotalRow: true,
		Columns: []string{"Dossiers reçus", "Avis rendus", "dont avis défavorables", "Autorisations", "Refus", "Décisions",
			"Taux de refus", "Parcours commencés", "Parcours en cours au " + files.FormatDate(ru.Total.RefDate), "Bénéficiaires de l'AFIS"},
		RowSums: []RowSum{{Total: 5, Parts: []int{3, 4}}},
		Chart:   &Chart{Kind: "bar", Series: []int{0, 8}, Caption: "Dossiers reçus et parcours en cours par département"}}
	row := func(label string, s *AnnualStats, key func(string) string, total bool) Row {
		exam, unfav := examinedTotal(s)
		auth, refus := decisionTotals(s)
		return Row{Label: label, Total: total, Cells: []Cell{
			count(key("received"), receivedTotal(s)), count(key("examined"), exam), count(key("unfav"), unfav),
			count(key("authorised"), auth), count(key("refused"), refus), count(key("decisions"), auth+refus),
			rate(key("refused"), key("decisions"), refus, auth+refus),
			count(key("started"), s.Started), count(key("inprogress"), s.InProgress()), count(key("afis"), s.AFISBeneficiaries),
		}}
	}
	for _, d := range ru.Departments {
		code := d.Commission.Department
		t.Rows = append(t.Rows, row(models.DepartmentName(code)+" ("+code+")", d.Stats, func(k string) string { return "dep." + code + "." + k }, false))
	}
	// The same quantities as in the region's tables: masked together with them.
	regionKeys := map[string]string{
		"received": "files.total.0", "examined": "files.total.4", "unfav": "files.total.3",
		"authorised": "decisions.total.authorised", "refused": "decisions.total.refused", "decisions": "decisions.total",
		"started": "parcours.started", "inprogress": "parcours.inprogress", "afis": "afis.persons",
	}
	t.Rows = append(t.Rows, row(rollUpLabel(ru), ru.Total, func(k string) string { return regionKeys[k] }, true))
	return t
}

// departmentSessionsTable compares how the commissions work (sessions are not persons:
// no secrecy).
func departmentSessionsTable(ru *RollUp) *Table {
	t := &Table{ID: "departements-seances", Title: "Séances et présence par département", Def: "sessions",
		Columns: []string{"Séances tenues", "Secondes convocations", "Convocations en urgence", "Taux de présence"}}
	row := func(label string, s *AnnualStats, total bool) Row {
		a := s.AttendanceTotal()
		return Row{Label: label, Total: total, Cells: []Cell{count("", s.SessionsHeld()), count("", s.SecondConvocations),
			count("", s.UrgentConvocations), rate("", "", a.Present+a.Represented, a.Seats)}}
	}
	for _, d := range ru.Departments {
		t.Rows = append(t.Rows, row(d.Commission.DepartmentName()+" ("+d.Commission.Department+")", d.Stats, false))
	}
	t.Rows = append(t.Rows, row(rollUpLabel(ru), ru.Total, true))
	t.TotalRow = true
	return t
}

// rollUpLabel names the total row: the region, or every commission.
func rollUpLabel(ru *RollUp) string {
	if ru.Region == "" {
		return "Ensemble des commissions"
	}
	return "Région " + models.RegionName(ru.Region)
}

// RollUpTitle names what a roll-up covers, for titles and file names.
func RollUpTitle(region string) string {
	if region == "" {
		return "Ensemble des commissions"
	}
	return fmt.Sprintf("Région %s (%s)", models.RegionName(region), region)
}
