package home_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"seance/app/files/filestest"
	"seance/app/servertest"
	"seance/models"
)

// TestDashboardFollowsEachWriteMinuteAndAssociation checks the dashboards kept until the
// next write (issue 17): the secretariat's drops a session from « Prochaines séances »
// at its start, within the memo's minute; shows a file submitted on the next request;
// and each association sees its own files, read right after the other's.
func TestDashboardFollowsEachWriteMinuteAndAssociation(t *testing.T) {
	w := filestest.New(t)
	y, m, d := w.Clock().In(models.Paris).Date()
	w.SetClock(time.Date(y, m, d+10, 13, 59, 50, 0, models.Paris))
	sec := w.Client()
	sec.SignIn(t, models.RoleSecretariat)
	resp := sec.PostForm(t, "/seances", url.Values{
		"kind": {"files"}, "mode": {"onsite"}, "date": {w.Clock().In(models.Paris).Format(time.DateOnly)}, "start": {"14:00"}, "end": {"16:00"},
		"place": {"Préfecture, salle Capitole"}, "capacity": {"10"},
	})
	if resp.Status != http.StatusSeeOther {
		t.Fatalf("POST /seances = %d\n%s", resp.Status, resp.Body)
	}
	a1, a2 := w.Client(), w.Client()
	a1.SignInAs(t, w.A1.Email, servertest.Password)
	a2.SignInAs(t, w.A2.Email, servertest.Password)
	upcoming := `href="` + resp.Location + `"`
	servertest.Expect(t, "before the session", sec.Get(t, "/"), http.StatusOK, upcoming, "0 dossier déposé attend")

	w.Advance(20 * time.Second) // 14:00:10
	if r := sec.Get(t, "/"); r.Status != http.StatusOK || strings.Contains(r.Body, upcoming) {
		t.Fatalf("the session started at 14:00 is still among the next sessions at 14:00:10 (%d)", r.Status)
	}

	f := w.Submitted(t, w.A1)
	servertest.Expect(t, "after a submission", sec.Get(t, "/"), http.StatusOK, "1 dossier déposé attend", f.Reference)
	servertest.Expect(t, "association 1", a1.Get(t, "/"), http.StatusOK, "1 dossier en cours d'instruction")
	servertest.Expect(t, "association 2", a2.Get(t, "/"), http.StatusOK, "0 dossier en cours d'instruction")
}
