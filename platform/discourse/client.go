package discourse

import (
	"context"
	"encoding/json"
	"fmt"
	"github.com/cadrehq/cadre/internal/apiclient"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/cadrehq/cadre"
)

// Rate limiting. Discourse answers 429 with Retry-After in seconds.
const (
	maxRetries = 3
	// defaultRetryWait is waited when a 429 has no usable Retry-After.
	defaultRetryWait = 10 * time.Second
	// maxRetryWait bounds one wait: a forum that asks for longer is better
	// synced on a later run than waited for.
	maxRetryWait = 10 * time.Minute
)

// Client reads a forum through the Discourse API.
type Client struct {
	// BaseURL is the forum's address, such as "https://forum.example.org".
	// It also prefixes the URLs of activities and topics.
	BaseURL string
	// APIKey and APIUsername are sent as the Api-Key and Api-Username
	// headers when set; without them the client sees what anonymous
	// visitors see.
	APIKey      string
	APIUsername string
	// HTTP sends the requests; nil means http.DefaultClient.
	HTTP *http.Client
	// Sleep waits out a rate limit, returning early with ctx's error when ctx
	// ends; nil means a timer. Tests set one that does not wait.
	Sleep func(ctx context.Context, d time.Duration) error
	// Reject, when set, is called by Sync with the error of each post that
	// cannot be mapped, and Sync goes on without it. When nil, Sync stops at
	// such a post, so that none is skipped unnoticed.
	Reject func(error)
}

// HTTPError is a response with a status the client cannot use.
type HTTPError = apiclient.HTTPError

// LatestPosts returns one page of /posts.json, newest first: the latest
// public posts or, when before > 0, those with smaller ids.
func (c *Client) LatestPosts(ctx context.Context, before int64) ([]Post, error) {
	q := url.Values{}
	if before > 0 {
		q.Set("before", strconv.FormatInt(before, 10))
	}
	var page struct {
		LatestPosts []Post `json:"latest_posts"`
	}
	if err := c.get(ctx, "/posts.json", q, &page); err != nil {
		return nil, err
	}
	return page.LatestPosts, nil
}

// Topic returns the outcomes of topic id from /t/{id}.json.
func (c *Client) Topic(ctx context.Context, id int64) (Topic, error) {
	path := "/t/" + strconv.FormatInt(id, 10) + ".json"
	var resp struct {
		topicJSON
		PostStream struct {
			Posts []Post `json:"posts"`
		} `json:"post_stream"`
	}
	if err := c.get(ctx, path, nil, &resp); err != nil {
		return Topic{}, err
	}
	posts := resp.PostStream.Posts
	var first *Post
	for i := range posts {
		if posts[i].PostNumber == 1 {
			first = &posts[i]
			break
		}
	}
	t, err := resp.topic(c.BaseURL, nil, first)
	if err != nil {
		return Topic{}, fmt.Errorf("discourse: GET %s: %w", path, err)
	}
	t.completeAnswers(posts)
	return t, nil
}

// Latest returns the outcomes of the topics on page n of /latest.json,
// counting from 0.
func (c *Client) Latest(ctx context.Context, n int) ([]Topic, error) {
	q := url.Values{"page": {strconv.Itoa(n)}}
	var page latestJSON
	if err := c.get(ctx, "/latest.json", q, &page); err != nil {
		return nil, err
	}
	users := usersByID(page.Users)
	topics := make([]Topic, 0, len(page.TopicList.Topics))
	for i := range page.TopicList.Topics {
		t, err := page.TopicList.Topics[i].topic(c.BaseURL, users, nil)
		if err != nil {
			return nil, fmt.Errorf("discourse: GET /latest.json?%s: topic_list.topics[%d]: %w", q.Encode(), i, err)
		}
		topics = append(topics, t)
	}
	return topics, nil
}

// User returns the account named username from /users/{username}.json.
func (c *Client) User(ctx context.Context, username string) (User, error) {
	path := "/users/" + url.PathEscape(username) + ".json"
	var resp struct {
		User *User `json:"user"`
	}
	if err := c.get(ctx, path, nil, &resp); err != nil {
		return User{}, err
	}
	if resp.User == nil {
		return User{}, fmt.Errorf("discourse: GET %s: no user in the response", path)
	}
	return *resp.User, nil
}

// Sync passes fn the activity of every post newer than cursor, the highest
// post id seen by the last sync (0 for none), paging back through
// /posts.json from the newest post until it reaches the cursor. It returns
// the new cursor: the highest post id seen, activity or not.
//
// On error the old cursor comes back, so the next sync fetches the same posts
// again; records fn was already given are then duplicates, which import
// counts and skips.
func (c *Client) Sync(ctx context.Context, cursor int64, fn func(cadre.ActivityRecord) error) (int64, error) {
	newest := cursor
	var before int64
	for {
		posts, err := c.LatestPosts(ctx, before)
		if err != nil {
			return cursor, fmt.Errorf("sync: %w", err)
		}
		var oldest int64 // of the new posts on this page; 0 for none
		reached := false
		for i := range posts {
			p := &posts[i]
			// A server that ignores before, or pages with <=, repeats posts
			// already seen on this run.
			if before > 0 && p.ID >= before {
				continue
			}
			if p.ID <= cursor {
				reached = true
				continue
			}
			if oldest == 0 || p.ID < oldest {
				oldest = p.ID
			}
			newest = max(newest, p.ID)
			rec, ok, err := Record(*p, c.BaseURL, nil)
			if err != nil {
				err = fmt.Errorf("sync: post %d: %w", p.ID, err)
				if c.Reject == nil {
					return cursor, err
				}
				c.Reject(err)
				continue
			}
			if !ok {
				continue
			}
			if err := fn(rec); err != nil {
				return cursor, err
			}
		}
		if reached || oldest == 0 {
			return newest, nil
		}
		before = oldest
	}
}

// get fetches path with query from the forum and decodes the JSON response
// into v, waiting out rate limits.
func (c *Client) get(ctx context.Context, path string, query url.Values, v any) error {
	shown := path
	if len(query) > 0 {
		shown += "?" + query.Encode()
	}
	u := strings.TrimRight(c.BaseURL, "/") + shown
	for attempt := 0; ; attempt++ {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		if err != nil {
			return fmt.Errorf("discourse: GET %s: %w", shown, err)
		}
		req.Header.Set("Accept", "application/json")
		if c.APIKey != "" {
			req.Header.Set("Api-Key", c.APIKey)
		}
		if c.APIUsername != "" {
			req.Header.Set("Api-Username", c.APIUsername)
		}
		hc := c.HTTP
		if hc == nil {
			hc = http.DefaultClient
		}
		resp, err := hc.Do(req)
		if err != nil {
			return fmt.Errorf("discourse: GET %s: %w", shown, err)
		}
		body, err := io.ReadAll(io.LimitReader(resp.Body, MaxFileBytes+1))
		resp.Body.Close()
		if err != nil {
			return fmt.Errorf("discourse: GET %s: read body: %w", shown, err)
		}
		if resp.StatusCode/100 != 2 {
			herr := &HTTPError{Platform: "discourse", Method: http.MethodGet, Path: shown, StatusCode: resp.StatusCode, Status: resp.Status, Body: apiclient.Excerpt(body)}
			if resp.StatusCode != http.StatusTooManyRequests {
				return herr
			}
			if attempt == maxRetries {
				return fmt.Errorf("gave up after %d retries: %w", maxRetries, herr)
			}
			wait := retryAfter(resp.Header.Get("Retry-After"))
			if wait > maxRetryWait {
				return fmt.Errorf("rate limited for %s, longer than %s: %w", wait, maxRetryWait, herr)
			}
			if err := apiclient.Sleep(ctx, wait, c.Sleep); err != nil {
				return fmt.Errorf("discourse: GET %s: waiting out a rate limit: %w", shown, err)
			}
			continue
		}
		if len(body) > MaxFileBytes {
			return fmt.Errorf("discourse: GET %s: response larger than %d bytes", shown, MaxFileBytes)
		}
		if err := json.Unmarshal(body, v); err != nil {
			return fmt.Errorf("discourse: GET %s: decode response: %w", shown, err)
		}
		return nil
	}
}

// retryAfter reads a Retry-After header in seconds, the form Discourse sends.
func retryAfter(h string) time.Duration {
	const maxSecs = 1e9 // keeps the Duration from overflowing
	secs, err := strconv.ParseInt(strings.TrimSpace(h), 10, 64)
	if err != nil {
		return defaultRetryWait
	}
	return time.Duration(min(max(secs, 0), maxSecs)) * time.Second
}
