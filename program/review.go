package program

import (
	"cmp"
	"slices"
	"time"

	"github.com/cadrehq/cadre"
	"github.com/cadrehq/cadre/criteria"
)

// Outcome is what the review of a quarter makes of one term.
type Outcome string

// Outcomes of a review (SPEC section 5).
const (
	Renewed     Outcome = "renewed"
	Lapsed      Outcome = "lapsed"
	Excused     Outcome = "excused"
	CarriedOver Outcome = "carried_over"
)

// ReviewEntry is one term's outcome.
type ReviewEntry struct {
	TermID   int64
	MemberID int64
	Score    float64 // at the review instant
	Outcome  Outcome
}

// Review is the quarterly review of a quarter: who renews, who lapses, who is
// carried over or excused.
type Review struct {
	Quarter  Quarter
	At       time.Time // the review instant
	Maintain float64
	Entries  []ReviewEntry // by member, then term
	// The counts by outcome.
	Renewed, Lapsed, Excused, CarriedOver int
	// Rate is renewed / up for review; nil when nobody was up for review.
	Rate *float64
	// LapseAt is when the lapsed terms end: the next quarter's start.
	LapseAt time.Time
}

// Score gives a member's score at an instant, as the scoring engine does.
type Score func(memberID int64, at time.Time) float64

// Preview reviews quarter q under criteria c: every term open at the review
// instant that started before the quarter is up for review unless its member
// is excused; it renews when the score at the review instant meets maintain,
// else it lapses at the next quarter's start. Terms that started during the
// quarter are carried over.
func Preview(q Quarter, c *criteria.Criteria, terms []Term, excused map[int64]bool, score Score) *Review {
	loc := c.Location()
	r := &Review{Quarter: q, At: q.ReviewAt(loc), Maintain: c.Thresholds.Maintain, LapseAt: q.End(loc)}
	start := q.Start(loc)
	for i := range terms {
		t := &terms[i]
		if !t.Holds(r.At) {
			continue
		}
		e := ReviewEntry{TermID: t.ID, MemberID: t.MemberID, Score: score(t.MemberID, r.At)}
		switch {
		case !t.Start.Before(start):
			e.Outcome = CarriedOver
			r.CarriedOver++
		case excused[t.MemberID]:
			e.Outcome = Excused
			r.Excused++
		case meets(e.Score, r.Maintain):
			e.Outcome = Renewed
			r.Renewed++
		default:
			e.Outcome = Lapsed
			r.Lapsed++
		}
		r.Entries = append(r.Entries, e)
	}
	slices.SortFunc(r.Entries, func(a, b ReviewEntry) int {
		return cmp.Or(cmp.Compare(a.MemberID, b.MemberID), cmp.Compare(a.TermID, b.TermID))
	})
	if up := r.Renewed + r.Lapsed; up > 0 {
		rate := float64(r.Renewed) / float64(up)
		r.Rate = &rate
	}
	return r
}

// meets compares a score with a threshold as the scoring engine does: a sum
// of decayed points that should be exactly the threshold may land a hair
// below it.
func meets(score, threshold float64) bool { return score >= threshold-1e-9 }

// Diagnosis says what a renewal rate tells of the program (SPEC section 5).
func Diagnosis(rate *float64, band criteria.Band) string {
	switch {
	case rate == nil:
		return "nobody was up for review"
	case *rate < band.Min:
		return "criteria too demanding or rewards not compelling"
	case *rate > band.Max:
		return "standards too low"
	}
	return "healthy"
}

// CheckApply says whether quarter q may be reviewed and applied at now: it
// has ended, it was not applied already, and no later quarter was (last is
// the latest applied, nil when none).
func CheckApply(q Quarter, now time.Time, loc *time.Location, last *Quarter) error {
	switch {
	case now.Before(q.End(loc)):
		return cadre.Errorf(cadre.EINVALID, "%s has not ended: it can be applied from %s", q, q.End(loc).UTC().Format(time.RFC3339))
	case last != nil && *last == q:
		return cadre.Errorf(cadre.ECONFLICT, "%s is applied already", q)
	case last != nil && q.Before(*last):
		return cadre.Errorf(cadre.ECONFLICT, "%s comes before %s, which is applied already", q, *last)
	}
	return nil
}

// Apply ends the lapsed terms of the review at the next quarter's start,
// ended by review, and returns the terms it changed.
func (r *Review) Apply(terms []Term) []Term {
	lapsed := map[int64]bool{}
	for _, e := range r.Entries {
		if e.Outcome == Lapsed {
			lapsed[e.TermID] = true
		}
	}
	var changed []Term
	for i := range terms {
		if lapsed[terms[i].ID] {
			terms[i].End, terms[i].EndedBy = r.LapseAt, EndReview
			changed = append(changed, terms[i])
		}
	}
	return changed
}

// AppliedReview is a quarterly review as applied: when, by whom, under
// which criteria version.
type AppliedReview struct {
	Review
	AppliedAt       time.Time
	CriteriaVersion int
	Actor           string
}
