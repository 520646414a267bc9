package api

import (
	"slices"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"seance/app/web"
	"seance/models"
	"seance/models/stats"
)

// Stats is the annual report of a commission: the tables of the /statistiques page and
// of the annual workbook, from the same computation, masked by the statistical secrecy
// unless Exact (the secretariat's own view).
type Stats struct {
	Body      string     `json:"body"`
	Year      int        `json:"year"`
	Complete  bool       `json:"complete"`
	RefDate   string     `json:"refDate"`   // the day of "in progress": 31 December, or today for the current year
	Threshold int        `json:"threshold"` // counts from 1 to threshold−1 are masked
	Exact     bool       `json:"exact"`
	Secrecy   Definition `json:"secrecy"`
	Themes    []Theme    `json:"themes"`
}

// Definition is the written definition of an indicator.
type Definition struct {
	Label string `json:"label"`
	Text  string `json:"text"`
}

// Theme is one sheet of the workbook and one section of the page.
type Theme struct {
	ID     string  `json:"id"`
	Title  string  `json:"title"`
	Tables []Table `json:"tables"`
}

// Table is one table of the report.
type Table struct {
	ID         string     `json:"id"`
	Title      string     `json:"title"`
	Definition Definition `json:"definition"`
	Columns    []string   `json:"columns"`
	Rows       []Row      `json:"rows"`
}

// Row is one line of a table.
type Row struct {
	Label string `json:"label"`
	Total bool   `json:"total"`
	Cells []Cell `json:"cells"`
}

// Cell is one value: Value is null when masked or not computable; Text is the value as
// the page prints it ("< 5", "s" for a masked cell).
type Cell struct {
	Kind  string   `json:"kind"`
	Value *float64 `json:"value"`
	Text  string   `json:"text"`
	Mask  string   `json:"mask,omitempty"`
}

var (
	cellKinds = map[stats.CellKind]string{stats.CellCount: "count", stats.CellRate: "rate", stats.CellDays: "days",
		stats.CellAmount: "amount", stats.CellLabel: "label", stats.CellMissing: "missing"}
	masks = map[stats.Mask]string{stats.Primary: "primary", stats.Secondary: "secondary", stats.SmallBase: "smallBase"}
)

func cellOf(c stats.Cell, min int) Cell {
	out := Cell{Kind: cellKinds[c.Kind], Text: c.Text(min), Mask: masks[c.Mask]}
	if !c.Hidden() && c.Kind != stats.CellMissing && c.Kind != stats.CellLabel {
		v := c.Value
		if c.Kind == stats.CellAmount {
			v /= 100 // cents to euros
		}
		out.Value = &v
	}
	return out
}

func definitionOf(key string) Definition {
	d := stats.StatDefinition(key)
	return Definition{Label: d.Label, Text: d.FR}
}

// Stats returns the annual report of ?year= for the readers of the statistics: exact
// counts for the secretariat (unless ?view=published), masked for the others, as the
// /statistiques page shows them.
func (h *Handler) Stats(c *fiber.Ctx) error {
	cm := body(c)
	u, ctx := web.User(c), c.UserContext()
	if u.CommissionIDOrZero() != cm.ID { // statistics are read in one's own commission
		return models.ErrNotFound
	}
	view := c.Query("view")
	if view != "" && view != "published" {
		return fiber.NewError(fiber.StatusBadRequest, "Le paramètre view n'accepte que la valeur « published » (vue publiée, avec le secret statistique).")
	}
	year, err := strconv.Atoi(c.Query("year"))
	if err != nil {
		return fiber.NewError(fiber.StatusBadRequest, "Indiquez l'année par le paramètre year, par exemple ?year=2025.")
	}
	now := h.Now().UTC()
	years, err := stats.StatsYears(ctx, h.DB, cm.ID, now)
	if err != nil {
		return err
	}
	if !slices.Contains(years, year) {
		return fiber.NewError(fiber.StatusNotFound, "Aucune statistique pour l'année "+strconv.Itoa(year)+" : la commission n'a pas d'activité enregistrée cette année-là.")
	}
	s, err := stats.ComputeAnnualStats(ctx, h.DB, cm.ID, year, now)
	if err != nil {
		return err
	}
	exact := u.Role == models.RoleSecretariat && view != "published"
	r := stats.BuildStatsReport(s, exact)
	min := s.MinCellSize
	out := Stats{Body: bodyURL(cm.ID), Year: year, Complete: s.Complete, RefDate: s.RefDate.UTC().Format(time.DateOnly),
		Threshold: min, Exact: exact, Secrecy: definitionOf("secrecy"), Themes: make([]Theme, len(r.Themes))}
	for i, th := range r.Themes {
		t := Theme{ID: th.ID, Title: th.Title, Tables: make([]Table, len(th.Tables))}
		for j, tb := range th.Tables {
			tv := Table{ID: tb.ID, Title: tb.Title, Definition: definitionOf(tb.Def), Columns: tb.Columns, Rows: make([]Row, len(tb.Rows))}
			for k, row := range tb.Rows {
				rv := Row{Label: row.Label, Total: row.Total, Cells: make([]Cell, len(row.Cells))}
				for l, cell := range row.Cells {
					rv.Cells[l] = cellOf(cell, min)
				}
				tv.Rows[k] = rv
			}
			t.Tables[j] = tv
		}
		out.Themes[i] = t
	}
	if exact {
		return send(c, out, personal)
	}
	return send(c, out, shareable)
}
