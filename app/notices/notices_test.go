package notices_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"seance/app/servertest"
	"seance/models"
	"seance/models/modelstest"
)

// The terms job tells the secretariat of an agrément ending soon; the secretariat finds
// the notice on « Mes notifications » with its link, another user does not.
func TestMyNotificationsPage(t *testing.T) {
	env := servertest.New(t)
	day := models.CalendarDay(env.Clock())
	// An agrément of three years ending in 20 days.
	a := modelstest.Association(t, env.DB, env.Commission, "Association Lumière", env.Commission.Department, day.AddDate(-3, 0, 20))
	if _, err := env.Jobs.Run(context.Background(), "terms", models.TriggerCLI); err != nil {
		t.Fatal(err)
	}
	sec := env.Client()
	sec.SignIn(t, models.RoleSecretariat)
	resp := sec.Get(t, "/notifications")
	if resp.Status != http.StatusOK {
		t.Fatalf("GET /notifications: %d\n%s", resp.Status, resp.Body)
	}
	for _, want := range []string{"<h1>Mes notifications</h1>", "Fin d&#39;agrément", "Association Lumière", `href="/associations"`, `href="/notifications"`} {
		if !strings.Contains(resp.Body, want) {
			t.Errorf("secretariat's notifications lack %q", want)
		}
	}
	ns, err := models.ListNotifications(context.Background(), env.DB, env.Users[models.RoleSecretariat].ID, 10)
	if err != nil || len(ns) == 0 || ns[0].Object != models.ObjectRef("association", a.ID) {
		t.Fatalf("secretariat's notifications = %+v, %v", ns, err)
	}
	member := env.Client()
	member.SignIn(t, models.RoleMember)
	resp = member.Get(t, "/notifications")
	if resp.Status != http.StatusOK || strings.Contains(resp.Body, "Association Lumière") || !strings.Contains(resp.Body, "Vous n'avez reçu aucune notification.") {
		t.Errorf("member's notifications: %d\n%s", resp.Status, resp.Body)
	}
	if resp := env.Client().Get(t, "/notifications"); resp.Status != http.StatusSeeOther {
		t.Errorf("signed out: %d, want a redirect to sign in", resp.Status)
	}
}
