package cadre

import "time"

// Source is a platform Cadre reads on a schedule: its configuration, where
// the last sync stopped, and how it went.
type Source struct {
	Name   string
	Kind   string            // discourse, rss, …
	Config map[string]string // URLs, API keys, …: what the kind needs
	// Paused keeps every sync, scheduled or asked for, away from the source
	// until it is resumed.
	Paused bool
	// Cursor is where the next sync resumes, in the connector's own terms.
	Cursor     string
	LastSyncAt time.Time // zero before the first sync
	LastError  string    // of the last sync; "" when it succeeded
	// Totals over every sync.
	Inserted, Duplicates, Rejected int
	// LeaseOwner holds the source while syncing it, until LeaseUntil.
	LeaseOwner string
	LeaseUntil time.Time
}

// Syncing reports whether an instance holds the source's lease at now.
func (s *Source) Syncing(now time.Time) bool {
	return s.LeaseOwner != "" && !s.LeaseUntil.Before(now)
}

// Delivery is one webhook delivery: the platform's ID for it, and its records.
type Delivery struct {
	Platform, ID string
	Records      []ActivityRecord
}

// ErrRedelivery is returned for a webhook delivery taken before.
var ErrRedelivery error = Errorf(ECONFLICT, "delivery received before")
