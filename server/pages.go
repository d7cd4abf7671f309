package server

import (
	"bytes"
	"html/template"
	"io"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cadrehq/cadre"
	"github.com/cadrehq/cadre/account"
	"github.com/cadrehq/cadre/program"
	"github.com/cadrehq/cadre/standings"
)

// membersPage is the data of templates/members.html.
type membersPage struct {
	Members []cadre.MemberSummary
	Total   int
	Status  string
	Query   string
	Offset  int
	Limit   int
	Prev    string // URL of the previous page, "" on the first
	Next    string // URL of the next page, "" on the last
	CSV     string // URL of every match as CSV
	// ByID is set when a search matched more than Ranked members, which
	// are then listed by ID rather than by activity.
	ByID   bool
	Ranked int
}

func (s *Server) handleMembersPage() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		offset, limit, err := pageParams(q)
		if err != nil {
			s.failPage(w, r, err)
			return
		}
		status := cadre.MemberStatus(q.Get("status"))
		if status != "" && !status.Valid() {
			status = ""
		}
		f := cadre.MemberFilter{Status: status, Query: q.Get("q"), NoEmails: !who(r).can(account.ReadEmails, false), Offset: offset, Limit: limit}
		if wantsCSV(r) {
			s.membersCSV(w, r, f)
			return
		}
		ms, total, err := s.store.Members(r.Context(), f)
		if err != nil {
			s.failPage(w, r, err)
			return
		}
		p := membersPage{Members: ms, Total: total, Status: string(status), Query: q.Get("q"), Offset: offset, Limit: limit, CSV: csvLink(r),
			ByID: f.Query != "" && total > cadre.RankedMatches, Ranked: cadre.RankedMatches}
		link := func(off int) string {
			v := url.Values{}
			if p.Status != "" {
				v.Set("status", p.Status)
			}
			if p.Query != "" {
				v.Set("q", p.Query)
			}
			v.Set("offset", strconv.Itoa(off))
			return "/?" + v.Encode()
		}
		if offset > 0 {
			p.Prev = link(max(0, offset-limit))
		}
		if offset+limit < total {
			p.Next = link(offset + limit)
		}
		s.render(w, r, "members.html", p)
	})
}

// membersCSV writes every member f matches, with their emails for those
// who may read them.
func (s *Server) membersCSV(w http.ResponseWriter, r *http.Request, f cadre.MemberFilter) {
	var rows [][]string
	f.Offset, f.Limit = 0, maxPage
	for {
		ms, total, err := s.store.Members(r.Context(), f)
		if err != nil {
			s.failPage(w, r, err)
			return
		}
		for _, m := range ms {
			row := []string{itoa(m.ID), m.Name, string(m.Status), strconv.FormatBool(m.Staff), strconv.FormatBool(m.Bot), strconv.Itoa(m.Activities)}
			if !f.NoEmails {
				row = append(row, strings.Join(m.Emails, " "))
			}
			rows = append(rows, row)
		}
		if f.Offset += len(ms); len(ms) == 0 || f.Offset >= total {
			break
		}
	}
	header := []string{"id", "name", "status", "staff", "bot", "activities"}
	if !f.NoEmails {
		header = append(header, "emails")
	}
	writeCSV(w, "members", header, rows)
}

// errorPage is the data of templates/error.html.
type errorPage struct {
	Title   string
	Message string
}

// failPage answers a page's request with an HTML page saying what went
// wrong, with the error's status; internal errors are logged, not shown.
func (s *Server) failPage(w http.ResponseWriter, r *http.Request, err error) {
	status := statusOf(err)
	if status == http.StatusInternalServerError {
		s.log.Error("page failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	s.renderStatus(w, r, status, "error.html", errorPage{Title: http.StatusText(status), Message: cadre.ErrorMessage(err)})
}

// render executes a page into a buffer first, so a template error becomes a
// clean 500 rather than half a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, name string, data any) {
	s.renderStatus(w, r, http.StatusOK, name, data)
}

// viewer is who a page is drawn for, as the layout's navigation needs it:
// the links a role may follow.
type viewer struct {
	Email            string
	Path             string // of the page, for the menu to show where it is
	Program, Reviews bool   // may read the program, may review
	Admin            bool   // may administer
	MemberID         int64  // their own member, for ambassadors
}

// navMark is where the layout's header takes the menu, which depends on who
// asks rather than on the page: drawn apart and put in its place, so that
// pages keep their data types and the parsed templates serve every request.
var navMark = []byte("<cadre-nav></cadre-nav>") // html/template drops comments: an element it keeps

// insertNav replaces the layout's mark with the menu for v (nothing for
// nobody).
func (s *Server) insertNav(page *bytes.Buffer, v *viewer) error {
	var nav bytes.Buffer
	if v != nil {
		if err := s.pages.ExecuteTemplate(&nav, "nav", v); err != nil {
			return err
		}
	}
	out := bytes.Replace(page.Bytes(), navMark, nav.Bytes(), 1)
	page.Reset()
	page.Write(out)
	return nil
}

func (s *Server) renderStatus(w http.ResponseWriter, r *http.Request, status int, name string, data any) {
	var v *viewer
	if p := who(r); p != nil {
		v = &viewer{Email: p.user.Email, Path: r.URL.Path, Program: p.user.Role.Can(account.ReadProgram), Reviews: p.user.Role.Can(account.Review),
			Admin: p.user.Role.Can(account.Administer), MemberID: p.user.MemberID}
	}
	var buf bytes.Buffer
	err := s.pages.ExecuteTemplate(&buf, name, data)
	if err == nil {
		err = s.insertNav(&buf, v)
	}
	if err != nil {
		s.log.Error("render page", "page", name, "err", err)
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = io.WriteString(w, "<!doctype html><title>Internal error · Cadre</title><h1>Internal error</h1><p>The page could not be drawn; the server log says why.</p>")
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = buf.WriteTo(w)
}

// leaderboardPage is the data of templates/leaderboard.html.
type leaderboardPage struct {
	At      time.Time
	Share   standings.Share
	Entries []standings.Entry
	Status  string
	Top     float64 // the best score, for the bars
	CSV     string  // URL of the whole board as CSV
}

func (s *Server) handleLeaderboardPage() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		status := cadre.MemberStatus(r.URL.Query().Get("status"))
		if !status.Valid() {
			status = ""
		}
		at := s.boardTime()
		p := leaderboardPage{At: at, Status: string(status), CSV: csvLink(r)}
		top := 100
		if wantsCSV(r) {
			top = 0 // everyone ranked
		}
		err := s.readStandings(r, func(eng *standings.Engine) error {
			p.Share, p.Entries = eng.Share(at), eng.Leaderboard(at, standings.Options{Top: top, Status: status})
			return nil
		})
		if err != nil {
			s.failPage(w, r, err)
			return
		}
		if wantsCSV(r) {
			rows := make([][]string, len(p.Entries))
			for i, e := range p.Entries {
				rows[i] = []string{strconv.Itoa(e.Rank), itoa(e.MemberID), e.Name, e.Status, ftoa(e.Score)}
			}
			writeCSV(w, "leaderboard", []string{"rank", "member_id", "name", "status", "score"}, rows)
			return
		}
		if len(p.Entries) > 0 {
			p.Top = p.Entries[0].Score
		}
		s.render(w, r, "leaderboard.html", p)
	})
}

// memberPage is the data of templates/member.html.
type memberPage struct {
	Score      *standings.MemberScore
	Chart      template.HTML
	Identities []cadre.Identity
	Terms      []program.Term
	// The ways in: invitations sent to the member and applications that
	// resolved to them, newest first.
	Invitations  []InvitationJSON
	Applications []program.Application
	// Ambassador says the page speaks of maintain (what keeps the status);
	// to others it speaks of achieve (what qualifies), with the points to go
	// and how many activities of each type alone would make them up.
	Ambassador bool
	ToAchieve  float64
	Achieving  []standings.TypeCount
	// CanChangeTerms shows an admin the forms that start a term, when the
	// member holds none open (HoldsTerm), and end the open one.
	CanChangeTerms bool
	HoldsTerm      bool
	Start, End     termForm
	Message        string // why a change of terms was refused
}

func (s *Server) handleMemberPage() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, err := memberID(r)
		if err != nil {
			s.failPage(w, r, err)
			return
		}
		s.memberPage(w, r, http.StatusOK, id, termForm{}, "")
	})
}

// memberPage draws member id's page with a status and, after a refused
// change of terms, the form as sent and why it was refused.
func (s *Server) memberPage(w http.ResponseWriter, r *http.Request, status int, id int64, sent termForm, message string) {
	var ms *standings.MemberScore
	var achieving []standings.TypeCount
	err := s.readStandings(r, func(eng *standings.Engine) (err error) {
		if ms, err = eng.Member(id, s.now()); err != nil {
			return err
		}
		gap := ms.Achieve - ms.Projection.ScoreThen
		for _, t := range eng.Criteria().ActivityTypes {
			if v := t.PointValue(); gap > 0 && v > 0 {
				achieving = append(achieving, standings.TypeCount{Type: t.Key, Count: int(math.Ceil(gap/v - 1e-9))})
			}
		}
		return nil
	})
	if err != nil {
		s.failPage(w, r, err)
		return
	}
	ids, err := s.store.Identities(r.Context(), id)
	if err != nil {
		s.failPage(w, r, err)
		return
	}
	terms, err := s.store.Terms(r.Context(), id)
	if err != nil {
		s.failPage(w, r, err)
		return
	}
	invs, err := s.store.Invitations(r.Context(), id)
	if err != nil {
		s.failPage(w, r, err)
		return
	}
	apps, err := s.store.MemberApplications(r.Context(), id)
	if err != nil {
		s.failPage(w, r, err)
		return
	}
	var invJSON []InvitationJSON
	for i := len(invs) - 1; i >= 0; i-- {
		invJSON = append(invJSON, NewInvitationJSON(&invs[i], s.now()))
	}
	page := memberPage{Score: ms, Chart: scoreChart(ms), Identities: ids, Terms: terms,
		Invitations: invJSON, Applications: apps, Ambassador: ms.Status == string(cadre.StatusAmbassador), ToAchieve: max(0, ms.Achieve-ms.Projection.ScoreThen), Achieving: achieving,
		CanChangeTerms: who(r).can(account.Administer, true), HoldsTerm: slices.ContainsFunc(terms, func(t program.Term) bool { return t.Open() }), Message: message}
	page.Start, page.End = termForms(sent, s.now())
	s.renderStatus(w, r, status, "member.html", page)
}

// reviewPage is the data of templates/review.html.
type reviewPage struct {
	Reports []cadre.Activity
	Total   int
	Names   map[int64]string // member names by ID
}

func (s *Server) handleReviewPage() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		acts, total, err := s.store.Activities(r.Context(), cadre.ActivityFilter{Source: cadre.SelfReportSource, Status: cadre.ActivityPending, Limit: maxPage})
		if err != nil {
			s.failPage(w, r, err)
			return
		}
		slices.Reverse(acts) // oldest first: the longest waiting
		p := reviewPage{Reports: acts, Total: total, Names: map[int64]string{}}
		for _, a := range acts {
			if _, ok := p.Names[a.MemberID]; ok {
				continue
			}
			m, err := s.store.Member(r.Context(), a.MemberID)
			if err != nil {
				s.failPage(w, r, err)
				return
			}
			p.Names[a.MemberID] = m.Name
		}
		s.render(w, r, "review.html", p)
	})
}

// sourcesPage is the data of templates/sources.html.
type sourcesPage struct {
	Sources []sourceRow
}

type sourceRow struct {
	cadre.Source
	Syncing bool
}

func (s *Server) handleSourcesPage() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		srcs, err := s.store.Sources(r.Context())
		if err != nil {
			s.failPage(w, r, err)
			return
		}
		p := sourcesPage{Sources: make([]sourceRow, len(srcs))}
		for i, src := range srcs {
			p.Sources[i] = sourceRow{Source: src, Syncing: src.Syncing(s.now())}
		}
		s.render(w, r, "sources.html", p)
	})
}

func (s *Server) handleNotFound() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		err := cadre.Errorf(cadre.ENOTFOUND, "there is nothing at %s", r.URL.Path)
		if strings.HasPrefix(r.URL.Path, "/api/") {
			s.fail(w, r, err)
			return
		}
		s.failPage(w, r, err)
	})
}
