package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/cadrehq/cadre"
	"github.com/cadrehq/cadre/account"
	"github.com/cadrehq/cadre/criteria"
	"github.com/cadrehq/cadre/program"
	"github.com/cadrehq/cadre/standings"
	"github.com/cadrehq/cadre/whatif"
)

// MaxWhatIfQuarters bounds a backtest: twelve years of quarters is more
// history than any program keeps, and each quarter scores every member.
const MaxWhatIfQuarters = 48

// WhatIfJSON is a backtest (issue 12): each quarter's figures under the
// criteria in force and under the candidate, and the members whose
// outcomes differ.
type WhatIfJSON struct {
	From     string             `json:"from"`
	To       string             `json:"to"`
	Quarters []WhatIfQuarter    `json:"quarters"`
	Changes  []WhatIfChangeJSON `json:"changes"`
	Fairness FairnessJSON       `json:"fairness"`
}

// FairnessJSON is how the candidate changes who qualifies at the period's
// last review: by the activity type that carried most of each member's
// score, by tenure (the share who first took part in the community's first
// year, and the same among as many members ranked by their points before
// decay), and by region and company where known.
type FairnessJSON struct {
	At                 time.Time   `json:"at"`
	Qualifying         SidesJSON   `json:"qualifying"`
	Mix                []GroupJSON `json:"mix"`
	FirstYear          SharesJSON  `json:"first_year"`
	FirstYearUndecayed SharesJSON  `json:"first_year_undecayed"`
	Regions            []GroupJSON `json:"regions"`
	Companies          []GroupJSON `json:"companies"`
}

// SidesJSON is a count on each side.
type SidesJSON struct {
	Current   int `json:"current"`
	Candidate int `json:"candidate"`
}

// SharesJSON is a share on each side, null for an empty set.
type SharesJSON struct {
	Current   *float64 `json:"current"`
	Candidate *float64 `json:"candidate"`
}

// GroupJSON is a group's count on each side.
type GroupJSON struct {
	Group     string `json:"group"`
	Current   int    `json:"current"`
	Candidate int    `json:"candidate"`
}

func newFairnessJSON(f whatif.Fairness) FairnessJSON {
	groups := func(gs []whatif.Group) []GroupJSON {
		out := make([]GroupJSON, len(gs))
		for i, g := range gs {
			out[i] = GroupJSON{Group: g.Key, Current: g.Current, Candidate: g.Candidate}
		}
		return out
	}
	return FairnessJSON{At: f.At, Qualifying: SidesJSON{f.Current, f.Candidate}, Mix: groups(f.Mix),
		FirstYear: SharesJSON(f.FirstYear), FirstYearUndecayed: SharesJSON(f.Undecayed),
		Regions: groups(f.Regions), Companies: groups(f.Companies)}
}

// WhatIfQuarter is one quarter side by side.
type WhatIfQuarter struct {
	Quarter      string             `json:"quarter"`
	Current      WhatIfFigures      `json:"current"`
	Candidate    WhatIfFigures      `json:"candidate"`
	ProposedOnly WhatIfProposedJSON `json:"proposed_only"`
}

// WhatIfProposedJSON are the members only one side would have proposed to
// invite at the quarter's review, best first and at most 100 a side, and how
// many there are.
type WhatIfProposedJSON struct {
	Current        []WhatIfMemberJSON `json:"current"`
	Candidate      []WhatIfMemberJSON `json:"candidate"`
	CurrentCount   int                `json:"current_count"`
	CandidateCount int                `json:"candidate_count"`
}

// WhatIfMemberJSON is a member with their score on one side.
type WhatIfMemberJSON struct {
	MemberID string  `json:"member_id"`
	Name     string  `json:"name"`
	Score    float64 `json:"score"`
}

func newWhatIfMembers(ps []whatif.Proposal) []WhatIfMemberJSON {
	out := make([]WhatIfMemberJSON, len(ps))
	for i, p := range ps {
		out[i] = WhatIfMemberJSON{MemberID: strconv.FormatInt(p.MemberID, 10), Name: p.Name, Score: p.Score}
	}
	return out
}

// WhatIfFigures are one side's figures of a quarter.
type WhatIfFigures struct {
	Active                      int      `json:"active"`
	Qualifying                  int      `json:"qualifying"`
	Share                       float64  `json:"share"`
	Proposed                    int      `json:"proposed"`
	Ambassadors                 int      `json:"ambassadors"`
	Renewed                     int      `json:"renewed"`
	Lapsed                      int      `json:"lapsed"`
	Excused                     int      `json:"excused"`
	CarriedOver                 int      `json:"carried_over"`
	RenewalRate                 *float64 `json:"renewal_rate"`
	InfluenceHoursPerAmbassador *float64 `json:"influence_hours_per_ambassador"`
}

// WhatIfChangeJSON is a member whose outcome differs, with the activity
// types that made up their score on each side.
type WhatIfChangeJSON struct {
	MemberID       string           `json:"member_id"`
	Name           string           `json:"name"`
	Quarter        string           `json:"quarter"`
	Current        string           `json:"current"`
	Candidate      string           `json:"candidate"`
	CurrentScore   float64          `json:"current_score"`
	CandidateScore float64          `json:"candidate_score"`
	CarriedBy      []WhatIfTypeJSON `json:"carried_by"`
}

// WhatIfTypeJSON is an activity type's part of a member's score on each side.
type WhatIfTypeJSON struct {
	Type      string  `json:"type"`
	Current   float64 `json:"current"`
	Candidate float64 `json:"candidate"`
}

// WhatIfStore is what a backtest reads of the store.
type WhatIfStore interface {
	Terms(ctx context.Context, memberID int64) ([]program.Term, error)
	Excused(ctx context.Context, q program.Quarter) (map[int64]bool, error)
	Review(ctx context.Context, q program.Quarter) (*program.AppliedReview, error)
	MembersActivities(ctx context.Context, ids []int64, from, to time.Time) ([]program.Activity, error)
	Places(ctx context.Context, ids []int64) (map[int64][2]string, error)
}

// WhatIfQuarters are the quarters of a backtest: n quarters from from, or
// when from is nil the last n that have ended at now.
func WhatIfQuarters(n int, from *program.Quarter, now time.Time, loc *time.Location) ([]program.Quarter, error) {
	if n < 1 || n > MaxWhatIfQuarters {
		return nil, cadre.Errorf(cadre.EINVALID, "quarters: between 1 and %d, got %d", MaxWhatIfQuarters, n)
	}
	q := program.QuarterOf(now, loc)
	if from != nil {
		q = *from
		for range n {
			q = q.Next()
		}
	}
	last := q.Prev()
	if now.Before(last.End(loc)) {
		return nil, cadre.Errorf(cadre.EINVALID, "%s has not ended: a backtest replays ended quarters only", last)
	}
	out := make([]program.Quarter, n)
	for i := n - 1; i >= 0; i-- {
		out[i], q = q.Prev(), q.Prev()
	}
	return out, nil
}

// WhatIf backtests candidate over quarters: the current side reviews each
// quarter under the criteria version its applied review recorded (the one in
// force for a quarter not applied), the candidate side under candidate.
func WhatIf(ctx context.Context, st WhatIfStore, live *standings.Live, candidate *criteria.Criteria, quarters []program.Quarter) (*WhatIfJSON, error) {
	terms, excused, version, err := readReplay(ctx, st, quarters)
	if err != nil {
		return nil, err
	}
	versions := []int{0}
	for _, v := range version {
		versions = append(versions, v)
	}
	// The sides are replayed at once, each on a core: the candidate's
	// engine is prepared while the current side is replayed, and the
	// activities for the hours are read meanwhile.
	read := readPeriod(ctx, st, quarters, terms)
	var cur, cand whatif.Side
	var fair whatif.Fairness
	err = live.ReadVersions(ctx, versions, func(byVersion map[int]*standings.Engine, prepare func(*criteria.Criteria) *standings.Engine) error {
		var wg sync.WaitGroup
		wg.Go(func() {
			cur.Steps, cur.Terms = whatif.Replay(quarters, terms, excused, func(q program.Quarter) whatif.Standing {
				if v, ok := version[q]; ok {
					return byVersion[v]
				}
				return byVersion[0]
			})
		})
		draft := prepare(candidate)
		cand.Steps, cand.Terms = whatif.Replay(quarters, terms, excused, func(program.Quarter) whatif.Standing { return draft })
		wg.Wait()
		last := cur.Steps[len(cur.Steps)-1]
		fair, err = fairness(ctx, st, last.Review.At, last.Standing.(*standings.Engine), draft)
		return err
	})
	if err != nil {
		return nil, err
	}
	acts := <-read
	if acts.err != nil {
		return nil, acts.err
	}
	j := newWhatIfJSON(quarters, whatif.Compare(cur, cand, acts.acts))
	j.Fairness = newFairnessJSON(fair)
	return j, nil
}

// fairness measures the fairness view at t, reading the places of the
// members who qualify on either side.
func fairness(ctx context.Context, st WhatIfStore, t time.Time, cur, cand *standings.Engine) (whatif.Fairness, error) {
	ids := standings.IDs(append(cur.Qualifying(t), cand.Qualifying(t)...))
	places, err := st.Places(ctx, ids)
	if err != nil {
		return whatif.Fairness{}, err
	}
	return whatif.MeasureFairness(t, cur, cand, func(id int64) whatif.Profile {
		p := places[id]
		return whatif.Profile{Region: p[0], Company: p[1]}
	}), nil
}

// readReplay reads what a replay of quarters starts from: every term, the
// excusals of each quarter, and the criteria version of each applied review.
func readReplay(ctx context.Context, st WhatIfStore, quarters []program.Quarter) ([]program.Term, map[program.Quarter]map[int64]bool, map[program.Quarter]int, error) {
	terms, err := st.Terms(ctx, 0)
	if err != nil {
		return nil, nil, nil, err
	}
	excused := map[program.Quarter]map[int64]bool{}
	version := map[program.Quarter]int{}
	for _, q := range quarters {
		if excused[q], err = st.Excused(ctx, q); err != nil {
			return nil, nil, nil, err
		}
		ar, err := st.Review(ctx, q)
		switch {
		case err == nil:
			version[q] = ar.CriteriaVersion
		case cadre.ErrorCode(err) != cadre.ENOTFOUND:
			return nil, nil, nil, err
		}
	}
	return terms, excused, version, nil
}

// The period of quarters, widened by the fourteen hours that zones lie from
// UTC at most, so that it holds the quarters in any criteria's zone.
func periodOf(quarters []program.Quarter) (from, to time.Time) {
	const zones = 14 * time.Hour
	return quarters[0].Start(time.UTC).Add(-zones), quarters[len(quarters)-1].End(time.UTC).Add(zones)
}

// periodMembers are the members who held a term overlapping the period: a
// replay only reopens and ends real terms, so these are all the
// ambassadors any replay of it can have.
func periodMembers(quarters []program.Quarter, terms []program.Term) []int64 {
	from, to := periodOf(quarters)
	var ids []int64
	seen := map[int64]bool{}
	for _, t := range terms {
		if t.Start.Before(to) && (t.Open() || t.End.After(from)) && !seen[t.MemberID] {
			seen[t.MemberID] = true
			ids = append(ids, t.MemberID)
		}
	}
	return ids
}

type activitiesRead struct {
	acts []program.Activity
	err  error
}

// readPeriod reads, while the sides are replayed, the activities of the
// period of periodMembers; the hours count each quarter's own.
func readPeriod(ctx context.Context, st WhatIfStore, quarters []program.Quarter, terms []program.Term) <-chan activitiesRead {
	out := make(chan activitiesRead, 1)
	ids := periodMembers(quarters, terms)
	from, to := periodOf(quarters)
	go func() {
		if len(ids) == 0 {
			out <- activitiesRead{}
			return
		}
		acts, err := st.MembersActivities(ctx, ids, from, to)
		out <- activitiesRead{acts, err}
	}()
	return out
}

func newWhatIfJSON(quarters []program.Quarter, res whatif.Result) *WhatIfJSON {
	j := &WhatIfJSON{From: quarters[0].String(), To: quarters[len(quarters)-1].String(),
		Quarters: make([]WhatIfQuarter, len(res.Quarters)), Changes: make([]WhatIfChangeJSON, len(res.Changes))}
	for i, q := range res.Quarters {
		j.Quarters[i] = WhatIfQuarter{Quarter: q.Quarter.String(), Current: WhatIfFigures(q.Current), Candidate: WhatIfFigures(q.Candidate),
			ProposedOnly: WhatIfProposedJSON{Current: newWhatIfMembers(q.CurrentOnly), Candidate: newWhatIfMembers(q.CandidateOnly),
				CurrentCount: q.CurrentOnlyCount, CandidateCount: q.CandidateOnlyCount}}
	}
	for i, c := range res.Changes {
		j.Changes[i] = WhatIfChangeJSON{MemberID: strconv.FormatInt(c.MemberID, 10), Name: c.Name, Quarter: c.Quarter.String(),
			Current: string(c.Current), Candidate: string(c.Candidate), CurrentScore: c.CurrentScore, CandidateScore: c.CandidateScore,
			CarriedBy: carriedBy(c.CurrentByType, c.CandidateByType)}
	}
	return j
}

// WhatIfCSV is a backtest as a spreadsheet: list "quarters" gives a row a
// quarter and side (in_force, candidate) with its figures, "changes" a row a
// change with its scores and what carried them.
func WhatIfCSV(j *WhatIfJSON, list string) (header []string, rows [][]string, err error) {
	opt := func(f *float64) string {
		if f == nil {
			return ""
		}
		return ftoa(*f)
	}
	switch list {
	case "quarters":
		header = []string{"quarter", "side", "active", "qualifying", "share", "proposed", "proposed_by_this_side_only", "ambassadors",
			"renewed", "lapsed", "excused", "carried_over", "renewal_rate", "influence_hours_per_ambassador"}
		for _, q := range j.Quarters {
			for _, side := range []struct {
				name string
				f    WhatIfFigures
				only int
			}{{"in_force", q.Current, q.ProposedOnly.CurrentCount}, {"candidate", q.Candidate, q.ProposedOnly.CandidateCount}} {
				f := side.f
				rows = append(rows, []string{q.Quarter, side.name, strconv.Itoa(f.Active), strconv.Itoa(f.Qualifying), ftoa(f.Share),
					strconv.Itoa(f.Proposed), strconv.Itoa(side.only), strconv.Itoa(f.Ambassadors), strconv.Itoa(f.Renewed), strconv.Itoa(f.Lapsed),
					strconv.Itoa(f.Excused), strconv.Itoa(f.CarriedOver), opt(f.RenewalRate), opt(f.InfluenceHoursPerAmbassador)})
			}
		}
	case "changes":
		header = []string{"quarter", "member_id", "name", "in_force", "candidate", "score_in_force", "score_candidate", "carried_by"}
		for _, c := range j.Changes {
			var parts []string
			for _, t := range c.CarriedBy {
				parts = append(parts, fmt.Sprintf("%s %s → %s", t.Type, ftoa(t.Current), ftoa(t.Candidate)))
			}
			rows = append(rows, []string{c.Quarter, c.MemberID, c.Name, c.Current, c.Candidate, ftoa(c.CurrentScore), ftoa(c.CandidateScore),
				strings.Join(parts, "; ")})
		}
	default:
		return nil, nil, cadre.Errorf(cadre.EINVALID, "list: quarters or changes, got %q", list)
	}
	return header, rows, nil
}

// carriedBy sets each type's part of the score on one side beside the
// other's, in the order of the current side's parts, then the candidate's.
func carriedBy(cur, cand []standings.Part) []WhatIfTypeJSON {
	out := []WhatIfTypeJSON{}
	at := map[string]int{}
	for _, p := range cur {
		at[p.Key] = len(out)
		out = append(out, WhatIfTypeJSON{Type: p.Key, Current: p.Score})
	}
	for _, p := range cand {
		i, ok := at[p.Key]
		if !ok {
			i = len(out)
			out = append(out, WhatIfTypeJSON{Type: p.Key})
		}
		out[i].Candidate = p.Score
	}
	return out
}

// whatIfRequest is the body of POST /api/v1/whatif: the candidate, and the
// quarters as cadre whatif takes them (8 by default).
type whatIfRequest struct {
	Criteria json.RawMessage `json:"criteria"`
	Quarters int             `json:"quarters"`
	From     string          `json:"from"`
}

func (s *Server) handleWhatIf() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req whatIfRequest
		if err := decodeBody(w, r, &req, `{"criteria": {"thresholds": {"achieve": 60, "maintain": 30}}, "quarters": 8}`); err != nil {
			s.fail(w, r, err)
			return
		}
		j, err := s.whatIf(r.Context(), req)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		s.writeJSON(w, http.StatusOK, j)
	})
}

// whatIf validates a backtest's request and runs it.
func (s *Server) whatIf(ctx context.Context, req whatIfRequest) (*WhatIfJSON, error) {
	if len(req.Criteria) == 0 {
		return nil, cadre.Errorf(cadre.EINVALID, "criteria: the candidate criteria document is required")
	}
	// The document comes as a JSON object or as a string holding YAML,
	// the form cadre criteria show prints.
	doc := []byte(req.Criteria)
	var text string
	if json.Unmarshal(req.Criteria, &text) == nil {
		doc = []byte(text)
	}
	c, err := criteria.Parse(doc)
	if err != nil {
		return nil, cadre.Errorf(cadre.EINVALID, "criteria: %w", err)
	}
	if req.Quarters == 0 {
		req.Quarters = 8
	}
	var from *program.Quarter
	if req.From != "" {
		q, err := program.ParseQuarter(req.From)
		if err != nil {
			return nil, err
		}
		from = &q
	}
	qs, err := WhatIfQuarters(req.Quarters, from, s.now(), c.Location())
	if err != nil {
		return nil, err
	}
	return WhatIf(ctx, s.store, s.live, c, qs)
}

// CriteriaDrafts is what the what-if page needs of the store besides a
// backtest: the document in force, and saving a draft as the next version.
type CriteriaDrafts interface {
	Criteria(ctx context.Context, version int) (*cadre.CriteriaDoc, error)
	SaveCriteria(ctx context.Context, document, author string) (int, error)
}

// whatIfPage is the criteria editor: a draft validated, backtested against
// the criteria in force and, for admins, saved as the next version.
type whatIfPage struct {
	Draft    string
	Quarters int
	From     string
	Version  int // of the document in force; 0 for the defaults
	CanSave  bool
	Message  string   // what went wrong
	Problems []string // the draft's problems, each with its field
	Notice   string
	Result   *WhatIfJSON
	// A calibration to both bands from the criteria in force, with the
	// bounds it was given.
	Calibration        *BandsJSON
	Decay, Multipliers string
	// Charts of the result: current against candidate.
	ShareChart, RenewalChart, HoursChart template.HTML
	Gains, Losses                        []WhatIfChangeJSON
	// Compare sets the criteria in force and the draft side by side.
	Compare []criteriaRow
}

// criteriaRow is one setting of the criteria in force beside the draft's.
type criteriaRow struct {
	Setting, InForce, Draft string
}

// compareCriteria lists the settings that decide who qualifies and renews,
// in force and in the draft; a type one side lacks shows a dash.
func compareCriteria(cur, draft *criteria.Criteria) []criteriaRow {
	num := func(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }
	decay := func(c *criteria.Criteria) string {
		if c.Decay.Mode == criteria.DecayNone {
			return "none"
		}
		return string(c.Decay.Mode) + " " + num(c.Decay.Rate)
	}
	band := func(b criteria.Band) string { return percent(b.Min) + "–" + percent(b.Max) }
	rows := []criteriaRow{
		{"achieve", num(cur.Thresholds.Achieve), num(draft.Thresholds.Achieve)},
		{"maintain", num(cur.Thresholds.Maintain), num(draft.Thresholds.Maintain)},
		{"decay", decay(cur), decay(draft)},
		{"active window (days)", strconv.Itoa(cur.ActiveWindowDays), strconv.Itoa(draft.ActiveWindowDays)},
		{"target share", band(cur.TargetShare), band(draft.TargetShare)},
		{"renewal band", band(cur.RenewalBand), band(draft.RenewalBand)},
	}
	typ := func(c *criteria.Criteria, key string) string {
		if t, ok := c.Type(key); ok {
			return num(t.PointValue()) + " a " + key
		}
		return "–"
	}
	seen := map[string]bool{}
	for _, c := range []*criteria.Criteria{cur, draft} {
		for _, t := range c.ActivityTypes {
			if !seen[t.Key] {
				seen[t.Key] = true
				rows = append(rows, criteriaRow{t.Key + " points", typ(cur, t.Key), typ(draft, t.Key)})
			}
		}
	}
	return rows
}

func (s *Server) handleWhatIfPage() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := whatIfPage{Quarters: 8, CanSave: who(r).can(account.Administer, false), Notice: r.URL.Query().Get("saved")}
		if p.Notice != "" {
			p.Notice = "Saved as criteria version " + p.Notice + ": it is in force from now on."
		}
		doc, err := s.store.Criteria(r.Context(), 0)
		switch {
		case err == nil:
			p.Draft, p.Version = doc.Document, doc.Version
		case cadre.ErrorCode(err) == cadre.ENOTFOUND:
			p.Draft = criteria.DefaultYAML
		default:
			s.failPage(w, r, err)
			return
		}
		s.render(w, r, "whatif.html", p)
	})
}

// handleWhatIfForm validates the draft, then backtests it; the draft stays
// in the form whatever happens, so that nothing typed is lost.
func (s *Server) handleWhatIfForm() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := whatIfPage{Draft: formText(r, "draft"), From: strings.TrimSpace(r.PostFormValue("from")), Quarters: 8,
			CanSave: who(r).can(account.Administer, false)}
		if doc, err := s.store.Criteria(r.Context(), 0); err == nil {
			p.Version = doc.Version
		}
		if q := strings.TrimSpace(r.PostFormValue("quarters")); q != "" {
			n, err := strconv.Atoi(q)
			if err != nil {
				p.Message = "quarters: a whole number, such as 8"
				s.renderStatus(w, r, http.StatusBadRequest, "whatif.html", p)
				return
			}
			p.Quarters = n
		}
		if r.PostFormValue("action") == "calibrate" {
			s.calibratePage(w, r, p)
			return
		}
		if _, err := criteria.Parse([]byte(p.Draft)); err != nil {
			p.Message = "The draft is not valid criteria: nothing was replayed."
			var verrs criteria.ValidationErrors
			if errors.As(err, &verrs) {
				for _, fe := range verrs {
					p.Problems = append(p.Problems, fe.Error())
				}
			} else {
				p.Problems = []string{err.Error()}
			}
			s.renderStatus(w, r, http.StatusBadRequest, "whatif.html", p)
			return
		}
		draft, _ := json.Marshal(p.Draft)
		res, err := s.whatIf(r.Context(), whatIfRequest{Criteria: draft, Quarters: p.Quarters, From: p.From})
		if err != nil {
			if cadre.ErrorCode(err) != cadre.EINVALID {
				s.failPage(w, r, err)
				return
			}
			p.Message = cadre.ErrorMessage(err)
			s.renderStatus(w, r, http.StatusBadRequest, "whatif.html", p)
			return
		}
		if list := r.PostFormValue("list"); r.PostFormValue("format") == "csv" {
			header, rows, err := WhatIfCSV(res, list)
			if err != nil {
				p.Message = cadre.ErrorMessage(err)
				s.renderStatus(w, r, http.StatusBadRequest, "whatif.html", p)
				return
			}
			writeCSV(w, "whatif-"+res.From+"-"+res.To+"-"+list, header, rows)
			return
		}
		p.Result = res
		labels := make([]string, len(res.Quarters))
		var share, shareCand, rate, rateCand, hours, hoursCand []*float64
		for i, q := range res.Quarters {
			labels[i] = q.Quarter
			share, shareCand = append(share, &q.Current.Share), append(shareCand, &q.Candidate.Share)
			rate, rateCand = append(rate, q.Current.RenewalRate), append(rateCand, q.Candidate.RenewalRate)
			hours, hoursCand = append(hours, q.Current.InfluenceHoursPerAmbassador), append(hoursCand, q.Candidate.InfluenceHoursPerAmbassador)
		}
		c, _ := criteria.Parse([]byte(p.Draft))
		inForce := criteria.Default()
		if doc, err := s.store.Criteria(r.Context(), 0); err == nil {
			if parsed, err := criteria.Parse([]byte(doc.Document)); err == nil {
				inForce = parsed
			}
		}
		p.Compare = compareCriteria(inForce, c)
		p.ShareChart = trendChart("Qualifying share", labels, c.TargetShare.Min, c.TargetShare.Max, percent, series{"in force", share}, series{"draft", shareCand})
		p.RenewalChart = trendChart("Renewal rate", labels, c.RenewalBand.Min, c.RenewalBand.Max, percent, series{"in force", rate}, series{"draft", rateCand})
		p.HoursChart = trendChart("Influence hours per ambassador", labels, 0, 0, tenths, series{"in force", hours}, series{"draft", hoursCand})
		// A member gains who renews under the draft but not in force, or is
		// still an ambassador at a review where in force they were gone;
		// the others lose.
		for _, ch := range res.Changes {
			if ch.Candidate == string(program.Renewed) || ch.Current == string(whatif.None) {
				p.Gains = append(p.Gains, ch)
			} else {
				p.Losses = append(p.Losses, ch)
			}
		}
		s.render(w, r, "whatif.html", p)
	})
}

// calibratePage searches criteria inside both bands from the criteria in
// force, within the bounds of the form, and shows the best with their
// figures; each may be replayed as the draft.
func (s *Server) calibratePage(w http.ResponseWriter, r *http.Request, p whatIfPage) {
	p.Decay = strings.TrimSpace(r.PostFormValue("decay"))
	p.Multipliers = strings.TrimSpace(r.PostFormValue("multipliers"))
	fail := func(err error) {
		if cadre.ErrorCode(err) != cadre.EINVALID {
			s.failPage(w, r, err)
			return
		}
		p.Message = cadre.ErrorMessage(err)
		s.renderStatus(w, r, http.StatusBadRequest, "whatif.html", p)
	}
	c := criteria.Default()
	if doc, err := s.store.Criteria(r.Context(), 0); err == nil {
		if c, err = criteria.Parse([]byte(doc.Document)); err != nil {
			fail(err)
			return
		}
	} else if cadre.ErrorCode(err) != cadre.ENOTFOUND {
		fail(err)
		return
	}
	b, err := ParseBounds(c, p.Decay, strings.Fields(strings.ReplaceAll(p.Multipliers, ",", " ")))
	if err != nil {
		fail(err)
		return
	}
	var from *program.Quarter
	if p.From != "" {
		q, err := program.ParseQuarter(p.From)
		if err != nil {
			fail(err)
			return
		}
		from = &q
	}
	qs, err := WhatIfQuarters(p.Quarters, from, s.now(), c.Location())
	if err != nil {
		fail(err)
		return
	}
	if p.Calibration, err = CalibrateBands(r.Context(), s.store, s.live, c, b, qs, 5); err != nil {
		fail(err)
		return
	}
	s.render(w, r, "whatif.html", p)
}

// formText is a textarea's text with the line breaks the document had:
// browsers send each as CRLF.
func formText(r *http.Request, name string) string {
	return strings.ReplaceAll(r.PostFormValue(name), "\r\n", "\n")
}

// groupTable is a fairness view's groups under a title.
type groupTable struct {
	Title  string
	Groups []GroupJSON
}

// handleCriteriaSave saves a draft as the next criteria version, in force
// from then on; an invalid draft is shown again with its problems.
func (s *Server) handleCriteriaSave() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		draft := formText(r, "draft")
		v, err := s.store.SaveCriteria(r.Context(), draft, actor(r))
		if err != nil {
			if cadre.ErrorCode(err) != cadre.EINVALID {
				s.failPage(w, r, err)
				return
			}
			s.renderStatus(w, r, http.StatusBadRequest, "whatif.html", whatIfPage{Draft: draft, Quarters: 8, CanSave: true, Message: cadre.ErrorMessage(err)})
			return
		}
		http.Redirect(w, r, "/whatif?saved="+strconv.Itoa(v), http.StatusSeeOther)
	})
}
