package server

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/cadrehq/cadre"
	"github.com/cadrehq/cadre/account"
)

// OIDC is single sign-on for staff through an OpenID Connect provider.
type OIDC struct {
	provider *oidc.Provider
	verifier *oidc.IDTokenVerifier
	config   oauth2.Config
	roles    account.SSORoles
}

// OIDCConfig says which provider staff sign in with, as this server's
// client, and which role a new account gets.
type OIDCConfig struct {
	Issuer, ClientID, ClientSecret string
	// Scopes beyond openid, email and profile, such as groups.
	Scopes []string
	Roles  account.SSORoles
	// BaseURL is the server's address, for the callback.
	BaseURL *url.URL
}

// NewOIDC discovers the provider and prepares sign-in with it.
func NewOIDC(ctx context.Context, c OIDCConfig) (*OIDC, error) {
	if c.BaseURL == nil {
		return nil, cadre.Errorf(cadre.EINVALID, "single sign-on needs --base-url, for the provider to send people back to")
	}
	p, err := oidc.NewProvider(ctx, c.Issuer)
	if err != nil {
		return nil, fmt.Errorf("OpenID provider %s: %w", c.Issuer, err)
	}
	return &OIDC{
		provider: p,
		verifier: p.Verifier(&oidc.Config{ClientID: c.ClientID}),
		config: oauth2.Config{ClientID: c.ClientID, ClientSecret: c.ClientSecret, Endpoint: p.Endpoint(),
			RedirectURL: c.BaseURL.JoinPath("/login/oidc/callback").String(),
			Scopes:      append([]string{oidc.ScopeOpenID, "email", "profile"}, c.Scopes...)},
		roles: c.Roles,
	}, nil
}

// WithOIDC switches on sign-in through an OpenID provider.
func WithOIDC(o *OIDC) Option { return func(s *Server) { s.oidc = o } }

// GitHubLogin is "Sign in with GitHub" for ambassadors: the GitHub account
// names the member, whose own account it signs in to.
type GitHubLogin struct {
	config oauth2.Config
	api    string
	client *http.Client
}

// GitHubLoginConfig names this server's GitHub OAuth app. BaseURL is the
// server's address; WebURL and APIURL default to GitHub's (tests serve
// their own).
type GitHubLoginConfig struct {
	ClientID, ClientSecret string
	BaseURL                *url.URL
	WebURL, APIURL         string
	Client                 *http.Client
}

// NewGitHubLogin prepares sign-in with GitHub.
func NewGitHubLogin(c GitHubLoginConfig) (*GitHubLogin, error) {
	if c.BaseURL == nil {
		return nil, cadre.Errorf(cadre.EINVALID, "sign-in with GitHub needs --base-url, for GitHub to send people back to")
	}
	web, api := strings.TrimSuffix(c.WebURL, "/"), strings.TrimSuffix(c.APIURL, "/")
	if web == "" {
		web = "https://github.com"
	}
	if api == "" {
		api = "https://api.github.com"
	}
	client := c.Client
	if client == nil {
		client = &http.Client{Timeout: 30 * time.Second}
	}
	return &GitHubLogin{
		config: oauth2.Config{ClientID: c.ClientID, ClientSecret: c.ClientSecret,
			Endpoint:    oauth2.Endpoint{AuthURL: web + "/login/oauth/authorize", TokenURL: web + "/login/oauth/access_token"},
			RedirectURL: c.BaseURL.JoinPath("/login/github/callback").String()},
		api: api, client: client,
	}, nil
}

// WithGitHubLogin switches on sign-in with GitHub for ambassadors.
func WithGitHubLogin(g *GitHubLogin) Option { return func(s *Server) { s.github = g } }

// ssoCookie carries a sign-in's state, nonce, PKCE verifier and next page
// from the redirect to the callback.
const ssoCookie = "cadre_sso"

type ssoState struct {
	State, Nonce, Verifier, Next string
}

func randomString() (string, error) {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// startSSO sends the browser to the provider, keeping the state in a cookie.
func (s *Server) startSSO(w http.ResponseWriter, r *http.Request, config *oauth2.Config, withNonce bool) {
	var st ssoState
	var err error
	for _, f := range []*string{&st.State, &st.Nonce} {
		if *f, err = randomString(); err != nil {
			s.failPage(w, r, err)
			return
		}
	}
	st.Verifier, st.Next = oauth2.GenerateVerifier(), localPath(r.URL.Query().Get("next"))
	v, err := json.Marshal(st)
	if err != nil {
		s.failPage(w, r, err)
		return
	}
	//nolint:gosec // Secure follows the request: s.secure says when the browser uses TLS.
	http.SetCookie(w, &http.Cookie{Name: ssoCookie, Value: base64.RawURLEncoding.EncodeToString(v), Path: "/login/",
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.secure(r), MaxAge: 600})
	opts := []oauth2.AuthCodeOption{oauth2.S256ChallengeOption(st.Verifier)}
	if withNonce {
		opts = append(opts, oidc.Nonce(st.Nonce))
	}
	http.Redirect(w, r, config.AuthCodeURL(st.State, opts...), http.StatusFound)
}

// finishSSO checks the callback against the cookie and exchanges its code.
func (s *Server) finishSSO(w http.ResponseWriter, r *http.Request, config *oauth2.Config) (*oauth2.Token, *ssoState, error) {
	c, err := r.Cookie(ssoCookie)
	if err != nil {
		return nil, nil, cadre.Errorf(cadre.EINVALID, "the sign-in took too long or began elsewhere: start again")
	}
	//nolint:gosec // Secure follows the request, as when the cookie was set.
	http.SetCookie(w, &http.Cookie{Name: ssoCookie, Value: "", Path: "/login/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.secure(r)})
	var st ssoState
	raw, err := base64.RawURLEncoding.DecodeString(c.Value)
	if err == nil {
		err = json.Unmarshal(raw, &st)
	}
	q := r.URL.Query()
	switch {
	case err != nil || st.State == "" || q.Get("state") != st.State:
		return nil, nil, cadre.Errorf(cadre.EINVALID, "the sign-in's state does not match: start again")
	case q.Get("error") != "":
		return nil, nil, cadre.Errorf(cadre.EUNAUTHORIZED, "the provider refused: %s %s", q.Get("error"), q.Get("error_description"))
	}
	tok, err := config.Exchange(r.Context(), q.Get("code"), oauth2.VerifierOption(st.Verifier))
	if err != nil {
		return nil, nil, cadre.Errorf(cadre.EUNAUTHORIZED, "exchange the sign-in code: %w", err)
	}
	return tok, &st, nil
}

func (s *Server) handleOIDCStart() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.startSSO(w, r, &s.oidc.config, true)
	})
}

// handleOIDCCallback signs in the person the provider vouches for: the
// account of their verified email, or a new one with the role the mapping
// gives them.
func (s *Server) handleOIDCCallback() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := oidc.ClientContext(r.Context(), http.DefaultClient)
		tok, st, err := s.finishSSO(w, r.WithContext(ctx), &s.oidc.config)
		if err != nil {
			s.failPage(w, r, err)
			return
		}
		raw, _ := tok.Extra("id_token").(string)
		idt, err := s.oidc.verifier.Verify(ctx, raw)
		if err != nil {
			s.failPage(w, r, cadre.Errorf(cadre.EUNAUTHORIZED, "the provider's ID token: %w", err))
			return
		}
		if idt.Nonce != st.Nonce {
			s.failPage(w, r, cadre.Errorf(cadre.EUNAUTHORIZED, "the provider's ID token is for another sign-in"))
			return
		}
		var claims map[string]any
		if err := idt.Claims(&claims); err != nil {
			s.failPage(w, r, cadre.Errorf(cadre.EUNAUTHORIZED, "read the ID token: %w", err))
			return
		}
		email, _ := claims["email"].(string)
		if verified, _ := claims["email_verified"].(bool); email == "" || !verified {
			s.failPage(w, r, cadre.Errorf(cadre.EFORBIDDEN, "the provider gave no verified email address"))
			return
		}
		u, err := s.accounts.UserByEmail(r.Context(), email)
		if cadre.ErrorCode(err) == cadre.ENOTFOUND {
			role, ok := s.oidc.roles.Role(email, claims)
			if !ok {
				s.log.Info("single sign-on without a role", "email", email)
				s.failPage(w, r, cadre.Errorf(cadre.EFORBIDDEN, "%s has no account here, and none of your groups or your domain gives one: ask an admin", email))
				return
			}
			u = &account.User{Email: email, Role: role}
			err = s.accounts.CreateUser(r.Context(), u, "single sign-on")
		}
		if err != nil {
			s.failPage(w, r, err)
			return
		}
		s.startSession(w, r, u, st.Next)
	})
}

func (s *Server) handleGitHubStart() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.startSSO(w, r, &s.github.config, false)
	})
}

// gitHubUser is what sign-in reads of GET /user.
type gitHubUser struct {
	ID    int64  `json:"id"`
	Login string `json:"login"`
}

// handleGitHubCallback signs in the ambassador whose member holds the
// GitHub account, making their account on first sign-in.
func (s *Server) handleGitHubCallback() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := context.WithValue(r.Context(), oauth2.HTTPClient, s.github.client)
		tok, st, err := s.finishSSO(w, r.WithContext(ctx), &s.github.config)
		if err != nil {
			s.failPage(w, r, err)
			return
		}
		gh, err := s.github.user(ctx, tok)
		if err != nil {
			s.failPage(w, r, err)
			return
		}
		id, err := s.accounts.FindMember(r.Context(), "github:"+gh.Login)
		if cadre.ErrorCode(err) == cadre.ENOTFOUND {
			s.failPage(w, r, cadre.Errorf(cadre.EFORBIDDEN, "no member of the program is known as %s on GitHub", gh.Login))
			return
		}
		if err != nil {
			s.failPage(w, r, err)
			return
		}
		m, err := s.store.Member(r.Context(), id)
		if err != nil {
			s.failPage(w, r, err)
			return
		}
		if m.Status != cadre.StatusAmbassador && m.Status != cadre.StatusAlumni {
			s.failPage(w, r, cadre.Errorf(cadre.EFORBIDDEN, "sign-in with GitHub is for ambassadors and alumni; %s is a member", gh.Login))
			return
		}
		u, err := s.accounts.UserByMember(r.Context(), id)
		if cadre.ErrorCode(err) == cadre.ENOTFOUND {
			email := strings.ToLower(gh.Login) + "@users.noreply.github.com"
			if len(m.Emails) > 0 {
				email = m.Emails[0]
			}
			u = &account.User{Email: email, Role: account.Ambassador, MemberID: id}
			err = s.accounts.CreateUser(r.Context(), u, "github:"+gh.Login)
		}
		if err != nil {
			s.failPage(w, r, err)
			return
		}
		s.startSession(w, r, u, st.Next)
	})
}

// user asks GitHub who the token's user is.
func (g *GitHubLogin) user(ctx context.Context, tok *oauth2.Token) (*gitHubUser, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, g.api+"/user", nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/vnd.github+json")
	tok.SetAuthHeader(req)
	resp, err := g.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("ask GitHub who signed in: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, cadre.Errorf(cadre.EUNAUTHORIZED, "GitHub answered %s for the signed-in user", resp.Status)
	}
	var u gitHubUser
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&u); err != nil || u.Login == "" {
		return nil, fmt.Errorf("read GitHub's user: %w", err)
	}
	return &u, nil
}
