package main

import (
	"cmp"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"math"
	"math/rand/v2"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cadrehq/cadre"
	"github.com/cadrehq/cadre/criteria"
	"github.com/cadrehq/cadre/program"
	"github.com/cadrehq/cadre/reward"
	"github.com/cadrehq/cadre/server"
	"github.com/cadrehq/cadre/session"
	"github.com/cadrehq/cadre/store"
)

// The scenario's criteria: the defaults (quarterly decay of 25%, a 90-day
// active window, the seven types) with a bar of 35 to qualify and 25 to
// stay, which its community meets and misses in turn.
const (
	scenarioAchieve  = 35.0
	scenarioMaintain = 25.0
	scenarioWindow   = 90 * 24 * time.Hour
	scenarioDecay    = 0.25
)

// scenarioTypes are the default types' multipliers and efforts, as the
// test's own model reads them.
var scenarioTypes = map[string]struct{ mult, minutes float64 }{
	"forum": {1, 5}, "content": {3, 180}, "mentoring": {4, 60}, "speaking": {5, 240},
	"feedback": {2, 60}, "beta": {2, 120}, "code": {2, 120},
}

// modelAct is an activity as the test's model holds it.
type modelAct struct {
	who     int // person
	typ     string
	at      time.Time
	minutes float64 // its own effort; 0: the type's
	views   float64 // metrics.views
	mentee  int     // the person mentored, -1 for none
	thread  string  // the thread of a forum activity, "" for none
}

// modelSighting is what one record told of its thread, in import order.
type modelSighting struct {
	thread              string
	at                  time.Time
	views               int64
	hasViews, hasSolved bool
	solved              bool
}

// modelThread is a thread's state as last seen: for each of views and
// solved, what the latest activity told (of two at one instant, the one
// imported last).
type modelThread struct {
	views, solved *modelSighting
}

// forumGroup is a group of SPEC 6's forum outcomes.
type forumGroup struct {
	Threads     int      `json:"threads"`
	MeanViews   *float64 `json:"mean_views"`
	SolvedShare *float64 `json:"solved_share"`
}

// modelTerm is a term as the test's model holds it.
type modelTerm struct {
	who        int
	start, end time.Time // end zero: open
	via        program.Via
	byReview   bool // ended by a review
}

// modelCommit is a commitment of a feedback session as the test's model
// holds it.
type modelCommit struct {
	id        int64
	due, done time.Time // done zero: not done
	status    session.Status
}

// overdue says whether c is overdue at now (SPEC 6): past its due date,
// and neither done nor declined.
func (c modelCommit) overdue(now time.Time) bool {
	return c.status != session.Done && c.status != session.Declined && now.After(c.due)
}

// modelReward is an entry of the reward catalog as the test's model holds
// it.
type modelReward struct {
	id       int64
	name     string
	cost     float64
	stock    int     // how many are left; -1 for no limit
	minScore float64 // the score a recipient needs at the grant
}

// modelGrant is a grant of a reward as the test's model holds it.
type modelGrant struct {
	id       int64
	who      int
	memberID int64
	reward   *modelReward
	at       time.Time
	state    reward.State
}

// scenarioImpactWindow is SPEC 6's span before and after a grant that its
// impact compares.
const scenarioImpactWindow = 60 * 24 * time.Hour

// scenario is a two-year program computed from SPEC alone, beside the code
// that runs it: its people, activities, terms and the quarter's events.
type scenario struct {
	acts    []modelAct
	terms   []modelTerm
	bot     int // the person who is a bot, never counted
	people  int
	excused map[program.Quarter]map[int]bool
	// outcomes of the applied reviews, and the organic figures, by quarter.
	renewed, lapsed map[program.Quarter]int
	// The quarter's survey: how many were invited and the scores given;
	// and the commitments of its session.
	invited        map[program.Quarter]int
	scores         map[program.Quarter][]int
	commits        map[program.Quarter][]modelCommit
	apps, accepted map[program.Quarter]int
	sent, joined   map[program.Quarter]int
	sightings      []modelSighting
	// The budgets set, by quarter as SPEC 5 writes it, and the grants
	// made, in order.
	budgets map[string]float64
	grants  []modelGrant
}

// modelQuarter writes the quarter of t as SPEC 5 does, such as 2026Q1.
func modelQuarter(t time.Time) string { return fmt.Sprintf("%dQ%d", t.Year(), (int(t.Month())-1)/3+1) }

// firstActivity is the instant of p's first activity at or after t.
func (s *scenario) firstActivity(p int, t time.Time) (time.Time, bool) {
	var first time.Time
	for _, a := range s.acts {
		if a.who == p && !a.at.Before(t) && (first.IsZero() || a.at.Before(first)) {
			first = a.at
		}
	}
	return first, !first.IsZero()
}

// spent is what the grants of quarter that were not cancelled cost.
func (s *scenario) spent(quarter string) float64 {
	var sum float64
	for _, g := range s.grants {
		if modelQuarter(g.at) == quarter && g.state != reward.Cancelled {
			sum += g.reward.cost
		}
	}
	return sum
}

// refusal says why r is not granted to p at t, "" when it is: a score
// below the reward's, none left in stock, or a cost beyond what is left of
// the budget of t's quarter when one is set, looked at in that order.
func (s *scenario) refusal(p int, r *modelReward, t time.Time) string {
	q := modelQuarter(t)
	budget, set := s.budgets[q]
	switch {
	case s.score(p, t) < r.minScore-1e-9:
		return "score"
	case r.stock == 0:
		return "stock"
	case set && s.spent(q)+r.cost > budget+1e-9:
		return "budget"
	}
	return ""
}

// impact is SPEC 6's reward impact of g seen at now: the recipient's
// counted activities and their points before decay in the 60 days before
// the grant, [at − 60 days, at), against the 60 days after, [at, at + 60
// days), of which those after now have not happened yet. It is complete
// once the 60 days after have passed.
func (s *scenario) impact(g modelGrant, now time.Time) server.ImpactJSON {
	im := server.ImpactJSON{Complete: !now.Before(g.at.Add(scenarioImpactWindow))}
	for _, a := range s.acts {
		if a.who != g.who || a.at.After(now) || a.at.Before(g.at.Add(-scenarioImpactWindow)) || !a.at.Before(g.at.Add(scenarioImpactWindow)) {
			continue
		}
		if a.at.Before(g.at) {
			im.BeforeActivities++
			im.BeforePoints += scenarioTypes[a.typ].mult
		} else {
			im.AfterActivities++
			im.AfterPoints += scenarioTypes[a.typ].mult
		}
	}
	return im
}

// grantReport is what cadre rewards grants --json prints at now, as the
// model computes it: the grants of quarter ("" for all) by ID, and for each
// reward with a grant among them that was not cancelled, the mean change
// of activities and points over those grants whose 60 days after have
// passed (none: a mean of 0 over 0 grants).
func (s *scenario) grantReport(quarter string, now time.Time) (map[int64]server.GrantJSON, map[string]server.RewardImpactJSON) {
	grants, avgs := map[int64]server.GrantJSON{}, map[string]server.RewardImpactJSON{}
	for _, g := range s.grants {
		q := modelQuarter(g.at)
		if quarter != "" && q != quarter {
			continue
		}
		im := s.impact(g, now)
		grants[g.id] = server.GrantJSON{ID: g.id, Reward: g.reward.name, MemberID: fmt.Sprint(g.memberID), Member: fmt.Sprintf("Person %02d", g.who),
			Quarter: q, Cost: g.reward.cost, State: string(g.state), At: g.at, Impact: im}
		if g.state == reward.Cancelled {
			continue
		}
		a := avgs[g.reward.name]
		a.Reward = g.reward.name
		if im.Complete {
			a.Grants++
			a.Activities += float64(im.AfterActivities - im.BeforeActivities)
			a.Points += im.AfterPoints - im.BeforePoints
		}
		avgs[g.reward.name] = a
	}
	for name, a := range avgs {
		if a.Grants > 0 {
			a.Activities /= float64(a.Grants)
			a.Points /= float64(a.Grants)
			avgs[name] = a
		}
	}
	return grants, avgs
}

// threads is every thread's state as last seen.
func (s *scenario) threads() map[string]modelThread {
	out := map[string]modelThread{}
	for i := range s.sightings {
		sg := &s.sightings[i]
		th := out[sg.thread]
		if sg.hasViews && (th.views == nil || !sg.at.Before(th.views.at)) {
			th.views = sg
		}
		if sg.hasSolved && (th.solved == nil || !sg.at.Before(th.solved.at)) {
			th.solved = sg
		}
		out[sg.thread] = th
	}
	return out
}

func quarterIndex(t time.Time) int { return 4*t.Year() + (int(t.Month())-1)/3 }

// score is SPEC 3's quarterly score of person p at t.
func (s *scenario) score(p int, t time.Time) float64 { return s.scoreUnder(scenarioCriteria(), p, t) }

// scoreUnder is p's score at t under c, and byType its parts.
func (s *scenario) scoreUnder(c modelCriteria, p int, t time.Time) float64 {
	var sum float64
	for _, part := range s.byType(c, p, t) {
		sum += part
	}
	return sum
}

func (s *scenario) byType(c modelCriteria, p int, t time.Time) map[string]float64 {
	parts := map[string]float64{}
	for _, a := range s.acts {
		if a.who == p && !a.at.After(t) {
			parts[a.typ] += c.mult[a.typ] * math.Pow(1-c.decay, float64(quarterIndex(t)-quarterIndex(a.at)))
		}
	}
	return parts
}

// modelCriteria are what a what-if's candidate changes of the scenario's
// criteria: the bars, the decay rate and the multipliers.
type modelCriteria struct {
	achieve, maintain, decay float64
	mult                     map[string]float64
}

func scenarioCriteria() modelCriteria {
	c := modelCriteria{achieve: scenarioAchieve, maintain: scenarioMaintain, decay: scenarioDecay, mult: map[string]float64{}}
	for k, ty := range scenarioTypes {
		c.mult[k] = ty.mult
	}
	return c
}

// whatIfFigures are a quarter's figures of one side of a what-if, as the
// model computes them.
type whatIfFigures struct {
	active, qualifying, proposed, ambassadors int
	renewed, lapsed, excused, carriedOver     int
	share                                     float64
	rate, hoursPer                            *float64
	proposedSet                               map[int]bool // the proposed, counted by proposed
}

// whatIf replays the reviews of quarters under c as issue 12 and SPEC 5
// put it: from the terms as they stood before the first quarter (those a
// review of the period ended are open again), terms that began during the
// period begin when they did unless their member still holds one, and
// each review renews or lapses every term up for it by the score under c.
// It gives each quarter's figures and each reviewed member's outcome.
func (s *scenario) whatIf(c modelCriteria, quarters []program.Quarter) ([]whatIfFigures, []map[int]string) {
	from := quarters[0].Start(time.UTC)
	var side, later []modelTerm
	for _, tm := range s.terms {
		if tm.byReview && tm.end.After(from) {
			tm.end, tm.byReview = time.Time{}, false
		}
		if tm.start.Before(from) {
			side = append(side, tm)
		} else {
			later = append(later, tm)
		}
	}
	slices.SortStableFunc(later, func(a, b modelTerm) int { return a.start.Compare(b.start) })
	holds := func(p int, t time.Time) bool {
		for _, tm := range side {
			if tm.who == p && !tm.start.After(t) && (tm.end.IsZero() || tm.end.After(t)) {
				return true
			}
		}
		return false
	}
	var figs []whatIfFigures
	var outcomes []map[int]string
	for _, q := range quarters {
		at, start, next := q.ReviewAt(time.UTC), q.Start(time.UTC), q.Next().Start(time.UTC)
		for len(later) > 0 && later[0].start.Before(next) {
			if !holds(later[0].who, later[0].start) {
				side = append(side, later[0])
			}
			later = later[1:]
		}
		f := whatIfFigures{proposedSet: map[int]bool{}}
		for p := range s.active(at) {
			if s.scoreUnder(c, p, at) >= c.achieve-1e-9 {
				f.qualifying++
				if !holds(p, at) {
					f.proposed++
					f.proposedSet[p] = true
				}
			}
			f.active++
		}
		f.share = float64(f.qualifying) / float64(max(1, f.active))
		out := map[int]string{}
		for i := range side {
			tm := &side[i]
			if tm.start.After(at) || !tm.end.IsZero() && !tm.end.After(at) {
				continue
			}
			switch {
			case !tm.start.Before(start):
				out[tm.who], f.carriedOver = "carried_over", f.carriedOver+1
			case s.excused[q][tm.who]:
				out[tm.who], f.excused = "excused", f.excused+1
			case s.scoreUnder(c, tm.who, at) >= c.maintain-1e-9:
				out[tm.who], f.renewed = "renewed", f.renewed+1
			default:
				out[tm.who], f.lapsed = "lapsed", f.lapsed+1
				tm.end = next
			}
		}
		f.rate = ratio(float64(f.renewed), float64(f.renewed+f.lapsed))
		figs, outcomes = append(figs, f), append(outcomes, out)
	}
	// A_Q and its influence hours, from the terms the replay leaves.
	for i, q := range quarters {
		start, next := q.Start(time.UTC), q.Next().Start(time.UTC)
		amb := map[int]bool{}
		for _, tm := range side {
			if tm.start.Before(next) && (tm.end.IsZero() || tm.end.After(start)) {
				amb[tm.who] = true
			}
		}
		var hours float64
		for _, a := range s.acts {
			if amb[a.who] && !a.at.Before(start) && a.at.Before(next) {
				hours += cmp.Or(a.minutes, scenarioTypes[a.typ].minutes) / 60
			}
		}
		figs[i].ambassadors, figs[i].hoursPer = len(amb), ratio(hours, float64(len(amb)))
	}
	return figs, outcomes
}

// ambassadorAt says whether p holds a term at t.
func (s *scenario) ambassadorAt(p int, t time.Time) bool {
	for _, tm := range s.terms {
		if tm.who == p && !tm.start.After(t) && (tm.end.IsZero() || tm.end.After(t)) {
			return true
		}
	}
	return false
}

// active lists who has an activity in (t − window, t], but the bot.
func (s *scenario) active(t time.Time) map[int]bool {
	out := map[int]bool{}
	for _, a := range s.acts {
		if a.who != s.bot && a.at.After(t.Add(-scenarioWindow)) && !a.at.After(t) {
			out[a.who] = true
		}
	}
	return out
}

// review applies SPEC 5's review of q to the model's terms.
func (s *scenario) review(q program.Quarter) {
	at, start, next := q.ReviewAt(time.UTC), q.Start(time.UTC), q.Next().Start(time.UTC)
	for i := range s.terms {
		tm := &s.terms[i]
		open := !tm.start.After(at) && (tm.end.IsZero() || tm.end.After(at))
		if !open || !tm.start.Before(start) || s.excused[q][tm.who] {
			continue
		}
		if s.score(tm.who, at) >= scenarioMaintain-1e-9 {
			s.renewed[q]++
		} else {
			s.lapsed[q]++
			tm.end, tm.byReview = next, true
		}
	}
}

// health is what cadre health --json prints, as the model computes it.
type scenarioHealth struct {
	Quarter             string   `json:"quarter"`
	Active              int      `json:"active"`
	Qualifying          int      `json:"qualifying"`
	Share               float64  `json:"share"`
	Ambassadors         int      `json:"ambassadors"`
	ActiveAmbassadors   int      `json:"active_ambassadors"`
	PointsPerAmbassador *float64 `json:"points_per_ambassador"`
	ContentViews        float64  `json:"content_views"`
	NPS                 *struct {
		Score        *float64 `json:"score"`
		Responses    int      `json:"responses"`
		ResponseRate *float64 `json:"response_rate"`
	} `json:"nps"`
	FollowThrough *float64 `json:"follow_through"`
	ForumOutcomes struct {
		Ambassador forumGroup `json:"ambassador"`
		Others     forumGroup `json:"others"`
	} `json:"forum_outcomes"`
	Mentees struct {
		Mentored   int `json:"mentored"`
		Activated  int `json:"activated"`
		Multiplied int `json:"multiplied"`
	} `json:"mentees"`
	Review *struct {
		Applied     bool     `json:"applied"`
		Renewed     int      `json:"renewed"`
		Lapsed      int      `json:"lapsed"`
		RenewalRate *float64 `json:"renewal_rate"`
	} `json:"review"`
	Organic struct {
		Applications        int      `json:"applications"`
		Accepted            int      `json:"accepted"`
		InvitationsSent     int      `json:"invitations_sent"`
		InvitationsAccepted int      `json:"invitations_accepted"`
		Ratio               *float64 `json:"ratio"`
	} `json:"organic"`
	InfluenceHours struct {
		Total                 float64  `json:"total"`
		PerAmbassador         *float64 `json:"per_ambassador"`
		WeightedPerAmbassador *float64 `json:"weighted_per_ambassador"`
	} `json:"influence_hours"`
}

func ratio(a, b float64) *float64 {
	if b == 0 {
		return nil
	}
	r := a / b
	return &r
}

func (s *scenario) health(q program.Quarter) scenarioHealth {
	at, start, next := q.ReviewAt(time.UTC), q.Start(time.UTC), q.Next().Start(time.UTC)
	h := scenarioHealth{Quarter: q.String()}
	for p := range s.active(at) {
		h.Active++
		if s.score(p, at) >= scenarioAchieve-1e-9 {
			h.Qualifying++
		}
	}
	if h.Active > 0 {
		h.Share = float64(h.Qualifying) / float64(h.Active)
	}
	ambassadors := map[int]bool{}
	for _, tm := range s.terms {
		if tm.start.Before(next) && (tm.end.IsZero() || tm.end.After(start)) {
			ambassadors[tm.who] = true
		}
	}
	h.Ambassadors = len(ambassadors)
	activeAmb := map[int]bool{}
	var points, hours, weighted float64
	for _, a := range s.acts {
		if !ambassadors[a.who] || a.at.Before(start) || !a.at.Before(next) {
			continue
		}
		ty := scenarioTypes[a.typ]
		activeAmb[a.who] = true
		points += ty.mult
		if a.typ == "content" {
			h.ContentViews += a.views
		}
		minutes := cmp.Or(a.minutes, ty.minutes)
		hours += minutes / 60
		weighted += minutes / 60 * ty.mult
	}
	n := float64(h.Ambassadors)
	h.ActiveAmbassadors, h.PointsPerAmbassador = len(activeAmb), ratio(points, n)
	h.InfluenceHours.Total, h.InfluenceHours.PerAmbassador, h.InfluenceHours.WeightedPerAmbassador = hours, ratio(hours, n), ratio(weighted, n)
	h.Review = &struct {
		Applied     bool     `json:"applied"`
		Renewed     int      `json:"renewed"`
		Lapsed      int      `json:"lapsed"`
		RenewalRate *float64 `json:"renewal_rate"`
	}{true, s.renewed[q], s.lapsed[q], ratio(float64(s.renewed[q]), float64(s.renewed[q]+s.lapsed[q]))}
	// Mentees: each mentee's first mentoring (the earliest; ties by order
	// of import), counted when in Q by an ambassador of Q; activated with 3
	// activities of their own in the 90 days after; multiplied by a term
	// that starts after it.
	firsts := map[int]modelAct{}
	for _, a := range s.acts { // in import order
		if f, seen := firsts[a.mentee]; a.mentee >= 0 && (!seen || a.at.Before(f.at)) {
			firsts[a.mentee] = a
		}
	}
	for mentee, f := range firsts {
		if f.at.Before(start) || !f.at.Before(next) || !ambassadors[f.who] {
			continue
		}
		h.Mentees.Mentored++
		own := 0
		for _, a := range s.acts {
			if a.who == mentee && a.at.After(f.at) && !a.at.After(f.at.Add(scenarioWindow)) {
				own++
			}
		}
		if own >= 3 {
			h.Mentees.Activated++
		}
		for _, tm := range s.terms {
			if tm.who == mentee && tm.start.After(f.at) {
				h.Mentees.Multiplied++
				break
			}
		}
	}
	// Forum outcomes: the threads with a forum activity in Q (not the
	// bot's), those with one of an ambassador of Q against the others, by
	// their state as last seen.
	inQ, byAmb := map[string]bool{}, map[string]bool{}
	for _, a := range s.acts {
		if a.typ == "forum" && a.thread != "" && a.who != s.bot && !a.at.Before(start) && a.at.Before(next) {
			inQ[a.thread] = true
			byAmb[a.thread] = byAmb[a.thread] || ambassadors[a.who]
		}
	}
	states := s.threads()
	for _, amb := range []bool{true, false} {
		g := &h.ForumOutcomes.Others
		if amb {
			g = &h.ForumOutcomes.Ambassador
		}
		var views float64
		var withViews, withSolved, solved int
		for th := range inQ {
			if byAmb[th] != amb {
				continue
			}
			g.Threads++
			if v := states[th].views; v != nil {
				views += float64(v.views)
				withViews++
			}
			if sv := states[th].solved; sv != nil {
				withSolved++
				if sv.solved {
					solved++
				}
			}
		}
		g.MeanViews, g.SolvedShare = ratio(views, float64(withViews)), ratio(float64(solved), float64(withSolved))
	}
	// NPS (SPEC 6): promoters 9-10, detractors 0-6, over the responses.
	if invited, ok := s.invited[q]; ok {
		var pro, det int
		for _, sc := range s.scores[q] {
			switch {
			case sc >= 9:
				pro++
			case sc <= 6:
				det++
			}
		}
		n := len(s.scores[q])
		h.NPS = &struct {
			Score        *float64 `json:"score"`
			Responses    int      `json:"responses"`
			ResponseRate *float64 `json:"response_rate"`
		}{ratio(100*float64(pro-det), float64(n)), n, ratio(float64(n), float64(invited))}
	}
	// Follow-through: commitments due in Q done by their due date, of those due in Q.
	var due, onTime float64
	for _, qq := range []program.Quarter{q.Prev(), q} { // a quarter's session may commit into the next
		for _, c := range s.commits[qq] {
			if c.due.Before(start) || !c.due.Before(next) {
				continue
			}
			due++
			if c.status == session.Done && !c.done.After(c.due) {
				onTime++
			}
		}
	}
	h.FollowThrough = ratio(onTime, due)
	o := &h.Organic
	o.Applications, o.Accepted, o.InvitationsSent, o.InvitationsAccepted = s.apps[q], s.accepted[q], s.sent[q], s.joined[q]
	o.Ratio = ratio(float64(s.apps[q]), float64(s.joined[q]))
	return h
}

// TestTwoYearProgram replays two years of a program on both stores with a
// fixed clock: a roster, invitations each quarter to the best who qualify
// (accepted or declined), applications (accepted, rejected, withdrawn, one
// from a stranger), an excused ambassador, a survey and a feedback session
// each quarter with commitments done on time, late, declined or left
// overdue, rewards granted within quarterly budgets (delivered, sent, left
// promised, cancelled, or refused), and the eight quarterly reviews
// applied in order, with the mail they write. Then it checks every figure
// of cadre health for each quarter, each commitment's standing, each
// quarter's spend and each grant's impact with the average of each reward
// against the same program computed in the test from SPEC alone: its own
// scores, terms, reviews and grants.
func TestTwoYearProgram(t *testing.T) {
	for name, db := range databases(t) {
		t.Run(name, func(t *testing.T) { testTwoYearProgram(t, db) })
	}
}

func testTwoYearProgram(t *testing.T, db string) {
	ctx := context.Background()
	st, err := store.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	e := &env{getenv: func(string) string { return "" }, stdin: strings.NewReader(""), stdout: io.Discard, stderr: io.Discard, log: slog.New(slog.DiscardHandler)}
	clock := time.Date(2023, 10, 1, 0, 0, 0, 0, time.UTC)
	st.Now = func() time.Time { return clock }
	doc := strings.NewReplacer("achieve: 60", fmt.Sprintf("achieve: %g", scenarioAchieve), "maintain: 40", fmt.Sprintf("maintain: %g", scenarioMaintain)).Replace(criteria.DefaultYAML)
	if _, err := st.SaveCriteria(ctx, doc, "pm"); err != nil {
		t.Fatal(err)
	}

	// The community: 30 people of different zeal, and a bot that is busy
	// and never counts. Activity runs from October 2023 to the end of 2025.
	const people = 31
	s := &scenario{people: people, bot: people - 1, excused: map[program.Quarter]map[int]bool{}, invited: map[program.Quarter]int{}, scores: map[program.Quarter][]int{}, commits: map[program.Quarter][]modelCommit{},
		renewed: map[program.Quarter]int{}, lapsed: map[program.Quarter]int{}, apps: map[program.Quarter]int{},
		accepted: map[program.Quarter]int{}, sent: map[program.Quarter]int{}, joined: map[program.Quarter]int{}}
	rng := rand.New(rand.NewPCG(7, 11))
	menteeRng := rand.New(rand.NewPCG(3, 5)) // apart, so that the activities stay as they were
	answers := rand.New(rand.NewPCG(13, 17)) // the survey's and the sessions' draws, apart too
	threadRng := rand.New(rand.NewPCG(13, 17))
	ids := make([]int64, people)
	types := []string{"forum", "forum", "forum", "content", "mentoring", "speaking", "feedback", "beta", "code"}
	var recs []cadre.ActivityRecord
	for p := range people {
		m := cadre.Member{Name: fmt.Sprintf("Person %02d", p), Emails: []string{fmt.Sprintf("p%02d@example.org", p)}, Bot: p == s.bot}
		if err := st.CreateMember(ctx, &m, []cadre.Identity{{Platform: "github", Handle: fmt.Sprintf("p%02d", p)}}); err != nil {
			t.Fatal(err)
		}
		ids[p] = m.ID
		zeal := 1 + p%6 // activities a month, at most
		if p == s.bot {
			zeal = 12
		}
		for month := time.Date(2023, 10, 1, 0, 0, 0, 0, time.UTC); month.Year() < 2026; month = month.AddDate(0, 1, 0) {
			// Some go quiet for half a year, and some of them come back keen.
			half := month.Year()*2 + (int(month.Month())-1)/6
			if p != s.bot && (p%4 == 1 && half == 2024*2+1 || p%4 == 3 && half == 2025*2) {
				continue
			}
			n := zeal
			if p%4 == 1 && month.Year() == 2025 {
				n += 4
			}
			for range rng.IntN(n + 1) {
				// The model holds times as the store does, to the microsecond.
				a := modelAct{who: p, typ: types[rng.IntN(len(types))], at: month.Add(time.Duration(rng.Int64N(int64(27 * 24 * time.Hour)))).Truncate(time.Microsecond), mentee: -1}
				rec := cadre.ActivityRecord{
					Activity: cadre.Activity{Type: a.typ, Source: "scenario", ExternalID: fmt.Sprintf("a%d", len(recs)), OccurredAt: a.at, Status: cadre.ActivityApproved},
					Member:   cadre.MemberRef{Platform: "github", Handle: fmt.Sprintf("p%02d", p)},
				}
				if a.typ == "mentoring" && menteeRng.IntN(3) > 0 { // most mentoring names its mentee
					if a.mentee = menteeRng.IntN(people - 1); a.mentee == p {
						a.mentee = (p + 1) % (people - 1)
					}
					rec.Mentee = cadre.MemberRef{Platform: "github", Handle: fmt.Sprintf("p%02d", a.mentee)}
				}
				if len(recs)%7 == 0 {
					a.minutes, rec.Activity.EffortMinutes, rec.Activity.HasEffort = 30, 30, true
				}
				if a.typ == "content" || len(recs)%5 == 0 { // views count only on content
					a.views = float64(10 + rng.IntN(500))
					rec.Activity.Metrics = map[string]float64{"views": a.views, "likes": 2}
				}
				if a.typ == "forum" && threadRng.IntN(3) > 0 { // most forum activities name one of 40 threads
					sg := modelSighting{thread: fmt.Sprintf("t%d", threadRng.IntN(40)), at: a.at}
					if threadRng.IntN(2) == 0 {
						sg.views, sg.hasViews = int64(threadRng.IntN(2000)), true
					}
					if threadRng.IntN(3) == 0 {
						sg.solved, sg.hasSolved = threadRng.IntN(2) == 0, true
					}
					a.thread = sg.thread
					rec.Thread = cadre.Thread{ID: sg.thread, Views: sg.views, HasViews: sg.hasViews, Solved: sg.solved, HasSolved: sg.hasSolved}
					s.sightings = append(s.sightings, sg)
				}
				s.acts = append(s.acts, a)
				recs = append(recs, rec)
			}
		}
	}
	if _, err := st.NewImporter().Import(ctx, recs); err != nil {
		t.Fatal(err)
	}
	// A later sync sees some forum activities again, their threads now
	// with more views and solved: the state wins where no later activity
	// told another.
	var again []cadre.ActivityRecord
	for i, rec := range recs {
		if rec.Thread.ID == "" || i%6 != 0 {
			continue
		}
		sg := modelSighting{thread: rec.Thread.ID, at: rec.OccurredAt, views: rec.Thread.Views + 5000, hasViews: true, solved: true, hasSolved: true}
		rec.Thread = cadre.Thread{ID: sg.thread, Views: sg.views, HasViews: true, Solved: true, HasSolved: true}
		again = append(again, rec)
		s.sightings = append(s.sightings, sg)
	}
	if res, err := st.NewImporter().Import(ctx, again); err != nil || res.Duplicates != len(again) || len(again) == 0 {
		t.Fatalf("seen again: %+v, %v", res, err)
	}

	// The roster the program came with: eight ambassadors since November
	// 2023, and an alumna whose term ended before the period.
	var roster []program.RosterRow
	for p := range 9 {
		r := program.RosterRow{Line: p + 1, Member: cadre.MemberRef{Platform: "github", Handle: fmt.Sprintf("p%02d", p)},
			Since: time.Date(2023, 11, 1, 0, 0, 0, 0, time.UTC), Via: program.ViaRoster}
		tm := modelTerm{who: p, start: r.Since, via: program.ViaRoster}
		if p == 8 {
			r.Since, r.Until = time.Date(2023, 6, 1, 0, 0, 0, 0, time.UTC), time.Date(2023, 12, 1, 0, 0, 0, 0, time.UTC)
			tm.start, tm.end = r.Since, r.Until
		}
		roster = append(roster, r)
		s.terms = append(s.terms, tm)
	}
	clock = time.Date(2023, 11, 1, 0, 0, 0, 0, time.UTC)
	if _, err := st.ImportRoster(ctx, "roster.csv", roster, "pm"); err != nil {
		t.Fatal(err)
	}

	// The reward catalog: a conference pass, dear and scarce, for those
	// with a score of at least 10, and a roadmap briefing for anyone. Three
	// quarters have a budget, set as they begin; the others have none and
	// spend without limit.
	pass := &modelReward{name: "Conference pass", cost: 400, stock: 3, minScore: 10}
	briefing := &modelReward{name: "Roadmap briefing", cost: 50, stock: -1}
	passStock := pass.stock
	for _, r := range []struct {
		model *modelReward
		saved reward.Reward
	}{
		{pass, reward.Reward{Name: pass.name, Kind: reward.Extrinsic, Cost: pass.cost, Stock: &passStock, Eligibility: reward.Eligibility{MinScore: pass.minScore}}},
		{briefing, reward.Reward{Name: briefing.name, Kind: reward.Intrinsic, Cost: briefing.cost}},
	} {
		if err := st.SaveReward(ctx, &r.saved, "pm"); err != nil {
			t.Fatal(err)
		}
		r.model.id = r.saved.ID
	}
	s.budgets = map[string]float64{"2024Q2": 1000, "2024Q4": 500, "2025Q4": 1000}

	// The grants: to whom, what, when, and how far each goes (promised,
	// sent, delivered, or cancelled once sent). Some instants are set by an
	// activity of the recipient, so that one lies exactly at a grant, one
	// exactly 60 days before one and one exactly 60 days after another.
	day := 24 * time.Hour
	date := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 12, 0, 0, 0, time.UTC) }
	activityAt := func(p int, from time.Time) time.Time {
		at, ok := s.firstActivity(p, from)
		if !ok {
			t.Fatalf("person %d has no activity from %s", p, from)
		}
		return at
	}
	lowest := func(at time.Time) int { // the person with the lowest score then, not the bot
		low := 0
		for p := range people - 1 {
			if s.score(p, at) < s.score(low, at) {
				low = p
			}
		}
		return low
	}
	type grantAttempt struct {
		who    int
		reward *modelReward
		at     time.Time
		fate   reward.State
	}
	attempts := []grantAttempt{
		{5, pass, activityAt(5, date(2024, 4, 10)), reward.Delivered},                               // an activity at its instant counts after
		{2, briefing, activityAt(2, date(2024, 2, 20)).Add(scenarioImpactWindow), reward.Delivered}, // one 60 days before counts before
		{9, pass, date(2024, 5, 20), reward.Cancelled},
		{13, pass, date(2024, 5, 25), reward.Promised}, // over the budget, until the cancellation gives back its cost
		{13, pass, date(2024, 6, 10), reward.Delivered},
		{lowest(date(2024, 12, 10)), pass, date(2024, 12, 10), reward.Promised},                     // below the pass's score
		{3, briefing, date(2024, 12, 15), reward.Sent},                                              // quiet in the first half of 2025
		{9, briefing, activityAt(9, date(2025, 3, 5)).Add(-scenarioImpactWindow), reward.Delivered}, // back, and keen, after a quiet half; one 60 days after does not count
		{17, pass, date(2025, 10, 20), reward.Promised},                                             // its 60 days after still running at the first look
		{5, pass, date(2025, 10, 25), reward.Promised},                                              // none left
	}
	type grantEvent struct {
		at      time.Time
		attempt int
		to      reward.State // the state its grant moves to; "" for the attempt itself
	}
	var events []grantEvent
	for i, a := range attempts {
		events = append(events, grantEvent{a.at, i, ""})
		switch a.fate {
		case reward.Sent:
			events = append(events, grantEvent{a.at.Add(3 * day), i, reward.Sent})
		case reward.Delivered:
			events = append(events, grantEvent{a.at.Add(3 * day), i, reward.Sent}, grantEvent{a.at.Add(10 * day), i, reward.Delivered})
		case reward.Cancelled:
			events = append(events, grantEvent{a.at.Add(2 * day), i, reward.Sent}, grantEvent{a.at.Add(12 * day), i, reward.Cancelled})
		}
	}
	slices.SortStableFunc(events, func(a, b grantEvent) int { return a.at.Compare(b.at) })
	granted := map[int]int{} // the index in s.grants of each attempt's grant
	refused := map[string]int{}
	nextEvent := 0
	// grantUntil makes the attempts and moves before end, each at its
	// instant, and checks that the store grants and refuses as the model
	// does.
	grantUntil := func(end time.Time) {
		for ; nextEvent < len(events) && events[nextEvent].at.Before(end); nextEvent++ {
			ev := events[nextEvent]
			a := attempts[ev.attempt]
			clock = ev.at
			if ev.to != "" {
				i, ok := granted[ev.attempt]
				if !ok {
					t.Fatalf("attempt %d moves to %s, but it was refused", ev.attempt, ev.to)
				}
				if err := st.MoveGrant(ctx, s.grants[i].id, ev.to, "pm"); err != nil {
					t.Fatalf("grant %d %s: %v", s.grants[i].id, ev.to, err)
				}
				s.grants[i].state = ev.to
				if ev.to == reward.Cancelled && a.reward.stock >= 0 {
					a.reward.stock++
				}
				continue
			}
			eng, err := loadStandings(ctx, e, st, 0)
			if err != nil {
				t.Fatal(err)
			}
			why := s.refusal(a.who, a.reward, a.at)
			g, err := server.GrantReward(ctx, st, eng, a.reward.id, ids[a.who], a.at, "", "pm")
			if want := map[string]string{"score": cadre.EINVALID, "stock": cadre.ECONFLICT, "budget": cadre.ECONFLICT}[why]; cadre.ErrorCode(err) != want {
				t.Fatalf("%s to person %d at %s: %v; the model's refusal: %q", a.reward.name, a.who, a.at, err, why)
			}
			if why != "" {
				refused[why]++
				continue
			}
			s.grants = append(s.grants, modelGrant{id: g.ID, who: a.who, memberID: ids[a.who], reward: a.reward, at: a.at, state: reward.Promised})
			granted[ev.attempt] = len(s.grants) - 1
			if a.reward.stock > 0 {
				a.reward.stock--
			}
			// In the 60 days before, the recipient also has a self-report
			// awaiting review, one rejected, and an activity of a type the
			// criteria do not define: none of them counts.
			midnight := time.Date(a.at.Year(), a.at.Month(), a.at.Day(), 0, 0, 0, 0, time.UTC)
			for k, typ := range []string{"speaking", "content"} {
				act, err := st.Report(ctx, cadre.SelfReport{MemberID: ids[a.who], Type: typ, Date: midnight.AddDate(0, 0, -1-k), Title: fmt.Sprintf("Report %d before grant %d", k, g.ID)}, "amb")
				if err != nil {
					t.Fatal(err)
				}
				if k == 1 {
					if err := st.ReviewReport(ctx, act.ID, false, "rev", "no evidence"); err != nil {
						t.Fatal(err)
					}
				}
			}
			podcast := cadre.ActivityRecord{
				Activity: cadre.Activity{Type: "podcast", Source: "scenario", ExternalID: fmt.Sprintf("podcast-%d", g.ID), OccurredAt: a.at.Add(-time.Hour), Status: cadre.ActivityApproved},
				Member:   cadre.MemberRef{Platform: "github", Handle: fmt.Sprintf("p%02d", a.who)},
			}
			if _, err := st.NewImporter().Import(ctx, []cadre.ActivityRecord{podcast}); err != nil {
				t.Fatal(err)
			}
		}
	}

	nextApplicant := 9
	for q := (program.Quarter{Year: 2024, Q: 1}); q.Year < 2026; q = q.Next() {
		start := q.Start(time.UTC)
		if amount, ok := s.budgets[q.String()]; ok {
			clock = start
			if err := st.SetRewardBudget(ctx, q, amount, "pm"); err != nil {
				t.Fatal(err)
			}
		}
		// Invitations on the 20th day: the model's best two who qualify and
		// are not ambassadors; the first accepts five days later, the
		// second declines.
		clock = start.Add(20 * 24 * time.Hour)
		var candidates []int
		for p := range s.active(clock) {
			if p != s.bot && !s.ambassadorAt(p, clock) && s.score(p, clock) >= scenarioAchieve-1e-9 {
				candidates = append(candidates, p)
			}
		}
		slices.SortFunc(candidates, func(a, b int) int {
			return cmp.Or(cmp.Compare(s.score(b, clock), s.score(a, clock)), cmp.Compare(a, b))
		})
		var secrets []string
		var invited []int
		for _, p := range candidates[:min(2, len(candidates))] {
			_, secret, err := st.Invite(ctx, ids[p], "pm", server.InvitationMail(nil))
			if err != nil {
				t.Fatalf("%s: invite person %d: %v", q, p, err)
			}
			s.sent[q]++
			secrets, invited = append(secrets, secret), append(invited, p)
		}
		clock = start.Add(25 * 24 * time.Hour)
		for i, secret := range secrets {
			if _, err := st.AnswerInvitation(ctx, secret, i == 0); err != nil {
				t.Fatalf("%s: answer: %v", q, err)
			}
			if i == 0 {
				s.joined[q]++
				s.terms = append(s.terms, modelTerm{who: invited[i], start: clock, via: program.ViaInvitation})
			}
		}

		// Applications on the 40th day, decided on the 50th: the next
		// person who is not an ambassador, accepted when their score is at
		// least half the bar, else rejected; every other quarter a stranger
		// too, rejected; in 2024Q4 one is withdrawn instead.
		clock = start.Add(40 * 24 * time.Hour)
		applicant := -1
		for range people {
			p := nextApplicant % (people - 1)
			nextApplicant++
			if !s.ambassadorAt(p, clock) {
				applicant = p
				break
			}
		}
		type app struct {
			id     int64
			secret string
			who    int
		}
		var apps []app
		forms := [][3]string{{fmt.Sprintf("Person %02d", applicant), fmt.Sprintf("p%02d@example.org", applicant), fmt.Sprintf("github:p%02d", applicant)}}
		if q.Q%2 == 0 {
			forms = append(forms, [3]string{"A Stranger", fmt.Sprintf("stranger-%s@example.net", q), ""})
		}
		for i, f := range forms {
			a, err := program.ParseApplication(f[0], f[1], f[2], "I help people here.", "")
			if err != nil {
				t.Fatal(err)
			}
			secret, err := server.Submit(ctx, st, a, nil)
			if err != nil {
				t.Fatalf("%s: apply: %v", q, err)
			}
			s.apps[q]++
			who := -1
			if i == 0 {
				who = applicant
			}
			apps = append(apps, app{a.ID, secret, who})
		}
		clock = start.Add(50 * 24 * time.Hour)
		eng, err := loadStandings(ctx, e, st, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range apps {
			switch {
			case q == program.Quarter{Year: 2024, Q: 4} && a.who >= 0:
				if _, err := st.WithdrawApplication(ctx, a.secret); err != nil {
					t.Fatal(err)
				}
			case a.who >= 0 && s.score(a.who, clock) >= scenarioAchieve/2:
				if _, err := server.Decide(ctx, st, eng, a.id, true, "", "rev", clock, nil); err != nil {
					t.Fatalf("%s: accept: %v", q, err)
				}
				s.accepted[q]++
				s.terms = append(s.terms, modelTerm{who: a.who, start: clock, via: program.ViaApplication})
			default:
				if _, err := server.Decide(ctx, st, eng, a.id, false, "Not yet", "rev", clock, nil); err != nil {
					t.Fatalf("%s: reject: %v", q, err)
				}
			}
		}

		// A leave of absence: person 1 is excused from 2024Q3's review.
		if q == (program.Quarter{Year: 2024, Q: 3}) {
			clock = start.Add(60 * 24 * time.Hour)
			if err := st.Excuse(ctx, q, ids[1], "parental leave", "pm"); err != nil {
				t.Fatal(err)
			}
			s.excused[q] = map[int]bool{1: true}
		}

		// The survey, opened on the 60th day for two weeks: most of the
		// quarter's ambassadors answer, from the links open --json gives.
		clock = start.Add(60 * 24 * time.Hour)
		opened, err := server.OpenSurvey(ctx, st, q, time.UTC, clock, time.Time{}, false, "pm", nil)
		if err != nil {
			t.Fatalf("%s: open the survey: %v", q, err)
		}
		invitedNow := 0
		for _, tm := range s.terms {
			if tm.start.Before(q.Next().Start(time.UTC)) && (tm.end.IsZero() || tm.end.After(start)) {
				invitedNow++
			}
		}
		if opened.Invited != invitedNow {
			t.Fatalf("%s: the survey invited %d, the model's ambassadors are %d", q, opened.Invited, invitedNow)
		}
		s.invited[q] = invitedNow
		clock = start.Add(62 * 24 * time.Hour)
		for _, l := range opened.Links {
			if answers.IntN(5) == 0 {
				continue // one in five does not answer
			}
			sc := answers.IntN(11)
			if _, err := st.AnswerSurvey(ctx, path.Base(l.URL), sc, ""); err != nil {
				t.Fatal(err)
			}
			s.scores[q] = append(s.scores[q], sc)
		}

		// An executive session on the 30th day, with an item by an
		// ambassador and three commitments due on days 45, 50 and 95 (the
		// next quarter); done on time, late, or not, as the quarter draws.
		// Of those not done, the first is declined the day after the
		// session, the second taken in hand and the third left open: the
		// last two become overdue.
		clock = start.Add(5 * 24 * time.Hour)
		var attendee int64
		for _, tm := range s.terms {
			if tm.end.IsZero() && !tm.start.After(clock) {
				attendee = ids[tm.who]
				break
			}
		}
		fs := &session.Session{Title: "Feedback " + q.String(), At: start.Add(30 * 24 * time.Hour), Ambassadors: []int64{attendee}, Executives: []string{"cto@example.org"}, Actor: "pm"}
		if err := st.CreateFeedbackSession(ctx, fs); err != nil {
			t.Fatalf("%s: session: %v", q, err)
		}
		item := &session.Item{SessionID: fs.ID, Kind: session.Feature, Title: "Better docs", AuthorID: attendee}
		if err := st.SubmitItem(ctx, item, "amb"); err != nil {
			t.Fatalf("%s: item: %v", q, err)
		}
		clock = start.Add(31 * 24 * time.Hour)
		for k, days := range []int{45, 50, 95} {
			c := &session.Commitment{ItemID: item.ID, Title: fmt.Sprintf("Commitment %d", k), Owner: "cto@example.org",
				Due: session.DueOn(start.AddDate(0, 0, days), time.UTC), Actor: "pm"}
			if err := st.Commit(ctx, c); err != nil {
				t.Fatalf("%s: commit: %v", q, err)
			}
			mc := modelCommit{id: c.ID, due: c.Due, status: []session.Status{session.Declined, session.InProgress, session.Open}[k]}
			switch answers.IntN(3) {
			case 0: // on time
				mc.done, mc.status = c.Due.Add(-48*time.Hour), session.Done
			case 1: // late
				mc.done, mc.status = c.Due.Add(72*time.Hour), session.Done
			}
			s.commits[q] = append(s.commits[q], mc)
			switch mc.status {
			case session.Done:
				st.Now = func() time.Time { return mc.done }
				if _, err := st.MoveCommitment(ctx, c.ID, session.Done, "done", "cto@example.org"); err != nil {
					t.Fatalf("%s: done: %v", q, err)
				}
				st.Now = func() time.Time { return clock }
			case session.Declined, session.InProgress:
				if _, err := st.MoveCommitment(ctx, c.ID, mc.status, "", "cto@example.org"); err != nil {
					t.Fatalf("%s: %s: %v", q, mc.status, err)
				}
			}
		}

		grantUntil(q.Next().Start(time.UTC))

		// The review, two days after the quarter ends.
		clock = q.Next().Start(time.UTC).Add(2 * 24 * time.Hour)
		if eng, err = loadStandings(ctx, e, st, 0); err != nil {
			t.Fatal(err)
		}
		if _, _, err := server.ApplyRenewal(ctx, st, eng, q, clock, "pm", nil); err != nil {
			t.Fatalf("apply %s: %v", q, err)
		}
		s.review(q)
	}
	st.Now = time.Now
	if nextEvent < len(events) {
		t.Fatalf("%d grant events after the scenario's end", len(events)-nextEvent)
	}

	// The program the scenario gave, so that a change of it shows here.
	var renewed, lapsed, joinedBack int
	for q := range s.renewed {
		renewed += s.renewed[q]
	}
	for q := range s.lapsed {
		lapsed += s.lapsed[q]
	}
	terms := map[int]int{}
	for _, tm := range s.terms {
		terms[tm.who]++
	}
	for _, n := range terms {
		if n > 1 {
			joinedBack++
		}
	}
	if renewed == 0 || lapsed == 0 || joinedBack == 0 {
		t.Fatalf("the scenario is too tame: %d renewed, %d lapsed, %d came back", renewed, lapsed, joinedBack)
	}
	t.Logf("%d activities; %d renewals, %d lapses; %d people came back", len(s.acts), renewed, lapsed, joinedBack)

	near := func(a, b float64) bool { return math.Abs(a-b) <= 1e-9*math.Max(1, math.Abs(b)) }
	nearPtr := func(a, b *float64) bool { return a == nil && b == nil || a != nil && b != nil && near(*a, *b) }
	var views float64
	var mentees, activated, multiplied int
	var forumAmb, forumOthers, solvedKnown int
	sameGroup := func(a, b forumGroup) bool {
		return a.Threads == b.Threads && nearPtr(a.MeanViews, b.MeanViews) && nearPtr(a.SolvedShare, b.SolvedShare)
	}
	for q := (program.Quarter{Year: 2024, Q: 1}); q.Year < 2026; q = q.Next() {
		w := s.health(q)
		views, mentees, activated, multiplied = views+w.ContentViews, mentees+w.Mentees.Mentored, activated+w.Mentees.Activated, multiplied+w.Mentees.Multiplied
		forumAmb, forumOthers = forumAmb+w.ForumOutcomes.Ambassador.Threads, forumOthers+w.ForumOutcomes.Others.Threads
		if w.ForumOutcomes.Others.SolvedShare != nil && *w.ForumOutcomes.Others.SolvedShare > 0 && *w.ForumOutcomes.Others.SolvedShare < 1 {
			solvedKnown++
		}
		code, out, stderr := cli(t, nil, "", "health", "--db", db, "--quarter", q.String(), "--json")
		if code != exitOK {
			t.Fatalf("health %s: exit %d: %s", q, code, stderr)
		}
		var got scenarioHealth
		if err := json.Unmarshal([]byte(out), &got); err != nil {
			t.Fatal(err)
		}
		want := s.health(q)
		ok := got.Quarter == want.Quarter && got.Active == want.Active && got.Qualifying == want.Qualifying && near(got.Share, want.Share) &&
			got.Ambassadors == want.Ambassadors && got.ActiveAmbassadors == want.ActiveAmbassadors && nearPtr(got.PointsPerAmbassador, want.PointsPerAmbassador) &&
			near(got.ContentViews, want.ContentViews) && got.Mentees == want.Mentees &&
			got.NPS != nil && want.NPS != nil && nearPtr(got.NPS.Score, want.NPS.Score) && got.NPS.Responses == want.NPS.Responses &&
			nearPtr(got.NPS.ResponseRate, want.NPS.ResponseRate) && nearPtr(got.FollowThrough, want.FollowThrough) &&
			sameGroup(got.ForumOutcomes.Ambassador, want.ForumOutcomes.Ambassador) && sameGroup(got.ForumOutcomes.Others, want.ForumOutcomes.Others) &&
			got.Review != nil && got.Review.Applied && got.Review.Renewed == want.Review.Renewed && got.Review.Lapsed == want.Review.Lapsed &&
			nearPtr(got.Review.RenewalRate, want.Review.RenewalRate) &&
			got.Organic.Applications == want.Organic.Applications && got.Organic.Accepted == want.Organic.Accepted &&
			got.Organic.InvitationsSent == want.Organic.InvitationsSent && got.Organic.InvitationsAccepted == want.Organic.InvitationsAccepted &&
			nearPtr(got.Organic.Ratio, want.Organic.Ratio) && near(got.InfluenceHours.Total, want.InfluenceHours.Total) &&
			nearPtr(got.InfluenceHours.PerAmbassador, want.InfluenceHours.PerAmbassador) &&
			nearPtr(got.InfluenceHours.WeightedPerAmbassador, want.InfluenceHours.WeightedPerAmbassador)
		if !ok {
			w, _ := json.Marshal(want)
			t.Errorf("%s:\n got %s\nwant %s", q, strings.TrimSpace(out), w)
		}
	}

	if views == 0 || mentees == 0 || activated == 0 || activated == mentees || multiplied == 0 {
		t.Errorf("the scenario leaves figures untested: %v content views, %d mentees, %d activated, %d multiplied", views, mentees, activated, multiplied)
	}
	if forumAmb == 0 || forumOthers == 0 || solvedKnown == 0 {
		t.Errorf("the scenario leaves forum outcomes untested: %d threads of ambassadors, %d of others, %d quarters with a share solved strictly between 0 and 1",
			forumAmb, forumOthers, solvedKnown)
	}

	// Every commitment as cadre sessions commitments --json lists it now,
	// when all are past due, and those --overdue lists: done on time, done
	// late, declined, and overdue whether taken in hand or left open.
	commits := map[int64]modelCommit{}
	fates := map[string]int{}
	now := time.Now()
	for _, cs := range s.commits {
		for _, c := range cs {
			commits[c.id] = c
			switch {
			case c.status == session.Done && !c.done.After(c.due):
				fates["on time"]++
			case c.status == session.Done:
				fates["late"]++
			case c.overdue(now):
				fates["overdue "+string(c.status)]++
			default:
				fates[string(c.status)]++
			}
		}
	}
	if fates["on time"] == 0 || fates["late"] == 0 || fates["declined"] == 0 || fates["overdue open"] == 0 || fates["overdue in_progress"] == 0 {
		t.Errorf("the scenario leaves commitments untested: %v", fates)
	}
	for _, overdue := range []bool{false, true} {
		args := []string{"sessions", "commitments", "--json"}
		if overdue {
			args = append(args, "--overdue")
		}
		now := time.Now()
		code, out, stderr := cli(t, nil, "", append(args, "--db", db)...)
		if code != exitOK {
			t.Fatalf("%s: exit %d: %s", strings.Join(args, " "), code, stderr)
		}
		var got []server.CommitmentJSON
		if err := json.Unmarshal([]byte(out), &got); err != nil {
			t.Fatal(err)
		}
		want := 0
		for _, c := range commits {
			if !overdue || c.overdue(now) {
				want++
			}
		}
		if len(got) != want {
			t.Errorf("%s: %d commitments, want %d", strings.Join(args, " "), len(got), want)
		}
		for _, g := range got {
			c, ok := commits[g.ID]
			var onTime *bool
			if c.status == session.Done {
				v := !c.done.After(c.due)
				onTime = &v
			}
			if !ok || g.Status != string(c.status) || g.Overdue != c.overdue(now) || (g.OnTime == nil) != (onTime == nil) || onTime != nil && *g.OnTime != *onTime ||
				(g.DoneAt == nil) != c.done.IsZero() || g.DoneAt != nil && !g.DoneAt.Equal(c.done) {
				t.Errorf("%s: commitment %d is %s (overdue %v, on time %v); the model's is %s, done %s", strings.Join(args, " "), g.ID, g.Status, g.Overdue, g.OnTime, c.status, c.done)
			}
		}
	}

	// The grants: the store refused what the model refused, for each
	// reason; every state was reached, and each of the bounds of the
	// impact's windows holds an activity of a recipient.
	states := map[reward.State]int{}
	var atGrant, atBefore, atAfter int
	for _, g := range s.grants {
		states[g.state]++
		for _, a := range s.acts {
			if a.who != g.who {
				continue
			}
			switch {
			case a.at.Equal(g.at):
				atGrant++
			case a.at.Equal(g.at.Add(-scenarioImpactWindow)):
				atBefore++
			case a.at.Equal(g.at.Add(scenarioImpactWindow)):
				atAfter++
			}
		}
	}
	if refused["score"] == 0 || refused["stock"] == 0 || refused["budget"] == 0 || len(states) != 4 || atGrant == 0 || atBefore == 0 || atAfter == 0 {
		t.Errorf("the scenario leaves grants untested: refused %v, grants by state %v, activities at a grant %d, 60 days before %d, 60 days after %d",
			refused, states, atGrant, atBefore, atAfter)
	}
	t.Logf("%d grants by state %v, refused %v; commitments %v", len(s.grants), states, refused, fates)
	catalog, err := st.Rewards(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range catalog {
		want := map[int64]*modelReward{pass.id: pass, briefing.id: briefing}[r.ID]
		if want == nil || (r.Stock == nil) != (want.stock < 0) || r.Stock != nil && *r.Stock != want.stock {
			t.Errorf("%s: stock %v, the model's %+v", r.Name, r.Stock, want)
		}
	}
	// Each grant's impact and each reward's average, as GrantImpacts gives
	// them at a look while the last pass's 60 days after run (an activity
	// at the very instant of the look counts), and as cadre rewards grants
	// --json prints them at the end, for all quarters and for each, beside
	// each quarter's budget and spend.
	within := func(a, b float64) bool { return math.Abs(a-b) <= 1e-6 }
	checkGrants := func(label string, got []server.GrantJSON, gotAvg []server.RewardImpactJSON, quarter string, now time.Time) (incomplete int) {
		want, wantAvg := s.grantReport(quarter, now)
		if len(got) != len(want) || len(gotAvg) != len(wantAvg) {
			t.Errorf("%s: %d grants and %d averages, want %d and %d", label, len(got), len(gotAvg), len(want), len(wantAvg))
		}
		for _, g := range got {
			w, ok := want[g.ID]
			im, wm := g.Impact, w.Impact
			if !ok || g.Reward != w.Reward || g.MemberID != w.MemberID || g.Member != w.Member || g.Quarter != w.Quarter || !within(g.Cost, w.Cost) ||
				g.State != w.State || !g.At.Equal(w.At) || im.BeforeActivities != wm.BeforeActivities || im.AfterActivities != wm.AfterActivities ||
				!within(im.BeforePoints, wm.BeforePoints) || !within(im.AfterPoints, wm.AfterPoints) || im.Complete != wm.Complete {
				t.Errorf("%s: grant %d:\n got %+v\nwant %+v", label, g.ID, g, w)
			}
			if !wm.Complete {
				incomplete++
			}
		}
		for _, a := range gotAvg {
			if w, ok := wantAvg[a.Reward]; !ok || a.Grants != w.Grants || !within(a.Activities, w.Activities) || !within(a.Points, w.Points) {
				t.Errorf("%s: average of %s: got %+v, want %+v", label, a.Reward, a, w)
			}
		}
		return incomplete
	}
	look := activityAt(17, date(2025, 11, 15))
	eng, err := loadStandings(ctx, e, st, 0)
	if err != nil {
		t.Fatal(err)
	}
	got, gotAvg, err := server.GrantImpacts(ctx, st, eng.Criteria(), look, "", server.MemberNames(ctx, st.Member))
	if err != nil {
		t.Fatal(err)
	}
	if checkGrants("GrantImpacts at "+look.String(), got, gotAvg, "", look) == 0 {
		t.Errorf("no grant's 60 days after run at %s", look)
	}
	var gain, loss int
	for _, g := range s.grants {
		switch im := s.impact(g, now); {
		case g.state == reward.Cancelled:
		case im.AfterPoints > im.BeforePoints:
			gain++
		case im.AfterPoints < im.BeforePoints:
			loss++
		}
	}
	if gain == 0 || loss == 0 {
		t.Errorf("the scenario's grants show no gain (%d) or no loss (%d) of points", gain, loss)
	}
	for q := (program.Quarter{Year: 2024, Q: 1}); q.Year < 2027; q = q.Next() {
		quarter, args := q.String(), []string{"rewards", "grants", "--json", "--quarter", q.String()}
		if q.Year == 2026 { // after the last quarter: every quarter at once
			quarter, args = "", args[:3]
		}
		now := time.Now()
		code, out, stderr := cli(t, nil, "", append(args, "--db", db)...)
		if code != exitOK {
			t.Fatalf("%s: exit %d: %s", strings.Join(args, " "), code, stderr)
		}
		var report struct {
			Grants  []server.GrantJSON        `json:"grants"`
			Average []server.RewardImpactJSON `json:"average"`
		}
		if err := json.Unmarshal([]byte(out), &report); err != nil {
			t.Fatal(err)
		}
		if checkGrants(strings.Join(args, " "), report.Grants, report.Average, quarter, now) > 0 {
			t.Errorf("%s: a grant's 60 days after still run", strings.Join(args, " "))
		}
		if quarter == "" {
			break
		}
		code, out, stderr = cli(t, nil, "", "rewards", "budget", "--db", db, "--json", "--quarter", quarter)
		if code != exitOK {
			t.Fatalf("budget %s: exit %d: %s", quarter, code, stderr)
		}
		var budget struct {
			Quarter string   `json:"quarter"`
			Amount  *float64 `json:"amount"`
			Spent   float64  `json:"spent"`
		}
		if err := json.Unmarshal([]byte(out), &budget); err != nil {
			t.Fatal(err)
		}
		amount, set := s.budgets[quarter]
		if budget.Quarter != quarter || (budget.Amount != nil) != set || set && !within(*budget.Amount, amount) || !within(budget.Spent, s.spent(quarter)) {
			t.Errorf("budget %s: got %s, want amount %v (set %v), spent %v", quarter, strings.TrimSpace(out), amount, set, s.spent(quarter))
		}
	}

	// Each renewed or lapsed ambassador was told, each invitee and
	// applicant written to.
	box, err := st.Outbox(ctx, true, 1000)
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]int{}
	for _, m := range box {
		kinds[m.Kind]++
	}
	var sent, apps, decided int
	for q := range s.sent {
		sent += s.sent[q]
	}
	for q := range s.apps {
		apps += s.apps[q]
	}
	for q := range s.accepted {
		decided += s.accepted[q]
	}
	if kinds["renewal"] != renewed+lapsed || kinds["invitation"] != sent || kinds["application"] != apps || kinds["decision"] < decided {
		t.Errorf("outbox by kind %v: want %d renewal, %d invitation, %d application, at least %d decision", kinds, renewed+lapsed, sent, apps, decided)
	}

	t.Run("what-if", func(t *testing.T) { testScenarioWhatIf(t, db, s, ids, doc) })
}

// testScenarioWhatIf backtests the scenario's eight reviews with cadre
// whatif: under its own criteria nothing changes and the reviews are those
// applied; under a candidate that doubles forum answers, decays by 15% and
// asks 30 to stay, every quarter's figures on both sides, and each member
// whose outcome differs, are the model's.
func testScenarioWhatIf(t *testing.T, db string, s *scenario, ids []int64, doc string) {
	var quarters []program.Quarter
	for q := (program.Quarter{Year: 2024, Q: 1}); q.Year < 2026; q = q.Next() {
		quarters = append(quarters, q)
	}
	person := map[string]int{}
	for p, id := range ids {
		person[strconv.FormatInt(id, 10)] = p
	}
	// A candidate's document is the scenario's with forum answers worth
	// forum, the decay rate and the maintain bar changed.
	candidate := func(forum, decay, maintain float64) (string, modelCriteria) {
		c := scenarioCriteria()
		c.mult["forum"], c.decay, c.maintain = forum, decay, maintain
		d := strings.NewReplacer("key: forum,     name: Forum participation,  multiplier: 1", fmt.Sprintf("key: forum,     name: Forum participation,  multiplier: %g", forum),
			"rate: 0.25", fmt.Sprintf("rate: %g", decay), fmt.Sprintf("maintain: %g", scenarioMaintain), fmt.Sprintf("maintain: %g", maintain)).Replace(doc)
		if d == doc {
			t.Fatal("the candidate's document is the scenario's")
		}
		return d, c
	}
	near := func(a, b float64) bool { return math.Abs(a-b) <= 1e-9*math.Max(1, math.Abs(b)) }
	nearPtr := func(a, b *float64) bool { return a == nil && b == nil || a != nil && b != nil && near(*a, *b) }
	same := func(got server.WhatIfFigures, want whatIfFigures) bool {
		return got.Active == want.active && got.Qualifying == want.qualifying && near(got.Share, want.share) && got.Proposed == want.proposed &&
			got.Ambassadors == want.ambassadors && got.Renewed == want.renewed && got.Lapsed == want.lapsed && got.Excused == want.excused &&
			got.CarriedOver == want.carriedOver && nearPtr(got.RenewalRate, want.rate) && nearPtr(got.InfluenceHoursPerAmbassador, want.hoursPer)
	}
	current, currentOut := s.whatIf(scenarioCriteria(), quarters)
	for i, q := range quarters {
		if current[i].renewed != s.renewed[q] || current[i].lapsed != s.lapsed[q] {
			t.Fatalf("%s: the model's replay renews %d and lapses %d, its applied review %d and %d", q, current[i].renewed, current[i].lapsed, s.renewed[q], s.lapsed[q])
		}
	}
	type candidateCase struct {
		name string
		doc  string
		c    modelCriteria
	}
	issue := candidateCase{name: "forum answers worth 2, decay 15%, maintain 30"}
	issue.doc, issue.c = candidate(2, 0.15, 30)
	harsh := candidateCase{name: "forum answers worth 2, decay 40%, maintain 34"}
	harsh.doc, harsh.c = candidate(2, 0.4, 34)
	directions := map[[2]string]int{}
	for _, tt := range []candidateCase{{"own criteria", doc, scenarioCriteria()}, issue, harsh} {
		t.Run(tt.name, func(t *testing.T) {
			file := filepath.Join(t.TempDir(), "candidate.yaml")
			if err := os.WriteFile(file, []byte(tt.doc), 0o600); err != nil {
				t.Fatal(err)
			}
			code, out, stderr := cli(t, nil, "", "whatif", "--db", db, "--criteria", file, "--from", quarters[0].String(), "--quarters", strconv.Itoa(len(quarters)), "--json")
			if code != exitOK {
				t.Fatalf("whatif: exit %d: %s", code, stderr)
			}
			var got server.WhatIfJSON
			if err := json.Unmarshal([]byte(out), &got); err != nil {
				t.Fatal(err)
			}
			want, wantOut := s.whatIf(tt.c, quarters)
			if len(got.Quarters) != len(quarters) {
				t.Fatalf("%d quarters, want %d", len(got.Quarters), len(quarters))
			}
			only := func(a, b map[int]bool) map[int]bool {
				out := map[int]bool{}
				for p := range a {
					if !b[p] {
						out[p] = true
					}
				}
				return out
			}
			proposals := 0
			for i, q := range quarters {
				g := got.Quarters[i]
				if g.Quarter != q.String() || !same(g.Current, current[i]) || !same(g.Candidate, want[i]) {
					t.Errorf("%s:\n got %+v\nwant current %+v\n candidate %+v", q, g, current[i], want[i])
				}
				// Who one side alone would have proposed, with their
				// scores there, best first.
				at := q.ReviewAt(time.UTC)
				for _, side := range []struct {
					name   string
					got    []server.WhatIfMemberJSON
					count  int
					want   map[int]bool
					scores modelCriteria
				}{
					{"current", g.ProposedOnly.Current, g.ProposedOnly.CurrentCount, only(current[i].proposedSet, want[i].proposedSet), scenarioCriteria()},
					{"candidate", g.ProposedOnly.Candidate, g.ProposedOnly.CandidateCount, only(want[i].proposedSet, current[i].proposedSet), tt.c},
				} {
					gotSet := map[int]bool{}
					for k, m := range side.got {
						p, ok := person[m.MemberID]
						if !ok || !near(m.Score, s.scoreUnder(side.scores, p, at)) || k > 0 && m.Score > side.got[k-1].Score {
							t.Errorf("%s: proposed by the %s side alone: %+v, the model's score %v", q, side.name, m, s.scoreUnder(side.scores, p, at))
						}
						gotSet[p] = true
					}
					if !maps.Equal(gotSet, side.want) || side.count != len(side.want) {
						t.Errorf("%s: proposed by the %s side alone: %v (%d), the model's %v", q, side.name, gotSet, side.count, side.want)
					}
					proposals += len(side.want)
				}
			}
			if (proposals == 0) != (tt.name == "own criteria") {
				t.Errorf("%d proposals by one side alone under the %s", proposals, tt.name)
			}
			// The changes: every member and quarter whose outcomes differ,
			// each once, with both scores.
			type key struct {
				p int
				q string
			}
			wantChanges := map[key][2]string{}
			for i, q := range quarters {
				for p := range s.people {
					cur, cand := cmp.Or(currentOut[i][p], "none"), cmp.Or(wantOut[i][p], "none")
					if cur != cand {
						wantChanges[key{p, q.String()}] = [2]string{cur, cand}
					}
				}
			}
			gotChanges := map[key][2]string{}
			for _, c := range got.Changes {
				p, ok := person[c.MemberID]
				k := key{p, c.Quarter}
				if _, twice := gotChanges[k]; !ok || twice {
					t.Errorf("change %+v: of no person, or twice", c)
					continue
				}
				gotChanges[k] = [2]string{c.Current, c.Candidate}
				q, err := program.ParseQuarter(c.Quarter)
				if err != nil {
					t.Fatal(err)
				}
				at := q.ReviewAt(time.UTC)
				if !near(c.CurrentScore, s.score(p, at)) || !near(c.CandidateScore, s.scoreUnder(tt.c, p, at)) {
					t.Errorf("change %+v: scores %v and %v, the model's %v and %v", c, c.CurrentScore, c.CandidateScore, s.score(p, at), s.scoreUnder(tt.c, p, at))
				}
				parts := s.byType(tt.c, p, at)
				for _, ty := range c.CarriedBy {
					if !near(ty.Candidate, parts[ty.Type]) {
						t.Errorf("change %+v: %s carried %v, the model's %v", c, ty.Type, ty.Candidate, parts[ty.Type])
					}
				}
			}
			if !maps.Equal(gotChanges, wantChanges) {
				t.Errorf("changes\n got %v\nwant %v", gotChanges, wantChanges)
			}
			if n := len(wantChanges); (n == 0) != (tt.name == "own criteria") {
				t.Errorf("%d changes under the %s", n, tt.name)
			}
			for _, c := range wantChanges {
				directions[c]++
			}
			// The same as CSV: a row a quarter and side, a row a change.
			for _, list := range []string{"quarters", "changes"} {
				code, out, stderr = cli(t, nil, "", "whatif", "--db", db, "--criteria", file, "--from", quarters[0].String(), "--quarters", strconv.Itoa(len(quarters)), "--csv", list)
				if code != exitOK {
					t.Fatalf("whatif --csv %s: exit %d: %s", list, code, stderr)
				}
				rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
				if err != nil {
					t.Fatal(err)
				}
				var wantRows [][]string
				if list == "quarters" {
					for i, q := range quarters {
						for _, f := range []whatIfFigures{current[i], want[i]} {
							wantRows = append(wantRows, []string{q.String(), strconv.Itoa(f.renewed), strconv.Itoa(f.lapsed)})
						}
					}
				} else {
					for _, c := range got.Changes {
						wantRows = append(wantRows, []string{c.Quarter, c.MemberID, c.Current + "→" + c.Candidate})
					}
				}
				var gotRows [][]string
				for _, row := range rows[1:] {
					if list == "quarters" {
						gotRows = append(gotRows, []string{row[0], row[8], row[9]})
					} else {
						gotRows = append(gotRows, []string{row[0], row[1], row[3] + "→" + row[4]})
					}
				}
				if !slices.EqualFunc(gotRows, wantRows, slices.Equal) {
					t.Errorf("whatif --csv %s:\n%s\nwant rows %v", list, out, wantRows)
				}
			}
			// The same as text: a line a quarter, who one side alone
			// would propose, who qualifies at the end, and the changes.
			code, out, stderr = cli(t, nil, "", "whatif", "--db", db, "--criteria", file, "--from", quarters[0].String(), "--quarters", strconv.Itoa(len(quarters)))
			if code != exitOK {
				t.Fatalf("whatif: exit %d: %s", code, stderr)
			}
			lines := strings.Split(out, "\n")
			wantLines := []string{"quarter  ", fmt.Sprintf("Who qualifies at %s: ", quarters[len(quarters)-1].ReviewAt(time.UTC).Format("2006-01-02 15:04 MST")),
				fmt.Sprintf("%d outcomes differ (current → candidate)", len(wantChanges))}
			for _, q := range quarters {
				wantLines = append(wantLines, q.String()+"  ")
			}
			if proposals > 0 {
				wantLines = append(wantLines, "proposed under the ")
			}
			for _, w := range wantLines {
				if !slices.ContainsFunc(lines, func(l string) bool { return strings.HasPrefix(l, w) || strings.Contains(l, ": "+w) }) {
					t.Errorf("whatif's text has no line with %q:\n%s", w, out)
				}
			}
			t.Logf("%d changes", len(wantChanges))
		})
	}
	// The candidates between them renew someone who lapsed and lapse
	// someone who renewed.
	if directions[[2]string{"lapsed", "renewed"}] == 0 || directions[[2]string{"renewed", "lapsed"}] == 0 {
		t.Errorf("the candidates' changes go one way only: %v", directions)
	}
}
