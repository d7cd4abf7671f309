package cadre

import (
	"math"
	"strings"
	"testing"
	"time"
)

func TestCheckActivityTime(t *testing.T) {
	tests := []struct {
		at time.Time
		ok bool
	}{
		{EarliestActivity, true},
		{EarliestActivity.Add(-time.Nanosecond), false},
		{LatestActivity.Add(-time.Nanosecond), true},
		{LatestActivity, false},
		{time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC), false},
		{time.Time{}, false},
		// The instant counts, not the zone it is written in.
		{time.Date(1970, 1, 1, 0, 30, 0, 0, time.FixedZone("+01", 3600)), false},
		{time.Date(2099, 12, 31, 23, 30, 0, 0, time.FixedZone("-01", -3600)), false},
		{time.Date(2099, 12, 31, 23, 30, 0, 0, time.FixedZone("+01", 3600)), true},
	}
	for _, tt := range tests {
		reason := CheckActivityTime(tt.at)
		if (reason == "") != tt.ok || !tt.ok && !strings.Contains(reason, "years 1970 to 2099") {
			t.Errorf("CheckActivityTime(%v) = %q, want ok %v", tt.at, reason, tt.ok)
		}
	}
}

// TestRecordValidate checks the rules that every way in shares, as the
// store applies them: each bad field is named.
func TestRecordValidate(t *testing.T) {
	valid := ActivityRecord{
		Activity: Activity{Source: "s", ExternalID: "1", Type: "forum", OccurredAt: time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)},
		Member:   MemberRef{Platform: "github", Handle: "ada"},
	}
	tests := []struct {
		name string
		edit func(*ActivityRecord)
		want string // "" for valid
	}{
		{"valid", func(*ActivityRecord) {}, ""},
		{"no identity", func(r *ActivityRecord) { r.ExternalID = "" }, "source and external_id: required"},
		{"before 1970", func(r *ActivityRecord) { r.OccurredAt = EarliestActivity.Add(-time.Second) }, "occurred_at: 1969-12-31T23:59:59Z is out of range"},
		{"in 2100", func(r *ActivityRecord) { r.OccurredAt = LatestActivity }, "occurred_at: 2100-01-01T00:00:00Z is out of range"},
		{"infinite effort", func(r *ActivityRecord) { r.EffortMinutes, r.HasEffort = math.Inf(1), true }, "effort_minutes: not a finite number"},
		{"NaN effort", func(r *ActivityRecord) { r.EffortMinutes, r.HasEffort = math.NaN(), true }, "effort_minutes: not a finite number"},
		{"negative effort", func(r *ActivityRecord) { r.EffortMinutes, r.HasEffort = -1, true }, "effort_minutes: must not be negative"},
		{"posing as a self-report", func(r *ActivityRecord) { r.Source, r.Status = SelfReportSource, ActivityPending }, `source: "self-report" is reserved`},
		{"posing as a self-report in capitals", func(r *ActivityRecord) { r.Source = "SELF-REPORT" }, `source: "SELF-REPORT" is reserved`},
		{"a source that merely starts so", func(r *ActivityRecord) { r.Source = "self-reports-archive" }, ""},
		{"an http url", func(r *ActivityRecord) { r.URL = "http://forum.example.org/t/1" }, ""},
		{"script for a url", func(r *ActivityRecord) { r.URL = "javascript:alert(1)" }, `url: "javascript:alert(1)" is not an http(s) address with a host`},
		{"relative url", func(r *ActivityRecord) { r.URL = "/t/1" }, `url: "/t/1" is not an http(s) address`},
		{"a thread", func(r *ActivityRecord) {
			r.Thread = Thread{ID: "123", Views: 1200, HasViews: true, Solved: true, HasSolved: true}
		}, ""},
		{"a thread of a type not forum", func(r *ActivityRecord) { r.Type, r.Thread = "feedback", Thread{ID: "issue:7"} }, ""},
		{"thread views without an id", func(r *ActivityRecord) { r.Thread = Thread{Views: 3, HasViews: true} }, "thread.id: missing (required with thread.views)"},
		{"thread solved without an id", func(r *ActivityRecord) { r.Thread = Thread{HasSolved: true} }, "thread.id: missing (required with thread.solved)"},
		{"negative thread views", func(r *ActivityRecord) { r.Thread = Thread{ID: "1", Views: -1, HasViews: true} }, "thread.views: must not be negative, got -1"},
		{"long thread id", func(r *ActivityRecord) { r.Thread = Thread{ID: strings.Repeat("x", MaxThreadID+1)} }, "thread.id: longer than 256 bytes"},
		{"spaced thread id", func(r *ActivityRecord) { r.Thread = Thread{ID: " 1"} }, `thread.id: " 1" has spaces around it`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := valid
			tt.edit(&rec)
			err := rec.Validate()
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("valid record refused: %v", err)
			case tt.want != "" && (err == nil || ErrorCode(err) != EINVALID || !strings.Contains(err.Error(), tt.want)):
				t.Fatalf("error %v, want invalid with %q", err, tt.want)
			}
		})
	}
}

func TestValidURL(t *testing.T) {
	tests := []struct {
		url string
		ok  bool
	}{
		{"https://forum.example.org/t/123/4", true},
		{"http://example.org", true},
		{"HTTPS://Example.org/a?b=c#d", true},
		{"https://[::1]:8080/x", true},
		{"", false},
		{"javascript:alert(1)", false},
		{"data:text/html,<script>alert(1)</script>", false},
		{"ftp://files.example.org/a", false},
		{"mailto:ann@example.org", false},
		{"//example.org/a", false},
		{"/t/123", false},
		{"example.org/t/123", false},
		{"https:///t/123", false},
		{"https://", false},
		{" https://example.org", false},
		{"https://example.org/\x00", false},
	}
	for _, tt := range tests {
		if got := ValidURL(tt.url); got != tt.ok {
			t.Errorf("ValidURL(%q) = %v, want %v", tt.url, got, tt.ok)
		}
	}
}
