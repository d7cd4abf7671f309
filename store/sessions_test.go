package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/cadrehq/cadre"
	"github.com/cadrehq/cadre/notify"
	"github.com/cadrehq/cadre/session"
	"github.com/cadrehq/cadre/store"
	"github.com/cadrehq/cadre/store/storetest"
)

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// TestSessions runs a session through: attendees, items and votes before
// it (one each, never one's own), commitments made of the items during it,
// done on time, late and never, their history and audit, the follow-through
// of the quarter, and the reminders of the overdue, once a day and only to
// owners named by an address.
func TestSessions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		now := day(2026, 3, 1)
		s.Now = func() time.Time { return now }
		if _, err := s.ImportRoster(ctx, "roster.csv", rosterRows(t, "member,since\ngithub:ada,2025-01-01T00:00:00Z\ngithub:bob,2025-01-01T00:00:00Z\n"), "pm"); err != nil {
			t.Fatal(err)
		}
		ada, _ := s.FindMember(ctx, "github:ada")
		bob, _ := s.FindMember(ctx, "github:bob")

		if err := s.CreateFeedbackSession(ctx, &session.Session{Title: "Q1", At: day(2026, 3, 10), Ambassadors: []int64{ada}, Actor: "pm"}); cadre.ErrorCode(err) != cadre.EINVALID {
			t.Errorf("a session without executives: %v", err)
		}
		if err := s.CreateFeedbackSession(ctx, &session.Session{Title: "Q1", At: day(2026, 3, 10), Ambassadors: []int64{999}, Executives: []string{"CEO"}, Actor: "pm"}); cadre.ErrorCode(err) != cadre.ENOTFOUND {
			t.Errorf("a session with an unknown member: %v", err)
		}
		ss := &session.Session{Title: "Q1 with the executives", At: day(2026, 3, 10), Ambassadors: []int64{ada, bob, ada},
			Executives: []string{"Jane Doe (CEO)", "cto@example.org"}, Actor: "pm"}
		if err := s.CreateFeedbackSession(ctx, ss); err != nil {
			t.Fatal(err)
		}
		if got, err := s.FeedbackSessions(ctx); err != nil || len(got) != 1 || len(got[0].Ambassadors) != 2 || len(got[0].Executives) != 2 || !got[0].At.Equal(ss.At) {
			t.Fatalf("sessions: %+v, %v", got, err)
		}

		submit := func(author int64, kind session.Kind, title string) *session.Item {
			t.Helper()
			it := &session.Item{SessionID: ss.ID, Kind: kind, Title: title, AuthorID: author}
			if err := s.SubmitItem(ctx, it, "amb"); err != nil {
				t.Fatal(err)
			}
			return it
		}
		docs := submit(ada, session.Critique, "The docs lag the releases")
		api := submit(bob, session.Feature, "A public roadmap")
		swag := submit(ada, session.Feature, "Better swag")
		for _, tc := range []struct {
			name         string
			item, member int64
			code         string
		}{
			{"bob for ada's", docs.ID, bob, ""},
			{"bob again", docs.ID, bob, cadre.ECONFLICT},
			{"ada for her own", docs.ID, ada, cadre.ECONFLICT},
			{"ada for bob's", api.ID, ada, ""},
			{"bob for ada's other", swag.ID, bob, ""},
			{"no such item", 999, bob, cadre.ENOTFOUND},
		} {
			if err := s.Vote(ctx, tc.item, tc.member, "amb"); cadre.ErrorCode(err) != tc.code {
				t.Errorf("vote %s: %v, want %q", tc.name, err, tc.code)
			}
		}
		items, err := s.FeedbackItems(ctx, ss.ID)
		if err != nil || len(items) != 3 || items[0].ID != docs.ID || items[0].Votes() != 1 || items[1].ID != api.ID || !items[1].VotedBy(ada) {
			t.Fatalf("items: %+v, %v", items, err)
		}

		// The session begins: no more items or votes.
		now = day(2026, 3, 10)
		if err := s.SubmitItem(ctx, &session.Item{SessionID: ss.ID, Kind: session.Critique, Title: "late", AuthorID: bob}, "amb"); cadre.ErrorCode(err) != cadre.ECONFLICT {
			t.Errorf("an item once the session began: %v", err)
		}
		if err := s.Vote(ctx, swag.ID, ada, "amb"); cadre.ErrorCode(err) != cadre.ECONFLICT {
			t.Errorf("a vote once the session began: %v", err)
		}
		commit := func(item int64, owner string, due time.Time) *session.Commitment {
			t.Helper()
			c := &session.Commitment{ItemID: item, Owner: owner, Due: session.DueOn(due, time.UTC), Actor: "pm"}
			if err := s.Commit(ctx, c); err != nil {
				t.Fatal(err)
			}
			return c
		}
		onTime := commit(docs.ID, "cto@example.org", day(2026, 3, 20))
		late := commit(api.ID, "Jane Doe", day(2026, 3, 25))
		overdue := commit(swag.ID, "CTO@example.org", day(2026, 3, 31))
		named := commit(swag.ID, "Jane Doe", day(2026, 3, 15))
		next := commit(api.ID, "cto@example.org", day(2026, 4, 15))
		if onTime.Title != docs.Title || onTime.Status != session.Open {
			t.Errorf("a commitment takes its item's title and starts open: %+v", onTime)
		}
		if err := s.Commit(ctx, &session.Commitment{ItemID: docs.ID, Owner: "", Due: now}); cadre.ErrorCode(err) != cadre.EINVALID {
			t.Errorf("a commitment without an owner: %v", err)
		}

		move := func(c *session.Commitment, to session.Status, note string) {
			t.Helper()
			if _, err := s.MoveCommitment(ctx, c.ID, to, note, "pm"); err != nil {
				t.Fatal(err)
			}
		}
		now = day(2026, 3, 12)
		move(onTime, session.InProgress, "")
		move(named, session.InProgress, "drafting")
		now = day(2026, 3, 20).Add(23 * time.Hour)
		move(onTime, session.Done, "the docs ship with each release")
		now = day(2026, 3, 28)
		move(late, session.Done, "")
		if _, err := s.MoveCommitment(ctx, onTime.ID, session.Open, "", "pm"); cadre.ErrorCode(err) != cadre.ECONFLICT {
			t.Errorf("reopening a done commitment: %v", err)
		}
		if _, err := s.NoteCommitment(ctx, late.ID, "posted on the blog", "jane"); err != nil {
			t.Fatal(err)
		}
		got, err := s.Commitment(ctx, onTime.ID)
		if err != nil || got.Status != session.Done || !got.DoneAt.Equal(day(2026, 3, 20).Add(23*time.Hour)) || len(got.Notes) != 3 ||
			got.Notes[0].Status != session.Open || got.Notes[2].Text != "the docs ship with each release" {
			t.Fatalf("on-time commitment: %+v, %v", got, err)
		}
		if log, err := s.AuditLog(ctx, fmt.Sprintf("commitment:%d", late.ID), 10); err != nil || len(log) != 3 {
			t.Errorf("audit of the late commitment: %+v, %v", log, err)
		}

		all, err := s.Commitments(ctx, 0)
		if err != nil || len(all) != 5 || all[0].ID != named.ID || len(all[1].Notes) != 3 {
			t.Fatalf("commitments: %+v, %v", all, err)
		}
		if bySession, err := s.Commitments(ctx, ss.ID); err != nil || len(bySession) != 5 {
			t.Errorf("commitments of the session: %d, %v", len(bySession), err)
		}
		// Due in Q1: on time, late, overdue and the named one overdue: 1 of 4.
		if f := session.FollowThrough(day(2026, 1, 1), day(2026, 4, 1), all); f == nil || *f != 0.25 {
			t.Errorf("follow-through of Q1: %v, want 0.25", f)
		}

		remind := func(c *session.Commitment) []cadre.Mail {
			if c.OwnerEmail() == "" {
				return nil
			}
			return []cadre.Mail{{Kind: "commitment", To: c.OwnerEmail(), Subject: c.Title}}
		}
		if err := s.CreateWebhook(ctx, &notify.Webhook{URL: "https://hooks.example.org/x", Kind: notify.KindSlack, Events: []string{notify.CommitmentOverdue}, Actor: "pm"}); err != nil {
			t.Fatal(err)
		}
		now = day(2026, 4, 2)
		for _, tc := range []struct {
			at   time.Time
			want int
		}{{now, 1}, {now.Add(time.Hour), 0}, {now.Add(25 * time.Hour), 1}} {
			if n, err := s.RemindOverdue(ctx, tc.at, remind); err != nil || n != tc.want {
				t.Errorf("reminders at %s: %d, %v; want %d", tc.at, n, err, tc.want)
			}
		}
		mail, err := s.Outbox(ctx, true, 10)
		if err != nil || len(mail) != 2 || mail[0].To != "cto@example.org" || mail[0].Subject != overdue.Title {
			t.Errorf("outbox: %+v, %v", mail, err)
		}
		// Other systems hear once of each overdue commitment, owner with an
		// address or not: the overdue one and the named one.
		if ds, err := s.Deliveries(ctx, 0, 10); err != nil || len(ds) != 2 || ds[0].Event != notify.CommitmentOverdue {
			t.Errorf("webhook deliveries: %d, %v", len(ds), err)
		}
		if c, err := s.Commitment(ctx, next.ID); err != nil || !c.RemindedAt.IsZero() {
			t.Errorf("a commitment not due yet was reminded: %+v, %v", c, err)
		}
	})
}
