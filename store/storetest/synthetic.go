package storetest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/cadrehq/cadre"
	"github.com/cadrehq/cadre/demo"
	"github.com/cadrehq/cadre/store"
)

// BenchSize is the community of the benchmarks over a stored community:
// 100,000 members and 1M activities, or what CADRE_BENCH_MEMBERS and
// CADRE_BENCH_ACTIVITIES say (the goals are stated for 1,000,000 and
// 10,000,000).
func BenchSize() (members, activities int) {
	members, activities = 100_000, 1_000_000
	if v, err := strconv.Atoi(os.Getenv("CADRE_BENCH_MEMBERS")); err == nil {
		members = v
	}
	if v, err := strconv.Atoi(os.Getenv("CADRE_BENCH_ACTIVITIES")); err == nil {
		activities = v
	}
	return members, activities
}

// Synthetic fills a SQLite store with demo.Synthetic's power-law
// community of BenchSize, ending at end, through the importer (members
// created on first sight).
//
// With CADRE_BENCH_CACHE set to a folder, the community is built once for
// each size and end and kept there, and later runs start from a copy of it:
// a million members take minutes to import, and several benchmarks need
// them.
func Synthetic(tb testing.TB, end time.Time) *store.Store {
	tb.Helper()
	members, activities := BenchSize()
	var cached string
	if dir := os.Getenv("CADRE_BENCH_CACHE"); dir != "" {
		cached = filepath.Join(dir, fmt.Sprintf("synthetic-%d-%d-%d.db", members, activities, end.Unix()))
		if src, err := os.Open(cached); err == nil { //nolint:gosec // the folder of CADRE_BENCH_CACHE, which the one running the benchmark names
			defer src.Close()
			path := filepath.Join(tb.TempDir(), "cadre.db")
			dst, err := os.Create(path)
			if err == nil {
				_, err = io.Copy(dst, src)
				err = errors.Join(err, dst.Close())
			}
			if err != nil {
				tb.Fatalf("copy the cached community: %v", err)
			}
			return open(tb, path)
		}
	}
	s := SQLite(tb)
	im := s.NewImporter()
	batch := make([]cadre.ActivityRecord, 0, 50_000)
	flush := func() error {
		_, err := im.Import(context.Background(), batch)
		batch = batch[:0]
		return err
	}
	err := demo.Synthetic(3, members, activities, end, func(r *cadre.ActivityRecord) error {
		batch = append(batch, *r)
		if len(batch) == cap(batch) {
			return flush()
		}
		return nil
	})
	if err == nil {
		err = flush()
	}
	if err != nil {
		tb.Fatal(err)
	}
	if cached != "" {
		if err := s.Backup(context.Background(), cached); err != nil {
			tb.Fatalf("keep the community in %s: %v", cached, err)
		}
	}
	return s
}
