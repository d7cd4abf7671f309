package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/cadrehq/cadre"
	"github.com/cadrehq/cadre/account"
	"github.com/cadrehq/cadre/notify"
	"github.com/cadrehq/cadre/program"
)

const invitationColumns = `id, member_id, hash, state, sent_at, expires_at, decided_at, actor`

func scanInvitation(row interface{ Scan(...any) error }, inv *program.Invitation) error {
	var state string
	var sent, expires, decided int64
	if err := row.Scan(&inv.ID, &inv.MemberID, &inv.Hash, &state, &sent, &expires, &decided, &inv.Actor); err != nil {
		return err
	}
	inv.State, inv.SentAt, inv.ExpiresAt = program.InvitationState(state), time.UnixMicro(sent).UTC(), time.UnixMicro(expires).UTC()
	inv.DecidedAt = time.Time{}
	if decided != 0 {
		inv.DecidedAt = time.UnixMicro(decided).UTC()
	}
	return nil
}

func (s *Store) invitations(ctx context.Context, db dbtx, memberID int64) ([]program.Invitation, error) {
	query, args := `SELECT `+invitationColumns+` FROM invitations ORDER BY id`, []any(nil)
	if memberID != 0 {
		query, args = `SELECT `+invitationColumns+` FROM invitations WHERE member_id = ? ORDER BY id`, []any{memberID}
	}
	var out []program.Invitation
	err := eachRow(ctx, db, s.q(query), args, func(rows *sql.Rows) error {
		var inv program.Invitation
		err := scanInvitation(rows, &inv)
		out = append(out, inv)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list invitations: %w", err)
	}
	return out, nil
}

// Invitations lists the invitations of a member, or everyone's for 0.
func (s *Store) Invitations(ctx context.Context, memberID int64) ([]program.Invitation, error) {
	return s.invitations(ctx, s.read, memberID)
}

// Invite sends a member an invitation, audited, and returns it with the
// secret of its personal link, which is not kept. mail, when not nil,
// writes the messages that tell the invitee, queued in the same
// transaction.
func (s *Store) Invite(ctx context.Context, memberID int64, actor string,
	mail func(m *cadre.Member, inv *program.Invitation, secret string) []cadre.Mail) (*program.Invitation, string, error) {
	secret, hash, err := account.NewLinkSecret()
	if err != nil {
		return nil, "", err
	}
	now := s.Now()
	inv := &program.Invitation{MemberID: memberID, Hash: hash, State: program.InvitationSent, SentAt: now, ExpiresAt: now.Add(program.InvitationTTL), Actor: actor}
	err = s.withTx(ctx, func(tx *sql.Tx) error {
		if _, err := s.bump(ctx, tx); err != nil { // inviters take turns: one open invitation each
			return err
		}
		m, err := s.memberInTx(ctx, tx, memberID)
		if err != nil {
			return err
		}
		terms, err := s.terms(ctx, tx, memberID)
		if err != nil {
			return err
		}
		open, err := s.invitations(ctx, tx, memberID)
		if err != nil {
			return err
		}
		if err := program.CheckInvite(m, terms, open, now); err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, s.q(`INSERT INTO invitations (member_id, hash, state, sent_at, expires_at, actor) VALUES (?, ?, ?, ?, ?, ?) RETURNING id`),
			memberID, hash, string(inv.State), now.UnixMicro(), inv.ExpiresAt.UnixMicro(), actor).Scan(&inv.ID); err != nil {
			return fmt.Errorf("invite: %w", err)
		}
		if mail != nil {
			if err := s.enqueue(ctx, tx, mail(m, inv, secret)...); err != nil {
				return err
			}
		}
		return s.appendAudit(ctx, tx, cadre.AuditEntry{Actor: actor, Action: "invitation.send", Target: fmt.Sprintf("member:%d", memberID),
			Detail: fmt.Sprintf("invitation %d, open until %s", inv.ID, inv.ExpiresAt.Format(time.DateOnly))})
	})
	if err != nil {
		return nil, "", err
	}
	return inv, secret, nil
}

// InvitationBySecret returns the invitation of a personal link.
func (s *Store) InvitationBySecret(ctx context.Context, secret string) (*program.Invitation, error) {
	var inv program.Invitation
	err := scanInvitation(s.read.QueryRowContext(ctx, s.q(`SELECT `+invitationColumns+` FROM invitations WHERE hash = ?`), account.HashSecret(secret)), &inv)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, cadre.Errorf(cadre.ENOTFOUND, "no such invitation: the link may be mistyped")
	}
	if err != nil {
		return nil, fmt.Errorf("get invitation: %w", err)
	}
	return &inv, nil
}

// AnswerInvitation accepts or declines the invitation of a personal link,
// once: accepting starts a term by invitation at that moment. Two answers
// at once leave one.
func (s *Store) AnswerInvitation(ctx context.Context, secret string, accept bool) (*program.Invitation, error) {
	var inv program.Invitation
	err := s.withTx(ctx, func(tx *sql.Tx) error {
		seq, err := s.bump(ctx, tx)
		if err != nil {
			return err
		}
		err = scanInvitation(tx.QueryRowContext(ctx, s.q(`SELECT `+invitationColumns+` FROM invitations WHERE hash = ?`), account.HashSecret(secret)), &inv)
		if errors.Is(err, sql.ErrNoRows) {
			return cadre.Errorf(cadre.ENOTFOUND, "no such invitation: the link may be mistyped")
		}
		if err != nil {
			return fmt.Errorf("answer invitation: %w", err)
		}
		now := s.Now()
		state, err := inv.Decide(accept, now)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.q(`UPDATE invitations SET state = ?, decided_at = ? WHERE id = ?`), string(state), now.UnixMicro(), inv.ID); err != nil {
			return fmt.Errorf("answer invitation: %w", err)
		}
		inv.State, inv.DecidedAt = state, now
		if accept {
			t := program.Term{MemberID: inv.MemberID, Start: now, Via: program.ViaInvitation, Reason: fmt.Sprintf("accepted invitation %d", inv.ID)}
			if err := s.addTerm(ctx, tx, &t); err != nil {
				return err
			}
			if err := s.syncStatus(ctx, tx, seq, []int64{inv.MemberID}); err != nil {
				return err
			}
			m, err := s.memberInTx(ctx, tx, inv.MemberID)
			if err != nil {
				return err
			}
			if err := s.notify(ctx, tx, notify.Accepted(inv.ID, inv.MemberID, m.Name, now)); err != nil {
				return err
			}
		}
		return s.appendAudit(ctx, tx, cadre.AuditEntry{Actor: fmt.Sprintf("member:%d", inv.MemberID), Action: "invitation." + string(state),
			Target: fmt.Sprintf("member:%d", inv.MemberID), Detail: fmt.Sprintf("invitation %d %s", inv.ID, state)})
	})
	if err != nil {
		return nil, err
	}
	return &inv, nil
}

// RevokeInvitation withdraws an invitation still open, audited.
func (s *Store) RevokeInvitation(ctx context.Context, id int64, actor string) error {
	return s.withTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q(`UPDATE invitations SET state = 'revoked', decided_at = ? WHERE id = ? AND state = 'sent' AND expires_at > ?`),
			s.Now().UnixMicro(), id, s.Now().UnixMicro())
		if err != nil {
			return fmt.Errorf("revoke invitation: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return cadre.Errorf(cadre.ECONFLICT, "invitation %d is not open: answered, expired, revoked or unknown", id)
		}
		return s.appendAudit(ctx, tx, cadre.AuditEntry{Actor: actor, Action: "invitation.revoke", Target: fmt.Sprintf("invitation:%d", id)})
	})
}
