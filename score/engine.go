package score

import (
	"math"
	"slices"
	"time"

	"github.com/cadrehq/cadre"
	"github.com/cadrehq/cadre/criteria"
)

// Points returns what one activity earns before decay (SPEC section 2): the
// type's points × multiplier when the activity is approved and of a type c
// defines, and 0 otherwise.
func Points(c *criteria.Criteria, typ string, status cadre.ActivityStatus) float64 {
	t, ok := c.Type(typ)
	if !ok || status != cadre.ActivityApproved {
		return 0
	}
	return t.PointValue()
}

// Engine scores a History under one criteria version. It holds the counted
// activities only (approved, of a type the criteria define), grouped by member,
// with their points and, under quarterly decay, their quarter resolved in the
// criteria's zone. An Engine is immutable and safe for concurrent use.
type Engine struct {
	c        *criteria.Criteria
	loc      *time.Location
	base     float64 // 1 − rate: what a point keeps per quarter
	window   int64   // active_window_days in microseconds
	excluded []bool  // by member index

	// The counted activities of member m are at positions off[m] to
	// off[m+1] − 1 of the columns, in the order they were added.
	off     []int
	at      []int64   // Unix microseconds
	points  []float64 // points before decay
	quarter []int32   // quarter index in the criteria's zone; quarterly decay only

	firstQuarter int32            // the lowest entry of quarter
	cont         *continuousTable // continuous decay only
}

// New prepares an Engine that scores h under c. The criteria must be valid,
// as those of criteria.Parse and criteria.Default are. The Engine copies what
// it needs, so h may change or be dropped afterwards.
func New(c *criteria.Criteria, h *History) *Engine {
	e := &Engine{
		c:        c,
		loc:      c.Location(),
		base:     1 - c.Decay.Rate,
		window:   int64(c.ActiveWindowDays) * int64(24*time.Hour/time.Microsecond),
		excluded: make([]bool, h.members),
		off:      make([]int, h.members+1),
	}
	copy(e.excluded, h.excluded)

	// Resolve each type key once rather than once per activity.
	counted := make([]bool, len(h.kinds))
	points := make([]float64, len(h.kinds))
	for k, key := range h.kinds {
		_, counted[k] = c.Type(key)
		points[k] = Points(c, key, cadre.ActivityApproved)
	}

	// Count the counted activities of each member, then lay the members out
	// one after the other (a counting sort, stable and linear).
	lo, hi := int64(math.MaxInt64), int64(math.MinInt64)
	for i, k := range h.kind {
		if counted[k] {
			e.off[h.member[i]+1]++
			lo, hi = min(lo, h.at[i]), max(hi, h.at[i])
		}
	}
	for m := range h.members {
		e.off[m+1] += e.off[m]
	}
	n := e.off[h.members]
	e.at = make([]int64, n)
	e.points = make([]float64, n)
	var quarters quarterTable
	if c.Decay.Mode == criteria.DecayQuarterly && n > 0 {
		quarters = newQuarterTable(lo, hi, e.loc)
		e.firstQuarter = quarters.first
		e.quarter = make([]int32, n)
	}
	next := slices.Clone(e.off[:h.members])
	for i, k := range h.kind {
		if !counted[k] {
			continue
		}
		m := h.member[i]
		j := next[m]
		next[m]++
		e.at[j] = h.at[i]
		e.points[j] = points[k]
		if e.quarter != nil {
			e.quarter[j] = quarters.index(h.at[i])
		}
	}
	if c.Decay.Mode == criteria.DecayContinuous {
		e.cont = newContinuousTable(e.base)
	}
	return e
}

// Criteria returns the criteria the engine scores under.
func (e *Engine) Criteria() *criteria.Criteria { return e.c }

// Members returns the number of members the engine knows.
func (e *Engine) Members() int { return len(e.excluded) }

// instant is what scoring at one instant needs beyond the engine.
type instant struct {
	t       int64     // Unix microseconds
	since   int64     // start of the active window, exclusive
	quarter int32     // q(t), quarterly decay only
	factors []float64 // (1 − r)^d by d = q(t) − q(a), quarterly decay only
}

// prepare readies scoring at t, reusing factors for the table of quarterly decay.
func (e *Engine) prepare(t time.Time, factors []float64) instant {
	in := instant{t: t.UnixMicro()}
	in.since = in.t - e.window
	if e.quarter != nil {
		in.quarter = quarterOf(t, e.loc)
		in.factors = quarterFactors(factors, e.base, int(max(0, in.quarter-e.firstQuarter+1)))
	}
	return in
}

// member returns the score of member m at the instant, and the time of their
// latest counted activity at or before it (math.MinInt64 when there is none).
// Activities after the instant are skipped.
func (e *Engine) member(m int, in *instant) (score float64, latest int64) {
	lo, hi := e.off[m], e.off[m+1]
	at, points := e.at[lo:hi], e.points[lo:hi]
	points = points[:len(at)]
	latest = math.MinInt64
	switch e.c.Decay.Mode {
	case criteria.DecayQuarterly:
		quarter := e.quarter[lo:hi]
		quarter = quarter[:len(at)]
		for i, a := range at {
			if a > in.t {
				continue
			}
			score += points[i] * in.factors[in.quarter-quarter[i]]
			latest = max(latest, a)
		}
	case criteria.DecayContinuous:
		for i, a := range at {
			if a > in.t {
				continue
			}
			score += points[i] * e.cont.factor(in.t-a)
			latest = max(latest, a)
		}
	default: // criteria.DecayNone
		for i, a := range at {
			if a > in.t {
				continue
			}
			score += points[i]
			latest = max(latest, a)
		}
	}
	return score, latest
}

// Score returns the score of a member at t (SPEC section 3): the decayed
// points of their counted activities that occurred at or before t. A member
// index the engine does not know scores 0.
func (e *Engine) Score(member int32, t time.Time) float64 {
	if member < 0 || int(member) >= e.Members() {
		return 0
	}
	in := e.prepare(t, nil)
	s, _ := e.member(int(member), &in)
	return s
}

// Board is the standing of every member at one instant, as Evaluate computes
// it. Its slices are indexed by member.
type Board struct {
	// At is the instant of the standing.
	At time.Time
	// Scores holds each member's score at At.
	Scores []float64
	// Active says whether each member belongs to the active community at At
	// (SPEC section 4): a counted activity in the active window ending at At,
	// and neither staff nor bot.
	Active []bool

	c       *criteria.Criteria
	factors []float64 // scratch for the quarterly decay table
}

// Evaluate scores every member at t into b, reusing b's slices when they are
// large enough, so that evaluating again allocates nothing.
func (e *Engine) Evaluate(t time.Time, b *Board) {
	n := e.Members()
	b.At, b.c = t, e.c
	b.Scores = resize(b.Scores, n)
	b.Active = resize(b.Active, n)
	in := e.prepare(t, b.factors)
	b.factors = in.factors
	for m := range n {
		s, latest := e.member(m, &in)
		b.Scores[m] = s
		b.Active[m] = latest > in.since && !e.excluded[m]
	}
}

// resize returns s with length n, reusing its array when large enough.
func resize[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	return s[:n]
}
