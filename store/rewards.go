package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/cadrehq/cadre"
	"github.com/cadrehq/cadre/program"
	"github.com/cadrehq/cadre/reward"
)

const rewardColumns = `id, name, kind, cost, stock, status, min_score, max_rank, regions`

func scanReward(row interface{ Scan(...any) error }, r *reward.Reward) error {
	var kind, status, regions string
	var stock sql.NullInt64
	if err := row.Scan(&r.ID, &r.Name, &kind, &r.Cost, &stock, &status, &r.MinScore, &r.MaxRank, &regions); err != nil {
		return err
	}
	r.Kind, r.Status, r.Regions, r.Stock = reward.Kind(kind), cadre.MemberStatus(status), reward.ParseRegions(regions), nil
	if stock.Valid {
		n := int(stock.Int64)
		r.Stock = &n
	}
	return nil
}

// Rewards lists the catalog by name.
func (s *Store) Rewards(ctx context.Context) ([]reward.Reward, error) {
	var out []reward.Reward
	err := eachRow(ctx, s.read, s.q(`SELECT `+rewardColumns+` FROM rewards ORDER BY name`), nil, func(rows *sql.Rows) error {
		var r reward.Reward
		err := scanReward(rows, &r)
		out = append(out, r)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list rewards: %w", err)
	}
	return out, nil
}

// RewardByName returns the reward of the catalog named name, ignoring case.
func (s *Store) RewardByName(ctx context.Context, name string) (*reward.Reward, error) {
	var r reward.Reward
	err := scanReward(s.read.QueryRowContext(ctx, s.q(`SELECT `+rewardColumns+` FROM rewards WHERE lower(name) = lower(?)`), name), &r)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, cadre.Errorf(cadre.ENOTFOUND, "no reward %q in the catalog", name)
	}
	if err != nil {
		return nil, fmt.Errorf("get reward: %w", err)
	}
	return &r, nil
}

// SaveReward adds r to the catalog when its ID is 0, else changes the
// entry of its ID; audited. Names are unique, ignoring case.
func (s *Store) SaveReward(ctx context.Context, r *reward.Reward, actor string) error {
	if err := r.Check(); err != nil {
		return err
	}
	return s.withTx(ctx, func(tx *sql.Tx) error {
		if err := s.uniqueName(ctx, tx, "rewards", "reward", r.Name, r.ID); err != nil {
			return err
		}
		var stock any
		if r.Stock != nil {
			stock = *r.Stock
		}
		args := []any{r.Name, string(r.Kind), r.Cost, stock, string(r.Status), r.MinScore, r.MaxRank, strings.Join(r.Regions, ","), s.Now().UnixMicro()}
		action := "reward.add"
		if r.ID == 0 {
			if err := tx.QueryRowContext(ctx, s.q(`INSERT INTO rewards (name, kind, cost, stock, status, min_score, max_rank, regions, updated_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`), args...).Scan(&r.ID); err != nil {
				return fmt.Errorf("add reward: %w", err)
			}
		} else {
			action = "reward.edit"
			res, err := tx.ExecContext(ctx, s.q(`UPDATE rewards SET name = ?, kind = ?, cost = ?, stock = ?, status = ?, min_score = ?, max_rank = ?, regions = ?, updated_at = ?
				WHERE id = ?`), append(args, r.ID)...)
			if err != nil {
				return fmt.Errorf("edit reward: %w", err)
			}
			if n, _ := res.RowsAffected(); n == 0 {
				return cadre.Errorf(cadre.ENOTFOUND, "no reward %d", r.ID)
			}
		}
		stockText := "unlimited"
		if r.Stock != nil {
			stockText = fmt.Sprint(*r.Stock)
		}
		return s.appendAudit(ctx, tx, cadre.AuditEntry{Actor: actor, Action: action, Target: fmt.Sprintf("reward:%d", r.ID),
			Detail: fmt.Sprintf("%s (%s), cost %g, stock %s, status %q, min score %g, max rank %d, regions %q",
				r.Name, r.Kind, r.Cost, stockText, r.Status, r.MinScore, r.MaxRank, strings.Join(r.Regions, ","))})
	})
}

// uniqueName refuses a name that another row of table holds, ignoring case.
func (s *Store) uniqueName(ctx context.Context, tx *sql.Tx, table, what, name string, id int64) error {
	var n int
	if err := tx.QueryRowContext(ctx, s.q(`SELECT count(*) FROM `+table+` WHERE lower(name) = lower(?) AND id <> ?`), name, id).Scan(&n); err != nil {
		return fmt.Errorf("check the %s's name: %w", what, err)
	}
	if n > 0 {
		return cadre.Errorf(cadre.ECONFLICT, "there is a %s named %q already", what, name)
	}
	return nil
}

// PainPoints lists the pain points in the order they were added.
func (s *Store) PainPoints(ctx context.Context) ([]reward.PainPoint, error) {
	return s.painPoints(ctx, s.read)
}

func (s *Store) painPoints(ctx context.Context, db dbtx) ([]reward.PainPoint, error) {
	var out []reward.PainPoint
	err := eachRow(ctx, db, s.q(`SELECT id, name, weight FROM pain_points ORDER BY id`), nil, func(rows *sql.Rows) error {
		var p reward.PainPoint
		err := rows.Scan(&p.ID, &p.Name, &p.Weight)
		out = append(out, p)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list pain points: %w", err)
	}
	return out, nil
}

// SavePainPoint adds p when its ID is 0, else renames or reweighs the pain
// point of its ID; audited.
func (s *Store) SavePainPoint(ctx context.Context, p *reward.PainPoint, actor string) error {
	if err := reward.CheckName("a pain point", p.Name); err != nil {
		return err
	}
	if err := reward.CheckWeight(p.Weight); err != nil {
		return err
	}
	return s.withTx(ctx, func(tx *sql.Tx) error {
		if err := s.uniqueName(ctx, tx, "pain_points", "pain point", p.Name, p.ID); err != nil {
			return err
		}
		action := "painpoint.add"
		if p.ID == 0 {
			if err := tx.QueryRowContext(ctx, s.q(`INSERT INTO pain_points (name, weight) VALUES (?, ?) RETURNING id`), p.Name, p.Weight).Scan(&p.ID); err != nil {
				return fmt.Errorf("add pain point: %w", err)
			}
		} else {
			action = "painpoint.edit"
			res, err := tx.ExecContext(ctx, s.q(`UPDATE pain_points SET name = ?, weight = ? WHERE id = ?`), p.Name, p.Weight, p.ID)
			if err != nil {
				return fmt.Errorf("edit pain point: %w", err)
			}
			if n, _ := res.RowsAffected(); n == 0 {
				return cadre.Errorf(cadre.ENOTFOUND, "no pain point %d", p.ID)
			}
		}
		return s.appendAudit(ctx, tx, cadre.AuditEntry{Actor: actor, Action: action, Target: fmt.Sprintf("painpoint:%d", p.ID),
			Detail: fmt.Sprintf("%s, weight %g", p.Name, p.Weight)})
	})
}

// RewardMatrix returns the matrix of every reward of the catalog, by name,
// against every pain point, in the order they were added.
func (s *Store) RewardMatrix(ctx context.Context) (*reward.Matrix, error) {
	tx, err := s.snapshot(ctx)
	if err != nil {
		return nil, fmt.Errorf("read the reward matrix: %w", err)
	}
	defer tx.Rollback()
	m := &reward.Matrix{}
	if m.PainPoints, err = s.painPoints(ctx, tx); err != nil {
		return nil, err
	}
	col := map[int64]int{}
	for j, p := range m.PainPoints {
		col[p.ID] = j
	}
	row := map[int64]int{}
	err = eachRow(ctx, tx, s.q(`SELECT id, name, kind FROM rewards ORDER BY name`), nil, func(rows *sql.Rows) error {
		r := reward.Row{Scores: make([]int, len(m.PainPoints))}
		var kind string
		err := rows.Scan(&r.RewardID, &r.Reward, &kind)
		r.Kind = reward.Kind(kind)
		row[r.RewardID] = len(m.Rows)
		m.Rows = append(m.Rows, r)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("read the reward matrix: %w", err)
	}
	err = eachRow(ctx, tx, s.q(`SELECT reward_id, pain_point_id, score FROM reward_scores`), nil, func(rows *sql.Rows) error {
		var r, p int64
		var v int
		if err := rows.Scan(&r, &p, &v); err != nil {
			return err
		}
		m.Rows[row[r]].Scores[col[p]] = v
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read the reward matrix: %w", err)
	}
	return m, nil
}

// SetRewardMatrix saves the matrix as edited on its grid: the weights of
// its pain points and every cell of its rows, by ID; cells of rewards and
// pain points it does not name are kept. Audited.
func (s *Store) SetRewardMatrix(ctx context.Context, m *reward.Matrix, actor string) error {
	if err := checkMatrix(m); err != nil {
		return err
	}
	return s.withTx(ctx, func(tx *sql.Tx) error {
		for _, p := range m.PainPoints {
			res, err := tx.ExecContext(ctx, s.q(`UPDATE pain_points SET weight = ? WHERE id = ?`), p.Weight, p.ID)
			if err != nil {
				return fmt.Errorf("save the matrix: %w", err)
			}
			if n, _ := res.RowsAffected(); n == 0 {
				return cadre.Errorf(cadre.ENOTFOUND, "no pain point %d", p.ID)
			}
		}
		if err := s.writeScores(ctx, tx, m); err != nil {
			return err
		}
		return s.appendAudit(ctx, tx, cadre.AuditEntry{Actor: actor, Action: "reward.matrix", Target: "reward-matrix",
			Detail: fmt.Sprintf("%d rewards × %d pain points scored", len(m.Rows), len(m.PainPoints))})
	})
}

func checkMatrix(m *reward.Matrix) error {
	for _, p := range m.PainPoints {
		if err := reward.CheckWeight(p.Weight); err != nil {
			return cadre.Errorf(cadre.EINVALID, "%s: %s", p.Name, cadre.ErrorMessage(err))
		}
	}
	for i, r := range m.Rows {
		for j := range m.PainPoints {
			if err := reward.CheckScore(m.Score(i, j)); err != nil {
				return cadre.Errorf(cadre.EINVALID, "%s, %s: %s", r.Reward, m.PainPoints[j].Name, cadre.ErrorMessage(err))
			}
		}
	}
	return nil
}

// writeScores replaces the cells of m's rows and pain points, by ID.
func (s *Store) writeScores(ctx context.Context, tx *sql.Tx, m *reward.Matrix) error {
	for i, r := range m.Rows {
		for j, p := range m.PainPoints {
			if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM reward_scores WHERE reward_id = ? AND pain_point_id = ?`), r.RewardID, p.ID); err != nil {
				return fmt.Errorf("save the matrix: %w", err)
			}
			if v := m.Score(i, j); v != 0 {
				if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO reward_scores (reward_id, pain_point_id, score) VALUES (?, ?, ?)`), r.RewardID, p.ID, v); err != nil {
					if s.missingRow(ctx, r.RewardID, p.ID) {
						return cadre.Errorf(cadre.ENOTFOUND, "no reward %d or pain point %d", r.RewardID, p.ID)
					}
					return fmt.Errorf("save the matrix: %w", err)
				}
			}
		}
	}
	return nil
}

// missingRow says whether a foreign key of a cell names nothing, after its
// insert failed (a failed statement aborts a PostgreSQL transaction, so
// this only chooses the error).
func (s *Store) missingRow(ctx context.Context, rewardID, painPointID int64) bool {
	var n int
	err := s.read.QueryRowContext(ctx, s.q(`SELECT (SELECT count(*) FROM rewards WHERE id = ?) + (SELECT count(*) FROM pain_points WHERE id = ?)`), rewardID, painPointID).Scan(&n)
	return err == nil && n < 2
}

// ImportRewardMatrix stores a matrix read from a file, by name: rewards
// and pain points it names that are not known are added (rewards with
// their kind, no cost and nobody excluded), known rewards take its kind,
// its pain points its weights, and its cells replace those of the whole
// matrix. One transaction, audited.
func (s *Store) ImportRewardMatrix(ctx context.Context, m *reward.Matrix, actor string) (reward.MatrixImport, error) {
	var res reward.MatrixImport
	if err := checkMatrix(m); err != nil {
		return res, err
	}
	err := s.withTx(ctx, func(tx *sql.Tx) error {
		res = reward.MatrixImport{Rewards: len(m.Rows)}
		now := s.Now().UnixMicro()
		for j := range m.PainPoints {
			p := &m.PainPoints[j]
			err := tx.QueryRowContext(ctx, s.q(`SELECT id FROM pain_points WHERE lower(name) = lower(?)`), p.Name).Scan(&p.ID)
			switch {
			case errors.Is(err, sql.ErrNoRows):
				if err := tx.QueryRowContext(ctx, s.q(`INSERT INTO pain_points (name, weight) VALUES (?, ?) RETURNING id`), p.Name, p.Weight).Scan(&p.ID); err != nil {
					return fmt.Errorf("import the matrix: %w", err)
				}
				res.PainPointsAdded++
			case err != nil:
				return fmt.Errorf("import the matrix: %w", err)
			default:
				if _, err := tx.ExecContext(ctx, s.q(`UPDATE pain_points SET weight = ? WHERE id = ?`), p.Weight, p.ID); err != nil {
					return fmt.Errorf("import the matrix: %w", err)
				}
			}
		}
		for i := range m.Rows {
			r := &m.Rows[i]
			err := tx.QueryRowContext(ctx, s.q(`SELECT id FROM rewards WHERE lower(name) = lower(?)`), r.Reward).Scan(&r.RewardID)
			switch {
			case errors.Is(err, sql.ErrNoRows):
				if err := tx.QueryRowContext(ctx, s.q(`INSERT INTO rewards (name, kind, updated_at) VALUES (?, ?, ?) RETURNING id`), r.Reward, string(r.Kind), now).Scan(&r.RewardID); err != nil {
					return fmt.Errorf("import the matrix: %w", err)
				}
				res.RewardsAdded++
			case err != nil:
				return fmt.Errorf("import the matrix: %w", err)
			default:
				if _, err := tx.ExecContext(ctx, s.q(`UPDATE rewards SET kind = ?, updated_at = ? WHERE id = ? AND kind <> ?`), string(r.Kind), now, r.RewardID, string(r.Kind)); err != nil {
					return fmt.Errorf("import the matrix: %w", err)
				}
			}
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM reward_scores`); err != nil {
			return fmt.Errorf("import the matrix: %w", err)
		}
		if err := s.writeScores(ctx, tx, m); err != nil {
			return err
		}
		return s.appendAudit(ctx, tx, cadre.AuditEntry{Actor: actor, Action: "reward.matrix.import", Target: "reward-matrix",
			Detail: fmt.Sprintf("%d rewards (%d new) × %d pain points (%d new)", len(m.Rows), res.RewardsAdded, len(m.PainPoints), res.PainPointsAdded)})
	})
	return res, err
}

const grantColumns = `g.id, g.reward_id, r.name, g.member_id, g.quarter, g.cost, g.state, g.granted_at, g.updated_at, g.note, g.actor`

func scanGrant(row interface{ Scan(...any) error }, g *reward.Grant) error {
	var state string
	var at, updated int64
	if err := row.Scan(&g.ID, &g.RewardID, &g.Reward, &g.MemberID, &g.Quarter, &g.Cost, &state, &at, &updated, &g.Note, &g.Actor); err != nil {
		return err
	}
	g.State, g.At, g.Updated = reward.State(state), time.UnixMicro(at).UTC(), time.UnixMicro(updated).UTC()
	return nil
}

// GrantReward promises reward g.RewardID to member g.MemberID at g.At,
// spending its cost from the budget of g.Quarter, in one transaction with
// its audit: eligible, when not nil, says whether the member may receive
// the reward; one out of stock, or over a budget that is set, is refused.
func (s *Store) GrantReward(ctx context.Context, g *reward.Grant, eligible func(r *reward.Reward, m *cadre.Member) error) error {
	if err := reward.CheckNote(g.Note); err != nil {
		return err
	}
	return s.withTx(ctx, func(tx *sql.Tx) error {
		var r reward.Reward
		err := scanReward(tx.QueryRowContext(ctx, s.q(`SELECT `+rewardColumns+` FROM rewards WHERE id = ?`), g.RewardID), &r)
		if errors.Is(err, sql.ErrNoRows) {
			return cadre.Errorf(cadre.ENOTFOUND, "no reward %d", g.RewardID)
		}
		if err != nil {
			return fmt.Errorf("grant: %w", err)
		}
		m, err := s.memberInTx(ctx, tx, g.MemberID)
		if err != nil {
			return err
		}
		if m.MergedInto != 0 {
			return cadre.Errorf(cadre.EINVALID, "member %d was merged into member %d", m.ID, m.MergedInto)
		}
		if eligible != nil {
			if err := eligible(&r, m); err != nil {
				return err
			}
		}
		if r.Stock != nil && *r.Stock == 0 {
			return cadre.Errorf(cadre.ECONFLICT, "%s is out of stock", r.Name)
		}
		b, err := s.rewardBudget(ctx, tx, g.Quarter)
		if err != nil {
			return err
		}
		if err := b.CheckSpend(r.Cost); err != nil {
			return err
		}
		g.Reward, g.Cost, g.State, g.Updated = r.Name, r.Cost, reward.Promised, g.At
		if err := tx.QueryRowContext(ctx, s.q(`INSERT INTO reward_grants (reward_id, member_id, quarter, cost, state, granted_at, updated_at, note, actor)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`), g.RewardID, g.MemberID, g.Quarter, g.Cost, string(g.State), g.At.UnixMicro(), g.At.UnixMicro(), g.Note, g.Actor).Scan(&g.ID); err != nil {
			return fmt.Errorf("grant: %w", err)
		}
		if r.Stock != nil {
			if _, err := tx.ExecContext(ctx, s.q(`UPDATE rewards SET stock = stock - 1 WHERE id = ?`), r.ID); err != nil {
				return fmt.Errorf("grant: %w", err)
			}
		}
		return s.appendAudit(ctx, tx, cadre.AuditEntry{Actor: g.Actor, Action: "reward.grant", Target: fmt.Sprintf("grant:%d", g.ID),
			Detail: fmt.Sprintf("%s to member %d, cost %g from the %s budget", r.Name, g.MemberID, g.Cost, g.Quarter)})
	})
}

// MoveGrant moves grant id to state to (reward.CheckMove says which moves
// are allowed); a cancelled grant returns its reward to stock and its cost
// to the budget. Audited.
func (s *Store) MoveGrant(ctx context.Context, id int64, to reward.State, actor string) error {
	return s.withTx(ctx, func(tx *sql.Tx) error {
		var g reward.Grant
		err := scanGrant(tx.QueryRowContext(ctx, s.q(`SELECT `+grantColumns+` FROM reward_grants g JOIN rewards r ON r.id = g.reward_id WHERE g.id = ?`), id), &g)
		if errors.Is(err, sql.ErrNoRows) {
			return cadre.Errorf(cadre.ENOTFOUND, "no grant %d", id)
		}
		if err != nil {
			return fmt.Errorf("move grant: %w", err)
		}
		if err := reward.CheckMove(g.State, to); err != nil {
			return err
		}
		// The state read is the one changed: of two moves at once, one wins.
		res, err := tx.ExecContext(ctx, s.q(`UPDATE reward_grants SET state = ?, updated_at = ? WHERE id = ? AND state = ?`), string(to), s.Now().UnixMicro(), id, string(g.State))
		if err != nil {
			return fmt.Errorf("move grant: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return cadre.Errorf(cadre.ECONFLICT, "grant %d changed meanwhile", id)
		}
		if to == reward.Cancelled {
			if _, err := tx.ExecContext(ctx, s.q(`UPDATE rewards SET stock = stock + 1 WHERE id = ? AND stock IS NOT NULL`), g.RewardID); err != nil {
				return fmt.Errorf("move grant: %w", err)
			}
		}
		return s.appendAudit(ctx, tx, cadre.AuditEntry{Actor: actor, Action: "reward.grant." + string(to), Target: fmt.Sprintf("grant:%d", id),
			Detail: fmt.Sprintf("%s to member %d: %s → %s", g.Reward, g.MemberID, g.State, to)})
	})
}

// Grants lists the grants of a quarter, or every grant when quarter is "",
// the latest first.
func (s *Store) Grants(ctx context.Context, quarter string) ([]reward.Grant, error) {
	if quarter == "" {
		return s.grants(ctx, "")
	}
	return s.grants(ctx, ` WHERE g.quarter = ?`, quarter)
}

// MemberGrants lists the grants to a member, the latest first.
func (s *Store) MemberGrants(ctx context.Context, memberID int64) ([]reward.Grant, error) {
	return s.grants(ctx, ` WHERE g.member_id = ?`, memberID)
}

func (s *Store) grants(ctx context.Context, where string, args ...any) ([]reward.Grant, error) {
	query := `SELECT ` + grantColumns + ` FROM reward_grants g JOIN rewards r ON r.id = g.reward_id` + where
	var out []reward.Grant
	err := eachRow(ctx, s.read, s.q(query+` ORDER BY g.granted_at DESC, g.id DESC`), args, func(rows *sql.Rows) error {
		var g reward.Grant
		err := scanGrant(rows, &g)
		out = append(out, g)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list grants: %w", err)
	}
	return out, nil
}

// SetRewardBudget sets what quarter may spend on rewards; audited. A
// budget below what is spent already is allowed: it refuses further grants.
func (s *Store) SetRewardBudget(ctx context.Context, quarter program.Quarter, amount float64, actor string) error {
	if err := reward.CheckBudget(amount); err != nil {
		return err
	}
	return s.withTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO reward_budgets (quarter, amount, updated_at, actor) VALUES (?, ?, ?, ?)
			ON CONFLICT (quarter) DO UPDATE SET amount = excluded.amount, updated_at = excluded.updated_at, actor = excluded.actor`),
			quarter.String(), amount, s.Now().UnixMicro(), actor); err != nil {
			return fmt.Errorf("set budget: %w", err)
		}
		return s.appendAudit(ctx, tx, cadre.AuditEntry{Actor: actor, Action: "reward.budget", Target: "budget:" + quarter.String(),
			Detail: fmt.Sprintf("%g", amount)})
	})
}

// RewardBudget returns the budget of quarter and what its grants that were
// not cancelled spend.
func (s *Store) RewardBudget(ctx context.Context, quarter program.Quarter) (reward.Budget, error) {
	return s.rewardBudget(ctx, s.read, quarter.String())
}

func (s *Store) rewardBudget(ctx context.Context, db dbtx, quarter string) (reward.Budget, error) {
	b := reward.Budget{Quarter: quarter}
	err := db.QueryRowContext(ctx, s.q(`SELECT amount FROM reward_budgets WHERE quarter = ?`), quarter).Scan(&b.Amount)
	switch {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return b, fmt.Errorf("get budget: %w", err)
	default:
		b.Set = true
	}
	if err := db.QueryRowContext(ctx, s.q(`SELECT coalesce(sum(cost), 0) FROM reward_grants WHERE quarter = ? AND state <> 'cancelled'`), quarter).Scan(&b.Spent); err != nil {
		return b, fmt.Errorf("get spend: %w", err)
	}
	return b, nil
}

// MemberActivities returns the approved activities of member id in
// [from, to), such as those around a grant.
func (s *Store) MemberActivities(ctx context.Context, id int64, from, to time.Time) ([]program.Activity, error) {
	var out []program.Activity
	err := eachRow(ctx, s.read, s.q(`SELECT member_id, type, occurred_at, effort_minutes FROM activities
		WHERE member_id = ? AND status = 'approved' AND occurred_at >= ? AND occurred_at < ? ORDER BY occurred_at`),
		[]any{id, from.UnixMicro(), to.UnixMicro()}, func(rows *sql.Rows) error {
			var a program.Activity
			var at int64
			var effort sql.NullFloat64
			if err := rows.Scan(&a.MemberID, &a.Type, &at, &effort); err != nil {
				return err
			}
			a.At, a.EffortMinutes, a.HasEffort = time.UnixMicro(at).UTC(), effort.Float64, effort.Valid
			out = append(out, a)
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("read member %d's activities: %w", id, err)
	}
	return out, nil
}
