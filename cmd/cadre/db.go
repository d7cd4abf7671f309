package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"

	"github.com/cadrehq/cadre"
	"github.com/cadrehq/cadre/store"
)

// dbOptions are the database a command opens and whether to migrate it
// first: --db and --migrate, which every command that opens the store takes
// (demo and bench, which make a database of their own, always migrate it).
type dbOptions struct {
	dsn     string
	migrate bool
}

// dbFlags adds --db and --migrate to fs.
func (e *env) dbFlags(fs *flag.FlagSet) *dbOptions {
	o := &dbOptions{}
	e.dbVar(fs, &o.dsn)
	fs.BoolVar(&o.migrate, "migrate", false, "apply the migrations the database lacks first, creating it if need be")
	return o
}

// dbUse says whether a command may create the database it is given.
type dbUse int

const (
	// existing is for a command that reads, or changes only what is already
	// stored: in a database that does not exist it would find nothing, so
	// its path is more likely mistyped than new, and nothing is created.
	existing dbUse = iota
	// creates is for a command that stores something new (activities, a
	// source, criteria): a database that does not exist yet is created with
	// the current schema.
	creates
)

// openStore opens the database and checks that its schema is current, or
// migrates it when migrate is set. A database with no table at all is new:
// a command that creates gets the current schema in it without --migrate,
// any other is refused, as is a database whose schema is behind.
func openStore(ctx context.Context, e *env, db *dbOptions, use dbUse) (*store.Store, error) {
	if use == existing && !db.migrate {
		if err := mustExist(db.dsn); err != nil {
			return nil, err
		}
	}
	st, err := store.Open(ctx, db.dsn)
	if err != nil {
		return nil, err
	}
	if err := prepareSchema(ctx, e, st, db, use); err != nil {
		st.Close()
		return nil, err
	}
	return st, nil
}

// prepareSchema migrates st as openStore decides, or checks its schema.
func prepareSchema(ctx context.Context, e *env, st *store.Store, db *dbOptions, use dbUse) error {
	empty, err := st.Empty(ctx)
	if err != nil {
		return err
	}
	switch {
	case empty && !db.migrate && use == existing:
		return cadre.Errorf(cadre.ENOTFOUND, "%s holds no Cadre database: run cadre migrate --db %[1]s or cadre demo", redact(db.dsn))
	case !empty && !db.migrate:
		return st.CheckSchema(ctx)
	}
	n, err := st.Migrate(ctx)
	if err != nil {
		return err
	}
	switch {
	case empty:
		e.log.Info("created database", "db", redact(db.dsn), "migrations", n)
	case n > 0:
		e.log.Info("migrated database", "db", redact(db.dsn), "migrations", n)
	}
	return nil
}

// mustExist refuses a SQLite path with no file, before opening it would
// create one.
func mustExist(dsn string) error {
	if store.IsPostgres(dsn) {
		return nil // a database the server lacks fails to connect
	}
	if _, err := os.Stat(dsn); errors.Is(err, os.ErrNotExist) {
		return cadre.Errorf(cadre.ENOTFOUND, "no database at %s: run cadre migrate --db %[1]s or cadre demo", dsn)
	}
	return nil
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
	db := e.dbFlags(fs)
	if err := e.parse(fs); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usagef("backup needs exactly one FILE to write")
	}
	st, err := openStore(ctx, e, db, existing)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := st.Backup(ctx, fs.Arg(0)); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "backed up %s to %s\n", db.dsn, fs.Arg(0))
	return nil
}
