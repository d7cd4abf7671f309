package score

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/cadrehq/cadre"
	"github.com/cadrehq/cadre/criteria"
)

// The size of the benchmark community: a million members, ten million
// activities.
const (
	benchMembers    = 1_000_000
	benchActivities = 10_000_000
)

// benchEnd is the time of the latest activity of the benchmark community.
var benchEnd = time.Date(2026, 5, 17, 12, 0, 0, 0, time.UTC)

// powerLawHistory returns a community whose activity per member follows a
// power law, as in real communities: most members do little and a few do a
// great deal. Counts are Pareto-distributed (α = 1.1), one member in ten has
// none, the busiest have tens of thousands. Activities are added in random
// order, spread over the three years before benchEnd; one in ten is not
// approved and 1% are of a type the criteria do not define.
func powerLawHistory(tb testing.TB, members, activities int) *History {
	tb.Helper()
	r := rand.New(rand.NewPCG(1, 2))

	weights := make([]float64, members)
	var total float64
	for i := range weights {
		weights[i] = math.Pow(1-r.Float64(), -1/1.1)
		total += weights[i]
	}
	owner := make([]int32, 0, activities)
	for i, w := range weights {
		for range int(w * float64(activities) / total) {
			owner = append(owner, int32(i))
		}
	}
	for len(owner) < activities {
		owner = append(owner, int32(r.IntN(members)))
	}
	r.Shuffle(len(owner), func(i, j int) { owner[i], owner[j] = owner[j], owner[i] })

	// Types weighted as a community's activity is: mostly forum posts.
	types := []string{"forum", "forum", "forum", "forum", "forum", "forum", "code", "feedback", "content", "beta", "mentoring", "speaking"}
	const span = 3 * 365 * 24 * int64(time.Hour/time.Microsecond)
	end := benchEnd.UnixMicro()
	h := &History{}
	h.Grow(activities)
	for _, m := range owner {
		e := Event{Member: m, Type: types[r.IntN(len(types))], Status: cadre.ActivityApproved}
		e.At = time.UnixMicro(end - r.Int64N(span))
		switch x := r.IntN(100); {
		case x < 7:
			e.Status = cadre.ActivityPending
		case x < 10:
			e.Status = cadre.ActivityRejected
		case x < 11:
			e.Type = "podcast"
		}
		if err := h.Add(e); err != nil {
			tb.Fatal(err)
		}
	}
	for m := int32(0); m < int32(members); m += 1000 {
		if err := h.Exclude(m); err != nil {
			tb.Fatal(err)
		}
	}
	return h
}

// benchCriteria returns the default criteria with the given decay mode.
func benchCriteria(tb testing.TB, mode criteria.DecayMode) *criteria.Criteria {
	tb.Helper()
	c, err := criteria.Parse([]byte(`{"decay": {"mode": "` + mode + `"}}`))
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

var decayModes = []criteria.DecayMode{criteria.DecayQuarterly, criteria.DecayContinuous, criteria.DecayNone}

// BenchmarkScoreAll scores every member of a community of a million members
// and ten million activities at one instant, under each decay mode: "current"
// after the latest activity, as for the standings of today, and "past" a year
// earlier, as in a look back, where the activity since must be left out.
func BenchmarkScoreAll(b *testing.B) {
	h := powerLawHistory(b, benchMembers, benchActivities)
	instants := []struct {
		name string
		t    time.Time
	}{
		{"current", benchEnd.Add(time.Hour)},
		{"past", benchEnd.AddDate(-1, 0, 0)},
	}
	for _, mode := range decayModes {
		e := New(benchCriteria(b, mode), h)
		for _, at := range instants {
			b.Run(string(mode)+"/"+at.name, func(b *testing.B) {
				var board Board
				e.Evaluate(at.t, &board)
				b.ReportAllocs()
				b.ResetTimer()
				for b.Loop() {
					e.Evaluate(at.t, &board)
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(h.Len()), "ns/activity")
			})
		}
	}
}

// BenchmarkNew prepares the engine for the community of BenchmarkScoreAll.
func BenchmarkNew(b *testing.B) {
	h := powerLawHistory(b, benchMembers, benchActivities)
	for _, mode := range decayModes {
		b.Run(string(mode), func(b *testing.B) {
			c := benchCriteria(b, mode)
			b.ReportAllocs()
			for b.Loop() {
				New(c, h)
			}
		})
	}
}
