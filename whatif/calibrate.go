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
	index := make(map[program.Quarter]int, len(sp.Quarters))
	for i, q := range sp.Quarters {
		index[q] = i
	}
	out := make([]Candidate, 0, len(maintains))
	for _, m := range maintains {
		c := *scoring
		c.Thresholds = criteria.Thresholds{Achieve: achieve, Maintain: m}
		c.TargetShare, c.RenewalBand = cur.TargetShare, cur.RenewalBand
		cand := Candidate{Criteria: &c, Distance: distance(cur, &c), Quarters: make([]BandQuarter, len(sp.Quarters))}
		replay(sp.Quarters, sp.Terms, func(program.Quarter) *criteria.Criteria { return &c },
			func(q program.Quarter, ts *program.Terms) *program.Review {
				i := index[q]
				r := program.Preview(q, &c, ts.Terms, sp.Excused[q], func(id int64, _ time.Time) float64 { return sc.Members[i][id] })
				share, inside := shareOf(sc.Active[i], achieve, c.TargetShare)
				bq := BandQuarter{Quarter: q, Share: share, ShareInside: inside, RenewalRate: r.Rate,
					RenewalInside: r.Rate == nil || *r.Rate >= c.RenewalBand.Min-1e-9 && *r.Rate <= c.RenewalBand.Max+1e-9}
				if !bq.ShareInside || !bq.RenewalInside {
					cand.Outside++
				}
				cand.Quarters[i] = bq
				return r
			})
		out = append(out, cand)
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
