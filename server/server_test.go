package server_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cadrehq/cadre"
	"github.com/cadrehq/cadre/store"
	"github.com/cadrehq/cadre/store/storetest"
)

var t0 = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

// seed stores three members with a few activities each.
func seed(t *testing.T, s *store.Store) {
	t.Helper()
	ctx := context.Background()
	amb := cadre.Member{Name: "Ada Ambassador", Status: cadre.StatusAmbassador, Emails: []string{"ada@example.org"}}
	if err := s.CreateMember(ctx, &amb, []cadre.Identity{{Platform: "github", Handle: "ada"}}); err != nil {
		t.Fatal(err)
	}
	var recs []cadre.ActivityRecord
	add := func(handle, typ, source string, days int) {
		recs = append(recs, cadre.ActivityRecord{
			Activity: cadre.Activity{Type: typ, Source: source, ExternalID: handle + typ + source + time.Duration(days).String(),
				OccurredAt: t0.AddDate(0, 0, days), Status: cadre.ActivityApproved},
			Member: cadre.MemberRef{Platform: "github", Handle: handle},
		})
	}
	for d := range 5 {
		add("ada", "forum", "discourse", d)
	}
	add("ada", "speaking", "events", 40)
	add("bob", "content", "rss", 10)
	add("bob", "forum", "discourse", 50)
	add("cy", "forum", "discourse", 60)
	if _, err := s.NewImporter().Import(ctx, recs); err != nil {
		t.Fatal(err)
	}
}

func TestAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		seed(t, s)
		h, err := newServer(t, slog.New(slog.NewTextHandler(io.Discard, nil)), s)
		if err != nil {
			t.Fatal(err)
		}
		srv := httptest.NewServer(h)
		defer srv.Close()

		tests := []struct {
			name       string
			path       string
			status     int
			wantTotal  int    // for listings, -1 to skip
			wantInBody string // a substring of the body
		}{
			{"health", "/healthz", 200, -1, `"ok"`},
			{"members", "/api/v1/members", 200, 3, `"Ada Ambassador"`},
			{"members by status", "/api/v1/members?status=ambassador", 200, 1, `"activities": 6`},
			{"members search", "/api/v1/members?q=bo", 200, 1, `"bob"`},
			{"members page", "/api/v1/members?limit=1&offset=2", 200, 3, `"offset": 2`},
			{"bad status", "/api/v1/members?status=king", 400, -1, `status must be`},
			{"bad limit", "/api/v1/members?limit=5000", 400, -1, `limit must be`},
			{"activities", "/api/v1/activities", 200, 9, `"source"`},
			{"activities by type", "/api/v1/activities?type=forum", 200, 7, `"forum"`},
			{"activities by source", "/api/v1/activities?source=events", 200, 1, `"speaking"`},
			{"activities by time", "/api/v1/activities?since=2025-03-10T00:00:00Z&until=2025-04-15T00:00:00Z", 200, 2, `"occurred_at"`},
			{"bad time", "/api/v1/activities?since=yesterday", 400, -1, `RFC 3339`},
			{"bad member", "/api/v1/activities?member=ada", 400, -1, `member must be`},
			{"unknown member", "/api/v1/members/999", 404, -1, `not found`},
			{"unknown route", "/api/v1/nothing", 404, -1, `"error": "there is nothing at /api/v1/nothing"`},
			{"unknown page", "/nothing", 404, -1, `<h1>Not Found</h1>`},
			{"members page html", "/", 200, -1, `Ada Ambassador`},
			{"html filter", "/?status=ambassador", 200, -1, `<span class="count">1</span>`},
			{"stylesheet", "/static/cadre.css", 200, -1, `--accent`},
			{"leaderboard page", "/leaderboard", 200, -1, `Ada Ambassador`},
			{"leaderboard page filtered", "/leaderboard?status=member", 200, -1, `bob`},
			{"member page unknown", "/members/999", 404, -1, `<h1>Not Found</h1>`},
			{"member page bad id", "/members/x", 400, -1, `<p class="lead">member id must be a number</p>`},
			{"members page bad offset", "/?offset=-1", 400, -1, `offset must be a non-negative integer`},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				resp, err := http.Get(srv.URL + tt.path)
				if err != nil {
					t.Fatal(err)
				}
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != tt.status {
					t.Fatalf("status %d, want %d: %s", resp.StatusCode, tt.status, body)
				}
				if !strings.Contains(string(body), tt.wantInBody) {
					t.Errorf("body lacks %q:\n%s", tt.wantInBody, body)
				}
				page := !strings.HasPrefix(tt.path, "/api/") && !strings.HasPrefix(tt.path, "/healthz") && !strings.HasPrefix(tt.path, "/static/")
				if ct := resp.Header.Get("Content-Type"); page && ct != "text/html; charset=utf-8" {
					t.Errorf("a page answers with %q", ct)
				}
				if tt.wantTotal >= 0 {
					var page struct{ Total int }
					if err := json.Unmarshal(body, &page); err != nil {
						t.Fatal(err)
					}
					if page.Total != tt.wantTotal {
						t.Errorf("total %d, want %d", page.Total, tt.wantTotal)
					}
				}
			})
		}
	})
}

func TestActivityFilterByMember(t *testing.T) {
	s := storetest.SQLite(t)
	seed(t, s)
	h, _ := newServer(t, slog.New(slog.NewTextHandler(io.Discard, nil)), s)
	ms, _, err := s.Members(context.Background(), cadre.MemberFilter{Query: "bob"})
	if err != nil || len(ms) != 1 {
		t.Fatal(ms, err)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/api/v1/activities?member="+strconv.FormatInt(ms[0].ID, 10), nil))
	var page struct {
		Total int
		Items []struct {
			MemberID int64 `json:"member_id"`
		}
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &page); err != nil {
		t.Fatal(err)
	}
	if page.Total != 2 || len(page.Items) != 2 || page.Items[0].MemberID != ms[0].ID {
		t.Fatalf("bob's activities = %+v", page)
	}
}
