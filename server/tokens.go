package server

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/cadrehq/cadre"
	"github.com/cadrehq/cadre/account"
)

// TokenJSON is an API token; its secret appears once, when it is created.
type TokenJSON struct {
	ID        int64      `json:"id"`
	Name      string     `json:"name"`
	Scope     string     `json:"scope"`
	UserID    int64      `json:"user_id"`
	CreatedAt time.Time  `json:"created_at"`
	ExpiresAt *time.Time `json:"expires_at"` // null: never
	LastUsed  *time.Time `json:"last_used"`  // null: never used
	Secret    string     `json:"token,omitempty"`
}

// NewTokenJSON shapes t.
func NewTokenJSON(t *account.Token) TokenJSON {
	j := TokenJSON{ID: t.ID, Name: t.Name, Scope: string(t.Scope), UserID: t.UserID, CreatedAt: t.CreatedAt}
	if !t.ExpiresAt.IsZero() {
		j.ExpiresAt = &t.ExpiresAt
	}
	if !t.LastUsed.IsZero() {
		j.LastUsed = &t.LastUsed
	}
	return j
}

// tokenOwner is whose tokens a principal lists and revokes: their own, or
// everyone's for an administrator (0).
func tokenOwner(p *principal) int64 {
	if p.user.Role.Can(account.Administer) {
		return 0
	}
	return p.user.ID
}

func (s *Server) handleTokens() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		toks, err := s.accounts.Tokens(r.Context(), tokenOwner(who(r)))
		if err != nil {
			s.fail(w, r, err)
			return
		}
		out := make([]TokenJSON, len(toks))
		for i := range toks {
			out[i] = NewTokenJSON(&toks[i])
		}
		s.writeJSON(w, http.StatusOK, out)
	})
}

type tokenRequest struct {
	Name    string `json:"name"`
	Scope   string `json:"scope"`
	Expires string `json:"expires"` // a time or a date; "" for never
}

// createToken makes a token for the principal's own account.
func (s *Server) createToken(r *http.Request, req tokenRequest) (*account.Token, string, error) {
	p := who(r)
	var expires time.Time
	if req.Expires != "" {
		var err error
		if expires, err = cadre.ParseTime(req.Expires); err != nil {
			return nil, "", cadre.Errorf(cadre.EINVALID, "expires: %w", err)
		}
	}
	tok, secret, err := account.NewToken(req.Name, p.user.ID, account.Scope(req.Scope), s.now(), expires)
	if err != nil {
		return nil, "", err
	}
	if err := s.accounts.CreateToken(r.Context(), tok, p.actor()); err != nil {
		return nil, "", err
	}
	return tok, secret, nil
}

func (s *Server) handleCreateToken() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req tokenRequest
		if err := decodeBody(w, r, &req, `{"name": "nightly export", "scope": "read", "expires": "2027-01-01"}`); err != nil {
			s.fail(w, r, err)
			return
		}
		tok, secret, err := s.createToken(r, req)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		j := NewTokenJSON(tok)
		j.Secret = secret
		s.writeJSON(w, http.StatusCreated, j)
	})
}

func (s *Server) handleRevokeToken() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, err := pathID(r, "id")
		if err != nil {
			s.fail(w, r, err)
			return
		}
		p := who(r)
		if err := s.accounts.RevokeToken(r.Context(), id, tokenOwner(p), p.actor()); err != nil {
			s.fail(w, r, err)
			return
		}
		s.writeJSON(w, http.StatusOK, map[string]any{"id": id, "revoked": true})
	})
}

// tokensPage is the data of templates/tokens.html.
type tokensPage struct {
	Tokens []account.Token
	// Secret is the token just created, shown this once.
	Secret string
	Error  string
}

func (s *Server) tokensPage(w http.ResponseWriter, r *http.Request, status int, page tokensPage) {
	toks, err := s.accounts.Tokens(r.Context(), who(r).user.ID)
	if err != nil {
		s.failPage(w, r, err)
		return
	}
	page.Tokens = toks
	s.renderStatus(w, r, status, "tokens.html", page)
}

func (s *Server) handleTokensPage() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.tokensPage(w, r, http.StatusOK, tokensPage{})
	})
}

// handleTokenForm creates a token (action=create) or revokes one of one's
// own (action=revoke) from the tokens page.
func (s *Server) handleTokenForm() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, 1<<14)
		if err := r.ParseForm(); err != nil {
			s.failPage(w, r, cadre.Errorf(cadre.EINVALID, "read the form: %w", err))
			return
		}
		switch r.PostFormValue("action") {
		case "create":
			_, secret, err := s.createToken(r, tokenRequest{Name: r.PostFormValue("name"), Scope: r.PostFormValue("scope"),
				Expires: strings.TrimSpace(r.PostFormValue("expires"))})
			if err != nil {
				s.tokensPage(w, r, statusOf(err), tokensPage{Error: cadre.ErrorMessage(err)})
				return
			}
			s.tokensPage(w, r, http.StatusCreated, tokensPage{Secret: secret})
		case "revoke":
			id, err := strconv.ParseInt(r.PostFormValue("id"), 10, 64)
			if err == nil {
				p := who(r)
				err = s.accounts.RevokeToken(r.Context(), id, p.user.ID, p.actor())
			}
			if err != nil {
				s.tokensPage(w, r, statusOf(err), tokensPage{Error: cadre.ErrorMessage(err)})
				return
			}
			http.Redirect(w, r, "/tokens", http.StatusSeeOther)
		default:
			s.failPage(w, r, cadre.Errorf(cadre.EINVALID, "action must be create or revoke"))
		}
	})
}
