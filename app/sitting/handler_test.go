package sitting_test

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"seance/app/servertest"
	"seance/models"
	"seance/models/meetings"
	"seance/models/modelstest"
	"seance/models/registry"
	"seance/models/sitting"
)

// world is a server with four voting seats: the env's member holds s1; m2..m4 the
// others. A session convened for 13:00 UTC the day after the test epoch has a policy
// item; the server's clock reads 12:00 that day.
type world struct {
	env    *servertest.Env
	ctx    context.Context
	m      *meetings.Meeting
	item   *meetings.AgendaItem
	seats  map[string]*registry.Seat
	users  map[string]*models.User
	member *models.User
}

func newWorld(t *testing.T, mode meetings.MeetingMode) *world {
	t.Helper()
	env := servertest.New(t)
	start := modelstest.Day(1).Add(13 * time.Hour) // tomorrow 13:00 UTC on the test clock
	env.SetClock(start.Add(-time.Hour))
	w := &world{env: env, ctx: context.Background(), seats: map[string]*registry.Seat{}, users: map[string]*models.User{}, member: env.Users[models.RoleMember]}
	cid := env.Commission.ID
	for i, name := range []string{"s1", "m2", "m3", "m4"} {
		s := modelstest.Seat(t, env.DB, cid, registry.CategoryLocalAuthority, "Élu "+name)
		w.seats[name] = s
		email := name + "@sitting.test"
		if i == 0 {
			email = w.member.Email
		}
		w.users[name] = modelstest.Appoint(t, env.DB, s, registry.MandateTitulaire, email, modelstest.Day(-322)).User
	}
	m, err := meetings.CreateMeeting(w.ctx, env.DB, models.SystemActor("test"), cid, meetings.MeetingInput{
		Kind: meetings.MeetingPolicy, Mode: mode, StartsAt: start, Place: "Préfecture", Capacity: 10,
	}, start.AddDate(0, 0, -22))
	if err != nil {
		t.Fatal(err)
	}
	modelstest.ConveneForTests(t, env.DB, m, start.AddDate(0, 0, -21))
	w.m = m
	w.item = modelstest.AppendAgendaItemForTests(t, env.DB, m, meetings.ItemPolicy, 0, "Programme départemental d'actions")
	return w
}

// at returns the day days after the session's day at hm (hh:mm), as a datetime-local
// form value (Paris time).
func (w *world) at(days int, hm string) string {
	return w.m.StartsAt.AddDate(0, 0, days).Format("2006-01-02") + "T" + hm
}

// paris reads a datetime-local value as Paris time.
func (w *world) paris(t *testing.T, v string) time.Time {
	t.Helper()
	loc, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	at, err := time.ParseInLocation("2006-01-02T15:04", v, loc)
	if err != nil {
		t.Fatal(err)
	}
	return at
}

func (w *world) reply(t *testing.T, seat string, status meetings.AttendanceStatus) {
	t.Helper()
	_, err := meetings.SetAttendance(w.ctx, w.env.DB, models.SystemActor("test"), w.env.Commission.ID, w.m.ID,
		meetings.AttendanceInput{SeatID: w.seats[seat].ID, Status: status}, w.env.Clock())
	if err != nil {
		t.Fatal(err)
	}
}

func (w *world) path(format string, args ...any) string { return fmt.Sprintf(format, args...) }

func follow(t *testing.T, c *servertest.Client, r *servertest.Response) *servertest.Response {
	t.Helper()
	if r.Status != http.StatusSeeOther {
		t.Fatalf("status %d, want 303\n%s", r.Status, r.Body)
	}
	return c.Get(t, r.Location)
}

func TestSittingAccessByRole(t *testing.T) {
	w := newWorld(t, meetings.ModeOnSite)
	other := modelstest.Commission(t, w.env.DB, "09")
	om, err := meetings.CreateMeeting(w.ctx, w.env.DB, models.SystemActor("test"), other.ID, meetings.MeetingInput{
		Kind: meetings.MeetingPolicy, Mode: meetings.ModeWritten, StartsAt: w.m.StartsAt}, w.m.StartsAt.AddDate(0, 0, -20))
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		role models.Role
		path string
		want int
	}{
		{models.RoleSecretariat, w.path("/sitting/%d", w.m.ID), http.StatusOK},
		{models.RolePresident, w.path("/sitting/%d", w.m.ID), http.StatusOK},
		{models.RolePresident, "/sitting", http.StatusOK},
		{models.RoleMember, w.path("/sitting/%d", w.m.ID), http.StatusForbidden},
		{models.RoleAssociation, "/votes", http.StatusForbidden},
		{models.RoleSecretariat, "/votes", http.StatusForbidden},
		{models.RoleMember, "/votes", http.StatusOK},
		{models.RoleSecretariat, w.path("/sitting/%d", om.ID), http.StatusNotFound},
		{models.RoleMember, "/votes/999", http.StatusNotFound},
	} {
		t.Run(fmt.Sprintf("%s %s", tt.role, tt.path), func(t *testing.T) {
			c := w.env.Client()
			c.SignIn(t, tt.role)
			if r := c.Get(t, tt.path); r.Status != tt.want {
				t.Fatalf("GET %s as %s = %d, want %d", tt.path, tt.role, r.Status, tt.want)
			}
		})
	}
}

var receiptRe = regexp.MustCompile(`Reçu : ([0-9a-f]{4} [0-9a-f]{4} [0-9a-f]{4} [0-9a-f]{4})`)

func TestSittingFromOpeningToResult(t *testing.T) {
	w := newWorld(t, meetings.ModeOnSite)
	w.reply(t, "s1", meetings.AttPresentRemote)
	w.reply(t, "m2", meetings.AttPresentOnSite)
	w.reply(t, "m4", meetings.AttExcused)
	sec := w.env.Client()
	sec.SignIn(t, models.RoleSecretariat)
	base := w.path("/sitting/%d", w.m.ID)
	// Before the opening, the console offers the presidents as chair (read only then).
	chair := fmt.Sprintf(`<option value="%d"`, w.env.Users[models.RolePresident].ID)
	if r := sec.Get(t, base); r.Status != http.StatusOK || !strings.Contains(r.Body, `id="chair_id"`) || !strings.Contains(r.Body, chair) {
		t.Fatalf("GET %s before the opening = %d, without the president in the choice of the chair", base, r.Status)
	}

	// Opening is refused until every seat is confirmed.
	r := follow(t, sec, sec.PostForm(t, base+"/open", url.Values{"chair_id": {fmt.Sprint(w.env.Users[models.RolePresident].ID)}}))
	if !strings.Contains(r.Body, "Confirmez d&#39;abord la participation") {
		t.Fatalf("open before confirmation: page lacks the refusal\n%s", r.Body)
	}
	// A proxy to a member who does not sit is refused (requirement 2).
	r = follow(t, sec, sec.PostForm(t, base+"/attendance", url.Values{"seat_id": {fmt.Sprint(w.seats["m3"].ID)}, "status": {fmt.Sprintf("proxy:%d", w.users["m4"].ID)}}))
	if !strings.Contains(r.Body, "ne siégera pas lui-même") {
		t.Fatalf("proxy to an absent member: page lacks the refusal")
	}
	follow(t, sec, sec.PostForm(t, base+"/attendance/confirm", nil))
	r = follow(t, sec, sec.PostForm(t, base+"/open", url.Values{"chair_id": {fmt.Sprint(w.env.Users[models.RolePresident].ID)}}))
	for _, want := range []string{"La séance est ouverte", "Quorum", "atteint", "Ouvrir le vote", `hx-get="/sitting/`} {
		if !strings.Contains(r.Body, want) {
			t.Fatalf("console after opening lacks %q", want)
		}
	}
	// The member's page before the vote: it is kept until the next write (issue 17), and
	// opening the vote is one.
	mem := w.env.Client()
	mem.SignIn(t, models.RoleMember)
	if r := mem.Get(t, "/votes"); strings.Contains(r.Body, "À voter") {
		t.Fatalf("member's votes page shows a vote before it is opened\n%s", r.Body)
	}
	r = sec.PostForm(t, w.path("%s/items/%d/vote", base, w.item.ID), nil)
	if r.Status != http.StatusSeeOther || !strings.Contains(r.Location, "/votes/") {
		t.Fatalf("open vote: %d %s", r.Status, r.Location)
	}
	votePage := r.Location
	v, err := sitting.FindItemVote(w.ctx, w.env.DB, w.env.Commission.ID, w.item.ID)
	if err != nil {
		t.Fatal(err)
	}

	// The member votes online and gets a receipt.
	if r := mem.Get(t, "/votes"); !strings.Contains(r.Body, html.EscapeString(w.item.Title)) || !strings.Contains(r.Body, "À voter") {
		t.Fatalf("member's votes page lacks the open vote\n%s", r.Body)
	}
	r = follow(t, mem, mem.PostForm(t, w.path("/votes/%d/ballot", v.ID), url.Values{"choice": {"pour"}}))
	m := receiptRe.FindStringSubmatch(r.Body)
	if m == nil || !strings.Contains(r.Body, "Vote enregistré") {
		t.Fatalf("after voting: no receipt shown\n%s", r.Body)
	}
	// The receipts table of the member's page, kept with it, follows the ballot.
	if r := mem.Get(t, "/votes"); !strings.Contains(r.Body, `<code class="seance-receipt">`+m[1]+`</code>`) {
		t.Fatalf("member's votes page lacks the new receipt %s in its table", m[1])
	}
	// The secretariat enters m2's ballot for the room; the live tally shows both.
	follow(t, sec, sec.PostForm(t, votePage+"/ballot", url.Values{"voter": {fmt.Sprintf("%d:0", w.users["m2"].ID)}, "choice": {"contre"}}))
	tally := sec.Get(t, votePage+"/tally")
	for _, want := range []string{"<dt>Pour</dt><dd>1</dd>", "<dt>Contre</dt><dd>1</dd>", "N'ont pas encore voté", w.env.Users[models.RolePresident].Name, `hx-trigger="every 3s"`} {
		if !strings.Contains(tally.Body, want) {
			t.Fatalf("tally fragment lacks %q\n%s", want, tally.Body)
		}
	}
	if strings.Contains(tally.Body, "<html") {
		t.Fatal("the tally fragment is a whole page")
	}
	// A room count beyond the attendance is refused with 422 and the values kept.
	r = sec.PostForm(t, votePage+"/close", url.Values{"room_yes": {"3"}})
	if r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "dépasse") || !strings.Contains(r.Body, `value="3"`) {
		t.Fatalf("excessive room count: %d\n%s", r.Status, r.Body)
	}
	pres := w.env.Client()
	pres.SignIn(t, models.RolePresident)
	follow(t, pres, pres.PostForm(t, w.path("/votes/%d/ballot", v.ID), url.Values{"choice": {"pour"}}))
	r = follow(t, pres, pres.PostForm(t, votePage+"/close", nil))
	if !strings.Contains(r.Body, "Adopté") || strings.Contains(r.Body, `hx-trigger="every 3s"`) {
		t.Fatalf("closed vote page: want the result and no more polling\n%s", r.Body)
	}
	// Too late to vote; the member sees the result and checks the receipt.
	r = follow(t, mem, mem.PostForm(t, w.path("/votes/%d/ballot", v.ID), url.Values{"choice": {"contre"}}))
	if !strings.Contains(r.Body, "Le vote est clos") {
		t.Fatalf("ballot after closing: page lacks the refusal")
	}
	r = mem.PostForm(t, "/votes/receipt", url.Values{"receipt": {m[1]}})
	if r.Status != http.StatusOK || !strings.Contains(r.Body, "Reçu vérifié") {
		t.Fatalf("receipt check: %d\n%s", r.Status, r.Body)
	}
	if r := mem.PostForm(t, "/votes/receipt", url.Values{"receipt": {"0000 0000 0000 0000"}}); r.Status != http.StatusUnprocessableEntity {
		t.Fatalf("unknown receipt: %d, want 422", r.Status)
	}
	// Dissent from the member's page, then the sitting closes.
	r = follow(t, mem, mem.PostForm(t, w.path("/votes/%d/dissent", v.ID), url.Values{"dissent": {"Je ne partage pas cet avis."}}))
	if !strings.Contains(r.Body, "opinion divergente est enregistrée") {
		t.Fatalf("dissent not acknowledged")
	}
	if r := follow(t, sec, sec.PostForm(t, base+"/close", nil)); !strings.Contains(r.Body, "Séance close le") {
		t.Fatalf("closed sitting page lacks the closing")
	}
}

func TestSittingNoQuorumCreatesSecondConvocation(t *testing.T) {
	w := newWorld(t, meetings.ModeOnSite)
	w.reply(t, "s1", meetings.AttPresentOnSite)
	pres := w.env.Client()
	pres.SignIn(t, models.RolePresident)
	base := w.path("/sitting/%d", w.m.ID)
	follow(t, pres, pres.PostForm(t, base+"/attendance/confirm", nil))
	follow(t, pres, pres.PostForm(t, base+"/open", url.Values{"chair_id": {fmt.Sprint(w.env.Users[models.RolePresident].ID)}}))
	r := follow(t, pres, pres.PostForm(t, w.path("%s/items/%d/vote", base, w.item.ID), nil))
	if !strings.Contains(r.Body, "Le quorum n&#39;est pas atteint") || !strings.Contains(r.Body, "Clore faute de quorum") {
		t.Fatalf("vote without quorum: page lacks the refusal or the second convocation form")
	}
	for _, tt := range []struct {
		name   string
		form   url.Values
		status int
		want   string
	}{
		{"no date", url.Values{"starts_at": {""}, "mode": {"onsite"}, "place": {"Salle"}}, http.StatusUnprocessableEntity, "Indiquez la date"},
		{"no place", url.Values{"starts_at": {w.at(14, "14:00")}, "mode": {"onsite"}, "place": {""}}, http.StatusUnprocessableEntity, "Indiquez le lieu"},
		{"valid", url.Values{"starts_at": {w.at(14, "14:00")}, "mode": {"onsite"}, "place": {"Préfecture, salle Capitole"}}, http.StatusSeeOther, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := pres.PostForm(t, base+"/no-quorum", tt.form)
			if r.Status != tt.status || !strings.Contains(r.Body, tt.want) {
				t.Fatalf("status %d, want %d with %q\n%s", r.Status, tt.status, tt.want, r.Body)
			}
		})
	}
	ms, err := meetings.ListMeetings(w.ctx, w.env.DB, w.env.Commission.ID, w.m.StartsAt, w.m.StartsAt.AddDate(0, 1, 0))
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != 2 || !ms[1].NoQuorumRequired || ms[1].FirstConvocationID == nil || !ms[1].StartsAt.Equal(w.paris(t, w.at(14, "14:00"))) {
		t.Fatalf("meetings = %+v, want the second convocation on 08/12 at 14:00 Paris", ms)
	}
}

func TestWrittenDeliberationPages(t *testing.T) {
	w := newWorld(t, meetings.ModeWritten)
	pres := w.env.Client()
	pres.SignIn(t, models.RolePresident)
	base := w.path("/sitting/%d", w.m.ID)
	announce := w.path("%s/items/%d/announce", base, w.item.ID)
	// Too short a notice, then a valid announcement (ten days ahead).
	r := pres.PostForm(t, announce, url.Values{"starts_at": {w.at(1, "09:00")}, "deadline": {w.at(3, "09:00")}, "voting_hours": {"24"}, "means_checked": {"1"}})
	if r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "au moins 5 jours") || !strings.Contains(r.Body, `value="`+w.at(3, "09:00")+`"`) {
		t.Fatalf("short notice: %d\n%s", r.Status, r.Body)
	}
	r = pres.PostForm(t, announce, url.Values{"starts_at": {w.at(10, "09:00")}, "deadline": {w.at(12, "09:00")}, "voting_hours": {"24"}, "means_checked": {"1"}})
	if r.Status != http.StatusSeeOther || !strings.HasPrefix(r.Location, "/deliberations/") {
		t.Fatalf("announce: %d %s\n%s", r.Status, r.Location, r.Body)
	}
	page := r.Location
	n, err := w.env.DB.NewSelect().Model((*models.OutboxMessage)(nil)).Where("kind = ?", "deliberation.announce").Count(w.ctx)
	if err != nil || n != 5 { // four members and the président
		t.Fatalf("announcement copies = %d, %v; want 5", n, err)
	}
	// Ten days later the chair opens the session and the debate; a member contributes.
	w.env.Advance(10*24*time.Hour - 3*time.Hour)
	pres = w.env.Client() // the session expired meanwhile
	pres.SignIn(t, models.RolePresident)
	follow(t, pres, pres.PostForm(t, base+"/open", url.Values{"chair_id": {fmt.Sprint(w.env.Users[models.RolePresident].ID)}}))
	follow(t, pres, pres.PostForm(t, page+"/open", url.Values{"message": {"Bonjour à toutes et à tous."}}))
	mem := w.env.Client()
	mem.SignIn(t, models.RoleMember)
	r = follow(t, mem, mem.PostForm(t, page+"/contributions", url.Values{"body": {"Je soutiens ce programme."}}))
	for _, want := range []string{"Je soutiens ce programme.", "Bonjour à toutes et à tous.", "au plus tôt le " + w.m.StartsAt.AddDate(0, 0, 12).Format("02/01/2006")} {
		if !strings.Contains(r.Body, want) {
			t.Fatalf("deliberation page lacks %q\n%s", want, r.Body)
		}
	}
	if r := mem.PostForm(t, page+"/contributions", url.Values{"body": {"  "}}); r.Status != http.StatusUnprocessableEntity {
		t.Fatalf("empty contribution: %d, want 422", r.Status)
	}
	if r := follow(t, pres, pres.PostForm(t, page+"/close-debate", nil)); !strings.Contains(r.Body, "ne peuvent pas être clos avant") {
		t.Fatalf("early close: page lacks the refusal\n%s", r.Body)
	}
	if r := mem.PostForm(t, page+"/extend", url.Values{"deadline": {w.at(14, "09:00")}}); r.Status != http.StatusForbidden {
		t.Fatalf("member extends: %d, want 403", r.Status)
	}
}

func TestRule12_WrittenDeliberationSuspendAndResumePages(t *testing.T) {
	w := newWorld(t, meetings.ModeWritten)
	env, cid, presU := w.env, w.env.Commission.ID, w.env.Users[models.RolePresident]
	now := env.Clock()
	start := w.m.StartsAt
	d, err := sitting.AnnounceDeliberation(w.ctx, env.DB, presU, cid, w.item.ID, sitting.DeliberationInput{
		StartsAt: start, Deadline: start.Add(48 * time.Hour), VotingHours: 24, MeansChecked: true}, now.AddDate(0, 0, -10))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sitting.OpenSitting(w.ctx, env.DB, presU, cid, w.m.ID, presU.ID, start); err != nil {
		t.Fatal(err)
	}
	if _, err := sitting.OpenDeliberation(w.ctx, env.DB, env.Config.Keys, presU, cid, d.ID, "", start); err != nil {
		t.Fatal(err)
	}
	env.SetClock(start.Add(2 * time.Hour))
	page := w.path("/deliberations/%d", d.ID)
	pres, mem := env.Client(), env.Client()
	pres.SignIn(t, models.RolePresident)
	mem.SignIn(t, models.RoleMember)
	if r := pres.Get(t, page); !strings.Contains(r.Body, "Suspendre la délibération") {
		t.Fatalf("chair's page lacks the suspension button\n%s", r.Body)
	}
	if r := mem.PostForm(t, page+"/suspend", url.Values{"reason": {"Panne"}}); r.Status != http.StatusForbidden {
		t.Fatalf("member suspends: %d, want 403", r.Status)
	}
	if r := pres.PostRaw(t, page+"/suspend", url.Values{"reason": {"Panne"}}); r.Status != http.StatusForbidden {
		t.Fatalf("suspension without the CSRF token: %d, want 403", r.Status)
	}
	if r := pres.PostForm(t, page+"/suspend", url.Values{"reason": {"  "}}); r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "Indiquez le motif") {
		t.Fatalf("suspension without a reason: %d\n%s", r.Status, r.Body)
	}
	r := follow(t, pres, pres.PostForm(t, page+"/suspend", url.Values{"reason": {"Panne de la messagerie"}}))
	for _, want := range []string{"Délibération suspendue depuis le", "Panne de la messagerie", "Reprendre la délibération"} {
		if !strings.Contains(r.Body, want) {
			t.Fatalf("page after suspending lacks %q\n%s", want, r.Body)
		}
	}
	if r := mem.Get(t, page); strings.Contains(r.Body, "Nouvelle contribution") || !strings.Contains(r.Body, "Délibération suspendue") {
		t.Fatalf("member's page while suspended still offers to contribute\n%s", r.Body)
	}
	if r := pres.PostForm(t, page+"/resume", url.Values{"deadline": {w.at(0, "08:00")}, "reason": {"Rétablie"}}); r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "doit suivre l&#39;heure actuelle") {
		t.Fatalf("resuming with a past deadline: %d\n%s", r.Status, r.Body)
	}
	r = follow(t, pres, pres.PostForm(t, page+"/resume", url.Values{"deadline": {w.at(4, "09:00")}, "reason": {"Messagerie rétablie"}}))
	if strings.Contains(r.Body, "Délibération suspendue depuis") || !strings.Contains(r.Body, "Messagerie rétablie") {
		t.Fatalf("page after resuming\n%s", r.Body)
	}
	got, err := sitting.FindDeliberation(w.ctx, env.DB, cid, d.ID)
	if err != nil || got.Suspended() || !got.Deadline.Equal(w.paris(t, w.at(4, "09:00"))) {
		t.Fatalf("after resuming: %+v (%v), want the new deadline", got, err)
	}
	for _, kind := range []string{"deliberation.suspend", "deliberation.resume"} {
		n, err := env.DB.NewSelect().Table("audit_log").Where("action = ? AND object = ? AND actor_id = ?", kind, models.ObjectRef("deliberation", d.ID), presU.ID).Count(w.ctx)
		if err != nil || n != 1 {
			t.Errorf("audit %s: %d rows (%v), want 1", kind, n, err)
		}
		if msgs := env.WaitMail(t, kind, 5); len(msgs) != 5 { // four members and the président
			t.Errorf("%s e-mails: %d, want 5", kind, len(msgs))
		}
	}
}
