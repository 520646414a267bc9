package server_test

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"seance/app/servertest"
	"seance/models"
	"seance/models/files"
	"seance/models/meetings"
	"seance/models/modelstest"
	"seance/models/registry"
)

// firstID returns the id of the first row of model in commission cid.
func firstID(t testing.TB, e *servertest.Env, model any, cid int64) string {
	t.Helper()
	var id int64
	if err := e.DB.NewSelect().Model(model).Column("id").Where("commission_id = ?", cid).Order("id ASC").Limit(1).Scan(context.Background(), &id); err != nil {
		t.Fatal(err)
	}
	return strconv.FormatInt(id, 10)
}

// TestTenantIsolation: every account of commission A (31) asking for an object of
// commission B (09) gets the answer it gets for an object that does not exist (404 on
// the routes its role may use, 403 on the others), never B's data; and the same
// account reaches the same kind of object in its own commission, so the routes are
// really exercised.
func TestTenantIsolation(t *testing.T) {
	e := servertest.New(t)
	a := e.Commission
	b := modelstest.Commission(t, e.DB, "09")
	modelstest.StatsFixture(t, e.DB, a)
	modelstest.StatsFixture(t, e.DB, b)
	type ids struct{ cid, file, parcours, meeting, assoc string }
	of := func(c *models.Commission) ids {
		return ids{strconv.FormatInt(c.ID, 10), firstID(t, e, (*files.File)(nil), c.ID), firstID(t, e, (*files.Parcours)(nil), c.ID),
			firstID(t, e, (*meetings.Meeting)(nil), c.ID), firstID(t, e, (*registry.Association)(nil), c.ID)}
	}
	none := ids{"999999", "999999", "999999", "999999", "999999"}
	paths := func(x ids) []string {
		return []string{
			"/dossiers/" + x.file, "/dossiers/" + x.file + "/pieces", "/dossiers/" + x.file + "/personne",
			"/parcours/" + x.parcours,
			"/seances/" + x.meeting, "/seances/" + x.meeting + "/seance.ics", "/seances/" + x.meeting + "/reponses",
			"/seances/" + x.meeting + "/modifier", "/sitting/" + x.meeting,
			"/seances/" + x.meeting + "/pv", "/seances/" + x.meeting + "/pv.pdf", "/seances/" + x.meeting + "/pv.xlsx",
			"/commissions/" + x.cid + "/composition", "/commissions/" + x.cid + "/composition.xlsx", "/commissions/" + x.cid + "/parametres",
			"/commissions/" + x.cid + "/associations/" + x.assoc,
		}
	}
	own, other, missing := paths(of(a)), paths(of(b)), paths(none)
	reached := map[string]bool{}
	for _, role := range []models.Role{models.RoleSecretariat, models.RolePresident, models.RoleMember, models.RoleAssociation, models.RolePrefecture} {
		t.Run(string(role), func(t *testing.T) {
			c := e.Client()
			c.SignIn(t, role)
			for i := range other {
				stOwn := c.Get(t, own[i]).Status
				resp := c.Get(t, other[i])
				stNone := c.Get(t, missing[i]).Status
				if resp.Status != stNone || (resp.Status != http.StatusNotFound && resp.Status != http.StatusForbidden) {
					t.Errorf("%s GET %s (commission B) status = %d, want %d as for a missing object (403 or 404)", role, other[i], resp.Status, stNone)
				}
				if strings.Contains(resp.Body, "09-2025-") || strings.Contains(resp.Body, "Commission départementale 09") {
					t.Errorf("%s GET %s shows commission B's data", role, other[i])
				}
				if stOwn == http.StatusOK {
					reached[own[i][:strings.LastIndex(own[i], "/")+1]] = true
				}
			}
		})
	}
	// The routes really answer for one's own commission: files, parcours, sessions,
	// minutes and the registry all return 200 to some role of commission A.
	for _, p := range []string{"/dossiers/", "/parcours/", "/seances/", "/commissions/" + strconv.FormatInt(a.ID, 10) + "/"} {
		if !reached[p] {
			t.Errorf("no role of commission A reached its own %s…: the isolation test would pass vacuously", p)
		}
	}
	// Lists and statistics are scoped too: commission A's prefecture sees A's
	// associations in its statistics, never B's.
	c := e.Client()
	c.SignIn(t, models.RolePrefecture)
	for _, p := range []string{"/statistiques?annee=2025", "/proces-verbaux", "/seances"} {
		resp := c.Get(t, p)
		if resp.Status != http.StatusOK || strings.Contains(resp.Body, "09-2025-") {
			t.Errorf("prefecture A GET %s: status %d or shows commission B", p, resp.Status)
		}
	}
	sec := e.Client()
	sec.SignIn(t, models.RoleSecretariat)
	for _, p := range []string{"/dossiers", "/parcours", "/seances", "/dossiers/arrivee"} {
		resp := sec.Get(t, p)
		if resp.Status != http.StatusOK || strings.Contains(resp.Body, "09-2025-") {
			t.Errorf("secretariat A GET %s: status %d or shows commission B's files", p, resp.Status)
		}
	}
	if resp := sec.Get(t, "/dossiers"); !strings.Contains(resp.Body, "31-2025-") {
		t.Error("secretariat A's file list lacks its own files: the list check would pass vacuously")
	}
}
