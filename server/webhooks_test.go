package server_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/cadrehq/cadre"
	"github.com/cadrehq/cadre/internal/realdata"
	"github.com/cadrehq/cadre/server"
	"github.com/cadrehq/cadre/store"
	"github.com/cadrehq/cadre/store/storetest"
)

const (
	ghSecret = "gh-test-secret"
	dcSecret = "discourse-test-secret"
)

func sign(secret string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

func webhookServer(t testing.TB, s *store.Store) *httptest.Server {
	t.Helper()
	h, err := newServer(t, slog.New(slog.NewTextHandler(io.Discard, nil)), s, server.WithWebhooks(server.Webhooks{
		GitHubSecret: []byte(ghSecret), DiscourseSecret: []byte(dcSecret), DiscourseURL: "https://forum.example",
	}))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

func deliver(t testing.TB, url string, headers map[string]string, body []byte) (int, string) {
	t.Helper()
	req, err := http.NewRequest("POST", url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(out)
}

func TestGitHubWebhook(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		srv := webhookServer(t, s)
		payload := func(name string) []byte {
			b, err := os.ReadFile(realdata.Path(t, "github-webhooks", name))
			if err != nil {
				t.Fatal(err)
			}
			return b
		}
		comment := payload("issue_comment.created.payload.json")
		// The same comment from before 1970: mapped, but no activity.
		ancient := bytes.ReplaceAll(comment, []byte(`"created_at": "2019-`), []byte(`"created_at": "1919-`))
		huge := bytes.Repeat([]byte(" "), 25<<20+1)
		headers := func(event, id string, body []byte) map[string]string {
			return map[string]string{"X-GitHub-Event": event, "X-GitHub-Delivery": id, "X-Hub-Signature-256": sign(ghSecret, body)}
		}
		count := func() int {
			_, n, err := s.Activities(context.Background(), cadre.ActivityFilter{})
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
		tests := []struct {
			name    string
			headers map[string]string
			body    []byte
			code    int
			stored  int // activities stored after the delivery
		}{
			{"no signature", map[string]string{"X-GitHub-Event": "issue_comment", "X-GitHub-Delivery": "d0"}, comment, 401, 0},
			{"wrong secret", map[string]string{"X-GitHub-Event": "issue_comment", "X-GitHub-Delivery": "d0", "X-Hub-Signature-256": sign("guess", comment)}, comment, 401, 0},
			{"body changed after signing", headers("issue_comment", "d0", comment), append(bytes.Clone(comment), ' '), 401, 0},
			{"no delivery ID", headers("issue_comment", "", comment), comment, 400, 0},
			{"comment", headers("issue_comment", "d1", comment), comment, 202, 1},
			{"redelivery", headers("issue_comment", "d1", comment), comment, 200, 1},
			{"same comment, another delivery", headers("issue_comment", "d2", comment), comment, 202, 1},
			{"issue opened", headers("issues", "d3", payload("issues.opened.payload.json")), payload("issues.opened.payload.json"), 202, 2},
			{"push: no activity", headers("push", "d4", payload("push.payload.json")), payload("push.payload.json"), 202, 2},
			{"not JSON", headers("issue_comment", "d5", []byte("{")), []byte("{"), 400, 2},
			{"a record out of range", headers("issue_comment", "d6", ancient), ancient, 400, 2},
			{"over 25 MB", headers("issue_comment", "d7", huge), huge, 413, 2},
		}
		for _, tt := range tests {
			code, body := deliver(t, srv.URL+"/webhooks/github", tt.headers, tt.body)
			if code != tt.code {
				t.Errorf("%s: %d %s, want %d", tt.name, code, body, tt.code)
			}
			if n := count(); n != tt.stored {
				t.Errorf("%s: %d activities stored, want %d", tt.name, n, tt.stored)
			}
		}
	})
}

func TestDiscourseWebhook(t *testing.T) {
	s := storetest.SQLite(t)
	srv := webhookServer(t, s)
	body, err := os.ReadFile("../platform/discourse/testdata/webhook_post_created.json")
	if err != nil {
		t.Fatal(err)
	}
	h := map[string]string{"X-Discourse-Event": "post_created", "X-Discourse-Event-Id": "7", "X-Discourse-Event-Signature": sign(dcSecret, body)}
	if code, out := deliver(t, srv.URL+"/webhooks/discourse", h, body); code != 202 || !strings.Contains(out, `"records": 1`) {
		t.Fatalf("post_created: %d %s", code, out)
	}
	h["X-Discourse-Event-Signature"] = sign(ghSecret, body)
	if code, _ := deliver(t, srv.URL+"/webhooks/discourse", h, body); code != 401 {
		t.Errorf("signed with the wrong secret: %d", code)
	}
}

func TestWebhooksOffWithoutSecret(t *testing.T) {
	s := storetest.SQLite(t)
	h, err := newServer(t, slog.New(slog.NewTextHandler(io.Discard, nil)), s)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	if code, body := deliver(t, srv.URL+"/webhooks/github", nil, []byte("{}")); code != 404 || !strings.Contains(body, "secret") {
		t.Errorf("GitHub webhook without a secret: %d %s", code, body)
	}
}

// BenchmarkGitHubWebhook delivers issue comments (the real payload, a new
// comment ID and delivery each time) to a server on SQLite over loopback:
// "clients=1" one delivery at a time, so each is written in a transaction of
// its own, and "clients=8" from eight clients at once, as GitHub sends them,
// so that deliveries waiting are written together. The clients are
// goroutines of their own rather than RunParallel's, whose count follows
// GOMAXPROCS.
func BenchmarkGitHubWebhook(b *testing.B) {
	payload, err := os.ReadFile(realdata.Path(b, "github-webhooks", "issue_comment.created.payload.json"))
	if err != nil {
		b.Fatal(err)
	}
	const idField = `"id": 492700400`
	if !bytes.Contains(payload, []byte(idField)) {
		b.Fatalf("comment id %q not in the payload", idField)
	}
	for _, clients := range []int{1, 8} {
		b.Run(fmt.Sprintf("clients=%d", clients), func(b *testing.B) {
			s := storetest.SQLite(b)
			srv := webhookServer(b, s)
			client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients}}
			post := func(i int64) error {
				body := bytes.Replace(payload, []byte(idField), fmt.Appendf(nil, `"id": %d`, 1_000_000_000+i), 1)
				req, err := http.NewRequest("POST", srv.URL+"/webhooks/github", bytes.NewReader(body))
				if err != nil {
					return err
				}
				req.Header.Set("X-GitHub-Event", "issue_comment")
				req.Header.Set("X-GitHub-Delivery", fmt.Sprint("bench-", i))
				req.Header.Set("X-Hub-Signature-256", sign(ghSecret, body))
				resp, err := client.Do(req)
				if err != nil {
					return err
				}
				defer resp.Body.Close()
				if _, err := io.Copy(io.Discard, resp.Body); err != nil {
					return err
				}
				if resp.StatusCode != 202 {
					return fmt.Errorf("delivery %d: %d", i, resp.StatusCode)
				}
				return nil
			}
			var n atomic.Int64
			var wg sync.WaitGroup
			b.ResetTimer()
			for range clients {
				wg.Go(func() {
					for i := n.Add(1); i <= int64(b.N); i = n.Add(1) {
						if err := post(i); err != nil {
							b.Error(err)
							return
						}
					}
				})
			}
			wg.Wait()
			b.StopTimer()
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "deliveries/s")
			// Every delivery must have been stored for the rate to count.
			if _, stored, err := s.Activities(context.Background(), cadre.ActivityFilter{}); err != nil || stored != b.N {
				b.Fatalf("%d activities stored for %d deliveries, %v", stored, b.N, err)
			}
		})
	}
}
