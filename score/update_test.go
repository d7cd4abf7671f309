package score

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/cadrehq/cadre"
	"github.com/cadrehq/cadre/criteria"
)

// TestEngineUpdates applies random sequences of Add, Remove and SetExcluded
// to engines built from part of a community, and checks that every answer of
// the engine equals that of a new engine over the resulting History.
func TestEngineUpdates(t *testing.T) {
	docs := []string{
		`{"timezone": "America/Sao_Paulo"}`,
		`{"timezone": "Europe/London", "decay": {"rate": 0.5}, "active_window_days": 30}`,
		`{"timezone": "America/Sao_Paulo", "decay": {"mode": "continuous", "rate": 0.3}}`,
		`{"timezone": "Europe/London", "decay": {"mode": "continuous", "rate": 0.9}, "active_window_days": 7}`,
		`{"timezone": "Europe/London", "decay": {"mode": "none"}}`,
	}
	types := []string{"forum", "forum", "content", "speaking", "podcast"}
	statuses := []cadre.ActivityStatus{cadre.ActivityApproved, cadre.ActivityApproved, cadre.ActivityApproved, cadre.ActivityPending, cadre.ActivityRejected}
	start := time.Date(2023, 6, 1, 0, 0, 0, 0, time.UTC).UnixMicro()
	const (
		span    = 2 * 365 * 24 * int64(time.Hour/time.Microsecond)
		members = 12
	)
	for i, doc := range docs {
		c := mustCriteria(t, doc)
		for seed := range uint64(6) {
			t.Run(doc, func(t *testing.T) {
				r := rand.New(rand.NewPCG(seed, uint64(i)))
				now := start + span/2 // the clock of activities arriving live
				random := func() Event {
					ev := Event{Member: int32(r.IntN(members)), Type: types[r.IntN(len(types))], Status: statuses[r.IntN(len(statuses))]}
					switch x := r.IntN(10); {
					case x < 6: // live, at or after everything before
						now += r.Int64N(span / 50)
						ev.At = time.UnixMicro(now)
					case x < 7: // back-filled long before, in quarters never seen
						ev.At = time.UnixMicro(start - r.Int64N(3*span))
					case x < 8: // at a quarter boundary
						q := quarterOf(time.UnixMicro(start+r.Int64N(span)), c.Location())
						ev.At = quarterStart(q, c.Location()).Add(-time.Duration(r.IntN(2)) * time.Microsecond)
					default: // back-filled among the others
						ev.At = time.UnixMicro(start + r.Int64N(span))
					}
					return ev
				}

				var h History
				var live []Event // the approved activities of h
				add := func(ev Event) {
					t.Helper()
					if err := h.Add(ev); err != nil {
						t.Fatal(err)
					}
					if ev.Status == cadre.ActivityApproved {
						live = append(live, ev)
					}
				}
				for range r.IntN(60) {
					ev := random()
					ev.At = time.UnixMicro(start + r.Int64N(span/2))
					add(ev)
				}
				e := New(c, &h)

				for op := range 240 {
					switch x := r.IntN(10); {
					case x < 5:
						ev := random()
						if r.IntN(20) == 0 {
							ev.Member = int32(h.Members() + r.IntN(3)) // a new member
						}
						if len(live) > 0 && r.IntN(10) == 0 {
							ev = live[r.IntN(len(live))] // the same again
						}
						if err := e.Add(ev); err != nil {
							t.Fatal(err)
						}
						add(ev)
					case x < 8:
						ev := random() // most likely never added
						if len(live) > 0 && r.IntN(4) > 0 {
							j := r.IntN(len(live))
							ev = live[j]
							live = slices.Delete(live, j, j+1)
							ev.Status = cadre.ActivityRejected
						}
						_, defined := c.Type(ev.Type)
						removed := h.Remove(ev) == 1
						if got := e.Remove(ev); got != (removed && defined) {
							t.Fatalf("op %d: Remove(%+v) = %v, History removed %v, type defined %v", op, ev, got, removed, defined)
						}
					default:
						m, x := int32(r.IntN(h.Members()+2)), r.IntN(2) == 0
						if err := errorsOf(e.SetExcluded(m, x), h.SetExcluded(m, x)); err != nil {
							t.Fatal(err)
						}
					}
					if op%60 == 59 {
						compareEngines(t, e, New(c, &h), instantsOf(r, live, start, now))
					}
				}
			})
		}
	}
}

func errorsOf(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// instantsOf returns instants to compare engines at: before, among and after
// the activities, at some of them to the microsecond, and at quarter
// boundaries.
func instantsOf(r *rand.Rand, live []Event, start, now int64) []time.Time {
	instants := []time.Time{
		time.UnixMicro(start - 10*365*24*int64(time.Hour/time.Microsecond)),
		time.UnixMicro(now + 1),
		time.UnixMicro(now + 3*365*24*int64(time.Hour/time.Microsecond)),
	}
	for range 4 {
		instants = append(instants, time.UnixMicro(start+r.Int64N(now-start)))
	}
	for range min(4, len(live)) {
		at := live[r.IntN(len(live))].At
		instants = append(instants, at, at.Add(-time.Microsecond))
	}
	return instants
}

// compareEngines checks that got answers as want does at each instant.
func compareEngines(t *testing.T, got, want *Engine, instants []time.Time) {
	t.Helper()
	if got.Members() != want.Members() {
		t.Fatalf("%d members, want %d", got.Members(), want.Members())
	}
	var gb, wb Board
	for _, at := range instants {
		got.Evaluate(at, &gb)
		want.Evaluate(at, &wb)
		for m := range wb.Scores {
			if !near(gb.Scores[m], wb.Scores[m]) || gb.Active[m] != wb.Active[m] {
				t.Fatalf("member %d at %v: score %.12f active %v, want %.12f %v", m, at, gb.Scores[m], gb.Active[m], wb.Scores[m], wb.Active[m])
			}
		}
		for m := range int32(want.Members() + 1) {
			if g, w := got.Score(m, at), want.Score(m, at); !near(g, w) {
				t.Fatalf("Score(%d, %v) = %.12f, want %.12f", m, at, g, w)
			}
			if g, w := got.Breakdown(m, at), want.Breakdown(m, at); !sameBreakdown(g, w) {
				t.Fatalf("Breakdown(%d, %v) = %+v, want %+v", m, at, g, w)
			}
			if g, w := got.Project(m, at), want.Project(m, at); !sameProjection(g, w) {
				t.Fatalf("Project(%d, %v) = %+v, want %+v", m, at, g, w)
			}
		}
	}
}

func sameBreakdown(a, b Breakdown) bool {
	sameParts := func(a, b []Part) bool {
		return slices.EqualFunc(a, b, func(a, b Part) bool {
			return a.Key == b.Key && a.Start.Equal(b.Start) && a.Activities == b.Activities && near(a.Points, b.Points) && near(a.Score, b.Score)
		})
	}
	return a.At.Equal(b.At) && near(a.Score, b.Score) && sameParts(a.ByType, b.ByType) && sameParts(a.ByQuarter, b.ByQuarter) &&
		slices.EqualFunc(a.History, b.History, func(a, b ScoreAt) bool { return a.At.Equal(b.At) && near(a.Score, b.Score) })
}

func sameProjection(a, b Projection) bool {
	return near(a.Score, b.Score) && a.BelowMaintain.Equal(b.BelowMaintain) && a.BelowAchieve.Equal(b.BelowAchieve) &&
		a.Next.Equal(b.Next) && near(a.NextScore, b.NextScore) && near(a.PointsNeeded, b.PointsNeeded) && slices.Equal(a.Activities, b.Activities)
}

// smallCommunity is the engine of a few activities that the tests below change.
func smallCommunity(t *testing.T) *Engine {
	t.Helper()
	return newEngine(t, criteria.Default(), []act{
		{0, "forum", "2025-01-10T09:00:00Z", ""},
		{0, "content", "2025-04-10T09:00:00Z", ""},
		{0, "podcast", "2025-04-11T09:00:00Z", ""},
		{1, "speaking", "2025-05-01T00:00:00Z", ""},
		{1, "speaking", "2025-05-01T00:00:00Z", ""},
		{1, "forum", "2025-05-01T00:00:00Z", cadre.ActivityPending},
	}, 2)
}

func TestEngineRemoveMissing(t *testing.T) {
	at := mustTime(t, "2025-04-10T09:00:00Z")
	tests := []struct {
		name string
		ev   Event
	}{
		{"a microsecond later", Event{Member: 0, Type: "content", At: at.Add(time.Microsecond)}},
		{"a microsecond earlier", Event{Member: 0, Type: "content", At: at.Add(-time.Microsecond)}},
		{"another type", Event{Member: 0, Type: "forum", At: at}},
		{"another member", Event{Member: 1, Type: "content", At: at}},
		{"a type the criteria do not define", Event{Member: 0, Type: "podcast", At: mustTime(t, "2025-04-11T09:00:00Z")}},
		{"never approved", Event{Member: 1, Type: "forum", At: mustTime(t, "2025-05-01T00:00:00Z")}},
		{"a member without activity", Event{Member: 2, Type: "content", At: at}},
		{"an unknown member", Event{Member: 3, Type: "content", At: at}},
		{"a negative member", Event{Member: -1, Type: "content", At: at}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := smallCommunity(t)
			if e.Remove(tt.ev) {
				t.Errorf("Remove(%+v) = true, want false", tt.ev)
			}
			compareEngines(t, e, smallCommunity(t), []time.Time{at, mustTime(t, "2025-06-01T00:00:00Z")})
		})
	}
}

func TestEngineRemove(t *testing.T) {
	e := smallCommunity(t)
	after := mustTime(t, "2025-06-01T00:00:00Z")
	speaking := Event{Member: 1, Type: "speaking", At: mustTime(t, "2025-05-01T00:00:00Z")}
	for _, want := range []float64{5, 0} {
		if !e.Remove(speaking) {
			t.Fatal("Remove of a counted activity = false")
		}
		if got := e.Score(1, after); got != want {
			t.Errorf("score %v after removing a duplicate, want %v", got, want)
		}
	}
	if e.Remove(speaking) {
		t.Error("Remove of an activity removed already = true")
	}
	var b Board
	e.Evaluate(after, &b)
	if b.Active[1] {
		t.Error("member 1 still active without activity")
	}
}

func TestEngineAddUncounted(t *testing.T) {
	at := mustTime(t, "2025-05-02T00:00:00Z")
	tests := []struct {
		name string
		ev   Event
	}{
		{"pending", Event{Member: 5, Type: "speaking", At: at, Status: cadre.ActivityPending}},
		{"rejected", Event{Member: 5, Type: "speaking", At: at, Status: cadre.ActivityRejected}},
		{"no status", Event{Member: 5, Type: "speaking", At: at}},
		{"type the criteria do not define", Event{Member: 5, Type: "podcast", At: at, Status: cadre.ActivityApproved}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := smallCommunity(t)
			if err := e.Add(tt.ev); err != nil {
				t.Fatal(err)
			}
			if e.Members() != 6 {
				t.Fatalf("%d members, want the new member named", e.Members())
			}
			var b Board
			e.Evaluate(at, &b)
			if b.Scores[5] != 0 || b.Active[5] || b.Scores[4] != 0 || b.Scores[1] != 10 {
				t.Errorf("scores %v, active %v: want only members 0 and 1 scored", b.Scores, b.Active)
			}
			if e.Remove(Event{Member: 5, Type: tt.ev.Type, At: at}) {
				t.Error("Remove of the uncounted activity = true")
			}
		})
	}
	e := smallCommunity(t)
	if err := e.Add(Event{Member: -1, Type: "forum", At: at, Status: cadre.ActivityApproved}); cadre.ErrorCode(err) != cadre.EINVALID {
		t.Errorf("Add of member -1: error %v, want an invalid error", err)
	}
	if err := e.SetExcluded(-1, true); cadre.ErrorCode(err) != cadre.EINVALID {
		t.Errorf("SetExcluded(-1): error %v, want an invalid error", err)
	}
}

func TestSetExcluded(t *testing.T) {
	at := mustTime(t, "2025-05-02T00:00:00Z")
	e := smallCommunity(t)
	var h History
	steps := []struct {
		member   int32
		excluded bool
		active   []int32
		members  int
	}{
		{0, true, []int32{1}, 3},
		{1, true, nil, 3},
		{0, false, []int32{0}, 3},
		{2, false, []int32{0}, 3},
		{4, false, []int32{0}, 5},
		{6, true, []int32{0}, 7},
	}
	for _, s := range steps {
		if err := errorsOf(e.SetExcluded(s.member, s.excluded), h.SetExcluded(s.member, s.excluded)); err != nil {
			t.Fatal(err)
		}
		var b Board
		e.Evaluate(at, &b)
		if q := b.Qualification(); !slices.Equal(q.Active, s.active) || e.Members() != s.members {
			t.Errorf("after SetExcluded(%d, %v): active %v, %d members; want %v, %d", s.member, s.excluded, q.Active, e.Members(), s.active, s.members)
		}
	}
	if want := []bool{false, true, false, false, false, false, true}; !slices.Equal(h.excluded, want) || h.Members() != 7 {
		t.Errorf("history exclusions %v of %d members, want %v of 7", h.excluded, h.Members(), want)
	}
}

func TestHistoryRemove(t *testing.T) {
	day := func(d int) time.Time { return time.Date(2025, 3, d, 12, 0, 0, 0, time.UTC) }
	base := []Event{
		{Member: 0, Type: "forum", At: day(1)},
		{Member: 1, Type: "forum", At: day(1)},
		{Member: 0, Type: "content", At: day(2)},
		{Member: 0, Type: "forum", At: day(3)},
		{Member: 0, Type: "forum", At: day(3)},
		{Member: 2, Type: "podcast", At: day(4)},
	}
	tests := []struct {
		name   string
		remove []Event
		want   int
		left   []int // positions in base of what is left
	}{
		{"nothing", nil, 0, []int{0, 1, 2, 3, 4, 5}},
		{"the newest", []Event{base[5]}, 1, []int{0, 1, 2, 3, 4}},
		{"the oldest", []Event{base[0]}, 1, []int{1, 2, 3, 4, 5}},
		{"one of two equal", []Event{base[3]}, 1, []int{0, 1, 2, 3, 5}},
		{"both of two equal", []Event{base[3], base[4]}, 2, []int{0, 1, 2, 5}},
		{"more than there are", []Event{base[3], base[3], base[3]}, 2, []int{0, 1, 2, 5}},
		{"several, keeping the order", []Event{base[2], base[0], base[5]}, 3, []int{1, 3, 4}},
		{"unknown type", []Event{{Member: 0, Type: "speaking", At: day(1)}}, 0, []int{0, 1, 2, 3, 4, 5}},
		{"another time", []Event{{Member: 0, Type: "forum", At: day(1).Add(time.Microsecond)}}, 0, []int{0, 1, 2, 3, 4, 5}},
		{"another member", []Event{{Member: 2, Type: "forum", At: day(1)}}, 0, []int{0, 1, 2, 3, 4, 5}},
		{"negative member", []Event{{Member: -1, Type: "forum", At: day(1)}}, 0, []int{0, 1, 2, 3, 4, 5}},
		{"status is not compared", []Event{{Member: 1, Type: "forum", At: day(1), Status: cadre.ActivityRejected}}, 1, []int{0, 2, 3, 4, 5}},
		{"all", base, 6, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var h, want History
			for i, ev := range base {
				ev.Status = cadre.ActivityApproved
				if err := h.Add(ev); err != nil {
					t.Fatal(err)
				}
				if slices.Contains(tt.left, i) {
					if err := want.Add(ev); err != nil {
						t.Fatal(err)
					}
				}
			}
			if got := h.Remove(tt.remove...); got != tt.want {
				t.Errorf("Remove = %d, want %d", got, tt.want)
			}
			gotCols := [][]int64{toInt64(h.member), toInt64(h.kind), h.at}
			wantCols := [][]int64{toInt64(want.member), toInt64(want.kind), want.at}
			for c := range gotCols {
				if !slices.Equal(gotCols[c], wantCols[c]) {
					t.Errorf("columns %v, want %v", gotCols, wantCols)
					break
				}
			}
			if h.Members() != 3 {
				t.Errorf("%d members, want 3", h.Members())
			}
		})
	}
}

func toInt64[T int32 | uint16](s []T) []int64 {
	out := make([]int64, len(s))
	for i, v := range s {
		out[i] = int64(v)
	}
	return out
}
