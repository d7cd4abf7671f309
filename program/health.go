package program

import (
	"time"

	"github.com/cadrehq/cadre/criteria"
)

// Activity is what the health figures need of a counted activity.
type Activity struct {
	MemberID      int64
	Type          string
	At            time.Time
	EffortMinutes float64 // its own, when HasEffort
	HasEffort     bool
}

// Health is a quarter's figures of SPEC section 6 that follow from terms and
// activities.
type Health struct {
	Quarter Quarter
	// Ambassadors is |A_Q|, the members with a term overlapping the quarter.
	Ambassadors         int
	ActiveAmbassadors   int      // of A_Q, those with an activity in the quarter
	PointsPerAmbassador *float64 // points before decay ÷ |A_Q|; nil when A_Q is empty
	InfluenceHours      InfluenceHours
}

// InfluenceHours are the hours ambassadors gave in a quarter.
type InfluenceHours struct {
	Total                 float64
	PerAmbassador         *float64 // nil when A_Q is empty
	WeightedPerAmbassador *float64 // hours × the type's multiplier ÷ |A_Q|
}

// AmbassadorsOf returns A_Q: the members with a term overlapping quarter q.
func AmbassadorsOf(q Quarter, loc *time.Location, terms []Term) map[int64]bool {
	start, end := q.Start(loc), q.End(loc)
	a := map[int64]bool{}
	for i := range terms {
		t := &terms[i]
		if t.Start.Before(end) && (t.Open() || t.End.After(start)) {
			a[t.MemberID] = true
		}
	}
	return a
}

// Measure computes the health figures of quarter q under criteria c from
// the terms and the counted activities (approved ones; others are left out
// by the caller). Activities of types the criteria do not define count for
// nothing.
func Measure(q Quarter, c *criteria.Criteria, terms []Term, acts []Activity) Health {
	loc := c.Location()
	start, end := q.Start(loc), q.End(loc)
	a := AmbassadorsOf(q, loc, terms)
	h := Health{Quarter: q, Ambassadors: len(a)}
	active := map[int64]bool{}
	var points, weighted float64
	for i := range acts {
		act := &acts[i]
		if !a[act.MemberID] || act.At.Before(start) || !act.At.Before(end) {
			continue
		}
		at, ok := c.Type(act.Type)
		if !ok {
			continue
		}
		active[act.MemberID] = true
		points += at.PointValue()
		minutes := at.EffortMinutes
		if act.HasEffort {
			minutes = act.EffortMinutes
		}
		h.InfluenceHours.Total += minutes / 60
		weighted += minutes / 60 * at.Multiplier
	}
	h.ActiveAmbassadors = len(active)
	if n := float64(len(a)); n > 0 {
		ppa, per, wper := points/n, h.InfluenceHours.Total/n, weighted/n
		h.PointsPerAmbassador, h.InfluenceHours.PerAmbassador, h.InfluenceHours.WeightedPerAmbassador = &ppa, &per, &wper
	}
	return h
}
