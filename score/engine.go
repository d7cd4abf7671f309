package score

import (
	"cmp"
	"math"
	"slices"
	"time"

	"github.com/cadrehq/cadre/criteria"
)

// Engine scores a History under one criteria version. It holds the counted
// activities only (approved, of a type the criteria define), grouped by member
// and sorted by time, with their points and, under quarterly decay, their
// quarter resolved in the criteria's zone.
//
// After a member's latest activity their score changes by decay alone, so
// the engine also keeps each member's score as of their latest activity:
// scoring at any later instant, as for the current standings, costs one
// multiplication per member. Only members with activity after the instant
// scored, as in a look back at a past quarter, need their activities summed.
//
// An Engine follows changes to the community through Add, Remove and
// SetExcluded rather than being built again. Its reads (Score, Evaluate,
// Breakdown, Project) may run concurrently with each other, but those three
// methods need exclusive access: the caller holds a lock, for writing around
// them and for reading around the rest.
type Engine struct {
	c         *criteria.Criteria
	loc       *time.Location
	quarterly bool    // quarterly decay
	base      float64 // 1 − rate: what a point keeps per quarter
	window    int64   // active_window_days in microseconds
	excluded  []bool  // by member index

	// acts[m] holds the counted activities of member m, oldest first. New
	// lays all members out in one array, each member's slice capped at its
	// end, so that a member who grows moves to an array of their own and
	// leaves the others in place.
	acts [][]activity

	// The keys of the counted types, by the kind of activity, with their
	// points before decay.
	kinds  []string
	kindOf map[string]uint16
	points []float64

	// By member: the time of their latest counted activity (math.MinInt64
	// when there is none), its quarter under quarterly decay, and their score
	// at that time.
	latest        []int64
	latestQuarter []int32
	latestScore   []float64

	// firstQuarter is at most the quarter of every activity ever counted,
	// and math.MaxInt32 before the first, under quarterly decay. It sizes the
	// decay tables of readers.
	firstQuarter int32
	cont         *continuousTable // continuous decay only
	factors      []float64        // the quarterly decay table of New, Add and Remove; readers have their own
}

// activity is a counted activity as the engine keeps it.
type activity struct {
	at      int64  // Unix microseconds
	quarter int32  // quarter index in the criteria's zone; quarterly decay only
	kind    uint16 // index into Engine.kinds
}

// New prepares an Engine that scores h under c. The criteria must be valid,
// as those of criteria.Parse and criteria.Default are. The Engine copies what
// it needs, so h may change or be dropped afterwards.
func New(c *criteria.Criteria, h *History) *Engine {
	members := h.members
	e := &Engine{
		c:            c,
		loc:          c.Location(),
		quarterly:    c.Decay.Mode == criteria.DecayQuarterly,
		base:         1 - c.Decay.Rate,
		window:       int64(c.ActiveWindowDays) * int64(24*time.Hour/time.Microsecond),
		excluded:     make([]bool, members),
		acts:         make([][]activity, members),
		kindOf:       make(map[string]uint16),
		latest:       make([]int64, members),
		latestScore:  make([]float64, members),
		firstQuarter: math.MaxInt32,
	}
	copy(e.excluded, h.excluded)
	switch c.Decay.Mode {
	case criteria.DecayQuarterly:
		e.latestQuarter = make([]int32, members)
	case criteria.DecayContinuous:
		e.cont = newContinuousTable(e.base)
	}

	// Resolve each type key once rather than once per activity: kind[k] is
	// the engine's kind of the history's kind k, or -1 when it does not count.
	kind := make([]int32, len(h.kinds))
	for k, key := range h.kinds {
		kind[k] = -1
		if t, ok := c.Type(key); ok {
			kind[k] = int32(e.addKind(key, t.PointValue()))
		}
	}

	// Lay the members out one after the other by a counting sort, stable and
	// linear: off[m] counts the activities of member m, then marks the end of
	// their range, and moves down to its start as they are placed from the
	// last. Each member's activities are then put in time order.
	off := make([]int, members+1)
	for i, k := range h.kind {
		if kind[k] >= 0 {
			off[h.member[i]]++
		}
	}
	for m := 1; m < members; m++ {
		off[m] += off[m-1]
	}
	n := 0
	if members > 0 {
		n = off[members-1]
	}
	off[members] = n
	all := make([]activity, n)
	lo, hi := int64(math.MaxInt64), int64(math.MinInt64)
	for i := len(h.kind) - 1; i >= 0; i-- {
		k := kind[h.kind[i]]
		if k < 0 {
			continue
		}
		m, at := h.member[i], h.at[i]
		off[m]--
		all[off[m]] = activity{at: at, kind: uint16(k)}
		lo, hi = min(lo, at), max(hi, at)
	}
	for m := range members {
		acts := all[off[m]:off[m+1]:off[m+1]]
		if !slices.IsSortedFunc(acts, byTime) {
			slices.SortFunc(acts, byTime)
		}
		e.acts[m] = acts
	}
	if e.quarterly && n > 0 {
		quarters := newQuarterTable(lo, hi, e.loc)
		e.firstQuarter = quarters.first
		e.factors = quarterFactors(nil, e.base, len(quarters.starts))
		for _, acts := range e.acts {
			quarters.index(acts)
		}
	}
	for m := range members {
		e.rescore(m)
	}
	return e
}

// byTime orders activities by time.
func byTime(a, b activity) int { return cmp.Compare(a.at, b.at) }

// addKind counts activities of the type key, worth points each, and returns
// their kind.
func (e *Engine) addKind(key string, points float64) uint16 {
	k := uint16(len(e.kinds))
	e.kinds = append(e.kinds, key)
	e.kindOf[key] = k
	e.points = append(e.points, points)
	return k
}

// rescore sets the latest values of member m from their activities.
func (e *Engine) rescore(m int) {
	acts := e.acts[m]
	if len(acts) == 0 {
		e.latest[m], e.latestScore[m] = math.MinInt64, 0
		return
	}
	last := acts[len(acts)-1]
	in := instant{t: last.at, quarter: last.quarter}
	if e.quarterly {
		in.factors = e.factorsTo(last.quarter)
		e.latestQuarter[m] = last.quarter
	}
	e.latest[m] = last.at
	e.latestScore[m], _ = e.sum(m, &in)
}

// factorsTo returns the writers' table of quarterly decay, extended to cover
// points of every quarter counted at quarter q.
func (e *Engine) factorsTo(q int32) []float64 {
	if n := int(int64(q) - int64(e.firstQuarter) + 1); len(e.factors) < n {
		e.factors = quarterFactors(e.factors, e.base, n)
	}
	return e.factors
}

// Members returns the number of members the engine knows.
func (e *Engine) Members() int { return len(e.acts) }

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
	if e.quarterly {
		in.quarter = quarterOf(t, e.loc)
		in.factors = quarterFactors(factors, e.base, int(max(0, int64(in.quarter)-int64(e.firstQuarter)+1)))
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
// activities are in time order. It reads them in order rather than searching
// for the last, as each one's time lies beside its points.
func (e *Engine) sum(m int, in *instant) (score float64, latest int64) {
	acts := e.acts[m]
	points := e.points
	n := 0
	switch e.c.Decay.Mode {
	case criteria.DecayQuarterly:
		for _, a := range acts {
			if a.at > in.t {
				break
			}
			score += points[a.kind] * in.factors[in.quarter-a.quarter]
			n++
		}
	case criteria.DecayContinuous:
		for _, a := range acts {
			if a.at > in.t {
				break
			}
			score += points[a.kind] * e.cont.factor(in.t-a.at)
			n++
		}
	default: // criteria.DecayNone
		for _, a := range acts {
			if a.at > in.t {
				break
			}
			score += points[a.kind]
			n++
		}
	}
	if n == 0 {
		return 0, math.MinInt64
	}
	return score, acts[n-1].at
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

// First returns the time of member's first counted activity, and false when
// they have none.
func (e *Engine) First(member int32) (time.Time, bool) {
	if member < 0 || int(member) >= e.Members() || len(e.acts[member]) == 0 {
		return time.Time{}, false
	}
	return time.UnixMicro(e.acts[member][0].at).UTC(), true
}

// Start returns the time of the first counted activity of anyone, and false
// before there is one.
func (e *Engine) Start() (time.Time, bool) {
	first := int64(math.MaxInt64)
	for _, acts := range e.acts {
		if len(acts) > 0 && acts[0].at < first {
			first = acts[0].at
		}
	}
	return time.UnixMicro(first).UTC(), first != math.MaxInt64
}

// Points returns each member's points before decay of their counted
// activities up to t, by member index: what their score would be without
// decay, at the cost of one pass over the activities.
func (e *Engine) Points(t time.Time) []float64 {
	at := t.UnixMicro()
	out := make([]float64, e.Members())
	for m, acts := range e.acts {
		for _, a := range acts {
			if a.at > at {
				break // activities are in time order
			}
			out[m] += e.points[a.kind]
		}
	}
	return out
}

// Rescored returns an engine that scores e's activities under c, sharing
// e's activities instead of laying them out and sorting them again, when c
// counts the same types in the same zone and e knows the quarters c's decay
// needs; else false. Only points, decay and window differ, as in a what-if
// of other multipliers or decay. The new engine is valid while e does not
// change: the caller holds e's read lock around both.
func (e *Engine) Rescored(c *criteria.Criteria) (*Engine, bool) {
	quarterly := c.Decay.Mode == criteria.DecayQuarterly
	if c.Location().String() != e.loc.String() || (quarterly && !e.quarterly) || len(c.ActivityTypes) != len(e.kinds) {
		return nil, false
	}
	points := make([]float64, len(e.kinds))
	for k, key := range e.kinds {
		t, ok := c.Type(key)
		if !ok {
			return nil, false
		}
		points[k] = t.PointValue()
	}
	n := e.Members()
	r := &Engine{
		c: c, loc: e.loc, quarterly: quarterly, base: 1 - c.Decay.Rate,
		window:   int64(c.ActiveWindowDays) * int64(24*time.Hour/time.Microsecond),
		excluded: slices.Clone(e.excluded), acts: e.acts, kinds: e.kinds, kindOf: e.kindOf, points: points,
		latest: make([]int64, n), latestScore: make([]float64, n), firstQuarter: e.firstQuarter,
	}
	switch c.Decay.Mode {
	case criteria.DecayQuarterly:
		r.latestQuarter = make([]int32, n)
		r.factors = quarterFactors(nil, r.base, len(e.factors))
	case criteria.DecayContinuous:
		r.cont = newContinuousTable(r.base)
	}
	for m := range n {
		r.rescore(m)
	}
	return r, true
}
