package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/cadrehq/cadre"
)

// bump starts the write part of a transaction that changes what scores
// depend on: it increments the change sequence and returns the new number.
// The row it updates stays locked until commit, so such transactions take
// turns and the IDs they draw afterwards grow in commit order, which is what
// lets readers catch up on inserts by ID.
func (s *Store) bump(ctx context.Context, tx dbtx) (int64, error) {
	var seq int64
	if err := tx.QueryRowContext(ctx, `UPDATE change_seq SET seq = seq + 1 WHERE id = 1 RETURNING seq`).Scan(&seq); err != nil {
		return 0, fmt.Errorf("advance change sequence: %w", err)
	}
	return seq, nil
}

// logMembers records that members were created or changed.
func (s *Store) logMembers(ctx context.Context, tx dbtx, seq int64, ids []int64) error {
	args := make([]any, 0, 3*len(ids))
	for _, id := range ids {
		args = append(args, seq, cadre.ChangeMember, id)
	}
	if err := s.insertValues(ctx, tx, `INSERT INTO changes (seq, kind, ref) VALUES `, 3, args, ""); err != nil {
		return fmt.Errorf("log member changes: %w", err)
	}
	return nil
}

// ChangeSeq returns the number of the latest change to what scores depend on:
// imports, members created or changed, activities changed, criteria stored.
// It costs one row read at any size, so instances can poll it.
func (s *Store) ChangeSeq(ctx context.Context) (int64, error) {
	var seq int64
	if err := s.read.QueryRowContext(ctx, `SELECT seq FROM change_seq WHERE id = 1`).Scan(&seq); err != nil {
		return 0, fmt.Errorf("read change sequence: %w", err)
	}
	return seq, nil
}

// PruneChanges deletes the logged changes up to seq, which readers at or
// after seq no longer need; readers further behind get cadre.ErrPruned.
func (s *Store) PruneChanges(ctx context.Context, seq int64) error {
	return s.withTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM changes WHERE seq <= ?`), seq); err != nil {
			return fmt.Errorf("prune changes: %w", err)
		}
		if _, err := tx.ExecContext(ctx, s.q(`UPDATE change_seq SET pruned = ? WHERE id = 1 AND pruned < ?`), seq, seq); err != nil {
			return fmt.Errorf("prune changes: %w", err)
		}
		return nil
	})
}

// ReadAll reads every member and approved activity, from one view of the
// database, and says which.
func (s *Store) ReadAll(ctx context.Context, r cadre.ChangeReader) (*cadre.ChangeView, error) {
	tx, err := s.snapshot(ctx)
	if err != nil {
		return nil, fmt.Errorf("read standings: %w", err)
	}
	defer tx.Rollback()
	v, _, err := s.view(ctx, tx)
	if err != nil {
		return nil, err
	}
	if err := eachMember(ctx, tx, `SELECT `+memberColumns+` FROM members m ORDER BY m.id`, nil, r.Member); err != nil {
		return nil, err
	}
	err = eachScoreEvent(ctx, tx, s.q(`SELECT id, member_id, type, occurred_at FROM activities WHERE status = 'approved' AND id <= ?`), []any{v.ActivityMark}, r.Activity)
	return v, err
}

// view reads the change sequence number and the largest activity ID, and
// the number up to which changes are no longer logged.
func (s *Store) view(ctx context.Context, tx *sql.Tx) (v *cadre.ChangeView, pruned int64, err error) {
	v = &cadre.ChangeView{}
	err = tx.QueryRowContext(ctx, `SELECT (SELECT seq FROM change_seq WHERE id = 1), (SELECT pruned FROM change_seq WHERE id = 1),
		(SELECT coalesce(max(id), 0) FROM activities)`).Scan(&v.Seq, &pruned, &v.ActivityMark)
	if err != nil {
		return nil, 0, fmt.Errorf("read change sequence: %w", err)
	}
	return v, pruned, nil
}

// CatchUp reads what changed after change sequence number seq, when the
// largest activity ID was activityMark, from one view of the database: the
// log of changes comes back, and r is called with the members created or
// changed and the approved activities inserted or changed since.
func (s *Store) CatchUp(ctx context.Context, seq, activityMark int64, r cadre.ChangeReader) (*cadre.ChangeView, error) {
	tx, err := s.snapshot(ctx)
	if err != nil {
		return nil, fmt.Errorf("catch up: %w", err)
	}
	defer tx.Rollback()
	v, pruned, err := s.view(ctx, tx)
	if err != nil || v.Seq == seq {
		return v, err
	}
	if seq < pruned {
		return nil, cadre.ErrPruned
	}
	var members, acts []any
	err = eachRow(ctx, tx, s.q(`SELECT seq, kind, ref, old_member, old_type, old_at, old_status FROM changes WHERE seq > ? ORDER BY seq`), []any{seq}, func(rows *sql.Rows) error {
		var ch cadre.Change
		var at int64
		if err := rows.Scan(&ch.Seq, &ch.Kind, &ch.Ref, &ch.Old.MemberID, &ch.Old.Type, &at, &ch.OldStatus); err != nil {
			return err
		}
		ch.Old.OccurredAt = time.UnixMicro(at).UTC()
		v.Changes = append(v.Changes, ch)
		switch {
		case ch.Kind == cadre.ChangeMember:
			members = append(members, ch.Ref)
		case ch.Kind == cadre.ChangeActivity && ch.Ref <= activityMark:
			acts = append(acts, ch.Ref)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read changes: %w", err)
	}
	for start := 0; start < len(members); start += valuesChunk {
		ids := members[start:min(start+valuesChunk, len(members))]
		err := eachMember(ctx, tx, s.q(`SELECT `+memberColumns+` FROM members m WHERE m.id IN (`+placeholders(len(ids))+`)`), ids, r.Member)
		if err != nil {
			return nil, err
		}
	}
	for start := 0; start < len(acts); start += valuesChunk {
		ids := acts[start:min(start+valuesChunk, len(acts))]
		err := eachScoreEvent(ctx, tx, s.q(`SELECT id, member_id, type, occurred_at FROM activities WHERE status = 'approved' AND id IN (`+placeholders(len(ids))+`)`), ids, r.Activity)
		if err != nil {
			return nil, err
		}
	}
	err = eachScoreEvent(ctx, tx, s.q(`SELECT id, member_id, type, occurred_at FROM activities WHERE status = 'approved' AND id > ? AND id <= ?`), []any{activityMark, v.ActivityMark}, r.Activity)
	return v, err
}

// SaveScoreSnapshot stores the standings as of a change sequence number,
// unless a more recent snapshot is stored already (another instance may have
// been first).
func (s *Store) SaveScoreSnapshot(ctx context.Context, snap *cadre.ScoreSnapshot) error {
	return s.withTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, s.q(`INSERT INTO score_snapshot (id, seq, activity_mark, created_at, data) VALUES (1, ?, ?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, activity_mark = excluded.activity_mark, created_at = excluded.created_at, data = excluded.data
			WHERE score_snapshot.seq <= excluded.seq`), snap.Seq, snap.ActivityMark, s.Now().Unix(), snap.Data)
		if err != nil {
			return fmt.Errorf("save score snapshot: %w", err)
		}
		return nil
	})
}

// LoadScoreSnapshot returns the stored standings, or an ENOTFOUND error when
// none is stored.
func (s *Store) LoadScoreSnapshot(ctx context.Context) (*cadre.ScoreSnapshot, error) {
	snap := &cadre.ScoreSnapshot{}
	var created int64
	err := s.read.QueryRowContext(ctx, `SELECT seq, activity_mark, created_at, data FROM score_snapshot WHERE id = 1`).
		Scan(&snap.Seq, &snap.ActivityMark, &created, &snap.Data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, cadre.Errorf(cadre.ENOTFOUND, "no score snapshot stored")
	}
	if err != nil {
		return nil, fmt.Errorf("load score snapshot: %w", err)
	}
	snap.CreatedAt = fromUnix(created)
	return snap, nil
}
