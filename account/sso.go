package account

import (
	"slices"
	"strings"

	"github.com/cadrehq/cadre"
)

// SSORoles maps what a single sign-on provider says of a person to the role
// of the account made for them on first sign-in: a claim's values (such as
// groups) first, then the domain of a verified email address.
type SSORoles struct {
	// Claim names a claim holding a string or a list of strings.
	Claim       string
	ClaimRoles  map[string]Role
	DomainRoles map[string]Role
}

// ParseSSORoles reads the mappings of flags: claimRoles as
// "cadre-admins=admin,cadre-team=reviewer", domainRoles as
// "example.com=viewer".
func ParseSSORoles(claim, claimRoles, domainRoles string) (SSORoles, error) {
	m := SSORoles{Claim: strings.TrimSpace(claim), ClaimRoles: map[string]Role{}, DomainRoles: map[string]Role{}}
	for _, spec := range []struct {
		text, what string
		into       map[string]Role
	}{{claimRoles, "claim value", m.ClaimRoles}, {domainRoles, "email domain", m.DomainRoles}} {
		for _, pair := range strings.Split(spec.text, ",") {
			if strings.TrimSpace(pair) == "" {
				continue
			}
			k, v, ok := strings.Cut(pair, "=")
			k = strings.TrimSpace(k)
			if !ok || k == "" {
				return m, cadre.Errorf(cadre.EINVALID, "%s mapping %s is not VALUE=ROLE", spec.what, cadre.Quote(pair))
			}
			r, err := ParseRole(v)
			if err != nil {
				return m, cadre.Errorf(cadre.EINVALID, "%s %s: %w", spec.what, cadre.Quote(k), err)
			}
			if spec.what == "email domain" {
				k = strings.ToLower(strings.TrimPrefix(k, "@"))
			}
			spec.into[k] = r
		}
	}
	if len(m.ClaimRoles) > 0 && m.Claim == "" {
		return m, cadre.Errorf(cadre.EINVALID, "claim roles need the name of the claim that holds them")
	}
	return m, nil
}

// rank orders roles by trust, for choosing among several matches.
func rank(r Role) int { return len(Roles) - slices.Index(Roles, r) }

// Role returns the role for a person with a verified email and claims: the
// most trusted role any of their claim values or their email domain maps to.
// ok is false when nothing maps: such a person gets no account.
func (m SSORoles) Role(email string, claims map[string]any) (role Role, ok bool) {
	pick := func(r Role) {
		if !ok || rank(r) > rank(role) {
			role, ok = r, true
		}
	}
	var values []string
	switch v := claims[m.Claim].(type) {
	case string:
		values = []string{v}
	case []any:
		for _, x := range v {
			if s, isString := x.(string); isString {
				values = append(values, s)
			}
		}
	}
	for _, v := range values {
		if r, found := m.ClaimRoles[v]; found && m.Claim != "" {
			pick(r)
		}
	}
	if _, domain, found := strings.Cut(strings.ToLower(email), "@"); found {
		if r, mapped := m.DomainRoles[domain]; mapped {
			pick(r)
		}
	}
	return role, ok
}
