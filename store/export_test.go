package store

import (
	"context"
	"time"
)

// TamperAuditLog tries what the append-only audit log must refuse.
func (s *Store) TamperAuditLog(ctx context.Context) error {
	if _, err := s.write.ExecContext(ctx, `UPDATE audit_log SET actor = 'mallory'`); err == nil {
		return nil
	}
	_, err := s.write.ExecContext(ctx, `DELETE FROM audit_log`)
	return err
}

// ScoreSQL is the full score of issue 3 written in SQLite's SQL, under the
// default criteria (quarterly decay in UTC), for the benchmark that compares
// it with the engine: every member's score at t, the active set, the share,
// the top 100 and the threshold that would qualify 3%. It returns the number
// of active members.
func (s *Store) ScoreSQL(ctx context.Context, t time.Time) (int, error) {
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
