package stats

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"net/url"

	"github.com/gofiber/fiber/v2"
	"github.com/uptrace/bun"

	"seance/app/web"
	"seance/models"
	statsmodel "seance/models/stats"
)

// The regional and national roll-up (issue 13): the region role reads the commissions of
// its region, the administrator those of any region or of the whole instance, always
// with the statistical secrecy. Neither reaches a file, a session or a procès-verbal
// from here: only aggregated tables.

// RegionPath is the roll-up dashboard.
const RegionPath = "/statistiques/region"

// rollUpScope returns the region asked for ("" is every commission, for the
// administrator) and its commissions. A region user asking for another region gets 404.
func (h *Handler) rollUpScope(c *fiber.Ctx) (string, []models.Commission, error) {
	u := web.User(c)
	region := c.Query("region")
	switch u.Role {
	case models.RoleRegion:
		if region != "" && region != u.Region {
			return "", nil, models.ErrNotFound
		}
		region = u.Region
	case models.RoleAdmin:
		if region != "" && !models.ValidRegion(region) {
			return "", nil, fiber.NewError(fiber.StatusNotFound, "Cette région n'existe pas : choisissez une région de la liste.")
		}
	default:
		return "", nil, models.ErrNotFound
	}
	cs, err := models.ListCommissions(c.UserContext(), h.DB, region)
	if err != nil {
		return "", nil, err
	}
	if len(cs) == 0 {
		return "", nil, fiber.NewError(fiber.StatusNotFound, "Aucune commission de cette région n'est hébergée sur le portail : il n'y a pas de statistiques à consolider.")
	}
	return region, cs, nil
}

// rollUp computes the roll-up report of the year asked (query or path).
func (h *Handler) rollUp(c *fiber.Ctx, rawYear string) (string, []int, *statsmodel.StatsReport, error) {
	region, cs, err := h.rollUpScope(c)
	if err != nil {
		return "", nil, nil, err
	}
	ids := make([]int64, len(cs))
	for i, cm := range cs {
		ids[i] = cm.ID
	}
	years, err := statsmodel.StatsYearsOf(c.UserContext(), h.DB, ids, h.Now())
	if err != nil {
		return "", nil, nil, err
	}
	year, err := h.year(c, rawYear, years)
	if err != nil {
		return "", nil, nil, err
	}
	ru, err := statsmodel.ComputeRollUp(c.UserContext(), h.DB, region, cs, year, h.Now().UTC())
	if err != nil {
		return "", nil, nil, err
	}
	return region, years, statsmodel.BuildRollUpReport(ru), nil
}

// regionQuery is the query string naming the region, for the administrator's links.
func regionQuery(u *models.User, region string) string {
	if u.Role != models.RoleAdmin || region == "" {
		return ""
	}
	return "?region=" + url.QueryEscape(region)
}

// RegionIndex shows the roll-up dashboard of a year: the departments side by side, then
// the region's figures, charts and tables.
func (h *Handler) RegionIndex(c *fiber.Ctx) error {
	u := web.User(c)
	region, years, r, err := h.rollUp(c, c.Query("annee"))
	if err != nil {
		return err
	}
	title := statsmodel.RollUpTitle(region)
	data := fiber.Map{
		"Title": fmt.Sprintf("Statistiques %d — %s", r.Stats.Year, title), "Heading": "Statistiques régionales " + fmt.Sprint(r.Stats.Year),
		"Scope": title, "Action": RegionPath, "Region": region, "Year": r.Stats.Year, "Years": years, "Report": r, "Stats": r.Stats,
		"Keys": keyFigures(r), "Sections": sections(r), "Threshold": r.Stats.MinCellSize, "Largest": r.Stats.MinCellSize - 1,
		"Secrecy": statsmodel.StatDefinition("secrecy"), "XLSX": regionXLSXPath(r.Stats.Year) + regionQuery(u, region),
		"Commissions": len(r.Table("departements").Body()),
	}
	if u.Role == models.RoleAdmin {
		data["Regions"] = models.Regions
	}
	return web.Render(c, "stats/index", data)
}

func regionXLSXPath(year int) string { return fmt.Sprintf("%s/rapports/%d.xlsx", RegionPath, year) }

// RegionFileName is the name of the roll-up workbook.
func RegionFileName(region string, year int) string {
	if region == "" {
		return fmt.Sprintf("rapport-annuel-national-%d.xlsx", year)
	}
	return fmt.Sprintf("rapport-annuel-region-%s-%d.xlsx", region, year)
}

// RegionWorkbook downloads the roll-up workbook of a year, with the secrecy applied, and
// records the download in the audit chain.
func (h *Handler) RegionWorkbook(c *fiber.Ctx) error {
	u := web.User(c)
	region, _, r, err := h.rollUp(c, c.Params("year"))
	if err != nil {
		return err
	}
	sub := Subject{Heading: "Rapport annuel consolidé des commissions départementales de lutte contre la prostitution",
		Name: statsmodel.RollUpTitle(region), CodeLabel: "Région", Code: region}
	if region == "" {
		sub.CodeLabel, sub.Code = "Commissions", fmt.Sprint(len(r.Table("departements").Body()))
	}
	var buf bytes.Buffer
	if err := WriteWorkbook(&buf, sub, r); err != nil {
		return err
	}
	ctx := c.UserContext()
	err = models.InTx(ctx, h.DB, func(ctx context.Context, tx bun.Tx) error {
		return models.Audit(ctx, tx, h.Now(), models.AuditEntry{
			Actor: models.ActorFor(u), Action: "stats.download_rollup", Object: "region:" + cmp.Or(region, "national"),
			Details: map[string]any{"year": r.Stats.Year, "region": region, "complete": r.Stats.Complete, "format": "xlsx", "commissions": r.Stats.CommissionIDs},
		})
	})
	if err != nil {
		return err
	}
	c.Attachment(RegionFileName(region, r.Stats.Year))
	return c.Send(buf.Bytes())
}
