package program

import (
	"slices"
	"time"

	"github.com/cadrehq/cadre"
)

// Via says how a term began.
type Via string

// Ways into the program.
const (
	ViaInvitation  Via = "invitation"
	ViaApplication Via = "application"
	ViaRoster      Via = "roster"
)

// EndReason says how a term ended.
type EndReason string

// How terms end.
const (
	EndReview   EndReason = "review"
	EndResigned EndReason = "resigned"
	EndRemoved  EndReason = "removed"
	EndRoster   EndReason = "roster"
)

// Term is a period in which a member is an ambassador: from Start, up to End
// (zero while it lasts).
type Term struct {
	ID       int64
	MemberID int64
	Start    time.Time
	End      time.Time // zero: open
	Via      Via
	EndedBy  EndReason // "" while open
	Reason   string    // why it began or ended, as an admin said
}

// Open reports whether the term has no end.
func (t *Term) Open() bool { return t.End.IsZero() }

// Holds reports whether the member is an ambassador by this term at at.
func (t *Term) Holds(at time.Time) bool {
	return !at.Before(t.Start) && (t.Open() || at.Before(t.End))
}

// overlaps reports whether two terms share an instant.
func (t *Term) overlaps(o *Term) bool {
	return (t.Open() || o.Start.Before(t.End)) && (o.Open() || t.Start.Before(o.End))
}

// StatusAt is a member's status at at, from their terms (SPEC section 5):
// ambassador while a term holds at, alumni once a term has ended, else member.
func StatusAt(terms []Term, at time.Time) cadre.MemberStatus {
	status := cadre.StatusMember
	for i := range terms {
		switch t := &terms[i]; {
		case t.Holds(at):
			return cadre.StatusAmbassador
		case !t.Open() && !t.End.After(at):
			status = cadre.StatusAlumni
		}
	}
	return status
}

// CheckTerm says whether t may join the member's other terms: a start, an
// end after it, a known way in, no overlap; staff and bots hold none.
func CheckTerm(m *cadre.Member, others []Term, t *Term) error {
	switch {
	case m.Staff || m.Bot:
		return cadre.Errorf(cadre.EINVALID, "member %d is staff or a bot, who hold no term", m.ID)
	case m.MergedInto != 0:
		return cadre.Errorf(cadre.EINVALID, "member %d was merged into member %d", m.ID, m.MergedInto)
	case t.Start.IsZero():
		return cadre.Errorf(cadre.EINVALID, "a term needs a start")
	case !t.Open() && !t.End.After(t.Start):
		return cadre.Errorf(cadre.EINVALID, "a term ends after it starts: %s is not after %s", t.End.UTC().Format(time.RFC3339), t.Start.UTC().Format(time.RFC3339))
	case !slices.Contains([]Via{ViaInvitation, ViaApplication, ViaRoster}, t.Via):
		return cadre.Errorf(cadre.EINVALID, "a term begins by invitation, application or roster, not %s", cadre.Quote(string(t.Via)))
	}
	if r := cadre.CheckActivityTime(t.Start); r != "" {
		return cadre.Errorf(cadre.EINVALID, "term start %s", r)
	}
	for i := range others {
		o := &others[i]
		if o.ID != 0 && o.ID == t.ID {
			continue
		}
		if o.overlaps(t) {
			return cadre.Errorf(cadre.ECONFLICT, "the term from %s overlaps member %d's term from %s%s", t.Start.UTC().Format(time.RFC3339), m.ID,
				o.Start.UTC().Format(time.RFC3339), until(o))
		}
	}
	return nil
}

func until(t *Term) string {
	if t.Open() {
		return " (open)"
	}
	return " to " + t.End.UTC().Format(time.RFC3339)
}

// AtRisk returns who a coming review could lapse: the members of the terms
// open at now that started before now's quarter (those that began in it are
// carried over), each once. Whether their score falls short is the scoring
// engine's to say.
func AtRisk(terms []Term, now time.Time, loc *time.Location) []int64 {
	start := QuarterOf(now, loc).Start(loc)
	var ids []int64
	seen := map[int64]bool{}
	for i := range terms {
		t := &terms[i]
		if t.Holds(now) && t.Start.Before(start) && !seen[t.MemberID] {
			seen[t.MemberID] = true
			ids = append(ids, t.MemberID)
		}
	}
	return ids
}

// Terms are terms indexed by member, for asking many times whether a
// member holds one.
type Terms struct {
	Terms    []Term
	byMember map[int64][]int // indexes into Terms
}

// NewTerms indexes terms, which it keeps.
func NewTerms(terms []Term) *Terms {
	ts := &Terms{byMember: map[int64][]int{}}
	for _, t := range terms {
		ts.Add(t)
	}
	return ts
}

// Add appends a term.
func (ts *Terms) Add(t Term) {
	ts.byMember[t.MemberID] = append(ts.byMember[t.MemberID], len(ts.Terms))
	ts.Terms = append(ts.Terms, t)
}

// Holds reports whether a term makes member an ambassador at at.
func (ts *Terms) Holds(member int64, at time.Time) bool {
	for _, i := range ts.byMember[member] {
		if ts.Terms[i].Holds(at) {
			return true
		}
	}
	return false
}
