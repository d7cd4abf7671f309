package cadre

import (
	"testing"
	"time"
)

func TestParseTime(t *testing.T) {
	tests := []struct {
		in   string
		want time.Time
		ok   bool
	}{
		{"2025-06-30", time.Date(2025, 6, 30, 0, 0, 0, 0, time.UTC), true},
		{"2025-06-30T12:30:00Z", time.Date(2025, 6, 30, 12, 30, 0, 0, time.UTC), true},
		{"2025-06-30T12:30:00.5+02:00", time.Date(2025, 6, 30, 10, 30, 0, 5e8, time.UTC), true},
		{"yesterday", time.Time{}, false},
		{"2025-13-01", time.Time{}, false},
		{"", time.Time{}, false},
		{"1969-12-31", time.Time{}, false},
		{"1970-01-01", time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC), true},
	}
	for _, tt := range tests {
		got, err := ParseTime(tt.in)
		if (err == nil) != tt.ok || !got.Equal(tt.want) || (err != nil && ErrorCode(err) != EINVALID) {
			t.Errorf("ParseTime(%q) = %v, %v; want %v, ok %v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}
