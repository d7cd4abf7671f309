package server

import (
	"context"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cadrehq/cadre"
	"github.com/cadrehq/cadre/account"
	"github.com/cadrehq/cadre/mail"
	"github.com/cadrehq/cadre/program"
	"github.com/cadrehq/cadre/standings"
	"github.com/cadrehq/cadre/survey"
)

// Surveys is what the NPS survey needs of the store.
type Surveys interface {
	OpenSurvey(ctx context.Context, sv *survey.Survey, invited []int64,
		mail func(m *cadre.Member, sv *survey.Survey, secret string) []cadre.Mail) ([]survey.Link, error)
	Survey(ctx context.Context, q program.Quarter) (*survey.Survey, error)
	Surveys(ctx context.Context) ([]survey.Survey, error)
	SurveyInvitees(ctx context.Context, id int64) (map[int64]bool, error)
	SurveyAnswers(ctx context.Context, id int64) ([]survey.Answer, error)
	SurveyBySecret(ctx context.Context, secret string) (*survey.Survey, int64, *survey.Answer, error)
	AnswerSurvey(ctx context.Context, secret string, score int, comment string) (*survey.Survey, error)
	RemindSurvey(ctx context.Context, id int64, actor string,
		remind func(m *cadre.Member, sv *survey.Survey, secret string) []cadre.Mail) (int, error)
}

// SurveyStore is what opening a survey and reading its results need.
type SurveyStore interface {
	Surveys
	Terms(ctx context.Context, memberID int64) ([]program.Term, error)
	Review(ctx context.Context, q program.Quarter) (*program.AppliedReview, error)
}

// SurveyLink is the personal link of a survey's secret.
func SurveyLink(base *url.URL, secret string) string {
	return linkBase(base).JoinPath("/survey/" + secret).String()
}

// OpenedSurveyJSON is a survey just opened, with its invitees' links, as
// cadre survey open --json prints it, for programs that send them their own
// way.
type OpenedSurveyJSON struct {
	SurveyID int64            `json:"survey_id"`
	Quarter  string           `json:"quarter"`
	ClosesAt time.Time        `json:"closes_at"`
	Invited  int              `json:"invited"`
	Links    []SurveyLinkJSON `json:"links"`
}

// SurveyLinkJSON is an invitee's personal link.
type SurveyLinkJSON struct {
	MemberID string `json:"member_id"`
	URL      string `json:"url"`
}

// OpenSurvey opens the survey of quarter q at now, closing at closes (zero:
// survey.DefaultOpen later), for every ambassador of q, each with a personal
// link under base and a message queued.
func OpenSurvey(ctx context.Context, st SurveyStore, q program.Quarter, loc *time.Location, now, closes time.Time, anonymous bool, actor string, base *url.URL) (OpenedSurveyJSON, error) {
	if closes.IsZero() {
		closes = now.Add(survey.DefaultOpen)
	}
	if err := survey.CheckOpen(q, loc, now, closes); err != nil {
		return OpenedSurveyJSON{}, err
	}
	terms, err := st.Terms(ctx, 0)
	if err != nil {
		return OpenedSurveyJSON{}, err
	}
	var invited []int64
	for id := range program.AmbassadorsOf(q, loc, terms) {
		invited = append(invited, id)
	}
	slices.Sort(invited)
	sv := &survey.Survey{Quarter: q, OpenedAt: now, ClosesAt: closes, Anonymous: anonymous, Actor: actor}
	links, err := st.OpenSurvey(ctx, sv, invited, func(m *cadre.Member, sv *survey.Survey, secret string) []cadre.Mail {
		return mail.SurveyInvitation(m, sv, SurveyLink(base, secret), false)
	})
	if err != nil {
		return OpenedSurveyJSON{}, err
	}
	out := OpenedSurveyJSON{SurveyID: sv.ID, Quarter: q.String(), ClosesAt: sv.ClosesAt, Invited: len(links), Links: []SurveyLinkJSON{}}
	for _, l := range links {
		out.Links = append(out.Links, SurveyLinkJSON{MemberID: itoa(l.MemberID), URL: SurveyLink(base, l.Secret)})
	}
	return out, nil
}

// RemindSurvey writes again, with a fresh link, to the invitees of the
// survey of q who have not answered; it returns how many.
func RemindSurvey(ctx context.Context, st SurveyStore, q program.Quarter, actor string, base *url.URL) (int, error) {
	sv, err := st.Survey(ctx, q)
	if err != nil {
		return 0, err
	}
	return st.RemindSurvey(ctx, sv.ID, actor, func(m *cadre.Member, sv *survey.Survey, secret string) []cadre.Mail {
		return mail.SurveyInvitation(m, sv, SurveyLink(base, secret), true)
	})
}

// SurveyResultsJSON is a survey's results (SPEC 6), as cadre survey
// results --json prints them; ByOutcome sets the NPS of those the quarter's
// review renewed against those it lapsed, once it is applied.
type SurveyResultsJSON struct {
	Quarter      string                     `json:"quarter"`
	Score        *float64                   `json:"score"`
	Responses    int                        `json:"responses"`
	Invited      int                        `json:"invited"`
	ResponseRate *float64                   `json:"response_rate"`
	Promoters    int                        `json:"promoters"`
	Passives     int                        `json:"passives"`
	Detractors   int                        `json:"detractors"`
	ClosesAt     time.Time                  `json:"closes_at"`
	Open         bool                       `json:"open"`
	ByOutcome    map[string]SurveyScoreJSON `json:"by_outcome,omitempty"`
}

// SurveyScoreJSON is the NPS of a group of answers.
type SurveyScoreJSON struct {
	Score     *float64 `json:"score"`
	Responses int      `json:"responses"`
}

// SurveyResults measures the survey of q at now, with its answers.
func SurveyResults(ctx context.Context, st SurveyStore, q program.Quarter, now time.Time) (SurveyResultsJSON, []survey.Answer, error) {
	sv, err := st.Survey(ctx, q)
	if err != nil {
		return SurveyResultsJSON{}, nil, err
	}
	r, answers, err := measureSurvey(ctx, st, sv.ID)
	if err != nil {
		return SurveyResultsJSON{}, nil, err
	}
	out := SurveyResultsJSON{Quarter: q.String(), Score: r.Score, Responses: r.Responses, Invited: r.Invited, ResponseRate: r.ResponseRate,
		Promoters: r.Promoters, Passives: r.Passives, Detractors: r.Detractors, ClosesAt: sv.ClosesAt, Open: sv.OpenAt(now)}
	if ar, err := st.Review(ctx, q); err == nil {
		outcome := map[int64]program.Outcome{}
		for _, e := range ar.Review.Entries {
			outcome[e.MemberID] = e.Outcome
		}
		out.ByOutcome = map[string]SurveyScoreJSON{}
		for _, o := range []program.Outcome{program.Renewed, program.Lapsed} {
			group := survey.ByOutcome(answers, outcome)[o]
			out.ByOutcome[string(o)] = SurveyScoreJSON{Score: survey.Measure(0, group).Score, Responses: len(group)}
		}
	} else if cadre.ErrorCode(err) != cadre.ENOTFOUND {
		return SurveyResultsJSON{}, nil, err
	}
	return out, answers, nil
}

// measureSurvey reads survey id's invitees and answers and measures them.
func measureSurvey(ctx context.Context, st interface {
	SurveyInvitees(ctx context.Context, id int64) (map[int64]bool, error)
	SurveyAnswers(ctx context.Context, id int64) ([]survey.Answer, error)
}, id int64) (survey.Results, []survey.Answer, error) {
	invitees, err := st.SurveyInvitees(ctx, id)
	if err != nil {
		return survey.Results{}, nil, err
	}
	answers, err := st.SurveyAnswers(ctx, id)
	if err != nil {
		return survey.Results{}, nil, err
	}
	return survey.Measure(len(invitees), answers), answers, nil
}

// surveyPage is the data of templates/survey.html: an ambassador's answer
// through their personal link.
type surveyPage struct {
	Question string
	Survey   *survey.Survey
	Name     string
	Answer   *survey.Answer
	Open     bool
	Scores   []int
	Saved    bool
	Message  string
}

func (s *Server) surveyPage(w http.ResponseWriter, r *http.Request, status int, saved bool, message string) {
	sv, member, a, err := s.store.SurveyBySecret(r.Context(), r.PathValue("secret"))
	if err != nil {
		s.failPage(w, r, err)
		return
	}
	page := surveyPage{Question: survey.Question, Survey: sv, Name: s.names(r)(member), Answer: a, Open: sv.OpenAt(s.now()),
		Scores: []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, Saved: saved, Message: message}
	s.renderStatus(w, r, status, "survey.html", page)
}

// handleSurveyPage shows the question through an ambassador's personal
// link: no account needed, the link is the key.
func (s *Server) handleSurveyPage() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.surveyPage(w, r, http.StatusOK, false, "")
	})
}

// handleSurveyAnswer takes the form's score and comment, posted back to
// the link.
func (s *Server) handleSurveyAnswer() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, 1<<14)
		score, err := strconv.Atoi(strings.TrimSpace(r.PostFormValue("score")))
		if err != nil {
			s.surveyPage(w, r, http.StatusBadRequest, false, "choose a score from 0 to 10")
			return
		}
		if _, err := s.store.AnswerSurvey(r.Context(), r.PathValue("secret"), score, strings.TrimSpace(r.PostFormValue("comment"))); err != nil {
			if statusOf(err) == http.StatusInternalServerError || cadre.ErrorCode(err) == cadre.ENOTFOUND {
				s.failPage(w, r, err)
				return
			}
			s.surveyPage(w, r, statusOf(err), false, cadre.ErrorMessage(err))
			return
		}
		s.surveyPage(w, r, http.StatusOK, true, "")
	})
}

// surveysPage is the data of templates/surveys.html.
type surveysPage struct {
	Results  []SurveyResultsJSON // the latest quarter first
	Chart    template.HTML       // NPS across quarters
	Comments []surveyComment     // of the survey shown, admins only
	Shown    string              // the quarter whose comments are shown
	CanOpen  bool
	Quarter  string // suggested for a new survey: the quarter under way
	Opened   *OpenedSurveyJSON
	Message  string // what went wrong
	Notice   string // what was done
}

// surveyComment is a comment with its score, and its author unless the
// survey is anonymous.
type surveyComment struct {
	Name    string
	Score   int
	Comment string
}

func (s *Server) surveysPage(w http.ResponseWriter, r *http.Request, status int, opened *OpenedSurveyJSON, message, notice string) {
	admin := who(r).can(account.Administer, true)
	page := surveysPage{CanOpen: admin, Opened: opened, Message: message, Notice: notice}
	err := s.readStandings(r, func(eng *standings.Engine) error {
		page.Quarter = program.QuarterOf(s.now(), eng.Criteria().Location()).String()
		return nil
	})
	if err != nil {
		s.failPage(w, r, err)
		return
	}
	svs, err := s.store.Surveys(r.Context())
	if err != nil {
		s.failPage(w, r, err)
		return
	}
	shown := r.URL.Query().Get("quarter")
	var labels []string
	var scores []*float64
	for i := len(svs) - 1; i >= 0; i-- { // oldest first, for the chart
		sv := &svs[i]
		res, answers, err := SurveyResults(r.Context(), s.store, sv.Quarter, s.now())
		if err != nil {
			s.failPage(w, r, err)
			return
		}
		page.Results = append([]SurveyResultsJSON{res}, page.Results...)
		labels, scores = append(labels, res.Quarter), append(scores, res.Score)
		if shown == "" && i == 0 || shown == res.Quarter {
			page.Shown = res.Quarter
			if admin {
				names := s.names(r)
				for _, a := range answers {
					if a.Comment == "" {
						continue
					}
					c := surveyComment{Score: a.Score, Comment: a.Comment}
					if !sv.Anonymous {
						c.Name = names(a.MemberID)
					}
					page.Comments = append(page.Comments, c)
				}
			}
		}
	}
	if len(labels) > 0 {
		page.Chart = trendChart("Ambassador NPS", labels, 0, 0, func(f float64) string { return strconv.FormatFloat(f, 'f', 0, 64) }, series{"NPS", scores})
	}
	s.renderStatus(w, r, status, "surveys.html", page)
}

func (s *Server) handleSurveysPage() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.surveysPage(w, r, http.StatusOK, nil, "", "")
	})
}

// handleSurveysForm opens a quarter's survey (action=open, quarter,
// closes, anonymous) or reminds those who have not answered
// (action=remind, quarter).
func (s *Server) handleSurveysForm() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, 1<<12)
		q, err := program.ParseQuarter(r.PostFormValue("quarter"))
		if err != nil {
			s.surveysPage(w, r, http.StatusBadRequest, nil, cadre.ErrorMessage(err), "")
			return
		}
		switch r.PostFormValue("action") {
		case "open":
			var closes time.Time
			if v := r.PostFormValue("closes"); v != "" {
				if closes, err = cadre.ParseTime(v); err != nil {
					s.surveysPage(w, r, http.StatusBadRequest, nil, "closes: "+cadre.ErrorMessage(err), "")
					return
				}
			}
			var opened OpenedSurveyJSON
			err := s.readStandings(r, func(eng *standings.Engine) (err error) {
				opened, err = OpenSurvey(r.Context(), s.store, q, eng.Criteria().Location(), s.now(), closes, r.PostFormValue("anonymous") != "", who(r).actor(), s.linkBase(r))
				return err
			})
			if err != nil {
				s.surveysPage(w, r, statusOf(err), nil, cadre.ErrorMessage(err), "")
				return
			}
			s.surveysPage(w, r, http.StatusCreated, &opened, "", "")
		case "remind":
			n, err := RemindSurvey(r.Context(), s.store, q, who(r).actor(), s.linkBase(r))
			if err != nil {
				s.surveysPage(w, r, statusOf(err), nil, cadre.ErrorMessage(err), "")
				return
			}
			s.surveysPage(w, r, http.StatusOK, nil, "", strconv.Itoa(n)+" ambassadors reminded")
		default:
			s.surveysPage(w, r, http.StatusBadRequest, nil, "action must be open or remind", "")
		}
	})
}
