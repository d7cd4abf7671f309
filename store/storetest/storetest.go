// Package storetest opens fresh, migrated stores for tests: a SQLite file in a
// temporary folder, and a PostgreSQL schema of its own that is dropped after
// the test. Runs never see each other's rows.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/cadrehq/cadre/store"
)

// PostgresURL is the server tests use unless CADRE_TEST_POSTGRES names another.
const PostgresURL = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

// Each runs fn as a subtest against every backend: SQLite always, PostgreSQL
// when reachable. With CI=true an unreachable PostgreSQL fails the test
// instead of skipping it.
func Each(t *testing.T, fn func(t *testing.T, s *store.Store)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, SQLite(t)) })
	t.Run("postgres", func(t *testing.T) { fn(t, Postgres(t)) })
}

// SQLite returns a migrated store on a new file in t's temporary folder.
func SQLite(t testing.TB) *store.Store {
	t.Helper()
	return open(t, filepath.Join(t.TempDir(), "cadre.db"))
}

// Postgres returns a migrated store in a new schema, or skips the test when
// PostgreSQL is unreachable outside CI.
func Postgres(t testing.TB) *store.Store {
	t.Helper()
	return open(t, PostgresDSN(t))
}

// PostgresDSN creates a new empty schema and returns a URL whose connections
// use it; the schema is dropped when the test ends. It skips the test when
// PostgreSQL is unreachable outside CI.
func PostgresDSN(t testing.TB) string {
	t.Helper()
	dsn, ok := PostgresDSNIfReachable(t)
	if !ok {
		t.SkipNow() // PostgresDSNIfReachable logged why
	}
	return dsn
}

// PostgresDSNIfReachable is PostgresDSN for a test that has more to run than
// PostgreSQL: where PostgresDSN skips the whole test, it logs why and reports
// false. With CI=true an unreachable PostgreSQL still fails the test.
func PostgresDSNIfReachable(t testing.TB) (string, bool) {
	t.Helper()
	base := os.Getenv("CADRE_TEST_POSTGRES")
	if base == "" {
		base = PostgresURL
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	admin, err := sql.Open("pgx", base)
	if err == nil {
		err = admin.PingContext(ctx)
	}
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("PostgreSQL is required in CI: %v", err)
		}
		t.Logf("PostgreSQL unreachable at %s: %v", base, err)
		return "", false
	}
	var b [6]byte
	rand.Read(b[:])
	schema := "cadre_test_" + hex.EncodeToString(b[:])
	if _, err := admin.ExecContext(ctx, `CREATE SCHEMA `+schema); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		if _, err := admin.Exec(`DROP SCHEMA ` + schema + ` CASCADE`); err != nil {
			t.Logf("drop test schema %s: %v", schema, err)
		}
		admin.Close()
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("parse %s: %v", base, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String(), true
}

func open(t testing.TB, dsn string) *store.Store {
	t.Helper()
	ctx := context.Background()
	s, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	if _, err := s.Migrate(ctx); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	return s
}
