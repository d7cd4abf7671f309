package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/cadrehq/cadre"
	"github.com/cadrehq/cadre/account"
)

const userColumns = `id, email, role, member_id, password_hash, created_at`

func scanUser(row interface{ Scan(...any) error }, u *account.User) error {
	var role string
	var created int64
	if err := row.Scan(&u.ID, &u.Email, &role, &u.MemberID, &u.PasswordHash, &created); err != nil {
		return err
	}
	u.Role, u.CreatedAt = account.Role(role), fromUnix(created)
	return nil
}

// CreateUser stores a new account, audited. An account with the same email
// is a conflict; an ambassador's account must name a member in force.
func (s *Store) CreateUser(ctx context.Context, u *account.User, actor string) error {
	if err := u.Validate(); err != nil {
		return err
	}
	if u.CreatedAt.IsZero() {
		u.CreatedAt = s.Now()
	}
	return s.withTx(ctx, func(tx *sql.Tx) error {
		if u.MemberID != 0 {
			var merged int64
			err := tx.QueryRowContext(ctx, s.q(`SELECT merged_into FROM members WHERE id = ?`), u.MemberID).Scan(&merged)
			switch {
			case errors.Is(err, sql.ErrNoRows):
				return cadre.Errorf(cadre.ENOTFOUND, "member %d not found", u.MemberID)
			case err != nil:
				return fmt.Errorf("create user: %w", err)
			case merged != 0:
				return cadre.Errorf(cadre.EINVALID, "member %d was merged into member %d", u.MemberID, merged)
			}
		}
		var exists int
		if err := tx.QueryRowContext(ctx, s.q(`SELECT count(*) FROM users WHERE email = ?`), u.Email).Scan(&exists); err != nil {
			return fmt.Errorf("create user: %w", err)
		}
		if exists > 0 {
			return cadre.Errorf(cadre.ECONFLICT, "an account for %s exists already", u.Email)
		}
		err := tx.QueryRowContext(ctx, s.q(`INSERT INTO users (email, role, member_id, password_hash, created_at) VALUES (?, ?, ?, ?, ?) RETURNING id`),
			u.Email, string(u.Role), u.MemberID, u.PasswordHash, u.CreatedAt.Unix()).Scan(&u.ID)
		if err != nil {
			return fmt.Errorf("create user: %w", err)
		}
		return s.appendAudit(ctx, tx, cadre.AuditEntry{Actor: actor, Action: "user.add", Target: fmt.Sprintf("user:%d", u.ID),
			Detail: fmt.Sprintf("%s as %s", u.Email, u.Role)})
	})
}

// Users lists the accounts by email.
func (s *Store) Users(ctx context.Context) ([]account.User, error) {
	var out []account.User
	err := eachRow(ctx, s.read, `SELECT `+userColumns+` FROM users ORDER BY email`, nil, func(rows *sql.Rows) error {
		var u account.User
		err := scanUser(rows, &u)
		out = append(out, u)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	return out, nil
}

// User returns the account with the given ID.
func (s *Store) User(ctx context.Context, id int64) (*account.User, error) {
	return s.userWhere(ctx, `id = ?`, id)
}

// UserByMember returns the account of a member (an ambassador's).
func (s *Store) UserByMember(ctx context.Context, memberID int64) (*account.User, error) {
	return s.userWhere(ctx, `member_id = ? AND member_id <> 0`, memberID)
}

// UserByEmail returns the account of an email address.
func (s *Store) UserByEmail(ctx context.Context, email string) (*account.User, error) {
	return s.userWhere(ctx, `email = lower(?)`, email)
}

func (s *Store) userWhere(ctx context.Context, where string, arg any) (*account.User, error) {
	var u account.User
	err := scanUser(s.read.QueryRowContext(ctx, s.q(`SELECT `+userColumns+` FROM users WHERE `+where), arg), &u)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, cadre.Errorf(cadre.ENOTFOUND, "no account %v", arg)
	}
	if err != nil {
		return nil, fmt.Errorf("get user: %w", err)
	}
	return &u, nil
}

// SetPassword replaces an account's password hash and ends its sessions,
// audited.
func (s *Store) SetPassword(ctx context.Context, email, hash, actor string) error {
	return s.withTx(ctx, func(tx *sql.Tx) error {
		id, err := s.userID(ctx, tx, email)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.q(`UPDATE users SET password_hash = ? WHERE id = ?`), hash, id); err != nil {
			return fmt.Errorf("set password: %w", err)
		}
		if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM sessions WHERE user_id = ?`), id); err != nil {
			return fmt.Errorf("set password: %w", err)
		}
		return s.appendAudit(ctx, tx, cadre.AuditEntry{Actor: actor, Action: "user.passwd", Target: fmt.Sprintf("user:%d", id), Detail: email})
	})
}

// DeleteUser removes an account with its sessions and tokens, audited.
func (s *Store) DeleteUser(ctx context.Context, email, actor string) error {
	return s.withTx(ctx, func(tx *sql.Tx) error {
		id, err := s.userID(ctx, tx, email)
		if err != nil {
			return err
		}
		for _, q := range []string{`DELETE FROM sessions WHERE user_id = ?`, `DELETE FROM api_tokens WHERE user_id = ?`, `DELETE FROM users WHERE id = ?`} {
			if _, err := tx.ExecContext(ctx, s.q(q), id); err != nil {
				return fmt.Errorf("remove user: %w", err)
			}
		}
		return s.appendAudit(ctx, tx, cadre.AuditEntry{Actor: actor, Action: "user.remove", Target: fmt.Sprintf("user:%d", id), Detail: email})
	})
}

func (s *Store) userID(ctx context.Context, tx *sql.Tx, email string) (int64, error) {
	var id int64
	err := tx.QueryRowContext(ctx, s.q(`SELECT id FROM users WHERE email = lower(?)`), email).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, cadre.Errorf(cadre.ENOTFOUND, "no account for %s", email)
	}
	if err != nil {
		return 0, fmt.Errorf("find user: %w", err)
	}
	return id, nil
}

// SaveSession stores a new session.
func (s *Store) SaveSession(ctx context.Context, ss *account.Session) error {
	_, err := s.write.ExecContext(ctx, s.q(`INSERT INTO sessions (hash, user_id, created_at, last_seen) VALUES (?, ?, ?, ?)`),
		ss.Hash, ss.UserID, ss.Created.Unix(), ss.LastSeen.Unix())
	if err != nil {
		return fmt.Errorf("save session: %w", err)
	}
	return nil
}

// Session returns the session of a secret's hash.
func (s *Store) Session(ctx context.Context, hash string) (*account.Session, error) {
	var ss account.Session
	var created, seen int64
	err := s.read.QueryRowContext(ctx, s.q(`SELECT hash, user_id, created_at, last_seen FROM sessions WHERE hash = ?`), hash).
		Scan(&ss.Hash, &ss.UserID, &created, &seen)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, cadre.Errorf(cadre.EUNAUTHORIZED, "no such session")
	}
	if err != nil {
		return nil, fmt.Errorf("get session: %w", err)
	}
	ss.Created, ss.LastSeen = fromUnix(created), fromUnix(seen)
	return &ss, nil
}

// TouchSession records that a session was used at t.
func (s *Store) TouchSession(ctx context.Context, hash string, t time.Time) error {
	if _, err := s.write.ExecContext(ctx, s.q(`UPDATE sessions SET last_seen = ? WHERE hash = ?`), t.Unix(), hash); err != nil {
		return fmt.Errorf("touch session: %w", err)
	}
	return nil
}

// DeleteSession ends a session.
func (s *Store) DeleteSession(ctx context.Context, hash string) error {
	if _, err := s.write.ExecContext(ctx, s.q(`DELETE FROM sessions WHERE hash = ?`), hash); err != nil {
		return fmt.Errorf("end session: %w", err)
	}
	return nil
}

const tokenColumns = `id, name, user_id, scope, hash, created_at, expires_at, last_used` //nolint:gosec // column names, no credential

func scanToken(row interface{ Scan(...any) error }, t *account.Token) error {
	var scope string
	var created, expires, used int64
	if err := row.Scan(&t.ID, &t.Name, &t.UserID, &scope, &t.Hash, &created, &expires, &used); err != nil {
		return err
	}
	t.Scope, t.CreatedAt = account.Scope(scope), fromUnix(created)
	if expires != 0 {
		t.ExpiresAt = fromUnix(expires)
	}
	if used != 0 {
		t.LastUsed = fromUnix(used)
	}
	return nil
}

// CreateToken stores a new API token, audited.
func (s *Store) CreateToken(ctx context.Context, t *account.Token, actor string) error {
	var expires int64
	if !t.ExpiresAt.IsZero() {
		expires = t.ExpiresAt.Unix()
	}
	return s.withTx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, s.q(`INSERT INTO api_tokens (name, user_id, scope, hash, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id`),
			t.Name, t.UserID, string(t.Scope), t.Hash, t.CreatedAt.Unix(), expires).Scan(&t.ID)
		if err != nil {
			return fmt.Errorf("create token: %w", err)
		}
		return s.appendAudit(ctx, tx, cadre.AuditEntry{Actor: actor, Action: "token.create", Target: fmt.Sprintf("token:%d", t.ID),
			Detail: fmt.Sprintf("%q, %s, for user %d", t.Name, t.Scope, t.UserID)})
	})
}

// Tokens lists the API tokens in force (not revoked), of one user when
// userID is not 0.
func (s *Store) Tokens(ctx context.Context, userID int64) ([]account.Token, error) {
	query, args := `SELECT `+tokenColumns+` FROM api_tokens WHERE revoked_at = 0 ORDER BY id`, []any(nil)
	if userID != 0 {
		query, args = `SELECT `+tokenColumns+` FROM api_tokens WHERE revoked_at = 0 AND user_id = ? ORDER BY id`, []any{userID}
	}
	var out []account.Token
	err := eachRow(ctx, s.read, s.q(query), args, func(rows *sql.Rows) error {
		var t account.Token
		err := scanToken(rows, &t)
		out = append(out, t)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list tokens: %w", err)
	}
	return out, nil
}

// TokenByHash returns the token in force of a secret's hash and records its
// use at t.
func (s *Store) TokenByHash(ctx context.Context, hash string, t time.Time) (*account.Token, error) {
	var tok account.Token
	err := scanToken(s.read.QueryRowContext(ctx, s.q(`SELECT `+tokenColumns+` FROM api_tokens WHERE hash = ? AND revoked_at = 0`), hash), &tok)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, cadre.Errorf(cadre.EUNAUTHORIZED, "unknown or revoked token")
	}
	if err != nil {
		return nil, fmt.Errorf("get token: %w", err)
	}
	// Last use to the minute: a busy client does not write on every call.
	if t.Sub(tok.LastUsed) >= time.Minute {
		if _, err := s.write.ExecContext(ctx, s.q(`UPDATE api_tokens SET last_used = ? WHERE id = ?`), t.Unix(), tok.ID); err != nil {
			return nil, fmt.Errorf("record token use: %w", err)
		}
		tok.LastUsed = t
	}
	return &tok, nil
}

// RevokeToken ends an API token, audited; of one user when userID is not 0.
func (s *Store) RevokeToken(ctx context.Context, id, userID int64, actor string) error {
	return s.withTx(ctx, func(tx *sql.Tx) error {
		query, args := `UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at = 0`, []any{s.Now().Unix(), id}
		if userID != 0 {
			query += ` AND user_id = ?`
			args = append(args, userID)
		}
		res, err := tx.ExecContext(ctx, s.q(query), args...)
		if err != nil {
			return fmt.Errorf("revoke token: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return cadre.Errorf(cadre.ENOTFOUND, "no token %d in force", id)
		}
		return s.appendAudit(ctx, tx, cadre.AuditEntry{Actor: actor, Action: "token.revoke", Target: fmt.Sprintf("token:%d", id)})
	})
}
