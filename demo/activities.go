package demo

import (
	"cmp"
	"math"
	"slices"
	"strconv"
	"time"

	"github.com/cadrehq/cadre"
	"github.com/cadrehq/cadre/criteria"
)

// Activity types of SPEC section 1, in the order of personaMix.
const (
	typeForum = iota
	typeContent
	typeMentoring
	typeSpeaking
	typeFeedback
	typeBeta
	typeCode
	numTypes
)

var typeKeys = [numTypes]string{"forum", "content", "mentoring", "speaking", "feedback", "beta", "code"}

// kind is the platform record behind an activity (SPEC section 9).
type kind uint8

const (
	kindDiscoursePost kind = iota
	kindStackAnswer
	kindIssueComment
	kindReview
	kindReviewComment
	kindDiscussionComment
	kindIssue
	kindPullRequest
	kindBlogPost
	kindTalk
	kindMentoring
	kindBeta
	numKinds
)

var (
	kindType = [numKinds]int{
		typeForum, typeForum, typeForum, typeForum, typeForum, typeForum,
		typeFeedback, typeCode, typeContent, typeSpeaking, typeMentoring, typeBeta,
	}
	kindSource = [numKinds]string{
		platformDiscourse, platformStackExchange, platformGitHub, platformGitHub, platformGitHub, platformGitHub,
		platformGitHub, platformGitHub, platformRSS, "events", "report", "report",
	}
	// kindPlatform is the platform of the identity that names the member in
	// a kind's records; "" means their primary identity.
	kindPlatform = [numKinds]string{
		platformDiscourse, platformStackExchange, platformGitHub, platformGitHub, platformGitHub, platformGitHub,
		platformGitHub, platformGitHub, platformRSS, "", "", "",
	}
	// How forum participation on GitHub splits among its records.
	githubForumKinds   = []kind{kindIssueComment, kindReview, kindReviewComment, kindDiscussionComment}
	githubForumWeights = []float64{70, 12, 10, 8}
)

// Bots that act on the product's GitHub repositories.
var bots = []struct {
	handle string
	share  float64 // of the bots' activities
	kind   kind
}{
	{"dependabot[bot]", 0.45, kindPullRequest},
	{"github-actions[bot]", 0.25, kindIssueComment},
	{"renovate[bot]", 0.20, kindPullRequest},
	{"codecov[bot]", 0.10, kindIssueComment},
}

// botShare is the share of all activities that bots account for.
const botShare = 0.04

// draft is an activity before its details are written: who, what and when.
// Drafts are sorted by time before the details are drawn, so that ids and
// issue numbers grow with time as they do on real platforms.
type draft struct {
	at     int64 // Unix seconds
	seq    int32 // creation order, which breaks ties in at
	person int32 // index in generator.people
	// ref is the mentee's index in generator.people for mentoring, the
	// conference's index for a talk at one, and -1 otherwise.
	ref    int32
	kind   kind
	status cadre.ActivityStatus
}

// planPeople creates the members, bots last, and drafts their activities.
func (g *generator) planPeople(members, activities int) {
	humans := members - len(bots)
	botActivities := int(botShare * float64(activities))
	counts := activityCounts(g, humans, activities-botActivities)
	staffCount := roleCount(members, 0.002, 2, 10)
	staff := map[int]bool{}
	for len(staff) < staffCount {
		// Staff are among the busiest: answering questions is their job.
		staff[g.rng.IntN(max(4*staffCount, humans/25))] = true
	}
	for rank, n := range counts {
		p := g.newHuman()
		p.count = n
		if staff[rank] {
			p.staff = true
			p.company = StaffCompany
		}
		g.planHuman(p)
	}
	left := botActivities
	for i, b := range bots {
		n := int(b.share * float64(botActivities))
		if i == len(bots)-1 {
			n = left
		}
		left -= n
		g.planBot(b.handle, b.kind, max(1, n))
	}
}

// roleCount is share of members, rounded, within [lo, hi].
func roleCount(members int, share float64, lo, hi int) int {
	return min(hi, max(lo, int(math.Round(share*float64(members)))))
}

// planHuman draws what p does, on which platforms, and when.
func (g *generator) planHuman(p *person) {
	p.persona = g.drawPersona(p)
	p.forum = g.drawForums(p)
	kinds := g.kinds[:0]
	for range p.count {
		kinds = append(kinds, g.drawKind(p))
	}
	g.kinds = kinds
	g.addIdentities(p, kinds)
	g.addEmails(p)
	g.planTenure(p)
	i := int32(len(g.people))
	g.people = append(g.people, p)
	for j, k := range kinds {
		at := p.join
		if j > 0 {
			at = g.activityTime(p)
		}
		g.addDraft(i, k, at)
	}
}

// planBot creates a bot that has been at work on GitHub from the start.
func (g *generator) planBot(handle string, k kind, n int) {
	g.handles[platformGitHub][handle] = true
	p := &person{
		name:       handle,
		bot:        true,
		status:     cadre.StatusMember,
		count:      n,
		identities: []cadre.Identity{{Platform: platformGitHub, Handle: handle, UserID: g.githubUserID()}},
		join:       g.start + g.rng.Int64N(30*secondsPerDay),
		leave:      g.end,
	}
	i := int32(len(g.people))
	g.people = append(g.people, p)
	for j := range n {
		at := p.join
		if j > 0 {
			at = g.cal.at(g.rng, p.join, p.leave, 0)
		}
		g.addDraft(i, k, at)
	}
}

// Personas of busy members (50 activities or more) and of the others, with
// their weights: only the busy are advocates.
var (
	busyPersonas       = []persona{personaAdvocate, personaAnswerer, personaCoder, personaWriter, personaGeneralist}
	busyPersonaWeights = []float64{25, 35, 25, 5, 10}
	personas           = []persona{personaAnswerer, personaCoder, personaGeneralist, personaWriter}
	personaWeights     = []float64{35, 15, 45, 5}
)

func (g *generator) drawPersona(p *person) persona {
	switch {
	case p.staff:
		return personaStaff
	case p.count >= 50:
		return busyPersonas[pickWeighted(g.rng, busyPersonaWeights)]
	}
	return personas[pickWeighted(g.rng, personaWeights)]
}

// drawForums picks where p takes part in discussions: one platform, and a
// second one for some of the busier members.
func (g *generator) drawForums(p *person) [2]string {
	platforms := []string{platformDiscourse, platformGitHub, platformStackExchange}
	weights := []float64{55, 25, 20}
	if p.persona == personaCoder {
		weights = []float64{35, 50, 15}
	}
	forum := [2]string{platforms[pickWeighted(g.rng, weights)]}
	if p.count >= 15 && g.rng.Float64() < 0.4 {
		for forum[1] == "" || forum[1] == forum[0] {
			forum[1] = platforms[pickWeighted(g.rng, weights)]
		}
	}
	return forum
}

// drawKind draws the kind of one of p's activities: a type by their persona,
// then a forum platform for forum participation.
func (g *generator) drawKind(p *person) kind {
	switch pickWeighted(g.rng, personaMix[p.persona][:]) {
	case typeContent:
		return kindBlogPost
	case typeMentoring:
		return kindMentoring
	case typeSpeaking:
		return kindTalk
	case typeFeedback:
		return kindIssue
	case typeBeta:
		return kindBeta
	case typeCode:
		return kindPullRequest
	}
	platform := p.forum[0]
	if p.forum[1] != "" && g.rng.Float64() < 0.3 {
		platform = p.forum[1]
	}
	switch platform {
	case platformDiscourse:
		return kindDiscoursePost
	case platformStackExchange:
		return kindStackAnswer
	}
	return githubForumKinds[pickWeighted(g.rng, githubForumWeights)]
}

// planTenure draws when p shows up and when, if ever, they go quiet.
func (g *generator) planTenure(p *person) {
	n := float64(p.count)
	span := float64(g.end - g.start)
	var x float64
	switch {
	case p.staff:
		x = 0.3 * joinPosition(g.rng)
	case g.rng.Float64() < 0.1+0.15*math.Log10(n):
		// A regular from before the history, busy people more often,
		// shows up in its first weeks.
		x = g.rng.Float64() * 30 * secondsPerDay / span
	default:
		x = joinPosition(g.rng)
	}
	join := g.start + int64(x*span)
	leave := g.end
	if !p.staff && g.rng.Float64() >= min(0.85, 0.2+0.1*math.Log2(n)) {
		mean := 15 * secondsPerDay * math.Pow(n, 0.7)
		leave = min(g.end, join+int64(g.rng.ExpFloat64()*mean))
	}
	// Nobody keeps up more than three activities a day for long.
	if busy := int64(p.count-1) * 8 * 3600; leave-join < busy {
		leave = min(g.end, join+busy)
		join = max(g.start, leave-busy)
	}
	p.join = g.cal.at(g.rng, join, min(g.end, join+7*secondsPerDay), p.offset)
	p.leave = max(leave, p.join)
	g.planSeasons(p)
}

// seasonLength is the stretch over which a regular's pace holds: a quarter.
const seasonLength = 91 * secondsPerDay

// planSeasons gives a regular busy and quiet quarters: the log of their
// pace follows a random walk that leans back to their usual pace (AR(1),
// half the last quarter's lean and a fresh draw of spread 1.2), so that
// a strong contributor now and then has a slow quarter and may fall below
// the bar to renew, as ambassadors do. Those with few activities keep an
// even pace: a season of nothing would say little of them.
func (g *generator) planSeasons(p *person) {
	if p.count < 20 || p.leave-p.join < 2*seasonLength {
		return
	}
	n := int((p.leave-p.join)/seasonLength) + 1
	p.seasons = make([]float64, n)
	lean, sum := 0.0, 0.0
	for i := range n {
		lean = 0.5*lean + 1.2*g.rng.NormFloat64()
		sum += math.Exp(lean)
		p.seasons[i] = sum
	}
}

// activityTime draws the time of one of p's activities after their first.
func (g *generator) activityTime(p *person) int64 {
	if p.leave < g.end && p.count >= 10 && g.rng.Float64() < 0.03 {
		// An occasional word from someone who has gone quiet.
		return g.cal.at(g.rng, p.leave, g.end, p.offset)
	}
	if p.seasons != nil {
		u := g.rng.Float64() * p.seasons[len(p.seasons)-1]
		i, _ := slices.BinarySearch(p.seasons, u)
		from := p.join + int64(i)*seasonLength
		return g.cal.at(g.rng, from, min(p.leave, from+seasonLength), p.offset)
	}
	return g.cal.at(g.rng, p.join, p.leave, p.offset)
}

func (g *generator) addDraft(person int32, k kind, at int64) {
	d := draft{at: at, seq: int32(len(g.drafts)), person: person, ref: -1, kind: k, status: cadre.ActivityApproved}
	switch k {
	case kindTalk:
		// Some talks are at conferences, the others at meetups and calls.
		if g.rng.Float64() < 0.4 {
			if c := g.conferenceAfter(at); c >= 0 {
				d.ref = int32(c)
				d.at = g.conferences[c].start + g.rng.Int64N(8*3600)
			}
		}
	case kindMentoring, kindBeta:
		d.status = g.reportStatus(at)
	}
	g.drafts = append(g.drafts, d)
}

// reportStatus draws the review status of a self-report made at at: most are
// approved, a few rejected, and the recent ones often not reviewed yet.
func (g *generator) reportStatus(at int64) cadre.ActivityStatus {
	switch {
	case at > g.end-30*secondsPerDay && g.rng.Float64() < 0.6:
		return cadre.ActivityPending
	case g.rng.Float64() < 0.05:
		return cadre.ActivityRejected
	}
	return cadre.ActivityApproved
}

// assignMentees names a mentee for every mentoring activity. Most mentees are
// newcomers whose first activity comes within a month of the session, so
// that some of them go on to be active; the others are existing members.
// It also sets everyone's firstAt, when Cadre first hears of them.
func (g *generator) assignMentees() {
	for _, p := range g.people {
		p.firstAt = math.MaxInt64
	}
	for _, d := range g.drafts {
		p := g.people[d.person]
		p.firstAt = min(p.firstAt, d.at)
	}
	var candidates []int32
	for i, p := range g.people {
		if !p.bot && !p.staff {
			candidates = append(candidates, int32(i))
		}
	}
	slices.SortFunc(candidates, func(a, b int32) int {
		return cmp.Or(cmp.Compare(g.people[a].firstAt, g.people[b].firstAt), cmp.Compare(a, b))
	})
	firstAfter := func(t int64) int {
		i, _ := slices.BinarySearchFunc(candidates, t, func(c int32, t int64) int {
			return cmp.Compare(g.people[c].firstAt, t)
		})
		return i
	}
	for i := range g.drafts {
		d := &g.drafts[i]
		if d.kind != kindMentoring {
			continue
		}
		lo, hi := firstAfter(d.at+1), firstAfter(d.at+30*secondsPerDay+1)
		d.ref = -1
		if hi > lo && g.rng.Float64() < 0.7 {
			// Of two newcomers, the busier: mentoring helps.
			a, b := candidates[lo+g.rng.IntN(hi-lo)], candidates[lo+g.rng.IntN(hi-lo)]
			if g.people[b].count > g.people[a].count {
				a = b
			}
			if a != d.person {
				d.ref = a
			}
		}
		for d.ref < 0 {
			pool := candidates[:max(hi, 2)]
			if c := pool[g.rng.IntN(len(pool))]; c != d.person {
				d.ref = c
			}
		}
	}
	for _, d := range g.drafts {
		if d.kind == kindMentoring {
			m := g.people[d.ref]
			m.firstAt = min(m.firstAt, d.at)
		}
	}
}

// assignStatuses makes ambassadors of most of the members with the best
// scores now (leaving a few for Cadre to propose), and alumni of those whose
// score was high in the past but has since fallen.
func (g *generator) assignStatuses(members int) {
	q0 := quarterIndex(g.start)
	quarters := quarterIndex(g.end) - q0 + 1
	// Statuses follow the scores under the default criteria of SPEC section
	// 1 (quarterly decay in UTC, as quarterIndex counts), so that they look
	// like decisions made under those criteria.
	c := criteria.Default()
	var typePoints [numTypes]float64
	for i, key := range typeKeys {
		if at, ok := c.Type(key); ok {
			typePoints[i] = at.PointValue()
		}
	}
	decayKept := 1 - c.Decay.Rate
	points := make([]float64, len(g.people)*quarters)
	for _, d := range g.drafts {
		if d.status == cadre.ActivityApproved {
			points[int(d.person)*quarters+quarterIndex(d.at)-q0] += typePoints[kindType[d.kind]]
		}
	}
	type standing struct {
		person    int
		now, peak float64
	}
	var ambassadors, alumni []standing
	for i, p := range g.people {
		if p.bot || p.staff {
			continue
		}
		s := standing{person: i}
		for q := range quarters {
			s.now = s.now*decayKept + points[i*quarters+q]
			if q < quarters-2 {
				s.peak = max(s.peak, s.now)
			}
		}
		if p.firstAt <= g.end-180*secondsPerDay {
			ambassadors = append(ambassadors, s)
		}
		if p.firstAt <= g.end-365*secondsPerDay && s.now < s.peak/2 {
			alumni = append(alumni, s)
		}
	}
	slices.SortFunc(ambassadors, func(a, b standing) int {
		return cmp.Or(cmp.Compare(b.now, a.now), cmp.Compare(a.person, b.person))
	})
	want := roleCount(members, 0.012, 2, members)
	for _, s := range ambassadors {
		if want == 0 {
			break
		}
		if g.rng.Float64() < 0.8 {
			g.people[s.person].status = cadre.StatusAmbassador
			want--
		}
	}
	slices.SortFunc(alumni, func(a, b standing) int {
		return cmp.Or(cmp.Compare(b.peak, a.peak), cmp.Compare(a.person, b.person))
	})
	want = roleCount(members, 0.005, 1, members)
	for _, s := range alumni {
		if want == 0 {
			break
		}
		if p := g.people[s.person]; p.status == cadre.StatusMember {
			p.status = cadre.StatusAlumni
			want--
		}
	}
}

// quarterIndex is SPEC section 3's q(t) in UTC.
func quarterIndex(unix int64) int {
	t := time.Unix(unix, 0).UTC()
	return 4*t.Year() + (int(t.Month())-1)/3
}

// conference is one edition of a conference series.
type conference struct {
	id, name string
	start    int64 // 9:00 local time on its day, Unix seconds
}

// conferenceSeries are yearly conferences whose city rotates.
var conferenceSeries = []struct {
	name    string
	month   time.Month
	day     int
	cities  []string
	offsets []int // UTC offset of each city, in hours
}{
	{"DriftCon", time.October, 15, []string{"San Francisco", "Berlin", "Singapore"}, []int{-8, 1, 8}},
	{"Stream Summit", time.April, 20, []string{"Amsterdam", "Lisbon", "Warsaw"}, []int{1, 0, 1}},
	{"DataDays LATAM", time.August, 25, []string{"São Paulo", "Mexico City", "Bogotá"}, []int{-3, -6, -5}},
	{"APAC Dev Week", time.November, 12, []string{"Tokyo", "Bengaluru", "Sydney"}, []int{9, 5, 10}},
	{"Northbound Conf", time.June, 10, []string{"Toronto", "Austin", "Chicago"}, []int{-5, -6, -6}},
	{"Savanna DevConf", time.September, 20, []string{"Lagos", "Nairobi", "Cape Town"}, []int{1, 3, 2}},
}

// conferencesBetween lists, by date, the conferences held in [start, end].
func conferencesBetween(start, end int64) []conference {
	var cs []conference
	for y := time.Unix(start, 0).UTC().Year(); y <= time.Unix(end, 0).UTC().Year(); y++ {
		for _, s := range conferenceSeries {
			i := y % len(s.cities)
			t := time.Date(y, s.month, s.day, 9, 0, 0, 0, time.UTC).Unix() - int64(s.offsets[i])*3600
			if t >= start && t+8*3600 <= end {
				year := strconv.Itoa(y)
				cs = append(cs, conference{
					id:    slug(s.name) + "-" + year,
					name:  s.name + " " + year + ", " + s.cities[i],
					start: t,
				})
			}
		}
	}
	slices.SortFunc(cs, func(a, b conference) int { return cmp.Compare(a.start, b.start) })
	return cs
}

// conferenceAfter returns the index of the first conference in the four
// months after at, or -1.
func (g *generator) conferenceAfter(at int64) int {
	for i, c := range g.conferences {
		if c.start >= at {
			if c.start <= at+120*secondsPerDay {
				return i
			}
			break
		}
	}
	return -1
}
