package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/cadrehq/cadre"
	"github.com/cadrehq/cadre/archive"
	"github.com/cadrehq/cadre/program"
)

// ExportProgram reads the whole program from one snapshot of the database:
// it returns everything but the activities, which it passes to activity one
// at a time, in the order of their IDs, named as ExportActivities names them.
func (s *Store) ExportProgram(ctx context.Context, activity func(*cadre.ActivityRecord) error) (*archive.Program, error) {
	tx, err := s.snapshot(ctx)
	if err != nil {
		return nil, fmt.Errorf("export program: %w", err)
	}
	defer tx.Rollback()
	p := &archive.Program{}
	for _, read := range []func(context.Context, *sql.Tx, *archive.Program) error{
		s.exportMembers, s.exportMerges, s.exportTerms, s.exportReviews, s.exportInvitations,
		s.exportApplications, s.exportCriteria, s.exportAudit, s.exportEngagement,
	} {
		if err := read(ctx, tx, p); err != nil {
			return nil, fmt.Errorf("export program: %w", err)
		}
	}
	if p.StaffDomains, err = s.staffDomains(ctx, tx); err != nil {
		return nil, err
	}
	if err := exportActivities(ctx, tx, `id`, activity); err != nil {
		return nil, err
	}
	return p, nil
}

func (s *Store) exportMembers(ctx context.Context, tx *sql.Tx, p *archive.Program) error {
	at := map[int64]int{}
	err := eachMember(ctx, tx, `SELECT `+memberColumns+` FROM members m ORDER BY m.id`, nil, func(m *cadre.Member) error {
		at[m.ID] = len(p.Members)
		p.Members = append(p.Members, archive.Member{Member: *m})
		return nil
	})
	if err != nil {
		return err
	}
	err = eachRow(ctx, tx, `SELECT member_id, email FROM member_emails ORDER BY member_id, position`, nil, func(rows *sql.Rows) error {
		var id int64
		var email string
		if err := rows.Scan(&id, &email); err != nil {
			return err
		}
		m := &p.Members[at[id]]
		m.Emails = append(m.Emails, email)
		return nil
	})
	if err != nil {
		return fmt.Errorf("read emails: %w", err)
	}
	err = eachRow(ctx, tx, `SELECT id, member_id, platform, handle, user_id FROM identities ORDER BY id`, nil, func(rows *sql.Rows) error {
		var id cadre.Identity
		if err := rows.Scan(&id.ID, &id.MemberID, &id.Platform, &id.Handle, &id.UserID); err != nil {
			return err
		}
		m := &p.Members[at[id.MemberID]]
		m.Identities = append(m.Identities, id)
		return nil
	})
	if err != nil {
		return fmt.Errorf("read identities: %w", err)
	}
	return nil
}

func (s *Store) exportMerges(ctx context.Context, tx *sql.Tx, p *archive.Program) error {
	err := eachRow(ctx, tx, `SELECT id, from_id, into_id, at, actor, reason, moved, undone_at FROM merges ORDER BY id`, nil, func(rows *sql.Rows) error {
		var m cadre.Merge
		var moved string
		if err := rows.Scan(&m.ID, &m.FromID, &m.IntoID, &m.At, &m.Actor, &m.Reason, &moved, &m.UndoneAt); err != nil {
			return err
		}
		if err := json.Unmarshal([]byte(moved), (*movedJSON)(&m.Moved)); err != nil {
			return fmt.Errorf("merge %d: what moved is unreadable: %w", m.ID, err)
		}
		p.Merges = append(p.Merges, m)
		return nil
	})
	if err != nil {
		return fmt.Errorf("read merges: %w", err)
	}
	return nil
}

func (s *Store) exportTerms(ctx context.Context, tx *sql.Tx, p *archive.Program) error {
	err := eachRow(ctx, tx, `SELECT `+termColumns+` FROM terms ORDER BY id`, nil, func(rows *sql.Rows) error {
		var t program.Term
		err := scanTerm(rows, &t)
		p.Terms = append(p.Terms, t)
		return err
	})
	if err != nil {
		return fmt.Errorf("read terms: %w", err)
	}
	return nil
}

func (s *Store) exportReviews(ctx context.Context, tx *sql.Tx, p *archive.Program) error {
	err := eachRow(ctx, tx, `SELECT quarter, applied_at, criteria_version, actor, result FROM reviews ORDER BY quarter`, nil, func(rows *sql.Rows) error {
		var r archive.Review
		var quarter, result string
		var at int64
		if err := rows.Scan(&quarter, &at, &r.CriteriaVersion, &r.Actor, &result); err != nil {
			return err
		}
		q, err := program.ParseQuarter(quarter)
		if err != nil {
			return err
		}
		r.Quarter, r.AppliedAt, r.Result = q, fromUnix(at), json.RawMessage(result)
		p.Reviews = append(p.Reviews, r)
		return nil
	})
	if err != nil {
		return fmt.Errorf("read reviews: %w", err)
	}
	err = eachRow(ctx, tx, `SELECT quarter, member_id, reason, actor, at FROM excusals ORDER BY quarter, member_id`, nil, func(rows *sql.Rows) error {
		var e archive.Excusal
		var quarter string
		var at int64
		if err := rows.Scan(&quarter, &e.MemberID, &e.Reason, &e.Actor, &at); err != nil {
			return err
		}
		q, err := program.ParseQuarter(quarter)
		if err != nil {
			return err
		}
		e.Quarter, e.At = q, fromUnix(at)
		p.Excusals = append(p.Excusals, e)
		return nil
	})
	if err != nil {
		return fmt.Errorf("read excusals: %w", err)
	}
	return nil
}

func (s *Store) exportInvitations(ctx context.Context, tx *sql.Tx, p *archive.Program) (err error) {
	p.Invitations, err = s.invitations(ctx, tx, 0)
	return err
}

func (s *Store) exportApplications(ctx context.Context, tx *sql.Tx, p *archive.Program) error {
	at := map[int64]int{}
	err := eachRow(ctx, tx, `SELECT `+applicationColumns+` FROM applications ORDER BY id`, nil, func(rows *sql.Rows) error {
		var a archive.Application
		if err := scanApplication(rows, &a.Application); err != nil {
			return err
		}
		at[a.ID] = len(p.Applications)
		p.Applications = append(p.Applications, a)
		return nil
	})
	if err != nil {
		return fmt.Errorf("read applications: %w", err)
	}
	err = eachRow(ctx, tx, `SELECT application_id, author, at, text FROM application_notes ORDER BY id`, nil, func(rows *sql.Rows) error {
		var id, when int64
		var n archive.Note
		if err := rows.Scan(&id, &n.Author, &when, &n.Text); err != nil {
			return err
		}
		n.At = time.UnixMicro(when).UTC()
		a := &p.Applications[at[id]]
		a.Notes = append(a.Notes, n)
		return nil
	})
	if err != nil {
		return fmt.Errorf("read notes: %w", err)
	}
	return nil
}

func (s *Store) exportCriteria(ctx context.Context, tx *sql.Tx, p *archive.Program) error {
	err := eachRow(ctx, tx, `SELECT version, author, created_at, document FROM criteria_versions ORDER BY version`, nil, func(rows *sql.Rows) error {
		var d cadre.CriteriaDoc
		var created int64
		if err := rows.Scan(&d.Version, &d.Author, &created, &d.Document); err != nil {
			return err
		}
		d.CreatedAt = fromUnix(created)
		p.Criteria = append(p.Criteria, d)
		return nil
	})
	if err != nil {
		return fmt.Errorf("read criteria: %w", err)
	}
	return nil
}

func (s *Store) exportAudit(ctx context.Context, tx *sql.Tx, p *archive.Program) error {
	err := eachRow(ctx, tx, `SELECT id, at, actor, action, target, detail FROM audit_log ORDER BY id`, nil, func(rows *sql.Rows) error {
		var e cadre.AuditEntry
		var at int64
		if err := rows.Scan(&e.ID, &at, &e.Actor, &e.Action, &e.Target, &e.Detail); err != nil {
			return err
		}
		e.At = fromUnix(at)
		p.Audit = append(p.Audit, e)
		return nil
	})
	if err != nil {
		return fmt.Errorf("read audit log: %w", err)
	}
	return nil
}

// ArchivedActivities yields the activities of an archive, with their IDs,
// checked, then io.EOF.
type ArchivedActivities interface {
	Next() (cadre.ActivityRecord, error)
	// Pos names where the record Next returned last comes from, such as
	// "activities.jsonl:12".
	Pos() string
}

// programTables are the tables an archive fills, with what their rows are
// called: ImportProgram refuses a database that holds any.
var programTables = []struct{ table, what string }{
	{"members", "members"},
	{"activities", "activities"},
	{"terms", "terms"},
	{"reviews", "applied reviews"},
	{"excusals", "excusals"},
	{"invitations", "invitations"},
	{"applications", "applications"},
	{"criteria_versions", "criteria versions"},
	{"merges", "merges"},
	{"surveys", "surveys"},
	{"pain_points", "pain points"},
	{"rewards", "rewards"},
	{"reward_budgets", "reward budgets"},
	{"feedback_sessions", "feedback sessions"},
	{"outgoing_webhooks", "webhooks"},
}

// ImportProgram loads a whole program, as archive.Read and its activities
// give it, into an empty database, keeping every ID, in one transaction:
// all of it lands, or nothing. A database that holds any of a program
// (members, activities, criteria, surveys, rewards, feedback sessions,
// webhooks…) is refused; accounts and sources may be
// there already. The statuses of members with terms follow from their
// terms now, as every change of a term makes them; the archive's audit log
// is appended to the database's, and the import audited. It returns what it
// stored.
func (s *Store) ImportProgram(ctx context.Context, p *archive.Program, acts ArchivedActivities, actor string) (archive.Counts, error) {
	counts := p.Counts()
	err := s.withTx(ctx, func(tx *sql.Tx) error {
		seq, err := s.bump(ctx, tx)
		if err != nil {
			return err
		}
		if err := s.checkNoProgram(ctx, tx); err != nil {
			return err
		}
		for _, load := range []func(context.Context, *sql.Tx, *archive.Program) error{
			s.importMembers, s.importMerges, s.importCriteria, s.importTerms, s.importReviews,
			s.importInvitations, s.importApplications, s.importSettings, s.importAudit, s.importEngagement,
		} {
			if err := load(ctx, tx, p); err != nil {
				return fmt.Errorf("import program: %w", err)
			}
		}
		if counts.Activities, err = s.importActivities(ctx, tx, acts); err != nil {
			return err
		}
		if s.dialect == Postgres {
			if err := s.restartIDs(ctx, tx); err != nil {
				return err
			}
		}
		ids := make([]int64, len(p.Members))
		for i := range p.Members {
			ids[i] = p.Members[i].ID
		}
		if err := s.logMembers(ctx, tx, seq, ids); err != nil {
			return err
		}
		if len(p.Criteria) > 0 {
			if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO changes (seq, kind, ref) VALUES (?, ?, 0)`), seq, cadre.ChangeCriteria); err != nil {
				return fmt.Errorf("import program: %w", err)
			}
		}
		withTerms := map[int64]bool{}
		var termed []int64
		for _, t := range p.Terms {
			if !withTerms[t.MemberID] {
				withTerms[t.MemberID] = true
				termed = append(termed, t.MemberID)
			}
		}
		if err := s.syncStatus(ctx, tx, seq, termed); err != nil {
			return err
		}
		return s.appendAudit(ctx, tx, cadre.AuditEntry{Actor: actor, Action: "program.import", Target: "program",
			Detail: fmt.Sprintf("%d members, %d activities, %d terms, %d invitations, %d applications, %d criteria versions, %d audit entries, %d surveys, %d rewards, %d feedback sessions, %d webhooks",
				counts.Members, counts.Activities, counts.Terms, counts.Invitations, counts.Applications, counts.CriteriaVersions, counts.AuditEntries,
				counts.Surveys, counts.Rewards, counts.Sessions, counts.Webhooks)})
	})
	if err != nil {
		return archive.Counts{}, err
	}
	return counts, nil
}

// checkNoProgram refuses a database that holds any of a program, saying
// what it holds.
func (s *Store) checkNoProgram(ctx context.Context, tx *sql.Tx) error {
	var held []string
	for _, t := range programTables {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM `+t.table).Scan(&n); err != nil {
			return fmt.Errorf("import program: count %s: %w", t.table, err)
		}
		if n > 0 {
			held = append(held, fmt.Sprintf("%d %s", n, t.what))
		}
	}
	domains, err := s.staffDomains(ctx, tx)
	if err != nil {
		return err
	}
	if len(domains) > 0 {
		held = append(held, "staff domains")
	}
	if len(held) > 0 {
		return cadre.Errorf(cadre.ECONFLICT, "the database holds %s: a program is imported into an empty database only", strings.Join(held, ", "))
	}
	return nil
}

func (s *Store) importMembers(ctx context.Context, tx *sql.Tx, p *archive.Program) error {
	var members, emails, idents []any
	for i := range p.Members {
		m := &p.Members[i]
		members = append(members, m.ID, m.Name, string(m.Status), m.Staff, m.Bot, m.Region, m.Company, m.CreatedAt.Unix(), m.MergedInto)
		for pos, e := range m.Emails {
			emails = append(emails, e, m.ID, pos)
		}
		for _, id := range m.Identities {
			idents = append(idents, id.ID, m.ID, id.Platform, id.Handle, strings.ToLower(id.Handle), id.UserID)
		}
	}
	if err := s.insertValues(ctx, tx, `INSERT INTO members (id, name, status, staff, bot, region, company, created_at, merged_into) VALUES `, 9, members, ""); err != nil {
		return fmt.Errorf("members: %w", err)
	}
	if err := s.insertValues(ctx, tx, `INSERT INTO member_emails (email, member_id, position) VALUES `, 3, emails, ""); err != nil {
		return fmt.Errorf("emails: %w", err)
	}
	if err := s.insertValues(ctx, tx, `INSERT INTO identities (id, member_id, platform, handle, handle_key, user_id) VALUES `, 6, idents, ""); err != nil {
		return fmt.Errorf("identities: %w", err)
	}
	return nil
}

func (s *Store) importMerges(ctx context.Context, tx *sql.Tx, p *archive.Program) error {
	var args []any
	for _, m := range p.Merges {
		moved, err := json.Marshal(movedJSON(m.Moved))
		if err != nil {
			return fmt.Errorf("merge %d: %w", m.ID, err)
		}
		args = append(args, m.ID, m.FromID, m.IntoID, m.At, m.Actor, m.Reason, string(moved), m.UndoneAt)
	}
	if err := s.insertValues(ctx, tx, `INSERT INTO merges (id, from_id, into_id, at, actor, reason, moved, undone_at) VALUES `, 8, args, ""); err != nil {
		return fmt.Errorf("merges: %w", err)
	}
	return nil
}

func (s *Store) importCriteria(ctx context.Context, tx *sql.Tx, p *archive.Program) error {
	var args []any
	for _, d := range p.Criteria {
		args = append(args, d.Version, d.Author, d.CreatedAt.Unix(), d.Document)
	}
	if err := s.insertValues(ctx, tx, `INSERT INTO criteria_versions (version, author, created_at, document) VALUES `, 4, args, ""); err != nil {
		return fmt.Errorf("criteria versions: %w", err)
	}
	return nil
}

func (s *Store) importTerms(ctx context.Context, tx *sql.Tx, p *archive.Program) error {
	var args []any
	for _, t := range p.Terms {
		args = append(args, t.ID, t.MemberID, t.Start.UnixMicro(), endMicros(t.End), string(t.Via), string(t.EndedBy), t.Reason)
	}
	if err := s.insertValues(ctx, tx, `INSERT INTO terms (id, member_id, start_at, end_at, via, ended_by, reason) VALUES `, 7, args, ""); err != nil {
		return fmt.Errorf("terms: %w", err)
	}
	return nil
}

func (s *Store) importReviews(ctx context.Context, tx *sql.Tx, p *archive.Program) error {
	var reviews, excusals []any
	for _, r := range p.Reviews {
		reviews = append(reviews, r.Quarter.String(), r.AppliedAt.Unix(), r.CriteriaVersion, r.Actor, string(r.Result))
	}
	for _, e := range p.Excusals {
		excusals = append(excusals, e.Quarter.String(), e.MemberID, e.Reason, e.Actor, e.At.Unix())
	}
	if err := s.insertValues(ctx, tx, `INSERT INTO reviews (quarter, applied_at, criteria_version, actor, result) VALUES `, 5, reviews, ""); err != nil {
		return fmt.Errorf("reviews: %w", err)
	}
	if err := s.insertValues(ctx, tx, `INSERT INTO excusals (quarter, member_id, reason, actor, at) VALUES `, 5, excusals, ""); err != nil {
		return fmt.Errorf("excusals: %w", err)
	}
	return nil
}

func (s *Store) importInvitations(ctx context.Context, tx *sql.Tx, p *archive.Program) error {
	var args []any
	for _, inv := range p.Invitations {
		args = append(args, inv.ID, inv.MemberID, inv.Hash, string(inv.State), inv.SentAt.UnixMicro(), inv.ExpiresAt.UnixMicro(), endMicros(inv.DecidedAt), inv.Actor)
	}
	if err := s.insertValues(ctx, tx, `INSERT INTO invitations (id, member_id, hash, state, sent_at, expires_at, decided_at, actor) VALUES `, 8, args, ""); err != nil {
		return fmt.Errorf("invitations: %w", err)
	}
	return nil
}

func (s *Store) importApplications(ctx context.Context, tx *sql.Tx, p *archive.Program) error {
	var apps, notes []any
	for _, a := range p.Applications {
		handles := make([]string, len(a.Handles))
		for i, h := range a.Handles {
			handles[i] = h.Platform + ":" + h.Handle
		}
		apps = append(apps, a.ID, a.Name, a.Email, strings.Join(handles, " "), a.Motivation, strings.Join(a.Links, " "), a.MemberID,
			string(a.State), a.Hash, a.At.UnixMicro(), endMicros(a.DecidedAt), a.Reviewer, a.Reason)
		for _, n := range a.Notes {
			notes = append(notes, a.ID, n.Author, n.At.UnixMicro(), n.Text)
		}
	}
	if err := s.insertValues(ctx, tx, `INSERT INTO applications (id, name, email, handles, motivation, links, member_id, state, hash, at, decided_at, reviewer, reason) VALUES `, 13, apps, ""); err != nil {
		return fmt.Errorf("applications: %w", err)
	}
	// The notes of an application are listed in the order of their IDs,
	// which the order of the inserts gives.
	if err := s.insertValues(ctx, tx, `INSERT INTO application_notes (application_id, author, at, text) VALUES `, 4, notes, ""); err != nil {
		return fmt.Errorf("notes: %w", err)
	}
	return nil
}

func (s *Store) importSettings(ctx context.Context, tx *sql.Tx, p *archive.Program) error {
	if len(p.StaffDomains) == 0 {
		return nil
	}
	if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO settings (key, value) VALUES (?, ?)`), staffDomainsKey, strings.Join(p.StaffDomains, ",")); err != nil {
		return fmt.Errorf("staff domains: %w", err)
	}
	return nil
}

func (s *Store) importAudit(ctx context.Context, tx *sql.Tx, p *archive.Program) error {
	var args []any
	for _, e := range p.Audit {
		args = append(args, e.At.Unix(), e.Actor, e.Action, e.Target, e.Detail)
	}
	if err := s.insertValues(ctx, tx, `INSERT INTO audit_log (at, actor, action, target, detail) VALUES `, 5, args, ""); err != nil {
		return fmt.Errorf("audit log: %w", err)
	}
	return nil
}

// archivedActivityColumns are the columns of an activity as an archive
// carries it, its ID included.
const archivedActivityColumns = 14

// importActivities stores the archive's activities with their IDs, in
// multi-row inserts, and returns how many.
func (s *Store) importActivities(ctx context.Context, tx *sql.Tx, acts ArchivedActivities) (int, error) {
	const perStmt = valuesChunk / archivedActivityColumns
	n := 0
	chunk := make([]cadre.ActivityRecord, 0, perStmt)
	pos := make([]string, 0, perStmt)
	args := make([]any, 0, perStmt*archivedActivityColumns)
	threads := threadStates{}
	flush := func() error {
		if len(chunk) == 0 {
			return nil
		}
		args = args[:0]
		for i := range chunk {
			a := &chunk[i]
			args = appendActivityArgs(append(args, a.ID), &a.Activity)
			args = append(args, a.DuplicateOf)
			threads.add(&a.Activity)
		}
		// A duplicate (source, external_id) is skipped rather than abort the
		// statement, then looked for to name its line.
		query := `INSERT INTO activities (id, ` + activityColumns + `, duplicate_of) VALUES ` +
			strings.TrimSuffix(strings.Repeat("("+placeholders(archivedActivityColumns)+"),", len(chunk)), ",") + ` ON CONFLICT DO NOTHING`
		res, err := tx.ExecContext(ctx, s.q(query), args...)
		if err != nil {
			return fmt.Errorf("import activities: %w", err)
		}
		inserted, err := res.RowsAffected()
		if err != nil {
			return fmt.Errorf("import activities: %w", err)
		}
		if int(inserted) < len(chunk) {
			return s.duplicateActivity(ctx, tx, chunk, pos)
		}
		n += len(chunk)
		chunk, pos = chunk[:0], pos[:0]
		return nil
	}
	for {
		rec, err := acts.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return 0, err
		}
		chunk, pos = append(chunk, rec), append(pos, acts.Pos())
		if len(chunk) == perStmt {
			if err := flush(); err != nil {
				return 0, err
			}
		}
	}
	if err := flush(); err != nil {
		return 0, err
	}
	if err := s.writeThreads(ctx, tx, threads); err != nil {
		return 0, fmt.Errorf("import activities: %w", err)
	}
	return n, nil
}

// duplicateActivity returns the error for the activity of chunk that was not
// stored because another has its source and external ID, named by its
// position.
func (s *Store) duplicateActivity(ctx context.Context, tx *sql.Tx, chunk []cadre.ActivityRecord, pos []string) error {
	for i := range chunk {
		a := &chunk[i]
		var id int64
		if err := tx.QueryRowContext(ctx, s.q(`SELECT id FROM activities WHERE source = ? AND external_id = ?`), a.Source, a.ExternalID).Scan(&id); err != nil {
			return fmt.Errorf("import activities: %w", err)
		}
		if id != a.ID {
			return cadre.Errorf(cadre.EINVALID, "%s: activity %s/%s is activity %d already: each source and external_id once", pos[i], a.Source, a.ExternalID, id)
		}
	}
	return fmt.Errorf("import activities: some were not stored, and none has the source and external_id of another")
}

// restartIDs moves PostgreSQL's ID sequences past the IDs the import kept,
// so that the next row of each table gets a new one.
func (s *Store) restartIDs(ctx context.Context, tx *sql.Tx) error {
	for _, table := range []string{"members", "identities", "activities", "merges", "terms", "invitations", "applications", "application_notes", "audit_log",
		"surveys", "pain_points", "rewards", "reward_grants", "feedback_sessions", "feedback_items", "commitments", "commitment_notes", "outgoing_webhooks"} {
		if _, err := tx.ExecContext(ctx, `SELECT setval(pg_get_serial_sequence('`+table+`', 'id'), coalesce(max(id), 0) + 1, false) FROM `+table); err != nil {
			return fmt.Errorf("import program: restart the ids of %s: %w", table, err)
		}
	}
	return nil
}
