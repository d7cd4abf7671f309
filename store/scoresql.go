package store

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/cadrehq/cadre"
	"github.com/cadrehq/cadre/criteria"
)

// FullScore is what the full score at an instant comes to, in the figures
// by which the SQL reference and the engine are checked against each other.
type FullScore struct {
	Active, Qualifying int
	Threshold          float64   // the achieve threshold that would qualify 3%
	Top                []float64 // the 100 highest scores, best first
}

// Diff returns an error naming the first figure in which f and g differ, or
// nil. Scores are sums of the same terms in another order, so they compare
// within 1e-6.
func (f FullScore) Diff(g FullScore) error {
	near := func(x, y float64) bool { return math.Abs(x-y) <= 1e-6 }
	switch {
	case f.Active != g.Active || f.Qualifying != g.Qualifying:
		return fmt.Errorf("active and qualifying members: %d and %d against %d and %d", f.Active, f.Qualifying, g.Active, g.Qualifying)
	case !near(f.Threshold, g.Threshold):
		return fmt.Errorf("threshold for 3%%: %v against %v", f.Threshold, g.Threshold)
	case !slices.EqualFunc(f.Top, g.Top, near):
		return fmt.Errorf("top scores: %v against %v", f.Top, g.Top)
	}
	return nil
}

// ScoreSQL computes in SQLite's SQL what the scoring engine computes from
// memory, as the reference `cadre bench` measures the engine against: under
// criteria c, every member's score at t, the active set, the qualifying
// share, the top 100 and the threshold that would qualify 3%. The SQL knows
// quarterly decay in UTC only, the default's.
func (s *Store) ScoreSQL(ctx context.Context, c *criteria.Criteria, t time.Time) (FullScore, error) {
	var r FullScore
	if s.dialect != SQLite {
		return r, cadre.Errorf(cadre.EINVALID, "the SQL reference is written for SQLite")
	}
	if c.Decay.Mode != criteria.DecayQuarterly || c.Location() != time.UTC {
		return r, cadre.Errorf(cadre.EINVALID, "the SQL reference knows quarterly decay in UTC only")
	}
	// The points of each type, as (key, points) rows: from the criteria,
	// so that the reference never restates them.
	var pts strings.Builder
	args := []any{}
	for i, at := range c.ActivityTypes {
		if i > 0 {
			pts.WriteString(", ")
		}
		pts.WriteString("(?, ?)")
		args = append(args, at.Key, at.PointValue())
	}
	conn, err := s.write.Conn(ctx)
	if err != nil {
		return r, err
	}
	defer conn.Close()
	qt := 4*t.Year() + (int(t.Month())-1)/3
	now := t.UnixMicro()
	since := t.AddDate(0, 0, -c.ActiveWindowDays).UnixMicro()
	if _, err := conn.ExecContext(ctx, `DROP TABLE IF EXISTS temp.scored`); err != nil {
		return r, err
	}
	_, err = conn.ExecContext(ctx, `CREATE TEMP TABLE scored AS
		WITH pts(type, p) AS (VALUES `+pts.String()+`)
		SELECT a.member_id AS member_id,
			sum(pts.p * pow(?, ? - (4 * CAST(strftime('%Y', a.occurred_at / 1000000, 'unixepoch') AS INTEGER)
				+ (CAST(strftime('%m', a.occurred_at / 1000000, 'unixepoch') AS INTEGER) - 1) / 3))) AS score,
			max(a.occurred_at) > ? AS active
		FROM activities a JOIN pts ON pts.type = a.type JOIN members m ON m.id = a.member_id
		WHERE a.status = 'approved' AND a.occurred_at <= ? AND NOT m.staff AND NOT m.bot
		GROUP BY a.member_id`, append(args, 1-c.Decay.Rate, qt, since, now)...)
	if err != nil {
		return r, err
	}
	if err := conn.QueryRowContext(ctx, `SELECT count(*) FILTER (WHERE active), count(*) FILTER (WHERE active AND score >= ? - 1e-9) FROM scored`, c.Thresholds.Achieve).Scan(&r.Active, &r.Qualifying); err != nil {
		return r, err
	}
	err = eachRow(ctx, conn, `SELECT score FROM scored ORDER BY score DESC LIMIT 100`, nil, func(rows *sql.Rows) error {
		var score float64
		err := rows.Scan(&score)
		r.Top = append(r.Top, score)
		return err
	})
	if err != nil {
		return r, fmt.Errorf("top scores: %w", err)
	}
	k := max(1, int(0.03*float64(r.Active)))
	if err := conn.QueryRowContext(ctx, `SELECT score FROM scored WHERE active ORDER BY score DESC LIMIT 1 OFFSET ?`, k-1).Scan(&r.Threshold); err != nil {
		return r, err
	}
	return r, nil
}
