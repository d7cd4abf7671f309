package main

import (
	"context"
	"flag"
	"fmt"
	"slices"
	"time"

	"github.com/cadrehq/cadre/archive"
)

// archiveFiles lists the files of an archive, for the help of export --all
// and import --all.
const archiveFiles = `  manifest.json          format version, counts, when and by which cadre; written
                         last: a folder without it is no complete export
  members.jsonl          every member: id, name, status, staff and bot flags,
                         region, company, created_at, merged_into, emails (the
                         first is the primary) and identities (id, platform,
                         handle, user_id)
  merges.jsonl           merges, with what moved, so that they can be undone
  terms.jsonl            terms as ambassador: member, start, end, via, ended_by
  reviews.jsonl          applied quarterly reviews, with their result
  excusals.jsonl         ambassadors excused from a quarter's review
  invitations.jsonl      invitations, with the hash of each link
  applications.jsonl     applications, with the hash of each link and the notes
  criteria/versions.jsonl  criteria versions (version, author, created_at),
  criteria/0001.yaml …   and each version's document as it was stored
  settings.json          the staff's email domains
  audit.jsonl            the audit log, oldest first
  activities.jsonl       every activity in the interchange format (docs/IMPORT.md)
                         with its id and its member's, self-reports included`

const exportAllHelp = `With --all DIR, export the whole program instead, to move it to another
database with "cadre import --all DIR": DIR, which must be new or empty, gets

` + archiveFiles + `

Every record keeps its ID, and JSON Lines files hold one record a line. The
export reads one snapshot of the database. The files are readable by their
owner only; a failed export removes what it wrote. Accounts, sessions, API
tokens and sources are not exported: their secrets stay in this database.`

const importAllHelp = `With --all DIR, load the whole program that "cadre export --all DIR" wrote into
an empty database: no members, activities, terms, criteria… (accounts may be
made first). Every record keeps its ID, so links of open invitations and
applications go on working, and merges can be undone. Every record is checked
and the first bad one named as FILE:LINE; the import is one transaction, so
an error leaves the database as it was. Members' statuses follow from their
terms at the time of the import. The audit log of the archive is appended to
the database's, and the import audited.`

// onlyFlags refuses the flags given beyond those named: import and export
// take none of their other flags with --all.
func onlyFlags(fs *flag.FlagSet, allowed ...string) error {
	var other []string
	fs.Visit(func(f *flag.Flag) {
		if !slices.Contains(allowed, f.Name) {
			other = append(other, "--"+f.Name)
		}
	})
	if len(other) > 0 {
		return usagef("--all takes no %s", other[0])
	}
	return nil
}

// exportAll writes the whole program of the database into the folder dir.
func exportAll(ctx context.Context, e *env, db *dbOptions, dir string) error {
	st, err := openStore(ctx, e, db, existing)
	if err != nil {
		return err
	}
	defer st.Close()
	schema, _, err := st.SchemaStatus(ctx)
	if err != nil {
		return err
	}
	w, err := archive.Create(dir)
	if err != nil {
		return err
	}
	defer w.Abort()
	p, err := st.ExportProgram(ctx, w.Activity)
	if err != nil {
		return err
	}
	m, err := w.Finish(p, archive.Manifest{Cadre: binaryVersion(), Schema: schema, ExportedAt: st.Now()})
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "exported %s to %s\n", describeCounts(m.Counts), dir)
	return nil
}

// importAll loads the archive in dir into the database, which must hold no
// program yet.
func importAll(ctx context.Context, e *env, db *dbOptions, dir, actor string) error {
	// The archive is read and checked first: a bad one creates no database.
	a, err := archive.Read(dir)
	if err != nil {
		return err
	}
	st, err := openStore(ctx, e, db, creates)
	if err != nil {
		return err
	}
	defer st.Close()
	acts, err := a.Activities()
	if err != nil {
		return err
	}
	defer acts.Close()
	start := time.Now()
	c, err := st.ImportProgram(ctx, &a.Program, acts, actor)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%s: imported %s (%s)\n", dir, describeCounts(c), time.Since(start).Round(time.Millisecond))
	return nil
}

// describeCounts says what an archive holds, for people.
func describeCounts(c archive.Counts) string {
	return fmt.Sprintf("%d members (%d identities), %d activities, %d terms, %d reviews, %d invitations, %d applications, %d criteria versions, %d audit entries",
		c.Members, c.Identities, c.Activities, c.Terms, c.Reviews, c.Invitations, c.Applications, c.CriteriaVersions, c.AuditEntries)
}
