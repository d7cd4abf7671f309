package whatif

import (
	"cmp"
	"math"
	"slices"
	"sort"
	"time"

	"github.com/cadrehq/cadre/criteria"
	"github.com/cadrehq/cadre/program"
)

// Scores are what a calibration reads of one scoring (a criteria document
// but its thresholds: decay and multipliers) at each quarter's review
// instant. The thresholds are searched over them without scoring again:
// the share follows from the active community's scores, the reviews from
// the term holders'.
type Scores struct {
	Active  [][]float64         // by quarter: the active community's scores, lowest first
	Members []map[int64]float64 // by quarter: the score of each member who held a term in the period
}

// Scorer is what MeasureScores reads of the standings; standings.Engine is
// one.
type Scorer interface {
	ActiveScores(t time.Time) []float64
	Score(id int64, t time.Time) float64
}

// MeasureScores reads the Scores of s, under c's zone, for quarters and
// the members who may hold a term in them.
func MeasureScores(s Scorer, c *criteria.Criteria, quarters []program.Quarter, members []int64) Scores {
	loc := c.Location()
	sc := Scores{Active: make([][]float64, len(quarters)), Members: make([]map[int64]float64, len(quarters))}
	for i, q := range quarters {
		at := q.ReviewAt(loc)
		sc.Active[i] = s.ActiveScores(at)
		sc.Members[i] = make(map[int64]float64, len(members))
		for _, id := range members {
			sc.Members[i][id] = s.Score(id, at)
		}
	}
	return sc
}

// BandQuarter is a candidate's figures of one quarter against the bands.
type BandQuarter struct {
	Quarter       program.Quarter
	Share         float64
	ShareInside   bool
	RenewalRate   *float64 // nil when nobody was up for review
	RenewalInside bool     // nobody up for review is inside
}

// Candidate is criteria that a calibration tried, with its distance from
// the current criteria and its figures.
type Candidate struct {
	Criteria *criteria.Criteria
	Distance float64
	Quarters []BandQuarter
	Outside  int // quarters with a figure outside its band
}

// Space is what a calibration searches: the thresholds, over each of
// Scorings (the current scoring and those within the bounds the user gave),
// replaying Quarters from Terms with their excusals.
type Space struct {
	Current  *criteria.Criteria
	Quarters []program.Quarter
	Terms    []program.Term
	Excused  map[program.Quarter]map[int64]bool
}

// MaintainTries is about how many maintain thresholds a calibration tries
// for a scoring, besides the current one.
const MaintainTries = 200

// CalibrateScoring searches the thresholds of scoring (whose own
// thresholds do not matter) over its Scores: the achieve threshold nearest
// the current one that keeps the share inside target_share in the most
// quarters, then each maintain threshold up to it. It returns every
// candidate tried; Best picks among them.
func CalibrateScoring(sp Space, scoring *criteria.Criteria, sc Scores) []Candidate {
	cur := sp.Current
	achieve := bestAchieve(sc.Active, cur.TargetShare, cur.Thresholds.Achieve)
	maintains := maintainTries(sc, achieve, cur.Thresholds.Maintain)
	fr := newFastReplay(sp)
	out := make([]Candidate, 0, len(maintains))
	for _, m := range maintains {
		c := *scoring
		c.Thresholds = criteria.Thresholds{Achieve: achieve, Maintain: m}
		c.TargetShare, c.RenewalBand = cur.TargetShare, cur.RenewalBand
		cand := Candidate{Criteria: &c, Distance: distance(cur, &c), Quarters: make([]BandQuarter, len(sp.Quarters))}
		for i, rate := range fr.rates(m, sc.Members) {
			share, inside := shareOf(sc.Active[i], achieve, c.TargetShare)
			bq := BandQuarter{Quarter: sp.Quarters[i], Share: share, ShareInside: inside, RenewalRate: rate,
				RenewalInside: rate == nil || *rate >= c.RenewalBand.Min-1e-9 && *rate <= c.RenewalBand.Max+1e-9}
			if !bq.ShareInside || !bq.RenewalInside {
				cand.Outside++
			}
			cand.Quarters[i] = bq
		}
		out = append(out, cand)
	}
	return out
}

// fastReplay replays a Space's reviews as replay and program.Preview do,
// for the renewal rates alone: the terms laid out once, each candidate's
// replay a pass over them per quarter that allocates nothing but its ends.
// A calibration replays a thousand candidates over the same terms.
type fastReplay struct {
	terms    []program.Term // those before the period first, reopened; then the later ones by start
	first    int            // how many are from before the period
	byMember map[int64][]int
	excused  []map[int64]bool
	starts   []time.Time // by quarter
	reviews  []time.Time
	lapses   []time.Time
}

func newFastReplay(sp Space) *fastReplay {
	loc := sp.Current.Location()
	fr := &fastReplay{byMember: map[int64][]int{}}
	if len(sp.Quarters) == 0 {
		return fr
	}
	from := sp.Quarters[0].Start(loc)
	var later []program.Term
	for _, t := range sp.Terms {
		if t.EndedBy == program.EndReview && t.End.After(from) {
			t.End, t.EndedBy = time.Time{}, ""
		}
		switch {
		case !t.Start.Before(from):
			later = append(later, t)
		case t.Open() || t.End.After(from):
			// A term over before the period holds at no review of it,
			// nor when a later one starts.
			fr.terms = append(fr.terms, t)
		}
	}
	fr.first = len(fr.terms)
	slices.SortFunc(later, func(a, b program.Term) int { return cmp.Or(a.Start.Compare(b.Start), cmp.Compare(a.ID, b.ID)) })
	fr.terms = append(fr.terms, later...)
	for i, t := range fr.terms {
		fr.byMember[t.MemberID] = append(fr.byMember[t.MemberID], i)
	}
	for _, q := range sp.Quarters {
		fr.excused = append(fr.excused, sp.Excused[q])
		fr.starts = append(fr.starts, q.Start(loc))
		fr.reviews = append(fr.reviews, q.ReviewAt(loc))
		fr.lapses = append(fr.lapses, q.End(loc))
	}
	return fr
}

// rates replays the reviews under maintain with the term holders' scores
// of each review, and returns each quarter's renewal rate.
func (fr *fastReplay) rates(maintain float64, scores []map[int64]float64) []*float64 {
	n := len(fr.terms)
	ends := make([]time.Time, n)
	in := make([]bool, n) // a term of the replay: from before the period, or admitted
	for i := range fr.first {
		ends[i], in[i] = fr.terms[i].End, true
	}
	holds := func(i int, at time.Time) bool {
		return in[i] && !at.Before(fr.terms[i].Start) && (ends[i].IsZero() || at.Before(ends[i]))
	}
	next := fr.first
	out := make([]*float64, len(fr.reviews))
	for qi, at := range fr.reviews {
		for ; next < n && fr.terms[next].Start.Before(fr.lapses[qi]); next++ {
			t := &fr.terms[next]
			held := false
			for _, j := range fr.byMember[t.MemberID] {
				if holds(j, t.Start) {
					held = true
					break
				}
			}
			in[next] = !held
			ends[next] = t.End
		}
		renewed, lapsed := 0, 0
		for i := range next {
			t := &fr.terms[i]
			if !holds(i, at) || !t.Start.Before(fr.starts[qi]) || fr.excused[qi][t.MemberID] {
				continue
			}
			if scores[qi][t.MemberID] >= maintain-1e-9 {
				renewed++
			} else {
				lapsed++
				ends[i] = fr.lapses[qi]
			}
		}
		if up := renewed + lapsed; up > 0 {
			r := float64(renewed) / float64(up)
			out[qi] = &r
		}
	}
	return out
}

// Best returns the n best candidates: fewest quarters outside a band,
// then the least change from the current criteria.
func Best(cands []Candidate, n int) []Candidate {
	slices.SortStableFunc(cands, func(a, b Candidate) int {
		return cmp.Or(cmp.Compare(a.Outside, b.Outside), cmp.Compare(a.Distance, b.Distance))
	})
	return cands[:min(n, len(cands))]
}

// shareOf is the share of the active community, its scores lowest first,
// that meets achieve (as the engine compares, a hair below counts), and
// whether it lies inside band; an empty community is inside.
func shareOf(active []float64, achieve float64, band criteria.Band) (float64, bool) {
	n := len(active)
	if n == 0 {
		return 0, true
	}
	share := float64(n-sort.SearchFloat64s(active, achieve-1e-9)) / float64(n)
	return share, share >= band.Min-1e-12 && share <= band.Max+1e-12
}

// bestAchieve is the achieve threshold that puts the share inside band in
// the most quarters, the nearest to current among those, rounded to the
// fewest decimals that keep as many quarters inside. The thresholds where
// a quarter's share enters or leaves the band are the scores at its
// edges, so those and current are the ones to try.
func bestAchieve(active [][]float64, band criteria.Band, current float64) float64 {
	tries := []float64{current}
	for _, s := range active {
		n := len(s)
		if n == 0 {
			continue
		}
		// At most kmax may qualify: above the (kmax+1)-th best score;
		// at least kmin: at most the kmin-th best.
		kmin := int(math.Ceil(band.Min*float64(n) - 1e-9))
		kmax := int(math.Floor(band.Max*float64(n) + 1e-9))
		if kmax < n && kmax >= 0 {
			tries = append(tries, math.Nextafter(s[n-kmax-1]+1e-9, math.Inf(1)))
		}
		if kmin >= 1 && kmin <= n {
			tries = append(tries, s[n-kmin])
		}
	}
	inside := func(a float64) int {
		k := 0
		for _, s := range active {
			if _, ok := shareOf(s, a, band); ok {
				k++
			}
		}
		return k
	}
	best, bestIn := current, inside(current)
	for _, a := range tries {
		if a <= 0 {
			continue
		}
		in := inside(a)
		if in > bestIn || in == bestIn && math.Abs(a-current) < math.Abs(best-current) {
			best, bestIn = a, in
		}
	}
	for _, digits := range []float64{1, 10, 100} {
		if r := math.Round(best*digits) / digits; r > 0 && inside(r) == bestIn {
			return r
		}
	}
	return best
}

// maintainTries are the maintain thresholds worth trying up to achieve:
// a review's outcome changes only where maintain passes a term holder's
// score, so just above each such score (to two decimals, as people write
// thresholds), thinned evenly to about MaintainTries, and current.
func maintainTries(sc Scores, achieve, current float64) []float64 {
	var vs []float64
	for _, q := range sc.Members {
		for _, s := range q {
			if v := math.Ceil(s*100+1e-6) / 100; v > 0 && v <= achieve {
				vs = append(vs, v)
			}
		}
	}
	slices.Sort(vs)
	vs = slices.Compact(vs)
	if len(vs) > MaintainTries {
		thin := make([]float64, 0, MaintainTries+1)
		for i := range MaintainTries {
			thin = append(thin, vs[i*len(vs)/MaintainTries])
		}
		vs = append(thin, vs[len(vs)-1])
	}
	if current <= achieve && !slices.Contains(vs, current) {
		vs = append(vs, current)
	}
	return vs
}

// distance is how far c lies from cur: the relative change of each
// threshold, of the decay rate and of each type's multiplier, summed.
func distance(cur, c *criteria.Criteria) float64 {
	rel := func(a, b float64) float64 { return math.Abs(a-b) / math.Max(math.Abs(a), 0.05) }
	d := rel(cur.Thresholds.Achieve, c.Thresholds.Achieve) + rel(cur.Thresholds.Maintain, c.Thresholds.Maintain) +
		rel(cur.Decay.Rate, c.Decay.Rate)
	for _, t := range c.ActivityTypes {
		if ct, ok := cur.Type(t.Key); ok {
			d += rel(ct.Multiplier, t.Multiplier)
		}
	}
	return d
}
