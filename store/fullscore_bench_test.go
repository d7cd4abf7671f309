package store_test

import (
	"context"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/cadrehq/cadre"
	"github.com/cadrehq/cadre/criteria"
	"github.com/cadrehq/cadre/demo"
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
	im := s.NewImporter()
	batch := make([]cadre.ActivityRecord, 0, 50_000)
	flush := func() error {
		_, err := im.Import(context.Background(), batch)
		batch = batch[:0]
		return err
	}
	err := demo.Synthetic(3, members, activities, benchAt, func(r *cadre.ActivityRecord) error {
		batch = append(batch, *r)
		if len(batch) == cap(batch) {
			return flush()
		}
		return nil
	})
	if err == nil {
		err = flush()
	}
	if err != nil {
		b.Fatal(err)
	}
	return s
}

// fullScore is the computation issue 3 measures: every score at t, the active
// set and share, the top 100 and a calibration.
func fullScore(b *testing.B, eng *standings.Engine) {
	sum, err := eng.Summarize(benchAt, 100, 0.03)
	if err != nil || len(sum.Top) != 100 || sum.Share.Active == 0 {
		b.Fatalf("summary %+v, %v", sum.Share, err)
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
