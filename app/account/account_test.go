package account_test

import (
	"context"
	"maps"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"seance/app/auth"
	"seance/app/mail/mailtest"
	"seance/app/servertest"
	"seance/models"
	"seance/models/twofactor"
)

var ctx = context.Background()

// invited creates a member account without password and returns it with the secret of
// its invitation link.
func invited(t *testing.T, env *servertest.Env, email string) (*models.User, string) {
	t.Helper()
	u := &models.User{CommissionID: &env.Commission.ID, Email: email, Name: "Nom de " + email, Role: models.RoleMember, Active: true}
	if err := models.CreateUser(ctx, env.DB, models.SystemActor("test"), u, env.Clock()); err != nil {
		t.Fatal(err)
	}
	secret, err := models.InvitePerson(ctx, env.DB, models.SystemActor("test"), env.Commission.ID, u.ID, env.Clock())
	if err != nil {
		t.Fatal(err)
	}
	return u, secret
}

// account creates an active account of role with servertest.Password and no TOTP.
func account(t *testing.T, env *servertest.Env, role models.Role, email string) *models.User {
	t.Helper()
	u := &models.User{Email: email, Name: "Nom de " + email, Role: role, Active: true, PasswordHash: servertest.PasswordHash(t)}
	if role.NeedsCommission() {
		u.CommissionID = &env.Commission.ID
	}
	if err := models.CreateUser(ctx, env.DB, models.SystemActor("test"), u, env.Clock()); err != nil {
		t.Fatal(err)
	}
	catchUp(env)
	return u
}

// catchUp lets a minute pass on the server's clock: setting a password ends the sessions
// opened before it, so the sign-in that follows happens later, as it would for a person.
func catchUp(env *servertest.Env) { env.Advance(time.Minute) }

// signedIn signs in with a password and checks that the session really serves pages.
func signedIn(t *testing.T, env *servertest.Env, email, pw string) {
	t.Helper()
	c := env.Client()
	c.SignInAs(t, email, pw)
	expect(t, "home after signing in as "+email, c.Get(t, "/"), http.StatusOK, "", "Tableau de bord")
}

// expect is servertest.Expect with the redirect's Location checked too (location "" for any).
func expect(t *testing.T, what string, resp *servertest.Response, status int, location string, body ...string) {
	t.Helper()
	servertest.Expect(t, what, resp, status, body...)
	if location != "" && resp.Location != location {
		t.Fatalf("%s: Location %q, want %q", what, resp.Location, location)
	}
}

// password posts the login form and, like a browser, follows the redirect to pick up
// the renewed session's CSRF token.
func password(c *servertest.Client, t *testing.T, email, pw string) *servertest.Response {
	t.Helper()
	resp := c.PostForm(t, "/login", url.Values{"email": {email}, "password": {pw}})
	if resp.Status == http.StatusSeeOther {
		c.Get(t, resp.Location)
	}
	return resp
}

func TestInvitationLinkIsSingleUse(t *testing.T) {
	env := servertest.New(t)
	u, secret := invited(t, env, "nouvelle@example.org")
	link := "/invitation/" + secret
	c := env.Client()

	resp := c.Get(t, link)
	expect(t, "GET invitation", resp, http.StatusOK, "", "Activer votre compte", u.Email)
	if resp.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("invitation page Cache-Control = %q, want no-store", resp.Header.Get("Cache-Control"))
	}
	for _, tt := range []struct {
		name, password, confirm, want string
	}{
		{"empty", "", "", "Saisissez un mot de passe."},
		{"too short", "court", "court", "au moins 12 caractères"},
		{"too common", "motdepasse123", "motdepasse123", "trop courant"},
		{"confirmation differs", "une phrase assez longue", "une phrase assez longuE", "ne sont pas identiques"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			resp := c.PostForm(t, link, url.Values{"password": {tt.password}, "confirm": {tt.confirm}})
			expect(t, "POST invitation", resp, http.StatusUnprocessableEntity, "", tt.want)
		})
	}
	resp = c.PostForm(t, link, url.Values{"password": {"une phrase assez longue"}, "confirm": {"une phrase assez longue"}})
	expect(t, "POST invitation", resp, http.StatusSeeOther, "/login")
	expect(t, "login page after the invitation", c.Get(t, "/login"), http.StatusOK, "", "Votre mot de passe est enregistré")

	expect(t, "GET invitation used", env.Client().Get(t, link), http.StatusGone, "", "Lien expiré ou déjà utilisé", "déjà servi")
	resp = env.Client().PostForm(t, link, url.Values{"password": {"une autre phrase longue"}, "confirm": {"une autre phrase longue"}})
	expect(t, "POST invitation used", resp, http.StatusGone, "")
	catchUp(env)
	signedIn(t, env, u.Email, "une phrase assez longue")
	expect(t, "unknown link", env.Client().Get(t, "/invitation/nimporte-quoi"), http.StatusGone, "")
}

func TestInvitationLinkExpiresAfter72Hours(t *testing.T) {
	env := servertest.New(t)
	_, secret := invited(t, env, "tardive@example.org")
	env.Advance(71 * time.Hour)
	expect(t, "after 71 h", env.Client().Get(t, "/invitation/"+secret), http.StatusOK, "")
	env.Advance(time.Hour)
	expect(t, "after 72 h", env.Client().Get(t, "/invitation/"+secret), http.StatusGone, "", "expiré")
	resp := env.Client().PostForm(t, "/invitation/"+secret, url.Values{"password": {"une phrase assez longue"}, "confirm": {"une phrase assez longue"}})
	expect(t, "POST after 72 h", resp, http.StatusGone, "")
}

var csrfValueRe = regexp.MustCompile(`(name="csrf" value="|name="csrf-token" content=")[^"]+`)

var linkRe = regexp.MustCompile(`https?://[^/\s]+(/reinitialisation/[A-Za-z0-9_-]+)`)

func TestPasswordResetDoesNotRevealAccounts(t *testing.T) {
	smtp := mailtest.NewServer(t)
	env := servertest.NewWithEnv(t, smtp.Env())
	member := env.Users[models.RoleMember]
	gone := account(t, env, models.RoleMember, "partie@example.org")
	if err := models.SetUserActive(ctx, env.DB, models.SystemActor("test"), gone.ID, false, env.Clock()); err != nil {
		t.Fatal(err)
	}
	c := env.Client()
	expect(t, "GET forgot", c.Get(t, "/mot-de-passe-oublie"), http.StatusOK, "", "Mot de passe oublié")
	expect(t, "login page link", c.Get(t, "/login"), http.StatusOK, "", `href="/mot-de-passe-oublie"`)

	var bodies []string
	for _, email := range []string{"personne@example.org", gone.Email, "  " + strings.ToUpper(member.Email) + " "} {
		resp := c.PostForm(t, "/mot-de-passe-oublie", url.Values{"email": {email}})
		expect(t, "POST forgot "+email, resp, http.StatusOK, "", "Si un compte actif correspond à cette adresse")
		// The CSRF token is masked afresh in every response: it is the one part that differs.
		bodies = append(bodies, csrfValueRe.ReplaceAllString(resp.Body, "${1}…"))
	}
	if bodies[0] != bodies[1] || bodies[0] != bodies[2] {
		t.Errorf("the answers differ between an unknown address, a deactivated account and an active one")
	}
	expect(t, "malformed address", c.PostForm(t, "/mot-de-passe-oublie", url.Values{"email": {"pas-une-adresse"}}), http.StatusUnprocessableEntity, "", "adresse électronique valide")

	env.WaitMail(t, "password_reset", 1)
	msgs := smtp.Messages()
	if len(msgs) != 1 || msgs[0].To[0] != member.Email {
		t.Fatalf("%d e-mails sent (%v), want one to %s", len(msgs), msgs, member.Email)
	}
	p, err := msgs[0].Parse()
	if err != nil {
		t.Fatal(err)
	}
	m := linkRe.FindStringSubmatch(p.Text)
	if m == nil {
		t.Fatalf("reset e-mail without link:\n%s", p.Text)
	}
	link := m[1]
	var stored models.OutboxMessage
	if err := env.DB.NewSelect().Model(&stored).Where("kind = 'password_reset'").Scan(ctx); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(stored.Body, link) {
		t.Errorf("the reset link is stored in the outbox although SMTP sent it")
	}

	r := env.Client()
	expect(t, "GET reset link", r.Get(t, link), http.StatusOK, "", "Choisir un nouveau mot de passe", member.Email)
	expect(t, "POST reset", r.PostForm(t, link, url.Values{"password": {"nouvelle phrase de passe"}, "confirm": {"nouvelle phrase de passe"}}), http.StatusSeeOther, "/login")
	expect(t, "reset link again", env.Client().Get(t, link), http.StatusGone, "")
	expect(t, "old password", password(env.Client(), t, member.Email, servertest.Password), http.StatusUnauthorized, "")
	catchUp(env)
	signedIn(t, env, member.Email, "nouvelle phrase de passe")
}

func TestPasswordResetLinkExpiresAfterAnHour(t *testing.T) {
	env := servertest.New(t)
	member := env.Users[models.RoleMember]
	reset, err := models.RequestPasswordReset(ctx, env.DB, member.Email, "192.0.2.1", env.Clock())
	if err != nil {
		t.Fatal(err)
	}
	env.Advance(61 * time.Minute)
	expect(t, "reset link after an hour", env.Client().Get(t, "/reinitialisation/"+reset.Secret), http.StatusGone, "")
}

func TestPasswordResetRequestsAreRateLimited(t *testing.T) {
	env := servertest.New(t)
	c := env.Client()
	var last *servertest.Response
	for range 6 {
		last = c.PostForm(t, "/mot-de-passe-oublie", url.Values{"email": {"personne@example.org"}})
	}
	expect(t, "6th request", last, http.StatusTooManyRequests, "", "Trop de demandes")
}

func TestSecondFactorSignIn(t *testing.T) {
	env := servertest.New(t)
	u := env.Users[models.RoleSecretariat]
	c := env.Client()

	expect(t, "password step", password(c, t, u.Email, servertest.Password), http.StatusSeeOther, auth.SecondFactorPath)
	expect(t, "home before the code", c.Get(t, "/"), http.StatusSeeOther, "/login")
	expect(t, "code page", c.Get(t, auth.SecondFactorPath), http.StatusOK, "", "Vérification en deux étapes", u.Email)
	expect(t, "empty code", c.PostForm(t, auth.SecondFactorPath, url.Values{"code": {""}}), http.StatusUnprocessableEntity, "", "Saisissez le code")
	expect(t, "wrong code", c.PostForm(t, auth.SecondFactorPath, url.Values{"code": {"000000"}}), http.StatusUnauthorized, "", "Code incorrect")
	expect(t, "wrong recovery code", c.PostForm(t, auth.SecondFactorPath, url.Values{"code": {"AAAAA-BBBBB"}}), http.StatusUnauthorized, "", "Code de secours incorrect")
	code := env.TOTPCode(t, u.ID)
	expect(t, "right code", c.PostForm(t, auth.SecondFactorPath, url.Values{"code": {code}}), http.StatusSeeOther, "/")
	expect(t, "home", c.Get(t, "/"), http.StatusOK, "", "Tableau de bord")

	// The same code cannot serve twice, even from another browser.
	other := env.Client()
	expect(t, "password again", password(other, t, u.Email, servertest.Password), http.StatusSeeOther, auth.SecondFactorPath)
	expect(t, "reused code", other.PostForm(t, auth.SecondFactorPath, url.Values{"code": {code}}), http.StatusUnauthorized, "", "déjà servi")
	expect(t, "still not signed in", other.Get(t, "/"), http.StatusSeeOther, "/login")

	// The code page without a correct password first.
	expect(t, "code page anonymous", env.Client().Get(t, auth.SecondFactorPath), http.StatusSeeOther, "/login")
	anon := env.Client()
	anon.Get(t, "/login")
	expect(t, "code anonymous", anon.PostForm(t, auth.SecondFactorPath, url.Values{"code": {code}}), http.StatusSeeOther, "/login")

	// The wait between the password and the code is bounded.
	late := env.Client()
	password(late, t, u.Email, servertest.Password)
	env.Advance(auth.PendingTimeout + time.Minute)
	expect(t, "code after the timeout", late.PostForm(t, auth.SecondFactorPath, url.Values{"code": {env.TOTPCode(t, u.ID)}}), http.StatusSeeOther, "/login")
}

func TestSecondFactorRateLimit(t *testing.T) {
	env := servertest.New(t)
	u := env.Users[models.RolePresident]
	c := env.Client()
	password(c, t, u.Email, servertest.Password)
	for range twofactor.MaxSecondFactorFail {
		expect(t, "wrong code", c.PostForm(t, auth.SecondFactorPath, url.Values{"code": {"000000"}}), http.StatusUnauthorized, "")
	}
	resp := c.PostForm(t, auth.SecondFactorPath, url.Values{"code": {env.TOTPCode(t, u.ID)}})
	expect(t, "right code after 5 failures", resp, http.StatusTooManyRequests, "", "Trop de codes erronés")
}

var (
	keyRe  = regexp.MustCompile(`<code class="seance-totp-key">([A-Z2-7 ]+)</code>`)
	codeRe = regexp.MustCompile(`<li><code>([A-Z2-9]{5}-[A-Z2-9]{5})</code></li>`)
)

// enrol goes through the enrolment page and returns the secret and the recovery codes.
func enrol(t *testing.T, env *servertest.Env, c *servertest.Client) (string, []string) {
	t.Helper()
	resp := c.Get(t, auth.EnrolmentPath)
	expect(t, "enrolment page", resp, http.StatusOK, "", "Double authentification", `src="/compte/double-authentification/qr.png"`, `href="otpauth://totp/S%C3%A9ance:`)
	if resp.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("enrolment page Cache-Control = %q, want no-store", resp.Header.Get("Cache-Control"))
	}
	m := keyRe.FindStringSubmatch(resp.Body)
	if m == nil {
		t.Fatalf("no manual key on the enrolment page\n%s", resp.Body)
	}
	secret := strings.ReplaceAll(m[1], " ", "")
	qr := c.Get(t, auth.EnrolmentPath+"/qr.png")
	if qr.Status != http.StatusOK || qr.Header.Get("Content-Type") != "image/png" || qr.Header.Get("Cache-Control") != "no-store" || !strings.HasPrefix(qr.Body, "\x89PNG") {
		t.Fatalf("QR code: status %d, type %q, cache %q", qr.Status, qr.Header.Get("Content-Type"), qr.Header.Get("Cache-Control"))
	}
	expect(t, "wrong first code", c.PostForm(t, auth.EnrolmentPath, url.Values{"code": {"123456"}}), http.StatusUnprocessableEntity, "", "Code incorrect", "seance-totp-key")
	resp = c.PostForm(t, auth.EnrolmentPath, url.Values{"code": {servertest.TOTPCodeOf(t, secret, env.Clock())}})
	expect(t, "first code", resp, http.StatusOK, "", "Codes de secours", "Ils ne seront plus affichés")
	var codes []string
	for _, m := range codeRe.FindAllStringSubmatch(resp.Body, -1) {
		codes = append(codes, m[1])
	}
	if len(codes) != twofactor.RecoveryCodeCount {
		t.Fatalf("%d recovery codes shown, want %d", len(codes), twofactor.RecoveryCodeCount)
	}
	return secret, codes
}

func TestRequiredRolesMustEnrolBeforeAnythingElse(t *testing.T) {
	env := servertest.New(t)
	u := account(t, env, models.RoleSecretariat, "nouveau.secretariat@example.org")
	c := env.Client()
	expect(t, "password", password(c, t, u.Email, servertest.Password), http.StatusSeeOther, auth.EnrolmentPath)
	for _, path := range []string{"/", "/admin/audit", "/compte"} {
		expect(t, "GET "+path+" before enrolment", c.Get(t, path), http.StatusSeeOther, auth.EnrolmentPath)
	}
	expect(t, "POST before enrolment", c.PostForm(t, "/admin/audit/verify", nil), http.StatusForbidden, "", "double authentification")
	expect(t, "no demo exemption outside demo mode", c.PostForm(t, auth.EnrolmentPath+"/passer", nil), http.StatusNotFound, "")
	expect(t, "still forced", c.Get(t, "/"), http.StatusSeeOther, auth.EnrolmentPath)
	if resp := c.Get(t, auth.EnrolmentPath); strings.Contains(resp.Body, "passer l&#39;enrôlement") || strings.Contains(resp.Body, "passer l'enrôlement") {
		t.Errorf("the enrolment page offers the demo exemption outside demo mode")
	}

	secret, codes := enrol(t, env, c)
	expect(t, "home after enrolment", c.Get(t, "/"), http.StatusOK, "", "Tableau de bord")
	expect(t, "enrolment page once enabled", c.Get(t, auth.EnrolmentPath), http.StatusSeeOther, "/compte")
	expect(t, "no QR code once enabled", c.Get(t, auth.EnrolmentPath+"/qr.png"), http.StatusNotFound, "")

	// Next sign-in: a recovery code instead of the app's code, once only.
	r := env.Client()
	expect(t, "password", password(r, t, u.Email, servertest.Password), http.StatusSeeOther, auth.SecondFactorPath)
	expect(t, "recovery code", r.PostForm(t, auth.SecondFactorPath, url.Values{"code": {strings.ToLower(codes[0])}}), http.StatusSeeOther, "/")
	expect(t, "home", r.Get(t, "/"), http.StatusOK, "", "il vous en reste 9")
	again := env.Client()
	password(again, t, u.Email, servertest.Password)
	expect(t, "recovery code reused", again.PostForm(t, auth.SecondFactorPath, url.Values{"code": {codes[0]}}), http.StatusUnauthorized, "", "déjà utilisé")
	expect(t, "app code", again.PostForm(t, auth.SecondFactorPath, url.Values{"code": {servertest.TOTPCodeOf(t, secret, env.Clock().Add(30*time.Second))}}), http.StatusSeeOther, "/")

	// New recovery codes need a current code of the app.
	expect(t, "account page", again.Get(t, "/compte"), http.StatusOK, "", "Activée", "Codes de secours restants : <strong>9</strong>")
	expect(t, "regenerate without code", again.PostForm(t, "/compte/codes-de-secours", url.Values{"totp_code": {"000000"}}), http.StatusUnprocessableEntity, "", "Code incorrect")
	env.Advance(time.Minute) // the app shows the next code
	resp := again.PostForm(t, "/compte/codes-de-secours", url.Values{"totp_code": {servertest.TOTPCodeOf(t, secret, env.Clock())}})
	expect(t, "regenerate", resp, http.StatusOK, "", "remplacent les anciens")
	if n := len(codeRe.FindAllString(resp.Body, -1)); n != twofactor.RecoveryCodeCount {
		t.Errorf("%d new recovery codes, want %d", n, twofactor.RecoveryCodeCount)
	}
}

func TestMembersMustEnrolWhenTheCommissionSaysSo(t *testing.T) {
	env := servertest.New(t)
	c := env.Client()
	c.SignIn(t, models.RoleMember)
	expect(t, "member home", c.Get(t, "/"), http.StatusOK, "")
	s, err := models.FindSettings(ctx, env.DB, env.Commission.ID)
	if err != nil {
		t.Fatal(err)
	}
	s.TOTPRequiredForMembers = true
	if err := models.UpdateSettings(ctx, env.DB, models.SystemActor("test"), env.Commission, s, env.Clock()); err != nil {
		t.Fatal(err)
	}
	expect(t, "member home once required", c.Get(t, "/"), http.StatusSeeOther, auth.EnrolmentPath)
	expect(t, "association unaffected", func() *servertest.Response {
		a := env.Client()
		a.SignIn(t, models.RoleAssociation)
		return a.Get(t, "/")
	}(), http.StatusOK, "")
}

func TestAdminResetsTOTP(t *testing.T) {
	env := servertest.New(t)
	target := env.Users[models.RolePresident]
	s := env.Client()
	s.SignIn(t, models.RoleSecretariat)
	expect(t, "secretariat on accounts", s.Get(t, "/admin/comptes"), http.StatusForbidden, "")
	path := "/admin/comptes/" + strconv.FormatInt(target.ID, 10) + "/double-authentification/reinitialiser"
	expect(t, "secretariat resets", s.PostForm(t, path, nil), http.StatusForbidden, "")

	a := env.Client()
	a.SignIn(t, models.RoleAdmin)
	expect(t, "accounts page", a.Get(t, "/admin/comptes"), http.StatusOK, "", target.Email, "Activée")
	expect(t, "reset", a.PostForm(t, path, nil), http.StatusSeeOther, "/admin/comptes")
	expect(t, "flash", a.Get(t, "/admin/comptes"), http.StatusOK, "", "est réinitialisée")
	st, err := twofactor.TOTPStatusOf(ctx, env.DB, target.ID)
	if err != nil || st.Enabled {
		t.Fatalf("TOTP status after reset = %+v, %v", st, err)
	}
	p := env.Client()
	expect(t, "president after reset", password(p, t, target.Email, servertest.Password), http.StatusSeeOther, auth.EnrolmentPath)
	expect(t, "forced to enrol again", p.Get(t, "/"), http.StatusSeeOther, auth.EnrolmentPath)
}

func TestDemoLetsVisitorsSkipEnrolment(t *testing.T) {
	env := servertest.NewDemo(t)
	u := account(t, env, models.RoleSecretariat, "secretariat@demo.example")
	c := env.Client()
	expect(t, "password", password(c, t, u.Email, servertest.Password), http.StatusSeeOther, auth.EnrolmentPath)
	expect(t, "enrolment page", c.Get(t, auth.EnrolmentPath), http.StatusOK, "", "Démonstration : passer l")
	expect(t, "skip", c.PostForm(t, auth.EnrolmentPath+"/passer", nil), http.StatusSeeOther, "/")
	expect(t, "home", c.Get(t, "/"), http.StatusOK, "", "Tableau de bord", "Démonstration")
	expect(t, "account page", c.Get(t, "/compte"), http.StatusOK, "", "Enrôlement passé (démonstration)")
	// The exemption belongs to the session: the next sign-in asks again.
	n := env.Client()
	password(n, t, u.Email, servertest.Password)
	expect(t, "next session", n.Get(t, "/"), http.StatusSeeOther, auth.EnrolmentPath)
}

func TestChangePassword(t *testing.T) {
	env := servertest.New(t)
	c := env.Client()
	u := c.SignIn(t, models.RoleMember)
	expect(t, "account page", c.Get(t, "/compte"), http.StatusOK, "", "Mon compte", u.Email, "Non activée")
	catchUp(env) // the password changes a minute after the sign-in
	resp := c.PostForm(t, "/compte/mot-de-passe", url.Values{"current": {"faux"}, "password": {"une nouvelle phrase"}, "confirm": {"une nouvelle phrase"}})
	expect(t, "wrong current password", resp, http.StatusUnprocessableEntity, "", "Le mot de passe actuel est incorrect")
	resp = c.PostForm(t, "/compte/mot-de-passe", url.Values{"current": {servertest.Password}, "password": {"une nouvelle phrase"}, "confirm": {"une nouvelle phrase"}})
	expect(t, "change", resp, http.StatusSeeOther, "/login")
	expect(t, "signed out", c.Get(t, "/"), http.StatusSeeOther, "/login")
	catchUp(env)
	signedIn(t, env, u.Email, "une nouvelle phrase")
}

// TestEnrolmentPageWritesNoAuditRecord: opening the TOTP enrolment page (and its QR
// code) records nothing (issue 15 point 5); asking for a new key records totp.enrol
// and confirming the first code records totp.confirm, each on its POST.
func TestEnrolmentPageWritesNoAuditRecord(t *testing.T) {
	env := servertest.New(t)
	u := account(t, env, models.RoleSecretariat, "enrolement.sans.trace@example.org")
	// actions counts the TOTP audit records of the account.
	actions := func() map[string]int {
		var rows []models.AuditRecord
		if err := env.DB.NewSelect().Model(&rows).Where("object = ?", models.ObjectRef("user", u.ID)).Scan(context.Background()); err != nil {
			t.Fatal(err)
		}
		n := map[string]int{}
		for _, r := range rows {
			if strings.HasPrefix(r.Action, "totp.") {
				n[r.Action]++
			}
		}
		return n
	}
	before := actions()
	c := env.Client()
	// The sign-in lands on the enrolment page (password follows the redirect), which
	// creates the pending key: the first GET.
	expect(t, "password", password(c, t, u.Email, servertest.Password), http.StatusSeeOther, auth.EnrolmentPath)
	for i := 0; i < 2; i++ {
		expect(t, "enrolment page", c.Get(t, auth.EnrolmentPath), http.StatusOK, "", "seance-totp-key")
		if qr := c.Get(t, auth.EnrolmentPath+"/qr.png"); qr.Status != http.StatusOK {
			t.Fatalf("QR code: status %d", qr.Status)
		}
	}
	if after := actions(); !maps.Equal(after, before) {
		t.Fatalf("GET %s wrote audit records: before %v, after %v", auth.EnrolmentPath, before, after)
	}
	expect(t, "new key", c.PostForm(t, auth.EnrolmentPath+"/nouvelle-cle", nil), http.StatusSeeOther, auth.EnrolmentPath)
	if got := actions()["totp.enrol"]; got != before["totp.enrol"]+1 {
		t.Fatalf("POST nouvelle-cle: %d totp.enrol records, want %d", got, before["totp.enrol"]+1)
	}
	enrol(t, env, c)
	if got := actions()["totp.confirm"]; got != before["totp.confirm"]+1 {
		t.Fatalf("confirming the first code: %d totp.confirm records, want %d", got, before["totp.confirm"]+1)
	}
}
