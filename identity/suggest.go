package identity

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"unicode"

	"github.com/cadrehq/cadre"
)

// Confidence of the kinds of evidence for merge suggestions.
const (
	sameHandleAndName = 0.9
	sameHandle        = 0.6
	sameShortHandle   = 0.35 // handles of four characters or fewer are common
	sameFullName      = 0.5
	// A name shared by more people than this says nothing.
	maxNamesakes = 4
)

// Suggester weighs the evidence that members are one person known on
// several platforms, and proposes merges with a reason and a confidence.
type Suggester struct {
	refused map[[2]int64]bool
	best    map[[2]int64]cadre.MergeSuggestion
	byName  map[string][]int64
}

// NewSuggester returns a Suggester with no evidence yet.
func NewSuggester() *Suggester {
	return &Suggester{refused: map[[2]int64]bool{}, best: map[[2]int64]cadre.MergeSuggestion{}, byName: map[string][]int64{}}
}

// Split tells that members a and b were merged once and split again: people
// said they are two, so they are never proposed.
func (s *Suggester) Split(a, b int64) { s.refused[pair(a, b)] = true }

// SameHandle tells that member a on platform pa and member b on platform pb
// have the same handle; na and nb are their names.
func (s *Suggester) SameHandle(a, b int64, handle, pa, pb, na, nb string) {
	switch {
	case normalName(na) != "" && normalName(na) == normalName(nb) && !strings.EqualFold(na, handle):
		s.propose(a, b, sameHandleAndName, fmt.Sprintf("same handle %q and name %q on %s and %s", handle, na, pa, pb))
	case len([]rune(handle)) <= 4:
		s.propose(a, b, sameShortHandle, fmt.Sprintf("same short handle %q on %s and %s", handle, pa, pb))
	default:
		s.propose(a, b, sameHandle, fmt.Sprintf("same handle %q on %s and %s", handle, pa, pb))
	}
}

// Member tells of a member in force (not merged away) and their name:
// full names that few share are evidence too.
func (s *Suggester) Member(id int64, name string) {
	if n := normalName(name); strings.Contains(n, " ") {
		s.byName[n] = append(s.byName[n], id)
	}
}

func (s *Suggester) propose(a, b int64, conf float64, reason string) {
	p := pair(a, b)
	if old, ok := s.best[p]; !ok || conf > old.Confidence {
		s.best[p] = cadre.MergeSuggestion{Into: p[0], From: p[1], Reason: reason, Confidence: conf}
	}
}

// Suggestions returns the proposed merges, the most confident first, each
// pair once with its strongest evidence.
func (s *Suggester) Suggestions() []cadre.MergeSuggestion {
	for name, ids := range s.byName {
		if len(ids) < 2 || len(ids) > maxNamesakes {
			continue
		}
		for i, a := range ids {
			for _, b := range ids[i+1:] {
				s.propose(a, b, sameFullName, fmt.Sprintf("same full name %q", name))
			}
		}
	}
	out := make([]cadre.MergeSuggestion, 0, len(s.best))
	for p, sg := range s.best {
		if !s.refused[p] {
			out = append(out, sg)
		}
	}
	slices.SortFunc(out, func(x, y cadre.MergeSuggestion) int {
		if c := cmp.Compare(y.Confidence, x.Confidence); c != 0 {
			return c
		}
		return cmp.Or(cmp.Compare(x.Into, y.Into), cmp.Compare(x.From, y.From))
	})
	return out
}

// pair orders two member IDs, older first.
func pair(a, b int64) [2]int64 {
	return [2]int64{min(a, b), max(a, b)}
}

// normalName folds a display name for comparison: lower case, single spaces,
// letters and digits only.
func normalName(name string) string {
	fields := strings.FieldsFunc(strings.ToLower(name), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	return strings.Join(fields, " ")
}

// Merger is what automatic merges need of the store.
type Merger interface {
	MergeSuggestions(ctx context.Context) ([]cadre.MergeSuggestion, error)
	MergeMembers(ctx context.Context, from, into int64, actor, reason string) (int64, error)
}

// AutoMerge merges the suggested pairs whose confidence is at least min,
// skipping those a previous merge in the same run made stale, and returns the
// merges made.
func AutoMerge(ctx context.Context, m Merger, min float64, actor string) ([]cadre.MergeSuggestion, error) {
	sgs, err := m.MergeSuggestions(ctx)
	if err != nil {
		return nil, err
	}
	gone := map[int64]bool{}
	var done []cadre.MergeSuggestion
	for _, sg := range sgs {
		if sg.Confidence < min || gone[sg.From] || gone[sg.Into] {
			continue
		}
		if _, err := m.MergeMembers(ctx, sg.From, sg.Into, actor, fmt.Sprintf("suggested (confidence %.2f): %s", sg.Confidence, sg.Reason)); err != nil {
			return done, fmt.Errorf("merge member %d into %d: %w", sg.From, sg.Into, err)
		}
		gone[sg.From] = true
		done = append(done, sg)
	}
	return done, nil
}
