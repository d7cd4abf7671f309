package cadre

import "time"

// CriteriaDoc is one stored version of the criteria document, as text; the
// criteria package parses and validates it.
type CriteriaDoc struct {
	Version   int
	Author    string
	CreatedAt time.Time
	Document  string
}
