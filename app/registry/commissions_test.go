package registry_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"seance/app/registry"
	"seance/app/servertest"
	"seance/models"
)

func TestAdminCreatesCommission(t *testing.T) {
	env := servertest.New(t)
	for _, r := range []models.Role{models.RoleSecretariat, models.RoleRegion, models.RolePrefecture} {
		c := env.Client()
		c.SignIn(t, r)
		if resp := c.Get(t, "/admin/commissions"); resp.Status != http.StatusForbidden {
			t.Errorf("%s GET /admin/commissions status = %d, want 403", r, resp.Status)
		}
	}
	c := env.Client()
	c.SignIn(t, models.RoleAdmin)
	servertest.Expect(t, "GET list", c.Get(t, "/admin/commissions"), http.StatusOK, "Haute-Garonne (31)", "Occitanie (76)", "Créer une commission")
	servertest.Expect(t, "GET form", c.Get(t, "/admin/commissions/nouvelle"), http.StatusOK, `<option value="2A">2A — Corse-du-Sud</option>`,
		`<option value="76">76 — Occitanie</option>`, "R133-10")
	valid := url.Values{
		"name": {"Commission départementale du Gers"}, "department": {"32"}, "region": {""}, "arrete_ref": {"Arrêté n° 32-2026-7"},
		"arrete_date": {"2026-02-01"}, "quorum_rule": {"half_voting"}, "abstention_rule": {"not_cast"}, "notice_days": {"6"},
		"max_files_per_session": {"15"}, "min_cell_size": {"10"}, "president_votes": {"1"},
	}
	with := func(k, v string) url.Values {
		f := url.Values{}
		for kk, vv := range valid {
			f[kk] = vv
		}
		f.Set(k, v)
		return f
	}
	for _, tt := range []struct {
		name string
		form url.Values
		want string
	}{
		{"department taken", with("department", "31"), "couvre déjà le département Haute-Garonne (31)"},
		{"department unknown", with("department", "20"), "« 20 » n&#39;est pas un code de département INSEE"},
		{"department missing", with("department", ""), "Indiquez le code INSEE du département"},
		{"region of another department", with("region", "75"), "Le département Gers (32) appartient à la région Occitanie (76), pas à la région Nouvelle-Aquitaine."},
		{"region unknown", with("region", "99"), "« 99 » n&#39;est pas un code de région INSEE"},
		{"name missing", with("name", " "), "Indiquez le nom de la commission."},
		{"threshold zero", with("min_cell_size", "0"), "entre 1 et 50"},
		{"notice not a number", with("notice_days", "six"), "Saisissez un nombre entier."},
	} {
		t.Run(tt.name, func(t *testing.T) {
			resp := c.PostForm(t, "/admin/commissions/nouvelle", tt.form)
			servertest.Expect(t, "POST new commission", resp, http.StatusUnprocessableEntity, tt.want, "Le formulaire contient des erreurs")
		})
	}
	if n := count(t, env, (*models.Commission)(nil)); n != 1 {
		t.Fatalf("%d commissions after refused posts, want 1", n)
	}
	resp := c.PostForm(t, "/admin/commissions/nouvelle", valid)
	if resp.Status != http.StatusSeeOther {
		t.Fatalf("POST valid commission status = %d, want 303\n%s", resp.Status, resp.Body)
	}
	cs, err := models.ListCommissions(ctx, env.DB, "76")
	if err != nil || len(cs) != 2 {
		t.Fatalf("ListCommissions(76) = %v, %v; want 2", cs, err)
	}
	gers := cs[1]
	if gers.Department != "32" || gers.Region != "76" || gers.ArreteRef != "Arrêté n° 32-2026-7" {
		t.Errorf("created %+v", gers)
	}
	if resp.Location != registry.Base(gers.ID)+"/composition" {
		t.Errorf("redirect to %q, want the new commission's composition", resp.Location)
	}
	s, err := models.FindSettings(ctx, env.DB, gers.ID)
	if err != nil || s.MinCellSize != 10 || s.NoticeDays != 6 || s.MaxFilesPerSession != 15 || s.ArreteDate == nil {
		t.Errorf("settings of the new commission = %+v, %v", s, err)
	}
	servertest.Expect(t, "GET composition", c.Get(t, resp.Location), http.StatusOK, "est créée")
	servertest.Expect(t, "GET list", c.Get(t, "/admin/commissions"), http.StatusOK, "Gers (32)", "Commission départementale du Gers")
}

// TestCompositionShowsTheCommissionAsStored: the registry pages take the signed-in
// user's commission from the account read with the session instead of reading it again
// (issue 17); a change of the commission shows on the next request all the same, and
// another commission stays out of reach.
func TestCompositionShowsTheCommissionAsStored(t *testing.T) {
	env := servertest.New(t)
	c := env.Client()
	c.SignIn(t, models.RoleSecretariat)
	path := registry.Base(env.Commission.ID) + "/composition"
	servertest.Expect(t, "before", c.Get(t, path), http.StatusOK, "<p class=\"fr-mb-1w\">"+env.Commission.Name+"</p>")
	if _, err := env.DB.NewUpdate().Table("commissions").Set("name = ?", "Commission renommée de Haute-Garonne").
		Where("id = ?", env.Commission.ID).Exec(context.Background()); err != nil {
		t.Fatal(err)
	}
	servertest.Expect(t, "after the rename", c.Get(t, path), http.StatusOK, `<p class="fr-mb-1w">Commission renommée de Haute-Garonne</p>`)
	if r := c.Get(t, registry.Base(env.Commission.ID+1)+"/composition"); r.Status != http.StatusNotFound {
		t.Fatalf("another commission's composition: status %d, want 404", r.Status)
	}
}
