package ingest_test

import (
	"bufio"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/cadrehq/cadre/demo"
	"github.com/cadrehq/cadre/ingest"
	"github.com/cadrehq/cadre/interchange"
	"github.com/cadrehq/cadre/store"
	"github.com/cadrehq/cadre/store/storetest"
)

// benchActivities is the size of the end-to-end import benchmark: the 1M
// activities that the import speed target is stated for.
const benchActivities = 1_000_000

var (
	benchOnce sync.Once
	benchFile string
	benchErr  error
)

// benchJSONL writes, once per process, a JSON Lines file of a generated
// community: power-law activity by 50,000 members on several platforms.
func benchJSONL(b *testing.B) string {
	benchOnce.Do(func() {
		dir, err := os.MkdirTemp("", "cadre-bench")
		if err != nil {
			benchErr = err
			return
		}
		benchFile = filepath.Join(dir, "activities.jsonl")
		c := demo.Generate(demo.Options{Seed: 7, Now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), Members: 50_000, Activities: benchActivities})
		f, err := os.Create(benchFile)
		if err != nil {
			benchErr = err
			return
		}
		defer f.Close()
		bw := bufio.NewWriterSize(f, 1<<20)
		w := interchange.NewJSONLWriter(bw)
		for _, r := range c.Activities {
			if benchErr = w.Write(r); benchErr != nil {
				return
			}
		}
		if benchErr = w.Flush(); benchErr == nil {
			benchErr = bw.Flush()
		}
	})
	if benchErr != nil {
		b.Fatal(benchErr)
	}
	return benchFile
}

// benchmarkImport measures a whole `cadre import` of the file: read, parse,
// validate, resolve members, dedupe and write, into an empty database.
func benchmarkImport(b *testing.B, open func(testing.TB) *store.Store, batch int) {
	path := benchJSONL(b)
	var inserted int
	cpuStart := processCPU()
	cpuSeconds := func() float64 { return processCPU() - cpuStart }
	for range b.N {
		b.StopTimer()
		st := open(b)
		f, err := os.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		res, err := ingest.Run(context.Background(), st.NewImporter(), interchange.NewJSONLReader(bufio.NewReaderSize(f, 1<<20), path, ""), ingest.Options{BatchSize: batch})
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		f.Close()
		st.Close()
		inserted += res.Inserted
	}
	b.ReportMetric(cpuSeconds()/float64(b.N), "cpu-s/op")
	if inserted != benchActivities*b.N {
		b.Fatalf("inserted %d activities, want %d", inserted, benchActivities*b.N)
	}
	b.ReportMetric(float64(inserted)/b.Elapsed().Seconds(), "activities/s")
}

// BenchmarkImportJSONLSQLite: go test -run '^$' -bench ImportJSONL -benchtime 1x ./ingest
func BenchmarkImportJSONLSQLite(b *testing.B) {
	for _, n := range []int{10_000, 50_000, 100_000} {
		b.Run(strconv.Itoa(n), func(b *testing.B) { benchmarkImport(b, storetest.SQLite, n) })
	}
}

// BenchmarkImportJSONLPostgres is the same into PostgreSQL (COPY).
func BenchmarkImportJSONLPostgres(b *testing.B) { benchmarkImport(b, storetest.Postgres, 0) }

// processCPU is the CPU time the process has used, in seconds: steadier than
// wall time on a shared machine.
func processCPU() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}
