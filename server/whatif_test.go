package server_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/cadrehq/cadre/account"
	"github.com/cadrehq/cadre/program"
	"github.com/cadrehq/cadre/server"
	"github.com/cadrehq/cadre/store"
	"github.com/cadrehq/cadre/store/storetest"
)

// TestWhatIfAPI backtests seed's community, whose ambassador Ada holds a
// term from the roster, over 2025Q2: at its review her five forum answers
// of the quarter before, decayed once, and her talk make 3.75 + 5 = 8.75,
// so maintain 9 lapses her and maintain 5 (the candidate) renews her; and
// the change names her with the types that carried her. Bad requests name
// what is wrong.
func TestWhatIfAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		whatIfProgram(t, st)
		h, err := newBareServer(t, slog.New(slog.NewTextHandler(io.Discard, nil)), st)
		if err != nil {
			t.Fatal(err)
		}
		_, token := signIn(t, st, "viewer@example.org", account.Viewer, 0)
		post := func(body string) (int, string) {
			req := httptest.NewRequest("POST", "/api/v1/whatif", strings.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+token)
			req.Header.Set("Content-Type", "application/json")
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			return rec.Code, rec.Body.String()
		}
		code, body := post(`{"criteria": "timezone: UTC\nthresholds: {achieve: 9, maintain: 5}\n", "quarters": 1, "from": "2025Q2"}`)
		if code != http.StatusOK {
			t.Fatalf("whatif: %d %s", code, body)
		}
		var res server.WhatIfJSON
		if err := json.Unmarshal([]byte(body), &res); err != nil {
			t.Fatal(err)
		}
		if len(res.Quarters) != 1 || res.From != "2025Q2" || res.To != "2025Q2" {
			t.Fatalf("quarters %+v", res.Quarters)
		}
		q := res.Quarters[0]
		if c := res.Changes; len(c) == 1 && (c[0].CurrentScore < 8.75-1e-9 || c[0].CurrentScore > 8.75+1e-9) {
			t.Errorf("Ada's score at the review %v, want 8.75", c[0].CurrentScore)
		}
		if q.Current.Renewed != 0 || q.Current.Lapsed != 1 || q.Candidate.Renewed != 1 || q.Candidate.Lapsed != 0 || *q.Current.RenewalRate != 0 || *q.Candidate.RenewalRate != 1 {
			t.Errorf("2025Q2: current %+v, candidate %+v; want Ada lapsed, then renewed", q.Current, q.Candidate)
		}
		if len(res.Changes) != 1 || res.Changes[0].Name != "Ada Ambassador" || res.Changes[0].Current != "lapsed" || res.Changes[0].Candidate != "renewed" ||
			len(res.Changes[0].CarriedBy) != 2 || res.Changes[0].CarriedBy[0].Type != "forum" {
			t.Errorf("changes %+v", res.Changes)
		}
		for _, tt := range []struct{ body, want string }{
			{`{"quarters": 4}`, "criteria: the candidate criteria document is required"},
			{`{"criteria": "thresholds: {achieve: 1, maintain: 2}"}`, "maintain"},
			{`{"criteria": {}, "quarters": 49}`, "quarters: between 1 and 48, got 49"},
			{`{"criteria": {}, "from": "2025Q5"}`, "2025Q5"},
			{`{"criteria": {}, "from": "` + program.QuarterOf(time.Now(), time.UTC).String() + `", "quarters": 1}`, "has not ended"},
		} {
			if code, body := post(tt.body); code != http.StatusBadRequest || !strings.Contains(body, tt.want) {
				t.Errorf("%s: %d %s, want 400 saying %q", tt.body, code, body, tt.want)
			}
		}
	})
}

// whatIfProgram is seed's community under maintain 9, with Ada on a term
// from the roster since half a year before seed's activity.
func whatIfProgram(t *testing.T, st *store.Store) {
	t.Helper()
	ctx := context.Background()
	seed(t, st)
	if _, err := st.SaveCriteria(ctx, "timezone: UTC\nthresholds: {achieve: 10, maintain: 9}\n", "test"); err != nil {
		t.Fatal(err)
	}
	ada, err := st.FindMember(ctx, "github:ada")
	if err != nil {
		t.Fatal(err)
	}
	if err := st.StartTerm(ctx, &program.Term{MemberID: ada, Start: t0.AddDate(0, -6, 0), Via: program.ViaRoster, Reason: "roster"}, "test"); err != nil {
		t.Fatal(err)
	}
}

// TestWhatIfPage edits a draft on the criteria page: the page starts from
// the document in force; a draft with a problem is shown again with the
// problem named and nothing replayed; a valid one is replayed with its
// charts, Ada among those who gain and, achieve 8 below her 8.75, in its
// fairness view; saving it makes it version 2.
func TestWhatIfPage(t *testing.T) {
	st := storetest.SQLite(t)
	whatIfProgram(t, st)
	h, err := newServer(t, slog.New(slog.NewTextHandler(io.Discard, nil)), st)
	if err != nil {
		t.Fatal(err)
	}
	do := func(method, path string, form url.Values) (int, string) {
		req := httptest.NewRequest(method, path, strings.NewReader(form.Encode()))
		if method == "POST" {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec.Code, rec.Body.String() + rec.Header().Get("Location")
	}
	if code, body := do("GET", "/whatif", nil); code != 200 || !strings.Contains(body, "maintain: 9") || !strings.Contains(body, "(version 1)") {
		t.Errorf("GET /whatif: %d, want the document in force in the draft", code)
	}
	bad := "timezone: UTC\nthresholds: {achieve: 4, maintain: 5}\n"
	code, body := do("POST", "/whatif", url.Values{"draft": {bad}, "quarters": {"1"}, "from": {"2025Q2"}})
	if code != 400 || !strings.Contains(body, "thresholds.maintain") || !strings.Contains(body, "maintain: 5") || strings.Contains(body, "<svg") {
		t.Errorf("a bad draft: %d, want its problem named, the draft kept and nothing replayed:\n%s", code, body)
	}
	good := "timezone: UTC\nthresholds: {achieve: 8, maintain: 5}\n"
	code, body = do("POST", "/whatif", url.Values{"draft": {good}, "quarters": {"1"}, "from": {"2025Q2"}})
	gains := body[strings.Index(body, "Who gains"):strings.Index(body, "Who loses")]
	if code != 200 || strings.Count(body, "<svg") != 3 || !strings.Contains(gains, "Ada Ambassador") || !strings.Contains(gains, "forum 3.8 → 3.8") {
		t.Errorf("a good draft: %d, want three charts and Ada gaining:\n%s", code, body)
	}
	if !strings.Contains(body, "<td>maintain</td><td>9</td><td><strong>5</strong></td>") || !strings.Contains(body, "<td>forum points</td><td>1 a forum</td><td>1 a forum</td>") {
		t.Errorf("the criteria side by side: want maintain 9 against 5 and forum alike:\n%s", body)
	}
	fair := body[strings.Index(body, "Who qualifies at the last review"):strings.Index(body, "Who gains")]
	if !strings.Contains(fair, "0 qualify in force, 1 under the draft") || !strings.Contains(fair, "<td>speaking</td><td class=\"num\">0</td><td class=\"num\">1</td>") ||
		!strings.Contains(fair, "–% and 100.0% first took part") {
		t.Errorf("the fairness view: Ada qualifies under the draft only, carried by her talk, and was there from the start:\n%s", fair)
	}
	// The result as spreadsheets, from the buttons under the table.
	if !strings.Contains(body, `<button type="submit" name="list" value="changes">Changes as CSV</button>`) {
		t.Errorf("no CSV buttons under the table")
	}
	for _, tt := range []struct{ list, want string }{
		{"quarters", "quarter,side,active,qualifying,share,proposed,proposed_by_this_side_only,ambassadors,renewed,lapsed,excused,carried_over,renewal_rate,influence_hours_per_ambassador\n" +
			"2025Q2,in_force,"},
		{"changes", "quarter,member_id,name,in_force,candidate,score_in_force,score_candidate,carried_by\n2025Q2,1,Ada Ambassador,lapsed,renewed,"},
	} {
		req := httptest.NewRequest("POST", "/whatif", strings.NewReader(url.Values{"draft": {good}, "quarters": {"1"}, "from": {"2025Q2"}, "format": {"csv"}, "list": {tt.list}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != 200 || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/csv") || !strings.HasPrefix(rec.Body.String(), tt.want) ||
			strings.Count(rec.Body.String(), "\n") != map[string]int{"quarters": 3, "changes": 2}[tt.list] {
			t.Errorf("%s as CSV: %d %s\n%s", tt.list, rec.Code, rec.Header().Get("Content-Type"), rec.Body.String())
		}
	}
	if code, body := do("POST", "/whatif", url.Values{"draft": {good}, "format": {"csv"}, "list": {"people"}}); code != 400 || !strings.Contains(body, `list: quarters or changes, got &#34;people&#34;`) {
		t.Errorf("a CSV of nothing known: %d, want 400 naming the list", code)
	}
	// Achieve 3 would have had bob, with 3.2 points and no term, proposed.
	_, body = do("POST", "/whatif", url.Values{"draft": {"timezone: UTC\nthresholds: {achieve: 3, maintain: 2}\n"}, "quarters": {"1"}, "from": {"2025Q2"}})
	if proposed := body[strings.Index(body, "Proposed for invitation by one side only"):strings.Index(body, "Who qualifies at the last review")]; !strings.Contains(proposed,
		`<tr><td>2025Q2</td><td>–</td>`+"\n"+`<td><a href="/members/2">bob</a> (3.2)</td></tr>`) {
		t.Errorf("proposed by one side alone: want bob under the draft only:\n%s", proposed)
	}
	code, body = do("POST", "/whatif", url.Values{"action": {"calibrate"}, "draft": {good}, "quarters": {"1"}, "from": {"2025Q2"}, "decay": {"0.2:0.3"}})
	if code != 200 || !strings.Contains(body, "over 3 scorings") || strings.Count(body, "Replay it as the draft") != 5 || !strings.Contains(body, "maintain: 5") {
		t.Errorf("calibrate: %d, want five candidates over three scorings and the draft kept:\n%s", code, body)
	}
	if code, body := do("POST", "/whatif", url.Values{"action": {"calibrate"}, "draft": {good}, "decay": {"0.3:0.2"}}); code != 400 || !strings.Contains(body, "decay: MIN:MAX") {
		t.Errorf("calibrate with bad bounds: %d", code)
	}
	if code, loc := do("POST", "/criteria/versions", url.Values{"draft": {good}}); code != 303 || !strings.HasSuffix(loc, "/whatif?saved=2") {
		t.Errorf("save: %d %s", code, loc)
	}
	if doc, err := st.Criteria(context.Background(), 0); err != nil || doc.Version != 2 || doc.Document != good {
		t.Errorf("in force after the save: %+v, %v", doc, err)
	}
	if code, body := do("POST", "/criteria/versions", url.Values{"draft": {bad}}); code != 400 || !strings.Contains(body, "maintain") {
		t.Errorf("saving a bad draft: %d", code)
	}
}
