package server

import (
	"testing"
	"time"

	"github.com/cadrehq/cadre/criteria"
	"github.com/cadrehq/cadre/program"
)

// TestHealthCache: figures are kept for one state of the standings, one
// criteria version and quarter, for healthTTL.
func TestHealthCache(t *testing.T) {
	var c healthCache
	v1, v2 := criteria.Default(), criteria.Default()
	q := program.Quarter{Year: 2026, Q: 1}
	t0 := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
	c.put(7, v1, q, t0, HealthJSON{Quarter: "kept"})
	for _, tt := range []struct {
		name string
		seq  int64
		cr   *criteria.Criteria
		q    program.Quarter
		at   time.Time
		hit  bool
	}{
		{"same state", 7, v1, q, t0.Add(healthTTL - time.Second), true},
		{"stale", 7, v1, q, t0.Add(healthTTL), false},
		{"standings moved", 8, v1, q, t0, false},
		{"another criteria version", 7, v2, q, t0, false},
		{"another quarter", 7, v1, q.Prev(), t0, false},
		{"a clock gone back", 7, v1, q, t0.Add(-time.Second), false},
	} {
		if h, ok := c.get(tt.seq, tt.cr, tt.q, tt.at); ok != tt.hit || ok && h.Quarter != "kept" {
			t.Errorf("%s: hit %v, want %v", tt.name, ok, tt.hit)
		}
	}
	c.put(8, v1, q.Prev(), t0, HealthJSON{})
	if _, ok := c.get(7, v1, q, t0); ok {
		t.Error("a new state of the standings kept the old figures")
	}
}
