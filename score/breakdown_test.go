package score

import (
	"math"
	"testing"
	"time"

	"github.com/cadrehq/cadre"
	"github.com/cadrehq/cadre/criteria"
)

func TestBreakdown(t *testing.T) {
	var h History
	for _, ev := range []Event{
		{Member: 0, Type: "forum", At: time.Date(2025, 2, 10, 0, 0, 0, 0, time.UTC), Status: cadre.ActivityApproved},
		{Member: 0, Type: "content", At: time.Date(2025, 5, 1, 0, 0, 0, 0, time.UTC), Status: cadre.ActivityApproved},
		{Member: 0, Type: "content", At: time.Date(2025, 5, 2, 0, 0, 0, 0, time.UTC), Status: cadre.ActivityPending},
		{Member: 0, Type: "podcast", At: time.Date(2025, 5, 3, 0, 0, 0, 0, time.UTC), Status: cadre.ActivityApproved},
		{Member: 0, Type: "speaking", At: time.Date(2025, 9, 1, 0, 0, 0, 0, time.UTC), Status: cadre.ActivityApproved}, // after t
		{Member: 1, Type: "forum", At: time.Date(2025, 2, 10, 0, 0, 0, 0, time.UTC), Status: cadre.ActivityApproved},
	} {
		if err := h.Add(ev); err != nil {
			t.Fatal(err)
		}
	}
	e := New(criteria.Default(), &h)
	at := time.Date(2025, 7, 15, 0, 0, 0, 0, time.UTC)
	b := e.Breakdown(0, at)

	near := func(a, b float64) bool { return math.Abs(a-b) < 1e-9 }
	// Forum of Q1 decayed twice, content of Q2 once.
	if !near(b.Score, 1*0.5625+3*0.75) || !near(b.Score, e.Score(0, at)) {
		t.Fatalf("score %v, engine says %v", b.Score, e.Score(0, at))
	}
	wantTypes := []Part{{Key: "forum", Activities: 1, Points: 1, Score: 0.5625}, {Key: "content", Activities: 1, Points: 3, Score: 2.25}}
	if len(b.ByType) != 2 || b.ByType[0] != wantTypes[0] || b.ByType[1] != wantTypes[1] {
		t.Fatalf("by type = %+v", b.ByType)
	}
	if len(b.ByQuarter) != 2 || b.ByQuarter[0].Key != "2025-Q1" || b.ByQuarter[1].Key != "2025-Q2" ||
		!b.ByQuarter[1].Start.Equal(time.Date(2025, 4, 1, 0, 0, 0, 0, time.UTC)) || b.ByQuarter[1].Score != 2.25 {
		t.Fatalf("by quarter = %+v", b.ByQuarter)
	}
	if len(b.History) != HistoryQuarters {
		t.Fatalf("%d history points", len(b.History))
	}
	last := b.History[len(b.History)-3:]
	wantHist := []ScoreAt{
		{time.Date(2025, 3, 31, 23, 59, 59, 999999000, time.UTC), 1},
		{time.Date(2025, 6, 30, 23, 59, 59, 999999000, time.UTC), 0.75 + 3},
		{at, 0.5625 + 2.25},
	}
	for i, w := range wantHist {
		if !last[i].At.Equal(w.At) || !near(last[i].Score, w.Score) {
			t.Errorf("history %d = %+v, want %+v", i, last[i], w)
		}
	}
	if b.History[0].Score != 0 {
		t.Errorf("three years back the score was %v, want 0", b.History[0].Score)
	}
	if empty := e.Breakdown(7, at); empty.Score != 0 || len(empty.ByType) != 0 || len(empty.History) != HistoryQuarters {
		t.Errorf("unknown member: %+v", empty)
	}
}

func TestSelect(t *testing.T) {
	var h History
	day := func(m time.Month, d int) time.Time { return time.Date(2025, m, d, 12, 0, 0, 0, time.UTC) }
	for _, ev := range []Event{
		{Member: 0, Type: "forum", At: day(3, 1)},
		{Member: 0, Type: "forum", At: day(4, 1)},
		{Member: 0, Type: "content", At: day(4, 2)},
		{Member: 1, Type: "content", At: day(5, 1)},
		{Member: 1, Type: "forum", At: day(7, 1)},
	} {
		ev.Status = cadre.ActivityApproved
		if err := h.Add(ev); err != nil {
			t.Fatal(err)
		}
	}
	if err := h.SetExcluded(2, true); err != nil {
		t.Fatal(err)
	}
	q2 := func(typ string) *History {
		return h.Select(typ, day(4, 1).Add(-12*time.Hour), day(7, 1).Add(-12*time.Hour))
	}
	tests := []struct {
		name string
		h    *History
		want [2]float64 // scores of members 0 and 1 at the end of June, no decay
	}{
		{"everything", h.Select("", time.Time{}, time.Time{}), [2]float64{5, 3}}, // member 1's July post is after t
		{"second quarter", q2(""), [2]float64{4, 3}},
		{"second quarter's content", q2("content"), [2]float64{3, 3}},
		{"unknown type", q2("podcast"), [2]float64{0, 0}},
		{"until only", h.Select("forum", time.Time{}, day(4, 1)), [2]float64{1, 0}},
	}
	c, err := criteria.Parse([]byte("decay: {mode: none}\n"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		e := New(c, tt.h)
		at := day(6, 30)
		if got := [2]float64{e.Score(0, at), e.Score(1, at)}; got != tt.want {
			t.Errorf("%s: scores %v, want %v", tt.name, got, tt.want)
		}
		if e.Members() != 3 || !tt.h.excluded[2] {
			t.Errorf("%s: members or exclusions lost", tt.name)
		}
	}
}
