package cadre

import "time"

// AuditEntry is one line of the append-only audit log: who changed what, when.
type AuditEntry struct {
	ID     int64
	At     time.Time
	Actor  string // a user name, or "system" for automatic changes
	Action string // e.g. "member.status", "criteria.set"
	Target string // what was changed, e.g. "member:42"
	Detail string // human-readable before/after
}
