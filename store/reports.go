package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/cadrehq/cadre"
)

// SelfReportSource is the source of activities that members report themselves.
const SelfReportSource = "self-report"

// SelfReport is an activity as a member reports it: what, when, the evidence.
type SelfReport struct {
	MemberID int64
	Type     string
	Date     time.Time
	Title    string
	URL      string // evidence: the talk's page, the blog post, …
	// EffortMinutes overrides the type's effort when above 0.
	EffortMinutes float64
}

// Report stores a self-reported activity, pending review. A report that
// looks like activity already known of the member (the same URL, or the same
// type on the same day with a similar title) is flagged with DuplicateOf for
// the reviewer. Reporting the same thing twice is a conflict.
func (s *Store) Report(ctx context.Context, r SelfReport, actor string) (*cadre.Activity, error) {
	if err := s.validReport(&r); err != nil {
		return nil, err
	}
	a := &cadre.Activity{
		MemberID: r.MemberID, Type: r.Type, OccurredAt: r.Date.UTC(), Source: SelfReportSource,
		ExternalID: reportID(&r), Status: cadre.ActivityPending, URL: r.URL, Title: r.Title,
		EffortMinutes: r.EffortMinutes, HasEffort: r.EffortMinutes > 0,
	}
	err := s.withTx(ctx, func(tx *sql.Tx) error {
		if _, err := s.bump(ctx, tx); err != nil {
			return err
		}
		var merged int64
		err := tx.QueryRowContext(ctx, s.q(`SELECT merged_into FROM members WHERE id = ?`), r.MemberID).Scan(&merged)
		if errors.Is(err, sql.ErrNoRows) {
			return cadre.Errorf(cadre.ENOTFOUND, "member %d not found", r.MemberID)
		}
		if err != nil {
			return fmt.Errorf("report: %w", err)
		}
		if merged != 0 {
			return cadre.Errorf(cadre.EINVALID, "member %d was merged into member %d: report as them", r.MemberID, merged)
		}
		var existing int64
		err = tx.QueryRowContext(ctx, s.q(`SELECT id FROM activities WHERE source = ? AND external_id = ?`), a.Source, a.ExternalID).Scan(&existing)
		if err == nil {
			return cadre.Errorf(cadre.ECONFLICT, "already reported, as activity %d", existing)
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("report: %w", err)
		}
		if a.DuplicateOf, err = s.likelyDuplicate(ctx, tx, &r); err != nil {
			return err
		}
		var effort any
		if a.HasEffort {
			effort = a.EffortMinutes
		}
		err = tx.QueryRowContext(ctx, s.q(`INSERT INTO activities (member_id, type, occurred_at, source, external_id, status, effort_minutes, url, title, duplicate_of)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`),
			a.MemberID, a.Type, a.OccurredAt.UnixMicro(), a.Source, a.ExternalID, string(a.Status), effort, a.URL, a.Title, a.DuplicateOf).Scan(&a.ID)
		if err != nil {
			return fmt.Errorf("report: %w", err)
		}
		detail := fmt.Sprintf("reported %s on %s: %s", a.Type, a.OccurredAt.Format(time.DateOnly), a.Title)
		if a.DuplicateOf != 0 {
			detail += fmt.Sprintf(" (likely duplicate of activity %d)", a.DuplicateOf)
		}
		return s.appendAudit(ctx, tx, cadre.AuditEntry{Actor: actor, Action: "activity.report", Target: fmt.Sprintf("activity:%d", a.ID), Detail: detail})
	})
	if err != nil {
		return nil, err
	}
	return a, nil
}

func (s *Store) validReport(r *SelfReport) error {
	r.Type, r.Title, r.URL = strings.TrimSpace(r.Type), strings.TrimSpace(r.Title), strings.TrimSpace(r.URL)
	switch {
	case r.MemberID <= 0:
		return cadre.Errorf(cadre.EINVALID, "report: member is required")
	case r.Type == "":
		return cadre.Errorf(cadre.EINVALID, "report: type is required, such as speaking or mentoring")
	case r.Date.IsZero():
		return cadre.Errorf(cadre.EINVALID, "report: date is required")
	case r.Date.After(s.Now().Add(24 * time.Hour)):
		return cadre.Errorf(cadre.EINVALID, "report: date %s is in the future", r.Date.Format(time.DateOnly))
	case r.Title == "":
		return cadre.Errorf(cadre.EINVALID, "report: title is required")
	case r.EffortMinutes < 0:
		return cadre.Errorf(cadre.EINVALID, "report: effort_minutes must not be negative")
	}
	if r.URL != "" {
		u, err := url.Parse(r.URL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return cadre.Errorf(cadre.EINVALID, "report: evidence URL %q must be an http(s) address", r.URL)
		}
	}
	return nil
}

// reportID names a report by what it says, so that the same report sent
// twice is recognised.
func reportID(r *SelfReport) string {
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

// likelyDuplicate returns the ID of an activity of the reporting member that
// the report seems to repeat, or 0.
func (s *Store) likelyDuplicate(ctx context.Context, tx *sql.Tx, r *SelfReport) (int64, error) {
	day := r.Date.UTC().Truncate(24 * time.Hour)
	rows, err := tx.QueryContext(ctx, s.q(`SELECT id, type, occurred_at, url, title FROM activities
		WHERE member_id = ? AND status <> 'rejected' ORDER BY id`), r.MemberID)
	if err != nil {
		return 0, fmt.Errorf("look for duplicates: %w", err)
	}
	defer rows.Close()
	want := normalURL(r.URL)
	var sameDay int64
	for rows.Next() {
		var id, at int64
		var typ, u, title string
		if err := rows.Scan(&id, &typ, &at, &u, &title); err != nil {
			return 0, fmt.Errorf("look for duplicates: %w", err)
		}
		if want != "" && normalURL(u) == want {
			return id, nil
		}
		if sameDay == 0 && typ == r.Type && time.UnixMicro(at).UTC().Truncate(24*time.Hour).Equal(day) && similarTitles(title, r.Title) {
			sameDay = id
		}
	}
	return sameDay, rows.Err()
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

// ReviewReport approves or rejects a pending self-reported activity;
// rejecting needs a reason, which the audit log keeps with the reviewer.
func (s *Store) ReviewReport(ctx context.Context, id int64, approve bool, actor, reason string) error {
	a, err := s.Activity(ctx, id)
	if err != nil {
		return err
	}
	switch {
	case a.Source != SelfReportSource:
		return cadre.Errorf(cadre.EINVALID, "activity %d is not a self-report but came from %s", id, a.Source)
	case !approve && strings.TrimSpace(reason) == "":
		return cadre.Errorf(cadre.EINVALID, "a rejection needs a reason")
	}
	status := cadre.ActivityRejected
	if approve {
		status = cadre.ActivityApproved
	}
	return s.setActivityStatus(ctx, id, status, cadre.ActivityPending, actor, reason)
}
