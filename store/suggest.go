package store

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"unicode"

	"github.com/cadrehq/cadre"
)

// Suggestion proposes that two members are one person.
type Suggestion struct {
	// Into is the member to keep (the older), From the one to merge into it.
	Into, From int64
	Reason     string
	// Confidence is how sure the evidence makes it, from 0 to 1.
	Confidence float64
}

// Confidence of the kinds of evidence for merge suggestions.
const (
	sameHandleAndName = 0.9
	sameHandle        = 0.6
	sameShortHandle   = 0.35 // handles of four characters or fewer are common
	sameFullName      = 0.5
	// A name shared by more people than this says nothing.
	maxNamesakes = 4
)

// MergeSuggestions proposes members that look like one person known on
// several platforms: the same handle (and name) on two platforms, or the same
// full name. Pairs once merged and split again are not proposed.
func (s *Store) MergeSuggestions(ctx context.Context) ([]Suggestion, error) {
	refused := map[[2]int64]bool{}
	rows, err := s.read.QueryContext(ctx, `SELECT from_id, into_id FROM merges WHERE undone_at <> 0`)
	if err != nil {
		return nil, fmt.Errorf("merge suggestions: %w", err)
	}
	for rows.Next() {
		var a, b int64
		if err := rows.Scan(&a, &b); err != nil {
			rows.Close()
			return nil, fmt.Errorf("merge suggestions: %w", err)
		}
		refused[pair(a, b)] = true
	}
	rows.Close()

	best := map[[2]int64]Suggestion{}
	propose := func(a, b int64, conf float64, reason string) {
		p := pair(a, b)
		if refused[p] {
			return
		}
		if old, ok := best[p]; !ok || conf > old.Confidence {
			best[p] = Suggestion{Into: p[0], From: p[1], Reason: reason, Confidence: conf}
		}
	}

	rows, err = s.read.QueryContext(ctx, `SELECT a.member_id, b.member_id, a.handle, a.platform, b.platform, ma.name, mb.name
		FROM identities a JOIN identities b ON b.handle_key = a.handle_key AND b.platform > a.platform AND b.member_id <> a.member_id
		JOIN members ma ON ma.id = a.member_id JOIN members mb ON mb.id = b.member_id
		WHERE ma.merged_into = 0 AND mb.merged_into = 0`)
	if err != nil {
		return nil, fmt.Errorf("merge suggestions: %w", err)
	}
	for rows.Next() {
		var a, b int64
		var handle, pa, pb, na, nb string
		if err := rows.Scan(&a, &b, &handle, &pa, &pb, &na, &nb); err != nil {
			rows.Close()
			return nil, fmt.Errorf("merge suggestions: %w", err)
		}
		switch {
		case normalName(na) == normalName(nb) && !strings.EqualFold(na, handle):
			propose(a, b, sameHandleAndName, fmt.Sprintf("same handle %q and name %q on %s and %s", handle, na, pa, pb))
		case len([]rune(handle)) <= 4:
			propose(a, b, sameShortHandle, fmt.Sprintf("same short handle %q on %s and %s", handle, pa, pb))
		default:
			propose(a, b, sameHandle, fmt.Sprintf("same handle %q on %s and %s", handle, pa, pb))
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("merge suggestions: %w", err)
	}

	byName := map[string][]int64{}
	err = s.EachMember(ctx, func(m *cadre.Member) error {
		if n := normalName(m.Name); m.MergedInto == 0 && strings.Contains(n, " ") {
			byName[n] = append(byName[n], m.ID)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for name, ids := range byName {
		if len(ids) < 2 || len(ids) > maxNamesakes {
			continue
		}
		for i, a := range ids {
			for _, b := range ids[i+1:] {
				propose(a, b, sameFullName, fmt.Sprintf("same full name %q", name))
			}
		}
	}

	out := make([]Suggestion, 0, len(best))
	for _, sg := range best {
		out = append(out, sg)
	}
	slices.SortFunc(out, func(x, y Suggestion) int {
		if c := cmp.Compare(y.Confidence, x.Confidence); c != 0 {
			return c
		}
		return cmp.Or(cmp.Compare(x.Into, y.Into), cmp.Compare(x.From, y.From))
	})
	return out, nil
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

// ApplySuggestions merges the suggested pairs whose confidence is at least
// min, skipping those a previous merge in the same run made stale, and
// returns the merges made.
func (s *Store) ApplySuggestions(ctx context.Context, min float64, actor string) ([]Suggestion, error) {
	sgs, err := s.MergeSuggestions(ctx)
	if err != nil {
		return nil, err
	}
	gone := map[int64]bool{}
	var done []Suggestion
	for _, sg := range sgs {
		if sg.Confidence < min || gone[sg.From] || gone[sg.Into] {
			continue
		}
		if _, err := s.MergeMembers(ctx, sg.From, sg.Into, actor, fmt.Sprintf("suggested (confidence %.2f): %s", sg.Confidence, sg.Reason)); err != nil {
			return done, err
		}
		gone[sg.From] = true
		done = append(done, sg)
	}
	return done, nil
}
