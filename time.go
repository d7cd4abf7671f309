package cadre

import "time"

// ParseTime reads an instant as people give one, on the command line or in a
// query: an RFC 3339 time, or a date, which means its first instant in UTC.
// It is the one reader of times given by hand.
func ParseTime(v string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339Nano, time.DateOnly} {
		t, err := time.Parse(layout, v)
		if err != nil {
			continue
		}
		if reason := CheckActivityTime(t); reason != "" {
			return time.Time{}, Errorf(EINVALID, "%s is %s", Quote(v), reason)
		}
		return t, nil
	}
	return time.Time{}, Errorf(EINVALID, "want an RFC 3339 time such as 2025-06-30T00:00:00Z or a date such as 2025-06-30, got %s", Quote(v))
}
