package server_test

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/cadrehq/cadre/account"
	"github.com/cadrehq/cadre/server"
	"github.com/cadrehq/cadre/standings"
	"github.com/cadrehq/cadre/store"
)

// newServer builds a server over st as cadre serve does (live standings
// opened first, the store's clock) and returns a handler that signs in as
// an administrator every request that comes with no credentials of its own:
// the door has tests of its own (auth_test.go), the handlers behind it these.
func newServer(t testing.TB, log *slog.Logger, st *store.Store, opts ...server.Option) (http.Handler, error) {
	t.Helper()
	h, err := newBareServer(t, log, st, opts...)
	if err != nil {
		return nil, err
	}
	cookie, token := signIn(t, st, "admin@example.org", account.Admin, 0)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") == "" && r.Header.Get("Cookie") == "" {
			if strings.HasPrefix(r.URL.Path, "/api/") {
				r.Header.Set("Authorization", "Bearer "+token)
			} else {
				r.AddCookie(cookie)
			}
		}
		h.ServeHTTP(w, r)
	}), nil
}

// newBareServer builds a server over st as cadre serve does, door shut.
func newBareServer(t testing.TB, log *slog.Logger, st *store.Store, opts ...server.Option) (*server.Server, error) {
	t.Helper()
	live, err := standings.Open(t.Context(), st, log)
	if err != nil {
		return nil, err
	}
	// The clock reads st.Now at each call, so that a test may move it.
	return server.New(log, st, live, append([]server.Option{server.WithClock(func() time.Time { return st.Now() })}, opts...)...)
}

// signIn creates an account with a role (an ambassador's for member) and
// returns a session cookie and a write token of it.
func signIn(t testing.TB, st *store.Store, email string, role account.Role, member int64) (*http.Cookie, string) {
	t.Helper()
	ctx := context.Background()
	u := &account.User{Email: email, Role: role, MemberID: member}
	if err := st.CreateUser(ctx, u, "test"); err != nil {
		t.Fatal(err)
	}
	ss, secret, err := account.NewSession(u.ID, st.Now())
	if err != nil {
		t.Fatal(err)
	}
	if err := st.SaveSession(ctx, ss); err != nil {
		t.Fatal(err)
	}
	tok, token, err := account.NewToken("test", u.ID, account.ScopeWrite, st.Now(), st.Now().AddDate(1, 0, 0))
	if err != nil {
		t.Fatal(err)
	}
	if err := st.CreateToken(ctx, tok, "test"); err != nil {
		t.Fatal(err)
	}
	return &http.Cookie{Name: "cadre_session", Value: secret}, token
}
