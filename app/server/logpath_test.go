package server

import "testing"

func TestRequestLogRedactsEmailedLinks(t *testing.T) {
	for _, tt := range []struct{ path, want string }{
		{"/invitation/s3cr3t-token", "/invitation/[secret]"},
		{"/reinitialisation/s3cr3t-token", "/reinitialisation/[secret]"},
		{"/confirmation-adresse/s3cr3t-token", "/confirmation-adresse/[secret]"},
		{"/login", "/login"},
		{"/commissions/1/composition", "/commissions/1/composition"},
	} {
		if got := redactPath(tt.path); got != tt.want {
			t.Errorf("redactPath(%q) = %q, want %q", tt.path, got, tt.want)
		}
	}
}
