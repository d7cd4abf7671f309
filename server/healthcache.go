package server

import (
	"context"
	"sync"
	"time"

	"github.com/cadrehq/cadre/criteria"
	"github.com/cadrehq/cadre/program"
	"github.com/cadrehq/cadre/standings"
)

// The health of a quarter costs a board of the whole community and reads
// of the store; a dashboard asked for by many at once would compute the
// same figures for each. They are kept a short while, for the standings
// they were computed from: a change to scores or terms (the standings' seq
// moves) computes them afresh at once, and what leaves the standings as
// they were (an answer to a survey, a commitment done) shows within
// healthTTL.
const healthTTL = 10 * time.Second

// healthCache keeps quarters' health figures for one state of the
// standings.
type healthCache struct {
	mu      sync.Mutex
	seq     int64
	entries map[healthKey]healthEntry
}

type healthKey struct {
	criteria *criteria.Criteria // the engine's, one per version
	quarter  program.Quarter
}

type healthEntry struct {
	h  HealthJSON
	at time.Time
}

// get returns the kept health of q under c at seq, if fresh at now.
func (c *healthCache) get(seq int64, cr *criteria.Criteria, q program.Quarter, now time.Time) (HealthJSON, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[healthKey{cr, q}]
	if !ok || c.seq != seq || now.Sub(e.at) >= healthTTL || now.Before(e.at) {
		return HealthJSON{}, false
	}
	return e.h, true
}

// put keeps h, forgetting what another state of the standings computed.
func (c *healthCache) put(seq int64, cr *criteria.Criteria, q program.Quarter, now time.Time, h HealthJSON) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.seq != seq || c.entries == nil {
		c.seq, c.entries = seq, map[healthKey]healthEntry{}
	}
	c.entries[healthKey{cr, q}] = healthEntry{h, now}
}

// quarterHealth is health of quarter q, kept or computed; past reads the
// program's record once, when some quarter is not kept.
func (s *Server) quarterHealth(ctx context.Context, eng *standings.Engine, q program.Quarter, past func() (past, error)) (HealthJSON, error) {
	seq, now, c := s.live.Seq(), s.now(), eng.Criteria()
	if h, ok := s.healths.get(seq, c, q, now); ok {
		return h, nil
	}
	p, err := past()
	if err != nil {
		return HealthJSON{}, err
	}
	h, err := health(ctx, s.store, eng, q, p)
	if err != nil {
		return HealthJSON{}, err
	}
	s.healths.put(seq, c, q, now, h)
	return h, nil
}

// once reads the program's record the first time it is asked for.
func once(ctx context.Context, st Program) func() (past, error) {
	return sync.OnceValues(func() (past, error) { return readPast(ctx, st) })
}
