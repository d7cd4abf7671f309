package score

import (
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/cadrehq/cadre"
	"github.com/cadrehq/cadre/criteria"
)

// TestRescoredAgreesWithNew scores a random history under criteria that
// differ in multipliers, points, decay rate, decay mode and window, once
// with an engine laid out afresh and once with one rescored from the
// engine of the defaults: every member's score agrees at instants before,
// inside and after the history, and criteria that count other types or
// need quarters the base lacks are refused.
func TestRescoredAgreesWithNew(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 9))
	types := []string{"forum", "content", "mentoring", "speaking", "feedback", "beta", "code", "unknown"}
	var h History
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	for range 4000 {
		at := start.Add(time.Duration(r.Int64N(int64(900 * 24 * time.Hour))))
		if err := h.Add(Event{Member: int32(r.IntN(80)), Type: types[r.IntN(len(types))], At: at, Status: cadre.ActivityApproved}); err != nil {
			t.Fatal(err)
		}
	}
	base := New(criteria.Default(), &h)
	for _, tt := range []struct {
		name, doc string
		ok        bool
	}{
		{"multipliers", "activity_types:\n  - {key: forum, multiplier: 2}\n  - {key: content, multiplier: 3}\n  - {key: mentoring, multiplier: 1}\n  - {key: speaking, multiplier: 5, points: 2}\n  - {key: feedback, multiplier: 2}\n  - {key: beta, multiplier: 2}\n  - {key: code, multiplier: 0.5}\n", true},
		{"decay rate", "decay: {mode: quarterly, rate: 0.4}\n", true},
		{"continuous", "decay: {mode: continuous, rate: 0.2}\n", true},
		{"no decay", "decay: {mode: none}\n", true},
		{"window", "active_window_days: 30\n", true},
		{"fewer types", "activity_types:\n  - {key: forum, multiplier: 1}\n", false},
		{"another zone", "timezone: Asia/Tokyo\n", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c, err := criteria.Parse([]byte(tt.doc))
			if err != nil {
				t.Fatal(err)
			}
			got, ok := base.Rescored(c)
			if ok != tt.ok {
				t.Fatalf("rescored: %v, want %v", ok, tt.ok)
			}
			if !ok {
				return
			}
			want := New(c, &h)
			for _, at := range []time.Time{start.AddDate(0, 6, 3), start.AddDate(1, 3, 0).Add(-time.Microsecond), start.AddDate(2, 5, 17), start.AddDate(4, 0, 0)} {
				var bg, bw Board
				got.Evaluate(at, &bg)
				want.Evaluate(at, &bw)
				for m := range bw.Scores {
					if !near(bg.Scores[m], bw.Scores[m]) || bg.Active[m] != bw.Active[m] {
						t.Fatalf("member %d at %v: %v (active %v), want %v (%v)", m, at, bg.Scores[m], bg.Active[m], bw.Scores[m], bw.Active[m])
					}
				}
			}
			if strings.Contains(tt.doc, "multiplier") && near(got.Score(0, start.AddDate(4, 0, 0)), base.Score(0, start.AddDate(4, 0, 0))) {
				t.Errorf("member 0 scores alike under other multipliers: the test shows nothing")
			}
		})
	}
}
