package browsertest_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"seance/app/browsertest"
	"seance/app/mail/mailtest"
	"seance/app/servertest"
	"seance/models"
	filesmodel "seance/models/files"
	"seance/models/meetings"
	"seance/models/minutes"
	"seance/models/modelstest"
	"seance/models/registry"
	"seance/models/sitting"
)

// pressKey focuses sel without the mouse (DOM focus, as a Tab would) and presses key on it.
func pressKey(sel, key string) chromedp.Tasks {
	return chromedp.Tasks{chromedp.Focus(sel, chromedp.ByQuery), chromedp.KeyEvent(key)}
}

// focusedID is the id of the element that has the keyboard focus.
func focusedID(t *testing.T, site *browsertest.Site) string {
	t.Helper()
	var id string
	site.Run(t, chromedp.Evaluate(`document.activeElement ? document.activeElement.id : ''`, &id))
	return id
}

// agendaTitles lists the titles of the agenda's items, in their order on the page.
func agendaTitles(t *testing.T, site *browsertest.Site) []string {
	t.Helper()
	var titles []string
	site.Run(t, chromedp.Evaluate(`Array.from(document.querySelectorAll('#agenda-list li strong')).map(e => e.innerText)`, &titles))
	return titles
}

// TestBrowserYear runs a commission's year in the browser on the test clock: the
// secretariat builds a session's agenda from the pending files (reordering it with the
// keyboard only) and convenes; the members reply from their own pages, one giving a
// proxy and one being replaced by her suppléant; the sitting (yearSitting), its
// procès-verbal (yearMinutes) and the year's reports (yearReports) follow.
func TestBrowserYear(t *testing.T) {
	smtp := mailtest.NewServer(t)
	env, doctor := sessionsEnv(t, smtp.Env())
	ctx := context.Background()
	start := models.CalendarDay(env.Clock()).AddDate(-1, 0, 0)
	elue := modelstest.Seat(t, env.DB, env.Commission.ID, registry.CategoryLocalAuthority, "Conseillère départementale")
	titulaire := modelstest.Appoint(t, env.DB, elue, registry.MandateTitulaire, "elue@year.test", start).User
	suppleant := modelstest.Appoint(t, env.DB, elue, registry.MandateSuppleant, "suppleante@year.test", start).User
	member := env.Users[models.RoleMember]
	// The association instructing both files holds a seat: it is recused on them.
	var assocID int64
	if err := env.DB.NewSelect().Model((*filesmodel.File)(nil)).Column("association_id").Limit(1).Scan(ctx, &assocID); err != nil {
		t.Fatal(err)
	}
	assocSeat := &registry.Seat{CommissionID: env.Commission.ID, Category: registry.CategoryAssociation, AssociationID: &assocID, Organisation: "Association Test", Quality: "Directrice", VotingRight: true, SuppleantPlaces: 1}
	if err := registry.CreateSeat(ctx, env.DB, models.SystemActor("test"), assocSeat, start); err != nil {
		t.Fatal(err)
	}
	assocMember := modelstest.Appoint(t, env.DB, assocSeat, registry.MandateTitulaire, "asso@year.test", start).User
	for _, u := range []*models.User{titulaire, suppleant} {
		if _, err := env.DB.NewUpdate().Model((*models.User)(nil)).Set("password_hash = ?", servertest.PasswordHash(t)).Set("active = ?", true).Where("id = ?", u.ID).Exec(ctx); err != nil {
			t.Fatal(err)
		}
	}

	site := browsertest.Start(t, env, 1280, 900)
	site.SignIn(t, env.Users[models.RoleSecretariat].Email, servertest.Password)

	// 1. The secretariat plans the session, twelve days ahead.
	day := env.Clock().In(env.Config.Location).AddDate(0, 0, 12).Format(time.DateOnly)
	site.Run(t,
		chromedp.Navigate(site.URL+"/seances/nouvelle"),
		chromedp.WaitVisible(`#date`, chromedp.ByID),
		chromedp.SetValue(`#date`, day, chromedp.ByID),
		chromedp.SetValue(`#place`, "Préfecture, salle Capitole", chromedp.ByID),
	)
	site.Screenshot(t, "01-new-session")
	site.ClickAndWait(t, `main form button[type=submit]`)
	var meetingID int64
	if _, err := fmt.Sscanf(site.Path(t), "/seances/%d", &meetingID); err != nil {
		t.Fatalf("after planning the page is %s: %v", site.Path(t), err)
	}

	// 2. Its agenda is built from the pending files, with the standing items.
	site.ClickAndWait(t, `a[href$="/proposition"]`)
	wantText(t, site, "main", "Dossiers proposés (2)", "31-2026-0001", "31-2026-0002")
	site.Screenshot(t, "02-proposal")
	site.ClickAndWait(t, `main form button[type=submit]`)
	site.ClickAndWait(t, `form[action$="/points-habituels"] button`)
	m, err := meetings.FindMeeting(ctx, env.DB, env.Commission.ID, meetingID)
	if err != nil {
		t.Fatal(err)
	}
	agenda, err := meetings.LoadAgenda(ctx, env.DB, m)
	if err != nil {
		t.Fatal(err)
	}
	files := 0
	for _, e := range agenda {
		if e.FileID != nil {
			files++
		}
	}
	if files != 2 {
		t.Fatalf("agenda built from the pending files holds %d files, want 2: %+v", files, agenda)
	}
	site.Screenshot(t, "03-agenda")

	// 3. Keyboard only: the first item goes down twice with Enter then Space on the
	// focused button, which keeps the focus after each move.
	before := agendaTitles(t, site)
	var firstID string
	site.Run(t, chromedp.AttributeValue(`#agenda-list li:first-child button[id^="down-"]`, "id", &firstID, nil, chromedp.ByQuery))
	site.Run(t, pressKey("#"+firstID, kb.Enter), waitText(`#agenda-list li:nth-child(2) strong`, before[0]))
	if got := focusedID(t, site); got != firstID {
		t.Fatalf("after moving with Enter the focus is on %q, want %q", got, firstID)
	}
	site.Run(t, chromedp.KeyEvent(" "), waitText(`#agenda-list li:nth-child(3) strong`, before[0]))
	after := agendaTitles(t, site)
	if len(after) != len(before) || after[2] != before[0] || after[0] != before[1] || after[1] != before[2] {
		t.Fatalf("keyboard reordering: before %q, after %q", before, after)
	}
	stored, err := meetings.LoadAgenda(ctx, env.DB, m)
	if err != nil {
		t.Fatal(err)
	}
	if stored[2].Title != before[0] {
		t.Fatalf("stored agenda after the keyboard moves: third item %q, want %q", stored[2].Title, before[0])
	}
	site.Screenshot(t, "04-agenda-reordered-keyboard")

	// 4. Convocation.
	site.ClickAndWait(t, `form[action$="/convocation"] button[type=submit]`)
	wantText(t, site, `.fr-alert--success`, "Convocation n° 1 envoyée à 6 destinataire(s)")
	site.Screenshot(t, "05-convened")

	// 5. Replies from the members' own pages: the env's member gives a proxy to the
	// doctor (no suppléant on either seat); the élue is replaced by her suppléante.
	sessionPage := fmt.Sprintf("%s/seances/%d", site.URL, meetingID)
	switchUser(t, site, member.Email)
	site.Run(t,
		chromedp.Navigate(sessionPage),
		chromedp.WaitVisible(`#reponse form`, chromedp.ByQuery),
		chromedp.Click(`#status-proxy`, chromedp.ByID),
		chromedp.SetValue(`#proxy_holder`, fmt.Sprint(doctor.ID), chromedp.ByID),
	)
	site.Screenshot(t, "06-member-proxy")
	site.ClickAndWait(t, `#reponse button[type=submit]`)
	wantText(t, site, "#reponse", "A donné procuration")
	switchUser(t, site, titulaire.Email)
	site.Run(t,
		chromedp.Navigate(sessionPage),
		chromedp.WaitVisible(`#reponse form`, chromedp.ByQuery),
		chromedp.Click(`#status-substituted`, chromedp.ByID),
	)
	wantText(t, site, "#reponse", suppleant.Name)
	site.ClickAndWait(t, `#reponse button[type=submit]`)
	wantText(t, site, "#reponse", "Remplacé(e) par son suppléant")
	site.Screenshot(t, "07-titulaire-substituted")
	switchUser(t, site, doctor.Email)
	site.Run(t,
		chromedp.Navigate(sessionPage),
		chromedp.WaitVisible(`#reponse form`, chromedp.ByQuery),
		chromedp.Click(`#status-present_onsite`, chromedp.ByID),
	)
	site.ClickAndWait(t, `#reponse button[type=submit]`)
	wantText(t, site, "#reponse", "Présent(e) sur place")
	as, err := meetings.ListAttendance(ctx, env.DB, env.Commission.ID, meetingID)
	if err != nil {
		t.Fatal(err)
	}
	got := map[int64]meetings.Attendance{}
	for _, a := range as {
		got[a.TitulaireUserID] = a
	}
	if a := got[member.ID]; a.Status != meetings.AttProxy || a.ProxyHolderUserID == nil || *a.ProxyHolderUserID != doctor.ID {
		t.Errorf("member's attendance = %+v, want a proxy to the doctor", a)
	}
	if a := got[titulaire.ID]; a.Status != meetings.AttSubstituted || a.SubstituteUserID == nil || *a.SubstituteUserID != suppleant.ID {
		t.Errorf("élue's attendance = %+v, want substituted by her suppléante", a)
	}
	if a := got[doctor.ID]; a.Status != meetings.AttPresentOnSite {
		t.Errorf("doctor's attendance = %+v, want present on site", a)
	}
	switchUser(t, site, env.Users[models.RoleSecretariat].Email)
	site.Run(t, chromedp.Navigate(sessionPage+"/reponses"), chromedp.WaitVisible(`h1`, chromedp.ByQuery))
	site.Screenshot(t, "08-replies")
	if _, err := meetings.SetAttendance(ctx, env.DB, models.SystemActor("test"), env.Commission.ID, meetingID,
		meetings.AttendanceInput{SeatID: assocSeat.ID, Status: meetings.AttPresentOnSite}, env.Clock()); err != nil {
		t.Fatal(err)
	}

	yearSitting(t, site, m, yearPeople{pres: env.Users[models.RolePresident], doctor: doctor, member: member, suppleant: suppleant, assoc: assocMember})
	yearMinutes(t, site, m)
	yearReports(t, site, m.StartsAt.In(env.Config.Location).Year())
	yearWritten(t, site, smtp, yearPeople{pres: env.Users[models.RolePresident], doctor: doctor, member: member, suppleant: suppleant, assoc: assocMember})
}

// yearWritten: a written electronic deliberation runs to its end on the test clock. The
// chair announces it from the console; the deliberations job opens it at the announced
// time; two members contribute from their pages; the job tells the chair when the
// deadline has passed and the chair closes the debate, which opens the vote; members
// vote; at the end of the voting window the job closes the vote and e-mails the result.
func yearWritten(t *testing.T, site *browsertest.Site, smtp *mailtest.Server, p yearPeople) {
	t.Helper()
	ctx, db, cid, loc := context.Background(), site.DB, site.Commission.ID, site.Config.Location
	runJob := func() {
		t.Helper()
		if _, err := site.Jobs.Run(ctx, "deliberations", "test"); err != nil {
			t.Fatalf("deliberations job: %v", err)
		}
	}
	now := site.Clock()
	start := time.Date(now.In(loc).Year(), now.In(loc).Month(), now.In(loc).Day()+8, 9, 0, 0, 0, loc)
	m, err := meetings.CreateMeeting(ctx, db, models.SystemActor("test"), cid, meetings.MeetingInput{
		Kind: meetings.MeetingFiles, Mode: meetings.ModeWritten, StartsAt: start, Place: "Délibération écrite", Capacity: 10,
	}, now)
	if err != nil {
		t.Fatal(err)
	}
	modelstest.ConveneForTests(t, db, m, now)
	const title = "Avis sur le schéma départemental d'hébergement des personnes en parcours"
	item := modelstest.AppendAgendaItemForTests(t, db, m, meetings.ItemPolicy, 0, title)

	// The chair announces the deliberation: debate from start, closing no earlier than
	// 48 hours later, then 24 hours of vote.
	switchUser(t, site, p.pres.Email)
	site.Run(t, chromedp.EmulateViewport(1280, 900),
		chromedp.Navigate(fmt.Sprintf("%s/sitting/%d", site.URL, m.ID)),
		chromedp.WaitVisible(`h1`, chromedp.ByQuery),
	)
	site.Run(t,
		chromedp.Evaluate(fmt.Sprintf(`document.querySelector('form[action$="/items/%d/announce"]').closest('details').open = true`, item.ID), nil),
		chromedp.SetValue(fmt.Sprintf(`#starts-%d`, item.ID), start.Format("2006-01-02T15:04"), chromedp.ByQuery),
		chromedp.SetValue(fmt.Sprintf(`#deadline-%d`, item.ID), start.Add(48*time.Hour).Format("2006-01-02T15:04"), chromedp.ByQuery),
		chromedp.SetValue(fmt.Sprintf(`#hours-%d`, item.ID), "24", chromedp.ByQuery),
		chromedp.Click(fmt.Sprintf(`#means-%d`, item.ID), chromedp.ByQuery),
	)
	site.Screenshot(t, "23-written-announce")
	site.ClickAndWait(t, fmt.Sprintf(`form[action$="/items/%d/announce"] button[type=submit]`, item.ID))
	var delibID int64
	if _, err := fmt.Sscanf(site.Path(t), "/deliberations/%d", &delibID); err != nil {
		t.Fatalf("after announcing, the page is %s: %v", site.Path(t), err)
	}
	wantText(t, site, "main", "Annoncée")
	delibPage := fmt.Sprintf("%s/deliberations/%d", site.URL, delibID)

	// At the announced time the job opens it.
	site.SetClock(start.Add(time.Minute))
	runJob()
	d, err := sitting.FindDeliberation(ctx, db, cid, delibID)
	if err != nil {
		t.Fatal(err)
	}
	if d.Status != sitting.DeliberationOpen {
		t.Fatalf("after the job at the announced time, status %s, want open", d.Status)
	}

	// Two members contribute; the second answers the first.
	for i, u := range []*models.User{p.member, p.doctor} {
		site.SetClock(start.Add(time.Duration(2+i) * time.Hour))
		switchUser(t, site, u.Email)
		site.Run(t, chromedp.Navigate(delibPage), chromedp.WaitVisible(`#body`, chromedp.ByID),
			chromedp.SendKeys(`#body`, fmt.Sprintf("Contribution %d : le schéma doit prévoir des places dédiées.", i+1), chromedp.ByID))
		site.ClickAndWait(t, `#echanges > form button[type=submit]`)
		wantText(t, site, "#echanges", fmt.Sprintf("Contribution %d", i+1))
	}
	site.Screenshot(t, "24-written-contributions")

	// The deadline passes: the job tells the chair, who closes the debate, opening the vote.
	site.SetClock(start.Add(48*time.Hour + time.Minute))
	runJob()
	site.DeliverMail(t)
	if !anyContains(smtp.TextsTo(t, p.pres.Email), "les échanges peuvent être clos") {
		t.Fatalf("the chair was not told the debate may be closed: %q", smtp.TextsTo(t, p.pres.Email))
	}
	switchUser(t, site, p.pres.Email)
	site.Run(t, chromedp.Navigate(delibPage), chromedp.WaitVisible(`#presidence`, chromedp.ByID))
	site.ClickAndWait(t, `form[action$="/close-debate"] button`)
	wantText(t, site, "main", "Le vote est ouvert")
	site.Screenshot(t, "25-written-vote-open")
	d, err = sitting.FindDeliberation(ctx, db, cid, delibID)
	if err != nil || d.VoteID == nil {
		t.Fatalf("after closing the debate: %+v, %v", d, err)
	}

	// Members vote from the deliberation page.
	for i, u := range []*models.User{p.pres, p.member, p.doctor} {
		site.SetClock(start.Add(48*time.Hour + time.Duration(10+i)*time.Minute))
		switchUser(t, site, u.Email)
		site.Run(t, chromedp.Navigate(delibPage), chromedp.WaitVisible(`main .fr-callout a.fr-btn`, chromedp.ByQuery))
		site.ClickAndWait(t, `main .fr-callout a.fr-btn`)
		site.ClickAndWait(t, `button[name=choice][value=pour]`)
		wantText(t, site, "main", "reçu")
	}

	// The voting window ends: the job closes the vote and sends the result to everyone.
	site.SetClock(start.Add(72*time.Hour + time.Minute))
	runJob()
	v, err := sitting.FindVote(ctx, db, cid, *d.VoteID)
	if err != nil {
		t.Fatal(err)
	}
	if v.Status != sitting.VoteClosed || v.Outcome != sitting.OutcomeAdopted || v.Yes != 3 || v.Participants < (v.Members+1)/2 {
		t.Fatalf("written vote after the job: status %s outcome %s yes %d, %d of %d members took part", v.Status, v.Outcome, v.Yes, v.Participants, v.Members)
	}
	site.DeliverMail(t)
	if !anyContains(smtp.TextsTo(t, p.member.Email), "Résultat de la délibération écrite") {
		t.Fatalf("no result e-mail to a member: %q", smtp.TextsTo(t, p.member.Email))
	}
	switchUser(t, site, p.member.Email)
	site.Run(t, chromedp.Navigate(delibPage), chromedp.WaitVisible(`main .fr-alert`, chromedp.ByQuery))
	wantText(t, site, "main .fr-alert", "Pour 3")
	site.Screenshot(t, "26-written-result")
}

// anyContains reports whether one of texts contains s.
func anyContains(texts []string, s string) bool {
	for _, x := range texts {
		if strings.Contains(x, s) {
			return true
		}
	}
	return false
}

// yearReports: the prefecture downloads the year's workbook, the region its roll-up.
func yearReports(t *testing.T, site *browsertest.Site, year int) {
	t.Helper()
	const xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	for i, r := range []struct {
		role       models.Role
		page, file string
	}{
		{models.RolePrefecture, fmt.Sprintf("/statistiques?annee=%d", year), fmt.Sprintf("/statistiques/rapports/%d.xlsx", year)},
		{models.RoleRegion, fmt.Sprintf("/statistiques/region?annee=%d", year), fmt.Sprintf("/statistiques/region/rapports/%d.xlsx", year)},
	} {
		switchUser(t, site, site.Users[r.role].Email)
		site.Run(t, chromedp.Navigate(site.URL+r.page), chromedp.WaitVisible(`h1`, chromedp.ByQuery))
		wantText(t, site, "h1", fmt.Sprint(year))
		site.Screenshot(t, fmt.Sprintf("%d-%s-statistics", 21+i, r.role))
		status, ctype, size, head := download(t, site, r.file)
		if status != 200 || !strings.HasPrefix(ctype, xlsx) || size < 2000 || head != "PK\x03\x04" {
			t.Errorf("%s: status %d, type %q, %d bytes, starts %q", r.file, status, ctype, size, head)
		}
	}
}

// download fetches path in the tab, with its cookies, and returns the answer's status,
// content type, size and first bytes.
func download(t *testing.T, site *browsertest.Site, path string) (status int, ctype string, size int, head string) {
	t.Helper()
	var res struct {
		Status int    `json:"status"`
		Type   string `json:"type"`
		Size   int    `json:"size"`
		Head   string `json:"head"`
	}
	js := fmt.Sprintf(`fetch(%q).then(r => r.arrayBuffer().then(b => ({status: r.status, type: r.headers.get('Content-Type') || '',
		size: b.byteLength, head: String.fromCharCode(...new Uint8Array(b.slice(0, 4)))})))`, path)
	site.Run(t, chromedp.Evaluate(js, &res, func(p *runtime.EvaluateParams) *runtime.EvaluateParams { return p.WithAwaitPromise(true) }))
	return res.Status, res.Type, res.Size, res.Head
}

// yearMinutes: the président validates the procès-verbal of the closed session, submits
// it to the next session, which approves it; it is downloaded in Excel and PDF.
func yearMinutes(t *testing.T, site *browsertest.Site, m *meetings.Meeting) {
	t.Helper()
	ctx, db, cid := context.Background(), site.DB, site.Commission.ID
	site.SetClock(m.StartsAt.Add(2 * time.Hour))
	nextStart := m.StartsAt.AddDate(0, 0, 35)
	next, err := meetings.CreateMeeting(ctx, db, models.SystemActor("test"), cid, meetings.MeetingInput{
		Kind: meetings.MeetingPolicy, Mode: meetings.ModeOnSite, StartsAt: nextStart, Place: "Préfecture, salle Capitole", Capacity: 20,
	}, site.Clock())
	if err != nil {
		t.Fatal(err)
	}
	modelstest.ConveneForTests(t, db, next, site.Clock())
	pres := site.Users[models.RolePresident]
	pv := fmt.Sprintf("%s/seances/%d/pv", site.URL, m.ID)
	// The secretariat establishes the draft (an explicit POST: opening the page writes nothing).
	switchUser(t, site, site.Users[models.RoleSecretariat].Email)
	site.Run(t, chromedp.Navigate(pv), chromedp.WaitVisible(`form[action$="/etablir"]`, chromedp.ByQuery))
	site.ClickAndWait(t, `form[action$="/etablir"] button[type=submit]`)
	site.Run(t, chromedp.WaitVisible(`#general_items`, chromedp.ByID))
	wantText(t, site, "main", "Projet", "31-2026-0001", "voix prépondérante")
	site.Screenshot(t, "18-minutes-draft")
	switchUser(t, site, pres.Email)
	site.Run(t, chromedp.Navigate(pv), chromedp.WaitVisible(`form[action$="/valider"]`, chromedp.ByQuery))
	site.ClickAndWait(t, `form[action$="/valider"] button[type=submit]`)
	wantText(t, site, "main", "Le procès-verbal est validé.")
	site.Run(t, chromedp.SetValue(`#to_meeting_id`, fmt.Sprint(next.ID), chromedp.ByID))
	site.ClickAndWait(t, `form[action$="/soumettre"] button[type=submit]`)
	wantText(t, site, "main", "Le procès-verbal est soumis à l'approbation de la séance choisie.")
	site.Screenshot(t, "19-minutes-submitted")

	site.SetClock(nextStart.Add(20 * time.Minute))
	switchUser(t, site, pres.Email)
	site.Run(t, chromedp.Navigate(pv), chromedp.WaitVisible(`#approval_ref`, chromedp.ByID),
		chromedp.SendKeys(`#approval_ref`, "Séance plénière suivante, point 1 de l'ordre du jour", chromedp.ByID))
	site.ClickAndWait(t, `form[action$="/approuver"] button[type=submit]`)
	wantText(t, site, "main", "Le procès-verbal est approuvé et verrouillé.")
	site.Screenshot(t, "20-minutes-approved")
	r, err := minutes.FindCurrentMinutes(ctx, db, cid, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != minutes.MinutesLocked || r.ApprovedAt == nil || r.SubmittedToMeetingID == nil || *r.SubmittedToMeetingID != next.ID {
		t.Fatalf("minutes after approval: status %s, submitted to %v", r.Status, r.SubmittedToMeetingID)
	}
	for _, d := range []struct{ ext, ctype, head string }{
		{"xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "PK\x03\x04"},
		{"pdf", "application/pdf", "%PDF"},
	} {
		status, ctype, size, head := download(t, site, fmt.Sprintf("/seances/%d/pv.%s", m.ID, d.ext))
		if status != 200 || !strings.HasPrefix(ctype, d.ctype) || size < 2000 || head != d.head {
			t.Errorf("pv.%s: status %d, type %q, %d bytes, starts %q", d.ext, status, ctype, size, head)
		}
	}
}

// yearPeople are the voters of the year's sitting.
type yearPeople struct{ pres, doctor, member, suppleant, assoc *models.User }

// yearSitting: the chair opens the sitting, confirms the attendance and runs a vote on
// each file: the first is tied and settled by the casting vote, the suppléante voting
// from a phone with the keyboard only; the instructing association's seat is recused on
// both; the chair closes the sitting.
func yearSitting(t *testing.T, site *browsertest.Site, m *meetings.Meeting, p yearPeople) {
	t.Helper()
	ctx, db, cid := context.Background(), site.DB, site.Commission.ID
	site.SetClock(m.StartsAt.Add(-10 * time.Minute))
	agenda, err := meetings.LoadAgenda(ctx, db, m)
	if err != nil {
		t.Fatal(err)
	}
	var files []meetings.AgendaEntry
	for _, e := range agenda {
		if e.FileID != nil {
			files = append(files, e)
		}
	}
	console := fmt.Sprintf("/sitting/%d", m.ID)
	switchUser(t, site, p.pres.Email)
	site.Run(t, chromedp.Navigate(site.URL+console), chromedp.WaitVisible(`#emargement`, chromedp.ByID))
	site.Screenshot(t, "09-attendance")
	site.ClickAndWait(t, `form[action$="/attendance/confirm"] button`)
	site.SetClock(m.StartsAt)
	site.ClickAndWait(t, `form[action$="/open"] button`)
	if live := strings.ToLower(text(t, site, "#live")); !strings.Contains(live, "atteint") || strings.Contains(live, "non atteint") {
		t.Fatalf("quorum panel = %q", live)
	}
	site.Screenshot(t, "10-open")

	for i, it := range files {
		rs, err := sitting.ItemRecusals(ctx, db, cid, it.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(rs) != 1 || rs[0].UserID != p.assoc.ID || !rs[0].Association {
			t.Fatalf("recusals on %s = %+v, want the association's seat", it.Title, rs)
		}
		site.SetClock(m.StartsAt.Add(time.Duration(10+20*i) * time.Minute))
		site.Run(t, chromedp.Navigate(site.URL+console), chromedp.WaitVisible(`#live`, chromedp.ByID))
		site.ClickAndWait(t, fmt.Sprintf(`form[action="%s/items/%d/vote"] button`, console, it.ID))
		site.Screenshot(t, fmt.Sprintf("%d-vote-%d-open", 11+3*i, i+1))
		v, err := sitting.FindItemVote(ctx, db, cid, it.ID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := sitting.CastBallot(ctx, db, p.assoc, cid, v.ID, sitting.BallotInput{Choice: sitting.BallotFor}, site.Clock()); !errors.Is(err, sitting.ErrRecusedVoter) {
			t.Fatalf("the recused association's ballot: %v, want ErrRecusedVoter", err)
		}
		// The first file is tied two against two: the chair's ballot decides.
		against := sitting.BallotAgainst
		if i == 1 {
			against = sitting.BallotFor
		}
		for _, b := range []struct {
			u  *models.User
			in sitting.BallotInput
		}{
			{p.pres, sitting.BallotInput{Choice: sitting.BallotFor}},
			{p.doctor, sitting.BallotInput{Choice: against}},
			{p.doctor, sitting.BallotInput{Choice: against, RepresentedUserID: p.member.ID}},
		} {
			if _, err := sitting.CastBallot(ctx, db, b.u, cid, v.ID, b.in, site.Clock()); err != nil {
				t.Fatal(err)
			}
		}
		// The suppléante votes from her phone, with the keyboard only.
		switchUser(t, site, p.suppleant.Email)
		site.Run(t, chromedp.EmulateViewport(375, 812),
			chromedp.Navigate(fmt.Sprintf("%s/votes/%d", site.URL, v.ID)),
			chromedp.WaitVisible(`button[name=choice][value=pour]`, chromedp.ByQuery))
		site.Screenshot(t, fmt.Sprintf("%d-vote-%d-phone", 12+3*i, i+1))
		site.Run(t, pressKey(`button[name=choice][value=pour]`, kb.Enter), waitText(`.seance-receipt`, ""))
		var overflow bool
		site.Run(t, chromedp.Evaluate(`document.documentElement.scrollWidth > window.innerWidth`, &overflow))
		if overflow {
			t.Error("the vote page scrolls sideways at 375 px")
		}
		bs, err := sitting.ListBallots(ctx, db, cid, v.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(bs) != 4 {
			t.Fatalf("ballots after the phone vote: %d, want 4", len(bs))
		}
		site.Screenshot(t, fmt.Sprintf("%d-vote-%d-receipt-phone", 12+3*i, i+1))

		switchUser(t, site, p.pres.Email)
		site.Run(t, chromedp.EmulateViewport(1280, 900), chromedp.Navigate(fmt.Sprintf("%s%s/votes/%d", site.URL, console, v.ID)), chromedp.WaitVisible(`#tally`, chromedp.ByID))
		site.ClickAndWait(t, fmt.Sprintf(`form[action="%s/votes/%d/close"] button`, console, v.ID))
		site.Screenshot(t, fmt.Sprintf("%d-vote-%d-result", 13+3*i, i+1))
		v, err = sitting.FindVote(ctx, db, cid, v.ID)
		if err != nil {
			t.Fatal(err)
		}
		wantYes, wantNo := 2, 2
		if i == 1 {
			wantYes, wantNo = 4, 0
		}
		if v.Yes != wantYes || v.No != wantNo || v.Outcome != sitting.OutcomeAdopted || v.Recused != 1 || v.Tie != (i == 0) || v.Avis != filesmodel.AvisFavorable {
			t.Fatalf("vote %d: yes %d no %d outcome %s avis %s tie %v casting %q recused %d", i+1, v.Yes, v.No, v.Outcome, v.Avis, v.Tie, v.CastingVote, v.Recused)
		}
		site.Run(t, chromedp.SendKeys(`#reasoning`, "Parcours adapté : hébergement stable et accompagnement de l'association.", chromedp.ByID))
		site.ClickAndWait(t, `form[action$="/avis"] button[type=submit]`)
		if got, err := sitting.FindVote(ctx, db, cid, v.ID); err != nil || got.ReasoningSealed == "" {
			t.Fatalf("the avis's reasoning is not stored: %v", err)
		}
		if i == 0 {
			if v.CastingVote != sitting.BallotFor {
				t.Fatalf("tie settled by %q, want the chair's ballot for", v.CastingVote)
			}
			wantText(t, site, "main", "voix prépondérante du président")
		}
	}
	site.SetClock(m.StartsAt.Add(40 * time.Minute))
	site.Run(t, chromedp.Navigate(site.URL+console), chromedp.WaitVisible(`#cloture`, chromedp.ByID))
	site.ClickAndWait(t, fmt.Sprintf(`form[action="%s/close"] button`, console))
	wantText(t, site, "main", "Séance close le")
	site.Screenshot(t, "17-closed")
}
