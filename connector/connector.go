// Package connector pulls new activity from the platforms that have an API,
// on a schedule: a Connector knows one platform and where its last sync
// stopped (the cursor), and Run syncs one configured source into the store
// under the source's lease, so that instances sharing a database never sync
// the same source twice at once and a restart resumes where the last sync
// stopped.
package connector

import (
	"context"
	"maps"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cadrehq/cadre"
)

// Connector reads one platform.
type Connector interface {
	// Sync passes emit every record newer than cursor and returns the cursor
	// the next sync resumes from. On error it returns the cursor to resume
	// from all the same: cursor unchanged, or moved past only what it emitted
	// in full. What emit was given again by the next sync, import counts as
	// duplicates.
	Sync(ctx context.Context, cursor string, emit func(cadre.ActivityRecord) error) (next string, err error)
}

// kind is a kind of source: the configuration keys it reads, and how it
// makes its connector from them.
type kind struct {
	keys  []string
	build func(src cadre.Source, client *http.Client, reject func(error)) (Connector, error)
}

var kinds = map[string]kind{
	"discourse":     {[]string{"url", "api_key", "api_username"}, newDiscourse},
	"github":        {[]string{"repos", "orgs", "token", "url"}, newGitHub},
	"rss":           {[]string{"url", "member"}, newRSS},
	"stackexchange": {[]string{"site", "tags", "key", "url"}, newStackExchange},
}

// Kinds lists the kinds of source New knows, sorted.
func Kinds() []string {
	return slices.Sorted(maps.Keys(kinds))
}

// requestTimeout bounds one request when the caller gives no client: a
// server that never answers must not hold a source's lease forever.
const requestTimeout = time.Minute

// New returns the connector for src's kind, configured by src.Config; a
// missing or invalid key is an EINVALID error naming it. client sends the
// requests (nil: one with a timeout per request). reject is given each item
// of the platform's that cannot become a record, and the sync goes on
// without it; with a nil reject such an item fails the sync instead.
func New(src cadre.Source, client *http.Client, reject func(error)) (Connector, error) {
	k, ok := kinds[src.Kind]
	if !ok {
		return nil, cadre.Errorf(cadre.EINVALID, "source %s: unknown kind %q; supported kinds: %s", src.Name, src.Kind, strings.Join(Kinds(), ", "))
	}
	// A misspelt key would otherwise be ignored, and the setting it was
	// meant for silently missing.
	for key := range src.Config {
		if !slices.Contains(k.keys, key) {
			return nil, cadre.Errorf(cadre.EINVALID, "source %s (%s): unknown config %q; %s sources take %s", src.Name, src.Kind, key, src.Kind, strings.Join(k.keys, ", "))
		}
	}
	if client == nil {
		client = &http.Client{Timeout: requestTimeout}
	}
	return k.build(src, client, reject)
}

// Owner names this process as a lease owner: host name and process id, so
// that an operator can tell which instance holds a source.
func Owner() string {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "unknown-host"
	}
	return host + ":" + strconv.Itoa(os.Getpid())
}

// required returns the value of a configuration key that must be set.
func required(src cadre.Source, key string) (string, error) {
	v := strings.TrimSpace(src.Config[key])
	if v == "" {
		return "", cadre.Errorf(cadre.EINVALID, "source %s (%s): config %q is required", src.Name, src.Kind, key)
	}
	return v, nil
}

// optionalURL is httpURL for a key that may be left out: "" then.
func optionalURL(src cadre.Source, key string) (string, error) {
	if src.Config[key] == "" {
		return "", nil
	}
	u, err := httpURL(src, key)
	if err != nil {
		return "", err
	}
	return u.String(), nil
}

// httpURL reads a configuration key that must be an http(s) URL.
func httpURL(src cadre.Source, key string) (*url.URL, error) {
	v, err := required(src, key)
	if err != nil {
		return nil, err
	}
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, cadre.Errorf(cadre.EINVALID, "source %s (%s): config %q must be an http:// or https:// URL, got %q", src.Name, src.Kind, key, v)
	}
	return u, nil
}
