package admin_test

import (
	"context"
	"net/http"
	"strconv"
	"testing"
	"time"

	"seance/app/mail"
	"seance/app/mail/mailtest"
	"seance/app/servertest"
	"seance/models"
)

func TestJobsPageShowsScheduleAndRunsNow(t *testing.T) {
	env := servertest.New(t)
	ctx := context.Background()
	sec := env.Client()
	sec.SignIn(t, models.RoleSecretariat)
	servertest.Expect(t, "secretariat GET /admin/taches", sec.Get(t, "/admin/taches"), http.StatusForbidden)

	admin := env.Client()
	admin.SignIn(t, models.RoleAdmin)
	servertest.Expect(t, "GET /admin/taches", admin.Get(t, "/admin/taches"), http.StatusOK,
		"Tâches planifiées", `id="tache-mail"`, `id="tache-cleanup"`, "Exécuter maintenant", "jamais", "<code>*/15 * * * *</code>")
	servertest.Expect(t, "unknown job", admin.PostForm(t, "/admin/taches/inconnue/executer", nil), http.StatusNotFound)

	resp := admin.PostForm(t, "/admin/taches/cleanup/executer", nil)
	servertest.Expect(t, "POST run cleanup", resp, http.StatusSeeOther)
	deadline := time.Now().Add(10 * time.Second) // real time: the job runs in the background
	var last models.JobRun
	for {
		runs, err := models.LastJobRuns(ctx, env.DB)
		if err != nil {
			t.Fatal(err)
		}
		if last = runs["cleanup"]; last.Status == models.JobOK {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("cleanup run = %+v, want ok within 10 s", last)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if last.Trigger != models.TriggerManual || !last.StartedAt.Equal(env.Clock()) {
		t.Errorf("run = %+v, want a manual run at the server's clock", last)
	}
	recs, err := models.ListAudit(ctx, env.DB, 0, 20)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, r := range recs {
		found = found || (r.Action == "job.run_requested" && r.Object == "job:cleanup" && r.ActorID == env.Users[models.RoleAdmin].ID)
	}
	if !found {
		t.Error("no job.run_requested audit record by the administrator")
	}
	servertest.Expect(t, "GET /admin/taches after the run", admin.Get(t, "/admin/taches"), http.StatusOK, "Réussie", "manual")
}

func TestFailedMailIsFlaggedToTheSecretariat(t *testing.T) {
	srv := mailtest.NewServer(t)
	env := servertest.NewWithEnv(t, srv.Env())
	ctx := context.Background()
	srv.RejectRecipient("inconnu@example.org")
	_, err := env.Mailer.Send(ctx, mail.Message{To: []string{"inconnu@example.org"}, Subject: "Rappel : séance de demain",
		Text: "Séance demain à 14 h.", Kind: "reminder", CommissionID: env.Commission.ID})
	if err != nil {
		t.Fatal(err)
	}
	env.DeliverMail(t)

	member := env.Client()
	member.SignIn(t, models.RoleMember)
	servertest.Expect(t, "member GET /courriels/echecs", member.Get(t, "/courriels/echecs"), http.StatusForbidden)

	sec := env.Client()
	sec.SignIn(t, models.RoleSecretariat)
	page := sec.Get(t, "/courriels/echecs")
	servertest.Expect(t, "GET /courriels/echecs", page, http.StatusOK, "inconnu@example.org", "Rappel : séance de demain", "550", "Renvoyer")
	failed, err := models.ListFailedOutbox(ctx, env.DB, env.Commission.ID, false, 10)
	if err != nil || len(failed) != 1 {
		t.Fatalf("ListFailedOutbox = %v, %v; want the refused message", failed, err)
	}
	resp := sec.PostForm(t, "/courriels/echecs/"+itoa(failed[0].ID)+"/renvoyer", nil)
	servertest.Expect(t, "POST renvoyer", resp, http.StatusSeeOther)
	servertest.Expect(t, "after resend", sec.Get(t, "/courriels/echecs"), http.StatusOK, "Le courriel est de nouveau en file")
	recs, err := models.ListAudit(ctx, env.DB, env.Commission.ID, 20)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, r := range recs {
		found = found || (r.Action == "mail.requeued" && r.ActorID == env.Users[models.RoleSecretariat].ID)
	}
	if !found {
		t.Error("no mail.requeued audit record by the secretariat")
	}
	servertest.Expect(t, "resend of an unknown message", sec.PostForm(t, "/courriels/echecs/999999/renvoyer", nil), http.StatusNotFound)
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
