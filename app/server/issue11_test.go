package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"seance/app/mail"
	"seance/app/servertest"
	"seance/models"
)

// loginFailureAddresses returns the "ip" of each failed sign-in in the audit log.
func loginFailureAddresses(t *testing.T, env *servertest.Env) []string {
	t.Helper()
	var recs []models.AuditRecord
	if err := env.DB.NewSelect().Model(&recs).Where("action = 'auth.login_failed'").Order("id ASC").Scan(context.Background()); err != nil {
		t.Fatal(err)
	}
	var ips []string
	for _, r := range recs {
		var d struct{ IP string }
		if err := json.Unmarshal([]byte(r.Details), &d); err != nil {
			t.Fatal(err)
		}
		ips = append(ips, d.IP)
	}
	return ips
}

// TestIssue11_ForwardedForSpoofing replays the review's attack: behind a proxy that
// appends the client's address to X-Forwarded-For, a client writes a new forged
// address in front of it on every request. The login rate limit must still count the
// real address, and the audit log must record it.
func TestIssue11_ForwardedForSpoofing(t *testing.T) {
	// app.Test serves every request from the peer 0.0.0.0: it plays the reverse proxy.
	env := servertest.NewWithEnv(t, map[string]string{"SEANCE_PROXY_HEADER": "X-Forwarded-For", "SEANCE_TRUSTED_PROXIES": "0.0.0.0, 10.0.0.0/8"})
	c := env.Client()
	var last *servertest.Response
	for i := range 21 {
		c.IP = fmt.Sprintf("203.0.113.%d, 198.51.100.7", i+1) // forged prefix, then what the proxy appended
		last = c.PostForm(t, "/login", url.Values{"email": {fmt.Sprintf("inconnu%d@test.example", i)}, "password": {"x"}})
	}
	if last.Status != http.StatusTooManyRequests {
		t.Fatalf("21st attempt with a new forged prefix: status %d, want 429 (the rate limit counts the real address)", last.Status)
	}
	ips := loginFailureAddresses(t, env)
	if len(ips) != 20 {
		t.Fatalf("%d failed sign-ins audited, want 20", len(ips))
	}
	for _, ip := range ips {
		if ip != "198.51.100.7" {
			t.Fatalf("audited address %q, want the real one 198.51.100.7 (never the forged prefix)", ip)
		}
	}

	for _, tt := range []struct{ name, trusted, header string }{
		{"header from a peer that is not a trusted proxy", "10.0.0.0/8", "203.0.113.50"},
		{"invalid right-most address", "0.0.0.0", "198.51.100.7, <script>alert(1)</script>"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			env := servertest.NewWithEnv(t, map[string]string{"SEANCE_PROXY_HEADER": "X-Forwarded-For", "SEANCE_TRUSTED_PROXIES": tt.trusted})
			c := env.Client()
			c.IP = tt.header
			c.PostForm(t, "/login", url.Values{"email": {"inconnu@test.example"}, "password": {"x"}})
			if ips := loginFailureAddresses(t, env); len(ips) != 1 || ips[0] != "0.0.0.0" {
				t.Fatalf("audited addresses %v, want the peer address 0.0.0.0", ips)
			}
		})
	}
}

var resetLink = regexp.MustCompile(`/reinitialisation/[A-Za-z0-9_-]{20,}`)

// TestIssue11_OutboxMasksSecrets replays the review's attack: on an instance without
// SMTP, the administrator asks for association2's password reset and reads the link in
// /admin/outbox. No page, stored row or log line may give a link's secret.
func TestIssue11_OutboxMasksSecrets(t *testing.T) {
	env := servertest.New(t) // no SMTP: e-mail stays in the outbox
	logged := env.CaptureLog(t)
	association := env.Users[models.RoleAssociation]
	anon := env.Client()
	resp := anon.PostForm(t, "/mot-de-passe-oublie", url.Values{"email": {association.Email}})
	if resp.Status != http.StatusOK {
		t.Fatalf("POST /mot-de-passe-oublie = %d", resp.Status)
	}
	stored := env.WaitMail(t, "password_reset", 1)[0]
	n, err := env.DB.NewSelect().Model((*models.AccountToken)(nil)).Where("user_id = ? AND purpose = ?", association.ID, models.TokenPasswordReset).Count(context.Background())
	if err != nil || n != 1 {
		t.Fatalf("reset links of the association = %d, %v, want 1 (the request made one)", n, err)
	}
	if resetLink.MatchString(stored.Body) || !strings.Contains(stored.Body, "/reinitialisation/[secret masqué]") {
		t.Fatalf("stored reset e-mail = %q, want its link masked", stored.Body)
	}

	// A convocation's personal link, and an invitation, sent by the mailer directly.
	secrets := []string{models.NewSecretToken(), models.NewSecretToken()}
	for i, m := range []mail.Message{
		{To: []string{"membre@test.example"}, Subject: "Convocation", Text: "Votre lien : " + env.Config.BaseURL + "/convocation/" + secrets[0] + "\nMerci.",
			Kind: "convocation", CommissionID: env.Commission.ID},
		{To: []string{"nouveau@test.example"}, Subject: "Invitation à Séance", Text: "Activez : " + env.Config.BaseURL + "/invitation/" + secrets[1],
			Kind: "invitation", CommissionID: env.Commission.ID, Sensitive: true},
	} {
		if _, err := env.Mailer.Send(context.Background(), m); err != nil {
			t.Fatalf("send %d: %v", i, err)
		}
	}

	admin := env.Client()
	admin.SignIn(t, models.RoleAdmin)
	page := admin.Get(t, "/admin/outbox")
	if page.Status != http.StatusOK || !strings.Contains(page.Body, "Séance : choisir un nouveau mot de passe") || !strings.Contains(page.Body, "Invitation à Séance") {
		t.Fatalf("GET /admin/outbox as admin = %d, want the stored messages\n%s", page.Status, page.Body)
	}
	if resetLink.MatchString(page.Body) {
		t.Errorf("/admin/outbox shows a usable reset link")
	}
	for _, s := range secrets {
		if strings.Contains(page.Body, s) {
			t.Errorf("/admin/outbox shows the secret %s", s)
		}
		rows, err := env.DB.NewSelect().Model((*models.OutboxMessage)(nil)).Where("body LIKE ?", "%"+s+"%").Count(context.Background())
		if err != nil || rows != 0 {
			t.Errorf("%d outbox rows hold the secret %s (%v)", rows, s, err)
		}
	}
	if strings.Count(page.Body, "[secret masqué]") < 3 {
		t.Errorf("/admin/outbox does not show the masked links")
	}
	sec := env.Client()
	sec.SignIn(t, models.RoleSecretariat)
	if resp := sec.Get(t, "/admin/outbox"); resp.Status != http.StatusForbidden {
		t.Errorf("GET /admin/outbox as secretariat = %d, want 403", resp.Status)
	}

	// Using a link shows its secret in no log line.
	reset, err := models.RequestPasswordReset(context.Background(), env.DB, association.Email, "192.0.2.1", env.Clock())
	if err != nil {
		t.Fatal(err)
	}
	if resp := env.Client().Get(t, "/reinitialisation/"+reset.Secret); resp.Status != http.StatusOK {
		t.Fatalf("GET reset link = %d", resp.Status)
	}
	log := logged()
	if !strings.Contains(log, "/reinitialisation/[secret]") {
		t.Errorf("the request log lacks the redacted reset path:\n%s", log)
	}
	for _, s := range append(secrets, reset.Secret) {
		if strings.Contains(log, s) {
			t.Errorf("a log line shows the secret %s:\n%s", s, log)
		}
	}
	if resetLink.MatchString(log) {
		t.Errorf("a log line shows a reset link:\n%s", log)
	}
}

// TestIssue11_LoginSameAnswerForUnknownAndLocked replays the review's probe: ten bad
// passwords locked a known account (429, fast) while an unknown address kept answering
// 401, which told which accounts exist and let anyone lock out a member. Now a known
// account and an unknown address get the same answers at every step, the wait grows
// instead of locking, and the owner signs in once it is over.
func TestIssue11_LoginSameAnswerForUnknownAndLocked(t *testing.T) {
	// Each client has its own address, through a trusted proxy (app.Test's peer 0.0.0.0).
	env := servertest.NewWithEnv(t, map[string]string{"SEANCE_PROXY_HEADER": "X-Forwarded-For", "SEANCE_TRUSTED_PROXIES": "0.0.0.0"})
	known := env.Users[models.RoleMember].Email
	const unknown = "fantome@test.example"
	try := func(ip, email, password string) *servertest.Response {
		c := env.Client()
		c.IP = ip
		resp := c.PostForm(t, "/login", url.Values{"email": {email}, "password": {password}})
		resp.Body = strings.ReplaceAll(resp.Body, email, "EMAIL") // the form echoes the address
		resp.Body = regexp.MustCompile(`content="[^"]*"`).ReplaceAllString(resp.Body, `content=""`)
		resp.Body = regexp.MustCompile(`name="csrf" value="[^"]*"`).ReplaceAllString(resp.Body, `name="csrf"`)
		return resp
	}
	same := func(step string, a, b *servertest.Response, status int, want string) {
		t.Helper()
		if a.Status != status || b.Status != status {
			t.Fatalf("%s: known account %d, unknown address %d, want both %d", step, a.Status, b.Status, status)
		}
		if a.Body != b.Body {
			t.Fatalf("%s: the known account and the unknown address get different pages", step)
		}
		if !strings.Contains(a.Body, want) {
			t.Fatalf("%s: page lacks %q\n%s", step, want, a.Body)
		}
	}
	for i := range models.AccountFreeFailures {
		same(fmt.Sprintf("failure %d", i+1), try("198.51.100.1", known, "faux mot de passe"), try("198.51.100.2", unknown, "faux mot de passe"),
			http.StatusUnauthorized, "Adresse électronique ou mot de passe incorrect.")
	}
	// Both must now wait a minute, from any address, whatever the password.
	until := env.Clock().Add(models.LoginDelayBase).In(env.Config.Location).Format("15:04")
	same("during the wait", try("203.0.113.7", known, servertest.Password), try("203.0.113.8", unknown, servertest.Password),
		http.StatusTooManyRequests, "la prochaine tentative sera possible à partir de "+until)

	// Once the wait is over, the owner signs in; the unknown address is refused as before.
	env.Advance(models.LoginDelayBase + time.Second)
	owner := env.Client()
	owner.IP = "198.51.100.1"
	owner.SignInAs(t, known, servertest.Password)
	if r := try("198.51.100.2", unknown, servertest.Password); r.Status != http.StatusUnauthorized {
		t.Fatalf("unknown address after the wait: %d, want 401", r.Status)
	}
	// Its next wait has doubled: still refused after one minute, accepted after two.
	env.Advance(models.LoginDelayBase + time.Second)
	if r := try("198.51.100.2", unknown, "x"); r.Status != http.StatusTooManyRequests {
		t.Fatalf("unknown address one minute into a doubled wait: %d, want 429", r.Status)
	}
	env.Advance(models.LoginDelayBase)
	if r := try("198.51.100.2", unknown, "x"); r.Status != http.StatusUnauthorized {
		t.Fatalf("unknown address after the doubled wait: %d, want 401", r.Status)
	}
}
