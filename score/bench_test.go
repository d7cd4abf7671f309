package score

import (
	"math"
	"math/rand/v2"
	"slices"
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
		if err := h.SetExcluded(m, true); err != nil {
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

// BenchmarkEngineAdd adds activities one by one to the engine of the
// community of BenchmarkScoreAll, as a server does as they arrive: "mixed"
// nine in ten at the present, after everything before, and one in ten
// back-filled at a random time of the three years, as from an import;
// "present" all at the present. Busy members add more, as they do in the
// history.
func BenchmarkEngineAdd(b *testing.B) {
	h := powerLawHistory(b, benchMembers, benchActivities)
	r := rand.New(rand.NewPCG(3, 4))
	const span = 3 * 365 * 24 * int64(time.Hour/time.Microsecond)
	evs := make([]Event, 1<<16)
	for i := range evs {
		evs[i] = Event{Member: h.member[r.IntN(h.Len())], Type: "forum", Status: cadre.ActivityApproved}
		if r.IntN(4) == 0 {
			evs[i].Type = "content"
		}
		if r.IntN(10) == 0 {
			evs[i].At = time.UnixMicro(benchEnd.UnixMicro() - r.Int64N(span))
		}
	}
	for _, mix := range []struct {
		name     string
		backfill bool
	}{{"mixed", true}, {"present", false}} {
		for _, mode := range decayModes {
			b.Run(mix.name+"/"+string(mode), func(b *testing.B) {
				e := New(benchCriteria(b, mode), h)
				b.ReportAllocs()
				b.ResetTimer()
				i := 0
				for b.Loop() {
					ev := evs[i%len(evs)]
					if ev.At.IsZero() || !mix.backfill {
						ev.At = benchEnd.Add(time.Duration(i) * time.Microsecond)
					}
					if err := e.Add(ev); err != nil {
						b.Fatal(err)
					}
					i++
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N), "ns/activity")
			})
		}
	}
}

// BenchmarkEngineRemove removes counted activities of the community of
// BenchmarkScoreAll one by one, picked at random among all, and so mostly
// of busy members.
func BenchmarkEngineRemove(b *testing.B) {
	h := powerLawHistory(b, benchMembers, benchActivities)
	r := rand.New(rand.NewPCG(5, 6))
	picked := map[int]bool{}
	var evs []Event
	for len(evs) < 1<<16 {
		i := r.IntN(h.Len())
		if typ := h.kinds[h.kind[i]]; typ != "podcast" && !picked[i] {
			picked[i] = true
			evs = append(evs, Event{Member: h.member[i], Type: typ, At: time.UnixMicro(h.at[i]), Status: cadre.ActivityApproved})
		}
	}
	for _, mode := range decayModes {
		b.Run(string(mode), func(b *testing.B) {
			e := New(benchCriteria(b, mode), h)
			b.ReportAllocs()
			b.ResetTimer()
			i := 0
			for b.Loop() {
				if i == len(evs) { // all removed: put them back
					b.StopTimer()
					for _, ev := range evs {
						if err := e.Add(ev); err != nil {
							b.Fatal(err)
						}
					}
					i = 0
					b.StartTimer()
				}
				if !e.Remove(evs[i]) {
					b.Fatalf("activity %+v not found", evs[i])
				}
				i++
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N), "ns/activity")
		})
	}
}

// benchHistories returns the community of BenchmarkScoreAll, with times to
// the microsecond as generated, and with times to the second, as most
// platforms give them.
func benchHistories(b *testing.B) []struct {
	name string
	h    *History
} {
	h := powerLawHistory(b, benchMembers, benchActivities)
	seconds := &History{members: h.members, excluded: h.excluded, kinds: h.kinds, kindOf: h.kindOf, member: h.member, kind: h.kind, at: slices.Clone(h.at)}
	for i, at := range seconds.at {
		seconds.at[i] = at - at%1e6
	}
	return []struct {
		name string
		h    *History
	}{{"microseconds", h}, {"seconds", seconds}}
}

// BenchmarkHistoryMarshal encodes the community of BenchmarkScoreAll.
func BenchmarkHistoryMarshal(b *testing.B) {
	for _, tt := range benchHistories(b) {
		b.Run(tt.name, func(b *testing.B) {
			var data []byte
			b.ReportAllocs()
			for b.Loop() {
				var err error
				if data, err = tt.h.MarshalBinary(); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(len(data))/float64(tt.h.Len()), "bytes/activity")
		})
	}
}

// BenchmarkHistoryUnmarshal decodes the community of BenchmarkScoreAll.
func BenchmarkHistoryUnmarshal(b *testing.B) {
	for _, tt := range benchHistories(b) {
		b.Run(tt.name, func(b *testing.B) {
			data, err := tt.h.MarshalBinary()
			if err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				var h History
				if err := h.UnmarshalBinary(data); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(len(data))/float64(tt.h.Len()), "bytes/activity")
		})
	}
}
