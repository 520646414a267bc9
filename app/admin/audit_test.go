package admin_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"seance/app/servertest"
	"seance/models"
	"seance/models/meetings"
	"seance/models/modelstest"
)

func TestAuditJournalNamesFiltersPagesAndExports(t *testing.T) {
	env := servertest.New(t)
	ctx := context.Background()
	cid := env.Commission.ID
	member, sec := env.Users[models.RoleMember], env.Users[models.RoleSecretariat]
	m := &meetings.Meeting{CommissionID: cid, Kind: meetings.MeetingFiles, Status: meetings.MeetingPlanned,
		StartsAt: time.Date(2026, 11, 24, 13, 0, 0, 0, time.UTC), EndsAt: time.Date(2026, 11, 24, 16, 0, 0, 0, time.UTC), Mode: meetings.ModeOnSite, Place: "Salle A", CreatedAt: env.Clock(), UpdatedAt: env.Clock()}
	if _, err := env.DB.NewInsert().Model(m).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	for i := range 60 {
		e := models.AuditEntry{CommissionID: cid, Actor: models.ActorFor(sec), Action: "meeting.update", Object: models.ObjectRef("meeting", m.ID), Details: map[string]any{"n": i}}
		if err := models.Audit(ctx, env.DB, env.Clock(), e); err != nil {
			t.Fatal(err)
		}
	}
	e := models.AuditEntry{CommissionID: cid, Actor: models.ActorFor(sec), Action: "user.role", Object: models.ObjectRef("user", member.ID)}
	if err := models.Audit(ctx, env.DB, env.Clock(), e); err != nil {
		t.Fatal(err)
	}

	pres := env.Client()
	pres.SignIn(t, models.RolePresident)
	servertest.Expect(t, "president", pres.Get(t, "/admin/audit"), http.StatusForbidden)

	c := env.Client()
	c.SignIn(t, models.RoleSecretariat)
	page := c.Get(t, "/admin/audit")
	servertest.Expect(t, "journal", page, http.StatusOK, "Rôle changé", "Compte de "+member.Name, sec.Name+" ("+sec.Email+")",
		"Séance modifiée", "Séance du 24/11/2026", "intégrité de la chaîne", "Opérations plus anciennes", "Exporter (CSV)")
	if strings.Contains(page.Body, "<code>meeting.update</code>") || strings.Contains(page.Body, ">user:") {
		t.Error("the journal still shows raw codes")
	}
	if n := strings.Count(page.Body, "<tr><td>"); n != 50 {
		t.Errorf("first page has %d rows, want 50", n)
	}
	i := strings.Index(page.Body, `href="/admin/audit?avant=`)
	if i < 0 {
		t.Fatal("no link to older records")
	}
	next := page.Body[i+6 : i+6+strings.IndexByte(page.Body[i+6:], '"')]
	older := c.Get(t, next)
	servertest.Expect(t, "older page", older, http.StatusOK, "Opérations les plus récentes", "Séance modifiée")
	if strings.Contains(older.Body, "Opérations plus anciennes") {
		t.Error("the second page offers a third")
	}

	// Periods around the test clock's day (the records are written at env.Clock()).
	day := func(n int) string { return modelstest.Day(n).Format(time.DateOnly) }
	filtered := c.Get(t, fmt.Sprintf("/admin/audit?action=user.role&objet=user:%d&personne=%d&du=%s&au=%s", member.ID, sec.ID, day(-20), day(7)))
	servertest.Expect(t, "filtered", filtered, http.StatusOK, "Compte de "+member.Name)
	if n := strings.Count(filtered.Body, "<tr><td>"); n != 1 {
		t.Errorf("filtered page has %d rows, want 1", n)
	}
	servertest.Expect(t, "family filter", c.Get(t, "/admin/audit?action=meeting.&du="+day(8)), http.StatusOK, "Aucun enregistrement ne correspond")
	servertest.Expect(t, "bad date", c.Get(t, "/admin/audit?du=hier"), http.StatusUnprocessableEntity, "Indiquez une date au format jj/mm/aaaa.")
	servertest.Expect(t, "bad period", c.Get(t, "/admin/audit?du="+day(7)+"&au="+day(-20)), http.StatusUnprocessableEntity, "La fin de la période doit suivre son début.")
	servertest.Expect(t, "bad action", c.Get(t, "/admin/audit?action=drop"), http.StatusUnprocessableEntity, "Choisissez une action dans la liste.")
	servertest.Expect(t, "bad object", c.Get(t, "/admin/audit?objet=x'--"), http.StatusUnprocessableEntity, "Indiquez un objet")

	csv := c.Get(t, "/admin/audit/export?action=user.role")
	servertest.Expect(t, "export", csv, http.StatusOK, "N°;Date;Personne;Action", "Rôle changé", "Compte de "+member.Name)
	if ct := csv.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") {
		t.Errorf("export content type %q", ct)
	}
	if strings.Contains(csv.Body, "Séance modifiée") {
		t.Error("the export ignores the filter")
	}
	servertest.Expect(t, "export recorded", c.Get(t, "/admin/audit?action=audit.export"), http.StatusOK, "Journal d&#39;audit exporté")
	servertest.Expect(t, "chain still holds", c.PostForm(t, "/admin/audit/verify", nil), http.StatusOK, "Chaîne intègre")
}
