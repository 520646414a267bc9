package registry_test

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"seance/app/registry"
	"seance/app/servertest"
	"seance/app/web"
	"seance/models"
	"seance/models/files"
	"seance/models/modelstest"
)

// TestRule15_RetentionPreviewPage decides a file, then shows the secretariat's preview
// 31 and 30 days before its anonymisation: listed only from 30 days ahead, with its
// reference and dates but never the person; other roles are refused, another
// commission's page is not found.
func TestRule15_RetentionPreviewPage(t *testing.T) {
	env := servertest.New(t)
	ctx, db, kr, now := context.Background(), env.DB, env.Config.Keys, env.Clock()
	a := modelstest.Association(t, db, env.Commission, "Association Test", "31", models.CalendarDay(now).AddDate(-1, 0, 0))
	au := modelstest.User(t, db, env.Commission, models.RoleAssociation, a)
	f, err := files.CreateFile(ctx, db, kr, au, modelstest.CompleteInput(files.KindEngagement, modelstest.Person("Effacinelle", "Ondine", 1994), 0), now)
	if err != nil {
		t.Fatal(err)
	}
	sec, pres := env.Users[models.RoleSecretariat], env.Users[models.RolePresident]
	in := files.TransitionInput{SessionDate: now, Avis: files.AvisDefavorable, AvisOn: now,
		Decision: files.Decision{Outcome: files.DecisionRefused, DecidedOn: now, NotifiedPersonOn: now, NotifiedAssociationOn: now}}
	for _, step := range []struct {
		to files.State
		by *models.User
	}{{files.StateSubmitted, au}, {files.StateAdmissible, sec}, {files.StateScheduled, sec}, {files.StateExamined, pres}, {files.StateDecided, sec}} {
		if err := files.Transition(ctx, db, kr, step.by, f.ID, step.to, in, now); err != nil {
			t.Fatalf("→ %s: %v", step.to, err)
		}
	}
	due := models.CalendarDay(now).AddDate(0, models.DefaultRetentionMonths, 0)
	page := registry.Base(env.Commission.ID) + "/conservation"

	signed := func(role models.Role) *servertest.Client {
		c := env.Client()
		c.SignIn(t, role)
		return c
	}
	env.SetClock(due.AddDate(0, 0, -31).Add(10 * time.Hour))
	servertest.Expect(t, "31 days before", signed(models.RoleSecretariat).Get(t, page), http.StatusOK, "Conservation des dossiers", "24 mois", "Aucun dossier ne sera anonymisé")
	env.SetClock(due.AddDate(0, 0, -30).Add(10 * time.Hour))
	c := signed(models.RoleSecretariat)
	resp := c.Get(t, page)
	servertest.Expect(t, "30 days before", resp, http.StatusOK, f.Reference, longDate(models.CalendarDay(now)), longDate(due), "Engagement dans le parcours")
	for _, secret := range []string{"Effacinelle", "Ondine", "1994"} {
		if strings.Contains(resp.Body, secret) {
			t.Errorf("the preview shows %q", secret)
		}
	}
	servertest.Expect(t, "the dashboard counts it", c.Get(t, "/"), http.StatusOK, "1 dossier sera anonymisé dans les 30 jours", `href="/conservation"`)
	servertest.Expect(t, "the settings link to it", c.Get(t, registry.Base(env.Commission.ID)+"/parametres"), http.StatusOK, `href="`+page+`"`)
	if resp := c.Get(t, "/conservation"); resp.Status != http.StatusSeeOther || resp.Location != page {
		t.Errorf("GET /conservation = %d %q, want 303 to %s", resp.Status, resp.Location, page)
	}
	other := modelstest.Commission(t, db, "09")
	servertest.Expect(t, "another commission", c.Get(t, registry.Base(other.ID)+"/conservation"), http.StatusNotFound)
	servertest.Expect(t, "unknown commission", c.Get(t, "/commissions/"+strconv.Itoa(999999)+"/conservation"), http.StatusNotFound)

	// On the day, the job anonymises it: its page says so and the preview no longer lists it.
	// The dashboard keeps the count until the data changes (issue 17): shown on the day
	// before the job, it must drop to none after the job's writes.
	env.SetClock(due.Add(4*time.Hour + 30*time.Minute))
	c = signed(models.RoleSecretariat)
	servertest.Expect(t, "the dashboard on the day", c.Get(t, "/"), http.StatusOK, "1 dossier sera anonymisé dans les 30 jours")
	run, err := env.Jobs.Run(ctx, "retention", models.TriggerCLI)
	if err != nil || run.Items != 1 {
		t.Fatalf("retention job on the day = %+v, %v; want 1 file", run, err)
	}
	c = signed(models.RoleSecretariat)
	servertest.Expect(t, "file page after anonymisation", c.Get(t, "/dossiers/"+strconv.FormatInt(f.ID, 10)), http.StatusOK, f.Reference, "Anonymisé le "+longDate(due))
	servertest.Expect(t, "preview after anonymisation", c.Get(t, page), http.StatusOK, "Aucun dossier ne sera anonymisé")
	servertest.Expect(t, "the dashboard after anonymisation", c.Get(t, "/"), http.StatusOK, "Aucun dossier ne sera anonymisé dans les 30 jours")

	for _, role := range []models.Role{models.RoleMember, models.RoleAssociation, models.RolePresident, models.RoleAdmin} {
		if resp := signed(role).Get(t, page); resp.Status != http.StatusForbidden {
			t.Errorf("GET %s as %s: status %d, want 403", page, role, resp.Status)
		}
	}
}

// longDate formats a day as the pages do: "23 novembre 2028".
func longDate(d time.Time) string { return web.DateFR(d, d.Location()) }
