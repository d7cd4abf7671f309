package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/cadrehq/cadre"
	"github.com/cadrehq/cadre/store"
	"github.com/cadrehq/cadre/store/storetest"
)

// identities returns "platform:handle#userid" of a member's identities.
func identitiesOf(t *testing.T, s *store.Store, id int64) []string {
	t.Helper()
	ids, err := s.Identities(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, i := range ids {
		out = append(out, i.Platform+":"+i.Handle+"#"+i.UserID)
	}
	return out
}

func TestImportResolvesUserIDs(t *testing.T) {
	// One importer across the batches resolves from its cache; one per
	// batch from the database.
	for _, shared := range []bool{false, true} {
		t.Run(map[bool]string{false: "fresh importers", true: "one importer"}[shared], func(t *testing.T) {
			testResolveUserIDs(t, shared)
		})
	}
}

func testResolveUserIDs(t *testing.T, shared bool) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		im := s.NewImporter()
		n := 0
		gh := func(handle, uid string) cadre.ActivityRecord {
			n++
			r := rec("github", "e"+time.Duration(n).String(), "forum", t0.Add(time.Duration(n)*time.Minute), "github", handle)
			r.Member.UserID = uid
			return r
		}
		memberOf := func(ref string) int64 {
			t.Helper()
			id, err := s.FindMember(ctx, ref)
			if err != nil {
				t.Fatalf("find %s: %v", ref, err)
			}
			return id
		}
		batches := []struct {
			name string
			recs []cadre.ActivityRecord
		}{
			{"first sight", []cadre.ActivityRecord{gh("octo", "1"), gh("hubot", "")}},
			// octo renames to octo-new; the old handle is taken by account 3;
			// hubot's user id becomes known.
			{"rename and recycle", []cadre.ActivityRecord{gh("octo-new", "1"), gh("octo", "3"), gh("hubot", "2")}},
			// A commit email in GitHub's noreply form names account 1.
			{"noreply", []cadre.ActivityRecord{{
				Activity: cadre.Activity{Source: "git", ExternalID: "c1", Type: "code", OccurredAt: t0, Status: cadre.ActivityApproved},
				Member:   cadre.MemberRef{Email: "1+octo-new@users.noreply.github.com"},
			}}},
		}
		for _, b := range batches {
			if !shared {
				im = s.NewImporter()
			}
			if _, err := im.Import(ctx, b.recs); err != nil {
				t.Fatalf("%s: %v", b.name, err)
			}
		}
		octo := memberOf("github:octo-new")
		if got := identitiesOf(t, s, octo); len(got) != 1 || got[0] != "github:octo-new#1" {
			t.Errorf("renamed account's identities = %v", got)
		}
		if other := memberOf("github:octo"); other == octo {
			t.Error("the recycled handle still resolves to the account that gave it up")
		} else if got := identitiesOf(t, s, other); len(got) != 1 || got[0] != "github:octo#3" {
			t.Errorf("new holder of the handle: %v", got)
		}
		if got := identitiesOf(t, s, memberOf("github:hubot")); len(got) != 1 || got[0] != "github:hubot#2" {
			t.Errorf("hubot's identities = %v", got)
		}
		acts, _, err := s.Activities(ctx, cadre.ActivityFilter{MemberID: octo, Limit: 10})
		if err != nil || len(acts) != 3 {
			t.Errorf("account 1 has %d activities (%v), want 3: two under either handle and the noreply commit", len(acts), err)
		}
		m, err := s.Member(ctx, octo)
		if err != nil || len(m.Emails) != 0 {
			t.Errorf("noreply address stored as an email: %+v, %v", m, err)
		}
	})
}

func TestImportFlagsPlatformBots(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		r := rec("github", "b1", "code", t0, "github", "renovate-bot")
		r.Member.Bot = true // the platform says so; the handle does not
		if _, err := s.NewImporter().Import(ctx, []cadre.ActivityRecord{r}); err != nil {
			t.Fatal(err)
		}
		id, err := s.FindMember(ctx, "github:renovate-bot")
		if err != nil {
			t.Fatal(err)
		}
		if m, err := s.Member(ctx, id); err != nil || !m.Bot {
			t.Fatalf("member = %+v, %v; want a bot", m, err)
		}
	})
}

func TestStaffDomains(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		staffRec := func(id, handle, email string) cadre.ActivityRecord {
			r := rec("forum", id, "forum", t0, "forum", handle)
			r.Member.Email = email
			return r
		}
		if _, err := s.NewImporter().Import(ctx, []cadre.ActivityRecord{staffRec("1", "dana", "dana@Corp.Example"), staffRec("2", "eve", "eve@gmail.example")}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.SetStaffDomains(ctx, []string{"not a domain"}, "admin"); cadre.ErrorCode(err) != cadre.EINVALID {
			t.Errorf("bad domain: %v", err)
		}
		n, err := s.SetStaffDomains(ctx, []string{"@corp.example", "corp.example", " "}, "admin")
		if err != nil || n != 1 {
			t.Fatalf("flagged %d, %v; want dana", n, err)
		}
		if d, err := s.StaffDomains(ctx); err != nil || len(d) != 1 || d[0] != "corp.example" {
			t.Errorf("domains = %v, %v", d, err)
		}
		// Members first seen later are flagged as they are created.
		if _, err := s.NewImporter().Import(ctx, []cadre.ActivityRecord{staffRec("3", "finn", "finn@corp.example")}); err != nil {
			t.Fatal(err)
		}
		for handle, want := range map[string]bool{"dana": true, "eve": false, "finn": true} {
			id, _ := s.FindMember(ctx, "forum:"+handle)
			m, err := s.Member(ctx, id)
			if err != nil || m.Staff != want {
				t.Errorf("%s: staff %v (%v), want %v", handle, m.Staff, err, want)
			}
		}
	})
}

// TestSameHandleTwoAccountsInOneBatch imports two accounts that share a
// display-name handle (Stack Exchange has no unique handles) in one batch:
// both are kept apart by their user ids.
func TestSameHandleTwoAccountsInOneBatch(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		var recs []cadre.ActivityRecord
		for i, uid := range []string{"101", "202", "101", "202"} {
			r := rec("stackexchange", "post:"+string(rune('a'+i)), "forum", t0.Add(time.Duration(i)*time.Hour), "stackexchange", "Rob")
			r.Member.UserID = uid
			recs = append(recs, r)
		}
		if _, err := s.NewImporter().Import(ctx, recs); err != nil {
			t.Fatal(err)
		}
		if _, n, err := s.Members(ctx, cadre.MemberFilter{}); err != nil || n != 2 {
			t.Fatalf("%d members (%v), want the two Robs", n, err)
		}
		ms, _, err := s.Members(ctx, cadre.MemberFilter{})
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range ms {
			if m.Activities != 2 {
				t.Errorf("member %d has %d activities, want 2", m.ID, m.Activities)
			}
		}
	})
}
