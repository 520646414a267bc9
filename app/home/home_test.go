package home_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"seance/app/demo"
	"seance/app/servertest"
	"seance/models/dashboard"
	"seance/models/files"
	"seance/models/meetings"
	"seance/models/minutes"
)

// TestDashboardsTellTheTruth checks each role's dashboard against the data: the counts
// computed in SQL agree with the lists the other pages build, and each item links to
// its page.
func TestDashboardsTellTheTruth(t *testing.T) {
	ctx := context.Background()
	env, s := servertest.NewSeeded(t, 0)
	now := env.Clock()
	page := func(email string) string {
		t.Helper()
		resp := signIn(t, env, s, email).Get(t, "/")
		if resp.Status != http.StatusOK {
			t.Fatalf("%s dashboard = %d", email, resp.Status)
		}
		return strings.ReplaceAll(resp.Body, "&#39;", "'")
	}
	want := func(who, body string, parts ...string) {
		t.Helper()
		for _, p := range parts {
			if !strings.Contains(body, p) {
				t.Errorf("%s dashboard lacks %q", who, p)
			}
		}
	}

	sec := s.Users[demo.EmailSecretariat]
	submitted, err := files.ListFiles(ctx, env.DB, sec, files.FileFilter{States: []files.State{files.StateSubmitted}}, now)
	if err != nil {
		t.Fatal(err)
	}
	due, err := files.RenewalsDue(ctx, env.DB, sec.CommissionIDOrZero(), files.DateOf(now).AddDate(0, 0, 61), now)
	if err != nil {
		t.Fatal(err)
	}
	renewals := 0
	for _, p := range due {
		if p.PendingFile == "" {
			renewals++
		}
	}
	if renewals == 0 || len(submitted) == 0 {
		t.Fatalf("demo has %d renewals due and %d files submitted: the test needs some", renewals, len(submitted))
	}
	incoming, err := dashboard.FilesInState(ctx, env.DB, sec, files.StateSubmitted)
	if err != nil || incoming.Count != len(submitted) {
		t.Fatalf("files to check = %+v, %v; the files page lists %d", incoming, err, len(submitted))
	}
	body := page(demo.EmailSecretariat)
	want("secretariat", body, fmt.Sprintf("%d dossiers déposés attendent", len(submitted)),
		fmt.Sprintf(`href="/dossiers/%d"`, incoming.Items[0].ID), "Dossier "+incoming.Items[0].Label+" — déposé le",
		fmt.Sprintf("%d parcours arrivent à échéance", renewals), fmt.Sprintf(`href="/parcours/%d"`, due[0].ID),
		"Séances sans convocation", `href="/courriels/echecs"`, `href="/admin/audit"`)

	pres := s.Users[demo.EmailPresident]
	drafts, err := dashboard.MinutesWaiting(ctx, env.DB, pres, minutes.MinutesDraft)
	if err != nil {
		t.Fatal(err)
	}
	if drafts.Count == 0 {
		t.Fatal("the demo has no procès-verbal draft for the president")
	}
	chairs, err := meetings.MyConvocations(ctx, env.DB, pres.CommissionIDOrZero(), pres.ID, now)
	if err != nil || len(chairs) < 2 {
		t.Fatalf("the president's convocations = %d, %v: the test needs two", len(chairs), err)
	}
	body = page(demo.EmailPresident)
	if strings.Contains(body, "attendent votre réponse") || strings.Contains(body, "attend votre réponse") {
		t.Error("the president's dashboard asks for an answer to convocations: the chair holds no seat and has none to give")
	}
	want("president", body, fmt.Sprintf("%d séances à venir.", len(chairs)), "vous présidez la séance", "Procès-verbaux à valider", fmt.Sprintf(`href="/seances/%d/pv"`, drafts.Items[0].MeetingID), "Votes à ouvrir ou à clore", "Séances à convoquer")
	if strings.Contains(body, `href="/admin/audit"`) {
		t.Error("the president's dashboard links the audit journal, which answers 403 to the president")
	}

	member := s.Users[demo.MemberEmail(1)]
	convs, err := meetings.MyConvocations(ctx, env.DB, member.CommissionIDOrZero(), member.ID, now)
	if err != nil || len(convs) == 0 {
		t.Fatalf("member convocations = %d, %v: the test needs one", len(convs), err)
	}
	votes, err := dashboard.OpenVotesAwaiting(ctx, env.DB, member, now)
	if err != nil || votes.Count == 0 {
		t.Fatalf("open votes awaiting the member = %d, %v: the demo must leave one", votes.Count, err)
	}
	body = page(demo.MemberEmail(1))
	want("member", body, "Mes votes", plural(votes.Count, "vote ouvert attend", "votes ouverts attendent")+" votre bulletin", votes.Items[0].Label+" — à voter avant le", "Mes convocations")
	// The deliberation whose debate is closed is listed by its vote only; the one still
	// debating is listed with its deadline.
	debating, err := dashboard.WrittenDeliberations(ctx, env.DB, member)
	if err != nil || debating.Count != 1 {
		t.Fatalf("written deliberations debating for the member = %+v, %v: the demo has one", debating, err)
	}
	want("member", body, "1 délibération écrite est en cours", debating.Items[0].Label+" — échanges jusqu'au", fmt.Sprintf(`href="/deliberations/%d"`, debating.Items[0].ID))
	if strings.Contains(body, votes.Items[0].Label+" — échanges") {
		t.Error("the member's dashboard lists as debating a deliberation whose vote is open")
	}
	for _, r := range convs {
		want("member", body, fmt.Sprintf(`href="/seances/%d"`, r.Meeting.ID))
	}

	asso := s.Users[demo.AssociationEmail(1)]
	incomplete, err := files.ListFiles(ctx, env.DB, asso, files.FileFilter{States: []files.State{files.StateIncomplete}}, now)
	if err != nil {
		t.Fatal(err)
	}
	body = page(demo.AssociationEmail(1))
	if len(incomplete) < 2 {
		t.Fatalf("association 1 has %d incomplete files in the demo: the test needs two", len(incomplete))
	}
	want("association", body, fmt.Sprintf("%d dossiers déclarés incomplets attendent vos compléments", len(incomplete)))
	for _, f := range incomplete {
		want("association", body, fmt.Sprintf(`href="/dossiers/%d"`, f.ID), "Dossier "+f.Reference+" — déposé le")
	}
	want("association", body, "Renouvellements à préparer", `href="/dossiers/nouveau"`)
}

// plural writes "1 vote" or "2 votes" as the dashboard does.
func plural(n int, one, many string) string {
	if n > 1 {
		return fmt.Sprintf("%d %s", n, many)
	}
	return fmt.Sprintf("%d %s", n, one)
}
