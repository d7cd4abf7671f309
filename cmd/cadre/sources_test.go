package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cadrehq/cadre/internal/realdata"
	"github.com/cadrehq/cadre/store"
)

// discourseForum serves /posts.json from the real Discourse sample and the
// discourse package's recordings, and 404 elsewhere. It returns its URL and
// the Api-Key headers /posts.json was sent.
func discourseForum(t *testing.T) (string, func() []string) {
	t.Helper()
	var mu sync.Mutex
	var keys []string
	latest := realdata.Path(t, "discourse", "discourse_api-posts_latest.json") // a skip must come from the test's goroutine
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/posts.json" {
			mu.Lock()
			keys = append(keys, r.Header.Get("Api-Key"))
			mu.Unlock()
		}
		var file string
		switch before := r.URL.Query().Get("before"); {
		case r.URL.Path != "/posts.json":
			http.NotFound(w, r)
			return
		case before == "":
			file = latest
		case before == "2":
			file = filepath.Join("..", "..", "platform", "discourse", "testdata", "posts_before_2.json")
		default:
			file = filepath.Join("..", "..", "platform", "discourse", "testdata", "posts_empty.json")
		}
		data, err := os.ReadFile(file)
		if err != nil {
			t.Error(err)
		}
		w.Write(data)
	}))
	t.Cleanup(srv.Close)
	return srv.URL, func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), keys...)
	}
}

func TestSourcesAndSync(t *testing.T) {
	const secret = "k-123-secret"
	for backend, db := range databases(t) {
		t.Run(backend, func(t *testing.T) {
			forum, apiKeys := discourseForum(t)
			environ := map[string]string{"DISCOURSE_API_KEY": secret}
			steps := []struct {
				name     string
				args     []string
				code     int
				want     []string // in stdout and stderr
				notWant  []string
				holdBlog bool // another instance holds "blog" before this step
			}{
				{name: "none yet", args: []string{"sources"}, want: []string{"NAME  KIND", "no sources"}},
				{name: "sync with none", args: []string{"sync"}, want: []string{"no sources to sync"}},
				{name: "add needs a kind", args: []string{"sources", "add", "forum", "--set", "url=" + forum}, code: exitUsage, want: []string{"add needs --kind"}},
				{name: "kind is checked", args: []string{"sources", "add", "forum", "--kind", "jira"}, code: exitFailure, want: []string{"supported kinds: discourse, github, rss, stackexchange"}},
				{name: "config is checked", args: []string{"sources", "add", "forum", "--kind", "discourse"}, code: exitFailure, want: []string{`config "url" is required`}},
				{name: "keys are checked", args: []string{"sources", "add", "forum", "--kind", "discourse", "--set", "url=" + forum, "--set", "key=x"}, code: exitFailure, want: []string{`unknown config "key"`}},
				{name: "unset variable", args: []string{"sources", "add", "forum", "--kind", "discourse", "--set", "url=" + forum, "--set", "api_key=env:NOPE"}, code: exitUsage, want: []string{"$NOPE is not set"}},
				{name: "set twice", args: []string{"sources", "add", "forum", "--kind", "discourse", "--set", "url=a", "--set", "url=b"}, code: exitUsage, want: []string{"url is set twice"}},
				{name: "kind without add", args: []string{"sources", "--kind", "rss"}, code: exitUsage, want: []string{"--kind and --set go with add"}},
				{
					name: "add forum",
					args: []string{"sources", "add", "forum", "--kind", "discourse", "--set", "url=" + forum, "--set", "api_key=env:DISCOURSE_API_KEY", "--set", "api_username=system"},
					want: []string{"source forum saved"},
				},
				{name: "add blog", args: []string{"sources", "add", "blog", "--kind", "rss", "--set", "url=" + forum + "/feed.xml?token=t0ken", "--set", "member=ada@example.org"}, want: []string{"source blog saved"}},
				{
					name: "sync all: the blog fails", args: []string{"sync"}, code: exitFailure,
					want: []string{"forum: 2 inserted, 0 duplicates, 0 rejected", "blog: failed: ", "404 Not Found"},
				},
				{
					name: "table", args: []string{"sources"},
					want:    []string{"blog   rss", "404 Not Found", "forum  discourse", " 15 ", "  2  "},
					notWant: []string{secret, "never"},
				},
				{
					name: "json hides config values", args: []string{"sources", "--json"},
					want:    []string{`"config_keys": [` + "\n" + `      "api_key",`, `"cursor": "15"`, `"inserted": 2`, `"syncing": false`},
					notWant: []string{secret, "t0ken", `"last_sync_at": null`},
				},
				{name: "sync one: nothing new", args: []string{"sync", "forum"}, want: []string{"forum: 0 inserted, 0 duplicates, 0 rejected"}, notWant: []string{"blog"}},
				{name: "held source is skipped", args: []string{"sync", "blog"}, holdBlog: true, want: []string{"blog: skipped: source blog is being synced by other-instance"}},
				{name: "syncing shows", args: []string{"sources"}, want: []string{"syncing now"}},
				{name: "unknown source", args: []string{"sync", "nope"}, code: exitFailure, want: []string{`nope: failed: no source named "nope"`}},
				{name: "pause", args: []string{"sources", "pause", "forum"}, want: []string{"source forum paused"}},
				{name: "paused shows", args: []string{"sources"}, want: []string{"forum  discourse  paused", "blog   rss        active"}},
				{name: "paused in json", args: []string{"sources", "--json"}, want: []string{`"name": "forum",` + "\n" + `    "kind": "discourse",` + "\n" + `    "config_keys": [` + "\n" + `      "api_key",` + "\n" + `      "api_username",` + "\n" + `      "url"` + "\n" + `    ],` + "\n" + `    "paused": true`}},
				{name: "paused is skipped, named or not", args: []string{"sync", "forum"}, want: []string{"forum: skipped: source forum is paused"}, notWant: []string{"inserted"}},
				{name: "resume", args: []string{"sources", "resume", "forum"}, want: []string{"source forum resumed"}},
				{name: "resumed syncs", args: []string{"sync", "forum"}, want: []string{"forum: 0 inserted, 0 duplicates, 0 rejected"}},
				{name: "pause unknown", args: []string{"sources", "pause", "nope"}, code: exitFailure, want: []string{`no source named "nope"`}},
				{name: "remove", args: []string{"sources", "remove", "blog"}, want: []string{"source blog removed"}},
				{name: "remove again", args: []string{"sources", "remove", "blog"}, code: exitFailure, want: []string{`no source named "blog"`}},
				{name: "bad subcommand", args: []string{"sources", "delete", "blog"}, code: exitUsage, want: []string{"resume NAME or remove NAME"}},
			}
			for _, step := range steps {
				if step.holdBlog {
					holdSource(t, db, "blog", "other-instance")
				}
				code, stdout, stderr := cli(t, environ, "", append(step.args, "--db", db)...)
				out := stdout + stderr
				if code != step.code {
					t.Errorf("%s: exit %d, want %d:\n%s", step.name, code, step.code, out)
				}
				for _, w := range step.want {
					if !strings.Contains(out, w) {
						t.Errorf("%s: output lacks %q:\n%s", step.name, w, out)
					}
				}
				for _, w := range step.notWant {
					if strings.Contains(out, w) {
						t.Errorf("%s: output shows %q:\n%s", step.name, w, out)
					}
				}
			}
			keys := apiKeys()
			for _, k := range keys {
				if k != secret {
					t.Errorf("Api-Key %q, want the one from $DISCOURSE_API_KEY", k)
				}
			}
			if len(keys) != 5 {
				t.Errorf("/posts.json was asked %d times, want 3 by the first sync, 1 by the second, none while paused and 1 once resumed", len(keys))
			}
		})
	}
}

// holdSource takes the lease on a source as another instance would.
func holdSource(t *testing.T, db, name, owner string) {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := st.AcquireSource(ctx, name, owner, time.Hour); err != nil {
		t.Fatal(err)
	}
}

func TestServeSyncEvery(t *testing.T) {
	tests := []struct {
		env  string
		args []string
		want string
	}{
		{"soon", nil, "CADRE_SYNC_EVERY: time: invalid duration"},
		{"", []string{"--sync-every", "-1m"}, "--sync-every must not be negative"},
	}
	for _, tt := range tests {
		code, _, stderr := cli(t, map[string]string{"CADRE_SYNC_EVERY": tt.env}, "", append([]string{"serve"}, tt.args...)...)
		if code != exitUsage || !strings.Contains(stderr, tt.want) {
			t.Errorf("serve %v with CADRE_SYNC_EVERY=%q: exit %d, %s", tt.args, tt.env, code, stderr)
		}
	}
}
