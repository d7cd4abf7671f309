package main

import (
	"bufio"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/cadrehq/cadre"
	"github.com/cadrehq/cadre/criteria"
	"github.com/cadrehq/cadre/demo"
	"github.com/cadrehq/cadre/ingest"
	"github.com/cadrehq/cadre/interchange"
	"github.com/cadrehq/cadre/platform/github"
	"github.com/cadrehq/cadre/standings"
	"github.com/cadrehq/cadre/store"
)

const benchHelp = `Measure this machine: generate a power-law community as a JSON Lines file,
import it end to end into an empty database, then compute the full score at an
instant (every score, the active set and share, the top 100, a calibration)
three ways: cold (read the activities from the database, prepare the engine),
warm (from the engine in memory, as the server does between changes) and, on
SQLite, as SQL, which must find the engine's figures at the same instant on the
same rows. The figures of docs/PERFORMANCE.md come from here and from the Go
benchmarks it names.`

func cmdBench(ctx context.Context, e *env) error {
	fs := e.flags("bench", "", benchHelp)
	members := fs.Int("members", 100_000, "members in the generated community")
	activities := fs.Int("activities", 1_000_000, "activities in the generated community")
	seed := fs.Uint64("seed", 1, "seed of the generated community")
	dir := fs.String("dir", "", "folder for the generated file and database (default a temporary one, removed after)")
	ghEvents := fs.Int("gharchive", 0, "also import a generated GH Archive hour of this many events (e.g. 150000) into a new SQLite database")
	db := fs.String("db", "", "an empty database to import into instead (a postgres:// URL to measure PostgreSQL)")
	if err := e.parse(fs); err != nil {
		return err
	}
	if *members < 1 || *activities < 1 {
		return usagef("--members and --activities must be positive")
	}
	work := *dir
	if work == "" {
		tmp, err := os.MkdirTemp("", "cadre-bench")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		work = tmp
	}
	dsn := *db
	if dsn == "" {
		dsn = filepath.Join(work, "bench.db")
	}
	st, err := openStore(ctx, e, &dbOptions{dsn: dsn, migrate: true}, creates)
	if err != nil {
		return err
	}
	defer st.Close()
	if _, n, err := st.Members(ctx, cadre.MemberFilter{Limit: 1}); err != nil || n > 0 {
		if err == nil {
			err = fmt.Errorf("%s is not empty: cadre bench needs an empty database", redact(dsn))
		}
		return err
	}

	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "cadre bench: %d members, %d activities, %s on %d cores (%s)\n\n", *members, *activities, st.Dialect(), runtime.NumCPU(), runtime.Version())
	fmt.Fprintln(tw, "STEP\tTIME\tRATE")
	end := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)

	start := time.Now()
	path := filepath.Join(work, "activities.jsonl")
	if err := writeSynthetic(path, *seed, *members, *activities, end); err != nil {
		return err
	}
	fmt.Fprintf(tw, "generate JSONL\t%s\t\n", since(start))

	start = time.Now()
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	res, err := ingest.Run(ctx, st.NewImporter(), interchange.NewJSONLReader(bufio.NewReaderSize(f, 1<<20), path, ""), ingest.Options{})
	f.Close()
	if err != nil {
		return err
	}
	took := time.Since(start)
	fmt.Fprintf(tw, "import (end to end)\t%s\t%.0f activities/s\n", took.Round(time.Millisecond), float64(res.Inserted)/took.Seconds())

	at := end
	start = time.Now()
	snap, err := standings.Load(ctx, st)
	if err != nil {
		return err
	}
	crit := criteria.Default()
	eng := snap.Engine(crit)
	sum, err := eng.Summarize(at, 100, 0.03)
	if err != nil {
		return err
	}
	fmt.Fprintf(tw, "full score, cold\t%s\t\n", since(start))

	// Warm: a new instant each round, none of them the cold step's, as the
	// engine keeps the board of the last instant it evaluated: a repeated
	// instant would time that board read back.
	const rounds = 10
	start = time.Now()
	for i := range rounds {
		if _, err := eng.Summarize(at.Add(time.Duration(i+1)*time.Second), 100, 0.03); err != nil {
			return err
		}
	}
	warm := time.Since(start) / rounds
	fmt.Fprintf(tw, "full score, warm\t%s\t\n", warm.Round(10*time.Microsecond))
	if peak := peakRSS(); peak > 0 {
		fmt.Fprintf(tw, "peak memory so far\t%d MB\tgeneration, import and scoring\n", peak>>20)
	}

	// SQL scores the rows the engine scored, at the same instant: before the
	// live steps import more.
	if st.Dialect() == store.SQLite {
		start = time.Now()
		ref, err := st.ScoreSQL(ctx, crit, at)
		if err != nil {
			return fmt.Errorf("full score in SQL: %w", err)
		}
		sql := time.Since(start)
		if err := ref.Diff(fullScore(sum)); err != nil {
			return fmt.Errorf("full score at %s: SQL against the engine: %w", at.Format(time.RFC3339), err)
		}
		fmt.Fprintf(tw, "full score, SQLite SQL\t%s\twarm is %.0fx faster, same figures\n", sql.Round(time.Millisecond), sql.Seconds()/warm.Seconds())
	}
	snap, eng = nil, nil

	if err := benchLive(ctx, e, tw, st, *seed, *members, end); err != nil {
		return err
	}
	if *ghEvents > 0 {
		if err := benchGHArchive(ctx, e, tw, work, *seed, *ghEvents); err != nil {
			return err
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	fmt.Fprintf(e.stdout, "\nGo heap obtained from the system: %d MB; peak resident memory: %d MB\n", ms.HeapSys>>20, peakRSS()>>20)
	fmt.Fprintf(e.stdout, "active %d, qualifying %d (%.1f%%), threshold for 3%%: %.2f\n",
		sum.Share.Active, sum.Share.Qualifying, sum.Share.Share*100, sum.Calibration.Threshold)
	return nil
}

// fullScore returns the figures of sum that the SQL reference computes too.
func fullScore(sum standings.Summary) store.FullScore {
	f := store.FullScore{Active: sum.Share.Active, Qualifying: sum.Share.Qualifying, Threshold: sum.Calibration.Threshold}
	for _, e := range sum.Top {
		f.Top = append(f.Top, e.Score)
	}
	return f
}

// benchLive measures the standings a server keeps: storing them, starting
// from them, and catching up on a batch of new activities.
func benchLive(ctx context.Context, e *env, tw io.Writer, st *store.Store, seed uint64, members int, end time.Time) error {
	// The first start reads every activity and stores the standings for the
	// next; the restart reads them back.
	start := time.Now()
	l, err := standings.Open(ctx, st, nil)
	if err != nil {
		return err
	}
	if err := l.Save(ctx); err != nil { // stored already unless the community is small
		return err
	}
	snap, err := st.LoadScoreSnapshot(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(tw, "first start: read all, store standings\t%s\t%.1f MB stored\n", since(start), float64(len(snap.Data))/1e6)
	l, snap = nil, nil

	start = time.Now()
	if l, err = standings.Open(ctx, st, nil); err != nil {
		return err
	}
	if err := l.Read(ctx, 0, func(*standings.Engine) error { return nil }); err != nil {
		return err
	}
	fmt.Fprintf(tw, "restart from stored standings\t%s\t\n", since(start))

	// New activities by known members, imported as a server would see them
	// from another instance, then caught up on.
	const fresh = 100_000
	recs := make([]cadre.ActivityRecord, 0, fresh)
	err = demo.Synthetic(seed+1, members, fresh, end, func(r *cadre.ActivityRecord) error {
		r.ExternalID = "bench-new-" + r.ExternalID
		r.OccurredAt = end.Add(time.Duration(len(recs)) * time.Second) // the day after the history
		recs = append(recs, *r)
		return nil
	})
	if err != nil {
		return err
	}
	if _, err := st.NewImporter().Import(ctx, recs); err != nil {
		return err
	}
	start = time.Now()
	if err := l.Refresh(ctx); err != nil {
		return err
	}
	took := time.Since(start)
	fmt.Fprintf(tw, "catch up on %d new activities\t%s\t%.1f µs an activity, reading included\n", fresh, took.Round(time.Millisecond), float64(took.Microseconds())/fresh)
	return nil
}

// benchGHArchive generates an hour of GH Archive in the real sample's shape,
// gzipped as gharchive.org serves it, and imports it end to end into a new
// SQLite database the way "cadre import --format gharchive" reads it.
func benchGHArchive(ctx context.Context, e *env, tw io.Writer, work string, seed uint64, events int) error {
	path := filepath.Join(work, "gharchive-hour.json.gz")
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	zw := gzip.NewWriter(f)
	err = github.GenerateHour(zw, seed, events, time.Date(2026, 1, 1, 15, 0, 0, 0, time.UTC))
	if err == nil {
		err = zw.Close()
	}
	if err == nil {
		err = f.Close()
	}
	if err != nil {
		f.Close()
		return fmt.Errorf("generate GH Archive hour: %w", err)
	}
	db := filepath.Join(work, "gharchive.db")
	st, err := openStore(ctx, e, &dbOptions{dsn: db, migrate: true}, creates)
	if err != nil {
		return err
	}
	defer st.Close()
	start := time.Now()
	in, err := os.Open(path)
	if err != nil {
		return err
	}
	defer in.Close()
	r, closeGz, err := decompress(bufio.NewReaderSize(in, 1<<20), path)
	if err != nil {
		return err
	}
	defer func() { _ = closeGz() }() // read to the end or given up: nothing to do
	src, err := formats["gharchive"].stream(r, path, &importOptions{})
	if err != nil {
		return err
	}
	res, err := ingest.Run(ctx, st.NewImporter(), src, ingest.Options{})
	if err != nil {
		return err
	}
	took := time.Since(start)
	fmt.Fprintf(tw, "GH Archive hour, %d events\t%s\t%.0f events/s, %d activities\n", events, took.Round(time.Millisecond), float64(events)/took.Seconds(), res.Inserted)
	return nil
}

// peakRSS returns the process's peak resident memory in bytes, or 0 where
// the system does not tell (it reads Linux's /proc).
func peakRSS() int64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			if err == nil {
				return kb << 10
			}
		}
	}
	return 0
}

func since(t time.Time) time.Duration { return time.Since(t).Round(time.Millisecond) }

// writeSynthetic writes the synthetic community to path as JSON Lines.
func writeSynthetic(path string, seed uint64, members, activities int, end time.Time) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	bw := bufio.NewWriterSize(f, 1<<20)
	w := interchange.NewJSONLWriter(bw)
	if err := demo.Synthetic(seed, members, activities, end, func(r *cadre.ActivityRecord) error { return w.Write(*r) }); err != nil {
		return err
	}
	if err := w.Flush(); err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	return f.Close()
}
