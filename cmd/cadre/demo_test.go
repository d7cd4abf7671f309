package main

import (
	"context"
	"io"
	"log/slog"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/cadrehq/cadre/criteria"
	"github.com/cadrehq/cadre/demo"
	"github.com/cadrehq/cadre/standings"
	"github.com/cadrehq/cadre/store/storetest"
)

func TestCalibratedCriteria(t *testing.T) {
	tests := []struct {
		name              string
		doc               string
		achieve, maintain float64 // of the edited document; 0 for an error
	}{
		{"default", criteria.DefaultYAML, 123, 82},
		{"achieve already edited", strings.Replace(criteria.DefaultYAML, "achieve: 60", "achieve: 70", 1), 0, 0},
		{"maintain already edited", strings.Replace(criteria.DefaultYAML, "maintain: 40", "maintain: 30", 1), 0, 0},
		{"no thresholds", "timezone: UTC\n", 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := calibratedCriteria(tt.doc, 123)
			if tt.achieve == 0 {
				if err == nil {
					t.Fatalf("calibratedCriteria = %q and no error, want an error", doc)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			c, err := criteria.Parse([]byte(doc))
			if err != nil {
				t.Fatalf("%v in\n%s", err, doc)
			}
			if c.Thresholds.Achieve != tt.achieve || c.Thresholds.Maintain != tt.maintain {
				t.Errorf("thresholds %+v, want achieve %v, maintain %v", c.Thresholds, tt.achieve, tt.maintain)
			}
		})
	}
}

// TestDemoCriteriaAreCalibrated reads the criteria version 2 of a demo and
// checks its thresholds against a calibration of the demo's community made
// here, with the standings engine at the demo's instant.
func TestDemoCriteriaAreCalibrated(t *testing.T) {
	ctx := context.Background()
	st := storetest.SQLite(t)
	now := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	e := &env{getenv: func(string) string { return "" }, stdin: strings.NewReader(""), stdout: io.Discard, stderr: io.Discard,
		log: slog.New(slog.DiscardHandler)}
	if err := populateDemo(ctx, e, st, demo.Options{Seed: 1, Members: 300, Activities: 5000, Now: now}); err != nil {
		t.Fatal(err)
	}
	parse := func(version int) *criteria.Criteria {
		t.Helper()
		doc, err := st.Criteria(ctx, version)
		if err != nil {
			t.Fatal(err)
		}
		c, err := criteria.Parse([]byte(doc.Document))
		if err != nil {
			t.Fatalf("criteria version %d: %v", version, err)
		}
		return c
	}
	snap, err := standings.Load(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	// The demo qualifies 3% of the active community under version 1, the
	// default criteria.
	cal, err := snap.Engine(parse(1)).Calibrate(0.03, now)
	if err != nil {
		t.Fatal(err)
	}
	// The document holds whole points, rounded as %.0f rounds: half to even.
	want := criteria.Thresholds{Achieve: math.RoundToEven(cal.Threshold), Maintain: math.RoundToEven(cal.Threshold * 2 / 3)}
	if got := parse(2).Thresholds; got != want {
		t.Errorf("criteria version 2 thresholds %+v, want %+v from a calibration to %v at %v", got, want, cal.Threshold, now)
	}
	if want == criteria.Default().Thresholds {
		t.Errorf("the calibration gives the default thresholds %+v: the test shows nothing", want)
	}
}
