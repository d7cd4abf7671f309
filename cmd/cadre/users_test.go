package main

import (
	"context"
	"log/slog"
	"strings"
	"testing"

	"github.com/cadrehq/cadre/account"
	"github.com/cadrehq/cadre/store"
)

// TestUsersAndTokens manages accounts and tokens as an operator would,
// password on standard input, and checks what the store then holds.
func TestUsersAndTokens(t *testing.T) {
	db := migrated(t)
	ctx := context.Background()
	steps := []struct {
		args   []string
		stdin  string
		code   int
		stdout string
		stderr string
	}{
		{[]string{"users", "--db", db}, "", exitOK, "", "no accounts yet"},
		{[]string{"users", "add", "--db", db, "--email", "Ada@Example.org", "--role", "admin"}, "a long enough password\n", exitOK, "", "added ada@example.org as admin"},
		{[]string{"users", "add", "--db", db, "--email", "ada@example.org", "--role", "viewer"}, "another long password\n", exitFailure, "", "exists already"},
		{[]string{"users", "add", "--db", db, "--email", "bob@example.org", "--role", "viewer"}, "short\n", exitFailure, "at least 12 characters", ""},
		{[]string{"users", "add", "--db", db, "--email", "bob@example.org", "--role", "root"}, "", exitUsage, "", "--role: role must be"},
		{[]string{"users", "add", "--db", db, "--email", "amb@example.org", "--role", "ambassador"}, "a long enough password\n", exitFailure, "", "needs the member"},
		{[]string{"users", "--db", db}, "", exitOK, "ada@example.org  admin", ""},
		{[]string{"tokens", "create", "--db", db, "--name", "ci", "--scope", "write"}, "", exitOK, "cadre_", "not shown again"},
		{[]string{"tokens", "create", "--db", db, "--name", "ci", "--scope", "admin"}, "", exitFailure, "", "scope must be read or write"},
		{[]string{"tokens", "--db", db}, "", exitOK, "ci    write  ada@example.org", ""},
		{[]string{"tokens", "revoke", "--db", db, "1"}, "", exitOK, "", "token 1 revoked"},
		{[]string{"tokens", "revoke", "--db", db, "1"}, "", exitFailure, "", "no token 1 in force"},
		{[]string{"users", "passwd", "--db", db, "ada@example.org"}, "a new long password\n", exitOK, "", "sessions are ended"},
		{[]string{"users", "remove", "--db", db, "nobody@example.org"}, "", exitFailure, "", "no account"},
	}
	var token string
	for _, st := range steps {
		code, stdout, stderr := cli(t, nil, st.stdin, st.args...)
		if code != st.code || !strings.Contains(stdout+stderr, st.stdout) || !strings.Contains(stdout+stderr, st.stderr) {
			t.Fatalf("cadre %s: exit %d\nstdout: %s\nstderr: %s\nwant exit %d with %q and %q", strings.Join(st.args, " "), code, stdout, stderr, st.code, st.stdout, st.stderr)
		}
		if st.args[0] == "tokens" && st.args[1] == "create" && code == exitOK {
			if token = strings.TrimSpace(stdout); strings.Count(stdout, "\n") != 1 {
				t.Errorf("tokens create printed %q: want the token alone", stdout)
			}
		}
	}
	s, err := store.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	u, err := s.UserByEmail(ctx, "ada@example.org")
	if err != nil || !account.CheckPassword(u.PasswordHash, "a new long password") || account.CheckPassword(u.PasswordHash, "a long enough password") {
		t.Errorf("ada's password after passwd: %v", err)
	}
	if _, err := s.TokenByHash(ctx, account.HashSecret(token), s.Now()); err == nil {
		t.Error("a revoked token still opens")
	}
}

func TestBootstrapAdmin(t *testing.T) {
	db := migrated(t)
	ctx := context.Background()
	s, err := store.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	vars := map[string]string{"CADRE_ADMIN_EMAIL": "root@example.org", "CADRE_ADMIN_PASSWORD": "a long enough password"}
	e := &env{getenv: func(k string) string { return vars[k] }, log: slog.New(slog.DiscardHandler)}
	for range 2 { // a second start changes nothing
		if err := bootstrapAdmin(ctx, e, s); err != nil {
			t.Fatal(err)
		}
	}
	users, err := s.Users(ctx)
	if err != nil || len(users) != 1 || users[0].Role != account.Admin || !account.CheckPassword(users[0].PasswordHash, "a long enough password") {
		t.Fatalf("users after bootstrap: %+v, %v", users, err)
	}
	vars["CADRE_ADMIN_PASSWORD"] = ""
	if err := bootstrapAdmin(ctx, e, s); err == nil {
		t.Error("an email without a password is accepted")
	}
}

func TestServeSingleSignOnNeedsBaseURL(t *testing.T) {
	db := migrated(t)
	for _, args := range [][]string{
		{"serve", "--db", db, "--oidc-issuer", "http://127.0.0.1:1", "--oidc-client-id", "c"},
		{"serve", "--db", db, "--github-client-id", "c"},
	} {
		if code, _, stderr := cli(t, nil, "", args...); code != exitFailure || !strings.Contains(stderr, "needs --base-url") {
			t.Errorf("cadre %s: exit %d, %s", strings.Join(args, " "), code, stderr)
		}
	}
	if code, _, stderr := cli(t, nil, "", "serve", "--db", db, "--base-url", "https://cadre.example.org", "--oidc-issuer", "http://127.0.0.1:1",
		"--oidc-claim-roles", "admins=root"); code != exitUsage || !strings.Contains(stderr, "role must be") {
		t.Errorf("a bad role mapping: exit %d, %s", code, stderr)
	}
}
