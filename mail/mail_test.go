package mail_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/cadrehq/cadre"
	"github.com/cadrehq/cadre/mail"
	"github.com/cadrehq/cadre/mail/mailtest"
	"github.com/cadrehq/cadre/program"
	"github.com/cadrehq/cadre/store"
	"github.com/cadrehq/cadre/store/storetest"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// TestSMTPSend delivers a message to a real SMTP server that asks for a
// password, and reads it as the recipient does: sender, subject and text
// with characters beyond ASCII intact.
func TestSMTPSend(t *testing.T) {
	srv := mailtest.Start(t, "cadre", "s3cret")
	s, err := mail.NewSMTP(srv.URL, "Ambassadors <devrel@example.org>")
	if err != nil {
		t.Fatal(err)
	}
	m := &cadre.Mail{To: "zoe@example.com", Subject: "Bienvenue, Zoë", Body: "Line one — dash\nA long line " + strings.Repeat("x", 100) + "\n"}
	if err := s.Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	got := srv.Messages()
	if len(got) != 1 {
		t.Fatalf("%d messages arrived", len(got))
	}
	g := got[0]
	if g.From != "devrel@example.org" || len(g.To) != 1 || g.To[0] != m.To || g.Subject != m.Subject || g.Body != m.Body {
		t.Errorf("arrived %+v", g)
	}
	if !strings.HasSuffix(g.Header.Get("Message-Id"), "@example.org>") || g.Header.Get("From") != `"Ambassadors" <devrel@example.org>` {
		t.Errorf("headers %v", g.Header)
	}

	wrong := strings.Replace(srv.URL, "s3cret", "wrong", 1)
	s, err = mail.NewSMTP(wrong, "devrel@example.org")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Send(context.Background(), m); err == nil || !strings.Contains(err.Error(), "sign in") {
		t.Errorf("a wrong password: %v", err)
	}
}

func TestNewSMTP(t *testing.T) {
	for _, tt := range []struct{ url, from, err string }{
		{"smtp://mail.example.org", "devrel@example.org", ""},
		{"smtps://u:p@mail.example.org", "Dev Rel <devrel@example.org>", ""},
		{"http://mail.example.org", "devrel@example.org", "scheme must be smtp or smtps"},
		{"smtp://", "devrel@example.org", "names no host"},
		{"smtp://mail.example.org", "not an address", "sender address"},
	} {
		_, err := mail.NewSMTP(tt.url, tt.from)
		if (err == nil) != (tt.err == "") || err != nil && !strings.Contains(err.Error(), tt.err) {
			t.Errorf("NewSMTP(%q, %q): %v, want %q", tt.url, tt.from, err, tt.err)
		}
	}
}

// invite queues an invitation's message for a new member of address to.
func invite(t *testing.T, s *store.Store, name, to string) {
	t.Helper()
	ctx := context.Background()
	m := cadre.Member{Name: name, Emails: []string{to}}
	if err := s.CreateMember(ctx, &m, nil); err != nil {
		t.Fatal(err)
	}
	_, _, err := s.Invite(ctx, m.ID, "pm", func(m *cadre.Member, inv *program.Invitation, secret string) []cadre.Mail {
		return mail.Invitation(m, inv, "https://cadre.example.org/invitation/"+secret, mail.Links{Base: "https://cadre.example.org"})
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestDeliver queues invitations while the mail server is down, sees them
// retried after the backoff once it is up, and sees a recipient refused
// for good marked failed until an admin tries again; on both stores.
func TestDeliver(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
		clock := func() time.Time { return now }
		st.Now = clock
		invite(t, st, "Ada", "ada@example.com")
		invite(t, st, "Bob", "bob@example.com")

		down, err := mail.NewSMTP("smtp://127.0.0.1:1", "devrel@example.org") // nothing listens on port 1
		if err != nil {
			t.Fatal(err)
		}
		if sent, failed, err := mail.Deliver(ctx, st, down, clock, quiet); sent != 0 || failed != 2 || err != nil {
			t.Fatalf("server down: sent %d, failed %d, %v", sent, failed, err)
		}
		box, err := st.Outbox(ctx, true, 10)
		if err != nil || len(box) != 2 {
			t.Fatal(box, err)
		}
		for _, m := range box {
			if m.Attempts != 1 || m.Error == "" || !m.NextAt.Equal(now.Add(cadre.Backoff(1))) || m.State() != cadre.MailWaiting {
				t.Errorf("after a failed attempt: %+v", m)
			}
		}

		srv := mailtest.Start(t, "", "")
		srv.Refuse(func(to string) error {
			if to == "bob@example.com" {
				return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such mailbox"}
			}
			return nil
		})
		up, err := mail.NewSMTP(srv.URL, "devrel@example.org")
		if err != nil {
			t.Fatal(err)
		}
		if sent, failed, err := mail.Deliver(ctx, st, up, clock, quiet); sent+failed != 0 || err != nil {
			t.Fatalf("before the backoff ends: sent %d, failed %d, %v", sent, failed, err)
		}
		now = now.Add(cadre.Backoff(1))
		if sent, failed, err := mail.Deliver(ctx, st, up, clock, quiet); sent != 1 || failed != 1 || err != nil {
			t.Fatalf("after the backoff: sent %d, failed %d, %v", sent, failed, err)
		}
		got := srv.Messages()
		if len(got) != 1 || got[0].To[0] != "ada@example.com" || got[0].Subject != "You are invited to become an ambassador" ||
			!strings.Contains(got[0].Body, "https://cadre.example.org/invitation/") || !strings.Contains(got[0].Body, "Hello Ada,") {
			t.Fatalf("arrived: %+v", got)
		}
		box, err = st.Outbox(ctx, false, 10)
		if err != nil {
			t.Fatal(err)
		}
		states := map[string]cadre.MailState{}
		for _, m := range box {
			states[m.To] = m.State()
		}
		if states["ada@example.com"] != cadre.MailSent || states["bob@example.com"] != cadre.MailFailed {
			t.Errorf("states %v", states)
		}
		// Failed for good is never tried again, until an admin asks.
		now = now.Add(24 * time.Hour)
		if sent, failed, _ := mail.Deliver(ctx, st, up, clock, quiet); sent+failed != 0 {
			t.Errorf("a message failed for good was tried again: sent %d, failed %d", sent, failed)
		}
		srv.Refuse(nil)
		for _, m := range box {
			if m.To == "bob@example.com" {
				if err := st.RetryMail(ctx, m.ID); err != nil {
					t.Fatal(err)
				}
			}
		}
		if sent, failed, err := mail.Deliver(ctx, st, up, clock, quiet); sent != 1 || failed != 0 || err != nil {
			t.Errorf("after retry: sent %d, failed %d, %v", sent, failed, err)
		}
	})
}

// TestDeliverOnce: two instances delivering the same outbox at once send
// each message once.
func TestDeliverOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
		clock := func() time.Time { return now }
		st.Now = clock
		const n = 20
		for i := range n {
			invite(t, st, fmt.Sprintf("Member %d", i), fmt.Sprintf("m%d@example.com", i))
		}
		srv := mailtest.Start(t, "", "")
		up, err := mail.NewSMTP(srv.URL, "devrel@example.org")
		if err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		sent := make([]int, 2)
		for i := range sent {
			wg.Go(func() {
				s, _, err := mail.Deliver(context.Background(), st, up, clock, quiet)
				if err != nil {
					t.Error(err)
				}
				sent[i] = s
			})
		}
		wg.Wait()
		got := srv.Messages()
		seen := map[string]int{}
		for _, m := range got {
			seen[m.To[0]]++
		}
		if sent[0]+sent[1] != n || len(got) != n || len(seen) != n {
			t.Errorf("sent %v, %d arrived for %d recipients, want %d each", sent, len(got), len(seen), n)
		}
	})
}
