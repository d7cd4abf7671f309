package server

import (
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/cadrehq/cadre/standings"
)

var update = flag.Bool("update", false, "rewrite golden files")

func TestScoreChartGolden(t *testing.T) {
	ms := &standings.MemberScore{Achieve: 60, Maintain: 40}
	start := time.Date(2023, 3, 31, 23, 59, 59, 0, time.UTC)
	for i, s := range []float64{0, 4, 12, 30, 55, 70, 64, 48, 36, 27, 41, 58} {
		ms.History = append(ms.History, standings.ScoreAt{At: start.AddDate(0, 3*i, 0), Score: s})
	}
	got := []byte(scoreChart(ms))
	path := filepath.Join("testdata", "chart.golden.svg")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if string(got) != string(want) {
		t.Errorf("chart differs from %s (run with -update after checking it):\n%s", path, got)
	}
}
