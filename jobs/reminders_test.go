package jobs_test

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"seance/app/config"
	"seance/app/mail"
	"seance/jobs"
	"seance/models"
	"seance/models/files"
	"seance/models/keyring"
	"seance/models/meetings"
	"seance/models/modelstest"
	"seance/models/registry"
)

// frParis is the commissions' time zone.
var frParis, _ = time.LoadLocation("Europe/Paris")

// remindWorld is a commission with its staff and the portal's jobs on a test clock.
type remindWorld struct {
	ctx   context.Context
	db    *bun.DB
	kr    *keyring.Keyring
	clock *modelstest.Clock
	reg   *jobs.Registry
	cfg   *config.Config
	c     *models.Commission
	a1    *registry.Association
	users map[string]*models.User
}

func newRemindWorld(t *testing.T, start time.Time, agrement time.Time) *remindWorld {
	t.Helper()
	db := modelstest.NewDB(t)
	w := &remindWorld{ctx: context.Background(), db: db, kr: modelstest.Keyring(t), clock: modelstest.NewClock(), users: map[string]*models.User{}}
	w.clock.Set(start)
	cfg, err := config.Load(func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	if err := cfg.UseGeneratedKey(); err != nil {
		t.Fatal(err)
	}
	w.cfg = cfg
	w.restart(t)
	w.c = modelstest.Commission(t, db, "31")
	w.a1 = modelstest.Association(t, db, w.c, "Association Une", "31", agrement)
	a2 := modelstest.Association(t, db, w.c, "Association Deux", "31", modelstest.Date(2025, 1, 1))
	w.users["secretariat"] = modelstest.User(t, db, w.c, models.RoleSecretariat, nil)
	w.users["president"] = modelstest.User(t, db, w.c, models.RolePresident, nil)
	w.users["association"] = modelstest.User(t, db, w.c, models.RoleAssociation, w.a1)
	w.users["association2"] = modelstest.User(t, db, w.c, models.RoleAssociation, a2)
	return w
}

// restart builds the portal's jobs afresh, as a restarted server does.
func (w *remindWorld) restart(t *testing.T) {
	t.Helper()
	mailer, err := mail.New(w.cfg, w.db, nil, w.clock.Now)
	if err != nil {
		t.Fatal(err)
	}
	if w.reg, err = jobs.Portal(jobs.Deps{DB: w.db, Now: w.clock.Now, Location: frParis, Mailer: mailer, BaseURL: "https://seance.test", Keys: w.kr}); err != nil {
		t.Fatal(err)
	}
}

// run runs job name at instant at and returns the notices it sent, as "kind → e-mail".
func (w *remindWorld) run(t *testing.T, name string, at time.Time) []string {
	t.Helper()
	w.clock.Set(at)
	before := w.notices(t)
	run, err := w.reg.Run(w.ctx, name, models.TriggerCLI)
	if err != nil {
		t.Fatalf("run %s at %s: %v", name, at, err)
	}
	after := w.notices(t)
	got := after[len(before):]
	if run.Items != len(got) {
		t.Errorf("run %s at %s: %d items recorded, %d notices", name, at, run.Items, len(got))
	}
	return got
}

func (w *remindWorld) notices(t *testing.T) []string {
	t.Helper()
	var ns []models.Notification
	if err := w.db.NewSelect().Model(&ns).Order("id ASC").Scan(w.ctx); err != nil {
		t.Fatal(err)
	}
	out := make([]string, len(ns))
	for i, n := range ns {
		out[i] = n.Kind + " " + n.Object + " → " + n.Email
	}
	return out
}

func wantNotices(t *testing.T, when string, got []string, want ...string) {
	t.Helper()
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("%s: notices\n%s\nwant\n%s", when, strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// outboxBody returns the text of the e-mail of the latest notification to email.
func (w *remindWorld) outboxBody(t *testing.T, email string) string {
	t.Helper()
	var n models.Notification
	if err := w.db.NewSelect().Model(&n).Where("email = ?", email).Order("id DESC").Limit(1).Scan(w.ctx); err != nil {
		t.Fatal(err)
	}
	var m models.OutboxMessage
	if n.OutboxID == nil {
		t.Fatalf("notification %s has no e-mail", n.Key)
	}
	if err := w.db.NewSelect().Model(&m).Where("id = ?", *n.OutboxID).Scan(w.ctx); err != nil {
		t.Fatal(err)
	}
	return m.Body
}

func TestConvocationFollowUp(t *testing.T) {
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, frParis)
	w := newRemindWorld(t, now, modelstest.Date(2025, 1, 1))
	sec, pres := w.users["secretariat"], w.users["president"]
	ids := map[string]int64{}
	for _, name := range []string{"a", "b", "c"} {
		seat := modelstest.Seat(t, w.db, w.c.ID, registry.CategoryDDETS, "Qualité "+name)
		ids[name] = modelstest.Appoint(t, w.db, seat, registry.MandateTitulaire, name+"@test.example", modelstest.Date(2025, 1, 6)).User.ID
	}
	convene := func(start time.Time) *meetings.Meeting {
		t.Helper()
		m, err := meetings.CreateMeeting(w.ctx, w.db, models.SystemActor("test"), w.c.ID, meetings.MeetingInput{
			Kind: meetings.MeetingFiles, Mode: meetings.ModeOnSite, StartsAt: start, Place: "Préfecture", Capacity: 5,
		}, now)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := meetings.AddAgendaItem(w.ctx, w.db, sec, w.c.ID, m.ID, meetings.ItemInput{Kind: meetings.ItemInformation, Title: "Informations"}, now); err != nil {
			t.Fatal(err)
		}
		if _, err := meetings.Convoke(w.ctx, w.db, pres, w.c.ID, m.ID, meetings.ConvokeInput{}, now); err != nil {
			t.Fatal(err)
		}
		return m
	}
	m := convene(time.Date(2026, 3, 10, 14, 0, 0, 0, frParis))
	cancelled := convene(time.Date(2026, 3, 10, 16, 0, 0, 0, frParis))
	if _, err := meetings.CancelMeeting(w.ctx, w.db, pres, w.c.ID, cancelled.ID, "Salle indisponible", now); err != nil {
		t.Fatal(err)
	}
	// a answers; b and c do not: 1 expected of the 2 required.
	if _, err := meetings.Reply(w.ctx, w.db, models.SystemActor("test"), w.c.ID, m.ID, ids["a"], meetings.ReplyInput{Status: meetings.AttPresentOnSite}, now); err != nil {
		t.Fatal(err)
	}
	obj := models.ObjectRef("meeting", m.ID)

	wantNotices(t, "three days before", w.run(t, "convocations", time.Date(2026, 3, 7, 9, 0, 0, 0, frParis)))
	j2 := time.Date(2026, 3, 8, 9, 0, 0, 0, frParis)
	wantNotices(t, "two days before", w.run(t, "convocations", j2),
		"quorum-at-risk "+obj+" → "+sec.Email, "quorum-at-risk "+obj+" → "+pres.Email)
	wantNotices(t, "two days before, run again", w.run(t, "convocations", j2.Add(time.Hour)))
	body := w.outboxBody(t, pres.Email)
	for _, want := range []string{"1 membre(s) seront présents ou représentés", "quorum de 2", "https://seance.test/seances/" + itoa(m.ID) + "/reponses"} {
		if !strings.Contains(body, want) {
			t.Errorf("quorum notice lacks %q:\n%s", want, body)
		}
	}
	j1 := time.Date(2026, 3, 9, 9, 0, 0, 0, frParis)
	wantNotices(t, "the day before", w.run(t, "convocations", j1),
		"convocation-reminder "+obj+" → b@test.example", "convocation-reminder "+obj+" → c@test.example")
	wantNotices(t, "the day before, run again", w.run(t, "convocations", j1.Add(2*time.Hour)))
	if body := w.outboxBody(t, "b@test.example"); !strings.Contains(body, "https://seance.test/seances/"+itoa(m.ID)) ||
		!strings.Contains(body, "10/03/2026 à 14h00") {
		t.Errorf("reminder without the session's link or time:\n%s", body)
	}
	// The person sees it on their page, newest first.
	ns, err := models.ListNotifications(w.ctx, w.db, ids["b"], 20)
	if err != nil || len(ns) != 1 || ns[0].Link != "/seances/"+itoa(m.ID) {
		t.Errorf("b's notifications = %+v, %v", ns, err)
	}
	wantNotices(t, "the day of the session", w.run(t, "convocations", time.Date(2026, 3, 10, 9, 0, 0, 0, frParis)))
}

// entry takes an authorised entry of association 1 through to its decision on day at:
// a parcours with a period of rights of six months from then.
func (w *remindWorld) entry(t *testing.T, name string, at time.Time) int64 {
	t.Helper()
	f := w.request(t, modelstest.CompleteInput(files.KindEngagement, modelstest.Person(name, "Ada", 1990), 0), at, files.StateDecided)
	return *f.ParcoursID
}

// request creates a file of association 1 on day at and moves it to state target.
func (w *remindWorld) request(t *testing.T, in files.FileInput, at time.Time, target files.State) *files.File {
	t.Helper()
	assoc, sec := w.users["association"], w.users["secretariat"]
	f, err := files.CreateFile(w.ctx, w.db, w.kr, assoc, in, at)
	if err != nil {
		t.Fatal(err)
	}
	ti := files.TransitionInput{SessionID: 7, SessionDate: at.AddDate(0, 0, 7), Avis: files.AvisFavorable, AvisOn: at,
		Decision: files.Decision{Outcome: files.DecisionAuthorised, DecidedOn: at, NotifiedPersonOn: at, NotifiedAssociationOn: at}}
	for _, step := range []struct {
		to files.State
		by *models.User
	}{{files.StateSubmitted, assoc}, {files.StateAdmissible, sec}, {files.StateScheduled, sec}, {files.StateExamined, w.users["president"]}, {files.StateDecided, sec}} {
		if err := files.Transition(w.ctx, w.db, w.kr, step.by, f.ID, step.to, ti, at); err != nil {
			t.Fatalf("%s → %s: %v", f.Kind, step.to, err)
		}
		if step.to == target {
			break
		}
	}
	got, _, err := files.FindFile(w.ctx, w.db, sec, f.ID, at)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func TestRenewalNotices(t *testing.T) {
	decided := modelstest.Date(2026, 1, 12)
	w := newRemindWorld(t, time.Date(2026, 1, 12, 9, 0, 0, 0, frParis), modelstest.Date(2025, 1, 1))
	sec, assoc := w.users["secretariat"], w.users["association"]
	p := w.entry(t, "Exemple Un", decided)
	ended := w.entry(t, "Exemple Deux", decided)
	renewing := w.entry(t, "Exemple Trois", decided)
	if err := files.EndParcours(w.ctx, w.db, sec, ended, files.EndLeft, modelstest.Date(2026, 2, 1), modelstest.Date(2026, 2, 1)); err != nil {
		t.Fatal(err)
	}
	w.request(t, modelstest.CompleteInput(files.KindRenewal, nil, renewing), modelstest.Date(2026, 4, 1), files.StateSubmitted)
	ps, err := files.FindParcours(w.ctx, w.db, sec, p, decided)
	if err != nil {
		t.Fatal(err)
	}
	due := ps.RenewalDueOn // first day without rights
	obj := models.ObjectRef("parcours", p)
	at := func(daysBefore int) time.Time {
		return time.Date(due.Year(), due.Month(), due.Day()-daysBefore, 7, 0, 0, 0, frParis)
	}

	wantNotices(t, "46 days before", w.run(t, "renewals", at(46)))
	wantNotices(t, "45 days before", w.run(t, "renewals", at(45)),
		"renewal-45 "+obj+" → "+assoc.Email, "renewal-45 "+obj+" → "+sec.Email)
	wantNotices(t, "45 days before, run again", w.run(t, "renewals", at(45).Add(time.Hour)))
	wantNotices(t, "30 days before", w.run(t, "renewals", at(30)))
	body := w.outboxBody(t, assoc.Email)
	if !strings.Contains(body, "https://seance.test/parcours/"+itoa(p)) || !strings.Contains(body, ps.Reference) || strings.Contains(body, "Exemple") {
		t.Errorf("renewal notice: want the parcours link and reference, never the person's name:\n%s", body)
	}
	// The association's only account is closed: its contact address is told instead.
	if _, err := w.db.NewUpdate().Model((*models.User)(nil)).Set("active = ?", false).Where("id = ?", assoc.ID).Exec(w.ctx); err != nil {
		t.Fatal(err)
	}
	wantNotices(t, "15 days before", w.run(t, "renewals", at(15)),
		"renewal-15 "+obj+" → "+w.a1.ContactEmail, "renewal-15 "+obj+" → "+sec.Email)
	wantNotices(t, "10 days before", w.run(t, "renewals", at(10)))
	// On lapse the parcours shows « Période échue », and nothing more is sent.
	wantNotices(t, "lapsed", w.run(t, "renewals", at(-1)))
	if ps, err := files.FindParcours(w.ctx, w.db, sec, p, at(-1)); err != nil || ps.Status != files.ParcoursLapsed || ps.Status.Label() != "Période échue" {
		t.Errorf("after the end of the period: %v, %v", ps.Status, err)
	}
	ns, err := models.ListNotifications(w.ctx, w.db, sec.ID, 20)
	if err != nil || len(ns) != 2 || ns[0].Kind != "renewal-15" || ns[1].Kind != "renewal-45" || ns[0].Link != "/parcours/"+itoa(p) {
		t.Errorf("secretariat's notifications (newest first) = %+v, %v", ns, err)
	}
}

func TestTermAndAgrementNotices(t *testing.T) {
	w := newRemindWorld(t, time.Date(2026, 1, 5, 9, 0, 0, 0, frParis), modelstest.Date(2023, 7, 1)) // agrément of association 1 ends on 01/07/2026
	sec := w.users["secretariat"]
	ending := modelstest.Appoint(t, w.db, modelstest.Seat(t, w.db, w.c.ID, registry.CategoryDDETS, "Qualité a"), registry.MandateTitulaire, "a@test.example", modelstest.Date(2023, 6, 1))
	modelstest.Appoint(t, w.db, modelstest.Seat(t, w.db, w.c.ID, registry.CategoryDoctor, "Qualité b"), registry.MandateTitulaire, "b@test.example", modelstest.Date(2025, 6, 1))
	term := ending.Mandate.TermEndsOn // 31/05/2026
	mObj, aObj := models.ObjectRef("mandate", ending.Mandate.ID), models.ObjectRef("association", w.a1.ID)

	wantNotices(t, "91 days before the term", w.run(t, "terms", time.Date(2026, 3, 1, 7, 10, 0, 0, frParis)))
	wantNotices(t, "90 days before the term", w.run(t, "terms", time.Date(2026, 3, 2, 7, 10, 0, 0, frParis)), "term-90 "+mObj+" → "+sec.Email)
	wantNotices(t, "run again", w.run(t, "terms", time.Date(2026, 3, 2, 8, 0, 0, 0, frParis)))
	w.restart(t)
	wantNotices(t, "run again after a restart", w.run(t, "terms", time.Date(2026, 3, 3, 7, 10, 0, 0, frParis)))
	if body := w.outboxBody(t, sec.Email); !strings.Contains(body, term.Format("02/01/2006")) || !strings.Contains(body, "https://seance.test/composition") {
		t.Errorf("term notice:\n%s", body)
	}
	wantNotices(t, "90 days before the agrément's end", w.run(t, "terms", time.Date(2026, 4, 3, 7, 10, 0, 0, frParis)), "agrement-90 "+aObj+" → "+sec.Email)
	wantNotices(t, "a week later", w.run(t, "terms", time.Date(2026, 4, 10, 7, 10, 0, 0, frParis)))
	if body := w.outboxBody(t, sec.Email); !strings.Contains(body, "Association Une") || !strings.Contains(body, "30/06/2026") {
		t.Errorf("agrément notice:\n%s", body)
	}
}

func itoa(id int64) string { return strconv.FormatInt(id, 10) }

// Two instances running the same job at once send each notice once.
func TestNoticeOnceWithTwoInstances(t *testing.T) {
	w := newRemindWorld(t, time.Date(2026, 3, 2, 7, 10, 0, 0, frParis), modelstest.Date(2023, 3, 15)) // agrément ends on 15/03/2026
	other := *w
	other.restart(t)
	errs := make(chan error, 2)
	for _, reg := range []*jobs.Registry{w.reg, other.reg} {
		go func() {
			_, err := reg.Run(w.ctx, "terms", models.TriggerSchedule)
			errs <- err
		}()
	}
	for range 2 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	wantNotices(t, "two instances", w.notices(t), "agrement-90 "+models.ObjectRef("association", w.a1.ID)+" → "+w.users["secretariat"].Email)
	n, err := w.db.NewSelect().Model((*models.OutboxMessage)(nil)).Where("kind = ?", "agrement-90").Count(w.ctx)
	if err != nil || n != 1 {
		t.Errorf("agrément e-mails queued: %d, %v; want 1", n, err)
	}
}
