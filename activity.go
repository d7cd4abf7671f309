package cadre

import "time"

// ActivityStatus says whether an activity counts (SPEC section 2).
type ActivityStatus string

// Activity statuses. Imported activities are approved; self-reports start pending.
const (
	ActivityApproved ActivityStatus = "approved"
	ActivityPending  ActivityStatus = "pending"
	ActivityRejected ActivityStatus = "rejected"
)

// Valid reports whether s is one of the known statuses.
func (s ActivityStatus) Valid() bool {
	switch s {
	case ActivityApproved, ActivityPending, ActivityRejected:
		return true
	}
	return false
}

// Activity is one contribution credited to a member. It is unique by
// (Source, ExternalID).
type Activity struct {
	ID         int64
	MemberID   int64
	Type       string // a key of the criteria's activity types; unknown keys earn nothing
	OccurredAt time.Time
	Source     string
	ExternalID string
	Status     ActivityStatus
	// EffortMinutes overrides the type's effort when HasEffort is set.
	EffortMinutes float64
	HasEffort     bool
	URL           string
	Title         string
	Metrics       map[string]float64 // views, likes, solved, ...
	MenteeID      int64              // for mentoring; 0 when none
	// Thread is the thread the activity belongs to, with its state as
	// the record saw it; its ID is "" when none.
	Thread Thread
	// DuplicateOf flags a self-reported activity that looks like activity
	// already known (its ID), for the reviewer; 0 when none.
	DuplicateOf int64
}

// Thread names the topic, question or issue that an activity belongs to,
// with the thread's state as the activity's record saw it (SPEC section 2):
// its views and whether it is solved, each only when the record tells. A
// thread is unique by its activity's source and its ID; the latest state
// seen of it wins, and feeds the forum outcomes of the program's health
// (SPEC section 6).
type Thread struct {
	ID        string // unique within the source; "" for no thread
	Views     int64
	HasViews  bool
	Solved    bool
	HasSolved bool
}

// ActivityRecord is an activity as it arrives from outside Cadre: the member and
// mentee are named by reference and resolved on import.
type ActivityRecord struct {
	Activity
	Member MemberRef
	Mentee MemberRef // zero when there is no mentee
}

// ActivityFilter selects activities in listings. Zero fields do not filter.
type ActivityFilter struct {
	MemberID int64
	Type     string
	Source   string
	Status   ActivityStatus
	Since    time.Time // inclusive
	Until    time.Time // exclusive
	Offset   int
	Limit    int
}

// ImportResult counts what an import did with its records.
type ImportResult struct {
	Inserted   int
	Duplicates int
	Rejected   int
}

// Add adds the counts of o to r.
func (r *ImportResult) Add(o ImportResult) {
	r.Inserted += o.Inserted
	r.Duplicates += o.Duplicates
	r.Rejected += o.Rejected
}
