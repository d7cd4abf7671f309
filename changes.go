package cadre

import "time"

// ScoreEvent is what scoring needs of an activity.
type ScoreEvent struct {
	MemberID   int64
	Type       string
	OccurredAt time.Time
}

// Change kinds in the log of changes to what scores depend on.
const (
	ChangeMember   = "member"   // a member was created or changed
	ChangeActivity = "activity" // a stored activity changed; Old says what counted before
	ChangeCriteria = "criteria" // a criteria version was stored
)

// Change is one entry of the log of changes.
type Change struct {
	Seq  int64
	Kind string
	// Ref is the ID of the member or activity changed.
	Ref int64
	// Old is, for an activity, what it counted as before the change, and
	// OldStatus its status then.
	Old       ScoreEvent
	OldStatus string
}

// ChangeReader receives what standings are made of, as a read of the store
// finds it.
type ChangeReader struct {
	// Member is called with members created or changed, without emails.
	Member func(*Member) error
	// Activity is called with approved activities, as they are now.
	Activity func(id int64, ev ScoreEvent) error
}

// ChangeView describes the state of the store that a read saw.
type ChangeView struct {
	// Seq is the change sequence number of the state.
	Seq int64
	// ActivityMark is the largest activity ID in it.
	ActivityMark int64
	// Changes are the changes logged after the state the read started
	// from, in order.
	Changes []Change
}

// ErrPruned is returned by a catch-up from a state so old that the changes
// since are no longer logged: start again from the stored standings.
var ErrPruned error = Errorf(ECONFLICT, "the changes since are pruned; reload")

// ScoreSnapshot is the standings as stored for restarts: an encoding of the
// scoring history as of a change sequence number and largest activity ID.
type ScoreSnapshot struct {
	Seq          int64
	ActivityMark int64
	CreatedAt    time.Time
	Data         []byte
}
