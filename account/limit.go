package account

import (
	"sync"
	"time"
)

// Sign-in attempts are limited per account and per address: after
// MaxFailures failures within FailureWindow, more attempts are refused until
// the oldest failure is out of the window. A success clears the account's
// failures.
const (
	MaxFailures   = 5
	FailureWindow = 15 * time.Minute
)

// Limiter counts failed sign-ins. It is safe for concurrent use; each
// instance counts its own.
type Limiter struct {
	mu       sync.Mutex
	failures map[string][]time.Time
}

// NewLimiter returns a Limiter with no failures.
func NewLimiter() *Limiter { return &Limiter{failures: map[string][]time.Time{}} }

// keys are what one attempt counts against.
func keys(email, addr string) [2]string { return [2]string{"email:" + email, "addr:" + addr} }

// Wait returns how long the attempt for email from addr must wait, 0 when it
// may go ahead now.
func (l *Limiter) Wait(email, addr string, now time.Time) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	var wait time.Duration
	for _, k := range keys(email, addr) {
		fs := l.recent(k, now)
		if len(fs) >= MaxFailures {
			wait = max(wait, fs[len(fs)-MaxFailures].Add(FailureWindow).Sub(now))
		}
	}
	return wait
}

// Fail records a failed attempt.
func (l *Limiter) Fail(email, addr string, now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, k := range keys(email, addr) {
		l.failures[k] = append(l.recent(k, now), now)
	}
}

// Succeed clears the account's failures.
func (l *Limiter) Succeed(email string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.failures, keys(email, "")[0])
}

// recent drops the failures of k older than the window and returns the rest.
func (l *Limiter) recent(k string, now time.Time) []time.Time {
	fs := l.failures[k]
	i := 0
	for i < len(fs) && !fs[i].Add(FailureWindow).After(now) {
		i++
	}
	fs = fs[i:]
	if len(fs) == 0 {
		delete(l.failures, k)
		return nil
	}
	l.failures[k] = fs
	return fs
}
