package connector

import (
	"net/http"
	"strings"

	"github.com/cadrehq/cadre"
	"github.com/cadrehq/cadre/platform/github"
)

// newGitHub reads config repos ("owner/name", comma-separated) and orgs
// (every repository of each), token (needed for private repositories and a
// useful rate limit) and url (the API root of GitHub Enterprise Server).
func newGitHub(src cadre.Source, client *http.Client, reject func(error)) (Connector, error) {
	c := &github.Client{
		Repos: list(src.Config["repos"]), Orgs: list(src.Config["orgs"]),
		Token: src.Config["token"], HTTP: client, Reject: reject,
	}
	if len(c.Repos)+len(c.Orgs) == 0 {
		return nil, cadre.Errorf(cadre.EINVALID, "source %s (github): config repos or orgs is required, e.g. repos=acme/api,acme/web", src.Name)
	}
	var err error
	c.BaseURL, err = optionalURL(src, "url")
	return c, err
}

// list splits a comma-separated configuration value.
func list(v string) []string {
	var out []string
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}
