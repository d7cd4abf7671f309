package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/cadrehq/cadre"
)

// selectActivity reads activities with their thread's state as last seen;
// it is a table named activities, so that conditions and orders name its
// columns as they name those of the table.
const selectActivity = `SELECT id, member_id, type, occurred_at, source, external_id, status, effort_minutes, url, title, metrics, mentee_id, duplicate_of,
	thread, thread_views, thread_solved FROM (SELECT a.id, a.member_id, a.type, a.occurred_at, a.source, a.external_id, a.status, a.effort_minutes,
	a.url, a.title, a.metrics, a.mentee_id, a.duplicate_of, a.thread, t.views AS thread_views, t.solved AS thread_solved
	FROM activities a LEFT JOIN threads t ON a.thread <> '' AND t.source = a.source AND t.external_id = a.thread) activities`

func scanActivity(rows *sql.Rows, a *cadre.Activity) error {
	var occurred int64
	var status, metrics string
	var effort sql.NullFloat64
	var mentee, views, solved sql.NullInt64
	if err := rows.Scan(&a.ID, &a.MemberID, &a.Type, &occurred, &a.Source, &a.ExternalID, &status,
		&effort, &a.URL, &a.Title, &metrics, &mentee, &a.DuplicateOf, &a.Thread.ID, &views, &solved); err != nil {
		return err
	}
	a.Thread.Views, a.Thread.HasViews = views.Int64, views.Valid
	a.Thread.Solved, a.Thread.HasSolved = solved.Int64 == 1, solved.Valid
	a.OccurredAt = time.UnixMicro(occurred).UTC()
	a.Status = cadre.ActivityStatus(status)
	a.EffortMinutes, a.HasEffort = effort.Float64, effort.Valid
	a.MenteeID = mentee.Int64
	var err error
	a.Metrics, err = decodeMetrics(metrics)
	return err
}

// Activities lists activities matching the filter, newest first, and returns
// the total number matching.
func (s *Store) Activities(ctx context.Context, f cadre.ActivityFilter) ([]cadre.Activity, int, error) {
	var where []string
	var args []any
	if f.MemberID != 0 {
		where = append(where, "member_id = ?")
		args = append(args, f.MemberID)
	}
	if f.Type != "" {
		where = append(where, "type = ?")
		args = append(args, f.Type)
	}
	if f.Source != "" {
		where = append(where, "source = ?")
		args = append(args, f.Source)
	}
	if f.Status != "" {
		where = append(where, "status = ?")
		args = append(args, string(f.Status))
	}
	if !f.Since.IsZero() {
		where = append(where, "occurred_at >= ?")
		args = append(args, f.Since.UnixMicro())
	}
	if !f.Until.IsZero() {
		where = append(where, "occurred_at < ?")
		args = append(args, f.Until.UnixMicro())
	}
	cond := ""
	if len(where) > 0 {
		cond = " WHERE " + strings.Join(where, " AND ")
	}
	var total int
	if err := s.read.QueryRowContext(ctx, s.q(`SELECT count(*) FROM activities`+cond), args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count activities: %w", err)
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 50
	}
	rows, err := s.read.QueryContext(ctx, s.q(selectActivity+cond+` ORDER BY occurred_at DESC, id DESC LIMIT ? OFFSET ?`),
		append(args, limit, f.Offset)...)
	if err != nil {
		return nil, 0, fmt.Errorf("list activities: %w", err)
	}
	defer rows.Close()
	var out []cadre.Activity
	for rows.Next() {
		var a cadre.Activity
		if err := scanActivity(rows, &a); err != nil {
			return nil, 0, fmt.Errorf("list activities: %w", err)
		}
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("list activities: %w", err)
	}
	return out, total, nil
}

// Activity returns one activity by ID.
func (s *Store) Activity(ctx context.Context, id int64) (*cadre.Activity, error) {
	rows, err := s.read.QueryContext(ctx, s.q(selectActivity+` WHERE id = ?`), id)
	if err != nil {
		return nil, fmt.Errorf("get activity %d: %w", id, err)
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("get activity %d: %w", id, err)
		}
		return nil, cadre.Errorf(cadre.ENOTFOUND, "activity %d not found", id)
	}
	var a cadre.Activity
	if err := scanActivity(rows, &a); err != nil {
		return nil, fmt.Errorf("get activity %d: %w", id, err)
	}
	return &a, nil
}

// memberRefs holds, per member, what export needs to name them.
type memberRefs struct {
	name       string
	email      string
	identities []cadre.Identity
}

// ref names the member for an activity: by their identity on the activity's
// own platform when they have one, else their first identity, with their
// primary email and name.
func (m *memberRefs) ref(platform string) cadre.MemberRef {
	r := cadre.MemberRef{Email: m.email, Name: m.name}
	for i, id := range m.identities {
		if i == 0 || id.Platform == platform {
			r.Platform, r.Handle = id.Platform, id.Handle
		}
		if id.Platform == platform {
			break
		}
	}
	return r
}

func loadMemberRefs(ctx context.Context, tx *sql.Tx) (map[int64]*memberRefs, error) {
	refs := make(map[int64]*memberRefs)
	rows, err := tx.QueryContext(ctx, `SELECT id, name FROM members`)
	if err != nil {
		return nil, fmt.Errorf("load members: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var name string
		if err := rows.Scan(&id, &name); err != nil {
			return nil, fmt.Errorf("load members: %w", err)
		}
		refs[id] = &memberRefs{name: name}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("load members: %w", err)
	}
	erows, err := tx.QueryContext(ctx, `SELECT member_id, email FROM member_emails WHERE position = 0`)
	if err != nil {
		return nil, fmt.Errorf("load emails: %w", err)
	}
	defer erows.Close()
	for erows.Next() {
		var id int64
		var email string
		if err := erows.Scan(&id, &email); err != nil {
			return nil, fmt.Errorf("load emails: %w", err)
		}
		if r := refs[id]; r != nil {
			r.email = email
		}
	}
	if err := erows.Err(); err != nil {
		return nil, fmt.Errorf("load emails: %w", err)
	}
	irows, err := tx.QueryContext(ctx, `SELECT id, member_id, platform, handle, user_id FROM identities ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("load identities: %w", err)
	}
	defer irows.Close()
	for irows.Next() {
		var id cadre.Identity
		if err := irows.Scan(&id.ID, &id.MemberID, &id.Platform, &id.Handle, &id.UserID); err != nil {
			return nil, fmt.Errorf("load identities: %w", err)
		}
		if r := refs[id.MemberID]; r != nil {
			r.identities = append(r.identities, id)
		}
	}
	return refs, irows.Err()
}

// ExportActivities calls fn with every activity, its member and mentee named
// as the interchange format names them. It reads one consistent snapshot, in
// the order of (source, external_id): the unique index streams it without a
// sort, and the same activities export identically from any database.
func (s *Store) ExportActivities(ctx context.Context, fn func(*cadre.ActivityRecord) error) error {
	tx, err := s.snapshot(ctx)
	if err != nil {
		return fmt.Errorf("export activities: %w", err)
	}
	defer tx.Rollback()
	return exportActivities(ctx, tx, `source, external_id`, fn)
}

// exportActivities calls fn with every activity as ExportActivities does, in
// the order of the columns order.
func exportActivities(ctx context.Context, tx *sql.Tx, order string, fn func(*cadre.ActivityRecord) error) error {
	refs, err := loadMemberRefs(ctx, tx)
	if err != nil {
		return err
	}
	rows, err := tx.QueryContext(ctx, selectActivity+` ORDER BY `+order)
	if err != nil {
		return fmt.Errorf("export activities: %w", err)
	}
	defer rows.Close()
	var rec cadre.ActivityRecord
	for rows.Next() {
		rec = cadre.ActivityRecord{}
		if err := scanActivity(rows, &rec.Activity); err != nil {
			return fmt.Errorf("export activities: %w", err)
		}
		m := refs[rec.MemberID]
		if m == nil {
			return fmt.Errorf("export activities: activity %d names unknown member %d", rec.ID, rec.MemberID)
		}
		rec.Member = m.ref(rec.Source)
		if mentee := refs[rec.MenteeID]; mentee != nil {
			rec.Mentee = mentee.ref(rec.Source)
			rec.Mentee.Name = ""
		}
		if err := fn(&rec); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("export activities: %w", err)
	}
	return nil
}

// SetActivityStatus approves or rejects an activity, or sends it back to
// pending, recording who did it and why in the audit log, in one transaction.
func (s *Store) SetActivityStatus(ctx context.Context, id int64, status cadre.ActivityStatus, actor, reason string) error {
	return s.setActivityStatus(ctx, id, status, "", actor, reason)
}

// setActivityStatus changes an activity's status, which must be expect
// unless that is "".
func (s *Store) setActivityStatus(ctx context.Context, id int64, status, expect cadre.ActivityStatus, actor, reason string) error {
	if !status.Valid() {
		return cadre.Errorf(cadre.EINVALID, "unknown activity status %q", status)
	}
	return s.withTx(ctx, func(tx *sql.Tx) error {
		seq, err := s.bump(ctx, tx)
		if err != nil {
			return err
		}
		var old cadre.Change
		var at int64
		err = tx.QueryRowContext(ctx, s.q(`SELECT member_id, type, occurred_at, status FROM activities WHERE id = ?`), id).
			Scan(&old.Old.MemberID, &old.Old.Type, &at, &old.OldStatus)
		if errors.Is(err, sql.ErrNoRows) {
			return cadre.Errorf(cadre.ENOTFOUND, "activity %d not found", id)
		}
		if err != nil {
			return fmt.Errorf("set activity status: %w", err)
		}
		if expect != "" && old.OldStatus != string(expect) {
			return cadre.Errorf(cadre.ECONFLICT, "activity %d is %s, not %s: reviewed already?", id, old.OldStatus, expect)
		}
		if old.OldStatus == string(status) {
			return nil
		}
		if _, err := tx.ExecContext(ctx, s.q(`UPDATE activities SET status = ? WHERE id = ?`), string(status), id); err != nil {
			return fmt.Errorf("set activity status: %w", err)
		}
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO changes (seq, kind, ref, old_member, old_type, old_at, old_status) VALUES (?, ?, ?, ?, ?, ?, ?)`),
			seq, cadre.ChangeActivity, id, old.Old.MemberID, old.Old.Type, at, old.OldStatus); err != nil {
			return fmt.Errorf("log activity change: %w", err)
		}
		detail := old.OldStatus + " -> " + string(status)
		if reason != "" {
			detail += ": " + reason
		}
		return s.appendAudit(ctx, tx, cadre.AuditEntry{Actor: actor, Action: "activity.status", Target: fmt.Sprintf("activity:%d", id), Detail: detail})
	})
}
