package server

import (
	"io/fs"
	"net/http"
)

func (s *Server) routes() {
	static, _ := fs.Sub(assets, "static")
	s.mux.Handle("GET /static/", http.StripPrefix("/static/", http.FileServerFS(static)))
	s.mux.Handle("GET /healthz", s.handleHealth())
	s.mux.Handle("GET /{$}", s.handleMembersPage())
	s.mux.Handle("GET /api/v1/members", s.handleMembers())
	s.mux.Handle("GET /api/v1/members/{id}", s.handleMember())
	s.mux.Handle("GET /api/v1/activities", s.handleActivities())
}
