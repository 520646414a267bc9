package jobs

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/uptrace/bun"

	"seance/models"
	"seance/models/stats"
)

// WorkbookFunc generates the annual workbook of commission cid for year: its file name
// and content. main passes app/stats.AnnualWorkbook, so that jobs does not import the
// web features.
type WorkbookFunc func(ctx context.Context, db bun.IDB, cid int64, year int, now time.Time) (string, []byte, error)

// AnnualReport generates on 1 February, for each commission, the final workbook of the
// previous year, stores it and writes its hash in the audit chain; the « Rapports
// annuels » page lists it as final. A commission-year is generated once: a second run,
// or a run later in February after a stop on the 1st, stores nothing twice. Before
// 1 February nothing is due; a commission with no activity that year gets nothing.
type AnnualReport struct {
	DB       *bun.DB
	Now      func() time.Time
	Location *time.Location
	Workbook WorkbookFunc
}

// Name names the job.
func (j *AnnualReport) Name() string { return "annual_report" }

// Run stores the reports due; the items are the reports stored.
func (j *AnnualReport) Run(ctx context.Context) error {
	if j.Workbook == nil {
		return errors.New("no workbook generator configured")
	}
	now := j.Now()
	local := now.In(j.Location)
	if local.Month() < time.February { // the previous year's report is due from 1 February
		return nil
	}
	year := local.Year() - 1
	cs, err := models.ListCommissions(ctx, j.DB, "")
	if err != nil {
		return err
	}
	var errs []error
	for _, c := range cs {
		ok, err := j.commission(ctx, c.ID, year, now)
		if ok {
			Handled(ctx, 1)
		}
		if err != nil { // one commission's failure does not hold the others up
			errs = append(errs, fmt.Errorf("commission %s, %d: %w", c.Department, year, err))
		}
	}
	return errors.Join(errs...)
}

func (j *AnnualReport) commission(ctx context.Context, cid int64, year int, now time.Time) (bool, error) {
	done, err := stats.HasAnnualReport(ctx, j.DB, cid, year)
	if err != nil || done {
		return false, err
	}
	years, err := stats.StatsYears(ctx, j.DB, cid, now)
	if err != nil || !slices.Contains(years, year) {
		return false, err
	}
	name, content, err := j.Workbook(ctx, j.DB, cid, year, now)
	if err != nil {
		return false, err
	}
	return stats.StoreAnnualReport(ctx, j.DB, cid, year, name, content, now)
}
