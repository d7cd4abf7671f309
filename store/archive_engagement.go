package store

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"time"

	"github.com/cadrehq/cadre/archive"
)

// The engagement of a program in an archive: surveys, rewards, feedback
// sessions and outgoing webhooks, read and stored with their IDs. Times
// are Unix microseconds in the database, 0 for none.

func fromMicros(us int64) time.Time {
	if us == 0 {
		return time.Time{}
	}
	return time.UnixMicro(us).UTC()
}

// exportEngagement reads the engagement tables into p.
func (s *Store) exportEngagement(ctx context.Context, tx *sql.Tx, p *archive.Program) error {
	for _, read := range []func(context.Context, *sql.Tx, *archive.Program) error{
		s.exportSurveys, s.exportRewards, s.exportSessions, s.exportWebhooks,
	} {
		if err := read(ctx, tx, p); err != nil {
			return err
		}
	}
	return nil
}

func (s *Store) exportSurveys(ctx context.Context, tx *sql.Tx, p *archive.Program) error {
	at := map[int64]int{}
	err := eachRow(ctx, tx, `SELECT id, quarter, opened_at, closes_at, anonymous, closed_told, actor FROM surveys ORDER BY id`, nil, func(rows *sql.Rows) error {
		var sv archive.Survey
		var opened, closes int64
		if err := rows.Scan(&sv.ID, &sv.Quarter, &opened, &closes, &sv.Anonymous, &sv.ClosedTold, &sv.Actor); err != nil {
			return err
		}
		sv.OpenedAt, sv.ClosesAt = fromMicros(opened), fromMicros(closes)
		at[sv.ID] = len(p.Surveys)
		p.Surveys = append(p.Surveys, sv)
		return nil
	})
	if err != nil {
		return fmt.Errorf("read surveys: %w", err)
	}
	err = eachRow(ctx, tx, `SELECT survey_id, member_id, hash, reminded_at FROM survey_invitees ORDER BY survey_id, member_id`, nil, func(rows *sql.Rows) error {
		var id, reminded int64
		var inv archive.SurveyInvitee
		if err := rows.Scan(&id, &inv.Member, &inv.Hash, &reminded); err != nil {
			return err
		}
		inv.RemindedAt = fromMicros(reminded)
		sv := &p.Surveys[at[id]]
		sv.Invitees = append(sv.Invitees, inv)
		return nil
	})
	if err != nil {
		return fmt.Errorf("read survey invitees: %w", err)
	}
	err = eachRow(ctx, tx, `SELECT survey_id, member_id, score, comment, at FROM survey_answers ORDER BY survey_id, member_id`, nil, func(rows *sql.Rows) error {
		var id, when int64
		var ans archive.SurveyAnswer
		if err := rows.Scan(&id, &ans.Member, &ans.Score, &ans.Comment, &when); err != nil {
			return err
		}
		ans.At = fromMicros(when)
		sv := &p.Surveys[at[id]]
		sv.Answers = append(sv.Answers, ans)
		return nil
	})
	if err != nil {
		return fmt.Errorf("read survey answers: %w", err)
	}
	return nil
}

func (s *Store) exportRewards(ctx context.Context, tx *sql.Tx, p *archive.Program) error {
	err := eachRow(ctx, tx, `SELECT id, name, weight FROM pain_points ORDER BY id`, nil, func(rows *sql.Rows) error {
		var pp archive.PainPoint
		if err := rows.Scan(&pp.ID, &pp.Name, &pp.Weight); err != nil {
			return err
		}
		p.PainPoints = append(p.PainPoints, pp)
		return nil
	})
	if err != nil {
		return fmt.Errorf("read pain points: %w", err)
	}
	at := map[int64]int{}
	err = eachRow(ctx, tx, `SELECT id, name, kind, cost, stock, status, min_score, max_rank, regions, updated_at FROM rewards ORDER BY id`, nil, func(rows *sql.Rows) error {
		var rw archive.Reward
		var stock sql.NullInt64
		var updated int64
		if err := rows.Scan(&rw.ID, &rw.Name, &rw.Kind, &rw.Cost, &stock, &rw.Status, &rw.MinScore, &rw.MaxRank, &rw.Regions, &updated); err != nil {
			return err
		}
		if stock.Valid {
			n := int(stock.Int64)
			rw.Stock = &n
		}
		rw.UpdatedAt = fromMicros(updated)
		at[rw.ID] = len(p.Rewards)
		p.Rewards = append(p.Rewards, rw)
		return nil
	})
	if err != nil {
		return fmt.Errorf("read rewards: %w", err)
	}
	err = eachRow(ctx, tx, `SELECT reward_id, pain_point_id, score FROM reward_scores ORDER BY reward_id, pain_point_id`, nil, func(rows *sql.Rows) error {
		var id int64
		var sc archive.RewardScore
		if err := rows.Scan(&id, &sc.PainPoint, &sc.Score); err != nil {
			return err
		}
		rw := &p.Rewards[at[id]]
		rw.Scores = append(rw.Scores, sc)
		return nil
	})
	if err != nil {
		return fmt.Errorf("read reward scores: %w", err)
	}
	err = eachRow(ctx, tx, `SELECT id, reward_id, member_id, quarter, cost, state, granted_at, updated_at, note, actor FROM reward_grants ORDER BY id`, nil, func(rows *sql.Rows) error {
		var g archive.RewardGrant
		var granted, updated int64
		if err := rows.Scan(&g.ID, &g.Reward, &g.Member, &g.Quarter, &g.Cost, &g.State, &granted, &updated, &g.Note, &g.Actor); err != nil {
			return err
		}
		g.GrantedAt, g.UpdatedAt = fromMicros(granted), fromMicros(updated)
		p.Grants = append(p.Grants, g)
		return nil
	})
	if err != nil {
		return fmt.Errorf("read reward grants: %w", err)
	}
	err = eachRow(ctx, tx, `SELECT quarter, amount, updated_at, actor FROM reward_budgets ORDER BY quarter`, nil, func(rows *sql.Rows) error {
		var b archive.RewardBudget
		var updated int64
		if err := rows.Scan(&b.Quarter, &b.Amount, &updated, &b.Actor); err != nil {
			return err
		}
		b.UpdatedAt = fromMicros(updated)
		p.Budgets = append(p.Budgets, b)
		return nil
	})
	if err != nil {
		return fmt.Errorf("read reward budgets: %w", err)
	}
	return nil
}

func (s *Store) exportSessions(ctx context.Context, tx *sql.Tx, p *archive.Program) error {
	at := map[int64]int{}
	err := eachRow(ctx, tx, `SELECT id, title, at, created_at, actor FROM feedback_sessions ORDER BY id`, nil, func(rows *sql.Rows) error {
		var fs archive.Session
		var when, created int64
		if err := rows.Scan(&fs.ID, &fs.Title, &when, &created, &fs.Actor); err != nil {
			return err
		}
		fs.At, fs.CreatedAt = fromMicros(when), fromMicros(created)
		at[fs.ID] = len(p.Sessions)
		p.Sessions = append(p.Sessions, fs)
		return nil
	})
	if err != nil {
		return fmt.Errorf("read feedback sessions: %w", err)
	}
	err = eachRow(ctx, tx, `SELECT session_id, member_id FROM feedback_ambassadors ORDER BY session_id, member_id`, nil, func(rows *sql.Rows) error {
		var id, member int64
		if err := rows.Scan(&id, &member); err != nil {
			return err
		}
		fs := &p.Sessions[at[id]]
		fs.Ambassadors = append(fs.Ambassadors, strconv.FormatInt(member, 10))
		return nil
	})
	if err != nil {
		return fmt.Errorf("read feedback ambassadors: %w", err)
	}
	err = eachRow(ctx, tx, `SELECT session_id, name FROM feedback_executives ORDER BY session_id, name`, nil, func(rows *sql.Rows) error {
		var id int64
		var name string
		if err := rows.Scan(&id, &name); err != nil {
			return err
		}
		fs := &p.Sessions[at[id]]
		fs.Executives = append(fs.Executives, name)
		return nil
	})
	if err != nil {
		return fmt.Errorf("read feedback executives: %w", err)
	}
	// Items and commitments are found by their IDs, as positions in their
	// session.
	type pos struct{ session, i int }
	items, commitments := map[int64]pos{}, map[int64]pos{}
	err = eachRow(ctx, tx, `SELECT id, session_id, kind, title, body, author_id, created_at FROM feedback_items ORDER BY id`, nil, func(rows *sql.Rows) error {
		var it archive.FeedbackItem
		var id, created int64
		if err := rows.Scan(&it.ID, &id, &it.Kind, &it.Title, &it.Body, &it.Author, &created); err != nil {
			return err
		}
		it.CreatedAt = fromMicros(created)
		fs := &p.Sessions[at[id]]
		items[it.ID] = pos{at[id], len(fs.Items)}
		fs.Items = append(fs.Items, it)
		return nil
	})
	if err != nil {
		return fmt.Errorf("read feedback items: %w", err)
	}
	err = eachRow(ctx, tx, `SELECT item_id, member_id, at FROM feedback_votes ORDER BY item_id, member_id`, nil, func(rows *sql.Rows) error {
		var id, when int64
		var v archive.FeedbackVote
		if err := rows.Scan(&id, &v.Member, &when); err != nil {
			return err
		}
		v.At = fromMicros(when)
		ip := items[id]
		it := &p.Sessions[ip.session].Items[ip.i]
		it.Votes = append(it.Votes, v)
		return nil
	})
	if err != nil {
		return fmt.Errorf("read feedback votes: %w", err)
	}
	err = eachRow(ctx, tx, `SELECT id, session_id, item_id, title, owner, due_at, status, done_at, created_at, actor, reminded_at FROM commitments ORDER BY id`, nil, func(rows *sql.Rows) error {
		var c archive.Commitment
		var id, due, done, created, reminded int64
		if err := rows.Scan(&c.ID, &id, &c.Item, &c.Title, &c.Owner, &due, &c.Status, &done, &created, &c.Actor, &reminded); err != nil {
			return err
		}
		c.DueAt, c.DoneAt, c.CreatedAt, c.RemindedAt = fromMicros(due), fromMicros(done), fromMicros(created), fromMicros(reminded)
		fs := &p.Sessions[at[id]]
		commitments[c.ID] = pos{at[id], len(fs.Commitments)}
		fs.Commitments = append(fs.Commitments, c)
		return nil
	})
	if err != nil {
		return fmt.Errorf("read commitments: %w", err)
	}
	err = eachRow(ctx, tx, `SELECT id, commitment_id, at, author, status, text FROM commitment_notes ORDER BY id`, nil, func(rows *sql.Rows) error {
		var n archive.CommitmentNote
		var id, when int64
		if err := rows.Scan(&n.ID, &id, &when, &n.Author, &n.Status, &n.Text); err != nil {
			return err
		}
		n.At = fromMicros(when)
		cp := commitments[id]
		c := &p.Sessions[cp.session].Commitments[cp.i]
		c.Notes = append(c.Notes, n)
		return nil
	})
	if err != nil {
		return fmt.Errorf("read commitment notes: %w", err)
	}
	return nil
}

func (s *Store) exportWebhooks(ctx context.Context, tx *sql.Tx, p *archive.Program) error {
	err := eachRow(ctx, tx, `SELECT id, url, kind, secret, events, created_at, actor FROM outgoing_webhooks ORDER BY id`, nil, func(rows *sql.Rows) error {
		var w archive.Webhook
		var created int64
		if err := rows.Scan(&w.ID, &w.URL, &w.Kind, &w.Secret, &w.Events, &created, &w.Actor); err != nil {
			return err
		}
		w.CreatedAt = fromMicros(created)
		p.Webhooks = append(p.Webhooks, w)
		return nil
	})
	if err != nil {
		return fmt.Errorf("read webhooks: %w", err)
	}
	return nil
}

// importEngagement stores the engagement of p, with its IDs.
func (s *Store) importEngagement(ctx context.Context, tx *sql.Tx, p *archive.Program) error {
	var surveys, invitees, answers []any
	for _, sv := range p.Surveys {
		surveys = append(surveys, sv.ID, sv.Quarter, endMicros(sv.OpenedAt), endMicros(sv.ClosesAt), sv.Anonymous, sv.ClosedTold, sv.Actor)
		for _, inv := range sv.Invitees {
			invitees = append(invitees, sv.ID, inv.Member, inv.Hash, endMicros(inv.RemindedAt))
		}
		for _, ans := range sv.Answers {
			answers = append(answers, sv.ID, ans.Member, ans.Score, ans.Comment, endMicros(ans.At))
		}
	}
	var pains, rewards, scores, grants, budgets []any
	for _, pp := range p.PainPoints {
		pains = append(pains, pp.ID, pp.Name, pp.Weight)
	}
	for _, rw := range p.Rewards {
		var stock any
		if rw.Stock != nil {
			stock = *rw.Stock
		}
		rewards = append(rewards, rw.ID, rw.Name, rw.Kind, rw.Cost, stock, rw.Status, rw.MinScore, rw.MaxRank, rw.Regions, endMicros(rw.UpdatedAt))
		for _, sc := range rw.Scores {
			scores = append(scores, rw.ID, sc.PainPoint, sc.Score)
		}
	}
	for _, g := range p.Grants {
		grants = append(grants, g.ID, g.Reward, g.Member, g.Quarter, g.Cost, g.State, endMicros(g.GrantedAt), endMicros(g.UpdatedAt), g.Note, g.Actor)
	}
	for _, b := range p.Budgets {
		budgets = append(budgets, b.Quarter, b.Amount, endMicros(b.UpdatedAt), b.Actor)
	}
	var sessions, ambassadors, executives, items, votes, commitments, notes []any
	for _, fs := range p.Sessions {
		sessions = append(sessions, fs.ID, fs.Title, endMicros(fs.At), endMicros(fs.CreatedAt), fs.Actor)
		for _, m := range fs.Ambassadors {
			id, err := strconv.ParseInt(m, 10, 64)
			if err != nil {
				return fmt.Errorf("session %d: ambassador %q: %w", fs.ID, m, err)
			}
			ambassadors = append(ambassadors, fs.ID, id)
		}
		for _, e := range fs.Executives {
			executives = append(executives, fs.ID, e)
		}
		for _, it := range fs.Items {
			items = append(items, it.ID, fs.ID, it.Kind, it.Title, it.Body, it.Author, endMicros(it.CreatedAt))
			for _, v := range it.Votes {
				votes = append(votes, it.ID, v.Member, endMicros(v.At))
			}
		}
		for _, c := range fs.Commitments {
			commitments = append(commitments, c.ID, fs.ID, c.Item, c.Title, c.Owner, endMicros(c.DueAt), c.Status, endMicros(c.DoneAt), endMicros(c.CreatedAt), c.Actor, endMicros(c.RemindedAt))
			for _, n := range c.Notes {
				notes = append(notes, n.ID, c.ID, endMicros(n.At), n.Author, n.Status, n.Text)
			}
		}
	}
	var webhooks []any
	for _, w := range p.Webhooks {
		webhooks = append(webhooks, w.ID, w.URL, w.Kind, w.Secret, w.Events, endMicros(w.CreatedAt), w.Actor)
	}
	for _, t := range []struct {
		what, insert string
		ncols        int
		args         []any
	}{
		{"surveys", `INSERT INTO surveys (id, quarter, opened_at, closes_at, anonymous, closed_told, actor) VALUES `, 7, surveys},
		{"survey invitees", `INSERT INTO survey_invitees (survey_id, member_id, hash, reminded_at) VALUES `, 4, invitees},
		{"survey answers", `INSERT INTO survey_answers (survey_id, member_id, score, comment, at) VALUES `, 5, answers},
		{"pain points", `INSERT INTO pain_points (id, name, weight) VALUES `, 3, pains},
		{"rewards", `INSERT INTO rewards (id, name, kind, cost, stock, status, min_score, max_rank, regions, updated_at) VALUES `, 10, rewards},
		{"reward scores", `INSERT INTO reward_scores (reward_id, pain_point_id, score) VALUES `, 3, scores},
		{"reward grants", `INSERT INTO reward_grants (id, reward_id, member_id, quarter, cost, state, granted_at, updated_at, note, actor) VALUES `, 10, grants},
		{"reward budgets", `INSERT INTO reward_budgets (quarter, amount, updated_at, actor) VALUES `, 4, budgets},
		{"feedback sessions", `INSERT INTO feedback_sessions (id, title, at, created_at, actor) VALUES `, 5, sessions},
		{"feedback ambassadors", `INSERT INTO feedback_ambassadors (session_id, member_id) VALUES `, 2, ambassadors},
		{"feedback executives", `INSERT INTO feedback_executives (session_id, name) VALUES `, 2, executives},
		{"feedback items", `INSERT INTO feedback_items (id, session_id, kind, title, body, author_id, created_at) VALUES `, 7, items},
		{"feedback votes", `INSERT INTO feedback_votes (item_id, member_id, at) VALUES `, 3, votes},
		{"commitments", `INSERT INTO commitments (id, session_id, item_id, title, owner, due_at, status, done_at, created_at, actor, reminded_at) VALUES `, 11, commitments},
		{"commitment notes", `INSERT INTO commitment_notes (id, commitment_id, at, author, status, text) VALUES `, 6, notes},
		{"webhooks", `INSERT INTO outgoing_webhooks (id, url, kind, secret, events, created_at, actor) VALUES `, 7, webhooks},
	} {
		if err := s.insertValues(ctx, tx, t.insert, t.ncols, t.args, ""); err != nil {
			return fmt.Errorf("%s: %w", t.what, err)
		}
	}
	return nil
}
