package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cadrehq/cadre"
	"github.com/cadrehq/cadre/account"
	"github.com/cadrehq/cadre/server"
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

// TestBulkReports: an ambassador makes a personal token and reports a batch
// of activities with it, as JSON Lines and as a JSON array, and finds them
// pending on the portal and in the API; a batch with a bad record, one for
// another member, one over the limit or in another media type stores
// nothing, and the error names the failing records by their index.
func TestBulkReports(t *testing.T) {
	s := storetest.SQLite(t)
	seed(t, s)
	ctx := context.Background()
	s.Now = func() time.Time { return time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC) }
	ada, err := s.FindMember(ctx, "github:ada")
	if err != nil {
		t.Fatal(err)
	}
	bob, err := s.FindMember(ctx, "github:bob")
	if err != nil {
		t.Fatal(err)
	}
	h, err := newBareServer(t, slog.New(slog.NewTextHandler(io.Discard, nil)), s)
	if err != nil {
		t.Fatal(err)
	}
	cookie, _ := signIn(t, s, "ada-account@example.org", account.Ambassador, ada)
	// do sends a request with the token, or with the cookie when token is "".
	do := func(token, method, path, contentType, body string) (int, string) {
		t.Helper()
		req := httptest.NewRequest(method, path, strings.NewReader(body))
		if contentType != "" {
			req.Header.Set("Content-Type", contentType)
		}
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		} else {
			req.AddCookie(cookie)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec.Code, rec.Body.String()
	}
	code, body := do("", "POST", "/api/v1/tokens", "application/json", `{"name": "spreadsheet", "scope": "write"}`)
	var tok struct {
		Token string `json:"token"`
	}
	if err := json.Unmarshal([]byte(body), &tok); code != 201 || err != nil || !strings.HasPrefix(tok.Token, "cadre_") {
		t.Fatalf("a personal token: %d %v\n%s", code, err, body)
	}
	pending := func() int {
		t.Helper()
		_, n, err := s.Activities(ctx, cadre.ActivityFilter{Status: cadre.ActivityPending})
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	record := func(member int64, day int, title string) string {
		return fmt.Sprintf(`{"member_id": %d, "type": "mentoring", "date": "2025-05-%02d", "title": %q, "url": "https://mentor.example/%d"}`, member, day, title, day)
	}

	lines := record(ada, 10, "Office hours, week one") + "\n" + record(ada, 17, "Office hours, week two") + "\r\n" + record(ada, 24, "Office hours, week three") + "\n"
	code, body = do(tok.Token, "POST", "/api/v1/reports/bulk", "application/x-ndjson", lines)
	var acts []server.ActivityJSON
	if err := json.Unmarshal([]byte(body), &acts); code != 201 || err != nil || len(acts) != 3 {
		t.Fatalf("three reports as JSON Lines: %d %v\n%s", code, err, body)
	}
	for i, a := range acts {
		if a.Status != "pending" || a.MemberID != ada || a.Title != []string{"Office hours, week one", "Office hours, week two", "Office hours, week three"}[i] {
			t.Errorf("activity %d: %+v", i, a)
		}
	}
	code, body = do("", "GET", "/portal", "", "")
	if code != 200 || strings.Count(body, `<span class="tag">pending</span>`) != 3 || !strings.Contains(body, `<a href="https://mentor.example/17" rel="nofollow noopener">Office hours, week two</a>`) {
		t.Errorf("the portal after the batch: %d\n%s", code, body)
	}
	code, body = do(tok.Token, "GET", "/api/v1/activities?member="+strconv.FormatInt(ada, 10), "", "")
	if code != 200 || strings.Count(body, `"status": "pending"`) != 3 {
		t.Errorf("her activities in the API: %d\n%s", code, body)
	}
	if n := pending(); n != 3 {
		t.Fatalf("%d pending, want 3", n)
	}

	tests := []struct {
		name, contentType, body string
		code                    int
		want                    []string
	}{
		{"a bad record among good ones", "application/json",
			"[" + record(ada, 3, "Pairing") + `, {"member_id": ` + strconv.FormatInt(ada, 10) + `, "type": "mentoring", "date": "2025-05-04"}, ` + record(ada, 5, "Pairing again") + "]",
			400, []string{"1 of 3 reports failed, so none was stored: record 1: report: title is required"}},
		{"bad records of several kinds", "application/x-ndjson",
			record(ada, 3, "Pairing") + "\n\n" + `{"member_id": ` + strconv.FormatInt(ada, 10) + `, "type": "keynote", "date": "2025-05-04", "title": "x"}` + "\n" + `{"member_id": 1, "typo": "x"}` + "\n" +
				strings.Replace(record(ada, 6, "Pairing"), "2025-05-06", "yesterday", 1),
			400, []string{"4 of 5 reports failed", "record 1: an empty line", "record 2: unknown activity type \"keynote\"", "record 3: a report is an object as POST /api/v1/reports takes: json: unknown field \"typo\"", "record 4: date: want an RFC 3339 time"}},
		{"one for another member", "application/json", "[" + record(ada, 3, "Pairing") + ", " + record(bob, 4, "Bob's pairing") + "]",
			403, []string{"record 1: you may report your own activity only (member " + strconv.FormatInt(ada, 10) + ")"}},
		{"one reported before", "application/json", "[" + record(ada, 3, "Pairing") + ", " + record(ada, 17, "Office hours, week two") + "]",
			409, []string{"record 1: already reported, as activity " + strconv.FormatInt(acts[1].ID, 10)}},
		{"over the limit", "application/x-ndjson", strings.Repeat(record(ada, 3, "Pairing")+"\n", 501), 400, []string{"501 reports, over the limit of 500"}},
		{"none", "application/json", "[]", 400, []string{"no report"}},
		{"not an array", "application/json", record(ada, 3, "Pairing"), 400, []string{"body must be a JSON array of reports"}},
		{"as a form", "application/x-www-form-urlencoded", "type=mentoring", 415, []string{"application/json or application/x-ndjson or application/jsonl"}},
	}
	for _, tt := range tests {
		code, body := do(tok.Token, "POST", "/api/v1/reports/bulk", tt.contentType, tt.body)
		var answer struct{ Error string }
		if err := json.Unmarshal([]byte(body), &answer); code != tt.code || err != nil {
			t.Errorf("%s: %d, want %d\n%s", tt.name, code, tt.code, body)
		}
		for _, w := range tt.want {
			if !strings.Contains(answer.Error, w) {
				t.Errorf("%s: the answer lacks %q\n%s", tt.name, w, body)
			}
		}
		if n := pending(); n != 3 {
			t.Errorf("%s: %d pending, want the 3 from before", tt.name, n)
		}
	}

	// A read token reports nothing.
	code, body = do("", "POST", "/api/v1/tokens", "application/json", `{"name": "reader", "scope": "read"}`)
	if err := json.Unmarshal([]byte(body), &tok); code != 201 || err != nil {
		t.Fatalf("a read token: %d %v\n%s", code, err, body)
	}
	if code, body := do(tok.Token, "POST", "/api/v1/reports/bulk", "application/json", "["+record(ada, 3, "Pairing")+"]"); code != 403 || pending() != 3 {
		t.Errorf("a batch with a read token: %d\n%s", code, body)
	}
}
