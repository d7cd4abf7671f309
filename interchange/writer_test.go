package interchange_test

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"maps"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cadrehq/cadre"
	"github.com/cadrehq/cadre/interchange"
)

// specExample is the record of SPEC section 8.
const specExample = `{"source": "discourse", "external_id": "post-8812", "type": "forum",
 "occurred_at": "2025-03-01T12:00:00Z",
 "member": {"platform": "discourse", "handle": "alice", "email": "alice@example.org", "name": "Alice A."},
 "url": "https://forum.example.org/t/123/4", "title": "Re: TLS setup", "effort_minutes": 5,
 "metrics": {"views": 120, "likes": 3, "solved": 1},
 "mentee": {"platform": "github", "handle": "bob"}, "status": "approved",
 "thread": {"id": "123", "views": 1200, "solved": true}}`

func TestJSONLWriterOutput(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{
			strings.ReplaceAll(specExample, "\n", ""),
			`{"source":"discourse","external_id":"post-8812","type":"forum","occurred_at":"2025-03-01T12:00:00Z",` +
				`"member":{"platform":"discourse","handle":"alice","email":"alice@example.org","name":"Alice A."},` +
				`"url":"https://forum.example.org/t/123/4","title":"Re: TLS setup","effort_minutes":5,` +
				`"metrics":{"likes":3,"solved":1,"views":120},"mentee":{"platform":"github","handle":"bob"},"status":"approved",` +
				`"thread":{"id":"123","views":1200,"solved":true}}`,
		},
		{
			`{"status": "pending", "member": {"email": "A@B.C"}, "occurred_at": "2025-03-01T13:00:00.250+01:00", "type": "beta", "external_id": "x"}`,
			`{"source":"import","external_id":"x","type":"beta","occurred_at":"2025-03-01T12:00:00.25Z","member":{"email":"a@b.c"},"status":"pending"}`,
		},
		{
			jsonLine(`thread={"id": " 7 ", "solved": false, "views": null}`),
			`{"source":"import","external_id":"h:b520ae125afe62b2c053027d3b22bdb9","type":"forum","occurred_at":"2025-03-01T12:00:00Z",` +
				`"member":{"platform":"discourse","handle":"alice"},"status":"approved","thread":{"id":"7","solved":false}}`,
		},
	}
	for _, tt := range tests {
		r := interchange.NewJSONLReader(strings.NewReader(tt.in), "in", "")
		rec, err := r.Next()
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		w := interchange.NewJSONLWriter(&buf)
		if err := w.Write(rec); err != nil {
			t.Fatal(err)
		}
		if err := w.Flush(); err != nil {
			t.Fatal(err)
		}
		if got := buf.String(); got != tt.want+"\n" {
			t.Errorf("got  %s\nwant %s", got, tt.want)
		}
	}
}

// TestWriterRefuses checks that writers refuse, naming the record and the
// field, only what their format cannot carry.
func TestWriterRefuses(t *testing.T) {
	valid := edgeRecords()[1]
	bad := func(f func(r *cadre.ActivityRecord)) cadre.ActivityRecord {
		r := valid
		f(&r)
		return r
	}
	tests := []struct {
		name string
		rec  cadre.ActivityRecord
		want string
	}{
		{"invalid UTF-8", bad(func(r *cadre.ActivityRecord) { r.Title = "\xff" }), "activity s/1: title: invalid UTF-8"},
		{"invalid UTF-8 in the member", bad(func(r *cadre.ActivityRecord) { r.Member.Name = "\xff" }), "name: invalid UTF-8"},
		{"NaN metric", bad(func(r *cadre.ActivityRecord) { r.Metrics = map[string]float64{"views": math.NaN()} }), "views: not a finite number"},
		{"infinite effort", bad(func(r *cadre.ActivityRecord) { r.EffortMinutes, r.HasEffort = math.Inf(1), true }), "effort_minutes: not a finite number"},
		{"bad metric name", bad(func(r *cadre.ActivityRecord) { r.Metrics = map[string]float64{"page views": 1} }), `metrics: invalid name "page views"`},
	}
	for _, tt := range tests {
		for _, w := range []interface {
			Write(cadre.ActivityRecord) error
		}{interchange.NewJSONLWriter(io.Discard), interchange.NewCSVWriter(io.Discard, []string{"views", "page views"})} {
			err := w.Write(tt.rec)
			if cadre.ErrorCode(err) != cadre.EINVALID || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("%s: %T.Write: got %v, want an invalid error naming %q", tt.name, w, err, tt.want)
			}
		}
	}

	w := interchange.NewCSVWriter(io.Discard, []string{"views"})
	rec := bad(func(r *cadre.ActivityRecord) { r.Metrics = map[string]float64{"likes": 1} })
	if err := w.Write(rec); cadre.ErrorCode(err) != cadre.EINVALID || !strings.Contains(err.Error(), `metric "likes" has no column`) {
		t.Errorf("metric without a column: got %v", err)
	}
}

// TestWriterWritesWhatReadersReject writes records that break a rule of
// cadre.ActivityRecord.Check, as records stored before the rule tightened
// do: the writers write them, so that an export is whole, and reading them
// back rejects each with a reason naming the field.
func TestWriterWritesWhatReadersReject(t *testing.T) {
	valid := edgeRecords()[1]
	tests := []struct {
		name string
		edit func(r *cadre.ActivityRecord)
		want [2]string // the reasons in JSON Lines and in CSV
	}{
		{"time after 2099", func(r *cadre.ActivityRecord) { r.OccurredAt = time.Date(2150, 1, 1, 0, 0, 0, 0, time.UTC) },
			[2]string{`occurred_at: "2150-01-01T00:00:00Z" is out of range`, `occurred_at: "2150-01-01T00:00:00Z" is out of range`}},
		{"time before 1970", func(r *cadre.ActivityRecord) { r.OccurredAt = time.Date(1969, 7, 20, 20, 17, 0, 0, time.UTC) },
			[2]string{"occurred_at: \"1969-07-20T20:17:00Z\" is out of range", "occurred_at: \"1969-07-20T20:17:00Z\" is out of range"}},
		{"no type", func(r *cadre.ActivityRecord) { r.Type = "" }, [2]string{"type: missing", "type: missing"}},
		{"a member named by name only", func(r *cadre.ActivityRecord) { r.Member = cadre.MemberRef{Name: "Ann"} },
			[2]string{"member: needs member.platform and member.handle, or member.email", "member: needs member_platform and member_handle, or member_email"}},
		{"bad status", func(r *cadre.ActivityRecord) { r.Status = "done" }, [2]string{`status: "done" is not one of`, `status: "done" is not one of`}},
		{"negative effort", func(r *cadre.ActivityRecord) { r.EffortMinutes, r.HasEffort = -1, true },
			[2]string{"effort_minutes: must not be negative", "effort_minutes: must not be negative"}},
	}
	for _, tt := range tests {
		for i, csv := range []bool{false, true} {
			rec := valid
			tt.edit(&rec)
			var buf bytes.Buffer
			var w interface {
				Write(cadre.ActivityRecord) error
				Flush() error
			}
			newReader := interchange.NewJSONLReader
			if csv {
				w, newReader = interchange.NewCSVWriter(&buf, nil), interchange.NewCSVReader
			} else {
				w = interchange.NewJSONLWriter(&buf)
			}
			if err := w.Write(rec); err != nil {
				t.Fatalf("%s (csv %v): %v", tt.name, csv, err)
			}
			if err := w.Flush(); err != nil {
				t.Fatal(err)
			}
			_, err := newReader(&buf, "in", "").Next()
			if re, ok := errors.AsType[*interchange.RecordError](err); !ok || !strings.Contains(re.Reason, tt.want[i]) {
				t.Errorf("%s (csv %v): reading back gave %v, want a record error naming %q", tt.name, csv, err, tt.want[i])
			}
		}
	}
}

func TestCSVWriterHeader(t *testing.T) {
	var buf bytes.Buffer
	w := interchange.NewCSVWriter(&buf, []string{"views", "likes", "views"})
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	want := "source,external_id,type,occurred_at,member_platform,member_handle,member_email,member_name,url,title," +
		"effort_minutes,status,mentee_platform,mentee_handle,mentee_email,mentee_name,thread_id,thread_views,thread_solved," +
		"metrics_views,metrics_likes\n"
	if buf.String() != want {
		t.Errorf("got  %q\nwant %q", buf.String(), want)
	}
}

// roundTrip writes recs with a writer and reads them back.
func roundTrip(t testing.TB, recs []cadre.ActivityRecord, csv bool) []cadre.ActivityRecord {
	t.Helper()
	var buf bytes.Buffer
	var w interface {
		Write(cadre.ActivityRecord) error
		Flush() error
	}
	newReader := interchange.NewJSONLReader
	if csv {
		names := map[string]bool{}
		for _, rec := range recs {
			for name := range rec.Metrics {
				names[name] = true
			}
		}
		w = interchange.NewCSVWriter(&buf, slices.Sorted(maps.Keys(names)))
		newReader = interchange.NewCSVReader
	} else {
		w = interchange.NewJSONLWriter(&buf)
	}
	for _, rec := range recs {
		if err := w.Write(rec); err != nil {
			t.Fatalf("write %+v: %v", rec, err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	var out []cadre.ActivityRecord
	r := newReader(bytes.NewReader(buf.Bytes()), "written", "other")
	for {
		rec, err := r.Next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatalf("reading back %q: %v", buf.String(), err)
		}
		out = append(out, rec)
	}
}

// edgeRecords are records that are hard to write.
func edgeRecords() []cadre.ActivityRecord {
	return []cadre.ActivityRecord{
		{
			Activity: cadre.Activity{
				Type: "content", Source: "rss, feeds", ExternalID: `"quoted", with comma`, Status: cadre.ActivityPending,
				OccurredAt: time.Date(2025, 3, 1, 12, 0, 0, 123_456_789, time.UTC),
				URL:        "https://example.org/?a=1&b=<2>", Title: "line one\nline two\ttab \\ \x00 \x1f é 😀 \u2028",
				EffortMinutes: 0.1, HasEffort: true,
				Metrics: map[string]float64{"views": 1e21, "likes": -3, "solved": 0, "ratio": 1e-7, "big.int-ish_9": 12345678901234567890},
			},
			Member: cadre.MemberRef{Platform: "github", Handle: "bob", Email: "bob@example.org", Name: `Bob "B"`},
			Mentee: cadre.MemberRef{Email: "new@example.org", Name: "New, Person"},
		},
		{
			Activity: cadre.Activity{Type: "forum", Source: "s", ExternalID: "1", Status: cadre.ActivityApproved,
				OccurredAt: time.Date(2099, 12, 31, 23, 59, 59, 999_999_999, time.UTC)},
			Member: cadre.MemberRef{Email: "only@example.org"},
		},
		{
			Activity: cadre.Activity{Type: "forum", Source: "discourse", ExternalID: "post:2", Status: cadre.ActivityApproved,
				OccurredAt: time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC),
				Thread:     cadre.Thread{ID: `=1,"x"`, Views: 1 << 53, HasViews: true, Solved: true, HasSolved: true}},
			Member: cadre.MemberRef{Platform: "discourse", Handle: "ada"},
		},
		{
			Activity: cadre.Activity{Type: "forum", Source: "github", ExternalID: "review:3", Status: cadre.ActivityApproved,
				OccurredAt: time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC),
				Thread:     cadre.Thread{ID: "issue:9", Views: 0, HasViews: true}},
			Member: cadre.MemberRef{Platform: "github", Handle: "ada"},
		},
		{
			Activity: cadre.Activity{Type: "forum", Source: "stackexchange", ExternalID: "post:4", Status: cadre.ActivityApproved,
				OccurredAt: time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC),
				Thread:     cadre.Thread{ID: "question:1", HasSolved: true}},
			Member: cadre.MemberRef{Platform: "stackexchange", Handle: "ada"},
		},
		{
			Activity: cadre.Activity{Type: `\.`, Source: "lead", ExternalID: "#2", Status: cadre.ActivityRejected,
				OccurredAt: time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC), EffortMinutes: 0, HasEffort: true},
			Member: cadre.MemberRef{Platform: "p", Handle: "h"},
		},
	}
}

func TestRoundTrip(t *testing.T) {
	inputs := map[string][]cadre.ActivityRecord{
		"jsonl testdata": readFile(t, interchange.NewJSONLReader, "../testdata/activities.jsonl"),
		"csv testdata":   readFile(t, interchange.NewCSVReader, "../testdata/activities.csv"),
	}
	inputs["edge cases"] = edgeRecords()
	for name, recs := range inputs {
		for _, csv := range []bool{false, true} {
			got := roundTrip(t, recs, csv)
			if len(got) != len(recs) {
				t.Fatalf("%s (csv %v): %d records back, want %d", name, csv, len(got), len(recs))
			}
			for i := range recs {
				if d := diff(got[i], recs[i]); d != "" {
					t.Errorf("%s (csv %v), record %d: %s", name, csv, i+1, d)
				}
			}
		}
	}
}

// textColumns set each text column of the CSV format in a record.
var textColumns = map[string]func(r *cadre.ActivityRecord) *string{
	"source":          func(r *cadre.ActivityRecord) *string { return &r.Source },
	"external_id":     func(r *cadre.ActivityRecord) *string { return &r.ExternalID },
	"type":            func(r *cadre.ActivityRecord) *string { return &r.Type },
	"member_platform": func(r *cadre.ActivityRecord) *string { return &r.Member.Platform },
	"member_handle":   func(r *cadre.ActivityRecord) *string { return &r.Member.Handle },
	"member_email":    func(r *cadre.ActivityRecord) *string { return &r.Member.Email },
	"member_name":     func(r *cadre.ActivityRecord) *string { return &r.Member.Name },
	"url":             func(r *cadre.ActivityRecord) *string { return &r.URL },
	"title":           func(r *cadre.ActivityRecord) *string { return &r.Title },
	"status":          func(r *cadre.ActivityRecord) *string { return (*string)(&r.Status) },
	"mentee_platform": func(r *cadre.ActivityRecord) *string { return &r.Mentee.Platform },
	"mentee_handle":   func(r *cadre.ActivityRecord) *string { return &r.Mentee.Handle },
	"mentee_email":    func(r *cadre.ActivityRecord) *string { return &r.Mentee.Email },
	"mentee_name":     func(r *cadre.ActivityRecord) *string { return &r.Mentee.Name },
	"thread_id":       func(r *cadre.ActivityRecord) *string { return &r.Thread.ID },
}

// TestCSVWriterNeutralizesFormulas writes, in every text column, cells that
// a spreadsheet would run as formulas (OWASP's CSV injection): each is
// written with a leading "'", and reading the file back gives what reading
// the same record from JSON Lines gives.
func TestCSVWriterNeutralizesFormulas(t *testing.T) {
	valid := edgeRecords()[0]
	var header []string
	if err := func() error {
		var buf bytes.Buffer
		w := interchange.NewCSVWriter(&buf, nil)
		if err := w.Flush(); err != nil {
			return err
		}
		header = strings.Split(strings.TrimSpace(buf.String()), ",")
		return nil
	}(); err != nil {
		t.Fatal(err)
	}
	for _, col := range header {
		if _, ok := textColumns[col]; !ok && col != "occurred_at" && col != "effort_minutes" && col != "thread_views" && col != "thread_solved" {
			t.Fatalf("column %s is not tested", col)
		}
	}
	tests := []struct {
		value, cell string
	}{
		{`=HYPERLINK("https://evil.example","x")@example.org`, `'=HYPERLINK("https://evil.example","x")@example.org`},
		{"+1+1@example.org", "'+1+1@example.org"},
		{"-1+1@example.org", "'-1+1@example.org"},
		{"@SUM(A1)@example.org", "'@SUM(A1)@example.org"},
		{"\t=1@example.org", "'\t=1@example.org"},
		{"\r=1@example.org", "'\r=1@example.org"},
		// Cells marked already keep their marks: one more comes and goes.
		{"'=1@example.org", "''=1@example.org"},
		{"''-1@example.org", "'''-1@example.org"},
		// The rest is written as it is.
		{"'tis@example.org", "'tis@example.org"},
		{"a=1@example.org", "a=1@example.org"},
		{"'", "'"},
	}
	for col, field := range textColumns {
		for _, tt := range tests {
			rec := valid
			*field(&rec) = tt.value
			var buf bytes.Buffer
			w := interchange.NewCSVWriter(&buf, slices.Sorted(maps.Keys(rec.Metrics)))
			if err := w.Write(rec); err != nil {
				t.Fatalf("%s = %q: %v", col, tt.value, err)
			}
			if err := w.Flush(); err != nil {
				t.Fatal(err)
			}
			rows, err := csv.NewReader(bytes.NewReader(buf.Bytes())).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			for i, name := range rows[0] {
				cell := rows[1][i]
				if _, text := textColumns[name]; text && cell != "" && strings.IndexByte("=+-@\t\r", cell[0]) >= 0 {
					t.Errorf("%s = %q: %s cell %q runs as a formula", col, tt.value, name, cell)
				}
				if name == col && cell != tt.cell {
					t.Errorf("%s = %q: cell %q, want %q", col, tt.value, cell, tt.cell)
				}
			}

			var jbuf bytes.Buffer
			jw := interchange.NewJSONLWriter(&jbuf)
			if err := jw.Write(rec); err != nil {
				t.Fatal(err)
			}
			if err := jw.Flush(); err != nil {
				t.Fatal(err)
			}
			want, wantErr := interchange.NewJSONLReader(&jbuf, "in", "").Next()
			got, err := interchange.NewCSVReader(&buf, "in", "").Next()
			switch {
			case (err == nil) != (wantErr == nil):
				t.Errorf("%s = %q: read back from CSV: %v; from JSON Lines: %v", col, tt.value, err, wantErr)
			case err == nil:
				if d := diff(got, withoutCRLF(want)); d != "" {
					t.Errorf("%s = %q: read back from CSV: %s", col, tt.value, d)
				}
			}
		}
	}
}
