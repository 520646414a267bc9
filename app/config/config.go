// Package config reads the portal's configuration from the environment.
package config

import (
	"errors"
	"fmt"
	"net/netip"
	"net/url"
	"path/filepath"
	"reflect"
	"strings"
	"time"
	_ "time/tzdata" // Europe/Paris is embedded: the binary needs no zoneinfo on the host

	"github.com/caarlos0/env/v11"

	"seance/models"
	"seance/models/keyring"
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
	// ProxyHeader names the header carrying the client address (e.g. X-Forwarded-For),
	// read only on requests whose direct peer is one of TrustedProxies.
	ProxyHeader string `env:"SEANCE_PROXY_HEADER"`
	// TrustedProxies lists the reverse proxies (IP addresses or CIDR ranges, comma
	// separated) whose ProxyHeader is believed.
	TrustedProxies []string `env:"SEANCE_TRUSTED_PROXIES" envSeparator:","`

	SMTPHost     string `env:"SMTP_HOST"`
	SMTPPort     int    `env:"SMTP_PORT" envDefault:"587"`
	SMTPUsername string `env:"SMTP_USERNAME"`
	SMTPPassword string `env:"SMTP_PASSWORD"`
	SMTPFrom     string `env:"SMTP_FROM" envDefault:"Séance <no-reply@localhost>"`
	// SMTPTLS is "starttls" (default), "tls" (implicit, port 465) or "none" (local relay only).
	SMTPTLS string `env:"SMTP_TLS" envDefault:"starttls"`
	// MailOutboxOnly says that, without SMTP, e-mails stay in the outbox table on purpose
	// (their links masked, so unusable): `seance serve` refuses to start without SMTP
	// unless it is set. `seance demo` sets it.
	MailOutboxOnly bool `env:"SEANCE_MAIL_OUTBOX_ONLY"`

	// Operator publishes the portal: named on the legal pages (mentions légales,
	// données personnelles, accessibilité).
	Operator        string `env:"SEANCE_OPERATOR" envDefault:"Préfecture de la Haute-Garonne"`
	OperatorAddress string `env:"SEANCE_OPERATOR_ADDRESS" envDefault:"1 place Saint-Étienne, 31038 Toulouse Cedex 9"`
	ContactEmail    string `env:"SEANCE_CONTACT_EMAIL"`

	// CheckpointDir receives the audit chain's checkpoint; BackupDir the SQLite
	// backups. By default: the SQLite file's folder (./data with PostgreSQL) and its
	// "backups" subfolder.
	CheckpointDir string `env:"SEANCE_CHECKPOINT_DIR"`
	BackupDir     string `env:"SEANCE_BACKUP_DIR"`

	// JobSchedules overrides the schedules of the periodic jobs, by job name: a cron
	// expression in TZ, or "off" (SEANCE_JOB_SCHEDULES="housekeeping=30 2 * * *;cleanup=off").
	JobSchedules map[string]string `env:"-"`

	// Demo is set by `seance demo`: demo accounts are shown on the login page.
	Demo bool `env:"-"`

	// Proxies is TrustedProxies parsed.
	Proxies []netip.Prefix `env:"-"`
	// Location is TimeZone loaded.
	Location *time.Location `env:"-"`
	// Keys is the keyring built from SecretKey and OldSecretKeys.
	Keys *keyring.Keyring `env:"-"`
}

// Load reads the configuration through getenv (os.Getenv in production) and checks it.
// An error names the variable at fault in one line.
func Load(getenv func(string) string) (*Config, error) {
	cfg := &Config{}
	environ := map[string]string{}
	for _, k := range envNames() {
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
	if err := cfg.parseProxies(); err != nil {
		return nil, err
	}
	if cfg.JobSchedules, err = parseSchedules(getenv("SEANCE_JOB_SCHEDULES")); err != nil {
		return nil, err
	}
	if cfg.SecretKey != "" {
		if err := cfg.buildKeys(); err != nil {
			return nil, err
		}
	}
	dataDir := "./data"
	if p := models.SQLitePath(cfg.DatabaseURL); p != "" {
		dataDir = filepath.Dir(p)
	}
	if cfg.CheckpointDir == "" {
		cfg.CheckpointDir = dataDir
	}
	if cfg.BackupDir == "" {
		cfg.BackupDir = filepath.Join(dataDir, "backups")
	}
	return cfg, nil
}

// parseProxies checks SEANCE_TRUSTED_PROXIES and that it goes with SEANCE_PROXY_HEADER:
// a header believed from any peer would let every client choose its own address.
func (c *Config) parseProxies() error {
	for i, s := range c.TrustedProxies {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		p, err := netip.ParsePrefix(s)
		if err != nil {
			a, aerr := netip.ParseAddr(s)
			if aerr != nil {
				return fmt.Errorf("configuration: SEANCE_TRUSTED_PROXIES item %d %q is not an IP address or a CIDR range (e.g. 127.0.0.1 or 10.0.0.0/8)", i+1, s)
			}
			a = a.Unmap()
			p = netip.PrefixFrom(a, a.BitLen())
		}
		c.Proxies = append(c.Proxies, p.Masked())
	}
	switch {
	case c.ProxyHeader != "" && len(c.Proxies) == 0:
		return fmt.Errorf("configuration: SEANCE_PROXY_HEADER=%q needs SEANCE_TRUSTED_PROXIES, the addresses of the reverse proxies allowed to set it (e.g. 127.0.0.1)", c.ProxyHeader)
	case c.ProxyHeader == "" && len(c.Proxies) > 0:
		return errors.New("configuration: SEANCE_TRUSTED_PROXIES is set but SEANCE_PROXY_HEADER is not: name the header the proxies set (e.g. X-Forwarded-For)")
	}
	return nil
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
	c.SecretKey = keyring.NewKey()
	return c.buildKeys()
}

func (c *Config) buildKeys() error {
	cur, err := keyring.ParseKey(c.SecretKey)
	if err != nil {
		return fmt.Errorf("configuration: SEANCE_SECRET_KEY %v", err)
	}
	var old [][]byte
	for i, s := range c.OldSecretKeys {
		k, err := keyring.ParseKey(s)
		if err != nil {
			return fmt.Errorf("configuration: SEANCE_OLD_SECRET_KEYS item %d %v", i+1, err)
		}
		old = append(old, k)
	}
	kr, err := keyring.NewKeyring(cur, old...)
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

// CheckMail returns an error unless e-mail is sent over SMTP or the operator said
// explicitly that it stays in the outbox (SEANCE_MAIL_OUTBOX_ONLY=true): an instance that
// silently kept its invitations and convocations in a table would fail every member.
func (c *Config) CheckMail() error {
	switch {
	case c.SMTPConfigured() && c.MailOutboxOnly:
		return errors.New("configuration: SMTP_HOST and SEANCE_MAIL_OUTBOX_ONLY=true are both set: unset one of them")
	case !c.SMTPConfigured() && !c.MailOutboxOnly:
		return errors.New("configuration: SMTP_HOST is not set: configure the SMTP_* variables so that invitations, password resets and convocations are sent, " +
			"or set SEANCE_MAIL_OUTBOX_ONLY=true to keep every e-mail in the outbox table, where links are masked (passwords are then set with `seance user passwd`)")
	}
	return nil
}

// envNames lists the variables Config reads, from its env tags: one list, kept by the
// struct itself.
func envNames() []string {
	var names []string
	t := reflect.TypeFor[Config]()
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("env"), ",")
		if name != "" && name != "-" {
			names = append(names, name)
		}
	}
	return names
}
