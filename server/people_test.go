package server_test

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/cadrehq/cadre/store"
	"github.com/cadrehq/cadre/store/storetest"
)

func TestReportsAndMergesAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		seed(t, s)
		h, err := newServer(t, slog.New(slog.NewTextHandler(io.Discard, nil)), s)
		if err != nil {
			t.Fatal(err)
		}
		srv := httptest.NewServer(h)
		defer srv.Close()
		post := func(path, body string) (int, map[string]any) {
			t.Helper()
			req, _ := http.NewRequest("POST", srv.URL+path, strings.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var out map[string]any
			json.NewDecoder(resp.Body).Decode(&out)
			return resp.StatusCode, out
		}
		code, a := post("/api/v1/reports", `{"member_id": 1, "type": "mentoring", "date": "2025-02-01", "title": "Office hours", "effort_minutes": 60}`)
		if code != 201 || a["status"] != "pending" || a["source"] != "self-report" {
			t.Fatalf("report: %d %v", code, a)
		}
		id := int(a["id"].(float64))
		for body, want := range map[string]int{
			`{"member_id": 1, "type": "mentoring"}`:                                             400,
			`{"member_id": 1, "type": "mentoring", "date": "yesterday", "title": "x"}`:          400,
			`{"member_id": 999, "type": "mentoring", "date": "2025-02-01", "title": "x"}`:       404,
			`{"member_id": 1, "type": "mentoring", "date": "2025-02-01", "title": "x", "y": 1}`: 400,
		} {
			if code, out := post("/api/v1/reports", body); code != want {
				t.Errorf("report %s: %d %v, want %d", body, code, out, want)
			}
		}
		resp, err := http.Get(srv.URL + "/api/v1/reports")
		if err != nil {
			t.Fatal(err)
		}
		var pending struct{ Total int }
		json.NewDecoder(resp.Body).Decode(&pending)
		resp.Body.Close()
		if pending.Total != 1 {
			t.Errorf("pending reports: %d, want 1", pending.Total)
		}
		if code, out := post("/api/v1/reports/"+strconv.Itoa(id)+"/review", `{"decision": "maybe"}`); code != 400 {
			t.Errorf("review with a bad decision: %d %v", code, out)
		}
		if code, out := post("/api/v1/reports/"+strconv.Itoa(id)+"/review", `{"decision": "approve"}`); code != 200 || out["status"] != "approved" {
			t.Errorf("approve: %d %v", code, out)
		}
		if code, out := post("/api/v1/reports/"+strconv.Itoa(id)+"/review", `{"decision": "reject", "reason": "oops"}`); code != 409 {
			t.Errorf("second review: %d %v, want 409", code, out)
		}

		code, m := post("/api/v1/merges", `{"from": 3, "into": 2, "reason": "same person"}`)
		if code != 201 {
			t.Fatalf("merge: %d %v", code, m)
		}
		if code, out := post("/api/v1/merges", `{"from": 3, "into": 2}`); code != 409 {
			t.Errorf("merging a merged member: %d %v, want 409", code, out)
		}
		if code, out := post(m["undo"].(string), `{"reason": "not the same"}`); code != 200 {
			t.Errorf("undo: %d %v", code, out)
		}
		resp, err = http.Get(srv.URL + "/api/v1/merge-suggestions")
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("suggestions: %v %v", resp, err)
		}
		resp.Body.Close()
	})
}
