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

func TestApplications(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		s.Now = func() time.Time { return time.Date(2026, 2, 1, 9, 0, 0, 0, time.UTC) }
		ada := cadre.Member{Name: "Ada"}
		if err := s.CreateMember(ctx, &ada, []cadre.Identity{{Platform: "github", Handle: "ada-l"}}); err != nil {
			t.Fatal(err)
		}
		a, err := program.ParseApplication("Ada L.", "Ada@Example.org", "github:Ada-L, forum:ada", "I run the local meetup.", "https://meetup.example/ada")
		if err != nil {
			t.Fatal(err)
		}
		secret, err := s.SubmitApplication(ctx, a, nil)
		if err != nil || a.MemberID != ada.ID || secret == "" {
			t.Fatalf("submit: member %d, %v; want %d", a.MemberID, err, ada.ID)
		}
		again, _ := program.ParseApplication("Ada", "ada@example.org", "", "Again.", "")
		if _, err := s.SubmitApplication(ctx, again, nil); cadre.ErrorCode(err) != cadre.ECONFLICT {
			t.Errorf("a second open application from one email: %v", err)
		}
		if err := s.AddApplicationNote(ctx, a.ID, "rev@example.org", "Strong meetup record."); err != nil {
			t.Fatal(err)
		}
		if _, err := s.DecideApplication(ctx, a.ID, false, "", "rev", nil); cadre.ErrorCode(err) != cadre.EINVALID {
			t.Errorf("a rejection without a reason: %v", err)
		}
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i := range errs {
			wg.Add(1)
			go func() { defer wg.Done(); _, errs[i] = s.DecideApplication(ctx, a.ID, true, "", "rev", nil) }()
		}
		wg.Wait()
		if (errs[0] == nil) == (errs[1] == nil) {
			t.Fatalf("two accepts: %v and %v, want one refused", errs[0], errs[1])
		}
		if m, _ := s.Member(ctx, ada.ID); m.Status != cadre.StatusAmbassador {
			t.Errorf("Ada is %s after acceptance", m.Status)
		}
		if _, err := s.DecideApplication(ctx, a.ID, false, "changed my mind", "rev", nil); cadre.ErrorCode(err) != cadre.ECONFLICT {
			t.Errorf("rejecting an accepted application: %v", err)
		}
		if _, err := s.WithdrawApplication(ctx, secret); cadre.ErrorCode(err) != cadre.ECONFLICT {
			t.Errorf("withdrawing an accepted application: %v", err)
		}
		stranger, _ := program.ParseApplication("Sam", "sam@example.org", "", "Hello.", "")
		sam, err := s.SubmitApplication(ctx, stranger, nil)
		if err != nil || stranger.MemberID != 0 {
			t.Fatalf("an applicant nobody knows: %d, %v", stranger.MemberID, err)
		}
		if _, err := s.DecideApplication(ctx, stranger.ID, true, "", "rev", nil); cadre.ErrorCode(err) != cadre.EINVALID {
			t.Errorf("accepting an applicant who is no member: %v", err)
		}
		if w, err := s.WithdrawApplication(ctx, sam); err != nil || w.State != program.ApplicationWithdrawn {
			t.Errorf("withdraw: %+v, %v", w, err)
		}
		notes, err := s.ApplicationNotes(ctx, a.ID)
		if err != nil || len(notes) != 1 || notes[0].Author != "rev@example.org" {
			t.Errorf("notes: %+v, %v", notes, err)
		}
	})
}
