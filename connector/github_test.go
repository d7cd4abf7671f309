package connector_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/cadrehq/cadre"
	"github.com/cadrehq/cadre/connector"
	"github.com/cadrehq/cadre/internal/realdata"
	"github.com/cadrehq/cadre/platform/github"
	"github.com/cadrehq/cadre/store"
	"github.com/cadrehq/cadre/store/storetest"
)

// TestGitHubSource syncs a repository whose API serves the issue and comment
// of the real issue_comment webhook payload; delivering that payload by
// webhook afterwards adds nothing: one activity per object, however it came.
func TestGitHubSource(t *testing.T) {
	payload, err := os.ReadFile(realdata.Path(t, "github-webhooks", "issue_comment.created.payload.json"))
	if err != nil {
		t.Fatal(err)
	}
	var p struct{ Issue, Comment json.RawMessage }
	if err := json.Unmarshal(payload, &p); err != nil {
		t.Fatal(err)
	}
	api := http.NewServeMux()
	serve := func(path, body string) {
		api.HandleFunc("GET "+path, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte(body))
		})
	}
	serve("/repos/Codertocat/Hello-World/issues", "["+string(p.Issue)+"]")
	serve("/repos/Codertocat/Hello-World/issues/comments", "["+string(p.Comment)+"]")
	serve("/repos/Codertocat/Hello-World/pulls/comments", "[]")
	serve("/repos/Codertocat/Hello-World/pulls", "[]")
	srv := httptest.NewServer(api)
	defer srv.Close()

	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		if err := s.SaveSource(ctx, &cadre.Source{Name: "hello", Kind: "github", Config: map[string]string{"repos": "Codertocat/Hello-World", "url": srv.URL + "/"}}); err != nil {
			t.Fatal(err)
		}
		res, err := connector.Run(ctx, s, s.NewImporter(), "hello", "test", time.Minute, srv.Client())
		if err != nil || res.Inserted != 2 {
			t.Fatalf("sync: %+v, %v; want the issue and the comment", res, err)
		}
		src, err := s.GetSource(ctx, "hello")
		if err != nil || src.Cursor == "" || src.LastError != "" {
			t.Fatalf("after the sync: %+v, %v", src, err)
		}
		recs, err := github.WebhookRecords("issue_comment", payload)
		if err != nil || len(recs) != 1 {
			t.Fatal(recs, err)
		}
		if res, err := s.NewImporter().ImportDelivery(ctx, "github", "d1", recs); err != nil || res.Inserted != 0 || res.Duplicates != 1 {
			t.Errorf("the same comment by webhook: %+v, %v; want a duplicate", res, err)
		}
		if _, n, _ := s.Activities(ctx, cadre.ActivityFilter{Source: "github"}); n != 2 {
			t.Errorf("%d GitHub activities, want 2", n)
		}
	})
}

// TestGitHubPartialSync syncs two repositories of which the second is gone:
// the first one's activity is stored and its cursor moves on, the error is
// recorded, and the next sync starts the first one where it stopped.
func TestGitHubPartialSync(t *testing.T) {
	payload, err := os.ReadFile(realdata.Path(t, "github-webhooks", "issue_comment.created.payload.json"))
	if err != nil {
		t.Fatal(err)
	}
	var p struct{ Issue, Comment json.RawMessage }
	if err := json.Unmarshal(payload, &p); err != nil {
		t.Fatal(err)
	}
	api := http.NewServeMux()
	for path, body := range map[string]string{
		"/repos/Codertocat/Hello-World/issues":          "[" + string(p.Issue) + "]",
		"/repos/Codertocat/Hello-World/issues/comments": "[" + string(p.Comment) + "]",
		"/repos/Codertocat/Hello-World/pulls/comments":  "[]",
		"/repos/Codertocat/Hello-World/pulls":           "[]",
	} {
		api.HandleFunc("GET "+path, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte(body))
		})
	}
	srv := httptest.NewServer(api) // anything else, such as acme/gone, is 404
	defer srv.Close()
	s := storetest.SQLite(t)
	ctx := context.Background()
	if err := s.SaveSource(ctx, &cadre.Source{Name: "gh", Kind: "github", Config: map[string]string{"repos": "Codertocat/Hello-World,acme/gone", "url": srv.URL + "/"}}); err != nil {
		t.Fatal(err)
	}
	res, err := connector.Run(ctx, s, s.NewImporter(), "gh", "test", time.Minute, srv.Client())
	if err == nil || res.Inserted != 2 {
		t.Fatalf("sync: %+v, %v; want the first repository's 2 activities and an error", res, err)
	}
	src, err := s.GetSource(ctx, "gh")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(src.Cursor, `"codertocat/hello-world"`) || strings.Contains(src.Cursor, "acme/gone") || !strings.Contains(src.LastError, "acme/gone") {
		t.Errorf("after a partial sync: cursor %q, last error %q", src.Cursor, src.LastError)
	}
}

func TestGitHubSourceConfig(t *testing.T) {
	for name, cfg := range map[string]map[string]string{
		"no repos":   {"token": "t"},
		"bad url":    {"repos": "a/b", "url": "ftp://x"},
		"typo'd key": {"repo": "a/b"},
	} {
		if _, err := connector.New(cadre.Source{Name: "gh", Kind: "github", Config: cfg}, nil, nil); cadre.ErrorCode(err) != cadre.EINVALID {
			t.Errorf("%s: %v, want EINVALID", name, err)
		}
	}
}

func TestStackExchangeSourceConfig(t *testing.T) {
	for name, cfg := range map[string]map[string]string{
		"no site":  {"tags": "go"},
		"no tags":  {"site": "stackoverflow"},
		"bad url":  {"site": "stackoverflow", "tags": "go", "url": "nope"},
		"typo key": {"site": "stackoverflow", "tag": "go"},
	} {
		if _, err := connector.New(cadre.Source{Name: "se", Kind: "stackexchange", Config: cfg}, nil, nil); cadre.ErrorCode(err) != cadre.EINVALID {
			t.Errorf("%s: %v, want EINVALID", name, err)
		}
	}
	if _, err := connector.New(cadre.Source{Name: "se", Kind: "stackexchange", Config: map[string]string{"site": "stackoverflow", "tags": "go, sqlite"}}, nil, nil); err != nil {
		t.Errorf("good configuration: %v", err)
	}
}
