package main

import (
	"context"
	"fmt"

	"github.com/cadrehq/cadre/store"
)

// openStore opens the database and checks that its schema is current, or
// migrates it when migrate is set.
func openStore(ctx context.Context, e *env, dsn string, migrate bool) (*store.Store, error) {
	st, err := store.Open(ctx, dsn)
	if err != nil {
		return nil, err
	}
	if migrate {
		n, err := st.Migrate(ctx)
		if err != nil {
			st.Close()
			return nil, err
		}
		if n > 0 {
			e.log.Info("migrated database", "db", redact(dsn), "migrations", n)
		}
		return st, nil
	}
	if err := st.CheckSchema(ctx); err != nil {
		st.Close()
		return nil, err
	}
	return st, nil
}

// redact hides a password in a database URL before it is logged.
func redact(dsn string) string {
	if !store.IsPostgres(dsn) {
		return dsn
	}
	return store.Redact(dsn)
}

func cmdMigrate(ctx context.Context, e *env) error {
	fs := e.flags("migrate", "", "Apply the database migrations this binary has and the database lacks.\nMigrations are forward-only; running it again does nothing.")
	db := e.dbFlag(fs)
	if err := e.parse(fs); err != nil {
		return err
	}
	st, err := store.Open(ctx, *db)
	if err != nil {
		return err
	}
	defer st.Close()
	n, err := st.Migrate(ctx)
	if err != nil {
		return err
	}
	cur, _, err := st.SchemaStatus(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "applied %d migrations; schema at version %d\n", n, cur)
	return nil
}

func cmdBackup(ctx context.Context, e *env) error {
	fs := e.flags("backup", "FILE", "Write a consistent copy of a SQLite database to FILE, safely while the server runs.\nFor PostgreSQL use pg_dump (see docs/OPERATIONS.md).")
	db := e.dbFlag(fs)
	if err := e.parse(fs); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usagef("backup needs exactly one FILE to write")
	}
	st, err := openStore(ctx, e, *db, false)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := st.Backup(ctx, fs.Arg(0)); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "backed up %s to %s\n", *db, fs.Arg(0))
	return nil
}
