package store

import (
	"context"
	"time"

	"github.com/cadrehq/cadre"
)

// ScoreSQL computes in SQLite's SQL what the scoring engine computes from
// memory, as the reference `cadre bench` measures the engine against: under
// the default criteria (quarterly decay in UTC), every member's score at t,
// the active set, the qualifying share, the top 100 and the threshold that
// would qualify 3%. It returns the number of active members.
func (s *Store) ScoreSQL(ctx context.Context, t time.Time) (int, error) {
	if s.dialect != SQLite {
		return 0, cadre.Errorf(cadre.EINVALID, "the SQL reference is written for SQLite")
	}
	conn, err := s.write.Conn(ctx)
	if err != nil {
		return 0, err
	}
	defer conn.Close()
	qt := 4*t.Year() + (int(t.Month())-1)/3
	now := t.UnixMicro()
	since := t.AddDate(0, 0, -90).UnixMicro()
	if _, err := conn.ExecContext(ctx, `DROP TABLE IF EXISTS temp.scored`); err != nil {
		return 0, err
	}
	_, err = conn.ExecContext(ctx, `CREATE TEMP TABLE scored AS
		WITH pts(type, p) AS (VALUES ('forum', 1), ('content', 3), ('mentoring', 4), ('speaking', 5), ('feedback', 2), ('beta', 2), ('code', 2))
		SELECT a.member_id AS member_id,
			sum(pts.p * pow(0.75, ? - (4 * CAST(strftime('%Y', a.occurred_at / 1000000, 'unixepoch') AS INTEGER)
				+ (CAST(strftime('%m', a.occurred_at / 1000000, 'unixepoch') AS INTEGER) - 1) / 3))) AS score,
			max(a.occurred_at) > ? AS active
		FROM activities a JOIN pts ON pts.type = a.type JOIN members m ON m.id = a.member_id
		WHERE a.status = 'approved' AND a.occurred_at <= ? AND NOT m.staff AND NOT m.bot
		GROUP BY a.member_id`, qt, since, now)
	if err != nil {
		return 0, err
	}
	var active, qualifying int
	if err := conn.QueryRowContext(ctx, `SELECT count(*) FILTER (WHERE active), count(*) FILTER (WHERE active AND score >= 60 - 1e-9) FROM scored`).Scan(&active, &qualifying); err != nil {
		return 0, err
	}
	rows, err := conn.QueryContext(ctx, `SELECT member_id, score FROM scored ORDER BY score DESC LIMIT 100`)
	if err != nil {
		return 0, err
	}
	for rows.Next() {
	}
	if err := rows.Close(); err != nil {
		return 0, err
	}
	k := max(1, int(0.03*float64(active)))
	var threshold float64
	if err := conn.QueryRowContext(ctx, `SELECT score FROM scored WHERE active ORDER BY score DESC LIMIT 1 OFFSET ?`, k-1).Scan(&threshold); err != nil {
		return 0, err
	}
	return active, nil
}
