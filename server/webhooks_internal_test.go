package server

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/cadrehq/cadre"
	"github.com/cadrehq/cadre/store/storetest"
)

// oneRecord returns delivery i with one activity of its own.
func oneRecord(i int) cadre.Delivery {
	return cadre.Delivery{Platform: "github", ID: fmt.Sprint("delivery-", i), Records: []cadre.ActivityRecord{{
		Activity: cadre.Activity{Source: "github", ExternalID: fmt.Sprint("comment-", i), Type: "forum",
			OccurredAt: time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)},
		Member: cadre.MemberRef{Platform: "github", Handle: fmt.Sprint("user-", i%50)},
	}}}
}

// TestGroupCommitWritesEveryDelivery submits more deliveries than one
// transaction takes: each must be written and answered, none left waiting for
// a write that no later delivery comes to make. Deliveries queued ahead stand
// for requests that joined the queue but have not reached the writer yet
// (the scheduler runs goroutines in any order), so that the request that
// writes is not among the first maxGroup waiting.
func TestGroupCommitWritesEveryDelivery(t *testing.T) {
	tests := []struct {
		name              string
		ahead, concurrent int
	}{
		{"one", 0, 1},
		{"writer behind one full group", maxGroup, 1},
		{"writer behind two groups and more", 599, 1},
		{"600 at once", 0, 600},
		{"300 at once behind 300", 300, 300},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := storetest.SQLite(t)
			var g groupCommit
			ahead := make([]*pendingDelivery, tt.ahead)
			for i := range ahead {
				ahead[i] = &pendingDelivery{d: oneRecord(i), done: make(chan struct{})}
			}
			g.waiting = append(g.waiting, ahead...)
			errs := make(chan error, tt.concurrent)
			for i := range tt.concurrent {
				go func() {
					fresh, err := g.submit(t.Context(), st, oneRecord(tt.ahead+i))
					if err == nil && !fresh {
						err = fmt.Errorf("delivery %d taken for a redelivery", tt.ahead+i)
					}
					errs <- err
				}()
			}
			// A failure timeout, not a speed limit: a delivery left waiting
			// would otherwise hang the test.
			timeout := time.After(time.Minute)
			for answered := range tt.concurrent {
				select {
				case err := <-errs:
					if err != nil {
						t.Error(err)
					}
				case <-timeout:
					t.Fatalf("%d of %d requests still waiting after a minute", tt.concurrent-answered, tt.concurrent)
				}
			}
			for i, p := range ahead {
				select {
				case <-p.done:
					if p.err != nil || !p.fresh {
						t.Errorf("delivery %d queued ahead: fresh %v, %v", i, p.fresh, p.err)
					}
				case <-timeout:
					t.Fatalf("delivery %d queued ahead still waiting after a minute", i)
				}
			}
			n := tt.ahead + tt.concurrent
			if _, stored, err := st.Activities(context.Background(), cadre.ActivityFilter{Limit: 1}); err != nil || stored != n {
				t.Fatalf("%d activities stored (%v), want %d", stored, err, n)
			}
		})
	}
}

// TestGroupCommitHonoursContext ends requests whose context ends before their
// delivery is written: they get the context's error and their delivery is not
// written after all.
func TestGroupCommitHonoursContext(t *testing.T) {
	tests := []struct {
		name string
		// busy holds the writer, as a long write of another request would;
		// else deliveries queued ahead leave the request writing for others.
		busy  bool
		ahead int
	}{
		{"waiting for the writer", true, 0},
		{"writing for others", false, 2 * maxGroup},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := storetest.SQLite(t)
			g := groupCommit{writer: make(chan struct{}, 1)}
			if tt.busy {
				g.writer <- struct{}{}
			}
			for i := range tt.ahead {
				g.waiting = append(g.waiting, &pendingDelivery{d: oneRecord(i), done: make(chan struct{})})
			}
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			if !tt.busy {
				cancel() // before the request can take the writer
			}
			errs := make(chan error, 1)
			go func() {
				_, err := g.submit(ctx, st, oneRecord(tt.ahead))
				errs <- err
			}()
			if tt.busy {
				waitQueued(t, &g, 1)
				cancel()
			}
			select {
			case err := <-errs:
				if !errors.Is(err, context.Canceled) {
					t.Fatalf("submit = %v, want context.Canceled", err)
				}
			case <-time.After(time.Minute):
				t.Fatal("submit still waiting a minute after its context ended")
			}
			g.mu.Lock()
			queued := len(g.waiting)
			g.mu.Unlock()
			if queued != tt.ahead {
				t.Errorf("%d deliveries queued, want the %d ahead: the request left its delivery behind", queued, tt.ahead)
			}
			if _, stored, err := st.Activities(context.Background(), cadre.ActivityFilter{Limit: 1}); err != nil || stored != 0 {
				t.Errorf("%d activities stored (%v), want none", stored, err)
			}
		})
	}
}

// waitQueued waits until n deliveries are queued in g.
func waitQueued(t *testing.T, g *groupCommit, n int) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		g.mu.Lock()
		queued := len(g.waiting)
		g.mu.Unlock()
		if queued == n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d deliveries queued after a minute, want %d", queued, n)
		}
		time.Sleep(time.Millisecond)
	}
}
