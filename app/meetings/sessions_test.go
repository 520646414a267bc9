package meetings_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	ics "github.com/arran4/golang-ical"

	"seance/app/mail/mailtest"
	"seance/app/servertest"
	"seance/models"
	"seance/models/files"
	meetingsmodel "seance/models/meetings"
	"seance/models/modelstest"
	"seance/models/registry"
)

// site is a running portal with a small composition and one admissible file:
//   - seat A: titulaire member@test.example (the env's member), suppléant a2;
//   - seats B and C (doctors, no suppléant): titulaires b and c.
type site struct {
	*servertest.Env
	a2, b, c *models.User
	file     *files.File
}

// person is the fictitious person of the file: their name must never leave the portal.
const personLast = "Confidentielle-Zephyrine"

func newSite(t *testing.T, vars map[string]string) *site {
	t.Helper()
	env := servertest.NewWithEnv(t, vars)
	ctx, db := context.Background(), env.DB
	now := env.Clock()
	start := models.CalendarDay(now).AddDate(-1, 0, 0)
	s := &site{Env: env}
	// Accounts with the test password first, so that they can sign in (Appoint keeps them).
	for _, email := range []string{"a2@test.example", "b@test.example", "c@test.example"} {
		u := &models.User{CommissionID: &env.Commission.ID, Email: email, Name: "Nom de " + email, Role: models.RoleMember, PasswordHash: servertest.PasswordHash(t), Active: true}
		if err := models.CreateUser(ctx, db, models.SystemActor("test"), u, env.Clock()); err != nil {
			t.Fatal(err)
		}
	}
	seatA := modelstest.Seat(t, db, env.Commission.ID, registry.CategoryDDETS, "Directeur")
	modelstest.Appoint(t, db, seatA, registry.MandateTitulaire, env.Users[models.RoleMember].Email, start)
	s.a2 = modelstest.Appoint(t, db, seatA, registry.MandateSuppleant, "a2@test.example", start).User
	s.b = modelstest.Appoint(t, db, modelstest.Seat(t, db, env.Commission.ID, registry.CategoryDoctor, "Médecin B"), registry.MandateTitulaire, "b@test.example", start).User
	s.c = modelstest.Appoint(t, db, modelstest.Seat(t, db, env.Commission.ID, registry.CategoryDoctor, "Médecin C"), registry.MandateTitulaire, "c@test.example", start).User
	a := modelstest.Association(t, db, env.Commission, "Association Test", "31", models.CalendarDay(now).AddDate(-1, 0, 0))
	au := modelstest.User(t, db, env.Commission, models.RoleAssociation, a)
	f, err := files.CreateFile(ctx, db, env.Config.Keys, au, modelstest.CompleteInput(files.KindEngagement, modelstest.Person(personLast, "Ondine", 1994), 0), now)
	if err != nil {
		t.Fatal(err)
	}
	if err := files.Transition(ctx, db, env.Config.Keys, au, f.ID, files.StateSubmitted, files.TransitionInput{}, now); err != nil {
		t.Fatal(err)
	}
	if err := files.Transition(ctx, db, env.Config.Keys, env.Users[models.RoleSecretariat], f.ID, files.StateAdmissible, files.TransitionInput{}, now); err != nil {
		t.Fatal(err)
	}
	s.file = f
	return s
}

// plan creates a files session in days days at 14:00 Paris through the form and returns its path.
func (s *site) plan(t *testing.T, c *servertest.Client, days int) string {
	t.Helper()
	day := s.Clock().In(s.Config.Location).AddDate(0, 0, days)
	resp := c.PostForm(t, "/seances", url.Values{
		"kind": {"files"}, "mode": {"hybrid"}, "date": {day.Format(time.DateOnly)}, "start": {"14:00"}, "end": {"17:00"},
		"place": {"Préfecture, salle Capitole"}, "remote_link": {"https://visio.example.gouv.fr/cdlp"}, "capacity": {"10"},
	})
	if resp.Status != http.StatusSeeOther || !strings.HasPrefix(resp.Location, "/seances/") {
		t.Fatalf("POST /seances: %d %s\n%s", resp.Status, resp.Location, resp.Body)
	}
	return resp.Location
}

func TestSessionPagesByRole(t *testing.T) {
	s := newSite(t, nil)
	sec := s.Client()
	sec.SignIn(t, models.RoleSecretariat)
	path := s.plan(t, sec, 12)
	for _, tt := range []struct {
		role   models.Role
		path   string
		status int
		want   string
	}{
		{models.RoleSecretariat, "/seances", 200, "Planifier une séance"},
		{models.RoleSecretariat, path, 200, "Composer l'ordre du jour"},
		{models.RoleSecretariat, path + "/proposition", 200, s.file.Reference},
		{models.RolePresident, path, 200, "Envoyer la convocation"},
		{models.RoleMember, "/seances", 200, "Abonnement"},
		{models.RoleMember, path, 200, "Votre réponse"},
		{models.RoleMember, path + "/proposition", 403, ""},
		{models.RoleMember, "/seances/nouvelle", 403, ""},
		{models.RoleAssociation, "/seances", 200, "Séances"},
		{models.RoleAssociation, path, 403, ""},
		{models.RolePrefecture, path, 403, ""},
		{models.RoleAdmin, "/seances", 403, ""},
		{models.RoleSecretariat, "/seances/999999", 404, ""},
	} {
		t.Run(string(tt.role)+" "+tt.path, func(t *testing.T) {
			c := s.Client()
			c.SignIn(t, tt.role)
			resp := c.Get(t, tt.path)
			servertest.Expect(t, "", resp, tt.status, tt.want)
		})
	}
}

// received returns the messages the SMTP server got for addr, parsed.
func received(t *testing.T, srv *mailtest.Server) map[string][]*mailtest.Parsed {
	t.Helper()
	out := map[string][]*mailtest.Parsed{}
	for _, r := range srv.Messages() {
		if bytes.Contains(r.Data, []byte(personLast)) {
			t.Errorf("a message to %v names the person concerned by a file", r.To)
		}
		p, err := r.Parse()
		if err != nil {
			t.Fatal(err)
		}
		for _, to := range r.To {
			out[to] = append(out[to], p)
		}
	}
	return out
}

// calendarOf parses the .ics attachment of a message and checks its line endings.
func calendarOf(t *testing.T, p *mailtest.Parsed) (*ics.Calendar, *ics.VEvent) {
	t.Helper()
	for _, a := range p.Attachments {
		if !strings.HasSuffix(a.Filename, ".ics") {
			continue
		}
		if bytes.Contains(bytes.ReplaceAll(a.Data, []byte("\r\n"), nil), []byte("\n")) {
			t.Errorf("%s has a bare LF", a.Filename)
		}
		cal, err := ics.ParseCalendar(bytes.NewReader(a.Data))
		if err != nil {
			t.Fatal(err)
		}
		if evs := cal.Events(); len(evs) == 1 {
			return cal, evs[0]
		}
		t.Fatalf("%s: %d events", a.Filename, len(cal.Events()))
	}
	t.Fatalf("no .ics attachment in %q", p.Subject)
	return nil, nil
}

func prop(ev *ics.VEvent, name ics.ComponentProperty) string {
	if p := ev.GetProperty(name); p != nil {
		return p.Value
	}
	return ""
}

func method(cal *ics.Calendar) string {
	for _, p := range cal.CalendarProperties {
		if p.IANAToken == string(ics.PropertyMethod) {
			return p.Value
		}
	}
	return ""
}

var linkRe = regexp.MustCompile(`/convocation/([A-Za-z0-9_-]{43})`)

func TestConvocationThroughSMTPWithCalendarAndPersonalLink(t *testing.T) {
	srv := mailtest.NewServer(t)
	s := newSite(t, srv.Env())
	sec := s.Client()
	sec.SignIn(t, models.RoleSecretariat)
	path := s.plan(t, sec, 10)
	servertest.Expect(t, "", sec.PostForm(t, path+"/proposition", url.Values{"file": {fmt.Sprint(s.file.ID)}}), http.StatusSeeOther)
	servertest.Expect(t, "", sec.PostForm(t, path+"/ordre-du-jour/points-habituels", nil), http.StatusSeeOther)
	resp := sec.PostForm(t, path+"/convocation", nil)
	servertest.Expect(t, "", resp, http.StatusSeeOther)
	servertest.Expect(t, "", sec.Get(t, path), http.StatusOK, "Convocation n° 1 envoyée à 5 destinataire(s)", "Remis au serveur de messagerie")

	got := received(t, srv)
	member := s.Users[models.RoleMember].Email
	for _, addr := range []string{member, s.a2.Email, s.b.Email, s.c.Email, s.Users[models.RolePresident].Email} {
		if len(got[addr]) != 1 {
			t.Fatalf("%s received %d messages, want 1", addr, len(got[addr]))
		}
	}
	if len(srv.Messages()) != 5 {
		t.Fatalf("%d messages sent, want 5 (no one else)", len(srv.Messages()))
	}
	m := got[member][0]
	for _, want := range []string{"Vous êtes convoqué(e)", "Ordre du jour :", "1. Informations du secrétariat", "2. " + s.file.Reference + " — Engagement dans le parcours",
		"Lieu : Préfecture, salle Capitole", "https://visio.example.gouv.fr/cdlp", "Documents mis à disposition", "/convocation/"} {
		if !strings.Contains(m.Text, want) {
			t.Errorf("convocation text lacks %q:\n%s", want, m.Text)
		}
	}
	if !strings.HasPrefix(m.Subject, "Convocation — ") {
		t.Errorf("subject %q", m.Subject)
	}
	if !strings.Contains(got[s.a2.Email][0].Text, "Pour information") {
		t.Errorf("the suppléant's copy is not marked for information")
	}
	cal, ev := calendarOf(t, m)
	uid := prop(ev, ics.ComponentPropertyUniqueId)
	if method(cal) != "REQUEST" || prop(ev, ics.ComponentPropertySequence) != "0" || !strings.HasPrefix(uid, "seance-") || prop(ev, ics.ComponentPropertyStatus) != "CONFIRMED" {
		t.Fatalf("first .ics: method %s sequence %s uid %s status %s", method(cal), prop(ev, ics.ComponentPropertySequence), uid, prop(ev, ics.ComponentPropertyStatus))
	}
	if p := ev.GetProperty(ics.ComponentPropertyDtStart); p == nil || p.ICalParameters["TZID"][0] != "Europe/Paris" || !strings.HasSuffix(p.Value, "T140000") {
		t.Fatalf("DTSTART = %+v, want 14:00 Europe/Paris", p)
	}

	// The member opens their personal link (a read receipt), and cannot give a proxy: they have a suppléant.
	tok := linkRe.FindStringSubmatch(m.Text)[1]
	anon := s.Client()
	servertest.Expect(t, "", anon.Get(t, "/convocation/"+tok), http.StatusOK, s.file.Reference, "Votre réponse à la convocation", "remplacé(e) par mon suppléant")
	servertest.Expect(t, "", sec.Get(t, path), http.StatusOK, "Lien ouvert le")
	servertest.Expect(t, "", anon.PostForm(t, "/convocation/"+tok, url.Values{"status": {"proxy"}, "proxy_holder": {fmt.Sprint(s.b.ID)}}), http.StatusSeeOther)
	servertest.Expect(t, "", anon.Get(t, "/convocation/"+tok), http.StatusOK, "peut donner procuration (R133-9)")
	servertest.Expect(t, "", anon.PostForm(t, "/convocation/"+tok, url.Values{"status": {"substituted"}}), http.StatusSeeOther)
	servertest.Expect(t, "", anon.Get(t, "/convocation/"+tok), http.StatusOK, "Remplacé(e) par son suppléant")
	servertest.Expect(t, "", anon.Get(t, "/convocation/"+tok+"x"), http.StatusNotFound)
	servertest.Expect(t, "", sec.Get(t, path+"/reponses/tableau"), http.StatusOK, "Remplacé(e) par son suppléant : Nom de a2@test.example")

	// A change of time after the convocation calls for a new one: same UID, SEQUENCE 1.
	day := s.Clock().In(s.Config.Location).AddDate(0, 0, 10).Format(time.DateOnly)
	servertest.Expect(t, "", sec.PostForm(t, path+"/modifier", url.Values{"kind": {"files"}, "mode": {"hybrid"}, "date": {day}, "start": {"15:00"}, "end": {"18:00"},
		"place": {"Préfecture, salle Capitole"}, "remote_link": {"https://visio.example.gouv.fr/cdlp"}, "capacity": {"10"}}), http.StatusSeeOther)
	servertest.Expect(t, "", sec.Get(t, path), http.StatusOK, "ont changé depuis la dernière convocation")
	servertest.Expect(t, "", sec.PostForm(t, path+"/convocation", nil), http.StatusSeeOther)
	got = received(t, srv)
	_, ev2 := calendarOf(t, got[member][1])
	if prop(ev2, ics.ComponentPropertyUniqueId) != uid || prop(ev2, ics.ComponentPropertySequence) != "1" {
		t.Fatalf("second .ics: uid %s sequence %s, want %s and 1", prop(ev2, ics.ComponentPropertyUniqueId), prop(ev2, ics.ComponentPropertySequence), uid)
	}

	// Cancellation: everyone convened gets a STATUS:CANCELLED file with the same UID.
	servertest.Expect(t, "", sec.PostForm(t, path+"/annuler", url.Values{"reason": {"Préfecture fermée"}}), http.StatusSeeOther)
	got = received(t, srv)
	cal3, ev3 := calendarOf(t, got[s.b.Email][2])
	if method(cal3) != "CANCEL" || prop(ev3, ics.ComponentPropertyStatus) != "CANCELLED" || prop(ev3, ics.ComponentPropertyUniqueId) != uid || prop(ev3, ics.ComponentPropertySequence) != "2" {
		t.Fatalf("cancellation .ics: method %s status %s uid %s sequence %s", method(cal3), prop(ev3, ics.ComponentPropertyStatus), prop(ev3, ics.ComponentPropertyUniqueId), prop(ev3, ics.ComponentPropertySequence))
	}
	if !strings.Contains(got[s.b.Email][2].Text, "Préfecture fermée") {
		t.Errorf("the cancellation does not give the reason")
	}
	if f, _, _ := files.FindFile(context.Background(), s.DB, s.Users[models.RoleSecretariat], s.file.ID, s.Clock()); f.State != files.StateAdmissible {
		t.Errorf("file after cancellation: %s", f.State)
	}
	// The downloadable file says the same.
	resp = sec.Get(t, path+"/seance.ics")
	if resp.Status != 200 || !strings.Contains(resp.Body, "STATUS:CANCELLED\r\n") || !strings.Contains(resp.Body, "UID:"+uid+"\r\n") {
		t.Fatalf("GET seance.ics: %d\n%s", resp.Status, resp.Body)
	}
}

// convene puts the site's file on the agenda of the session at path and sends the convocation.
func (s *site) convene(t *testing.T, sec *servertest.Client, path string) {
	t.Helper()
	servertest.Expect(t, "", sec.PostForm(t, path+"/ordre-du-jour/dossier", url.Values{"file": {fmt.Sprint(s.file.ID)}}), http.StatusSeeOther)
	servertest.Expect(t, "", sec.PostForm(t, path+"/convocation", nil), http.StatusSeeOther)
}

// planned plans a files session in days days and returns the secretariat's browser and
// the session's path.
func (s *site) planned(t *testing.T, days int) (sec *servertest.Client, path string) {
	t.Helper()
	sec = s.Client()
	sec.SignIn(t, models.RoleSecretariat)
	return sec, s.plan(t, sec, days)
}

// convened plans a files session in 8 days, convenes it with the site's file on its
// agenda, and returns the secretariat's browser, the session's path, and browsers
// signed in as members b and c.
func (s *site) convened(t *testing.T) (sec *servertest.Client, path string, b, c *servertest.Client) {
	t.Helper()
	sec, path = s.planned(t, 8)
	s.convene(t, sec, path)
	b, c = s.Client(), s.Client()
	b.SignInAs(t, s.b.Email, servertest.Password)
	c.SignInAs(t, s.c.Email, servertest.Password)
	return sec, path, b, c
}

func TestRule3_ConvocationNoticeThroughThePage(t *testing.T) {
	s := newSite(t, nil)
	sec := s.Client()
	sec.SignIn(t, models.RolePresident)
	path := s.plan(t, sec, 4)
	servertest.Expect(t, "", sec.PostForm(t, path+"/ordre-du-jour/point", url.Values{"kind": {"information"}, "title": {"Point d'information"}}), http.StatusSeeOther)
	servertest.Expect(t, "", sec.PostForm(t, path+"/convocation", nil), http.StatusSeeOther)
	servertest.Expect(t, "", sec.Get(t, path), http.StatusOK, "au moins 5 jours avant la séance", "déclarez l&#39;urgence")
	servertest.Expect(t, "", sec.PostForm(t, path+"/convocation", url.Values{"urgency": {"1"}}), http.StatusSeeOther)
	servertest.Expect(t, "", sec.Get(t, path), http.StatusOK, "Motivez l&#39;urgence")
	servertest.Expect(t, "", sec.PostForm(t, path+"/convocation", url.Values{"urgency": {"1"}, "urgency_reason": {"Renouvellement arrivant à échéance"}}), http.StatusSeeOther)
	servertest.Expect(t, "", sec.Get(t, path), http.StatusOK, "Convocation n° 1 envoyée", "Urgence", "Renouvellement arrivant à échéance")
}

func TestRule2_ProxyThroughTheMemberPage(t *testing.T) {
	s := newSite(t, nil)
	sec, path, b, c := s.convened(t)
	for _, tt := range []struct {
		who  *servertest.Client
		form url.Values
		want string
	}{
		{b, url.Values{"status": {"proxy"}}, "Choisissez le membre"},
		{b, url.Values{"status": {"proxy"}, "proxy_holder": {fmt.Sprint(s.Users[models.RoleMember].ID)}}, "Votre réponse est enregistrée"},
		{c, url.Values{"status": {"proxy"}, "proxy_holder": {fmt.Sprint(s.Users[models.RoleMember].ID)}}, "détient déjà une procuration"},
		{c, url.Values{"status": {"substituted"}}, "pas de suppléant en fonction"},
	} {
		servertest.Expect(t, "", tt.who.PostForm(t, path+"/reponse", tt.form), http.StatusSeeOther)
		servertest.Expect(t, "", tt.who.Get(t, path), http.StatusOK, tt.want)
	}
	servertest.Expect(t, "", sec.Get(t, path+"/reponses"), http.StatusOK, "A donné procuration à Test Membre", "Quorum requis")
}

func TestAgendaReorderWithHtmxAndWithout(t *testing.T) {
	s := newSite(t, nil)
	sec := s.Client()
	sec.SignIn(t, models.RoleSecretariat)
	path := s.plan(t, sec, 9)
	for _, title := range []string{"Premier point", "Second point"} {
		servertest.Expect(t, "", sec.PostForm(t, path+"/ordre-du-jour/point", url.Values{"kind": {"information"}, "title": {title}}), http.StatusSeeOther)
	}
	items := regexp.MustCompile(`data-item-id="(\d+)"`).FindAllStringSubmatch(sec.Get(t, path).Body, -1)
	if len(items) != 2 {
		t.Fatalf("%d items", len(items))
	}
	// The keyboard alternative, as a plain form.
	servertest.Expect(t, "", sec.PostForm(t, path+"/ordre-du-jour/"+items[1][1]+"/deplacer", url.Values{"dir": {"up"}}), http.StatusSeeOther)
	body := sec.Get(t, path).Body
	if strings.Index(body, "Second point") > strings.Index(body, "Premier point") {
		t.Fatalf("Second point not moved up")
	}
	// Drag and drop posts the whole order through htmx and gets the agenda fragment back.
	req, _ := http.NewRequest(http.MethodPost, path+"/ordre-du-jour/ordre", strings.NewReader(url.Values{"item": {items[0][1], items[1][1]}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("HX-Request", "true")
	req.Header.Set("X-CSRF-Token", sec.CSRF)
	resp := sec.Do(t, req)
	servertest.Expect(t, "", resp, http.StatusOK, `id="ordre-du-jour"`)
	if strings.Contains(resp.Body, "<html") || strings.Index(resp.Body, "Second point") < strings.Index(resp.Body, "Premier point") {
		t.Fatalf("fragment:\n%s", resp.Body)
	}
	// A blank free item is refused in French, the typed values kept.
	servertest.Expect(t, "", sec.PostForm(t, path+"/ordre-du-jour/point", url.Values{"kind": {"policy"}, "title": {" "}, "notes": {"gardé"}}), http.StatusUnprocessableEntity, "Indiquez l&#39;intitulé du point", "gardé")
}

// TestAgendaControlsFollowEachItemAndReader checks the agenda as the page lays it out
// for its reader (agendaRows): the first item cannot move up, the last cannot move down,
// every item of an editable agenda can be withdrawn, and a member reads the items
// without any of the secretariat's controls.
func TestAgendaControlsFollowEachItemAndReader(t *testing.T) {
	s := newSite(t, nil)
	sec, path := s.planned(t, 9)
	for _, title := range []string{"Premier point", "Deuxième point", "Troisième point"} {
		servertest.Expect(t, "", sec.PostForm(t, path+"/ordre-du-jour/point", url.Values{"kind": {"policy"}, "title": {title}, "notes": {"Précision : " + title}}), http.StatusSeeOther)
	}
	body := sec.Get(t, path).Body
	items := regexp.MustCompile(`data-item-id="(\d+)"`).FindAllStringSubmatch(body, -1)
	if len(items) != 3 {
		t.Fatalf("%d items", len(items))
	}
	for i, it := range items {
		up, down := strings.Contains(body, `id="up-`+it[1]+`"`), strings.Contains(body, `id="down-`+it[1]+`"`)
		if up != (i > 0) || down != (i < 2) || !strings.Contains(body, "/ordre-du-jour/"+it[1]+"/retirer") {
			t.Errorf("item %d: up %v, down %v, or no withdrawal", i, up, down)
		}
	}
	servertest.Expect(t, "secretariat", sec.Get(t, path), http.StatusOK, "Précision : Deuxième point")
	s.convene(t, sec, path)
	b := s.Client()
	b.SignInAs(t, s.b.Email, servertest.Password)
	r := b.Get(t, path)
	servertest.Expect(t, "member b", r, http.StatusOK, "Troisième point", "Précision : Premier point", `<span class="fr-tag fr-tag--sm">Point de politique ou de coordination</span>`)
	for _, control := range []string{"/deplacer", "/retirer", `draggable="true"`, "Composer l"} {
		if strings.Contains(r.Body, control) {
			t.Errorf("member b's page holds the secretariat's control %q", control)
		}
	}
}

func TestCalendarFeedSubscription(t *testing.T) {
	s := newSite(t, nil)
	sec := s.Client()
	sec.SignIn(t, models.RoleSecretariat)
	s.plan(t, sec, 20)
	m := s.Client()
	m.SignIn(t, models.RoleMember)
	resp := m.PostForm(t, "/seances/abonnement", nil)
	feed := regexp.MustCompile(`/calendrier/[A-Za-z0-9_-]{43}`).FindString(resp.Body)
	if resp.Status != 200 || feed == "" {
		t.Fatalf("POST /seances/abonnement: %d, no feed URL", resp.Status)
	}
	anon := s.Client()
	got := anon.Get(t, feed)
	if got.Status != 200 || !strings.HasPrefix(got.Header.Get("Content-Type"), "text/calendar") || strings.Count(got.Body, "BEGIN:VEVENT\r\n") != 1 {
		t.Fatalf("GET feed: %d %s\n%s", got.Status, got.Header.Get("Content-Type"), got.Body)
	}
	if _, err := ics.ParseCalendar(strings.NewReader(got.Body)); err != nil {
		t.Fatal(err)
	}
	servertest.Expect(t, "", m.PostForm(t, "/seances/abonnement/revoquer", nil), http.StatusSeeOther)
	servertest.Expect(t, "", anon.Get(t, feed), http.StatusNotFound)
}

// TestRule7_PolicySessionsPerYear: the year view warns the secretariat while fewer policy
// sessions are planned than the law asks (one a year, two from 2026); a cancelled one does
// not count; members are not shown the warning.
func TestRule7_PolicySessionsPerYear(t *testing.T) {
	if meetingsmodel.RequiredPolicySessions(2025) != 1 || meetingsmodel.RequiredPolicySessions(2026) != 2 || meetingsmodel.RequiredPolicySessions(2030) != 2 {
		t.Fatalf("RequiredPolicySessions: 2025 → %d, 2026 → %d, want 1 and 2", meetingsmodel.RequiredPolicySessions(2025), meetingsmodel.RequiredPolicySessions(2026))
	}
	s := newSite(t, nil)
	sec := s.Client()
	sec.SignIn(t, models.RoleSecretariat)
	year := s.Clock().In(s.Config.Location).Year() + 1
	page := fmt.Sprintf("/seances?annee=%d", year)
	servertest.Expect(t, "", sec.Get(t, page), http.StatusOK, fmt.Sprintf("0 séance(s) plénière(s) de politique et de coordination prévue(s) en %d, sur les 2 requise(s)", year))
	policy := func(month time.Month) *meetingsmodel.Meeting {
		m, err := meetingsmodel.CreateMeeting(context.Background(), s.DB, models.SystemActor("test"), s.Commission.ID, meetingsmodel.MeetingInput{
			Kind: meetingsmodel.MeetingPolicy, Mode: meetingsmodel.ModeOnSite, StartsAt: time.Date(year, month, 10, 13, 0, 0, 0, time.UTC), Place: "Préfecture", Capacity: 10,
		}, s.Clock())
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	first := policy(3)
	servertest.Expect(t, "", sec.Get(t, page), http.StatusOK, "1 séance(s) plénière(s)")
	if _, err := meetingsmodel.CancelMeeting(context.Background(), s.DB, s.Users[models.RoleSecretariat], s.Commission.ID, first.ID, "Report", s.Clock()); err != nil {
		t.Fatal(err)
	}
	servertest.Expect(t, "", sec.Get(t, page), http.StatusOK, "0 séance(s) plénière(s)")
	policy(4)
	policy(10)
	if r := sec.Get(t, page); strings.Contains(r.Body, "séance(s) plénière(s) de politique") {
		t.Errorf("two policy sessions planned: the warning is still shown")
	}
	mem := s.Client()
	mem.SignIn(t, models.RoleMember)
	if r := mem.Get(t, fmt.Sprintf("/seances?annee=%d", year+1)); r.Status != http.StatusOK || strings.Contains(r.Body, "plénière(s) de politique") {
		t.Errorf("member's year view: status %d, shows the secretariat's warning", r.Status)
	}
}

// TestSessionPageFollowsEachWrite checks the staff's session page, whose convocations,
// recipients and candidate files are kept until the next write (issue 17): a file that
// becomes admissible is offered on the next request, and a convocation sent is listed
// with its recipients.
func TestSessionPageFollowsEachWrite(t *testing.T) {
	s := newSite(t, nil)
	ctx := context.Background()
	sec, path := s.planned(t, 6)
	servertest.Expect(t, "planned", sec.Get(t, path), http.StatusOK, s.file.Reference)

	au := s.Users[models.RoleSecretariat]
	a := modelstest.Association(t, s.DB, s.Commission, "Association Deux", "31", models.CalendarDay(s.Clock()).AddDate(-1, 0, 0))
	assoc := modelstest.User(t, s.DB, s.Commission, models.RoleAssociation, a)
	f, err := files.CreateFile(ctx, s.DB, s.Config.Keys, assoc, modelstest.CompleteInput(files.KindEngagement, modelstest.Person("Second", "Dossier", 1990), 0), s.Clock())
	if err != nil {
		t.Fatal(err)
	}
	for _, step := range []struct {
		by *models.User
		to files.State
	}{{assoc, files.StateSubmitted}, {au, files.StateAdmissible}} {
		if err := files.Transition(ctx, s.DB, s.Config.Keys, step.by, f.ID, step.to, files.TransitionInput{}, s.Clock()); err != nil {
			t.Fatal(err)
		}
	}
	servertest.Expect(t, "a second file admissible", sec.Get(t, path), http.StatusOK, s.file.Reference, f.Reference)

	servertest.Expect(t, "", sec.PostForm(t, path+"/ordre-du-jour/point", url.Values{"kind": {"information"}, "title": {"Point d'information"}}), http.StatusSeeOther)
	servertest.Expect(t, "", sec.PostForm(t, path+"/convocation", nil), http.StatusSeeOther)
	servertest.Expect(t, "convened", sec.Get(t, path), http.StatusOK, "Convocation n° 1 envoyée", "Destinataires de la dernière convocation (", "b@test.example")
}

// TestMemberDashboardIsTheirOwn checks that a member's dashboard, kept until the next
// write (issue 17), is theirs: read right after another member's, it shows their own
// answer to the convocation.
func TestMemberDashboardIsTheirOwn(t *testing.T) {
	s := newSite(t, nil)
	_, path, b, c := s.convened(t)
	servertest.Expect(t, "", b.PostForm(t, path+"/reponse", url.Values{"status": {string(meetingsmodel.AttPresentOnSite)}}), http.StatusSeeOther)
	servertest.Expect(t, "b's dashboard", b.Get(t, "/"), http.StatusOK, "vous avez répondu à chaque convocation")
	servertest.Expect(t, "c's dashboard", c.Get(t, "/"), http.StatusOK, "1 convocation attend votre réponse")
}

// TestSessionListFollowsEachWrite checks the session list, kept by reader and year until
// the next write (issue 17): a session planned shows on the next request, for the
// secretariat and for the president who read the list before, and each member sees
// their own.
func TestSessionListFollowsEachWrite(t *testing.T) {
	s := newSite(t, nil)
	sec, pres := s.Client(), s.Client()
	sec.SignIn(t, models.RoleSecretariat)
	pres.SignIn(t, models.RolePresident)
	year := fmt.Sprint(s.Clock().In(s.Config.Location).AddDate(0, 0, 8).Year())
	for _, c := range []*servertest.Client{sec, pres} {
		if r := c.Get(t, "/seances?annee="+year); r.Status != http.StatusOK || strings.Contains(r.Body, `href="/seances/1"`) {
			t.Fatalf("GET /seances?annee=%s = %d, or it lists a session before any was planned", year, r.Status)
		}
	}
	path := s.plan(t, sec, 8)
	for who, c := range map[string]*servertest.Client{"secretariat": sec, "president": pres} {
		servertest.Expect(t, who+" after planning", c.Get(t, "/seances?annee="+year), http.StatusOK, `href="`+path+`"`)
	}
	// A member sees the sessions they are convened to: read right after a convened
	// member's list, a member without a seat's is their own.
	u := &models.User{CommissionID: &s.Commission.ID, Email: "sans-siege@test.example", Name: "Sans Siège", Role: models.RoleMember, PasswordHash: servertest.PasswordHash(t), Active: true}
	if err := models.CreateUser(context.Background(), s.DB, models.SystemActor("test"), u, s.Clock()); err != nil {
		t.Fatal(err)
	}
	b, seatless := s.Client(), s.Client()
	b.SignInAs(t, s.b.Email, servertest.Password)
	seatless.SignInAs(t, u.Email, servertest.Password)
	s.convene(t, sec, path)
	servertest.Expect(t, "convened member", b.Get(t, "/seances?annee="+year), http.StatusOK, `href="`+path+`"`)
	servertest.Expect(t, "member without a seat", seatless.Get(t, "/seances?annee="+year), http.StatusOK, "Aucune séance en "+year)
}

// TestSessionPageSharedPartsFollowEachWrite checks the parts of the session page kept
// for every reader until the next write (issue 17): the session and the settings follow
// a change, an
// agenda file is linked for each reader who may open it, and a member whose grant is
// withdrawn loses the link at once while the secretariat keeps it.
func TestSessionPageSharedPartsFollowEachWrite(t *testing.T) {
	s := newSite(t, nil)
	ctx := context.Background()
	sec, path := s.planned(t, 12)
	servertest.Expect(t, "planned", sec.Get(t, path), http.StatusOK, "Délai de convocation : 5 jours.")
	set := models.DefaultSettings(s.Commission.ID)
	set.NoticeDays = 9
	if _, err := s.DB.NewInsert().Model(set).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	servertest.Expect(t, "after the notice was set to 9 days", sec.Get(t, path), http.StatusOK, "Délai de convocation : 9 jours.")
	// The session itself is kept with its parts: a change of its row shows at once.
	if _, err := s.DB.NewUpdate().Table("meetings").Set("place = ?", "Salle Capitole, 2e étage").Where("id = ?", strings.TrimPrefix(path, "/seances/")).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	servertest.Expect(t, "after the place changed", sec.Get(t, path), http.StatusOK, "Salle Capitole, 2e étage")

	s.convene(t, sec, path)
	b := s.Client()
	b.SignInAs(t, s.b.Email, servertest.Password)
	link := fmt.Sprintf(`href="/dossiers/%d"`, s.file.ID)
	servertest.Expect(t, "secretariat, convened", sec.Get(t, path), http.StatusOK, link)
	servertest.Expect(t, "member b, convened", b.Get(t, path), http.StatusOK, link)
	servertest.Expect(t, "secretariat, the convocation's recipients", sec.Get(t, path), http.StatusOK, "Convocations envoyées", "Destinataires de la dernière convocation (", s.b.Email)
	if r := b.Get(t, path); strings.Contains(r.Body, "no value") || strings.Contains(r.Body, "Convocations envoyées") {
		t.Fatal("member b's page shows the staff's tables of the convocations, or a missing value")
	}
	if _, err := s.DB.NewDelete().Table("file_access_grants").Where("user_id = ?", s.b.ID).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	if r := b.Get(t, path); r.Status != http.StatusOK || strings.Contains(r.Body, link) {
		t.Fatalf("member b without a grant: GET %s = %d, still linking the file", path, r.Status)
	}
	servertest.Expect(t, "secretariat, after b lost the grant", sec.Get(t, path), http.StatusOK, link)
}
