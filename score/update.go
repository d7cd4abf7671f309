package score

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/cadrehq/cadre"
	"github.com/cadrehq/cadre/criteria"
)

// Add counts one more activity, as New would have had it been in the History.
// As with History.Add, an activity that is not approved, or of a type the
// criteria do not define, counts nothing, but its member is named and scores
// 0. Add needs exclusive access to the engine.
//
// An activity at or after the member's latest costs a few operations; an
// earlier one, as from a back-filled import, is inserted in its place among
// the member's activities.
func (e *Engine) Add(ev Event) error {
	if err := e.name(ev.Member); err != nil {
		return fmt.Errorf("add activity: %w", err)
	}
	if ev.Status != cadre.ActivityApproved {
		return nil
	}
	k, ok := e.kindOf[ev.Type]
	if !ok {
		t, defined := e.c.Type(ev.Type)
		if !defined {
			return nil
		}
		if len(e.kinds) > math.MaxUint16 {
			return fmt.Errorf("add activity: %w", cadre.Errorf(cadre.EINVALID, "more than %d distinct activity types", math.MaxUint16+1))
		}
		k = e.addKind(ev.Type, t.PointValue())
	}
	a := activity{at: ev.At.UnixMicro(), kind: k}
	if e.quarterly {
		a.quarter = quarterOf(time.UnixMicro(a.at), e.loc)
		e.firstQuarter = min(e.firstQuarter, a.quarter)
	}
	m := ev.Member
	acts, p := e.acts[m], e.points[k]
	switch {
	case len(acts) == 0:
		e.latestScore[m] = p
	case a.at >= e.latest[m]:
		// The score at the latest activity decays until the new one.
		e.latestScore[m] = e.latestScore[m]*e.carry(acts[len(acts)-1], a) + p
	default:
		// The new points decay until the latest activity, which stays the latest.
		e.latestScore[m] += p * e.carry(a, acts[len(acts)-1])
		i, _ := slices.BinarySearchFunc(acts, a.at+1, byTimeOf)
		e.acts[m] = slices.Insert(acts, i, a)
		return nil
	}
	e.acts[m] = append(acts, a)
	e.latest[m] = a.at
	if e.quarterly {
		e.latestQuarter[m] = a.quarter
	}
	return nil
}

// Remove uncounts one activity of the member of ev, of its type and at its
// time to the microsecond, whatever ev's status, as an approved activity is
// removed when it is rejected. It reports whether there was one: an activity
// that was never counted, as one of a type the criteria do not define, is
// not. Remove needs exclusive access to the engine.
func (e *Engine) Remove(ev Event) bool {
	m := ev.Member
	if m < 0 || int(m) >= len(e.acts) {
		return false
	}
	k, ok := e.kindOf[ev.Type]
	if !ok {
		return false
	}
	at := ev.At.UnixMicro()
	acts := e.acts[m]
	i, _ := slices.BinarySearchFunc(acts, at, byTimeOf)
	for i < len(acts) && acts[i].at == at && acts[i].kind != k {
		i++
	}
	if i == len(acts) || acts[i].at != at {
		return false
	}
	if i < len(acts)-1 {
		e.latestScore[m] -= e.points[k] * e.carry(acts[i], acts[len(acts)-1])
		// Close the gap from the nearer end: the slice may start later.
		if i < len(acts)/2 {
			copy(acts[1:], acts[:i])
			e.acts[m] = acts[1:]
		} else {
			e.acts[m] = slices.Delete(acts, i, i+1)
		}
		return true
	}
	// The latest activity goes: score as of the one before, summing rather
	// than undoing decay, which could blow rounding errors up.
	e.acts[m] = acts[:i]
	e.rescore(int(m))
	return true
}

// SetExcluded marks a member as staff or bot, or clears the mark, naming the
// member as History.SetExcluded does. It needs exclusive access to the engine.
func (e *Engine) SetExcluded(member int32, excluded bool) error {
	if err := e.name(member); err != nil {
		return fmt.Errorf("set excluded: %w", err)
	}
	e.excluded[member] = excluded
	return nil
}

// byTimeOf compares an activity's time with t, for binary searches.
func byTimeOf(a activity, t int64) int { return cmp.Compare(a.at, t) }

// carry returns what a point earned at activity from keeps at activity to,
// which is no earlier.
func (e *Engine) carry(from, to activity) float64 {
	switch e.c.Decay.Mode {
	case criteria.DecayQuarterly:
		return e.factorsTo(to.quarter)[to.quarter-from.quarter]
	case criteria.DecayContinuous:
		return e.cont.factor(to.at - from.at)
	default: // criteria.DecayNone
		return 1
	}
}

// name checks a member index and makes room for the member, who scores 0
// until an activity of theirs counts.
func (e *Engine) name(member int32) error {
	if member < 0 {
		return cadre.Errorf(cadre.EINVALID, "negative member index %d", member)
	}
	n := int(member) + 1
	if n <= len(e.acts) {
		return nil
	}
	e.excluded = extend(e.excluded, n, false)
	e.acts = extend(e.acts, n, nil)
	e.latest = extend(e.latest, n, math.MinInt64)
	e.latestScore = extend(e.latestScore, n, 0)
	if e.quarterly {
		e.latestQuarter = extend(e.latestQuarter, n, 0)
	}
	return nil
}

// extend returns s lengthened to n with v in the new places, growing its
// array as append does so that naming members one by one is cheap.
func extend[T any](s []T, n int, v T) []T {
	for len(s) < n {
		s = append(s, v)
	}
	return s
}
