// Package whatif replays the program's quarterly reviews under other criteria
// (issue 12): who would have qualified, renewed and lapsed over a period, side
// by side with what the criteria in force made of it. It is pure: the caller
// passes the terms, the excusals and the standings of each side, and the
// activities the influence hours read.
//
// Only reviews are replayed. Invitations and applications stay as they
// happened: a term that started during the period starts in the replay too,
// unless its member is still an ambassador there by an earlier term (they
// lapsed in fact and were invited back, but renewed in the replay).
package whatif

import (
	"cmp"
	"maps"
	"slices"
	"time"

	"github.com/cadrehq/cadre/criteria"
	"github.com/cadrehq/cadre/program"
	"github.com/cadrehq/cadre/standings"
)

// Standing is what a replay reads of the standings under one criteria
// version; standings.Engine is one.
type Standing interface {
	Criteria() *criteria.Criteria
	Share(t time.Time) standings.Share
	Score(id int64, t time.Time) float64
	Qualifying(t time.Time) []standings.Scored
	ByType(id int64, t time.Time) (standings.TypeScore, error)
}

// Step is one quarter of a replay.
type Step struct {
	Quarter  program.Quarter
	Standing Standing // the standings the quarter was reviewed under
	Share    standings.Share
	Review   *program.Review
	// Proposed are the members who qualify at the review instant and hold
	// no term then, by ID, with their scores: those Cadre would have
	// proposed to invite.
	Proposed []standings.Scored
}

// Replay reviews each quarter of quarters, oldest first, under the
// standings that standing gives for it, from the terms as they stood before
// the first: a term ended by a review of the period is open again, for the
// replay to decide. Members excused from a quarter stay excused. It returns
// each quarter's step and the terms as the replay leaves them.
func Replay(quarters []program.Quarter, terms []program.Term, excused map[program.Quarter]map[int64]bool, standing func(program.Quarter) Standing) ([]Step, []program.Term) {
	steps := make([]Step, 0, len(quarters))
	side := replay(quarters, terms, func(q program.Quarter) *criteria.Criteria { return standing(q).Criteria() },
		func(q program.Quarter, r *program.Terms) *program.Review {
			st := standing(q)
			rv := program.Preview(q, st.Criteria(), r.Terms, excused[q], st.Score)
			step := Step{Quarter: q, Standing: st, Share: st.Share(rv.At), Review: rv}
			for _, m := range st.Qualifying(rv.At) {
				if !r.Holds(m.ID, rv.At) {
					step.Proposed = append(step.Proposed, m)
				}
			}
			slices.SortFunc(step.Proposed, byID)
			steps = append(steps, step)
			return rv
		})
	return steps, side
}

// replay runs the terms through the quarters' reviews: before each, the
// terms that started by the quarter's end join unless their member holds a
// term of the replay when they start; review previews the quarter, and
// its lapses are applied. It returns the terms as the replay leaves them.
func replay(quarters []program.Quarter, terms []program.Term, criteriaOf func(program.Quarter) *criteria.Criteria,
	review func(program.Quarter, *program.Terms) *program.Review) []program.Term {
	if len(quarters) == 0 {
		return nil
	}
	from := quarters[0].Start(criteriaOf(quarters[0]).Location())
	side := program.NewTerms(nil)
	var later []program.Term
	for _, t := range terms {
		if t.EndedBy == program.EndReview && t.End.After(from) {
			t.End, t.EndedBy = time.Time{}, ""
		}
		if t.Start.Before(from) {
			side.Add(t)
		} else {
			later = append(later, t)
		}
	}
	slices.SortFunc(later, func(a, b program.Term) int { return cmp.Or(a.Start.Compare(b.Start), cmp.Compare(a.ID, b.ID)) })
	for _, q := range quarters {
		end := q.End(criteriaOf(q).Location())
		for len(later) > 0 && later[0].Start.Before(end) {
			t := later[0]
			later = later[1:]
			if !side.Holds(t.MemberID, t.Start) {
				side.Add(t)
			}
		}
		review(q, side).Apply(side.Terms)
	}
	return side.Terms
}

// Side is one criteria's replay: its steps and the terms it left.
type Side struct {
	Steps []Step
	Terms []program.Term
}

// Figures are one side's figures of a quarter.
type Figures struct {
	Active, Qualifying int
	Share              float64
	Proposed           int
	Ambassadors        int // |A_Q|
	Renewed, Lapsed    int
	Excused            int
	CarriedOver        int
	RenewalRate        *float64 // nil when nobody was up for review
	// InfluenceHoursPerAmbassador is the influence hours of the quarter ÷
	// |A_Q| (SPEC 6), nil when A_Q is empty.
	InfluenceHoursPerAmbassador *float64
}

// Quarter is a quarter's figures on both sides.
type Quarter struct {
	Quarter            program.Quarter
	Current, Candidate Figures
	// CurrentOnly and CandidateOnly are the members only that side would
	// have proposed to invite, best first, at most Listed of each; the
	// counts are of them all.
	CurrentOnly, CandidateOnly           []Proposal
	CurrentOnlyCount, CandidateOnlyCount int
}

// Listed is the most members a quarter lists that one side alone would have
// proposed: a page's worth, as a bar halved can propose thousands more.
const Listed = 100

// Proposal is a member one side alone would have proposed to invite, with
// their score there.
type Proposal struct {
	MemberID int64
	Name     string
	Score    float64
}

// Change is a member whose outcome of a quarter's review differs between the
// sides, with what carried their score on each.
type Change struct {
	MemberID int64
	Name     string
	Quarter  program.Quarter
	// Current and Candidate are the outcomes, or None when the member was
	// not an ambassador at the review on that side.
	Current, Candidate             program.Outcome
	CurrentScore, CandidateScore   float64
	CurrentByType, CandidateByType []standings.Part
}

// None is the outcome of a member who was not reviewed: they held no term
// at the review instant.
const None program.Outcome = "none"

// Result is a backtest: each quarter's figures side by side, and the
// members whose outcomes differ.
type Result struct {
	Quarters []Quarter
	Changes  []Change
}

// Compare sets the current replay beside the candidate's. Both must replay
// the same quarters. acts are the counted activities of the period of
// every member who was an ambassador on either side, for the influence
// hours.
func Compare(current, candidate Side, acts []program.Activity) Result {
	var res Result
	for i := range current.Steps {
		cur, cand := &current.Steps[i], &candidate.Steps[i]
		q := Quarter{
			Quarter:   cur.Quarter,
			Current:   figures(cur, current.Terms, acts),
			Candidate: figures(cand, candidate.Terms, acts),
		}
		q.CurrentOnly, q.CurrentOnlyCount = proposedOnly(cur, cand)
		q.CandidateOnly, q.CandidateOnlyCount = proposedOnly(cand, cur)
		res.Quarters = append(res.Quarters, q)
		res.Changes = append(res.Changes, changes(cur, cand)...)
	}
	return res
}

func figures(s *Step, terms []program.Term, acts []program.Activity) Figures {
	h := program.Measure(s.Quarter, s.Standing.Criteria(), terms, acts)
	r := s.Review
	return Figures{
		Active: s.Share.Active, Qualifying: s.Share.Qualifying, Share: s.Share.Share, Proposed: len(s.Proposed),
		Ambassadors: h.Ambassadors, Renewed: r.Renewed, Lapsed: r.Lapsed, Excused: r.Excused, CarriedOver: r.CarriedOver,
		RenewalRate: r.Rate, InfluenceHoursPerAmbassador: h.InfluenceHours.PerAmbassador,
	}
}

func byID(a, b standings.Scored) int { return cmp.Compare(a.ID, b.ID) }

// proposedOnly lists the members a would propose and b would not, best
// first on a's side and at most Listed, and counts them all.
func proposedOnly(a, b *Step) ([]Proposal, int) {
	var only []Proposal
	for _, m := range a.Proposed {
		if _, found := slices.BinarySearchFunc(b.Proposed, m, byID); !found {
			only = append(only, Proposal{MemberID: m.ID, Score: m.Score})
		}
	}
	slices.SortFunc(only, func(x, y Proposal) int {
		return cmp.Or(cmp.Compare(y.Score, x.Score), cmp.Compare(x.MemberID, y.MemberID))
	})
	n := len(only)
	only = only[:min(n, Listed)]
	for i := range only {
		if ts, err := a.Standing.ByType(only[i].MemberID, a.Review.At); err == nil {
			only[i].Name = ts.Name
		}
	}
	return only, n
}

// changes lists the members whose outcomes of the quarter differ, by ID.
func changes(cur, cand *Step) []Change {
	outcome := func(r *program.Review) map[int64]program.ReviewEntry {
		m := map[int64]program.ReviewEntry{}
		for _, e := range r.Entries {
			m[e.MemberID] = e
		}
		return m
	}
	a, b := outcome(cur.Review), outcome(cand.Review)
	ids := map[int64]bool{}
	for id := range a {
		ids[id] = true
	}
	for id := range b {
		ids[id] = true
	}
	var out []Change
	for _, id := range slices.Sorted(maps.Keys(ids)) {
		ea, oka := a[id]
		eb, okb := b[id]
		c := Change{MemberID: id, Quarter: cur.Quarter, Current: None, Candidate: None}
		if oka {
			c.Current = ea.Outcome
		}
		if okb {
			c.Candidate = eb.Outcome
		}
		if c.Current == c.Candidate {
			continue
		}
		if ts, err := cur.Standing.ByType(id, cur.Review.At); err == nil {
			c.Name, c.CurrentScore, c.CurrentByType = ts.Name, ts.Score, ts.ByType
		}
		if ts, err := cand.Standing.ByType(id, cand.Review.At); err == nil {
			c.Name, c.CandidateScore, c.CandidateByType = ts.Name, ts.Score, ts.ByType
		}
		out = append(out, c)
	}
	return out
}
