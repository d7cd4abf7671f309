package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/cadrehq/cadre"
	"github.com/cadrehq/cadre/notify"
	"github.com/cadrehq/cadre/session"
)

// Executive feedback sessions (SPEC 6). Every change writes the audit log in
// its transaction; votes and status changes are conditional writes, so that
// two at once leave one.

// fromMicro reads a time kept in Unix microseconds, 0 for none.
func fromMicro(us int64) time.Time {
	if us == 0 {
		return time.Time{}
	}
	return time.UnixMicro(us).UTC()
}

func sessionTarget(id int64) string    { return "session:" + strconv.FormatInt(id, 10) }
func commitmentTarget(id int64) string { return "commitment:" + strconv.FormatInt(id, 10) }

// CreateFeedbackSession stores a new session with its attendees, audited.
func (s *Store) CreateFeedbackSession(ctx context.Context, ss *session.Session) error {
	if err := ss.Validate(); err != nil {
		return err
	}
	return s.withTx(ctx, func(tx *sql.Tx) error {
		ss.CreatedAt = s.Now()
		if err := tx.QueryRowContext(ctx, s.q(`INSERT INTO feedback_sessions (title, at, created_at, actor) VALUES (?, ?, ?, ?) RETURNING id`),
			ss.Title, ss.At.UnixMicro(), ss.CreatedAt.UnixMicro(), ss.Actor).Scan(&ss.ID); err != nil {
			return fmt.Errorf("create session: %w", err)
		}
		seen := map[int64]bool{}
		ambassadors := ss.Ambassadors[:0:0]
		for _, m := range ss.Ambassadors {
			if seen[m] {
				continue
			}
			seen[m] = true
			if _, err := s.memberInTx(ctx, tx, m); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO feedback_ambassadors (session_id, member_id) VALUES (?, ?)`), ss.ID, m); err != nil {
				return fmt.Errorf("create session: %w", err)
			}
			ambassadors = append(ambassadors, m)
		}
		ss.Ambassadors = ambassadors
		for _, e := range ss.Executives {
			if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO feedback_executives (session_id, name) VALUES (?, ?)`), ss.ID, e); err != nil {
				return fmt.Errorf("create session: %w", err)
			}
		}
		return s.appendAudit(ctx, tx, cadre.AuditEntry{Actor: ss.Actor, Action: "session.create", Target: sessionTarget(ss.ID),
			Detail: fmt.Sprintf("%s on %s: %d ambassadors, %d executives", cadre.Quote(ss.Title), ss.At.Format(time.DateOnly), len(ss.Ambassadors), len(ss.Executives))})
	})
}

const feedbackSessionColumns = `id, title, at, created_at, actor`

func scanFeedbackSession(row interface{ Scan(...any) error }, ss *session.Session) error {
	var at, created int64
	if err := row.Scan(&ss.ID, &ss.Title, &at, &created, &ss.Actor); err != nil {
		return err
	}
	ss.At, ss.CreatedAt = fromMicro(at), fromMicro(created)
	return nil
}

// FeedbackSessions lists every session, the latest first, with its
// attendees.
func (s *Store) FeedbackSessions(ctx context.Context) ([]session.Session, error) {
	var out []session.Session
	err := eachRow(ctx, s.read, s.q(`SELECT `+feedbackSessionColumns+` FROM feedback_sessions ORDER BY at DESC, id DESC`), nil, func(rows *sql.Rows) error {
		var ss session.Session
		err := scanFeedbackSession(rows, &ss)
		out = append(out, ss)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list sessions: %w", err)
	}
	index := map[int64]*session.Session{}
	for i := range out {
		index[out[i].ID] = &out[i]
	}
	err = eachRow(ctx, s.read, `SELECT session_id, member_id FROM feedback_ambassadors ORDER BY session_id, member_id`, nil, func(rows *sql.Rows) error {
		var id, m int64
		err := rows.Scan(&id, &m)
		if ss := index[id]; ss != nil {
			ss.Ambassadors = append(ss.Ambassadors, m)
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list sessions' ambassadors: %w", err)
	}
	err = eachRow(ctx, s.read, `SELECT session_id, name FROM feedback_executives ORDER BY session_id, name`, nil, func(rows *sql.Rows) error {
		var id int64
		var name string
		err := rows.Scan(&id, &name)
		if ss := index[id]; ss != nil {
			ss.Executives = append(ss.Executives, name)
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list sessions' executives: %w", err)
	}
	return out, nil
}

// FeedbackSession returns session id, without its attendees.
func (s *Store) FeedbackSession(ctx context.Context, id int64) (*session.Session, error) {
	return s.feedbackSessionIn(ctx, s.read, id)
}

func (s *Store) feedbackSessionIn(ctx context.Context, db dbtx, id int64) (*session.Session, error) {
	var ss session.Session
	err := scanFeedbackSession(db.QueryRowContext(ctx, s.q(`SELECT `+feedbackSessionColumns+` FROM feedback_sessions WHERE id = ?`), id), &ss)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, cadre.Errorf(cadre.ENOTFOUND, "no session %d", id)
	}
	if err != nil {
		return nil, fmt.Errorf("get session %d: %w", id, err)
	}
	return &ss, nil
}

// SubmitItem stores an ambassador's item for its session, while the session
// takes items, audited under actor.
func (s *Store) SubmitItem(ctx context.Context, it *session.Item, actor string) error {
	return s.withTx(ctx, func(tx *sql.Tx) error {
		ss, err := s.feedbackSessionIn(ctx, tx, it.SessionID)
		if err != nil {
			return err
		}
		now := s.Now()
		if err := it.Validate(ss, now); err != nil {
			return err
		}
		if _, err := s.memberInTx(ctx, tx, it.AuthorID); err != nil {
			return err
		}
		it.CreatedAt, it.Voters = now, nil
		if err := tx.QueryRowContext(ctx, s.q(`INSERT INTO feedback_items (session_id, kind, title, body, author_id, created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id`),
			it.SessionID, string(it.Kind), it.Title, it.Body, it.AuthorID, now.UnixMicro()).Scan(&it.ID); err != nil {
			return fmt.Errorf("submit item: %w", err)
		}
		return s.appendAudit(ctx, tx, cadre.AuditEntry{Actor: actor, Action: "session.item", Target: sessionTarget(ss.ID),
			Detail: fmt.Sprintf("item %d (%s) by member %d: %s", it.ID, it.Kind, it.AuthorID, cadre.Quote(it.Title))})
	})
}

const itemColumns = `id, session_id, kind, title, body, author_id, created_at`

func scanItem(row interface{ Scan(...any) error }, it *session.Item) error {
	var kind string
	var created int64
	if err := row.Scan(&it.ID, &it.SessionID, &kind, &it.Title, &it.Body, &it.AuthorID, &created); err != nil {
		return err
	}
	it.Kind, it.CreatedAt = session.Kind(kind), fromMicro(created)
	return nil
}

// FeedbackItems lists the items of session id with their voters, the most
// voted first (the earliest first among equals).
func (s *Store) FeedbackItems(ctx context.Context, id int64) ([]session.Item, error) {
	var out []session.Item
	err := eachRow(ctx, s.read, s.q(`SELECT `+itemColumns+` FROM feedback_items WHERE session_id = ? ORDER BY id`), []any{id}, func(rows *sql.Rows) error {
		var it session.Item
		err := scanItem(rows, &it)
		out = append(out, it)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list items of session %d: %w", id, err)
	}
	index := map[int64]*session.Item{}
	for i := range out {
		index[out[i].ID] = &out[i]
	}
	err = eachRow(ctx, s.read, s.q(`SELECT v.item_id, v.member_id FROM feedback_votes v JOIN feedback_items i ON i.id = v.item_id
		WHERE i.session_id = ? ORDER BY v.at, v.member_id`), []any{id}, func(rows *sql.Rows) error {
		var item, m int64
		err := rows.Scan(&item, &m)
		if it := index[item]; it != nil {
			it.Voters = append(it.Voters, m)
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list votes of session %d: %w", id, err)
	}
	session.SortByVotes(out)
	return out, nil
}

func (s *Store) itemInTx(ctx context.Context, tx *sql.Tx, id int64) (*session.Item, error) {
	var it session.Item
	err := scanItem(tx.QueryRowContext(ctx, s.q(`SELECT `+itemColumns+` FROM feedback_items WHERE id = ?`), id), &it)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, cadre.Errorf(cadre.ENOTFOUND, "no item %d", id)
	}
	if err != nil {
		return nil, fmt.Errorf("get item %d: %w", id, err)
	}
	err = eachRow(ctx, tx, s.q(`SELECT member_id FROM feedback_votes WHERE item_id = ? ORDER BY at, member_id`), []any{id}, func(rows *sql.Rows) error {
		var m int64
		err := rows.Scan(&m)
		it.Voters = append(it.Voters, m)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("get votes of item %d: %w", id, err)
	}
	return &it, nil
}

// Vote records member's vote for item id: once, never for their own item,
// and before the session; audited under actor.
func (s *Store) Vote(ctx context.Context, id, member int64, actor string) error {
	return s.withTx(ctx, func(tx *sql.Tx) error {
		it, err := s.itemInTx(ctx, tx, id)
		if err != nil {
			return err
		}
		ss, err := s.feedbackSessionIn(ctx, tx, it.SessionID)
		if err != nil {
			return err
		}
		now := s.Now()
		if err := session.CheckVote(ss, it, member, now); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, s.q(`INSERT INTO feedback_votes (item_id, member_id, at) VALUES (?, ?, ?) ON CONFLICT (item_id, member_id) DO NOTHING`),
			id, member, now.UnixMicro())
		if err != nil {
			return fmt.Errorf("vote: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return cadre.Errorf(cadre.ECONFLICT, "you voted for this item already")
		}
		return s.appendAudit(ctx, tx, cadre.AuditEntry{Actor: actor, Action: "session.vote", Target: sessionTarget(ss.ID),
			Detail: fmt.Sprintf("member %d voted for item %d", member, id)})
	})
}

// Commit makes item c.ItemID a commitment of its session (c.Title defaults
// to the item's), due at c.Due, owned by c.Owner; its history begins open.
func (s *Store) Commit(ctx context.Context, c *session.Commitment) error {
	return s.withTx(ctx, func(tx *sql.Tx) error {
		it, err := s.itemInTx(ctx, tx, c.ItemID)
		if err != nil {
			return err
		}
		c.SessionID, c.Status, c.DoneAt, c.RemindedAt, c.Notes = it.SessionID, session.Open, time.Time{}, time.Time{}, nil
		if c.Title == "" {
			c.Title = it.Title
		}
		if err := c.Validate(); err != nil {
			return err
		}
		c.CreatedAt = s.Now()
		if err := tx.QueryRowContext(ctx, s.q(`INSERT INTO commitments (session_id, item_id, title, owner, due_at, status, created_at, actor)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`),
			c.SessionID, c.ItemID, c.Title, c.Owner, c.Due.UnixMicro(), string(c.Status), c.CreatedAt.UnixMicro(), c.Actor).Scan(&c.ID); err != nil {
			return fmt.Errorf("commit: %w", err)
		}
		n := session.Note{At: c.CreatedAt, Author: c.Actor, Status: session.Open}
		if err := s.insertNote(ctx, tx, c.ID, n); err != nil {
			return err
		}
		c.Notes = []session.Note{n}
		return s.appendAudit(ctx, tx, cadre.AuditEntry{Actor: c.Actor, Action: "commitment.create", Target: commitmentTarget(c.ID),
			Detail: fmt.Sprintf("from item %d of session %d: %s, owner %s, due %s", c.ItemID, c.SessionID, cadre.Quote(c.Title), cadre.Quote(c.Owner), c.Due.Format(time.DateOnly))})
	})
}

func (s *Store) insertNote(ctx context.Context, tx *sql.Tx, id int64, n session.Note) error {
	if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO commitment_notes (commitment_id, at, author, status, text) VALUES (?, ?, ?, ?, ?)`),
		id, n.At.UnixMicro(), n.Author, string(n.Status), n.Text); err != nil {
		return fmt.Errorf("note commitment %d: %w", id, err)
	}
	return nil
}

const commitmentColumns = `id, session_id, item_id, title, owner, due_at, status, done_at, created_at, actor, reminded_at`

func scanCommitment(row interface{ Scan(...any) error }, c *session.Commitment) error {
	var status string
	var due, done, created, reminded int64
	if err := row.Scan(&c.ID, &c.SessionID, &c.ItemID, &c.Title, &c.Owner, &due, &status, &done, &created, &c.Actor, &reminded); err != nil {
		return err
	}
	c.Status, c.Due, c.DoneAt, c.CreatedAt, c.RemindedAt = session.Status(status), fromMicro(due), fromMicro(done), fromMicro(created), fromMicro(reminded)
	return nil
}

// Commitments lists the commitments of session id (0: of every session),
// the earliest due first, each with its history.
func (s *Store) Commitments(ctx context.Context, id int64) ([]session.Commitment, error) {
	query, args := `SELECT `+commitmentColumns+` FROM commitments ORDER BY due_at, id`, []any(nil)
	notes := `SELECT commitment_id, at, author, status, text FROM commitment_notes ORDER BY at, id`
	if id != 0 {
		query, args = `SELECT `+commitmentColumns+` FROM commitments WHERE session_id = ? ORDER BY due_at, id`, []any{id}
		notes = `SELECT n.commitment_id, n.at, n.author, n.status, n.text FROM commitment_notes n JOIN commitments c ON c.id = n.commitment_id
			WHERE c.session_id = ? ORDER BY n.at, n.id`
	}
	var out []session.Commitment
	err := eachRow(ctx, s.read, s.q(query), args, func(rows *sql.Rows) error {
		var c session.Commitment
		err := scanCommitment(rows, &c)
		out = append(out, c)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list commitments: %w", err)
	}
	index := map[int64]*session.Commitment{}
	for i := range out {
		index[out[i].ID] = &out[i]
	}
	err = eachRow(ctx, s.read, s.q(notes), args, func(rows *sql.Rows) error {
		var cid int64
		n, err := scanNote(rows, &cid)
		if c := index[cid]; c != nil {
			c.Notes = append(c.Notes, n)
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list commitments' notes: %w", err)
	}
	return out, nil
}

func scanNote(rows *sql.Rows, id *int64) (session.Note, error) {
	var n session.Note
	var at int64
	var status string
	err := rows.Scan(id, &at, &n.Author, &status, &n.Text)
	n.At, n.Status = fromMicro(at), session.Status(status)
	return n, err
}

// Commitment returns commitment id with its history.
func (s *Store) Commitment(ctx context.Context, id int64) (*session.Commitment, error) {
	tx, err := s.snapshot(ctx)
	if err != nil {
		return nil, err
	}
	defer func() { _ = tx.Rollback() }()
	return s.commitmentIn(ctx, tx, id)
}

func (s *Store) commitmentIn(ctx context.Context, tx *sql.Tx, id int64) (*session.Commitment, error) {
	var c session.Commitment
	err := scanCommitment(tx.QueryRowContext(ctx, s.q(`SELECT `+commitmentColumns+` FROM commitments WHERE id = ?`), id), &c)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, cadre.Errorf(cadre.ENOTFOUND, "no commitment %d", id)
	}
	if err != nil {
		return nil, fmt.Errorf("get commitment %d: %w", id, err)
	}
	err = eachRow(ctx, tx, s.q(`SELECT commitment_id, at, author, status, text FROM commitment_notes WHERE commitment_id = ? ORDER BY at, id`), []any{id}, func(rows *sql.Rows) error {
		var cid int64
		n, err := scanNote(rows, &cid)
		c.Notes = append(c.Notes, n)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("get notes of commitment %d: %w", id, err)
	}
	return &c, nil
}

// MoveCommitment changes commitment id's status, with a note (which may be
// empty), in its history and the audit log.
func (s *Store) MoveCommitment(ctx context.Context, id int64, to session.Status, note, actor string) (*session.Commitment, error) {
	var c *session.Commitment
	err := s.withTx(ctx, func(tx *sql.Tx) error {
		var err error
		if c, err = s.commitmentIn(ctx, tx, id); err != nil {
			return err
		}
		from := c.Status
		n, err := c.Move(to, actor, note, s.Now())
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, s.q(`UPDATE commitments SET status = ?, done_at = ? WHERE id = ? AND status = ?`),
			string(c.Status), microOrZero(c.DoneAt), id, string(from))
		if err != nil {
			return fmt.Errorf("move commitment %d: %w", id, err)
		}
		if k, err := res.RowsAffected(); err != nil || k == 0 {
			return cadre.Errorf(cadre.ECONFLICT, "commitment %d changed meanwhile: look again", id)
		}
		if err := s.insertNote(ctx, tx, id, n); err != nil {
			return err
		}
		return s.appendAudit(ctx, tx, cadre.AuditEntry{Actor: actor, Action: "commitment.status", Target: commitmentTarget(id),
			Detail: fmt.Sprintf("%s → %s", from, to)})
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// NoteCommitment adds a follow-up note to commitment id's history, audited.
func (s *Store) NoteCommitment(ctx context.Context, id int64, text, actor string) (*session.Commitment, error) {
	var c *session.Commitment
	err := s.withTx(ctx, func(tx *sql.Tx) error {
		var err error
		if c, err = s.commitmentIn(ctx, tx, id); err != nil {
			return err
		}
		n, err := c.AddNote(actor, text, s.Now())
		if err != nil {
			return err
		}
		if err := s.insertNote(ctx, tx, id, n); err != nil {
			return err
		}
		return s.appendAudit(ctx, tx, cadre.AuditEntry{Actor: actor, Action: "commitment.note", Target: commitmentTarget(id), Detail: n.Text})
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// RemindOverdue queues, through remind, a reminder to the owner of each
// commitment overdue at now that was not reminded in the last day
// (session.RemindEvery), and records when; owners named without an address
// get nothing and stay unreminded. It returns how many were reminded. The
// reminder's time is a conditional write, so instances running the job at
// once send each reminder once.
func (s *Store) RemindOverdue(ctx context.Context, now time.Time, remind func(c *session.Commitment) []cadre.Mail) (int, error) {
	n := 0
	err := s.withTx(ctx, func(tx *sql.Tx) error {
		n = 0
		var due []session.Commitment
		err := eachRow(ctx, tx, s.q(`SELECT `+commitmentColumns+` FROM commitments WHERE status IN ('open', 'in_progress') AND due_at < ? ORDER BY due_at, id`),
			[]any{now.UnixMicro()}, func(rows *sql.Rows) error {
				var c session.Commitment
				err := scanCommitment(rows, &c)
				due = append(due, c)
				return err
			})
		if err != nil {
			return fmt.Errorf("find overdue commitments: %w", err)
		}
		for i := range due {
			c := &due[i]
			if !c.NeedsReminder(now) {
				continue
			}
			mail := remind(c)
			res, err := tx.ExecContext(ctx, s.q(`UPDATE commitments SET reminded_at = ? WHERE id = ? AND reminded_at = ?`),
				now.UnixMicro(), c.ID, microOrZero(c.RemindedAt))
			if err != nil {
				return fmt.Errorf("remind commitment %d: %w", c.ID, err)
			}
			if k, err := res.RowsAffected(); err != nil || k == 0 {
				continue // another instance reminded them
			}
			if c.RemindedAt.IsZero() { // overdue since the last look: tell other systems once
				if err := s.notify(ctx, tx, notify.Overdue(c.ID, c.Title, c.Owner, c.Due, now)); err != nil {
					return err
				}
			}
			if len(mail) == 0 {
				continue // an owner named without an address: the page flags it
			}
			if err := s.enqueue(ctx, tx, mail...); err != nil {
				return err
			}
			if err := s.appendAudit(ctx, tx, cadre.AuditEntry{Action: "commitment.remind", Target: commitmentTarget(c.ID),
				Detail: fmt.Sprintf("%s reminded: due %s", c.Owner, c.Due.Format(time.DateOnly))}); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	return n, err
}

func microOrZero(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMicro()
}
