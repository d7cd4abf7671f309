package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/cadrehq/cadre"
)

// SaveSource adds a source, paused when src.Paused, or replaces the
// configuration of one, keeping its cursor, its history and whether it is
// paused.
func (s *Store) SaveSource(ctx context.Context, src *cadre.Source) error {
	src.Name, src.Kind = strings.TrimSpace(src.Name), strings.TrimSpace(src.Kind)
	if src.Name == "" || src.Kind == "" {
		return cadre.Errorf(cadre.EINVALID, "a source needs a name and a kind")
	}
	cfg, err := json.Marshal(src.Config)
	if err != nil {
		return fmt.Errorf("save source %s: %w", src.Name, err)
	}
	_, err = s.write.ExecContext(ctx, s.q(`INSERT INTO sources (name, kind, config, paused) VALUES (?, ?, ?, ?)
		ON CONFLICT (name) DO UPDATE SET kind = excluded.kind, config = excluded.config`), src.Name, src.Kind, string(cfg), src.Paused)
	if err != nil {
		return fmt.Errorf("save source %s: %w", src.Name, err)
	}
	return nil
}

const sourceColumns = `name, kind, config, paused, cursor, last_sync_at, last_error, inserted, duplicates, rejected, lease_owner, lease_until`

func scanSource(row interface{ Scan(...any) error }, src *cadre.Source) error {
	var cfg string
	var last, until int64
	if err := row.Scan(&src.Name, &src.Kind, &cfg, &src.Paused, &src.Cursor, &last, &src.LastError, &src.Inserted, &src.Duplicates, &src.Rejected, &src.LeaseOwner, &until); err != nil {
		return err
	}
	if last != 0 {
		src.LastSyncAt = fromUnix(last)
	}
	if until != 0 {
		src.LeaseUntil = fromUnix(until)
	}
	if err := json.Unmarshal([]byte(cfg), &src.Config); err != nil {
		return fmt.Errorf("source %s: configuration unreadable: %w", src.Name, err)
	}
	return nil
}

// Sources lists the configured sources by name.
func (s *Store) Sources(ctx context.Context) ([]cadre.Source, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT `+sourceColumns+` FROM sources ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("list sources: %w", err)
	}
	defer rows.Close()
	var out []cadre.Source
	for rows.Next() {
		var src cadre.Source
		if err := scanSource(rows, &src); err != nil {
			return nil, fmt.Errorf("list sources: %w", err)
		}
		out = append(out, src)
	}
	return out, rows.Err()
}

// GetSource returns one source by name.
func (s *Store) GetSource(ctx context.Context, name string) (*cadre.Source, error) {
	var src cadre.Source
	err := scanSource(s.read.QueryRowContext(ctx, s.q(`SELECT `+sourceColumns+` FROM sources WHERE name = ?`), name), &src)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, cadre.Errorf(cadre.ENOTFOUND, "no source named %q", name)
	}
	if err != nil {
		return nil, fmt.Errorf("get source %s: %w", name, err)
	}
	return &src, nil
}

// DeleteSource removes a source; what it imported stays.
func (s *Store) DeleteSource(ctx context.Context, name string) error {
	res, err := s.write.ExecContext(ctx, s.q(`DELETE FROM sources WHERE name = ?`), name)
	if err != nil {
		return fmt.Errorf("delete source %s: %w", name, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return cadre.Errorf(cadre.ENOTFOUND, "no source named %q", name)
	}
	return nil
}

// PauseSource pauses a source, or resumes it when paused is false. No sync
// starts while the source is paused, and one under way stops before its next
// batch, when it renews its lease.
func (s *Store) PauseSource(ctx context.Context, name string, paused bool) error {
	res, err := s.write.ExecContext(ctx, s.q(`UPDATE sources SET paused = ? WHERE name = ?`), paused, name)
	if err != nil {
		return fmt.Errorf("pause source %s: %w", name, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return cadre.Errorf(cadre.ENOTFOUND, "no source named %q", name)
	}
	return nil
}

// AcquireSource takes the lease on a source for owner, so that instances
// sharing a database never sync one source twice at once. It returns the
// source when the lease was free, expired or already owner's, and ECONFLICT
// naming the holder otherwise, or saying that the source is paused. A sync
// longer than the lease renews it.
func (s *Store) AcquireSource(ctx context.Context, name, owner string, lease time.Duration) (*cadre.Source, error) {
	now := s.Now()
	res, err := s.write.ExecContext(ctx, s.q(`UPDATE sources SET lease_owner = ?, lease_until = ?
		WHERE name = ? AND paused = ? AND (lease_until < ? OR lease_owner = ?)`), owner, now.Add(lease).Unix(), name, false, now.Unix(), owner)
	if err != nil {
		return nil, fmt.Errorf("lease source %s: %w", name, err)
	}
	src, err := s.GetSource(ctx, name)
	if err != nil {
		return nil, err
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		if src.Paused {
			return nil, cadre.Errorf(cadre.ECONFLICT, "source %s is paused until it is resumed", name)
		}
		return nil, cadre.Errorf(cadre.ECONFLICT, "source %s is being synced by %s until %s", name, src.LeaseOwner, src.LeaseUntil.Format(time.RFC3339))
	}
	return src, nil
}

// FinishSync records how a sync of a source went and releases owner's
// lease: the new cursor (kept as it was when the sync failed before moving
// it), the counts, and the error or its absence.
func (s *Store) FinishSync(ctx context.Context, name, owner, cursor string, res cadre.ImportResult, syncErr error) error {
	msg := ""
	if syncErr != nil {
		msg = syncErr.Error()
	}
	r, err := s.write.ExecContext(ctx, s.q(`UPDATE sources SET cursor = ?, last_sync_at = ?, last_error = ?,
		inserted = inserted + ?, duplicates = duplicates + ?, rejected = rejected + ?, lease_owner = '', lease_until = 0
		WHERE name = ? AND lease_owner = ?`), cursor, s.Now().Unix(), msg, res.Inserted, res.Duplicates, res.Rejected, name, owner)
	if err != nil {
		return fmt.Errorf("finish sync of %s: %w", name, err)
	}
	if n, _ := r.RowsAffected(); n == 0 {
		return cadre.Errorf(cadre.ECONFLICT, "source %s: the lease of %s was lost during the sync", name, owner)
	}
	return nil
}
