package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/cadrehq/cadre"
	"github.com/cadrehq/cadre/criteria"
)

// SaveCriteria validates document and stores it as the next criteria version,
// auditing the change. A document that does not validate is refused with an
// EINVALID error that wraps the criteria package's field errors.
func (s *Store) SaveCriteria(ctx context.Context, document, author string) (int, error) {
	if _, err := criteria.Parse([]byte(document)); err != nil {
		return 0, cadre.Errorf(cadre.EINVALID, "invalid criteria: %w", err)
	}
	var version int
	err := s.withTx(ctx, func(tx *sql.Tx) error {
		seq, err := s.bump(ctx, tx)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO changes (seq, kind, ref) VALUES (?, ?, 0)`), seq, cadre.ChangeCriteria); err != nil {
			return fmt.Errorf("save criteria: %w", err)
		}
		if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(version), 0) + 1 FROM criteria_versions`).Scan(&version); err != nil {
			return fmt.Errorf("save criteria: %w", err)
		}
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO criteria_versions (version, author, created_at, document) VALUES (?, ?, ?, ?)`),
			version, author, s.Now().Unix(), document); err != nil {
			return fmt.Errorf("save criteria: %w", err)
		}
		return s.appendAudit(ctx, tx, cadre.AuditEntry{Actor: author, Action: "criteria.set", Target: "criteria", Detail: fmt.Sprintf("version %d", version)})
	})
	return version, err
}

// Criteria returns the given criteria version, or the latest when version is
// 0. With no version stored it returns an ENOTFOUND error.
func (s *Store) Criteria(ctx context.Context, version int) (*cadre.CriteriaDoc, error) {
	query := `SELECT version, author, created_at, document FROM criteria_versions ORDER BY version DESC LIMIT 1`
	args := []any{}
	if version != 0 {
		query = `SELECT version, author, created_at, document FROM criteria_versions WHERE version = ?`
		args = append(args, version)
	}
	var d cadre.CriteriaDoc
	var created int64
	err := s.read.QueryRowContext(ctx, s.q(query), args...).Scan(&d.Version, &d.Author, &created, &d.Document)
	if errors.Is(err, sql.ErrNoRows) {
		if version == 0 {
			return nil, cadre.Errorf(cadre.ENOTFOUND, "no criteria stored")
		}
		return nil, cadre.Errorf(cadre.ENOTFOUND, "criteria version %d not found", version)
	}
	if err != nil {
		return nil, fmt.Errorf("get criteria: %w", err)
	}
	d.CreatedAt = fromUnix(created)
	return &d, nil
}

// CriteriaHistory lists stored criteria versions, newest first, without documents.
func (s *Store) CriteriaHistory(ctx context.Context) ([]cadre.CriteriaDoc, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT version, author, created_at FROM criteria_versions ORDER BY version DESC`)
	if err != nil {
		return nil, fmt.Errorf("criteria history: %w", err)
	}
	defer rows.Close()
	var out []cadre.CriteriaDoc
	for rows.Next() {
		var d cadre.CriteriaDoc
		var created int64
		if err := rows.Scan(&d.Version, &d.Author, &created); err != nil {
			return nil, fmt.Errorf("criteria history: %w", err)
		}
		d.CreatedAt = fromUnix(created)
		out = append(out, d)
	}
	return out, rows.Err()
}
