package server

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/cadrehq/cadre"
	"github.com/cadrehq/cadre/program"
	"github.com/cadrehq/cadre/standings"
)

// Applications is what the public form needs of the store.
type Applications interface {
	SubmitApplication(ctx context.Context, a *program.Application, mail func(a *program.Application, secret string) []cadre.Mail) (string, error)
	ApplicationBySecret(ctx context.Context, secret string) (*program.Application, error)
	WithdrawApplication(ctx context.Context, secret string) (*program.Application, error)
}

// applyPage is the data of templates/apply.html.
type applyPage struct {
	Name, Email, Handles, Motivation, Links string
	Error                                   string
}

// applicationPage is the data of templates/application.html: an
// applicant's view of their application, through their link.
type applicationPage struct {
	Application *program.Application
	Link        string // the personal link, on the confirmation
	Secret      string
}

// honeypot is the form field people never see and bots fill in.
const honeypot = "website"

func (s *Server) handleApplyPage() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.render(w, r, "apply.html", applyPage{})
	})
}

// handleApply takes the public form: name, email, handles, motivation and
// links. A few a while from one address; a bot that fills the hidden field
// is thanked and forgotten.
func (s *Server) handleApply() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, 1<<16)
		if err := r.ParseForm(); err != nil {
			s.failPage(w, r, cadre.Errorf(cadre.EINVALID, "read the form: %w", err))
			return
		}
		f := applyPage{Name: r.PostFormValue("name"), Email: r.PostFormValue("email"), Handles: r.PostFormValue("handles"),
			Motivation: r.PostFormValue("motivation"), Links: r.PostFormValue("links")}
		if r.PostFormValue(honeypot) != "" {
			s.log.Info("application refused: the hidden field was filled", "remote", remoteAddr(r))
			s.renderStatus(w, r, http.StatusOK, "application.html", applicationPage{Application: &program.Application{Name: f.Name, State: program.ApplicationSubmitted}})
			return
		}
		addr := remoteAddr(r)
		if wait := s.applyLimit.Wait("", addr, s.now()); wait > 0 {
			f.Error = "Too many applications from your address: try again later."
			s.renderStatus(w, r, http.StatusTooManyRequests, "apply.html", f)
			return
		}
		a, err := program.ParseApplication(f.Name, f.Email, f.Handles, f.Motivation, f.Links)
		var secret string
		if err == nil {
			secret, err = Submit(r.Context(), s.store, a, s.linkBase(r))
		}
		if err != nil {
			if statusOf(err) == http.StatusInternalServerError {
				s.failPage(w, r, err)
				return
			}
			f.Error = cadre.ErrorMessage(err)
			s.renderStatus(w, r, statusOf(err), "apply.html", f)
			return
		}
		s.applyLimit.Fail("", addr, s.now()) // counts submissions, not failures
		s.renderStatus(w, r, http.StatusCreated, "application.html",
			applicationPage{Application: a, Link: ApplicationLink(s.linkBase(r), secret), Secret: secret})
	})
}

func (s *Server) handleApplicationPage() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a, err := s.store.ApplicationBySecret(r.Context(), r.PathValue("secret"))
		if err != nil {
			s.failPage(w, r, err)
			return
		}
		s.render(w, r, "application.html", applicationPage{Application: a, Secret: r.PathValue("secret")})
	})
}

// handleWithdraw withdraws the application of the link.
func (s *Server) handleWithdraw() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a, err := s.store.WithdrawApplication(r.Context(), r.PathValue("secret"))
		if err != nil {
			s.failPage(w, r, err)
			return
		}
		s.render(w, r, "application.html", applicationPage{Application: a})
	})
}

// ApplicationReview is what the reviewers' queue needs of the store.
type ApplicationReview interface {
	Applications(ctx context.Context, state program.ApplicationState) ([]program.Application, error)
	MemberApplications(ctx context.Context, memberID int64) ([]program.Application, error)
	ApplicationNotes(ctx context.Context, id int64) ([]program.Note, error)
	AddApplicationNote(ctx context.Context, id int64, author, text string) error
	Application(ctx context.Context, id int64) (*program.Application, error)
	DecideApplication(ctx context.Context, id int64, accept bool, reason, reviewer string,
		mail func(a *program.Application) []cadre.Mail) (*program.Application, error)
}

// applicationsPage is the data of templates/applications.html.
type applicationsPage struct {
	Rows    []applicationRow
	State   string // the state listed, "" for every one
	Achieve float64
	Message string
	CSV     string // URL of the list as CSV
}

// applicationRow is an application in the queue, with the standing of the
// member it resolves to.
type applicationRow struct {
	program.Application
	Member  string  // the member's name, "" when none is known
	Score   float64 // now
	ToGo    float64 // points to achieve
	Handles string
	Notes   []program.Note
}

func (s *Server) applicationsPage(w http.ResponseWriter, r *http.Request, status int, message string) {
	state := program.ApplicationState(r.URL.Query().Get("state"))
	switch state {
	case "":
		state = program.ApplicationSubmitted
	case "all":
		state = ""
	case program.ApplicationSubmitted, program.ApplicationAccepted, program.ApplicationRejected, program.ApplicationWithdrawn:
	default:
		s.failPage(w, r, cadre.Errorf(cadre.EINVALID, "state must be submitted, accepted, rejected, withdrawn or all, got %q", state))
		return
	}
	apps, err := s.store.Applications(r.Context(), state)
	if err != nil {
		s.failPage(w, r, err)
		return
	}
	page := applicationsPage{State: string(state), Message: message, CSV: csvLink(r)}
	names := s.names(r)
	err = s.readStandings(r, func(eng *standings.Engine) error {
		page.Achieve = eng.Criteria().Thresholds.Achieve
		for _, a := range apps {
			row := applicationRow{Application: a}
			var hs []string
			for _, h := range a.Handles {
				hs = append(hs, h.Platform+":"+h.Handle)
			}
			row.Handles = strings.Join(hs, ", ")
			if a.MemberID != 0 {
				row.Member, row.Score = names(a.MemberID), eng.Score(a.MemberID, s.now())
				row.ToGo = max(0, page.Achieve-row.Score)
			}
			var err error
			if row.Notes, err = s.store.ApplicationNotes(r.Context(), a.ID); err != nil {
				return err
			}
			page.Rows = append(page.Rows, row)
		}
		return nil
	})
	if err != nil {
		s.failPage(w, r, err)
		return
	}
	if wantsCSV(r) {
		rows := make([][]string, len(page.Rows))
		for i, a := range page.Rows {
			var member, score, togo, decided string
			if a.MemberID != 0 {
				member, score, togo = itoa(a.MemberID), ftoa(a.Score), ftoa(a.ToGo)
			}
			if !a.DecidedAt.IsZero() {
				decided = a.DecidedAt.Format(time.RFC3339)
			}
			rows[i] = []string{itoa(a.ID), a.Name, a.Email, a.Handles, string(a.State), a.At.Format(time.RFC3339), member, score, togo,
				decided, a.Reviewer, a.Reason, strconv.Itoa(len(a.Notes))}
		}
		writeCSV(w, "applications", []string{"id", "name", "email", "handles", "state", "at", "member_id", "score", "to_achieve",
			"decided_at", "reviewer", "reason", "notes"}, rows)
		return
	}
	s.renderStatus(w, r, status, "applications.html", page)
}

func (s *Server) handleApplicationsPage() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.applicationsPage(w, r, http.StatusOK, "")
	})
}

// handleApplicationsForm accepts or rejects (with a reason) one
// application, or adds a note to it.
func (s *Server) handleApplicationsForm() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, 1<<14)
		id, err := strconv.ParseInt(r.PostFormValue("id"), 10, 64)
		decision := r.PostFormValue("decision")
		if err != nil || decision != "accept" && decision != "reject" && decision != "note" {
			s.applicationsPage(w, r, http.StatusBadRequest, "accept, reject or note an application")
			return
		}
		if decision == "note" {
			if err := s.store.AddApplicationNote(r.Context(), id, who(r).actor(), r.PostFormValue("note")); err != nil {
				s.applicationsPage(w, r, statusOf(err), cadre.ErrorMessage(err))
				return
			}
			http.Redirect(w, r, "/applications", http.StatusSeeOther)
			return
		}
		err = s.readStandings(r, func(eng *standings.Engine) error {
			_, err := Decide(r.Context(), s.store, eng, id, decision == "accept", strings.TrimSpace(r.PostFormValue("reason")), who(r).actor(), s.now(), s.linkBase(r))
			return err
		})
		if err != nil {
			s.applicationsPage(w, r, statusOf(err), cadre.ErrorMessage(err))
			return
		}
		http.Redirect(w, r, "/applications", http.StatusSeeOther)
	})
}
