package server

import (
	"cmp"
	"context"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cadrehq/cadre"
	"github.com/cadrehq/cadre/account"
	"github.com/cadrehq/cadre/criteria"
	"github.com/cadrehq/cadre/mail"
	"github.com/cadrehq/cadre/program"
	"github.com/cadrehq/cadre/session"
	"github.com/cadrehq/cadre/standings"
	"github.com/cadrehq/cadre/survey"
)

// Program is what the program's reports read of the store.
type Program interface {
	Terms(ctx context.Context, memberID int64) ([]program.Term, error)
	Excused(ctx context.Context, q program.Quarter) (map[int64]bool, error)
	Excuse(ctx context.Context, q program.Quarter, memberID int64, reason, actor string) error
	Review(ctx context.Context, q program.Quarter) (*program.AppliedReview, error)
	AmbassadorActivities(ctx context.Context, from, to time.Time) ([]program.Activity, error)
	Invitations(ctx context.Context, memberID int64) ([]program.Invitation, error)
	Applications(ctx context.Context, state program.ApplicationState) ([]program.Application, error)
	Criteria(ctx context.Context, version int) (*cadre.CriteriaDoc, error)
	ApplyReview(ctx context.Context, q program.Quarter, version int, actor string,
		review func(terms []program.Term, excused map[int64]bool, last *program.Quarter) (*program.Review, error),
		mail func(r *program.Review) ([]cadre.Mail, error)) (*program.Review, error)
	Member(ctx context.Context, id int64) (*cadre.Member, error)
	Survey(ctx context.Context, q program.Quarter) (*survey.Survey, error)
	SurveyInvitees(ctx context.Context, id int64) (map[int64]bool, error)
	SurveyAnswers(ctx context.Context, id int64) ([]survey.Answer, error)
	FirstMentorings(ctx context.Context, from, to time.Time) ([]program.Mentoring, error)
	ForumThreads(ctx context.Context, from, to time.Time) ([]program.ForumThread, error)
	MembersActivities(ctx context.Context, ids []int64, from, to time.Time) ([]program.Activity, error)
	Commitments(ctx context.Context, id int64) ([]session.Commitment, error)
}

// Health measures quarter q from the store and the standings (SPEC 6).
func Health(ctx context.Context, st Program, eng *standings.Engine, q program.Quarter) (HealthJSON, error) {
	p, err := readPast(ctx, st)
	if err != nil {
		return HealthJSON{}, err
	}
	return health(ctx, st, eng, q, p)
}

// past is the program's record that the health of every quarter reads:
// terms, invitations and applications, each read once for a report of
// several quarters.
type past struct {
	terms []program.Term
	invs  []program.Invitation
	apps  []program.Application
}

func readPast(ctx context.Context, st Program) (past, error) {
	var p past
	var err error
	if p.terms, err = st.Terms(ctx, 0); err != nil {
		return p, err
	}
	if p.invs, err = st.Invitations(ctx, 0); err != nil {
		return p, err
	}
	p.apps, err = st.Applications(ctx, "")
	return p, err
}

func health(ctx context.Context, st Program, eng *standings.Engine, q program.Quarter, p past) (HealthJSON, error) {
	c := eng.Criteria()
	loc := c.Location()
	at := q.ReviewAt(loc)
	acts, err := st.AmbassadorActivities(ctx, q.Start(loc), q.End(loc))
	if err != nil {
		return HealthJSON{}, err
	}
	var review *program.Review
	if ar, err := st.Review(ctx, q); err == nil {
		review = &ar.Review
	} else if cadre.ErrorCode(err) != cadre.ENOTFOUND {
		return HealthJSON{}, err
	}
	h := NewHealthJSON(at, eng.Share(at), program.Measure(q, c, p.terms, acts), program.MeasureOrganic(q, loc, p.terms, p.invs, p.apps), review)
	if h.NPS, err = quarterNPS(ctx, st, q); err != nil {
		return HealthJSON{}, err
	}
	m, err := quarterMentees(ctx, st, q, c, p.terms)
	if err != nil {
		return HealthJSON{}, err
	}
	h.Mentees = &MenteesJSON{Mentored: m.Mentored, Activated: m.Activated, Multiplied: m.Multiplied}
	threads, err := st.ForumThreads(ctx, q.Start(loc), q.End(loc))
	if err != nil {
		return HealthJSON{}, err
	}
	fo := program.MeasureForum(c, threads)
	h.ForumOutcomes = &ForumOutcomesJSON{Ambassador: ForumGroupJSON(fo.Ambassador), Others: ForumGroupJSON(fo.Others)}
	cs, err := st.Commitments(ctx, 0)
	if err != nil {
		return HealthJSON{}, err
	}
	h.FollowThrough = session.FollowThrough(q.Start(loc), q.End(loc), cs)
	return h, nil
}

// quarterMentees measures the mentees first mentored in q, reading their
// own activities of the activation windows.
func quarterMentees(ctx context.Context, st Program, q program.Quarter, c *criteria.Criteria, terms []program.Term) (program.Mentees, error) {
	loc := c.Location()
	first, err := st.FirstMentorings(ctx, q.Start(loc), q.End(loc))
	if err != nil || len(first) == 0 {
		return program.MeasureMentees(q, c, terms, nil, nil), err
	}
	ids := make([]int64, len(first))
	for i, f := range first {
		ids[i] = f.Mentee
	}
	window := time.Duration(c.Activation.WindowDays) * 24 * time.Hour
	acts, err := st.MembersActivities(ctx, ids, first[0].At, first[len(first)-1].At.Add(window+time.Microsecond))
	if err != nil {
		return program.Mentees{}, err
	}
	return program.MeasureMentees(q, c, terms, first, acts), nil
}

// quarterNPS is the NPS of quarter q's survey, nil when it has none.
func quarterNPS(ctx context.Context, st Program, q program.Quarter) (*NPSJSON, error) {
	sv, err := st.Survey(ctx, q)
	if cadre.ErrorCode(err) == cadre.ENOTFOUND {
		return nil, nil //nolint:nilnil // no survey is no figure, as SPEC 8's null says
	}
	if err != nil {
		return nil, err
	}
	r, _, err := measureSurvey(ctx, st, sv.ID)
	if err != nil {
		return nil, err
	}
	return &NPSJSON{Score: r.Score, Responses: r.Responses, ResponseRate: r.ResponseRate}, nil
}

// Renewal is quarter q's review: as applied when it is, else previewed
// under the criteria in force.
func Renewal(ctx context.Context, st Program, eng *standings.Engine, q program.Quarter, names func(int64) string) (ReviewJSON, error) {
	c := eng.Criteria()
	if ar, err := st.Review(ctx, q); err == nil {
		return NewReviewJSON(&ar.Review, ar.CriteriaVersion, true, c.RenewalBand, names), nil
	} else if cadre.ErrorCode(err) != cadre.ENOTFOUND {
		return ReviewJSON{}, err
	}
	version, err := VersionInForce(ctx, st)
	if err != nil {
		return ReviewJSON{}, err
	}
	terms, err := st.Terms(ctx, 0)
	if err != nil {
		return ReviewJSON{}, err
	}
	excused, err := st.Excused(ctx, q)
	if err != nil {
		return ReviewJSON{}, err
	}
	return NewReviewJSON(program.Preview(q, c, terms, excused, eng.Score), version, false, c.RenewalBand, names), nil
}

// VersionInForce is the number of the criteria version in force, 0 for the
// defaults when none is stored.
func VersionInForce(ctx context.Context, st interface {
	Criteria(ctx context.Context, version int) (*cadre.CriteriaDoc, error)
}) (int, error) {
	doc, err := st.Criteria(ctx, 0)
	if cadre.ErrorCode(err) == cadre.ENOTFOUND {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	return doc.Version, nil
}

// ApplyRenewal applies quarter q's review at now, once and in order, under
// the standings' criteria (the version in force), as actor, and queues
// each renewed or lapsed ambassador's outcome.
func ApplyRenewal(ctx context.Context, st Program, eng *standings.Engine, q program.Quarter, now time.Time, actor string, base *url.URL) (*program.Review, int, error) {
	version, err := VersionInForce(ctx, st)
	if err != nil {
		return nil, 0, err
	}
	c := eng.Criteria()
	r, err := st.ApplyReview(ctx, q, version, actor, func(terms []program.Term, excused map[int64]bool, last *program.Quarter) (*program.Review, error) {
		if err := program.CheckApply(q, now, c.Location(), last); err != nil {
			return nil, err
		}
		return program.Preview(q, c, terms, excused, eng.Score), nil
	}, func(r *program.Review) ([]cadre.Mail, error) {
		return mail.Outcomes(r, func(id int64) (*cadre.Member, error) { return st.Member(ctx, id) }, mailLinks(base))
	})
	return r, version, err
}

// AtRisk lists the ambassadors whose score at the coming review would be
// below maintain, with the points they still need and what would make them
// up.
func AtRisk(ctx context.Context, st Program, eng *standings.Engine, now time.Time) ([]AtRiskJSON, error) {
	terms, err := st.Terms(ctx, 0)
	if err != nil {
		return nil, err
	}
	out := []AtRiskJSON{}
	for _, id := range program.AtRisk(terms, now, eng.Criteria().Location()) {
		ms, err := eng.Member(id, now)
		if err != nil {
			return nil, err
		}
		if j, risky := NewAtRiskJSON(ms); risky {
			out = append(out, j)
		}
	}
	return out, nil
}

// MemberNames returns a lookup of members' display names, each read once;
// a member that cannot be read is named by their ID.
func MemberNames(ctx context.Context, member func(ctx context.Context, id int64) (*cadre.Member, error)) func(int64) string {
	cache := map[int64]string{}
	return func(id int64) string {
		if n, ok := cache[id]; ok {
			return n
		}
		n := itoa(id)
		if m, err := member(ctx, id); err == nil {
			n = m.Name
		}
		cache[id] = n
		return n
	}
}

// TermJSON is a term of a member.
type TermJSON struct {
	ID       int64      `json:"id"`
	MemberID string     `json:"member_id"`
	Start    time.Time  `json:"start"`
	End      *time.Time `json:"end"` // null while open
	Via      string     `json:"via"`
	EndedBy  string     `json:"ended_by,omitempty"`
	Reason   string     `json:"reason,omitempty"`
}

// NewTermJSON shapes t.
func NewTermJSON(t *program.Term) TermJSON {
	j := TermJSON{ID: t.ID, MemberID: itoa(t.MemberID), Start: t.Start, Via: string(t.Via), EndedBy: string(t.EndedBy), Reason: t.Reason}
	if !t.Open() {
		j.End = &t.End
	}
	return j
}

// quarterParam reads the quarter query parameter, default the last one
// that has ended.
func (s *Server) quarterParam(r *http.Request, loc *time.Location) (program.Quarter, error) {
	v := r.URL.Query().Get("quarter")
	if v == "" {
		q := program.QuarterOf(s.now(), loc)
		for q.End(loc).After(s.now()) {
			q = q.Prev()
		}
		return q, nil
	}
	q, err := program.ParseQuarter(v)
	if err != nil {
		return q, cadre.Errorf(cadre.EINVALID, "quarter: %w", err)
	}
	return q, nil
}

// names looks members' display names up, once each per request.
func (s *Server) names(r *http.Request) func(int64) string {
	return MemberNames(r.Context(), s.store.Member)
}

func (s *Server) handleHealthReport() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var out HealthJSON
		err := s.readStandings(r, func(eng *standings.Engine) error {
			q, err := s.quarterParam(r, eng.Criteria().Location())
			if err == nil {
				out, err = s.quarterHealth(r.Context(), eng, q, once(r.Context(), s.store))
			}
			return err
		})
		if err != nil {
			s.fail(w, r, err)
			return
		}
		s.writeJSON(w, http.StatusOK, out)
	})
}

func (s *Server) handleRenewal() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var out ReviewJSON
		err := s.readStandings(r, func(eng *standings.Engine) error {
			q, err := s.quarterParam(r, eng.Criteria().Location())
			if err == nil {
				out, err = Renewal(r.Context(), s.store, eng, q, s.names(r))
			}
			return err
		})
		if err != nil {
			s.fail(w, r, err)
			return
		}
		s.writeJSON(w, http.StatusOK, out)
	})
}

func (s *Server) handleTerms() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, err := memberID(r)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		if _, err := s.store.Member(r.Context(), id); err != nil {
			s.fail(w, r, err)
			return
		}
		terms, err := s.store.Terms(r.Context(), id)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		out := make([]TermJSON, len(terms))
		for i := range terms {
			out[i] = NewTermJSON(&terms[i])
		}
		s.writeJSON(w, http.StatusOK, out)
	})
}

func itoa(id int64) string { return strconv.FormatInt(id, 10) }

// AtRiskJSON is an ambassador the coming review would lapse.
type AtRiskJSON struct {
	MemberID      string          `json:"member_id"`
	Name          string          `json:"name"`
	Score         float64         `json:"score"`
	NextReview    time.Time       `json:"next_review"`
	ScoreAtReview float64         `json:"score_at_review"`
	Maintain      float64         `json:"maintain"`
	PointsNeeded  float64         `json:"points_needed"`
	ToMaintain    []TypeCountJSON `json:"to_maintain"`
	// Example names the fewest activities of one type, and of the next two
	// types, that alone would close the gap.
	Example string `json:"example"`
}

// NewAtRiskJSON shapes a member's projection as an at-risk line; risky is
// false when their score at the review meets maintain.
func NewAtRiskJSON(ms *standings.MemberScore) (AtRiskJSON, bool) {
	p := ms.Projection
	j := AtRiskJSON{MemberID: itoa(ms.MemberID), Name: ms.Name, Score: ms.Score, NextReview: p.NextReview, ScoreAtReview: p.ScoreThen,
		Maintain: ms.Maintain, PointsNeeded: p.PointsNeeded, ToMaintain: make([]TypeCountJSON, len(p.ToMaintain))}
	for i, tc := range p.ToMaintain {
		j.ToMaintain[i] = TypeCountJSON(tc)
	}
	fewest := slices.Clone(j.ToMaintain)
	slices.SortStableFunc(fewest, func(a, b TypeCountJSON) int { return cmp.Compare(a.Count, b.Count) })
	var parts []string
	for _, tc := range fewest[:min(3, len(fewest))] {
		parts = append(parts, fmt.Sprintf("%d %s", tc.Count, tc.Type))
	}
	j.Example = strings.Join(parts, " or ")
	return j, p.PointsNeeded > 0
}

// renewalPage is the data of templates/renewal.html.
type renewalPage struct {
	Review   ReviewJSON
	Prev     string // the quarter before, for the link
	Next     string // the quarter after, "" when it has not ended
	CanApply bool   // the viewer may apply it and it may be applied now
	// CanExcuse says the viewer may excuse ambassadors from this review (it
	// is not applied) and from the coming one, AtRiskQuarter, where the
	// ambassadors at risk are.
	CanExcuse     bool
	AtRiskQuarter string
	AtRisk        []AtRiskJSON
	Message       string
	CSV           string // URL of the outcomes as CSV
}

func (s *Server) renewalPage(w http.ResponseWriter, r *http.Request, status int, q program.Quarter, message string) {
	var page renewalPage
	err := s.readStandings(r, func(eng *standings.Engine) error {
		loc := eng.Criteria().Location()
		rv, err := Renewal(r.Context(), s.store, eng, q, s.names(r))
		if err != nil {
			return err
		}
		admin := who(r).can(account.Administer, true)
		page = renewalPage{Review: rv, Prev: q.Prev().String(), Message: message,
			CanApply: !rv.Applied && !s.now().Before(q.End(loc)) && admin, CanExcuse: !rv.Applied && admin,
			AtRiskQuarter: program.QuarterOf(s.now(), loc).String()}
		if !q.Next().End(loc).After(s.now()) {
			page.Next = q.Next().String()
		}
		page.AtRisk, err = AtRisk(r.Context(), s.store, eng, s.now())
		return err
	})
	if err != nil {
		s.failPage(w, r, err)
		return
	}
	if wantsCSV(r) {
		rows := make([][]string, len(page.Review.Members))
		for i, m := range page.Review.Members {
			rows[i] = []string{page.Review.Quarter, m.MemberID, m.Name, ftoa(m.Score), m.Outcome}
		}
		writeCSV(w, "renewal-"+page.Review.Quarter, []string{"quarter", "member_id", "name", "score", "outcome"}, rows)
		return
	}
	page.CSV = csvLink(r)
	if r.Method != http.MethodGet {
		page.CSV = "/renewal?quarter=" + url.QueryEscape(q.String()) + "&format=csv"
	}
	s.renderStatus(w, r, status, "renewal.html", page)
}

func (s *Server) handleRenewalPage() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var q program.Quarter
		err := s.readStandings(r, func(eng *standings.Engine) (err error) {
			q, err = s.quarterParam(r, eng.Criteria().Location())
			return err
		})
		if err != nil {
			s.failPage(w, r, err)
			return
		}
		s.renewalPage(w, r, http.StatusOK, q, "")
	})
}

// excuseForm is what the renewal page's excuse form needs.
type excuseForm struct{ Quarter, Member string }

// handleRenewalApply applies the quarter the form names, once; or, with
// action=excuse, excuses a member from it with a reason.
func (s *Server) handleRenewalApply() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, 1<<14)
		q, err := program.ParseQuarter(r.PostFormValue("quarter"))
		if err != nil {
			s.failPage(w, r, err)
			return
		}
		if r.PostFormValue("action") == "excuse" {
			id, err := strconv.ParseInt(r.PostFormValue("member"), 10, 64)
			if err != nil {
				err = cadre.Errorf(cadre.EINVALID, "name the member to excuse by their number")
			} else {
				err = s.store.Excuse(r.Context(), q, id, strings.TrimSpace(r.PostFormValue("reason")), who(r).actor())
			}
			if err != nil {
				s.renewalPage(w, r, statusOf(err), q, cadre.ErrorMessage(err))
				return
			}
			http.Redirect(w, r, "/renewal?quarter="+q.String(), http.StatusSeeOther) //nolint:gosec // a path of this server, the quarter parsed
			return
		}
		err = s.readStandings(r, func(eng *standings.Engine) error {
			_, _, err := ApplyRenewal(r.Context(), s.store, eng, q, s.now(), who(r).actor(), s.linkBase(r))
			return err
		})
		if err != nil {
			s.renewalPage(w, r, statusOf(err), q, cadre.ErrorMessage(err))
			return
		}
		http.Redirect(w, r, "/renewal?quarter="+q.String(), http.StatusSeeOther) //nolint:gosec // a path of this server, the quarter parsed
	})
}

// healthPage is the data of templates/health.html.
type healthPage struct {
	Quarters []healthRow
	// Charts across the quarters, oldest first.
	ShareChart, RenewalChart, HoursChart, AmbassadorsChart, OrganicChart template.HTML
	NPSChart, ContentChart, MenteesChart, FollowThroughChart, ForumChart template.HTML
	TargetMin, TargetMax, RenewalMin, RenewalMax                         float64
	CSV                                                                  string // URL of the table as CSV
	// The rewards (SPEC 6), whatever the quarters: the catalog ranked by
	// value, and the average impact of each reward's grants so far, the
	// measured ones first, the most points gained first. A chart is empty
	// when it would have no bar.
	RewardValues                        []RewardValueJSON
	RewardImpacts                       []RewardImpactJSON
	RewardValueChart, RewardImpactChart template.HTML
}

// healthRow is one quarter of the dashboard, with what missed a band.
type healthRow struct {
	HealthJSON
	ShareWarning, RenewalWarning string
}

func ptr(f float64) *float64 { return &f }

// healthCSV writes the dashboard's table.
func healthCSV(w http.ResponseWriter, quarters []healthRow) {
	rows := make([][]string, len(quarters))
	for i, h := range quarters {
		var renewed, lapsed, rate, mentored, activated, multiplied, nps string
		if h.NPS != nil {
			nps = optFloat(h.NPS.Score)
		}
		if m := h.Mentees; m != nil {
			mentored, activated, multiplied = strconv.Itoa(m.Mentored), strconv.Itoa(m.Activated), strconv.Itoa(m.Multiplied)
		}
		forum := make([]string, 6)
		if f := h.ForumOutcomes; f != nil {
			forum = []string{strconv.Itoa(f.Ambassador.Threads), optFloat(f.Ambassador.MeanViews), optFloat(f.Ambassador.SolvedShare),
				strconv.Itoa(f.Others.Threads), optFloat(f.Others.MeanViews), optFloat(f.Others.SolvedShare)}
		}
		if h.Review != nil {
			renewed, lapsed, rate = strconv.Itoa(h.Review.Renewed), strconv.Itoa(h.Review.Lapsed), optFloat(h.Review.RenewalRate)
		}
		rows[i] = []string{h.Quarter, strconv.Itoa(h.Active), strconv.Itoa(h.Qualifying), ftoa(h.Share), strconv.Itoa(h.Ambassadors),
			strconv.Itoa(h.ActiveAmbassadors), optFloat(h.PointsPerAmbassador), ftoa(h.InfluenceHours.Total),
			optFloat(h.InfluenceHours.PerAmbassador), optFloat(h.InfluenceHours.WeightedPerAmbassador), ftoa(h.ContentViews),
			forum[0], forum[1], forum[2], forum[3], forum[4], forum[5],
			mentored, activated, multiplied,
			strconv.Itoa(h.Organic.Applications), strconv.Itoa(h.Organic.Accepted), strconv.Itoa(h.Organic.InvitationsSent),
			strconv.Itoa(h.Organic.InvitationsAccepted), optFloat(h.Organic.Ratio), renewed, lapsed, rate, nps, optFloat(h.FollowThrough)}
	}
	writeCSV(w, "health", []string{"quarter", "active", "qualifying", "share", "ambassadors", "active_ambassadors", "points_per_ambassador",
		"influence_hours", "hours_per_ambassador", "weighted_hours_per_ambassador", "content_views",
		"forum_threads_ambassador", "forum_mean_views_ambassador", "forum_solved_share_ambassador",
		"forum_threads_others", "forum_mean_views_others", "forum_solved_share_others",
		"mentees", "mentees_activated", "mentees_multiplied", "applications", "applications_accepted",
		"invitations_sent", "invitations_accepted", "organic_ratio", "renewed", "lapsed", "renewal_rate", "nps", "follow_through"}, rows)
}

// healthRewards adds the rewards to the dashboard: the catalog ranked by
// value, and the average impact of each reward's grants, measured at now
// under c, with their charts.
func (s *Server) healthRewards(ctx context.Context, page *healthPage, c *criteria.Criteria) error {
	values, err := RewardValues(ctx, s.store)
	if err != nil {
		return fmt.Errorf("reward values: %w", err)
	}
	// The dashboard names no recipient: members are named by their ID
	// rather than each read from the store.
	_, impacts, err := GrantImpacts(ctx, s.store, c, s.now(), "", itoa)
	if err != nil {
		return fmt.Errorf("reward impacts: %w", err)
	}
	// A reward none of whose grants is measured yet has no figure: it comes
	// last, and draws no bar.
	slices.SortStableFunc(impacts, func(a, b RewardImpactJSON) int {
		switch {
		case a.Grants > 0 && b.Grants == 0:
			return -1
		case a.Grants == 0 && b.Grants > 0:
			return 1
		case a.Grants > 0 && a.Points != b.Points:
			return cmp.Compare(b.Points, a.Points)
		}
		return strings.Compare(a.Reward, b.Reward)
	})
	page.RewardValues, page.RewardImpacts = values, impacts
	if len(values) > 0 {
		bars := make([]bar, len(values))
		for i, v := range values {
			bars[i] = bar{v.Reward, v.Value}
		}
		page.RewardValueChart = barChart("Rewards ranked by value", bars, ftoa)
	}
	var bars []bar
	for _, im := range impacts {
		if im.Grants > 0 {
			bars = append(bars, bar{im.Reward, im.Points})
		}
	}
	if len(bars) > 0 {
		page.RewardImpactChart = barChart("Average points gained per grant, by reward", bars, func(f float64) string { return fmt.Sprintf("%+.1f", f) })
	}
	return nil
}

// rewardValueCSV writes the dashboard's ranking of the rewards by value.
func rewardValueCSV(w http.ResponseWriter, values []RewardValueJSON) {
	rows := make([][]string, len(values))
	for i, v := range values {
		rows[i] = []string{strconv.Itoa(i + 1), v.Reward, ftoa(v.Value)}
	}
	writeCSV(w, "reward-value", []string{"rank", "reward", "value"}, rows)
}

// rewardImpactCSV writes the dashboard's average impact per reward; a
// reward none of whose grants is measured yet has no figures.
func rewardImpactCSV(w http.ResponseWriter, impacts []RewardImpactJSON) {
	rows := make([][]string, len(impacts))
	for i, im := range impacts {
		rows[i] = []string{im.Reward, strconv.Itoa(im.Grants), "", ""}
		if im.Grants > 0 {
			rows[i][2], rows[i][3] = ftoa(im.Activities), ftoa(im.Points)
		}
	}
	writeCSV(w, "reward-impact", []string{"reward", "grants_measured", "activities_change", "points_change"}, rows)
}

// healthQuarters is how many quarters the dashboard shows.
const healthQuarters = 8

func (s *Server) handleHealthPage() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var page healthPage
		var crit *criteria.Criteria
		err := s.readStandings(r, func(eng *standings.Engine) error {
			c := eng.Criteria()
			crit = c
			last, err := s.quarterParam(r, c.Location())
			if err != nil {
				return err
			}
			qs := make([]program.Quarter, healthQuarters)
			for i, q := healthQuarters-1, last; i >= 0; i, q = i-1, q.Prev() {
				qs[i] = q
			}
			page = healthPage{TargetMin: c.TargetShare.Min, TargetMax: c.TargetShare.Max, RenewalMin: c.RenewalBand.Min, RenewalMax: c.RenewalBand.Max}
			p := once(r.Context(), s.store)
			var labels []string
			var shares, rates, hours, weighted, ambassadors, applications, invited []*float64
			var nps, views, mentored, activated, follow, solvedAmb, solvedOthers []*float64
			for _, q := range qs {
				h, err := s.quarterHealth(r.Context(), eng, q, p)
				if err != nil {
					return err
				}
				row := healthRow{HealthJSON: h}
				if h.Active > 0 && (h.Share < c.TargetShare.Min || h.Share > c.TargetShare.Max) {
					row.ShareWarning = "outside the target band"
				}
				var rate *float64
				if h.Review != nil {
					rate = h.Review.RenewalRate
					if d := program.Diagnosis(rate, c.RenewalBand); rate != nil && d != "healthy" {
						row.RenewalWarning = d
					}
				}
				page.Quarters = append(page.Quarters, row)
				labels = append(labels, q.String())
				shares, rates = append(shares, ptr(h.Share)), append(rates, rate)
				hours, weighted = append(hours, h.InfluenceHours.PerAmbassador), append(weighted, h.InfluenceHours.WeightedPerAmbassador)
				ambassadors = append(ambassadors, ptr(float64(h.Ambassadors)))
				applications, invited = append(applications, ptr(float64(h.Organic.Applications))), append(invited, ptr(float64(h.Organic.InvitationsAccepted)))
				var score *float64
				if h.NPS != nil {
					score = h.NPS.Score
				}
				nps, views, follow = append(nps, score), append(views, ptr(h.ContentViews)), append(follow, h.FollowThrough)
				if f := h.ForumOutcomes; f != nil {
					solvedAmb, solvedOthers = append(solvedAmb, f.Ambassador.SolvedShare), append(solvedOthers, f.Others.SolvedShare)
				} else {
					solvedAmb, solvedOthers = append(solvedAmb, nil), append(solvedOthers, nil)
				}
				if m := h.Mentees; m != nil {
					mentored, activated = append(mentored, ptr(float64(m.Mentored))), append(activated, ptr(float64(m.Activated)))
				} else {
					mentored, activated = append(mentored, nil), append(activated, nil)
				}
			}
			page.ShareChart = trendChart("Qualifying share", labels, c.TargetShare.Min, c.TargetShare.Max, percent, series{"share", shares})
			page.RenewalChart = trendChart("Renewal rate", labels, c.RenewalBand.Min, c.RenewalBand.Max, percent, series{"renewal rate", rates})
			page.HoursChart = trendChart("Influence hours per ambassador", labels, 0, 0, tenths, series{"hours", hours}, series{"weighted by multiplier", weighted})
			page.AmbassadorsChart = trendChart("Ambassadors", labels, 0, 0, whole, series{"ambassadors", ambassadors})
			page.OrganicChart = trendChart("Applications and accepted invitations", labels, 0, 0, whole,
				series{"applications received", applications}, series{"invitations accepted", invited})
			page.NPSChart = trendChart("Ambassador NPS", labels, 0, 0, whole, series{"NPS", nps})
			page.ContentChart = trendChart("Views of the ambassadors' content", labels, 0, 0, whole, series{"views", views})
			page.MenteesChart = trendChart("Mentees", labels, 0, 0, whole, series{"first mentored", mentored}, series{"activated", activated})
			page.ForumChart = trendChart("Threads solved", labels, 0, 0, percent, series{"with an ambassador", solvedAmb}, series{"without", solvedOthers})
			page.FollowThroughChart = trendChart("Follow-through", labels, 0, 0, percent, series{"done by the due date", follow})
			return nil
		})
		// The rewards need only the criteria of the standings: they are read
		// once the standings are let go.
		if err == nil {
			err = s.healthRewards(r.Context(), &page, crit)
		}
		if err != nil {
			s.failPage(w, r, err)
			return
		}
		if wantsCSV(r) {
			switch r.URL.Query().Get("list") {
			case "reward-value":
				rewardValueCSV(w, page.RewardValues)
			case "reward-impact":
				rewardImpactCSV(w, page.RewardImpacts)
			default:
				healthCSV(w, page.Quarters)
			}
			return
		}
		page.CSV = csvLink(r)
		s.render(w, r, "health.html", page)
	})
}

// ProposalJSON is a member Cadre proposes to invite: they qualify now and
// are not an ambassador. Carried names the activity type that gives most of
// their score.
type ProposalJSON struct {
	MemberID string  `json:"member_id"`
	Name     string  `json:"name"`
	Status   string  `json:"status"`
	Score    float64 `json:"score"`
	Carried  string  `json:"carried_by"`
}

// Proposals lists who qualifies at now and is not an ambassador, best first.
func Proposals(eng *standings.Engine, now time.Time) ([]ProposalJSON, error) {
	achieve := eng.Criteria().Thresholds.Achieve
	out := []ProposalJSON{}
	for _, e := range eng.Leaderboard(now, standings.Options{}) {
		if e.Score < achieve-1e-9 {
			break // ranked best first: nobody below qualifies
		}
		if e.Status == string(cadre.StatusAmbassador) {
			continue
		}
		ms, err := eng.Member(e.MemberID, now)
		if err != nil {
			return nil, err
		}
		p := ProposalJSON{MemberID: itoa(e.MemberID), Name: e.Name, Status: e.Status, Score: e.Score}
		best := -1.0
		for _, part := range ms.ByType {
			if part.Score > best {
				best, p.Carried = part.Score, part.Key
			}
		}
		out = append(out, p)
	}
	return out, nil
}

// InvitationJSON is an invitation; its link appears once, when it is sent.
type InvitationJSON struct {
	ID        int64      `json:"id"`
	MemberID  string     `json:"member_id"`
	State     string     `json:"state"`
	SentAt    time.Time  `json:"sent_at"`
	ExpiresAt time.Time  `json:"expires_at"`
	DecidedAt *time.Time `json:"decided_at"`
	Link      string     `json:"link,omitempty"`
}

// NewInvitationJSON shapes inv as of now.
func NewInvitationJSON(inv *program.Invitation, now time.Time) InvitationJSON {
	j := InvitationJSON{ID: inv.ID, MemberID: itoa(inv.MemberID), State: string(inv.StateAt(now)), SentAt: inv.SentAt, ExpiresAt: inv.ExpiresAt}
	if !inv.DecidedAt.IsZero() {
		j.DecidedAt = &inv.DecidedAt
	}
	return j
}

// Invitations is what the invitation pages need of the store.
type Invitations interface {
	InvitationBySecret(ctx context.Context, secret string) (*program.Invitation, error)
	AnswerInvitation(ctx context.Context, secret string, accept bool) (*program.Invitation, error)
}

// invitationPage is the data of templates/invitation.html.
type invitationPage struct {
	Name   string
	State  string
	Expiry time.Time
	Doc    criteriaDoc
	Secret string
}

func (s *Server) invitationPage(w http.ResponseWriter, r *http.Request, status int, inv *program.Invitation) {
	page := invitationPage{State: string(inv.StateAt(s.now())), Expiry: inv.ExpiresAt, Secret: r.PathValue("secret"), Name: "you"}
	if m, err := s.store.Member(r.Context(), inv.MemberID); err == nil {
		page.Name = m.Name
	}
	err := s.live.Read(r.Context(), 0, func(eng *standings.Engine) error {
		version, err := VersionInForce(r.Context(), s.store)
		page.Doc = newCriteriaDoc(eng.Criteria(), version)
		return err
	})
	if err != nil {
		s.failPage(w, r, err)
		return
	}
	s.renderStatus(w, r, status, "invitation.html", page)
}

// handleInvitationPage shows an invitation through its personal link: no
// account needed, the link is the key.
func (s *Server) handleInvitationPage() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		inv, err := s.store.InvitationBySecret(r.Context(), r.PathValue("secret"))
		if err != nil {
			s.failPage(w, r, err)
			return
		}
		s.invitationPage(w, r, http.StatusOK, inv)
	})
}

// handleInvitationAnswer accepts or declines, once.
func (s *Server) handleInvitationAnswer() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, 1<<12)
		answer := r.PostFormValue("answer")
		if answer != "accept" && answer != "decline" {
			s.failPage(w, r, cadre.Errorf(cadre.EINVALID, "answer accept or decline"))
			return
		}
		inv, err := s.store.AnswerInvitation(r.Context(), r.PathValue("secret"), answer == "accept")
		if err != nil {
			s.failPage(w, r, err)
			return
		}
		s.invitationPage(w, r, http.StatusOK, inv)
	})
}

// InvitationAdmin is what the invitations page changes in the store.
type InvitationAdmin interface {
	Invitations(ctx context.Context, memberID int64) ([]program.Invitation, error)
	Invite(ctx context.Context, memberID int64, actor string,
		mail func(m *cadre.Member, inv *program.Invitation, secret string) []cadre.Mail) (*program.Invitation, string, error)
	RevokeInvitation(ctx context.Context, id int64, actor string) error
}

// invitationsPage is the data of templates/invitations.html.
type invitationsPage struct {
	Proposals   []ProposalJSON
	Invitations []InvitationJSON
	Names       map[string]string // member names by ID
	CanSend     bool
	Link        string // of the invitation just sent, shown once
	Message     string
}

func (s *Server) invitationsPage(w http.ResponseWriter, r *http.Request, status int, link, message string) {
	page := invitationsPage{Names: map[string]string{}, CanSend: who(r).can(account.Administer, true), Link: link, Message: message}
	err := s.readStandings(r, func(eng *standings.Engine) (err error) {
		page.Proposals, err = Proposals(eng, s.now())
		return err
	})
	if err != nil {
		s.failPage(w, r, err)
		return
	}
	invs, err := s.store.Invitations(r.Context(), 0)
	if err != nil {
		s.failPage(w, r, err)
		return
	}
	names := s.names(r)
	for i := len(invs) - 1; i >= 0; i-- { // newest first
		j := NewInvitationJSON(&invs[i], s.now())
		page.Invitations = append(page.Invitations, j)
		page.Names[j.MemberID] = names(invs[i].MemberID)
	}
	if wantsCSV(r) && r.Method == http.MethodGet {
		if r.URL.Query().Get("list") == "proposals" {
			rows := make([][]string, len(page.Proposals))
			for i, p := range page.Proposals {
				rows[i] = []string{p.MemberID, p.Name, p.Status, ftoa(p.Score), p.Carried}
			}
			writeCSV(w, "proposals", []string{"member_id", "name", "status", "score", "carried_by"}, rows)
			return
		}
		rows := make([][]string, len(page.Invitations))
		for i, j := range page.Invitations {
			var decided string
			if j.DecidedAt != nil {
				decided = j.DecidedAt.Format(time.RFC3339)
			}
			rows[i] = []string{itoa(j.ID), j.MemberID, page.Names[j.MemberID], j.State, j.SentAt.Format(time.RFC3339), j.ExpiresAt.Format(time.RFC3339), decided}
		}
		writeCSV(w, "invitations", []string{"id", "member_id", "name", "state", "sent_at", "expires_at", "decided_at"}, rows)
		return
	}
	s.renderStatus(w, r, status, "invitations.html", page)
}

func (s *Server) handleInvitationsPage() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.invitationsPage(w, r, http.StatusOK, "", "")
	})
}

// handleInvitationsForm sends (action=invite, member) or revokes
// (action=revoke, id) an invitation.
func (s *Server) handleInvitationsForm() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, 1<<12)
		id, err := strconv.ParseInt(r.PostFormValue("id"), 10, 64)
		if err != nil {
			s.invitationsPage(w, r, http.StatusBadRequest, "", "name the member or invitation by its number")
			return
		}
		switch r.PostFormValue("action") {
		case "invite":
			_, link, err := Invite(r.Context(), s.store, id, who(r).actor(), s.linkBase(r))
			if err != nil {
				s.invitationsPage(w, r, statusOf(err), "", cadre.ErrorMessage(err))
				return
			}
			s.invitationsPage(w, r, http.StatusCreated, link, "")
		case "revoke":
			if err := s.store.RevokeInvitation(r.Context(), id, who(r).actor()); err != nil {
				s.invitationsPage(w, r, statusOf(err), "", cadre.ErrorMessage(err))
				return
			}
			http.Redirect(w, r, "/invitations", http.StatusSeeOther)
		default:
			s.invitationsPage(w, r, http.StatusBadRequest, "", "action must be invite or revoke")
		}
	})
}

// linkBase is the address personal links use: the base URL, else the
// address the request came to.
func (s *Server) linkBase(r *http.Request) *url.URL {
	if s.baseURL != nil {
		return s.baseURL
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return &url.URL{Scheme: scheme, Host: r.Host}
}
