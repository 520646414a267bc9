// Package jobs runs the portal's periodic work with gocron. A job is a struct of
// its dependencies with Run(ctx); tests and the CLI call Run directly.
package jobs

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/go-co-op/gocron/v2"
)

// Job is one periodic task.
type Job interface {
	Name() string
	Every() time.Duration
	Run(ctx context.Context) error
}

// Start schedules every job (one run at a time each) and returns the scheduler;
// callers Shutdown it when the server stops.
func Start(ctx context.Context, log *slog.Logger, js ...Job) (gocron.Scheduler, error) {
	s, err := gocron.NewScheduler(gocron.WithLocation(time.UTC))
	if err != nil {
		return nil, fmt.Errorf("start scheduler: %w", err)
	}
	for _, j := range js {
		_, err := s.NewJob(gocron.DurationJob(j.Every()), gocron.NewTask(runner(ctx, log, j)),
			gocron.WithName(j.Name()), gocron.WithSingletonMode(gocron.LimitModeReschedule))
		if err != nil {
			return nil, fmt.Errorf("schedule %s: %w", j.Name(), err)
		}
	}
	s.Start()
	return s, nil
}

func runner(ctx context.Context, log *slog.Logger, j Job) func() {
	return func() {
		ctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
		defer cancel()
		if err := j.Run(ctx); err != nil {
			log.Error("job failed", "job", j.Name(), "err", err)
		}
	}
}
