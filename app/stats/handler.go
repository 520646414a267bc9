// Package stats serves the commission's annual statistics: the dashboard /statistiques,
// the list of annual reports and the annual workbook (issue 12, REGLES.md requirement 14).
package stats

import (
	"bytes"
	"context"
	"fmt"
	"html/template"
	"slices"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/uptrace/bun"

	"seance/app/web"
	"seance/models"
	"seance/models/files"
	statsmodel "seance/models/stats"
)

// Handler serves the statistics of the signed-in user's commission.
type Handler struct {
	DB  *bun.DB
	Now func() time.Time
	// Cache keeps the reports computed since the last write.
	Cache *statsmodel.Cache
	// rendered keeps the sections of each cached report rendered (NewHandler): their
	// charts and tables are most of the page, and they change only with the report.
	rendered *models.Memo[*statsmodel.StatsReport, *renderedSections]
}

type renderedSections struct {
	sections []Section
	html     template.HTML
}

// NewHandler returns the statistics handler; the reports are computed again after each
// write w counts, and at least every maxAge.
func NewHandler(db *bun.DB, now func() time.Time, w *models.Writes, maxAge time.Duration) *Handler {
	return &Handler{DB: db, Now: now, Cache: statsmodel.NewCache(w, maxAge),
		rendered: &models.Memo[*statsmodel.StatsReport, *renderedSections]{Writes: w, MaxAge: maxAge, Max: 16}}
}

// sectionsOf returns the sections of r and, when the handler keeps them, their HTML
// (the template stats/sections), rendered once per report.
func (h *Handler) sectionsOf(c *fiber.Ctx, r *statsmodel.StatsReport) (*renderedSections, error) {
	render := func() (*renderedSections, error) {
		rs := &renderedSections{sections: sections(r)}
		var err error
		rs.html, err = web.RenderFragment(c, "stats/sections", rs.sections)
		return rs, err
	}
	if h.rendered == nil {
		return &renderedSections{sections: sections(r)}, nil
	}
	return h.rendered.Get(r, h.Now(), render)
}

// Section is one theme of the dashboard: its tables with their chart and definition.
type Section struct {
	ID     string
	Title  string
	Tables []TableView
}

// TableView is one table as the page shows it.
type TableView struct {
	Table *statsmodel.Table
	Chart *SVGChart
	Def   statsmodel.StatDef
	Rows  []RowView
}

// RowView is one row with its cells already formatted.
type RowView struct {
	Label string
	Total bool
	Cells []CellView
}

// CellView is a formatted cell.
type CellView struct {
	Text   string
	Masked bool
}

// KeyFigure is one figure of the top of the dashboard.
type KeyFigure struct {
	Label string
	Text  string
}

// year returns the year asked (query or path), among the commission's years.
func (h *Handler) year(c *fiber.Ctx, raw string, years []int) (int, error) {
	if raw == "" {
		return years[0], nil
	}
	y, err := strconv.Atoi(raw)
	if err != nil || !slices.Contains(years, y) {
		return 0, fiber.NewError(fiber.StatusNotFound, "Aucune statistique pour cette année : choisissez une année de la liste.")
	}
	return y, nil
}

// exact reports whether the user sees exact counts: the secretariat, unless it previews
// the published view.
func exact(c *fiber.Ctx) bool {
	return web.User(c).Role == models.RoleSecretariat && c.Query("vue") != "publiee"
}

// report returns the report of year for the user's commission, from the cache when
// nothing was written since it was computed.
func (h *Handler) report(c *fiber.Ctx, year int, exactView bool) (*statsmodel.StatsReport, error) {
	return h.Cache.Report(c.UserContext(), h.DB, web.User(c).CommissionIDOrZero(), year, h.Now().UTC(), exactView)
}

// Index shows the dashboard of a year: key figures, then each theme's charts, tables and
// definitions.
func (h *Handler) Index(c *fiber.Ctx) error {
	u := web.User(c)
	years, err := h.Cache.Years(c.UserContext(), h.DB, u.CommissionIDOrZero(), h.Now())
	if err != nil {
		return err
	}
	year, err := h.year(c, c.Query("annee"), years)
	if err != nil {
		return err
	}
	ex := exact(c)
	r, err := h.report(c, year, ex)
	if err != nil {
		return err
	}
	rs, err := h.sectionsOf(c, r)
	if err != nil {
		return err
	}
	return web.Render(c, "stats/index", fiber.Map{
		"Title": fmt.Sprintf("Statistiques %d", year), "Heading": fmt.Sprintf("Statistiques %d", year), "Action": "/statistiques",
		"ReportsPath": "/statistiques/rapports", "Year": year, "Years": years, "Report": r, "Stats": r.Stats,
		"Exact": ex, "CanPreview": u.Role == models.RoleSecretariat, "Keys": keyFigures(r), "Sections": rs.sections, "SectionsHTML": rs.html,
		"Threshold": r.Stats.MinCellSize, "Largest": r.Stats.MinCellSize - 1, "Secrecy": statsmodel.StatDefinition("secrecy"),
		"XLSX": xlsxPath(year),
	})
}

func xlsxPath(year int) string { return fmt.Sprintf("/statistiques/rapports/%d.xlsx", year) }

func sections(r *statsmodel.StatsReport) []Section {
	min := r.Stats.MinCellSize
	var out []Section
	for _, th := range r.Themes {
		s := Section{ID: th.ID, Title: th.Title}
		for _, t := range th.Tables {
			tv := TableView{Table: t, Chart: buildChart(t, min), Def: statsmodel.StatDefinition(t.Def)}
			for _, row := range t.Rows {
				rv := RowView{Label: row.Label, Total: row.Total}
				for _, cell := range row.Cells {
					rv.Cells = append(rv.Cells, CellView{Text: cell.Text(min), Masked: cell.Hidden()})
				}
				tv.Rows = append(tv.Rows, rv)
			}
			s.Tables = append(s.Tables, tv)
		}
		out = append(out, s)
	}
	return out
}

// keyFigures picks the headline figures from the report's tables, masked like them.
func keyFigures(r *statsmodel.StatsReport) []KeyFigure {
	min := r.Stats.MinCellSize
	cell := func(table string, row, col int) string {
		t := r.Table(table)
		if row < 0 {
			row = len(t.Rows) + row
		}
		return t.Rows[row].Cells[col].Text(min)
	}
	return []KeyFigure{
		{"Séances tenues", statsmodel.FormatInt(int64(r.Stats.SessionsHeld()))},
		{"Dossiers reçus", cell("files", -1, 0)},
		{"Avis rendus", cell("files", -1, 4)},
		{"Taux de refus des premières demandes", cell("decisions", 0, 3)},
		{"Parcours commencés", cell("parcours", 0, 0)},
		{"Parcours en cours au " + files.FormatDate(r.Stats.RefDate), cell("parcours", 3, 0)},
		{"Bénéficiaires de l'AFIS", cell("afis", 0, 0)},
	}
}

// ReportYear is one line of the list of annual reports.
type ReportYear struct {
	Year        int
	Provisional bool
	Path        string
	FileName    string
	// Final is the final workbook generated on 1 February of the next year, if any.
	Final     *statsmodel.AnnualReport
	FinalPath string
	// FinalDue: no final workbook yet, one is due on the next 1 February (the
	// current year, or the past one in January).
	FinalDue bool
}

// FinalYear is the year whose 1 February brings the final workbook of l.Year.
func (l ReportYear) FinalYear() int { return l.Year + 1 }

// Reports lists the years with their annual workbook; the current year is provisional.
func (h *Handler) Reports(c *fiber.Ctx) error {
	u := web.User(c)
	years, err := h.Cache.Years(c.UserContext(), h.DB, u.CommissionIDOrZero(), h.Now())
	if err != nil {
		return err
	}
	cm, err := models.FindCommission(c.UserContext(), h.DB, u.CommissionIDOrZero())
	if err != nil {
		return err
	}
	finals, err := statsmodel.ListAnnualReports(c.UserContext(), h.DB, cm.ID)
	if err != nil {
		return err
	}
	now := h.Now().UTC()
	var lines []ReportYear
	for _, y := range years {
		l := ReportYear{Year: y, Provisional: y >= now.Year(), Path: xlsxPath(y), FileName: FileName(cm, y), FinalPath: finalPath(y)}
		for i := range finals {
			if finals[i].Year == y {
				l.Final = &finals[i]
			}
		}
		l.FinalDue = l.Final == nil && (y >= now.Year() || (y == now.Year()-1 && now.Month() < time.February))
		lines = append(lines, l)
	}
	return web.Render(c, "stats/reports", fiber.Map{"Title": "Rapports annuels", "Years": lines})
}

func finalPath(year int) string {
	return fmt.Sprintf("/statistiques/rapports/definitifs/%d.xlsx", year)
}

// FileName is the name of the annual workbook: rapport-annuel-<department>-<year>.xlsx.
func FileName(cm *models.Commission, year int) string {
	return fmt.Sprintf("rapport-annuel-%s-%d.xlsx", cm.Department, year)
}

// Workbook downloads the annual workbook of a year, always with the statistical secrecy
// applied (it is made to be passed on), and records the download in the audit chain.
func (h *Handler) Workbook(c *fiber.Ctx) error {
	u := web.User(c)
	ctx := c.UserContext()
	years, err := h.Cache.Years(ctx, h.DB, u.CommissionIDOrZero(), h.Now())
	if err != nil {
		return err
	}
	year, err := h.year(c, c.Params("year"), years)
	if err != nil {
		return err
	}
	cm, err := models.FindCommission(ctx, h.DB, u.CommissionIDOrZero())
	if err != nil {
		return err
	}
	r, err := h.report(c, year, false)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := WriteWorkbook(&buf, CommissionSubject(cm), r); err != nil {
		return err
	}
	err = models.InTx(ctx, h.DB, func(ctx context.Context, tx bun.Tx) error {
		return models.Audit(ctx, tx, h.Now(), models.AuditEntry{
			CommissionID: cm.ID, Actor: models.ActorFor(u), Action: "stats.download",
			Object: models.ObjectRef("commission", cm.ID), Details: map[string]any{"year": year, "complete": r.Stats.Complete, "format": "xlsx"},
		})
	})
	if err != nil {
		return err
	}
	c.Attachment(FileName(cm, year))
	return c.Send(buf.Bytes())
}

// AnnualWorkbook generates the annual workbook of commission cid for year, with the
// statistical secrecy applied, as the job of 1 February stores it (jobs.Deps).
func AnnualWorkbook(ctx context.Context, db bun.IDB, cid int64, year int, now time.Time) (string, []byte, error) {
	cm, err := models.FindCommission(ctx, db, cid)
	if err != nil {
		return "", nil, err
	}
	s, err := statsmodel.ComputeAnnualStats(ctx, db, cid, year, now.UTC())
	if err != nil {
		return "", nil, err
	}
	var buf bytes.Buffer
	if err := WriteWorkbook(&buf, CommissionSubject(cm), statsmodel.BuildStatsReport(s, false)); err != nil {
		return "", nil, err
	}
	return FileName(cm, year), buf.Bytes(), nil
}

// FinalWorkbook downloads the final workbook of a year of the user's commission, as
// stored on 1 February, and records the download in the audit chain.
func (h *Handler) FinalWorkbook(c *fiber.Ctx) error {
	u := web.User(c)
	year, err := strconv.Atoi(c.Params("year"))
	if err != nil {
		return fiber.NewError(fiber.StatusNotFound, "Aucun rapport définitif pour cette année.")
	}
	r, err := statsmodel.FindAnnualReport(c.UserContext(), h.DB, u.CommissionIDOrZero(), year)
	if err != nil {
		return err
	}
	err = models.InTx(c.UserContext(), h.DB, func(ctx context.Context, tx bun.Tx) error {
		return models.Audit(ctx, tx, h.Now(), models.AuditEntry{
			CommissionID: r.CommissionID, Actor: models.ActorFor(u), Action: "stats.download",
			Object: models.ObjectRef("commission", r.CommissionID), Details: map[string]any{"year": year, "final": true, "sha256": r.SHA256, "format": "xlsx"},
		})
	})
	if err != nil {
		return err
	}
	c.Attachment(r.FileName)
	return c.Send(r.Content)
}
