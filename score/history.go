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
// table lookups and no allocation per activity. An Engine follows the
// community as it changes (Add, Remove, SetExcluded) rather than being
// prepared again, and a History is saved and loaded with MarshalBinary and
// UnmarshalBinary.
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

	// The columns, one entry per approved activity, in the order added (by
	// member then time after UnmarshalBinary).
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

// SetExcluded marks a member as staff or bot, or clears the mark: excluded
// members are still scored, but never belong to the active community and so
// never qualify. Either way the member is named.
func (h *History) SetExcluded(member int32, excluded bool) error {
	if err := h.name(member); err != nil {
		return fmt.Errorf("set excluded: %w", err)
	}
	if int(member) >= len(h.excluded) {
		if !excluded {
			return nil
		}
		h.excluded = append(h.excluded, make([]bool, int(member)+1-len(h.excluded))...)
	}
	h.excluded[member] = excluded
	return nil
}

// Remove takes out one activity for each of evs with the same member, type
// and time to the microsecond, whatever the event's status, as an approved
// activity is removed when it is rejected. Events that match nothing are
// passed over. It returns how many activities it took out; the others keep
// their order.
//
// Remove reads the columns once, from the newest activity back, and stops
// as soon as every event has found its activity, so taking out recent
// activities costs little however long the history.
func (h *History) Remove(evs ...Event) int {
	type key struct {
		at     int64
		member int32
		kind   uint16
	}
	want := make(map[key]int, len(evs))
	pending := 0
	lo, hi := int64(math.MaxInt64), int64(math.MinInt64)
	for _, ev := range evs {
		k, ok := h.kindOf[ev.Type]
		if !ok || ev.Member < 0 {
			continue // no activity of that type
		}
		at := ev.At.UnixMicro()
		want[key{at, ev.Member, k}]++
		pending++
		lo, hi = min(lo, at), max(hi, at)
	}
	var gone []int // positions to remove, newest first
	for i := len(h.at) - 1; i >= 0 && pending > 0; i-- {
		at := h.at[i]
		if at < lo || at > hi {
			continue
		}
		k := key{at, h.member[i], h.kind[i]}
		if want[k] > 0 {
			want[k]--
			pending--
			gone = append(gone, i)
		}
	}
	slices.Reverse(gone)
	h.member = removeAt(h.member, gone)
	h.kind = removeAt(h.kind, gone)
	h.at = removeAt(h.at, gone)
	return len(gone)
}

// removeAt returns s without the elements at the ascending positions gone,
// moving the others down over them.
func removeAt[T any](s []T, gone []int) []T {
	if len(gone) == 0 {
		return s
	}
	w := gone[0]
	for j, i := range gone {
		end := len(s)
		if j+1 < len(gone) {
			end = gone[j+1]
		}
		w += copy(s[w:], s[i+1:end])
	}
	return s[:w]
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
// named by Add, Exclude or SetExcluded.
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
