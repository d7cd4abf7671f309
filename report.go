package cadre

import "time"

// SelfReportSource is the source of activities that members report themselves.
const SelfReportSource = "self-report"

// SelfReport is an activity as a member reports it: what, when, the evidence.
// It is stored pending until a program manager reviews it.
type SelfReport struct {
	MemberID int64
	Type     string
	Date     time.Time
	Title    string
	URL      string // evidence: the talk's page, the blog post, …
	// EffortMinutes overrides the type's effort when above 0.
	EffortMinutes float64
}
