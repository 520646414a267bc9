package account_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"seance/app/mail/mailtest"
	"seance/app/servertest"
	"seance/models"
)

var confirmLink = regexp.MustCompile(`https?://[^/\s]+(/confirmation-adresse/[A-Za-z0-9_-]+)`)

// TestIssue11_OwnerChangesEmailWithConfirmation: the owner of an activated account
// changes its address on "Mon compte" with their password; the change takes effect only
// through the link sent to the new address, and the old address is told twice (request,
// then change).
func TestIssue11_OwnerChangesEmailWithConfirmation(t *testing.T) {
	srv := mailtest.NewServer(t)
	env := servertest.NewWithEnv(t, srv.Env())
	member := env.Users[models.RoleMember]
	const newAddr = "membre.perso@example.org"
	c := env.Client()
	c.SignIn(t, models.RoleMember)
	expect(t, "Mon compte", c.Get(t, "/compte"), http.StatusOK, "", "Changer d'adresse électronique", `name="new_email"`)

	for _, tt := range []struct {
		name, email, pw string
		status          int
		want            string
	}{
		{"wrong password", newAddr, "faux mot de passe", http.StatusUnprocessableEntity, "Le mot de passe actuel est incorrect."},
		{"invalid address", "pas-une-adresse", servertest.Password, http.StatusUnprocessableEntity, "n&#39;est pas valide"},
		{"same address", member.Email, servertest.Password, http.StatusUnprocessableEntity, "déjà l&#39;adresse de votre compte"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			expect(t, tt.name, c.PostForm(t, "/compte/adresse", url.Values{"new_email": {tt.email}, "email_current": {tt.pw}}), tt.status, "", tt.want)
		})
	}
	expect(t, "request", c.PostForm(t, "/compte/adresse", url.Values{"new_email": {" Membre.Perso@Example.org "}, "email_current": {servertest.Password}}),
		http.StatusSeeOther, "/compte")
	expect(t, "flash", c.Get(t, "/compte"), http.StatusOK, "", "Un lien de confirmation, valable 24 heures, a été envoyé à "+newAddr)
	if u, err := models.FindUser(ctx, env.DB, member.ID); err != nil || u.Email != member.Email {
		t.Fatalf("the address changed before confirmation: %+v, %v", u, err)
	}
	old := srv.TextsTo(t, member.Email)
	if len(old) != 1 || !strings.Contains(old[0], "la nouvelle adresse serait "+newAddr) {
		t.Fatalf("messages to the old address after the request = %q", old)
	}
	got := srv.TextsTo(t, newAddr)
	if len(got) != 1 {
		t.Fatalf("%d messages to the new address, want the confirmation", len(got))
	}
	m := confirmLink.FindStringSubmatch(got[0])
	if m == nil {
		t.Fatalf("confirmation without link:\n%s", got[0])
	}
	link := m[1]

	anon := env.Client() // the link works from any browser: holding it proves the mailbox
	expect(t, "GET link", anon.Get(t, link), http.StatusOK, "", newAddr, "Confirmer la nouvelle adresse")
	if u, _ := models.FindUser(ctx, env.DB, member.ID); u.Email != member.Email {
		t.Fatal("opening the link changed the address (mail scanners open links)")
	}
	expect(t, "POST link", anon.PostForm(t, link, nil), http.StatusSeeOther, "/login")
	if u, err := models.FindUser(ctx, env.DB, member.ID); err != nil || u.Email != newAddr {
		t.Fatalf("after confirmation: %+v, %v; want the new address", u, err)
	}
	old = srv.TextsTo(t, member.Email)
	if len(old) != 2 || !strings.Contains(old[1], "Nouvelle adresse : "+newAddr) || !strings.Contains(old[1], "depuis la page « Mon compte »") {
		t.Fatalf("messages to the old address after the change = %q", old)
	}
	expect(t, "link again", env.Client().Get(t, link), http.StatusGone, "", "Lien expiré ou déjà utilisé")
	n, err := env.DB.NewSelect().Model((*models.AuditRecord)(nil)).
		Where("action = 'user.email_change' AND actor_id = ? AND object = ?", member.ID, models.ObjectRef("user", member.ID)).Count(ctx)
	if err != nil || n != 1 {
		t.Fatalf("%d user.email_change records by the owner, %v; want 1", n, err)
	}
	catchUp(env)
	signedIn(t, env, newAddr, servertest.Password)
	if resp := password(env.Client(), t, member.Email, servertest.Password); resp.Status != http.StatusUnauthorized {
		t.Fatalf("sign-in with the old address = %d, want 401", resp.Status)
	}
}

func TestEmailChangeLinkRefusedWhenAddressTakenMeanwhile(t *testing.T) {
	env := servertest.New(t)
	member := env.Users[models.RoleMember]
	secret, err := models.RequestEmailChange(ctx, env.DB, member, "prise@example.org", env.Clock())
	if err != nil {
		t.Fatal(err)
	}
	account(t, env, models.RoleMember, "prise@example.org")
	c := env.Client()
	c.Get(t, "/confirmation-adresse/"+secret)
	expect(t, "confirm a taken address", c.PostForm(t, "/confirmation-adresse/"+secret, nil), http.StatusConflict, "", "déjà utilisée par un autre compte")
	if u, _ := models.FindUser(ctx, env.DB, member.ID); u.Email != member.Email {
		t.Fatal("the address changed to one another account uses")
	}
}

func TestInvitationUnusableOnceAccountActivated(t *testing.T) {
	env := servertest.New(t)
	u, secret := invited(t, env, "activee@example.org")
	if err := models.SetPassword(ctx, env.DB, models.SystemActor("cli"), u.ID, servertest.PasswordHash(t), env.Clock()); err != nil {
		t.Fatal(err)
	}
	expect(t, "invitation after activation", env.Client().Get(t, "/invitation/"+secret), http.StatusGone, "")
}
