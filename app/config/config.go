// Package config reads the portal's configuration from the environment.
package config

import (
	"errors"
	"fmt"
	"net/url"
	"reflect"
	"strings"
	"time"
	_ "time/tzdata" // Europe/Paris is embedded: the binary needs no zoneinfo on the host

	"github.com/caarlos0/env/v11"

	"seance/models"
)

// Config is the portal's configuration. Every field comes from an environment variable.
type Config struct {
	Addr        string `env:"SEANCE_ADDR" envDefault:":8080"`
	DatabaseURL string `env:"DATABASE_URL" envDefault:"./data/seance.db"`
	BaseURL     string `env:"SEANCE_BASE_URL" envDefault:"http://localhost:8080"`
	SecretKey   string `env:"SEANCE_SECRET_KEY"`
	// OldSecretKeys lists previous keys (comma separated) still needed to read values
	// sealed before a rotation.
	OldSecretKeys []string `env:"SEANCE_OLD_SECRET_KEYS" envSeparator:","`
	TimeZone      string   `env:"TZ" envDefault:"Europe/Paris"`
	// ProxyHeader names the header carrying the client address (e.g. X-Forwarded-For);
	// set it only behind a reverse proxy that overwrites it.
	ProxyHeader string `env:"SEANCE_PROXY_HEADER"`

	SMTPHost     string `env:"SMTP_HOST"`
	SMTPPort     int    `env:"SMTP_PORT" envDefault:"587"`
	SMTPUsername string `env:"SMTP_USERNAME"`
	SMTPPassword string `env:"SMTP_PASSWORD"`
	SMTPFrom     string `env:"SMTP_FROM" envDefault:"Séance <no-reply@localhost>"`
	// SMTPTLS is "starttls" (default), "tls" (implicit, port 465) or "none" (local relay only).
	SMTPTLS string `env:"SMTP_TLS" envDefault:"starttls"`

	// Operator publishes the portal: named on the legal pages (mentions légales,
	// données personnelles, accessibilité).
	Operator        string `env:"SEANCE_OPERATOR" envDefault:"Préfecture de la Haute-Garonne"`
	OperatorAddress string `env:"SEANCE_OPERATOR_ADDRESS" envDefault:"1 place Saint-Étienne, 31038 Toulouse Cedex 9"`
	ContactEmail    string `env:"SEANCE_CONTACT_EMAIL"`

	// JobSchedules overrides the schedules of the periodic jobs, by job name: a cron
	// expression in TZ, or "off" (SEANCE_JOB_SCHEDULES="housekeeping=30 2 * * *;cleanup=off").
	JobSchedules map[string]string `env:"-"`

	// Demo is set by `seance demo`: demo accounts are shown on the login page.
	Demo bool `env:"-"`

	// Location is TimeZone loaded.
	Location *time.Location `env:"-"`
	// Keys is the keyring built from SecretKey and OldSecretKeys.
	Keys *models.Keyring `env:"-"`
}

// Load reads the configuration through getenv (os.Getenv in production) and checks it.
// An error names the variable at fault in one line.
func Load(getenv func(string) string) (*Config, error) {
	cfg := &Config{}
	environ := map[string]string{}
	for _, k := range []string{
		"SEANCE_ADDR", "DATABASE_URL", "SEANCE_BASE_URL", "SEANCE_SECRET_KEY", "SEANCE_OLD_SECRET_KEYS", "TZ", "SEANCE_PROXY_HEADER",
		"SMTP_HOST", "SMTP_PORT", "SMTP_USERNAME", "SMTP_PASSWORD", "SMTP_FROM", "SMTP_TLS",
	} {
		if v := getenv(k); v != "" {
			environ[k] = v
		}
	}
	if err := env.ParseWithOptions(cfg, env.Options{Environment: environ}); err != nil {
		var agg env.AggregateError
		if errors.As(err, &agg) && len(agg.Errors) > 0 {
			err = agg.Errors[0]
		}
		var pe env.ParseError
		if errors.As(err, &pe) {
			if f, ok := reflect.TypeOf(*cfg).FieldByName(pe.Name); ok {
				v := f.Tag.Get("env")
				return nil, fmt.Errorf("configuration: %s=%q is not a valid %s", v, environ[v], pe.Type)
			}
		}
		return nil, fmt.Errorf("configuration: %w", err)
	}
	loc, err := time.LoadLocation(cfg.TimeZone)
	if err != nil {
		return nil, fmt.Errorf("configuration: TZ=%q is not a known time zone (e.g. Europe/Paris)", cfg.TimeZone)
	}
	cfg.Location = loc
	u, err := url.Parse(cfg.BaseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("configuration: SEANCE_BASE_URL=%q must be an absolute http(s) URL, e.g. https://seance.example.gouv.fr", cfg.BaseURL)
	}
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	switch cfg.SMTPTLS {
	case "starttls", "tls", "none":
	default:
		return nil, fmt.Errorf("configuration: SMTP_TLS=%q must be starttls, tls or none", cfg.SMTPTLS)
	}
	if cfg.SMTPPort <= 0 || cfg.SMTPPort > 65535 {
		return nil, fmt.Errorf("configuration: SMTP_PORT=%d is not a port number", cfg.SMTPPort)
	}
	if cfg.JobSchedules, err = parseSchedules(getenv("SEANCE_JOB_SCHEDULES")); err != nil {
		return nil, err
	}
	if cfg.SecretKey != "" {
		if err := cfg.buildKeys(); err != nil {
			return nil, err
		}
	}
	return cfg, nil
}

// parseSchedules reads "name=cron;name=off"; the jobs package checks the names and
// the expressions.
func parseSchedules(v string) (map[string]string, error) {
	out := map[string]string{}
	for _, part := range strings.Split(v, ";") {
		if strings.TrimSpace(part) == "" {
			continue
		}
		name, spec, ok := strings.Cut(part, "=")
		name, spec = strings.TrimSpace(name), strings.TrimSpace(spec)
		if !ok || name == "" || spec == "" {
			return nil, fmt.Errorf("configuration: SEANCE_JOB_SCHEDULES item %q: want name=cron expression (or name=off), separated by ;", part)
		}
		out[name] = spec
	}
	return out, nil
}

// RequireSecretKey returns an error explaining how to create SEANCE_SECRET_KEY when it is missing.
func (c *Config) RequireSecretKey() error {
	if c.Keys == nil {
		return errors.New("configuration: SEANCE_SECRET_KEY is required (32 random bytes, base64): create one with `openssl rand -base64 32` or `seance keys new`, and keep it safe: without it the encrypted files cannot be read")
	}
	return nil
}

// UseGeneratedKey sets a fresh random key (demo and tests only).
func (c *Config) UseGeneratedKey() error {
	c.SecretKey = models.NewKey()
	return c.buildKeys()
}

func (c *Config) buildKeys() error {
	cur, err := models.ParseKey(c.SecretKey)
	if err != nil {
		return fmt.Errorf("configuration: SEANCE_SECRET_KEY %v", err)
	}
	var old [][]byte
	for i, s := range c.OldSecretKeys {
		k, err := models.ParseKey(s)
		if err != nil {
			return fmt.Errorf("configuration: SEANCE_OLD_SECRET_KEYS item %d %v", i+1, err)
		}
		old = append(old, k)
	}
	kr, err := models.NewKeyring(cur, old...)
	if err != nil {
		return fmt.Errorf("configuration: SEANCE_SECRET_KEY: %w", err)
	}
	c.Keys = kr
	return nil
}

// Secure reports whether cookies must be marked Secure (https base URL).
func (c *Config) Secure() bool { return strings.HasPrefix(c.BaseURL, "https://") }

// SMTPConfigured reports whether e-mail is sent over SMTP (otherwise to the outbox table).
func (c *Config) SMTPConfigured() bool { return c.SMTPHost != "" }
