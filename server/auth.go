package server

import (
	"context"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cadrehq/cadre"
	"github.com/cadrehq/cadre/account"
)

// Accounts is what the door needs of the store: accounts, sessions, tokens.
type Accounts interface {
	User(ctx context.Context, id int64) (*account.User, error)
	UserByEmail(ctx context.Context, email string) (*account.User, error)
	UserByMember(ctx context.Context, memberID int64) (*account.User, error)
	CreateUser(ctx context.Context, u *account.User, actor string) error
	FindMember(ctx context.Context, ref string) (int64, error)
	SaveSession(ctx context.Context, s *account.Session) error
	Session(ctx context.Context, hash string) (*account.Session, error)
	TouchSession(ctx context.Context, hash string, t time.Time) error
	DeleteSession(ctx context.Context, hash string) error
	TokenByHash(ctx context.Context, hash string, t time.Time) (*account.Token, error)
	CreateToken(ctx context.Context, t *account.Token, actor string) error
	Tokens(ctx context.Context, userID int64) ([]account.Token, error)
	RevokeToken(ctx context.Context, id, userID int64, actor string) error
}

// sessionCookie names the cookie that carries a session's secret.
const sessionCookie = "cadre_session"

// principal is who a request comes from.
type principal struct {
	user    *account.User
	session *account.Session // nil for token requests
	token   *account.Token   // nil for session requests
}

// can reports whether the principal may take action a in a request that
// writes or not: its role allows it, and a token's scope too.
func (p *principal) can(a account.Action, writes bool) bool {
	if p == nil {
		return false
	}
	if p.token != nil && !p.token.Allows(writes) {
		return false
	}
	return p.user.Role.Can(a)
}

// owns reports whether the principal is the member with the given ID.
func (p *principal) owns(memberID int64) bool {
	return p != nil && p.user.MemberID != 0 && p.user.MemberID == memberID
}

// actor names the principal in the audit log.
func (p *principal) actor() string {
	if p.token != nil {
		return p.user.Email + " (token " + strconv.FormatInt(p.token.ID, 10) + ")"
	}
	return p.user.Email
}

type principalKey struct{}

// who returns the principal of a request that passed the door.
func who(r *http.Request) *principal {
	p, _ := r.Context().Value(principalKey{}).(*principal)
	return p
}

// identify finds who a request comes from: a bearer token on the API, a
// session cookie on pages and the API. nil means anonymous; a token or
// session that is unknown, revoked or expired is anonymous too.
func (s *Server) identify(r *http.Request) (*principal, error) {
	ctx, now := r.Context(), s.now()
	if h := r.Header.Get("Authorization"); h != "" && strings.HasPrefix(r.URL.Path, "/api/") {
		secret, ok := strings.CutPrefix(h, "Bearer ")
		if !ok {
			return nil, nil
		}
		tok, err := s.accounts.TokenByHash(ctx, account.HashSecret(strings.TrimSpace(secret)), now)
		if cadre.ErrorCode(err) == cadre.EUNAUTHORIZED || (err == nil && !tok.Live(now)) {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		u, err := s.accounts.User(ctx, tok.UserID)
		if err != nil {
			return nil, err
		}
		return &principal{user: u, token: tok}, nil
	}
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return nil, nil
	}
	ss, err := s.accounts.Session(ctx, account.HashSecret(c.Value))
	if cadre.ErrorCode(err) == cadre.EUNAUTHORIZED || (err == nil && !ss.Live(now)) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	// Last seen to the minute: a page's requests do not each write.
	if now.Sub(ss.LastSeen) >= time.Minute {
		if err := s.accounts.TouchSession(ctx, ss.Hash, now); err != nil {
			return nil, err
		}
		ss.LastSeen = now
	}
	u, err := s.accounts.User(ctx, ss.UserID)
	if cadre.ErrorCode(err) == cadre.ENOTFOUND {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &principal{user: u, session: ss}, nil
}

// rule says who may use a route.
type rule struct {
	// public routes are open to anyone; the others need a principal.
	public bool
	// action is what the route does; "" with public false: any principal.
	action account.Action
	// own, when set, also lets a principal without action through when the
	// request is about their own member, whose ID it returns (0: none).
	own func(r *http.Request) int64
	// bodies are the media types a write to the API may send, nil for
	// application/json alone.
	bodies []string
}

var (
	public   = rule{public: true}
	signedIn = rule{}
)

func need(a account.Action) rule { return rule{action: a} }

// taking lets an API route take bodies of the media types given besides
// application/json. Like it, each must be one that a page of another site
// cannot send without the browser asking the server first (not a form's).
func (ru rule) taking(types ...string) rule {
	ru.bodies = append([]string{"application/json"}, types...)
	return ru
}

// needOrOwn lets through those who may take a, and members about their own
// data, named by the path parameter "id" or the query parameter param.
func needOrOwn(a account.Action, param string) rule {
	return rule{action: a, own: func(r *http.Request) int64 {
		v := r.PathValue("id")
		if param != "" {
			v = r.URL.Query().Get(param)
		}
		id, _ := strconv.ParseInt(v, 10, 64)
		return id
	}}
}

// Route is one route of the server with who may use it.
type Route struct {
	Pattern string // as http.ServeMux reads it: "GET /api/v1/members"
	Public  bool
	// Action is what the route does, "" for any signed-in account.
	Action account.Action
	// Own says that a member may also use it about themselves.
	Own bool
}

// Routes lists every route and its rule, as routes.go declares them.
func (s *Server) Routes() []Route { return s.table }

// handle registers a route behind the door.
func (s *Server) handle(pattern string, ru rule, h http.Handler) {
	s.table = append(s.table, Route{Pattern: pattern, Public: ru.public, Action: ru.action, Own: ru.own != nil})
	method, path, _ := strings.Cut(pattern, " ")
	writes := method != http.MethodGet && method != http.MethodHead
	api := strings.HasPrefix(path, "/api/")
	if ru.public {
		s.mux.Handle(pattern, h)
		return
	}
	s.mux.Handle(pattern, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, err := s.identify(r)
		if err != nil {
			s.failFor(api, w, r, err)
			return
		}
		if p == nil {
			if api {
				w.Header().Set("WWW-Authenticate", `Bearer realm="cadre"`)
				s.fail(w, r, cadre.Errorf(cadre.EUNAUTHORIZED, "sign in: send an API token as Authorization: Bearer … (cadre tokens create --help)"))
				return
			}
			http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
			return
		}
		allowed := ru.action == "" && (p.token == nil || p.token.Allows(writes)) || ru.action != "" && p.can(ru.action, writes)
		if !allowed && ru.own != nil && (p.token == nil || p.token.Allows(writes)) {
			allowed = p.owns(ru.own(r))
		}
		if !allowed {
			if !api && p.user.Role == account.Ambassador && path == "/{$}" && p.user.MemberID != 0 {
				http.Redirect(w, r, "/portal", http.StatusSeeOther)
				return
			}
			s.failFor(api, w, r, cadre.Errorf(cadre.EFORBIDDEN, "your account (%s) may not do this", p.user.Role))
			return
		}
		if api && writes {
			bodies := ru.bodies
			if bodies == nil {
				bodies = []string{"application/json"}
			}
			if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || !slices.Contains(bodies, mt) {
				s.fail(w, r, cadre.Errorf(cadre.EUNSUPPORTED, "send the body as Content-Type: %s", strings.Join(bodies, " or ")))
				return
			}
		}
		h.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), principalKey{}, p)))
	}))
}

// failFor answers an error as the API or as a page.
func (s *Server) failFor(api bool, w http.ResponseWriter, r *http.Request, err error) {
	if api {
		s.fail(w, r, err)
		return
	}
	s.failPage(w, r, err)
}

// checkHost refuses requests whose Host is not the base URL's, when one is
// set: a DNS-rebinding page reaches the server under its own name.
func (s *Server) checkHost(next http.Handler) http.Handler {
	if s.baseURL == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/healthz" && !strings.EqualFold(r.Host, s.baseURL.Host) {
			s.fail(w, r, cadre.Errorf(cadre.EMISDIRECTED, "this server answers as %s, not %s", s.baseURL.Host, r.Host))
			return
		}
		next.ServeHTTP(w, r)
	})
}
