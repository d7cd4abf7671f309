package survey

import (
	"strings"
	"testing"
	"time"

	"github.com/cadrehq/cadre"
	"github.com/cadrehq/cadre/program"
)

func TestMeasure(t *testing.T) {
	answers := func(scores ...int) []Answer {
		var out []Answer
		for i, s := range scores {
			out = append(out, Answer{MemberID: int64(i + 1), Score: s})
		}
		return out
	}
	f := func(v float64) *float64 { return &v }
	tests := []struct {
		name                string
		invited             int
		answers             []Answer
		score, rate         *float64
		promoters, detracts int
	}{
		{"none invited", 0, nil, nil, nil, 0, 0},
		{"no answer", 4, nil, nil, f(0), 0, 0},
		{"the SPEC's bands", 10, answers(10, 9, 8, 7, 6, 0), f(0), f(0.6), 2, 2},
		{"all promoters", 2, answers(9, 10), f(100), f(1), 2, 0},
		{"one detractor", 5, answers(6), f(-100), f(0.2), 0, 1},
		{"three to one", 4, answers(9, 9, 9, 3), f(50), f(1), 3, 1},
	}
	same := func(a, b *float64) bool { return a == nil && b == nil || a != nil && b != nil && *a == *b }
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := Measure(tt.invited, tt.answers)
			if !same(r.Score, tt.score) || !same(r.ResponseRate, tt.rate) {
				t.Errorf("score %v rate %v, want %v %v", r.Score, r.ResponseRate, tt.score, tt.rate)
			}
			if r.Promoters != tt.promoters || r.Detractors != tt.detracts || r.Promoters+r.Passives+r.Detractors != r.Responses {
				t.Errorf("%+v", r)
			}
		})
	}
}

func TestCheckAnswer(t *testing.T) {
	for _, tt := range []struct {
		score   int
		comment string
		err     string
	}{
		{0, "", ""}, {10, "Great program", ""}, {-1, "", "from 0 to 10"}, {11, "", "from 0 to 10"},
		{5, strings.Repeat("é", 2001), "at most 2000"}, {5, "\xff", "not valid text"},
	} {
		err := CheckAnswer(tt.score, tt.comment)
		if (err == nil) != (tt.err == "") || err != nil && (cadre.ErrorCode(err) != cadre.EINVALID || !strings.Contains(err.Error(), tt.err)) {
			t.Errorf("CheckAnswer(%d, %.10q): %v, want %q", tt.score, tt.comment, err, tt.err)
		}
	}
}

func TestCheckOpen(t *testing.T) {
	q := program.Quarter{Year: 2026, Q: 2}
	in := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
	if err := CheckOpen(q, time.UTC, in, in.Add(DefaultOpen)); err != nil {
		t.Error(err)
	}
	if err := CheckOpen(q, time.UTC, in.AddDate(0, -2, 0), in); err == nil {
		t.Error("a survey of a quarter not begun")
	}
	if err := CheckOpen(q, time.UTC, in, in); err == nil {
		t.Error("a survey closing as it opens")
	}
	s := Survey{ClosesAt: in}
	if !s.OpenAt(in.Add(-time.Second)) || s.OpenAt(in) {
		t.Error("OpenAt")
	}
}

func TestByOutcome(t *testing.T) {
	got := ByOutcome([]Answer{{MemberID: 1, Score: 9}, {MemberID: 2, Score: 3}, {MemberID: 3, Score: 8}},
		map[int64]program.Outcome{1: program.Renewed, 2: program.Lapsed})
	if len(got[program.Renewed]) != 1 || len(got[program.Lapsed]) != 1 || got[program.Lapsed][0].MemberID != 2 {
		t.Errorf("%v", got)
	}
}
