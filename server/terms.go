package server

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cadrehq/cadre"
	"github.com/cadrehq/cadre/program"
)

// TermAdmin is what a member's page changes of their terms in the store:
// an admin's start or end, each with a reason, audited.
type TermAdmin interface {
	StartTerm(ctx context.Context, t *program.Term, actor string) error
	EndTerm(ctx context.Context, termID int64, end time.Time, by program.EndReason, reason, actor string) error
}

// termForm is what the member page's forms send: action start (at, via,
// reason) or end (term, as, at, reason). Refused, it is drawn again as sent.
type termForm struct {
	Action string
	Term   int64
	At     string // a date, as the page shows them
	Via    string
	As     string
	Reason string
}

// termForms are the page's start and end forms: their defaults (today, the
// CLI's via, resigned), or what was sent and refused.
func termForms(sent termForm, now time.Time) (start, end termForm) {
	today := now.UTC().Format(time.DateOnly)
	start = termForm{Action: "start", At: today, Via: string(program.ViaInvitation)}
	end = termForm{Action: "end", At: today, As: string(program.EndResigned)}
	switch sent.Action {
	case "start":
		start = sent
	case "end":
		end = sent
	}
	return start, end
}

// termDate reads a form's date as the first instant of that day in UTC, as
// the page shows dates; today's date, the default, is now, so that a term
// started or ended today does not reach back to midnight, over a term that
// ended or began earlier that day.
func termDate(v string, now time.Time) (time.Time, error) {
	v = strings.TrimSpace(v)
	if v == "" || v == now.UTC().Format(time.DateOnly) {
		return now, nil
	}
	t, err := cadre.ParseTime(v)
	if err != nil {
		return time.Time{}, cadre.Errorf(cadre.EINVALID, "date: %s", cadre.ErrorMessage(err))
	}
	return t, nil
}

// handleTermsForm starts a term of the member or ends their open one, then
// shows their page again; a refusal shows it with the reason and the form
// as sent, nothing changed. The rules are the store's (program.CheckTerm).
func (s *Server) handleTermsForm() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, 1<<12)
		id, err := memberID(r)
		if err != nil {
			s.failPage(w, r, err)
			return
		}
		f := termForm{Action: r.PostFormValue("action"), At: r.PostFormValue("at"), Via: r.PostFormValue("via"),
			As: r.PostFormValue("as"), Reason: strings.TrimSpace(r.PostFormValue("reason"))}
		f.Term, _ = strconv.ParseInt(r.PostFormValue("term"), 10, 64) // 0, no term, when unreadable
		if err := s.changeTerm(r, id, f); err != nil {
			if statusOf(err) == http.StatusInternalServerError {
				s.log.Error("change term", "member", id, "err", err)
			}
			s.memberPage(w, r, statusOf(err), id, f, cadre.ErrorMessage(err))
			return
		}
		http.Redirect(w, r, "/members/"+itoa(id), http.StatusSeeOther) //nolint:gosec // a path of this server, the member ID a number
	})
}

// changeTerm does what f asks of member id's terms, as the request's
// principal.
func (s *Server) changeTerm(r *http.Request, id int64, f termForm) error {
	if f.Action != "start" && f.Action != "end" {
		return cadre.Errorf(cadre.EINVALID, "action must be start or end")
	}
	at, err := termDate(f.At, s.now())
	if err != nil {
		return err
	}
	if f.Action == "start" {
		return s.store.StartTerm(r.Context(), &program.Term{MemberID: id, Start: at, Via: program.Via(f.Via), Reason: f.Reason}, who(r).actor())
	}
	// The form names the term by its ID, which alone would end another
	// member's term from this member's page.
	terms, err := s.store.Terms(r.Context(), id)
	if err != nil {
		return err
	}
	if !slices.ContainsFunc(terms, func(t program.Term) bool { return t.ID == f.Term }) {
		return cadre.Errorf(cadre.ENOTFOUND, "member %d has no term %d", id, f.Term)
	}
	return s.store.EndTerm(r.Context(), f.Term, at, program.EndReason(f.As), f.Reason, who(r).actor())
}
