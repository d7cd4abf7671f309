package server

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/cadrehq/cadre"
	"github.com/cadrehq/cadre/account"
	"github.com/cadrehq/cadre/criteria"
	"github.com/cadrehq/cadre/program"
	"github.com/cadrehq/cadre/reward"
	"github.com/cadrehq/cadre/standings"
)

// Rewards is what the rewards need of the store.
type Rewards interface {
	Rewards(ctx context.Context) ([]reward.Reward, error)
	RewardByName(ctx context.Context, name string) (*reward.Reward, error)
	SaveReward(ctx context.Context, r *reward.Reward, actor string) error
	PainPoints(ctx context.Context) ([]reward.PainPoint, error)
	SavePainPoint(ctx context.Context, p *reward.PainPoint, actor string) error
	RewardMatrix(ctx context.Context) (*reward.Matrix, error)
	SetRewardMatrix(ctx context.Context, m *reward.Matrix, actor string) error
	ImportRewardMatrix(ctx context.Context, m *reward.Matrix, actor string) (reward.MatrixImport, error)
	GrantReward(ctx context.Context, g *reward.Grant, eligible func(r *reward.Reward, m *cadre.Member) error) error
	MoveGrant(ctx context.Context, id int64, to reward.State, actor string) error
	Grants(ctx context.Context, quarter string) ([]reward.Grant, error)
	SetRewardBudget(ctx context.Context, q program.Quarter, amount float64, actor string) error
	RewardBudget(ctx context.Context, q program.Quarter) (reward.Budget, error)
	MemberActivities(ctx context.Context, id int64, from, to time.Time) ([]program.Activity, error)
}

// RewardValueJSON is a reward with its value (SPEC 6), as cadre rewards
// value --json prints the ranking.
type RewardValueJSON struct {
	Reward string  `json:"reward"`
	Value  float64 `json:"value"`
}

// RewardValues ranks the catalog by value, the most valuable first.
func RewardValues(ctx context.Context, st Rewards) ([]RewardValueJSON, error) {
	m, err := st.RewardMatrix(ctx)
	if err != nil {
		return nil, err
	}
	out := []RewardValueJSON{}
	for _, r := range reward.Value(m) {
		out = append(out, RewardValueJSON{Reward: r.Reward, Value: r.Value})
	}
	return out, nil
}

// GrantReward promises reward rewardID to member memberID at now, if they
// are eligible: their status and region as stored, their score and
// leaderboard rank at now from eng.
func GrantReward(ctx context.Context, st Rewards, eng *standings.Engine, rewardID, memberID int64, now time.Time, note, actor string) (*reward.Grant, error) {
	g := &reward.Grant{RewardID: rewardID, MemberID: memberID, At: now, Note: note, Actor: actor,
		Quarter: program.QuarterOf(now, eng.Criteria().Location()).String()}
	err := st.GrantReward(ctx, g, func(r *reward.Reward, m *cadre.Member) error {
		c := reward.Candidate{Status: m.Status, Staff: m.Staff || m.Bot, Score: eng.Score(m.ID, now), Region: m.Region}
		if r.MaxRank > 0 {
			for _, e := range eng.Leaderboard(now, standings.Options{Top: r.MaxRank}) {
				if e.MemberID == m.ID {
					c.Rank = e.Rank
				}
			}
		}
		return reward.CheckEligible(r, c)
	})
	if err != nil {
		return nil, err
	}
	return g, nil
}

// GrantJSON is a grant with its impact so far, as cadre rewards grants
// --json prints it.
type GrantJSON struct {
	ID       int64      `json:"id"`
	Reward   string     `json:"reward"`
	MemberID string     `json:"member_id"`
	Member   string     `json:"member"`
	Quarter  string     `json:"quarter"`
	Cost     float64    `json:"cost"`
	State    string     `json:"state"`
	At       time.Time  `json:"granted_at"`
	Note     string     `json:"note"`
	Impact   ImpactJSON `json:"impact"`
}

// ImpactJSON is a grant's impact (SPEC 6): counted activities and points
// before decay in the 60 days before the grant against the 60 days after;
// complete once those have passed.
type ImpactJSON struct {
	BeforeActivities int     `json:"before_activities"`
	AfterActivities  int     `json:"after_activities"`
	BeforePoints     float64 `json:"before_points"`
	AfterPoints      float64 `json:"after_points"`
	Complete         bool    `json:"complete"`
}

// RewardImpactJSON is the average impact of a reward's grants that were
// not cancelled and whose 60 days after have passed.
type RewardImpactJSON struct {
	Reward     string  `json:"reward"`
	Grants     int     `json:"grants"`
	Activities float64 `json:"activities"`
	Points     float64 `json:"points"`
}

// GrantImpacts lists the grants of quarter ("" for all) with their impact
// at now under c, and the average impact of each reward granted, by name.
func GrantImpacts(ctx context.Context, st Rewards, c *criteria.Criteria, now time.Time, quarter string, name func(int64) string) ([]GrantJSON, []RewardImpactJSON, error) {
	grants, err := st.Grants(ctx, quarter)
	if err != nil {
		return nil, nil, err
	}
	out := []GrantJSON{}
	byReward := map[string][]reward.Impact{}
	var order []string
	for _, g := range grants {
		acts, err := st.MemberActivities(ctx, g.MemberID, g.At.Add(-reward.ImpactWindow), g.At.Add(reward.ImpactWindow))
		if err != nil {
			return nil, nil, err
		}
		im := reward.Measure(c, g.At, now, acts)
		out = append(out, GrantJSON{ID: g.ID, Reward: g.Reward, MemberID: itoa(g.MemberID), Member: name(g.MemberID), Quarter: g.Quarter,
			Cost: g.Cost, State: string(g.State), At: g.At, Note: g.Note, Impact: ImpactJSON(im)})
		if g.State == reward.Cancelled {
			continue
		}
		if _, ok := byReward[g.Reward]; !ok {
			order = append(order, g.Reward)
		}
		byReward[g.Reward] = append(byReward[g.Reward], im)
	}
	avgs := []RewardImpactJSON{}
	for _, r := range order {
		a := reward.AverageOf(byReward[r])
		avgs = append(avgs, RewardImpactJSON{Reward: r, Grants: a.Grants, Activities: a.Activities, Points: a.Points})
	}
	return out, avgs, nil
}

// rewardsPage is the data of templates/rewards.html.
type rewardsPage struct {
	Catalog  []rewardEntry
	Matrix   *reward.Matrix
	Ranking  []RewardValueJSON
	Grants   []GrantJSON
	Averages []RewardImpactJSON
	Budget   reward.Budget
	Quarter  string
	CanEdit  bool
	Edit     reward.Reward // the catalog form: a new reward, or the one to change
	Message  string        // what went wrong
	Notice   string        // what was done
}

// rewardEntry is a catalog line as the page shows it.
type rewardEntry struct {
	reward.Reward
	StockText string
	Who       string // who is eligible, in words
}

func describeEligibility(e reward.Eligibility) string {
	var parts []string
	if e.Status != "" {
		parts = append(parts, string(e.Status)+"s")
	}
	if e.MinScore > 0 {
		parts = append(parts, "score ≥ "+ftoa(e.MinScore))
	}
	if e.MaxRank > 0 {
		parts = append(parts, "top "+strconv.Itoa(e.MaxRank))
	}
	if len(e.Regions) > 0 {
		parts = append(parts, "ships to "+strings.Join(e.Regions, ", "))
	}
	if len(parts) == 0 {
		return "anyone"
	}
	return strings.Join(parts, "; ")
}

func (s *Server) rewardsPage(w http.ResponseWriter, r *http.Request, status int, edit *reward.Reward, message, notice string) {
	ctx := r.Context()
	page := rewardsPage{CanEdit: who(r).can(account.Administer, true), Message: message, Notice: notice}
	var crit *criteria.Criteria
	err := s.readStandings(r, func(eng *standings.Engine) error {
		crit = eng.Criteria()
		return nil
	})
	if err != nil {
		s.failPage(w, r, err)
		return
	}
	q := program.QuarterOf(s.now(), crit.Location())
	if v := r.URL.Query().Get("quarter"); v != "" {
		if q, err = program.ParseQuarter(v); err != nil {
			s.failPage(w, r, err)
			return
		}
	}
	page.Quarter = q.String()
	catalog, err := s.store.Rewards(ctx)
	if err == nil {
		page.Matrix, err = s.store.RewardMatrix(ctx)
	}
	if err == nil {
		page.Budget, err = s.store.RewardBudget(ctx, q)
	}
	if err == nil {
		page.Grants, page.Averages, err = GrantImpacts(ctx, s.store, crit, s.now(), "", s.names(r))
	}
	if err != nil {
		s.failPage(w, r, err)
		return
	}
	for _, c := range catalog {
		e := rewardEntry{Reward: c, StockText: "unlimited", Who: describeEligibility(c.Eligibility)}
		if c.Stock != nil {
			e.StockText = strconv.Itoa(*c.Stock)
		}
		page.Catalog = append(page.Catalog, e)
		if id := r.URL.Query().Get("edit"); edit == nil && id == itoa(c.ID) {
			page.Edit = c
		}
	}
	if edit != nil {
		page.Edit = *edit
	}
	if page.Edit.Kind == "" {
		page.Edit.Kind = reward.Extrinsic
	}
	for _, v := range reward.Value(page.Matrix) {
		page.Ranking = append(page.Ranking, RewardValueJSON{Reward: v.Reward, Value: v.Value})
	}
	if wantsCSV(r) {
		var buf bytes.Buffer
		if err := reward.WriteMatrix(&buf, page.Matrix); err != nil {
			s.failPage(w, r, err)
			return
		}
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="reward-matrix.csv"`)
		_, _ = w.Write(buf.Bytes()) // a client gone away is nothing to tell anyone
		return
	}
	s.renderStatus(w, r, status, "rewards.html", page)
}

func (s *Server) handleRewardsPage() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.rewardsPage(w, r, http.StatusOK, nil, "", "")
	})
}

// maxMatrixUpload bounds an uploaded matrix file.
const maxMatrixUpload = 1 << 20

// handleRewardsForm makes the page's changes, by action: reward (add or
// change a catalog entry), painpoint (add one), matrix (the grid's weights
// and cells, in one post), import (a matrix file), grant, move (a grant's
// state) and budget (the quarter's).
func (s *Server) handleRewardsForm() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, maxMatrixUpload+1<<14)
		ctx, actor := r.Context(), who(r).actor()
		fail := func(err error, edit *reward.Reward) {
			if statusOf(err) == http.StatusInternalServerError {
				s.failPage(w, r, err)
				return
			}
			s.rewardsPage(w, r, statusOf(err), edit, cadre.ErrorMessage(err), "")
		}
		if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/") {
			if err := r.ParseMultipartForm(maxMatrixUpload); err != nil { //nolint:gosec // the body is bounded by MaxBytesReader above
				fail(cadre.Errorf(cadre.EINVALID, "the upload is not a form of at most 1 MB"), nil)
				return
			}
		}
		switch r.PostFormValue("action") {
		case "reward":
			rw, err := rewardFromForm(r)
			if err == nil {
				err = s.store.SaveReward(ctx, rw, actor)
			}
			if err != nil {
				fail(err, rw)
				return
			}
			s.rewardsPage(w, r, http.StatusOK, nil, "", "saved "+rw.Name)
		case "painpoint":
			p := reward.PainPoint{Name: strings.TrimSpace(r.PostFormValue("name")), Weight: reward.DefaultWeight}
			var err error
			if v := strings.TrimSpace(r.PostFormValue("weight")); v != "" {
				p.Weight, err = parseNumber("weight", v)
			}
			if err == nil {
				err = s.store.SavePainPoint(ctx, &p, actor)
			}
			if err != nil {
				fail(err, nil)
				return
			}
			s.rewardsPage(w, r, http.StatusOK, nil, "", "added pain point "+p.Name)
		case "matrix":
			m, err := s.store.RewardMatrix(ctx)
			if err == nil {
				err = matrixFromForm(r, m)
			}
			if err == nil {
				err = s.store.SetRewardMatrix(ctx, m, actor)
			}
			if err != nil {
				fail(err, nil)
				return
			}
			s.rewardsPage(w, r, http.StatusOK, nil, "", "matrix saved")
		case "import":
			f, _, err := r.FormFile("file")
			if err != nil {
				fail(cadre.Errorf(cadre.EINVALID, "choose a CSV file of the matrix"), nil)
				return
			}
			defer f.Close()
			m, err := reward.ReadMatrix(f, "the file")
			var res reward.MatrixImport
			if err == nil {
				res, err = s.store.ImportRewardMatrix(ctx, m, actor)
			}
			if err != nil {
				fail(err, nil)
				return
			}
			s.rewardsPage(w, r, http.StatusOK, nil, "", fmt.Sprintf("imported %d rewards (%d new), %d new pain points", res.Rewards, res.RewardsAdded, res.PainPointsAdded))
		case "grant":
			rw, err := s.store.RewardByName(ctx, r.PostFormValue("reward"))
			var member int64
			if err == nil {
				member, err = s.store.FindMember(ctx, r.PostFormValue("member"))
			}
			var g *reward.Grant
			if err == nil {
				err = s.readStandings(r, func(eng *standings.Engine) (err error) {
					g, err = GrantReward(ctx, s.store, eng, rw.ID, member, s.now(), strings.TrimSpace(r.PostFormValue("note")), actor)
					return err
				})
			}
			if err != nil {
				fail(err, nil)
				return
			}
			s.rewardsPage(w, r, http.StatusCreated, nil, "", fmt.Sprintf("%s promised (grant %d)", g.Reward, g.ID))
		case "move":
			id, err := strconv.ParseInt(r.PostFormValue("grant"), 10, 64)
			if err != nil {
				fail(cadre.Errorf(cadre.EINVALID, "no such grant"), nil)
				return
			}
			to, err := reward.ParseState(r.PostFormValue("state"))
			if err == nil {
				err = s.store.MoveGrant(ctx, id, to, actor)
			}
			if err != nil {
				fail(err, nil)
				return
			}
			s.rewardsPage(w, r, http.StatusOK, nil, "", fmt.Sprintf("grant %d %s", id, to))
		case "budget":
			q, err := program.ParseQuarter(r.PostFormValue("quarter"))
			var amount float64
			if err == nil {
				amount, err = parseNumber("budget", r.PostFormValue("amount"))
			}
			if err == nil {
				err = s.store.SetRewardBudget(ctx, q, amount, actor)
			}
			if err != nil {
				fail(err, nil)
				return
			}
			s.rewardsPage(w, r, http.StatusOK, nil, "", "the "+q.String()+" budget is "+ftoa(amount))
		default:
			fail(cadre.Errorf(cadre.EINVALID, "action must be reward, painpoint, matrix, import, grant, move or budget"), nil)
		}
	})
}

// parseNumber reads a number of a form.
func parseNumber(what, v string) (float64, error) {
	f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
	if err != nil {
		return 0, cadre.Errorf(cadre.EINVALID, "%s must be a number, got %q", what, v)
	}
	return f, nil
}

// rewardFromForm reads the catalog form: id (empty for a new reward),
// name, kind, cost, stock (empty: no limit), status, min_score, max_rank
// and regions (comma-separated).
func rewardFromForm(r *http.Request) (*reward.Reward, error) {
	v := func(k string) string { return strings.TrimSpace(r.PostFormValue(k)) }
	rw := &reward.Reward{Name: v("name"), Kind: reward.Kind(v("kind")),
		Eligibility: reward.Eligibility{Status: cadre.MemberStatus(v("status")), Regions: reward.ParseRegions(v("regions"))}}
	var errs []error
	if id := v("id"); id != "" {
		var err error
		if rw.ID, err = strconv.ParseInt(id, 10, 64); err != nil {
			err = cadre.Errorf(cadre.ENOTFOUND, "no reward %q", id)
		}
		errs = append(errs, err)
	}
	num := func(k string, dst *float64) {
		if v(k) != "" {
			var err error
			*dst, err = parseNumber(strings.ReplaceAll(k, "_", " "), v(k))
			errs = append(errs, err)
		}
	}
	num("cost", &rw.Cost)
	num("min_score", &rw.MinScore)
	if s := v("stock"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			err = cadre.Errorf(cadre.EINVALID, "stock must be a whole number, or empty for no limit")
		}
		rw.Stock = &n
		errs = append(errs, err)
	}
	if s := v("max_rank"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			err = cadre.Errorf(cadre.EINVALID, "rank must be a whole number, or empty for any")
		}
		rw.MaxRank = n
		errs = append(errs, err)
	}
	for _, err := range errs {
		if err != nil {
			return rw, err
		}
	}
	return rw, nil
}

// matrixFromForm reads the grid into m: a weight w-<pain point> for each
// pain point and a cell s-<reward>-<pain point> for each cell, by ID; an
// empty cell is 0, and a field missing keeps the stored value.
func matrixFromForm(r *http.Request, m *reward.Matrix) error {
	for j := range m.PainPoints {
		p := &m.PainPoints[j]
		if v, ok := r.PostForm["w-"+itoa(p.ID)]; ok {
			w := float64(reward.DefaultWeight)
			if s := strings.TrimSpace(v[0]); s != "" {
				var err error
				if w, err = parseNumber("the weight of "+p.Name, s); err != nil {
					return err
				}
			}
			p.Weight = w
		}
	}
	for i := range m.Rows {
		row := &m.Rows[i]
		for j, p := range m.PainPoints {
			v, ok := r.PostForm["s-"+itoa(row.RewardID)+"-"+itoa(p.ID)]
			if !ok {
				continue
			}
			n := 0
			if s := strings.TrimSpace(v[0]); s != "" {
				var err error
				if n, err = strconv.Atoi(s); err != nil {
					return cadre.Errorf(cadre.EINVALID, "%s, %s: a score must be a whole number from 1 to 10, or empty", row.Reward, p.Name)
				}
			}
			row.Scores[j] = n
		}
	}
	return nil
}
