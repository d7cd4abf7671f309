// Package session holds the rules of executive feedback sessions (SPEC 6):
// a session has a date and attendees from the ambassadors and the
// executive team; before it, ambassadors submit items (a critique or a
// feature request) and vote on each other's; during it, items become
// commitments with an owner, a due date, a status and follow-up notes,
// which every ambassador can read. A commitment not done or declined after
// its due date is overdue; follow-through measures how many were done on
// time. It is pure: the store keeps sessions, items, votes and
// commitments, and the clock is passed in.
package session

import (
	"cmp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/cadrehq/cadre"
)

// Limits on what people write, so that a page stays readable.
const (
	maxTitle = 200
	maxText  = 4000
)

// RemindEvery is how often the owner of an overdue commitment is reminded:
// once a day, however often the reminder job runs.
const RemindEvery = 24 * time.Hour

// Session is an executive feedback session.
type Session struct {
	ID    int64
	Title string
	// At is when the session takes place: items and votes are taken
	// until then.
	At time.Time
	// Ambassadors are the members who attend.
	Ambassadors []int64
	// Executives are the executive team's attendees, by name or email.
	Executives []string
	Actor      string
	CreatedAt  time.Time
}

// Validate checks a session before it is stored, tidying its attendees.
func (s *Session) Validate() error {
	s.Title = strings.TrimSpace(s.Title)
	if err := checkText("title", s.Title, maxTitle, true); err != nil {
		return err
	}
	if s.At.IsZero() {
		return cadre.Errorf(cadre.EINVALID, "a session needs its date")
	}
	var execs []string
	for _, e := range s.Executives {
		if e = strings.TrimSpace(e); e != "" && !contains(execs, e) {
			if err := checkText("executive", e, maxTitle, true); err != nil {
				return err
			}
			execs = append(execs, e)
		}
	}
	s.Executives = execs
	if len(s.Executives) == 0 {
		return cadre.Errorf(cadre.EINVALID, "a session needs at least one attendee from the executive team")
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if strings.EqualFold(v, s) {
			return true
		}
	}
	return false
}

// TakesItems says whether items and votes are taken at now: before the
// session begins.
func (s *Session) TakesItems(now time.Time) bool { return now.Before(s.At) }

// Kind is what an item is.
type Kind string

// Kinds of item.
const (
	Critique Kind = "critique"
	Feature  Kind = "feature"
)

// ParseKind reads a kind by name.
func ParseKind(v string) (Kind, error) {
	switch k := Kind(strings.ToLower(strings.TrimSpace(v))); k {
	case Critique, Feature:
		return k, nil
	}
	return "", cadre.Errorf(cadre.EINVALID, "kind must be critique or feature, got %s", cadre.Quote(v))
}

// Item is what an ambassador brings to a session.
type Item struct {
	ID        int64
	SessionID int64
	Kind      Kind
	Title     string
	Body      string
	AuthorID  int64 // the member who submitted it
	CreatedAt time.Time
	Voters    []int64 // the members who voted for it, in the order they did
}

// Votes is how many voted for the item.
func (it *Item) Votes() int { return len(it.Voters) }

// VotedBy says whether member voted for the item.
func (it *Item) VotedBy(member int64) bool {
	for _, v := range it.Voters {
		if v == member {
			return true
		}
	}
	return false
}

// Validate checks an item before it is submitted to s at now.
func (it *Item) Validate(s *Session, now time.Time) error {
	it.Title, it.Body = strings.TrimSpace(it.Title), strings.TrimSpace(it.Body)
	kind, err := ParseKind(string(it.Kind))
	if err != nil {
		return err
	}
	it.Kind = kind
	if err := checkText("title", it.Title, maxTitle, true); err != nil {
		return err
	}
	if err := checkText("text", it.Body, maxText, false); err != nil {
		return err
	}
	if it.AuthorID == 0 {
		return cadre.Errorf(cadre.EINVALID, "an item needs the ambassador who submits it")
	}
	if !s.TakesItems(now) {
		return cadre.Errorf(cadre.ECONFLICT, "the session of %s has begun: items are taken before it", s.At.Format(time.DateOnly))
	}
	return nil
}

// CheckVote says whether member may vote for item it of session s at now:
// before the session, once, and not for their own item.
func CheckVote(s *Session, it *Item, member int64, now time.Time) error {
	switch {
	case member == 0:
		return cadre.Errorf(cadre.EINVALID, "a vote needs the ambassador who casts it")
	case it.AuthorID == member:
		return cadre.Errorf(cadre.ECONFLICT, "you cannot vote for your own item")
	case it.VotedBy(member):
		return cadre.Errorf(cadre.ECONFLICT, "you voted for this item already")
	case !s.TakesItems(now):
		return cadre.Errorf(cadre.ECONFLICT, "the session of %s has begun: votes are taken before it", s.At.Format(time.DateOnly))
	}
	return nil
}

func checkText(what, v string, limit int, required bool) error {
	switch {
	case required && v == "":
		return cadre.Errorf(cadre.EINVALID, "%s is required", what)
	case !utf8.ValidString(v):
		return cadre.Errorf(cadre.EINVALID, "%s is not valid text", what)
	case utf8.RuneCountInString(v) > limit:
		return cadre.Errorf(cadre.EINVALID, "%s must be at most %d characters", what, limit)
	}
	return nil
}

// SortByVotes orders items the most voted first, the earliest submitted
// first among equals.
func SortByVotes(items []Item) {
	slices.SortStableFunc(items, func(a, b Item) int {
		if c := cmp.Compare(b.Votes(), a.Votes()); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
}
