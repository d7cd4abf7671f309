package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/cadrehq/cadre"
)

const mailColumns = `id, kind, to_addr, subject, body, link, created_at, attempts, next_at, sent_at, error`

func scanMail(row interface{ Scan(...any) error }, m *cadre.Mail) error {
	var created, next, sent int64
	if err := row.Scan(&m.ID, &m.Kind, &m.To, &m.Subject, &m.Body, &m.Link, &created, &m.Attempts, &next, &sent, &m.Error); err != nil {
		return err
	}
	m.CreatedAt, m.NextAt = time.UnixMicro(created).UTC(), time.UnixMicro(next).UTC()
	if sent != 0 {
		m.SentAt = time.UnixMicro(sent).UTC()
	}
	return nil
}

// enqueue writes mail to the outbox in tx, the transaction of the change
// that causes it, due at once.
func (s *Store) enqueue(ctx context.Context, tx *sql.Tx, mail ...cadre.Mail) error {
	now := s.Now().UnixMicro()
	for _, m := range mail {
		if m.To == "" {
			continue // nobody to write to: the page that made the change shows the link
		}
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO outbox (kind, to_addr, subject, body, link, created_at, next_at) VALUES (?, ?, ?, ?, ?, ?, ?)`),
			m.Kind, m.To, m.Subject, m.Body, m.Link, now, now); err != nil {
			return fmt.Errorf("queue mail to %s: %w", m.To, err)
		}
	}
	return nil
}

// Outbox lists the messages of the outbox, newest first: those not yet
// sent when waiting, else up to limit of all.
func (s *Store) Outbox(ctx context.Context, waiting bool, limit int) ([]cadre.Mail, error) {
	query := `SELECT ` + mailColumns + ` FROM outbox ORDER BY id DESC LIMIT ?`
	if waiting {
		query = `SELECT ` + mailColumns + ` FROM outbox WHERE sent_at = 0 ORDER BY id DESC LIMIT ?`
	}
	var out []cadre.Mail
	err := eachRow(ctx, s.read, s.q(query), []any{limit}, func(rows *sql.Rows) error {
		var m cadre.Mail
		err := scanMail(rows, &m)
		out = append(out, m)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list outbox: %w", err)
	}
	return out, nil
}

// DueMail returns up to limit messages due at now, oldest first.
func (s *Store) DueMail(ctx context.Context, now time.Time, limit int) ([]cadre.Mail, error) {
	var out []cadre.Mail
	err := eachRow(ctx, s.read, s.q(`SELECT `+mailColumns+` FROM outbox WHERE sent_at = 0 AND next_at <= ? AND attempts < ? ORDER BY next_at, id LIMIT ?`),
		[]any{now.UnixMicro(), cadre.MaxAttempts, limit}, func(rows *sql.Rows) error {
			var m cadre.Mail
			err := scanMail(rows, &m)
			out = append(out, m)
			return err
		})
	if err != nil {
		return nil, fmt.Errorf("read due mail: %w", err)
	}
	return out, nil
}

// ClaimMail takes message m, as DueMail returned it, for one attempt: it
// counts the attempt and moves the message's next attempt to retry, so that
// no other instance sends it meanwhile. It reports false when another
// instance claimed it first.
func (s *Store) ClaimMail(ctx context.Context, m *cadre.Mail, retry time.Time) (bool, error) {
	res, err := s.write.ExecContext(ctx, s.q(`UPDATE outbox SET attempts = attempts + 1, next_at = ? WHERE id = ? AND sent_at = 0 AND next_at = ? AND attempts = ?`),
		retry.UnixMicro(), m.ID, m.NextAt.UnixMicro(), m.Attempts)
	if err != nil {
		return false, fmt.Errorf("claim mail %d: %w", m.ID, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("claim mail %d: %w", m.ID, err)
	}
	return n == 1, nil
}

// RetryMail makes a message that failed for good due again at now, with
// its attempts counted afresh.
func (s *Store) RetryMail(ctx context.Context, id int64) error {
	res, err := s.write.ExecContext(ctx, s.q(`UPDATE outbox SET attempts = 0, next_at = ? WHERE id = ? AND sent_at = 0`), s.Now().UnixMicro(), id)
	if err != nil {
		return fmt.Errorf("retry mail %d: %w", id, err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return cadre.Errorf(cadre.ENOTFOUND, "no message %d waiting in the outbox", id)
	}
	return nil
}

// MailSent records that message id was delivered at.
func (s *Store) MailSent(ctx context.Context, id int64, at time.Time) error {
	if _, err := s.write.ExecContext(ctx, s.q(`UPDATE outbox SET sent_at = ?, error = '' WHERE id = ?`), at.UnixMicro(), id); err != nil {
		return fmt.Errorf("mark mail %d sent: %w", id, err)
	}
	return nil
}

// MailFailed records why the last attempt at message id failed; the retry
// its claim set stands unless the failure is final, which ends the
// attempts.
func (s *Store) MailFailed(ctx context.Context, id int64, reason string, final bool) error {
	query := `UPDATE outbox SET error = ? WHERE id = ?`
	if final {
		query = fmt.Sprintf(`UPDATE outbox SET error = ?, attempts = %d WHERE id = ?`, cadre.MaxAttempts)
	}
	if _, err := s.write.ExecContext(ctx, s.q(query), reason, id); err != nil {
		return fmt.Errorf("mark mail %d failed: %w", id, err)
	}
	return nil
}
