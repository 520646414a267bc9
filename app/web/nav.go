package web

import (
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
}

var navigation = []navEntry{
	{"Tableau de bord", "/", nil},
	{"Déroulé des séances", "/sitting", []models.Role{models.RolePresident, models.RoleSecretariat}},
	{"Mes votes", "/votes", []models.Role{models.RoleMember, models.RolePresident}},
	{"Journal d'audit", "/admin/audit", []models.Role{models.RoleAdmin, models.RoleSecretariat}},
	{"Courriels", "/admin/outbox", []models.Role{models.RoleAdmin}},
}

func navFor(u *models.User, path string) []NavItem {
	if u == nil {
		return nil
	}
	var out []NavItem
	for _, e := range navigation {
		if e.roles != nil && !slices.Contains(e.roles, u.Role) {
			continue
		}
		cur := path == e.path || (e.path != "/" && strings.HasPrefix(path, e.path+"/"))
		out = append(out, NavItem{Label: e.label, Path: e.path, Current: cur})
	}
	return out
}
