package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/cadrehq/cadre"
	"github.com/cadrehq/cadre/account"
	"github.com/cadrehq/cadre/store"
	"github.com/cadrehq/cadre/store/storetest"
)

func TestAccounts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
		s.Now = func() time.Time { return now }
		ada := cadre.Member{Name: "Ada"}
		if err := s.CreateMember(ctx, &ada, nil); err != nil {
			t.Fatal(err)
		}
		admin := &account.User{Email: "Root@Example.org", Role: account.Admin, PasswordHash: "h"}
		if err := s.CreateUser(ctx, admin, "setup"); err != nil {
			t.Fatal(err)
		}
		for _, tt := range []struct {
			u    account.User
			code string
		}{
			{account.User{Email: "root@example.org", Role: account.Viewer}, cadre.ECONFLICT},
			{account.User{Email: "amb@example.org", Role: account.Ambassador, MemberID: 999}, cadre.ENOTFOUND},
			{account.User{Email: "nope", Role: account.Viewer}, cadre.EINVALID},
			{account.User{Email: "amb@example.org", Role: account.Ambassador, MemberID: ada.ID}, ""},
		} {
			if err := s.CreateUser(ctx, &tt.u, "setup"); cadre.ErrorCode(err) != tt.code {
				t.Errorf("CreateUser(%+v) = %v, want %q", tt.u, err, tt.code)
			}
		}
		got, err := s.UserByEmail(ctx, "ROOT@example.org")
		if err != nil || got.ID != admin.ID || got.Email != "root@example.org" || got.Role != account.Admin || !got.CreatedAt.Equal(now) {
			t.Fatalf("UserByEmail = %+v, %v", got, err)
		}
		if users, err := s.Users(ctx); err != nil || len(users) != 2 || users[0].Email != "amb@example.org" {
			t.Errorf("Users = %+v, %v", users, err)
		}

		ss, secret, err := account.NewSession(admin.ID, now)
		if err != nil || s.SaveSession(ctx, ss) != nil {
			t.Fatal(err)
		}
		later := now.Add(time.Hour)
		if err := s.TouchSession(ctx, ss.Hash, later); err != nil {
			t.Fatal(err)
		}
		if back, err := s.Session(ctx, account.HashSecret(secret)); err != nil || back.UserID != admin.ID || !back.LastSeen.Equal(later) {
			t.Errorf("Session = %+v, %v", back, err)
		}
		tok, tokSecret, err := account.NewToken("ci", admin.ID, account.ScopeRead, now, time.Time{})
		if err != nil || s.CreateToken(ctx, tok, "root@example.org") != nil {
			t.Fatal(err)
		}
		if back, err := s.TokenByHash(ctx, account.HashSecret(tokSecret), later); err != nil || back.ID != tok.ID || !back.LastUsed.Equal(later) || !back.ExpiresAt.IsZero() {
			t.Errorf("TokenByHash = %+v, %v", back, err)
		}
		if err := s.RevokeToken(ctx, tok.ID, admin.ID+1, "someone"); cadre.ErrorCode(err) != cadre.ENOTFOUND {
			t.Errorf("revoking another's token: %v", err)
		}
		if err := s.SetPassword(ctx, "root@example.org", "h2", "root@example.org"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Session(ctx, ss.Hash); cadre.ErrorCode(err) != cadre.EUNAUTHORIZED {
			t.Errorf("a session after a new password: %v", err)
		}
		if err := s.DeleteUser(ctx, "root@example.org", "amb@example.org"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.TokenByHash(ctx, tok.Hash, later); cadre.ErrorCode(err) != cadre.EUNAUTHORIZED {
			t.Errorf("a removed account's token: %v", err)
		}
		entries, err := s.AuditLog(ctx, "", 20)
		if err != nil {
			t.Fatal(err)
		}
		var actions []string
		for _, e := range entries {
			actions = append(actions, e.Action+" by "+e.Actor)
		}
		for _, want := range []string{"user.add by setup", "token.create by root@example.org", "user.passwd by root@example.org", "user.remove by amb@example.org"} {
			found := false
			for _, a := range actions {
				found = found || a == want
			}
			if !found {
				t.Errorf("audit log lacks %q: %q", want, actions)
			}
		}
	})
}
