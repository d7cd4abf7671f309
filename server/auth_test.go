package server_test

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/cadrehq/cadre"
	"github.com/cadrehq/cadre/account"
	"github.com/cadrehq/cadre/server"
	"github.com/cadrehq/cadre/store"
	"github.com/cadrehq/cadre/store/storetest"
	"github.com/oauth2-proxy/mockoidc"
)

// who may use each route, written out here rather than read from the
// server: "public", the roles allowed, and "own" when an ambassador may use
// it about themselves. A route the server has and this table lacks fails
// the test, and so does one this table has and the server lacks.
var access = map[string]string{
	"GET /static/":                     "public",
	"GET /healthz":                     "public",
	"GET /login":                       "public",
	"POST /login":                      "public",
	"POST /login/demo":                 "public",
	"GET /criteria":                    "public",
	"GET /apply":                       "public",
	"POST /apply":                      "public",
	"GET /application/{secret}":        "public",
	"POST /application/{secret}":       "public",
	"GET /invitation/{secret}":         "public",
	"POST /invitation/{secret}":        "public",
	"GET /survey/{secret}":             "public",
	"POST /survey/{secret}":            "public",
	"/":                                "public",
	"POST /webhooks/github":            "public",
	"POST /webhooks/discourse":         "public",
	"GET /login/oidc":                  "public",
	"GET /login/oidc/callback":         "public",
	"GET /login/github":                "public",
	"GET /login/github/callback":       "public",
	"POST /logout":                     "admin reviewer viewer ambassador",
	"GET /{$}":                         "admin reviewer viewer",
	"GET /leaderboard":                 "admin reviewer viewer",
	"GET /members/{id}":                "admin reviewer viewer own",
	"POST /members/{id}/terms":         "admin",
	"GET /review":                      "admin reviewer",
	"GET /sources":                     "admin reviewer viewer",
	"GET /renewal":                     "admin reviewer viewer",
	"GET /health":                      "admin reviewer viewer",
	"GET /applications":                "admin reviewer",
	"POST /applications":               "admin reviewer",
	"GET /invitations":                 "admin reviewer viewer",
	"POST /invitations":                "admin",
	"POST /renewal":                    "admin",
	"GET /portal":                      "admin reviewer viewer ambassador",
	"POST /portal/report":              "admin reviewer ambassador",
	"POST /portal/survey":              "admin reviewer ambassador",
	"GET /surveys":                     "admin reviewer viewer",
	"POST /surveys":                    "admin",
	"GET /rewards":                     "admin reviewer viewer",
	"POST /rewards":                    "admin",
	"GET /sessions":                    "admin reviewer viewer",
	"POST /sessions":                   "admin",
	"GET /feedback":                    "admin ambassador",
	"POST /feedback":                   "admin ambassador",
	"GET /commitments":                 "admin reviewer viewer ambassador",
	"GET /roster":                      "admin reviewer viewer",
	"POST /roster":                     "admin",
	"GET /webhooks":                    "admin",
	"POST /webhooks":                   "admin",
	"GET /outbox":                      "admin",
	"POST /outbox":                     "admin",
	"GET /tokens":                      "admin reviewer viewer ambassador",
	"POST /tokens":                     "admin reviewer viewer ambassador",
	"GET /api/v1/members":              "admin reviewer viewer",
	"GET /api/v1/members/{id}":         "admin reviewer viewer own",
	"GET /api/v1/members/{id}/score":   "admin reviewer viewer own",
	"GET /api/v1/activities":           "admin reviewer viewer own",
	"GET /api/v1/leaderboard":          "admin reviewer viewer",
	"GET /api/v1/sources":              "admin reviewer viewer",
	"GET /api/v1/program/share":        "admin reviewer viewer",
	"POST /api/v1/criteria/calibrate":  "admin reviewer viewer",
	"POST /api/v1/whatif":              "admin reviewer viewer",
	"GET /whatif":                      "admin reviewer viewer",
	"POST /whatif":                     "admin reviewer viewer",
	"POST /criteria/versions":          "admin",
	"GET /api/v1/program/health":       "admin reviewer viewer",
	"GET /api/v1/program/renewal":      "admin reviewer viewer",
	"GET /api/v1/members/{id}/terms":   "admin reviewer viewer own",
	"POST /api/v1/reports":             "admin reviewer ambassador",
	"POST /api/v1/reports/bulk":        "admin reviewer ambassador",
	"GET /api/v1/reports":              "admin reviewer",
	"POST /api/v1/reports/{id}/review": "admin reviewer",
	"GET /api/v1/merge-suggestions":    "admin reviewer",
	"POST /api/v1/merges":              "admin reviewer",
	"POST /api/v1/merges/{id}/undo":    "admin reviewer",
	"GET /api/v1/openapi.json":         "admin reviewer viewer ambassador",
	"GET /api/v1/tokens":               "admin reviewer viewer ambassador",
	"POST /api/v1/tokens":              "admin reviewer viewer ambassador",
	"DELETE /api/v1/tokens/{id}":       "admin reviewer viewer ambassador",
}

// caller is one way of asking: anonymous, or an account of a role by
// session (pages) or token (API).
type caller struct {
	name   string
	role   account.Role // "" for anonymous
	cookie *http.Cookie
	token  string
}

// TestAuthorization asks every route as every role and as nobody, on both
// databases: anonymous pages go to the login page, anonymous API calls get
// 401, a role without the right gets 403, and one with it gets past the
// door (whatever the handler then answers).
func TestAuthorization(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		seed(t, s)
		ctx := context.Background()
		ms, _, err := s.Members(ctx, cadre.MemberFilter{Query: "Ada"})
		if err != nil || len(ms) != 1 {
			t.Fatal(ms, err)
		}
		ada := ms[0].ID
		others, _, err := s.Members(ctx, cadre.MemberFilter{Query: "bob"})
		if err != nil || len(others) != 1 {
			t.Fatal(others, err)
		}
		bob := others[0].ID
		// Every optional route switched on: demo sign-in, single sign-on
		// with a real provider, and GitHub's.
		provider, err := mockoidc.Run()
		if err != nil {
			t.Fatal(err)
		}
		defer provider.Shutdown()
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		base, _ := url.Parse("http://" + ln.Addr().String())
		o, err := server.NewOIDC(ctx, server.OIDCConfig{Issuer: provider.Issuer(), ClientID: provider.Config().ClientID,
			ClientSecret: provider.Config().ClientSecret, BaseURL: base})
		if err != nil {
			t.Fatal(err)
		}
		g, err := server.NewGitHubLogin(server.GitHubLoginConfig{ClientID: "c", ClientSecret: "s", BaseURL: base, WebURL: "http://127.0.0.1:1", APIURL: "http://127.0.0.1:1"})
		if err != nil {
			t.Fatal(err)
		}
		h, err := newBareServer(t, slog.New(slog.NewTextHandler(io.Discard, nil)), s, server.WithBaseURL(base), server.WithOIDC(o), server.WithGitHubLogin(g),
			server.WithDemoLogins([]server.DemoLogin{{Email: "admin@example.org", Role: account.Admin}}))
		if err != nil {
			t.Fatal(err)
		}
		srv := &httptest.Server{Listener: ln, Config: &http.Server{Handler: h}}
		srv.Start()
		defer srv.Close()

		var routes []string
		for _, rt := range h.Routes() {
			routes = append(routes, rt.Pattern)
			if _, ok := access[rt.Pattern]; !ok {
				t.Errorf("route %s has no row in the test's access table: say who may use it", rt.Pattern)
			}
		}
		for pattern := range access {
			if !slices.Contains(routes, pattern) {
				t.Errorf("the access table names %s, which the server does not have", pattern)
			}
		}

		callers := []caller{{name: "anonymous"}}
		for _, role := range account.Roles {
			member := int64(0)
			if role == account.Ambassador {
				member = ada
			}
			cookie, token := signIn(t, s, string(role)+"@example.org", role, member)
			callers = append(callers, caller{name: string(role), role: role, cookie: cookie, token: token})
		}

		// Signing out ends the callers' sessions: it goes last.
		slices.SortStableFunc(routes, func(a, b string) int {
			return map[bool]int{true: 1, false: 0}[a == "POST /logout"] - map[bool]int{true: 1, false: 0}[b == "POST /logout"]
		})
		noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		for _, pattern := range routes {
			method, path, found := strings.Cut(pattern, " ")
			if !found {
				method, path = "GET", pattern+"nowhere" // a path no other route takes
			}
			api := strings.HasPrefix(path, "/api/")
			// Ask about Ada (the ambassador's own member) and about Bob.
			abouts := []int64{ada, bob}
			if !strings.Contains(path, "{id}") && path != "/api/v1/activities" {
				abouts = abouts[:1]
			}
			for _, about := range abouts {
				target := strings.ReplaceAll(strings.TrimSuffix(path, "{$}"), "{id}", strconv.FormatInt(about, 10))
				switch path {
				case "/api/v1/activities":
					target += "?member=" + strconv.FormatInt(about, 10)
				case "/api/v1/tokens/{id}":
					// No such token: revoking a caller's own would shut it out.
					target = "/api/v1/tokens/999999"
				}
				jsonBody := `{}`
				switch path {
				case "/api/v1/reports":
					// Past the door, an ambassador may report for themselves only.
					jsonBody = `{"member_id": ` + strconv.FormatInt(ada, 10) + `}`
				case "/api/v1/reports/bulk":
					jsonBody = `[{"member_id": ` + strconv.FormatInt(ada, 10) + `}]`
				}
				for _, c := range callers {
					var body io.Reader
					req, _ := http.NewRequest(method, srv.URL+target, body)
					if method != "GET" {
						if api {
							req, _ = http.NewRequest(method, srv.URL+target, strings.NewReader(jsonBody))
							req.Header.Set("Content-Type", "application/json")
						} else {
							req, _ = http.NewRequest(method, srv.URL+target, strings.NewReader(url.Values{"action": {"none"}}.Encode()))
							req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
						}
					}
					if c.role != "" {
						if api {
							req.Header.Set("Authorization", "Bearer "+c.token)
						} else {
							req.AddCookie(c.cookie)
						}
					}
					resp, err := noRedirect.Do(req)
					if err != nil {
						t.Fatal(err)
					}
					resp.Body.Close()
					rule := " " + access[pattern] + " "
					allowed := strings.Contains(rule, " public ") || c.role != "" && strings.Contains(rule, " "+string(c.role)+" ") ||
						c.role == account.Ambassador && about == ada && strings.Contains(rule, " own ")
					got := resp.StatusCode
					where := pattern + " about member " + strconv.FormatInt(about, 10) + " as " + c.name
					toLogin := got == 303 && strings.HasPrefix(resp.Header.Get("Location"), "/login?")
					switch {
					case strings.Contains(rule, " public "):
						// Its own answer (a wrong password is 401, say), but
						// never sent to sign in.
						if toLogin || got == 401 && resp.Header.Get("WWW-Authenticate") != "" {
							t.Errorf("%s: %d, a public route asks to sign in", where, got)
						}
					case allowed && (got == 401 || got == 403 || toLogin):
						t.Errorf("%s: %d, want through the door", where, got)
					case !allowed && c.role == "" && api && got != 401:
						t.Errorf("%s: %d, want 401", where, got)
					case !allowed && c.role == "" && !api && (got != 303 || !strings.HasPrefix(resp.Header.Get("Location"), "/login?next=")):
						t.Errorf("%s: %d to %q, want 303 to the login page", where, got, resp.Header.Get("Location"))
					case !allowed && c.role != "" && got != 403 && !(pattern == "GET /{$}" && c.role == account.Ambassador && got == 303):
						t.Errorf("%s: %d, want 403", where, got)
					}
				}
			}
		}
	})
}

// TestViewerSeesNoEmails: a viewer reads members without their addresses
// and cannot find a member by one; a reviewer can, and an ambassador sees
// their own.
func TestViewerSeesNoEmails(t *testing.T) {
	s := storetest.SQLite(t)
	seed(t, s)
	h, err := newBareServer(t, slog.New(slog.NewTextHandler(io.Discard, nil)), s)
	if err != nil {
		t.Fatal(err)
	}
	ms, _, err := s.Members(context.Background(), cadre.MemberFilter{Query: "Ada"})
	if err != nil || len(ms) != 1 {
		t.Fatal(ms, err)
	}
	ada := strconv.FormatInt(ms[0].ID, 10)
	tokens := map[account.Role]string{}
	for _, role := range []account.Role{account.Viewer, account.Reviewer, account.Ambassador} {
		member := int64(0)
		if role == account.Ambassador {
			member = ms[0].ID
		}
		_, tokens[role] = signIn(t, s, string(role)+"@example.org", role, member)
	}
	ask := func(role account.Role, path string) string {
		req := httptest.NewRequest("GET", path, nil)
		req.Header.Set("Authorization", "Bearer "+tokens[role])
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != 200 {
			t.Fatalf("%s %s: %d %s", role, path, rec.Code, rec.Body)
		}
		return rec.Body.String()
	}
	tests := []struct {
		role       account.Role
		path, want string
		emails     bool
	}{
		{account.Viewer, "/api/v1/members", `"Ada Ambassador"`, false},
		{account.Viewer, "/api/v1/members/" + ada, `"Ada Ambassador"`, false},
		{account.Viewer, "/api/v1/members?q=ada%40example", `"total": 0`, false},
		{account.Reviewer, "/api/v1/members?q=ada%40example", `"total": 1`, true},
		{account.Ambassador, "/api/v1/members/" + ada, `"Ada Ambassador"`, true},
	}
	for _, tt := range tests {
		body := ask(tt.role, tt.path)
		if !strings.Contains(body, tt.want) || strings.Contains(body, "ada@example.org") != tt.emails {
			t.Errorf("%s %s: want %s, emails shown %v:\n%s", tt.role, tt.path, tt.want, tt.emails, body)
		}
	}
}
