package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/cadrehq/cadre"
)

// EachMember calls fn with every member, in ID order, without emails: what
// scoring and rankings need of them.
func (s *Store) EachMember(ctx context.Context, fn func(*cadre.Member) error) error {
	rows, err := s.read.QueryContext(ctx, `SELECT `+memberColumns+` FROM members m ORDER BY m.id`)
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

// ScoreEvent is what scoring needs of an activity.
type ScoreEvent struct {
	MemberID   int64
	Type       string
	OccurredAt time.Time
}

// EachScoreEvent calls fn with every approved activity, the only ones that
// count, in no particular order. Types are interned, so the strings fn sees repeat.
func (s *Store) EachScoreEvent(ctx context.Context, fn func(ScoreEvent) error) error {
	rows, err := s.read.QueryContext(ctx, `SELECT member_id, type, occurred_at FROM activities WHERE status = 'approved'`)
	if err != nil {
		return fmt.Errorf("read activities: %w", err)
	}
	defer rows.Close()
	types := map[string]string{}
	var ev ScoreEvent
	var typ []byte
	var at int64
	for rows.Next() {
		if err := rows.Scan(&ev.MemberID, &typ, &at); err != nil {
			return fmt.Errorf("read activities: %w", err)
		}
		t, ok := types[string(typ)]
		if !ok {
			t = string(typ)
			types[t] = t
		}
		ev.Type = t
		ev.OccurredAt = time.UnixMicro(at).UTC()
		if err := fn(ev); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read activities: %w", err)
	}
	return nil
}

// ChangeMark returns a value that changes whenever anything rankings depend
// on changes: activities added, members added or changed (every status change
// is audited), or criteria stored. Caches compare it to know they are current.
//
// On SQLite, with one writer at a time, IDs grow in commit order and the
// largest keys say it all at the same cost at any size. PostgreSQL instances
// draw IDs that can commit out of order, so there the counts join in.
func (s *Store) ChangeMark(ctx context.Context) (string, error) {
	query := `SELECT (SELECT coalesce(max(id), 0) FROM activities), (SELECT coalesce(max(id), 0) FROM members),
		(SELECT coalesce(max(id), 0) FROM audit_log), (SELECT coalesce(max(version), 0) FROM criteria_versions), 0, 0`
	if s.dialect == Postgres {
		query = strings.Replace(query, "0, 0", "(SELECT count(*) FROM activities), (SELECT count(*) FROM members)", 1)
	}
	var act, member, audit, crit, acts, members int64
	if err := s.read.QueryRowContext(ctx, query).Scan(&act, &member, &audit, &crit, &acts, &members); err != nil {
		return "", fmt.Errorf("read change mark: %w", err)
	}
	return fmt.Sprintf("%d.%d.%d.%d.%d.%d", act, member, audit, crit, acts, members), nil
}
