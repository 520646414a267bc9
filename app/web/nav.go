package web

import (
	"html/template"
	"regexp"
	"slices"
	"strings"

	"seance/models"
)

// NavItem is one entry of the main navigation.
type NavItem struct {
	Label   string
	Path    string
	Current bool
}

// navEntry lists who sees an entry; features add theirs here.
type navEntry struct {
	label string
	path  string
	roles []models.Role
	// also is another path prefix under which the entry is the current one (optional).
	also string
}

var navigation = []navEntry{
	{"Tableau de bord", "/", nil, ""},
	{"Composition", "/composition", []models.Role{models.RoleAdmin, models.RoleSecretariat, models.RolePresident}, "/commissions/"},
	{"Séances", "/seances", []models.Role{models.RoleSecretariat, models.RolePresident, models.RoleMember, models.RoleAssociation, models.RolePrefecture}, ""},
	{"Dossiers", "/dossiers", []models.Role{models.RoleAssociation, models.RoleSecretariat, models.RolePresident}, ""},
	{"Parcours", "/parcours", []models.Role{models.RoleAssociation, models.RoleSecretariat, models.RolePresident}, ""},
	{"Déroulé des séances", "/sitting", []models.Role{models.RolePresident, models.RoleSecretariat}, ""},
	{"Procès-verbaux", "/proces-verbaux", []models.Role{models.RoleSecretariat, models.RolePresident, models.RoleMember, models.RolePrefecture}, ""},
	{"Statistiques", "/statistiques", []models.Role{models.RoleSecretariat, models.RolePresident, models.RolePrefecture}, ""},
	{"Statistiques", "/statistiques/region", []models.Role{models.RoleRegion, models.RoleAdmin}, ""},
	{"Mes votes", "/votes", []models.Role{models.RoleMember, models.RolePresident}, ""},
	{"Journal d'audit", "/admin/audit", []models.Role{models.RoleAdmin, models.RoleSecretariat}, ""},
	{"Courriels", "/admin/outbox", []models.Role{models.RoleAdmin}, ""},
	{"Courriels non remis", "/courriels/echecs", []models.Role{models.RoleAdmin, models.RoleSecretariat}, ""},
	{"Tâches planifiées", "/admin/taches", []models.Role{models.RoleAdmin}, ""},
	{"Commissions", "/admin/commissions", []models.Role{models.RoleAdmin}, ""},
	{"Comptes", "/admin/comptes", []models.Role{models.RoleAdmin}, ""},
	{"Mes notifications", "/notifications", nil, ""},
	{"Mon compte", "/compte", nil, ""},
}

// owners lists the pages that belong to another entry than their path's prefix says:
// a session's procès-verbal (/seances/12/pv) is under « Procès-verbaux », not « Séances ».
var owners = []struct {
	pattern *regexp.Regexp
	entry   string
}{
	{regexp.MustCompile(`^/seances/[^/]+/pv(/|$)`), "/proces-verbaux"},
}

func navFor(u *models.User, path string) []NavItem {
	if u == nil {
		return nil
	}
	owner := ""
	for _, o := range owners {
		if o.pattern.MatchString(path) {
			owner = o.entry
		}
	}
	var out []NavItem
	for _, e := range navigation {
		if e.roles != nil && !slices.Contains(e.roles, u.Role) {
			continue
		}
		cur := path == e.path || (e.path != "/" && strings.HasPrefix(path, e.path+"/")) || (e.also != "" && strings.HasPrefix(path, e.also))
		if owner != "" {
			cur = e.path == owner
		}
		out = append(out, NavItem{Label: e.label, Path: e.path, Current: cur})
	}
	return out
}

// navHTML is the list items of the navigation: built here rather than by the layout,
// where html/template would call its escapers through reflection for each field of each
// entry on every page (a quarter of a page's allocations). Labels and paths are this
// file's constants; they are escaped all the same.
func navHTML(items []NavItem) template.HTML {
	var b strings.Builder
	b.Grow(len(items) * 110)
	for _, it := range items {
		b.WriteString(`<li class="fr-nav__item"><a class="fr-nav__link" href="`)
		b.WriteString(template.HTMLEscapeString(it.Path))
		b.WriteString(`"`)
		if it.Current {
			b.WriteString(` aria-current="page"`)
		}
		b.WriteString(`>`)
		b.WriteString(template.HTMLEscapeString(it.Label))
		b.WriteString("</a></li>\n          ")
	}
	return template.HTML(b.String())
}
