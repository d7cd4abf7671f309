package standings

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/cadrehq/cadre"
	"github.com/cadrehq/cadre/criteria"
	"github.com/cadrehq/cadre/program"
)

// benchSnapshot is a community of a million members and ten million
// activities with power-law activity, one member in fifty an ambassador.
func benchSnapshot(b *testing.B) (*Snapshot, time.Time) {
	b.Helper()
	const members, activities = 1_000_000, 10_000_000
	end := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	s := newSnapshot()
	for id := int64(1); id <= members; id++ {
		m := cadre.Member{ID: id, Name: "m", Status: cadre.StatusMember}
		if id%50 == 0 {
			m.Status = cadre.StatusAmbassador
		}
		if err := s.upsertMember(&m); err != nil {
			b.Fatal(err)
		}
	}
	s.history.Grow(activities)
	r := rand.New(rand.NewPCG(1, 2))
	types := []string{"forum", "forum", "forum", "forum", "code", "feedback", "content", "beta", "mentoring", "speaking"}
	span := int64(3 * 365 * 24 * time.Hour)
	for range activities {
		id := 1 + int64(float64(members)*(1-math.Pow(r.Float64(), 0.1)))
		ev := cadre.ScoreEvent{MemberID: min(id, members), Type: types[r.IntN(len(types))], OccurredAt: end.Add(-time.Duration(r.Int64N(span)))}
		if err := s.add(ev); err != nil {
			b.Fatal(err)
		}
	}
	return s, end
}

// BenchmarkLeaderboard ranks a million members from the standings in memory,
// at a new instant each time so that no board is reused: the top 100, and the
// ambassadors only.
func BenchmarkLeaderboard(b *testing.B) {
	s, end := benchSnapshot(b)
	eng := s.Engine(criteria.Default())
	// Every round asks for an instant never asked before, across the runs
	// of b.N too: the engine keeps the last board, and a repeated instant
	// would read it back instead of ranking.
	round := 0
	for _, tt := range []struct {
		name string
		opt  Options
	}{
		{"top100", Options{Top: 100}},
		{"ambassadors", Options{Top: 100, Status: cadre.StatusAmbassador}},
	} {
		b.Run(tt.name, func(b *testing.B) {
			for range b.N {
				round++
				if board := eng.Leaderboard(end.Add(time.Duration(round)*time.Second), tt.opt); len(board) != 100 {
					b.Fatalf("%d lines", len(board))
				}
			}
		})
	}
}

// BenchmarkRenewalPreview reviews a quarter of the million-member community
// with 5,000 ambassadors from the standings in memory, as cadre renewal
// preview and the renewal page do: every term's score at the review instant,
// the outcomes and the rate. Each round reviews another quarter, so no
// board is reused.
//
//	go test -run '^$' -bench RenewalPreview -benchtime 8x ./standings
func BenchmarkRenewalPreview(b *testing.B) {
	s, end := benchSnapshot(b)
	c := criteria.Default()
	eng := s.Engine(c)
	var terms []program.Term
	for id := int64(200); len(terms) < 5000; id += 200 {
		terms = append(terms, program.Term{ID: id, MemberID: id, Start: end.AddDate(-10, 0, 0), Via: program.ViaRoster})
	}
	q := program.QuarterOf(end, time.UTC)
	b.ResetTimer()
	for range b.N {
		q = q.Prev()
		r := program.Preview(q, c, terms, nil, eng.Score)
		if r.Renewed+r.Lapsed+r.CarriedOver != len(terms) {
			b.Fatalf("%d outcomes for %d terms", r.Renewed+r.Lapsed+r.CarriedOver, len(terms))
		}
	}
}
