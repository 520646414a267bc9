package account_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"seance/app/mail/mailtest"
	"seance/app/servertest"
	"seance/models"
	"seance/models/modelstest"
)

var invitationRe = regexp.MustCompile(`https?://[^/\s]+(/invitation/[A-Za-z0-9_-]+)`)

// auditActions returns the audit actions recorded on user id, oldest first.
func auditActions(t *testing.T, env *servertest.Env, id int64) []string {
	t.Helper()
	var recs []models.AuditRecord
	if err := env.DB.NewSelect().Model(&recs).Where("object = ?", models.ObjectRef("user", id)).Order("id ASC").Scan(ctx); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, r := range recs {
		out = append(out, r.Action)
	}
	return out
}

func TestAdminCreatesAccountWithInvitation(t *testing.T) {
	smtp := mailtest.NewServer(t) // stored copies mask link secrets: the link is read from what was sent
	env := servertest.NewWithEnv(t, smtp.Env())
	other := modelstest.Commission(t, env.DB, "09")
	a := env.Client()
	a.SignIn(t, models.RoleAdmin)
	expect(t, "GET list", a.Get(t, "/admin/comptes"), http.StatusOK, "", "secretariat@test.example", "Haute-Garonne (31)",
		"Région Occitanie (76)", "Plateforme", "Créer un compte")
	expect(t, "GET form", a.Get(t, "/admin/comptes/nouveau"), http.StatusOK, "", "Nouveau compte", `<option value="76">76 — Occitanie</option>`)
	cid := strconv.FormatInt(other.ID, 10)
	valid := url.Values{"name": {"Préfecture de l'Ariège"}, "email": {"Pref09@Example.org"}, "role": {"prefecture"}, "commission": {cid}}
	with := func(kv ...string) url.Values {
		f := url.Values{}
		for k, v := range valid {
			f[k] = v
		}
		for i := 0; i < len(kv); i += 2 {
			f.Set(kv[i], kv[i+1])
		}
		return f
	}
	for _, tt := range []struct {
		name string
		form url.Values
		want string
	}{
		{"no name", with("name", " "), "Indiquez le nom de la personne ou du service."},
		{"bad email", with("email", "pas une adresse"), "L&#39;adresse électronique n&#39;est pas valide."},
		{"email taken", with("email", "member@test.example"), "Un compte utilise déjà cette adresse électronique."},
		{"no role", with("role", ""), "Choisissez un rôle."},
		{"prefecture without commission", with("commission", ""), "appartient à une commission : choisissez-la."},
		{"unknown commission", with("commission", "9999"), "Cette commission n&#39;existe pas."},
		{"region without region", with("role", "region", "commission", ""), "choisissez sa région"},
		{"region with an unknown code", with("role", "region", "region", "99"), "choisissez sa région"},
		{"association without association", with("role", "association"), "rattaché à son association : choisissez-la"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			expect(t, "POST new account", a.PostForm(t, "/admin/comptes/nouveau", tt.form), http.StatusUnprocessableEntity, "", tt.want, "Le formulaire contient des erreurs")
		})
	}
	resp := a.PostForm(t, "/admin/comptes/nouveau", valid)
	if resp.Status != http.StatusSeeOther {
		t.Fatalf("POST valid account status = %d\n%s", resp.Status, resp.Body)
	}
	u, err := models.FindUserByEmail(ctx, env.DB, "pref09@example.org")
	if err != nil || u.Role != models.RolePrefecture || u.CommissionIDOrZero() != other.ID || u.PasswordHash != "" || !u.Active {
		t.Fatalf("created account = %+v, %v", u, err)
	}
	expect(t, "account page", a.Get(t, resp.Location), http.StatusOK, "", "est créé", "Une invitation à choisir son mot de passe", "Invitation en attente")
	// The invitation e-mail carries a working link.
	ms := env.WaitMail(t, "invitation", 1)
	m := ms[len(ms)-1]
	if m.Recipient != u.Email || m.CommissionID != other.ID {
		t.Fatalf("invitation e-mail = %+v", m)
	}
	env.DeliverMail(t)
	msgs := smtp.Messages()
	if len(msgs) == 0 {
		t.Fatal("no invitation sent")
	}
	sent, err := msgs[len(msgs)-1].Parse()
	if err != nil {
		t.Fatal(err)
	}
	link := invitationRe.FindStringSubmatch(sent.Text)
	if link == nil || !strings.Contains(sent.Text, "Préfecture") {
		t.Fatalf("invitation e-mail without its link:\n%s", sent.Text)
	}
	c := env.Client()
	expect(t, "invitation", c.Get(t, link[1]), http.StatusOK, "", "Activer votre compte")
	expect(t, "set password", c.PostForm(t, link[1], url.Values{"password": {"une phrase assez longue"}, "confirm": {"une phrase assez longue"}}), http.StatusSeeOther, "/login")
	catchUp(env)
	signedIn(t, env, u.Email, "une phrase assez longue")
	expect(t, "list shows the sign-in", a.Get(t, "/admin/comptes?commission="+cid), http.StatusOK, "", "pref09@example.org", "Ariège (09)")
	if got := a.Get(t, "/admin/comptes?commission="+cid).Body; strings.Contains(got, "secretariat@test.example") || strings.Contains(got, "Jamais") {
		t.Errorf("the filtered list shows another commission's account, or no sign-in for the new one")
	}
	got := auditActions(t, env, u.ID)
	want := []string{"user.create", "account_token.create"}
	if len(got) < 2 || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("audit of the new account = %v, want it to start with %v", got, want)
	}
	for _, r := range []models.Role{models.RoleSecretariat, models.RolePrefecture, models.RoleRegion} {
		c := env.Client()
		c.SignIn(t, r)
		for _, p := range []string{"/admin/comptes", "/admin/comptes/nouveau", "/admin/comptes/" + strconv.FormatInt(u.ID, 10)} {
			if resp := c.Get(t, p); resp.Status != http.StatusForbidden {
				t.Errorf("%s GET %s status = %d, want 403", r, p, resp.Status)
			}
		}
	}
}

func TestAdminChangesRoleAndDeactivates(t *testing.T) {
	env := servertest.New(t)
	target := account(t, env, models.RoleMember, "bascule@example.org")
	path := "/admin/comptes/" + strconv.FormatInt(target.ID, 10)
	victim := env.Client()
	victim.SignInAs(t, target.Email, servertest.Password)
	a := env.Client()
	admin := a.SignIn(t, models.RoleAdmin)
	expect(t, "account page", a.Get(t, path), http.StatusOK, "", "bascule@example.org", "Enregistrer le rôle", "Désactiver le compte")
	cid := strconv.FormatInt(env.Commission.ID, 10)
	for _, tt := range []struct {
		name string
		form url.Values
		want string
	}{
		{"secretariat without commission", url.Values{"role": {"secretariat"}}, "appartient à une commission"},
		{"region without region", url.Values{"role": {"region"}, "commission": {cid}}, "choisissez sa région"},
		{"association of no association", url.Values{"role": {"association"}, "commission": {cid}}, "rattaché à son association"},
		{"unknown role", url.Values{"role": {"superadmin"}}, "Choisissez un rôle."},
	} {
		t.Run(tt.name, func(t *testing.T) {
			expect(t, "POST role", a.PostForm(t, path+"/role", tt.form), http.StatusUnprocessableEntity, "", tt.want)
		})
	}
	// A member becomes the region's reader: no commission left; the old session ends.
	env.Advance(time.Minute)
	expect(t, "POST role region", a.PostForm(t, path+"/role", url.Values{"role": {"region"}, "region": {"76"}, "commission": {cid}}), http.StatusSeeOther, path)
	u, err := models.FindUser(ctx, env.DB, target.ID)
	if err != nil || u.Role != models.RoleRegion || u.CommissionID != nil || u.Region != "76" {
		t.Fatalf("after the change: %+v, %v", u, err)
	}
	if resp := victim.Get(t, "/"); resp.Status != http.StatusSeeOther || !strings.HasPrefix(resp.Location, "/login") {
		t.Errorf("the changed account's old session: status %d location %q, want a redirect to /login", resp.Status, resp.Location)
	}
	// Deactivation ends the sessions at once; reactivation lets the person back in.
	victim.SignInAs(t, target.Email, servertest.Password)
	expect(t, "deactivate", a.PostForm(t, path+"/desactiver", nil), http.StatusSeeOther, path)
	if resp := victim.Get(t, "/"); resp.Status != http.StatusSeeOther {
		t.Errorf("deactivated account's session: status %d, want a redirect", resp.Status)
	}
	expect(t, "list shows it", a.Get(t, "/admin/comptes?actif=non"), http.StatusOK, "", "bascule@example.org", "Désactivé")
	resp := victim.PostForm(t, "/login", url.Values{"email": {target.Email}, "password": {servertest.Password}})
	if resp.Status == http.StatusSeeOther && resp.Location == "/" {
		t.Errorf("a deactivated account signed in")
	}
	expect(t, "reactivate", a.PostForm(t, path+"/activer", nil), http.StatusSeeOther, path)
	env.Advance(time.Minute)
	victim.SignInAs(t, target.Email, servertest.Password)
	// The administrator cannot lock themselves out.
	self := "/admin/comptes/" + strconv.FormatInt(admin.ID, 10)
	expect(t, "own deactivation", a.PostForm(t, self+"/desactiver", nil), http.StatusUnprocessableEntity, "", "votre propre compte")
	expect(t, "own role", a.PostForm(t, self+"/role", url.Values{"role": {"member"}, "commission": {cid}}), http.StatusUnprocessableEntity, "", "votre propre compte")
	got := strings.Join(auditActions(t, env, target.ID), ",")
	for _, w := range []string{"user.role", "user.active"} {
		if !strings.Contains(got, w) {
			t.Errorf("audit of the account = %s, want %s", got, w)
		}
	}
	expect(t, "unknown account", a.Get(t, "/admin/comptes/99999"), http.StatusNotFound, "")
}
