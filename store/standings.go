package store

import (
	"context"
	"fmt"
	"time"

	"github.com/cadrehq/cadre"
)

// EachMember calls fn with every member, in ID order, without emails: what
// scoring and rankings need of them.
func (s *Store) EachMember(ctx context.Context, fn func(*cadre.Member) error) error {
	return eachMember(ctx, s.read, `SELECT `+memberColumns+` FROM members m ORDER BY m.id`, nil, fn)
}

func eachMember(ctx context.Context, db dbtx, query string, args []any, fn func(*cadre.Member) error) error {
	rows, err := db.QueryContext(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("list members: %w", err)
	}
	defer rows.Close()
	var m cadre.Member
	for rows.Next() {
		if err := scanMember(rows, &m); err != nil {
			return fmt.Errorf("list members: %w", err)
		}
		if err := fn(&m); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("list members: %w", err)
	}
	return nil
}

// eachScoreEvent runs query, which selects id, member_id, type and
// occurred_at of activities, and calls fn with each row.
func eachScoreEvent(ctx context.Context, db dbtx, query string, args []any, fn func(int64, cadre.ScoreEvent) error) error {
	rows, err := db.QueryContext(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("read activities: %w", err)
	}
	defer rows.Close()
	types := map[string]string{}
	var ev cadre.ScoreEvent
	var typ []byte
	var id, at int64
	for rows.Next() {
		if err := rows.Scan(&id, &ev.MemberID, &typ, &at); err != nil {
			return fmt.Errorf("read activities: %w", err)
		}
		t, ok := types[string(typ)]
		if !ok {
			t = string(typ)
			types[t] = t
		}
		ev.Type = t
		ev.OccurredAt = time.UnixMicro(at).UTC()
		if err := fn(id, ev); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read activities: %w", err)
	}
	return nil
}
