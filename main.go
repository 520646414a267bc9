// Command seance runs the Séance portal and its administration commands.
//
//	seance [serve]            run the portal (needs SEANCE_SECRET_KEY)
//	seance demo [-scale N]    reset a demo database, fill it (N commissions) and run the portal
//	seance migrate            apply database migrations
//	seance commission add|list
//	seance user add|passwd|list
//	seance token create       create an API token for a user
//	seance audit verify       recompute the audit hash chain
//	seance jobs list|run NAME  show the periodic jobs, or run one now
//	seance backup             back up the SQLite database now
//	seance restore [-force] FILE  replace the SQLite database with a backup
//	seance keys new           print a new SEANCE_SECRET_KEY
//	seance keys rotate        re-seal every encrypted value with the current key
//	seance healthcheck        exit 0 when the local server answers /healthz
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// The one real clock of the process: everything below reads time through it.
	if err := run(ctx, os.Args[1:], os.Getenv, time.Now, os.Stdin, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "seance:", err)
		os.Exit(1)
	}
}

// run dispatches the subcommand; everything it needs is passed in, the clock too.
func run(ctx context.Context, args []string, getenv func(string) string, now func() time.Time, stdin io.Reader, stdout, stderr io.Writer) error {
	cmd := "serve"
	if len(args) > 0 {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "serve":
		return cmdServe(ctx, getenv, now, stderr)
	case "demo":
		return cmdDemo(ctx, args, getenv, now, stdout, stderr)
	case "migrate":
		return cmdMigrate(ctx, getenv, stdout)
	case "commission":
		return cmdCommission(ctx, args, getenv, now, stdout)
	case "user":
		return cmdUser(ctx, args, getenv, now, stdin, stdout)
	case "token":
		return cmdToken(ctx, args, getenv, now, stdout)
	case "audit":
		return cmdAudit(ctx, args, getenv, stdout)
	case "keys":
		return cmdKeys(ctx, args, getenv, now, stdout)
	case "jobs":
		return cmdJobs(ctx, args, getenv, now, stdout, stderr)
	case "backup":
		return cmdBackup(ctx, getenv, now, stdout)
	case "restore":
		return cmdRestore(ctx, args, getenv, now, stdout)
	case "healthcheck":
		return cmdHealthcheck(getenv)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	return fmt.Errorf("unknown command %q\n%s", cmd, usage)
}

const usage = `usage: seance [command]
  serve                          run the portal (default; needs SEANCE_SECRET_KEY)
  demo [-scale N]                reset the demo database, fill it with fictitious data and run the portal;
                                 -scale N: N commissions (Occitanie's first) with 10 years of history each
  migrate                        apply database migrations
  commission add -department D -name N [-region R] [-arrete REF]
                                 create a commission (INSEE codes; the region defaults to the department's)
  commission list [-region R]
  user add -email E -name N -role R [-commission 31] [-region 76] [-password-stdin]
  user passwd -email E           read a new password from standard input
  user list [-commission 31]
  token create -email E -name N  create an API token (printed once)
  audit verify                   recompute the audit chain and compare it with the last checkpoint
  jobs list                      show the periodic jobs with their last and next run
  jobs run NAME                  run a job now (recorded like a scheduled run)
  backup                         copy the SQLite database into SEANCE_BACKUP_DIR now (PostgreSQL: pg_dump)
  restore [-force] FILE          replace the SQLite database with a backup (server stopped; -force if it exists)
  keys new                       print a new random SEANCE_SECRET_KEY
  keys rotate                    re-seal every encrypted value with SEANCE_SECRET_KEY (old keys in SEANCE_OLD_SECRET_KEYS)
  healthcheck                    exit 0 when the server at SEANCE_ADDR answers /healthz
`
