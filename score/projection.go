package score

import (
	"math"
	"time"

	"github.com/cadrehq/cadre/criteria"
)

// horizonQuarters bounds how far a projection looks ahead: a score that takes
// more than a thousand years to fall below a threshold is reported as never
// falling below it.
const horizonQuarters = 4000

// Projection is where a member's score is heading if they add no activity
// after t (SPEC section 4), and what would keep them at maintain.
type Projection struct {
	// Score is the member's score at t.
	Score float64
	// BelowMaintain is the first quarter boundary after t (the first instant of
	// a later quarter, in the criteria's zone) at which the score is below
	// thresholds.maintain. It is the zero time when the score never falls below
	// (decay none, a rate of 0, or not within a thousand years) and when it is
	// below already at t.
	BelowMaintain time.Time
	// BelowAchieve is the same for thresholds.achieve.
	BelowAchieve time.Time
	// Next is the next review (SPEC section 5): the last instant of the
	// quarter holding t, where its own points count in full. NextScore is
	// the score then.
	Next      time.Time
	NextScore float64
	// PointsNeeded is how many points of new activity at t would keep the
	// score at or above maintain at Next, before their own decay until Next;
	// 0 when the score stays there anyway.
	PointsNeeded float64
	// Activities says, for each activity type worth points, in the criteria's
	// order, how many activities of that type alone, done at t, make up
	// PointsNeeded.
	Activities []TypeCount
}

// TypeCount is a number of activities of one type.
type TypeCount struct {
	Type  string // the activity type key
	Count int
}

// Project returns the projection of a member's score from t.
func (e *Engine) Project(member int32, t time.Time) Projection {
	q := quarterOf(t, e.loc)
	p := Projection{Score: e.Score(member, t), Next: quarterStart(q+1, e.loc).Add(-time.Microsecond)}
	p.BelowMaintain = e.fallsBelow(p.Score, e.c.Thresholds.Maintain, t, q)
	p.BelowAchieve = e.fallsBelow(p.Score, e.c.Thresholds.Achieve, t, q)

	// Points earned at t decay until Next just as the score does: not at all
	// under quarterly decay, as no boundary lies between.
	keep := 1.0
	if e.c.Decay.Mode == criteria.DecayContinuous {
		keep = e.cont.factor(p.Next.UnixMicro() - t.UnixMicro())
	}
	p.NextScore = p.Score * keep
	maintain := e.c.Thresholds.Maintain
	if !meets(p.NextScore, maintain) {
		p.PointsNeeded = (maintain - p.NextScore) / keep
	}
	for _, typ := range e.c.ActivityTypes {
		v := typ.PointValue()
		if v <= 0 {
			continue // the type earns nothing
		}
		count := math.Ceil(p.PointsNeeded / v)
		if count > math.MaxInt32 {
			continue // the type is worth too little to make up the points
		}
		// Ceil may overshoot by one when the division rounds up past a whole
		// number; the threshold rule has the last word.
		if count > 0 && meets(p.NextScore+(count-1)*v*keep, maintain) {
			count--
		}
		p.Activities = append(p.Activities, TypeCount{Type: typ.Key, Count: int(count)})
	}
	return p
}

// kept returns the fraction of its value that a point earned at t, in quarter
// q, keeps at the start of quarter q + k.
func (e *Engine) kept(t time.Time, q, k int32) float64 {
	switch e.c.Decay.Mode {
	case criteria.DecayQuarterly:
		return math.Pow(e.base, float64(k))
	case criteria.DecayContinuous:
		return e.cont.factor(quarterStart(q+k, e.loc).UnixMicro() - t.UnixMicro())
	default: // criteria.DecayNone
		return 1
	}
}

// fallsBelow returns the first quarter boundary after t, in quarter q, at
// which a score of s at t falls below threshold with no new points, or the
// zero time when s is below already or never falls below within the horizon.
func (e *Engine) fallsBelow(s, threshold float64, t time.Time, q int32) time.Time {
	switch {
	case !meets(s, threshold):
		return time.Time{} // below already
	case meets(0, threshold), e.c.Decay.Mode == criteria.DecayNone, e.base == 1:
		return time.Time{} // scores never fall below 0, nor decay without a rate
	}
	below := func(k int32) bool { return !meets(s*e.kept(t, q, k), threshold) }
	// s × base^x = threshold gives the number of quarters x to go, exactly
	// under quarterly decay and to within a quarter under continuous decay;
	// the search then steps to the exact boundary.
	x := math.Log((threshold-thresholdSlack)/s) / math.Log(e.base)
	if x > horizonQuarters {
		return time.Time{}
	}
	k := int32(max(1, math.Floor(x)))
	for k > 1 && below(k-1) {
		k--
	}
	for !below(k) {
		k++
	}
	return quarterStart(q+k, e.loc)
}
