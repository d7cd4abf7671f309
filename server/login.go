package server

import (
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/cadrehq/cadre"
	"github.com/cadrehq/cadre/account"
)

// DemoLogin is an account the demo's login page signs in with one click.
type DemoLogin struct {
	Email string
	Role  account.Role
}

// WithDemoLogins offers one-click sign-in as these accounts: for cadre demo
// only, never cadre serve.
func WithDemoLogins(ls []DemoLogin) Option { return func(s *Server) { s.demoLogins = ls } }

// loginPage is the data of templates/login.html.
type loginPage struct {
	Next  string
	Email string
	Error string
	Demo  []DemoLogin
	// OIDC and GitHub offer single sign-on, when switched on.
	OIDC, GitHub bool
}

// localPath returns next when it is a path on this server, else "/": a
// login link must not send people elsewhere.
func localPath(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") || strings.ContainsAny(next, "\r\n") {
		return "/"
	}
	return next
}

func (s *Server) handleLoginPage() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.render(w, r, "login.html", loginPage{Next: localPath(r.URL.Query().Get("next")), Demo: s.demoLogins, OIDC: s.oidc != nil, GitHub: s.github != nil})
	})
}

// remoteAddr is the address sign-in attempts are counted against.
func remoteAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// handleLogin signs in with the form fields email and password and answers
// 303 with the session cookie; a failure shows the form again.
func (s *Server) handleLogin() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, 1<<14)
		if err := r.ParseForm(); err != nil {
			s.failPage(w, r, cadre.Errorf(cadre.EINVALID, "read the sign-in form: %w", err))
			return
		}
		email := strings.ToLower(strings.TrimSpace(r.PostFormValue("email")))
		next := localPath(r.PostFormValue("next"))
		again := func(status int, msg string) {
			s.renderStatus(w, r, status, "login.html", loginPage{Next: next, Email: email, Error: msg, Demo: s.demoLogins, OIDC: s.oidc != nil, GitHub: s.github != nil})
		}
		now, addr := s.now(), remoteAddr(r)
		if wait := s.limiter.Wait(email, addr, now); wait > 0 {
			again(http.StatusTooManyRequests, "Too many failed sign-ins: try again in "+wait.Round(time.Minute).String()+".")
			return
		}
		u, err := s.accounts.UserByEmail(r.Context(), email)
		if err != nil && cadre.ErrorCode(err) != cadre.ENOTFOUND {
			s.failPage(w, r, err)
			return
		}
		if err != nil || u.PasswordHash == "" || !account.CheckPassword(u.PasswordHash, r.PostFormValue("password")) {
			s.limiter.Fail(email, addr, now)
			s.log.Info("sign-in failed", "email", email, "remote", addr)
			again(http.StatusUnauthorized, "Wrong email or password.")
			return
		}
		s.limiter.Succeed(email)
		s.startSession(w, r, u, next)
	})
}

// handleDemoLogin signs in as one of the demo's accounts, by email.
func (s *Server) handleDemoLogin() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		email := r.PostFormValue("email")
		for _, d := range s.demoLogins {
			if d.Email != email {
				continue
			}
			u, err := s.accounts.UserByEmail(r.Context(), email)
			if err != nil {
				s.failPage(w, r, err)
				return
			}
			s.startSession(w, r, u, "/")
			return
		}
		s.failPage(w, r, cadre.Errorf(cadre.EFORBIDDEN, "%s is not a demo account", cadre.Quote(email)))
	})
}

// startSession stores a new session for u and sends its cookie.
func (s *Server) startSession(w http.ResponseWriter, r *http.Request, u *account.User, next string) {
	ss, secret, err := account.NewSession(u.ID, s.now())
	if err == nil {
		err = s.accounts.SaveSession(r.Context(), ss)
	}
	if err != nil {
		s.failPage(w, r, err)
		return
	}
	//nolint:gosec // Secure follows the request: s.secure says when the browser uses TLS.
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: secret, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode,
		Secure: s.secure(r), MaxAge: int(account.MaxAge / time.Second)})
	s.log.Info("signed in", "email", u.Email, "role", u.Role)
	http.Redirect(w, r, next, http.StatusSeeOther) //nolint:gosec // next passed localPath: a path on this server
}

// secure reports whether cookies must be Secure: served over TLS, or behind
// a proxy that does, as an https:// base URL says.
func (s *Server) secure(r *http.Request) bool {
	return r.TLS != nil || s.baseURL != nil && s.baseURL.Scheme == "https"
}

// handleLogout ends the session on the server and clears its cookie.
func (s *Server) handleLogout() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if p := who(r); p != nil && p.session != nil {
			if err := s.accounts.DeleteSession(r.Context(), p.session.Hash); err != nil {
				s.failPage(w, r, err)
				return
			}
		}
		//nolint:gosec // Secure follows the request, as when the cookie was set.
		http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode,
			Secure: s.secure(r), MaxAge: -1})
		http.Redirect(w, r, "/login", http.StatusSeeOther)
	})
}
