package server_test

import (
	"bytes"
	"context"
	"encoding/json"
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

// syncedForum serves /posts.json from the real Discourse sample and the
// discourse package's recordings, or a 500 for every path under /broken.
func syncedForum(t *testing.T) string {
	t.Helper()
	recording := func(name string) string { return filepath.Join("..", "platform", "discourse", "testdata", name) }
	latest := realdata.Path(t, "discourse", "discourse_api-posts_latest.json") // a skip must come from the test's goroutine
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		file := recording("posts_empty.json")
		switch {
		case strings.HasPrefix(r.URL.Path, "/broken/"):
			w.WriteHeader(http.StatusInternalServerError)
			file = recording("server_error.json")
		case r.URL.Query().Get("before") == "":
			file = latest
		case r.URL.Query().Get("before") == "2":
			file = recording("posts_before_2.json")
		}
		data, err := os.ReadFile(file)
		if err != nil {
			t.Error(err)
		}
		w.Write(data)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// lockedBuffer is a log destination that goroutines can share.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// sourceView is what the API says of a source.
type sourceView struct {
	Name       string     `json:"name"`
	Kind       string     `json:"kind"`
	ConfigKeys []string   `json:"config_keys"`
	Cursor     string     `json:"cursor"`
	LastSyncAt *time.Time `json:"last_sync_at"`
	LastError  string     `json:"last_error"`
	Inserted   int        `json:"inserted"`
	Duplicates int        `json:"duplicates"`
	Rejected   int        `json:"rejected"`
	Syncing    bool       `json:"syncing"`
}

func getSources(t *testing.T, url string) ([]sourceView, string) {
	t.Helper()
	resp, err := http.Get(url + "/api/v1/sources")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body bytes.Buffer
	body.ReadFrom(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /api/v1/sources: %d %s", resp.StatusCode, body.String())
	}
	var out []sourceView
	if err := json.Unmarshal(body.Bytes(), &out); err != nil {
		t.Fatalf("decode %s: %v", body.String(), err)
	}
	return out, body.String()
}

// TestSourcesAndSync lists the sources, runs one round of syncs as the
// worker does and lists them again.
func TestSourcesAndSync(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		forumURL := syncedForum(t)
		const secret = "very-secret-api-key"
		for _, src := range []cadre.Source{
			{Name: "forum", Kind: "discourse", Config: map[string]string{"url": forumURL, "api_key": secret, "api_username": "system"}},
			{Name: "broken", Kind: "discourse", Config: map[string]string{"url": forumURL + "/broken/"}},
			{Name: "held", Kind: "discourse", Config: map[string]string{"url": forumURL}},
		} {
			if err := s.SaveSource(ctx, &src); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := s.AcquireSource(ctx, "held", "other-instance", time.Hour); err != nil {
			t.Fatal(err)
		}
		var logs lockedBuffer
		h, err := newServer(t, slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})), s)
		if err != nil {
			t.Fatal(err)
		}
		srv := httptest.NewServer(h)
		defer srv.Close()

		before, body := getSources(t, srv.URL)
		if strings.Contains(body, secret) || strings.Contains(body, forumURL) {
			t.Errorf("the API shows configuration values:\n%s", body)
		}
		if !strings.Contains(body, `"last_sync_at": null`) {
			t.Errorf("a source never synced has a last sync:\n%s", body)
		}
		if len(before) != 3 || !slices.Equal(before[1].ConfigKeys, []string{"api_key", "api_username", "url"}) {
			t.Errorf("sources %+v", before)
		}

		// One round of the worker's sync job.
		log := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
		if err := connector.SyncAll(ctx, log, s, s.NewImporter(), connector.Owner(), nil); err != nil {
			t.Fatal(err)
		}

		after, _ := getSources(t, srv.URL)
		tests := []struct {
			name        string
			cursor      string
			inserted    int
			synced      bool
			syncing     bool
			lastError   string
			wantLogLine string
		}{
			{name: "broken", synced: true, lastError: "500 Internal Server Error", wantLogLine: `level=ERROR msg="sync failed" source=broken`},
			{name: "forum", cursor: "15", inserted: 2, synced: true, wantLogLine: `level=INFO msg=synced source=forum inserted=2`},
			{name: "held", syncing: true, wantLogLine: `level=DEBUG msg="source synced by another instance" source=held`},
		}
		if len(after) != len(tests) {
			t.Fatalf("sources after the round: %+v", after)
		}
		for i, tt := range tests {
			got := after[i]
			if got.Name != tt.name || got.Cursor != tt.cursor || got.Inserted != tt.inserted || (got.LastSyncAt != nil) != tt.synced ||
				got.Syncing != tt.syncing || !strings.Contains(got.LastError, tt.lastError) || (tt.lastError == "") != (got.LastError == "") {
				t.Errorf("%s: %+v", tt.name, got)
			}
			if !strings.Contains(logs.String(), tt.wantLogLine) {
				t.Errorf("%s: log lacks %q:\n%s", tt.name, tt.wantLogLine, logs.String())
			}
		}
		if _, total, err := s.Activities(ctx, cadre.ActivityFilter{Source: "discourse"}); err != nil || total != 2 {
			t.Errorf("activities after the round: %d, %v", total, err)
		}
	})
}
