package program_test

import (
	"encoding/json"
	"errors"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/cadrehq/cadre"
	"github.com/cadrehq/cadre/criteria"
	"github.com/cadrehq/cadre/interchange"
	"github.com/cadrehq/cadre/internal/shared"
	"github.com/cadrehq/cadre/program"
	"github.com/cadrehq/cadre/score"
)

// expectQuarter is one quarter of a case's expect.json.
type expectQuarter struct {
	At                  time.Time `json:"at"`
	Renewed             []string  `json:"renewed"`
	Lapsed              []string  `json:"lapsed"`
	CarriedOver         []string  `json:"carried_over"`
	RenewalRate         *float64  `json:"renewal_rate"`
	Active              int       `json:"active"`
	Qualifying          int       `json:"qualifying"`
	Share               float64   `json:"share"`
	Ambassadors         int       `json:"ambassadors"`
	ActiveAmbassadors   int       `json:"active_ambassadors"`
	PointsPerAmbassador *float64  `json:"points_per_ambassador"`
	InfluenceHours      struct {
		Total                 float64  `json:"total"`
		PerAmbassador         *float64 `json:"per_ambassador"`
		WeightedPerAmbassador *float64 `json:"weighted_per_ambassador"`
	} `json:"influence_hours"`
}

// community is a case's members and activities as the rules read them.
type community struct {
	names  []string         // by member ID - 1
	byRef  map[string]int64 // "platform:handle" and email → member ID
	hist   score.History
	acts   []program.Activity
	engine *score.Engine
}

func (c *community) member(ref cadre.MemberRef) int64 {
	keys := []string{}
	if ref.Handle != "" {
		keys = append(keys, ref.Platform+":"+ref.Handle)
	}
	if ref.Email != "" {
		keys = append(keys, ref.Email)
	}
	for _, k := range keys {
		if id, ok := c.byRef[k]; ok {
			for _, k := range keys {
				c.byRef[k] = id
			}
			return id
		}
	}
	name := ref.Name
	if name == "" {
		name = ref.Handle
	}
	c.names = append(c.names, name)
	id := int64(len(c.names))
	for _, k := range keys {
		c.byRef[k] = id
	}
	return id
}

func (c *community) score(id int64, at time.Time) float64 { return c.engine.Score(int32(id-1), at) }

func readCase(t *testing.T, dir string) (*community, []program.Term) {
	t.Helper()
	c := &community{byRef: map[string]int64{}}
	f, err := os.Open(filepath.Join(dir, "acts.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := interchange.NewJSONLReader(f, "acts.jsonl", "")
	for {
		rec, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		id := c.member(rec.Member)
		if err := c.hist.Add(score.Event{Member: int32(id - 1), Type: rec.Type, At: rec.OccurredAt, Status: rec.Status}); err != nil {
			t.Fatal(err)
		}
		if rec.Status == cadre.ActivityApproved {
			c.acts = append(c.acts, program.Activity{MemberID: id, Type: rec.Type, At: rec.OccurredAt, EffortMinutes: rec.EffortMinutes, HasEffort: rec.HasEffort})
		}
	}
	c.engine = score.New(criteria.Default(), &c.hist)

	rf, err := os.Open(filepath.Join(dir, "roster.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer rf.Close()
	rows, bad, err := program.ReadRoster(rf, "roster.csv")
	if err != nil || len(bad) > 0 {
		t.Fatalf("roster: %v %v", err, bad)
	}
	var terms []program.Term
	for i, row := range rows {
		id := c.member(row.Member)
		term := row.Term(id)
		term.ID = int64(i + 1)
		var mine []program.Term
		for _, o := range terms {
			if o.MemberID == id {
				mine = append(mine, o)
			}
		}
		if err := program.CheckTerm(&cadre.Member{ID: id}, mine, &term); err != nil {
			t.Fatalf("roster line %d: %v", row.Line, err)
		}
		terms = append(terms, term)
	}
	return c, terms
}

func near(a, b float64) bool {
	return math.Abs(a-b) <= 1e-6*math.Max(1, math.Max(math.Abs(a), math.Abs(b)))
}

func nearPtr(a, b *float64) bool { return a == nil && b == nil || a != nil && b != nil && near(*a, *b) }

// TestProgramCases replays each case of SPEC sections 5-6, computed by a
// reference independent of this code: the roster, the eight reviews in
// order, and every figure of each quarter.
func TestProgramCases(t *testing.T) {
	root := shared.ProgramCases(t)
	dirs, err := os.ReadDir(root)
	if err != nil {
		t.Fatal(err)
	}
	ran := 0
	for _, d := range dirs {
		if !d.IsDir() {
			continue
		}
		ran++
		t.Run(d.Name(), func(t *testing.T) {
			dir := filepath.Join(root, d.Name())
			var expect struct {
				Order    []string                 `json:"order"`
				Quarters map[string]expectQuarter `json:"quarters"`
			}
			data, err := os.ReadFile(filepath.Join(dir, "expect.json"))
			if err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(data, &expect); err != nil {
				t.Fatal(err)
			}
			c, terms := readCase(t, dir)
			crit := criteria.Default()
			names := func(r *program.Review, o program.Outcome) []string {
				var out []string
				for _, e := range r.Entries {
					if e.Outcome == o {
						out = append(out, c.names[e.MemberID-1])
					}
				}
				slices.Sort(out)
				return out
			}
			sorted := func(s []string) []string { s = slices.Clone(s); slices.Sort(s); return s }
			var last *program.Quarter
			for _, qs := range expect.Order {
				q, err := program.ParseQuarter(qs)
				if err != nil {
					t.Fatal(err)
				}
				want := expect.Quarters[qs]
				if err := program.CheckApply(q, want.At.Add(time.Hour), crit.Location(), last); err != nil {
					t.Fatalf("%s: %v", q, err)
				}
				r := program.Preview(q, crit, terms, nil, c.score)
				if !r.At.Equal(want.At) {
					t.Errorf("%s: reviewed at %s, want %s", q, r.At, want.At)
				}
				for _, o := range []struct {
					outcome program.Outcome
					want    []string
				}{{program.Renewed, want.Renewed}, {program.Lapsed, want.Lapsed}, {program.CarriedOver, want.CarriedOver}} {
					if got := names(r, o.outcome); !slices.Equal(got, sorted(o.want)) {
						t.Errorf("%s %s: %v, want %v", q, o.outcome, got, sorted(o.want))
					}
				}
				if !nearPtr(r.Rate, want.RenewalRate) {
					t.Errorf("%s renewal rate %v, want %v", q, r.Rate, want.RenewalRate)
				}
				var b score.Board
				c.engine.Evaluate(r.At, &b)
				qual := b.Qualification()
				if len(qual.Active) != want.Active || len(qual.Qualifying) != want.Qualifying || !near(qual.Share, want.Share) {
					t.Errorf("%s: %d active, %d qualifying, share %v; want %d, %d, %v", q, len(qual.Active), len(qual.Qualifying), qual.Share,
						want.Active, want.Qualifying, want.Share)
				}
				r.Apply(terms)
				last = &q
			}
			// With every review applied, the figures of each quarter.
			for _, qs := range expect.Order {
				q, _ := program.ParseQuarter(qs)
				want := expect.Quarters[qs]
				h := program.Measure(q, crit, terms, c.acts)
				ih := h.InfluenceHours
				if h.Ambassadors != want.Ambassadors || h.ActiveAmbassadors != want.ActiveAmbassadors || !nearPtr(h.PointsPerAmbassador, want.PointsPerAmbassador) ||
					!near(ih.Total, want.InfluenceHours.Total) || !nearPtr(ih.PerAmbassador, want.InfluenceHours.PerAmbassador) ||
					!nearPtr(ih.WeightedPerAmbassador, want.InfluenceHours.WeightedPerAmbassador) {
					t.Errorf("%s: health %d ambassadors, %d active, %v points each, hours %v/%v/%v; want %d, %d, %v, %v/%v/%v", q,
						h.Ambassadors, h.ActiveAmbassadors, deref(h.PointsPerAmbassador), ih.Total, deref(ih.PerAmbassador), deref(ih.WeightedPerAmbassador),
						want.Ambassadors, want.ActiveAmbassadors, deref(want.PointsPerAmbassador), want.InfluenceHours.Total,
						deref(want.InfluenceHours.PerAmbassador), deref(want.InfluenceHours.WeightedPerAmbassador))
				}
			}
		})
	}
	if ran == 0 {
		t.Fatalf("no program cases in %s", root)
	}
}

func deref(f *float64) any {
	if f == nil {
		return nil
	}
	return *f
}
