package connector_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cadrehq/cadre"
	"github.com/cadrehq/cadre/connector"
	"github.com/cadrehq/cadre/internal/realdata"
	"github.com/cadrehq/cadre/store"
	"github.com/cadrehq/cadre/store/storetest"
)

// forum serves /posts.json as a Discourse forum would, from the real sample
// and the discourse package's recordings: posts 15, 14, 10 and 2, then post 1
// before 2, then nothing.
type forum struct {
	t *testing.T
	// status, when set, answers every request with it and a Discourse error.
	status int
	// unmappable serves one post that names no author on the first page.
	unmappable bool
	// during, when set, runs inside each request before it is answered.
	during func()

	latest string // the real /posts.json sample

	mu       sync.Mutex
	requests []string
}

func (f *forum) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.requests = append(f.requests, r.URL.RequestURI())
	f.mu.Unlock()
	if f.during != nil {
		f.during()
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	if f.status != 0 {
		w.WriteHeader(f.status)
		w.Write(readFile(f.t, filepath.Join("..", "platform", "discourse", "testdata", "server_error.json")))
		return
	}
	if r.URL.Path != "/posts.json" {
		http.NotFound(w, r)
		return
	}
	switch before := r.URL.Query().Get("before"); {
	case before == "" && f.unmappable:
		w.Write([]byte(`{"latest_posts": [{"id": 30, "post_number": 2, "topic_id": 1, "created_at": "2025-01-01T00:00:00Z"}]}`))
	case before == "":
		w.Write(readFile(f.t, f.latest))
	case before == "2":
		w.Write(readFile(f.t, filepath.Join("..", "platform", "discourse", "testdata", "posts_before_2.json")))
	default:
		w.Write(readFile(f.t, filepath.Join("..", "platform", "discourse", "testdata", "posts_empty.json")))
	}
}

func (f *forum) seen() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.requests)
}

func (f *forum) start(t *testing.T) string {
	f.t = t
	f.latest = realdata.Path(t, "discourse", "discourse_api-posts_latest.json") // here: a skip must come from the test's goroutine
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return srv.URL
}

func readFile(t *testing.T, name string) []byte {
	data, err := os.ReadFile(name)
	if err != nil {
		t.Error(err)
	}
	return data
}

// addSource stores a source and, when cursor is set, a first sync that
// stopped there.
func addSource(t *testing.T, s *store.Store, name, kind, cursor string, config map[string]string) {
	t.Helper()
	ctx := context.Background()
	if err := s.SaveSource(ctx, &cadre.Source{Name: name, Kind: kind, Config: config}); err != nil {
		t.Fatal(err)
	}
	if cursor == "" {
		return
	}
	if _, err := s.AcquireSource(ctx, name, "setup", time.Minute); err != nil {
		t.Fatal(err)
	}
	if err := s.FinishSync(ctx, name, "setup", cursor, cadre.ImportResult{}, nil); err != nil {
		t.Fatal(err)
	}
}

// stored returns the external ids of the activities from source, sorted.
func stored(t *testing.T, s *store.Store, source string) []string {
	t.Helper()
	acts, _, err := s.Activities(context.Background(), cadre.ActivityFilter{Source: source, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	ids := make([]string, len(acts))
	for i, a := range acts {
		ids[i] = a.ExternalID
	}
	slices.Sort(ids)
	return ids
}

func TestRun(t *testing.T) {
	const owner = "test-instance"
	tests := []struct {
		name   string
		kind   string
		config map[string]string // "url" is the forum's unless set
		cursor string            // where an earlier sync stopped
		heldBy string            // another instance holding the lease
		// status and unmappable set up the forum; see forum.
		status     int
		unmappable bool

		want          cadre.ImportResult
		wantCode      string // of Run's error
		wantErr       string // in Run's error
		wantIDs       []string
		wantCursor    string
		wantLastError string // in the stored last error
		wantRequests  []string
	}{
		{
			name: "first sync pages to the start", kind: "discourse",
			want: cadre.ImportResult{Inserted: 2}, wantIDs: []string{"post:1", "post:15"}, wantCursor: "15",
			wantRequests: []string{"/posts.json", "/posts.json?before=2", "/posts.json?before=1"},
		},
		{
			name: "resumes from the stored cursor", kind: "discourse", cursor: "10",
			want: cadre.ImportResult{Inserted: 1}, wantIDs: []string{"post:15"}, wantCursor: "15",
			wantRequests: []string{"/posts.json"},
		},
		{
			name: "nothing new", kind: "discourse", cursor: "15",
			wantCursor: "15", wantRequests: []string{"/posts.json"},
		},
		{
			name: "server error keeps the cursor", kind: "discourse", cursor: "10", status: 500,
			wantCode: cadre.EINTERNAL, wantErr: "500 Internal Server Error",
			wantCursor: "10", wantLastError: "PG::ConnectionBad", wantRequests: []string{"/posts.json"},
		},
		{
			name: "unmappable post is rejected, the rest imported", kind: "discourse", unmappable: true,
			want: cadre.ImportResult{Rejected: 1}, wantCursor: "30",
			wantRequests: []string{"/posts.json", "/posts.json?before=30"},
		},
		{
			name: "held lease", kind: "discourse", heldBy: "other-instance",
			wantCode: cadre.ECONFLICT, wantErr: "being synced by other-instance",
		},
		{
			name: "unknown kind", kind: "jira",
			wantCode: cadre.EINVALID, wantErr: `unknown kind "jira"; supported kinds: discourse, github, rss, stackexchange`, wantLastError: "supported kinds",
		},
		{
			name: "missing url", kind: "rss", config: map[string]string{"url": " "},
			wantCode: cadre.EINVALID, wantErr: `config "url" is required`, wantLastError: `"url"`,
		},
		{
			name: "url not http", kind: "discourse", config: map[string]string{"url": "forum.example"},
			wantCode: cadre.EINVALID, wantErr: `config "url" must be an http:// or https:// URL`,
		},
		{
			name: "bad member", kind: "rss", config: map[string]string{"url": "https://blog.example/feed", "member": "ada"},
			wantCode: cadre.EINVALID, wantErr: `config "member": a member is platform:handle or an email, got "ada"`,
		},
		{
			name: "misspelt config key", kind: "discourse", config: map[string]string{"url": "https://forum.example", "apikey": "k"},
			wantCode: cadre.EINVALID, wantErr: `unknown config "apikey"; discourse sources take url, api_key, api_username`,
		},
		{
			name: "unreadable cursor", kind: "discourse", cursor: "post:12",
			wantCode: cadre.EINVALID, wantErr: `cursor "post:12" is not a post id`, wantCursor: "post:12",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			storetest.Each(t, func(t *testing.T, s *store.Store) {
				ctx := context.Background()
				f := &forum{status: tt.status, unmappable: tt.unmappable}
				config := map[string]string{"url": f.start(t)}
				if tt.config != nil {
					config = tt.config
				}
				addSource(t, s, "src", tt.kind, tt.cursor, config)
				if tt.heldBy != "" {
					if _, err := s.AcquireSource(ctx, "src", tt.heldBy, time.Minute); err != nil {
						t.Fatal(err)
					}
				}
				got, err := connector.Run(ctx, s, s.NewImporter(), "src", owner, time.Minute, nil)
				if cadre.ErrorCode(err) != tt.wantCode || tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
					t.Errorf("Run error %v, want code %q and %q", err, tt.wantCode, tt.wantErr)
				}
				if got != tt.want {
					t.Errorf("Run = %+v, want %+v", got, tt.want)
				}
				if ids := stored(t, s, "discourse"); !slices.Equal(ids, tt.wantIDs) {
					t.Errorf("stored %v, want %v", ids, tt.wantIDs)
				}
				if reqs := f.seen(); !slices.Equal(reqs, tt.wantRequests) {
					t.Errorf("requests %v, want %v", reqs, tt.wantRequests)
				}
				src, err := s.GetSource(ctx, "src")
				if err != nil {
					t.Fatal(err)
				}
				if src.Cursor != tt.wantCursor {
					t.Errorf("cursor %q, want %q", src.Cursor, tt.wantCursor)
				}
				if tt.heldBy != "" {
					if src.LeaseOwner != tt.heldBy || !src.LastSyncAt.IsZero() {
						t.Errorf("a refused sync touched the source: %+v", src)
					}
					return
				}
				if src.LeaseOwner != "" || src.LastSyncAt.IsZero() {
					t.Errorf("lease not released or sync not recorded: %+v", src)
				}
				if tt.wantLastError == "" && tt.wantCode == "" && src.LastError != "" || !strings.Contains(src.LastError, tt.wantLastError) {
					t.Errorf("last error %q, want %q", src.LastError, tt.wantLastError)
				}
				if tt.wantCode != "" && src.LastError == "" {
					t.Errorf("a failed sync recorded no error")
				}
				if src.Inserted != tt.want.Inserted || src.Rejected != tt.want.Rejected {
					t.Errorf("stored counts %d inserted, %d rejected; want %+v", src.Inserted, src.Rejected, tt.want)
				}
			})
		})
	}
}

// TestSyncAgainAndRestart syncs, syncs again, then syncs from a new Store on
// the same database, as after a restart: only the first imports, and the
// later ones ask only for posts newer than the stored cursor.
func TestSyncAgainAndRestart(t *testing.T) {
	for backend, dsn := range map[string]func(*testing.T) string{
		"sqlite":   func(t *testing.T) string { return filepath.Join(t.TempDir(), "cadre.db") },
		"postgres": func(t *testing.T) string { return storetest.PostgresDSN(t) },
	} {
		t.Run(backend, func(t *testing.T) {
			ctx := context.Background()
			dsn := dsn(t)
			open := func() *store.Store {
				s, err := store.Open(ctx, dsn)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := s.Migrate(ctx); err != nil {
					t.Fatal(err)
				}
				return s
			}
			f := &forum{}
			s := open()
			addSource(t, s, "forum", "discourse", "", map[string]string{"url": f.start(t)})
			steps := []struct {
				name         string
				restart      bool
				want         cadre.ImportResult
				wantRequests int // how many this run adds
			}{
				{"first sync", false, cadre.ImportResult{Inserted: 2}, 3},
				{"second sync", false, cadre.ImportResult{}, 1},
				{"after a restart", true, cadre.ImportResult{}, 1},
			}
			for _, step := range steps {
				if step.restart {
					s.Close()
					s = open()
				}
				before := len(f.seen())
				got, err := connector.Run(ctx, s, s.NewImporter(), "forum", "instance", time.Minute, nil)
				if err != nil || got != step.want {
					t.Fatalf("%s: Run = %+v, %v; want %+v", step.name, got, err, step.want)
				}
				reqs := f.seen()[before:]
				if len(reqs) != step.wantRequests || reqs[0] != "/posts.json" {
					t.Errorf("%s: requests %v, want %d from the newest", step.name, reqs, step.wantRequests)
				}
				if src, err := s.GetSource(ctx, "forum"); err != nil || src.Cursor != "15" || src.Inserted != 2 {
					t.Errorf("%s: source %+v, %v", step.name, src, err)
				}
			}
			s.Close()
		})
	}
}

// feedServer serves the real RSS sample with an ETag and a Last-Modified
// date, answering 304 to a request that has either.
type feedServer struct {
	t        *testing.T
	entries  string // the real RSS sample
	etag     string
	status   int // when set, every answer
	mu       sync.Mutex
	requests []http.Header
}

const feedModified = "Tue, 06 Dec 2016 18:00:00 GMT"

func (f *feedServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.requests = append(f.requests, r.Header.Clone())
	etag := f.etag
	status := f.status
	f.mu.Unlock()
	if status != 0 {
		http.Error(w, "gone fishing", status)
		return
	}
	if r.Header.Get("If-None-Match") == etag || r.Header.Get("If-Modified-Since") == feedModified && r.Header.Get("If-None-Match") == "" {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.Header().Set("ETag", etag)
	w.Header().Set("Last-Modified", feedModified)
	w.Header().Set("Content-Type", "application/rss+xml")
	w.Write(readFile(f.t, f.entries))
}

func TestRSS(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		f := &feedServer{t: t, etag: `"v1"`, entries: realdata.Path(t, "rss", "perceval-rss_entries.xml")}
		srv := httptest.NewServer(f)
		defer srv.Close()
		addSource(t, s, "couchbase", "rss", "", map[string]string{"url": srv.URL + "/rss?token=s3cret"})
		steps := []struct {
			name        string
			etag        string // the feed's, from this step on
			want        cadre.ImportResult
			wantIfMatch string // the If-None-Match sent
		}{
			{"first sync imports every entry", `"v1"`, cadre.ImportResult{Inserted: 30}, ""},
			{"unchanged feed: 304, nothing imported", `"v1"`, cadre.ImportResult{}, `"v1"`},
			{"changed feed: entries already stored", `"v2"`, cadre.ImportResult{Duplicates: 30}, `"v1"`},
			{"unchanged again", `"v2"`, cadre.ImportResult{}, `"v2"`},
		}
		for i, step := range steps {
			f.mu.Lock()
			f.etag = step.etag
			f.mu.Unlock()
			got, err := connector.Run(ctx, s, s.NewImporter(), "couchbase", "instance", time.Minute, nil)
			if err != nil || got != step.want {
				t.Fatalf("%s: Run = %+v, %v; want %+v", step.name, got, err, step.want)
			}
			f.mu.Lock()
			h := f.requests[i]
			f.mu.Unlock()
			if h.Get("If-None-Match") != step.wantIfMatch {
				t.Errorf("%s: If-None-Match %q, want %q", step.name, h.Get("If-None-Match"), step.wantIfMatch)
			}
			if want := map[bool]string{true: feedModified}[i > 0]; h.Get("If-Modified-Since") != want {
				t.Errorf("%s: If-Modified-Since %q, want %q", step.name, h.Get("If-Modified-Since"), want)
			}
		}
		ids := stored(t, s, "rss")
		if len(ids) != 30 || !strings.HasPrefix(ids[0], "http://blog.couchbase.com/") {
			t.Errorf("stored %d entries: %v", len(ids), ids)
		}
		// Credited to their authors, as the source names no member.
		if _, err := s.FindMember(ctx, "rss:Matthew Groves"); err != nil {
			t.Errorf("author of the first entry: %v", err)
		}

		f.mu.Lock()
		f.status = http.StatusNotFound
		f.mu.Unlock()
		src, _ := s.GetSource(ctx, "couchbase")
		_, err := connector.Run(ctx, s, s.NewImporter(), "couchbase", "instance", time.Minute, nil)
		if err == nil || !strings.Contains(err.Error(), "404 Not Found") {
			t.Errorf("404: Run = %v", err)
		}
		after, _ := s.GetSource(ctx, "couchbase")
		if after.Cursor != src.Cursor || !strings.Contains(after.LastError, "404") || strings.Contains(after.LastError, "s3cret") {
			t.Errorf("after a 404: cursor %q (was %q), last error %q", after.Cursor, src.Cursor, after.LastError)
		}
	})
}

// TestRSSMember credits every entry of a feed to the member it belongs to.
func TestRSSMember(t *testing.T) {
	s := storetest.SQLite(t)
	ctx := context.Background()
	f := &feedServer{t: t, etag: `"v1"`, entries: realdata.Path(t, "rss", "perceval-rss_entries.xml")}
	srv := httptest.NewServer(f)
	defer srv.Close()
	addSource(t, s, "blog", "rss", "", map[string]string{"url": srv.URL, "member": "Ada@Example.org"})
	if _, err := connector.Run(ctx, s, s.NewImporter(), "blog", "instance", time.Minute, nil); err != nil {
		t.Fatal(err)
	}
	id, err := s.FindMember(ctx, "ada@example.org")
	if err != nil {
		t.Fatal(err)
	}
	if _, total, err := s.Activities(ctx, cadre.ActivityFilter{MemberID: id}); err != nil || total != 30 {
		t.Errorf("member's activities: %d, %v; want 30", total, err)
	}
}

// TestConcurrentRuns starts two syncs of one source at once: one syncs, the
// other is refused while the first is still fetching.
func TestConcurrentRuns(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		release := make(chan struct{})
		f := &forum{during: func() { <-release }}
		addSource(t, s, "forum", "discourse", "", map[string]string{"url": f.start(t)})
		type outcome struct {
			res cadre.ImportResult
			err error
		}
		results := make(chan outcome, 2)
		for _, owner := range []string{"instance-a", "instance-b"} {
			go func() {
				res, err := connector.Run(ctx, s, s.NewImporter(), "forum", owner, time.Minute, nil)
				results <- outcome{res, err}
			}()
		}
		var got []outcome
		select {
		case o := <-results:
			got = append(got, o)
		case <-time.After(10 * time.Second):
			t.Error("neither sync was refused while the other was fetching")
		}
		close(release)
		for len(got) < 2 {
			got = append(got, <-results)
		}
		if cadre.ErrorCode(got[0].err) != cadre.ECONFLICT || got[0].res != (cadre.ImportResult{}) {
			t.Errorf("first to return: %+v, want ECONFLICT and nothing imported", got[0])
		}
		if got[1].err != nil || got[1].res.Inserted != 2 {
			t.Errorf("the sync: %+v, want 2 inserted", got[1])
		}
		if ids := stored(t, s, "discourse"); len(ids) != 2 {
			t.Errorf("stored %v", ids)
		}
	})
}

// TestLostLease has another instance take the source over while a sync
// outlives its lease: the sync must write nothing and fail.
func TestLostLease(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		var mu sync.Mutex
		now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
		s.Now = func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
		var once sync.Once
		f := &forum{during: func() {
			once.Do(func() {
				mu.Lock()
				now = now.Add(2 * time.Minute)
				mu.Unlock()
				if _, err := s.AcquireSource(ctx, "forum", "other-instance", time.Hour); err != nil {
					t.Errorf("taking over an expired lease: %v", err)
				}
			})
		}}
		addSource(t, s, "forum", "discourse", "", map[string]string{"url": f.start(t)})
		_, err := connector.Run(ctx, s, s.NewImporter(), "forum", "slow-instance", time.Minute, nil)
		if cadre.ErrorCode(err) != cadre.ECONFLICT || !strings.Contains(err.Error(), "renew lease") {
			t.Errorf("Run = %v, want a lost lease", err)
		}
		if ids := stored(t, s, "discourse"); len(ids) != 0 {
			t.Errorf("a sync without its lease stored %v", ids)
		}
		if src, err := s.GetSource(ctx, "forum"); err != nil || src.LeaseOwner != "other-instance" || src.Cursor != "" {
			t.Errorf("source %+v, %v; want it still held by the other instance", src, err)
		}
	})
}

// TestSyncAllLeavesPausedAlone syncs two feeds, one of them paused: the
// paused one is never asked for, by the schedule or by name, until it is
// resumed.
func TestSyncAllLeavesPausedAlone(t *testing.T) {
	ctx := context.Background()
	s := storetest.SQLite(t)
	var mu sync.Mutex
	var asked []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		asked = append(asked, r.URL.Path)
		mu.Unlock()
		http.NotFound(w, r)
	}))
	defer srv.Close()
	addSource(t, s, "active", "rss", "", map[string]string{"url": srv.URL + "/active.xml"})
	addSource(t, s, "paused", "rss", "", map[string]string{"url": srv.URL + "/paused.xml"})
	if err := s.PauseSource(ctx, "paused", true); err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.DiscardHandler)
	if err := connector.SyncAll(ctx, log, s, s.NewImporter(), "instance", nil); err != nil {
		t.Fatal(err)
	}
	if _, err := connector.Run(ctx, s, s.NewImporter(), "paused", "instance", time.Minute, nil); cadre.ErrorCode(err) != cadre.ECONFLICT || !strings.Contains(err.Error(), "paused") {
		t.Errorf("Run of a paused source: %v, want a conflict saying it is paused", err)
	}
	mu.Lock()
	got := slices.Clone(asked)
	mu.Unlock()
	if !slices.Equal(got, []string{"/active.xml"}) {
		t.Errorf("while paused, the feeds asked for: %v, want /active.xml only", got)
	}
	if src, err := s.GetSource(ctx, "paused"); err != nil || !src.LastSyncAt.IsZero() || src.LastError != "" {
		t.Errorf("the paused source after a round: %+v, %v; want it untouched", src, err)
	}
	if err := s.PauseSource(ctx, "paused", false); err != nil {
		t.Fatal(err)
	}
	if err := connector.SyncAll(ctx, log, s, s.NewImporter(), "instance", nil); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if !slices.Contains(asked, "/paused.xml") {
		t.Errorf("once resumed, the feeds asked for: %v, want /paused.xml among them", asked)
	}
}
