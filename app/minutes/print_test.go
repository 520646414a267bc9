package minutes_test

import (
	"bytes"
	"html/template"
	"io/fs"
	"regexp"
	"strings"
	"testing"

	"seance/app/web"
	"seance/static"
	"seance/views"
)

// printPage renders views/minutes/print.html as the portal's engine does: every
// template file parsed under its "<feature>/<page>" name, the layouts as partials.
func printPage(t *testing.T, data map[string]any) string {
	t.Helper()
	root := template.New("")
	for _, name := range []string{"layouts/head", "layouts/foot", "minutes/workflow", "minutes/document", "minutes/print"} {
		b, err := fs.ReadFile(views.FS, name+".html")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := root.New(name).Parse(string(b)); err != nil {
			t.Fatalf("parse %s: %v", name, err)
		}
	}
	var buf bytes.Buffer
	page := web.Page{Title: "Procès-verbal", Data: data}
	if err := root.ExecuteTemplate(&buf, "minutes/print", page); err != nil {
		t.Fatalf("render minutes/print: %v", err)
	}
	return buf.String()
}

func TestRule11_PrintPageShowsTheMinutes(t *testing.T) {
	m := sampleWritten()
	html := printPage(t, map[string]any{"Minutes": m, "PDFURL": "/minutes/7/pdf", "XLSXURL": "/minutes/7/xlsx"})
	unescaped := strings.NewReplacer("&#39;", "'", "&#34;", "\"", "&amp;", "&", "&lt;", "<", "&gt;", ">").Replace(html)
	text := norm(regexp.MustCompile(`<[^>]+>`).ReplaceAllString(unescaped, " "))
	for _, want := range []string{
		"Procès-verbal", "Séance du mardi 24 novembre 2026", "Version 1 — PROJET",
		"Le quorum est atteint : 10 membres présents ou représentés sur 12 (quorum : 6).",
		"Pour : 6 — Contre : 1 — Abstention : 1", "449,28 €",
		"Anne Moreau : « Je demande que soit consigné que la situation au regard du séjour devra être réexaminée avant tout nouveau renouvellement. »",
		"Annexe — Contributions à la délibération écrite", "Le président de séance", "Télécharger le PDF",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("print page lacks %q", want)
		}
	}
	noIdentity(t, "print page", text)
	for _, want := range []string{`<caption>Liste de présence des membres ayant voix délibérative</caption>`, `<th scope="col">Membre</th>`, `href="/minutes/7/pdf"`, `seance-pv__section--annex`} {
		if !strings.Contains(html, want) {
			t.Errorf("print page HTML lacks %s", want)
		}
	}
	if regexp.MustCompile(`(?i)<style|style="|<script>| on[a-z]+="`).MatchString(strings.SplitN(html, `id="contenu"`, 2)[1]) {
		t.Error("print page has inline styles or scripts (CSP)")
	}
	// Every class the page uses is styled in static/css/app.css, print rules included.
	css, err := fs.ReadFile(static.FS, "css/app.css")
	if err != nil {
		t.Fatal(err)
	}
	for _, class := range regexp.MustCompile(`seance-pv[a-z_-]*`).FindAllString(html, -1) {
		if !strings.Contains(string(css), "."+class) {
			t.Errorf("class %s has no rule in app.css", class)
		}
	}
	if !strings.Contains(string(css), "size: A4 portrait") || !strings.Contains(string(css), ".seance-pv__section--annex {\n    break-before: page;") {
		t.Error("app.css has no A4 print rules for the procès-verbal")
	}
}

func TestPrintPageWithoutDownloads(t *testing.T) {
	html := printPage(t, map[string]any{"Minutes": sampleLocked()})
	if strings.Contains(html, "Télécharger") {
		t.Error("download buttons shown without their addresses")
	}
	if !strings.Contains(html, "verrouillé, empreinte 5f2b9c0e7a1d43b8") {
		t.Error("locked status line missing")
	}
}
