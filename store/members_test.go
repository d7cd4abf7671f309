package store_test

import (
	"context"
	"slices"
	"strings"
	"testing"

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
