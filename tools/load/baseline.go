package main

import (
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing/fstest"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/template/html/v2"
)

// The two baselines every page is compared with, served by this same program in a
// process of its own (-baseline floor|ceiling), with the fiber and template versions
// of the portal:
//   - the floor: an 8 KB page holding a 50-row table, rendered through the template
//     engine's layout mode (which renders behind one lock), no database: what any
//     page of the portal costs at least;
//   - the ceiling: the same bytes sent with c.SendString: what fiber alone costs.

var baselineViews = fstest.MapFS{
	"layout.html": {Data: []byte(`<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><title>{{.Title}}</title>
<link rel="stylesheet" href="/static/app.css"></head>
<body><header class="fr-header"><p class="fr-header__service-title">Séance — plancher de mesure</p></header>
<main id="contenu" class="fr-container">{{embed}}</main>
<footer class="fr-footer"><p>Page de référence pour les mesures de charge.</p></footer></body></html>`)},
	"page.html": {Data: []byte(`<h1>{{.Title}}</h1>
<div class="fr-table"><table><caption>Lignes de référence</caption>
<thead><tr><th scope="col">N°</th><th scope="col">Référence</th><th scope="col">État</th><th scope="col">Date</th><th scope="col">Association</th></tr></thead>
<tbody>{{range .Rows}}<tr><td>{{.N}}</td><td><a href="/dossiers/{{.N}}">{{.Ref}}</a></td><td>{{.State}}</td><td>{{.Date}}</td><td>{{.Asso}}</td></tr>
{{end}}</tbody></table></div>`)},
}

type baselineRow struct {
	N                      int
	Ref, State, Date, Asso string
}

func baselineData() fiber.Map {
	rows := make([]baselineRow, 50)
	for i := range rows {
		rows[i] = baselineRow{N: i + 1, Ref: fmt.Sprintf("31-2026-%04d", i+1), State: "En attente d'examen", Date: "23/11/2026", Asso: "Association n° 1"}
	}
	return fiber.Map{"Title": "Plancher", "Rows": rows}
}

// newBaseline returns the floor or the ceiling application.
func newBaseline(kind string) (*fiber.App, error) {
	engine := html.NewFileSystem(http.FS(baselineViews), ".html")
	app := fiber.New(fiber.Config{Views: engine, ViewsLayout: "layout", DisableStartupMessage: true})
	data := baselineData()
	switch kind {
	case "floor":
		app.Get("/", func(c *fiber.Ctx) error { return c.Render("page", data) })
	case "ceiling":
		var b strings.Builder
		if err := engine.Render(&b, "page", data, "layout"); err != nil {
			return nil, err
		}
		page := b.String()
		app.Get("/", func(c *fiber.Ctx) error {
			c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
			return c.SendString(page)
		})
	default:
		return nil, fmt.Errorf("unknown baseline %q (floor or ceiling)", kind)
	}
	// Fiber builds a list on the first Render, without a lock: two first requests at
	// once race on it (found by the race detector). One request here builds it first.
	if _, err := app.Test(httptest.NewRequest("GET", "/", nil)); err != nil {
		return nil, err
	}
	return app, nil
}

// serveBaseline serves a baseline on ln until the process ends.
func serveBaseline(kind string, ln net.Listener) error {
	app, err := newBaseline(kind)
	if err != nil {
		return err
	}
	return app.Listener(ln)
}
