package store

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"

	"github.com/cadrehq/cadre"
)

//go:embed migrations
var migrations embed.FS

// migration is one numbered, forward-only schema step.
type migration struct {
	version int
	name    string
	sql     string
}

// migrationLock is the PostgreSQL advisory lock key that keeps several
// instances from migrating at once.
const migrationLock = 7263_0001

func (s *Store) migrations() ([]migration, error) {
	dir := path.Join("migrations", string(s.dialect))
	entries, err := fs.ReadDir(migrations, dir)
	if err != nil {
		return nil, fmt.Errorf("read migrations: %w", err)
	}
	var ms []migration
	for _, e := range entries {
		num, _, ok := strings.Cut(e.Name(), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || !strings.HasSuffix(e.Name(), ".sql") {
			return nil, fmt.Errorf("migration %s: name must be NNNN_name.sql", e.Name())
		}
		body, err := fs.ReadFile(migrations, path.Join(dir, e.Name()))
		if err != nil {
			return nil, fmt.Errorf("read migration %s: %w", e.Name(), err)
		}
		ms = append(ms, migration{version: v, name: e.Name(), sql: string(body)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	return ms, nil
}

// SchemaStatus reports the schema version of the database and the newest one
// this binary knows.
func (s *Store) SchemaStatus(ctx context.Context) (current, latest int, err error) {
	ms, err := s.migrations()
	if err != nil {
		return 0, 0, err
	}
	latest = ms[len(ms)-1].version
	current, err = s.schemaVersion(ctx, s.read)
	return current, latest, err
}

type queryer interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

func (s *Store) schemaVersion(ctx context.Context, db queryer) (int, error) {
	var exists bool
	var err error
	if s.dialect == Postgres {
		err = db.QueryRowContext(ctx, `SELECT to_regclass('schema_migrations') IS NOT NULL`).Scan(&exists)
	} else {
		var n int
		err = db.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'`).Scan(&n)
		exists = n > 0
	}
	if err != nil {
		return 0, fmt.Errorf("read schema version: %w", err)
	}
	if !exists {
		return 0, nil
	}
	var v sql.NullInt64
	if err := db.QueryRowContext(ctx, `SELECT max(version) FROM schema_migrations`).Scan(&v); err != nil {
		return 0, fmt.Errorf("read schema version: %w", err)
	}
	return int(v.Int64), nil
}

// Empty reports whether the database holds no table at all: a SQLite file
// just created, or a new PostgreSQL database or schema (the first of the
// search path). Migrate can then create the schema without meeting anything
// of an older Cadre or of another program.
func (s *Store) Empty(ctx context.Context) (bool, error) {
	query := `SELECT count(*) FROM sqlite_master WHERE type = 'table'`
	if s.dialect == Postgres {
		query = `SELECT count(*) FROM pg_tables WHERE schemaname = current_schema()`
	}
	var n int
	if err := s.read.QueryRowContext(ctx, query).Scan(&n); err != nil {
		return false, fmt.Errorf("check for tables: %w", err)
	}
	return n == 0, nil
}

// CheckSchema returns an EINVALID error when the database needs migrating, and
// refuses a database newer than this binary.
func (s *Store) CheckSchema(ctx context.Context) error {
	current, latest, err := s.SchemaStatus(ctx)
	if err != nil {
		return err
	}
	switch {
	case current < latest:
		return cadre.Errorf(cadre.EINVALID, "database schema is at version %d, this binary needs %d: run `cadre migrate` or start with --migrate", current, latest)
	case current > latest:
		return cadre.Errorf(cadre.EINVALID, "database schema is at version %d, newer than this binary (%d): upgrade cadre", current, latest)
	}
	return nil
}

// Migrate applies every migration the database lacks, each in its own
// transaction, and returns how many it applied.
func (s *Store) Migrate(ctx context.Context) (int, error) {
	ms, err := s.migrations()
	if err != nil {
		return 0, err
	}
	conn, err := s.write.Conn(ctx)
	if err != nil {
		return 0, fmt.Errorf("migrate: %w", err)
	}
	defer conn.Close()
	if s.dialect == Postgres {
		if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock($1)`, migrationLock); err != nil {
			return 0, fmt.Errorf("migrate: lock: %w", err)
		}
		// The lock ends with the session anyway, when the connection closes.
		defer func() {
			_, _ = conn.ExecContext(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, migrationLock)
		}()
	}
	if _, err := conn.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)`); err != nil {
		return 0, fmt.Errorf("migrate: %w", err)
	}
	current, err := s.schemaVersion(ctx, conn)
	if err != nil {
		return 0, err
	}
	applied := 0
	for _, m := range ms {
		if m.version <= current {
			continue
		}
		tx, err := conn.BeginTx(ctx, nil)
		if err != nil {
			return applied, fmt.Errorf("migrate %s: %w", m.name, err)
		}
		if _, err := tx.ExecContext(ctx, m.sql); err != nil {
			tx.Rollback()
			return applied, fmt.Errorf("migrate %s: %w", m.name, err)
		}
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)`), m.version, s.Now().Unix()); err != nil {
			tx.Rollback()
			return applied, fmt.Errorf("migrate %s: %w", m.name, err)
		}
		if err := tx.Commit(); err != nil {
			return applied, fmt.Errorf("migrate %s: %w", m.name, err)
		}
		applied++
	}
	return applied, nil
}
