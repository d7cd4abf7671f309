package server

import (
	"io/fs"
	"net/http"

	"github.com/cadrehq/cadre/account"
)

// routes lists every route with who may use it (auth.go): public routes are
// the login, health, static files and the webhooks, whose signature is their
// key; every other route needs an account whose role allows its action.
func (s *Server) routes() {
	static, _ := fs.Sub(assets, "static")
	s.handle("GET /static/", public, http.StripPrefix("/static/", http.FileServerFS(static)))
	s.handle("GET /healthz", public, s.handleHealth())
	s.handle("GET /login", public, s.handleLoginPage())
	s.handle("POST /login", public, s.handleLogin())
	if len(s.demoLogins) > 0 {
		s.handle("POST /login/demo", public, s.handleDemoLogin())
	}
	if s.oidc != nil {
		s.handle("GET /login/oidc", public, s.handleOIDCStart())
		s.handle("GET /login/oidc/callback", public, s.handleOIDCCallback())
	}
	if s.github != nil {
		s.handle("GET /login/github", public, s.handleGitHubStart())
		s.handle("GET /login/github/callback", public, s.handleGitHubCallback())
	}
	s.handle("POST /logout", signedIn, s.handleLogout())
	s.handle("GET /criteria", public, s.handleCriteriaPage())
	s.handle("GET /apply", public, s.handleApplyPage())
	s.handle("POST /apply", public, s.handleApply())
	s.handle("GET /application/{secret}", public, s.handleApplicationPage())
	s.handle("POST /application/{secret}", public, s.handleWithdraw())
	// An invitation's personal link is its key: no account needed.
	s.handle("GET /invitation/{secret}", public, s.handleInvitationPage())
	s.handle("POST /invitation/{secret}", public, s.handleInvitationAnswer())
	// So is a survey's: an ambassador answers without signing in.
	s.handle("GET /survey/{secret}", public, s.handleSurveyPage())
	s.handle("POST /survey/{secret}", public, s.handleSurveyAnswer())
	// Anything no other route matches: a 404 in the API's JSON or as a page.
	s.handle("/", public, s.handleNotFound())
	s.handle("POST /webhooks/github", public, s.handleGitHubWebhook())
	s.handle("POST /webhooks/discourse", public, s.handleDiscourseWebhook())

	s.handle("GET /{$}", need(account.ReadProgram), s.handleMembersPage())
	s.handle("GET /leaderboard", need(account.ReadProgram), s.handleLeaderboardPage())
	s.handle("GET /members/{id}", needOrOwn(account.ReadProgram, ""), s.handleMemberPage())
	s.handle("POST /members/{id}/terms", need(account.Administer), s.handleTermsForm())
	s.handle("GET /review", need(account.Review), s.handleReviewPage())
	s.handle("GET /sources", need(account.ReadProgram), s.handleSourcesPage())
	s.handle("GET /renewal", need(account.ReadProgram), s.handleRenewalPage())
	s.handle("GET /health", need(account.ReadProgram), s.handleHealthPage())
	s.handle("GET /applications", need(account.Review), s.handleApplicationsPage())
	s.handle("POST /applications", need(account.Review), s.handleApplicationsForm())
	s.handle("GET /invitations", need(account.ReadProgram), s.handleInvitationsPage())
	s.handle("POST /invitations", need(account.Administer), s.handleInvitationsForm())
	s.handle("POST /renewal", need(account.Administer), s.handleRenewalApply())
	// The portal: an ambassador's own standing, reports and survey.
	s.handle("GET /portal", need(account.ReadOwn), s.handlePortal())
	s.handle("POST /portal/report", need(account.Report), s.handlePortalReport())
	s.handle("POST /portal/survey", need(account.Report), s.handlePortalSurvey())
	s.handle("GET /surveys", need(account.ReadProgram), s.handleSurveysPage())
	s.handle("POST /surveys", need(account.Administer), s.handleSurveysForm())
	s.handle("GET /rewards", need(account.ReadProgram), s.handleRewardsPage())
	s.handle("POST /rewards", need(account.Administer), s.handleRewardsForm())
	s.handle("GET /sessions", need(account.ReadProgram), s.handleSessionsPage())
	s.handle("POST /sessions", need(account.Administer), s.handleSessionsForm())
	// Ambassadors bring items to the sessions and vote as their own member;
	// what the executives committed to is open to every account.
	s.handle("GET /feedback", need(account.Participate), s.handleFeedbackPage())
	s.handle("POST /feedback", need(account.Participate), s.handleFeedbackForm())
	s.handle("GET /commitments", signedIn, s.handleCommitmentsPage())
	// The criteria editor replays reviews under a draft, as the what-if
	// API does; saving the draft puts it in force.
	s.handle("GET /whatif", need(account.Calibrate), s.handleWhatIfPage())
	s.handle("POST /whatif", need(account.Calibrate), s.handleWhatIfForm())
	s.handle("POST /criteria/versions", need(account.Administer), s.handleCriteriaSave())
	s.handle("GET /roster", need(account.ReadProgram), s.handleRosterPage())
	s.handle("POST /roster", need(account.Administer), s.handleRosterImport())
	s.handle("GET /webhooks", need(account.Administer), s.handleHooksPage())
	s.handle("POST /webhooks", need(account.Administer), s.handleHooksForm())
	// The outbox holds personal links, which are keys: admins only.
	s.handle("GET /outbox", need(account.Administer), s.handleOutboxPage())
	s.handle("POST /outbox", need(account.Administer), s.handleOutboxRetry())
	s.handle("GET /tokens", signedIn, s.handleTokensPage())
	s.handle("POST /tokens", signedIn, s.handleTokenForm())

	s.handle("GET /api/v1/members", need(account.ReadProgram), s.handleMembers())
	s.handle("GET /api/v1/members/{id}", needOrOwn(account.ReadProgram, ""), s.handleMember())
	s.handle("GET /api/v1/members/{id}/score", needOrOwn(account.ReadProgram, ""), s.handleMemberScore())
	s.handle("GET /api/v1/activities", needOrOwn(account.ReadProgram, "member"), s.handleActivities())
	s.handle("GET /api/v1/leaderboard", need(account.ReadProgram), s.handleLeaderboard())
	s.handle("GET /api/v1/sources", need(account.ReadProgram), s.handleSources())
	s.handle("GET /api/v1/program/share", need(account.ReadProgram), s.handleShare())
	s.handle("POST /api/v1/criteria/calibrate", need(account.Calibrate), s.handleCalibrate())
	s.handle("POST /api/v1/whatif", need(account.Calibrate), s.handleWhatIf())
	s.handle("GET /api/v1/program/health", need(account.ReadProgram), s.handleHealthReport())
	s.handle("GET /api/v1/program/renewal", need(account.ReadProgram), s.handleRenewal())
	s.handle("GET /api/v1/members/{id}/terms", needOrOwn(account.ReadProgram, ""), s.handleTerms())
	s.handle("POST /api/v1/reports", need(account.Report), s.handleReport())
	// A batch comes as a JSON array or as JSON Lines, as tools export them.
	s.handle("POST /api/v1/reports/bulk", need(account.Report).taking("application/x-ndjson", "application/jsonl"), s.handleBulkReport())
	s.handle("GET /api/v1/reports", need(account.Review), s.handleReports())
	s.handle("POST /api/v1/reports/{id}/review", need(account.Review), s.handleReview())
	s.handle("GET /api/v1/merge-suggestions", need(account.Review), s.handleMergeSuggestions())
	s.handle("POST /api/v1/merges", need(account.Review), s.handleMerge())
	s.handle("POST /api/v1/merges/{id}/undo", need(account.Review), s.handleUnmerge())
	s.handle("GET /api/v1/openapi.json", signedIn, s.handleOpenAPI())
	s.handle("GET /api/v1/tokens", signedIn, s.handleTokens())
	s.handle("POST /api/v1/tokens", signedIn, s.handleCreateToken())
	s.handle("DELETE /api/v1/tokens/{id}", signedIn, s.handleRevokeToken())
}
