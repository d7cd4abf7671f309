package main

import (
	"bufio"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/cadrehq/cadre"
	"github.com/cadrehq/cadre/ingest"
	"github.com/cadrehq/cadre/interchange"
)

const importHelp = `Import activities in the interchange format (docs/IMPORT.md): JSON Lines or
CSV with a header row, from FILE or from standard input ("-"). Files ending in
.gz are decompressed. Members are matched by platform handle, then email, and
created on first sight.

Importing is idempotent: records already stored (same source and external_id)
count as duplicates. Every bad record is reported as file:line: reason and the
good ones are still imported, unless --strict, which imports all or nothing.
Records are written in batches, each one transaction: an interrupted import
leaves no half batch, and running it again completes it.

Exit status is 1 when any record was rejected.`

func cmdImport(ctx context.Context, e *env) error {
	fs := e.flags("import", "FILE|-", importHelp)
	db := e.dbFlag(fs)
	source := fs.String("source", "", "source of records that name none (default \"import\")")
	format := fs.String("format", "", "jsonl or csv (default: from the file name; jsonl for -)")
	strict := fs.Bool("strict", false, "import nothing unless every record is good")
	batch := fs.Int("batch", ingest.DefaultBatch, "records per transaction")
	if err := e.parse(fs); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usagef("import needs one FILE, or - for standard input")
	}
	path := fs.Arg(0)
	f, err := formatOf(*format, path)
	if err != nil {
		return err
	}
	if *batch < 1 {
		return usagef("--batch must be positive")
	}

	in, size, closeIn, err := openInput(e, path)
	if err != nil {
		return err
	}
	defer closeIn()
	counted := &countingReader{r: in}
	var rd io.Reader = counted
	if strings.HasSuffix(path, ".gz") {
		gz, err := gzip.NewReader(counted)
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		defer gz.Close()
		rd = gz
	}
	name := path
	if path == "-" {
		name = "stdin"
	}
	var src *interchange.Reader
	if f == "csv" {
		src = interchange.NewCSVReader(rd, name, *source)
	} else {
		src = interchange.NewJSONLReader(rd, name, *source)
	}

	st, err := openStore(ctx, e, *db, false)
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
		name, res.Inserted, res.Duplicates, res.Rejected, elapsed.Round(time.Millisecond), float64(read)/max(elapsed.Seconds(), 1e-9))
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

// formatOf returns the interchange format named by flag, or guessed from path.
func formatOf(flag, path string) (string, error) {
	switch flag {
	case "jsonl", "csv":
		return flag, nil
	case "":
	default:
		return "", usagef("--format must be jsonl or csv, got %q", flag)
	}
	switch filepath.Ext(strings.TrimSuffix(path, ".gz")) {
	case ".csv":
		return "csv", nil
	default:
		return "jsonl", nil
	}
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
	db := e.dbFlag(fs)
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
	st, err := openStore(ctx, e, *db, false)
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
