package account

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/cadrehq/cadre"
)

// Secrets of sessions and API tokens are random, shown once and stored only
// as their SHA-256: a copy of the database opens no session.

// Token prefixes say what a secret is, so a leaked one is recognised.
const (
	sessionPrefix = "cs_"
	apiPrefix     = "cadre_"
)

// newSecret returns a random secret with prefix and its hash.
func newSecret(prefix string) (secret, hash string, err error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", "", fmt.Errorf("new secret: %w", err)
	}
	secret = prefix + base64.RawURLEncoding.EncodeToString(b)
	return secret, HashSecret(secret), nil
}

// HashSecret is how a session or token secret is stored and looked up.
func HashSecret(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// Session lifetimes: a session ends after IdleTimeout without a request, and
// after MaxAge in any case.
const (
	IdleTimeout = 12 * time.Hour
	MaxAge      = 7 * 24 * time.Hour
)

// Session is a signed-in browser.
type Session struct {
	Hash     string // of the cookie's secret
	UserID   int64
	Created  time.Time
	LastSeen time.Time
}

// NewSession starts a session for user at now and returns it with the
// secret the cookie carries.
func NewSession(userID int64, now time.Time) (*Session, string, error) {
	secret, hash, err := newSecret(sessionPrefix)
	if err != nil {
		return nil, "", err
	}
	return &Session{Hash: hash, UserID: userID, Created: now, LastSeen: now}, secret, nil
}

// Live reports whether the session may still be used at now.
func (s *Session) Live(now time.Time) bool {
	return now.Before(s.LastSeen.Add(IdleTimeout)) && now.Before(s.Created.Add(MaxAge))
}

// Scope is what an API token may do.
type Scope string

// Scopes.
const (
	ScopeRead  Scope = "read"
	ScopeWrite Scope = "write"
)

// Token is an API token: it acts with its user's role, within its scope.
type Token struct {
	ID        int64
	Name      string
	UserID    int64
	Scope     Scope
	Hash      string
	CreatedAt time.Time
	ExpiresAt time.Time // zero: never
	LastUsed  time.Time // zero: never used
}

// NewToken makes a token named name for user, valid until expires (zero for
// ever), and returns it with its secret, which is shown once.
func NewToken(name string, userID int64, scope Scope, now, expires time.Time) (*Token, string, error) {
	name = strings.TrimSpace(name)
	switch {
	case name == "" || len(name) > 100:
		return nil, "", cadre.Errorf(cadre.EINVALID, "a token needs a name of 1 to 100 characters, such as \"ci export\"")
	case scope != ScopeRead && scope != ScopeWrite:
		return nil, "", cadre.Errorf(cadre.EINVALID, "scope must be read or write, got %s", cadre.Quote(string(scope)))
	case !expires.IsZero() && !expires.After(now):
		return nil, "", cadre.Errorf(cadre.EINVALID, "the token would expire at once (%s)", expires.UTC().Format(time.RFC3339))
	}
	secret, hash, err := newSecret(apiPrefix)
	if err != nil {
		return nil, "", err
	}
	return &Token{Name: name, UserID: userID, Scope: scope, Hash: hash, CreatedAt: now, ExpiresAt: expires}, secret, nil
}

// Live reports whether the token may still be used at now.
func (t *Token) Live(now time.Time) bool {
	return t.ExpiresAt.IsZero() || now.Before(t.ExpiresAt)
}

// Allows reports whether the token's scope allows an action of a request
// that writes or not.
func (t *Token) Allows(writes bool) bool {
	return !writes || t.Scope == ScopeWrite
}

// NewLinkSecret returns the secret of a personal link (an invitation's, an
// application's) and the hash it is stored and looked up by.
func NewLinkSecret() (secret, hash string, err error) { return newSecret("") }
