package connector

import (
	"context"
	"net/http"
	"strconv"

	"github.com/cadrehq/cadre"
	"github.com/cadrehq/cadre/platform/discourse"
)

// discourseConnector reads a forum's posts through /posts.json. Its cursor is
// the highest post id seen, in decimal; "" is 0, before the first sync.
type discourseConnector struct {
	client *discourse.Client
}

// newDiscourse reads config url (the forum's address) and, for forums or
// categories closed to anonymous visitors, api_key and api_username.
func newDiscourse(src cadre.Source, client *http.Client, reject func(error)) (Connector, error) {
	base, err := httpURL(src, "url")
	if err != nil {
		return nil, err
	}
	return &discourseConnector{client: &discourse.Client{
		BaseURL:     base.String(),
		APIKey:      src.Config["api_key"],
		APIUsername: src.Config["api_username"],
		HTTP:        client,
		Reject:      reject,
	}}, nil
}

func (c *discourseConnector) Sync(ctx context.Context, cursor string, emit func(cadre.ActivityRecord) error) (string, error) {
	var last int64
	if cursor != "" {
		var err error
		if last, err = strconv.ParseInt(cursor, 10, 64); err != nil || last < 0 {
			return cursor, cadre.Errorf(cadre.EINVALID, "discourse cursor %q is not a post id", cursor)
		}
	}
	next, err := c.client.Sync(ctx, last, emit)
	if err != nil {
		return cursor, err
	}
	if next == 0 {
		return "", nil // an empty forum: still before the first post
	}
	return strconv.FormatInt(next, 10), nil
}
