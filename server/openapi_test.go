package server_test

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/cadrehq/cadre/account"
	"github.com/cadrehq/cadre/store/storetest"
)

// loadOpenAPI fetches the document through the server's door with an API
// token, and loads it with every $ref resolved.
func loadOpenAPI(t *testing.T, h http.Handler, token string) *openapi3.T {
	t.Helper()
	req := httptest.NewRequest("GET", "/api/v1/openapi.json", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != "application/json" {
		t.Fatalf("GET /api/v1/openapi.json: %d %s: %s", rec.Code, rec.Header().Get("Content-Type"), rec.Body)
	}
	doc, err := openapi3.NewLoader().LoadFromData(rec.Body.Bytes())
	if err != nil {
		t.Fatalf("load the document: %v", err)
	}
	return doc
}

// operations lists the document's operations as "METHOD path", the form of
// routes.go's patterns.
func operations(doc *openapi3.T) map[string]*openapi3.Operation {
	ops := map[string]*openapi3.Operation{}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			ops[method+" "+path] = op
		}
	}
	return ops
}

// TestOpenAPI checks that the document served at /api/v1/openapi.json is
// valid OpenAPI 3 and names exactly the operations routes.go registers
// under /api/v1, each with the JSON shape of its success.
func TestOpenAPI(t *testing.T) {
	st := storetest.SQLite(t)
	srv, err := newBareServer(t, slog.New(slog.NewTextHandler(io.Discard, nil)), st)
	if err != nil {
		t.Fatal(err)
	}
	_, token := signIn(t, st, "admin@example.org", account.Admin, 0)
	doc := loadOpenAPI(t, srv, token)
	if err := doc.Validate(t.Context()); err != nil {
		t.Fatalf("the document is not valid OpenAPI: %v", err)
	}

	documented := operations(doc)
	routed := map[string]bool{}
	for _, r := range srv.Routes() {
		method, path, ok := strings.Cut(r.Pattern, " ")
		if !ok {
			method, path = "", r.Pattern
		}
		if !strings.HasPrefix(path, "/api/v1/") {
			continue
		}
		if method == "" {
			t.Errorf("route %q takes every method: give it one that the document can name", r.Pattern)
		}
		routed[method+" "+path] = true
	}
	if len(routed) == 0 {
		t.Fatal("no route under /api/v1")
	}
	for _, op := range slices.Sorted(maps.Keys(routed)) {
		if documented[op] == nil {
			t.Errorf("routes.go serves %s, which openapi.json does not document", op)
		}
	}
	for _, op := range slices.Sorted(maps.Keys(documented)) {
		if !routed[op] {
			t.Errorf("openapi.json documents %s, which routes.go does not serve", op)
			continue
		}
		if successSchema(documented[op]) == nil {
			t.Errorf("openapi.json gives %s no 2xx answer with an application/json schema", op)
		}
	}
}

// successSchema returns the schema of an operation's first 2xx answer.
func successSchema(op *openapi3.Operation) *openapi3.Schema {
	for _, code := range slices.Sorted(maps.Keys(op.Responses.Map())) {
		if !strings.HasPrefix(code, "2") {
			continue
		}
		if mt := op.Responses.Value(code).Value.Content.Get("application/json"); mt != nil && mt.Schema != nil {
			return mt.Schema.Value
		}
	}
	return nil
}

// TestOpenAPIResponses calls every documented operation over a seeded store
// and checks that each answer, success or error, has a documented status
// and the JSON shape the document gives it: the document is written by hand,
// the shapes are json.go's.
func TestOpenAPIResponses(t *testing.T) {
	st := storetest.SQLite(t)
	seed(t, st)
	srv, err := newBareServer(t, slog.New(slog.NewTextHandler(io.Discard, nil)), st)
	if err != nil {
		t.Fatal(err)
	}
	_, token := signIn(t, st, "admin@example.org", account.Admin, 0)
	doc := loadOpenAPI(t, srv, token)
	called := map[string]bool{}

	// call sends a request as the administrator, checks its answer against
	// the document's operation for template, and returns the decoded body.
	call := func(method, template, path, body string, want int) map[string]any {
		t.Helper()
		var rd io.Reader
		if body != "" {
			checkBody(t, doc, method, template, body)
			rd = strings.NewReader(body)
		}
		req := httptest.NewRequest(method, path, rd)
		req.Header.Set("Authorization", "Bearer "+token)
		if method != http.MethodGet {
			req.Header.Set("Content-Type", "application/json")
		}
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		if rec.Code != want {
			t.Fatalf("%s %s: %d, want %d: %s", method, path, rec.Code, want, rec.Body)
		}
		called[method+" "+template] = true
		check(t, doc, method, template, rec)
		var v any
		if err := json.Unmarshal(rec.Body.Bytes(), &v); err != nil {
			t.Fatal(err)
		}
		m, _ := v.(map[string]any)
		return m
	}

	members := call("GET", "/api/v1/members", "/api/v1/members", "", 200)
	ids := map[string]int64{}
	for _, m := range members["items"].([]any) {
		m := m.(map[string]any)
		ids[m["name"].(string)] = int64(m["id"].(float64))
	}
	ada, bob, cy := ids["Ada Ambassador"], ids["bob"], ids["cy"]
	if ada == 0 || bob == 0 || cy == 0 {
		t.Fatalf("members = %v", ids)
	}
	call("GET", "/api/v1/members", "/api/v1/members?limit=5000", "", 400)
	call("GET", "/api/v1/members/{id}", fmt.Sprintf("/api/v1/members/%d", ada), "", 200)
	call("GET", "/api/v1/members/{id}", "/api/v1/members/999999", "", 404)
	call("GET", "/api/v1/members/{id}/score", fmt.Sprintf("/api/v1/members/%d/score?at=2025-04-15T00:00:00Z", ada), "", 200)
	call("GET", "/api/v1/activities", fmt.Sprintf("/api/v1/activities?member=%d", ada), "", 200)
	call("GET", "/api/v1/leaderboard", "/api/v1/leaderboard?at=2025-04-15", "", 200)
	call("GET", "/api/v1/leaderboard", "/api/v1/leaderboard?criteria=9", "", 404)
	call("GET", "/api/v1/sources", "/api/v1/sources", "", 200)
	call("GET", "/api/v1/program/share", "/api/v1/program/share?at=2025-04-15T00:00:00Z", "", 200)
	call("POST", "/api/v1/criteria/calibrate", "/api/v1/criteria/calibrate", `{"target": 0.5, "at": "2025-04-15T00:00:00Z"}`, 200)
	call("POST", "/api/v1/whatif", "/api/v1/whatif", `{"criteria": {"thresholds": {"achieve": 2, "maintain": 1}}, "quarters": 4, "from": "2025Q1"}`, 200)
	call("POST", "/api/v1/whatif", "/api/v1/whatif", `{"criteria": "thresholds: {achieve: 1, maintain: 2}"}`, 400)
	call("GET", "/api/v1/program/health", "/api/v1/program/health?quarter=2025Q1", "", 200)
	call("GET", "/api/v1/program/health", "/api/v1/program/health?quarter=2025Q9", "", 400)
	call("GET", "/api/v1/program/renewal", "/api/v1/program/renewal?quarter=2025Q1", "", 200)
	call("GET", "/api/v1/members/{id}/terms", fmt.Sprintf("/api/v1/members/%d/terms", ada), "", 200)
	call("GET", "/api/v1/members/{id}/terms", "/api/v1/members/999999/terms", "", 404)

	report := fmt.Sprintf(`{"member_id": %d, "type": "speaking", "date": "2025-05-14", "title": "Scaling Cadre", "url": "https://conf.example/talks/42", "effort_minutes": 240}`, ada)
	act := call("POST", "/api/v1/reports", "/api/v1/reports", report, 201)
	call("POST", "/api/v1/reports", "/api/v1/reports", report, 409)
	bulk := fmt.Sprintf(`[{"member_id": %d, "type": "mentoring", "date": "2025-05-20", "title": "Office hours", "effort_minutes": 60},
		{"member_id": %d, "type": "speaking", "date": "2025-05-21", "title": "Cadre at the meetup", "url": "https://meetup.example/9"}]`, ada, bob)
	call("POST", "/api/v1/reports/bulk", "/api/v1/reports/bulk", bulk, 201)
	call("POST", "/api/v1/reports/bulk", "/api/v1/reports/bulk", fmt.Sprintf(`[{"member_id": %d, "type": "mentoring", "date": "2025-05-22", "title": "x"}, {"member_id": %d, "type": "keynote", "date": "2025-05-22", "title": "y"}]`, ada, ada), 400)
	call("POST", "/api/v1/reports/bulk", "/api/v1/reports/bulk", bulk, 409)
	call("GET", "/api/v1/reports", "/api/v1/reports", "", 200)
	review := fmt.Sprintf("/api/v1/reports/%d/review", int64(act["id"].(float64)))
	call("POST", "/api/v1/reports/{id}/review", review, `{"decision": "approve"}`, 200)
	call("POST", "/api/v1/reports/{id}/review", review, `{"decision": "approve"}`, 409)

	call("GET", "/api/v1/merge-suggestions", "/api/v1/merge-suggestions", "", 200)
	merge := call("POST", "/api/v1/merges", "/api/v1/merges", fmt.Sprintf(`{"from": %d, "into": %d, "reason": "test"}`, cy, bob), 201)
	call("GET", "/api/v1/members/{id}", fmt.Sprintf("/api/v1/members/%d", cy), "", 200)
	call("POST", "/api/v1/merges/{id}/undo", merge["undo"].(string), `{"reason": "two people"}`, 200)
	call("POST", "/api/v1/merges/{id}/undo", merge["undo"].(string), `{"reason": "two people"}`, 409)

	call("GET", "/api/v1/openapi.json", "/api/v1/openapi.json", "", 200)
	tok := call("POST", "/api/v1/tokens", "/api/v1/tokens", `{"name": "nightly export", "scope": "read", "expires": "2099-01-01"}`, 201)
	call("GET", "/api/v1/tokens", "/api/v1/tokens", "", 200)
	revoke := fmt.Sprintf("/api/v1/tokens/%d", int64(tok["id"].(float64)))
	call("DELETE", "/api/v1/tokens/{id}", revoke, "", 200)
	call("DELETE", "/api/v1/tokens/{id}", revoke, "", 404)

	// The door's answers: no credentials, and a write that is not JSON.
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, httptest.NewRequest("GET", "/api/v1/members", nil))
	if rec.Code != http.StatusUnauthorized {
		t.Fatalf("anonymous GET /api/v1/members: %d", rec.Code)
	}
	check(t, doc, "GET", "/api/v1/members", rec)
	req := httptest.NewRequest("POST", "/api/v1/merges", strings.NewReader(`{}`))
	req.Header.Set("Authorization", "Bearer "+token)
	rec = httptest.NewRecorder()
	srv.ServeHTTP(rec, req)
	if rec.Code != http.StatusUnsupportedMediaType {
		t.Fatalf("POST /api/v1/merges without Content-Type: %d", rec.Code)
	}
	check(t, doc, "POST", "/api/v1/merges", rec)

	for _, op := range slices.Sorted(maps.Keys(operations(doc))) {
		if !called[op] {
			t.Errorf("%s is documented but not called here: add a call", op)
		}
	}
}

// check verifies that an answer's status is one the document gives the
// operation and that its body has the documented shape.
func check(t *testing.T, doc *openapi3.T, method, template string, rec *httptest.ResponseRecorder) {
	t.Helper()
	item := doc.Paths.Value(template)
	if item == nil || item.GetOperation(method) == nil {
		t.Fatalf("openapi.json has no %s %s", method, template)
	}
	ref := item.GetOperation(method).Responses.Status(rec.Code)
	if ref == nil {
		t.Fatalf("%s %s answered %d, which openapi.json does not document", method, template, rec.Code)
	}
	mt := ref.Value.Content.Get(rec.Header().Get("Content-Type"))
	if mt == nil || mt.Schema == nil {
		t.Fatalf("%s %s answered %d as %s, which openapi.json gives no schema", method, template, rec.Code, rec.Header().Get("Content-Type"))
	}
	var v any
	if err := json.Unmarshal(rec.Body.Bytes(), &v); err != nil {
		t.Fatalf("%s %s: %v", method, template, err)
	}
	if err := mt.Schema.Value.VisitJSON(v, openapi3.VisitAsResponse(), openapi3.MultiErrors()); err != nil {
		t.Errorf("%s %s answered %d unlike openapi.json: %v\n%s", method, template, rec.Code, err, rec.Body)
	}
}

// checkBody verifies that a request body the server takes has the shape the
// document gives the operation's body.
func checkBody(t *testing.T, doc *openapi3.T, method, template, body string) {
	t.Helper()
	item := doc.Paths.Value(template)
	if item == nil || item.GetOperation(method) == nil || item.GetOperation(method).RequestBody == nil {
		t.Fatalf("openapi.json gives %s %s no request body", method, template)
	}
	mt := item.GetOperation(method).RequestBody.Value.Content.Get("application/json")
	if mt == nil || mt.Schema == nil {
		t.Fatalf("openapi.json gives the body of %s %s no application/json schema", method, template)
	}
	var v any
	if err := json.Unmarshal([]byte(body), &v); err != nil {
		t.Fatal(err)
	}
	if err := mt.Schema.Value.VisitJSON(v, openapi3.VisitAsRequest(), openapi3.MultiErrors()); err != nil {
		t.Errorf("the body of %s %s is unlike openapi.json: %v\n%s", method, template, err, body)
	}
}
