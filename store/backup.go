package store

import (
	"context"
	"database/sql"
	"fmt"
	"os"

	"github.com/cadrehq/cadre"
)

// Backup writes a consistent copy of a SQLite database to path while others
// keep reading and writing, using VACUUM INTO. PostgreSQL is backed up with
// its own tools (docs/OPERATIONS.md).
func (s *Store) Backup(ctx context.Context, path string) error {
	if s.dialect != SQLite {
		return cadre.Errorf(cadre.EINVALID, "cadre backup copies SQLite databases; back up PostgreSQL with pg_dump (see docs/OPERATIONS.md)")
	}
	if _, err := os.Stat(path); err == nil {
		return cadre.Errorf(cadre.ECONFLICT, "%s already exists; choose a new file", path)
	}
	// VACUUM INTO only reads the database, but the pool's connections are
	// query_only, which refuses it; one more connection is a WAL reader too
	// and so blocks no writer.
	db, err := sql.Open("sqlite", s.sqliteURL)
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, `VACUUM INTO ?`, path); err != nil {
		return fmt.Errorf("backup to %s: %w", path, err)
	}
	return nil
}
