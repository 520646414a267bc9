package config_test

import (
	"strings"
	"testing"

	"seance/app/config"
	"seance/models/keyring"
)

func TestLoad(t *testing.T) {
	key := keyring.NewKey()
	for _, tt := range []struct {
		name    string
		env     map[string]string
		wantErr string // substring naming the variable; "" for success
	}{
		{"defaults", map[string]string{}, ""},
		{"with key", map[string]string{"SEANCE_SECRET_KEY": key}, ""},
		{"bad key", map[string]string{"SEANCE_SECRET_KEY": "abc"}, "SEANCE_SECRET_KEY"},
		{"short key", map[string]string{"SEANCE_SECRET_KEY": "c2hvcnQ="}, "SEANCE_SECRET_KEY"},
		{"bad port", map[string]string{"SMTP_PORT": "douze"}, "SMTP_PORT"},
		{"bad tz", map[string]string{"TZ": "Mars/Olympus"}, "TZ"},
		{"bad base url", map[string]string{"SEANCE_BASE_URL": "seance.local"}, "SEANCE_BASE_URL"},
		{"bad tls", map[string]string{"SMTP_TLS": "maybe"}, "SMTP_TLS"},
		{"proxies", map[string]string{"SEANCE_PROXY_HEADER": "X-Forwarded-For", "SEANCE_TRUSTED_PROXIES": "127.0.0.1, 10.0.0.0/8,::1"}, ""},
		{"proxy header without trusted proxies", map[string]string{"SEANCE_PROXY_HEADER": "X-Forwarded-For"}, "SEANCE_TRUSTED_PROXIES"},
		{"trusted proxies without header", map[string]string{"SEANCE_TRUSTED_PROXIES": "127.0.0.1"}, "SEANCE_PROXY_HEADER"},
		{"bad trusted proxy", map[string]string{"SEANCE_PROXY_HEADER": "X-Forwarded-For", "SEANCE_TRUSTED_PROXIES": "127.0.0.1,proxy.local"}, "SEANCE_TRUSTED_PROXIES item 2"},
		{"bad old key", map[string]string{"SEANCE_SECRET_KEY": key, "SEANCE_OLD_SECRET_KEYS": "zz"}, "SEANCE_OLD_SECRET_KEYS"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := config.Load(func(k string) string { return tt.env[k] })
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("Load() error = %v", err)
				}
				if cfg.Addr != ":8080" || cfg.Location.String() != "Europe/Paris" {
					t.Errorf("Load() = addr %q tz %v, want defaults", cfg.Addr, cfg.Location)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) || strings.Contains(err.Error(), "\n") {
				t.Fatalf("Load() error = %v, want one line naming %s", err, tt.wantErr)
			}
		})
	}
}

func TestServeRequiresSecretKey(t *testing.T) {
	cfg, err := config.Load(func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	if err := cfg.RequireSecretKey(); err == nil || !strings.Contains(err.Error(), "openssl rand -base64 32") {
		t.Fatalf("RequireSecretKey() = %v, want an explanation of how to make a key", err)
	}
}

// TestEveryTaggedVariableIsRead: a variable declared on Config is read from the
// environment (an earlier hand-kept list forgot the legal pages' variables).
func TestEveryTaggedVariableIsRead(t *testing.T) {
	cfg, err := config.Load(func(k string) string {
		return map[string]string{"SEANCE_OPERATOR": "Préfecture de l'Ariège", "SEANCE_CONTACT_EMAIL": "contact@example.org"}[k]
	})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Operator != "Préfecture de l'Ariège" || cfg.ContactEmail != "contact@example.org" {
		t.Errorf("Operator, ContactEmail = %q, %q; want the environment's", cfg.Operator, cfg.ContactEmail)
	}
}
