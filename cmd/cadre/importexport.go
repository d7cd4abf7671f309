package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/cadrehq/cadre"
	"github.com/cadrehq/cadre/ingest"
	"github.com/cadrehq/cadre/interchange"
	"github.com/cadrehq/cadre/store"
)

const importHelp = `Import activities from FILE, a folder of files, or standard input ("-").
With --all, load a whole program from DIR, an archive of "cadre export --all",
instead (see the end). --format says what they are (default: from the file
name; jsonl for -):

%s
Gzipped input is decompressed. Members are matched by the platform's user id,
then handle, then email, and created on first sight.

Importing is idempotent: records already stored (same source and external_id)
count as duplicates, so a GitHub comment seen in GH Archive and by webhook is
one activity. Every bad record is reported as file:line: reason and the good
ones are still imported, unless --strict, which imports all or nothing. In a
folder, a file that cannot be read to the end (a truncated .gz, say) is named
and the other files are still imported.
Records are written in batches, each one transaction: an interrupted import
leaves no half batch, and running it again completes it.

Exit status is 1 when any record was rejected or any file failed.

` + importAllHelp

func importUsage() string {
	var b strings.Builder
	names := strings.Split(formatNames(), ", ")
	for _, n := range names {
		fmt.Fprintf(&b, "  %-14s %s\n", n, formats[n].about)
	}
	return fmt.Sprintf(importHelp, b.String())
}

func cmdImport(ctx context.Context, e *env) error {
	fs := e.flags("import", "FILE|DIR|-, or --all DIR", importUsage())
	db := e.dbFlags(fs)
	all := fs.Bool("all", false, "load the whole program from DIR, an archive of export --all, into an empty database")
	actor := actorFlag(fs)
	var o importOptions
	fs.StringVar(&o.source, "source", "", "jsonl, csv: source of records that name none (default \"import\")")
	formatName := fs.String("format", "", "one of "+formatNames())
	member := fs.String("member", "", "rss: whose blog the feed is, platform:handle or email")
	fs.StringVar(&o.baseURL, "base-url", "", "discourse: the forum's address, for links")
	fs.StringVar(&o.site, "site", "", "stackexchange: the site's host name (default the folder's name)")
	strict := fs.Bool("strict", false, "import nothing unless every record is good")
	batch := fs.Int("batch", ingest.DefaultBatch, "records per transaction")
	args, err := e.parseMixed(fs)
	if err != nil {
		return err
	}
	if *all {
		if len(args) != 1 {
			return usagef("import --all needs one DIR, an archive of export --all")
		}
		if err := onlyFlags(fs, "all", "db", "migrate", "actor"); err != nil {
			return err
		}
		return importAll(ctx, e, db, args[0], e.actor(*actor))
	}
	if len(args) != 1 {
		return usagef("import needs one FILE or DIR, or - for standard input")
	}
	path := args[0]
	if *batch < 1 {
		return usagef("--batch must be positive")
	}
	if o.owner, err = cadre.ParseMemberRef(*member); err != nil {
		return usagef("--member: %v", cadre.ErrorMessage(err))
	}
	isDir := false
	if path != "-" {
		fi, err := os.Stat(path)
		if err != nil {
			return err
		}
		isDir = fi.IsDir()
	}
	name := *formatName
	if name == "" {
		if name, err = guessFormat(path, isDir); err != nil {
			return err
		}
	}
	f, ok := formats[name]
	if !ok {
		return usagef("--format must be one of %s, got %q", formatNames(), name)
	}

	counted := &countingReader{}
	var src ingest.Source
	var size int64
	display := path
	switch {
	case isDir && f.folder != nil:
		rd, closer, err := f.folder(path, &o)
		if err != nil {
			return err
		}
		defer closer.Close()
		src = rd
	case isDir:
		fsrc, total, err := newFolderSource(path, f, &o, counted)
		if err != nil {
			return err
		}
		defer fsrc.Close()
		src, size = fsrc, total
	case f.stream == nil:
		return usagef("--format %s reads a folder, not a file", name)
	default:
		in, total, closeIn, err := openInput(e, path)
		if err != nil {
			return err
		}
		defer closeIn()
		if path == "-" {
			display = "stdin"
		}
		counted.r, size = in, total
		r, closeGz, err := decompress(bufio.NewReaderSize(counted, 1<<20), display)
		if err != nil {
			return err
		}
		defer func() { _ = closeGz() }() // read to the end or given up: nothing to do
		if src, err = f.stream(r, display, &o); err != nil {
			return err
		}
	}

	st, err := openStore(ctx, e, db, creates)
	if err != nil {
		return err
	}
	defer st.Close()

	bar := newProgress(e.stderr, isTerminal(e.stderr), size, counted)
	start := time.Now()
	stderr := bufio.NewWriter(e.stderr)
	failedFiles := 0 // of a folder, counted apart from the records rejected
	res, err := ingest.Run(ctx, st.NewImporter(), src, ingest.Options{
		BatchSize: *batch,
		Strict:    *strict,
		Reject: func(err error) {
			if _, ok := errors.AsType[*interchange.FileError](err); ok {
				failedFiles++
			}
			bar.clear()
			fmt.Fprintln(stderr, err)
			stderr.Flush()
		},
		Progress: func(r cadre.ImportResult) { bar.update(r.Inserted + r.Duplicates) },
	})
	bar.stop()
	elapsed := time.Since(start)
	stderr.Flush()
	res.Rejected -= failedFiles
	read := res.Inserted + res.Duplicates + res.Rejected
	var failed string
	if failedFiles > 0 {
		failed = fmt.Sprintf(", %d files failed", failedFiles)
	}
	fmt.Fprintf(e.stdout, "%s: %d inserted, %d duplicates, %d rejected%s (%s, %.0f records/s)\n",
		display, res.Inserted, res.Duplicates, res.Rejected, failed, elapsed.Round(time.Millisecond), float64(read)/max(elapsed.Seconds(), 1e-9))
	if err != nil {
		if errors.Is(err, ingest.ErrRejected) {
			fmt.Fprintf(e.stderr, "cadre import: %v\n", err)
			return errReported
		}
		return err
	}
	if res.Rejected > 0 || failedFiles > 0 {
		return errReported
	}
	return nil
}

// openInput opens path, or standard input for "-", and returns its size when
// known (0 otherwise) for the progress bar.
func openInput(e *env, path string) (io.Reader, int64, func(), error) {
	if path == "-" {
		return e.stdin, 0, func() {}, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, nil, err
	}
	var size int64
	if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() {
		size = fi.Size()
	}
	return f, size, func() { f.Close() }, nil
}

const exportHelp = `Write every activity in the interchange format (docs/IMPORT.md), ordered by
source and external_id, so that "cadre import" of the output into another
database gives the same activities, and exporting that gives the same file.

Self-reports and any activity stored before a rule of import tightened are
exported as stored; importing them again reports why each is refused. One that the format cannot
carry, such as text that is not UTF-8, is skipped and named on standard error,
and the exit status is 1. --out FILE is written under a temporary name in the
same folder and renamed when complete: a failed export leaves FILE as it was.

` + exportAllHelp

func cmdExport(ctx context.Context, e *env) error {
	fs := e.flags("export", "[--all DIR]", exportHelp)
	db := e.dbFlags(fs)
	format := fs.String("format", "jsonl", "jsonl or csv")
	out := fs.String("out", "-", "file to write, - for standard output")
	all := fs.Bool("all", false, "export the whole program into DIR, a new or empty folder")
	args, err := e.parseMixed(fs)
	if err != nil {
		return err
	}
	if *all {
		if len(args) != 1 {
			return usagef("export --all needs one DIR, a new or empty folder")
		}
		if err := onlyFlags(fs, "all", "db", "migrate"); err != nil {
			return err
		}
		return exportAll(ctx, e, db, args[0])
	}
	if *format != "jsonl" && *format != "csv" {
		return usagef("--format must be jsonl or csv, got %q", *format)
	}
	if len(args) > 0 {
		return usagef("export takes no arguments; use --out FILE, or --all DIR")
	}
	st, err := openStore(ctx, e, db, existing)
	if err != nil {
		return err
	}
	defer st.Close()

	if *out == "-" {
		_, skipped, err := export(ctx, st, *format, e.stdout, e.stderr)
		return exported(e, skipped, err)
	}
	f, err := createAtomic(*out)
	if err != nil {
		return err
	}
	defer f.abort()
	n, skipped, err := export(ctx, st, *format, f, e.stderr)
	if err == nil {
		err = f.commit()
	}
	if err == nil {
		fmt.Fprintf(e.stderr, "exported %d activities to %s\n", n, *out)
	}
	return exported(e, skipped, err)
}

// exported is the outcome of an export that skipped some activities and
// ended with err.
func exported(e *env, skipped int, err error) error {
	if err != nil {
		return err
	}
	if skipped > 0 {
		fmt.Fprintf(e.stderr, "cadre export: %d activities skipped\n", skipped)
		return errReported
	}
	return nil
}

// export writes every activity of st to w in format, and returns how many it
// wrote and how many it skipped, each named on stderr, because the format
// cannot carry them.
func export(ctx context.Context, st *store.Store, format string, w io.Writer, stderr io.Writer) (n, skipped int, err error) {
	bw := bufio.NewWriterSize(w, 256<<10)
	type writer interface {
		Write(cadre.ActivityRecord) error
		Flush() error
	}
	var ww writer
	if format == "csv" {
		// The CSV header names every metric, so a first pass collects them.
		names := map[string]bool{}
		err := st.ExportActivities(ctx, func(r *cadre.ActivityRecord) error {
			for k := range r.Metrics {
				names[k] = true
			}
			return nil
		})
		if err != nil {
			return 0, 0, err
		}
		ww = interchange.NewCSVWriter(bw, slices.Sorted(maps.Keys(names)))
	} else {
		ww = interchange.NewJSONLWriter(bw)
	}
	err = st.ExportActivities(ctx, func(r *cadre.ActivityRecord) error {
		err := ww.Write(*r)
		if cadre.ErrorCode(err) == cadre.EINVALID {
			skipped++
			fmt.Fprintf(stderr, "cadre export: skipped %s\n", cadre.ErrorMessage(err))
			return nil
		}
		if err == nil {
			n++
		}
		return err
	})
	if err != nil {
		return n, skipped, err
	}
	if err := ww.Flush(); err != nil {
		return n, skipped, err
	}
	return n, skipped, bw.Flush()
}

// atomicFile is a file written under a temporary name beside its path and
// renamed to it by commit, so that readers of path never see it half
// written, nor a failed write replace what was there.
type atomicFile struct {
	*os.File
	path string
	done bool
}

// createAtomic creates the temporary file for path, in the same folder so
// that the rename stays on one file system. Like every os.CreateTemp file it
// is readable by its owner only, which suits an export of members' names
// and emails.
func createAtomic(path string) (*atomicFile, error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return nil, err
	}
	return &atomicFile{File: f, path: path}, nil
}

// commit syncs the file to disk and renames it to its path.
func (f *atomicFile) commit() error {
	err := f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), f.path)
	}
	if err != nil {
		return fmt.Errorf("write %s: %w", f.path, err)
	}
	f.done = true
	return nil
}

// abort removes the temporary file unless commit renamed it.
func (f *atomicFile) abort() {
	if !f.done {
		f.Close()
		os.Remove(f.Name())
	}
}
