package server_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"seance/app/servertest"
	"seance/models"
)

// BenchmarkLoginPage renders the anonymous login page through the whole middleware
// stack (session creation included).
func BenchmarkLoginPage(b *testing.B) {
	env := servertest.New(b)
	for b.Loop() {
		resp, err := env.App.Test(httptest.NewRequest(http.MethodGet, "/login", nil), -1)
		if err != nil || resp.StatusCode != http.StatusOK {
			b.Fatalf("GET /login: %v %v", resp, err)
		}
		resp.Body.Close()
	}
}

// BenchmarkDashboard renders the dashboard of a signed-in user (session and user
// loaded from the database on each request).
func BenchmarkDashboard(b *testing.B) {
	env := servertest.New(b)
	c := env.Client()
	c.SignIn(b, models.RoleSecretariat)
	b.ResetTimer()
	for b.Loop() {
		if r := c.Get(b, "/"); r.Status != http.StatusOK {
			b.Fatalf("GET / = %d", r.Status)
		}
	}
}
