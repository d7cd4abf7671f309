package account

import (
	"strings"
	"testing"
	"time"
)

func TestRules(t *testing.T) {
	// Who may do what, written out in full: the table under test is the
	// only other place this is said.
	want := map[Role]map[Action]bool{
		Admin:      {ReadProgram: true, ReadEmails: true, ReadOwn: true, Report: true, Review: true, Calibrate: true, Administer: true, Participate: true},
		Reviewer:   {ReadProgram: true, ReadEmails: true, ReadOwn: true, Report: true, Review: true, Calibrate: true},
		Viewer:     {ReadProgram: true, ReadOwn: true, Calibrate: true},
		Ambassador: {ReadOwn: true, Report: true, Participate: true},
	}
	actions := []Action{ReadProgram, ReadEmails, ReadOwn, Report, Review, Calibrate, Administer, Participate}
	for _, r := range append(Roles, Role("intruder")) {
		for _, a := range actions {
			if got := r.Can(a); got != want[r][a] {
				t.Errorf("%s can %s: %v, want %v", r, a, got, want[r][a])
			}
		}
	}
}

func TestParseRole(t *testing.T) {
	for in, want := range map[string]Role{"admin": Admin, " Reviewer ": Reviewer, "VIEWER": Viewer, "ambassador": Ambassador} {
		if got, err := ParseRole(in); got != want || err != nil {
			t.Errorf("ParseRole(%q) = %q, %v", in, got, err)
		}
	}
	if _, err := ParseRole("root"); err == nil || !strings.Contains(err.Error(), "admin, reviewer, viewer or ambassador") {
		t.Errorf("ParseRole(root): %v", err)
	}
}

func TestUserValidate(t *testing.T) {
	tests := []struct {
		u    User
		want string
	}{
		{User{Email: " Ada@Example.org ", Role: Admin}, ""},
		{User{Email: "ada", Role: Admin}, "not an email"},
		{User{Email: "ada@example.org", Role: "root"}, "role must be"},
		{User{Email: "ada@example.org", Role: Ambassador}, "needs the member"},
		{User{Email: "ada@example.org", Role: Ambassador, MemberID: 3}, ""},
	}
	for _, tt := range tests {
		u := tt.u
		err := u.Validate()
		if (tt.want == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tt.want)) {
			t.Errorf("Validate(%+v) = %v, want %q", tt.u, err, tt.want)
		}
		if err == nil && u.Email != strings.ToLower(strings.TrimSpace(tt.u.Email)) {
			t.Errorf("email not folded: %q", u.Email)
		}
	}
}

func TestPassword(t *testing.T) {
	h, err := HashPassword("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Errorf("hash %q is not argon2id with the set parameters", h)
	}
	if !CheckPassword(h, "correct horse battery") || CheckPassword(h, "correct horse batterY") || CheckPassword(h, "") {
		t.Error("CheckPassword accepts the wrong password or refuses the right one")
	}
	if h2, _ := HashPassword("correct horse battery"); h2 == h {
		t.Error("two hashes of one password are equal: no salt")
	}
	for _, bad := range []string{"", "$argon2i$v=19$m=19456,t=2,p=1$c2FsdA$a2V5", "$argon2id$v=19$m=99999999,t=2,p=1$c2FsdA$a2V5", "plain"} {
		if CheckPassword(bad, "x") {
			t.Errorf("malformed hash %q matches", bad)
		}
	}
	for pw, ok := range map[string]bool{"short": false, "twelve chars": true, strings.Repeat("x", 1025): false} {
		if err := ValidPassword(pw); (err == nil) != ok {
			t.Errorf("ValidPassword(%d chars) = %v", len(pw), err)
		}
	}
}

func TestSessionsAndTokens(t *testing.T) {
	now := time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)
	s, secret, err := NewSession(7, now)
	if err != nil || !strings.HasPrefix(secret, "cs_") || s.Hash != HashSecret(secret) || s.Hash == secret {
		t.Fatalf("session %+v, secret %q, %v", s, secret, err)
	}
	if !s.Live(now.Add(IdleTimeout-time.Second)) || s.Live(now.Add(IdleTimeout)) {
		t.Error("idle expiry")
	}
	s.LastSeen = now.Add(MaxAge - time.Minute)
	if s.Live(now.Add(MaxAge)) {
		t.Error("a session in use outlives its absolute expiry")
	}
	tok, secret, err := NewToken(" ci ", 7, ScopeRead, now, now.Add(time.Hour))
	if err != nil || tok.Name != "ci" || !strings.HasPrefix(secret, "cadre_") || tok.Hash != HashSecret(secret) {
		t.Fatalf("token %+v, %v", tok, err)
	}
	if !tok.Live(now) || tok.Live(now.Add(time.Hour)) || tok.Allows(true) || !tok.Allows(false) {
		t.Error("token expiry or scope")
	}
	for _, tt := range []struct {
		name    string
		scope   Scope
		expires time.Time
	}{{"", ScopeRead, time.Time{}}, {"x", "admin", time.Time{}}, {"x", ScopeWrite, now}} {
		if _, _, err := NewToken(tt.name, 7, tt.scope, now, tt.expires); err == nil {
			t.Errorf("NewToken(%+v) accepted", tt)
		}
	}
}

func TestLimiter(t *testing.T) {
	now := time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)
	l := NewLimiter()
	for i := range MaxFailures {
		if w := l.Wait("ada@example.org", "10.0.0.1", now); w != 0 {
			t.Fatalf("attempt %d waits %v", i+1, w)
		}
		l.Fail("ada@example.org", "10.0.0.1", now.Add(time.Duration(i)*time.Second))
	}
	if w := l.Wait("ada@example.org", "10.0.0.2", now.Add(5*time.Second)); w != FailureWindow-5*time.Second {
		t.Errorf("the account from another address waits %v", w)
	}
	if w := l.Wait("bob@example.org", "10.0.0.1", now.Add(5*time.Second)); w <= 0 {
		t.Error("another account from the same address goes ahead")
	}
	if w := l.Wait("bob@example.org", "10.0.0.2", now.Add(5*time.Second)); w != 0 {
		t.Errorf("an unrelated attempt waits %v", w)
	}
	if w := l.Wait("ada@example.org", "10.0.0.2", now.Add(FailureWindow)); w != 0 {
		t.Errorf("after the window the account still waits %v", w)
	}
	l.Succeed("ada@example.org")
	if w := l.Wait("ada@example.org", "10.0.0.3", now.Add(time.Minute)); w != 0 {
		t.Errorf("after a success the account waits %v", w)
	}
}

func TestSSORoles(t *testing.T) {
	m, err := ParseSSORoles("groups", "cadre-admins=admin, cadre-team=reviewer", "@Example.com=viewer")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		email  string
		claims map[string]any
		want   Role
		ok     bool
	}{
		{"jo@example.com", map[string]any{"groups": []any{"engineering", "cadre-team"}}, Reviewer, true},
		{"jo@example.com", map[string]any{"groups": []any{"cadre-team", "cadre-admins"}}, Admin, true},
		{"jo@example.com", map[string]any{"groups": "cadre-admins"}, Admin, true},
		{"jo@EXAMPLE.com", nil, Viewer, true},
		{"jo@other.org", map[string]any{"groups": []any{"engineering"}}, "", false},
		{"jo@other.org", map[string]any{"roles": []any{"cadre-admins"}}, "", false},
	}
	for _, tt := range tests {
		if got, ok := m.Role(tt.email, tt.claims); got != tt.want || ok != tt.ok {
			t.Errorf("Role(%s, %v) = %q, %v; want %q, %v", tt.email, tt.claims, got, ok, tt.want, tt.ok)
		}
	}
	for _, bad := range [][3]string{{"groups", "admins", ""}, {"groups", "x=root", ""}, {"", "x=admin", ""}, {"", "", "example.com"}} {
		if _, err := ParseSSORoles(bad[0], bad[1], bad[2]); err == nil {
			t.Errorf("ParseSSORoles(%q) accepted", bad)
		}
	}
}
