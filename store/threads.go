package store

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/cadrehq/cadre"
	"github.com/cadrehq/cadre/program"
)

// threadKey names a thread: the source of its activities and its id there.
type threadKey struct{ source, id string }

// threadState is what a batch tells of a thread: each of views and solved
// with the occurred_at (Unix microseconds) of the activity that told it,
// at 0 when none did.
type threadState struct {
	views, viewsAt   int64
	solved           bool
	solvedAt         int64
	hasViews, hasSol bool
}

// threadStates gathers the latest state that activities tell of their
// threads (SPEC 2: the latest state seen wins). Of two activities, the
// one that occurred later wins, and of two at the same instant, the one
// seen last: the same record seen again, as a later sync brings it,
// updates its thread, but an old file imported after a fresh sync does not
// undo what the sync told.
type threadStates map[threadKey]*threadState

func (ts threadStates) add(a *cadre.Activity) {
	th := &a.Thread
	if th.ID == "" {
		return
	}
	k := threadKey{a.Source, th.ID}
	st := ts[k]
	if st == nil {
		st = &threadState{}
		ts[k] = st
	}
	at := a.OccurredAt.UnixMicro()
	if th.HasViews && (!st.hasViews || at >= st.viewsAt) {
		st.views, st.viewsAt, st.hasViews = th.Views, at, true
	}
	if th.HasSolved && (!st.hasSol || at >= st.solvedAt) {
		st.solved, st.solvedAt, st.hasSol = th.Solved, at, true
	}
}

// upsertThreadSQL keeps, for each of views and solved, the value told by the
// latest activity, as threadStates does within a batch.
const upsertThreadSQL = ` ON CONFLICT (source, external_id) DO UPDATE SET
	views = CASE WHEN excluded.views IS NOT NULL AND (threads.views IS NULL OR excluded.views_at >= threads.views_at) THEN excluded.views ELSE threads.views END,
	views_at = CASE WHEN excluded.views IS NOT NULL AND (threads.views IS NULL OR excluded.views_at >= threads.views_at) THEN excluded.views_at ELSE threads.views_at END,
	solved = CASE WHEN excluded.solved IS NOT NULL AND (threads.solved IS NULL OR excluded.solved_at >= threads.solved_at) THEN excluded.solved ELSE threads.solved END,
	solved_at = CASE WHEN excluded.solved IS NOT NULL AND (threads.solved IS NULL OR excluded.solved_at >= threads.solved_at) THEN excluded.solved_at ELSE threads.solved_at END`

// upsertThreads stores the threads that acts name, with the latest state
// they tell, in one statement: on SQLite a multi-row insert (in chunks below
// its limit on parameters), on PostgreSQL an insert from arrays. Activities
// already stored tell their thread's state all the same: that is how a sync
// that sees a reply again brings the topic's views up to date.
func (s *Store) upsertThreads(ctx context.Context, tx dbtx, acts []cadre.Activity) error {
	ts := threadStates{}
	for i := range acts {
		ts.add(&acts[i])
	}
	return s.writeThreads(ctx, tx, ts)
}

// writeThreads stores ts. Rows go in key order, so that two transactions
// that update the same threads lock them in the same order.
func (s *Store) writeThreads(ctx context.Context, tx dbtx, ts threadStates) error {
	if len(ts) == 0 {
		return nil
	}
	keys := slices.SortedFunc(maps.Keys(ts), func(a, b threadKey) int {
		return cmp.Or(cmp.Compare(a.source, b.source), cmp.Compare(a.id, b.id))
	})
	if s.dialect == Postgres {
		return s.writeThreadsPostgres(ctx, tx, keys, ts)
	}
	const cols = 6
	args := make([]any, 0, len(keys)*cols)
	for _, k := range keys {
		st := ts[k]
		var views, solved any
		if st.hasViews {
			views = st.views
		}
		if st.hasSol {
			solved = boolInt(st.solved)
		}
		args = append(args, k.source, k.id, views, st.viewsAt, solved, st.solvedAt)
	}
	tuple := "(" + placeholders(cols) + ")"
	perStmt := sqliteThreadChunk * cols
	for start := 0; start < len(args); start += perStmt {
		chunk := args[start:min(start+perStmt, len(args))]
		query := `INSERT INTO threads (source, external_id, views, views_at, solved, solved_at) VALUES ` +
			strings.TrimSuffix(strings.Repeat(tuple+",", len(chunk)/cols), ",") + upsertThreadSQL
		if _, err := tx.ExecContext(ctx, query, chunk...); err != nil {
			return fmt.Errorf("store threads: %w", err)
		}
	}
	return nil
}

// sqliteThreadChunk is how many threads one SQLite statement carries: six
// parameters each stays below SQLite's limit of 32,766.
const sqliteThreadChunk = 5000

// writeThreadsPostgres stores the threads in one statement whatever their
// number, passing each column as an array; -1 stands for unknown views
// and solved, which arrays of pgx cannot leave NULL as simply.
func (s *Store) writeThreadsPostgres(ctx context.Context, tx dbtx, keys []threadKey, ts threadStates) error {
	n := len(keys)
	sources, ids := make([]string, n), make([]string, n)
	views, viewsAt, solved, solvedAt := make([]int64, n), make([]int64, n), make([]int64, n), make([]int64, n)
	for i, k := range keys {
		st := ts[k]
		sources[i], ids[i], viewsAt[i], solvedAt[i] = k.source, k.id, st.viewsAt, st.solvedAt
		views[i], solved[i] = -1, -1
		if st.hasViews {
			views[i] = st.views
		}
		if st.hasSol {
			solved[i] = boolInt(st.solved)
		}
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO threads (source, external_id, views, views_at, solved, solved_at)
		SELECT s, e, NULLIF(v, -1), va, NULLIF(sv, -1), sa
		FROM unnest($1::text[], $2::text[], $3::bigint[], $4::bigint[], $5::smallint[], $6::bigint[]) AS u (s, e, v, va, sv, sa)`+upsertThreadSQL,
		sources, ids, views, viewsAt, solved, solvedAt)
	if err != nil {
		return fmt.Errorf("store threads: %w", err)
	}
	return nil
}

func boolInt(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// ForumThreads returns, for [from, to), each thread with an approved forum
// activity in it, with its state as last seen and whether a member with a
// term overlapping [from, to) has such an activity in it: what SPEC 6's
// forum outcomes read. Bots' activities are left out, as they are of the
// active community: a thread in which only a bot wrote is no one's outcome.
// The activities come by the index of those that name a thread.
func (s *Store) ForumThreads(ctx context.Context, from, to time.Time) ([]program.ForumThread, error) {
	var out []program.ForumThread
	f, t := from.UnixMicro(), to.UnixMicro()
	err := eachRow(ctx, s.read, s.q(`SELECT t.views, t.solved, max(CASE WHEN m.member_id IS NULL THEN 0 ELSE 1 END)
		FROM activities a
		JOIN threads t ON t.source = a.source AND t.external_id = a.thread
		JOIN members b ON b.id = a.member_id AND NOT b.bot
		LEFT JOIN (SELECT DISTINCT member_id FROM terms WHERE start_at < ? AND (end_at = 0 OR end_at > ?)) m ON m.member_id = a.member_id
		WHERE a.thread <> '' AND a.type = 'forum' AND a.status = 'approved' AND a.occurred_at >= ? AND a.occurred_at < ?
		GROUP BY t.id, t.views, t.solved
		ORDER BY t.id`), []any{t, f, f, t}, func(rows *sql.Rows) error {
		var th program.ForumThread
		var views, solved sql.NullInt64
		var amb int64
		if err := rows.Scan(&views, &solved, &amb); err != nil {
			return err
		}
		th.Views, th.HasViews = views.Int64, views.Valid
		th.Solved, th.HasSolved = solved.Int64 == 1, solved.Valid
		th.Ambassador = amb == 1
		out = append(out, th)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read forum threads: %w", err)
	}
	return out, nil
}
