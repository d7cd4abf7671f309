package connector

import (
	"net/http"

	"github.com/cadrehq/cadre"
	"github.com/cadrehq/cadre/platform/stackexchange"
)

// newStackExchange reads config site (e.g. stackoverflow, or a site's host
// name), tags (comma-separated: the answers in questions with these tags),
// key (an app key: a larger daily quota) and url (the API root, for tests).
func newStackExchange(src cadre.Source, client *http.Client, _ func(error)) (Connector, error) {
	site, err := required(src, "site")
	if err != nil {
		return nil, err
	}
	c := &stackexchange.Client{Site: site, Tags: list(src.Config["tags"]), Key: src.Config["key"], HTTP: client}
	if len(c.Tags) == 0 {
		return nil, cadre.Errorf(cadre.EINVALID, "source %s (stackexchange): config tags is required, e.g. tags=cadre,ambassadors", src.Name)
	}
	c.BaseURL, err = optionalURL(src, "url")
	return c, err
}
