package ingest_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/cadrehq/cadre"
	"github.com/cadrehq/cadre/ingest"
	"github.com/cadrehq/cadre/interchange"
	"github.com/cadrehq/cadre/store"
	"github.com/cadrehq/cadre/store/storetest"
)

// jsonl makes n good records, with the lines listed in bad replaced by
// records missing their time.
func jsonl(n int, bad ...int) string {
	var b strings.Builder
	for i := 1; i <= n; i++ {
		at := `"occurred_at":"2025-01-01T00:00:00Z",`
		for _, j := range bad {
			if i == j {
				at = ""
			}
		}
		fmt.Fprintf(&b, `{"external_id":"%d","type":"forum",%s"member":{"platform":"github","handle":"u%d"}}`+"\n", i, at, i%3)
	}
	return b.String()
}

func count(t *testing.T, s *store.Store) int {
	t.Helper()
	_, n, err := s.Activities(context.Background(), cadre.ActivityFilter{Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestRun(t *testing.T) {
	tests := []struct {
		name      string
		input     string
		strict    bool
		want      cadre.ImportResult
		wantErr   error
		stored    int
		rejects   []string // line prefixes reported, in order
		batches   int      // progress calls
		batchSize int
	}{
		{name: "batches", input: jsonl(25), batchSize: 10, want: cadre.ImportResult{Inserted: 25}, stored: 25, batches: 3},
		{name: "rejects reported in order", input: jsonl(12, 2, 11), batchSize: 5,
			want: cadre.ImportResult{Inserted: 10, Rejected: 2}, stored: 10, rejects: []string{"in:2:", "in:11:"}, batches: 2},
		{name: "strict with a bad record imports nothing", input: jsonl(12, 7), strict: true, batchSize: 5,
			want: cadre.ImportResult{Rejected: 1}, wantErr: ingest.ErrRejected, stored: 0, rejects: []string{"in:7:"}},
		{name: "strict and good imports all at once", input: jsonl(12), strict: true, batchSize: 5,
			want: cadre.ImportResult{Inserted: 12}, stored: 12, batches: 1},
		{name: "duplicates within the file", input: jsonl(4) + jsonl(4), batchSize: 3,
			want: cadre.ImportResult{Inserted: 4, Duplicates: 4}, stored: 4, batches: 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := storetest.SQLite(t)
			var rejects []string
			batches := 0
			res, err := ingest.Run(context.Background(), s.NewImporter(), interchange.NewJSONLReader(strings.NewReader(tt.input), "in", ""), ingest.Options{
				BatchSize: tt.batchSize,
				Strict:    tt.strict,
				Reject:    func(err error) { rejects = append(rejects, err.Error()) },
				Progress:  func(cadre.ImportResult) { batches++ },
			})
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if res != tt.want {
				t.Errorf("result = %+v, want %+v", res, tt.want)
			}
			if n := count(t, s); n != tt.stored {
				t.Errorf("%d activities stored, want %d", n, tt.stored)
			}
			if len(rejects) != len(tt.rejects) {
				t.Fatalf("rejects = %q, want %q", rejects, tt.rejects)
			}
			for i, prefix := range tt.rejects {
				if !strings.HasPrefix(rejects[i], prefix) {
					t.Errorf("reject %d = %q, want prefix %q", i, rejects[i], prefix)
				}
			}
			if batches != tt.batches {
				t.Errorf("%d progress calls, want %d", batches, tt.batches)
			}
		})
	}
}

// failingReader fails after yielding some input, as a broken disk would.
type failingReader struct {
	r    io.Reader
	left int
}

var errDisk = errors.New("disk on fire")

func (f *failingReader) Read(p []byte) (int, error) {
	if f.left <= 0 {
		return 0, errDisk
	}
	if len(p) > f.left {
		p = p[:f.left]
	}
	n, err := f.r.Read(p)
	f.left -= n
	return n, err
}

func TestRunStopsOnReadError(t *testing.T) {
	s := storetest.SQLite(t)
	input := jsonl(100)
	// Fail half-way: the batches read before the failure stay stored.
	r := &failingReader{r: strings.NewReader(input), left: len(input) / 2}
	res, err := ingest.Run(context.Background(), s.NewImporter(), interchange.NewJSONLReader(r, "in", ""), ingest.Options{BatchSize: 10})
	if !errors.Is(err, errDisk) {
		t.Fatalf("err = %v, want the read error", err)
	}
	if res.Inserted == 0 || res.Inserted%10 != 0 || count(t, s) != res.Inserted {
		t.Fatalf("result %+v with %d stored: want whole batches before the failure", res, count(t, s))
	}
}

// records yields the same records as an in-memory source.
type records []cadre.ActivityRecord

func (r *records) Next() (cadre.ActivityRecord, error) {
	if len(*r) == 0 {
		return cadre.ActivityRecord{}, io.EOF
	}
	rec := (*r)[0]
	*r = (*r)[1:]
	return rec, nil
}

// failingWriter stores batches through w until left is used up, then
// fails as a broken database would.
type failingWriter struct {
	w    ingest.Writer
	left int
}

var errDatabase = errors.New("database on fire")

func (f *failingWriter) Import(ctx context.Context, recs []cadre.ActivityRecord) (cadre.ImportResult, error) {
	if f.left == 0 {
		return cadre.ImportResult{}, errDatabase
	}
	f.left--
	return f.w.Import(ctx, recs)
}

func goodRecords(n int) records {
	var src records
	for i := range n {
		src = append(src, cadre.ActivityRecord{
			Activity: cadre.Activity{Source: "x", ExternalID: fmt.Sprint(i), Type: "forum", OccurredAt: time.Unix(1e9, 0)},
			Member:   cadre.MemberRef{Platform: "github", Handle: "ann"},
		})
	}
	return src
}

func TestRunStopsOnWriteError(t *testing.T) {
	s := storetest.SQLite(t)
	src := goodRecords(50)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	res, err := ingest.Run(ctx, &failingWriter{w: s.NewImporter(), left: 2}, &src, ingest.Options{BatchSize: 10})
	if !errors.Is(err, errDatabase) {
		t.Fatalf("err = %v, want the write error", err)
	}
	if res.Inserted != 20 || count(t, s) != 20 {
		t.Fatalf("result %+v, %d stored; want the two batches before the failure", res, count(t, s))
	}
}

// TestRunRejectsRecordsTheStoreWouldRefuse feeds records that a source
// yields as good but that break a rule of cadre.ActivityRecord.Validate:
// each is rejected alone, naming the record and the field, and the batches
// around it are stored.
func TestRunRejectsRecordsTheStoreWouldRefuse(t *testing.T) {
	tests := []struct {
		name string
		edit func(*cadre.ActivityRecord)
		want string
	}{
		{"time after 2099", func(r *cadre.ActivityRecord) { r.OccurredAt = cadre.LatestActivity }, "activity x/7: occurred_at: 2100-01-01T00:00:00Z is out of range"},
		{"time before 1970", func(r *cadre.ActivityRecord) { r.OccurredAt = time.Unix(-1, 0) }, "activity x/7: occurred_at: 1969-12-31T23:59:59Z is out of range"},
		{"no type", func(r *cadre.ActivityRecord) { r.Type = "" }, "activity x/7: type: missing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := storetest.SQLite(t)
			src := goodRecords(25)
			tt.edit(&src[7])
			var rejects []string
			res, err := ingest.Run(context.Background(), s.NewImporter(), &src, ingest.Options{
				BatchSize: 10,
				Reject:    func(err error) { rejects = append(rejects, err.Error()) },
			})
			if err != nil {
				t.Fatal(err)
			}
			if want := (cadre.ImportResult{Inserted: 24, Rejected: 1}); res != want || count(t, s) != 24 {
				t.Errorf("result %+v, %d stored; want %+v", res, count(t, s), want)
			}
			if len(rejects) != 1 || !strings.Contains(rejects[0], tt.want) {
				t.Errorf("rejects %q, want one with %q", rejects, tt.want)
			}
		})
	}
}
