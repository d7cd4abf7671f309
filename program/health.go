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

// ForumThread is a thread with a counted forum activity in a quarter, with
// its state as last seen, as ForumOutcomes reads it.
type ForumThread struct {
	Views     int64 // when HasViews
	HasViews  bool
	Solved    bool // when HasSolved
	HasSolved bool
	// Ambassador says whether a member of A_Q has a forum activity in the
	// thread in the quarter.
	Ambassador bool
}

// ForumGroup is the forum outcomes of one group of threads.
type ForumGroup struct {
	Threads int
	// MeanViews is the mean of the views of the threads whose views are
	// known, nil when none are (GitHub tells no views); SolvedShare the share
	// solved of those whose state is known, nil when none is.
	MeanViews   *float64
	SolvedShare *float64
}

// ForumOutcomes compares the threads in which ambassadors took part with
// the others (SPEC 6's downstream effects).
type ForumOutcomes struct {
	Ambassador, Others ForumGroup
}

// MeasureForum computes the forum outcomes of a quarter from its threads,
// each with a forum activity in the quarter: those in which a member of A_Q
// has one against the others. Under criteria that do not define the forum
// type no forum activity counts, and both groups are empty.
func MeasureForum(c *criteria.Criteria, threads []ForumThread) ForumOutcomes {
	var out ForumOutcomes
	if _, ok := c.Type("forum"); !ok {
		return out
	}
	type sums struct {
		views                 float64
		withViews, withSolved int
		solved                int
	}
	var amb, others sums
	for i := range threads {
		th := &threads[i]
		g, s := &out.Others, &others
		if th.Ambassador {
			g, s = &out.Ambassador, &amb
		}
		g.Threads++
		if th.HasViews {
			s.views += float64(th.Views)
			s.withViews++
		}
		if th.HasSolved {
			s.withSolved++
			if th.Solved {
				s.solved++
			}
		}
	}
	for _, x := range []struct {
		g *ForumGroup
		s *sums
	}{{&out.Ambassador, &amb}, {&out.Others, &others}} {
		if x.s.withViews > 0 {
			m := x.s.views / float64(x.s.withViews)
			x.g.MeanViews = &m
		}
		if x.s.withSolved > 0 {
			r := float64(x.s.solved) / float64(x.s.withSolved)
			x.g.SolvedShare = &r
		}
	}
	return out
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

// Mentoring is a mentee's first mentoring activity as a mentee: who
// mentored them, and when.
type Mentoring struct {
	Mentor, Mentee int64
	At             time.Time
}

// MenteeCounts are the mentee figures of SPEC 6, of a mentor or of the
// program.
type MenteeCounts struct {
	Mentored   int // mentees first mentored in the quarter
	Activated  int // of them, with min_activities of their own in the window after
	Multiplied int // of them, with a term that starts after it
}

// Mentees are a quarter's mentee figures: for the program (the mentors in
// A_Q) and by mentor.
type Mentees struct {
	MenteeCounts
	ByMentor map[int64]MenteeCounts
}

// MeasureMentees computes quarter q's mentee figures from the mentees
// first mentored in q (first, from MeasureMentees' caller), their own
// activities (acts: at least those in the activation window after their
// first mentoring) and every term. A mentee counts for the program when
// their first mentor is an ambassador of q.
func MeasureMentees(q Quarter, c *criteria.Criteria, terms []Term, first []Mentoring, acts []Activity) Mentees {
	loc := c.Location()
	a := AmbassadorsOf(q, loc, terms)
	start, end := q.Start(loc), q.End(loc)
	window := time.Duration(c.Activation.WindowDays) * 24 * time.Hour
	own := map[int64][]time.Time{}
	for i := range acts {
		if _, ok := c.Type(acts[i].Type); ok {
			own[acts[i].MemberID] = append(own[acts[i].MemberID], acts[i].At)
		}
	}
	termStarts := map[int64][]time.Time{}
	for i := range terms {
		termStarts[terms[i].MemberID] = append(termStarts[terms[i].MemberID], terms[i].Start)
	}
	m := Mentees{ByMentor: map[int64]MenteeCounts{}}
	for _, f := range first {
		if f.At.Before(start) || !f.At.Before(end) || !a[f.Mentor] {
			continue
		}
		var k MenteeCounts
		k.Mentored = 1
		n := 0
		for _, at := range own[f.Mentee] {
			if at.After(f.At) && !at.After(f.At.Add(window)) {
				n++
			}
		}
		if n >= c.Activation.MinActivities {
			k.Activated = 1
		}
		for _, s := range termStarts[f.Mentee] {
			if s.After(f.At) {
				k.Multiplied = 1
				break
			}
		}
		by := m.ByMentor[f.Mentor]
		by.Mentored, by.Activated, by.Multiplied = by.Mentored+k.Mentored, by.Activated+k.Activated, by.Multiplied+k.Multiplied
		m.ByMentor[f.Mentor] = by
		m.Mentored, m.Activated, m.Multiplied = m.Mentored+k.Mentored, m.Activated+k.Activated, m.Multiplied+k.Multiplied
	}
	return m
}
