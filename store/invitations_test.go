package store_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/cadrehq/cadre"
	"github.com/cadrehq/cadre/program"
	"github.com/cadrehq/cadre/store"
	"github.com/cadrehq/cadre/store/storetest"
)

func TestInvitations(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		now := time.Date(2026, 2, 1, 9, 0, 0, 0, time.UTC)
		s.Now = func() time.Time { return now }
		ada, bob := cadre.Member{Name: "Ada"}, cadre.Member{Name: "Bob"}
		for _, m := range []*cadre.Member{&ada, &bob} {
			if err := s.CreateMember(ctx, m, nil); err != nil {
				t.Fatal(err)
			}
		}
		inv, secret, err := s.Invite(ctx, ada.ID, "pm", nil)
		if err != nil || inv.State != program.InvitationSent || secret == "" || inv.Hash == secret {
			t.Fatalf("invite: %+v %q %v", inv, secret, err)
		}
		if _, _, err := s.Invite(ctx, ada.ID, "pm", nil); cadre.ErrorCode(err) != cadre.ECONFLICT {
			t.Errorf("a second open invitation: %v", err)
		}
		if _, err := s.InvitationBySecret(ctx, secret+"x"); cadre.ErrorCode(err) != cadre.ENOTFOUND {
			t.Errorf("a mistyped link: %v", err)
		}
		// Two answers at once: one lands.
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i := range errs {
			wg.Add(1)
			go func() { defer wg.Done(); _, errs[i] = s.AnswerInvitation(ctx, secret, true) }()
		}
		wg.Wait()
		if (errs[0] == nil) == (errs[1] == nil) {
			t.Fatalf("two answers: %v and %v, want one refused", errs[0], errs[1])
		}
		terms, err := s.Terms(ctx, ada.ID)
		if err != nil || len(terms) != 1 || terms[0].Via != program.ViaInvitation || !terms[0].Start.Equal(now) {
			t.Fatalf("Ada's terms after accepting: %+v, %v", terms, err)
		}
		if m, _ := s.Member(ctx, ada.ID); m.Status != cadre.StatusAmbassador {
			t.Errorf("Ada is %s after accepting", m.Status)
		}
		if _, _, err := s.Invite(ctx, ada.ID, "pm", nil); cadre.ErrorCode(err) != cadre.ECONFLICT {
			t.Errorf("inviting an ambassador: %v", err)
		}

		old, oldSecret, err := s.Invite(ctx, bob.ID, "pm", nil)
		if err != nil {
			t.Fatal(err)
		}
		now = now.Add(program.InvitationTTL)
		if _, err := s.AnswerInvitation(ctx, oldSecret, true); err == nil {
			t.Error("an expired invitation was accepted")
		}
		if err := s.RevokeInvitation(ctx, old.ID, "pm"); cadre.ErrorCode(err) != cadre.ECONFLICT {
			t.Errorf("revoking an expired invitation: %v", err)
		}
		again, _, err := s.Invite(ctx, bob.ID, "pm", nil)
		if err != nil {
			t.Fatalf("re-inviting after expiry: %v", err)
		}
		if err := s.RevokeInvitation(ctx, again.ID, "pm"); err != nil {
			t.Fatal(err)
		}
		invs, err := s.Invitations(ctx, bob.ID)
		if err != nil || len(invs) != 2 || invs[0].StateAt(now) != program.InvitationExpired || invs[1].State != program.InvitationRevoked {
			t.Errorf("Bob's invitations: %+v, %v", invs, err)
		}
	})
}
