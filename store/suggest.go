package store

import (
	"context"
	"fmt"

	"github.com/cadrehq/cadre"
	"github.com/cadrehq/cadre/identity"
)

// MergeSuggestions proposes members that look like one person known on
// several platforms (identity.Suggester weighs the evidence): the same handle
// on two platforms, the same full name. Pairs once merged and split again
// are not proposed.
func (s *Store) MergeSuggestions(ctx context.Context) ([]cadre.MergeSuggestion, error) {
	sg := identity.NewSuggester()
	rows, err := s.read.QueryContext(ctx, `SELECT from_id, into_id FROM merges WHERE undone_at <> 0`)
	if err != nil {
		return nil, fmt.Errorf("merge suggestions: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var a, b int64
		if err := rows.Scan(&a, &b); err != nil {
			return nil, fmt.Errorf("merge suggestions: %w", err)
		}
		sg.Split(a, b)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("merge suggestions: %w", err)
	}

	handles, err := s.read.QueryContext(ctx, `SELECT a.member_id, b.member_id, a.handle, a.platform, b.platform, ma.name, mb.name
		FROM identities a JOIN identities b ON b.handle_key = a.handle_key AND b.platform > a.platform AND b.member_id <> a.member_id
		JOIN members ma ON ma.id = a.member_id JOIN members mb ON mb.id = b.member_id
		WHERE ma.merged_into = 0 AND mb.merged_into = 0`)
	if err != nil {
		return nil, fmt.Errorf("merge suggestions: %w", err)
	}
	defer handles.Close()
	for handles.Next() {
		var a, b int64
		var handle, pa, pb, na, nb string
		if err := handles.Scan(&a, &b, &handle, &pa, &pb, &na, &nb); err != nil {
			return nil, fmt.Errorf("merge suggestions: %w", err)
		}
		sg.SameHandle(a, b, handle, pa, pb, na, nb)
	}
	if err := handles.Err(); err != nil {
		return nil, fmt.Errorf("merge suggestions: %w", err)
	}

	err = s.EachMember(ctx, func(m *cadre.Member) error {
		if m.MergedInto == 0 {
			sg.Member(m.ID, m.Name)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return sg.Suggestions(), nil
}
