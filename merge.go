package cadre

// Merge is one merge of two members: who and why, and what it moved, so
// that undoing it restores both exactly.
type Merge struct {
	ID       int64
	FromID   int64 // the member merged away
	IntoID   int64 // the member that received everything
	At       int64 // Unix seconds
	Actor    string
	Reason   string
	Moved    MergeMoved
	UndoneAt int64 // 0 while in force
}

// MergeMoved lists what a merge moved.
type MergeMoved struct {
	Identities []int64
	Emails     []string
	Activities []int64 // activities of the member merged away
	Mentored   []int64 // activities naming them as mentee
}

// MergeSuggestion proposes that two members are one person.
type MergeSuggestion struct {
	// Into is the member to keep (the older), From the one to merge into it.
	Into, From int64
	Reason     string
	// Confidence is how sure the evidence makes it, from 0 to 1.
	Confidence float64
}
