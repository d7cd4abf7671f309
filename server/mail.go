package server

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/cadrehq/cadre"
	"github.com/cadrehq/cadre/mail"
	"github.com/cadrehq/cadre/program"
	"github.com/cadrehq/cadre/standings"
)

// The changes that write to people: the pages and the CLI make them
// through these, so that each queues the same messages in the outbox, in
// the change's own transaction.

// Outbox is what the outbox page reads and changes.
type Outbox interface {
	Outbox(ctx context.Context, waiting bool, limit int) ([]cadre.Mail, error)
	RetryMail(ctx context.Context, id int64) error
}

// mailLinks are the addresses the messages point to, under base.
func mailLinks(base *url.URL) mail.Links {
	return mail.Links{Base: strings.TrimSuffix(linkBase(base).String(), "/")}
}

// linkBase is base, or the loopback address of a server started without
// --base-url when there is no request to take the host from.
func linkBase(base *url.URL) *url.URL {
	if base == nil {
		return &url.URL{Scheme: "http", Host: "127.0.0.1:8080"}
	}
	return base
}

// Invite invites member id as actor and queues the invitee's message; it
// returns the invitation and its personal link, under base.
func Invite(ctx context.Context, st InvitationAdmin, id int64, actor string, base *url.URL) (*program.Invitation, string, error) {
	inv, secret, err := st.Invite(ctx, id, actor, InvitationMail(base))
	if err != nil {
		return nil, "", err
	}
	return inv, InvitationLink(base, secret), nil
}

// InvitationMail writes an invitation's message, with links under base.
func InvitationMail(base *url.URL) func(m *cadre.Member, inv *program.Invitation, secret string) []cadre.Mail {
	return func(m *cadre.Member, inv *program.Invitation, secret string) []cadre.Mail {
		return mail.Invitation(m, inv, InvitationLink(base, secret), mailLinks(base))
	}
}

// InvitationLink is the invitee's personal link.
func InvitationLink(base *url.URL, secret string) string {
	return linkBase(base).JoinPath("/invitation/" + secret).String()
}

// ApplicationLink is the applicant's personal link.
func ApplicationLink(base *url.URL, secret string) string {
	return linkBase(base).JoinPath("/application/" + secret).String()
}

// Submit stores an application from the public form and queues the
// applicant's confirmation; it returns the secret of the applicant's
// personal link.
func Submit(ctx context.Context, st Applications, a *program.Application, base *url.URL) (string, error) {
	return st.SubmitApplication(ctx, a, func(a *program.Application, secret string) []cadre.Mail {
		return mail.Received(a, ApplicationLink(base, secret), mailLinks(base))
	})
}

// Decide accepts or rejects application id as actor at now and queues the
// applicant's news. A rejection's reason is completed with how far the
// applicant's member is from the bar.
func Decide(ctx context.Context, st ApplicationReview, eng *standings.Engine, id int64, accept bool, reason, actor string, now time.Time, base *url.URL) (*program.Application, error) {
	if !accept && reason != "" {
		a, err := st.Application(ctx, id)
		if err != nil {
			return nil, err
		}
		if a.MemberID != 0 {
			reason += " (" + gap(eng, a.MemberID, now) + ")"
		}
	}
	return st.DecideApplication(ctx, id, accept, reason, actor, func(a *program.Application) []cadre.Mail {
		return mail.Decision(a, mailLinks(base))
	})
}

// gap says how far member id is from achieve at now, naming the activity
// type that counts most.
func gap(eng *standings.Engine, id int64, now time.Time) string {
	c := eng.Criteria()
	best := c.ActivityTypes[0]
	for _, t := range c.ActivityTypes {
		if t.Multiplier > best.Multiplier {
			best = t
		}
	}
	return program.Gap(eng.Score(id, now), c.Thresholds.Achieve, best.Key, best.Multiplier)
}

// outboxPage is the data of templates/outbox.html.
type outboxPage struct {
	Mail    []outboxRow
	Waiting bool // only those not yet sent
	Sending bool // a mail server is set up
	Message string
}

// outboxRow is a message with where it stands.
type outboxRow struct {
	cadre.Mail
	State cadre.MailState
}

// outboxLimit is how many messages the page lists.
const outboxLimit = 500

func (s *Server) outboxPage(w http.ResponseWriter, r *http.Request, status int, message string) {
	page := outboxPage{Waiting: r.URL.Query().Get("waiting") != "", Sending: s.sending, Message: message}
	ms, err := s.store.Outbox(r.Context(), page.Waiting, outboxLimit)
	if err != nil {
		s.failPage(w, r, err)
		return
	}
	for _, m := range ms {
		page.Mail = append(page.Mail, outboxRow{Mail: m, State: m.State()})
	}
	s.renderStatus(w, r, status, "outbox.html", page)
}

func (s *Server) handleOutboxPage() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.outboxPage(w, r, http.StatusOK, "")
	})
}

// handleOutboxRetry makes a message that failed for good due again.
func (s *Server) handleOutboxRetry() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, 1<<12)
		id, err := strconv.ParseInt(r.PostFormValue("id"), 10, 64)
		if err == nil {
			err = s.store.RetryMail(r.Context(), id)
		} else {
			err = cadre.Errorf(cadre.EINVALID, "name the message by its number")
		}
		if err != nil {
			s.outboxPage(w, r, statusOf(err), cadre.ErrorMessage(err))
			return
		}
		http.Redirect(w, r, "/outbox", http.StatusSeeOther)
	})
}
