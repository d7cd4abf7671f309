package score

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/cadrehq/cadre"
	"github.com/cadrehq/cadre/criteria"
)

// act is an activity in a test table.
type act struct {
	member int32
	typ    string
	at     string               // RFC 3339
	status cadre.ActivityStatus // approved when empty
}

func mustTime(tb testing.TB, s string) time.Time {
	tb.Helper()
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		tb.Fatal(err)
	}
	return t
}

// mustCriteria parses a criteria document; "" is the default.
func mustCriteria(tb testing.TB, doc string) *criteria.Criteria {
	tb.Helper()
	c, err := criteria.Parse([]byte(doc))
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

// newEngine builds an engine over acts, with the excluded members marked as
// staff or bots.
func newEngine(tb testing.TB, c *criteria.Criteria, acts []act, excluded ...int32) *Engine {
	tb.Helper()
	var h History
	for _, a := range acts {
		status := a.status
		if status == "" {
			status = cadre.ActivityApproved
		}
		if err := h.Add(Event{Member: a.member, Type: a.typ, At: mustTime(tb, a.at), Status: status}); err != nil {
			tb.Fatal(err)
		}
	}
	for _, m := range excluded {
		if err := h.SetExcluded(m, true); err != nil {
			tb.Fatal(err)
		}
	}
	return New(c, &h)
}

// near reports whether a and b agree to within 1e-9.
func near(a, b float64) bool { return math.Abs(a-b) <= 1e-9 }

func TestPoints(t *testing.T) {
	custom := mustCriteria(t, `{"activity_types": [{"key": "talk", "multiplier": 5, "points": 2}, {"key": "lurk", "multiplier": 0}]}`)
	tests := []struct {
		name   string
		c      *criteria.Criteria
		typ    string
		status cadre.ActivityStatus
		want   float64
	}{
		{"forum", criteria.Default(), "forum", cadre.ActivityApproved, 1},
		{"content", criteria.Default(), "content", cadre.ActivityApproved, 3},
		{"speaking", criteria.Default(), "speaking", cadre.ActivityApproved, 5},
		{"pending", criteria.Default(), "speaking", cadre.ActivityPending, 0},
		{"rejected", criteria.Default(), "speaking", cadre.ActivityRejected, 0},
		{"no status", criteria.Default(), "speaking", "", 0},
		{"unknown type", criteria.Default(), "podcast", cadre.ActivityApproved, 0},
		{"points times multiplier", custom, "talk", cadre.ActivityApproved, 10},
		{"zero multiplier", custom, "lurk", cadre.ActivityApproved, 0},
		{"type the custom criteria dropped", custom, "forum", cadre.ActivityApproved, 0},
	}
	at := time.Date(2025, 5, 1, 0, 0, 0, 0, time.UTC)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// One activity, scored the moment it happens: no decay yet.
			var h History
			if err := h.Add(Event{Member: 0, Type: tt.typ, At: at, Status: tt.status}); err != nil {
				t.Fatal(err)
			}
			if got := New(tt.c, &h).Score(0, at); got != tt.want {
				t.Errorf("a %s %q activity scores %v, want %v", tt.status, tt.typ, got, tt.want)
			}
		})
	}
}

func TestScore(t *testing.T) {
	tests := []struct {
		name     string
		criteria string
		acts     []act // all of member 0
		at       string
		want     float64
	}{
		{"nothing", "", nil, "2025-05-01T00:00:00Z", 0},
		{"weights", "", []act{
			{0, "forum", "2025-01-10T09:00:00Z", ""}, {0, "content", "2025-01-11T09:00:00Z", ""},
			{0, "mentoring", "2025-01-12T09:00:00Z", ""}, {0, "speaking", "2025-01-13T09:00:00Z", ""},
			{0, "code", "2025-01-14T09:00:00Z", ""},
		}, "2025-02-01T00:00:00Z", 15},
		{"full value in its own quarter", "", []act{{0, "content", "2025-01-01T00:00:00Z", ""}}, "2025-03-31T23:59:59.999999Z", 3},
		{"loses the rate at each boundary", "", []act{{0, "content", "2025-01-15T00:00:00Z", ""}}, "2025-07-01T00:00:00Z", 3 * 0.75 * 0.75},
		{"across a year", "", []act{{0, "speaking", "2024-11-15T00:00:00Z", ""}}, "2025-02-01T00:00:00Z", 5 * 0.75},
		{"boundary second", "", []act{
			{0, "forum", "2025-03-31T23:59:59Z", ""}, // last second of Q1: decays once
			{0, "forum", "2025-04-01T00:00:00Z", ""}, // at t: counts in full
			{0, "forum", "2025-04-01T00:00:01Z", ""}, // after t: not yet
		}, "2025-04-01T00:00:00Z", 1.75},
		{"quarters in Los Angeles", `{"timezone": "America/Los_Angeles"}`, []act{
			{0, "content", "2025-04-01T03:00:00Z", ""}, // 31 March, 20:00 local: Q1
			{0, "content", "2025-04-01T08:00:00Z", ""}, // 1 April, 01:00 local: Q2
		}, "2025-04-01T12:00:00Z", 3*0.75 + 3},
		{"quarter not yet over in Los Angeles", `{"timezone": "America/Los_Angeles"}`, []act{
			{0, "content", "2025-03-31T20:00:00Z", ""},
		}, "2025-04-01T06:59:59Z", 3},
		{"quarters in Auckland", `{"timezone": "Pacific/Auckland"}`, []act{
			{0, "content", "2025-03-31T10:00:00Z", ""}, // 31 March, 23:00 local: Q1
		}, "2025-03-31T12:00:00Z", 3 * 0.75}, // 1 April, 01:00 local: Q2
		{"same instants in UTC", "", []act{{0, "content", "2025-03-31T10:00:00Z", ""}}, "2025-03-31T12:00:00Z", 3},
		{"quarterly rate 0", `{"decay": {"mode": "quarterly", "rate": 0}}`, []act{{0, "content", "2020-01-15T00:00:00Z", ""}}, "2025-07-01T00:00:00Z", 3},
		{"continuous", `{"decay": {"mode": "continuous", "rate": 0.25}}`, []act{{0, "speaking", "2025-03-02T16:30:00Z", ""}}, "2025-06-01T00:00:00Z",
			5 * math.Pow(0.75, (mustTime(t, "2025-06-01T00:00:00Z").Sub(mustTime(t, "2025-03-02T16:30:00Z")).Seconds())/7889400)},
		{"continuous after exactly Q", `{"decay": {"mode": "continuous", "rate": 0.5}}`, []act{{0, "content", "2025-01-01T00:00:00Z", ""}}, "2025-04-02T07:30:00Z", 1.5},
		{"continuous after two Q", `{"decay": {"mode": "continuous", "rate": 0.5}}`, []act{{0, "content", "2025-01-01T00:00:00Z", ""}}, "2025-07-02T15:00:00Z", 0.75},
		{"continuous at the instant", `{"decay": {"mode": "continuous"}}`, []act{{0, "content", "2025-01-01T00:00:00Z", ""}}, "2025-01-01T00:00:00Z", 3},
		{"none", `{"decay": {"mode": "none", "rate": 0.9}}`, []act{
			{0, "speaking", "2019-01-01T00:00:00Z", ""}, {0, "speaking", "2025-12-31T23:59:59Z", ""},
		}, "2026-01-01T00:00:00Z", 10},
		{"only approved activities of defined types", "", []act{
			{0, "speaking", "2025-04-02T00:00:00Z", cadre.ActivityPending},
			{0, "speaking", "2025-04-03T00:00:00Z", cadre.ActivityRejected},
			{0, "podcast", "2025-04-04T00:00:00Z", ""},
			{0, "forum", "2025-04-05T00:00:00Z", cadre.ActivityApproved},
		}, "2025-05-01T00:00:00Z", 1},
		{"future activities", "", []act{
			{0, "forum", "2025-04-05T00:00:00Z", ""}, {0, "speaking", "2025-05-01T00:00:00.000001Z", ""},
		}, "2025-05-01T00:00:00Z", 1},
		{"before any activity", "", []act{{0, "forum", "2025-04-05T00:00:00Z", ""}}, "2024-01-01T00:00:00Z", 0},
		{"custom points", `{"activity_types": [{"key": "talk", "multiplier": 5, "points": 2}]}`, []act{
			{0, "talk", "2025-04-05T00:00:00Z", ""}, {0, "forum", "2025-04-05T00:00:00Z", ""},
		}, "2025-05-01T00:00:00Z", 10},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEngine(t, mustCriteria(t, tt.criteria), tt.acts)
			at := mustTime(t, tt.at)
			if got := e.Score(0, at); !near(got, tt.want) {
				t.Errorf("Score = %.12f, want %.12f", got, tt.want)
			}
			var b Board
			e.Evaluate(at, &b)
			if len(tt.acts) > 0 && !near(b.Scores[0], tt.want) {
				t.Errorf("Evaluate score = %.12f, want %.12f", b.Scores[0], tt.want)
			}
		})
	}
}

func TestScoreOfUnknownMember(t *testing.T) {
	e := newEngine(t, criteria.Default(), []act{{0, "forum", "2025-04-05T00:00:00Z", ""}})
	for _, m := range []int32{-1, 1, 1000} {
		if got := e.Score(m, mustTime(t, "2025-05-01T00:00:00Z")); got != 0 {
			t.Errorf("Score(%d) = %v, want 0", m, got)
		}
	}
}

func TestActive(t *testing.T) {
	const at = "2025-09-30T00:00:00Z" // the window of 90 days starts 2025-07-02T00:00:00Z, exclusive
	tests := []struct {
		name     string
		criteria string
		act      act
		excluded bool
		want     bool
	}{
		{"inside the window", "", act{0, "forum", "2025-09-01T00:00:00Z", ""}, false, true},
		{"at t", "", act{0, "forum", at, ""}, false, true},
		{"after t", "", act{0, "forum", "2025-09-30T00:00:00.000001Z", ""}, false, false},
		{"at the start of the window", "", act{0, "forum", "2025-07-02T00:00:00Z", ""}, false, false},
		{"just after the start", "", act{0, "forum", "2025-07-02T00:00:00.000001Z", ""}, false, true},
		{"before the window", "", act{0, "speaking", "2025-06-01T00:00:00Z", ""}, false, false},
		{"shorter window", `{"active_window_days": 7}`, act{0, "forum", "2025-09-22T23:59:59Z", ""}, false, false},
		{"pending", "", act{0, "forum", "2025-09-01T00:00:00Z", cadre.ActivityPending}, false, false},
		{"rejected", "", act{0, "forum", "2025-09-01T00:00:00Z", cadre.ActivityRejected}, false, false},
		{"unknown type", "", act{0, "podcast", "2025-09-01T00:00:00Z", ""}, false, false},
		{"type worth nothing still counts", `{"activity_types": [{"key": "lurk", "multiplier": 0}]}`, act{0, "lurk", "2025-09-01T00:00:00Z", ""}, false, true},
		{"staff or bot", "", act{0, "forum", "2025-09-01T00:00:00Z", ""}, true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var excluded []int32
			if tt.excluded {
				excluded = append(excluded, 0)
			}
			e := newEngine(t, mustCriteria(t, tt.criteria), []act{tt.act}, excluded...)
			var b Board
			e.Evaluate(mustTime(t, at), &b)
			if b.Active[0] != tt.want {
				t.Errorf("active = %v, want %v", b.Active[0], tt.want)
			}
		})
	}
}

// community returns acts giving member i the score scores[i] (whole numbers,
// in forum posts of the same quarter as at) and the active community.
func community(scores ...int) []act {
	var acts []act
	for m, s := range scores {
		acts = append(acts, act{int32(m), "lurk", "2025-09-01T00:00:00Z", ""}) // active even with no points
		for range s {
			acts = append(acts, act{int32(m), "forum", "2025-09-02T00:00:00Z", ""})
		}
	}
	return acts
}

const communityCriteria = `{"decay": {"mode": "none"}, "thresholds": {"achieve": 5, "maintain": 3},
	"target_share": {"min": 0.2, "max": 0.5},
	"activity_types": [{"key": "forum", "multiplier": 1}, {"key": "lurk", "multiplier": 0}]}`

func TestQualification(t *testing.T) {
	tests := []struct {
		name       string
		acts       []act
		excluded   []int32
		active     []int32
		qualifying []int32
		share      float64
		warning    Warning
	}{
		{"nobody active", nil, nil, nil, nil, 0, ""},
		{"nobody qualifies", community(1, 2, 4), nil, []int32{0, 1, 2}, nil, 0, BarTooHigh},
		{"within the band", community(1, 5, 4, 9), nil, []int32{0, 1, 2, 3}, []int32{1, 3}, 0.5, ""},
		{"at the bottom of the band", community(5, 1, 1, 1, 1), nil, []int32{0, 1, 2, 3, 4}, []int32{0}, 0.2, ""},
		{"above the band", community(5, 6, 1), nil, []int32{0, 1, 2}, []int32{0, 1}, 2.0 / 3, BarTooLow},
		{"staff left out", community(5, 6, 1, 1), []int32{0, 1}, []int32{2, 3}, nil, 0, BarTooHigh},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEngine(t, mustCriteria(t, communityCriteria), tt.acts, tt.excluded...)
			var b Board
			e.Evaluate(mustTime(t, "2025-09-30T00:00:00Z"), &b)
			q := b.Qualification()
			if !slices.Equal(q.Active, tt.active) || !slices.Equal(q.Qualifying, tt.qualifying) {
				t.Errorf("active %v, qualifying %v; want %v, %v", q.Active, q.Qualifying, tt.active, tt.qualifying)
			}
			if !near(q.Share, tt.share) || q.Warning != tt.warning {
				t.Errorf("share %v %q, want %v %q", q.Share, q.Warning, tt.share, tt.warning)
			}
		})
	}
}

func TestQualificationThresholdSlack(t *testing.T) {
	tests := []struct {
		name  string
		score float64
		want  bool
	}{
		{"at achieve", 60, true},
		{"within 1e-9 below", 60 - 1e-10, true},
		{"further below", 60 - 1e-8, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := Board{Scores: []float64{tt.score}, Active: []bool{true}, c: criteria.Default()}
			if got := len(b.Qualification().Qualifying) == 1; got != tt.want {
				t.Errorf("qualifies = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestCalibrate(t *testing.T) {
	tests := []struct {
		name       string
		acts       []act
		excluded   []int32
		target     float64
		threshold  float64
		qualifying int
		share      float64
	}{
		{"top 10% of 20", community(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20), nil, 0.1, 19, 2, 0.1},
		{"at least one", community(3, 9, 5), nil, 0.01, 9, 1, 1.0 / 3},
		{"target 0", community(3, 9, 5), nil, 0, 9, 1, 1.0 / 3},
		{"target 1", community(3, 9, 5), nil, 1, 3, 3, 1},
		{"ties raise the share", community(8, 8, 8, 2, 1), nil, 0.2, 8, 3, 0.6},
		{"floor of target × N", community(1, 2, 3, 4, 5, 6, 7), nil, 0.3, 6, 2, 2.0 / 7},
		{"staff left out", community(50, 3, 9, 5), []int32{0}, 0.01, 9, 1, 1.0 / 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEngine(t, mustCriteria(t, communityCriteria), tt.acts, tt.excluded...)
			var b Board
			e.Evaluate(mustTime(t, "2025-09-30T00:00:00Z"), &b)
			got, err := b.Calibrate(tt.target)
			if err != nil {
				t.Fatal(err)
			}
			want := Calibration{Target: tt.target, Threshold: tt.threshold, Active: len(tt.acts) - sum(tt.acts) - len(tt.excluded), Qualifying: tt.qualifying, Share: tt.share}
			if got.Target != want.Target || got.Threshold != want.Threshold || got.Active != want.Active || got.Qualifying != want.Qualifying || !near(got.Share, want.Share) {
				t.Errorf("Calibrate(%v) = %+v, want %+v", tt.target, got, want)
			}
		})
	}
}

// sum returns the number of forum posts in acts of community.
func sum(acts []act) int {
	n := 0
	for _, a := range acts {
		if a.typ == "forum" {
			n++
		}
	}
	return n
}

func TestCalibrateFails(t *testing.T) {
	e := newEngine(t, mustCriteria(t, communityCriteria), community(3, 9, 5))
	var b Board
	e.Evaluate(mustTime(t, "2025-09-30T00:00:00Z"), &b)
	var nobody Board
	e.Evaluate(mustTime(t, "2024-01-01T00:00:00Z"), &nobody)
	tests := []struct {
		name   string
		b      *Board
		target float64
	}{
		{"nobody active", &nobody, 0.05},
		{"negative target", &b, -0.1},
		{"target above 1", &b, 1.5},
		{"NaN target", &b, math.NaN()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.b.Calibrate(tt.target)
			var cerr *cadre.Error
			if !errors.As(err, &cerr) || cerr.Code != cadre.EINVALID {
				t.Errorf("Calibrate(%v) error = %v, want an invalid error", tt.target, err)
			}
		})
	}
}

func TestProject(t *testing.T) {
	utc := func(s string) time.Time { return mustTime(t, s) }
	// The next review is the quarter's last instant (SPEC section 5): under
	// quarterly decay the score there is the score now.
	review := utc("2025-04-01T00:00:00Z").Add(-time.Microsecond)
	tests := []struct {
		name          string
		criteria      string
		acts          []act
		at            string
		score         float64
		belowMaintain time.Time
		belowAchieve  time.Time
		next          time.Time
		nextScore     float64
		pointsNeeded  float64
		counts        []int // by default activity type
	}{
		{"decays through achieve and maintain", "", speaking(20), "2025-02-10T00:00:00Z",
			100, utc("2026-01-01T00:00:00Z"), utc("2025-07-01T00:00:00Z"), // 100, 75, 56.25, 42.19, 31.64
			review, 100, 0, []int{0, 0, 0, 0, 0, 0, 0}},
		{"boundaries in the criteria's zone", `{"timezone": "Europe/Berlin"}`, speaking(20), "2025-02-10T00:00:00Z",
			100, utc("2025-12-31T23:00:00Z"), utc("2025-06-30T22:00:00Z"),
			utc("2025-03-31T22:00:00Z").Add(-time.Microsecond), 100, 0, []int{0, 0, 0, 0, 0, 0, 0}},
		{"keeps maintain at the review, not after", `{"decay": {"rate": 0.5}}`, speaking(12), "2025-02-10T00:00:00Z",
			60, utc("2025-04-01T00:00:00Z"), utc("2025-04-01T00:00:00Z"), // 60, then 30
			review, 60, 0, []int{0, 0, 0, 0, 0, 0, 0}},
		{"needs activity before the review", `{"decay": {"rate": 0.5}}`, speaking(6), "2025-02-10T00:00:00Z",
			30, time.Time{}, time.Time{},
			review, 30, 10, []int{10, 4, 3, 2, 5, 5, 5}},
		{"already below both", "", speaking(2), "2025-02-10T00:00:00Z",
			10, time.Time{}, time.Time{},
			review, 10, 30, []int{30, 10, 8, 6, 15, 15, 15}},
		{"no decay never falls", `{"decay": {"mode": "none"}}`, speaking(10), "2025-02-10T00:00:00Z",
			50, time.Time{}, time.Time{},
			review, 50, 0, []int{0, 0, 0, 0, 0, 0, 0}},
		{"no decay, below", `{"decay": {"mode": "none"}}`, speaking(2), "2025-02-10T00:00:00Z",
			10, time.Time{}, time.Time{},
			review, 10, 30, []int{30, 10, 8, 6, 15, 15, 15}},
		{"rate 0 never falls", `{"decay": {"rate": 0}}`, speaking(10), "2025-02-10T00:00:00Z",
			50, time.Time{}, time.Time{},
			review, 50, 0, []int{0, 0, 0, 0, 0, 0, 0}},
		{"zero thresholds are never missed", `{"thresholds": {"achieve": 0, "maintain": 0}}`, speaking(1), "2025-02-10T00:00:00Z",
			5, time.Time{}, time.Time{},
			review, 5, 0, []int{0, 0, 0, 0, 0, 0, 0}},
		{"future activity left out", "", append(speaking(20), act{0, "speaking", "2025-03-01T00:00:00Z", ""}), "2025-02-10T00:00:00Z",
			100, utc("2026-01-01T00:00:00Z"), utc("2025-07-01T00:00:00Z"),
			review, 100, 0, []int{0, 0, 0, 0, 0, 0, 0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := mustCriteria(t, tt.criteria)
			p := newEngine(t, c, tt.acts).Project(0, mustTime(t, tt.at))
			if !near(p.Score, tt.score) || !near(p.NextScore, tt.nextScore) || !near(p.PointsNeeded, tt.pointsNeeded) {
				t.Errorf("score %v, next %v, points needed %v; want %v, %v, %v", p.Score, p.NextScore, p.PointsNeeded, tt.score, tt.nextScore, tt.pointsNeeded)
			}
			for _, check := range []struct {
				what      string
				got, want time.Time
			}{{"below maintain", p.BelowMaintain, tt.belowMaintain}, {"below achieve", p.BelowAchieve, tt.belowAchieve}, {"next", p.Next, tt.next}} {
				if !check.got.Equal(check.want) {
					t.Errorf("%s = %v, want %v", check.what, check.got, check.want)
				}
			}
			var counts []int
			for i, tc := range p.Activities {
				if tc.Type != c.ActivityTypes[i].Key {
					t.Fatalf("activities[%d] is of %q, want %q", i, tc.Type, c.ActivityTypes[i].Key)
				}
				counts = append(counts, tc.Count)
			}
			if !slices.Equal(counts, tt.counts) {
				t.Errorf("activities needed %v, want %v", counts, tt.counts)
			}
		})
	}
}

// speaking returns n speaking activities of member 0 early in 2025 Q1.
func speaking(n int) []act {
	acts := make([]act, n)
	for i := range acts {
		acts[i] = act{0, "speaking", "2025-01-05T00:00:00Z", ""}
	}
	return acts
}

func TestProjectLeavesOutTypesWorthNothing(t *testing.T) {
	c := mustCriteria(t, `{"activity_types": [{"key": "forum", "multiplier": 1}, {"key": "lurk", "multiplier": 0}]}`)
	p := newEngine(t, c, nil).Project(0, mustTime(t, "2025-02-10T00:00:00Z"))
	if want := []TypeCount{{"forum", 40}}; !slices.Equal(p.Activities, want) { // maintain 40, nothing to decay before the review
		t.Errorf("activities %v, want %v", p.Activities, want)
	}
}

// TestProjectContinuous checks the boundaries found under continuous decay
// against a walk over the quarter starts.
func TestProjectContinuous(t *testing.T) {
	c := mustCriteria(t, `{"decay": {"mode": "continuous", "rate": 0.3}, "timezone": "Asia/Tokyo"}`)
	e := newEngine(t, c, speaking(30))
	for _, at := range []string{"2025-01-05T00:00:00Z", "2025-02-17T13:00:00Z", "2025-03-31T14:59:59Z", "2025-03-31T15:00:00Z"} {
		t.Run(at, func(t *testing.T) {
			from := mustTime(t, at)
			s := e.Score(0, from)
			p := e.Project(0, from)
			for _, th := range []struct {
				name      string
				threshold float64
				got       time.Time
			}{{"maintain", c.Thresholds.Maintain, p.BelowMaintain}, {"achieve", c.Thresholds.Achieve, p.BelowAchieve}} {
				want := firstBoundaryBelow(t, c, s, th.threshold, from)
				if !th.got.Equal(want) {
					t.Errorf("below %s at %v, want %v", th.name, th.got, want)
				}
			}
		})
	}
}

// firstBoundaryBelow walks the quarter starts after from until a score of s at
// from, decaying continuously, is below threshold.
func firstBoundaryBelow(tb testing.TB, c *criteria.Criteria, s, threshold float64, from time.Time) time.Time {
	tb.Helper()
	loc := c.Location()
	local := from.In(loc)
	b := time.Date(local.Year(), time.Month((int(local.Month())-1)/3*3+1), 1, 0, 0, 0, 0, loc)
	for range 400 {
		b = b.AddDate(0, 3, 0)
		if s*math.Pow(1-c.Decay.Rate, b.Sub(from).Seconds()/7889400) < threshold-1e-9 {
			return b
		}
	}
	tb.Fatal("score never falls below the threshold")
	return time.Time{}
}

func TestHistory(t *testing.T) {
	var h History
	at := mustTime(t, "2025-01-05T00:00:00Z")
	for _, e := range []Event{
		{Member: 0, Type: "forum", At: at, Status: cadre.ActivityApproved},
		{Member: 4, Type: "forum", At: at, Status: cadre.ActivityPending},
		{Member: 2, Type: "podcast", At: at, Status: cadre.ActivityApproved},
	} {
		if err := h.Add(e); err != nil {
			t.Fatal(err)
		}
	}
	if err := h.SetExcluded(6, true); err != nil {
		t.Fatal(err)
	}
	if h.Members() != 7 || h.Len() != 2 {
		t.Errorf("%d members, %d activities; want 7, 2", h.Members(), h.Len())
	}
	if err := h.Add(Event{Member: -1, Type: "forum", At: at, Status: cadre.ActivityApproved}); cadre.ErrorCode(err) != cadre.EINVALID {
		t.Errorf("Add of member -1: error %v, want an invalid error", err)
	}
	if err := h.SetExcluded(-1, true); cadre.ErrorCode(err) != cadre.EINVALID {
		t.Errorf("SetExcluded(-1): error %v, want an invalid error", err)
	}

	e := New(criteria.Default(), &h)
	var b Board
	e.Evaluate(at, &b)
	if e.Members() != 7 || len(b.Scores) != 7 || b.Scores[0] != 1 || b.Scores[4] != 0 {
		t.Errorf("scores %v, want 7 members with only member 0 at 1", b.Scores)
	}
}

func TestQuarters(t *testing.T) {
	tests := []struct {
		zone  string
		at    string
		q     int32
		start string // of quarter q
	}{
		{"UTC", "2025-01-01T00:00:00Z", 4*2025 + 0, "2025-01-01T00:00:00Z"},
		{"UTC", "2025-03-31T23:59:59.999999Z", 4*2025 + 0, "2025-01-01T00:00:00Z"},
		{"UTC", "2025-04-01T00:00:00Z", 4*2025 + 1, "2025-04-01T00:00:00Z"},
		{"UTC", "2025-12-31T12:00:00Z", 4*2025 + 3, "2025-10-01T00:00:00Z"},
		{"America/Los_Angeles", "2025-04-01T06:59:59Z", 4*2025 + 0, "2025-01-01T08:00:00Z"},
		{"America/Los_Angeles", "2025-04-01T07:00:00Z", 4*2025 + 1, "2025-04-01T07:00:00Z"},
		{"Pacific/Auckland", "2025-09-30T10:59:59Z", 4*2025 + 2, "2025-06-30T12:00:00Z"}, // NZST, +12
		{"Pacific/Auckland", "2025-09-30T11:00:00Z", 4*2025 + 3, "2025-09-30T11:00:00Z"}, // NZDT, +13
		{"America/Asuncion", "2023-10-01T03:59:59.999999Z", 4*2023 + 2, "2023-07-01T04:00:00Z"},
		{"America/Asuncion", "2023-10-01T04:00:00Z", 4*2023 + 3, "2023-10-01T04:00:00Z"}, // no midnight: 01:00 came first
		{"Asia/Gaza", "2004-09-30T20:59:59Z", 4*2004 + 2, "2004-06-30T21:00:00Z"},
		{"Asia/Gaza", "2004-09-30T22:00:00Z", 4*2004 + 3, "2004-09-30T21:00:00Z"}, // midnight twice: the first counts
		{"UTC", "0001-02-01T00:00:00Z", 4, "0001-01-01T00:00:00Z"},
	}
	for _, tt := range tests {
		t.Run(tt.zone+" "+tt.at, func(t *testing.T) {
			loc, err := time.LoadLocation(tt.zone)
			if err != nil {
				t.Fatal(err)
			}
			at := mustTime(t, tt.at)
			if q := quarterOf(at, loc); q != tt.q {
				t.Errorf("quarterOf = %d, want %d", q, tt.q)
			}
			if start := quarterStart(tt.q, loc); !start.Equal(mustTime(t, tt.start)) {
				t.Errorf("quarterStart = %v, want %s", start.UTC(), tt.start)
			}
			qt := newQuarterTable(at.UnixMicro()-1e12, at.UnixMicro()+1e12, loc)
			got := []activity{{at: at.UnixMicro()}}
			qt.index(got)
			if got[0].quarter != tt.q {
				t.Errorf("quarter table gives %d, want %d", got[0].quarter, tt.q)
			}
		})
	}
	if start := quarterStart(-1, time.UTC); !start.Equal(time.Date(-1, 10, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("quarterStart(-1) = %v, want the last quarter of year -1", start)
	}
}

func TestContinuousFactor(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for _, base := range []float64{0.75, 0.5, 0.1, 0.999} {
		ct := newContinuousTable(base)
		ages := []int64{0, 1, digitMask, quarterMicros, tableAges - 1, tableAges, 3 * tableAges}
		for range 10000 {
			ages = append(ages, r.Int64N(tableAges))
		}
		for _, age := range ages {
			// math.Pow is off by its exponent's rounding too, which grows with
			// the exponent; subnormal factors have few digits to compare.
			x := float64(age) / quarterMicros
			want := math.Pow(base, x)
			if got := ct.factor(age); want > 1e-300 && math.Abs(got-want) > 1e-15*(8+math.Abs(x*math.Log(base)))*want {
				t.Fatalf("base %v, age %d: factor %v, want %v", base, age, got, want)
			}
		}
	}
}

// TestMatchesReference scores random communities at many instants, with
// activity after some of them, and compares every score and active flag with
// a direct reading of SPEC sections 3 and 4.
func TestMatchesReference(t *testing.T) {
	docs := []string{
		`{"timezone": "America/Los_Angeles"}`,
		`{"timezone": "America/Asuncion", "decay": {"rate": 0.1}}`, // no midnight on 1 October 2023
		`{"timezone": "Pacific/Auckland", "decay": {"rate": 0.5}, "active_window_days": 30}`,
		`{"timezone": "Europe/Berlin", "decay": {"mode": "continuous", "rate": 0.25}}`,
		`{"decay": {"mode": "continuous", "rate": 0.9}, "active_window_days": 7}`,
		`{"decay": {"mode": "none"}}`,
	}
	types := []string{"forum", "content", "speaking", "podcast"}
	statuses := []cadre.ActivityStatus{cadre.ActivityApproved, cadre.ActivityApproved, cadre.ActivityPending, cadre.ActivityRejected}
	start := mustTime(t, "2023-06-01T00:00:00Z").UnixMicro()
	const span = 3 * 365 * 24 * int64(time.Hour/time.Microsecond)
	for seed, doc := range docs {
		t.Run(doc, func(t *testing.T) {
			c := mustCriteria(t, doc)
			r := rand.New(rand.NewPCG(uint64(seed), 7))
			const members = 40
			var h History
			var events []Event
			for range 600 {
				e := Event{
					Member: int32(r.IntN(members)) * int32(r.IntN(2)), // member 0 is busiest
					Type:   types[r.IntN(len(types))],
					At:     time.UnixMicro(start + r.Int64N(span)),
					Status: statuses[r.IntN(len(statuses))],
				}
				events = append(events, e)
				if err := h.Add(e); err != nil {
					t.Fatal(err)
				}
			}
			// Some activities at quarter boundaries, to the microsecond.
			for q := quarterOf(time.UnixMicro(start), c.Location()); q < quarterOf(time.UnixMicro(start+span), c.Location()); q++ {
				e := Event{Member: int32(q % members), Type: "content", At: quarterStart(q, c.Location()), Status: cadre.ActivityApproved}
				events = append(events, e, Event{Member: e.Member, Type: "forum", At: e.At.Add(-time.Microsecond), Status: cadre.ActivityApproved})
				if err := errors.Join(h.Add(events[len(events)-2]), h.Add(events[len(events)-1])); err != nil {
					t.Fatal(err)
				}
			}
			if err := h.SetExcluded(3, true); err != nil {
				t.Fatal(err)
			}
			e := New(c, &h)

			instants := []time.Time{time.UnixMicro(start - 1), time.UnixMicro(start + span + 1)}
			for range 50 {
				instants = append(instants, time.UnixMicro(start+r.Int64N(span)))
			}
			for _, ev := range events[len(events)-10:] {
				instants = append(instants, ev.At, ev.At.Add(-time.Microsecond))
			}
			var b Board
			for _, at := range instants {
				e.Evaluate(at, &b)
				for m := range int32(members) {
					want, active := reference(c, events, m, at)
					if !near(b.Scores[m], want) || b.Active[m] != (active && m != 3) {
						t.Fatalf("member %d at %v: score %.12f active %v, want %.12f %v", m, at, b.Scores[m], b.Active[m], want, active && m != 3)
					}
					if s := e.Score(m, at); s != b.Scores[m] {
						t.Fatalf("member %d at %v: Score %.12f, Evaluate %.12f", m, at, s, b.Scores[m])
					}
				}
			}
		})
	}
}

// reference computes a member's score at t and whether they have a counted
// activity in the active window, straight from the specification.
func reference(c *criteria.Criteria, events []Event, member int32, t time.Time) (score float64, active bool) {
	q := func(t time.Time) int {
		y, m, _ := t.In(c.Location()).Date()
		return 4*y + (int(m)-1)/3
	}
	windowStart := t.Add(-time.Duration(c.ActiveWindowDays) * 24 * time.Hour)
	for _, e := range events {
		if e.Member != member || e.At.After(t) {
			continue
		}
		if _, defined := c.Type(e.Type); defined && e.Status == cadre.ActivityApproved && e.At.After(windowStart) {
			active = true
		}
		var p float64 // SPEC section 2: points × multiplier, approved only
		if typ, defined := c.Type(e.Type); defined && e.Status == cadre.ActivityApproved {
			p = typ.Points * typ.Multiplier
		}
		switch c.Decay.Mode {
		case criteria.DecayQuarterly:
			score += p * math.Pow(1-c.Decay.Rate, float64(q(t)-q(e.At)))
		case criteria.DecayContinuous:
			score += p * math.Pow(1-c.Decay.Rate, t.Sub(e.At).Seconds()/7889400)
		default:
			score += p
		}
	}
	return score, active
}

// TestExtremeCriteriaKeepScoresFinite scores with the largest numbers that
// criteria.Validate lets through (SPEC section 1) under every decay mode, over
// activities spread across all the years an activity may have and piled up
// on one day: no score, projection or breakdown is infinite or NaN.
func TestExtremeCriteriaKeepScoresFinite(t *testing.T) {
	const types = `"activity_types": [{"key": "big", "multiplier": 1e6, "points": 1e6, "effort_minutes": 1e5},
		{"key": "tiny", "multiplier": 1e-300, "points": 1e-300}],
		"thresholds": {"achieve": 1e12, "maintain": 1e12}, "active_window_days": 3660,
		"activation": {"window_days": 3660, "min_activities": 1000000}`
	var acts []act
	for at := cadre.EarliestActivity; at.Before(cadre.LatestActivity); at = at.AddDate(0, 1, 0) {
		acts = append(acts, act{0, "big", at.Format(time.RFC3339), ""}, act{0, "tiny", at.Format(time.RFC3339), ""})
	}
	for range 10_000 {
		acts = append(acts, act{1, "big", "2099-12-31T00:00:00Z", ""})
	}
	instants := []time.Time{cadre.EarliestActivity, mustTime(t, "2025-02-10T00:00:00Z"), cadre.LatestActivity.Add(-time.Microsecond)}
	for _, decay := range []string{
		`{"mode": "quarterly", "rate": 0.9999999999999999}`,
		`{"mode": "continuous", "rate": 0.9999999999999999}`,
		`{"mode": "quarterly", "rate": 0}`,
		`{"mode": "none"}`,
	} {
		t.Run(decay, func(t *testing.T) {
			e := newEngine(t, mustCriteria(t, `{"decay": `+decay+`, `+types+`}`), acts)
			finite := func(what string, v float64) {
				t.Helper()
				if math.IsInf(v, 0) || math.IsNaN(v) {
					t.Errorf("%s = %v", what, v)
				}
			}
			var b Board
			for _, at := range instants {
				e.Evaluate(at, &b)
				for m, s := range b.Scores {
					finite(fmt.Sprintf("score of member %d at %v", m, at), s)
					p := e.Project(int32(m), at)
					finite("projected score", p.NextScore)
					finite("points needed", p.PointsNeeded)
					bd := e.Breakdown(int32(m), at)
					for _, part := range append(bd.ByType, bd.ByQuarter...) {
						finite("points of "+part.Key, part.Points)
					}
					for _, h := range bd.History {
						finite("history", h.Score)
					}
				}
			}
		})
	}
}
