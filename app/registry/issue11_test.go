package registry_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"seance/app/mail/mailtest"
	"seance/app/servertest"
	"seance/models"
	"seance/models/modelstest"
)

func auditCount(t *testing.T, env *servertest.Env, action string, userID int64) int64 {
	t.Helper()
	n, err := env.DB.NewSelect().Model((*models.AuditRecord)(nil)).Where("action = ? AND object = ?", action, models.ObjectRef("user", userID)).Count(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestIssue11_SecretariatCannotTakeOverAccount replays the review's attack: the
// secretariat changed membre07's address to an outside one and sent an invitation, with
// which the outside party chose a password and voted as membre07; nothing went to the
// old address. Now the secretariat can change neither the address nor invite once the
// account is activated; the administrator can change it, the old address is told, and
// the change is audited.
func TestIssue11_SecretariatCannotTakeOverAccount(t *testing.T) {
	srv := mailtest.NewServer(t)
	env := servertest.NewWithEnv(t, srv.Env())
	member := env.Users[models.RoleMember] // activated: it has a password
	const outside = "attaquant@dehors.example"
	c, base := secretariat(t, env)
	page := base + "/personnes/" + itoaT(member.ID)

	resp := c.Get(t, page)
	servertest.Expect(t, "person page", resp, http.StatusOK, "Compte actif", `readonly`, "elle seule (Mon compte) ou l&#39;administrateur")
	if strings.Contains(resp.Body, "Renvoyer l&#39;invitation") {
		t.Error("the page of an activated account offers an invitation")
	}
	servertest.Expect(t, "change the address", c.PostForm(t, page, url.Values{"name": {member.Name}, "email": {outside}}),
		http.StatusUnprocessableEntity, "ne peut être changée que par elle-même (Mon compte) ou par l&#39;administrateur de la plateforme")
	servertest.Expect(t, "invite", c.PostForm(t, page+"/inviter", nil), http.StatusUnprocessableEntity, "a déjà activé son compte")
	if u, err := models.FindUserByEmail(ctx, env.DB, member.Email); err != nil || u.ID != member.ID {
		t.Fatalf("the member's address changed: %v", err)
	}
	if n := count(t, env, (*models.AccountToken)(nil)); n != 0 {
		t.Fatalf("%d account links created, want none", n)
	}
	if len(srv.Messages()) != 0 {
		t.Fatalf("%d e-mails sent, want none", len(srv.Messages()))
	}
	servertest.Expect(t, "rename only", c.PostForm(t, page, url.Values{"name": {"Membre Sept"}, "email": {member.Email}}), http.StatusSeeOther)

	// An invitation made before the account was activated cannot be used afterwards.
	invitee := modelstest.InvitedMember(t, env.DB, env.Commission.ID, "invitee@test.example")
	secret, err := models.InvitePerson(ctx, env.DB, models.SystemActor("test"), env.Commission.ID, invitee.ID, env.Clock())
	if err != nil {
		t.Fatal(err)
	}
	// The secretariat corrects the address of the account not yet activated: the old
	// address is told and its invitation link stops working.
	invPage := base + "/personnes/" + itoaT(invitee.ID)
	servertest.Expect(t, "correct a pending address", c.PostForm(t, invPage, url.Values{"name": {invitee.Name}, "email": {"invitee.bis@test.example"}}), http.StatusSeeOther)
	servertest.Expect(t, "after correction", c.Get(t, invPage), http.StatusOK, "invitee@test.example a été prévenue du changement", "renvoyez l&#39;invitation")
	if got := srv.TextsTo(t, "invitee@test.example"); len(got) != 1 || !strings.Contains(got[0], "Nouvelle adresse : invitee.bis@test.example") ||
		!strings.Contains(got[0], "par le secrétariat de la commission") {
		t.Fatalf("notices to the old address = %q", got)
	}
	if resp := env.Client().Get(t, "/invitation/"+secret); resp.Status != http.StatusGone {
		t.Fatalf("the invitation sent to the old address: GET = %d, want 410", resp.Status)
	}
	if n := auditCount(t, env, "user.email_change", invitee.ID); n != 1 {
		t.Fatalf("%d user.email_change records, want 1", n)
	}

	// The administrator may change an activated account's address; the old one is told.
	admin := env.Client()
	admin.SignIn(t, models.RoleAdmin)
	servertest.Expect(t, "admin sees an editable address", admin.Get(t, page), http.StatusOK)
	servertest.Expect(t, "admin changes it", admin.PostForm(t, page, url.Values{"name": {"Membre Sept"}, "email": {"membre07.nouvelle@test.example"}}), http.StatusSeeOther)
	if got := srv.TextsTo(t, member.Email); len(got) != 1 || !strings.Contains(got[0], "par l'administrateur de la plateforme") ||
		!strings.Contains(got[0], "membre07.nouvelle@test.example") {
		t.Fatalf("notices to the member's old address = %q", got)
	}
	var rec models.AuditRecord
	err = env.DB.NewSelect().Model(&rec).Where("action = 'user.email_change' AND object = ?", models.ObjectRef("user", member.ID)).Scan(ctx)
	if err != nil || rec.ActorID != env.Users[models.RoleAdmin].ID || !strings.Contains(rec.Details, member.Email) {
		t.Fatalf("audit of the administrator's change = %+v, %v", rec, err)
	}
}
