package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/cadrehq/cadre"
	"github.com/cadrehq/cadre/account"
	"github.com/cadrehq/cadre/server"
	"github.com/cadrehq/cadre/standings"
	"github.com/cadrehq/cadre/store"
	"github.com/cadrehq/cadre/store/storetest"
	"github.com/cadrehq/cadre/worker"
)

func TestStandingsAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		seed(t, s)
		h, err := newServer(t, slog.New(slog.NewTextHandler(io.Discard, nil)), s)
		if err != nil {
			t.Fatal(err)
		}
		srv := httptest.NewServer(h)
		defer srv.Close()
		get := func(path string) (int, string) {
			resp, err := http.Get(srv.URL + path)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			return resp.StatusCode, string(body)
		}
		type entry struct {
			Rank   int     `json:"rank"`
			Name   string  `json:"name"`
			Status string  `json:"status"`
			Score  float64 `json:"score"`
		}
		board := func(path string) []entry {
			code, body := get(path)
			if code != 200 {
				t.Fatalf("%s: %d %s", path, code, body)
			}
			var b []entry
			if err := json.Unmarshal([]byte(body), &b); err != nil {
				t.Fatal(err)
			}
			return b
		}

		// At 2025-04-15: Ada has 5 forum posts of Q1 (5 × 0.75) and a talk in
		// Q2 (5); bob a blog post of Q1 (3 × 0.75); cy and bob's later posts
		// have not happened yet.
		b := board("/api/v1/leaderboard?at=2025-04-15T00:00:00Z")
		if len(b) != 3 || b[0] != (entry{1, "Ada Ambassador", "ambassador", 8.75}) || b[1] != (entry{2, "bob", "member", 2.25}) || b[2].Score != 0 {
			t.Fatalf("leaderboard = %+v", b)
		}
		if b := board("/api/v1/leaderboard?at=2025-04-15T00:00:00Z&status=member&top=1"); len(b) != 1 || b[0].Name != "bob" {
			t.Fatalf("members' top 1 = %+v", b)
		}

		if b := board("/api/v1/leaderboard?at=2025-04-15T00:00:00Z&type=content&since=2025-01-01T00:00:00Z"); b[0].Name != "bob" || b[0].Score != 2.25 || b[1].Score != 0 {
			t.Fatalf("content leaderboard = %+v", b)
		}
		code, body := get("/api/v1/program/share?at=2025-04-15T00:00:00Z")
		var sh struct {
			Active, Qualifying int
			Warnings           []string
		}
		if err := json.Unmarshal([]byte(body), &sh); code != 200 || err != nil || sh.Active != 2 || sh.Qualifying != 0 || len(sh.Warnings) != 1 {
			t.Fatalf("share: %d %s", code, body)
		}

		resp, err := http.Post(srv.URL+"/api/v1/criteria/calibrate", "application/json", strings.NewReader(`{"target": 0.5, "at": "2025-04-15T00:00:00Z"}`))
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		var cal struct {
			Threshold  float64
			Qualifying int
		}
		if err := json.Unmarshal(raw, &cal); resp.StatusCode != 200 || err != nil || cal.Threshold != 8.75 || cal.Qualifying != 1 {
			t.Fatalf("calibrate: %d %s", resp.StatusCode, raw)
		}

		ms, _, err := s.Members(context.Background(), cadre.MemberFilter{Status: cadre.StatusAmbassador})
		if err != nil || len(ms) != 1 {
			t.Fatal(ms, err)
		}
		code, body = get(fmt.Sprintf("/api/v1/members/%d/score?at=2025-04-15T00:00:00Z", ms[0].ID))
		var score struct {
			Score  float64 `json:"score"`
			ByType []struct {
				Key        string `json:"key"`
				Activities int    `json:"activities"`
			} `json:"by_type"`
			History    []struct{ Score float64 } `json:"history"`
			Projection struct {
				ScoreThen float64 `json:"score_then"`
			} `json:"projection"`
		}
		if err := json.Unmarshal([]byte(body), &score); code != 200 || err != nil || score.Score != 8.75 || len(score.ByType) != 2 ||
			score.ByType[0].Key != "forum" || score.ByType[0].Activities != 5 || len(score.History) != 12 || score.Projection.ScoreThen != 8.75 { // at the review instant, before the next decay
			t.Fatalf("member score: %d %s", code, body)
		}

		if code, body := get(fmt.Sprintf("/members/%d", ms[0].ID)); code != 200 || !strings.Contains(body, "<svg") || !strings.Contains(body, "Ada Ambassador") || !strings.Contains(body, "forum") {
			t.Fatalf("member page: %d %s", code, body)
		}

		for path, want := range map[string]int{
			"/api/v1/members/999/score":        404,
			"/api/v1/members/x/score":          400,
			"/api/v1/leaderboard?at=soon":      400,
			"/api/v1/leaderboard?type=talk":    400,
			"/api/v1/leaderboard?top=-1":       400,
			"/api/v1/leaderboard?status=king":  400,
			"/api/v1/leaderboard?since=monday": 400,
			"/api/v1/program/share?at=2025-13": 400,
		} {
			if code, body := get(path); code != want {
				t.Errorf("%s: %d %s, want %d", path, code, body, want)
			}
		}
		for _, bad := range []string{`{"target": 2}`, `{}`, `{"target": 0.1, "extra": 1}`, `not json`} {
			resp, err := http.Post(srv.URL+"/api/v1/criteria/calibrate", "application/json", strings.NewReader(bad))
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != 400 {
				t.Errorf("calibrate %s: %d, want 400", bad, resp.StatusCode)
			}
		}

		// A change in the store shows on the next request.
		rec := cadre.ActivityRecord{
			Activity: cadre.Activity{Source: "events", ExternalID: "late-talk", Type: "speaking", OccurredAt: t0.AddDate(0, 1, 0), Status: cadre.ActivityApproved},
			Member:   cadre.MemberRef{Platform: "github", Handle: "bob"},
		}
		if _, err := s.NewImporter().Import(context.Background(), []cadre.ActivityRecord{rec}); err != nil {
			t.Fatal(err)
		}
		if b := board("/api/v1/leaderboard?at=2025-04-15T00:00:00Z&top=2"); b[1].Name != "bob" || b[1].Score != 7.25 {
			t.Fatalf("after bob's talk: %+v", b)
		}
	})
}

// TestInstancesSeeEachOther runs two Cadre instances on one PostgreSQL
// database: what one imports, the other ranks on its next request, and the
// second instance's watcher catches up on its own.
func TestInstancesSeeEachOther(t *testing.T) {
	dsn := storetest.PostgresDSN(t)
	ctx := context.Background()
	var instances []*httptest.Server
	var stores []*store.Store
	watchCtx, stopWatch := context.WithCancel(ctx)
	defer stopWatch()
	for i := range 2 {
		st, err := store.Open(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		if _, err := st.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		log := slog.New(slog.NewTextHandler(io.Discard, nil))
		live, err := standings.Open(ctx, st, log)
		if err != nil {
			t.Fatal(err)
		}
		h, err := server.New(log, st, live)
		if err != nil {
			t.Fatal(err)
		}
		if i == 1 {
			// The second instance's worker keeps its standings current.
			go worker.Run(watchCtx, log, worker.Job{Name: "standings", Every: 10 * time.Millisecond, Run: live.Refresh})
		}
		srv := httptest.NewServer(h)
		defer srv.Close()
		instances = append(instances, srv)
		stores = append(stores, st)
	}
	// One account, seen by both instances through the database.
	_, token := signIn(t, stores[0], "viewer@example.org", account.Viewer, 0)
	get := func(url string) (*http.Response, error) {
		req, err := http.NewRequest("GET", url, nil)
		if err != nil {
			return nil, err
		}
		req.Header.Set("Authorization", "Bearer "+token)
		return http.DefaultClient.Do(req)
	}
	top := func(srv *httptest.Server) string {
		resp, err := get(srv.URL + "/api/v1/leaderboard?at=2025-06-30T00:00:00Z&top=1")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var b []struct{ Name string }
		if err := json.NewDecoder(resp.Body).Decode(&b); err != nil {
			t.Fatal(err)
		}
		if len(b) == 0 {
			return ""
		}
		return b[0].Name
	}
	if got := top(instances[1]); got != "" {
		t.Fatalf("empty program ranks %q first", got)
	}
	// Each instance imports talks; the other ranks them on its next request.
	for i, who := range []string{"ann", "bob"} {
		var recs []cadre.ActivityRecord
		for k := range i + 1 { // bob gives one talk more than ann
			recs = append(recs, cadre.ActivityRecord{
				Activity: cadre.Activity{Source: "events", ExternalID: fmt.Sprint(who, k), Type: "speaking", OccurredAt: t0.AddDate(0, 2, k), Status: cadre.ActivityApproved},
				Member:   cadre.MemberRef{Platform: "github", Handle: who},
			})
		}
		if _, err := stores[i].NewImporter().Import(ctx, recs); err != nil {
			t.Fatal(err)
		}
		if got := top(instances[1-i]); got != who {
			t.Fatalf("after %s's talks the other instance ranks %q first", who, got)
		}
	}

	// Without a request to the second instance, its watcher sees the next
	// import. The wait is bounded only to fail rather than hang.
	health := func(srv *httptest.Server) (standings, change int64) {
		resp, err := http.Get(srv.URL + "/healthz")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var h struct {
			StandingsSeq int64 `json:"standings_seq"`
			ChangeSeq    int64 `json:"change_seq"`
		}
		if err := json.NewDecoder(resp.Body).Decode(&h); err != nil {
			t.Fatal(err)
		}
		return h.StandingsSeq, h.ChangeSeq
	}
	late := cadre.ActivityRecord{
		Activity: cadre.Activity{Source: "events", ExternalID: "late", Type: "speaking", OccurredAt: t0.AddDate(0, 3, 0), Status: cadre.ActivityApproved},
		Member:   cadre.MemberRef{Platform: "github", Handle: "ann"},
	}
	if _, err := stores[0].NewImporter().Import(ctx, []cadre.ActivityRecord{late}); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	for {
		seen, change := health(instances[1])
		if seen == change {
			t.Logf("the watcher caught up %v after the import", time.Since(start))
			break
		}
		if time.Since(start) > 30*time.Second {
			t.Fatalf("the second instance's standings stay at change %v of %d", seen, change)
		}
		time.Sleep(5 * time.Millisecond)
	}

	ms, _, err := stores[0].Members(ctx, cadre.MemberFilter{Query: "bob"})
	if err != nil || len(ms) != 1 {
		t.Fatal(ms, err)
	}
	if err := stores[0].SetMemberStatus(ctx, ms[0].ID, cadre.StatusAmbassador, "admin"); err != nil {
		t.Fatal(err)
	}
	resp, err := get(instances[1].URL + "/api/v1/leaderboard?at=2025-06-30T00:00:00Z&status=ambassador")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b []struct{ Name string }
	if err := json.NewDecoder(resp.Body).Decode(&b); err != nil || len(b) != 1 || b[0].Name != "bob" {
		t.Fatalf("ambassadors on the other instance = %+v, %v", b, err)
	}
}

// TestLeaderboardUnderCriteriaVersion ranks under a stored criteria version
// other than the one in force, from the same standings in memory.
func TestLeaderboardUnderCriteriaVersion(t *testing.T) {
	s := storetest.SQLite(t)
	seed(t, s)
	ctx := context.Background()
	if _, err := s.SaveCriteria(ctx, "decay: {mode: none}\n", "admin"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SaveCriteria(ctx, "decay: {mode: quarterly, rate: 0.5}\n", "admin"); err != nil {
		t.Fatal(err)
	}
	h, err := newServer(t, slog.New(slog.NewTextHandler(io.Discard, nil)), s)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	top := func(query string) (int, float64) {
		resp, err := http.Get(srv.URL + "/api/v1/leaderboard?at=2025-06-30T00:00:00Z&top=1" + query)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var b []struct{ Score float64 }
		json.NewDecoder(resp.Body).Decode(&b)
		if len(b) == 0 {
			return resp.StatusCode, 0
		}
		return resp.StatusCode, b[0].Score
	}
	// Ada: 5 forum posts in Q1 and a talk in Q2 (5 + 5 points).
	for query, want := range map[string]float64{"&criteria=1": 10, "&criteria=2": 5*0.5 + 5, "": 5*0.5 + 5} {
		if code, score := top(query); code != 200 || score != want {
			t.Errorf("leaderboard%s: %d, top score %v; want %v", query, code, score, want)
		}
	}
	for query, want := range map[string]int{"&criteria=9": 404, "&criteria=x": 400, "&criteria=0": 400} {
		if code, _ := top(query); code != want {
			t.Errorf("leaderboard%s: %d, want %d", query, code, want)
		}
	}
}
