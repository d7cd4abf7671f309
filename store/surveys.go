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
	"github.com/cadrehq/cadre/survey"
)

const surveyColumns = `id, quarter, opened_at, closes_at, anonymous, actor`

func scanSurvey(row interface{ Scan(...any) error }, s *survey.Survey) error {
	var q string
	var opened, closes int64
	if err := row.Scan(&s.ID, &q, &opened, &closes, &s.Anonymous, &s.Actor); err != nil {
		return err
	}
	var err error
	if s.Quarter, err = program.ParseQuarter(q); err != nil {
		return fmt.Errorf("survey %d: %w", s.ID, err)
	}
	s.OpenedAt, s.ClosesAt = time.UnixMicro(opened).UTC(), time.UnixMicro(closes).UTC()
	return nil
}

// OpenSurvey opens the survey of sv.Quarter for the members invited, each
// with a personal link, audited; mail, when not nil, writes each invitee's
// message, queued in the same transaction. One survey a quarter.
func (s *Store) OpenSurvey(ctx context.Context, sv *survey.Survey, invited []int64,
	mail func(m *cadre.Member, sv *survey.Survey, secret string) []cadre.Mail) ([]survey.Link, error) {
	var links []survey.Link
	err := s.withTx(ctx, func(tx *sql.Tx) error {
		links = links[:0]
		var n int
		if err := tx.QueryRowContext(ctx, s.q(`SELECT count(*) FROM surveys WHERE quarter = ?`), sv.Quarter.String()).Scan(&n); err != nil {
			return fmt.Errorf("open survey: %w", err)
		}
		if n > 0 {
			return cadre.Errorf(cadre.ECONFLICT, "the survey of %s is open already", sv.Quarter)
		}
		if err := tx.QueryRowContext(ctx, s.q(`INSERT INTO surveys (quarter, opened_at, closes_at, anonymous, actor) VALUES (?, ?, ?, ?, ?) RETURNING id`),
			sv.Quarter.String(), sv.OpenedAt.UnixMicro(), sv.ClosesAt.UnixMicro(), sv.Anonymous, sv.Actor).Scan(&sv.ID); err != nil {
			return fmt.Errorf("open survey: %w", err)
		}
		for _, id := range invited {
			secret, hash, err := account.NewLinkSecret()
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO survey_invitees (survey_id, member_id, hash) VALUES (?, ?, ?)`), sv.ID, id, hash); err != nil {
				return fmt.Errorf("invite member %d to the survey: %w", id, err)
			}
			links = append(links, survey.Link{MemberID: id, Secret: secret})
			if mail != nil {
				m, err := s.memberInTx(ctx, tx, id)
				if err != nil {
					return err
				}
				if err := s.enqueue(ctx, tx, mail(m, sv, secret)...); err != nil {
					return err
				}
			}
		}
		return s.appendAudit(ctx, tx, cadre.AuditEntry{Actor: sv.Actor, Action: "survey.open", Target: "survey:" + sv.Quarter.String(),
			Detail: fmt.Sprintf("%d ambassadors invited, open until %s", len(invited), sv.ClosesAt.Format(time.DateOnly))})
	})
	if err != nil {
		return nil, err
	}
	return links, nil
}

// Survey returns the survey of quarter q.
func (s *Store) Survey(ctx context.Context, q program.Quarter) (*survey.Survey, error) {
	var sv survey.Survey
	err := scanSurvey(s.read.QueryRowContext(ctx, s.q(`SELECT `+surveyColumns+` FROM surveys WHERE quarter = ?`), q.String()), &sv)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, cadre.Errorf(cadre.ENOTFOUND, "no survey of %s", q)
	}
	if err != nil {
		return nil, fmt.Errorf("get survey: %w", err)
	}
	return &sv, nil
}

// Surveys lists every survey, the latest quarter first.
func (s *Store) Surveys(ctx context.Context) ([]survey.Survey, error) {
	var out []survey.Survey
	err := eachRow(ctx, s.read, s.q(`SELECT `+surveyColumns+` FROM surveys ORDER BY quarter DESC`), nil, func(rows *sql.Rows) error {
		var sv survey.Survey
		err := scanSurvey(rows, &sv)
		out = append(out, sv)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list surveys: %w", err)
	}
	return out, nil
}

// SurveyInvitees lists the members invited to survey id, and whether each
// answered.
func (s *Store) SurveyInvitees(ctx context.Context, id int64) (map[int64]bool, error) {
	out := map[int64]bool{}
	err := eachRow(ctx, s.read, s.q(`SELECT i.member_id, a.member_id IS NOT NULL FROM survey_invitees i
		LEFT JOIN survey_answers a ON a.survey_id = i.survey_id AND a.member_id = i.member_id WHERE i.survey_id = ?`), []any{id}, func(rows *sql.Rows) error {
		var m int64
		var answered bool
		err := rows.Scan(&m, &answered)
		out[m] = answered
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list survey %d's invitees: %w", id, err)
	}
	return out, nil
}

// SurveyAnswers lists the answers to survey id.
func (s *Store) SurveyAnswers(ctx context.Context, id int64) ([]survey.Answer, error) {
	var out []survey.Answer
	err := eachRow(ctx, s.read, s.q(`SELECT survey_id, member_id, score, comment, at FROM survey_answers WHERE survey_id = ? ORDER BY at`), []any{id}, func(rows *sql.Rows) error {
		var a survey.Answer
		var at int64
		err := rows.Scan(&a.SurveyID, &a.MemberID, &a.Score, &a.Comment, &at)
		a.At = time.UnixMicro(at).UTC()
		out = append(out, a)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list survey %d's answers: %w", id, err)
	}
	return out, nil
}

// MemberSurvey returns the latest survey open at now to which member is
// invited, with their answer so far (nil before they answer).
func (s *Store) MemberSurvey(ctx context.Context, member int64, now time.Time) (*survey.Survey, *survey.Answer, error) {
	var sv survey.Survey
	err := scanSurvey(s.read.QueryRowContext(ctx, s.q(`SELECT `+surveyColumns+` FROM surveys
		WHERE closes_at > ? AND id IN (SELECT survey_id FROM survey_invitees WHERE member_id = ?) ORDER BY quarter DESC LIMIT 1`), now.UnixMicro(), member), &sv)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, cadre.Errorf(cadre.ENOTFOUND, "no survey open for member %d", member)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("get member's survey: %w", err)
	}
	var a survey.Answer
	var at int64
	err = s.read.QueryRowContext(ctx, s.q(`SELECT score, comment, at FROM survey_answers WHERE survey_id = ? AND member_id = ?`), sv.ID, member).Scan(&a.Score, &a.Comment, &at)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return &sv, nil, nil
	case err != nil:
		return nil, nil, fmt.Errorf("get answer: %w", err)
	}
	a.SurveyID, a.MemberID, a.At = sv.ID, member, time.UnixMicro(at).UTC()
	return &sv, &a, nil
}

// SurveyBySecret returns the survey of a personal link, whose member it
// is, and their answer so far (nil before they answer).
func (s *Store) SurveyBySecret(ctx context.Context, secret string) (*survey.Survey, int64, *survey.Answer, error) {
	var sv survey.Survey
	var member int64
	err := s.read.QueryRowContext(ctx, s.q(`SELECT i.member_id FROM survey_invitees i WHERE i.hash = ?`), account.HashSecret(secret)).Scan(&member)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, 0, nil, cadre.Errorf(cadre.ENOTFOUND, "no such survey: the link may be mistyped")
	}
	if err != nil {
		return nil, 0, nil, fmt.Errorf("get survey: %w", err)
	}
	if err := scanSurvey(s.read.QueryRowContext(ctx, s.q(`SELECT `+surveyColumns+` FROM surveys WHERE id = (SELECT survey_id FROM survey_invitees WHERE hash = ?)`),
		account.HashSecret(secret)), &sv); err != nil {
		return nil, 0, nil, fmt.Errorf("get survey: %w", err)
	}
	var a survey.Answer
	var at int64
	err = s.read.QueryRowContext(ctx, s.q(`SELECT score, comment, at FROM survey_answers WHERE survey_id = ? AND member_id = ?`), sv.ID, member).Scan(&a.Score, &a.Comment, &at)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return &sv, member, nil, nil
	case err != nil:
		return nil, 0, nil, fmt.Errorf("get answer: %w", err)
	}
	a.SurveyID, a.MemberID, a.At = sv.ID, member, time.UnixMicro(at).UTC()
	return &sv, member, &a, nil
}

// AnswerSurvey records, or changes, the answer of a personal link's
// member while the survey is open.
func (s *Store) AnswerSurvey(ctx context.Context, secret string, score int, comment string) (*survey.Survey, error) {
	return s.answerSurvey(ctx, score, comment, `SELECT survey_id, member_id FROM survey_invitees WHERE hash = ?`, account.HashSecret(secret))
}

// AnswerSurveyAs records, or changes, member's answer to survey id, as the
// portal takes it from a signed-in ambassador.
func (s *Store) AnswerSurveyAs(ctx context.Context, id, member int64, score int, comment string) (*survey.Survey, error) {
	return s.answerSurvey(ctx, score, comment, `SELECT survey_id, member_id FROM survey_invitees WHERE survey_id = ? AND member_id = ?`, id, member)
}

// answerSurvey stores an answer of the invitee the query finds.
func (s *Store) answerSurvey(ctx context.Context, score int, comment, invitee string, args ...any) (*survey.Survey, error) {
	if err := survey.CheckAnswer(score, comment); err != nil {
		return nil, err
	}
	var sv *survey.Survey
	err := s.withTx(ctx, func(tx *sql.Tx) error {
		var member, id int64
		err := tx.QueryRowContext(ctx, s.q(invitee), args...).Scan(&id, &member)
		if errors.Is(err, sql.ErrNoRows) {
			return cadre.Errorf(cadre.ENOTFOUND, "no such survey for you: the link may be mistyped")
		}
		if err != nil {
			return fmt.Errorf("answer survey: %w", err)
		}
		sv = new(survey.Survey)
		if err := scanSurvey(tx.QueryRowContext(ctx, s.q(`SELECT `+surveyColumns+` FROM surveys WHERE id = ?`), id), sv); err != nil {
			return fmt.Errorf("answer survey: %w", err)
		}
		now := s.Now()
		if !sv.OpenAt(now) {
			return cadre.Errorf(cadre.ECONFLICT, "the survey of %s closed on %s", sv.Quarter, sv.ClosesAt.Format(time.DateOnly))
		}
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO survey_answers (survey_id, member_id, score, comment, at) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (survey_id, member_id) DO UPDATE SET score = excluded.score, comment = excluded.comment, at = excluded.at`),
			id, member, score, comment, now.UnixMicro()); err != nil {
			return fmt.Errorf("answer survey: %w", err)
		}
		return nil
	})
	return sv, err
}

// RemindSurvey queues mail to each invitee of survey id who has not
// answered, through remind, which writes the message and gets a fresh
// personal link (the first one's secret is not kept); it returns how many
// were reminded.
func (s *Store) RemindSurvey(ctx context.Context, id int64, actor string,
	remind func(m *cadre.Member, sv *survey.Survey, secret string) []cadre.Mail) (int, error) {
	n := 0
	err := s.withTx(ctx, func(tx *sql.Tx) error {
		n = 0
		var sv survey.Survey
		if err := scanSurvey(tx.QueryRowContext(ctx, s.q(`SELECT `+surveyColumns+` FROM surveys WHERE id = ?`), id), &sv); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return cadre.Errorf(cadre.ENOTFOUND, "no survey %d", id)
			}
			return fmt.Errorf("remind: %w", err)
		}
		now := s.Now()
		if !sv.OpenAt(now) {
			return cadre.Errorf(cadre.ECONFLICT, "the survey of %s is closed", sv.Quarter)
		}
		var members []int64
		err := eachRow(ctx, tx, s.q(`SELECT i.member_id FROM survey_invitees i WHERE i.survey_id = ?
			AND NOT EXISTS (SELECT 1 FROM survey_answers a WHERE a.survey_id = i.survey_id AND a.member_id = i.member_id) ORDER BY i.member_id`),
			[]any{id}, func(rows *sql.Rows) error {
				var m int64
				err := rows.Scan(&m)
				members = append(members, m)
				return err
			})
		if err != nil {
			return fmt.Errorf("remind: %w", err)
		}
		for _, m := range members {
			secret, hash, err := account.NewLinkSecret()
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, s.q(`UPDATE survey_invitees SET hash = ?, reminded_at = ? WHERE survey_id = ? AND member_id = ?`),
				hash, now.UnixMicro(), id, m); err != nil {
				return fmt.Errorf("remind: %w", err)
			}
			member, err := s.memberInTx(ctx, tx, m)
			if err != nil {
				return err
			}
			if err := s.enqueue(ctx, tx, remind(member, &sv, secret)...); err != nil {
				return err
			}
			n++
		}
		return s.appendAudit(ctx, tx, cadre.AuditEntry{Actor: actor, Action: "survey.remind", Target: "survey:" + sv.Quarter.String(),
			Detail: fmt.Sprintf("%d ambassadors reminded", n)})
	})
	return n, err
}

// TellClosedSurveys writes survey.closed for each survey closed by now
// and not yet told, once, and returns how many.
func (s *Store) TellClosedSurveys(ctx context.Context, now time.Time) (int, error) {
	n := 0
	err := s.withTx(ctx, func(tx *sql.Tx) error {
		n = 0
		var svs []survey.Survey
		err := eachRow(ctx, tx, s.q(`SELECT `+surveyColumns+` FROM surveys WHERE closes_at <= ? AND NOT closed_told ORDER BY id`), []any{now.UnixMicro()}, func(rows *sql.Rows) error {
			var sv survey.Survey
			err := scanSurvey(rows, &sv)
			svs = append(svs, sv)
			return err
		})
		if err != nil {
			return fmt.Errorf("closed surveys: %w", err)
		}
		for _, sv := range svs {
			var invited int
			if err := tx.QueryRowContext(ctx, s.q(`SELECT count(*) FROM survey_invitees WHERE survey_id = ?`), sv.ID).Scan(&invited); err != nil {
				return fmt.Errorf("closed surveys: %w", err)
			}
			var answers []survey.Answer
			err := eachRow(ctx, tx, s.q(`SELECT score FROM survey_answers WHERE survey_id = ?`), []any{sv.ID}, func(rows *sql.Rows) error {
				var a survey.Answer
				err := rows.Scan(&a.Score)
				answers = append(answers, a)
				return err
			})
			if err != nil {
				return fmt.Errorf("closed surveys: %w", err)
			}
			r := survey.Measure(invited, answers)
			if err := s.notify(ctx, tx, notify.Closed(sv.Quarter.String(), invited, r.Responses, r.Score, sv.ClosesAt)); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, s.q(`UPDATE surveys SET closed_told = ? WHERE id = ?`), true, sv.ID); err != nil {
				return fmt.Errorf("closed surveys: %w", err)
			}
			n++
		}
		return nil
	})
	return n, err
}
