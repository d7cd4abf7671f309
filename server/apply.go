package server

import (
	"context"
	"net/http"

	"github.com/cadrehq/cadre"
	"github.com/cadrehq/cadre/program"
)

// Applications is what the public form needs of the store.
type Applications interface {
	SubmitApplication(ctx context.Context, a *program.Application) (string, error)
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
			secret, err = s.store.SubmitApplication(r.Context(), a)
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
			applicationPage{Application: a, Link: s.linkBase(r).JoinPath("/application/" + secret).String(), Secret: secret})
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
