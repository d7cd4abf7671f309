package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/cadrehq/cadre"
	"github.com/cadrehq/cadre/ingest"
	"github.com/cadrehq/cadre/interchange"
)

const importHelp = `Import activities from FILE, a folder of files, or standard input ("-").
--format says what they are (default: from the file name; jsonl for -):

%s
Gzipped input is decompressed. Members are matched by the platform's user id,
then handle, then email, and created on first sight.

Importing is idempotent: records already stored (same source and external_id)
count as duplicates, so a GitHub comment seen in GH Archive and by webhook is
one activity. Every bad record is reported as file:line: reason and the good
ones are still imported, unless --strict, which imports all or nothing.
Records are written in batches, each one transaction: an interrupted import
leaves no half batch, and running it again completes it.

Exit status is 1 when any record was rejected.`

func importUsage() string {
	var b strings.Builder
	names := strings.Split(formatNames(), ", ")
	for _, n := range names {
		fmt.Fprintf(&b, "  %-14s %s\n", n, formats[n].about)
	}
	return fmt.Sprintf(importHelp, b.String())
}

func cmdImport(ctx context.Context, e *env) error {
	fs := e.flags("import", "FILE|DIR|-", importUsage())
	db := e.dbFlags(fs)
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
	res, err := ingest.Run(ctx, st.NewImporter(), src, ingest.Options{
		BatchSize: *batch,
		Strict:    *strict,
		Reject: func(err error) {
			bar.clear()
			fmt.Fprintln(stderr, err)
			stderr.Flush()
		},
		Progress: func(r cadre.ImportResult) { bar.update(r.Inserted + r.Duplicates) },
	})
	bar.stop()
	elapsed := time.Since(start)
	stderr.Flush()
	read := res.Inserted + res.Duplicates + res.Rejected
	fmt.Fprintf(e.stdout, "%s: %d inserted, %d duplicates, %d rejected (%s, %.0f records/s)\n",
		display, res.Inserted, res.Duplicates, res.Rejected, elapsed.Round(time.Millisecond), float64(read)/max(elapsed.Seconds(), 1e-9))
	if err != nil {
		if errors.Is(err, ingest.ErrRejected) {
			fmt.Fprintf(e.stderr, "cadre import: %v\n", err)
			return errReported
		}
		return err
	}
	if res.Rejected > 0 {
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
database gives the same activities, and exporting that gives the same file.`

func cmdExport(ctx context.Context, e *env) error {
	fs := e.flags("export", "", exportHelp)
	db := e.dbFlags(fs)
	format := fs.String("format", "jsonl", "jsonl or csv")
	out := fs.String("out", "-", "file to write, - for standard output")
	if err := e.parse(fs); err != nil {
		return err
	}
	if *format != "jsonl" && *format != "csv" {
		return usagef("--format must be jsonl or csv, got %q", *format)
	}
	if fs.NArg() > 0 {
		return usagef("export takes no arguments; use --out FILE")
	}
	st, err := openStore(ctx, e, db, existing)
	if err != nil {
		return err
	}
	defer st.Close()

	w := e.stdout
	if *out != "-" {
		f, err := os.Create(*out)
		if err != nil {
			return err
		}
		defer f.Close()
		w = f
	}
	bw := bufio.NewWriterSize(w, 256<<10)
	type writer interface {
		Write(cadre.ActivityRecord) error
		Flush() error
	}
	var ww writer
	if *format == "csv" {
		// The CSV header names every metric, so a first pass collects them.
		names := map[string]bool{}
		err := st.ExportActivities(ctx, func(r *cadre.ActivityRecord) error {
			for k := range r.Metrics {
				names[k] = true
			}
			return nil
		})
		if err != nil {
			return err
		}
		metrics := make([]string, 0, len(names))
		for k := range names {
			metrics = append(metrics, k)
		}
		slices.Sort(metrics)
		ww = interchange.NewCSVWriter(bw, metrics)
	} else {
		ww = interchange.NewJSONLWriter(bw)
	}
	n := 0
	err = st.ExportActivities(ctx, func(r *cadre.ActivityRecord) error {
		n++
		return ww.Write(*r)
	})
	if err != nil {
		return err
	}
	if err := ww.Flush(); err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	if *out != "-" {
		fmt.Fprintf(e.stderr, "exported %d activities to %s\n", n, *out)
	}
	return nil
}
