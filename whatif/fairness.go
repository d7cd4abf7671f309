package whatif

import (
	"cmp"
	"maps"
	"slices"
	"time"

	"github.com/cadrehq/cadre/standings"
)

// Ranker is what a fairness view reads of the standings besides a
// Standing's; standings.Engine is one.
type Ranker interface {
	Standing
	First(id int64) (time.Time, bool)
	Start() (time.Time, bool)
	TopActive(t time.Time, n int, undecayed bool) []int64
}

// Profile is what is known of where a member is.
type Profile struct {
	Region, Company string
}

// Group is how many of the qualifying set fall in a group on each side.
type Group struct {
	Key                string
	Current, Candidate int
}

// Fairness is how the candidate changes who qualifies (issue 12): by the
// activity type that carried most of each member's score, by tenure, and
// by region and company where known.
type Fairness struct {
	At                 time.Time
	Current, Candidate int // the qualifying sets' sizes
	Mix                []Group
	// FirstYear is the share of each side's qualifying set who first
	// took part in the community's first year; Undecayed the same of as
	// many active members ranked by their points before decay, which
	// shows what decay does for newer members.
	FirstYear, Undecayed struct{ Current, Candidate *float64 }
	Regions, Companies   []Group
}

// MeasureFairness compares the qualifying sets at t of cur and cand;
// profile tells where each member is.
func MeasureFairness(t time.Time, cur, cand Ranker, profile func(id int64) Profile) Fairness {
	f := Fairness{At: t}
	qc, qd := standings.IDs(cur.Qualifying(t)), standings.IDs(cand.Qualifying(t))
	f.Current, f.Candidate = len(qc), len(qd)
	carried := func(s Ranker, id int64) string {
		ts, err := s.ByType(id, t)
		if err != nil || len(ts.ByType) == 0 {
			return "none"
		}
		best := slices.MaxFunc(ts.ByType, func(a, b standings.Part) int { return cmp.Compare(a.Score, b.Score) })
		return best.Key
	}
	count := func(ids []int64, key func(int64) string, side func(*Group) *int, into map[string]*Group) {
		for _, id := range ids {
			k := key(id)
			if k == "" {
				continue
			}
			g := into[k]
			if g == nil {
				g = &Group{Key: k}
				into[k] = g
			}
			*side(g)++
		}
	}
	onCur, onCand := func(g *Group) *int { return &g.Current }, func(g *Group) *int { return &g.Candidate }
	mix, regions, companies := map[string]*Group{}, map[string]*Group{}, map[string]*Group{}
	count(qc, func(id int64) string { return carried(cur, id) }, onCur, mix)
	count(qd, func(id int64) string { return carried(cand, id) }, onCand, mix)
	count(qc, func(id int64) string { return profile(id).Region }, onCur, regions)
	count(qd, func(id int64) string { return profile(id).Region }, onCand, regions)
	count(qc, func(id int64) string { return profile(id).Company }, onCur, companies)
	count(qd, func(id int64) string { return profile(id).Company }, onCand, companies)
	f.Mix, f.Regions, f.Companies = groups(mix), groups(regions), groups(companies)

	if start, ok := cur.Start(); ok {
		yearOne := start.AddDate(1, 0, 0)
		share := func(ids []int64) *float64 {
			if len(ids) == 0 {
				return nil
			}
			n := 0
			for _, id := range ids {
				if first, ok := cur.First(id); ok && first.Before(yearOne) {
					n++
				}
			}
			v := float64(n) / float64(len(ids))
			return &v
		}
		f.FirstYear.Current, f.FirstYear.Candidate = share(qc), share(qd)
		f.Undecayed.Current, f.Undecayed.Candidate = share(cur.TopActive(t, len(qc), true)), share(cand.TopActive(t, len(qd), true))
	}
	return f
}

// groups orders groups by their size on either side, largest first.
func groups(m map[string]*Group) []Group {
	out := make([]Group, 0, len(m))
	for _, k := range slices.Sorted(maps.Keys(m)) {
		out = append(out, *m[k])
	}
	slices.SortStableFunc(out, func(a, b Group) int { return cmp.Compare(max(b.Current, b.Candidate), max(a.Current, a.Candidate)) })
	return out
}
