// Package score is the scoring engine of SPEC sections 2 to 4: the points an
// activity earns, a member's score with decay, the active community, who
// qualifies, calibration of the bar and projections of a member's score. It is
// pure: no storage, no transport, and the instant t of every computation is
// passed in, never read from a clock.
//
// The engine works on columns rather than on cadre.Activity values so that a
// community of millions of activities can be scored in milliseconds. A History
// gathers the activities once, independently of any criteria; New prepares an
// Engine for one criteria version, which resolves each activity's points and
// quarter ahead of time; Evaluate then scores every member at an instant with
// table lookups and no allocation per activity.
//
// Members are named by a dense index (0, 1, 2, …) that the caller assigns, for
// example the position of the member in a list read from the store. Times are
// kept to the microsecond, the resolution of the store.
package score

import (
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/cadrehq/cadre"
)

// Event is one activity as the engine reads it.
type Event struct {
	// Member is the dense index of the member the activity belongs to, from 0.
	Member int32
	// Type is the activity type key; keys the criteria do not define earn nothing.
	Type string
	// At is when the activity occurred, kept to the microsecond.
	At time.Time
	// Status decides whether the activity counts: only approved ones do.
	Status cadre.ActivityStatus
}

// History holds the approved activities of a community in columns, with the
// members that are staff or bots. It does not depend on the criteria, so one
// History serves every criteria version. The zero History is empty and ready
// for use.
type History struct {
	members  int    // one more than the highest member index named
	excluded []bool // by member index; shorter than members when the tail is not excluded

	// The columns, one entry per approved activity, in the order added.
	member []int32
	kind   []uint16 // index into kinds
	at     []int64  // Unix microseconds

	kinds  []string          // the distinct type keys seen, in order of first sight
	kindOf map[string]uint16 // type key -> index in kinds
}

// Grow makes room for n more activities, saving reallocations when the size of
// the community is known in advance.
func (h *History) Grow(n int) {
	h.member = slices.Grow(h.member, n)
	h.kind = slices.Grow(h.kind, n)
	h.at = slices.Grow(h.at, n)
}

// Add records an activity. Activities that are not approved never count (SPEC
// section 2), so only their member is remembered, to be scored 0.
func (h *History) Add(e Event) error {
	if err := h.name(e.Member); err != nil {
		return fmt.Errorf("add activity: %w", err)
	}
	if e.Status != cadre.ActivityApproved {
		return nil
	}
	k, ok := h.kindOf[e.Type]
	if !ok {
		if len(h.kinds) > math.MaxUint16 {
			return fmt.Errorf("add activity: %w", cadre.Errorf(cadre.EINVALID, "more than %d distinct activity types", math.MaxUint16+1))
		}
		if h.kindOf == nil {
			h.kindOf = make(map[string]uint16)
		}
		k = uint16(len(h.kinds))
		h.kinds = append(h.kinds, e.Type)
		h.kindOf[e.Type] = k
	}
	h.member = append(h.member, e.Member)
	h.kind = append(h.kind, k)
	h.at = append(h.at, e.At.UnixMicro())
	return nil
}

// Exclude marks a member as staff or bot: they are still scored, but never
// belong to the active community and so never qualify.
func (h *History) Exclude(member int32) error {
	if err := h.name(member); err != nil {
		return fmt.Errorf("exclude member: %w", err)
	}
	if int(member) >= len(h.excluded) {
		h.excluded = append(h.excluded, make([]bool, int(member)+1-len(h.excluded))...)
	}
	h.excluded[member] = true
	return nil
}

// name checks a member index and counts the member in.
func (h *History) name(member int32) error {
	if member < 0 {
		return cadre.Errorf(cadre.EINVALID, "negative member index %d", member)
	}
	h.members = max(h.members, int(member)+1)
	return nil
}

// Members returns the number of members: one more than the highest index
// named by Add or Exclude.
func (h *History) Members() int { return h.members }

// Len returns the number of approved activities held.
func (h *History) Len() int { return len(h.at) }

// Select returns the part of h with the activities of type typ ("" for every
// type) that occurred in [since, until) (a zero time leaves that end open),
// for rankings such as "this quarter's most active". Members and exclusions
// are kept.
func (h *History) Select(typ string, since, until time.Time) *History {
	out := &History{members: h.members, excluded: slices.Clone(h.excluded), kinds: h.kinds, kindOf: h.kindOf}
	kind, typed := h.kindOf[typ]
	if typ != "" && !typed {
		return out // no activity of that type
	}
	lo, hi := int64(math.MinInt64), int64(math.MaxInt64)
	if !since.IsZero() {
		lo = since.UnixMicro()
	}
	if !until.IsZero() {
		hi = until.UnixMicro()
	}
	for i, at := range h.at {
		if at < lo || at >= hi || (typ != "" && h.kind[i] != kind) {
			continue
		}
		out.member = append(out.member, h.member[i])
		out.kind = append(out.kind, h.kind[i])
		out.at = append(out.at, at)
	}
	return out
}
