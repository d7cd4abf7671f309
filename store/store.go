// Package store keeps Cadre's data in SQLite (embedded, the default) or
// PostgreSQL (for several instances behind a load balancer). One implementation
// over database/sql serves both; the differences live in a small dialect seam
// and in per-dialect migrations.
package store

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	_ "modernc.org/sqlite"             // registers the "sqlite" driver
)

// Dialect names a database backend.
type Dialect string

// Supported dialects.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// Store is an open Cadre database.
type Store struct {
	dialect Dialect
	// sqliteURL opens more connections to the same file, for backups.
	sqliteURL string
	// write has a single connection on SQLite, which serialises writers
	// instead of letting them fail with SQLITE_BUSY; read is a pool.
	write *sql.DB
	read  *sql.DB

	closeOnce sync.Once
	closeErr  error

	// Now is the clock; tests replace it.
	Now func() time.Time
}

// IsPostgres reports whether dsn names a PostgreSQL database rather than a
// SQLite file.
func IsPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// Open opens the database named by dsn: a postgres:// URL, or else the path of
// a SQLite file, created when missing. It does not migrate; see Migrate and
// CheckSchema.
func Open(ctx context.Context, dsn string) (*Store, error) {
	s := &Store{Now: time.Now}
	var err error
	if IsPostgres(dsn) {
		err = s.openPostgres(ctx, dsn)
	} else {
		err = s.openSQLite(ctx, dsn)
	}
	if err != nil {
		return nil, err
	}
	return s, nil
}

func (s *Store) openSQLite(ctx context.Context, path string) error {
	s.dialect = SQLite
	if dir := filepath.Dir(path); dir != "." {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return fmt.Errorf("create database folder: %w", err)
		}
	}
	// busy_timeout comes first so that the pragmas after it wait for a lock
	// rather than fail; synchronous=NORMAL is durable in WAL mode except for
	// the last transactions before a power loss, never corrupting.
	pragmas := "_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)" +
		"&_pragma=synchronous(NORMAL)&_pragma=cache_size(-65536)&_pragma=temp_store(MEMORY)"
	u := "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + pragmas
	s.sqliteURL = u
	var err error
	if s.write, err = sql.Open("sqlite", u+"&_txlock=immediate"); err != nil {
		return fmt.Errorf("open %s: %w", path, err)
	}
	s.write.SetMaxOpenConns(1)
	s.write.SetConnMaxIdleTime(0)
	if err := s.write.PingContext(ctx); err != nil {
		s.write.Close()
		return fmt.Errorf("open %s: %w", path, err)
	}
	if s.read, err = sql.Open("sqlite", u+"&_pragma=query_only(1)"); err != nil {
		s.write.Close()
		return fmt.Errorf("open %s: %w", path, err)
	}
	// Idle connections are kept, all eight: database/sql keeps two by
	// default, and under load it closed the others and opened new ones for
	// each burst, each with a cold page cache and its pragmas to run again.
	s.read.SetMaxOpenConns(8)
	s.read.SetMaxIdleConns(8)
	return nil
}

func (s *Store) openPostgres(ctx context.Context, dsn string) error {
	s.dialect = Postgres
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return fmt.Errorf("open postgres: %w", err)
	}
	db.SetMaxOpenConns(16)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return fmt.Errorf("connect to postgres: %w", err)
	}
	s.write, s.read = db, db
	return nil
}

// Dialect returns the backend in use.
func (s *Store) Dialect() Dialect { return s.dialect }

// Close closes the database; closing again does nothing.
func (s *Store) Close() error {
	s.closeOnce.Do(func() { s.closeErr = s.close() })
	return s.closeErr
}

func (s *Store) close() error {
	err := s.write.Close()
	if s.read != s.write {
		if rerr := s.read.Close(); err == nil {
			err = rerr
		}
	}
	return err
}

// q rewrites a query written with ? placeholders for the dialect in use.
func (s *Store) q(query string) string {
	if s.dialect != Postgres {
		return query
	}
	var b strings.Builder
	b.Grow(len(query) + 16)
	n := 0
	for i := 0; i < len(query); i++ {
		if query[i] == '?' {
			n++
			fmt.Fprintf(&b, "$%d", n)
			continue
		}
		b.WriteByte(query[i])
	}
	return b.String()
}

// withTx runs fn in a write transaction, committing when it returns nil.
func (s *Store) withTx(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// snapshot begins a read-only transaction that sees one state of the
// database throughout: SQLite transactions do; PostgreSQL needs REPEATABLE READ.
func (s *Store) snapshot(ctx context.Context) (*sql.Tx, error) {
	opts := &sql.TxOptions{ReadOnly: true}
	if s.dialect == Postgres {
		opts.Isolation = sql.LevelRepeatableRead
	}
	return s.read.BeginTx(ctx, opts)
}

func fromUnix(sec int64) time.Time { return time.Unix(sec, 0).UTC() }

// Redact returns a database URL with its password hidden, for logs.
func Redact(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return "(unparsable database URL)"
	}
	return u.Redacted()
}

// eachRow runs query and calls scan with each row, closing the rows and
// checking their error, so that a read failing half-way is an error and not
// a short result.
func eachRow(ctx context.Context, db dbtx, query string, args []any, scan func(*sql.Rows) error) error {
	rows, err := db.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}
