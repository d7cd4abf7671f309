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
	s.mux.Handle("GET /leaderboard", s.handleLeaderboardPage())
	s.mux.Handle("GET /members/{id}", s.handleMemberPage())
	s.mux.Handle("GET /review", s.handleReviewPage())
	s.mux.Handle("GET /sources", s.handleSourcesPage())
	s.mux.Handle("GET /api/v1/members", s.handleMembers())
	s.mux.Handle("GET /api/v1/members/{id}", s.handleMember())
	s.mux.Handle("GET /api/v1/members/{id}/score", s.handleMemberScore())
	s.mux.Handle("GET /api/v1/activities", s.handleActivities())
	s.mux.Handle("GET /api/v1/leaderboard", s.handleLeaderboard())
	s.mux.Handle("GET /api/v1/sources", s.handleSources())
	s.mux.Handle("GET /api/v1/program/share", s.handleShare())
	s.mux.Handle("POST /api/v1/criteria/calibrate", s.handleCalibrate())
	s.mux.Handle("POST /webhooks/github", s.handleGitHubWebhook())
	s.mux.Handle("POST /webhooks/discourse", s.handleDiscourseWebhook())
	s.mux.Handle("POST /api/v1/reports", s.handleReport())
	s.mux.Handle("GET /api/v1/reports", s.handleReports())
	s.mux.Handle("POST /api/v1/reports/{id}/review", s.handleReview())
	s.mux.Handle("GET /api/v1/merge-suggestions", s.handleMergeSuggestions())
	s.mux.Handle("POST /api/v1/merges", s.handleMerge())
	s.mux.Handle("POST /api/v1/merges/{id}/undo", s.handleUnmerge())
}
