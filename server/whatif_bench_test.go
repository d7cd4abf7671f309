package server_test

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/cadrehq/cadre/criteria"
	"github.com/cadrehq/cadre/server"
	"github.com/cadrehq/cadre/standings"
)

// BenchmarkWhatIf backtests 8 quarters on the stored community of
// benchProgram (storetest.BenchSize, 5,000 ambassadors on terms from the
// roster) under a candidate that doubles the forum's multiplier and lowers
// maintain: each round prepares the candidate's engine from the standings
// in memory, replays both sides' reviews and reads the ambassadors'
// activities of the period for their hours.
//
//	go test -run '^$' -bench WhatIf -benchtime 3x ./server
//	CADRE_BENCH_MEMBERS=1000000 CADRE_BENCH_ACTIVITIES=10000000 go test -run '^$' -bench WhatIf -benchtime 3x -timeout 60m ./server
func BenchmarkWhatIf(b *testing.B) {
	end := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	s, _ := benchProgram(b, end)
	ctx := context.Background()
	live, err := standings.Open(ctx, s, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		b.Fatal(err)
	}
	c, err := criteria.Parse([]byte("thresholds: {achieve: 60, maintain: 20}\nactivity_types:\n" +
		"  - {key: forum, multiplier: 2}\n  - {key: content, multiplier: 3}\n  - {key: mentoring, multiplier: 4}\n" +
		"  - {key: speaking, multiplier: 5}\n  - {key: feedback, multiplier: 2}\n  - {key: beta, multiplier: 2}\n  - {key: code, multiplier: 2}\n"))
	if err != nil {
		b.Fatal(err)
	}
	qs, err := server.WhatIfQuarters(8, nil, end, time.UTC)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("8quarters", func(b *testing.B) {
		for range b.N {
			j, err := server.WhatIf(ctx, s, live, c, qs)
			if err != nil {
				b.Fatal(err)
			}
			if len(j.Quarters) != 8 || j.Quarters[7].Current.Ambassadors == 0 {
				b.Fatalf("backtest %+v", j.Quarters)
			}
			b.ReportMetric(float64(len(j.Changes)), "changes")
			proposed := 0
			for _, q := range j.Quarters {
				proposed += q.ProposedOnly.CurrentCount + q.ProposedOnly.CandidateCount
			}
			b.ReportMetric(float64(proposed), "proposed_only")
		}
	})
}

// BenchmarkCalibrateBands searches criteria inside both bands over 8
// quarters on the stored community of benchProgram, letting the decay rate
// move from 0.15 to 0.35: five scorings, each prepared from the standings
// in memory and read once at every review, and about 200 maintain
// thresholds replayed for each, some 1,000 candidates in all.
//
//	go test -run '^$' -bench CalibrateBands -benchtime 1x ./server
//	CADRE_BENCH_MEMBERS=1000000 CADRE_BENCH_ACTIVITIES=10000000 go test -run '^$' -bench CalibrateBands -benchtime 1x -timeout 60m ./server
func BenchmarkCalibrateBands(b *testing.B) {
	end := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	s, _ := benchProgram(b, end)
	ctx := context.Background()
	live, err := standings.Open(ctx, s, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		b.Fatal(err)
	}
	c := criteria.Default()
	bounds, err := server.ParseBounds(c, "0.15:0.35", nil)
	if err != nil {
		b.Fatal(err)
	}
	qs, err := server.WhatIfQuarters(8, nil, end, time.UTC)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("8quarters", func(b *testing.B) {
		for range b.N {
			j, err := server.CalibrateBands(ctx, s, live, c, bounds, qs, 5)
			if err != nil {
				b.Fatal(err)
			}
			if j.Scorings != 5 || len(j.Candidates) != 5 {
				b.Fatalf("calibration: %d scorings, %d candidates", j.Scorings, len(j.Candidates))
			}
			b.ReportMetric(float64(j.Searched), "candidates")
		}
	})
}
