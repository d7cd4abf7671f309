// Package report holds the rules of self-reported activity: what a report
// must say, how a report is named so that sending it twice is recognised, and
// when it looks like activity already known of the member. It is pure: the
// store hands it the member's activities and the clock.
package report

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/cadrehq/cadre"
)

// Validate trims r and checks that it says what a reviewer needs: a member,
// a type, a date in the range every activity shares and not in the future of
// now (a day's grace for time zones), a title, an effort that records could
// carry too, and evidence as an http(s) address when given.
func Validate(r *cadre.SelfReport, now time.Time) error {
	r.Type, r.Title, r.URL = strings.TrimSpace(r.Type), strings.TrimSpace(r.Title), strings.TrimSpace(r.URL)
	switch {
	case r.MemberID <= 0:
		return cadre.Errorf(cadre.EINVALID, "report: member is required")
	case r.Type == "":
		return cadre.Errorf(cadre.EINVALID, "report: type is required, such as speaking or mentoring")
	case r.Date.IsZero():
		return cadre.Errorf(cadre.EINVALID, "report: date is required")
	case r.Date.After(now.Add(24 * time.Hour)):
		return cadre.Errorf(cadre.EINVALID, "report: date %s is in the future", r.Date.Format(time.DateOnly))
	case r.Title == "":
		return cadre.Errorf(cadre.EINVALID, "report: title is required")
	}
	if reason := cadre.CheckActivityTime(r.Date); reason != "" {
		return cadre.Errorf(cadre.EINVALID, "report: date %s is %s", r.Date.Format(time.DateOnly), reason)
	}
	if reason := cadre.CheckEffort(r.EffortMinutes); reason != "" {
		return cadre.Errorf(cadre.EINVALID, "report: effort_minutes: %s", reason)
	}
	if r.URL != "" && !cadre.ValidURL(r.URL) {
		return cadre.Errorf(cadre.EINVALID, "report: evidence URL %s must be an http(s) address with a host", cadre.Quote(r.URL))
	}
	return nil
}

// Activity is the pending activity a valid report becomes.
func Activity(r *cadre.SelfReport) cadre.Activity {
	return cadre.Activity{
		MemberID: r.MemberID, Type: r.Type, OccurredAt: r.Date.UTC(), Source: cadre.SelfReportSource,
		ExternalID: id(r), Status: cadre.ActivityPending, URL: r.URL, Title: r.Title,
		EffortMinutes: r.EffortMinutes, HasEffort: r.EffortMinutes > 0,
	}
}

// id names a report by what it says, so that the same report sent twice is
// recognised.
func id(r *cadre.SelfReport) string {
	h := sha256.New()
	fmt.Fprintf(h, "%d\x00%s\x00%s\x00%s\x00%s", r.MemberID, r.Type, r.Date.UTC().Format(time.DateOnly), normalURL(r.URL), strings.ToLower(r.Title))
	return "report:" + hex.EncodeToString(h.Sum(nil)[:12])
}

// normalURL is an address in the form compared for duplicates: no fragment,
// no trailing slash, scheme and host lower-case, http the same as https.
func normalURL(raw string) string {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.Host == "" {
		return strings.TrimSpace(raw)
	}
	u.Fragment, u.Scheme, u.Host = "", "https", strings.ToLower(u.Host)
	return strings.TrimSuffix(u.String(), "/")
}

// Duplicates finds, among the member's activities that are not rejected, the
// one a report seems to repeat: the same evidence address first, else the same
// type on the same day with a similar title.
type Duplicates struct {
	r       *cadre.SelfReport
	url     string
	day     time.Time
	sameURL int64
	sameDay int64
}

// NewDuplicates starts a search for activities that r repeats.
func NewDuplicates(r *cadre.SelfReport) *Duplicates {
	return &Duplicates{r: r, url: normalURL(r.URL), day: r.Date.UTC().Truncate(24 * time.Hour)}
}

// Consider weighs one activity of the member; it reports false once the
// answer cannot change, so the caller may stop reading.
func (d *Duplicates) Consider(a *cadre.Activity) bool {
	if d.url != "" && normalURL(a.URL) == d.url {
		d.sameURL = a.ID
		return false
	}
	if d.sameDay == 0 && a.Type == d.r.Type && a.OccurredAt.UTC().Truncate(24*time.Hour).Equal(d.day) && similarTitles(a.Title, d.r.Title) {
		d.sameDay = a.ID
	}
	return true
}

// Of returns the ID of the activity the report likely repeats, or 0.
func (d *Duplicates) Of() int64 {
	if d.sameURL != 0 {
		return d.sameURL
	}
	return d.sameDay
}

// similarTitles reports whether two titles share most of their words (a
// Jaccard index of at least one half), or one contains the other.
func similarTitles(a, b string) bool {
	a, b = strings.ToLower(strings.TrimSpace(a)), strings.ToLower(strings.TrimSpace(b))
	if a == "" || b == "" {
		return false
	}
	if strings.Contains(a, b) || strings.Contains(b, a) {
		return true
	}
	words := func(s string) map[string]bool {
		m := map[string]bool{}
		for _, w := range strings.FieldsFunc(s, func(r rune) bool { return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r > 127) }) {
			m[w] = true
		}
		return m
	}
	wa, wb := words(a), words(b)
	common := 0
	for w := range wa {
		if wb[w] {
			common++
		}
	}
	union := len(wa) + len(wb) - common
	return union > 0 && 2*common >= union
}

// Review checks a reviewer's decision on activity a and returns the status
// it gives: only self-reports are reviewed, and a rejection needs a reason,
// which the audit log keeps with the reviewer.
func Review(a *cadre.Activity, approve bool, reason string) (cadre.ActivityStatus, error) {
	switch {
	case a.Source != cadre.SelfReportSource:
		return "", cadre.Errorf(cadre.EINVALID, "activity %d is not a self-report but came from %s", a.ID, a.Source)
	case !approve && strings.TrimSpace(reason) == "":
		return "", cadre.Errorf(cadre.EINVALID, "a rejection needs a reason")
	case approve:
		return cadre.ActivityApproved, nil
	}
	return cadre.ActivityRejected, nil
}

// MaxBatch is the most reports one batch may carry: a quarter of an active
// ambassador's activity fits many times over, and the batch is checked and
// stored in one transaction, which must stay short.
const MaxBatch = 500

// CheckBatch checks that a batch of n reports is neither empty nor over
// MaxBatch.
func CheckBatch(n int) error {
	switch {
	case n == 0:
		return cadre.Errorf(cadre.EINVALID, "the batch holds no report: send at least one")
	case n > MaxBatch:
		return cadre.Errorf(cadre.EINVALID, "the batch holds %d reports, over the limit of %d: send them in several", n, MaxBatch)
	}
	return nil
}

// BatchError joins the errors of a batch's records, errs[i] the error of
// record i (nil when it is good), into one error that names each failing
// record by its index, counting from 0, and says that nothing was stored,
// since a batch is stored whole or not at all. It returns nil when every
// record is good, and the first internal error alone, as it is the server's
// failure and not the record's. A record its sender may not report makes the
// batch forbidden; failures of one kind give the batch theirs, and failures
// of several kinds make it invalid.
func BatchError(errs []error) error {
	var parts []string
	code := ""
	for i, err := range errs {
		if err == nil {
			continue
		}
		c := cadre.ErrorCode(err)
		switch {
		case c == cadre.EINTERNAL:
			return fmt.Errorf("record %d: %w", i, err)
		case c == cadre.EFORBIDDEN || code == "":
			code = c
		case c != code && code != cadre.EFORBIDDEN:
			code = cadre.EINVALID
		}
		parts = append(parts, fmt.Sprintf("record %d: %s", i, cadre.ErrorMessage(err)))
	}
	if parts == nil {
		return nil
	}
	return cadre.Errorf(code, "%d of %d reports failed, so none was stored: %s", len(parts), len(errs), strings.Join(parts, "; "))
}
