package score

import (
	"cmp"
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
// activities only (approved, of a type the criteria define), grouped by member
// and sorted by time, with their points and, under quarterly decay, their
// quarter resolved in the criteria's zone. An Engine is immutable and safe for
// concurrent use.
//
// After a member's latest activity their score changes by decay alone, so
// the engine also keeps each member's score as of their latest activity:
// scoring at any later instant, as for the current standings, costs one
// multiplication per member. Only members with activity after the instant
// scored, as in a look back at a past quarter, need their activities summed.
type Engine struct {
	c        *criteria.Criteria
	loc      *time.Location
	base     float64 // 1 − rate: what a point keeps per quarter
	window   int64   // active_window_days in microseconds
	excluded []bool  // by member index

	// The counted activities of member m are at positions off[m] to
	// off[m+1] − 1 of the columns, oldest first.
	off     []int
	at      []int64   // Unix microseconds
	points  []float64 // points before decay
	quarter []int32   // quarter index in the criteria's zone; quarterly decay only
	kind    []uint16  // index of the type key in kinds, for breakdowns
	kinds   []string

	// By member: the time of their latest counted activity (math.MinInt64
	// when there is none), its quarter under quarterly decay, and their score
	// at that time.
	latest        []int64
	latestQuarter []int32
	latestScore   []float64

	firstQuarter int32            // the lowest entry of quarter
	cont         *continuousTable // continuous decay only
}

// New prepares an Engine that scores h under c. The criteria must be valid,
// as those of criteria.Parse and criteria.Default are. The Engine copies what
// it needs, so h may change or be dropped afterwards.
func New(c *criteria.Criteria, h *History) *Engine {
	members := h.members
	e := &Engine{
		c:           c,
		loc:         c.Location(),
		base:        1 - c.Decay.Rate,
		window:      int64(c.ActiveWindowDays) * int64(24*time.Hour/time.Microsecond),
		excluded:    make([]bool, members),
		off:         make([]int, members+1),
		latest:      make([]int64, members),
		latestScore: make([]float64, members),
	}
	copy(e.excluded, h.excluded)
	if c.Decay.Mode == criteria.DecayContinuous {
		e.cont = newContinuousTable(e.base)
	}

	// Resolve each type key once rather than once per activity.
	counted := make([]bool, len(h.kinds))
	points := make([]float64, len(h.kinds))
	for k, key := range h.kinds {
		_, counted[k] = c.Type(key)
		points[k] = Points(c, key, cadre.ActivityApproved)
	}

	// Count the counted activities of each member and lay the members out one
	// after the other (a counting sort, stable and linear), then put each
	// member's activities in time order.
	for i, k := range h.kind {
		if counted[k] {
			e.off[h.member[i]+1]++
		}
	}
	for m := range members {
		e.off[m+1] += e.off[m]
	}
	n := e.off[members]
	e.at = make([]int64, n)
	kind := make([]uint16, n)
	next := slices.Clone(e.off[:members])
	for i, k := range h.kind {
		if !counted[k] {
			continue
		}
		m := h.member[i]
		j := next[m]
		next[m]++
		e.at[j], kind[j] = h.at[i], k
	}
	e.sortMembers(kind)

	e.points = make([]float64, n)
	for j, k := range kind {
		e.points[j] = points[k]
	}
	e.kind, e.kinds = kind, slices.Clone(h.kinds)
	for m := range members {
		if lo, hi := e.off[m], e.off[m+1]; lo < hi {
			e.latest[m] = e.at[hi-1]
		} else {
			e.latest[m] = math.MinInt64
		}
	}
	var quarters quarterTable
	if c.Decay.Mode == criteria.DecayQuarterly && n > 0 {
		quarters = newQuarterTable(slices.Min(e.at), slices.Max(e.latest), e.loc)
		e.firstQuarter = quarters.first
		e.quarter = make([]int32, n)
		e.latestQuarter = make([]int32, members)
		for m := range members {
			quarters.indexSorted(e.at[e.off[m]:e.off[m+1]], e.quarter[e.off[m]:e.off[m+1]])
		}
	}

	// Score every member as of their latest activity, with a decay table
	// that spans all the quarters.
	var in instant
	if e.quarter != nil {
		in.factors = quarterFactors(nil, e.base, len(quarters.starts))
	}
	for m, latest := range e.latest {
		if latest == math.MinInt64 {
			continue
		}
		in.t = latest
		if e.quarter != nil {
			in.quarter = e.quarter[e.off[m+1]-1]
			e.latestQuarter[m] = in.quarter
		}
		e.latestScore[m], _ = e.sum(m, &in)
	}
	return e
}

// sortMembers puts the activities of each member in time order, carrying
// their kinds along. Activities read from the store in time order are sorted
// already, since laying out the members keeps the order within each.
func (e *Engine) sortMembers(kind []uint16) {
	type activity struct {
		at   int64
		kind uint16
	}
	var scratch []activity
	for m := range len(e.off) - 1 {
		lo, hi := e.off[m], e.off[m+1]
		if slices.IsSorted(e.at[lo:hi]) {
			continue
		}
		scratch = scratch[:0]
		for j := lo; j < hi; j++ {
			scratch = append(scratch, activity{e.at[j], kind[j]})
		}
		slices.SortFunc(scratch, func(a, b activity) int { return cmp.Compare(a.at, b.at) })
		for i, a := range scratch {
			e.at[lo+i], kind[lo+i] = a.at, a.kind
		}
	}
}

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
func (e *Engine) member(m int, in *instant) (score float64, latest int64) {
	latest = e.latest[m]
	switch {
	case latest == math.MinInt64:
		return 0, latest // no counted activity at all
	case latest > in.t:
		return e.sum(m, in)
	}
	switch e.c.Decay.Mode {
	case criteria.DecayQuarterly:
		return e.latestScore[m] * in.factors[in.quarter-e.latestQuarter[m]], latest
	case criteria.DecayContinuous:
		return e.latestScore[m] * e.cont.factor(in.t-latest), latest
	default: // criteria.DecayNone
		return e.latestScore[m], latest
	}
}

// sum is member computed the long way, adding up the decayed points of the
// activities of member m at or before the instant, which come first as the
// activities are in time order.
func (e *Engine) sum(m int, in *instant) (score float64, latest int64) {
	lo, hi := e.off[m], e.off[m+1]
	at := e.at[lo:hi]
	// Find the number of activities at or before the instant.
	n, end := 0, len(at)
	for n < end {
		mid := int(uint(n+end) >> 1)
		if at[mid] <= in.t {
			n = mid + 1
		} else {
			end = mid
		}
	}
	if n == 0 {
		return 0, math.MinInt64
	}
	at = at[:n]
	points := e.points[lo : lo+n]
	switch e.c.Decay.Mode {
	case criteria.DecayQuarterly:
		quarter := e.quarter[lo : lo+n]
		for i, p := range points {
			score += p * in.factors[in.quarter-quarter[i]]
		}
	case criteria.DecayContinuous:
		for i, p := range points {
			score += p * e.cont.factor(in.t-at[i])
		}
	default: // criteria.DecayNone
		for _, p := range points {
			score += p
		}
	}
	return score, at[n-1]
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

// Board is the standing of every member at one instant. Its slices are
// indexed by member. The zero Board is ready for Evaluate to fill; its methods
// need a Board that Evaluate filled.
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
