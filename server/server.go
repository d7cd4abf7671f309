// Package server is Cadre's HTTP interface: the HTML pages, the JSON API and
// the webhook receivers over one store and its live standings. Every route is
// listed in routes.go. It serves and nothing else: the jobs that run beside
// it are the worker's.
package server

import (
	"bytes"
	"context"
	"embed"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/cadrehq/cadre"
	"github.com/cadrehq/cadre/account"
	"github.com/cadrehq/cadre/reward"
	"github.com/cadrehq/cadre/standings"
)

//go:embed templates static
var assets embed.FS

// Store is what the server reads and changes in the store.
type Store interface {
	Accounts
	CriteriaDrafts
	WhatIfStore
	Program
	TermAdmin
	Outbox
	Roster
	Surveys
	Portal
	Hooks
	Rewards
	Sessions
	Invitations
	InvitationAdmin
	Applications
	ApplicationReview
	CheckSchema(ctx context.Context) error
	ChangeSeq(ctx context.Context) (int64, error)
	Members(ctx context.Context, f cadre.MemberFilter) ([]cadre.MemberSummary, int, error)
	Member(ctx context.Context, id int64) (*cadre.Member, error)
	Identities(ctx context.Context, memberID int64) ([]cadre.Identity, error)
	Activities(ctx context.Context, f cadre.ActivityFilter) ([]cadre.Activity, int, error)
	Activity(ctx context.Context, id int64) (*cadre.Activity, error)
	Report(ctx context.Context, r cadre.SelfReport, actor string) (*cadre.Activity, error)
	// Reports stores a batch of reports in one transaction: all or none.
	Reports(ctx context.Context, rs []cadre.SelfReport, actor string) ([]cadre.Activity, error)
	ReviewReport(ctx context.Context, id int64, approve bool, actor, reason string) error
	MergeSuggestions(ctx context.Context) ([]cadre.MergeSuggestion, error)
	MergeMembers(ctx context.Context, from, into int64, actor, reason string) (int64, error)
	UnmergeMembers(ctx context.Context, mergeID int64, actor, reason string) error
	Sources(ctx context.Context) ([]cadre.Source, error)
	// ImportDeliveries imports webhook deliveries in one transaction and
	// says which were new.
	ImportDeliveries(ctx context.Context, ds []cadre.Delivery) (fresh []bool, res cadre.ImportResult, err error)
}

// Server serves Cadre over HTTP.
type Server struct {
	store      Store
	accounts   Accounts
	live       *standings.Live
	log        *slog.Logger
	now        func() time.Time
	pages      *template.Template
	mux        *http.ServeMux
	handler    http.Handler // mux with request logging
	webhooks   Webhooks
	deliveries groupCommit
	// table lists the routes with their rules, as handle registered them.
	table []Route
	// baseURL is the address people reach the server at, when set: the
	// Host every request must name, and https:// makes cookies Secure.
	baseURL    *url.URL
	sending    bool // a mail server delivers the outbox
	healths    healthCache
	limiter    *account.Limiter
	applyLimit *account.Limiter // applications from one address
	unsigned   chan struct{}    // a slot for each webhook body being read
	demoLogins []DemoLogin
	oidc       *OIDC        // nil: no single sign-on
	github     *GitHubLogin // nil: no sign-in with GitHub
}

// WithBaseURL tells the server the address people reach it at.
func WithBaseURL(u *url.URL) Option { return func(s *Server) { s.baseURL = u } }

// WithMailServer says that a mail server delivers the outbox, so that the
// outbox page says so.
func WithMailServer() Option { return func(s *Server) { s.sending = true } }

// Option configures a Server.
type Option func(*Server)

// WithClock makes the server tell time by now (tests fix it); time.Now by
// default.
func WithClock(now func() time.Time) Option { return func(s *Server) { s.now = now } }

// New returns the HTTP interface of Cadre over st and its live standings.
func New(log *slog.Logger, st Store, live *standings.Live, opts ...Option) (*Server, error) {
	pages, err := template.New("").Funcs(template.FuncMap{
		"date": func(t time.Time) string { return t.Format("2006-01-02") },
		"list": func(s ...string) []string { return s },
		"inc":  func(i int) int { return i + 1 },
		"sub":  func(a, b int) int { return a - b },
		"join": func(s []string) string { return strings.Join(s, ", ") },
		// nextStates are the states a reward's grant may move to.
		"nextStates": func(s string) []reward.State { return reward.Next(reward.State(s)) },
		// opt writes a figure that may be undefined (nil) with the digits
		// given, or a dash.
		"opt": func(f *float64, digits int) string {
			if f == nil {
				return "–"
			}
			return strconv.FormatFloat(*f, 'f', digits, 64)
		},
		"excuse":   func(quarter, member string) excuseForm { return excuseForm{quarter, member} },
		"datetime": func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") },
		"percent":  percent,
		// pctOf is a share in percent, undefined (nil) kept so.
		"pctOf": func(f *float64) *float64 {
			if f == nil {
				return nil
			}
			v := *f * 100
			return &v
		},
		// groupTable titles a fairness view's groups for their table.
		"groupTable": func(title string, gs []GroupJSON) groupTable { return groupTable{title, gs} },
		// meter is the width of a score's bar, in percent of the best score.
		"meter": func(score, top float64) float64 {
			if top <= 0 {
				return 0
			}
			return max(0, min(100, 100*score/top))
		},
	}).ParseFS(assets, "templates/*.html")
	if err != nil {
		return nil, fmt.Errorf("parse templates: %w", err)
	}
	s := &Server{store: st, accounts: st, live: live, log: log, now: time.Now, pages: pages, mux: http.NewServeMux(), limiter: account.NewLimiter(), applyLimit: account.NewLimiter(),
		unsigned: make(chan struct{}, maxUnsigned)}
	for _, o := range opts {
		o(s)
	}
	s.routes()
	// Every state-changing request from a browser must come from this
	// server's own pages (Sec-Fetch-Site and Origin, net/http's check);
	// clients that are no browser send neither and pass.
	cop := http.NewCrossOriginProtection()
	// The public form may be posted from other sites, which link to it; it
	// opens no session and changes nothing of anyone's.
	cop.AddInsecureBypassPattern("POST /apply")
	s.handler = s.logRequests(s.checkHost(cop.Handler(s.mux)))
	return s, nil
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// statusOf maps an application error code to its HTTP status; this is the
// only place that knows both vocabularies.
func statusOf(err error) int {
	switch cadre.ErrorCode(err) {
	case cadre.EINVALID:
		return http.StatusBadRequest
	case cadre.ENOTFOUND:
		return http.StatusNotFound
	case cadre.ECONFLICT:
		return http.StatusConflict
	case cadre.EUNAUTHORIZED:
		return http.StatusUnauthorized
	case cadre.EFORBIDDEN:
		return http.StatusForbidden
	case cadre.ETOOMANY:
		return http.StatusTooManyRequests
	case cadre.EUNSUPPORTED:
		return http.StatusUnsupportedMediaType
	case cadre.EMISDIRECTED:
		return http.StatusMisdirectedRequest
	case cadre.ETOOLARGE:
		return http.StatusRequestEntityTooLarge
	default:
		return http.StatusInternalServerError
	}
}

// fail logs internal errors and answers with the error's message.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	status := statusOf(err)
	if status == http.StatusInternalServerError {
		s.log.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	s.writeJSON(w, status, map[string]string{"error": cadre.ErrorMessage(err)})
}

// writeJSON answers v as JSON, encoded first so that a value that cannot be
// encoded (a NaN, say) is a logged 500, never an empty 200.
func (s *Server) writeJSON(w http.ResponseWriter, status int, v any) {
	var buf bytes.Buffer
	if err := WriteJSON(&buf, v); err != nil {
		s.log.Error("encode response", "err", err)
		status = http.StatusInternalServerError
		buf.Reset()
		buf.WriteString(`{"error": "internal error"}` + "\n")
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = buf.WriteTo(w) // the client went away: nothing to tell it
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}

func (s *Server) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, r)
		s.log.Debug("request", "method", r.Method, "path", r.URL.Path, "status", rec.status, "duration", time.Since(start))
	})
}
