package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/cadrehq/cadre"
	"github.com/cadrehq/cadre/program"
	"github.com/cadrehq/cadre/store"
	"github.com/cadrehq/cadre/store/storetest"
)

// TestOutboxWithTheChange: a change's mail is queued with it, and a change
// refused queues none.
func TestOutboxWithTheChange(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		s.Now = func() time.Time { return time.Date(2026, 2, 1, 9, 0, 0, 0, time.UTC) }
		ada := cadre.Member{Name: "Ada", Emails: []string{"ada@example.org"}}
		if err := s.CreateMember(ctx, &ada, nil); err != nil {
			t.Fatal(err)
		}
		invited := func(m *cadre.Member, _ *program.Invitation, secret string) []cadre.Mail {
			return []cadre.Mail{{Kind: "invitation", To: m.Emails[0], Subject: "invited", Body: "link " + secret, Link: "/invitation/" + secret}}
		}
		if _, _, err := s.Invite(ctx, ada.ID, "pm", invited); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.Invite(ctx, ada.ID, "pm", invited); cadre.ErrorCode(err) != cadre.ECONFLICT {
			t.Fatalf("a second open invitation: %v", err)
		}
		a, err := program.ParseApplication("Bob", "bob@example.org", "", "I answer questions.", "")
		if err != nil {
			t.Fatal(err)
		}
		received := func(a *program.Application, _ string) []cadre.Mail {
			return []cadre.Mail{{Kind: "application", To: a.Email, Subject: "received", Body: "thanks"}}
		}
		if _, err := s.SubmitApplication(ctx, a, received); err != nil {
			t.Fatal(err)
		}
		decided := func(a *program.Application) []cadre.Mail {
			return []cadre.Mail{{Kind: "decision", To: a.Email, Subject: string(a.State), Body: a.Reason}}
		}
		// A stranger's application cannot be accepted (no member): no mail.
		if _, err := s.DecideApplication(ctx, a.ID, true, "", "rev", decided); cadre.ErrorCode(err) != cadre.EINVALID {
			t.Fatalf("accepting an application of nobody known: %v", err)
		}
		if _, err := s.DecideApplication(ctx, a.ID, false, "not yet", "rev", decided); err != nil {
			t.Fatal(err)
		}
		box, err := s.Outbox(ctx, true, 10)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, m := range box {
			got = append(got, m.Kind+" "+m.To+" "+m.Subject)
		}
		want := []string{"decision bob@example.org rejected", "application bob@example.org received", "invitation ada@example.org invited"}
		if len(got) != len(want) {
			t.Fatalf("outbox %q, want %q", got, want)
		}
		for i := range want {
			if got[i] != want[i] {
				t.Errorf("outbox %q, want %q", got, want)
				break
			}
		}
		if box[2].Link == "" || box[2].State() != cadre.MailWaiting {
			t.Errorf("invitation's mail %+v", box[2])
		}
	})
}
