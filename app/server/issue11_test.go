package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"testing"

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
