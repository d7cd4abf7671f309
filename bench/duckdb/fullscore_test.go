// Package duckdb_test compares Cadre's scoring engine with DuckDB on the same
// generated community (issue 3). It is a module of its own because DuckDB
// needs cgo, which the main module and its binary do without.
package duckdb_test

import (
	"cmp"
	"container/heap"
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"math"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/cadrehq/cadre"
	"github.com/cadrehq/cadre/criteria"
	"github.com/cadrehq/cadre/demo"
	"github.com/cadrehq/cadre/score"
	"github.com/duckdb/duckdb-go/v2"
)

// benchSize is the community of the benchmark: 100,000 members and 1M
// activities, or what CADRE_BENCH_MEMBERS and CADRE_BENCH_ACTIVITIES say
// (issue 3 states its goals for 1,000,000 and 10,000,000).
func benchSize() (members, activities int) {
	members, activities = 100_000, 1_000_000
	if v, err := strconv.Atoi(os.Getenv("CADRE_BENCH_MEMBERS")); err == nil {
		members = v
	}
	if v, err := strconv.Atoi(os.Getenv("CADRE_BENCH_ACTIVITIES")); err == nil {
		activities = v
	}
	return members, activities
}

// benchAt ends the generated history and is the instant scored.
var benchAt = time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)

const (
	topN   = 100  // the length of the leaderboard
	target = 0.03 // the share calibrated for
)

// result is what both sides compute: the full score at t.
type result struct {
	active, qualifying int
	top                []float64 // the top scores, best first
	threshold          float64   // the calibrated achieve threshold
}

// load generates the community once and gives the same rows to both sides:
// a score.History for the engine and an activities table in DuckDB. Members
// are named by a dense index in order of first sight, as the store's loader
// names them.
func load(b *testing.B, conn *sql.Conn) *score.History {
	b.Helper()
	ctx := context.Background()
	if _, err := conn.ExecContext(ctx, `CREATE TABLE activities (member INTEGER, type VARCHAR, occurred_at BIGINT)`); err != nil {
		b.Fatal(err)
	}
	// The appender writes column chunks directly, far faster than INSERTs.
	var app *duckdb.Appender
	err := conn.Raw(func(dc any) error {
		var err error
		app, err = duckdb.NewAppenderFromConn(dc.(driver.Conn), "", "activities")
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	members, activities := benchSize()
	index := make(map[string]int32, members)
	h := &score.History{}
	h.Grow(activities)
	err = demo.Synthetic(3, members, activities, benchAt, func(r *cadre.ActivityRecord) error {
		m, ok := index[r.Member.Handle]
		if !ok {
			m = int32(len(index))
			index[r.Member.Handle] = m
		}
		a := r.Activity
		if err := h.Add(score.Event{Member: m, Type: a.Type, At: a.OccurredAt, Status: a.Status}); err != nil {
			return err
		}
		return app.AppendRow(m, a.Type, a.OccurredAt.UnixMicro())
	})
	if err != nil {
		b.Fatal(err)
	}
	if err := app.Close(); err != nil {
		b.Fatal(err)
	}
	return h
}

// scoreCadre computes the full score at t with the engine, reusing board as
// the server reuses its board between evaluations.
func scoreCadre(e *score.Engine, t time.Time, board *score.Board) (result, error) {
	e.Evaluate(t, board)
	q := board.Qualification()
	cal, err := board.Calibrate(target)
	if err != nil {
		return result{}, err
	}
	top := topScores(board.Scores, topN)
	return result{active: len(q.Active), qualifying: len(q.Qualifying), top: top, threshold: cal.Threshold}, nil
}

// best keeps the n best members in a heap whose root is the worst kept, so
// that a top 100 of a million members needs no sort of the million.
type best struct {
	scores []float64
	items  []int32
}

// worse orders members by score, then by index for equal scores, as the
// leaderboard does.
func (b *best) worse(i, j int32) bool {
	if c := cmp.Compare(b.scores[i], b.scores[j]); c != 0 {
		return c < 0
	}
	return i > j
}

func (b *best) Len() int           { return len(b.items) }
func (b *best) Less(x, y int) bool { return b.worse(b.items[x], b.items[y]) }
func (b *best) Swap(x, y int)      { b.items[x], b.items[y] = b.items[y], b.items[x] }
func (b *best) Push(x any)         { b.items = append(b.items, x.(int32)) }
func (b *best) Pop() any {
	x := b.items[len(b.items)-1]
	b.items = b.items[:len(b.items)-1]
	return x
}

// topScores returns the n highest scores, best first, by partial selection.
func topScores(scores []float64, n int) []float64 {
	b := &best{scores: scores, items: make([]int32, 0, n)}
	for m := range int32(len(scores)) {
		switch {
		case len(b.items) < n:
			heap.Push(b, m)
		case b.worse(b.items[0], m):
			b.items[0] = m
			heap.Fix(b, 0)
		}
	}
	slices.SortFunc(b.items, func(i, j int32) int {
		if b.worse(i, j) {
			return 1
		}
		return -1
	})
	top := make([]float64, len(b.items))
	for k, m := range b.items {
		top[k] = scores[m]
	}
	return top
}

// scoresSQL scores every member at $1 (microseconds since the epoch) under
// the default criteria. DuckDB's datediff counts the quarter boundaries
// between two instants, q(t) − q(a) in UTC, so each activity's points decay by
// 0.75 per boundary (SPEC section 3); a member is active with an activity in
// the 90 days up to t. The points of each type join as a small table, as a
// criteria table would be held in SQL, and the join leaves out activities of
// types the criteria do not define, which do not count. Of the forms tried,
// this was the fastest: a CASE for the points, the quarter as
// 4 × year + quarter − 1, or a first aggregation by member and quarter were
// 5 to 90% slower at the default size.
const scoresSQL = `
CREATE OR REPLACE TEMP TABLE scores AS
SELECT member,
       sum(p.points * pow(0.75, datediff('quarter', make_timestamp(occurred_at), make_timestamp($1::BIGINT)))) AS score,
       max(occurred_at) > $1 - 90::BIGINT * 86400 * 1000000 AS active
FROM activities
JOIN (VALUES ('forum', 1), ('content', 3), ('mentoring', 4), ('speaking', 5),
             ('feedback', 2), ('beta', 2), ('code', 2)) AS p(type, points) USING (type)
WHERE occurred_at <= $1
GROUP BY member`

// scoreDuckDB computes the full score at t in SQL: the scores into a
// temporary table, then the counts, the top and the calibration from it, as
// the engine computes them from its board.
func scoreDuckDB(ctx context.Context, conn *sql.Conn, t time.Time) (result, error) {
	var r result
	if _, err := conn.ExecContext(ctx, scoresSQL, t.UnixMicro()); err != nil {
		return r, fmt.Errorf("scores: %w", err)
	}
	err := conn.QueryRowContext(ctx, `
		SELECT count(*) FILTER (WHERE active), count(*) FILTER (WHERE active AND score >= 60 - 1e-9)
		FROM scores`).Scan(&r.active, &r.qualifying)
	if err != nil {
		return r, fmt.Errorf("share: %w", err)
	}
	if r.active == 0 {
		return r, fmt.Errorf("nobody active")
	}
	rows, err := conn.QueryContext(ctx, `SELECT score FROM scores ORDER BY score DESC, member LIMIT $1`, topN)
	if err != nil {
		return r, fmt.Errorf("top: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var s float64
		if err := rows.Scan(&s); err != nil {
			return r, fmt.Errorf("top: %w", err)
		}
		r.top = append(r.top, s)
	}
	if err := rows.Err(); err != nil {
		return r, fmt.Errorf("top: %w", err)
	}
	k := max(1, int(math.Floor(target*float64(r.active))))
	err = conn.QueryRowContext(ctx, `SELECT score FROM scores WHERE active ORDER BY score DESC LIMIT 1 OFFSET $1`, k-1).Scan(&r.threshold)
	if err != nil {
		return r, fmt.Errorf("calibrate: %w", err)
	}
	return r, nil
}

// agree fails the benchmark when the two sides disagree: their speeds only
// compare if they compute the same thing. Scores are sums of the same terms
// in another order, so they are compared within 1e-6.
func agree(b *testing.B, engine, sql result) {
	b.Helper()
	near := func(x, y float64) bool { return math.Abs(x-y) <= 1e-6 }
	if engine.active != sql.active || engine.qualifying != sql.qualifying {
		b.Fatalf("active, qualifying: engine %d, %d; DuckDB %d, %d", engine.active, engine.qualifying, sql.active, sql.qualifying)
	}
	if !near(engine.threshold, sql.threshold) {
		b.Fatalf("threshold: engine %v, DuckDB %v", engine.threshold, sql.threshold)
	}
	if !slices.EqualFunc(engine.top, sql.top, near) {
		b.Fatalf("top scores: engine %v, DuckDB %v", engine.top, sql.top)
	}
}

// BenchmarkFullScore measures the full score at t, every score, the active
// set and share, the top 100 and a calibration, with Cadre's engine in memory
// ("cadre") and in DuckDB's SQL over an in-memory table ("duckdb"), on the
// same rows.
//
//	go test -run '^$' -bench FullScore -benchtime 5x
func BenchmarkFullScore(b *testing.B) {
	ctx := context.Background()
	db, err := sql.Open("duckdb", "")
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	// One connection holds the table and the temporary scores.
	conn, err := db.Conn(ctx)
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close()

	e := score.New(criteria.Default(), load(b, conn))
	var board score.Board
	want, err := scoreCadre(e, benchAt, &board)
	if err != nil {
		b.Fatal(err)
	}
	got, err := scoreDuckDB(ctx, conn, benchAt)
	if err != nil {
		b.Fatal(err)
	}
	agree(b, want, got)
	b.Logf("%d active, %d qualifying, threshold %.3f", want.active, want.qualifying, want.threshold)

	b.Run("cadre", func(b *testing.B) {
		for b.Loop() {
			if _, err := scoreCadre(e, benchAt, &board); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("duckdb", func(b *testing.B) {
		for b.Loop() {
			if _, err := scoreDuckDB(ctx, conn, benchAt); err != nil {
				b.Fatal(err)
			}
		}
	})
}
