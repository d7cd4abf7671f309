package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/cadrehq/cadre"
)

// cadre.Merge is one merge of two members: what moved from one to the other, so
// that it can be undone exactly.

// movedJSON is how a merge's moves are stored.
type movedJSON struct {
	Identities []int64  `json:"identities"`
	Emails     []string `json:"emails"`
	Activities []int64  `json:"activities"`
	Mentored   []int64  `json:"mentored"`
}

// MergeMembers merges member from into member into: identities, emails,
// activities and mentee references move, from is kept empty (MergedInto
// set) so that UnmergeMembers can restore it, and the merge is audited. It
// returns the merge's ID.
func (s *Store) MergeMembers(ctx context.Context, from, into int64, actor, reason string) (int64, error) {
	if from == into {
		return 0, cadre.Errorf(cadre.EINVALID, "cannot merge member %d into itself", from)
	}
	var id int64
	err := s.withTx(ctx, func(tx *sql.Tx) error {
		seq, err := s.bump(ctx, tx)
		if err != nil {
			return err
		}
		for _, m := range []int64{from, into} {
			var merged int64
			err := tx.QueryRowContext(ctx, s.q(`SELECT merged_into FROM members WHERE id = ?`), m).Scan(&merged)
			if errors.Is(err, sql.ErrNoRows) {
				return cadre.Errorf(cadre.ENOTFOUND, "member %d not found", m)
			}
			if err != nil {
				return fmt.Errorf("merge: %w", err)
			}
			if merged != 0 {
				return cadre.Errorf(cadre.ECONFLICT, "member %d was merged into member %d already", m, merged)
			}
		}
		var mv cadre.MergeMoved
		if mv.Identities, err = s.ids(ctx, tx, `SELECT id FROM identities WHERE member_id = ? ORDER BY id`, from); err != nil {
			return err
		}
		if mv.Activities, err = s.ids(ctx, tx, `SELECT id FROM activities WHERE member_id = ? ORDER BY id`, from); err != nil {
			return err
		}
		if mv.Mentored, err = s.ids(ctx, tx, `SELECT id FROM activities WHERE mentee_id = ? ORDER BY id`, from); err != nil {
			return err
		}
		if mv.Emails, err = s.emailsOf(ctx, tx, from); err != nil {
			return err
		}
		// What counted before the move, for instances that keep standings.
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO changes (seq, kind, ref, old_member, old_type, old_at, old_status)
			SELECT ?, ?, id, member_id, type, occurred_at, status FROM activities WHERE member_id = ?`), seq, cadre.ChangeActivity, from); err != nil {
			return fmt.Errorf("merge: log activities: %w", err)
		}
		var next int
		if err := tx.QueryRowContext(ctx, s.q(`SELECT coalesce(max(position), -1) + 1 FROM member_emails WHERE member_id = ?`), into).Scan(&next); err != nil {
			return fmt.Errorf("merge: %w", err)
		}
		for _, stmt := range []struct {
			query string
			args  []any
		}{
			{`UPDATE identities SET member_id = ? WHERE member_id = ?`, []any{into, from}},
			{`UPDATE member_emails SET member_id = ?, position = position + ? WHERE member_id = ?`, []any{into, next, from}},
			{`UPDATE activities SET member_id = ? WHERE member_id = ?`, []any{into, from}},
			{`UPDATE activities SET mentee_id = ? WHERE mentee_id = ?`, []any{into, from}},
			{`UPDATE members SET merged_into = ? WHERE id = ?`, []any{into, from}},
		} {
			if _, err := tx.ExecContext(ctx, s.q(stmt.query), stmt.args...); err != nil {
				return fmt.Errorf("merge: %w", err)
			}
		}
		if err := s.logMembers(ctx, tx, seq, []int64{from, into}); err != nil {
			return err
		}
		moved, err := json.Marshal(movedJSON(mv))
		if err != nil {
			return fmt.Errorf("merge: %w", err)
		}
		if err := tx.QueryRowContext(ctx, s.q(`INSERT INTO merges (from_id, into_id, at, actor, reason, moved) VALUES (?, ?, ?, ?, ?, ?) RETURNING id`),
			from, into, s.Now().Unix(), actor, reason, string(moved)).Scan(&id); err != nil {
			return fmt.Errorf("merge: %w", err)
		}
		return s.appendAudit(ctx, tx, cadre.AuditEntry{Actor: actor, Action: "member.merge", Target: fmt.Sprintf("member:%d", into),
			Detail: fmt.Sprintf("merge %d: member %d merged in (%d identities, %d emails, %d activities): %s",
				id, from, len(mv.Identities), len(mv.Emails), len(mv.Activities), reason)})
	})
	return id, err
}

// UnmergeMembers undoes a merge: the identities, emails and activities it
// moved go back to the member merged away, who is restored. A merge whose
// receiving member was merged on into a third one must wait until that
// later merge is undone.
func (s *Store) UnmergeMembers(ctx context.Context, mergeID int64, actor, reason string) error {
	return s.withTx(ctx, func(tx *sql.Tx) error {
		seq, err := s.bump(ctx, tx)
		if err != nil {
			return err
		}
		m, err := s.merge(ctx, tx, mergeID)
		if err != nil {
			return err
		}
		if m.UndoneAt != 0 {
			return cadre.Errorf(cadre.ECONFLICT, "merge %d was undone already", mergeID)
		}
		var later int64
		if err := tx.QueryRowContext(ctx, s.q(`SELECT merged_into FROM members WHERE id = ?`), m.IntoID).Scan(&later); err != nil {
			return fmt.Errorf("unmerge: %w", err)
		}
		if later != 0 {
			return cadre.Errorf(cadre.ECONFLICT, "member %d was merged on into member %d: undo that merge first", m.IntoID, later)
		}
		if len(m.Moved.Activities) > 0 {
			if err := forIDs(m.Moved.Activities, func(in string, args []any) error {
				_, err := tx.ExecContext(ctx, s.q(`INSERT INTO changes (seq, kind, ref, old_member, old_type, old_at, old_status)
					SELECT ?, ?, id, member_id, type, occurred_at, status FROM activities WHERE member_id = ? AND id IN (`+in+`)`),
					append([]any{seq, cadre.ChangeActivity, m.IntoID}, args...)...)
				return err
			}); err != nil {
				return fmt.Errorf("unmerge: log activities: %w", err)
			}
		}
		moves := []struct {
			query string
			ids   []int64
		}{
			{`UPDATE identities SET member_id = ? WHERE member_id = ? AND id IN `, m.Moved.Identities},
			{`UPDATE activities SET member_id = ? WHERE member_id = ? AND id IN `, m.Moved.Activities},
			{`UPDATE activities SET mentee_id = ? WHERE mentee_id = ? AND id IN `, m.Moved.Mentored},
		}
		for _, mv := range moves {
			err := forIDs(mv.ids, func(in string, args []any) error {
				_, err := tx.ExecContext(ctx, s.q(mv.query+"("+in+")"), append([]any{m.FromID, m.IntoID}, args...)...)
				return err
			})
			if err != nil {
				return fmt.Errorf("unmerge: %w", err)
			}
		}
		for i, e := range m.Moved.Emails {
			if _, err := tx.ExecContext(ctx, s.q(`UPDATE member_emails SET member_id = ?, position = ? WHERE email = ? AND member_id = ?`), m.FromID, i, e, m.IntoID); err != nil {
				return fmt.Errorf("unmerge: %w", err)
			}
		}
		if _, err := tx.ExecContext(ctx, s.q(`UPDATE members SET merged_into = 0 WHERE id = ?`), m.FromID); err != nil {
			return fmt.Errorf("unmerge: %w", err)
		}
		if _, err := tx.ExecContext(ctx, s.q(`UPDATE merges SET undone_at = ? WHERE id = ?`), s.Now().Unix(), mergeID); err != nil {
			return fmt.Errorf("unmerge: %w", err)
		}
		if err := s.logMembers(ctx, tx, seq, []int64{m.FromID, m.IntoID}); err != nil {
			return err
		}
		return s.appendAudit(ctx, tx, cadre.AuditEntry{Actor: actor, Action: "member.unmerge", Target: fmt.Sprintf("member:%d", m.FromID),
			Detail: fmt.Sprintf("merge %d undone: member %d split from member %d: %s", mergeID, m.FromID, m.IntoID, reason)})
	})
}

// Merges lists the merges a member took part in, newest first.
func (s *Store) Merges(ctx context.Context, memberID int64) ([]cadre.Merge, error) {
	var ids []int64
	err := eachRow(ctx, s.read, s.q(`SELECT id FROM merges WHERE from_id = ? OR into_id = ? ORDER BY id DESC`), []any{memberID, memberID}, func(rows *sql.Rows) error {
		var id int64
		err := rows.Scan(&id)
		ids = append(ids, id)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list merges: %w", err)
	}
	out := make([]cadre.Merge, 0, len(ids))
	for _, id := range ids {
		m, err := s.merge(ctx, s.read, id)
		if err != nil {
			return nil, err
		}
		out = append(out, *m)
	}
	return out, nil
}

func (s *Store) merge(ctx context.Context, db dbtx, id int64) (*cadre.Merge, error) {
	m := &cadre.Merge{ID: id}
	var moved string
	err := db.QueryRowContext(ctx, s.q(`SELECT from_id, into_id, at, actor, reason, moved, undone_at FROM merges WHERE id = ?`), id).
		Scan(&m.FromID, &m.IntoID, &m.At, &m.Actor, &m.Reason, &moved, &m.UndoneAt)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, cadre.Errorf(cadre.ENOTFOUND, "merge %d not found", id)
	}
	if err != nil {
		return nil, fmt.Errorf("get merge %d: %w", id, err)
	}
	if err := json.Unmarshal([]byte(moved), (*movedJSON)(&m.Moved)); err != nil {
		return nil, fmt.Errorf("merge %d: what moved is unreadable: %w", id, err)
	}
	return m, nil
}

// ids returns the IDs a query selects.
func (s *Store) ids(ctx context.Context, db dbtx, query string, args ...any) ([]int64, error) {
	rows, err := db.QueryContext(ctx, s.q(query), args...)
	if err != nil {
		return nil, fmt.Errorf("select ids: %w", err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("select ids: %w", err)
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

func (s *Store) emailsOf(ctx context.Context, db dbtx, member int64) ([]string, error) {
	rows, err := db.QueryContext(ctx, s.q(`SELECT email FROM member_emails WHERE member_id = ? ORDER BY position`), member)
	if err != nil {
		return nil, fmt.Errorf("select emails: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var e string
		if err := rows.Scan(&e); err != nil {
			return nil, fmt.Errorf("select emails: %w", err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// forIDs calls fn with IN-list placeholders and arguments for ids, in chunks
// that keep within the databases' limits on parameters.
func forIDs(ids []int64, fn func(in string, args []any) error) error {
	for start := 0; start < len(ids); start += valuesChunk {
		chunk := ids[start:min(start+valuesChunk, len(ids))]
		args := make([]any, len(chunk))
		for i, id := range chunk {
			args[i] = id
		}
		if err := fn(placeholders(len(chunk)), args); err != nil {
			return err
		}
	}
	return nil
}
