package store_test

import (
	"context"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cadrehq/cadre"
	"github.com/cadrehq/cadre/store"
	"github.com/cadrehq/cadre/store/storetest"
)

// TestMembersSearchIsLiteral searches names, handles and emails for text
// holding LIKE's wildcards and its escape character: each matches only
// itself, on both backends.
func TestMembersSearchIsLiteral(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		for _, m := range []struct {
			name, handle, email string
		}{
			{"50% off", "", ""},
			{"500 club", "", ""},
			{"Back\\slash", "", ""},
			{"Backslash", "", ""},
			{"Handle Holder", "a_b", ""},
			{"Near Miss", "axb", ""},
			{"Mail Holder", "", "x_y%z@example.org"},
			{"Other Mail", "", "xzyqz@example.org"},
		} {
			var ids []cadre.Identity
			if m.handle != "" {
				ids = append(ids, cadre.Identity{Platform: "github", Handle: m.handle})
			}
			var emails []string
			if m.email != "" {
				emails = append(emails, m.email)
			}
			if err := s.CreateMember(ctx, &cadre.Member{Name: m.name, Emails: emails, Status: cadre.StatusMember}, ids); err != nil {
				t.Fatal(err)
			}
		}
		tests := []struct {
			query string
			want  []string
		}{
			{"50%", []string{"50% off"}},
			{"%", []string{"50% off", "Mail Holder"}},
			{"5_0", nil},
			{"a_b", []string{"Handle Holder"}},
			{"_", []string{"Handle Holder", "Mail Holder"}},
			{`k\s`, []string{"Back\\slash"}},
			{`\`, []string{"Back\\slash"}},
			{"y%z@", []string{"Mail Holder"}},
			{"X_Y", []string{"Mail Holder"}},
			{"back", []string{"Back\\slash", "Backslash"}},
		}
		for _, tt := range tests {
			ms, total, err := s.Members(ctx, cadre.MemberFilter{Query: tt.query})
			if err != nil {
				t.Fatalf("search %q: %v", tt.query, err)
			}
			var got []string
			for _, m := range ms {
				got = append(got, m.Name)
			}
			slices.Sort(got)
			if !slices.Equal(got, tt.want) || total != len(tt.want) {
				t.Errorf("search %q: %q (total %d), want %q", tt.query, got, total, tt.want)
			}
		}
	})
}

func TestMembersSearchLength(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		tests := []struct {
			query string
			ok    bool
		}{
			{strings.Repeat("a", cadre.MaxMemberQuery), true},
			{strings.Repeat("é", cadre.MaxMemberQuery), true}, // characters, not bytes
			{strings.Repeat("a", cadre.MaxMemberQuery+1), false},
			{strings.Repeat("%", 10_000), false},
		}
		for _, tt := range tests {
			_, _, err := s.Members(ctx, cadre.MemberFilter{Query: tt.query})
			if tt.ok && err != nil || !tt.ok && (cadre.ErrorCode(err) != cadre.EINVALID || !strings.Contains(err.Error(), "search: at most 200 characters")) {
				t.Errorf("search of %d bytes: %v, want ok %v", len(tt.query), err, tt.ok)
			}
		}
	})
}

// TestStaffDomainIsLiteral flags the members of a staff domain with a '_'
// in it, and not those of a domain that the '_' as a wildcard would match.
func TestStaffDomainIsLiteral(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		for _, email := range []string{"ann@my_co.example", "bob@myxco.example"} {
			if err := s.CreateMember(ctx, &cadre.Member{Name: email, Emails: []string{email}, Status: cadre.StatusMember}, nil); err != nil {
				t.Fatal(err)
			}
		}
		n, err := s.SetStaffDomains(ctx, []string{"my_co.example"}, "admin")
		if err != nil || n != 1 {
			t.Fatalf("flagged %d, %v; want 1", n, err)
		}
		ms, _, err := s.Members(ctx, cadre.MemberFilter{})
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range ms {
			if want := m.Name == "ann@my_co.example"; m.Staff != want {
				t.Errorf("%s: staff %v, want %v", m.Name, m.Staff, want)
			}
		}
	})
}

// TestMembersSearchMatchesSubstrings imports members with names, handles
// and emails drawn from a few syllables, so that searches overlap, and
// checks every search of one to four characters against the members whose
// name, handle or email holds it, computed here: the indexed searches of
// three characters or more and the scanning ones of fewer agree with a
// plain substring test, on both backends, with and without emails.
func TestMembersSearchMatchesSubstrings(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		syllables := []string{"ada", "la", "vel", "ce", "ø", "Mü", "ller", "an"}
		r := rand.New(rand.NewPCG(3, 5))
		word := func(n int) string {
			var b strings.Builder
			for range n {
				b.WriteString(syllables[r.IntN(len(syllables))])
			}
			return b.String()
		}
		type person struct{ name, handle, email string }
		var people []person
		var recs []cadre.ActivityRecord
		for i := range 60 {
			p := person{name: word(2) + " " + word(2), handle: word(2) + fmt.Sprint(i), email: strings.ToLower(word(1)) + fmt.Sprint(i) + "@" + strings.ToLower(word(1)) + ".example"}
			people = append(people, p)
			rc := rec("forum", fmt.Sprint(i), "forum", t0, "forum", p.handle)
			rc.Member.Name, rc.Member.Email = p.name, p.email
			recs = append(recs, rc)
		}
		if _, err := s.NewImporter().Import(ctx, recs); err != nil {
			t.Fatal(err)
		}
		queries := map[string]bool{}
		for _, p := range people {
			for _, text := range []string{p.name, p.handle, p.email} {
				runes := []rune(strings.ToLower(text))
				for n := 1; n <= 4; n++ {
					for i := 0; i+n <= len(runes); i += 3 {
						queries[string(runes[i:i+n])] = true
					}
				}
			}
		}
		queries["zzz"], queries["ADA"] = true, true
		for q := range queries {
			for _, emails := range []bool{true, false} {
				want := map[string]bool{}
				for _, p := range people {
					lq := strings.ToLower(q)
					if strings.Contains(strings.ToLower(p.name), lq) || strings.Contains(strings.ToLower(p.handle), lq) || emails && strings.Contains(p.email, lq) {
						want[p.handle] = true
					}
				}
				ms, total, err := s.Members(ctx, cadre.MemberFilter{Query: q, NoEmails: !emails, Limit: 100})
				if err != nil {
					t.Fatalf("search %q: %v", q, err)
				}
				got := map[string]bool{}
				for _, m := range ms {
					ids, err := s.Identities(ctx, m.ID)
					if err != nil || len(ids) != 1 {
						t.Fatalf("identities of %d: %v, %v", m.ID, ids, err)
					}
					got[ids[0].Handle] = true
				}
				if !maps.Equal(got, want) || total != len(want) {
					t.Errorf("search %q (emails %v): %d members, total %d; want %d: %v", q, emails, len(got), total, len(want), slices.Sorted(maps.Keys(want)))
				}
			}
		}
	})
}

// TestMembersSearchFollowsChanges searches after the changes that touch
// what a search reads, each through its own write path: an import adds a
// member, a later one a second identity and email and a new name, a merge
// moves them to another member and its undo moves them back.
func TestMembersSearchFollowsChanges(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		find := func(q string) []int64 {
			t.Helper()
			ms, _, err := s.Members(ctx, cadre.MemberFilter{Query: q})
			if err != nil {
				t.Fatal(err)
			}
			var ids []int64
			for _, m := range ms {
				ids = append(ids, m.ID)
			}
			slices.Sort(ids)
			return ids
		}
		first := rec("github", "1", "code", t0, "github", "lovelace-a")
		first.Member.Name = "Ada Lovelace"
		other := rec("discourse", "2", "forum", t0, "discourse", "gracehopper")
		other.Member.Name, other.Member.Email = "Grace Hopper", "grace@navy.example"
		if _, err := s.NewImporter().Import(ctx, []cadre.ActivityRecord{first, other}); err != nil {
			t.Fatal(err)
		}
		ada, _ := s.FindMember(ctx, "github:lovelace-a")
		grace, _ := s.FindMember(ctx, "discourse:gracehopper")
		if got := find("lovel"); !slices.Equal(got, []int64{ada}) {
			t.Errorf("lovel: %v, want [%d]", got, ada)
		}
		// The same person through a user id seen again, with a new handle,
		// name and email.
		again := rec("github", "3", "code", t0.Add(time.Hour), "github", "countess")
		again.Member.Name, again.Member.Email = "Augusta Ada King", "ada@analytical.example"
		first.Member.UserID, again.Member.UserID = "42", "42"
		if _, err := s.NewImporter().Import(ctx, []cadre.ActivityRecord{again}); err != nil {
			t.Fatal(err)
		}
		renamed, _ := s.FindMember(ctx, "github:countess")
		for _, q := range []string{"countess", "augusta", "analytical"} {
			if got := find(q); !slices.Equal(got, []int64{renamed}) {
				t.Errorf("%s after the second import: %v, want [%d]", q, got, renamed)
			}
		}
		id, err := s.MergeMembers(ctx, grace, renamed, "admin", "test")
		if err != nil {
			t.Fatal(err)
		}
		if got := find("navy"); !slices.Equal(got, []int64{renamed}) {
			t.Errorf("navy after the merge: %v, want [%d]", got, renamed)
		}
		if got := find("hopper"); !slices.Equal(got, []int64{renamed}) {
			t.Errorf("hopper (a handle) after the merge: %v, want [%d]", got, renamed)
		}
		if got := find("grace hop"); got != nil {
			t.Errorf("the merged-away member's name after the merge: %v, want none", got)
		}
		if err := s.UnmergeMembers(ctx, id, "admin", "test"); err != nil {
			t.Fatal(err)
		}
		for _, q := range []string{"navy", "hopper", "grace hop"} {
			if got := find(q); !slices.Equal(got, []int64{grace}) {
				t.Errorf("%s after the undo: %v, want [%d]", q, got, grace)
			}
		}
	})
}

// TestMembersSearchRanksNarrowSearches lists a search of at most
// cadre.RankedMatches matches most active first, and a broader one by ID.
func TestMembersSearchRanksNarrowSearches(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		var recs []cadre.ActivityRecord
		for i := range cadre.RankedMatches + 1 {
			// Member i has one activity; the last few named "narrow" have more.
			name := fmt.Sprintf("Broad %04d", i)
			n := 1
			if i >= cadre.RankedMatches-2 {
				name, n = fmt.Sprintf("Broad narrow %d", i), 2+i-(cadre.RankedMatches-2)
			}
			for k := range n {
				rc := rec("forum", fmt.Sprintf("%d-%d", i, k), "forum", t0, "forum", fmt.Sprintf("h%04d", i))
				rc.Member.Name = name
				recs = append(recs, rc)
			}
		}
		if _, err := s.NewImporter().Import(ctx, recs); err != nil {
			t.Fatal(err)
		}
		names := func(q string) ([]string, int) {
			ms, total, err := s.Members(ctx, cadre.MemberFilter{Query: q, Limit: 3})
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, m := range ms {
				out = append(out, m.Name)
			}
			return out, total
		}
		n := cadre.RankedMatches
		if got, total := names("narrow"); total != 3 || !slices.Equal(got, []string{fmt.Sprintf("Broad narrow %d", n), fmt.Sprintf("Broad narrow %d", n-1), fmt.Sprintf("Broad narrow %d", n-2)}) {
			t.Errorf("narrow: %q of %d, want the three most active first", got, total)
		}
		if got, total := names("broad"); total != n+1 || !slices.Equal(got, []string{"Broad 0000", "Broad 0001", "Broad 0002"}) {
			t.Errorf("broad: %q of %d, want the first three by ID of %d", got, total, n+1)
		}
	})
}

// TestMembersCountActivities lists members most active first by the count
// the triggers keep, through each write path that moves it: imports, a
// self-report, a merge and its undo.
func TestMembersCountActivities(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		var recs []cadre.ActivityRecord
		for handle, n := range map[string]int{"ann": 3, "ben": 1, "cat": 2} {
			for k := range n {
				recs = append(recs, rec("forum", fmt.Sprintf("%s-%d", handle, k), "forum", t0.Add(time.Duration(k)*time.Hour), "forum", handle))
			}
		}
		if _, err := s.NewImporter().Import(ctx, recs); err != nil {
			t.Fatal(err)
		}
		ids := map[string]int64{}
		for _, h := range []string{"ann", "ben", "cat"} {
			ids[h], _ = s.FindMember(ctx, "forum:"+h)
		}
		check := func(step string, want ...any) {
			t.Helper()
			ms, total, err := s.Members(ctx, cadre.MemberFilter{})
			if err != nil {
				t.Fatal(err)
			}
			var got []any
			for _, m := range ms {
				got = append(got, m.Name, m.Activities)
			}
			if !slices.Equal(got, want) || total != len(want)/2 {
				t.Errorf("%s: %v (%d), want %v", step, got, total, want)
			}
		}
		check("imported", "ann", 3, "cat", 2, "ben", 1)
		for range 2 {
			if _, err := s.Report(ctx, cadre.SelfReport{MemberID: ids["ben"], Type: "mentoring", Date: t0, Title: fmt.Sprintf("Office hours %d", len(recs))}, "ben"); err != nil {
				t.Fatal(err)
			}
			recs = append(recs, cadre.ActivityRecord{})
		}
		check("ben reported two", "ann", 3, "ben", 3, "cat", 2)
		merge, err := s.MergeMembers(ctx, ids["cat"], ids["ben"], "admin", "test")
		if err != nil {
			t.Fatal(err)
		}
		check("cat merged into ben", "ben", 5, "ann", 3)
		if err := s.UnmergeMembers(ctx, merge, "admin", "test"); err != nil {
			t.Fatal(err)
		}
		check("the merge undone", "ann", 3, "ben", 3, "cat", 2)
	})
}
