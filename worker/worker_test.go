package worker

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// lockedBuffer is a log written by several jobs at once.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestRun runs a job that succeeds and one that fails: both run again after
// a failure, the failure is logged with the job's name, and Stop runs once
// when the worker stops, with a context that has not ended.
func TestRun(t *testing.T) {
	var logs lockedBuffer
	var good, bad, stopped atomic.Int32
	ctx, cancel := context.WithCancel(context.Background())
	var stopErr error
	done := make(chan struct{})
	go func() {
		defer close(done)
		Run(ctx, slog.New(slog.NewTextHandler(&logs, nil)),
			Job{Name: "good", Every: time.Millisecond, Run: func(context.Context) error { good.Add(1); return nil },
				Stop: func(ctx context.Context) error { stopped.Add(1); stopErr = ctx.Err(); return nil }},
			Job{Name: "bad", Every: time.Millisecond, Run: func(context.Context) error { bad.Add(1); return errors.New("boom") }},
		)
	}()
	// The wait is bounded only to fail rather than hang.
	deadline := time.Now().Add(30 * time.Second)
	for (good.Load() < 3 || bad.Load() < 3) && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	cancel()
	<-done
	if good.Load() < 3 || bad.Load() < 3 {
		t.Fatalf("runs: good %d, bad %d; want each job run again and again", good.Load(), bad.Load())
	}
	if stopped.Load() != 1 || stopErr != nil {
		t.Errorf("Stop ran %d times (context error %v), want once with a live context", stopped.Load(), stopErr)
	}
	if !strings.Contains(logs.String(), `msg="job failed" job=bad err=boom`) {
		t.Errorf("the failure is not logged:\n%s", logs.String())
	}
	if strings.Contains(logs.String(), "job=good") {
		t.Errorf("a job that succeeds is logged:\n%s", logs.String())
	}
	before := good.Load()
	time.Sleep(10 * time.Millisecond)
	if good.Load() != before {
		t.Error("a job ran after Run returned")
	}
}

// TestFirstRunAtOnce: a job runs when the worker starts, not after its
// first interval.
func TestFirstRunAtOnce(t *testing.T) {
	ran := make(chan struct{})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		Run(ctx, slog.New(slog.DiscardHandler), Job{Name: "hourly", Every: time.Hour, Run: func(context.Context) error {
			close(ran)
			return nil
		}})
	}()
	select {
	case <-ran:
	case <-time.After(30 * time.Second):
		t.Fatal("an hourly job did not run at start")
	}
	cancel()
	<-done
}
