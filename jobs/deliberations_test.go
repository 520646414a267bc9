package jobs_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"seance/models"
	"seance/models/meetings"
	"seance/models/modelstest"
	"seance/models/registry"
	"seance/models/sitting"
)

// writtenSession convenes a written session of w's commission starting at start, with
// one policy item announced for a written deliberation: debate from start, closing no
// earlier than 48 hours later, then 24 hours of vote.
func (w *remindWorld) writtenSession(t *testing.T, start time.Time, title string) (*meetings.Meeting, *sitting.WrittenDeliberation) {
	t.Helper()
	m, err := meetings.CreateMeeting(w.ctx, w.db, models.SystemActor("test"), w.c.ID, meetings.MeetingInput{
		Kind: meetings.MeetingFiles, Mode: meetings.ModeWritten, StartsAt: start, Place: "Délibération écrite", Capacity: 10,
	}, start.AddDate(0, 0, -22))
	if err != nil {
		t.Fatal(err)
	}
	modelstest.ConveneForTests(t, w.db, m, start.AddDate(0, 0, -21))
	item := modelstest.AppendAgendaItemForTests(t, w.db, m, meetings.ItemPolicy, 0, title)
	d, err := sitting.AnnounceDeliberation(w.ctx, w.db, w.users["president"], w.c.ID, item.ID, sitting.DeliberationInput{
		StartsAt: start, Deadline: start.Add(48 * time.Hour), VotingHours: 24, MeansChecked: true,
	}, start.AddDate(0, 0, -10))
	if err != nil {
		t.Fatal(err)
	}
	return m, d
}

// members appoints the titulaires of n seats, named a, b, c…, and returns their accounts.
func (w *remindWorld) members(t *testing.T, names ...string) map[string]*models.User {
	t.Helper()
	out := map[string]*models.User{}
	for _, name := range names {
		seat := modelstest.Seat(t, w.db, w.c.ID, registry.CategoryDDETS, "Qualité "+name)
		out[name] = modelstest.Appoint(t, w.db, seat, registry.MandateTitulaire, name+"@test.example", modelstest.Date(2025, 1, 6)).User
	}
	return out
}

func (w *remindWorld) deliberation(t *testing.T, id int64) *sitting.WrittenDeliberation {
	t.Helper()
	d, err := sitting.FindDeliberation(w.ctx, w.db, w.c.ID, id)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestRule12_DeliberationsJob_OpensRemindsClosesAndSendsResults(t *testing.T) {
	start := time.Date(2026, 3, 10, 9, 0, 0, 0, frParis)
	h := func(n int) time.Time { return start.Add(time.Duration(n) * time.Hour) }
	w := newRemindWorld(t, start.AddDate(0, 0, -30), modelstest.Date(2025, 1, 1))
	mb := w.members(t, "a", "b", "c", "d")
	pres := w.users["president"]
	_, d := w.writtenSession(t, start, "Programme d'actions 2026")
	cancelled, dc := w.writtenSession(t, start, "Point d'une séance annulée")
	if _, err := meetings.CancelMeeting(w.ctx, w.db, pres, w.c.ID, cancelled.ID, "Incident de messagerie", start.AddDate(0, 0, -5)); err != nil {
		t.Fatal(err)
	}
	obj := models.ObjectRef("deliberation", d.ID)
	to := func(kind string, who ...string) []string {
		var out []string
		for _, n := range who {
			email := pres.Email
			if n != "president" {
				email = mb[n].Email
			}
			out = append(out, kind+" "+obj+" → "+email)
		}
		return out
	}

	wantNotices(t, "a minute before the start", w.run(t, "deliberations", start.Add(-time.Minute)))
	if got := w.deliberation(t, d.ID).Status; got != sitting.DeliberationAnnounced {
		t.Fatalf("before the start: status %s, want announced", got)
	}
	wantNotices(t, "at the start", w.run(t, "deliberations", start.Add(2*time.Minute)), to("deliberation-open", "a", "b", "c", "d", "president")...)
	if got := w.deliberation(t, d.ID); got.Status != sitting.DeliberationOpen || got.OpenedAt == nil {
		t.Fatalf("after the start: %+v, want open", got)
	}
	if got := w.deliberation(t, dc.ID).Status; got != sitting.DeliberationAnnounced {
		t.Fatalf("deliberation of the cancelled session: status %s, want announced (left alone)", got)
	}
	wantNotices(t, "at the start, run again", w.run(t, "deliberations", start.Add(7*time.Minute)))
	if body := w.outboxBody(t, mb["a"].Email); !strings.Contains(body, "Programme d'actions 2026") || !strings.Contains(body, "12/03/2026 à 09h00") ||
		!strings.Contains(body, "https://seance.test/deliberations/"+itoa(d.ID)) {
		t.Errorf("opening notice:\n%s", body)
	}
	cs, err := sitting.ListContributions(w.ctx, w.db, w.kr, mb["a"], w.c.ID, d.ID)
	if err != nil || len(cs) != 1 || cs[0].Kind != sitting.ContributionOpening || cs[0].UserID != pres.ID || !strings.Contains(cs[0].Body, "au plus tôt") {
		t.Fatalf("thread after the scheduled opening = %+v (%v), want the chair's opening message recalling the deadline", cs, err)
	}

	if _, err := sitting.PostContribution(w.ctx, w.db, w.kr, mb["a"], w.c.ID, d.ID, 0, "Favorable au programme.", h(1)); err != nil {
		t.Fatal(err)
	}
	wantNotices(t, "more than a day before the deadline", w.run(t, "deliberations", h(23)))
	wantNotices(t, "a day before the deadline", w.run(t, "deliberations", h(25)), to("deliberation-reminder", "b", "c", "d")...)
	wantNotices(t, "a day before the deadline, run again", w.run(t, "deliberations", h(30)))
	w.restart(t)
	wantNotices(t, "after a restart", w.run(t, "deliberations", h(31)))

	// The deadline has passed: the chair is told the debate may be closed (the closing is theirs, art. 5).
	wantNotices(t, "at the debate's deadline", w.run(t, "deliberations", h(48)), to("deliberation-debate-due", "president")...)
	wantNotices(t, "after the debate's deadline, run again", w.run(t, "deliberations", h(48).Add(5*time.Minute)))
	if got := w.deliberation(t, d.ID).Status; got != sitting.DeliberationOpen {
		t.Fatalf("after the deadline: status %s, want open until the chair closes the debate", got)
	}
	v, err := sitting.CloseDebate(w.ctx, w.db, w.kr, pres, w.c.ID, d.ID, h(48).Add(10*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	for _, who := range []string{"a", "b"} {
		if _, err := sitting.CastBallot(w.ctx, w.db, mb[who], w.c.ID, v.ID, sitting.BallotInput{Choice: sitting.BallotFor}, h(49)); err != nil {
			t.Fatal(err)
		}
	}
	// An incident: the chair suspends the vote (art. 7); the job neither reminds nor closes.
	if _, err := sitting.SuspendDeliberation(w.ctx, w.db, w.kr, pres, w.c.ID, d.ID, "Panne du portail signalée par deux membres", h(50)); err != nil {
		t.Fatal(err)
	}
	wantNotices(t, "suspended, in the vote's reminder window", w.run(t, "deliberations", h(62)))
	wantNotices(t, "suspended, after the vote's first end", w.run(t, "deliberations", h(73)))
	if got := w.deliberation(t, d.ID).Status; got != sitting.DeliberationVoting {
		t.Fatalf("suspended vote after its first end: status %s, want voting", got)
	}
	if _, err := sitting.CastBallot(w.ctx, w.db, mb["c"], w.c.ID, v.ID, sitting.BallotInput{Choice: sitting.BallotFor}, h(73)); !errors.Is(err, sitting.ErrVoteClosed) {
		t.Fatalf("ballot while suspended: error %v, want ErrVoteClosed", err)
	}
	if _, err := sitting.CloseVote(w.ctx, w.db, pres, w.c.ID, v.ID, sitting.CloseVoteInput{}, h(73)); !errors.Is(err, sitting.ErrDeliberationSuspended) {
		t.Fatalf("the chair closes the suspended vote: error %v, want ErrDeliberationSuspended", err)
	}
	if _, err := sitting.ResumeDeliberation(w.ctx, w.db, w.kr, pres, w.c.ID, d.ID, h(70), "Portail rétabli", h(74)); err == nil {
		t.Fatal("resumed with a deadline in the past")
	}
	if _, err := sitting.ResumeDeliberation(w.ctx, w.db, w.kr, pres, w.c.ID, d.ID, h(100), "Portail rétabli", h(74)); err != nil {
		t.Fatal(err)
	}
	wantNotices(t, "resumed, before the new reminder window", w.run(t, "deliberations", h(75)))
	// The chair votes too (for the casting vote): reminded like c and d; a and b voted.
	wantNotices(t, "resumed, within a day of the new end", w.run(t, "deliberations", h(80)), to("deliberation-vote-reminder", "c", "d", "president")...)
	wantNotices(t, "resumed, reminder run again", w.run(t, "deliberations", h(81)))
	wantNotices(t, "a minute before the new end", w.run(t, "deliberations", h(100).Add(-time.Minute)))
	wantNotices(t, "at the new end", w.run(t, "deliberations", h(100)), to("deliberation-result", "a", "b", "c", "d", "president")...)
	wantNotices(t, "at the new end, run again", w.run(t, "deliberations", h(100).Add(5*time.Minute)))
	if got := w.deliberation(t, d.ID).Status; got != sitting.DeliberationClosed {
		t.Fatalf("after the end: status %s, want closed", got)
	}
	if body := w.outboxBody(t, mb["d"].Email); !strings.Contains(body, "Pour : 2 — Contre : 0") || !strings.Contains(body, "art. 6") {
		t.Errorf("results notice:\n%s", body)
	}
	var actions []string
	if err := w.db.NewSelect().Table("audit_log").Column("action").Where("object = ? AND actor_label = ?", obj, "jobs").Order("id ASC").Scan(w.ctx, &actions); err != nil {
		t.Fatal(err)
	}
	if strings.Join(actions, ",") != "deliberation.open,deliberation.close_vote" {
		t.Errorf("audited job actions %v, want the opening and the vote's closing", actions)
	}
	wantNotices(t, "the cancelled session, later", w.run(t, "deliberations", h(200)))
}

func TestRule12_DeliberationsJob_SuspendedDebateNotRemindedThenResumed(t *testing.T) {
	start := time.Date(2026, 3, 10, 9, 0, 0, 0, frParis)
	h := func(n int) time.Time { return start.Add(time.Duration(n) * time.Hour) }
	w := newRemindWorld(t, start.AddDate(0, 0, -30), modelstest.Date(2025, 1, 1))
	mb := w.members(t, "a", "b")
	pres := w.users["president"]
	_, d := w.writtenSession(t, start, "Convention avec l'ARS")
	obj := models.ObjectRef("deliberation", d.ID)
	if got := w.run(t, "deliberations", start); len(got) != 3 {
		t.Fatalf("opening notices %v, want a, b and the chair", got)
	}
	if _, err := sitting.SuspendDeliberation(w.ctx, w.db, w.kr, pres, w.c.ID, d.ID, "Messagerie indisponible", h(2)); err != nil {
		t.Fatal(err)
	}
	wantNotices(t, "suspended debate, a day before its deadline", w.run(t, "deliberations", h(25)))
	if _, err := sitting.PostContribution(w.ctx, w.db, w.kr, mb["a"], w.c.ID, d.ID, 0, "Pendant la suspension", h(26)); !errors.Is(err, sitting.ErrDeliberationSuspended) {
		t.Fatalf("contribution while suspended: error %v, want ErrDeliberationSuspended", err)
	}
	if _, err := sitting.CloseDebate(w.ctx, w.db, w.kr, pres, w.c.ID, d.ID, h(49)); !errors.Is(err, sitting.ErrDeliberationSuspended) {
		t.Fatalf("closing a suspended debate: error %v, want ErrDeliberationSuspended", err)
	}
	if _, err := sitting.ResumeDeliberation(w.ctx, w.db, w.kr, pres, w.c.ID, d.ID, h(96), "Messagerie rétablie", h(50)); err != nil {
		t.Fatal(err)
	}
	if got := w.deliberation(t, d.ID); !got.Deadline.Equal(h(96)) || got.Suspended() || got.Suspensions != 1 {
		t.Fatalf("after resuming: %+v, want the new deadline, not suspended", got)
	}
	wantNotices(t, "resumed, more than a day before the new deadline", w.run(t, "deliberations", h(51)))
	wantNotices(t, "resumed, a day before the new deadline", w.run(t, "deliberations", h(73)),
		"deliberation-reminder "+obj+" → "+mb["a"].Email, "deliberation-reminder "+obj+" → "+mb["b"].Email)
	cs, err := sitting.ListContributions(w.ctx, w.db, w.kr, mb["b"], w.c.ID, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, c := range cs {
		kinds = append(kinds, string(c.Kind))
	}
	if strings.Join(kinds, ",") != "opening,suspended,resumed" || !strings.Contains(cs[1].Body, "Messagerie indisponible") || !strings.Contains(cs[2].Body, "14/03/2026 à 09:00") {
		t.Fatalf("thread %v %+v: want the suspension and the resumption with its reason and new deadline", kinds, cs)
	}
}
