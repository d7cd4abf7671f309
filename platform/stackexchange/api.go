package stackexchange

import (
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/cadrehq/cadre/internal/apiclient"
	"html"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/cadrehq/cadre"
)

const (
	// DefaultBaseURL is the Stack Exchange API the client uses when its
	// BaseURL is "".
	DefaultBaseURL = "https://api.stackexchange.com/2.3"
	// pageSize is the API's largest page, and the most ids one
	// /questions/{ids}/answers request takes.
	pageSize = 100
	// cursorOverlap is taken off the newest activity a sync saw, so that
	// activity stamped in the same seconds but not yet listed when the sync
	// read its page comes next time; answers fetched twice are duplicates
	// that import skips.
	cursorOverlap = 5 * time.Minute
	// quotaWindow is how long the API may take to refill a spent quota: it
	// counts a day from the window's first request, not from midnight.
	quotaWindow = 24 * time.Hour
	// maxResponseBytes bounds one decompressed response; a page of 100
	// questions or answers without bodies is about 50 kB.
	maxResponseBytes = 16 << 20
	// maxBackoffSecs keeps a backoff from overflowing a time.Duration; ctx
	// ends any wait that long.
	maxBackoffSecs = 1e9
)

// The API methods whose backoff the client honours, named as the API
// documents them.
const (
	methodQuestions = "/questions"
	methodAnswers   = "/questions/{ids}/answers"
)

// Client reads the answers in some tags of one site through the Stack
// Exchange API, giving them the same records as the dump Reader, so that an
// answer read from a dump and from the API is one activity. A Client must not
// run two Syncs at once.
type Client struct {
	// Site is the site's API parameter, such as "stackoverflow", or its host
	// name, such as "conlang.stackexchange.com".
	Site string
	// Tags are synced one after the other; a question in several of them is
	// read once.
	Tags []string
	// Key is an app key from stackapps.com. It is optional and not secret:
	// it raises the daily quota from 300 requests an IP address to 10,000.
	Key string
	// BaseURL is the API's address; "" means DefaultBaseURL.
	BaseURL string
	// HTTP sends the requests; nil means http.DefaultClient.
	HTTP *http.Client
	// Sleep waits out a backoff, returning early with ctx's error when ctx
	// ends; nil means a timer. Tests set one that does not wait.
	Sleep func(ctx context.Context, d time.Duration) error

	stats Stats
}

// HTTPError is a response with a status the client cannot use and no API
// error wrapper (an APIError otherwise).
type HTTPError = apiclient.HTTPError

// APIError is an error the API reported in its wrapper object, such as
// error_id 502, throttle_violation, for requests that ignore a backoff or
// come too fast.
type APIError struct {
	Method     string
	Path       string // path and query, relative to BaseURL, without the key
	StatusCode int
	ID         int    // error_id
	Name       string // error_name
	Message    string // error_message
}

func (e *APIError) Error() string {
	return fmt.Sprintf("stackexchange: %s %s: %d %s (error_id %d): %s", e.Method, e.Path, e.StatusCode, e.Name, e.ID, e.Message)
}

// QuotaError says the daily quota of requests is spent, so a sync stops
// rather than make requests the API would refuse.
type QuotaError struct {
	Max int // quota_max: the requests a day
	// RefillBy is when the quota is refilled at the latest: a day after the
	// response that spent it, by that response's Date header. It is zero
	// when the response had no date.
	RefillBy time.Time
}

func (e *QuotaError) Error() string {
	when := "within a day"
	if !e.RefillBy.IsZero() {
		when = "by " + e.RefillBy.UTC().Format("2006-01-02 15:04 MST") + " at the latest"
	}
	return fmt.Sprintf("stackexchange: the daily quota of %d requests is spent; it is refilled %s (an app key raises it)", e.Max, when)
}

// Stats returns the counts of the last Sync: the questions it read and the
// answers it yielded or skipped. Other stays 0.
func (c *Client) Stats() Stats {
	return c.stats
}

// Sync passes emit the record of every answer to a question in c.Tags that
// has had activity since cursor, and returns the new cursor.
//
// The cursor is the Unix time, in decimal seconds, from which questions are
// read: the newest last_activity_date a sync saw, less five minutes. Posting
// or editing an answer is activity on its question, so the answers of these
// questions include every new answer. A question's old answers come again
// with its new ones; import counts them as duplicates. The cursor "" reads
// every question of the tags, page by page, back to the site's start: for a
// large tag that is more requests than a day's quota, so import its history
// from a dump and start syncing from the dump's date.
//
// Backoffs the API asks for are waited out with Sleep before the next
// request to the same method in this sync. Once a response says the quota is
// spent, the sync stops with a *QuotaError instead of making another request.
//
// On error the old cursor comes back, so the next sync reads the same
// questions again.
func (c *Client) Sync(ctx context.Context, cursor string, emit func(cadre.ActivityRecord) error) (string, error) {
	var since int64
	if cursor != "" {
		n, err := strconv.ParseInt(cursor, 10, 64)
		if err != nil || n < 0 {
			return cursor, fmt.Errorf("stackexchange: sync: cursor %q is not a Unix time", cursor)
		}
		since = n
	}
	switch {
	case c.Site == "":
		return cursor, errors.New("stackexchange: sync: no site")
	case len(c.Tags) == 0:
		return cursor, errors.New("stackexchange: sync: no tags")
	}
	s := &syncRun{c: c, emit: emit, seen: map[int64]bool{}, backoff: map[string]time.Duration{}}
	defer func() { c.stats = s.stats }()
	for _, tag := range c.Tags {
		if err := s.tag(ctx, tag, since); err != nil {
			return cursor, fmt.Errorf("sync tag %q: %w", tag, err)
		}
	}
	if s.newest == 0 {
		return cursor, nil
	}
	next := s.newest - int64(cursorOverlap/time.Second)
	if next <= since {
		return cursor, nil
	}
	return strconv.FormatInt(next, 10), nil
}

// syncRun is the state of one Sync.
type syncRun struct {
	c    *Client
	emit func(cadre.ActivityRecord) error
	// seen holds the questions already read, from an earlier tag or page.
	seen   map[int64]bool
	newest int64 // the newest last_activity_date seen
	stats  Stats
	// backoff holds the waits the API asked for before the next request to
	// each method.
	backoff map[string]time.Duration
	// spent is set when a response says the quota is spent.
	spent *QuotaError
}

// question is what the client uses of the API's question object.
type question struct {
	ID           int64  `json:"question_id"`
	LastActivity int64  `json:"last_activity_date"`
	Views        int64  `json:"view_count"`
	Link         string `json:"link"`
	// AcceptedAnswerID is left out of a question without an accepted answer.
	AcceptedAnswerID *int64 `json:"accepted_answer_id"`
}

// answer is what the client uses of the API's answer object, all in its
// default filter.
type answer struct {
	ID         int64        `json:"answer_id"`
	QuestionID int64        `json:"question_id"`
	IsAccepted bool         `json:"is_accepted"`
	Score      int64        `json:"score"`
	Created    int64        `json:"creation_date"`
	Owner      *shallowUser `json:"owner"`
}

// shallowUser is what the client uses of the API's shallow_user object. Of a
// deleted account, only user_type "does_not_exist" is sure to be set.
type shallowUser struct {
	UserID      *int64 `json:"user_id"` // a pointer: -1 is the Community user
	AccountID   *int64 `json:"account_id"`
	DisplayName string `json:"display_name"`
	UserType    string `json:"user_type"`
}

// tag reads the questions of tag active since since (0 for all), newest
// activity first, and yields their answers a page at a time.
func (s *syncRun) tag(ctx context.Context, tag string, since int64) error {
	q := url.Values{"tagged": {tag}, "sort": {"activity"}, "order": {"desc"}}
	if since > 0 {
		// With sort=activity, min bounds last_activity_date.
		q.Set("min", strconv.FormatInt(since, 10))
	}
	for page := 1; ; page++ {
		q.Set("page", strconv.Itoa(page))
		var questions []question
		more, err := s.get(ctx, methodQuestions, "/questions", q, &questions)
		if err != nil {
			return err
		}
		var fresh []question
		for _, qu := range questions {
			if s.seen[qu.ID] {
				continue
			}
			s.seen[qu.ID] = true
			s.stats.Questions++
			s.stats.QuestionViews += qu.Views
			s.newest = max(s.newest, qu.LastActivity)
			fresh = append(fresh, qu)
		}
		if err := s.answers(ctx, fresh); err != nil {
			return err
		}
		// An empty page ends the paging too, in case has_more is wrong.
		if !more || len(questions) == 0 {
			return nil
		}
	}
}

// answers yields the answers of questions, at most pageSize of them.
func (s *syncRun) answers(ctx context.Context, questions []question) error {
	if len(questions) == 0 {
		return nil
	}
	// Answers carry no link in the default filter; their question's link
	// gives the site's host name for the URL, whatever form Site has.
	hosts := make(map[int64]string, len(questions))
	byID := make(map[int64]*question, len(questions))
	ids := make([]string, len(questions))
	for i := range questions {
		qu := &questions[i]
		byID[qu.ID] = qu
		u, err := url.Parse(qu.Link)
		if err != nil || u.Host == "" {
			return fmt.Errorf("stackexchange: question %d: link %q has no host name", qu.ID, qu.Link)
		}
		hosts[qu.ID] = u.Host
		ids[i] = strconv.FormatInt(qu.ID, 10)
	}
	path := "/questions/" + strings.Join(ids, ";") + "/answers"
	// Oldest first, so that answers posted while paging land on later pages.
	q := url.Values{"sort": {"creation"}, "order": {"asc"}}
	for page := 1; ; page++ {
		q.Set("page", strconv.Itoa(page))
		var answers []answer
		more, err := s.get(ctx, methodAnswers, path, q, &answers)
		if err != nil {
			return err
		}
		for _, a := range answers {
			host, ok := hosts[a.QuestionID]
			if !ok {
				return fmt.Errorf("stackexchange: GET %s: answer %d is to question %d, which was not asked for", path, a.ID, a.QuestionID)
			}
			rec, ok := record(a, host, byID[a.QuestionID])
			if !ok {
				s.stats.NoOwner++
				continue
			}
			s.stats.Answers++
			if a.IsAccepted {
				s.stats.Accepted++
			}
			if err := s.emit(rec); err != nil {
				return err
			}
		}
		if !more || len(answers) == 0 {
			return nil
		}
	}
}

// record maps an answer to question qu as the dump Reader maps the same
// answer's row, through the Reader's own mapping. It reports false for an
// answer whose owner's account is deleted, which the Reader skips too.
func record(a answer, host string, qu *question) (cadre.ActivityRecord, bool) {
	o := a.Owner
	if o == nil || o.UserType == "does_not_exist" || o.UserID == nil {
		return cadre.ActivityRecord{}, false
	}
	u := user{name: strings.TrimSpace(html.UnescapeString(o.DisplayName))}
	if o.AccountID != nil {
		u.account = strconv.FormatInt(*o.AccountID, 10)
	}
	p := post{id: a.ID, owner: *o.UserID, hasOwner: true, score: a.Score, created: time.Unix(a.Created, 0).UTC()}
	rec := (&Reader{site: host}).record(p, u)
	if a.IsAccepted {
		rec.Metrics["solved"] = 1
	}
	rec.Thread = cadre.Thread{ID: strconv.FormatInt(a.QuestionID, 10), Views: qu.Views, HasViews: true,
		Solved: qu.AcceptedAnswerID != nil || a.IsAccepted, HasSolved: true}
	return rec, true
}

// wrapper is the API's common wrapper object, of responses and of errors.
type wrapper struct {
	Items   json.RawMessage `json:"items"`
	HasMore bool            `json:"has_more"`
	Backoff int64           `json:"backoff"`
	// QuotaRemaining is a pointer because a wrapper without it says nothing
	// about the quota.
	QuotaRemaining *int   `json:"quota_remaining"`
	QuotaMax       int    `json:"quota_max"`
	ErrorID        int    `json:"error_id"`
	ErrorName      string `json:"error_name"`
	ErrorMessage   string `json:"error_message"`
}

// get fetches one page of method at path with query, decodes its items into
// items and reports whether more pages follow. It waits out the backoff the
// API asked for before calling method again, and refuses to send requests
// once the quota is spent.
func (s *syncRun) get(ctx context.Context, method, path string, query url.Values, items any) (bool, error) {
	if s.spent != nil {
		return false, s.spent
	}
	q := url.Values{}
	for k, v := range query {
		q[k] = v
	}
	q.Set("site", s.c.Site)
	q.Set("pagesize", strconv.Itoa(pageSize))
	shown := path + "?" + q.Encode()
	if s.c.Key != "" {
		q.Set("key", s.c.Key)
	}
	if wait := s.backoff[method]; wait > 0 {
		if err := apiclient.Sleep(ctx, wait, s.c.Sleep); err != nil {
			return false, fmt.Errorf("stackexchange: GET %s: waiting out a backoff of %s: %w", shown, wait, err)
		}
		delete(s.backoff, method)
	}
	base := s.c.BaseURL
	if base == "" {
		base = DefaultBaseURL
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimRight(base, "/")+path+"?"+q.Encode(), nil)
	if err != nil {
		return false, fmt.Errorf("stackexchange: GET %s: %w", shown, err)
	}
	req.Header.Set("Accept", "application/json")
	hc := s.c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		// The *url.Error names the URL with the key; shown names it without.
		if uerr, ok := errors.AsType[*url.Error](err); ok {
			err = uerr.Err
		}
		return false, fmt.Errorf("stackexchange: GET %s: %w", shown, err)
	}
	defer resp.Body.Close()
	body, err := readBody(resp)
	if err != nil {
		return false, fmt.Errorf("stackexchange: GET %s: %s: %w", shown, resp.Status, err)
	}
	var w wrapper
	jsonErr := json.Unmarshal(body, &w)
	if w.Backoff > 0 {
		s.backoff[method] = time.Duration(min(w.Backoff, maxBackoffSecs)) * time.Second
	}
	if jsonErr == nil && w.ErrorID != 0 {
		return false, &APIError{Method: http.MethodGet, Path: shown, StatusCode: resp.StatusCode, ID: w.ErrorID, Name: w.ErrorName, Message: w.ErrorMessage}
	}
	if resp.StatusCode/100 != 2 {
		return false, &HTTPError{Platform: "stackexchange", Method: http.MethodGet, Path: shown, StatusCode: resp.StatusCode, Status: resp.Status, Body: apiclient.Excerpt(body)}
	}
	if jsonErr != nil {
		return false, fmt.Errorf("stackexchange: GET %s: decode response: %w", shown, jsonErr)
	}
	if w.QuotaRemaining != nil && *w.QuotaRemaining <= 0 {
		s.spent = &QuotaError{Max: w.QuotaMax}
		if date, err := http.ParseTime(resp.Header.Get("Date")); err == nil {
			s.spent.RefillBy = date.Add(quotaWindow)
		}
	}
	if len(w.Items) == 0 {
		return false, fmt.Errorf("stackexchange: GET %s: no items in the response", shown)
	}
	if err := json.Unmarshal(w.Items, items); err != nil {
		return false, fmt.Errorf("stackexchange: GET %s: decode items: %w", shown, err)
	}
	return w.HasMore, nil
}

// readBody reads a response's body, decompressing it when it is still
// gzipped: the API compresses every response, and Go's transport undoes that
// only when it asked for compression itself.
func readBody(resp *http.Response) ([]byte, error) {
	var r io.Reader = resp.Body
	if strings.EqualFold(resp.Header.Get("Content-Encoding"), "gzip") {
		zr, err := gzip.NewReader(resp.Body)
		if err != nil {
			return nil, fmt.Errorf("gunzip body: %w", err)
		}
		defer zr.Close()
		r = zr
	}
	body, err := io.ReadAll(io.LimitReader(r, maxResponseBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read body: %w", err)
	}
	if len(body) > maxResponseBytes {
		return nil, fmt.Errorf("response larger than %d bytes", maxResponseBytes)
	}
	return body, nil
}
