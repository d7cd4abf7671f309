package server

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cadrehq/cadre"
	"github.com/cadrehq/cadre/account"
	"github.com/cadrehq/cadre/program"
	"github.com/cadrehq/cadre/report"
	"github.com/cadrehq/cadre/reward"
	"github.com/cadrehq/cadre/standings"
	"github.com/cadrehq/cadre/survey"
)

// The portal is where ambassadors work with Cadre: their status and term,
// score, rank and where it heads, their activities, reporting one, the
// survey of the quarter, their rewards, the items of the coming feedback
// sessions and what the executives committed to.

// Portal is what the portal reads and changes of the store, beyond what
// other pages need.
type Portal interface {
	MemberSurvey(ctx context.Context, member int64, now time.Time) (*survey.Survey, *survey.Answer, error)
	AnswerSurveyAs(ctx context.Context, id, member int64, score int, comment string) (*survey.Survey, error)
	MemberGrants(ctx context.Context, memberID int64) ([]reward.Grant, error)
}

// portalPage is the data of templates/portal.html.
type portalPage struct {
	Score      *standings.MemberScore
	Term       *program.Term // open now; nil when none
	Ambassador bool
	Rank, Of   int
	// Outlook says in a sentence where the score heads at the next review.
	Outlook string
	// Activities are the latest, with their points before decay.
	Activities []portalActivity
	Types      []string       // that a report may name
	Grants     []reward.Grant // the rewards granted to them, the latest first
	Survey     *survey.Survey
	Answer     *survey.Answer
	Question   string
	Scores     []int
	// Participate says that the account takes part in the feedback
	// sessions; Sessions are those taking items, with their items.
	Participate bool
	Sessions    []feedbackSession
	// Commitments are the latest made, the newest first, of the
	// CommitmentCount there are, Overdue of them overdue.
	Commitments     []CommitmentJSON
	CommitmentCount int
	Overdue         int
	// BulkLimit is the most reports a batch of POST /api/v1/reports/bulk
	// carries.
	BulkLimit int
	Message   string
	Notice    string
}

// portalActivity is one of the ambassador's activities.
type portalActivity struct {
	cadre.Activity
	Points float64
}

// portalActivities is how many activities the portal lists.
const portalActivities = 25

// portalCommitments is how many commitments the portal lists; the
// commitments page has them all, with their history.
const portalCommitments = 5

// outlook writes where score s heads: to an ambassador, whether they keep
// maintain at the next review and what would make up the gap; to others,
// what qualifies.
func outlook(ms *standings.MemberScore, review program.Quarter, ambassador bool) string {
	p := ms.Projection
	// The fewest activities that would do first: "7 speaking or 8 mentoring".
	examples := func(counts []standings.TypeCount) string {
		counts = slices.Clone(counts)
		slices.SortStableFunc(counts, func(a, b standings.TypeCount) int { return cmp.Compare(a.Count, b.Count) })
		var parts []string
		for i, c := range counts {
			if i == 2 {
				break
			}
			parts = append(parts, fmt.Sprintf("%d %s", c.Count, c.Type))
		}
		return strings.Join(parts, " or ")
	}
	if ambassador {
		if p.PointsNeeded <= 0 {
			return fmt.Sprintf("You keep maintain (%.0f) at the %s review with %.1f points, even with no new activity.", ms.Maintain, review, p.ScoreThen)
		}
		return fmt.Sprintf("You fall below maintain at the %s review unless you earn %.0f more points: for example %s.",
			review, math.Ceil(p.PointsNeeded), examples(p.ToMaintain))
	}
	if gap := ms.Achieve - p.ScoreThen; gap > 0 {
		return fmt.Sprintf("You qualify at %.0f points; with no new activity you will have %.1f at the %s review, %.0f short.", ms.Achieve, p.ScoreThen, review, math.Ceil(gap))
	}
	return fmt.Sprintf("You qualify: %.1f points against a bar of %.0f.", ms.Score, ms.Achieve)
}

func (s *Server) portalPage(w http.ResponseWriter, r *http.Request, status int, message, notice string) {
	id := who(r).user.MemberID
	if id == 0 {
		s.failPage(w, r, cadre.Errorf(cadre.ENOTFOUND, "the portal is for ambassadors: your account is not a member's"))
		return
	}
	page := portalPage{Message: message, Notice: notice, Question: survey.Question, Scores: []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10},
		Participate: who(r).can(account.Participate, true), BulkLimit: report.MaxBatch}
	now := s.now()
	var loc *time.Location // the program's zone
	err := s.readStandings(r, func(eng *standings.Engine) (err error) {
		if page.Score, err = eng.Member(id, now); err != nil {
			return err
		}
		c := eng.Criteria()
		for _, t := range c.ActivityTypes {
			page.Types = append(page.Types, t.Key)
		}
		page.Rank, page.Of = eng.Rank(id, s.boardTime())
		terms, err := s.store.Terms(r.Context(), id)
		if err != nil {
			return err
		}
		for i := range terms {
			if terms[i].Open() || terms[i].End.After(now) {
				if !terms[i].Start.After(now) {
					page.Term = &terms[i]
				}
			}
		}
		page.Ambassador = program.StatusAt(terms, now) == cadre.StatusAmbassador
		page.Outlook = outlook(page.Score, program.QuarterOf(now, c.Location()), page.Ambassador)
		acts, _, err := s.store.Activities(r.Context(), cadre.ActivityFilter{MemberID: id, Limit: portalActivities})
		if err != nil {
			return err
		}
		for _, a := range acts {
			pa := portalActivity{Activity: a}
			if t, ok := c.Type(a.Type); ok && a.Status == cadre.ActivityApproved {
				pa.Points = t.PointValue()
			}
			page.Activities = append(page.Activities, pa)
		}
		loc = c.Location()
		return nil
	})
	if err != nil {
		s.failPage(w, r, err)
		return
	}
	// The sessions and commitments are the store's alone: read once the
	// standings are free for changes again.
	if page.Participate {
		if page.Sessions, err = s.openSessions(r, loc, now, id); err != nil {
			s.failPage(w, r, err)
			return
		}
		for i := range page.Sessions {
			page.Sessions[i].Back = "portal"
		}
	}
	all, err := s.commitments(r.Context(), loc, now)
	if err != nil {
		s.failPage(w, r, err)
		return
	}
	page.CommitmentCount, page.Overdue = len(all.Commitments), all.Overdue
	// The latest made have the highest IDs.
	page.Commitments = slices.SortedFunc(slices.Values(all.Commitments), func(a, b CommitmentJSON) int { return cmp.Compare(b.ID, a.ID) })
	page.Commitments = page.Commitments[:min(len(page.Commitments), portalCommitments)]
	if page.Grants, err = s.store.MemberGrants(r.Context(), id); err != nil {
		s.failPage(w, r, err)
		return
	}
	sv, a, err := s.store.MemberSurvey(r.Context(), id, now)
	if err == nil {
		page.Survey, page.Answer = sv, a
	} else if cadre.ErrorCode(err) != cadre.ENOTFOUND {
		s.failPage(w, r, err)
		return
	}
	s.renderStatus(w, r, status, "portal.html", page)
}

func (s *Server) handlePortal() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.portalPage(w, r, http.StatusOK, "", "")
	})
}

// handlePortalReport reports one of the ambassador's activities, with its
// evidence, for a reviewer to approve.
func (s *Server) handlePortalReport() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, 1<<14)
		id := who(r).user.MemberID
		if id == 0 {
			s.failPage(w, r, cadre.Errorf(cadre.ENOTFOUND, "the portal is for ambassadors: your account is not a member's"))
			return
		}
		req := reportRequest{MemberID: id, Type: r.PostFormValue("type"), Date: r.PostFormValue("date"), Title: r.PostFormValue("title"), URL: r.PostFormValue("url")}
		var err error
		if v := strings.TrimSpace(r.PostFormValue("effort_minutes")); v != "" {
			if req.EffortMinutes, err = strconv.ParseFloat(v, 64); err != nil {
				err = cadre.Errorf(cadre.EINVALID, "effort_minutes must be a number of minutes, got %s", cadre.Quote(v))
			}
		}
		var sr cadre.SelfReport
		if err == nil {
			sr, err = s.checkReport(r, req)
		}
		if err == nil {
			_, err = s.store.Report(r.Context(), sr, who(r).actor())
		}
		if err != nil {
			s.portalPage(w, r, statusOf(err), cadre.ErrorMessage(err), "")
			return
		}
		s.portalPage(w, r, http.StatusCreated, "", "Reported: a reviewer will look at it; it counts once approved")
	})
}

// handlePortalSurvey takes the ambassador's answer to the open survey.
func (s *Server) handlePortalSurvey() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, 1<<14)
		id := who(r).user.MemberID
		sv, err := strconv.ParseInt(r.PostFormValue("survey"), 10, 64)
		score, serr := strconv.Atoi(r.PostFormValue("score"))
		if err == nil && serr == nil {
			_, err = s.store.AnswerSurveyAs(r.Context(), sv, id, score, strings.TrimSpace(r.PostFormValue("comment")))
		} else {
			err = cadre.Errorf(cadre.EINVALID, "choose a score from 0 to 10")
		}
		if err != nil {
			s.portalPage(w, r, statusOf(err), cadre.ErrorMessage(err), "")
			return
		}
		s.portalPage(w, r, http.StatusOK, "", "Thank you: your answer is recorded, and you can change it until the survey closes")
	})
}
