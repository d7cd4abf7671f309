package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/cadrehq/cadre"
	"github.com/cadrehq/cadre/store"
	"github.com/cadrehq/cadre/store/storetest"
)

// benchRecords makes n records by a power-law-ish set of members, shaped like
// a typical interchange file.
func benchRecords(n int) []cadre.ActivityRecord {
	recs := make([]cadre.ActivityRecord, n)
	types := []string{"forum", "forum", "forum", "content", "code", "feedback", "mentoring", "speaking"}
	for i := range recs {
		member := (i * 7919 % n) % (n/20 + 1)
		member = member * member / (n/20 + 1)
		recs[i] = cadre.ActivityRecord{
			Activity: cadre.Activity{
				Source: "discourse", ExternalID: fmt.Sprintf("post-%d", i), Type: types[i%len(types)],
				OccurredAt: time.Unix(1_700_000_000+int64(i)*60, 0), Status: cadre.ActivityApproved,
				URL: fmt.Sprintf("https://forum.example.org/t/%d/4", i), Title: "Re: TLS setup",
				Metrics: map[string]float64{"views": float64(i % 500)},
			},
			Member: cadre.MemberRef{Platform: "discourse", Handle: fmt.Sprintf("user%d", member), Email: fmt.Sprintf("user%d@example.org", member)},
		}
	}
	return recs
}

func benchmarkImport(b *testing.B, open func(testing.TB) *store.Store) {
	const n, batch = 200_000, 10_000
	recs := benchRecords(n)
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		s := open(b)
		im := s.NewImporter()
		b.StartTimer()
		for start := 0; start < n; start += batch {
			if _, err := im.Import(context.Background(), recs[start:start+batch]); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "activities/s")
}

// BenchmarkStoreImportSQLite measures the store's share of an import: member
// resolution, dedupe and writes, without parsing.
func BenchmarkStoreImportSQLite(b *testing.B) { benchmarkImport(b, storetest.SQLite) }

// BenchmarkStoreImportPostgres is the same into PostgreSQL through COPY.
func BenchmarkStoreImportPostgres(b *testing.B) { benchmarkImport(b, storetest.Postgres) }
