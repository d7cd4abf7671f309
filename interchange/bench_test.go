package interchange_test

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/cadrehq/cadre"
	"github.com/cadrehq/cadre/interchange"
)

const benchRecords = 10_000

// benchJSONL returns benchRecords records like the SPEC's example, as an
// outside tool would write them.
func benchJSONL() []byte {
	var b bytes.Buffer
	line := strings.ReplaceAll(specExample, "\n", "")
	for i := range benchRecords {
		s := strings.Replace(line, "post-8812", fmt.Sprintf("post-%d", 100000+i), 1)
		s = strings.Replace(s, `"alice"`, fmt.Sprintf(`"user%d"`, i%500), 1)
		b.WriteString(s + "\n")
	}
	return b.Bytes()
}

func benchCSV(b *testing.B) []byte {
	var buf bytes.Buffer
	w := interchange.NewCSVWriter(&buf, []string{"views", "likes", "solved"})
	r := interchange.NewJSONLReader(bytes.NewReader(benchJSONL()), "bench", "")
	for {
		rec, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			b.Fatal(err)
		}
		if err := w.Write(rec); err != nil {
			b.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
	return buf.Bytes()
}

// benchmarkReader reads records from data, again and again, one an op.
func benchmarkReader(b *testing.B, data []byte, newReader func(io.Reader, string, string) *interchange.Reader) {
	b.SetBytes(int64(len(data) / benchRecords))
	b.ReportAllocs()
	r := newReader(bytes.NewReader(data), "bench", "")
	n := 0
	for b.Loop() {
		_, err := r.Next()
		if err == io.EOF {
			r = newReader(bytes.NewReader(data), "bench", "")
			_, err = r.Next()
		}
		if err != nil {
			b.Fatal(err)
		}
		n++
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "records/s")
}

func BenchmarkJSONLReader(b *testing.B) {
	benchmarkReader(b, benchJSONL(), interchange.NewJSONLReader)
}

func BenchmarkCSVReader(b *testing.B) {
	benchmarkReader(b, benchCSV(b), interchange.NewCSVReader)
}

func BenchmarkJSONLWriter(b *testing.B) {
	var recs []cadre.ActivityRecord
	r := interchange.NewJSONLReader(bytes.NewReader(benchJSONL()), "bench", "")
	for {
		rec, err := r.Next()
		if err == io.EOF {
			break
		}
		recs = append(recs, rec)
	}
	b.ReportAllocs()
	w := interchange.NewJSONLWriter(io.Discard)
	n := 0
	for b.Loop() {
		if err := w.Write(recs[n%len(recs)]); err != nil {
			b.Fatal(err)
		}
		n++
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "records/s")
}
