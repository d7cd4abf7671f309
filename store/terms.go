package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/cadrehq/cadre"
	"github.com/cadrehq/cadre/notify"
	"github.com/cadrehq/cadre/program"
)

const termColumns = `id, member_id, start_at, end_at, via, ended_by, reason`

func scanTerm(row interface{ Scan(...any) error }, t *program.Term) error {
	var start, end int64
	var via, ended string
	if err := row.Scan(&t.ID, &t.MemberID, &start, &end, &via, &ended, &t.Reason); err != nil {
		return err
	}
	t.Start, t.Via, t.EndedBy = time.UnixMicro(start).UTC(), program.Via(via), program.EndReason(ended)
	t.End = time.Time{}
	if end != 0 {
		t.End = time.UnixMicro(end).UTC()
	}
	return nil
}

func endMicros(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMicro()
}

// Terms returns the terms of one member, or of everyone when memberID is 0,
// by member and start.
func (s *Store) Terms(ctx context.Context, memberID int64) ([]program.Term, error) {
	return s.terms(ctx, s.read, memberID)
}

func (s *Store) terms(ctx context.Context, db dbtx, memberID int64) ([]program.Term, error) {
	query, args := `SELECT `+termColumns+` FROM terms ORDER BY member_id, start_at`, []any(nil)
	if memberID != 0 {
		query, args = `SELECT `+termColumns+` FROM terms WHERE member_id = ? ORDER BY start_at`, []any{memberID}
	}
	var out []program.Term
	err := eachRow(ctx, db, s.q(query), args, func(rows *sql.Rows) error {
		var t program.Term
		err := scanTerm(rows, &t)
		out = append(out, t)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list terms: %w", err)
	}
	return out, nil
}

// memberInTx reads a member, with their emails, inside a transaction.
func (s *Store) memberInTx(ctx context.Context, tx *sql.Tx, id int64) (*cadre.Member, error) {
	var m cadre.Member
	err := scanMember(tx.QueryRowContext(ctx, s.q(`SELECT `+memberColumns+` FROM members m WHERE m.id = ?`), id), &m)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, cadre.Errorf(cadre.ENOTFOUND, "member %d not found", id)
	}
	if err != nil {
		return nil, fmt.Errorf("get member: %w", err)
	}
	err = eachRow(ctx, tx, s.q(`SELECT email FROM member_emails WHERE member_id = ? ORDER BY position`), []any{id}, func(rows *sql.Rows) error {
		var e string
		err := rows.Scan(&e)
		m.Emails = append(m.Emails, e)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("get member's emails: %w", err)
	}
	return &m, nil
}

// addTerm checks t against the member's terms and stores it, in tx.
func (s *Store) addTerm(ctx context.Context, tx *sql.Tx, t *program.Term) error {
	m, err := s.memberInTx(ctx, tx, t.MemberID)
	if err != nil {
		return err
	}
	others, err := s.terms(ctx, tx, t.MemberID)
	if err != nil {
		return err
	}
	if err := program.CheckTerm(m, others, t); err != nil {
		return err
	}
	err = tx.QueryRowContext(ctx, s.q(`INSERT INTO terms (member_id, start_at, end_at, via, ended_by, reason) VALUES (?, ?, ?, ?, ?, ?) RETURNING id`),
		t.MemberID, t.Start.UnixMicro(), endMicros(t.End), string(t.Via), string(t.EndedBy), t.Reason).Scan(&t.ID)
	if err != nil {
		return fmt.Errorf("add term: %w", err)
	}
	return nil
}

// syncStatus sets the stored status of members to what their terms say at
// now, logging those that changed for the standings.
func (s *Store) syncStatus(ctx context.Context, tx *sql.Tx, seq int64, ids []int64) error {
	now := s.Now()
	var changed []int64
	for _, id := range ids {
		terms, err := s.terms(ctx, tx, id)
		if err != nil {
			return err
		}
		status := program.StatusAt(terms, now)
		res, err := tx.ExecContext(ctx, s.q(`UPDATE members SET status = ? WHERE id = ? AND status <> ?`), string(status), id, string(status))
		if err != nil {
			return fmt.Errorf("set status: %w", err)
		}
		if n, _ := res.RowsAffected(); n > 0 {
			changed = append(changed, id)
		}
	}
	return s.logMembers(ctx, tx, seq, changed)
}

// StartTerm starts a term of a member (an admin's decision, with a reason),
// audited; the member's status follows.
func (s *Store) StartTerm(ctx context.Context, t *program.Term, actor string) error {
	if strings.TrimSpace(t.Reason) == "" {
		return cadre.Errorf(cadre.EINVALID, "starting a term needs a reason, which the audit log keeps")
	}
	return s.withTx(ctx, func(tx *sql.Tx) error {
		seq, err := s.bump(ctx, tx)
		if err != nil {
			return err
		}
		if err := s.addTerm(ctx, tx, t); err != nil {
			return err
		}
		if err := s.syncStatus(ctx, tx, seq, []int64{t.MemberID}); err != nil {
			return err
		}
		return s.appendAudit(ctx, tx, cadre.AuditEntry{Actor: actor, Action: "term.start", Target: fmt.Sprintf("member:%d", t.MemberID),
			Detail: fmt.Sprintf("term %d from %s via %s: %s", t.ID, t.Start.Format(time.RFC3339), t.Via, t.Reason)})
	})
}

// EndTerm ends an open term at end, resigned or removed with a reason,
// audited.
func (s *Store) EndTerm(ctx context.Context, termID int64, end time.Time, by program.EndReason, reason, actor string) error {
	if by != program.EndResigned && by != program.EndRemoved {
		return cadre.Errorf(cadre.EINVALID, "an admin ends a term as resigned or removed, not %s", cadre.Quote(string(by)))
	}
	if strings.TrimSpace(reason) == "" {
		return cadre.Errorf(cadre.EINVALID, "ending a term needs a reason, which the audit log keeps")
	}
	return s.withTx(ctx, func(tx *sql.Tx) error {
		seq, err := s.bump(ctx, tx)
		if err != nil {
			return err
		}
		var t program.Term
		err = scanTerm(tx.QueryRowContext(ctx, s.q(`SELECT `+termColumns+` FROM terms WHERE id = ?`), termID), &t)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			return cadre.Errorf(cadre.ENOTFOUND, "term %d not found", termID)
		case err != nil:
			return fmt.Errorf("end term: %w", err)
		case !t.Open():
			return cadre.Errorf(cadre.ECONFLICT, "term %d ended already, on %s", termID, t.End.Format(time.RFC3339))
		case !end.After(t.Start):
			return cadre.Errorf(cadre.EINVALID, "term %d started %s: it cannot end before", termID, t.Start.Format(time.RFC3339))
		}
		if _, err := tx.ExecContext(ctx, s.q(`UPDATE terms SET end_at = ?, ended_by = ?, reason = ? WHERE id = ?`),
			end.UnixMicro(), string(by), reason, termID); err != nil {
			return fmt.Errorf("end term: %w", err)
		}
		if err := s.syncStatus(ctx, tx, seq, []int64{t.MemberID}); err != nil {
			return err
		}
		return s.appendAudit(ctx, tx, cadre.AuditEntry{Actor: actor, Action: "term.end", Target: fmt.Sprintf("member:%d", t.MemberID),
			Detail: fmt.Sprintf("term %d %s on %s: %s", termID, by, end.Format(time.RFC3339), reason)})
	})
}

// rowError names the roster row an error is about, keeping its code so
// that the message a page shows names the line too.
func rowError(file string, line int, err error) error {
	if code := cadre.ErrorCode(err); code != cadre.EINTERNAL {
		return cadre.Errorf(code, "%s:%d: %w", file, line, err)
	}
	return fmt.Errorf("%s:%d: %w", file, line, err)
}

// errPreview ends a preview's transaction, leaving nothing behind.
var errPreview = errors.New("roster preview")

// PreviewRoster says what ImportRoster would do with rows, row by row, and
// fails as it would, without changing anything.
func (s *Store) PreviewRoster(ctx context.Context, file string, rows []program.RosterRow) (program.RosterResult, error) {
	res, err := s.importRoster(ctx, file, rows, "", false)
	for i := range res.Rows {
		if res.Rows[i].Created {
			res.Rows[i].MemberID = 0 // an ID the preview drew and gave back
		}
	}
	return res, err
}

// ImportRoster stores a roster's terms in one transaction, audited: a row
// whose term is stored already (same member and start) changes nothing, a
// member named for the first time is created, and any row that cannot be
// stored fails the whole import, named by line, so that nothing is half
// done.
func (s *Store) ImportRoster(ctx context.Context, file string, rows []program.RosterRow, actor string) (program.RosterResult, error) {
	return s.importRoster(ctx, file, rows, actor, true)
}

func (s *Store) importRoster(ctx context.Context, file string, rows []program.RosterRow, actor string, commit bool) (program.RosterResult, error) {
	var res program.RosterResult
	err := s.withTx(ctx, func(tx *sql.Tx) error {
		res = program.RosterResult{}
		seq, err := s.bump(ctx, tx)
		if err != nil {
			return err
		}
		touched := map[int64]bool{}
		var ids []int64
		for _, row := range rows {
			id, created, err := s.rosterMember(ctx, tx, row.Member)
			if err != nil {
				return rowError(file, row.Line, err)
			}
			if created {
				res.MembersCreated++
				if err := s.logMembers(ctx, tx, seq, []int64{id}); err != nil {
					return err
				}
			}
			t := row.Term(id)
			var same int
			if err := tx.QueryRowContext(ctx, s.q(`SELECT count(*) FROM terms WHERE member_id = ? AND start_at = ? AND end_at = ? AND via = ?`),
				id, t.Start.UnixMicro(), endMicros(t.End), string(t.Via)).Scan(&same); err != nil {
				return fmt.Errorf("import roster: %w", err)
			}
			res.Rows = append(res.Rows, program.RosterOutcome{Line: row.Line, MemberID: id, Created: created, Added: same == 0})
			if same > 0 {
				res.Unchanged++
				continue
			}
			if err := s.addTerm(ctx, tx, &t); err != nil {
				return rowError(file, row.Line, err)
			}
			res.Added++
			if !touched[id] {
				touched[id] = true
				ids = append(ids, id)
			}
		}
		if !commit {
			return errPreview
		}
		if err := s.syncStatus(ctx, tx, seq, ids); err != nil {
			return err
		}
		return s.appendAudit(ctx, tx, cadre.AuditEntry{Actor: actor, Action: "roster.import", Target: "terms",
			Detail: fmt.Sprintf("%s: %d terms added, %d unchanged, %d members created", file, res.Added, res.Unchanged, res.MembersCreated)})
	})
	if errors.Is(err, errPreview) {
		err = nil
	}
	return res, err
}

// rosterMember finds the member a roster names, creating them when unknown.
func (s *Store) rosterMember(ctx context.Context, tx *sql.Tx, ref cadre.MemberRef) (id int64, created bool, err error) {
	query, args := `SELECT member_id FROM member_emails WHERE email = ?`, []any{ref.Email}
	if ref.Handle != "" {
		query, args = `SELECT member_id FROM identities WHERE platform = ? AND handle_key = lower(?)`, []any{ref.Platform, ref.Handle}
	}
	err = tx.QueryRowContext(ctx, s.q(query), args...).Scan(&id)
	if err == nil {
		return id, false, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return 0, false, fmt.Errorf("find member: %w", err)
	}
	m := &cadre.Member{Name: ref.Handle}
	if ref.Email != "" {
		m.Name, m.Emails = ref.Email, []string{ref.Email}
	}
	if err := s.insertMember(ctx, tx, m); err != nil {
		return 0, false, err
	}
	if ref.Handle != "" {
		if err := s.insertIdentity(ctx, tx, &cadre.Identity{MemberID: m.ID, Platform: ref.Platform, Handle: ref.Handle}); err != nil {
			return 0, false, err
		}
	}
	return m.ID, true, nil
}

// LastReview returns the latest applied review's quarter, nil when none.
func (s *Store) LastReview(ctx context.Context) (*program.Quarter, error) {
	return s.lastReview(ctx, s.read)
}

func (s *Store) lastReview(ctx context.Context, db dbtx) (*program.Quarter, error) {
	var qs sql.NullString
	if err := db.QueryRowContext(ctx, `SELECT max(quarter) FROM reviews`).Scan(&qs); err != nil {
		return nil, fmt.Errorf("last review: %w", err)
	}
	if !qs.Valid {
		return nil, nil
	}
	q, err := program.ParseQuarter(qs.String)
	if err != nil {
		return nil, fmt.Errorf("last review: %w", err)
	}
	return &q, nil
}

// Review returns an applied review.
func (s *Store) Review(ctx context.Context, q program.Quarter) (*program.AppliedReview, error) {
	var at int64
	var result string
	ar := &program.AppliedReview{}
	err := s.read.QueryRowContext(ctx, s.q(`SELECT applied_at, criteria_version, actor, result FROM reviews WHERE quarter = ?`), q.String()).
		Scan(&at, &ar.CriteriaVersion, &ar.Actor, &result)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, cadre.Errorf(cadre.ENOTFOUND, "%s is not reviewed", q)
	}
	if err != nil {
		return nil, fmt.Errorf("get review: %w", err)
	}
	ar.AppliedAt = fromUnix(at)
	if err := json.Unmarshal([]byte(result), &ar.Review); err != nil {
		return nil, fmt.Errorf("read review %s: %w", q, err)
	}
	return ar, nil
}

// ApplyReview applies the review of quarter q, once and in quarter order:
// the lapsed terms end, the members' statuses follow, and the review is
// stored with the criteria version it used, audited. review computes it
// from the terms, excusals and last applied quarter as the transaction
// sees them (and refuses what may not be applied), so that two applies at
// once leave one. mail, when not nil, writes the ambassadors' outcomes,
// queued in the same transaction.
func (s *Store) ApplyReview(ctx context.Context, q program.Quarter, version int, actor string,
	review func(terms []program.Term, excused map[int64]bool, last *program.Quarter) (*program.Review, error),
	mail func(r *program.Review) ([]cadre.Mail, error)) (*program.Review, error) {
	var r *program.Review
	err := s.withTx(ctx, func(tx *sql.Tx) error {
		seq, err := s.bump(ctx, tx) // writers of reviews take turns behind this row
		if err != nil {
			return err
		}
		last, err := s.lastReview(ctx, tx)
		if err != nil {
			return err
		}
		terms, err := s.terms(ctx, tx, 0)
		if err != nil {
			return err
		}
		excused, err := s.excused(ctx, tx, q)
		if err != nil {
			return err
		}
		if r, err = review(terms, excused, last); err != nil {
			return err
		}
		changed := r.Apply(terms)
		ids := make([]int64, 0, len(changed))
		for _, t := range changed {
			if _, err := tx.ExecContext(ctx, s.q(`UPDATE terms SET end_at = ?, ended_by = ? WHERE id = ?`), t.End.UnixMicro(), string(t.EndedBy), t.ID); err != nil {
				return fmt.Errorf("apply review: %w", err)
			}
			ids = append(ids, t.MemberID)
		}
		if err := s.syncStatus(ctx, tx, seq, ids); err != nil {
			return err
		}
		result, err := json.Marshal(r)
		if err != nil {
			return fmt.Errorf("apply review: %w", err)
		}
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO reviews (quarter, applied_at, criteria_version, actor, result) VALUES (?, ?, ?, ?, ?)`),
			r.Quarter.String(), s.Now().Unix(), version, actor, string(result)); err != nil {
			return fmt.Errorf("apply review: %w", err)
		}
		if mail != nil {
			m, err := mail(r)
			if err != nil {
				return err
			}
			if err := s.enqueue(ctx, tx, m...); err != nil {
				return err
			}
		}
		if err := s.notify(ctx, tx, notify.Renewal(r.Quarter.String(), r.Renewed, r.Lapsed, r.Excused, r.CarriedOver, r.Rate, s.Now())); err != nil {
			return err
		}
		return s.appendAudit(ctx, tx, cadre.AuditEntry{Actor: actor, Action: "review.apply", Target: "review:" + r.Quarter.String(),
			Detail: fmt.Sprintf("%d renewed, %d lapsed, %d excused, %d carried over (criteria version %d)", r.Renewed, r.Lapsed, r.Excused, r.CarriedOver, version)})
	})
	if err != nil {
		return nil, err
	}
	return r, nil
}

// Excuse excuses an ambassador from a quarter's review, with a reason,
// before it is applied; audited.
func (s *Store) Excuse(ctx context.Context, q program.Quarter, memberID int64, reason, actor string) error {
	if reason == "" {
		return cadre.Errorf(cadre.EINVALID, "an excuse needs a reason, such as a leave of absence")
	}
	return s.withTx(ctx, func(tx *sql.Tx) error {
		if _, err := s.bump(ctx, tx); err != nil {
			return err
		}
		var applied int
		if err := tx.QueryRowContext(ctx, s.q(`SELECT count(*) FROM reviews WHERE quarter = ?`), q.String()).Scan(&applied); err != nil {
			return fmt.Errorf("excuse: %w", err)
		}
		if applied > 0 {
			return cadre.Errorf(cadre.ECONFLICT, "%s is applied already: too late to excuse", q)
		}
		if _, err := s.memberInTx(ctx, tx, memberID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO excusals (quarter, member_id, reason, actor, at) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (quarter, member_id) DO UPDATE SET reason = excluded.reason, actor = excluded.actor, at = excluded.at`),
			q.String(), memberID, reason, actor, s.Now().Unix()); err != nil {
			return fmt.Errorf("excuse: %w", err)
		}
		return s.appendAudit(ctx, tx, cadre.AuditEntry{Actor: actor, Action: "review.excuse", Target: fmt.Sprintf("member:%d", memberID),
			Detail: fmt.Sprintf("excused from %s: %s", q, reason)})
	})
}

// Excused returns the members excused from a quarter's review.
func (s *Store) Excused(ctx context.Context, q program.Quarter) (map[int64]bool, error) {
	return s.excused(ctx, s.read, q)
}

func (s *Store) excused(ctx context.Context, db dbtx, q program.Quarter) (map[int64]bool, error) {
	out := map[int64]bool{}
	err := eachRow(ctx, db, s.q(`SELECT member_id FROM excusals WHERE quarter = ?`), []any{q.String()}, func(rows *sql.Rows) error {
		var id int64
		err := rows.Scan(&id)
		out[id] = true
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("read excusals: %w", err)
	}
	return out, nil
}

// AmbassadorActivities returns the approved activities in [from, to) of
// the members with a term overlapping it, as the health figures read them:
// an index range per ambassador rather than a scan of everyone's.
func (s *Store) AmbassadorActivities(ctx context.Context, from, to time.Time) ([]program.Activity, error) {
	var out []program.Activity
	f, t := from.UnixMicro(), to.UnixMicro()
	// In one order on both stores, so that the figures summed from them
	// agree to the last bit wherever the program is kept.
	err := eachRow(ctx, s.read, s.q(`SELECT `+programActivityColumns+`
		FROM (SELECT DISTINCT member_id FROM terms WHERE start_at < ? AND (end_at = 0 OR end_at > ?)) m
		JOIN activities a ON a.member_id = m.member_id
		WHERE a.status = 'approved' AND a.occurred_at >= ? AND a.occurred_at < ?
		ORDER BY a.member_id, a.occurred_at, a.id`), []any{t, f, f, t}, func(rows *sql.Rows) error {
		a, err := scanProgramActivity(rows)
		out = append(out, a)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("read activities: %w", err)
	}
	return out, nil
}

// programActivityColumns are what scanProgramActivity reads of activities a.
const programActivityColumns = `a.member_id, a.type, a.occurred_at, a.effort_minutes, a.metrics`

// scanProgramActivity reads an activity as the program's figures see it:
// its own effort when it has one, and its views.
func scanProgramActivity(rows *sql.Rows) (program.Activity, error) {
	var a program.Activity
	var at int64
	var effort sql.NullFloat64
	var metrics string
	if err := rows.Scan(&a.MemberID, &a.Type, &at, &effort, &metrics); err != nil {
		return a, err
	}
	a.At, a.EffortMinutes, a.HasEffort = time.UnixMicro(at).UTC(), effort.Float64, effort.Valid
	if strings.Contains(metrics, `"views"`) { // most carry none: skip decoding them
		m, err := decodeMetrics(metrics)
		if err != nil {
			return a, err
		}
		a.Views = m["views"]
	}
	return a, nil
}

// FirstMentorings returns the mentees whose first approved mentoring
// activity as a mentee lies in [from, to), with its mentor and time.
func (s *Store) FirstMentorings(ctx context.Context, from, to time.Time) ([]program.Mentoring, error) {
	var out []program.Mentoring
	err := eachRow(ctx, s.read, s.q(`SELECT a.member_id, a.mentee_id, a.occurred_at FROM activities a
		WHERE a.mentee_id IS NOT NULL AND a.type = 'mentoring' AND a.status = 'approved' AND a.occurred_at >= ? AND a.occurred_at < ?
		AND NOT EXISTS (SELECT 1 FROM activities b WHERE b.mentee_id = a.mentee_id AND b.type = 'mentoring' AND b.status = 'approved'
			AND (b.occurred_at < a.occurred_at OR b.occurred_at = a.occurred_at AND b.id < a.id))
		ORDER BY a.occurred_at, a.id`), []any{from.UnixMicro(), to.UnixMicro()}, func(rows *sql.Rows) error {
		var m program.Mentoring
		var at int64
		err := rows.Scan(&m.Mentor, &m.Mentee, &at)
		m.At = time.UnixMicro(at).UTC()
		out = append(out, m)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("read first mentorings: %w", err)
	}
	return out, nil
}

// MembersActivities returns the approved activities in [from, to) of the
// members named, by the index of each, with their effort and views.
func (s *Store) MembersActivities(ctx context.Context, ids []int64, from, to time.Time) ([]program.Activity, error) {
	ids = slices.Sorted(slices.Values(ids)) // chunks in member order, as one query would give them
	var out []program.Activity
	const chunk = 500
	for len(ids) > 0 {
		n := min(chunk, len(ids))
		args := []any{from.UnixMicro(), to.UnixMicro()}
		for _, id := range ids[:n] {
			args = append(args, id)
		}
		err := eachRow(ctx, s.read, s.q(`SELECT `+programActivityColumns+` FROM activities a WHERE a.status = 'approved' AND a.occurred_at >= ? AND a.occurred_at < ?
			AND a.member_id IN (`+strings.TrimSuffix(strings.Repeat("?,", n), ",")+`) ORDER BY a.member_id, a.occurred_at, a.id`), args, func(rows *sql.Rows) error {
			a, err := scanProgramActivity(rows)
			out = append(out, a)
			return err
		})
		if err != nil {
			return nil, fmt.Errorf("read members' activities: %w", err)
		}
		ids = ids[n:]
	}
	return out, nil
}
