package identity

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/cadrehq/cadre"
)

func TestCanonical(t *testing.T) {
	tests := []struct {
		in, want cadre.MemberRef
	}{
		{cadre.MemberRef{Email: "12345+Octo@users.noreply.github.com"}, cadre.MemberRef{Platform: "github", Handle: "octo", UserID: "12345"}},
		{cadre.MemberRef{Email: "octo@users.noreply.github.com", Name: "Octo"}, cadre.MemberRef{Platform: "github", Handle: "octo", Name: "Octo"}},
		{cadre.MemberRef{Platform: "github", Handle: "Octo", Email: "1+octo@users.noreply.github.com"}, cadre.MemberRef{Platform: "github", Handle: "Octo", UserID: "1"}},
		// An address of another account than the handle stays as given.
		{cadre.MemberRef{Platform: "github", Handle: "ada", Email: "1+octo@users.noreply.github.com"}, cadre.MemberRef{Platform: "github", Handle: "ada", Email: "1+octo@users.noreply.github.com"}},
		{cadre.MemberRef{Email: "ada@example.org"}, cadre.MemberRef{Email: "ada@example.org"}},
	}
	for _, tt := range tests {
		if got := Canonical(tt.in); got != tt.want {
			t.Errorf("Canonical(%+v) = %+v, want %+v", tt.in, got, tt.want)
		}
	}
}

func TestStaffDomains(t *testing.T) {
	got, err := StaffDomains([]string{" @Example.com", "", "corp.example.org", "example.com"})
	if err != nil || !slices.Equal(got, []string{"corp.example.org", "example.com"}) {
		t.Errorf("StaffDomains = %q, %v", got, err)
	}
	for _, bad := range []string{"localhost", "a@b.c", "x.com,y.com", "ex ample.com"} {
		if _, err := StaffDomains([]string{bad}); cadre.ErrorCode(err) != cadre.EINVALID {
			t.Errorf("StaffDomains(%q): %v, want invalid", bad, err)
		}
	}
	if !IsStaffEmail("ada@example.com", got) || IsStaffEmail("ada@notexample.com", got) || IsStaffEmail("example.com", got) {
		t.Error("IsStaffEmail matches the wrong addresses")
	}
}

func TestSuggester(t *testing.T) {
	s := NewSuggester()
	s.SameHandle(1, 2, "grace-h", "discourse", "github", "Grace Hopper", "Grace Hopper")
	s.SameHandle(3, 4, "linus", "forum", "github", "L. T.", "Linus")
	s.SameHandle(5, 6, "ab", "forum", "github", "", "")
	s.SameHandle(8, 7, "split-pair", "forum", "github", "", "")
	s.Split(7, 8)
	for id, name := range map[int64]string{1: "Grace Hopper", 9: "Ann Smith", 10: "ann  SMITH", 11: "Cher"} {
		s.Member(id, name)
	}
	for id := int64(20); id < 26; id++ { // six namesakes say nothing
		s.Member(id, "John Doe")
	}
	got := s.Suggestions()
	want := []cadre.MergeSuggestion{
		{Into: 1, From: 2, Confidence: 0.9, Reason: `same handle "grace-h" and name "Grace Hopper"`},
		{Into: 3, From: 4, Confidence: 0.6, Reason: `same handle "linus"`},
		{Into: 9, From: 10, Confidence: 0.5, Reason: `same full name "ann smith"`},
		{Into: 5, From: 6, Confidence: 0.35, Reason: `same short handle "ab"`},
	}
	if len(got) != len(want) {
		t.Fatalf("suggestions %+v, want %d", got, len(want))
	}
	for i := range want {
		if got[i].Into != want[i].Into || got[i].From != want[i].From || got[i].Confidence != want[i].Confidence || !strings.Contains(got[i].Reason, want[i].Reason) {
			t.Errorf("suggestion %d = %+v, want %+v", i, got[i], want[i])
		}
	}
}

// merger is a store of merges in memory: what AutoMerge needs and no more.
type merger struct {
	sgs    []cadre.MergeSuggestion
	merged [][2]int64
}

func (m *merger) MergeSuggestions(context.Context) ([]cadre.MergeSuggestion, error) {
	return m.sgs, nil
}

func (m *merger) MergeMembers(_ context.Context, from, into int64, _, _ string) (int64, error) {
	m.merged = append(m.merged, [2]int64{from, into})
	return int64(len(m.merged)), nil
}

func TestAutoMerge(t *testing.T) {
	m := &merger{sgs: []cadre.MergeSuggestion{
		{Into: 1, From: 2, Confidence: 0.9}, {Into: 1, From: 3, Confidence: 0.9},
		{Into: 2, From: 4, Confidence: 0.9}, // 2 is gone by then: stale
		{Into: 5, From: 6, Confidence: 0.6},
	}}
	done, err := AutoMerge(context.Background(), m, 0.85, "auto")
	if err != nil || len(done) != 2 || !slices.Equal(m.merged, [][2]int64{{2, 1}, {3, 1}}) {
		t.Errorf("AutoMerge merged %v (%+v, %v), want 2 into 1 and 3 into 1", m.merged, done, err)
	}
}
