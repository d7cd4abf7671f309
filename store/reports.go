package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/cadrehq/cadre"
	"github.com/cadrehq/cadre/notify"
	"github.com/cadrehq/cadre/report"
)

// Report stores a self-reported activity, pending review. A report that
// looks like activity already known of the member (the same URL, or the same
// type on the same day with a similar title) is flagged with DuplicateOf for
// the reviewer. Reporting the same thing twice is a conflict.
func (s *Store) Report(ctx context.Context, r cadre.SelfReport, actor string) (*cadre.Activity, error) {
	if err := report.Validate(&r, s.Now()); err != nil {
		return nil, err
	}
	var a *cadre.Activity
	err := s.withTx(ctx, func(tx *sql.Tx) error {
		if _, err := s.bump(ctx, tx); err != nil {
			return err
		}
		var err error
		a, err = s.report(ctx, tx, &r, actor)
		return err
	})
	if err != nil {
		return nil, err
	}
	return a, nil
}

// Reports stores a batch of self-reported activities as Report stores one,
// in one transaction: all of them or, when any fails, none. The error of a
// failed batch names every failing record by its index (report.BatchError);
// each report is announced to the webhooks (report.waiting) as a single
// report is, so that a reviewer's tools see every activity to review.
func (s *Store) Reports(ctx context.Context, rs []cadre.SelfReport, actor string) ([]cadre.Activity, error) {
	if err := report.CheckBatch(len(rs)); err != nil {
		return nil, err
	}
	// Validate trims the reports: the caller's stay as they were.
	rs = slices.Clone(rs)
	errs := make([]error, len(rs))
	now := s.Now()
	// A report sent twice in one batch is named against its first: the
	// transaction would find the first and call the second reported before,
	// as an activity that the failed batch never keeps.
	first := map[string]int{}
	for i := range rs {
		if errs[i] = report.Validate(&rs[i], now); errs[i] != nil {
			continue
		}
		id := report.Activity(&rs[i]).ExternalID
		if j, ok := first[id]; ok {
			errs[i] = cadre.Errorf(cadre.ECONFLICT, "the same report as record %d", j)
			continue
		}
		first[id] = i
	}
	if err := report.BatchError(errs); err != nil {
		return nil, err
	}
	out := make([]cadre.Activity, 0, len(rs))
	err := s.withTx(ctx, func(tx *sql.Tx) error {
		if _, err := s.bump(ctx, tx); err != nil {
			return err
		}
		// A record refused by what the store holds (an unknown member, a
		// report sent before) refuses the batch, but the others are still
		// tried, so that the answer names every failing record: such a
		// refusal comes before the record writes anything. A failure of the
		// database ends the transaction at once.
		for i := range rs {
			a, err := s.report(ctx, tx, &rs[i], actor)
			if cadre.ErrorCode(err) == cadre.EINTERNAL {
				return fmt.Errorf("record %d: %w", i, err)
			}
			if errs[i] = err; err == nil {
				out = append(out, *a)
			}
		}
		return report.BatchError(errs)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// report stores the valid report r in tx, pending review, with its audit
// entry and its report.waiting event; the caller has advanced the change
// sequence.
func (s *Store) report(ctx context.Context, tx *sql.Tx, r *cadre.SelfReport, actor string) (*cadre.Activity, error) {
	act := report.Activity(r)
	a := &act
	var merged int64
	err := tx.QueryRowContext(ctx, s.q(`SELECT merged_into FROM members WHERE id = ?`), r.MemberID).Scan(&merged)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, cadre.Errorf(cadre.ENOTFOUND, "member %d not found", r.MemberID)
	}
	if err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	if merged != 0 {
		return nil, cadre.Errorf(cadre.EINVALID, "member %d was merged into member %d: report as them", r.MemberID, merged)
	}
	var existing int64
	err = tx.QueryRowContext(ctx, s.q(`SELECT id FROM activities WHERE source = ? AND external_id = ?`), a.Source, a.ExternalID).Scan(&existing)
	if err == nil {
		return nil, cadre.Errorf(cadre.ECONFLICT, "already reported, as activity %d", existing)
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("report: %w", err)
	}
	if a.DuplicateOf, err = s.likelyDuplicate(ctx, tx, r); err != nil {
		return nil, err
	}
	var effort any
	if a.HasEffort {
		effort = a.EffortMinutes
	}
	err = tx.QueryRowContext(ctx, s.q(`INSERT INTO activities (member_id, type, occurred_at, source, external_id, status, effort_minutes, url, title, duplicate_of)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`),
		a.MemberID, a.Type, a.OccurredAt.UnixMicro(), a.Source, a.ExternalID, string(a.Status), effort, a.URL, a.Title, a.DuplicateOf).Scan(&a.ID)
	if err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	detail := fmt.Sprintf("reported %s on %s: %s", a.Type, a.OccurredAt.Format(time.DateOnly), a.Title)
	if a.DuplicateOf != 0 {
		detail += fmt.Sprintf(" (likely duplicate of activity %d)", a.DuplicateOf)
	}
	if a.Status == cadre.ActivityPending {
		if err := s.notify(ctx, tx, notify.Report(a.ID, a.MemberID, a.Type, a.Title, s.Now())); err != nil {
			return nil, err
		}
	}
	if err := s.appendAudit(ctx, tx, cadre.AuditEntry{Actor: actor, Action: "activity.report", Target: fmt.Sprintf("activity:%d", a.ID), Detail: detail}); err != nil {
		return nil, err
	}
	return a, nil
}

// likelyDuplicate returns the ID of an activity of the reporting member that
// the report seems to repeat, or 0.
func (s *Store) likelyDuplicate(ctx context.Context, tx *sql.Tx, r *cadre.SelfReport) (int64, error) {
	rows, err := tx.QueryContext(ctx, s.q(`SELECT id, type, occurred_at, url, title FROM activities
		WHERE member_id = ? AND status <> 'rejected' ORDER BY id`), r.MemberID)
	if err != nil {
		return 0, fmt.Errorf("look for duplicates: %w", err)
	}
	defer rows.Close()
	dups := report.NewDuplicates(r)
	for rows.Next() {
		var a cadre.Activity
		var at int64
		if err := rows.Scan(&a.ID, &a.Type, &at, &a.URL, &a.Title); err != nil {
			return 0, fmt.Errorf("look for duplicates: %w", err)
		}
		a.OccurredAt = time.UnixMicro(at).UTC()
		if !dups.Consider(&a) {
			break
		}
	}
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("look for duplicates: %w", err)
	}
	return dups.Of(), nil
}

// ReviewReport approves or rejects a pending self-reported activity;
// rejecting needs a reason, which the audit log keeps with the reviewer.
func (s *Store) ReviewReport(ctx context.Context, id int64, approve bool, actor, reason string) error {
	a, err := s.Activity(ctx, id)
	if err != nil {
		return err
	}
	status, err := report.Review(a, approve, reason)
	if err != nil {
		return err
	}
	return s.setActivityStatus(ctx, id, status, cadre.ActivityPending, actor, reason)
}
