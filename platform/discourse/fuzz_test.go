package discourse

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cadrehq/cadre/interchange"
	"github.com/cadrehq/cadre/internal/realdata"
)

// seeds adds every sample response to f's corpus.
func seeds(f *testing.F, add func([]byte)) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.json"))
	if err != nil {
		f.Fatal(err)
	}
	real, err := filepath.Glob(filepath.Join(realdata.Dir(f), "discourse", "*.json"))
	if err != nil {
		f.Fatal(err)
	}
	for _, name := range append(files, real...) {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		add(data)
	}
}

// FuzzReader reads arbitrary bytes as a saved response. Beyond not
// panicking, every record must be a complete forum activity, every error a
// RecordError or a fatal error that repeats, and reading must end.
func FuzzReader(f *testing.F) {
	seeds(f, func(data []byte) { f.Add(data) })
	f.Add([]byte(`{"post_stream": {"posts": [{"id": 1, "post_number": 2}, 3, null]}, "title": 5}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		r := NewReader(bytes.NewReader(data), "fuzz.json", testBase)
		for n := 0; ; n++ {
			if n > len(data) {
				t.Fatalf("more than %d results from %d bytes", n, len(data))
			}
			rec, err := r.Next()
			if err == io.EOF {
				return
			}
			if re, ok := errors.AsType[*interchange.RecordError](err); ok {
				if re.File != "fuzz.json" || re.Line < 1 || re.Reason == "" {
					t.Fatalf("RecordError %+v", re)
				}
				continue
			}
			if err != nil {
				if _, again := r.Next(); again != err {
					t.Fatalf("fatal %v, then %v", err, again)
				}
				return
			}
			if !strings.HasPrefix(rec.ExternalID, "post:") || rec.Type != "forum" || rec.Source != "discourse" ||
				rec.OccurredAt.IsZero() || strings.TrimSpace(rec.Member.Handle) == "" || rec.Member.Platform != "discourse" {
				t.Fatalf("incomplete record %+v", rec)
			}
		}
	})
}

// FuzzWebhookRecords maps arbitrary payloads: no panic, at most one record,
// and records only for post events.
func FuzzWebhookRecords(f *testing.F) {
	seeds(f, func(data []byte) { f.Add("post_created", data) })
	f.Add("post_edited", []byte(`{"post": {"id": 1, "post_number": 2, "username": "a", "created_at": "2025-01-01T00:00:00Z", "topic_id": 1}}`))
	f.Add("topic_created", []byte(`{"topic": {}}`))
	f.Fuzz(func(t *testing.T, event string, body []byte) {
		recs, err := WebhookRecords(event, body, testBase)
		if err != nil && recs != nil {
			t.Fatalf("records %v with error %v", recs, err)
		}
		if len(recs) > 1 || len(recs) == 1 && event != "post_created" && event != "post_edited" {
			t.Fatalf("event %q: %d records", event, len(recs))
		}
		if len(recs) == 1 && !strings.HasPrefix(recs[0].ExternalID, "post:") {
			t.Fatalf("record %+v", recs[0])
		}
	})
}
