package storetest

import (
	"context"
	"os"
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
func Synthetic(tb testing.TB, end time.Time) *store.Store {
	tb.Helper()
	members, activities := BenchSize()
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
	return s
}
