package score

import (
	"fmt"
	"time"

	"github.com/cadrehq/cadre/criteria"
)

// Breakdown explains a member's score at an instant: where the points come
// from, by activity type and by quarter, and how the score moved over the last
// three years.
type Breakdown struct {
	At        time.Time
	Score     float64
	ByType    []Part // in the criteria's order of types, those with activity
	ByQuarter []Part // oldest first, quarters with activity
	// History is the score at the end of each of the HistoryQuarters quarters
	// up to and including the quarter of At (at At itself for that one).
	History []ScoreAt
}

// Part is the share of a score that some activities make up.
type Part struct {
	Key        string // the type key, or the quarter as "2025-Q2"
	Start      time.Time
	Activities int
	Points     float64 // before decay
	Score      float64 // after decay at the breakdown's instant
}

// ScoreAt is a score at an instant.
type ScoreAt struct {
	At    time.Time
	Score float64
}

// HistoryQuarters is how many quarters a breakdown's history covers: three years.
const HistoryQuarters = 12

// Breakdown returns the breakdown of a member's score at t. A member index the
// engine does not know has an empty breakdown with a flat history of zeros.
func (e *Engine) Breakdown(member int32, t time.Time) Breakdown {
	b := Breakdown{At: t}
	qt := quarterOf(t, e.loc)
	for q := qt - HistoryQuarters + 1; q <= qt; q++ {
		at := t
		if q < qt {
			at = quarterStart(q+1, e.loc).Add(-time.Microsecond)
		}
		b.History = append(b.History, ScoreAt{At: at, Score: e.Score(member, at)})
	}
	if member < 0 || int(member) >= e.Members() {
		return b
	}
	b.Score, b.ByType = e.ByType(member, t)
	in := e.prepare(t, nil)
	byQuarter := map[int32]*Part{}
	var quarters []int32
	for _, a := range e.acts[member] {
		if a.at > in.t {
			break // activities are in time order
		}
		q := quarterOf(time.UnixMicro(a.at), e.loc)
		qp := byQuarter[q]
		if qp == nil {
			start := quarterStart(q, e.loc)
			qp = &Part{Key: fmt.Sprintf("%d-Q%d", start.Year(), q-int32(4*start.Year())+1), Start: start}
			byQuarter[q] = qp
			quarters = append(quarters, q)
		}
		p := e.points[a.kind]
		qp.Activities++
		qp.Points += p
		qp.Score += p * e.factor(a, &in)
	}
	for _, q := range quarters {
		b.ByQuarter = append(b.ByQuarter, *byQuarter[q])
	}
	return b
}

// ByType returns a member's score at t and its parts by activity type, in
// the criteria's order of types, those with activity: a Breakdown without
// its quarters and history, for many members at once (a what-if's changes).
func (e *Engine) ByType(member int32, t time.Time) (float64, []Part) {
	if member < 0 || int(member) >= e.Members() {
		return 0, nil
	}
	in := e.prepare(t, nil)
	byKind := map[uint16]*Part{}
	var sum float64
	for _, a := range e.acts[member] {
		if a.at > in.t {
			break // activities are in time order
		}
		kp := byKind[a.kind]
		if kp == nil {
			kp = &Part{Key: e.kinds[a.kind]}
			byKind[a.kind] = kp
		}
		p, f := e.points[a.kind], e.factor(a, &in)
		kp.Activities++
		kp.Points += p
		kp.Score += p * f
		sum += p * f
	}
	var parts []Part
	for _, typ := range e.c.ActivityTypes {
		for k, key := range e.kinds {
			if key == typ.Key && byKind[uint16(k)] != nil {
				parts = append(parts, *byKind[uint16(k)])
			}
		}
	}
	return sum, parts
}

// factor is what the points of activity a keep at the instant.
func (e *Engine) factor(a activity, in *instant) float64 {
	switch e.c.Decay.Mode {
	case criteria.DecayQuarterly:
		return in.factors[in.quarter-a.quarter]
	case criteria.DecayContinuous:
		return e.cont.factor(in.t - a.at)
	default:
		return 1
	}
}
