package github

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cadrehq/cadre"
	"github.com/cadrehq/cadre/interchange"
	"github.com/cadrehq/cadre/internal/realdata"
)

const sampleFile = "2021-07-21-few-hours.jsonl"

// readAll drains an archive reader, failing the test on any error.
func readAll(t *testing.T, r *ArchiveReader) []cadre.ActivityRecord {
	t.Helper()
	var recs []cadre.ActivityRecord
	for {
		rec, err := r.Next()
		if err == io.EOF {
			return recs
		}
		if err != nil {
			t.Fatalf("Next: %v", err)
		}
		recs = append(recs, rec)
	}
}

// expected is what SPEC section 9 makes of an archive, worked out here from
// the raw events without the package's mapping.
type expected struct {
	types   map[string]int    // activities by type
	ignored map[string]int    // events without an activity, by event type
	ids     map[string]string // external id → type
	bots    map[string]bool   // external id → the author is a bot
}

func expectFromArchive(t *testing.T, data []byte) expected {
	t.Helper()
	exp := expected{types: map[string]int{}, ignored: map[string]int{}, ids: map[string]string{}, bots: map[string]bool{}}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 64<<20)
	for sc.Scan() {
		var ev map[string]any
		if err := json.Unmarshal(sc.Bytes(), &ev); err != nil {
			t.Fatalf("sample line: %v", err)
		}
		kind := ev["type"].(string)
		p := ev["payload"].(map[string]any)
		action, _ := p["action"].(string)
		var typ, prefix, field string
		switch {
		case kind == "IssuesEvent" && action == "opened":
			typ, prefix, field = "feedback", "issue", "issue"
		case kind == "IssueCommentEvent" && action == "created":
			typ, prefix, field = "forum", "issue_comment", "comment"
		case kind == "PullRequestReviewEvent" && (action == "created" || action == "submitted"):
			typ, prefix, field = "forum", "review", "review"
		case kind == "PullRequestReviewCommentEvent" && action == "created":
			typ, prefix, field = "forum", "review_comment", "comment"
		case kind == "PullRequestEvent" && action == "closed" && p["pull_request"].(map[string]any)["merged"] == true:
			typ, prefix, field = "code", "pull_request", "pull_request"
		case kind == "DiscussionCommentEvent" && action == "created":
			typ, prefix, field = "forum", "discussion_comment", "comment"
		default:
			exp.ignored[kind]++
			continue
		}
		obj := p[field].(map[string]any)
		id := prefix + ":" + strconv.FormatFloat(obj["id"].(float64), 'f', -1, 64)
		exp.types[typ]++
		exp.ids[id] = typ
		u := obj["user"].(map[string]any)
		exp.bots[id] = strings.HasSuffix(u["login"].(string), "[bot]") || u["type"] == "Bot"
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return exp
}

// checkAgainst compares what a reader made of an archive with exp.
func checkAgainst(t *testing.T, exp expected, recs []cadre.ActivityRecord, ignored map[string]int) {
	t.Helper()
	types := map[string]int{}
	for _, rec := range recs {
		types[rec.Type]++
		typ, ok := exp.ids[rec.ExternalID]
		switch {
		case !ok:
			t.Errorf("unexpected activity %s", rec.ExternalID)
		case typ != rec.Type:
			t.Errorf("%s: type %q, want %q", rec.ExternalID, rec.Type, typ)
		}
		if rec.Member.Bot != exp.bots[rec.ExternalID] {
			t.Errorf("%s by %s: bot %v, want %v", rec.ExternalID, rec.Member.Handle, rec.Member.Bot, exp.bots[rec.ExternalID])
		}
		if rec.Source != "github" || rec.Member.Platform != "github" || rec.Member.Handle == "" || rec.OccurredAt.IsZero() {
			t.Errorf("%s: incomplete record %+v", rec.ExternalID, rec)
		}
	}
	if !maps.Equal(types, exp.types) {
		t.Errorf("activities by type = %v, want %v", types, exp.types)
	}
	if !maps.Equal(ignored, exp.ignored) {
		t.Errorf("ignored = %v, want %v", ignored, exp.ignored)
	}
	// GH Archive repeats some events (the real sample has four reviews
	// twice); their activities share an external id, so they are one.
	distinct := map[string]bool{}
	for _, rec := range recs {
		distinct[rec.ExternalID] = true
	}
	if len(distinct) != len(exp.ids) {
		t.Errorf("%d distinct activities, want %d", len(distinct), len(exp.ids))
	}
}

func TestArchiveRealSample(t *testing.T) {
	path := realdata.Path(t, "gharchive", sampleFile)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	exp := expectFromArchive(t, data)
	r := NewArchiveReader(bytes.NewReader(data), sampleFile)
	recs := readAll(t, r)
	checkAgainst(t, exp, recs, r.Ignored())

	bots := 0
	for _, rec := range recs {
		if rec.Member.Bot {
			bots++
		}
	}
	if bots == 0 {
		t.Error("no activity of a bot; the sample has several")
	}
	t.Logf("activities by type %v (%d distinct); ignored %v; %d by bots", exp.types, len(exp.ids), exp.ignored, bots)
}

func TestArchiveRealRecords(t *testing.T) {
	r := NewArchiveReader(openSample(t), sampleFile)
	byID := map[string]cadre.ActivityRecord{}
	for _, rec := range readAll(t, r) {
		byID[rec.ExternalID] = rec
	}
	tests := []struct {
		name string
		want cadre.ActivityRecord
	}{
		{"issue comment", inThread("tikv/client-java#235", false, record("forum", "issue_comment:883913999", "2021-07-21T06:00:01Z",
			"Little-Wallace", "16376959", false,
			"https://github.com/tikv/client-java/pull/235#issuecomment-883913999", "fix test"))},
		{"review, at its submitted_at", inThread("magma/magma#8124", false, record("forum", "review:711282642", "2021-07-21T06:00:01Z",
			"hakeen0618", "86106068", false,
			"https://github.com/magma/magma/pull/8124#pullrequestreview-711282642", "[nms,agw,orc8r] Adding MME_IP to eNB configs"))},
		{"review comment", inThread("magma/magma#8124", false, record("forum", "review_comment:673682347", "2021-07-21T06:00:01Z",
			"hakeen0618", "86106068", false,
			"https://github.com/magma/magma/pull/8124#discussion_r673682347", "[nms,agw,orc8r] Adding MME_IP to eNB configs"))},
		{"opened issue", inThread("nerds-odd-e/doughnut#429", false, record("feedback", "issue:949355519", "2021-07-21T06:00:04Z",
			"kanai-leek08", "10616340", false,
			"https://github.com/nerds-odd-e/doughnut/issues/429", "org.springframework.web.server.ResponseStatusException"))},
		// Merged by jthegedus a second before the event; credited to its author, a bot.
		{"merged pull request by a bot", inThread("jthegedus/svelte-adapter-firebase#120", true, record("code", "pull_request:694073641", "2021-07-21T05:59:59Z",
			"github-actions[bot]", "41898282", true,
			"https://github.com/jthegedus/svelte-adapter-firebase/pull/120", "chore: release 0.10.5"))},
		{"bot comment", inThread("wix/ricos#2755", false, record("forum", "issue_comment:883914002", "2021-07-21T06:00:01Z",
			"github-actions[bot]", "41898282", true,
			"https://github.com/wix/ricos/pull/2755#issuecomment-883914002", "move i18next to external"))},
		// The merger, cg1101, is the event's actor.
		{"merged pull request of dependabot", inThread("f-club/my-angular-app#189", true, record("code", "pull_request:692887979", "2021-07-21T06:00:04Z",
			"dependabot[bot]", "49699333", true,
			"https://github.com/f-club/my-angular-app/pull/189", "Bump @angular/common from 12.1.1 to 12.1.2"))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := byID[tt.want.ExternalID]
			if !ok {
				t.Fatalf("no activity %s", tt.want.ExternalID)
			}
			if !equalRecords(got, tt.want) {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
	if _, ok := byID["pull_request:682355727"]; ok {
		t.Error("a pull request closed without a merge made an activity")
	}
}

// inThread sets the thread of r: the issue or pull request id, known to be
// solved or not.
func inThread(id string, solved bool, r cadre.ActivityRecord) cadre.ActivityRecord {
	r.Thread = cadre.Thread{ID: id, Solved: solved, HasSolved: true}
	return r
}

func record(typ, id, at, handle, userID string, bot bool, url, title string) cadre.ActivityRecord {
	occurred, err := time.Parse(time.RFC3339, at)
	if err != nil {
		panic(err)
	}
	return cadre.ActivityRecord{
		Activity: cadre.Activity{Type: typ, OccurredAt: occurred, Source: "github", ExternalID: id, Status: cadre.ActivityApproved, URL: url, Title: title},
		Member:   cadre.MemberRef{Platform: "github", Handle: handle, UserID: userID, Bot: bot},
	}
}

func equalRecords(a, b cadre.ActivityRecord) bool {
	if !a.OccurredAt.Equal(b.OccurredAt) || !maps.Equal(a.Metrics, b.Metrics) {
		return false
	}
	a.OccurredAt, b.OccurredAt = time.Time{}, time.Time{}
	a.Metrics, b.Metrics = nil, nil
	return reflect.DeepEqual(a, b)
}

func openSample(t *testing.T) io.Reader {
	t.Helper()
	f, err := os.Open(realdata.Path(t, "gharchive", sampleFile))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// goodLine is an archive line that makes the activity issue_comment:{id}.
func goodLine(id int) string {
	return fmt.Sprintf(`{"id":"1","type":"IssueCommentEvent","actor":{"id":7,"login":"ann"},"payload":{"action":"created",`+
		`"issue":{"id":3,"title":"T"},"comment":{"id":%d,"user":{"login":"bob","id":8},"created_at":"2021-07-21T06:00:00Z",`+
		`"html_url":"https://github.com/o/r/issues/1#issuecomment-%d"}},"created_at":"2021-07-21T06:00:05Z"}`, id, id)
}

func TestArchiveBadLines(t *testing.T) {
	tests := []struct {
		name   string
		line   string
		reason string // a part of the RecordError's reason
	}{
		{"malformed JSON", `{"id":"2","type":"IssueCommentEvent",`, "invalid JSON"},
		{"not an object", `[1,2]`, "line: got a JSON array, want an object"},
		{"wrong-typed comment id", strings.Replace(goodLine(5), `"id":5`, `"id":"5"`, 1), "payload.comment.id: got a JSON string, want an integer"},
		{"wrong-typed actor", `{"type":"PushEvent","actor":"ann","payload":{}}`, "actor: got a JSON string, want an object"},
		{"missing comment id", strings.Replace(goodLine(5), `"id":5,`, ``, 1), "IssueCommentEvent: payload.comment.id: missing"},
		{"missing comment", `{"type":"IssueCommentEvent","actor":{"login":"a"},"payload":{"action":"created"},"created_at":"2021-07-21T06:00:05Z"}`, "payload.comment: missing"},
		{"missing payload", `{"type":"IssuesEvent","actor":{"login":"a"}}`, "IssuesEvent: payload: missing"},
		{"payload not an object", `{"type":"IssuesEvent","payload":7}`, "IssuesEvent: payload: got a JSON number 7, want an object"},
		{"missing type", `{"id":"1","payload":{}}`, "type: missing"},
		{"bad time", strings.Replace(goodLine(5), `"2021-07-21T06:00:00Z"`, `"yesterday"`, 1), `payload.comment.created_at: "yesterday" is not an RFC 3339 time`},
		{"no time at all", `{"type":"IssuesEvent","actor":{"login":"a"},"payload":{"action":"opened","issue":{"id":4}}}`, "payload.issue.created_at: missing"},
		{"no author", `{"type":"IssuesEvent","payload":{"action":"opened","issue":{"id":4,"created_at":"2021-07-21T06:00:00Z"}}}`, "payload.issue.user: missing"},
		{"merged without an id", `{"type":"PullRequestEvent","payload":{"action":"closed","pull_request":{"merged":true}}}`, "payload.pull_request.id: missing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// The bad line is line 3, between good ones and after a blank line.
			in := goodLine(1) + "\n \t\r\n" + tt.line + "\r\n" + goodLine(2) + "\n"
			r := NewArchiveReader(strings.NewReader(in), "hour.json")
			var ids []string
			var bad []*interchange.RecordError
			for {
				rec, err := r.Next()
				if err == io.EOF {
					break
				}
				var re *interchange.RecordError
				if errors.As(err, &re) {
					bad = append(bad, re)
					continue
				}
				if err != nil {
					t.Fatalf("Next: %v", err)
				}
				ids = append(ids, rec.ExternalID)
			}
			if want := []string{"issue_comment:1", "issue_comment:2"}; fmt.Sprint(ids) != fmt.Sprint(want) {
				t.Errorf("activities %v, want %v", ids, want)
			}
			if len(bad) != 1 {
				t.Fatalf("record errors %v, want one", bad)
			}
			if bad[0].File != "hour.json" || bad[0].Line != 3 || !strings.Contains(bad[0].Reason, tt.reason) {
				t.Errorf("error %q (line %d of %q), want line 3 of hour.json saying %q", bad[0].Reason, bad[0].Line, bad[0].File, tt.reason)
			}
			if !bad[0].Recoverable() {
				t.Error("a bad line must be recoverable")
			}
		})
	}
}

func TestArchiveAuthorAndTime(t *testing.T) {
	const eventTime = "2021-07-21T06:00:05Z"
	line := func(comment string) string {
		return `{"type":"IssueCommentEvent","actor":{"id":7,"login":"actor-login"},"created_at":"` + eventTime +
			`","payload":{"action":"created","comment":{"id":1,` + comment + `}}}`
	}
	tests := []struct {
		name, comment  string
		handle, userID string
		bot            bool
		at             string
	}{
		{"the comment's author and time", `"user":{"login":"ann","id":8,"type":"User"},"created_at":"2021-07-21T05:59:00Z"`, "ann", "8", false, "2021-07-21T05:59:00Z"},
		{"a bot by its login", `"user":{"login":"renovate[bot]","id":9},"created_at":"2021-07-21T05:59:00Z"`, "renovate[bot]", "9", true, "2021-07-21T05:59:00Z"},
		{"a bot by its type", `"user":{"login":"some-app","id":10,"type":"Bot"},"created_at":"2021-07-21T05:59:00Z"`, "some-app", "10", true, "2021-07-21T05:59:00Z"},
		{"an offset time, in UTC", `"user":{"login":"ann","id":8},"created_at":"2021-07-21T07:59:00+02:00"`, "ann", "8", false, "2021-07-21T05:59:00Z"},
		{"no author: the actor", `"user":null,"created_at":"2021-07-21T05:59:00Z"`, "actor-login", "7", false, "2021-07-21T05:59:00Z"},
		{"an author without an id", `"user":{"login":"ann"}`, "ann", "", false, eventTime},
		{"no time: the event's", `"user":{"login":"ann","id":8}`, "ann", "8", false, eventTime},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			recs := readAll(t, NewArchiveReader(strings.NewReader(line(tt.comment)), "x"))
			if len(recs) != 1 {
				t.Fatalf("%d records, want 1", len(recs))
			}
			got, want := recs[0].Member, cadre.MemberRef{Platform: "github", Handle: tt.handle, UserID: tt.userID, Bot: tt.bot}
			if got != want {
				t.Errorf("member %+v, want %+v", got, want)
			}
			if at := recs[0].OccurredAt.Format(time.RFC3339); at != tt.at || recs[0].OccurredAt.Location() != time.UTC {
				t.Errorf("occurred at %s (%s), want %s in UTC", at, recs[0].OccurredAt.Location(), tt.at)
			}
		})
	}
}

func TestArchiveIgnoresWhatMakesNoActivity(t *testing.T) {
	in := strings.Join([]string{
		`{"type":"PushEvent","payload":{"commits":"not read"}}`,
		`{"type":"WatchEvent","payload":{"action":"started"}}`,
		`{"type":"IssuesEvent","payload":{"action":"closed","issue":{"id":"not read either"}}}`,
		`{"type":"PullRequestEvent","payload":{"action":"closed","pull_request":{"id":9,"merged":false}}}`,
		`{"type":"PullRequestEvent","payload":{"action":"opened","pull_request":{"id":9}}}`,
		`{"type":"PushEvent"}`,
	}, "\n")
	r := NewArchiveReader(strings.NewReader(in), "x")
	if rec, err := r.Next(); err != io.EOF {
		t.Fatalf("Next = %+v, %v; want io.EOF", rec, err)
	}
	want := map[string]int{"PushEvent": 2, "WatchEvent": 1, "IssuesEvent": 1, "PullRequestEvent": 2}
	if got := r.Ignored(); !maps.Equal(got, want) {
		t.Errorf("Ignored() = %v, want %v", got, want)
	}
}

func TestArchiveLongLines(t *testing.T) {
	long := `{"type":"PushEvent","payload":{"pad":"` + strings.Repeat("x", MaxLineBytes) + `"}}`
	// Longer than the reader's buffer, yet allowed.
	fits := strings.Replace(goodLine(2), `"issue":`, `"pad":"`+strings.Repeat("y", 200_000)+`","issue":`, 1)
	in := goodLine(1) + "\n" + long + "\n" + fits + "\n" + long // the last without a newline
	r := NewArchiveReader(strings.NewReader(in), "big.json")
	var got []string
	for {
		rec, err := r.Next()
		if err == io.EOF {
			break
		}
		var re *interchange.RecordError
		if errors.As(err, &re) {
			got = append(got, fmt.Sprintf("error at %d: %s", re.Line, re.Reason))
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, rec.ExternalID)
	}
	tooLong := fmt.Sprintf("line longer than %d bytes", MaxLineBytes)
	want := []string{"issue_comment:1", "error at 2: " + tooLong, "issue_comment:2", "error at 4: " + tooLong}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("got %q\nwant %q", got, want)
	}
}

func gzipped(t testing.TB, data []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// openArchive opens a GH Archive file, gunzipping it when it starts like
// gzip, as "cadre import" does.
func openArchive(path string) (*ArchiveReader, io.Closer, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	br := bufio.NewReader(f)
	if magic, _ := br.Peek(2); !bytes.Equal(magic, []byte{0x1f, 0x8b}) {
		return NewArchiveReader(br, path), f, nil
	}
	zr, err := gzip.NewReader(br)
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	return NewArchiveReader(zr, path), f, nil
}

func TestOpenArchive(t *testing.T) {
	data, err := os.ReadFile(realdata.Path(t, "gharchive", sampleFile))
	if err != nil {
		t.Fatal(err)
	}
	exp := expectFromArchive(t, data)
	dir := t.TempDir()
	tests := []struct {
		name    string
		content []byte
	}{
		{"plain.jsonl", data},
		{"2021-07-21-6.json.gz", gzipped(t, data)},
		{"gzip-without-suffix.json", gzipped(t, data)},
		{"empty.json", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(dir, tt.name)
			if err := os.WriteFile(path, tt.content, 0o600); err != nil {
				t.Fatal(err)
			}
			r, closer, err := openArchive(path)
			if err != nil {
				t.Fatal(err)
			}
			recs := readAll(t, r)
			if err := closer.Close(); err != nil {
				t.Errorf("Close: %v", err)
			}
			if tt.content == nil {
				if len(recs) != 0 {
					t.Errorf("%d activities from an empty file", len(recs))
				}
				return
			}
			checkAgainst(t, exp, recs, r.Ignored())
		})
	}
	if _, _, err := openArchive(filepath.Join(dir, "missing.json.gz")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("OpenArchive of a missing file: %v, want not-exist", err)
	}
}

func TestArchiveTruncatedGzip(t *testing.T) {
	data, err := os.ReadFile(realdata.Path(t, "gharchive", sampleFile))
	if err != nil {
		t.Fatal(err)
	}
	gz := gzipped(t, data)
	path := filepath.Join(t.TempDir(), "cut.json.gz")
	if err := os.WriteFile(path, gz[:len(gz)/2], 0o600); err != nil {
		t.Fatal(err)
	}
	r, closer, err := openArchive(path)
	if err != nil {
		t.Fatal(err)
	}
	defer closer.Close()
	good := 0
	for {
		_, err = r.Next()
		if err != nil {
			break
		}
		good++
	}
	var rec interface{ Recoverable() bool }
	switch {
	case err == io.EOF:
		t.Fatal("a truncated stream read to a clean end")
	case errors.As(err, &rec) && rec.Recoverable():
		t.Fatalf("a truncated stream is a recoverable error: %v", err)
	case !errors.Is(err, io.ErrUnexpectedEOF) || !strings.Contains(err.Error(), path):
		t.Errorf("error %q, want an unexpected EOF naming %s", err, path)
	case good == 0:
		t.Error("no activity before the cut")
	}
	if _, again := r.Next(); again != err {
		t.Errorf("after a read error Next returned %v, want the same error", again)
	}
}

func TestGenerateHour(t *testing.T) {
	start := time.Date(2021, 7, 21, 6, 0, 0, 0, time.UTC)
	const events = 5_000
	var a, b, c bytes.Buffer
	for _, tt := range []struct {
		buf  *bytes.Buffer
		seed uint64
	}{{&a, 1}, {&b, 1}, {&c, 2}} {
		if err := GenerateHour(tt.buf, tt.seed, events, start); err != nil {
			t.Fatal(err)
		}
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Error("the same seed made different hours")
	}
	if bytes.Equal(a.Bytes(), c.Bytes()) {
		t.Error("different seeds made the same hour")
	}
	data := a.Bytes()

	// The shape: the type mix of the real sample, its line size, unique ids,
	// bots, and a power law of actors.
	kinds := map[string]int{}
	ids := map[string]bool{}
	actors := map[string]int{}
	bots, lines := 0, 0
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var ev struct {
			ID        string `json:"id"`
			Type      string `json:"type"`
			CreatedAt time.Time
			Actor     struct{ Login string }
		}
		if err := json.Unmarshal(sc.Bytes(), &ev); err != nil {
			t.Fatalf("line %d: %v", lines+1, err)
		}
		lines++
		kinds[ev.Type]++
		if ids[ev.ID] {
			t.Errorf("event id %s repeats", ev.ID)
		}
		ids[ev.ID] = true
		actors[ev.Actor.Login]++
		if strings.HasSuffix(ev.Actor.Login, "[bot]") {
			bots++
		}
	}
	if lines != events {
		t.Fatalf("%d lines, want %d", lines, events)
	}
	for _, m := range eventMix {
		share, want := float64(kinds[m.kind])/events, float64(m.weight)/float64(mixTotal())
		if d := share - want; d > 0.01+want/10 || d < -0.01-want/10 {
			t.Errorf("%s: %.3f of events, want about %.3f", m.kind, share, want)
		}
	}
	if avg := len(data) / events; avg < 3000 || avg > 4500 {
		t.Errorf("lines average %d bytes, want about 3,700 as in the real sample", avg)
	}
	if share := float64(bots) / events; share < 0.02 || share > 0.12 {
		t.Errorf("%.3f of events by bots, want some", share)
	}
	top := 0
	for _, n := range actors {
		top = max(top, n)
	}
	if len(actors) < events/5 || top < 20 {
		t.Errorf("%d actors, the busiest with %d events: not a power law", len(actors), top)
	}

	exp := expectFromArchive(t, data)
	r := NewArchiveReader(bytes.NewReader(data), "generated")
	recs := readAll(t, r)
	checkAgainst(t, exp, recs, r.Ignored())
	for _, typ := range []string{"feedback", "forum", "code"} {
		if exp.types[typ] == 0 {
			t.Errorf("no %s activity generated", typ)
		}
	}
}

func FuzzArchiveReader(f *testing.F) {
	f.Add([]byte(goodLine(1) + "\n" + goodLine(2)))
	f.Add([]byte(`{"type":"PullRequestEvent","payload":{"action":"closed","pull_request":{"id":1,"merged":true,"merged_at":"2021-07-21T06:00:00Z","user":{"login":"x[bot]"}}}}`))
	f.Add([]byte(`{"type":"DiscussionCommentEvent","actor":{"login":"a"},"payload":{"action":"created","comment":{"id":1,"html_url":"u"},"discussion":{"answer_html_url":"u"}},"created_at":"2021-07-21T06:00:00Z"}`))
	f.Add([]byte("{\n[\n\"\n\r\n"))
	f.Add(gzipped(f, []byte(goodLine(3)+"\n")))
	var hour bytes.Buffer
	if err := GenerateHour(&hour, 1, 30, time.Date(2021, 7, 21, 6, 0, 0, 0, time.UTC)); err != nil {
		f.Fatal(err)
	}
	for line := range bytes.Lines(hour.Bytes()) {
		if len(line) < 4<<10 { // larger ones slow minimizing down
			f.Add(line)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		// The syntax check agrees with encoding/json.
		if skipSpace(data, 0) < len(data) {
			reason := decodeObject(data, "data", func(key, value []byte) {})
			ours := reason == "" || strings.HasPrefix(reason, "data: got a JSON")
			if ours != json.Valid(data) {
				t.Fatalf("syntax check says %q of %q; encoding/json says valid %v", reason, data, json.Valid(data))
			}
		}

		var src io.Reader = bytes.NewReader(data)
		// Compressed input exercises the read errors of a broken stream.
		zr, zerr := gzip.NewReader(bytes.NewReader(data))
		if zerr == nil {
			src = zr
		}
		tracked := &lastError{r: src}
		r := NewArchiveReader(tracked, "fuzz")
		for range len(data) + 2 {
			rec, err := r.Next()
			if err == io.EOF {
				return
			}
			var re *interchange.RecordError
			switch {
			case errors.As(err, &re):
				if re.File != "fuzz" || re.Line < 1 || re.Reason == "" {
					t.Fatalf("record error without its place: %+v", re)
				}
				continue
			case err != nil:
				if tracked.err == nil || !errors.Is(err, tracked.err) {
					t.Fatalf("error %v is neither a record error nor a read error", err)
				}
				return
			}
			if !strings.HasPrefix(rec.ExternalID, "issue:") && !strings.Contains(rec.ExternalID, "comment:") &&
				!strings.HasPrefix(rec.ExternalID, "review:") && !strings.HasPrefix(rec.ExternalID, "pull_request:") {
				t.Fatalf("external id %q", rec.ExternalID)
			}
			if rec.Type == "" || rec.OccurredAt.IsZero() || rec.Member.Handle == "" || rec.Member.Platform != "github" || rec.Source != "github" {
				t.Fatalf("incomplete record %+v", rec)
			}
		}
		t.Fatal("Next did not reach the end")
	})
}

// lastError remembers the last error other than io.EOF from its reader.
type lastError struct {
	r   io.Reader
	err error
}

func (l *lastError) Read(p []byte) (int, error) {
	n, err := l.r.Read(p)
	if err != nil && err != io.EOF {
		l.err = err
	}
	return n, err
}

func BenchmarkArchiveReader(b *testing.B) {
	const events = 150_000
	var hour bytes.Buffer
	if err := GenerateHour(&hour, 1, events, time.Date(2021, 7, 21, 6, 0, 0, 0, time.UTC)); err != nil {
		b.Fatal(err)
	}
	data := hour.Bytes()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		r := NewArchiveReader(bytes.NewReader(data), "hour.json")
		for {
			_, err := r.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(events)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
}
