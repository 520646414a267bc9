package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"text/tabwriter"
	"time"

	"github.com/uptrace/bun"

	"seance/app/config"
	"seance/app/mail"
	"seance/jobs"
	"seance/models"
)

// newJobs builds the mailer and the job registry, for serve and the jobs command.
func newJobs(cfg *config.Config, db *bun.DB, log *slog.Logger, now func() time.Time) (*mail.Mailer, *jobs.Registry, error) {
	mailer, err := mail.New(cfg, db, log, now)
	if err != nil {
		return nil, nil, err
	}
	reg, err := jobs.Portal(jobs.Deps{DB: db, Log: log, Now: now, Location: cfg.Location, Schedules: cfg.JobSchedules, Mailer: mailer,
		CheckpointDir: cfg.CheckpointDir, BackupDir: cfg.BackupDir, BaseURL: cfg.BaseURL, Keyring: cfg.Keys})
	return mailer, reg, err
}

// cmdJobs lists the jobs with their last and next run, or runs one now.
func cmdJobs(ctx context.Context, args []string, getenv func(string) string, now func() time.Time, stdout, stderr io.Writer) error {
	if len(args) == 0 || (args[0] != "list" && args[0] != "run") || (args[0] == "run" && len(args) != 2) {
		return errors.New("jobs: expected list, or run NAME")
	}
	return withDB(ctx, getenv, func(cfg *config.Config, db *bun.DB) error {
		_, reg, err := newJobs(cfg, db, slog.New(slog.NewTextHandler(stderr, nil)), now)
		if err != nil {
			return err
		}
		if args[0] == "run" {
			run, err := reg.Run(ctx, args[1], models.TriggerCLI)
			if err != nil {
				return err
			}
			fmt.Fprintf(stdout, "%s: %s in %s, %d item(s) handled\n", run.Job, run.Status, run.Duration().Round(time.Millisecond), run.Items)
			return nil
		}
		last, err := models.LastJobRuns(ctx, db)
		if err != nil {
			return err
		}
		w := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(w, "JOB\tSCHEDULE\tLAST RUN\tSTATUS\tITEMS\tNEXT RUN")
		for _, p := range reg.Plan(now()) {
			lastAt, status, items, next := "-", "-", "-", "off"
			if r, ok := last[p.Name]; ok {
				lastAt, status, items = r.StartedAt.In(cfg.Location).Format("2006-01-02 15:04:05"), r.Status, fmt.Sprint(r.Items)
				if r.Error != "" {
					status += ": " + r.Error
				}
			}
			if !p.Next.IsZero() {
				next = p.Next.In(cfg.Location).Format("2006-01-02 15:04")
			}
			fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\n", p.Name, p.Schedule, lastAt, status, items, next)
		}
		return w.Flush()
	})
}
