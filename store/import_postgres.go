package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/cadrehq/cadre"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// importPostgres writes a batch with COPY, the fastest way into PostgreSQL.
// COPY cannot skip duplicates, so the batch is copied into a temporary table
// and moved into activities by one INSERT … ON CONFLICT DO NOTHING, which
// counts what was new and lets concurrent instances import the same file.
func (im *Importer) importPostgres(ctx context.Context, recs []cadre.ActivityRecord, first func(dbtx) ([]cadre.ActivityRecord, error)) (res cadre.ImportResult, err error) {
	conn, err := im.s.write.Conn(ctx)
	if err != nil {
		return res, fmt.Errorf("import: %w", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "BEGIN"); err != nil {
		return res, fmt.Errorf("import: begin: %w", err)
	}
	defer func() {
		if err != nil {
			// The connection goes back to the pool either way; a failed
			// rollback leaves nothing committed.
			_, _ = conn.ExecContext(context.WithoutCancel(ctx), "ROLLBACK")
		}
	}()
	b := newBatchResolver(im, conn)
	if b.seq, err = im.s.bump(ctx, conn); err != nil {
		return res, err
	}
	if first != nil {
		if recs, err = first(conn); err != nil {
			return res, err
		}
	}
	acts, err := b.resolveAll(ctx, recs)
	if err != nil {
		return res, err
	}
	n, err := im.s.copyActivities(ctx, conn, acts)
	if err != nil {
		return res, err
	}
	if err := im.s.upsertThreads(ctx, conn, acts); err != nil {
		return res, err
	}
	// A bulk load outruns autovacuum's statistics, and planning the next
	// batch's lookups against tables believed empty makes them scan. The
	// importer refreshes them each time the members it created double.
	created := im.created + len(b.newMembers)
	if created-im.analyzed >= max(analyzeAfter, im.analyzed) {
		if _, err := conn.ExecContext(ctx, `ANALYZE members, identities, member_emails`); err != nil {
			return res, fmt.Errorf("import: analyze: %w", err)
		}
		im.analyzed = created
	}
	if _, err := conn.ExecContext(ctx, "COMMIT"); err != nil {
		return res, fmt.Errorf("import: commit: %w", err)
	}
	b.commit()
	im.created = created
	return cadre.ImportResult{Inserted: n, Duplicates: len(acts) - n}, nil
}

// analyzeAfter is how many new members call for fresh planner statistics.
const analyzeAfter = 1000

var copyColumns = []string{"member_id", "type", "occurred_at", "source", "external_id", "status", "effort_minutes", "url", "title", "metrics", "mentee_id", "thread"}

// copyActivities stores the activities not stored yet and returns how many.
func (s *Store) copyActivities(ctx context.Context, conn *sql.Conn, acts []cadre.Activity) (int, error) {
	// The staging table lives as long as the connection and empties itself
	// at each commit.
	cols := strings.Join(copyColumns, ", ")
	if _, err := conn.ExecContext(ctx, `CREATE TEMPORARY TABLE IF NOT EXISTS import_activities ON COMMIT DELETE ROWS
		AS SELECT `+cols+` FROM activities WITH NO DATA`); err != nil {
		return 0, fmt.Errorf("create staging table: %w", err)
	}
	rows := make([][]any, len(acts))
	for i := range acts {
		rows[i] = appendActivityArgs(make([]any, 0, len(copyColumns)), &acts[i])
	}
	err := conn.Raw(func(dc any) error {
		_, err := dc.(*stdlib.Conn).Conn().CopyFrom(ctx, pgx.Identifier{"import_activities"}, copyColumns, pgx.CopyFromRows(rows))
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("copy activities: %w", err)
	}
	res, err := conn.ExecContext(ctx, `INSERT INTO activities (`+cols+`) SELECT `+cols+` FROM import_activities ON CONFLICT (source, external_id) DO NOTHING`)
	if err != nil {
		return 0, fmt.Errorf("insert activities: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("insert activities: %w", err)
	}
	return int(n), nil
}
