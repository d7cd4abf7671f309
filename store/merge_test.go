package store_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cadrehq/cadre"
	"github.com/cadrehq/cadre/identity"
	"github.com/cadrehq/cadre/store"
	"github.com/cadrehq/cadre/store/storetest"
)

// memberState is everything of a member that merges move, for comparing
// before and after.
func memberState(t *testing.T, s *store.Store, id int64) string {
	t.Helper()
	ctx := context.Background()
	m, err := s.Member(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	acts, _, err := s.Activities(ctx, cadre.ActivityFilter{MemberID: id, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for _, a := range acts {
		ids = append(ids, a.ID)
	}
	slices.Sort(ids)
	return fmt.Sprintf("merged into %d, emails %v, identities %v, activities %v", m.MergedInto, m.Emails, identitiesOf(t, s, id), ids)
}

func TestMergeAndUnmerge(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		gh := rec("github", "i1", "feedback", t0, "github", "ada-l")
		gh.Member.Email = "ada@work.example"
		forum := rec("discourse", "p1", "forum", t0.Add(time.Hour), "discourse", "ada")
		forum.Member.Email = "ada@home.example"
		mentoring := rec("discourse", "p2", "mentoring", t0.Add(2*time.Hour), "discourse", "grace")
		mentoring.Mentee = cadre.MemberRef{Platform: "discourse", Handle: "ada"}
		if _, err := s.NewImporter().Import(ctx, []cadre.ActivityRecord{gh, forum, mentoring}); err != nil {
			t.Fatal(err)
		}
		into, _ := s.FindMember(ctx, "github:ada-l")
		from, _ := s.FindMember(ctx, "discourse:ada")
		beforeInto, beforeFrom := memberState(t, s, into), memberState(t, s, from)

		id, err := s.MergeMembers(ctx, from, into, "admin", "same person: Ada on both")
		if err != nil {
			t.Fatal(err)
		}
		if got := memberState(t, s, into); got != fmt.Sprintf("merged into 0, emails [ada@work.example ada@home.example], identities [github:ada-l# discourse:ada#], activities %v", []int64{1, 2}) {
			t.Errorf("after the merge: %s", got)
		}
		if got := memberState(t, s, from); got != "merged into "+fmt.Sprint(into)+", emails [], identities [], activities []" {
			t.Errorf("merged-away member: %s", got)
		}
		if found, err := s.FindMember(ctx, "discourse:ada"); err != nil || found != into {
			t.Errorf("discourse:ada resolves to %d, %v; want %d", found, err, into)
		}
		// A later import through the moved identity lands on the merged member.
		if _, err := s.NewImporter().Import(ctx, []cadre.ActivityRecord{rec("discourse", "p3", "forum", t0.Add(3*time.Hour), "discourse", "ada")}); err != nil {
			t.Fatal(err)
		}
		if ms, _, err := s.Members(ctx, cadre.MemberFilter{Query: "ada"}); err != nil || len(ms) != 1 || ms[0].ID != into {
			t.Errorf("member list after the merge: %+v, %v", ms, err)
		}

		for _, bad := range []struct {
			from, into int64
			code       string
		}{{from, into, cadre.ECONFLICT}, {into, into, cadre.EINVALID}, {into, 999, cadre.ENOTFOUND}} {
			if _, err := s.MergeMembers(ctx, bad.from, bad.into, "admin", ""); cadre.ErrorCode(err) != bad.code {
				t.Errorf("merge %d into %d: %v, want %s", bad.from, bad.into, err, bad.code)
			}
		}

		if err := s.UnmergeMembers(ctx, id, "admin", "not the same Ada"); err != nil {
			t.Fatal(err)
		}
		// Everything the merge moved is back; the activity imported since
		// stays where it landed.
		if got := memberState(t, s, from); got != beforeFrom {
			t.Errorf("after the unmerge, merged-away member:\n%s\nwant\n%s", got, beforeFrom)
		}
		acts, _, _ := s.Activities(ctx, cadre.ActivityFilter{MemberID: into, Limit: 10})
		if got := memberState(t, s, into); len(acts) != 2 || got[:len(got)-len(" [1 4]")] != beforeInto[:len(beforeInto)-len(" [1]")] {
			t.Errorf("after the unmerge, receiving member:\n%s\nwas\n%s", got, beforeInto)
		}
		if err := s.UnmergeMembers(ctx, id, "admin", ""); cadre.ErrorCode(err) != cadre.ECONFLICT {
			t.Errorf("second unmerge: %v, want a conflict", err)
		}
		log, err := s.AuditLog(ctx, fmt.Sprintf("member:%d", from), 10)
		if err != nil || len(log) != 1 || log[0].Action != "member.unmerge" {
			t.Errorf("audit of the merged-away member: %+v, %v", log, err)
		}
		if log, _ := s.AuditLog(ctx, fmt.Sprintf("member:%d", into), 10); len(log) != 1 || log[0].Action != "member.merge" {
			t.Errorf("audit of the receiving member: %+v", log)
		}
	})
}

func TestUnmergeWaitsForLaterMerge(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		var recs []cadre.ActivityRecord
		for i, h := range []string{"a", "b", "c"} {
			recs = append(recs, rec("forum", h, "forum", t0.Add(time.Duration(i)*time.Hour), "forum", h))
		}
		if _, err := s.NewImporter().Import(ctx, recs); err != nil {
			t.Fatal(err)
		}
		a, _ := s.FindMember(ctx, "forum:a")
		b, _ := s.FindMember(ctx, "forum:b")
		c, _ := s.FindMember(ctx, "forum:c")
		first, err := s.MergeMembers(ctx, a, b, "admin", "")
		if err != nil {
			t.Fatal(err)
		}
		second, err := s.MergeMembers(ctx, b, c, "admin", "")
		if err != nil {
			t.Fatal(err)
		}
		if err := s.UnmergeMembers(ctx, first, "admin", ""); cadre.ErrorCode(err) != cadre.ECONFLICT {
			t.Fatalf("undoing the first merge before the second: %v, want a conflict", err)
		}
		if err := s.UnmergeMembers(ctx, second, "admin", ""); err != nil {
			t.Fatal(err)
		}
		if err := s.UnmergeMembers(ctx, first, "admin", ""); err != nil {
			t.Fatal(err)
		}
		for h, id := range map[string]int64{"a": a, "b": b, "c": c} {
			if found, err := s.FindMember(ctx, "forum:"+h); err != nil || found != id {
				t.Errorf("forum:%s resolves to %d, %v; want %d", h, found, err, id)
			}
		}
	})
}

func TestMergeSuggestions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		named := func(platform, handle, name string, n int) cadre.ActivityRecord {
			r := rec(platform, fmt.Sprint(platform, handle, n), "forum", t0.Add(time.Duration(n)*time.Minute), platform, handle)
			r.Member.Name = name
			return r
		}
		recs := []cadre.ActivityRecord{
			named("github", "grace-h", "Grace Hopper", 1), named("discourse", "grace-h", "Grace Hopper", 2), // handle and name
			named("github", "linus", "Linus", 3), named("stackexchange", "linus", "L. T.", 4), // handle only
			named("github", "bob", "Bob A", 5), named("discourse", "bob", "Bob B", 6), // short handle
			named("github", "mh1", "Margaret Hamilton", 7), named("rss", "margaret", "Margaret  Hamilton", 8), // full name
			named("github", "js", "John Smith", 9), named("rss", "jsmith", "John Smith", 10), named("events", "j-smith", "John Smith", 11),
			named("forum", "smithj", "John Smith", 12), named("meetup", "john", "John Smith", 13), // too common a name
		}
		if _, err := s.NewImporter().Import(ctx, recs); err != nil {
			t.Fatal(err)
		}
		sgs, err := s.MergeSuggestions(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, sg := range sgs {
			got = append(got, fmt.Sprintf("%.2f %s", sg.Confidence, sg.Reason))
		}
		want := []string{
			`0.90 same handle "grace-h" and name "Grace Hopper" on discourse and github`,
			`0.60 same handle "linus" on github and stackexchange`,
			`0.50 same full name "margaret hamilton"`,
			`0.35 same short handle "bob" on discourse and github`,
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("suggestions:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}

		done, err := identity.AutoMerge(ctx, s, 0.85, "auto")
		if err != nil || len(done) != 1 {
			t.Fatalf("applied %v, %v; want the one above 0.85", done, err)
		}
		merges, err := s.Merges(ctx, done[0].Into)
		if err != nil || len(merges) != 1 {
			t.Fatal(merges, err)
		}
		// Split again: the pair is not proposed any more.
		if err := s.UnmergeMembers(ctx, merges[0].ID, "admin", "two Graces"); err != nil {
			t.Fatal(err)
		}
		sgs, err = s.MergeSuggestions(ctx)
		if err != nil || len(sgs) != 3 {
			t.Fatalf("after the unmerge: %+v, %v", sgs, err)
		}
	})
}
