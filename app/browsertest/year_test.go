package browsertest_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"seance/app/browsertest"
	"seance/app/mail/mailtest"
	"seance/app/servertest"
	"seance/models"
	"seance/models/modelstest"
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
// proxy and one being replaced by her suppléant.
func TestBrowserYear(t *testing.T) {
	smtp := mailtest.NewServer(t)
	env, doctor := sessionsEnv(t, smtp.Env())
	ctx := context.Background()
	start := models.CalendarDay(env.Clock()).AddDate(-1, 0, 0)
	elue := modelstest.Seat(t, env.DB, env.Commission.ID, models.CategoryLocalAuthority, "Conseillère départementale")
	titulaire := modelstest.Appoint(t, env.DB, elue, models.MandateTitulaire, "elue@year.test", start).User
	suppleant := modelstest.Appoint(t, env.DB, elue, models.MandateSuppleant, "suppleante@year.test", start).User
	member := env.Users[models.RoleMember]
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
	m, err := models.FindMeeting(ctx, env.DB, env.Commission.ID, meetingID)
	if err != nil {
		t.Fatal(err)
	}
	agenda, err := models.LoadAgenda(ctx, env.DB, m)
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
	stored, err := models.LoadAgenda(ctx, env.DB, m)
	if err != nil {
		t.Fatal(err)
	}
	if stored[2].Title != before[0] {
		t.Fatalf("stored agenda after the keyboard moves: third item %q, want %q", stored[2].Title, before[0])
	}
	site.Screenshot(t, "04-agenda-reordered-keyboard")

	// 4. Convocation.
	site.ClickAndWait(t, `form[action$="/convocation"] button[type=submit]`)
	wantText(t, site, `.fr-alert--success`, "Convocation n° 1 envoyée à 5 destinataire(s)")
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
	as, err := models.ListAttendance(ctx, env.DB, env.Commission.ID, meetingID)
	if err != nil {
		t.Fatal(err)
	}
	got := map[int64]models.Attendance{}
	for _, a := range as {
		got[a.TitulaireUserID] = a
	}
	if a := got[member.ID]; a.Status != models.AttProxy || a.ProxyHolderUserID == nil || *a.ProxyHolderUserID != doctor.ID {
		t.Errorf("member's attendance = %+v, want a proxy to the doctor", a)
	}
	if a := got[titulaire.ID]; a.Status != models.AttSubstituted || a.SubstituteUserID == nil || *a.SubstituteUserID != suppleant.ID {
		t.Errorf("élue's attendance = %+v, want substituted by her suppléante", a)
	}
	if a := got[doctor.ID]; a.Status != models.AttPresentOnSite {
		t.Errorf("doctor's attendance = %+v, want present on site", a)
	}
	switchUser(t, site, env.Users[models.RoleSecretariat].Email)
	site.Run(t, chromedp.Navigate(sessionPage+"/reponses"), chromedp.WaitVisible(`h1`, chromedp.ByQuery))
	site.Screenshot(t, "08-replies")
}
