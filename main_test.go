package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"seance/app/config"
	"seance/app/demo"
	"seance/models"
	"seance/models/keyring"
	"seance/models/modelstest"
)

func runCLI(t *testing.T, env map[string]string, stdin string, args ...string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	err := run(context.Background(), args, func(k string) string { return env[k] }, modelstest.NewClock().Now, strings.NewReader(stdin), &out, io.Discard)
	return out.String(), err
}

func TestCLIUserTokenAndAudit(t *testing.T) {
	env := map[string]string{"DATABASE_URL": modelstest.URL(t)}
	if _, err := runCLI(t, env, "", "migrate"); err != nil {
		t.Fatal(err)
	}
	out, err := runCLI(t, env, "un mot de passe assez long\n", "user", "add", "-email", "Admin@Example.org", "-name", "Admin", "-role", "admin", "-password-stdin")
	if err != nil || !strings.Contains(out, "admin@example.org") {
		t.Fatalf("user add = %q, %v", out, err)
	}
	if _, err := runCLI(t, env, "court\n", "user", "passwd", "-email", "admin@example.org"); err == nil || !strings.Contains(err.Error(), "au moins 12") {
		t.Fatalf("user passwd with a short password error = %v, want the policy message", err)
	}
	if _, err := runCLI(t, env, "motdepasse123\n", "user", "passwd", "-email", "admin@example.org"); err == nil || !strings.Contains(err.Error(), "trop courant") {
		t.Fatalf("user passwd with a common password error = %v, want the policy message", err)
	}
	if _, err := runCLI(t, env, "", "user", "add", "-email", "x@example.org", "-name", "X", "-role", "secretariat", "-commission", "99"); err == nil {
		t.Fatal("user add with an unknown commission succeeded")
	}
	out, err = runCLI(t, env, "", "user", "list")
	if err != nil || !strings.Contains(out, "admin@example.org") {
		t.Fatalf("user list = %q, %v", out, err)
	}
	out, err = runCLI(t, env, "", "token", "create", "-email", "admin@example.org", "-name", "export")
	if err != nil || !strings.HasPrefix(out, "sea_") {
		t.Fatalf("token create = %q, %v", out, err)
	}
	out, err = runCLI(t, env, "", "audit", "verify")
	if err != nil || !strings.Contains(out, "intact") {
		t.Fatalf("audit verify = %q, %v", out, err)
	}
	db, err := models.Open(env["DATABASE_URL"])
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.NewUpdate().Model((*models.AuditRecord)(nil)).Set("action = 'user.delete'").Where("id = 1").Exec(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := runCLI(t, env, "", "audit", "verify"); err == nil || !strings.Contains(err.Error(), "broken at record 1") {
		t.Fatalf("audit verify after tampering error = %v, want broken at record 1", err)
	}
}

func TestCLIServeNeedsSecretKey(t *testing.T) {
	_, err := runCLI(t, map[string]string{"DATABASE_URL": modelstest.URL(t)}, "", "serve")
	if err == nil || !strings.Contains(err.Error(), "SEANCE_SECRET_KEY") {
		t.Fatalf("serve without a key error = %v, want one naming SEANCE_SECRET_KEY", err)
	}
	if _, err := runCLI(t, nil, "", "nimportequoi"); err == nil {
		t.Fatal("unknown command succeeded")
	}
	out, err := runCLI(t, nil, "", "keys", "new")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := keyring.ParseKey(out); err != nil {
		t.Fatalf("keys new printed %q: %v", out, err)
	}
}

// TestIssue11_ServeRefusesWithoutSMTP: an instance without SMTP kept every invitation
// and reset link in the outbox without anyone deciding so. `seance serve` now refuses to
// start without SMTP_HOST unless SEANCE_MAIL_OUTBOX_ONLY=true says so; `seance demo`
// implies it.
func TestIssue11_ServeRefusesWithoutSMTP(t *testing.T) {
	url := modelstest.URL(t)
	base := map[string]string{"DATABASE_URL": url, "SEANCE_ADDR": "127.0.0.1:0", "SEANCE_SECRET_KEY": keyring.NewKey()}
	with := func(extra ...string) map[string]string {
		env := map[string]string{}
		for k, v := range base {
			env[k] = v
		}
		for i := 0; i+1 < len(extra); i += 2 {
			env[extra[i]] = extra[i+1]
		}
		return env
	}
	_, err := runCLI(t, base, "", "serve")
	if err == nil || !strings.Contains(err.Error(), "SMTP_HOST") || !strings.Contains(err.Error(), "SEANCE_MAIL_OUTBOX_ONLY=true") {
		t.Fatalf("serve without SMTP error = %v, want one naming SMTP_HOST and SEANCE_MAIL_OUTBOX_ONLY=true", err)
	}
	_, err = runCLI(t, with("SMTP_HOST", "smtp.example.org", "SEANCE_MAIL_OUTBOX_ONLY", "true"), "", "serve")
	if err == nil || !strings.Contains(err.Error(), "both set") {
		t.Fatalf("serve with SMTP and outbox-only error = %v, want a refusal", err)
	}
	_, err = runCLI(t, with("SEANCE_MAIL_OUTBOX_ONLY", "peut-être"), "", "serve")
	if err == nil || !strings.Contains(err.Error(), "SEANCE_MAIL_OUTBOX_ONLY") {
		t.Fatalf("serve with a bad SEANCE_MAIL_OUTBOX_ONLY error = %v, want one naming it", err)
	}
	_, stop := serveUntilReady(t, with("SEANCE_MAIL_OUTBOX_ONLY", "true"))
	stop()

	cfg, err := demoConfig(func(k string) string { return map[string]string{"DATABASE_URL": url}[k] })
	if err != nil {
		t.Fatal(err)
	}
	if err := cfg.CheckMail(); err != nil || !cfg.MailOutboxOnly {
		t.Fatalf("demo configuration without SMTP: CheckMail() = %v, outbox only %v, want it accepted in outbox mode", err, cfg.MailOutboxOnly)
	}
}

// serveUntilReady starts serve with env, waits for its listener and returns its address
// and a function that stops it.
func serveUntilReady(t *testing.T, env map[string]string) (string, func()) {
	t.Helper()
	if env["SEANCE_CHECKPOINT_DIR"] == "" { // serve writes one at shutdown: not into ./data
		env["SEANCE_CHECKPOINT_DIR"] = t.TempDir()
	}
	cfg, err := config.Load(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	done := make(chan error, 1)
	go func() {
		done <- serve(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), modelstest.NewClock().Now, func(a string) { ready <- a })
	}()
	var addr string
	select {
	case addr = <-ready:
	case err := <-done:
		cancel()
		t.Fatalf("serve stopped: %v", err)
	case <-time.After(30 * time.Second):
		cancel()
		t.Fatal("serve did not start")
	}
	stop := func() {
		cancel()
		if err := <-done; err != nil {
			t.Fatalf("serve after shutdown: %v", err)
		}
	}
	t.Cleanup(cancel)
	return addr, stop
}

func TestServeAndHealthcheck(t *testing.T) {
	cpDir := t.TempDir()
	addr, stop := serveUntilReady(t, map[string]string{"DATABASE_URL": modelstest.URL(t), "SEANCE_ADDR": "127.0.0.1:0",
		"SEANCE_SECRET_KEY": keyring.NewKey(), "SEANCE_MAIL_OUTBOX_ONLY": "true", "SEANCE_CHECKPOINT_DIR": cpDir})
	if err := cmdHealthcheck(func(k string) string { return map[string]string{"SEANCE_ADDR": addr}[k] }); err != nil {
		t.Fatalf("healthcheck against a running server: %v", err)
	}
	if _, ok, _ := models.LoadAuditCheckpoint(cpDir); ok {
		t.Fatal("a checkpoint was written before shutdown")
	}
	stop()
	if cp, ok, err := models.LoadAuditCheckpoint(cpDir); err != nil || !ok || !cp.Written.Equal(modelstest.Epoch()) {
		t.Fatalf("checkpoint at shutdown = %+v, %v, %v; want one written at the clock's time", cp, ok, err)
	}
	if err := cmdHealthcheck(func(k string) string { return map[string]string{"SEANCE_ADDR": addr}[k] }); err == nil {
		t.Fatal("healthcheck against a stopped server succeeded")
	}
}

func TestDemoResetAndSeed(t *testing.T) {
	url := modelstest.URL(t)
	cfg, err := config.Load(func(k string) string { return map[string]string{"DATABASE_URL": url}[k] })
	if err != nil {
		t.Fatal(err)
	}
	if err := cfg.UseGeneratedKey(); err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	for range 2 { // the second run resets what the first made
		if err := resetDemo(context.Background(), cfg, log, modelstest.NewClock().Now, 1); err != nil {
			t.Fatal(err)
		}
	}
	ctx := context.Background()
	db, err := openDB(ctx, cfg) // with the demo's audit keys
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, email := range []string{demo.EmailSecretariat, demo.EmailPresident, demo.MemberEmail(1), demo.MemberEmail(19), demo.AssociationEmail(2), demo.EmailPrefecture, demo.EmailAdmin} {
		if _, err := models.FindUserByEmail(ctx, db, email); err != nil {
			t.Errorf("demo account %s: %v", email, err)
		}
	}
	cs, err := models.ListCommissions(ctx, db, "")
	if err != nil || len(cs) != 1 || cs[0].Department != "31" {
		t.Fatalf("demo commissions = %v, %v; want one for 31", cs, err)
	}
	rep, err := models.VerifyAuditChain(ctx, db)
	if err != nil || !rep.OK {
		t.Fatalf("demo audit chain = %+v, %v", rep, err)
	}
}

// TestListenURL: the demo banner names the address actually listened on (issue 16, point 7).
func TestListenURL(t *testing.T) {
	for addr, want := range map[string]string{
		"127.0.0.1:18080": "http://127.0.0.1:18080",
		"[::]:8080":       "http://localhost:8080",
		"0.0.0.0:9000":    "http://localhost:9000",
		"[::1]:8080":      "http://[::1]:8080",
	} {
		if got := listenURL(addr); got != want {
			t.Errorf("listenURL(%q) = %q, want %q", addr, got, want)
		}
	}
}

func TestCLICommission(t *testing.T) {
	env := map[string]string{"DATABASE_URL": modelstest.URL(t)}
	out, err := runCLI(t, env, "", "commission", "add", "-department", "32", "-name", "Commission du Gers", "-arrete", "arrêté 2026-14")
	if err != nil || !strings.Contains(out, "Gers (32), region Occitanie (76)") {
		t.Fatalf("commission add = %q, %v", out, err)
	}
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"-department", "32", "-name", "Bis"}, "couvre déjà le département Gers (32)"},
		{[]string{"-department", "20", "-name", "Corse"}, "n'est pas un code de département INSEE"},
		{[]string{"-department", "33", "-region", "76", "-name", "Gironde"}, "appartient à la région Nouvelle-Aquitaine (75)"},
		{[]string{"-department", "2A"}, "Indiquez le nom de la commission."},
	} {
		if _, err := runCLI(t, env, "", append([]string{"commission", "add"}, tt.args...)...); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("commission add %v error = %v, want %q", tt.args, err, tt.want)
		}
	}
	if _, err := runCLI(t, env, "", "commission", "add", "-department", "2a", "-name", "Commission de Corse-du-Sud"); err != nil {
		t.Fatal(err)
	}
	out, err = runCLI(t, env, "", "commission", "list")
	if err != nil || !strings.Contains(out, "32 Gers") || !strings.Contains(out, "2A Corse-du-Sud") || !strings.Contains(out, "94 Corse") {
		t.Fatalf("commission list = %q, %v", out, err)
	}
	out, err = runCLI(t, env, "", "commission", "list", "-region", "76")
	if err != nil || !strings.Contains(out, "Gers") || strings.Contains(out, "Corse") {
		t.Fatalf("commission list -region 76 = %q, %v", out, err)
	}
	// The new commission takes accounts through `seance user add`.
	out, err = runCLI(t, env, "", "user", "add", "-email", "sec32@example.org", "-name", "Secrétariat 32", "-role", "secretariat", "-commission", "32")
	if err != nil || !strings.Contains(out, "sec32@example.org") {
		t.Fatalf("user add in the new commission = %q, %v", out, err)
	}
}

// TestDemoScaleRefusesBadValues: `seance demo -scale` takes a number of commissions the
// portal's departments can hold, and says so before touching any database.
func TestDemoScaleRefusesBadValues(t *testing.T) {
	env := map[string]string{"DATABASE_URL": "sqlite://" + t.TempDir() + "/jamais.db"}
	for _, args := range [][]string{{"demo", "-scale", "0"}, {"demo", "--scale", "102"}, {"demo", "-scale", "treize"}, {"demo", "-scale", "2", "en-trop"}} {
		if _, err := runCLI(t, env, "", args...); err == nil {
			t.Errorf("seance %v: no error", args)
		}
	}
	if _, err := os.Stat(env["DATABASE_URL"][len("sqlite://"):]); !os.IsNotExist(err) {
		t.Errorf("a refused demo created the database (%v)", err)
	}
}

// TestServeStopsWhenCancelledBeforeServing: CI hung for 25 minutes in
// TestIssue11_ServeRefusesWithoutSMTP under the race detector. Its server was stopped
// right after it reported ready; fasthttp's Shutdown ran before Serve had registered the
// listener, returned at once, and Serve then accepted forever. The ready callback here
// ends the context and gives the shutdown goroutine time to run first: serve must still
// return.
func TestServeStopsWhenCancelledBeforeServing(t *testing.T) {
	cfg, err := config.Load(func(k string) string {
		return map[string]string{"DATABASE_URL": modelstest.URL(t), "SEANCE_ADDR": "127.0.0.1:0",
			"SEANCE_SECRET_KEY": keyring.NewKey(), "SEANCE_MAIL_OUTBOX_ONLY": "true", "SEANCE_CHECKPOINT_DIR": t.TempDir()}[k]
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() {
		done <- serve(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), modelstest.NewClock().Now, func(string) {
			cancel()
			time.Sleep(200 * time.Millisecond) // the shutdown goroutine runs before Serve starts
		})
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve after a stop before serving: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve still running 30 s after its context ended before it served")
	}
}
