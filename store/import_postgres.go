package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/cadrehq/cadre"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
)

// importPostgres writes a batch with COPY, the fastest way into PostgreSQL.
// COPY cannot skip duplicates, so the batch first drops the records already
// stored; should another instance insert one of them in between, the unique
// index refuses the COPY and the batch is redone with INSERT … ON CONFLICT.
func (im *Importer) importPostgres(ctx context.Context, recs []cadre.ActivityRecord) (cadre.ImportResult, error) {
	res, err := im.importPostgresTx(ctx, recs, true)
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "23505" {
		res, err = im.importPostgresTx(ctx, recs, false)
	}
	return res, err
}

func (im *Importer) importPostgresTx(ctx context.Context, recs []cadre.ActivityRecord, useCopy bool) (res cadre.ImportResult, err error) {
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
			conn.ExecContext(context.WithoutCancel(ctx), "ROLLBACK")
		}
	}()
	b := newBatchResolver(im, conn)
	acts, err := b.resolveAll(ctx, recs)
	if err != nil {
		return res, err
	}
	var n int
	if useCopy {
		n, err = im.s.copyActivities(ctx, conn, acts)
	} else {
		n, err = im.s.insertActivities(ctx, conn, acts)
	}
	if err != nil {
		return res, err
	}
	if _, err := conn.ExecContext(ctx, "COMMIT"); err != nil {
		return res, fmt.Errorf("import: commit: %w", err)
	}
	b.commit()
	return cadre.ImportResult{Inserted: n, Duplicates: len(acts) - n}, nil
}

type activityKey struct{ source, externalID string }

// copyActivities COPYs the activities not yet stored and returns how many.
func (s *Store) copyActivities(ctx context.Context, conn *sql.Conn, acts []cadre.Activity) (int, error) {
	bySource := make(map[string][]string)
	for i := range acts {
		bySource[acts[i].Source] = append(bySource[acts[i].Source], acts[i].ExternalID)
	}
	seen := make(map[activityKey]bool, len(acts))
	for source, ids := range bySource {
		rows, err := conn.QueryContext(ctx, `SELECT external_id FROM activities WHERE source = $1 AND external_id = ANY($2)`, source, ids)
		if err != nil {
			return 0, fmt.Errorf("find stored activities: %w", err)
		}
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return 0, fmt.Errorf("find stored activities: %w", err)
			}
			seen[activityKey{source, id}] = true
		}
		if err := rows.Close(); err != nil {
			return 0, fmt.Errorf("find stored activities: %w", err)
		}
	}
	rows := make([][]any, 0, len(acts))
	for i := range acts {
		a := &acts[i]
		k := activityKey{a.Source, a.ExternalID}
		if seen[k] {
			continue
		}
		seen[k] = true
		rows = append(rows, appendActivityArgs(make([]any, 0, 11), a))
	}
	if len(rows) == 0 {
		return 0, nil
	}
	cols := []string{"member_id", "type", "occurred_at", "source", "external_id", "status", "effort_minutes", "url", "title", "metrics", "mentee_id"}
	var copied int64
	err := conn.Raw(func(dc any) error {
		var err error
		copied, err = dc.(*stdlib.Conn).Conn().CopyFrom(ctx, pgx.Identifier{"activities"}, cols, pgx.CopyFromRows(rows))
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("copy activities: %w", err)
	}
	return int(copied), nil
}
