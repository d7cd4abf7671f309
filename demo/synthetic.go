package demo

import (
	"math"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/cadrehq/cadre"
)

// Synthetic streams a large community for benchmarks, without the realism of
// Generate and without holding it in memory: activities follow a power law
// over members (a few do most of the work), with types weighted as forums
// weigh them, spread over the three years before end. Members are named as
// Generate names them, so that searches of their names match as many as
// they would in a real community of the size. fn sees the records in
// order of generation; an error from it stops the stream.
func Synthetic(seed uint64, members, activities int, end time.Time, fn func(*cadre.ActivityRecord) error) error {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	types := []string{"forum", "forum", "forum", "forum", "forum", "forum", "code", "feedback", "content", "beta", "mentoring", "speaking"}
	const span = HistoryYears * 365 * 24 * time.Hour
	var weights []float64
	for _, g := range nameGroups {
		weights = append(weights, g.weight)
	}
	var rec cadre.ActivityRecord
	for i := range activities {
		// Member m's share falls off as a power of its index.
		m := min(int(float64(members)*(1-math.Pow(r.Float64(), 0.1))), members-1)
		rec = cadre.ActivityRecord{
			Activity: cadre.Activity{Source: "synthetic", ExternalID: strconv.Itoa(i), Type: types[r.IntN(len(types))],
				OccurredAt: end.Add(-time.Duration(r.Int64N(int64(span)))).Truncate(time.Second), Status: cadre.ActivityApproved},
			Member: cadre.MemberRef{Platform: "forum", Handle: "m" + strconv.Itoa(m), Name: syntheticName(seed, m, weights)},
		}
		if err := fn(&rec); err != nil {
			return err
		}
	}
	return nil
}

// syntheticName is member m's name, the same in every record of m: drawn
// from a source of its own, so that the stream's draws do not depend on it.
func syntheticName(seed uint64, m int, weights []float64) string {
	r := rand.New(rand.NewPCG(seed, uint64(m)))
	g := &nameGroups[pickWeighted(r, weights)]
	return g.first[r.IntN(len(g.first))] + " " + g.last[r.IntN(len(g.last))]
}
