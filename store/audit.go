package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/cadrehq/cadre"
)

// appendAudit writes an audit entry inside the caller's transaction, so the
// change and its record land together or not at all.
func (s *Store) appendAudit(ctx context.Context, tx *sql.Tx, e cadre.AuditEntry) error {
	if e.At.IsZero() {
		e.At = s.Now()
	}
	if e.Actor == "" {
		e.Actor = "system"
	}
	_, err := tx.ExecContext(ctx, s.q(`INSERT INTO audit_log (at, actor, action, target, detail) VALUES (?, ?, ?, ?, ?)`),
		e.At.Unix(), e.Actor, e.Action, e.Target, e.Detail)
	if err != nil {
		return fmt.Errorf("append audit: %w", err)
	}
	return nil
}

// AuditLog returns the newest audit entries first; target filters when not "".
func (s *Store) AuditLog(ctx context.Context, target string, limit int) ([]cadre.AuditEntry, error) {
	if limit <= 0 {
		limit = 100
	}
	query := `SELECT id, at, actor, action, target, detail FROM audit_log`
	args := []any{}
	if target != "" {
		query += ` WHERE target = ?`
		args = append(args, target)
	}
	rows, err := s.read.QueryContext(ctx, s.q(query+` ORDER BY id DESC LIMIT ?`), append(args, limit)...)
	if err != nil {
		return nil, fmt.Errorf("read audit log: %w", err)
	}
	defer rows.Close()
	var out []cadre.AuditEntry
	for rows.Next() {
		var e cadre.AuditEntry
		var at int64
		if err := rows.Scan(&e.ID, &at, &e.Actor, &e.Action, &e.Target, &e.Detail); err != nil {
			return nil, fmt.Errorf("read audit log: %w", err)
		}
		e.At = fromUnix(at)
		out = append(out, e)
	}
	return out, rows.Err()
}
