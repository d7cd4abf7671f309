// Package server is Cadre's HTTP interface: the HTML pages and the JSON API
// over one store. Every route is listed in routes.go.
package server

import (
	"embed"
	"encoding/json"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"time"

	"github.com/cadrehq/cadre"
	"github.com/cadrehq/cadre/store"
)

//go:embed templates static
var assets embed.FS

// Server serves Cadre over HTTP.
type Server struct {
	store      *store.Store
	log        *slog.Logger
	pages      *template.Template
	mux        *http.ServeMux
	handler    http.Handler // mux with request logging
	rank       rankings
	webhooks   Webhooks
	deliveries groupCommit
	// autoMergeAt is the confidence from which sync rounds merge members.
	autoMergeAt float64
}

// New returns the HTTP interface of Cadre over st.
func New(log *slog.Logger, st *store.Store, opts ...Option) (*Server, error) {
	pages, err := template.New("").Funcs(template.FuncMap{
		"date":     func(t time.Time) string { return t.Format("2006-01-02") },
		"datetime": func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") },
		"percent":  func(f float64) string { return fmt.Sprintf("%.1f%%", f*100) },
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
	s := &Server{store: st, log: log, pages: pages, mux: http.NewServeMux()}
	for _, o := range opts {
		o(s)
	}
	s.routes()
	s.handler = s.logRequests(s.mux)
	return s, nil
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// now is the server's clock: the store's, which tests fix.
func (s *Server) now() time.Time { return s.store.Now() }

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
	writeJSON(w, status, map[string]string{"error": cadre.ErrorMessage(err)})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(v)
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
