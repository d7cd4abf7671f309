package server

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cadrehq/cadre/standings"
)

var update = flag.Bool("update", false, "rewrite golden files")

// golden compares got with the file testdata/name, which -update rewrites.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
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

func TestScoreChartGolden(t *testing.T) {
	ms := &standings.MemberScore{Achieve: 60, Maintain: 40}
	start := time.Date(2023, 3, 31, 23, 59, 59, 0, time.UTC)
	for i, s := range []float64{0, 4, 12, 30, 55, 70, 64, 48, 36, 27, 41, 58} {
		ms.History = append(ms.History, standings.ScoreAt{At: start.AddDate(0, 3*i, 0), Score: s})
	}
	golden(t, "chart.golden.svg", []byte(scoreChart(ms)))
}

// TestBarChartGolden draws bars either side of the zero line, one of them
// empty, with a label to escape and one too long to write whole.
func TestBarChartGolden(t *testing.T) {
	bars := []bar{{"Swag & <stickers>", 6.5}, {"Conference pass", 0}, {"Roadmap briefing", -2.25},
		{strings.Repeat("A reward with a very long name ", 3), 3}}
	golden(t, "bar.golden.svg", []byte(barChart("Points gained", bars, func(f float64) string { return fmt.Sprintf("%+.1f", f) })))
}
