package cadre

import "testing"

func TestParseMemberRef(t *testing.T) {
	tests := []struct {
		in   string
		want MemberRef
		err  bool
	}{
		{"github:ada", MemberRef{Platform: "github", Handle: "ada"}, false},
		{" Ada@Example.ORG ", MemberRef{Email: "ada@example.org"}, false},
		{"", MemberRef{}, false},
		{"ada", MemberRef{}, true},
		{"github:", MemberRef{}, true},
		{":ada", MemberRef{}, true},
	}
	for _, tt := range tests {
		got, err := ParseMemberRef(tt.in)
		if got != tt.want || (err != nil) != tt.err {
			t.Errorf("ParseMemberRef(%q) = %+v, %v; want %+v, error %v", tt.in, got, err, tt.want, tt.err)
		}
		if err != nil && ErrorCode(err) != EINVALID {
			t.Errorf("ParseMemberRef(%q): error code %s, want invalid", tt.in, ErrorCode(err))
		}
	}
}
