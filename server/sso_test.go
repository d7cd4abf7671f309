package server_test

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/oauth2-proxy/mockoidc"

	"github.com/cadrehq/cadre"
	"github.com/cadrehq/cadre/account"
	"github.com/cadrehq/cadre/server"
	"github.com/cadrehq/cadre/store"
	"github.com/cadrehq/cadre/store/storetest"
)

// fakeGitHub answers GitHub's OAuth and user endpoints with recorded
// responses (testdata/github): the authorize page sends the browser straight
// back, as GitHub does for an app already authorised.
func fakeGitHub(t *testing.T) *httptest.Server {
	t.Helper()
	user, err := os.ReadFile("testdata/github/user.json")
	if err != nil {
		t.Fatal(err)
	}
	tok, err := os.ReadFile("testdata/github/access_token.json")
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /login/oauth/authorize", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if q.Get("client_id") != "gh-client" || q.Get("code_challenge") == "" {
			http.Error(w, "bad authorize request", http.StatusBadRequest)
			return
		}
		back, _ := url.Parse(q.Get("redirect_uri"))
		back.RawQuery = url.Values{"code": {"a-code"}, "state": {q.Get("state")}}.Encode()
		http.Redirect(w, r, back.String(), http.StatusFound)
	})
	mux.HandleFunc("POST /login/oauth/access_token", func(w http.ResponseWriter, r *http.Request) {
		if r.FormValue("code") != "a-code" || r.FormValue("code_verifier") == "" {
			http.Error(w, "bad code", http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(tok)
	})
	mux.HandleFunc("GET /user", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer gho_16C7e42F292c6912E7710c838347Ae178B4a" {
			http.Error(w, `{"message": "Requires authentication"}`, http.StatusUnauthorized)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(user)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

// TestSingleSignOn signs staff in through a real OpenID provider started for
// the test, and an ambassador through GitHub's OAuth flow: accounts are made
// on first sign-in with the role the provider's groups give, and people the
// mapping does not cover, or GitHub accounts of no ambassador, are refused.
func TestSingleSignOn(t *testing.T) {
	storetest.Each(t, testSingleSignOn)
}

func testSingleSignOn(t *testing.T, s *store.Store) {
	ctx := context.Background()
	octo := cadre.Member{Name: "Mona", Status: cadre.StatusAmbassador, Emails: []string{"mona@example.org"}}
	if err := s.CreateMember(ctx, &octo, []cadre.Identity{{Platform: "github", Handle: "octocat", UserID: "1"}}); err != nil {
		t.Fatal(err)
	}
	provider, err := mockoidc.Run()
	if err != nil {
		t.Fatal(err)
	}
	defer provider.Shutdown()
	cfg := provider.Config()

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base, _ := url.Parse("http://" + ln.Addr().String())
	roles, err := account.ParseSSORoles("groups", "cadre-admins=admin,cadre-team=reviewer", "")
	if err != nil {
		t.Fatal(err)
	}
	o, err := server.NewOIDC(ctx, server.OIDCConfig{Issuer: provider.Issuer(), ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret,
		Scopes: []string{"groups"}, Roles: roles, BaseURL: base})
	if err != nil {
		t.Fatal(err)
	}
	gh := fakeGitHub(t)
	g, err := server.NewGitHubLogin(server.GitHubLoginConfig{ClientID: "gh-client", ClientSecret: "gh-secret", BaseURL: base, WebURL: gh.URL, APIURL: gh.URL})
	if err != nil {
		t.Fatal(err)
	}
	h, err := newBareServer(t, slog.New(slog.NewTextHandler(io.Discard, nil)), s, server.WithBaseURL(base), server.WithOIDC(o), server.WithGitHubLogin(g))
	if err != nil {
		t.Fatal(err)
	}
	srv := &httptest.Server{Listener: ln, Config: &http.Server{Handler: h}}
	srv.Start()
	defer srv.Close()

	browse := func(path string) (*http.Response, string) {
		t.Helper()
		jar, _ := cookiejar.New(nil)
		resp, err := (&http.Client{Jar: jar}).Get(base.String() + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp, string(body)
	}

	page, body := browse("/login")
	if page.StatusCode != 200 || !strings.Contains(body, `href="/login/oidc?next=%2f"`) || !strings.Contains(body, `href="/login/github?next=%2f"`) {
		t.Fatalf("login page offers no single sign-on:\n%s", body)
	}

	provider.QueueUser(&mockoidc.MockUser{Subject: "s1", Email: "jo@corp.example", EmailVerified: true, Groups: []string{"engineering", "cadre-team"}})
	resp, body := browse("/login/oidc?next=/leaderboard")
	if resp.StatusCode != 200 || resp.Request.URL.Path != "/leaderboard" || !strings.Contains(body, "Leaderboard") {
		t.Fatalf("staff sign-in ends at %s with %d:\n%.300s", resp.Request.URL, resp.StatusCode, body)
	}
	if u, err := s.UserByEmail(ctx, "jo@corp.example"); err != nil || u.Role != account.Reviewer || u.PasswordHash != "" {
		t.Errorf("account made by single sign-on: %+v, %v; want a reviewer without a password", u, err)
	}

	provider.QueueUser(&mockoidc.MockUser{Subject: "s2", Email: "eve@corp.example", EmailVerified: true, Groups: []string{"engineering"}})
	if resp, body := browse("/login/oidc"); resp.StatusCode != 403 || !strings.Contains(body, "ask an admin") {
		t.Errorf("sign-on without a mapped group: %d\n%.300s", resp.StatusCode, body)
	}
	if _, err := s.UserByEmail(ctx, "eve@corp.example"); cadre.ErrorCode(err) != cadre.ENOTFOUND {
		t.Errorf("an account was made for a person with no role: %v", err)
	}
	provider.QueueUser(&mockoidc.MockUser{Subject: "s3", Email: "unverified@corp.example", EmailVerified: false, Groups: []string{"cadre-admins"}})
	if resp, _ := browse("/login/oidc"); resp.StatusCode != 403 {
		t.Errorf("sign-on with an unverified email: %d", resp.StatusCode)
	}
	if resp, _ := browse("/login/oidc/callback?state=forged&code=x"); resp.StatusCode != 400 {
		t.Errorf("a callback that no sign-in began: %d, want 400", resp.StatusCode)
	}

	resp, body = browse("/login/github")
	if resp.StatusCode != 200 || resp.Request.URL.Path != "/portal" || !strings.Contains(body, "Mona") {
		t.Fatalf("ambassador sign-in ends at %s with %d:\n%.300s", resp.Request.URL, resp.StatusCode, body)
	}
	if u, err := s.UserByMember(ctx, octo.ID); err != nil || u.Role != account.Ambassador || u.Email != "mona@example.org" {
		t.Errorf("account made by GitHub sign-in: %+v, %v", u, err)
	}
	if err := s.SetMemberStatus(ctx, octo.ID, cadre.StatusMember, "test"); err != nil {
		t.Fatal(err)
	}
	if resp, body := browse("/login/github"); resp.StatusCode != 403 || !strings.Contains(body, "for ambassadors") {
		t.Errorf("GitHub sign-in of a plain member: %d\n%.300s", resp.StatusCode, body)
	}
}
