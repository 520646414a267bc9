package server_test

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"seance/app/demo"
	"seance/app/servertest"
	"seance/models"
	filesmodel "seance/models/files"
	"seance/models/modelstest"
)

// demoPages is the server on the demo commission (three years of history, a busy
// sitting with its votes, procès-verbaux) with a browser signed in per role.
type demoPages struct {
	env                 *servertest.Env
	secretariat, member *servertest.Client
	prefecture          *servertest.Client
	cid, meeting, file  int64
	sittingID           int64
	queries             *modelstest.StatementCounter
	composition         string
	mailQueries         int64 // statements of one run of the mail job
}

func newDemoPages(b *testing.B, years int) *demoPages {
	b.Helper()
	ctx := context.Background()
	env, s := servertest.NewSeeded(b, years)
	d := &demoPages{env: env, cid: s.Commission.ID}
	// The files past their retention period are anonymised, as the daily job does in
	// production (the demo's seed does not run it): otherwise the retention panel would
	// weigh every file of the history.
	if _, err := env.Jobs.Run(ctx, "retention", models.TriggerCLI); err != nil {
		b.Fatal(err)
	}
	env.EnrolTOTP(b, s.Users[demo.EmailSecretariat])
	d.secretariat = env.Client()
	d.secretariat.SignInAs(b, demo.EmailSecretariat, servertest.Password)
	d.member = env.Client()
	d.member.SignInAs(b, demo.MemberEmail(1), servertest.Password)
	d.prefecture = env.Client()
	d.prefecture.SignInAs(b, demo.EmailPrefecture, servertest.Password)
	// The busiest held session (most votes, with its procès-verbal) is the one whose
	// pages cost the most.
	err := env.DB.NewSelect().Table("sitting_votes").Column("meeting_id").
		Where("commission_id = ? AND meeting_id IN (SELECT meeting_id FROM minutes)", s.Commission.ID).
		Group("meeting_id").OrderExpr("COUNT(*) DESC, meeting_id DESC").Limit(1).Scan(ctx, &d.meeting)
	if err != nil {
		b.Fatal(err)
	}
	// The sitting console: the session with the most votes, held or under way.
	if err := env.DB.NewSelect().Table("sitting_votes").Column("meeting_id").Where("commission_id = ?", s.Commission.ID).
		Group("meeting_id").OrderExpr("COUNT(*) DESC, meeting_id DESC").Limit(1).Scan(ctx, &d.sittingID); err != nil {
		b.Fatal(err)
	}
	d.composition = fmt.Sprintf("/commissions/%d/composition", s.Commission.ID)
	// The latest file the secretariat sees (an association's draft is its own).
	if err := env.DB.NewSelect().Table("files").Column("id").Where("commission_id = ? AND state <> ?", s.Commission.ID, filesmodel.StateDraft).
		OrderExpr("id DESC").Limit(1).Scan(ctx, &d.file); err != nil {
		b.Fatal(err)
	}
	d.queries = modelstest.CountStatements(env.DB)
	// Each client request also runs the mail job once (servertest.Client.Do): its
	// statements are not the page's.
	env.DeliverMail(b)
	d.mailQueries = d.queries.N()
	return d
}

// BenchmarkPages renders each main signed-in page of the demo through the real router
// and reports the database statements per request (queries/op). Compare runs with
// benchstat; docs/BENCHMARKS.md keeps the reference figures. The pages that keep what
// they computed until the next write (models.Memo) are served from it here.
func BenchmarkPages(b *testing.B) { benchPages(b, 0, false) }

// BenchmarkPagesAfterWrite is BenchmarkPages with a write to the database before each
// request (outside the timer, its statement not counted): every page computes all it
// shows, as the first request after a change does.
func BenchmarkPagesAfterWrite(b *testing.B) { benchPages(b, 0, true) }

// BenchmarkPagesAfterWrite10Years is BenchmarkPagesAfterWrite on ten years of history
// instead of three: a page's cost must not grow with the past sessions, votes and files.
func BenchmarkPagesAfterWrite10Years(b *testing.B) { benchPages(b, 10, true) }

func benchPages(b *testing.B, years int, afterWrite bool) {
	d := newDemoPages(b, years)
	ctx := context.Background()
	write := func() {
		b.StopTimer()
		if _, err := d.env.DB.NewUpdate().Table("commissions").Set("name = name").Where("id = ?", d.cid).Exec(ctx); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
	perOp := d.mailQueries
	if afterWrite {
		perOp++
	}
	// The first session the list links to: the session page tools/load measures.
	first := regexp.MustCompile(`href="(/seances/\d+)"`).FindStringSubmatch(d.secretariat.Get(b, "/seances").Body)
	if first == nil {
		b.Fatal("no session linked from /seances")
	}
	pages := []struct {
		name, path, want string
		c                *servertest.Client
	}{
		{"accueil", "/", "Tableau de bord", d.secretariat},
		{"accueil-membre", "/", "Tableau de bord", d.member},
		{"statistiques", "/statistiques", "Statistiques", d.prefecture},
		{"seances", "/seances", "Séances", d.secretariat},
		{"seance", fmt.Sprintf("/seances/%d", d.meeting), "Ordre du jour", d.secretariat},
		{"seance-liste", first[1], "Ordre du jour", d.secretariat},
		{"pv", fmt.Sprintf("/seances/%d/pv", d.meeting), "Procès-verbal", d.secretariat},
		{"dossiers", "/dossiers", "Dossiers", d.secretariat},
		{"dossier", fmt.Sprintf("/dossiers/%d", d.file), "Dossier", d.secretariat},
		{"composition", d.composition, "Composition", d.secretariat},
		{"sitting", fmt.Sprintf("/sitting/%d", d.sittingID), "Séance", d.secretariat},
		{"votes", "/votes", "Mes votes", d.member},
		{"pv.pdf", fmt.Sprintf("/seances/%d/pv.pdf", d.meeting), "%PDF", d.secretariat},
		{"pv.xlsx", fmt.Sprintf("/seances/%d/pv.xlsx", d.meeting), "PK", d.secretariat},
	}
	for _, p := range pages {
		b.Run(p.name, func(b *testing.B) {
			if r := p.c.Get(b, p.path); r.Status != http.StatusOK || !strings.Contains(r.Body, p.want) {
				b.Fatalf("GET %s = %d, want 200 with %q\n%.2000s", p.path, r.Status, p.want, r.Body)
			}
			b.ReportAllocs()
			start := d.queries.N()
			b.ResetTimer()
			for b.Loop() {
				if afterWrite {
					write()
				}
				p.c.Get(b, p.path)
			}
			b.StopTimer()
			b.ReportMetric(float64(d.queries.N()-start)/float64(b.N)-float64(perOp), "queries/op")
		})
	}
}
