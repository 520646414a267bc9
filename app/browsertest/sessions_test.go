package browsertest_test

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"seance/app/browsertest"
	"seance/app/mail/mailtest"
	"seance/app/servertest"
	"seance/models"
	"seance/models/files"
	"seance/models/modelstest"
	"seance/models/registry"
)

// sessionsEnv adds to env two seats (the env's member, and a doctor who has no suppléant
// and may give a proxy) and two admissible files.
func sessionsEnv(t *testing.T, vars map[string]string) (*servertest.Env, *models.User) {
	t.Helper()
	env := servertest.NewWithEnv(t, vars)
	ctx, db, now := context.Background(), env.DB, env.Clock()
	start := models.CalendarDay(now).AddDate(-1, 0, 0)
	doctor := &models.User{CommissionID: &env.Commission.ID, Email: "medecin@test.example", Name: "Docteure Alice Test", Role: models.RoleMember, PasswordHash: servertest.PasswordHash(t), Active: true}
	if err := models.CreateUser(ctx, db, models.SystemActor("test"), doctor, env.Clock()); err != nil {
		t.Fatal(err)
	}
	modelstest.Appoint(t, db, modelstest.Seat(t, db, env.Commission.ID, registry.CategoryDDETS, "Directeur"), registry.MandateTitulaire, env.Users[models.RoleMember].Email, start)
	modelstest.Appoint(t, db, modelstest.Seat(t, db, env.Commission.ID, registry.CategoryDoctor, "Médecin"), registry.MandateTitulaire, doctor.Email, start)
	a := modelstest.Association(t, db, env.Commission, "Association Test", "31", start)
	au := modelstest.User(t, db, env.Commission, models.RoleAssociation, a)
	for i, name := range []string{"Exemple Un", "Exemple Deux"} {
		f, err := files.CreateFile(ctx, db, env.Config.Keys, au, modelstest.CompleteInput(files.KindEngagement, modelstest.Person(name, "Ada", 1990+i), 0), now.Add(time.Duration(i)*time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		for _, st := range []struct {
			u  *models.User
			to files.State
		}{{au, files.StateSubmitted}, {env.Users[models.RoleSecretariat], files.StateAdmissible}} {
			if err := files.Transition(ctx, db, env.Config.Keys, st.u, f.ID, st.to, files.TransitionInput{}, now.Add(time.Duration(i)*time.Hour)); err != nil {
				t.Fatal(err)
			}
		}
	}
	return env, doctor
}

// TestBrowserBuildAgendaConveneAndReplyByLink: the secretariat plans a session, builds its
// agenda from the proposal, reorders two items, sends the convocation; a member opens their
// personal link and gives a proxy.
func TestBrowserBuildAgendaConveneAndReplyByLink(t *testing.T) {
	smtp := mailtest.NewServer(t)
	env, doctor := sessionsEnv(t, smtp.Env())
	site := browsertest.Start(t, env, 1280, 900)
	site.SignIn(t, env.Users[models.RoleSecretariat].Email, servertest.Password)

	day := env.Clock().In(env.Config.Location).AddDate(0, 0, 12).Format(time.DateOnly)
	site.Run(t,
		chromedp.Navigate(site.URL+"/seances/nouvelle"),
		chromedp.WaitVisible(`#date`, chromedp.ByID),
		chromedp.SetValue(`#date`, day, chromedp.ByID),
		chromedp.SetValue(`#place`, "Préfecture, salle Capitole", chromedp.ByID),
	)
	site.Screenshot(t, "new-session")
	site.ClickAndWait(t, `main form button[type=submit]`)
	var h1 string
	site.Run(t, chromedp.Text(`h1`, &h1, chromedp.ByQuery))
	if h1 != "Examen des dossiers individuels" {
		t.Fatalf("after planning, h1 = %q", h1)
	}

	site.ClickAndWait(t, `a[href$="/proposition"]`)
	site.Screenshot(t, "proposal")
	site.ClickAndWait(t, `main form button[type=submit]`)
	site.ClickAndWait(t, `form[action$="/points-habituels"] button`)

	// Reorder: move the first item (the information point) down with its button (htmx).
	var before, after string
	site.Run(t,
		chromedp.Text(`#agenda-list li:first-child strong`, &before, chromedp.ByQuery),
		chromedp.Click(`#agenda-list li:first-child button[id^="down-"]`, chromedp.ByQuery),
		chromedp.WaitVisible(`#agenda-list li:nth-child(2)[id]`, chromedp.ByQuery),
		chromedp.Sleep(500*time.Millisecond),
		chromedp.Text(`#agenda-list li:nth-child(2) strong`, &after, chromedp.ByQuery),
	)
	if before != "Informations du secrétariat" || after != before {
		t.Fatalf("reorder: first was %q, second is now %q", before, after)
	}
	// The focus stays on the moved item's button, for keyboard users.
	var focused string
	site.Run(t, chromedp.Evaluate(`document.activeElement ? document.activeElement.id : ''`, &focused))
	if !strings.HasPrefix(focused, "down-") && !strings.HasPrefix(focused, "up-") {
		t.Errorf("focus after moving: %q", focused)
	}
	site.Screenshot(t, "agenda")

	site.ClickAndWait(t, `form[action$="/convocation"] button[type=submit]`)
	var flash string
	site.Run(t, chromedp.Text(`.fr-alert--success`, &flash, chromedp.ByQuery))
	if !strings.Contains(flash, "Convocation n° 1 envoyée à 3 destinataire(s)") {
		t.Fatalf("after sending: %q", flash)
	}
	site.Screenshot(t, "convened")
	site.Run(t, chromedp.EmulateViewport(375, 800), chromedp.Reload(), chromedp.WaitVisible(`h1`, chromedp.ByQuery))
	site.Screenshot(t, "convened-375")
	site.Run(t, chromedp.EmulateViewport(1280, 900))

	// The doctor's personal link, from the e-mail they received (the outbox masks it);
	// the mail job's pass sends what the convocation queued.
	site.DeliverMail(t)
	var link string
	for _, m := range smtp.Messages() {
		if len(m.To) == 1 && m.To[0] == doctor.Email {
			p, err := m.Parse()
			if err != nil {
				t.Fatal(err)
			}
			link = regexp.MustCompile(`/convocation/[A-Za-z0-9_-]{43}`).FindString(p.Text)
		}
	}
	if link == "" {
		t.Fatal("no convocation with a personal link for the doctor")
	}
	site.ClickAndWait(t, `form[action="/logout"] button`)
	site.Run(t,
		chromedp.Navigate(site.URL+link),
		chromedp.WaitVisible(`#reponse`, chromedp.ByID),
		chromedp.Click(`#status-proxy`, chromedp.ByID),
		chromedp.SetValue(`#proxy_holder`, "", chromedp.ByID),
	)
	site.Run(t, chromedp.Evaluate(`(function(){var s=document.getElementById('proxy_holder');for(var i=0;i<s.options.length;i++){if(s.options[i].text.indexOf('Test Membre')>=0){s.selectedIndex=i;}}return s.value;})()`, nil))
	site.Screenshot(t, "link")
	// The reply is sent from a phone: the confirmation must be on screen.
	site.Run(t, chromedp.EmulateViewport(375, 800))
	site.ClickAndWait(t, `#reponse button[type=submit]`)
	var answer, seen string
	site.Run(t, chromedp.Text(`#reponse`, &answer, chromedp.ByID),
		chromedp.Evaluate(`(function () {
			const m = document.getElementById('messages');
			if (!m) return '';
			const r = m.getBoundingClientRect();
			return r.bottom > 0 && r.top < window.innerHeight ? m.innerText : ''; // it intersects the viewport
		})()`, &seen))
	if !strings.Contains(answer, "A donné procuration") {
		t.Fatalf("after the reply: %q", answer)
	}
	if !strings.Contains(seen, "Votre réponse est enregistrée") {
		t.Errorf("after the reply at 375 px the confirmation is not on screen: %q", seen)
	}
	site.Screenshot(t, "link-375")
}
