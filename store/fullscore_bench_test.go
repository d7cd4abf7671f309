package store_test

import (
	"context"
	"math"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/cadrehq/cadre"
	"github.com/cadrehq/cadre/criteria"
	"github.com/cadrehq/cadre/standings"
	"github.com/cadrehq/cadre/store"
	"github.com/cadrehq/cadre/store/storetest"
)

// benchSize is the community of the full-score benchmark: 100,000 members and
// 1M activities, or what CADRE_BENCH_MEMBERS and CADRE_BENCH_ACTIVITIES say
// (issue 3 states its goals for 1,000,000 and 10,000,000).
func benchSize() (members, activities int) {
	members, activities = 100_000, 1_000_000
	if v, err := strconv.Atoi(os.Getenv("CADRE_BENCH_MEMBERS")); err == nil {
		members = v
	}
	if v, err := strconv.Atoi(os.Getenv("CADRE_BENCH_ACTIVITIES")); err == nil {
		activities = v
	}
	return members, activities
}

var benchAt = time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)

// benchStore fills a SQLite store with a power-law community through the
// importer, members created on first sight.
func benchStore(b *testing.B) *store.Store {
	members, activities := benchSize()
	s := storetest.SQLite(b)
	r := rand.New(rand.NewPCG(3, 4))
	types := []string{"forum", "forum", "forum", "forum", "forum", "forum", "code", "feedback", "content", "beta", "mentoring", "speaking"}
	const span = 3 * 365 * 24 * time.Hour
	im := s.NewImporter()
	batch := make([]cadre.ActivityRecord, 0, 50_000)
	for i := range activities {
		// Pareto-distributed member index: a few members do most of the work.
		m := int(float64(members) * (1 - math.Pow(r.Float64(), 0.1)))
		batch = append(batch, cadre.ActivityRecord{
			Activity: cadre.Activity{Source: "bench", ExternalID: strconv.Itoa(i), Type: types[r.IntN(len(types))],
				OccurredAt: benchAt.Add(-time.Duration(r.Int64N(int64(span)))), Status: cadre.ActivityApproved},
			Member: cadre.MemberRef{Platform: "forum", Handle: "m" + strconv.Itoa(min(m, members-1))},
		})
		if len(batch) == cap(batch) || i == activities-1 {
			if _, err := im.Import(context.Background(), batch); err != nil {
				b.Fatal(err)
			}
			batch = batch[:0]
		}
	}
	return s
}

// fullScore is the computation issue 3 measures: every score at t, the active
// set and share, the top 100 and a calibration.
func fullScore(b *testing.B, eng *standings.Engine) {
	top := eng.Leaderboard(benchAt, standings.Options{Top: 100})
	sh := eng.Share(benchAt)
	if _, err := eng.Calibrate(0.03, benchAt); err != nil || len(top) != 100 || sh.Active == 0 {
		b.Fatalf("top %d, share %+v, calibrate %v", len(top), sh, err)
	}
}

// BenchmarkFullScore measures the full score at t on a stored community:
// "cold" loads the activities from SQLite and prepares the engine first,
// "warm" works from the engine in memory, as the server does between changes,
// and "sql" computes the scores and the active set in SQLite's SQL instead.
//
//	go test -run '^$' -bench FullScore -benchtime 3x ./store
func BenchmarkFullScore(b *testing.B) {
	s := benchStore(b)
	ctx := context.Background()
	c := criteria.Default()
	b.Run("cold", func(b *testing.B) {
		for range b.N {
			snap, err := standings.Load(ctx, s)
			if err != nil {
				b.Fatal(err)
			}
			fullScore(b, snap.Engine(c))
		}
	})
	snap, err := standings.Load(ctx, s)
	if err != nil {
		b.Fatal(err)
	}
	eng := snap.Engine(c)
	b.Run("warm", func(b *testing.B) {
		for range b.N {
			fullScore(b, eng)
		}
	})
	// The two computations must agree before their speeds compare.
	active, err := s.ScoreSQL(ctx, benchAt)
	if err != nil {
		b.Fatal(err)
	}
	if sh := eng.Share(benchAt); sh.Active != active {
		b.Fatalf("SQL finds %d active members, the engine %d", active, sh.Active)
	}
	b.Run("sql", func(b *testing.B) {
		for range b.N {
			active, err := s.ScoreSQL(ctx, benchAt)
			if err != nil {
				b.Fatal(err)
			}
			if active == 0 {
				b.Fatal("nobody active")
			}
		}
	})
}
