package discourse

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cadrehq/cadre"
	"github.com/cadrehq/cadre/internal/realdata"
)

// forum serves saved responses as a Discourse forum would: the real samples
// at their paths, our recordings for what the samples lack.
type forum struct {
	t        *testing.T
	realdata string // the folder of real samples
	// rateLimited is how many requests get a 429 before any is served.
	rateLimited int
	// broken makes every request a 500, brokenPaging those after the first page.
	broken, brokenPaging bool
	// ignoreBefore serves the first page of /posts.json for every before.
	ignoreBefore bool

	mu       sync.Mutex
	requests []string
	headers  []http.Header
}

func (f *forum) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.requests = append(f.requests, r.URL.RequestURI())
	f.headers = append(f.headers, r.Header.Clone())
	limited := f.rateLimited > 0
	if limited {
		f.rateLimited--
	}
	f.mu.Unlock()

	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	switch {
	case limited:
		w.Header().Set("Retry-After", "7")
		w.WriteHeader(http.StatusTooManyRequests)
		w.Write(f.file(filepath.Join("testdata", "rate_limited.json")))
		return
	case f.broken || f.brokenPaging && r.URL.Query().Has("before"):
		w.WriteHeader(http.StatusInternalServerError)
		w.Write(f.file(filepath.Join("testdata", "server_error.json")))
		return
	}
	real := func(name string) string { return filepath.Join(f.realdata, "discourse", name) }
	var file string
	switch q := r.URL.Query(); r.URL.Path {
	case "/posts.json":
		switch before := q.Get("before"); {
		case before == "" || f.ignoreBefore:
			file = real("discourse_api-posts_latest.json")
		case before == "2":
			file = filepath.Join("testdata", "posts_before_2.json")
		case before == "1":
			file = filepath.Join("testdata", "posts_empty.json")
		}
	case "/t/57.json":
		file = real("discourse_api-topic.json")
	case "/t/4242.json":
		file = filepath.Join("testdata", "topic_solved.json")
	case "/latest.json":
		switch q.Get("page") {
		case "0":
			file = real("discourse_api-latest.json")
		case "1":
			file = real("perceval-discourse_topics.json")
		}
	case "/users/test_user.json":
		file = real("discourse_api-user.json")
	}
	if file == "" {
		http.NotFound(w, r)
		return
	}
	w.Write(f.file(file))
}

func (f *forum) file(name string) []byte {
	data, err := os.ReadFile(name)
	if err != nil {
		f.t.Error(err)
	}
	return data
}

// start serves f and returns a client of it whose sleeps are recorded, not
// waited.
func (f *forum) start(t *testing.T) (*Client, *[]time.Duration) {
	f.t = t
	f.realdata = realdata.Dir(t) // here: a skip must come from the test's goroutine
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	var slept []time.Duration
	return &Client{
		BaseURL:     srv.URL + "/",
		APIKey:      "key-123",
		APIUsername: "system",
		HTTP:        srv.Client(),
		Sleep: func(ctx context.Context, d time.Duration) error {
			slept = append(slept, d)
			return ctx.Err()
		},
	}, &slept
}

func TestSync(t *testing.T) {
	tests := []struct {
		name         string
		cursor       int64
		ignoreBefore bool
		want         []string // external ids, in the order fn sees them
		wantCursor   int64
		wantRequests []string
	}{
		{
			name: "first sync pages to the end", cursor: 0,
			want: []string{"post:15", "post:1"}, wantCursor: 15,
			wantRequests: []string{"/posts.json", "/posts.json?before=2", "/posts.json?before=1"},
		},
		{
			name: "stops at the cursor", cursor: 10,
			want: []string{"post:15"}, wantCursor: 15,
			wantRequests: []string{"/posts.json"},
		},
		{
			name: "cursor inside the second page", cursor: 2,
			want: []string{"post:15"}, wantCursor: 15,
			wantRequests: []string{"/posts.json"},
		},
		{
			name: "nothing new", cursor: 15,
			wantCursor: 15, wantRequests: []string{"/posts.json"},
		},
		{
			name: "cursor never goes back", cursor: 20,
			wantCursor: 20, wantRequests: []string{"/posts.json"},
		},
		{
			name: "server ignoring before", cursor: 0, ignoreBefore: true,
			want: []string{"post:15"}, wantCursor: 15,
			wantRequests: []string{"/posts.json", "/posts.json?before=2"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &forum{ignoreBefore: tt.ignoreBefore}
			c, slept := f.start(t)
			var got []string
			var recs []cadre.ActivityRecord
			cursor, err := c.Sync(context.Background(), tt.cursor, func(rec cadre.ActivityRecord) error {
				got = append(got, rec.ExternalID)
				recs = append(recs, rec)
				return nil
			})
			if err != nil {
				t.Fatalf("Sync: %v", err)
			}
			if !slices.Equal(got, tt.want) || cursor != tt.wantCursor {
				t.Errorf("Sync = %v, cursor %d; want %v, cursor %d", got, cursor, tt.want, tt.wantCursor)
			}
			if !slices.Equal(f.requests, tt.wantRequests) {
				t.Errorf("requests %v, want %v", f.requests, tt.wantRequests)
			}
			if len(*slept) > 0 {
				t.Errorf("slept %v without a rate limit", *slept)
			}
			for _, h := range f.headers {
				if h.Get("Api-Key") != "key-123" || h.Get("Api-Username") != "system" {
					t.Errorf("headers %v, want Api-Key and Api-Username", h)
				}
			}
			for _, rec := range recs {
				if !strings.HasPrefix(rec.URL, c.BaseURL+"t/") || strings.Contains(rec.URL, "//t/") {
					t.Errorf("%s: URL %q not under %s", rec.ExternalID, rec.URL, c.BaseURL)
				}
			}
		})
	}
}

// TestSyncSecondPage checks the record of our recording in full: it is
// the accepted answer, with likes.
func TestSyncSecondPage(t *testing.T) {
	c, _ := (&forum{}).start(t)
	var got []cadre.ActivityRecord
	if _, err := c.Sync(context.Background(), 0, func(rec cadre.ActivityRecord) error {
		got = append(got, rec)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	want := cadre.ActivityRecord{
		Activity: cadre.Activity{
			Type: "forum", OccurredAt: time.Date(2020, 1, 24, 23, 20, 0, 123_000_000, time.UTC),
			Source: "discourse", ExternalID: "post:1", Status: cadre.ActivityApproved,
			URL:     strings.TrimSuffix(c.BaseURL, "/") + "/t/welcome-to-discourse/7/2",
			Title:   "Re: Welcome to Discourse",
			Metrics: map[string]float64{"likes": 3, "solved": 1},
			// /posts.json has no views; the accepted answer tells its topic is solved.
			Thread: cadre.Thread{ID: "7", Solved: true, HasSolved: true},
		},
		Member: cadre.MemberRef{Platform: "discourse", Handle: "alice", UserID: "2", Name: "Alice Example"},
	}
	if len(got) != 2 || !reflect.DeepEqual(got[1], want) {
		t.Errorf("records %+v\nwant second %+v", got, want)
	}
}

func TestSyncErrors(t *testing.T) {
	stop := errors.New("store is down")
	t.Run("fn fails: cursor kept", func(t *testing.T) {
		c, _ := (&forum{}).start(t)
		cursor, err := c.Sync(context.Background(), 3, func(cadre.ActivityRecord) error { return stop })
		if !errors.Is(err, stop) || cursor != 3 {
			t.Errorf("Sync = %d, %v; want 3, %v", cursor, err, stop)
		}
	})
	t.Run("server error: cursor kept", func(t *testing.T) {
		f := &forum{broken: true}
		c, slept := f.start(t)
		cursor, err := c.Sync(context.Background(), 3, func(cadre.ActivityRecord) error { return nil })
		var herr *HTTPError
		if !errors.As(err, &herr) || herr.StatusCode != 500 || cursor != 3 {
			t.Fatalf("Sync = %d, %v; want 3 and a 500", cursor, err)
		}
		for _, want := range []string{"GET /posts.json", "500 Internal Server Error", "PG::ConnectionBad"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error %q does not say %q", err, want)
			}
		}
		if len(f.requests) != 1 || len(*slept) != 0 {
			t.Errorf("a 500 was retried: %v", f.requests)
		}
	})
	t.Run("error on the second page: cursor kept", func(t *testing.T) {
		c, _ := (&forum{brokenPaging: true}).start(t)
		var got int
		cursor, err := c.Sync(context.Background(), 0, func(cadre.ActivityRecord) error { got++; return nil })
		if err == nil || cursor != 0 || got != 1 {
			t.Errorf("Sync = %d, %v after %d records; want 0 and an error after 1", cursor, err, got)
		}
	})
	t.Run("unmappable post stops the sync", func(t *testing.T) {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Write([]byte(`{"latest_posts": [{"id": 9, "post_number": 2, "topic_id": 1, "created_at": "2025-01-01T00:00:00Z"}]}`))
		}))
		defer srv.Close()
		c := &Client{BaseURL: srv.URL}
		cursor, err := c.Sync(context.Background(), 3, func(cadre.ActivityRecord) error { return nil })
		if err == nil || !strings.Contains(err.Error(), "post 9: username: missing") || cursor != 3 {
			t.Errorf("Sync = %d, %v", cursor, err)
		}
		var rejected []error
		c.Reject = func(err error) { rejected = append(rejected, err) }
		cursor, err = c.Sync(context.Background(), 3, func(cadre.ActivityRecord) error { return nil })
		if err != nil || cursor != 9 || len(rejected) != 1 {
			t.Errorf("with Reject: Sync = %d, %v, rejected %v; want 9, nil, one", cursor, err, rejected)
		}
	})
}

func TestRateLimit(t *testing.T) {
	tests := []struct {
		name      string
		limited   int
		wantSlept int
		wantErr   bool
	}{
		{"one 429", 1, 1, false},
		{"three 429s", 3, 3, false},
		{"too many 429s", 10, 3, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &forum{rateLimited: tt.limited}
			c, slept := f.start(t)
			tp, err := c.Topic(context.Background(), 57)
			if len(*slept) != tt.wantSlept {
				t.Errorf("slept %v, want %d waits", *slept, tt.wantSlept)
			}
			for _, d := range *slept {
				if d != 7*time.Second {
					t.Errorf("slept %v, want Retry-After's 7s", d)
				}
			}
			if tt.wantErr {
				var herr *HTTPError
				if !errors.As(err, &herr) || herr.StatusCode != 429 || !strings.Contains(err.Error(), "gave up after 3 retries") {
					t.Errorf("Topic = %v, want a 429 given up on", err)
				}
				return
			}
			if err != nil || tp.ID != 57 {
				t.Errorf("Topic = %+v, %v", tp, err)
			}
		})
	}
}

func TestRetryAfter(t *testing.T) {
	tests := []struct {
		header string
		want   time.Duration
	}{
		{"7", 7 * time.Second},
		{" 0 ", 0},
		{"-3", 0},
		{"", defaultRetryWait},
		{"Wed, 21 Oct 2015 07:28:00 GMT", defaultRetryWait},
		{"99999999999999999", 1e9 * time.Second},
	}
	for _, tt := range tests {
		if got := retryAfter(tt.header); got != tt.want {
			t.Errorf("retryAfter(%q) = %v, want %v", tt.header, got, tt.want)
		}
	}
}

func TestRateLimitTooLong(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "86400")
		w.WriteHeader(http.StatusTooManyRequests)
	}))
	defer srv.Close()
	slept := 0
	c := &Client{BaseURL: srv.URL, Sleep: func(context.Context, time.Duration) error { slept++; return nil }}
	_, err := c.LatestPosts(context.Background(), 0)
	if err == nil || !strings.Contains(err.Error(), "rate limited for 24h0m0s") || slept != 0 {
		t.Errorf("LatestPosts = %v after %d sleeps", err, slept)
	}
}

func TestContextCancelled(t *testing.T) {
	t.Run("while waiting out a rate limit", func(t *testing.T) {
		f := &forum{rateLimited: 1}
		c, _ := f.start(t)
		ctx, cancel := context.WithCancel(context.Background())
		c.Sleep = nil // the real timer, which must give way to ctx
		time.AfterFunc(10*time.Millisecond, cancel)
		start := time.Now()
		_, err := c.Latest(ctx, 0)
		if !errors.Is(err, context.Canceled) || time.Since(start) > 5*time.Second {
			t.Errorf("Latest = %v after %v, want context.Canceled at once", err, time.Since(start))
		}
	})
	t.Run("before the request", func(t *testing.T) {
		f := &forum{}
		c, _ := f.start(t)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if _, err := c.Sync(ctx, 0, func(cadre.ActivityRecord) error { return nil }); !errors.Is(err, context.Canceled) {
			t.Errorf("Sync = %v, want context.Canceled", err)
		}
		if len(f.requests) != 0 {
			t.Errorf("requests %v after cancel", f.requests)
		}
	})
}

func TestClientTopics(t *testing.T) {
	f := &forum{}
	c, _ := f.start(t)
	c.APIKey, c.APIUsername = "", ""
	ctx := context.Background()

	tp, err := c.Topic(ctx, 4242)
	if err != nil {
		t.Fatal(err)
	}
	if !tp.Solved || !reflect.DeepEqual(tp.Answers, []Answer{{PostID: 9004, PostNumber: 4}}) || tp.Views != 512 {
		t.Errorf("Topic(4242) = %+v", tp)
	}
	tp, err = c.Topic(ctx, 57)
	if err != nil {
		t.Fatal(err)
	}
	wantURL := strings.TrimSuffix(c.BaseURL, "/") + "/t/this-site-is-a-sandbox-it-is-reset-every-day/57"
	if tp.Views != 268 || tp.PostsCount != 4 || tp.ReplyCount != 9 || tp.Solved || tp.URL != wantURL ||
		tp.Author != (cadre.MemberRef{Platform: "discourse", Handle: "samsaffron", UserID: "15", Name: "Sam Saffron"}) {
		t.Errorf("Topic(57) = %+v", tp)
	}

	for page, want := range [][]int64{{1, 1, 1}, {1148, 1149}} {
		topics, err := c.Latest(ctx, page)
		if err != nil {
			t.Fatal(err)
		}
		var ids []int64
		for _, tp := range topics {
			ids = append(ids, tp.ID)
		}
		if !slices.Equal(ids, want) {
			t.Errorf("Latest(%d) = %v, want %v", page, ids, want)
		}
	}

	u, err := c.User(ctx, "test_user")
	if err != nil {
		t.Fatal(err)
	}
	wantUser := User{ID: 1, Username: "test_user", Name: "Test User", Email: "test_user@example.com",
		CreatedAt: time.Date(2014, 9, 4, 8, 4, 25, 104_000_000, time.FixedZone("", -4*3600))}
	if !u.CreatedAt.Equal(wantUser.CreatedAt) {
		t.Errorf("User created %v, want %v", u.CreatedAt, wantUser.CreatedAt)
	}
	u.CreatedAt = wantUser.CreatedAt
	if u != wantUser {
		t.Errorf("User = %+v, want %+v", u, wantUser)
	}

	_, err = c.Topic(ctx, 404)
	var herr *HTTPError
	if !errors.As(err, &herr) || herr.StatusCode != 404 || herr.Path != "/t/404.json" {
		t.Errorf("Topic(404) = %v, want a 404", err)
	}
	for _, h := range f.headers {
		if _, ok := h["Api-Key"]; ok {
			t.Errorf("Api-Key sent without a key: %v", h)
		}
		if _, ok := h["Api-Username"]; ok {
			t.Errorf("Api-Username sent without a username: %v", h)
		}
	}
}

func TestClientBadResponses(t *testing.T) {
	tests := []struct {
		name string
		body string
		call func(*Client) error
		want string
	}{
		{"not JSON", "<html>login</html>", func(c *Client) error { _, err := c.LatestPosts(context.Background(), 0); return err },
			"discourse: GET /posts.json: decode response: invalid character '<'"},
		{"topic without id", `{"title": "x", "post_stream": {"posts": []}}`, func(c *Client) error { _, err := c.Topic(context.Background(), 3); return err },
			"discourse: GET /t/3.json: id: missing"},
		{"bad topic in list", `{"topic_list": {"topics": [{"id": 1}, {"id": 0}]}}`, func(c *Client) error { _, err := c.Latest(context.Background(), 2); return err },
			"discourse: GET /latest.json?page=2: topic_list.topics[1]: id: missing"},
		{"no user", `{"user_badges": []}`, func(c *Client) error { _, err := c.User(context.Background(), "a b/c"); return err },
			"discourse: GET /users/a%20b%2Fc.json: no user in the response"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(tt.body)) }))
			defer srv.Close()
			err := tt.call(&Client{BaseURL: srv.URL})
			if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("error %v, want %q", err, tt.want)
			}
		})
	}
}
