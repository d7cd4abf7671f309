package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/cadrehq/cadre"
)

// CreateMember stores a new member with its emails and identities, filling in
// the IDs. An email or identity that belongs to somebody else is a conflict.
func (s *Store) CreateMember(ctx context.Context, m *cadre.Member, ids []cadre.Identity) error {
	return s.withTx(ctx, func(tx *sql.Tx) error {
		seq, err := s.bump(ctx, tx)
		if err != nil {
			return err
		}
		if err := s.insertMember(ctx, tx, m); err != nil {
			return err
		}
		if err := s.logMembers(ctx, tx, seq, []int64{m.ID}); err != nil {
			return err
		}
		for i := range ids {
			ids[i].MemberID = m.ID
			if err := s.insertIdentity(ctx, tx, &ids[i]); err != nil {
				return err
			}
		}
		return nil
	})
}

func (s *Store) insertMember(ctx context.Context, tx *sql.Tx, m *cadre.Member) error {
	if m.Status == "" {
		m.Status = cadre.StatusMember
	}
	if !m.Status.Valid() {
		return cadre.Errorf(cadre.EINVALID, "unknown member status %q", m.Status)
	}
	if strings.TrimSpace(m.Name) == "" {
		return cadre.Errorf(cadre.EINVALID, "member name is required")
	}
	if m.CreatedAt.IsZero() {
		m.CreatedAt = s.Now()
	}
	err := tx.QueryRowContext(ctx, s.q(`INSERT INTO members (name, status, staff, bot, region, company, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`),
		m.Name, string(m.Status), m.Staff, m.Bot, m.Region, m.Company, m.CreatedAt.Unix()).Scan(&m.ID)
	if err != nil {
		return fmt.Errorf("insert member: %w", err)
	}
	for i, e := range m.Emails {
		e = strings.ToLower(strings.TrimSpace(e))
		m.Emails[i] = e
		if err := s.addEmail(ctx, tx, m.ID, e, i); err != nil {
			return err
		}
	}
	return nil
}

func (s *Store) addEmail(ctx context.Context, tx *sql.Tx, memberID int64, email string, pos int) error {
	res, err := tx.ExecContext(ctx, s.q(`INSERT INTO member_emails (email, member_id, position) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`),
		email, memberID, pos)
	if err != nil {
		return fmt.Errorf("insert email: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return cadre.Errorf(cadre.ECONFLICT, "email %s already belongs to another member", email)
	}
	return nil
}

func (s *Store) insertIdentity(ctx context.Context, tx *sql.Tx, id *cadre.Identity) error {
	if id.Platform == "" || id.Handle == "" {
		return cadre.Errorf(cadre.EINVALID, "an identity needs a platform and a handle")
	}
	err := tx.QueryRowContext(ctx, s.q(`INSERT INTO identities (member_id, platform, handle, handle_key, user_id)
		VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING id`),
		id.MemberID, id.Platform, id.Handle, strings.ToLower(id.Handle), id.UserID).Scan(&id.ID)
	if errors.Is(err, sql.ErrNoRows) {
		return cadre.Errorf(cadre.ECONFLICT, "%s handle %s already belongs to another member", id.Platform, id.Handle)
	}
	if err != nil {
		return fmt.Errorf("insert identity: %w", err)
	}
	return nil
}

const memberColumns = `m.id, m.name, m.status, m.staff, m.bot, m.region, m.company, m.created_at, m.merged_into`

func scanMember(row interface{ Scan(...any) error }, m *cadre.Member, extra ...any) error {
	var status string
	var created int64
	dest := append([]any{&m.ID, &m.Name, &status, &m.Staff, &m.Bot, &m.Region, &m.Company, &created, &m.MergedInto}, extra...)
	if err := row.Scan(dest...); err != nil {
		return err
	}
	m.Status = cadre.MemberStatus(status)
	m.CreatedAt = fromUnix(created)
	return nil
}

// Member returns the member with the given ID, with emails.
func (s *Store) Member(ctx context.Context, id int64) (*cadre.Member, error) {
	var m cadre.Member
	err := scanMember(s.read.QueryRowContext(ctx, s.q(`SELECT `+memberColumns+` FROM members m WHERE m.id = ?`), id), &m)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, cadre.Errorf(cadre.ENOTFOUND, "member %d not found", id)
	}
	if err != nil {
		return nil, fmt.Errorf("get member %d: %w", id, err)
	}
	if err := s.fillEmails(ctx, []*cadre.Member{&m}); err != nil {
		return nil, err
	}
	return &m, nil
}

// Identities returns the identities of a member.
func (s *Store) Identities(ctx context.Context, memberID int64) ([]cadre.Identity, error) {
	rows, err := s.read.QueryContext(ctx, s.q(`SELECT id, member_id, platform, handle, user_id FROM identities WHERE member_id = ? ORDER BY id`), memberID)
	if err != nil {
		return nil, fmt.Errorf("list identities: %w", err)
	}
	defer rows.Close()
	var ids []cadre.Identity
	for rows.Next() {
		var id cadre.Identity
		if err := rows.Scan(&id.ID, &id.MemberID, &id.Platform, &id.Handle, &id.UserID); err != nil {
			return nil, fmt.Errorf("list identities: %w", err)
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// fillEmails loads the emails of the given members in one query.
func (s *Store) fillEmails(ctx context.Context, ms []*cadre.Member) error {
	if len(ms) == 0 {
		return nil
	}
	byID := make(map[int64]*cadre.Member, len(ms))
	args := make([]any, len(ms))
	for i, m := range ms {
		byID[m.ID] = m
		args[i] = m.ID
	}
	query := `SELECT member_id, email FROM member_emails WHERE member_id IN (` +
		strings.TrimSuffix(strings.Repeat("?,", len(ms)), ",") + `) ORDER BY member_id, position`
	rows, err := s.read.QueryContext(ctx, s.q(query), args...)
	if err != nil {
		return fmt.Errorf("load emails: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var email string
		if err := rows.Scan(&id, &email); err != nil {
			return fmt.Errorf("load emails: %w", err)
		}
		byID[id].Emails = append(byID[id].Emails, email)
	}
	return rows.Err()
}

// likeEscaper escapes the wildcards of LIKE, and its escape character, so
// that a pattern matches them literally: it serves LIKE ? ESCAPE '\'.
var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

// escapeLike returns s as a LIKE pattern, with ESCAPE '\', that matches s
// itself: a search for "50%" finds "50%", not "500".
func escapeLike(s string) string { return likeEscaper.Replace(s) }

// A memberSearch finds the members whose name, handles or emails hold a
// string: match is an FTS5 query of SQLite's member_search index, or else
// cond, with args, a condition on members m.
type memberSearch struct {
	match string
	cond  string
	args  []any
}

// memberSearch finds q (see cadre.MemberFilter.Query) through the trigram
// indexes of migration 17 when it has the three characters a trigram needs;
// a shorter q matches with LIKE, reading every member.
func (s *Store) memberSearch(q string, emails bool) memberSearch {
	q = strings.ToLower(q)
	indexed := utf8.RuneCountInString(q) >= 3
	if indexed && s.dialect == SQLite {
		// A phrase of the trigram tokenizer matches as a substring; its
		// quotes are doubled inside it.
		cols := "{name handles}"
		if emails {
			cols = "{name handles emails}"
		}
		return memberSearch{match: cols + ` : "` + strings.ReplaceAll(q, `"`, `""`) + `"`}
	}
	like := "%" + escapeLike(q) + "%"
	if indexed {
		// PostgreSQL's trigram indexes serve each LIKE on its own table.
		cond := `m.id IN (SELECT id FROM members WHERE lower(name) LIKE ? UNION SELECT member_id FROM identities WHERE handle_key LIKE ?`
		args := []any{like, like}
		if emails {
			cond += ` UNION SELECT member_id FROM member_emails WHERE email LIKE ?`
			args = append(args, like)
		}
		return memberSearch{cond: cond + ")", args: args}
	}
	cond := `lower(m.name) LIKE ? ESCAPE '\' OR EXISTS (SELECT 1 FROM identities i WHERE i.member_id = m.id AND i.handle_key LIKE ? ESCAPE '\')`
	args := []any{like, like}
	if emails {
		cond += ` OR EXISTS (SELECT 1 FROM member_emails e WHERE e.member_id = m.id AND e.email LIKE ? ESCAPE '\')`
		args = append(args, like)
	}
	return memberSearch{cond: "(" + cond + ")", args: args}
}

// Members lists members with their activity counts, most active first (for
// a search of more than cadre.RankedMatches matches, by ID), and returns the total
// number matching the filter.
func (s *Store) Members(ctx context.Context, f cadre.MemberFilter) ([]cadre.MemberSummary, int, error) {
	from, where := " FROM members m", []string{"m.merged_into = 0"}
	var args []any
	if n := utf8.RuneCountInString(f.Query); n > cadre.MaxMemberQuery {
		return nil, 0, cadre.Errorf(cadre.EINVALID, "search: at most %d characters, got %d", cadre.MaxMemberQuery, n)
	}
	// count is the query that counts the matches; indexed, the search's
	// own index counts them when no other filter applies.
	var count string
	var countArgs []any
	if f.Query != "" {
		// Not by the activity indexes, whose merged_into would have SQLite
		// visit every member in activity order to try the search's terms.
		where[0] = "+m.merged_into = 0"
		search := s.memberSearch(f.Query, !f.NoEmails)
		switch {
		case search.match != "":
			// The phrase is matched once for a search that ranks: its
			// matches, up to one more than RankedMatches, are listed by
			// ID; matching a long phrase over a million members costs
			// milliseconds each time.
			ids, err := s.ids(ctx, s.read, `SELECT rowid FROM member_search WHERE member_search MATCH ? LIMIT ?`, search.match, cadre.RankedMatches+1)
			if err != nil {
				return nil, 0, fmt.Errorf("search members: %w", err)
			}
			if len(ids) <= cadre.RankedMatches {
				if len(ids) == 0 {
					return nil, 0, nil
				}
				where = append(where, "m.id IN ("+strings.TrimSuffix(strings.Repeat("?,", len(ids)), ",")+")")
				for _, id := range ids {
					args = append(args, id)
				}
				break
			}
			from = " FROM member_search JOIN members m ON m.id = member_search.rowid"
			where = append(where, "member_search MATCH ?")
			args = append(args, search.match)
			if f.Status == "" {
				count, countArgs = `SELECT count(*) FROM member_search WHERE member_search MATCH ?`, []any{search.match}
			}
		default:
			where = append(where, search.cond)
			args = append(args, search.args...)
		}
	}
	if f.Status != "" {
		where = append(where, "m.status = ?")
		args = append(args, string(f.Status))
	}
	cond := " WHERE " + strings.Join(where, " AND ")
	if count == "" {
		count, countArgs = `SELECT count(*)`+from+cond, args
	}
	var total int
	if err := s.read.QueryRowContext(ctx, s.q(count), countArgs...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count members: %w", err)
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 50
	}
	// Each member's count of activities is kept on the member (migration
	// 0018): the list pages by it through an index.
	query := `SELECT ` + memberColumns + `, m.activity_count` + from + cond + ` ORDER BY m.activity_count DESC, m.id LIMIT ? OFFSET ?`
	if f.Query != "" && total > cadre.RankedMatches {
		// The page by ID from the index (SQLite's search index gives its
		// matches in rowid order, so the page stops early).
		byID := "m.id"
		if strings.Contains(from, "member_search") {
			byID = "member_search.rowid"
		}
		query = `SELECT ` + memberColumns + `, m.activity_count` + from + cond + ` ORDER BY ` + byID + ` LIMIT ? OFFSET ?`
	}
	rows, err := s.read.QueryContext(ctx, s.q(query), append(args, limit, f.Offset)...)
	if err != nil {
		return nil, 0, fmt.Errorf("list members: %w", err)
	}
	defer rows.Close()
	var out []cadre.MemberSummary
	for rows.Next() {
		var ms cadre.MemberSummary
		if err := scanMember(rows, &ms.Member, &ms.Activities); err != nil {
			return nil, 0, fmt.Errorf("list members: %w", err)
		}
		out = append(out, ms)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("list members: %w", err)
	}
	ptrs := make([]*cadre.Member, len(out))
	for i := range out {
		ptrs[i] = &out[i].Member
	}
	return out, total, s.fillEmails(ctx, ptrs)
}

// SetMemberStatus changes a member's status and records the change in the
// audit log, in one transaction.
func (s *Store) SetMemberStatus(ctx context.Context, id int64, status cadre.MemberStatus, actor string) error {
	if !status.Valid() {
		return cadre.Errorf(cadre.EINVALID, "unknown member status %q", status)
	}
	return s.withTx(ctx, func(tx *sql.Tx) error {
		var old string
		err := tx.QueryRowContext(ctx, s.q(`SELECT status FROM members WHERE id = ?`), id).Scan(&old)
		if errors.Is(err, sql.ErrNoRows) {
			return cadre.Errorf(cadre.ENOTFOUND, "member %d not found", id)
		}
		if err != nil {
			return fmt.Errorf("set member status: %w", err)
		}
		if old == string(status) {
			return nil
		}
		seq, err := s.bump(ctx, tx)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.q(`UPDATE members SET status = ? WHERE id = ?`), string(status), id); err != nil {
			return fmt.Errorf("set member status: %w", err)
		}
		if err := s.logMembers(ctx, tx, seq, []int64{id}); err != nil {
			return err
		}
		return s.appendAudit(ctx, tx, cadre.AuditEntry{
			Actor: actor, Action: "member.status",
			Target: fmt.Sprintf("member:%d", id), Detail: old + " -> " + string(status),
		})
	})
}

// FindMember returns the ID of the member that ref names: a member ID, an
// email address, "platform:handle", or a handle on any platform when only one
// member has it.
func (s *Store) FindMember(ctx context.Context, ref string) (int64, error) {
	ref = strings.TrimSpace(ref)
	if id, err := strconv.ParseInt(ref, 10, 64); err == nil {
		if _, err := s.Member(ctx, id); err != nil {
			return 0, err
		}
		return id, nil
	}
	query, args := `SELECT DISTINCT member_id FROM identities WHERE handle_key = ?`, []any{strings.ToLower(ref)}
	if strings.ContainsAny(ref, ":@") {
		mr, err := cadre.ParseMemberRef(ref)
		if err != nil {
			return 0, err
		}
		if mr.Email != "" {
			query, args = `SELECT member_id FROM member_emails WHERE email = ?`, []any{mr.Email}
		} else {
			query, args = `SELECT member_id FROM identities WHERE platform = ? AND handle_key = ?`, []any{mr.Platform, strings.ToLower(mr.Handle)}
		}
	}
	rows, err := s.read.QueryContext(ctx, s.q(query), args...)
	if err != nil {
		return 0, fmt.Errorf("find member %q: %w", ref, err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return 0, fmt.Errorf("find member %q: %w", ref, err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("find member %q: %w", ref, err)
	}
	switch len(ids) {
	case 0:
		return 0, cadre.Errorf(cadre.ENOTFOUND, "no member is known as %q", ref)
	case 1:
		return ids[0], nil
	default:
		return 0, cadre.Errorf(cadre.ECONFLICT, "%d members have the handle %q: name one as platform:handle", len(ids), ref)
	}
}

// Places returns the region and company of each member named who has one,
// by the members' primary key, in chunks.
func (s *Store) Places(ctx context.Context, ids []int64) (map[int64][2]string, error) {
	out := map[int64][2]string{}
	const chunk = 500
	for len(ids) > 0 {
		n := min(chunk, len(ids))
		args := make([]any, n)
		for i, id := range ids[:n] {
			args[i] = id
		}
		err := eachRow(ctx, s.read, s.q(`SELECT id, region, company FROM members WHERE (region <> '' OR company <> '') AND id IN (`+
			strings.TrimSuffix(strings.Repeat("?,", n), ",")+`)`), args, func(rows *sql.Rows) error {
			var id int64
			var p [2]string
			if err := rows.Scan(&id, &p[0], &p[1]); err != nil {
				return err
			}
			out[id] = p
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("read places: %w", err)
		}
		ids = ids[n:]
	}
	return out, nil
}
