package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/cadrehq/cadre/criteria"
	"github.com/cadrehq/cadre/standings"
	"github.com/cadrehq/cadre/store"
	"github.com/cadrehq/cadre/store/storetest"
)

var benchAt = time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)

// fullScore is the computation issue 3 measures: every score at t, the active
// set and share, the top 100 and a calibration. It returns the figures that
// the SQL reference computes too.
func fullScore(b *testing.B, eng *standings.Engine, t time.Time) store.FullScore {
	sum, err := eng.Summarize(t, 100, 0.03)
	if err != nil || len(sum.Top) != 100 || sum.Share.Active == 0 {
		b.Fatalf("summary %+v, %v", sum.Share, err)
	}
	f := store.FullScore{Active: sum.Share.Active, Qualifying: sum.Share.Qualifying, Threshold: sum.Calibration.Threshold}
	for _, e := range sum.Top {
		f.Top = append(f.Top, e.Score)
	}
	return f
}

// BenchmarkFullScore measures the full score at t on a stored community:
// "cold" loads the activities from SQLite and prepares the engine first,
// "warm" works from the engine in memory, as the server does between changes,
// and "sql" computes the same figures in SQLite's SQL instead.
//
//	go test -run '^$' -bench FullScore -benchtime 3x ./store
func BenchmarkFullScore(b *testing.B) {
	s := storetest.Synthetic(b, benchAt)
	ctx := context.Background()
	c := criteria.Default()
	b.Run("cold", func(b *testing.B) {
		for range b.N {
			snap, err := standings.Load(ctx, s)
			if err != nil {
				b.Fatal(err)
			}
			fullScore(b, snap.Engine(c), benchAt)
		}
	})
	snap, err := standings.Load(ctx, s)
	if err != nil {
		b.Fatal(err)
	}
	eng := snap.Engine(c)
	// The two computations must agree before their speeds compare: at the
	// same instant, on the same rows, in every figure.
	want := fullScore(b, eng, benchAt)
	got, err := s.ScoreSQL(ctx, c, benchAt)
	if err != nil {
		b.Fatal(err)
	}
	if err := got.Diff(want); err != nil {
		b.Fatalf("SQL against the engine at %s: %v", benchAt.Format(time.RFC3339), err)
	}
	// The engine keeps the board of the last instant it evaluated, so each
	// round takes a new one, counted across the runs of b.N, lest a timed
	// round only read the board back.
	round := 0
	b.Run("warm", func(b *testing.B) {
		for range b.N {
			round++
			fullScore(b, eng, benchAt.Add(time.Duration(round)*time.Second))
		}
	})
	b.Run("sql", func(b *testing.B) {
		for range b.N {
			if _, err := s.ScoreSQL(ctx, c, benchAt); err != nil {
				b.Fatal(err)
			}
		}
	})
}
