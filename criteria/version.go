package criteria

import "time"

// Version is one stored version of the criteria document. Every change to the
// criteria is a new version, so that scores can be recomputed under any of them
// (SPEC section 1).
type Version struct {
	// Number counts versions from 1 in the order they were stored.
	Number    int
	Author    string
	CreatedAt time.Time
	// Criteria is Source parsed.
	Criteria *Criteria
	// Source is the document as its author wrote it, comments included.
	Source []byte
}
