package browsertest_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"seance/app/browsertest"
	"seance/app/mail/mailtest"
	"seance/app/registry"
	"seance/app/servertest"
	"seance/models"
	"seance/models/modelstest"
	registrymodel "seance/models/registry"
	"seance/models/twofactor"
)

var (
	ctx    = context.Background()
	tester = models.SystemActor("test")
)

// registrySeats fills the env's commission with a small composition showing every case
// of the composition page: a term ending soon, a vacant seat, a vacant suppléant place,
// a qualified person without suppléant and an association whose agrément expired.
func registrySeats(t *testing.T, env *servertest.Env) (vacant *registrymodel.Seat) {
	t.Helper()
	cid := env.Commission.ID
	today := models.CalendarDay(env.Clock())
	start := today.AddDate(-1, -2, 0)
	magistrate := modelstest.Seat(t, env.DB, cid, registrymodel.CategoryMagistrate, "Vice-présidente du tribunal judiciaire")
	modelstest.Appoint(t, env.DB, magistrate, registrymodel.MandateTitulaire, "magistrate@example.org", today.AddDate(0, 0, 40).AddDate(-registrymodel.TermYears, 0, 1))
	modelstest.Appoint(t, env.DB, magistrate, registrymodel.MandateSuppleant, "magistrat.suppleant@example.org", start)
	vacant = modelstest.Seat(t, env.DB, cid, registrymodel.CategoryDDETS, "Directeur départemental de l'emploi, du travail et des solidarités")
	doctor := modelstest.Seat(t, env.DB, cid, registrymodel.CategoryDoctor, "Médecin désigné par l'ordre")
	modelstest.Appoint(t, env.DB, doctor, registrymodel.MandateTitulaire, "medecin@example.org", start)
	elue := modelstest.Seat(t, env.DB, cid, registrymodel.CategoryLocalAuthority, "Adjointe au maire chargée des solidarités")
	modelstest.Appoint(t, env.DB, elue, registrymodel.MandateTitulaire, "elue.avec.une.adresse.tres.longue@toulouse-metropole.example.org", start)
	a := &registrymodel.Association{CommissionID: cid, Name: "Association Le Fil d'Ariane", AgrementArrete: "Arrêté n° 31-2022-03-01-017",
		AgrementDate: today.AddDate(-3, -1, 0), Departments: "31,09"}
	if err := registrymodel.SaveNewAssociation(ctx, env.DB, tester, a, env.Clock()); err != nil {
		t.Fatal(err)
	}
	b := &registrymodel.Association{CommissionID: cid, Name: "Association Passerelles", AgrementArrete: "Arrêté n° 31-2025-01-20-004",
		AgrementDate: today.AddDate(-1, 0, 0), Departments: "31"}
	if err := registrymodel.SaveNewAssociation(ctx, env.DB, tester, b, env.Clock()); err != nil {
		t.Fatal(err)
	}
	seat := &registrymodel.Seat{CommissionID: cid, Category: registrymodel.CategoryAssociation, Quality: "Directrice", VotingRight: true, SuppleantPlaces: 1, AssociationID: &a.ID}
	if err := registrymodel.CreateSeat(ctx, env.DB, tester, seat, env.Clock()); err != nil {
		t.Fatal(err)
	}
	modelstest.Appoint(t, env.DB, seat, registrymodel.MandateTitulaire, "directrice@filariane.example.org", start)
	return vacant
}

var invitationLink = regexp.MustCompile(`https?://[^/\s]+(/invitation/[A-Za-z0-9_-]+)`)

// TestBrowserSecretariatAppointsMemberWhoAcceptsInvitation walks the main journey of the
// registry: the secretariat appoints a new person to a vacant seat; the person opens the
// invitation e-mail, chooses a password and signs in.
func TestBrowserSecretariatAppointsMemberWhoAcceptsInvitation(t *testing.T) {
	smtp := mailtest.NewServer(t)
	env := servertest.NewWithEnv(t, smtp.Env())
	vacant := registrySeats(t, env)
	site := browsertest.Start(t, env, 1280, 900)

	site.SignIn(t, env.Users[models.RoleSecretariat].Email, servertest.Password)
	site.ClickAndWait(t, `nav#navigation a[href="/composition"]`)
	site.Screenshot(t, "composition")
	site.ClickAndWait(t, `#siege-`+itoa(vacant.ID)+` a[href$="/nommer?role=titulaire"]`)
	site.Run(t,
		chromedp.SendKeys(`#email`, "nadia.cherif@example.org", chromedp.ByID),
		chromedp.SendKeys(`#name`, "Nadia Cherif", chromedp.ByID),
		chromedp.SendKeys(`#arrete_ref`, "Arrêté préfectoral n° 31-2026-11-22-001", chromedp.ByID),
	)
	site.Screenshot(t, "appoint")
	site.ClickAndWait(t, `main button[type=submit]`)
	var flash string
	site.Run(t, chromedp.Text(`.fr-alert--success`, &flash, chromedp.ByQuery))
	if !strings.Contains(flash, "Nadia Cherif est nommé(e) titulaire") {
		t.Fatalf("after the appointment: flash %q", flash)
	}

	env.DeliverMail(t) // the mail job's pass
	msgs := smtp.Messages()
	if len(msgs) != 1 || msgs[0].To[0] != "nadia.cherif@example.org" {
		t.Fatalf("%d e-mails sent, want the invitation to nadia.cherif@example.org", len(msgs))
	}
	p, err := msgs[0].Parse()
	if err != nil {
		t.Fatal(err)
	}
	m := invitationLink.FindStringSubmatch(p.Text)
	if m == nil {
		t.Fatalf("invitation without link:\n%s", p.Text)
	}
	signOut(t, site)

	site.Run(t, chromedp.Navigate(site.URL+m[1]), chromedp.WaitVisible(`#password`, chromedp.ByID))
	site.Screenshot(t, "invitation")
	site.Run(t,
		chromedp.SendKeys(`#password`, "trois chats gris sur le toit", chromedp.ByID),
		chromedp.SendKeys(`#confirm`, "trois chats gris sur le toit", chromedp.ByID),
	)
	site.ClickAndWait(t, `main button[type=submit]`)
	site.Run(t, chromedp.Text(`.fr-alert--success`, &flash, chromedp.ByQuery))
	if !strings.Contains(flash, "Votre mot de passe est enregistré") {
		t.Fatalf("after choosing the password: flash %q", flash)
	}
	// Setting the password ended the account's sessions as of the wall clock; the test
	// server's clock, set when the env started, catches up before the new sign-in.
	env.Advance(time.Minute)
	site.SignIn(t, "nadia.cherif@example.org", "trois chats gris sur le toit")
	var h1, who string
	site.Run(t, chromedp.Text(`h1`, &h1, chromedp.ByQuery), chromedp.Text(`.fr-header__tools`, &who, chromedp.ByQuery))
	if h1 != "Tableau de bord" || !strings.Contains(who, "Nadia Cherif") {
		t.Fatalf("after signing in: h1 %q, header %q", h1, who)
	}
	site.Screenshot(t, "member-dashboard")

	// The link served once.
	site.Run(t, chromedp.Navigate(site.URL+m[1]), chromedp.WaitVisible(`h1`, chromedp.ByQuery), chromedp.Text(`h1`, &h1, chromedp.ByQuery))
	if h1 != "Lien expiré ou déjà utilisé" {
		t.Errorf("invitation link used twice: h1 %q", h1)
	}
}

// TestBrowserRegistryPages renders the registry pages at desktop and phone widths, for
// the screenshots, and checks that none is wider than the screen.
func TestBrowserRegistryPages(t *testing.T) {
	for _, width := range []int{1280, 375} {
		t.Run(itoa(int64(width)), func(t *testing.T) {
			env := servertest.New(t)
			registrySeats(t, env)
			site := browsertest.Start(t, env, width, 900)
			base := site.URL + registry.Base(env.Commission.ID)
			site.SignIn(t, env.Users[models.RoleSecretariat].Email, servertest.Password)
			for _, p := range []struct{ name, path string }{
				{"composition", "/composition"},
				{"settings", "/parametres"},
				{"associations", "/associations"},
				{"import", "/import"},
			} {
				site.Run(t, chromedp.Navigate(base+p.path), chromedp.WaitVisible(`h1`, chromedp.ByQuery))
				shot(t, site, p.name)
			}
			site.Run(t, chromedp.Navigate(base+"/composition"), chromedp.WaitVisible(`h1`, chromedp.ByQuery))
			site.ClickAndWait(t, `.seance-seat a.fr-link[href*="/sieges/"]`)
			shot(t, site, "seat")
			site.Run(t, chromedp.Navigate(base+"/composition"), chromedp.WaitVisible(`h1`, chromedp.ByQuery))
			site.ClickAndWait(t, `.seance-actions a[href$="/remplacer"]`)
			shot(t, site, "replace")

			// Invalid settings: French errors next to the fields.
			site.Run(t, chromedp.Navigate(base+"/parametres"), chromedp.WaitVisible(`#notice_days`, chromedp.ByID),
				chromedp.SetValue(`#notice_days`, "2", chromedp.ByID))
			site.ClickAndWait(t, `main button[type=submit]`)
			var errText string
			site.Run(t, chromedp.Text(`#notice_days-error`, &errText, chromedp.ByID))
			if !strings.Contains(errText, "5 jours") {
				t.Errorf("settings error = %q", errText)
			}
			shot(t, site, "settings-error")

			// Import preview of the export with one new person, then confirmation.
			file := filepath.Join(t.TempDir(), "composition.xlsx")
			if err := os.WriteFile(file, exportWithNewRow(t, env), 0o600); err != nil {
				t.Fatal(err)
			}
			site.Run(t, chromedp.Navigate(base+"/import"), chromedp.WaitVisible(`#file`, chromedp.ByID),
				chromedp.SetUploadFiles(`#file`, []string{file}, chromedp.ByID))
			site.ClickAndWait(t, `main form[enctype] button[type=submit]`)
			shot(t, site, "import-preview")
			site.ClickAndWait(t, `form[action$="/import/confirmer"] button`)
			var flash string
			site.Run(t, chromedp.Text(`.fr-alert--success`, &flash, chromedp.ByQuery))
			if !strings.Contains(flash, "1 création(s)") {
				t.Errorf("after the import: flash %q", flash)
			}
		})
	}
}

// TestBrowserSecondFactorPages walks the second step of sign-in and the compulsory TOTP
// enrolment of a new secretariat account, at desktop and phone widths.
func TestBrowserSecondFactorPages(t *testing.T) {
	for _, width := range []int{1280, 375} {
		t.Run(itoa(int64(width)), func(t *testing.T) {
			env := servertest.New(t)
			// Sessions opened on the env's clock must not predate the account: the clock
			// catches up with the wall clock used to create it.
			u := &models.User{CommissionID: &env.Commission.ID, Email: "adjointe.secretariat@example.org", Name: "Adjointe du secrétariat",
				Role: models.RoleSecretariat, Active: true, PasswordHash: servertest.PasswordHash(t)}
			if err := models.CreateUser(ctx, env.DB, tester, u, env.Clock()); err != nil {
				t.Fatal(err)
			}
			env.Advance(time.Minute)
			site := browsertest.Start(t, env, width, 900)

			// The president signs in with the code of the app (second step).
			president := env.Users[models.RolePresident]
			site.Run(t,
				chromedp.Navigate(site.URL+"/login"),
				chromedp.WaitVisible(`#email`, chromedp.ByID),
				chromedp.SendKeys(`#email`, president.Email, chromedp.ByID),
				chromedp.SendKeys(`#password`, servertest.Password, chromedp.ByID),
			)
			site.ClickAndWait(t, `main button[type=submit]`)
			shot(t, site, "second-factor")
			site.Run(t, chromedp.SendKeys(`#code`, env.TOTPCode(t, president.ID), chromedp.ByID))
			site.ClickAndWait(t, `main button[type=submit]`)
			if p := site.Path(t); p != "/" {
				t.Fatalf("after the code: %s, want the dashboard", p)
			}
			signOut(t, site)

			// A new secretariat account must enrol TOTP before anything else.
			site.SignIn(t, u.Email, servertest.Password)
			if p := site.Path(t); p != "/compte/double-authentification" {
				shot(t, site, "unexpected")
				t.Fatalf("after the password of a secretariat without TOTP: %s, want the enrolment page", p)
			}
			shot(t, site, "enrol")
			var key string
			site.Run(t, chromedp.Text(`.seance-totp-key`, &key, chromedp.ByQuery))
			site.Run(t, chromedp.SendKeys(`#code`, servertest.TOTPCodeOf(t, strings.ReplaceAll(key, " ", ""), env.Clock()), chromedp.ByID))
			site.ClickAndWait(t, `main form[action="/compte/double-authentification"] button[type=submit]`)
			var codes []string
			site.Run(t, chromedp.Evaluate(`Array.from(document.querySelectorAll('.seance-codes code')).map(e => e.textContent)`, &codes))
			if len(codes) != twofactor.RecoveryCodeCount {
				t.Fatalf("%d recovery codes shown, want %d", len(codes), twofactor.RecoveryCodeCount)
			}
			shot(t, site, "recovery-codes")
			site.Run(t, chromedp.Navigate(site.URL+"/compte"), chromedp.WaitVisible(`h1`, chromedp.ByQuery))
			shot(t, site, "account")
			signOut(t, site)
			site.Run(t, chromedp.Navigate(site.URL+"/mot-de-passe-oublie"), chromedp.WaitVisible(`h1`, chromedp.ByQuery))
			shot(t, site, "forgot")
		})
	}
}

// signOut forgets the session cookie, as closing the browser would (on a phone the
// header's sign-out button sits in the closed menu).
func signOut(t *testing.T, site *browsertest.Site) {
	t.Helper()
	site.Run(t, network.ClearBrowserCookies())
}

// shot takes a screenshot and fails when the page is wider than the viewport (content
// cut off or scrolling sideways on a phone).
func shot(t *testing.T, site *browsertest.Site, name string) {
	t.Helper()
	site.Screenshot(t, name)
	var overflow bool
	site.Run(t, chromedp.Evaluate(`document.documentElement.scrollWidth > window.innerWidth + 1`, &overflow))
	if overflow {
		var w int
		site.Run(t, chromedp.Evaluate(`document.documentElement.scrollWidth`, &w))
		t.Errorf("page %s is %d px wide, more than the screen", name, w)
	}
}

func exportWithNewRow(t *testing.T, env *servertest.Env) []byte {
	t.Helper()
	rows, err := registrymodel.CompositionRows(ctx, env.DB, env.Commission.ID, env.Clock())
	if err != nil {
		t.Fatal(err)
	}
	day := models.CalendarDay(env.Clock())
	rows = append(rows, registrymodel.CompositionRow{Category: registrymodel.CategoryDASEN, Organisation: "DSDEN de la Haute-Garonne", Quality: "Directrice académique",
		Kind: registrymodel.MandateTitulaire, Name: "Élodie Fabre", Email: "elodie.fabre@example.org", StartsOn: day, TermEndsOn: registrymodel.DefaultTermEnd(day),
		ArreteRef: "Arrêté n° 31-" + day.Format(time.DateOnly) + "-002", VotingRight: true})
	var buf bytes.Buffer
	if err := registry.WriteComposition(&buf, rows); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
