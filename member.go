package cadre

import (
	"strings"
	"time"
)

// MemberStatus is where a member stands in the program (SPEC section 5).
type MemberStatus string

// Member statuses.
const (
	StatusMember     MemberStatus = "member"
	StatusAmbassador MemberStatus = "ambassador"
	StatusAlumni     MemberStatus = "alumni"
)

// Valid reports whether s is one of the known statuses.
func (s MemberStatus) Valid() bool {
	switch s {
	case StatusMember, StatusAmbassador, StatusAlumni:
		return true
	}
	return false
}

// Member is one person in the community, possibly known on several platforms.
type Member struct {
	ID     int64
	Name   string   // display name; the first handle seen when no name was given
	Emails []string // lower-cased, the first is the primary address
	Status MemberStatus
	// Staff and Bot members are kept out of rankings and the active community.
	Staff     bool
	Bot       bool
	Region    string
	Company   string
	CreatedAt time.Time
	// MergedInto is the member this one was merged into (0 when it was not):
	// such a member holds nothing until the merge is undone.
	MergedInto int64
}

// Identity ties an account on a platform to a member. A handle is unique per
// platform (case-insensitively), and so is the platform's stable user id when known.
type Identity struct {
	ID       int64
	MemberID int64
	Platform string
	Handle   string
	UserID   string // the platform's stable id, "" when unknown
}

// MemberRef names a member the way outside data does: by a platform handle,
// an email address, or both. It resolves to a Member on import.
type MemberRef struct {
	Platform string
	Handle   string
	// UserID is the platform's stable id for the account, when known: it
	// survives renames of the handle, so it is matched first.
	UserID string
	Email  string
	Name   string
	// Bot says the platform marks the account as a bot (SPEC section 9).
	Bot bool
}

// ParseMemberRef reads a reference as people write one: "platform:handle",
// or an email address; "" names nobody.
func ParseMemberRef(v string) (MemberRef, error) {
	v = strings.TrimSpace(v)
	switch {
	case v == "":
		return MemberRef{}, nil
	case strings.Contains(v, "@") && !strings.Contains(v, ":"):
		return MemberRef{Email: strings.ToLower(v)}, nil
	}
	platform, handle, ok := strings.Cut(v, ":")
	if !ok || platform == "" || handle == "" {
		return MemberRef{}, Errorf(EINVALID, "a member is platform:handle or an email, got %q", v)
	}
	return MemberRef{Platform: platform, Handle: handle}, nil
}

// IsZero reports whether the reference names nobody.
func (r MemberRef) IsZero() bool {
	return r.Handle == "" && r.Email == ""
}

// MemberFilter selects members in listings.
type MemberFilter struct {
	Status MemberStatus // "" for any
	// Query is a substring of the name, a handle or an email, matched
	// literally (a '%' or '_' is itself) and ignoring case; at most
	// MaxMemberQuery characters. See RankedMatches for the order.
	Query string
	// NoEmails keeps Query off email addresses, for those who may not read
	// them: a search would otherwise tell whose address it is.
	NoEmails bool
	Offset   int
	Limit    int
}

// MaxMemberQuery is the longest MemberFilter.Query, in characters: far more
// than any name or email, and short enough that a search costs little.
const MaxMemberQuery = 200

// RankedMatches is the most matches a search ranks by activity. Ranking
// counts the activities of every match, so a search as broad as "ada" over
// a million members (50,000 matches) would count half a million activities
// for each page; beyond this many matches the list is in ID order instead,
// found in the index a page at a time, and a narrower search ranks again.
const RankedMatches = 1000

// MemberSummary is a member with their activity count, as listed on pages.
type MemberSummary struct {
	Member
	Activities int
}

// IsBotHandle reports whether a login names a bot by the platforms'
// convention of a "[bot]" suffix (SPEC section 9).
func IsBotHandle(handle string) bool {
	return strings.HasSuffix(handle, "[bot]")
}
