package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/uptrace/bun"

	"seance/app/auth"
	"seance/app/config"
	"seance/models"
	"seance/models/keyring"
	"seance/models/rotation"
)

var cliActor = models.SystemActor("cli")

func withDB(ctx context.Context, getenv func(string) string, fn func(*config.Config, *bun.DB) error) error {
	cfg, err := config.Load(getenv)
	if err != nil {
		return err
	}
	db, err := openDB(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	return fn(cfg, db)
}

func cmdMigrate(ctx context.Context, getenv func(string) string, stdout io.Writer) error {
	return withDB(ctx, getenv, func(cfg *config.Config, _ *bun.DB) error {
		fmt.Fprintf(stdout, "migrations applied (%s)\n", dbKind(cfg.DatabaseURL))
		return nil
	})
}

func commissionByDepartment(ctx context.Context, db bun.IDB, dep string) (*int64, error) {
	if dep == "" {
		return nil, nil
	}
	cs, err := models.ListCommissions(ctx, db, "")
	if err != nil {
		return nil, err
	}
	for _, c := range cs {
		if c.Department == dep {
			return &c.ID, nil
		}
	}
	return nil, fmt.Errorf("no commission for department %q", dep)
}

func readPassword(stdin io.Reader) (string, error) {
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", err
	}
	pw := strings.TrimRight(line, "\r\n")
	if err := auth.CheckPasswordPolicy(pw); err != nil {
		return "", err
	}
	return auth.HashPassword(pw)
}

func cmdUser(ctx context.Context, args []string, getenv func(string) string, now func() time.Time, stdin io.Reader, stdout io.Writer) error {
	if len(args) == 0 {
		return errors.New("user: expected add, passwd or list")
	}
	fs := flag.NewFlagSet("user "+args[0], flag.ContinueOnError)
	email := fs.String("email", "", "e-mail address")
	name := fs.String("name", "", "display name")
	role := fs.String("role", "", "role: "+fmt.Sprint(models.Roles))
	dep := fs.String("commission", "", "department code of the commission, e.g. 31")
	region := fs.String("region", "", "region code for the region role, e.g. 76")
	pwStdin := fs.Bool("password-stdin", false, "read the password from standard input")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	return withDB(ctx, getenv, func(_ *config.Config, db *bun.DB) error {
		switch args[0] {
		case "add":
			if *email == "" || *name == "" {
				return errors.New("user add: -email and -name are required")
			}
			cid, err := commissionByDepartment(ctx, db, *dep)
			if err != nil {
				return err
			}
			u := &models.User{Email: *email, Name: *name, Role: models.Role(*role), CommissionID: cid, Region: *region, Active: true}
			if *pwStdin {
				if u.PasswordHash, err = readPassword(stdin); err != nil {
					return err
				}
			}
			if err := models.CreateUser(ctx, db, cliActor, u, now()); err != nil {
				return err
			}
			fmt.Fprintf(stdout, "user %d created: %s (%s)\n", u.ID, u.Email, u.Role)
			if u.PasswordHash == "" {
				fmt.Fprintln(stdout, "no password yet: set one with `seance user passwd -email "+u.Email+"`")
			}
			return nil
		case "passwd":
			u, err := models.FindUserByEmail(ctx, db, *email)
			if err != nil {
				return fmt.Errorf("user %q: %w", *email, err)
			}
			hash, err := readPassword(stdin)
			if err != nil {
				return err
			}
			if err := models.SetPassword(ctx, db, cliActor, u.ID, hash, now()); err != nil {
				return err
			}
			fmt.Fprintf(stdout, "password changed for %s; their sessions have ended\n", u.Email)
			return nil
		case "list":
			cid, err := commissionByDepartment(ctx, db, *dep)
			if err != nil {
				return err
			}
			var id int64
			if cid != nil {
				id = *cid
			}
			us, err := models.ListUsers(ctx, db, id)
			if err != nil {
				return err
			}
			w := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(w, "ID\tEMAIL\tROLE\tACTIVE\tNAME")
			for _, u := range us {
				fmt.Fprintf(w, "%d\t%s\t%s\t%v\t%s\n", u.ID, u.Email, u.Role, u.Active, u.Name)
			}
			return w.Flush()
		}
		return fmt.Errorf("user: unknown subcommand %q", args[0])
	})
}

func cmdCommission(ctx context.Context, args []string, getenv func(string) string, now func() time.Time, stdout io.Writer) error {
	if len(args) == 0 {
		return errors.New("commission: expected add or list")
	}
	fs := flag.NewFlagSet("commission "+args[0], flag.ContinueOnError)
	dep := fs.String("department", "", "INSEE department code, e.g. 32 or 2A")
	name := fs.String("name", "", "name of the commission")
	region := fs.String("region", "", "INSEE region code (default: the department's)")
	arrete := fs.String("arrete", "", "reference of the préfet's arrêté of composition")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	return withDB(ctx, getenv, func(_ *config.Config, db *bun.DB) error {
		switch args[0] {
		case "add":
			c := &models.Commission{Department: *dep, Name: *name, Region: *region, ArreteRef: *arrete}
			err := models.CreateCommission(ctx, db, cliActor, c, now())
			if r, ok := models.AsRefusal(err); ok {
				return fmt.Errorf("commission add: %s", r.Error())
			}
			if err != nil {
				return err
			}
			fmt.Fprintf(stdout, "commission %d created: %s, %s (%s), region %s (%s)\n", c.ID, c.Name, c.DepartmentName(), c.Department, c.RegionName(), c.Region)
			return nil
		case "list":
			cs, err := models.ListCommissions(ctx, db, *region)
			if err != nil {
				return err
			}
			w := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(w, "ID\tDEPARTMENT\tREGION\tNAME\tARRETE")
			for _, c := range cs {
				fmt.Fprintf(w, "%d\t%s %s\t%s %s\t%s\t%s\n", c.ID, c.Department, c.DepartmentName(), c.Region, c.RegionName(), c.Name, c.ArreteRef)
			}
			return w.Flush()
		}
		return fmt.Errorf("commission: unknown subcommand %q", args[0])
	})
}

func cmdToken(ctx context.Context, args []string, getenv func(string) string, now func() time.Time, stdout io.Writer) error {
	if len(args) == 0 || args[0] != "create" {
		return errors.New("token: expected create")
	}
	fs := flag.NewFlagSet("token create", flag.ContinueOnError)
	email := fs.String("email", "", "e-mail of the token's owner")
	name := fs.String("name", "api", "what the token is for")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	return withDB(ctx, getenv, func(_ *config.Config, db *bun.DB) error {
		u, err := models.FindUserByEmail(ctx, db, *email)
		if err != nil {
			return fmt.Errorf("user %q: %w", *email, err)
		}
		secret, err := models.CreateAPIToken(ctx, db, cliActor, u.ID, *name, now())
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s\n(shown once; send it as \"Authorization: Bearer <token>\")\n", secret)
		return nil
	})
}

func cmdAudit(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	if len(args) == 0 || args[0] != "verify" {
		return errors.New("audit: expected verify")
	}
	return withDB(ctx, getenv, func(cfg *config.Config, db *bun.DB) error {
		rep, err := models.VerifyAuditChain(ctx, db)
		if err != nil {
			return err
		}
		if !rep.OK {
			return fmt.Errorf("audit chain broken at record %d: %s (%d records checked)", rep.BrokenID, rep.Reason, rep.Checked)
		}
		dir := cfg.CheckpointDir
		cp, ok, err := models.LoadAuditCheckpoint(dir)
		if err != nil {
			return err
		}
		if !ok {
			fmt.Fprintf(stdout, "audit chain intact: %d records checked (no checkpoint in %s to compare with)\n", rep.Checked, dir)
			return nil
		}
		why, err := cp.CheckAgainst(ctx, db, rep, cfg.Location)
		if err != nil {
			return err
		}
		if why != "" {
			return fmt.Errorf("audit chain truncated or rewritten: %s (%d records checked)", why, rep.Checked)
		}
		fmt.Fprintf(stdout, "audit chain intact: %d records checked, up to the checkpoint of %s (record %d)\n",
			rep.Checked, cp.Written.In(cfg.Location).Format("2006-01-02 15:04"), cp.Head.ID)
		return nil
	})
}

func cmdKeys(ctx context.Context, args []string, getenv func(string) string, now func() time.Time, stdout io.Writer) error {
	switch {
	case len(args) == 1 && args[0] == "new":
		fmt.Fprintln(stdout, keyring.NewKey())
		return nil
	case len(args) == 1 && args[0] == "rotate":
		return cmdKeysRotate(ctx, getenv, now, stdout)
	}
	return errors.New("keys: expected new or rotate")
}

// cmdKeysRotate re-seals every sealed value with the current key (SEANCE_SECRET_KEY),
// reading the older ones with SEANCE_OLD_SECRET_KEYS, and prints what it did. It can be
// interrupted and run again: values already under the current key are left.
func cmdKeysRotate(ctx context.Context, getenv func(string) string, now func() time.Time, stdout io.Writer) error {
	return withDB(ctx, getenv, func(cfg *config.Config, db *bun.DB) error {
		if err := cfg.RequireSecretKey(); err != nil {
			return err
		}
		rep, err := rotation.RotateKeys(ctx, db, cfg.Keys, now())
		w := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintf(w, "current key\t%s\n", cfg.Keys.CurrentID())
		for _, col := range slices.Sorted(maps.Keys(rep.Resealed)) {
			fmt.Fprintf(w, "%s\t%d re-sealed\n", col, rep.Resealed[col])
		}
		fmt.Fprintf(w, "total\t%d re-sealed\n", rep.Total)
		if rep.Sealed > 0 {
			fmt.Fprintf(w, "minutes.content\t%d sealed (were in clear)\n", rep.Sealed)
		}
		if ferr := w.Flush(); ferr != nil {
			return ferr
		}
		if errors.Is(err, keyring.ErrSealed) {
			return fmt.Errorf("%w\nthe value was sealed with a key that is neither SEANCE_SECRET_KEY nor in SEANCE_OLD_SECRET_KEYS: "+
				"add the previous key to SEANCE_OLD_SECRET_KEYS and run the command again (what is done stays done)", err)
		}
		if err != nil {
			return err
		}
		fmt.Fprintln(stdout, "every sealed value now uses the current key; keep the old keys until no backup made before this rotation is needed")
		return nil
	})
}
