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
	Views         float64 // metrics.views, 0 when not counted
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
	// ContentViews is Σ metrics.views of the content activities in the
	// quarter of members of A_Q, by member and in all (SPEC 6's content
	// usage).
	ContentViews         float64
	ContentViewsByMember map[int64]float64
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
	h := Health{Quarter: q, Ambassadors: len(a), ContentViewsByMember: map[int64]float64{}}
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
		if act.Type == "content" && act.Views > 0 {
			h.ContentViews += act.Views
			h.ContentViewsByMember[act.MemberID] += act.Views
		}
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

// Organic is how the quarter's new ambassadors came: applications against
// invitations (SPEC 5).
type Organic struct {
	Applications        int // received in the quarter
	Accepted            int // applications accepted in the quarter
	InvitationsSent     int
	InvitationsAccepted int
	InvitedTerms        int      // terms started via invitation in the quarter
	Ratio               *float64 // Applications ÷ InvitedTerms; nil when InvitedTerms is 0
}

// MeasureOrganic computes quarter q's organic figures. Each event counts in
// the quarter it happened in: an application when received and when
// accepted, an invitation when sent and when accepted.
func MeasureOrganic(q Quarter, loc *time.Location, terms []Term, invs []Invitation, apps []Application) Organic {
	start, end := q.Start(loc), q.End(loc)
	in := func(t time.Time) bool { return !t.IsZero() && !t.Before(start) && t.Before(end) }
	var o Organic
	for i := range apps {
		a := &apps[i]
		if in(a.At) {
			o.Applications++
		}
		if a.State == ApplicationAccepted && in(a.DecidedAt) {
			o.Accepted++
		}
	}
	for i := range invs {
		inv := &invs[i]
		if in(inv.SentAt) {
			o.InvitationsSent++
		}
		if inv.State == InvitationAccepted && in(inv.DecidedAt) {
			o.InvitationsAccepted++
		}
	}
	for i := range terms {
		if t := &terms[i]; t.Via == ViaInvitation && in(t.Start) {
			o.InvitedTerms++
		}
	}
	if o.InvitedTerms > 0 {
		r := float64(o.Applications) / float64(o.InvitedTerms)
		o.Ratio = &r
	}
	return o
}
