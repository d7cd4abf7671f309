package report

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/cadrehq/cadre"
)

var now = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

func TestValidate(t *testing.T) {
	ok := cadre.SelfReport{MemberID: 7, Type: " speaking ", Date: now.AddDate(0, 0, -3), Title: " Scaling Cadre ", URL: "https://conf.example/42"}
	tests := []struct {
		name string
		edit func(*cadre.SelfReport)
		want string // "" for valid
	}{
		{"valid", func(*cadre.SelfReport) {}, ""},
		{"no member", func(r *cadre.SelfReport) { r.MemberID = 0 }, "member is required"},
		{"no type", func(r *cadre.SelfReport) { r.Type = "  " }, "type is required"},
		{"no date", func(r *cadre.SelfReport) { r.Date = time.Time{} }, "date is required"},
		{"tomorrow is grace", func(r *cadre.SelfReport) { r.Date = now.Add(23 * time.Hour) }, ""},
		{"future", func(r *cadre.SelfReport) { r.Date = now.Add(25 * time.Hour) }, "in the future"},
		{"no title", func(r *cadre.SelfReport) { r.Title = "" }, "title is required"},
		{"negative effort", func(r *cadre.SelfReport) { r.EffortMinutes = -1 }, "must not be negative"},
		{"infinite effort", func(r *cadre.SelfReport) { r.EffortMinutes = math.Inf(1) }, "effort_minutes: not a finite number"},
		{"NaN effort", func(r *cadre.SelfReport) { r.EffortMinutes = math.NaN() }, "effort_minutes: not a finite number"},
		{"first day", func(r *cadre.SelfReport) { r.Date = cadre.EarliestActivity }, ""},
		{"before 1970", func(r *cadre.SelfReport) { r.Date = time.Date(1969, 12, 31, 0, 0, 0, 0, time.UTC) }, "date 1969-12-31 is out of range (years 1970 to 2099, UTC)"},
		{"before 1970 in UTC", func(r *cadre.SelfReport) {
			r.Date = time.Date(1970, 1, 1, 0, 0, 0, 0, time.FixedZone("CET", 3600))
		}, "out of range"},
		{"ftp evidence", func(r *cadre.SelfReport) { r.URL = "ftp://x.example/a" }, "http(s) address"},
		{"evidence without host", func(r *cadre.SelfReport) { r.URL = "https:///a" }, "http(s) address"},
		{"script for evidence", func(r *cadre.SelfReport) { r.URL = "javascript:alert(1)" }, `evidence URL "javascript:alert(1)" must be an http(s) address with a host`},
		{"evidence trimmed", func(r *cadre.SelfReport) { r.URL = " https://conf.example/42 " }, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := ok
			tt.edit(&r)
			err := Validate(&r, now)
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("valid report refused: %v", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want) || cadre.ErrorCode(err) != cadre.EINVALID):
				t.Fatalf("error %v, want invalid with %q", err, tt.want)
			case tt.want == "" && (r.Type != "speaking" || r.Title != "Scaling Cadre"):
				t.Errorf("not trimmed: %+v", r)
			}
		})
	}
}

func TestActivityIsPendingAndNamedByContent(t *testing.T) {
	r := cadre.SelfReport{MemberID: 7, Type: "speaking", Date: now, Title: "Scaling Cadre", URL: "http://Conf.example/42/#video", EffortMinutes: 90}
	a := Activity(&r)
	if a.Status != cadre.ActivityPending || a.Source != cadre.SelfReportSource || !a.HasEffort || a.EffortMinutes != 90 {
		t.Errorf("activity %+v", a)
	}
	same := r
	same.URL, same.Title = "https://conf.example/42", "scaling cadre"
	if b := Activity(&same); b.ExternalID != a.ExternalID {
		t.Errorf("the same report twice has ids %s and %s", a.ExternalID, b.ExternalID)
	}
	other := r
	other.Date = now.AddDate(0, 0, 1)
	if b := Activity(&other); b.ExternalID == a.ExternalID {
		t.Errorf("reports of two days share id %s", a.ExternalID)
	}
}

func TestDuplicates(t *testing.T) {
	day := time.Date(2025, 5, 14, 0, 0, 0, 0, time.UTC)
	known := []cadre.Activity{
		{ID: 1, Type: "speaking", OccurredAt: day.Add(10 * time.Hour), Title: "Scaling Cadre in production", URL: "https://conf.example/talks/42"},
		{ID: 2, Type: "speaking", OccurredAt: day.Add(15 * time.Hour), Title: "Something else entirely"},
		{ID: 3, Type: "content", OccurredAt: day, Title: "Scaling Cadre in production", URL: "https://blog.example/scaling/"},
	}
	tests := []struct {
		name string
		r    cadre.SelfReport
		want int64
	}{
		{"same evidence, any day", cadre.SelfReport{Type: "speaking", Date: day.AddDate(0, 1, 0), Title: "x", URL: "http://BLOG.example/scaling#top"}, 3},
		{"same day, type and a similar title", cadre.SelfReport{Type: "speaking", Date: day, Title: "Scaling Cadre in production!"}, 1},
		{"title contained", cadre.SelfReport{Type: "speaking", Date: day, Title: "scaling cadre"}, 1},
		{"same day, other type", cadre.SelfReport{Type: "mentoring", Date: day, Title: "Scaling Cadre in production"}, 0},
		{"same title, other day", cadre.SelfReport{Type: "speaking", Date: day.AddDate(0, 0, 1), Title: "Scaling Cadre in production"}, 0},
		{"dissimilar title", cadre.SelfReport{Type: "speaking", Date: day, Title: "Kubernetes for cats"}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := NewDuplicates(&tt.r)
			for i := range known {
				if !d.Consider(&known[i]) {
					break
				}
			}
			if got := d.Of(); got != tt.want {
				t.Errorf("duplicate of %d, want %d", got, tt.want)
			}
		})
	}
}

func TestReview(t *testing.T) {
	self := &cadre.Activity{ID: 4, Source: cadre.SelfReportSource}
	tests := []struct {
		name    string
		a       *cadre.Activity
		approve bool
		reason  string
		want    cadre.ActivityStatus
		err     string
	}{
		{"approve", self, true, "", cadre.ActivityApproved, ""},
		{"reject with a reason", self, false, "seen on the forum", cadre.ActivityRejected, ""},
		{"reject without", self, false, "  ", "", "needs a reason"},
		{"not a report", &cadre.Activity{ID: 5, Source: "github"}, true, "", "", "came from github"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Review(tt.a, tt.approve, tt.reason)
			if got != tt.want || (tt.err == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tt.err)) {
				t.Errorf("Review = %q, %v; want %q, %q", got, err, tt.want, tt.err)
			}
		})
	}
}

func TestBatchError(t *testing.T) {
	invalid := cadre.Errorf(cadre.EINVALID, "report: title is required")
	forbidden := cadre.Errorf(cadre.EFORBIDDEN, "you may report your own activity only (member 7)")
	missing := cadre.Errorf(cadre.ENOTFOUND, "member 9 not found")
	tests := []struct {
		name string
		errs []error
		code string // "" for no error
		want string
	}{
		{"all good", []error{nil, nil}, "", ""},
		{"one bad", []error{nil, nil, nil, invalid}, cadre.EINVALID, "1 of 4 reports failed, so none was stored: record 3: report: title is required"},
		{"one kind", []error{missing, nil, missing}, cadre.ENOTFOUND, "record 0: member 9 not found; record 2: member 9 not found"},
		{"several kinds", []error{missing, invalid}, cadre.EINVALID, "2 of 2 reports failed"},
		{"forbidden first", []error{forbidden, invalid}, cadre.EFORBIDDEN, "record 0: you may report"},
		{"forbidden last", []error{invalid, missing, forbidden}, cadre.EFORBIDDEN, "record 2: you may report"},
		{"internal", []error{invalid, errors.New("disk full")}, cadre.EINTERNAL, "record 1: disk full"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := BatchError(tt.errs)
			if cadre.ErrorCode(err) != tt.code || err != nil && !strings.Contains(err.Error(), tt.want) {
				t.Errorf("BatchError = %v, want code %q with %q", err, tt.code, tt.want)
			}
		})
	}
	for n, code := range map[int]string{0: cadre.EINVALID, 1: "", MaxBatch: "", MaxBatch + 1: cadre.EINVALID} {
		if err := CheckBatch(n); cadre.ErrorCode(err) != code {
			t.Errorf("CheckBatch(%d) = %v, want code %q", n, err, code)
		}
	}
}
