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
