package server

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/cadrehq/cadre"
	"github.com/cadrehq/cadre/account"
)

func (s *Server) handleHealth() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := s.store.CheckSchema(r.Context()); err != nil {
			s.fail(w, r, err)
			return
		}
		// How far this instance's standings have caught up with the store's
		// changes, for operators of several instances.
		health := struct {
			Status       string `json:"status"`
			StandingsSeq int64  `json:"standings_seq"`
			ChangeSeq    int64  `json:"change_seq"`
		}{Status: "ok", StandingsSeq: s.live.Seq()}
		var err error
		if health.ChangeSeq, err = s.store.ChangeSeq(r.Context()); err != nil {
			s.fail(w, r, err)
			return
		}
		s.writeJSON(w, http.StatusOK, health)
	})
}

// page is the envelope of every paginated listing.
type page[T any] struct {
	Items  []T `json:"items"`
	Total  int `json:"total"`
	Offset int `json:"offset"`
	Limit  int `json:"limit"`
}

func (s *Server) handleMembers() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		offset, limit, err := pageParams(q)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		f := cadre.MemberFilter{Query: q.Get("q"), NoEmails: !who(r).can(account.ReadEmails, false), Offset: offset, Limit: limit}
		if f.Status, err = statusParam(q); err != nil {
			s.fail(w, r, err)
			return
		}
		ms, total, err := s.store.Members(r.Context(), f)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		out := page[MemberJSON]{Items: make([]MemberJSON, len(ms)), Total: total, Offset: offset, Limit: limit}
		for i := range ms {
			out.Items[i] = NewMemberSummaryJSON(&ms[i])
			redactEmails(r, &out.Items[i])
		}
		s.writeJSON(w, http.StatusOK, out)
	})
}

func (s *Server) handleMember() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, err := memberID(r)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		m, err := s.store.Member(r.Context(), id)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		j := NewMemberJSON(m)
		redactEmails(r, &j)
		s.writeJSON(w, http.StatusOK, j)
	})
}

func (s *Server) handleActivities() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f, err := activityFilter(r.URL.Query())
		if err != nil {
			s.fail(w, r, err)
			return
		}
		acts, total, err := s.store.Activities(r.Context(), f)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		out := page[ActivityJSON]{Items: make([]ActivityJSON, len(acts)), Total: total, Offset: f.Offset, Limit: f.Limit}
		for i := range acts {
			out.Items[i] = NewActivityJSON(&acts[i])
		}
		s.writeJSON(w, http.StatusOK, out)
	})
}

func activityFilter(q url.Values) (cadre.ActivityFilter, error) {
	var f cadre.ActivityFilter
	var err error
	if f.Offset, f.Limit, err = pageParams(q); err != nil {
		return f, err
	}
	if v := q.Get("member"); v != "" {
		if f.MemberID, err = strconv.ParseInt(v, 10, 64); err != nil {
			return f, cadre.Errorf(cadre.EINVALID, "member must be a member id, got %q", v)
		}
	}
	f.Type, f.Source = q.Get("type"), q.Get("source")
	if f.Since, err = timeParam(q, "since"); err != nil {
		return f, err
	}
	f.Until, err = timeParam(q, "until")
	return f, err
}

// redactEmails empties a member's addresses for those who may not read
// them, unless the member is themselves.
func redactEmails(r *http.Request, m *MemberJSON) {
	if p := who(r); !p.can(account.ReadEmails, false) && !p.owns(m.ID) {
		m.Emails = []string{}
	}
}
