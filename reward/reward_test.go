package reward

import (
	"bytes"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cadrehq/cadre"
	"github.com/cadrehq/cadre/criteria"
	"github.com/cadrehq/cadre/program"
)

func TestValue(t *testing.T) {
	tests := []struct {
		name string
		m    Matrix
		want []Ranked
	}{
		{"empty", Matrix{}, []Ranked{}},
		{"weights times scores", Matrix{
			PainPoints: []PainPoint{{Name: "a", Weight: 2}, {Name: "b", Weight: 1}},
			Rows:       []Row{{Reward: "x", Scores: []int{1, 10}}, {Reward: "y", Scores: []int{6, 0}}},
		}, []Ranked{{Reward: "x", Value: 12}, {Reward: "y", Value: 12}}}, // x: 2×1 + 1×10, y: 2×6; a tie by name
		{"ties by name, a short row is empty", Matrix{
			PainPoints: []PainPoint{{Name: "a", Weight: 1}, {Name: "b", Weight: 0.5}},
			Rows:       []Row{{Reward: "b", Scores: []int{4}}, {Reward: "a", Scores: []int{2, 4}}, {Reward: "c", Scores: []int{5, 4}}},
		}, []Ranked{{Reward: "c", Value: 7}, {Reward: "a", Value: 4}, {Reward: "b", Value: 4}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Value(&tt.m)
			if len(got) != len(tt.want) {
				t.Fatalf("%v, want %v", got, tt.want)
			}
			for i := range got {
				if got[i].Reward != tt.want[i].Reward || got[i].Value != tt.want[i].Value {
					t.Errorf("%d: %+v, want %+v", i, got[i], tt.want[i])
				}
			}
		})
	}
}

func TestReadMatrix(t *testing.T) {
	good := "\uFEFFreward,kind,Visibility,Travel\n" +
		"weight,,2,\n" +
		"Conference pass,extrinsic,7,10\n" +
		"Roadmap briefing, Intrinsic ,,3\n"
	m, err := ReadMatrix(strings.NewReader(good), "m.csv")
	if err != nil {
		t.Fatal(err)
	}
	want := &Matrix{
		PainPoints: []PainPoint{{Name: "Visibility", Weight: 2}, {Name: "Travel", Weight: 1}},
		Rows: []Row{{Reward: "Conference pass", Kind: Extrinsic, Scores: []int{7, 10}},
			{Reward: "Roadmap briefing", Kind: Intrinsic, Scores: []int{0, 3}}},
	}
	if !reflect.DeepEqual(m, want) {
		t.Fatalf("%+v\nwant %+v", m, want)
	}
	var buf bytes.Buffer
	if err := WriteMatrix(&buf, m); err != nil {
		t.Fatal(err)
	}
	if again, err := ReadMatrix(&buf, "again.csv"); err != nil || !reflect.DeepEqual(again, m) {
		t.Errorf("written and read back: %+v, %v", again, err)
	}
	for _, tt := range []struct{ name, text, err string }{
		{"empty", "", "m.csv is empty"},
		{"no header", "name,kind\n", "m.csv:1: the header must begin reward,kind"},
		{"a pain point twice", "reward,kind,a,A\n", "m.csv:1: column 4: pain point \"A\" comes twice"},
		{"a pain point unnamed", "reward,kind,a,\n", "m.csv:1: column 4:"},
		{"a score of 11", "reward,kind,a,b\nx,extrinsic,3,11\n", "m.csv:2: column 4: a score must be"},
		{"a score in words", "reward,kind,a\nweight,,1\nx,extrinsic,high\n", "m.csv:3: column 3: a score must be"},
		{"a negative weight", "reward,kind,a\nweight,,-1\n", "m.csv:2: column 3: a weight"},
		{"two weight rows", "reward,kind,a\nweight,,1\nWeight,,2\n", "m.csv:3: a second row"},
		{"an unknown kind", "reward,kind,a\nx,swag,1\n", "m.csv:2: column 2: kind must be"},
		{"a reward twice", "reward,kind,a\nx,extrinsic,1\nX,intrinsic,2\n", "m.csv:3: column 1: reward \"X\" comes twice"},
		{"a formula", "reward,kind,a\n=cmd(),extrinsic,1\n", "m.csv:2: column 1: a reward name \"=cmd()\" must not start with ="},
		{"a short row", "reward,kind,a,b\nx,extrinsic,1\n", "m.csv:2: column 1: wrong number of fields"},
		{"a broken quote", "reward,kind,a\n\"x,extrinsic,1\n", "m.csv:2: column"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ReadMatrix(strings.NewReader(tt.text), "m.csv")
			if err == nil || !strings.Contains(err.Error(), tt.err) || cadre.ErrorCode(err) != cadre.EINVALID {
				t.Errorf("%v, want %q", err, tt.err)
			}
		})
	}
}

// FuzzReadMatrix reads arbitrary bytes as a matrix file: no panic, and a
// matrix read is written and read back the same.
func FuzzReadMatrix(f *testing.F) {
	f.Add("reward,kind,a,b\nweight,,2,0.5\nx,extrinsic,1,10\ny,intrinsic,,3\n")
	f.Add("reward,kind\n")
	f.Add("reward,kind,a\n\"x\"\"y\",extrinsic,\n")
	f.Fuzz(func(t *testing.T, text string) {
		m, err := ReadMatrix(strings.NewReader(text), "f.csv")
		if err != nil {
			return
		}
		for _, r := range m.Rows {
			for _, v := range r.Scores {
				if CheckScore(v) != nil {
					t.Fatalf("score %d read", v)
				}
			}
		}
		var buf bytes.Buffer
		if err := WriteMatrix(&buf, m); err != nil {
			t.Fatal(err)
		}
		again, err := ReadMatrix(&buf, "again.csv")
		if err != nil || !reflect.DeepEqual(again, m) {
			t.Fatalf("round trip of %q: %+v, %v; want %+v", text, again, err, m)
		}
	})
}

func TestCheckEligible(t *testing.T) {
	r := Reward{Name: "Pass", Kind: Extrinsic, Eligibility: Eligibility{Status: cadre.StatusAmbassador, MinScore: 60, MaxRank: 10, Regions: []string{"EU", "US"}}}
	ok := Candidate{Status: cadre.StatusAmbassador, Score: 60, Rank: 10, Region: "eu"}
	if err := CheckEligible(&r, ok); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name string
		edit func(*Candidate)
		err  string
	}{
		{"staff", func(c *Candidate) { c.Staff = true }, "staff"},
		{"alumni", func(c *Candidate) { c.Status = cadre.StatusAlumni }, "status, and the member's is alumni"},
		{"score too low", func(c *Candidate) { c.Score = 59.9 }, "needs a score of 60"},
		{"rank too low", func(c *Candidate) { c.Rank = 11 }, "top 10"},
		{"unranked", func(c *Candidate) { c.Rank = 0 }, "top 10"},
		{"elsewhere", func(c *Candidate) { c.Region = "APAC" }, "ships to EU, US only, and the member's region is APAC"},
		{"no region", func(c *Candidate) { c.Region = "" }, "no region given"},
	} {
		c := ok
		tt.edit(&c)
		if err := CheckEligible(&r, c); err == nil || !strings.Contains(err.Error(), tt.err) {
			t.Errorf("%s: %v, want %q", tt.name, err, tt.err)
		}
	}
	if err := CheckEligible(&Reward{Name: "Open"}, Candidate{}); err != nil {
		t.Errorf("a reward for everyone: %v", err)
	}
}

func TestCheckReward(t *testing.T) {
	neg := -1
	for _, tt := range []struct {
		r   Reward
		err string
	}{
		{Reward{Name: "Pass", Kind: Extrinsic, Cost: 900}, ""},
		{Reward{Name: " Pass", Kind: Extrinsic}, "surrounding spaces"},
		{Reward{Name: "weight", Kind: Extrinsic}, "weights' row"},
		{Reward{Name: "Pass", Kind: "swag"}, "kind must be"},
		{Reward{Name: "Pass", Kind: Intrinsic, Cost: -1}, "cost must be"},
		{Reward{Name: "Pass", Kind: Intrinsic, Stock: &neg}, "stock must not be negative"},
		{Reward{Name: "Pass", Kind: Intrinsic, Eligibility: Eligibility{Status: "vip"}}, "status must be"},
		{Reward{Name: "Pass", Kind: Intrinsic, Eligibility: Eligibility{MaxRank: -2}}, "rank must not"},
		{Reward{Name: "Pass", Kind: Intrinsic, Eligibility: Eligibility{Regions: []string{"a,b"}}}, "not a region"},
	} {
		err := tt.r.Check()
		if (err == nil) != (tt.err == "") || err != nil && !strings.Contains(err.Error(), tt.err) {
			t.Errorf("%+v: %v, want %q", tt.r, err, tt.err)
		}
	}
	r := Reward{Name: "Pass", Kind: Extrinsic, Eligibility: Eligibility{Regions: ParseRegions(" EU, us ,eu,, ")}}
	if err := r.Check(); err != nil || !reflect.DeepEqual(r.Regions, []string{"EU", "us"}) {
		t.Errorf("regions tidied: %q, %v", r.Regions, err)
	}
}

func TestCheckMove(t *testing.T) {
	allowed := map[[2]State]bool{{Promised, Sent}: true, {Sent, Delivered}: true, {Promised, Cancelled}: true, {Sent, Cancelled}: true}
	states := []State{Promised, Sent, Delivered, Cancelled}
	for _, from := range states {
		for _, to := range states {
			err := CheckMove(from, to)
			if (err == nil) != allowed[[2]State{from, to}] || err != nil && cadre.ErrorCode(err) != cadre.ECONFLICT {
				t.Errorf("%s → %s: %v", from, to, err)
			}
			if slices.Contains(Next(from), to) != (err == nil) {
				t.Errorf("Next(%s) = %v, and %s → %s: %v", from, Next(from), from, to, err)
			}
		}
	}
	if _, err := ParseState("lost"); err == nil {
		t.Error("ParseState(lost)")
	}
}

func TestBudget(t *testing.T) {
	b := Budget{Quarter: "2026Q2", Amount: 1000, Spent: 900, Set: true}
	if err := b.CheckSpend(100); err != nil {
		t.Error(err)
	}
	if err := b.CheckSpend(100.01); err == nil || cadre.ErrorCode(err) != cadre.ECONFLICT || !strings.Contains(err.Error(), "has 100 left") {
		t.Errorf("over budget: %v", err)
	}
	if err := (Budget{Spent: 1e6}).CheckSpend(5); err != nil {
		t.Errorf("no budget set limits nothing: %v", err)
	}
}

func TestMeasure(t *testing.T) {
	c := criteria.Default() // forum 1 point, content 3, speaking 5
	at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	day := 24 * time.Hour
	act := func(typ string, d time.Duration) program.Activity {
		return program.Activity{MemberID: 1, Type: typ, At: at.Add(d)}
	}
	acts := []program.Activity{
		act("forum", -60*day-time.Microsecond), // before the window
		act("forum", -60*day),                  // its first instant
		act("content", -time.Microsecond),
		act("unknown", -day), // a type the criteria do not define
		act("speaking", 0),   // the grant's instant is after
		act("forum", 30*day),
		act("content", 60*day-time.Microsecond),
		act("content", 60*day), // past the window
	}
	tests := []struct {
		name string
		now  time.Time
		want Impact
	}{
		{"complete", at.Add(90 * day), Impact{BeforeActivities: 2, BeforePoints: 1 + 3, AfterActivities: 3, AfterPoints: 5 + 1 + 3, Complete: true}},
		{"at the window's end", at.Add(60 * day), Impact{BeforeActivities: 2, BeforePoints: 4, AfterActivities: 3, AfterPoints: 9, Complete: true}},
		{"so far", at.Add(10 * day), Impact{BeforeActivities: 2, BeforePoints: 4, AfterActivities: 1, AfterPoints: 5}},
	}
	for _, tt := range tests {
		if got := Measure(c, at, tt.now, acts); got != tt.want {
			t.Errorf("%s: %+v, want %+v", tt.name, got, tt.want)
		}
	}
	avg := AverageOf([]Impact{
		{BeforePoints: 4, AfterPoints: 9, BeforeActivities: 2, AfterActivities: 3, Complete: true},
		{BeforePoints: 6, AfterPoints: 2, BeforeActivities: 3, AfterActivities: 1, Complete: true},
		{AfterPoints: 100, AfterActivities: 50}, // not complete: left out
	})
	if avg != (Average{Grants: 2, Points: (5 - 4) / 2.0, Activities: (1 - 2) / 2.0}) {
		t.Errorf("average: %+v", avg)
	}
	if (AverageOf(nil) != Average{}) {
		t.Error("average of none")
	}
}

func TestSample(t *testing.T) {
	rewards, m := Sample()
	for i := range rewards {
		if err := rewards[i].Check(); err != nil {
			t.Error(err)
		}
	}
	if len(m.Rows) != len(rewards) || Value(m)[0].Reward != "Conference pass" {
		t.Errorf("%v", Value(m))
	}
}
