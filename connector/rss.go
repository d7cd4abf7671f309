package connector

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"

	"github.com/cadrehq/cadre"
	"github.com/cadrehq/cadre/platform/feed"
)

// rssConnector reads an RSS or Atom feed. A feed has no "since": every sync
// that finds it changed emits all its entries, and import skips those stored
// before. Its cursor holds the validators of the last response, so that an
// unchanged feed costs a 304 and no parsing.
type rssConnector struct {
	url string
	// shown is url for messages, without a query or credentials: a private
	// feed's token must not reach last_error, which the API shows.
	shown  string
	owner  cadre.MemberRef
	client *http.Client
	reject func(error)
}

// rssCursor is the cursor of an RSS source, as JSON.
type rssCursor struct {
	ETag     string `json:"etag,omitempty"`
	Modified string `json:"modified,omitempty"`
}

// newRSS reads config url (the feed's address) and member (whose blog it is,
// platform:handle or an email; unset, each entry is credited to its author).
func newRSS(src cadre.Source, client *http.Client, reject func(error)) (Connector, error) {
	u, err := httpURL(src, "url")
	if err != nil {
		return nil, err
	}
	owner, err := cadre.ParseMemberRef(src.Config["member"])
	if err != nil {
		return nil, cadre.Errorf(cadre.EINVALID, "source %s (rss): config \"member\": %s", src.Name, cadre.ErrorMessage(err))
	}
	shown := url.URL{Scheme: u.Scheme, Host: u.Host, Path: u.Path}
	return &rssConnector{url: u.String(), shown: shown.String(), owner: owner, client: client, reject: reject}, nil
}

func (c *rssConnector) Sync(ctx context.Context, cursor string, emit func(cadre.ActivityRecord) error) (string, error) {
	var prev rssCursor
	if cursor != "" {
		if err := json.Unmarshal([]byte(cursor), &prev); err != nil {
			return cursor, cadre.Errorf(cadre.EINVALID, "rss cursor %q is unreadable: %w", cursor, err)
		}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.url, nil)
	if err != nil {
		return cursor, fmt.Errorf("rss: GET %s: %w", c.shown, err)
	}
	req.Header.Set("Accept", "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.8, */*;q=0.1")
	if prev.ETag != "" {
		req.Header.Set("If-None-Match", prev.ETag)
	}
	if prev.Modified != "" {
		req.Header.Set("If-Modified-Since", prev.Modified)
	}
	resp, err := c.client.Do(req)
	if err != nil {
		// The client's *url.Error repeats the whole URL.
		var uerr *url.Error
		if errors.As(err, &uerr) {
			err = uerr.Err
		}
		return cursor, fmt.Errorf("rss: GET %s: %w", c.shown, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusNotModified {
		return cursor, nil
	}
	if resp.StatusCode/100 != 2 {
		return cursor, fmt.Errorf("rss: GET %s: %s", c.shown, resp.Status)
	}
	rd, err := feed.NewReader(resp.Body, c.shown, c.owner)
	if err != nil {
		return cursor, fmt.Errorf("rss: %w", err)
	}
	for {
		rec, err := rd.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			if c.reject == nil {
				return cursor, fmt.Errorf("rss: %w", err)
			}
			c.reject(err)
			continue
		}
		if err := emit(rec); err != nil {
			return cursor, err
		}
	}
	next := rssCursor{ETag: resp.Header.Get("ETag"), Modified: resp.Header.Get("Last-Modified")}
	if next == (rssCursor{}) {
		return "", nil // nothing to send back: every sync fetches the whole feed
	}
	b, err := json.Marshal(next)
	if err != nil {
		return cursor, fmt.Errorf("rss: encode cursor: %w", err)
	}
	return string(b), nil
}
