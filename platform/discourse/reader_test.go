package discourse

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cadrehq/cadre"
	"github.com/cadrehq/cadre/interchange"
	"github.com/cadrehq/cadre/internal/realdata"
)

const testBase = "https://forum.example.org"

// result is everything a Reader yields.
type result struct {
	recs   []cadre.ActivityRecord
	bad    []*interchange.RecordError
	topics []Topic
}

// readAll reads r to the end, failing the test on a fatal error.
func readAll(t *testing.T, r *Reader) result {
	t.Helper()
	var res result
	for {
		rec, err := r.Next()
		if err == io.EOF {
			break
		}
		if re, ok := errors.AsType[*interchange.RecordError](err); ok {
			res.bad = append(res.bad, re)
			continue
		}
		if err != nil {
			t.Fatalf("Next: %v", err)
		}
		res.recs = append(res.recs, rec)
	}
	if _, err := r.Next(); err != io.EOF {
		t.Errorf("Next after the end = %v, want io.EOF", err)
	}
	res.topics = r.Topics()
	return res
}

// expected is what a saved response should yield, worked out from its raw
// JSON without the package's decoding: the replies, keyed by external id, and
// the number of topics with outcomes.
type expected struct {
	replies map[string]map[string]any
	order   []string
	topics  int
}

func expectFrom(t *testing.T, data []byte) expected {
	t.Helper()
	var top map[string]any
	if err := json.Unmarshal(data, &top); err != nil {
		t.Fatal(err)
	}
	exp := expected{replies: map[string]map[string]any{}}
	var posts []any
	if ps, ok := top["post_stream"].(map[string]any); ok {
		posts = ps["posts"].([]any)
		if _, ok := top["title"]; ok {
			exp.topics = 1
		}
	}
	if lp, ok := top["latest_posts"].([]any); ok {
		posts = lp
	}
	if tl, ok := top["topic_list"].(map[string]any); ok {
		exp.topics = len(tl["topics"].([]any))
	}
	for _, p := range posts {
		m := p.(map[string]any)
		number := m["post_number"].(float64)
		postType, typed := m["post_type"].(float64)
		if number <= 1 || typed && postType != 1 || m["deleted_at"] != nil ||
			m["user_deleted"] == true || m["topic_archetype"] == "private_message" {
			continue
		}
		id := "post:" + strconv.FormatFloat(m["id"].(float64), 'f', -1, 64)
		exp.replies[id] = m
		exp.order = append(exp.order, id)
	}
	return exp
}

// samples are the saved responses every reader test runs over: the real
// ones, and ours in the same shape for what they lack (accepted answers,
// notices, whispers, deleted posts, bots).
func samples(t *testing.T) []string {
	files := []string{filepath.Join("testdata", "topic_solved.json"), filepath.Join("testdata", "posts_before_2.json")}
	for _, name := range []string{
		"discourse_api-latest.json",
		"discourse_api-posts_latest.json",
		"discourse_api-topic.json",
		"discourse_api-user.json",
		"perceval-discourse_topic_1148.json",
		"perceval-discourse_topics.json",
	} {
		files = append(files, realdata.Path(t, "discourse", name))
	}
	return files
}

func TestReaderCounts(t *testing.T) {
	for _, file := range samples(t) {
		t.Run(filepath.Base(file), func(t *testing.T) {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			exp := expectFrom(t, data)
			r, err := Open(file, testBase)
			if err != nil {
				t.Fatal(err)
			}
			got := readAll(t, r)
			t.Logf("%d records, %d topics", len(got.recs), len(got.topics))
			if len(got.bad) > 0 {
				t.Errorf("bad records: %v", got.bad)
			}
			if len(got.topics) != exp.topics {
				t.Errorf("%d topics, want %d", len(got.topics), exp.topics)
			}
			var ids []string
			for _, rec := range got.recs {
				ids = append(ids, rec.ExternalID)
				raw := exp.replies[rec.ExternalID]
				if raw == nil {
					continue
				}
				at, err := time.Parse(time.RFC3339, raw["created_at"].(string))
				if err != nil {
					t.Fatal(err)
				}
				if rec.Member.Handle != raw["username"] || !rec.OccurredAt.Equal(at) ||
					rec.Member.UserID != strconv.FormatFloat(raw["user_id"].(float64), 'f', -1, 64) ||
					rec.Type != "forum" || rec.Source != "discourse" || rec.Status != cadre.ActivityApproved {
					t.Errorf("%s = %+v, does not match its post %v", rec.ExternalID, rec, raw)
				}
			}
			if !slices.Equal(ids, exp.order) {
				t.Errorf("records %v, want %v", ids, exp.order)
			}
		})
	}
}

func TestReaderDirectory(t *testing.T) {
	dir := realdata.Dir(t)
	var want []string
	var wantTopics int
	names, err := filepath.Glob(filepath.Join(dir, "discourse", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(names)
	for _, name := range names {
		data, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		exp := expectFrom(t, data)
		want = append(want, exp.order...)
		wantTopics += exp.topics
	}
	r, err := Open(filepath.Join(dir, "discourse"), testBase)
	if err != nil {
		t.Fatal(err)
	}
	got := readAll(t, r)
	var ids []string
	for _, rec := range got.recs {
		ids = append(ids, rec.ExternalID)
	}
	if !slices.Equal(ids, want) || len(got.topics) != wantTopics || len(got.bad) > 0 {
		t.Errorf("directory: records %v, %d topics, bad %v\nwant %v, %d topics", ids, len(got.topics), got.bad, want, wantTopics)
	}
	t.Logf("%d records, %d topics from %d files", len(ids), len(got.topics), len(names))
}

// TestReaderSpotCheck checks one post of the real topic in full: the fourth
// of the 20 in its stream, the only reply with a like.
func TestReaderSpotCheck(t *testing.T) {
	r, err := Open(realdata.Path(t, "discourse", "perceval-discourse_topic_1148.json"), testBase)
	if err != nil {
		t.Fatal(err)
	}
	got := readAll(t, r)
	want := cadre.ActivityRecord{
		Activity: cadre.Activity{
			Type:       "forum",
			OccurredAt: time.Date(2016, 2, 1, 14, 56, 10, 464_000_000, time.UTC),
			Source:     "discourse",
			ExternalID: "post:19162",
			Status:     cadre.ActivityApproved,
			URL:        "https://forum.example.org/t/support-ublock-origin/1148/4",
			Title:      "Re: [Support] uBlock Origin",
			Metrics:    map[string]float64{"likes": 1},
			// The topic as the response saw it: read 13,372 times, and
			// without the solved plugin.
			Thread: cadre.Thread{ID: "1148", Views: 13372, HasViews: true, HasSolved: true},
		},
		Member: cadre.MemberRef{Platform: "discourse", Handle: "gorhill", UserID: "2544", Name: "Raymond Hill"},
	}
	if len(got.recs) != 19 {
		t.Fatalf("%d records, want 19 (posts 2 to 20)", len(got.recs))
	}
	if !reflect.DeepEqual(got.recs[2], want) {
		t.Errorf("record 3 = %+v\nwant %+v", got.recs[2], want)
	}
	// A reply without a name or likes.
	if rec := got.recs[1]; rec.Member.Name != "" || rec.Member.Handle != "noisycitytoonoisy" || rec.Metrics["likes"] != 0 {
		t.Errorf("record 2 = %+v", rec)
	}
	wantTopic := Topic{
		ID:         1148,
		Title:      "[Support] uBlock Origin",
		Slug:       "support-ublock-origin",
		URL:        "https://forum.example.org/t/support-ublock-origin/1148",
		Views:      13372,
		PostsCount: 22,
		ReplyCount: 70,
		CreatedAt:  time.Date(2016, 1, 26, 20, 7, 49, 62_000_000, time.UTC),
		Author:     cadre.MemberRef{Platform: "discourse", Handle: "gorhill", UserID: "2544", Name: "Raymond Hill"},
	}
	if len(got.topics) != 1 || !reflect.DeepEqual(got.topics[0], wantTopic) {
		t.Errorf("topics = %+v\nwant %+v", got.topics, wantTopic)
	}
}

func TestReaderTopics(t *testing.T) {
	tests := []struct {
		file string
		want []Topic
	}{
		{filepath.Join("testdata", "topic_solved.json"), []Topic{{
			ID: 4242, Title: "TLS setup fails behind a proxy", Slug: "tls-setup-fails-behind-a-proxy",
			URL:   testBase + "/t/tls-setup-fails-behind-a-proxy/4242",
			Views: 512, PostsCount: 7, ReplyCount: 3,
			CreatedAt: time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC),
			Author:    cadre.MemberRef{Platform: "discourse", Handle: "alice", UserID: "2", Name: "Alice Example"},
			Solved:    true,
			Answers:   []Answer{{PostID: 9004, PostNumber: 4}},
		}}},
		{realdata.Path(t, "discourse", "perceval-discourse_topics.json"), []Topic{
			{ID: 1148, Title: "IBM PowerVM support?", Slug: "ibm-powervm-support",
				URL: testBase + "/t/ibm-powervm-support/1148", Views: 40, PostsCount: 4, ReplyCount: 1,
				CreatedAt: time.Date(2016, 5, 23, 17, 3, 59, 379_000_000, time.UTC),
				Author:    cadre.MemberRef{Platform: "discourse", UserID: "533"}},
			{ID: 1149, Title: "Specify per-item service catalogue approval type", Slug: "specify-per-item-service-catalogue-approval-type",
				URL: testBase + "/t/specify-per-item-service-catalogue-approval-type/1149", Views: 30, PostsCount: 4, ReplyCount: 1,
				CreatedAt: time.Date(2016, 5, 24, 10, 0, 45, 506_000_000, time.UTC),
				Author:    cadre.MemberRef{Platform: "discourse", UserID: "644"}},
		}},
	}
	for _, tt := range tests {
		t.Run(filepath.Base(tt.file), func(t *testing.T) {
			r, err := Open(tt.file, testBase)
			if err != nil {
				t.Fatal(err)
			}
			if got := readAll(t, r).topics; !reflect.DeepEqual(got, tt.want) {
				t.Errorf("topics = %+v\nwant %+v", got, tt.want)
			}
		})
	}
	// A topic list names the original poster among others, by id.
	doc := `{"users": [{"id": 5, "username": "recent"}, {"id": 6, "username": "op", "name": "O. P."}],
  "topic_list": {"topics": [{"id": 3, "posters": [
    {"user_id": 5, "description": "Most Recent Poster"},
    {"user_id": 6, "description": "Original Poster, Frequent Poster"}]}]}}`
	got := readAll(t, NewReader(strings.NewReader(doc), "latest.json", ""))
	wantAuthor := cadre.MemberRef{Platform: "discourse", Handle: "op", UserID: "6", Name: "O. P."}
	if len(got.topics) != 1 || got.topics[0].Author != wantAuthor {
		t.Errorf("topics %+v, want author %+v", got.topics, wantAuthor)
	}
	// The sanitized sample names its one poster in users.
	r, err := Open(realdata.Path(t, "discourse", "discourse_api-latest.json"), "")
	if err != nil {
		t.Fatal(err)
	}
	for _, tp := range readAll(t, r).topics {
		if tp.Author.Handle != "test_users" || tp.Author.UserID != "1" || tp.URL != "" {
			t.Errorf("topic %d: author %+v, URL %q", tp.ID, tp.Author, tp.URL)
		}
	}
}

func TestReaderSolved(t *testing.T) {
	r, err := Open(filepath.Join("testdata", "topic_solved.json"), testBase)
	if err != nil {
		t.Fatal(err)
	}
	got := readAll(t, r)
	want := map[string]struct {
		metrics map[string]float64
		bot     bool
	}{
		"post:9002": {map[string]float64{"likes": 2}, false},
		"post:9004": {map[string]float64{"likes": 5, "solved": 1}, false},
		"post:9007": {map[string]float64{"likes": 0}, true},
	}
	if len(got.recs) != len(want) {
		t.Fatalf("%d records, want %d", len(got.recs), len(want))
	}
	// Every reply names the topic as it came: read 512 times, solved.
	thread := cadre.Thread{ID: "4242", Views: 512, HasViews: true, Solved: true, HasSolved: true}
	for _, rec := range got.recs {
		w := want[rec.ExternalID]
		if !reflect.DeepEqual(rec.Metrics, w.metrics) || rec.Member.Bot != w.bot || rec.Thread != thread {
			t.Errorf("%s: metrics %v, bot %v, thread %+v; want %v, %v, %+v", rec.ExternalID, rec.Metrics, rec.Member.Bot, rec.Thread, w.metrics, w.bot, thread)
		}
	}
	// An offset in the post's own time zone becomes UTC.
	if at := got.recs[1].OccurredAt; !at.Equal(time.Date(2025, 3, 1, 10, 15, 42, 500_000_000, time.UTC)) || at.Location() != time.UTC {
		t.Errorf("occurred_at = %v", at)
	}
}

func TestReaderBadRecords(t *testing.T) {
	topic := `{
  "id": 5, "title": "T", "slug": "t", "views": 3,
  "post_stream": {"posts": [
    {"id": 50, "post_number": 1, "username": "op", "created_at": "2025-01-01T00:00:00Z", "topic_id": 5},
    {"id": 51, "post_number": 2, "created_at": "2025-01-01T00:00:00Z", "topic_id": 5},
    {"id": "52", "post_number": 3},
    7,
    {"id": 54, "post_number": 4, "username": "b", "created_at": "2025-01-01T00:00:00Z", "topic_id": 5}
  ]}
}`
	latest := `{"topic_list": {"topics": [
  {"title": "no id"},
  {"id": 9, "created_at": "yesterday"},
  {"id": 10, "title": "fine"}
]}}`
	tests := []struct {
		name   string
		doc    string
		recs   []string
		bad    []string // reasons
		lines  []int
		topics int
	}{
		{
			name: "posts", doc: topic, recs: []string{"post:54"},
			bad: []string{
				fmt.Sprintf("post_stream.posts[1] (id 51, byte %d): username: missing", strings.Index(topic, `{"id": 51`)),
				fmt.Sprintf("post_stream.posts[2] (byte %d): json: cannot unmarshal", strings.Index(topic, `{"id": "52"`)),
				fmt.Sprintf("post_stream.posts[3] (byte %d): json: cannot unmarshal number", strings.Index(topic, "7,")),
			},
			lines:  []int{5, 6, 7},
			topics: 1,
		},
		{
			name: "topic", doc: strings.Replace(topic, `"id": 5,`, `"id": "five",`, 1), recs: []string{"post:54"},
			bad: []string{
				"topic (byte 0): json: cannot unmarshal string",
				"post_stream.posts[1] (id 51,",
				"post_stream.posts[2] (byte",
				"post_stream.posts[3] (byte",
			},
			lines: []int{1, 5, 6, 7},
		},
		{
			name: "topic list", doc: latest,
			bad: []string{
				fmt.Sprintf("topic_list.topics[0] (byte %d): id: missing", strings.Index(latest, `{"title": "no id"`)),
				fmt.Sprintf(`topic_list.topics[1] (byte %d): created_at: "yesterday" is not an RFC 3339 time`, strings.Index(latest, `{"id": 9`)),
			},
			lines:  []int{2, 3},
			topics: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := readAll(t, NewReader(strings.NewReader(tt.doc), "saved.json", ""))
			var ids []string
			for _, rec := range got.recs {
				ids = append(ids, rec.ExternalID)
			}
			if !slices.Equal(ids, tt.recs) || len(got.topics) != tt.topics {
				t.Errorf("records %v, %d topics; want %v, %d", ids, len(got.topics), tt.recs, tt.topics)
			}
			if len(got.bad) != len(tt.bad) {
				t.Fatalf("bad records %v, want %d", got.bad, len(tt.bad))
			}
			for i, re := range got.bad {
				if re.File != "saved.json" || re.Line != tt.lines[i] || !strings.HasPrefix(re.Reason, tt.bad[i]) {
					t.Errorf("bad record %d = %q (file %q, line %d), want %q at line %d", i, re.Reason, re.File, re.Line, tt.bad[i], tt.lines[i])
				}
			}
		})
	}
}

func TestReaderFatal(t *testing.T) {
	tests := []struct {
		name string
		doc  string
		want string
	}{
		{"text", "hello", "saved.json: not Discourse JSON: want a JSON object"},
		{"empty", "", "saved.json: not Discourse JSON: want a JSON object"},
		{"array", `[{"id": 1}]`, "saved.json: not Discourse JSON: want a JSON object"},
		{"truncated", `{"latest_posts": [`, "saved.json: not Discourse JSON: unexpected end of JSON input"},
		{"trailing garbage", `{"latest_posts": []} x`, "saved.json: not Discourse JSON: invalid character"},
		{"other JSON", `{"name": "x"}`, "saved.json: not a saved Discourse API response"},
		{"posts not an array", `{"latest_posts": 5}`, "saved.json: latest_posts: not an array"},
		{"post stream not an object", `{"post_stream": []}`, "saved.json: post_stream: not an object"},
		{"no posts in the stream", `{"post_stream": {"stream": [1]}}`, "saved.json: post_stream.posts: missing"},
		{"no topics in the list", `{"topic_list": {}}`, "saved.json: topic_list.topics: missing"},
		{"bad users", `{"users": 3, "topic_list": {"topics": []}}`, "saved.json: users: json: cannot unmarshal"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := NewReader(strings.NewReader(tt.doc), "saved.json", "")
			_, err := r.Next()
			if err == nil || err == io.EOF || !strings.HasPrefix(err.Error(), tt.want) {
				t.Fatalf("Next = %v, want %q", err, tt.want)
			}
			if _, ok := errors.AsType[*interchange.RecordError](err); ok {
				t.Errorf("a fatal error is a RecordError")
			}
			if _, again := r.Next(); again != err {
				t.Errorf("Next after a fatal error = %v, want it again", again)
			}
		})
	}
}

func TestReaderEmptyResponses(t *testing.T) {
	for _, doc := range []string{
		`{"latest_posts": []}`,
		`{"latest_posts": null}`,
		`{"post_stream": {"posts": []}}`,
		`{"topic_list": {"topics": null}}`,
		`{"user_badges": [], "user": {"id": 1}}`,
	} {
		got := readAll(t, NewReader(strings.NewReader(doc), "saved.json", ""))
		if len(got.recs)+len(got.bad)+len(got.topics) != 0 {
			t.Errorf("%s: %+v, want nothing", doc, got)
		}
	}
}

func TestOpenDirectory(t *testing.T) {
	dir := t.TempDir()
	write := func(name, doc string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, name), []byte(doc), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := Open(dir, ""); err == nil || !strings.Contains(err.Error(), "no .json files") {
		t.Errorf("Open(empty dir) = %v", err)
	}
	if _, err := Open(filepath.Join(dir, "missing.json"), ""); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Open(missing) = %v", err)
	}
	post := `{"id": %d, "post_number": 2, "username": "u", "created_at": "2025-01-01T00:00:00Z", "topic_id": 1}`
	write("b.json", fmt.Sprintf(`{"latest_posts": [`+post+`]}`, 2))
	write("a.JSON", fmt.Sprintf(`{"latest_posts": [`+post+`]}`, 1))
	write("notes.txt", "not read")
	if err := os.Mkdir(filepath.Join(dir, "sub.json"), 0o700); err != nil {
		t.Fatal(err)
	}
	write("c.json", `{"name": "not discourse"}`)
	write("d.json", fmt.Sprintf(`{"latest_posts": [`+post+`]}`, 4))
	write("e.json", `{"latest_posts": [`) // truncated
	write("f.json", fmt.Sprintf(`{"latest_posts": [`+post+`]}`, 6))

	r, err := Open(dir, "")
	if err != nil {
		t.Fatal(err)
	}
	// A bad file is named and skipped: the files after it are still read.
	var ids, bad []string
	for {
		rec, err := r.Next()
		if err == io.EOF {
			break
		}
		if fe, ok := errors.AsType[*interchange.FileError](err); ok {
			if !strings.HasPrefix(err.Error(), fe.File+": ") {
				t.Errorf("error %q does not start with the file", err)
			}
			bad = append(bad, filepath.Base(fe.File)+": "+strings.TrimPrefix(err.Error(), fe.File+": "))
			continue
		}
		if err != nil {
			t.Fatalf("Next = %v", err)
		}
		ids = append(ids, rec.ExternalID)
	}
	if !slices.Equal(ids, []string{"post:1", "post:2", "post:4", "post:6"}) {
		t.Errorf("records %v, want post:1, 2, 4 and 6 in file name order", ids)
	}
	want := []string{"c.json: not a saved Discourse API response: ", "e.json: not Discourse JSON: unexpected end of JSON input"}
	if len(bad) != len(want) || !strings.HasPrefix(bad[0], want[0]) || !strings.HasPrefix(bad[1], want[1]) ||
		!strings.HasSuffix(bad[1], "(skipped the rest of the file)") {
		t.Errorf("bad files %q, want %q", bad, want)
	}
}
