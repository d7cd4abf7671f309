// Package worker runs the jobs a Cadre server does beside serving requests:
// syncing sources, automatic merges, keeping the standings current, and the
// reminders and deliveries of the program to come. Each job runs on its own
// schedule, one run at a time; a failure is logged and the next run tries
// again.
package worker

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// Job is work done every Every until the worker stops.
type Job struct {
	Name  string
	Every time.Duration
	// Run does the work once. It runs at once when the worker starts, then
	// every Every after the last run ended.
	Run func(ctx context.Context) error
	// Stop, when set, runs once as the worker stops, with a context of its
	// own, so that a job can leave its state behind (the standings, say).
	Stop func(ctx context.Context) error
}

// stopTimeout bounds a job's Stop.
const stopTimeout = 30 * time.Second

// Run runs the jobs until ctx ends, then runs their Stop functions and
// returns once every job has finished.
func Run(ctx context.Context, log *slog.Logger, jobs ...Job) {
	var wg sync.WaitGroup
	for _, j := range jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			run(ctx, log.With("job", j.Name), j)
		}()
	}
	wg.Wait()
}

func run(ctx context.Context, log *slog.Logger, j Job) {
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			if j.Stop != nil {
				stopCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), stopTimeout)
				if err := j.Stop(stopCtx); err != nil {
					log.Warn("job did not stop cleanly", "err", err)
				}
				cancel()
			}
			return
		case <-timer.C:
		}
		if err := j.Run(ctx); err != nil && ctx.Err() == nil {
			log.Error("job failed", "err", err)
		}
		timer.Reset(j.Every)
	}
}
