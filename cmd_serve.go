package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"seance/app/auth"
	"seance/app/config"
	"seance/app/demo"
	"seance/app/server"
	"seance/jobs"
	"seance/models"
	"seance/models/migrations"
	"seance/models/minutes"
)

// openDB opens and migrates the database. With SEANCE_SECRET_KEY, the handle carries
// the audit chain's MAC keys (models.WithAuditKeys): every audit record written
// through it is keyed and verify checks the keyed links.
func openDB(ctx context.Context, cfg *config.Config) (*bun.DB, error) {
	db, err := models.Open(cfg.DatabaseURL)
	if err != nil {
		return nil, err
	}
	if err := migrations.Up(ctx, db); err != nil {
		db.Close()
		return nil, err
	}
	if cfg.SecretKey == "" {
		return db, nil
	}
	ks, err := models.ParseAuditKeys(cfg.SecretKey, cfg.OldSecretKeys)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("configuration: %w", err)
	}
	return models.WithAuditKeys(db, ks), nil
}

func cmdServe(ctx context.Context, getenv func(string) string, now func() time.Time, stderr io.Writer) error {
	cfg, err := config.Load(getenv)
	if err != nil {
		return err
	}
	if err := cfg.RequireSecretKey(); err != nil {
		return err
	}
	return serve(ctx, cfg, slog.New(slog.NewTextHandler(stderr, nil)), now, nil)
}

// serve runs migrations, jobs and the HTTP server until ctx ends. ready, when set,
// is called once the listener is open.
func serve(ctx context.Context, cfg *config.Config, log *slog.Logger, now func() time.Time, ready func(addr string)) error {
	if err := cfg.CheckMail(); err != nil {
		return err
	}
	db, err := openDB(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	writes := models.TrackWrites(db) // before the jobs share db
	// Procès-verbaux made before their snapshot was sealed are sealed now: a migration
	// has no key.
	sealed, err := minutes.SealMinutesSnapshots(ctx, db, cfg.Keys, now())
	if err != nil {
		return err
	}
	if sealed > 0 {
		log.Info("procès-verbal snapshots sealed", "count", sealed)
	}
	mailer, reg, err := newJobs(cfg, db, log, now)
	if err != nil {
		return err
	}
	if err := reg.Start(ctx, models.IsPostgres(cfg.DatabaseURL)); err != nil {
		return err
	}
	defer func() {
		if err := reg.Shutdown(); err != nil {
			log.Error("stop scheduler", "err", err)
		}
		// Once the requests and the jobs are done, the head of the audit chain is written
		// outside the database (the server's context has ended: a fresh one).
		if _, err := jobs.WriteCheckpoint(context.WithoutCancel(ctx), db, cfg.CheckpointDir, now(), log); err != nil {
			log.Error("audit checkpoint at shutdown", "err", err)
		}
	}()
	app := server.New(server.Deps{DB: db, Config: cfg, Log: log, Now: now, Mailer: mailer, Jobs: reg, Writes: writes})
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s (SEANCE_ADDR): %w", cfg.Addr, err)
	}
	go func() {
		<-ctx.Done()
		if err := app.ShutdownWithTimeout(10 * time.Second); err != nil {
			log.Error("shutdown", "err", err)
		}
		// fasthttp's Shutdown only closes the listeners Serve has already registered: a
		// context ended before Serve got there would leave it accepting forever. Closing
		// the listener ourselves makes a late Serve return at once (its error, "use of
		// closed network connection", is taken by fasthttp as a clean stop).
		ln.Close()
	}()
	log.Info("Séance is listening", "addr", ln.Addr().String(), "base_url", cfg.BaseURL, "database", dbKind(cfg.DatabaseURL))
	if ready != nil {
		ready(ln.Addr().String())
	}
	return app.Listener(ln)
}

func dbKind(url string) string {
	if models.IsPostgres(url) {
		return "postgresql"
	}
	return "sqlite " + url
}

// demoDatabase is used by `seance demo` when DATABASE_URL is not set, so that the demo
// never resets the default production file.
const demoDatabase = "./data/demo.db"

// demoConfig is the configuration of `seance demo`: its own database file, a throwaway
// key unless one is given, and, without SMTP, e-mail kept in the outbox on purpose.
func demoConfig(getenv func(string) string) (*config.Config, error) {
	cfg, err := config.Load(getenv)
	if err != nil {
		return nil, err
	}
	if getenv("DATABASE_URL") == "" {
		cfg.DatabaseURL = demoDatabase
	}
	// The demo's checkpoint and backups never mix with those of a real database
	// beside it in ./data.
	if getenv("SEANCE_CHECKPOINT_DIR") == "" {
		cfg.CheckpointDir = models.SQLitePath(cfg.DatabaseURL) + ".d"
		if models.IsPostgres(cfg.DatabaseURL) {
			cfg.CheckpointDir = "./data/demo.d"
		}
	}
	if getenv("SEANCE_BACKUP_DIR") == "" {
		cfg.BackupDir = filepath.Join(cfg.CheckpointDir, "backups")
	}
	if cfg.Keys == nil {
		if err := cfg.UseGeneratedKey(); err != nil {
			return nil, err
		}
	}
	cfg.Demo = true
	cfg.MailOutboxOnly = !cfg.SMTPConfigured()
	return cfg, nil
}

func cmdDemo(ctx context.Context, args []string, getenv func(string) string, now func() time.Time, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	scale := fs.Int("scale", 1, fmt.Sprintf("number of commissions (1 to %d): Haute-Garonne, then Occitanie's other departments, then the others, each with %d years of history when more than one", len(models.Departments), demo.ScaleYears))
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *scale < 1 || *scale > len(models.Departments) || fs.NArg() > 0 {
		return fmt.Errorf("demo: -scale must be a number of commissions from 1 to %d", len(models.Departments))
	}
	cfg, err := demoConfig(getenv)
	if err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(stderr, nil))
	if err := resetDemo(ctx, cfg, log, now, *scale); err != nil {
		return err
	}
	// The banner is printed once the listener is open, with the address actually listened on.
	return serve(ctx, cfg, log, now, func(addr string) {
		fmt.Fprintf(stdout, `
Séance — démonstration (données fictives)
  Adresse        : %s
  Mot de passe   : %s (tous les comptes)
  Comptes        : %s, %s, membre01@demo.example … membre19@demo.example,
                   suppleant01@demo.example … suppleant17@demo.example,
                   association1@demo.example, association2@demo.example,
                   %s, %s, %s

`, listenURL(addr), demo.Password, demo.EmailSecretariat, demo.EmailPresident, demo.EmailPrefecture, demo.EmailRegion, demo.EmailAdmin)
	})
}

// listenURL turns a listener address into the URL a person on this machine opens:
// an unspecified host (":8080", "0.0.0.0", "::") becomes localhost.
func listenURL(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "http://" + addr
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, port)
}

// resetDemo empties the demo database (removes the SQLite file, or rolls back every
// migration on PostgreSQL after checking it holds only demo data) and seeds it.
func resetDemo(ctx context.Context, cfg *config.Config, log *slog.Logger, now func() time.Time, scale int) error {
	if models.IsPostgres(cfg.DatabaseURL) {
		if err := resetPostgresDemo(ctx, cfg.DatabaseURL); err != nil {
			return err
		}
	} else {
		path := models.SQLitePath(cfg.DatabaseURL)
		for _, p := range []string{path, path + "-wal", path + "-shm"} {
			if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
				return fmt.Errorf("reset demo database: %w", err)
			}
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return err
		}
	}
	// The chain starts again: the previous demo's checkpoint would name it truncated.
	if err := os.Remove(filepath.Join(cfg.CheckpointDir, models.AuditCheckpointFile)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("reset demo checkpoint: %w", err)
	}
	db, err := openDB(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	hash, err := auth.HashPassword(demo.Password)
	if err != nil {
		return err
	}
	start := time.Now() // real elapsed time of the seeding, for the log
	s := &demo.Seeder{DB: db, Keys: cfg.Keys, Now: models.Stamp(now()), PasswordHash: hash, Scale: scale}
	if err := demo.Seed(ctx, s); err != nil {
		return err
	}
	log.Info("demo data ready", "commissions", max(scale, 1), "duration", time.Since(start).Round(time.Millisecond))
	return nil
}

func resetPostgresDemo(ctx context.Context, url string) error {
	db, err := models.Open(url)
	if err != nil {
		return err
	}
	defer db.Close()
	var real int
	err = db.NewRaw("SELECT count(*) FROM commissions WHERE NOT demo").Scan(ctx, &real)
	if err != nil {
		if strings.Contains(err.Error(), "does not exist") {
			return nil // empty database
		}
		return fmt.Errorf("inspect database: %w", err)
	}
	if real > 0 {
		return errors.New("refusing to reset: DATABASE_URL holds real (non-demo) commissions; point the demo at an empty database")
	}
	for {
		group, err := migrations.Rollback(ctx, db)
		if err != nil {
			return fmt.Errorf("reset demo database: %w", err)
		}
		if group == 0 {
			return nil
		}
	}
}

func cmdHealthcheck(getenv func(string) string) error {
	addr := getenv("SEANCE_ADDR")
	if addr == "" {
		addr = ":8080"
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("SEANCE_ADDR=%q: %w", addr, err)
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1"
	}
	client := &http.Client{Timeout: 5 * time.Second}
	resp, err := client.Get("http://" + net.JoinHostPort(host, port) + "/healthz")
	if err != nil {
		return fmt.Errorf("healthcheck: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("healthcheck: status %d", resp.StatusCode)
	}
	return nil
}
