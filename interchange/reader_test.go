package interchange_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/cadrehq/cadre"
	"github.com/cadrehq/cadre/interchange"
)

// result is what a reader returned for one call of Next.
type result struct {
	line int
	rec  cadre.ActivityRecord
	err  *interchange.RecordError
}

// readAll reads r to the end, failing the test on a fatal error.
func readAll(t testing.TB, r *interchange.Reader) []result {
	t.Helper()
	var out []result
	for {
		rec, err := r.Next()
		if err == io.EOF {
			return out
		}
		re, ok := errors.AsType[*interchange.RecordError](err)
		if err != nil && !ok {
			t.Fatalf("fatal error: %v", err)
		}
		if ok && re.Line != r.Line() {
			t.Errorf("RecordError.Line = %d, Line() = %d", re.Line, r.Line())
		}
		out = append(out, result{line: r.Line(), rec: rec, err: re})
	}
}

// jsonLine builds a valid record line, changed by edits: "key" removes a key,
// "key=raw" sets it to the raw JSON value.
func jsonLine(edits ...string) string {
	keys := []string{"type", "occurred_at", "member"}
	vals := map[string]string{
		"type":        `"forum"`,
		"occurred_at": `"2025-03-01T12:00:00Z"`,
		"member":      `{"platform": "discourse", "handle": "alice"}`,
	}
	for _, e := range edits {
		k, v, set := strings.Cut(e, "=")
		if _, ok := vals[k]; !ok {
			keys = append(keys, k)
		}
		if set {
			vals[k] = v
		} else {
			delete(vals, k)
		}
	}
	var parts []string
	for _, k := range keys {
		if v, ok := vals[k]; ok {
			parts = append(parts, fmt.Sprintf("%q: %s", k, v))
		}
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

func TestJSONLRejects(t *testing.T) {
	tests := []struct {
		name string
		line string
		want string // in the reason
	}{
		{"syntax", `{"type": "forum",`, "invalid JSON at column 18: unexpected end of line"},
		{"not an object", `["forum"]`, "invalid JSON: a line must hold an object, not an array"},
		{"bare word", jsonLine("effort_minutes=five"), "invalid JSON"},
		{"bad escape", jsonLine(`title="a\qb"`), "invalid JSON"},
		{"bad unicode escape", jsonLine(`title="a\u12"`), `invalid \u escape`},
		{"control character", jsonLine("title=\"a\tb\""), "control character"},
		{"unterminated string", `{"type": "forum`, "unterminated string"},
		{"text after object", jsonLine() + " {}", "unexpected text after the object"},
		{"missing comma", `{"type": "forum" "url": "x"}`, "expected ',' or '}'"},
		{"string for number", jsonLine(`effort_minutes="five"`), `effort_minutes: expected a number, got the string "five"`},
		{"bool for number", jsonLine("effort_minutes=true"), "effort_minutes: expected a number, got true"},
		{"number for string", jsonLine("title=5"), "title: expected a string, got a number"},
		{"string for object", jsonLine(`member="alice"`), `member: expected an object, got the string "alice"`},
		{"array for metrics", jsonLine("metrics=[1]"), "metrics: expected an object, got an array"},
		{"string metric", jsonLine(`metrics={"views": "many"}`), `metrics.views: expected a number, got the string "many"`},
		{"nested wrong type", jsonLine(`member={"platform": "github", "handle": 7}`), "member.handle: expected a string, got a number"},
		{"unknown field", jsonLine(`titel="x"`), `unknown field "titel"`},
		{"unknown member field", jsonLine(`member={"platform": "github", "nick": "x"}`), `unknown field "member.nick"`},
		{"unknown mentee field", jsonLine(`mentee={"uid": 3}`), `unknown field "mentee.uid"`},
		{"duplicate field", `{"type": "forum", "type": "code"}`, `duplicate field "type"`},
		{"duplicate metric", jsonLine(`metrics={"views": 1, "views": 2}`), `duplicate field "metrics.views"`},
		{"bad metric name", jsonLine(`metrics={"page views": 1}`), `metrics: invalid name "page views"`},
		{"bad time", jsonLine(`occurred_at="2025-03-01 12:00"`), `occurred_at: "2025-03-01 12:00" is not an RFC 3339 time`},
		{"time without zone", jsonLine(`occurred_at="2025-03-01T12:00:00"`), `occurred_at: "2025-03-01T12:00:00" is not an RFC 3339 time`},
		{"one-digit hour", jsonLine(`occurred_at="2025-03-01T8:00:00Z"`), `occurred_at: "2025-03-01T8:00:00Z" is not an RFC 3339 time`},
		{"comma before fraction", jsonLine(`occurred_at="2025-03-01T08:00:00,5Z"`), `occurred_at: "2025-03-01T08:00:00,5Z" is not`},
		{"offset of 24 hours", jsonLine(`occurred_at="2025-03-01T08:00:00+24:00"`), `occurred_at: "2025-03-01T08:00:00+24:00" is not`},
		{"impossible date", jsonLine(`occurred_at="2025-02-30T12:00:00Z"`), `occurred_at: "2025-02-30T12:00:00Z" is not`},
		{"time before 1970", jsonLine(`occurred_at="1969-12-31T23:59:59Z"`), `occurred_at: "1969-12-31T23:59:59Z" is out of range (years 1970 to 2099, UTC)`},
		{"time before 1970 in UTC", jsonLine(`occurred_at="1970-01-01T00:30:00+01:00"`), `occurred_at: "1970-01-01T00:30:00+01:00" is out of range`},
		{"time in 2100", jsonLine(`occurred_at="2100-01-01T00:00:00Z"`), `occurred_at: "2100-01-01T00:00:00Z" is out of range`},
		{"time in 2100 in UTC", jsonLine(`occurred_at="2099-12-31T23:30:00-01:00"`), `occurred_at: "2099-12-31T23:30:00-01:00" is out of range`},
		{"time in 9999", jsonLine(`occurred_at="9999-12-31T23:59:59Z"`), `occurred_at: "9999-12-31T23:59:59Z" is out of range`},
		{"time as number", jsonLine("occurred_at=1740830400"), "occurred_at: expected a string, got a number"},
		{"missing type", jsonLine("type"), "type: missing"},
		{"empty type", jsonLine(`type="  "`), "type: missing"},
		{"missing time", jsonLine("occurred_at"), "occurred_at: missing"},
		{"missing member", jsonLine("member"), "member: missing"},
		{"null member", jsonLine("member=null"), "member: missing"},
		{"handle without platform", jsonLine(`member={"handle": "alice"}`), "member.platform: missing (required with member.handle)"},
		{"platform without handle", jsonLine(`member={"platform": "github", "email": "a@example.org"}`), "member.handle: missing (required with member.platform)"},
		{"name only", jsonLine(`member={"name": "Alice"}`), "member: needs member.platform and member.handle, or member.email"},
		{"bad email", jsonLine(`member={"email": "alice at example.org"}`), `member.email: invalid address "alice at example.org"`},
		{"mentee handle without platform", jsonLine(`mentee={"handle": "bob"}`), "mentee.platform: missing"},
		{"bad status", jsonLine(`status="done"`), `status: "done" is not one of approved, pending, rejected`},
		{"posing as a self-report", jsonLine(`source="self-report"`, `status="pending"`), `source: "self-report" is reserved for the activities members report themselves`},
		{"posing as a self-report in capitals", jsonLine(`source=" Self-Report "`), `source: "Self-Report" is reserved`},
		{"script for a url", jsonLine(`url="javascript:alert(1)"`), `url: "javascript:alert(1)" is not an http(s) address with a host`},
		{"relative url", jsonLine(`url="/t/123/4"`), `url: "/t/123/4" is not an http(s) address`},
		{"url without a scheme", jsonLine(`url="forum.example.org/t/123"`), `url: "forum.example.org/t/123" is not an http(s) address`},
		{"url without a host", jsonLine(`url="https:///t/123"`), `url: "https:///t/123" is not an http(s) address`},
		{"ftp url", jsonLine(`url="ftp://files.example.org/a"`), `url: "ftp://files.example.org/a" is not an http(s) address`},
		{"url with spaces around", jsonLine(`url=" https://forum.example.org/t/1"`), `url: " https://forum.example.org/t/1" is not an http(s) address`},
		{"negative effort", jsonLine("effort_minutes=-5"), "effort_minutes: must not be negative, got -5"},
		{"effort out of range", jsonLine("effort_minutes=1e999"), "effort_minutes: number out of range"},
		{"metric out of range", jsonLine(`metrics={"views": -1e400}`), "metrics.views: number out of range"},
		{"invalid UTF-8", jsonLine("title=\"caf\xe9\""), "invalid UTF-8 at column"},
		{"invalid UTF-8 in a key", "{\"typ\xff\": 1}", "invalid UTF-8 at column 6"},
		{"string for thread", jsonLine(`thread="123"`), `thread: expected an object, got the string "123"`},
		{"number for thread id", jsonLine(`thread={"id": 123}`), "thread.id: expected a string, got a number"},
		{"unknown thread field", jsonLine(`thread={"id": "1", "likes": 2}`), `unknown field "thread.likes"`},
		{"duplicate thread field", jsonLine(`thread={"id": "1", "id": "2"}`), `duplicate field "thread.id"`},
		{"fractional thread views", jsonLine(`thread={"id": "1", "views": 1.5}`), "thread.views: 1.5 is not a whole number of views"},
		{"huge thread views", jsonLine(`thread={"id": "1", "views": 1e300}`), "is not a whole number of views"},
		{"negative thread views", jsonLine(`thread={"id": "1", "views": -3}`), "thread.views: must not be negative, got -3"},
		{"string for solved", jsonLine(`thread={"id": "1", "solved": "yes"}`), `thread.solved: expected true or false, got the string "yes"`},
		{"number for solved", jsonLine(`thread={"id": "1", "solved": 1}`), "thread.solved: expected true or false, got a number"},
		{"thread views without id", jsonLine(`thread={"views": 3}`), "thread.id: missing (required with thread.views)"},
		{"thread solved with an empty id", jsonLine(`thread={"id": " ", "solved": true}`), "thread.id: missing (required with thread.solved)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			input := jsonLine() + "\n" + tt.line + "\n" + jsonLine() + "\n"
			got := readAll(t, interchange.NewJSONLReader(strings.NewReader(input), "in.jsonl", ""))
			if len(got) != 3 || got[0].err != nil || got[2].err != nil || got[1].err == nil {
				t.Fatalf("got %+v, want a record, an error, a record", got)
			}
			err := got[1].err
			if err.File != "in.jsonl" || err.Line != 2 {
				t.Errorf("error at %s:%d, want in.jsonl:2", err.File, err.Line)
			}
			if !strings.Contains(err.Reason, tt.want) {
				t.Errorf("reason %q, want it to contain %q", err.Reason, tt.want)
			}
			if !strings.HasPrefix(err.Error(), "in.jsonl:2: ") {
				t.Errorf("Error() = %q, want the prefix in.jsonl:2: ", err.Error())
			}
		})
	}
}

var csvHeader = "source,external_id,type,occurred_at,member_platform,member_handle,member_email,member_name," +
	"url,title,effort_minutes,status,mentee_platform,mentee_handle,mentee_email,mentee_name,thread_id,thread_views,thread_solved,metrics_views\n"

// csvRow builds a valid row under csvHeader, changed by edits "column=cell".
func csvRow(edits ...string) string {
	cols := strings.Split(strings.TrimSpace(csvHeader), ",")
	cells := map[string]string{
		"type":            "forum",
		"occurred_at":     "2025-03-01T12:00:00Z",
		"member_platform": "discourse",
		"member_handle":   "alice",
	}
	for _, e := range edits {
		k, v, _ := strings.Cut(e, "=")
		cells[k] = v
	}
	row := make([]string, len(cols))
	for i, c := range cols {
		row[i] = cells[c]
	}
	return strings.Join(row, ",") + "\n"
}

func TestCSVRejects(t *testing.T) {
	tests := []struct {
		name string
		row  string
		want string
	}{
		{"not a number", csvRow("effort_minutes=five"), `effort_minutes: "five" is not a number`},
		{"hex number", csvRow("effort_minutes=0x10"), `effort_minutes: "0x10" is not a number`},
		{"NaN", csvRow("metrics_views=NaN"), `metrics_views: "NaN" is not a number`},
		{"metric not a number", csvRow("metrics_views=many"), `metrics_views: "many" is not a number`},
		{"bad time", csvRow("occurred_at=03/01/2025"), `occurred_at: "03/01/2025" is not an RFC 3339 time`},
		{"missing type", csvRow("type="), "type: missing"},
		{"missing time", csvRow("occurred_at="), "occurred_at: missing"},
		{"missing member", csvRow("member_platform=", "member_handle="), "member: missing"},
		{"handle without platform", csvRow("member_platform="), "member_platform: missing (required with member_handle)"},
		{"bad email", csvRow("member_email=alice"), `member_email: invalid address "alice"`},
		{"mentee without handle", csvRow("mentee_platform=github"), "mentee_handle: missing"},
		{"bad status", csvRow("status=Approved"), `status: "Approved" is not one of approved, pending, rejected`},
		{"posing as a self-report", csvRow("source=self-report"), `source: "self-report" is reserved`},
		{"script for a url", csvRow("url=javascript:alert(1)"), `url: "javascript:alert(1)" is not an http(s) address with a host`},
		{"negative effort", csvRow("effort_minutes=-1.5"), "effort_minutes: must not be negative, got -1.5"},
		{"invalid UTF-8", csvRow("title=caf\xe9"), "title: invalid UTF-8"},
		{"fractional thread views", csvRow("thread_id=1", "thread_views=2.5"), "thread_views: 2.5 is not a whole number of views"},
		{"thread views not a number", csvRow("thread_id=1", "thread_views=many"), `thread_views: "many" is not a number`},
		{"negative thread views", csvRow("thread_id=1", "thread_views=-2"), "thread_views: must not be negative, got -2"},
		{"solved not a boolean", csvRow("thread_id=1", "thread_solved=yes"), `thread_solved: "yes" is not true or false`},
		{"thread solved without id", csvRow("thread_solved=true"), "thread_id: missing (required with thread_solved)"},
		{"too few fields", "forum,2025-03-01T12:00:00Z\n", "2 fields, but the header has 20"},
		{"too many fields", strings.TrimSuffix(csvRow(), "\n") + ",x\n", "21 fields, but the header has 20"},
		{"bare quote", csvRow(`title=a "quoted" word`), `invalid CSV: bare " in non-quoted-field (line 3, column 51)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			input := csvHeader + csvRow() + tt.row + csvRow()
			got := readAll(t, interchange.NewCSVReader(strings.NewReader(input), "in.csv", ""))
			if len(got) != 3 || got[0].err != nil || got[2].err != nil || got[1].err == nil {
				t.Fatalf("got %+v, want a record, an error, a record", got)
			}
			if err := got[1].err; err.File != "in.csv" || err.Line != 3 {
				t.Errorf("error at %s:%d, want in.csv:3", err.File, err.Line)
			}
			if reason := got[1].err.Reason; !strings.Contains(reason, tt.want) {
				t.Errorf("reason %q, want it to contain %q", reason, tt.want)
			}
		})
	}
}

func TestCSVHeaderErrors(t *testing.T) {
	tests := []struct {
		name   string
		header string
		want   string
	}{
		{"unknown column", "type,occurred_at,member_email,titel", `in.csv:1: header: unknown column "titel"`},
		{"duplicate column", "type,occurred_at,member_email,type", `in.csv:1: header: duplicate column "type"`},
		{"bad metric column", "type,occurred_at,member_email,metrics_page views", `in.csv:1: header: invalid metric column "metrics_page views" (after "metrics_" use letters, digits, '_', '.' or '-', at most 64)`},
		{"no type", "occurred_at,member_email", `in.csv:1: header: missing column "type"`},
		{"no time", "type,member_email", `in.csv:1: header: missing column "occurred_at"`},
		{"no member", "type,occurred_at,member_handle", "in.csv:1: header: missing columns for the member: member_platform and member_handle, or member_email"},
		{"after blank lines", "\n\ntype,occurred_at,member_email,x", `in.csv:3: header: unknown column "x"`},
		{"bad quoting", `type,occurred_at,"member_email`, `in.csv:1: header: invalid CSV: extraneous or missing " in quoted-field`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := interchange.NewCSVReader(strings.NewReader(tt.header+"\n"+csvRow()), "in.csv", "")
			_, err := r.Next()
			if _, ok := errors.AsType[*interchange.RecordError](err); ok || err == nil || err == io.EOF {
				t.Fatalf("got %v, want a fatal error", err)
			}
			if err.Error() != tt.want {
				t.Errorf("got %q, want %q", err, tt.want)
			}
			if _, again := r.Next(); again != err {
				t.Errorf("second Next returned %v, want the same error", again)
			}
		})
	}
}

func TestCSVHeaderOnly(t *testing.T) {
	for _, input := range []string{"", csvHeader, "\ufeff" + csvHeader} {
		if got := readAll(t, interchange.NewCSVReader(strings.NewReader(input), "in.csv", "")); len(got) != 0 {
			t.Errorf("%q: got %+v, want nothing", input, got)
		}
	}
}

// TestKeepsGoing checks that bad records are reported at their lines and that
// reading continues after them.
func TestKeepsGoing(t *testing.T) {
	bad := jsonLine(`status="done"`)
	jsonl := "\ufeff" + jsonLine(`url="https://e.example/1"`) + "\n" + bad + "\r\n\n  \t\n" + jsonLine(`url="https://e.example/3"`) + "\r\n" +
		`{"type": ` + "\n" + jsonLine(`url="https://e.example/5"`) // no final newline
	csv := csvHeader + csvRow("url=https://e.example/1") + csvRow("status=done") + csvRow("url=https://e.example/3", "title=\"two\nlines\"") +
		"\n" + csvRow("effort_minutes=x") + strings.TrimSuffix(csvRow("url=https://e.example/5"), "\n")
	tests := []struct {
		name      string
		r         *interchange.Reader
		lines     []int // of the records, with url 1, 3, 5
		errLines  []int
		wantTitle string
	}{
		{"jsonl", interchange.NewJSONLReader(strings.NewReader(jsonl), "in", ""), []int{1, 5, 7}, []int{2, 6}, ""},
		{"csv", interchange.NewCSVReader(strings.NewReader(csv), "in", ""), []int{2, 4, 8}, []int{3, 7}, "two\nlines"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var lines, errLines []int
			var urls []string
			for _, res := range readAll(t, tt.r) {
				if res.err != nil {
					errLines = append(errLines, res.line)
					continue
				}
				lines = append(lines, res.line)
				urls = append(urls, res.rec.URL)
				if res.rec.URL == "https://e.example/3" && res.rec.Title != tt.wantTitle {
					t.Errorf("title %q, want %q", res.rec.Title, tt.wantTitle)
				}
			}
			if !reflect.DeepEqual(urls, []string{"https://e.example/1", "https://e.example/3", "https://e.example/5"}) {
				t.Errorf("records with urls %q, want 1, 3, 5", urls)
			}
			if !reflect.DeepEqual(lines, tt.lines) || !reflect.DeepEqual(errLines, tt.errLines) {
				t.Errorf("records at lines %v and errors at %v, want %v and %v", lines, errLines, tt.lines, tt.errLines)
			}
		})
	}
}

func TestDefaults(t *testing.T) {
	at := time.Date(2025, 3, 1, 11, 0, 0, 500_000_000, time.UTC)
	tests := []struct {
		name          string
		line          string
		defaultSource string
		want          cadre.ActivityRecord // ExternalID "" means the hash
	}{
		{
			name:          "source from the reader, approved, hash",
			line:          jsonLine(`occurred_at="2025-03-01T12:00:00.5+01:00"`),
			defaultSource: "discourse",
			want: cadre.ActivityRecord{
				Activity: cadre.Activity{Type: "forum", OccurredAt: at, Source: "discourse", Status: cadre.ActivityApproved},
				Member:   cadre.MemberRef{Platform: "discourse", Handle: "alice"},
			},
		},
		{
			name: "source import, email only, lower-cased and trimmed",
			line: jsonLine(`occurred_at="2025-03-01T11:00:00.500Z"`, `member={"email": " Alice@Example.ORG ", "name": "Alice"}`),
			want: cadre.ActivityRecord{
				Activity: cadre.Activity{Type: "forum", OccurredAt: at, Source: "import", Status: cadre.ActivityApproved},
				Member:   cadre.MemberRef{Email: "alice@example.org", Name: "Alice"},
			},
		},
		{
			name:          "given values win; zero effort counts as given",
			line:          jsonLine(`occurred_at="2025-03-01T11:00:00.5Z"`, `source="github"`, `external_id="x1"`, `status="pending"`, "effort_minutes=0"),
			defaultSource: "discourse",
			want: cadre.ActivityRecord{
				Activity: cadre.Activity{Type: "forum", OccurredAt: at, Source: "github", ExternalID: "x1", Status: cadre.ActivityPending, HasEffort: true},
				Member:   cadre.MemberRef{Platform: "discourse", Handle: "alice"},
			},
		},
		{
			name: "null and empty values are absent",
			line: jsonLine(`occurred_at="2025-03-01T11:00:00.5Z"`, `source=""`, "external_id=null", "url=null", `title=""`,
				"effort_minutes=null", "metrics={}", "mentee=null", "status=null", `member={"platform": "discourse", "handle": "alice", "email": null}`),
			want: cadre.ActivityRecord{
				Activity: cadre.Activity{Type: "forum", OccurredAt: at, Source: "import", Status: cadre.ActivityApproved},
				Member:   cadre.MemberRef{Platform: "discourse", Handle: "alice"},
			},
		},
		{
			name: "escapes, metrics, mentee",
			line: jsonLine(`occurred_at="2025-03-01T11:00:00.5Z"`, `title="\"Hi\" \u00e9\ud83d\ude00\n"`, `metrics={"views": 1.5e3, "likes": -2, "solved": null}`,
				`mentee={"platform": "github", "handle": "bob"}`, "effort_minutes=7.25"),
			want: cadre.ActivityRecord{
				Activity: cadre.Activity{Type: "forum", OccurredAt: at, Source: "import", Status: cadre.ActivityApproved,
					Title: "\"Hi\" é😀\n", Metrics: map[string]float64{"views": 1500, "likes": -2}, EffortMinutes: 7.25, HasEffort: true},
				Member: cadre.MemberRef{Platform: "discourse", Handle: "alice"},
				Mentee: cadre.MemberRef{Platform: "github", Handle: "bob"},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := readAll(t, interchange.NewJSONLReader(strings.NewReader(tt.line), "in", tt.defaultSource))
			if len(got) != 1 || got[0].err != nil {
				t.Fatalf("got %+v, want one record", got)
			}
			want := tt.want
			if want.ExternalID == "" {
				want.ExternalID = interchange.RecordHash(want)
			}
			if d := diff(got[0].rec, want); d != "" {
				t.Error(d)
			}
		})
	}
}

// diff describes how two records differ, or returns "".
func diff(got, want cadre.ActivityRecord) string {
	if !got.OccurredAt.Equal(want.OccurredAt) {
		return fmt.Sprintf("occurred_at %v, want %v", got.OccurredAt, want.OccurredAt)
	}
	got.OccurredAt, want.OccurredAt = time.Time{}, time.Time{}
	if !reflect.DeepEqual(got, want) {
		return fmt.Sprintf("got  %+v\nwant %+v", got, want)
	}
	return ""
}

func TestRecordHash(t *testing.T) {
	base := cadre.ActivityRecord{
		Activity: cadre.Activity{Type: "feedback", Source: "survey", URL: "https://example.org/f/1",
			OccurredAt: time.Date(2025, 3, 20, 13, 45, 0, 0, time.UTC)},
		Member: cadre.MemberRef{Platform: "github", Handle: "dave", Email: "dave@example.com"},
	}
	// The hash identifies stored activities: it must never change.
	const want = "h:927caa56fc21dc5dfc5948a5cee27f2c"
	if got := interchange.RecordHash(base); got != want {
		t.Errorf("RecordHash = %s, want %s", got, want)
	}
	same := func(f func(r *cadre.ActivityRecord)) cadre.ActivityRecord {
		r := base
		f(&r)
		return r
	}
	for name, r := range map[string]cadre.ActivityRecord{
		"title and metrics": same(func(r *cadre.ActivityRecord) { r.Title, r.Metrics = "x", map[string]float64{"views": 1} }),
		"status and effort": same(func(r *cadre.ActivityRecord) { r.Status, r.HasEffort, r.EffortMinutes = "pending", true, 5 }),
		"member name":       same(func(r *cadre.ActivityRecord) { r.Member.Name = "Dave" }),
		"case and spaces": same(func(r *cadre.ActivityRecord) {
			r.Member = cadre.MemberRef{Platform: "GitHub", Handle: " Dave", Email: "Dave@Example.com"}
		}),
		"time zone":      same(func(r *cadre.ActivityRecord) { r.OccurredAt = r.OccurredAt.In(time.FixedZone("", 3600)) }),
		"mentee and ids": same(func(r *cadre.ActivityRecord) { r.Mentee.Handle, r.ID, r.MemberID = "bob", 4, 2 }),
	} {
		if got := interchange.RecordHash(r); got != want {
			t.Errorf("%s: RecordHash = %s, want %s", name, got, want)
		}
	}
	for name, r := range map[string]cadre.ActivityRecord{
		"source":   same(func(r *cadre.ActivityRecord) { r.Source = "import" }),
		"type":     same(func(r *cadre.ActivityRecord) { r.Type = "forum" }),
		"time":     same(func(r *cadre.ActivityRecord) { r.OccurredAt = r.OccurredAt.Add(time.Nanosecond) }),
		"url":      same(func(r *cadre.ActivityRecord) { r.URL += "/" }),
		"platform": same(func(r *cadre.ActivityRecord) { r.Member.Platform = "discourse" }),
		"handle":   same(func(r *cadre.ActivityRecord) { r.Member.Handle = "dave2" }),
		"email":    same(func(r *cadre.ActivityRecord) { r.Member.Email = "" }),
		"shifted":  same(func(r *cadre.ActivityRecord) { r.Source, r.Member.Platform = "surveyg", "ithub" }),
	} {
		if got := interchange.RecordHash(r); got == want {
			t.Errorf("%s: RecordHash unchanged", name)
		}
	}
}

// TestLongLines checks that a line over the limit is rejected alone, and is
// not held in memory.
func TestLongLines(t *testing.T) {
	const size = 64 << 20
	long := func(prefix string) io.Reader {
		return io.MultiReader(strings.NewReader(prefix), io.LimitReader(repeatReader('x'), size), strings.NewReader("\n"))
	}
	tests := []struct {
		name string
		r    *interchange.Reader
	}{
		{"jsonl", interchange.NewJSONLReader(io.MultiReader(
			strings.NewReader(jsonLine()+"\n"), long(`{"title": "`), strings.NewReader(jsonLine()+"\n")), "in", "")},
		{"csv", interchange.NewCSVReader(io.MultiReader(
			strings.NewReader(csvHeader+csvRow()), long(`forum,"`), strings.NewReader(csvRow())), "in", "")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			got := readAll(t, tt.r)
			runtime.ReadMemStats(&after)
			if len(got) != 3 || got[0].err != nil || got[2].err != nil || got[1].err == nil {
				t.Fatalf("got %+v, want a record, an error, a record", got)
			}
			if want := fmt.Sprintf("longer than %d bytes", interchange.MaxLineBytes); !strings.HasSuffix(got[1].err.Reason, want) {
				t.Errorf("reason %q, want it to end in %q", got[1].err.Reason, want)
			}
			if alloc := after.TotalAlloc - before.TotalAlloc; alloc > size/4 {
				t.Errorf("allocated %d bytes reading a %d-byte line", alloc, size)
			}
		})
	}
}

type repeatReader byte

func (r repeatReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(r)
	}
	return len(p), nil
}

// TestLineLimit checks that a line of exactly MaxLineBytes is accepted.
func TestLineLimit(t *testing.T) {
	short := jsonLine(`title=""`)
	pad := interchange.MaxLineBytes - len(short)
	line := jsonLine(`title="` + strings.Repeat("y", pad) + `"`)
	for _, input := range []string{line + "\n", line + "\r\n", line, line + "z\n"} {
		got := readAll(t, interchange.NewJSONLReader(strings.NewReader(input), "in", ""))
		wantErr := strings.HasSuffix(input, "z\n")
		if len(got) != 1 || (got[0].err != nil) != wantErr {
			t.Errorf("%d-byte line: got %d results, error %v; want an error: %v", len(input), len(got), got[0].err, wantErr)
		}
	}
}

func TestFatalErrors(t *testing.T) {
	boom := errors.New("boom")
	for name, r := range map[string]*interchange.Reader{
		"jsonl": interchange.NewJSONLReader(io.MultiReader(strings.NewReader(jsonLine()+"\n"), iotest.ErrReader(boom)), "in", ""),
		"csv":   interchange.NewCSVReader(io.MultiReader(strings.NewReader(csvHeader+csvRow()), iotest.ErrReader(boom)), "in", ""),
	} {
		if _, err := r.Next(); err != nil {
			t.Fatalf("%s: first record: %v", name, err)
		}
		_, err := r.Next()
		if !errors.Is(err, boom) || !strings.Contains(err.Error(), "read in: ") {
			t.Errorf("%s: got %v, want a wrapped boom", name, err)
		}
		if _, again := r.Next(); again != err {
			t.Errorf("%s: second Next returned %v, want the same error", name, again)
		}
	}
}

func TestTestdataFormatsAgree(t *testing.T) {
	jsonl := readFile(t, interchange.NewJSONLReader, "../testdata/activities.jsonl")
	csv := readFile(t, interchange.NewCSVReader, "../testdata/activities.csv")
	if len(jsonl) < 20 || len(jsonl) != len(csv) {
		t.Fatalf("%d records in JSONL and %d in CSV", len(jsonl), len(csv))
	}
	for i := range jsonl {
		if d := diff(csv[i], jsonl[i]); d != "" {
			t.Errorf("record %d: %s", i+1, d)
		}
	}
	types := map[string]bool{}
	for _, rec := range jsonl {
		types[rec.Type] = true
	}
	for _, typ := range []string{"forum", "content", "mentoring", "speaking", "feedback", "beta", "code"} {
		if !types[typ] {
			t.Errorf("no %s activity in testdata", typ)
		}
	}
}

// readFile reads every record of a file that has no bad ones.
func readFile(t testing.TB, newReader func(io.Reader, string, string) *interchange.Reader, path string) []cadre.ActivityRecord {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var recs []cadre.ActivityRecord
	for _, res := range readAll(t, newReader(bytes.NewReader(data), path, "")) {
		if res.err != nil {
			t.Fatal(res.err)
		}
		recs = append(recs, res.rec)
	}
	return recs
}

// TestCSVLimitFollowsQuotes checks that the record limit applies to records
// as csv.Reader sees them, quoted line breaks included.
func TestCSVLimitFollowsQuotes(t *testing.T) {
	const rows = 5000 // of about 300 bytes: more than MaxLineBytes in all
	quoted, plain := `title="`+strings.Repeat("a,b ", 60)+`"`, "title="+strings.Repeat("ab ", 80)
	tests := []struct {
		name     string
		bad      string
		title    string
		good     int
		errLines []int
	}{
		// csv.Reader skips the rest of a line with a misplaced quote.
		{"bare quote", csvRow(`title=say "hi"`), quoted, rows, []int{2}},
		{"quote after quoted field", csvRow(`title="a"b`), quoted, rows, []int{2}},
		// An unclosed quote takes in the lines after it up to the next quote,
		{"unclosed quote", csvRow(`title="never closed`), quoted, rows - 1, []int{2}},
		// or up to the limit, give or take the length of urls.
		{"unclosed quote to the limit", csvRow(`title="never closed`), plain, rows - interchange.MaxLineBytes/len(csvRow("url=https://e.example/1000", plain)), []int{2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b strings.Builder
			b.WriteString(csvHeader + tt.bad)
			for line := 3; line < 3+rows; line++ {
				b.WriteString(csvRow(fmt.Sprintf("url=https://e.example/%d", line), tt.title))
			}
			input := b.String()
			var errLines []int
			good := 0
			for _, res := range readAll(t, interchange.NewCSVReader(strings.NewReader(input), "in", "")) {
				if res.err != nil {
					errLines = append(errLines, res.line)
					continue
				}
				good++
				if res.rec.URL != fmt.Sprint("https://e.example/", res.line) {
					t.Fatalf("record of line %s reported at line %d", res.rec.URL, res.line)
				}
			}
			if good < tt.good-50 || good > tt.good || !reflect.DeepEqual(errLines, tt.errLines) {
				t.Errorf("%d records and errors at lines %v; want %d (or up to 50 fewer) and %v", good, errLines, tt.good, tt.errLines)
			}
		})
	}
}

func TestCSVCells(t *testing.T) {
	input := "\ufeffmetrics_likes, member_email ,occurred_at,type,effort_minutes,metrics_views,title\n" +
		`3,Bob@Example.org,2025-03-01T12:00:00Z,forum, 5 ,,"a, ""b"""` + "\n" +
		`,bob@example.org,2025-03-01T12:00:00Z,forum,  ,1e3, ` + "\n" +
		`,bob@example.org,2025-03-01T12:00:00Z,forum,,,` + "\n"
	at := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	bob := cadre.MemberRef{Email: "bob@example.org"}
	want := []cadre.ActivityRecord{
		{Activity: cadre.Activity{Type: "forum", OccurredAt: at, Source: "csv", Status: cadre.ActivityApproved,
			EffortMinutes: 5, HasEffort: true, Title: `a, "b"`, Metrics: map[string]float64{"likes": 3}}, Member: bob},
		{Activity: cadre.Activity{Type: "forum", OccurredAt: at, Source: "csv", Status: cadre.ActivityApproved,
			Title: " ", Metrics: map[string]float64{"views": 1000}}, Member: bob},
		{Activity: cadre.Activity{Type: "forum", OccurredAt: at, Source: "csv", Status: cadre.ActivityApproved}, Member: bob},
	}
	got := readAll(t, interchange.NewCSVReader(strings.NewReader(input), "in.csv", "csv"))
	if len(got) != len(want) {
		t.Fatalf("got %+v, want %d records", got, len(want))
	}
	for i, res := range got {
		if res.err != nil {
			t.Fatalf("record %d: %v", i+1, res.err)
		}
		want[i].ExternalID = interchange.RecordHash(want[i])
		if d := diff(res.rec, want[i]); d != "" {
			t.Errorf("record %d: %s", i+1, d)
		}
	}
}
