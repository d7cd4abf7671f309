package server_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/cadrehq/cadre"
	"github.com/cadrehq/cadre/account"
	"github.com/cadrehq/cadre/server"
	"github.com/cadrehq/cadre/store"
	"github.com/cadrehq/cadre/store/storetest"
)

var noRedirect = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

func login(t *testing.T, base, email, password, next string) *http.Response {
	t.Helper()
	resp, err := noRedirect.PostForm(base+"/login", url.Values{"email": {email}, "password": {password}, "next": {next}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}

func get(t *testing.T, u string, cookie *http.Cookie) *http.Response {
	t.Helper()
	req, _ := http.NewRequest("GET", u, nil)
	if cookie != nil {
		req.AddCookie(cookie)
	}
	resp, err := noRedirect.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}

// TestLoginAndLogout signs in with the form, uses the session, signs out
// and finds the session ended on the server, not only forgotten by the
// browser; wrong passwords are counted and then refused for a while.
func TestLoginAndLogout(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		hash, err := account.HashPassword("a long enough password")
		if err != nil {
			t.Fatal(err)
		}
		if err := s.CreateUser(ctx, &account.User{Email: "pm@example.org", Role: account.Reviewer, PasswordHash: hash}, "test"); err != nil {
			t.Fatal(err)
		}
		h, err := newBareServer(t, slog.New(slog.NewTextHandler(io.Discard, nil)), s)
		if err != nil {
			t.Fatal(err)
		}
		srv := httptest.NewServer(h)
		defer srv.Close()

		resp := login(t, srv.URL, "PM@example.org", "a long enough password", "/leaderboard")
		if resp.StatusCode != 303 || resp.Header.Get("Location") != "/leaderboard" {
			t.Fatalf("sign-in: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
		}
		var cookie *http.Cookie
		for _, c := range resp.Cookies() {
			if c.Name == "cadre_session" {
				cookie = c
			}
		}
		if cookie == nil || !cookie.HttpOnly || cookie.SameSite != http.SameSiteLaxMode || cookie.Secure {
			t.Fatalf("session cookie %+v: want HttpOnly, SameSite=Lax, not Secure over plain HTTP", cookie)
		}
		if got := get(t, srv.URL+"/leaderboard", cookie); got.StatusCode != 200 {
			t.Errorf("signed-in page: %d", got.StatusCode)
		}
		// A link elsewhere is not followed after sign-in.
		if resp := login(t, srv.URL, "pm@example.org", "a long enough password", "//evil.example/x"); resp.Header.Get("Location") != "/" {
			t.Errorf("next=//evil.example/x sends to %q", resp.Header.Get("Location"))
		}

		req, _ := http.NewRequest("POST", srv.URL+"/logout", nil)
		req.AddCookie(cookie)
		if resp, err := noRedirect.Do(req); err != nil || resp.StatusCode != 303 {
			t.Fatalf("sign-out: %v %v", resp, err)
		}
		if got := get(t, srv.URL+"/leaderboard", cookie); got.StatusCode != 303 || !strings.HasPrefix(got.Header.Get("Location"), "/login") {
			t.Errorf("the old cookie after sign-out: %d to %q, want the login page", got.StatusCode, got.Header.Get("Location"))
		}

		for i := range account.MaxFailures {
			if resp := login(t, srv.URL, "pm@example.org", "wrong password!", "/"); resp.StatusCode != 401 {
				t.Fatalf("wrong password %d: %d, want 401", i+1, resp.StatusCode)
			}
		}
		if resp := login(t, srv.URL, "pm@example.org", "a long enough password", "/"); resp.StatusCode != 429 {
			t.Errorf("after %d failures the right password: %d, want 429", account.MaxFailures, resp.StatusCode)
		}
		if resp := login(t, srv.URL, "nobody@example.org", "whatever it is", "/"); resp.StatusCode != 429 {
			t.Errorf("another account from the same address: %d, want 429", resp.StatusCode)
		}
	})
}

// TestDoor checks what every request passes before its route: token scope,
// the JSON content type of API writes, cross-origin writes from a browser,
// and the Host when a base URL is set; and that the audit log names the
// account, not a header.
func TestDoor(t *testing.T) {
	s := storetest.SQLite(t)
	seed(t, s)
	ctx := context.Background()
	base, _ := url.Parse("https://cadre.example.org")
	h, err := newBareServer(t, slog.New(slog.NewTextHandler(io.Discard, nil)), s, server.WithBaseURL(base))
	if err != nil {
		t.Fatal(err)
	}
	u := &account.User{Email: "rev@example.org", Role: account.Reviewer}
	if err := s.CreateUser(ctx, u, "test"); err != nil {
		t.Fatal(err)
	}
	tokens := map[account.Scope]string{}
	for _, scope := range []account.Scope{account.ScopeRead, account.ScopeWrite} {
		tok, secret, err := account.NewToken(string(scope), u.ID, scope, s.Now(), s.Now().AddDate(0, 1, 0))
		if err != nil {
			t.Fatal(err)
		}
		if err := s.CreateToken(ctx, tok, "test"); err != nil {
			t.Fatal(err)
		}
		tokens[scope] = secret
	}
	ss, sessionSecret, err := account.NewSession(u.ID, s.Now())
	if err != nil || s.SaveSession(ctx, ss) != nil {
		t.Fatal(err)
	}
	report := `{"member_id": 1, "type": "mentoring", "date": "2025-02-01", "title": "Office hours"}`
	tests := []struct {
		name    string
		method  string
		path    string
		host    string
		headers map[string]string
		body    string
		want    int
	}{
		{"read token reads", "GET", "/api/v1/members", "cadre.example.org", map[string]string{"Authorization": "Bearer " + tokens[account.ScopeRead]}, "", 200},
		{"read token never writes", "POST", "/api/v1/reports", "cadre.example.org", map[string]string{"Authorization": "Bearer " + tokens[account.ScopeRead], "Content-Type": "application/json"}, report, 403},
		{"write token writes", "POST", "/api/v1/reports", "cadre.example.org", map[string]string{"Authorization": "Bearer " + tokens[account.ScopeWrite], "Content-Type": "application/json"}, report, 201},
		{"unknown token", "GET", "/api/v1/members", "cadre.example.org", map[string]string{"Authorization": "Bearer cadre_nope"}, "", 401},
		{"API write as a form", "POST", "/api/v1/reports", "cadre.example.org", map[string]string{"Authorization": "Bearer " + tokens[account.ScopeWrite], "Content-Type": "application/x-www-form-urlencoded"}, report, 415},
		{"API write without a type", "POST", "/api/v1/reports", "cadre.example.org", map[string]string{"Authorization": "Bearer " + tokens[account.ScopeWrite]}, report, 415},
		{"cross-site browser write", "POST", "/api/v1/reports", "cadre.example.org", map[string]string{"Cookie": "cadre_session=" + sessionSecret, "Content-Type": "application/json", "Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"}, report, 403},
		{"cross-origin form to sign out", "POST", "/logout", "cadre.example.org", map[string]string{"Cookie": "cadre_session=" + sessionSecret, "Origin": "https://evil.example"}, "", 403},
		{"same-origin browser read", "GET", "/leaderboard", "cadre.example.org", map[string]string{"Cookie": "cadre_session=" + sessionSecret, "Sec-Fetch-Site": "same-origin"}, "", 200},
		{"rebound host", "GET", "/api/v1/members", "evil.example", map[string]string{"Authorization": "Bearer " + tokens[account.ScopeRead]}, "", 421},
		{"rebound host, health", "GET", "/healthz", "10.0.0.7:8080", nil, "", 200},
		{"a session is no API token on pages", "GET", "/leaderboard", "cadre.example.org", map[string]string{"Authorization": "Bearer " + tokens[account.ScopeRead]}, "", 303},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(tt.method, "https://"+tt.host+tt.path, strings.NewReader(tt.body))
			for k, v := range tt.headers {
				req.Header.Set(k, v)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != tt.want {
				t.Errorf("%d, want %d: %s", rec.Code, tt.want, rec.Body.String())
			}
		})
	}
	entries, err := s.AuditLog(ctx, "", 10)
	if err != nil {
		t.Fatal(err)
	}
	var reported []string
	for _, e := range entries {
		if e.Action == "activity.report" {
			reported = append(reported, e.Actor)
		}
	}
	if len(reported) != 1 || reported[0] != "rev@example.org (token 2)" {
		t.Errorf("the report's audit actors are %q, want the write token's account", reported)
	}
	if _, n, _ := s.Activities(ctx, cadre.ActivityFilter{Source: cadre.SelfReportSource}); n != 1 {
		t.Errorf("%d self-reports stored, want only the write token's", n)
	}
}
