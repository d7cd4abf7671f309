package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/cadrehq/cadre"
	"github.com/cadrehq/cadre/account"
	"github.com/cadrehq/cadre/notify"
	"github.com/cadrehq/cadre/program"
)

const applicationColumns = `id, name, email, handles, motivation, links, member_id, state, hash, at, decided_at, reviewer, reason`

func scanApplication(row interface{ Scan(...any) error }, a *program.Application) error {
	var handles, links, state string
	var at, decided int64
	if err := row.Scan(&a.ID, &a.Name, &a.Email, &handles, &a.Motivation, &links, &a.MemberID, &state, &a.Hash, &at, &decided, &a.Reviewer, &a.Reason); err != nil {
		return err
	}
	a.Handles, a.Links = nil, nil
	for _, h := range strings.Fields(handles) {
		if ref, err := cadre.ParseMemberRef(h); err == nil {
			a.Handles = append(a.Handles, ref)
		}
	}
	a.Links = strings.Fields(links)
	a.State, a.At = program.ApplicationState(state), time.UnixMicro(at).UTC()
	a.DecidedAt = time.Time{}
	if decided != 0 {
		a.DecidedAt = time.UnixMicro(decided).UTC()
	}
	return nil
}

// SubmitApplication stores an application from the public form, linked to
// the member its email or handles resolve to, and returns the secret of the
// applicant's personal link. One open application per email. mail, when
// not nil, writes the applicant's confirmation, queued in the same
// transaction.
func (s *Store) SubmitApplication(ctx context.Context, a *program.Application, mail func(a *program.Application, secret string) []cadre.Mail) (string, error) {
	secret, hash, err := account.NewLinkSecret()
	if err != nil {
		return "", err
	}
	a.Hash, a.At, a.State = hash, s.Now(), program.ApplicationSubmitted
	err = s.withTx(ctx, func(tx *sql.Tx) error {
		var open int
		if err := tx.QueryRowContext(ctx, s.q(`SELECT count(*) FROM applications WHERE email = ? AND state = 'submitted'`), a.Email).Scan(&open); err != nil {
			return fmt.Errorf("submit application: %w", err)
		}
		if open > 0 {
			return cadre.Errorf(cadre.ECONFLICT, "an application from %s is waiting for a decision already", a.Email)
		}
		if a.MemberID, err = s.resolveApplicant(ctx, tx, a); err != nil {
			return err
		}
		handles := make([]string, len(a.Handles))
		for i, h := range a.Handles {
			handles[i] = h.Platform + ":" + h.Handle
		}
		err := tx.QueryRowContext(ctx, s.q(`INSERT INTO applications (name, email, handles, motivation, links, member_id, state, hash, at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`),
			a.Name, a.Email, strings.Join(handles, " "), a.Motivation, strings.Join(a.Links, " "), a.MemberID, string(a.State), hash, a.At.UnixMicro()).Scan(&a.ID)
		if err != nil {
			return fmt.Errorf("submit application: %w", err)
		}
		if mail != nil {
			if err := s.enqueue(ctx, tx, mail(a, secret)...); err != nil {
				return err
			}
		}
		if err := s.notify(ctx, tx, notify.Application(a.ID, a.Name, a.MemberID, a.At)); err != nil {
			return err
		}
		return s.appendAudit(ctx, tx, cadre.AuditEntry{Actor: a.Email, Action: "application.submit", Target: fmt.Sprintf("application:%d", a.ID),
			Detail: fmt.Sprintf("%s, member %d", a.Name, a.MemberID)})
	})
	if err != nil {
		return "", err
	}
	return secret, nil
}

// resolveApplicant finds the member an application names: by email, else
// by its first handle that a member holds; 0 when none.
func (s *Store) resolveApplicant(ctx context.Context, tx *sql.Tx, a *program.Application) (int64, error) {
	var id int64
	err := tx.QueryRowContext(ctx, s.q(`SELECT e.member_id FROM member_emails e JOIN members m ON m.id = e.member_id WHERE e.email = ? AND m.merged_into = 0`), a.Email).Scan(&id)
	if err == nil {
		return id, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("resolve applicant: %w", err)
	}
	for _, h := range a.Handles {
		err := tx.QueryRowContext(ctx, s.q(`SELECT i.member_id FROM identities i JOIN members m ON m.id = i.member_id
			WHERE i.platform = ? AND i.handle_key = lower(?) AND m.merged_into = 0`), h.Platform, h.Handle).Scan(&id)
		if err == nil {
			return id, nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return 0, fmt.Errorf("resolve applicant: %w", err)
		}
	}
	return 0, nil
}

// Applications lists applications, newest first; state filters when not "".
func (s *Store) Applications(ctx context.Context, state program.ApplicationState) ([]program.Application, error) {
	query, args := `SELECT `+applicationColumns+` FROM applications ORDER BY id DESC`, []any(nil)
	if state != "" {
		query, args = `SELECT `+applicationColumns+` FROM applications WHERE state = ? ORDER BY id DESC`, []any{string(state)}
	}
	var out []program.Application
	err := eachRow(ctx, s.read, s.q(query), args, func(rows *sql.Rows) error {
		var a program.Application
		err := scanApplication(rows, &a)
		out = append(out, a)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list applications: %w", err)
	}
	return out, nil
}

// MemberApplications lists the applications that resolved to a member,
// newest first.
func (s *Store) MemberApplications(ctx context.Context, memberID int64) ([]program.Application, error) {
	var out []program.Application
	err := eachRow(ctx, s.read, s.q(`SELECT `+applicationColumns+` FROM applications WHERE member_id = ? ORDER BY id DESC`), []any{memberID}, func(rows *sql.Rows) error {
		var a program.Application
		err := scanApplication(rows, &a)
		out = append(out, a)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list member %d's applications: %w", memberID, err)
	}
	return out, nil
}

// Application returns one application.
func (s *Store) Application(ctx context.Context, id int64) (*program.Application, error) {
	return s.application(ctx, s.read, id)
}

func (s *Store) application(ctx context.Context, db dbtx, id int64) (*program.Application, error) {
	var a program.Application
	err := scanApplication(db.QueryRowContext(ctx, s.q(`SELECT `+applicationColumns+` FROM applications WHERE id = ?`), id), &a)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, cadre.Errorf(cadre.ENOTFOUND, "application %d not found", id)
	}
	if err != nil {
		return nil, fmt.Errorf("get application: %w", err)
	}
	return &a, nil
}

// DecideApplication accepts or rejects an open application, once: accepting
// starts a term by application. Two decisions at once leave one. mail,
// when not nil, writes the applicant's news, queued in the same
// transaction.
func (s *Store) DecideApplication(ctx context.Context, id int64, accept bool, reason, reviewer string,
	mail func(a *program.Application) []cadre.Mail) (*program.Application, error) {
	var a *program.Application
	err := s.withTx(ctx, func(tx *sql.Tx) error {
		seq, err := s.bump(ctx, tx)
		if err != nil {
			return err
		}
		if a, err = s.application(ctx, tx, id); err != nil {
			return err
		}
		state, err := a.Decide(accept, reason)
		if err != nil {
			return err
		}
		now := s.Now()
		if _, err := tx.ExecContext(ctx, s.q(`UPDATE applications SET state = ?, decided_at = ?, reviewer = ?, reason = ? WHERE id = ?`),
			string(state), now.UnixMicro(), reviewer, reason, id); err != nil {
			return fmt.Errorf("decide application: %w", err)
		}
		a.State, a.DecidedAt, a.Reviewer, a.Reason = state, now, reviewer, reason
		if accept {
			t := program.Term{MemberID: a.MemberID, Start: now, Via: program.ViaApplication, Reason: fmt.Sprintf("accepted application %d", id)}
			if err := s.addTerm(ctx, tx, &t); err != nil {
				return err
			}
			if err := s.syncStatus(ctx, tx, seq, []int64{a.MemberID}); err != nil {
				return err
			}
		}
		if mail != nil {
			if err := s.enqueue(ctx, tx, mail(a)...); err != nil {
				return err
			}
		}
		return s.appendAudit(ctx, tx, cadre.AuditEntry{Actor: reviewer, Action: "application." + string(state), Target: fmt.Sprintf("application:%d", id), Detail: reason})
	})
	if err != nil {
		return nil, err
	}
	return a, nil
}

// WithdrawApplication withdraws the open application of a personal link.
func (s *Store) WithdrawApplication(ctx context.Context, secret string) (*program.Application, error) {
	var a program.Application
	err := s.withTx(ctx, func(tx *sql.Tx) error {
		err := scanApplication(tx.QueryRowContext(ctx, s.q(`SELECT `+applicationColumns+` FROM applications WHERE hash = ?`), account.HashSecret(secret)), &a)
		if errors.Is(err, sql.ErrNoRows) {
			return cadre.Errorf(cadre.ENOTFOUND, "no such application: the link may be mistyped")
		}
		if err != nil {
			return fmt.Errorf("withdraw application: %w", err)
		}
		if !a.Open() {
			return cadre.Errorf(cadre.ECONFLICT, "the application was %s already", a.State)
		}
		if _, err := tx.ExecContext(ctx, s.q(`UPDATE applications SET state = 'withdrawn', decided_at = ? WHERE id = ?`), s.Now().UnixMicro(), a.ID); err != nil {
			return fmt.Errorf("withdraw application: %w", err)
		}
		a.State = program.ApplicationWithdrawn
		return s.appendAudit(ctx, tx, cadre.AuditEntry{Actor: a.Email, Action: "application.withdrawn", Target: fmt.Sprintf("application:%d", a.ID)})
	})
	if err != nil {
		return nil, err
	}
	return &a, nil
}

// AddApplicationNote adds a reviewer's note to an application.
func (s *Store) AddApplicationNote(ctx context.Context, id int64, author, text string) error {
	if strings.TrimSpace(text) == "" {
		return cadre.Errorf(cadre.EINVALID, "a note needs text")
	}
	res, err := s.write.ExecContext(ctx, s.q(`INSERT INTO application_notes (application_id, author, at, text) SELECT id, ?, ?, ? FROM applications WHERE id = ?`),
		author, s.Now().UnixMicro(), text, id)
	if err != nil {
		return fmt.Errorf("add note: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return cadre.Errorf(cadre.ENOTFOUND, "application %d not found", id)
	}
	return nil
}

// ApplicationNotes lists an application's notes, oldest first.
func (s *Store) ApplicationNotes(ctx context.Context, id int64) ([]program.Note, error) {
	var out []program.Note
	err := eachRow(ctx, s.read, s.q(`SELECT author, at, text FROM application_notes WHERE application_id = ? ORDER BY id`), []any{id}, func(rows *sql.Rows) error {
		var n program.Note
		var at int64
		err := rows.Scan(&n.Author, &at, &n.Text)
		n.At = time.UnixMicro(at).UTC()
		out = append(out, n)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list notes: %w", err)
	}
	return out, nil
}

// ApplicationBySecret returns the application of an applicant's link.
func (s *Store) ApplicationBySecret(ctx context.Context, secret string) (*program.Application, error) {
	var a program.Application
	err := scanApplication(s.read.QueryRowContext(ctx, s.q(`SELECT `+applicationColumns+` FROM applications WHERE hash = ?`), account.HashSecret(secret)), &a)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, cadre.Errorf(cadre.ENOTFOUND, "no such application: the link may be mistyped")
	}
	if err != nil {
		return nil, fmt.Errorf("get application: %w", err)
	}
	return &a, nil
}
