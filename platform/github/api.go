package github

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/cadrehq/cadre/internal/apiclient"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/cadrehq/cadre"
	gh "github.com/google/go-github/v72/github"
)

const (
	// perPage is the largest page the REST API serves.
	perPage = 100
	// cursorOverlap is taken off the start of a sync to make the next one's
	// since: GitHub filters by its own clock, which may differ from ours.
	// What the overlap fetches again is skipped on import by its external id.
	cursorOverlap = time.Minute
	// maxRetries is how many times one request waits out a rate limit.
	maxRetries = 3
	// maxRetryWait bounds one wait: a limit that resets later than this is
	// better met by a later sync than by holding the source's lease.
	maxRetryWait = 15 * time.Minute
	// resetMargin is added to X-RateLimit-Reset, which GitHub rounds down to
	// the second.
	resetMargin = time.Second
	// secondaryWait is waited on a secondary rate limit that names no time,
	// as GitHub's documentation asks.
	secondaryWait = time.Minute
)

// Client reads the activity of repositories through the GitHub REST API.
type Client struct {
	// Repos are the repositories to sync, as "owner/name".
	Repos []string
	// Orgs are organizations whose every repository is synced too.
	Orgs []string
	// Token is sent as a bearer token when set. Without one GitHub allows 60
	// requests an hour, which syncs little more than an empty repository.
	Token string
	// BaseURL is the API's root, such as "https://ghe.example.com/api/v3/"
	// for GitHub Enterprise Server; "" means https://api.github.com/.
	BaseURL string
	// HTTP sends the requests; nil means a client without a timeout.
	HTTP *http.Client
	// Sleep waits out a rate limit, returning early with ctx's error when ctx
	// ends; nil means a timer. Tests set one that does not wait.
	Sleep func(ctx context.Context, d time.Duration) error
	// Now tells the time, for the cursor and rate limit resets; nil means
	// time.Now.
	Now func() time.Time
	// Reject, when set, is called by Sync with the error of each object that
	// cannot be mapped, and Sync goes on without it. When nil, Sync stops at
	// such an object, so that none is skipped unnoticed.
	Reject func(error)
}

// cursor is where Sync resumes: by repository, in lower case, the time from
// which to list what changed. A repository absent from it, such as one just
// added to the configuration, is synced from its beginning.
type cursor struct {
	Repos map[string]time.Time `json:"repos"`
}

// Sync passes emit the activities of every configured repository, and of
// every repository of the configured organizations, since cursor: issues
// opened, issue and pull request comments, review comments, reviews and
// merged pull requests, mapped as GH Archive events and webhooks are. It
// returns the cursor of the next sync, which is JSON such as
// {"repos":{"owner/name":"2024-06-01T11:59:00Z"}}: the time this sync started,
// less a minute, for each repository. "" syncs everything.
//
// A first sync reads every issue, comment and pull request of a repository,
// and the reviews of each pull request one request apiece, so for a large
// repository it takes long and may need more requests than the hourly rate
// limit allows (5,000 with a token). It then waits for the limit to reset
// when that is at most 15 minutes away, and otherwise fails naming when to
// retry.
//
// On error the old cursor comes back, so the next sync fetches the same
// objects again; records emit was already given are then duplicates, which
// import counts and skips.
func (c *Client) Sync(ctx context.Context, cur string, emit func(cadre.ActivityRecord) error) (string, error) {
	since := c.now().UTC().Truncate(time.Second).Add(-cursorOverlap)
	if len(c.Repos)+len(c.Orgs) == 0 {
		return cur, cadre.Errorf(cadre.EINVALID, "github: no repositories or organizations to sync")
	}
	prev, err := parseCursor(cur)
	if err != nil {
		return cur, err
	}
	api, err := c.api()
	if err != nil {
		return cur, err
	}
	repos, err := c.repos(ctx, api)
	if err != nil {
		return cur, err
	}
	// Repositories synced in full move on even when a later one fails, so
	// that an organisation too big for one rate-limit window gets through
	// in several syncs.
	next := cursor{Repos: make(map[string]time.Time, len(repos))}
	for _, repo := range repos {
		if t, ok := prev.Repos[strings.ToLower(repo)]; ok {
			next.Repos[strings.ToLower(repo)] = t
		}
	}
	var syncErr error
	done := 0
	for _, repo := range repos {
		key := strings.ToLower(repo)
		owner, name, _ := strings.Cut(repo, "/")
		s := &repoSync{
			c: c, api: api, repo: repo, owner: owner, name: name,
			since: prev.Repos[key], emit: emit, threads: make(map[int][]byte),
		}
		if syncErr = s.run(ctx); syncErr != nil {
			break
		}
		next.Repos[key] = since
		done++
	}
	if done == 0 && syncErr != nil {
		return cur, syncErr
	}
	b, err := json.Marshal(next)
	if err != nil {
		return cur, fmt.Errorf("github: encode cursor: %w", err)
	}
	return string(b), syncErr
}

func parseCursor(s string) (cursor, error) {
	var cur cursor
	if s == "" {
		return cur, nil
	}
	if err := json.Unmarshal([]byte(s), &cur); err != nil {
		return cur, cadre.Errorf(cadre.EINVALID, "github cursor %q is not valid: %w", s, err)
	}
	return cur, nil
}

// api returns a go-github client for c's token and base URL.
func (c *Client) api() (*gh.Client, error) {
	api := gh.NewClient(c.HTTP)
	if c.Token != "" {
		api = api.WithAuthToken(c.Token)
	}
	if c.BaseURL != "" {
		u, err := url.Parse(c.BaseURL)
		if err != nil || u.Scheme == "" || u.Host == "" {
			return nil, cadre.Errorf(cadre.EINVALID, "github base URL %q is not an absolute URL", c.BaseURL)
		}
		// go-github resolves paths against BaseURL, which must end in a slash.
		if !strings.HasSuffix(u.Path, "/") {
			u.Path += "/"
		}
		api.BaseURL = u
	}
	return api, nil
}

// repos returns the configured repositories and those of the configured
// organizations, each once whatever its case.
func (c *Client) repos(ctx context.Context, api *gh.Client) ([]string, error) {
	var repos []string
	seen := make(map[string]bool)
	add := func(repo string) {
		if key := strings.ToLower(repo); !seen[key] {
			seen[key] = true
			repos = append(repos, repo)
		}
	}
	for _, repo := range c.Repos {
		owner, name, ok := strings.Cut(repo, "/")
		if !ok || owner == "" || name == "" || strings.Contains(name, "/") {
			return nil, cadre.Errorf(cadre.EINVALID, "github repository %q is not owner/name", repo)
		}
		add(repo)
	}
	for _, org := range c.Orgs {
		opts := &gh.RepositoryListByOrgOptions{ListOptions: gh.ListOptions{PerPage: perPage}}
		err := eachItem(ctx, c, api, func(ctx context.Context) ([]*gh.Repository, *gh.Response, error) {
			return api.Repositories.ListByOrg(ctx, org, opts)
		}, func(r *gh.Repository) (bool, error) {
			add(r.GetFullName())
			return true, nil
		})
		if err != nil {
			return nil, apiError(err, "organization "+org, "github: organization "+org+": list repositories")
		}
	}
	return repos, nil
}

// repoSync is the sync of one repository.
type repoSync struct {
	c                 *Client
	api               *gh.Client
	repo, owner, name string
	since             time.Time // zero on the repository's first sync
	emit              func(cadre.ActivityRecord) error
	// threads holds the issues and pull requests updated since, as JSON, by
	// number, for the comments and reviews on them, which carry neither
	// their title nor their state.
	threads map[int][]byte
	// pulls are the numbers of the pull requests updated since, whose
	// reviews are read.
	pulls []int
}

// run reads the repository's listings. The issues come first, for the
// titles and pull requests the others need. All listings but reviews sort by
// update, newest first, so that an object updated while the pages are read
// moves to a page already read, and a later page never loses one to the
// shift; the moved object is read by the next sync.
func (s *repoSync) run(ctx context.Context) error {
	for _, step := range []struct {
		name string
		fn   func(context.Context) error
	}{
		{"issues", s.issues},
		{"issue comments", s.issueComments},
		{"review comments", s.reviewComments},
		{"pull requests", s.pullRequests},
		{"reviews", s.reviews},
	} {
		if err := step.fn(ctx); err != nil {
			return apiError(err, "repository "+s.repo, "github: "+s.repo+": "+step.name)
		}
	}
	return nil
}

// issues emits the issues opened since, and notes the titles of all the
// issues and pull requests updated since; the REST API lists pull requests
// among issues.
func (s *repoSync) issues(ctx context.Context) error {
	opts := &gh.IssueListByRepoOptions{
		State: "all", Sort: "updated", Direction: "desc", Since: s.since,
		ListOptions: gh.ListOptions{PerPage: perPage},
	}
	return eachItem(ctx, s.c, s.api, func(ctx context.Context) ([]*gh.Issue, *gh.Response, error) {
		return s.api.Issues.ListByRepo(ctx, s.owner, s.name, opts)
	}, func(is *gh.Issue) (bool, error) {
		th, err := json.Marshal(is)
		if err != nil {
			return false, fmt.Errorf("issue %d: encode: %w", is.GetID(), err)
		}
		s.threads[is.GetNumber()] = th
		if is.IsPullRequest() {
			s.pulls = append(s.pulls, is.GetNumber())
			return true, nil
		}
		return true, s.record("IssuesEvent", "issue", is.GetID(), is, nil)
	})
}

func (s *repoSync) issueComments(ctx context.Context) error {
	opts := &gh.IssueListCommentsOptions{
		Sort: gh.Ptr("updated"), Direction: gh.Ptr("desc"),
		ListOptions: gh.ListOptions{PerPage: perPage},
	}
	if !s.since.IsZero() {
		opts.Since = &s.since
	}
	return eachItem(ctx, s.c, s.api, func(ctx context.Context) ([]*gh.IssueComment, *gh.Response, error) {
		// Number 0 lists the comments of the whole repository.
		return s.api.Issues.ListComments(ctx, s.owner, s.name, 0, opts)
	}, func(cm *gh.IssueComment) (bool, error) {
		return true, s.record("IssueCommentEvent", "issue comment", cm.GetID(), cm, s.threads[urlNumber(cm.GetIssueURL())])
	})
}

func (s *repoSync) reviewComments(ctx context.Context) error {
	opts := &gh.PullRequestListCommentsOptions{
		Sort: "updated", Direction: "desc", Since: s.since,
		ListOptions: gh.ListOptions{PerPage: perPage},
	}
	return eachItem(ctx, s.c, s.api, func(ctx context.Context) ([]*gh.PullRequestComment, *gh.Response, error) {
		return s.api.PullRequests.ListComments(ctx, s.owner, s.name, 0, opts)
	}, func(cm *gh.PullRequestComment) (bool, error) {
		return true, s.record("PullRequestReviewCommentEvent", "review comment", cm.GetID(), cm, s.threads[urlNumber(cm.GetPullRequestURL())])
	})
}

// pullRequests emits the pull requests merged since. The listing takes no
// since, so it stops at the first pull request updated before.
func (s *repoSync) pullRequests(ctx context.Context) error {
	opts := &gh.PullRequestListOptions{
		State: "closed", Sort: "updated", Direction: "desc",
		ListOptions: gh.ListOptions{PerPage: perPage},
	}
	return eachItem(ctx, s.c, s.api, func(ctx context.Context) ([]*gh.PullRequest, *gh.Response, error) {
		return s.api.PullRequests.List(ctx, s.owner, s.name, opts)
	}, func(pr *gh.PullRequest) (bool, error) {
		if pr.GetUpdatedAt().Before(s.since) {
			return false, nil
		}
		if pr.MergedAt == nil {
			return true, nil
		}
		// Listings leave out "merged", which the mapping reads.
		pr.Merged = gh.Ptr(true)
		return true, s.record("PullRequestEvent", "pull request", pr.GetID(), pr, nil)
	})
}

// reviews emits the reviews submitted since on the pull requests updated
// since; a review updates its pull request.
func (s *repoSync) reviews(ctx context.Context) error {
	for _, n := range s.pulls {
		opts := &gh.ListOptions{PerPage: perPage}
		err := eachItem(ctx, s.c, s.api, func(ctx context.Context) ([]*gh.PullRequestReview, *gh.Response, error) {
			return s.api.PullRequests.ListReviews(ctx, s.owner, s.name, n, opts)
		}, func(r *gh.PullRequestReview) (bool, error) {
			// A pending review, seen only by its author, is not yet submitted.
			if r.SubmittedAt == nil {
				return true, nil
			}
			return true, s.record("PullRequestReviewEvent", "review", r.GetID(), r, s.threads[n])
		})
		if err != nil {
			return fmt.Errorf("pull request #%d: %w", n, err)
		}
	}
	return nil
}

// record emits the activity of obj, an object of the REST API, unless it
// happened before since: listings filter by update, and an object updated
// since but made before was emitted by an earlier sync. thread is the issue
// or pull request obj belongs to, as JSON, if known.
func (s *repoSync) record(kind, what string, id int64, obj any, thread []byte) error {
	rec, ok, err := apiRecord(kind, obj, thread)
	if err != nil {
		err = fmt.Errorf("%s %d: %w", what, id, err)
		if s.c.Reject == nil {
			return err
		}
		s.c.Reject(fmt.Errorf("github: %s: %w", s.repo, err))
		return nil
	}
	if !ok || rec.OccurredAt.Before(s.since) {
		return nil
	}
	return s.emit(rec)
}

// apiRecord maps obj as the GH Archive event kind that makes its activity.
// The REST API's objects have the fields of those in events and webhooks, so
// obj goes through their mapping as JSON: however an object is seen, it gets
// one type, time and external id.
func apiRecord(kind string, obj any, thread []byte) (cadre.ActivityRecord, bool, error) {
	raw, err := json.Marshal(obj)
	if err != nil {
		return cadre.ActivityRecord{}, false, fmt.Errorf("encode: %w", err)
	}
	var p payload
	switch kind {
	case "IssuesEvent":
		p = payload{Action: "opened", Issue: raw}
	case "IssueCommentEvent":
		p = payload{Action: "created", Comment: raw, Issue: thread}
	case "PullRequestReviewEvent":
		p = payload{Action: "submitted", Review: raw, PullRequest: thread}
	case "PullRequestReviewCommentEvent":
		p = payload{Action: "created", Comment: raw, PullRequest: thread}
	case "PullRequestEvent":
		p = payload{Action: "closed", PullRequest: raw}
	}
	rec, ok, reason := mapPayload(kind, &p, nil, time.Time{}, "")
	if reason != "" {
		return rec, false, errors.New(reason)
	}
	return rec, ok, nil
}

// urlNumber returns the number that ends an issue or pull request's API URL,
// or 0.
func urlNumber(u string) int {
	n, err := strconv.Atoi(path.Base(u))
	if err != nil {
		return 0
	}
	return n
}

// eachItem passes fn the items of every page of a listing, from the first,
// which first fetches, until the last or until fn returns false. It follows
// the Link header's next page rather than counting pages: GitHub answers
// large listings, such as a big repository's issues, with cursors, and
// refuses page numbers past them.
func eachItem[T any](ctx context.Context, c *Client, api *gh.Client, first func(context.Context) ([]T, *gh.Response, error), fn func(T) (more bool, err error)) error {
	fetch := first
	for {
		var items []T
		resp, err := c.retry(ctx, func(ctx context.Context) (*gh.Response, error) {
			var resp *gh.Response
			var err error
			items, resp, err = fetch(ctx)
			return resp, err
		})
		if err != nil {
			return err
		}
		for _, it := range items {
			more, err := fn(it)
			if err != nil {
				return err
			}
			if !more {
				return nil
			}
		}
		next, err := nextPage(resp.Header, api.BaseURL)
		if err != nil || next == "" {
			return err
		}
		fetch = func(ctx context.Context) ([]T, *gh.Response, error) {
			req, err := api.NewRequest(http.MethodGet, next, nil)
			if err != nil {
				return nil, nil, err
			}
			var page []T
			resp, err := api.Do(ctx, req, &page)
			return page, resp, err
		}
	}
}

// nextPage returns the URL of the Link header's rel="next", or "" on the
// last page. The token goes with every request, so a link away from base
// is refused.
func nextPage(h http.Header, base *url.URL) (string, error) {
	for _, v := range h.Values("Link") {
		for link := range strings.SplitSeq(v, ",") {
			target, params, ok := strings.Cut(link, ";")
			target = strings.TrimSpace(target)
			if !ok || !strings.HasPrefix(target, "<") || !strings.HasSuffix(target, ">") {
				continue
			}
			isNext := false
			for p := range strings.SplitSeq(params, ";") {
				isNext = isNext || strings.TrimSpace(p) == `rel="next"`
			}
			if !isNext {
				continue
			}
			next := target[1 : len(target)-1]
			u, err := url.Parse(next)
			if err != nil || u.Scheme != base.Scheme || u.Host != base.Host {
				return "", fmt.Errorf("next page %q is not on %s", next, base.Host)
			}
			return next, nil
		}
	}
	return "", nil
}

// retry makes a request with call, waiting out rate limits: up to maxRetries
// times, and none longer than maxRetryWait, past which it fails naming when
// to retry. It does not pause when the remaining budget runs low: other
// clients of the same token spend it too, so the exhausted limit, answered
// with its reset time, is the one sure signal.
func (c *Client) retry(ctx context.Context, call func(context.Context) (*gh.Response, error)) (*gh.Response, error) {
	// go-github refuses requests on its own until a limit it saw resets,
	// by the real clock; the waits are ours to make, with c.Sleep.
	ctx = context.WithValue(ctx, gh.BypassRateLimitCheck, true)
	for attempt := 0; ; attempt++ {
		resp, err := call(ctx)
		if err == nil {
			return resp, nil
		}
		now := c.now()
		wait, limited := rateLimitWait(resp, err, now)
		switch {
		case !limited:
			return resp, err
		case wait > maxRetryWait:
			return resp, fmt.Errorf("rate limited until %s, more than %s away; retry after then: %w",
				now.Add(wait).UTC().Format(time.RFC3339), maxRetryWait, err)
		case attempt == maxRetries:
			return resp, fmt.Errorf("still rate limited after %d waits: %w", maxRetries, err)
		}
		if err := apiclient.Sleep(ctx, wait, c.Sleep); err != nil {
			return resp, fmt.Errorf("waiting out a rate limit: %w", err)
		}
	}
}

// rateLimitWait says whether the failed request that got resp and err was
// rate limited, and how long GitHub asks to wait. It reads the headers
// itself, since go-github recognizes an exhausted limit only in a 403 and
// GitHub also answers 429.
func rateLimitWait(resp *gh.Response, err error, now time.Time) (time.Duration, bool) {
	if resp == nil || resp.Response == nil {
		return 0, false
	}
	code := resp.StatusCode
	if code != http.StatusForbidden && code != http.StatusTooManyRequests {
		return 0, false
	}
	h := resp.Header
	if v := h.Get("Retry-After"); v != "" {
		if secs, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64); err == nil && secs >= 0 {
			return time.Duration(min(secs, 1e9)) * time.Second, true
		}
	}
	if h.Get("X-RateLimit-Remaining") == "0" {
		if reset, err := strconv.ParseInt(h.Get("X-RateLimit-Reset"), 10, 64); err == nil {
			return max(time.Unix(reset, 0).Sub(now)+resetMargin, 0), true
		}
		return secondaryWait, true
	}
	// A 403 without these headers is a permission error, unless go-github
	// knew it by its documentation URL as a secondary limit.
	var abuse *gh.AbuseRateLimitError
	if code == http.StatusTooManyRequests || errors.As(err, &abuse) {
		return secondaryWait, true
	}
	return 0, false
}

// apiError names what failed in err: the token for a 401, and what for a 404
// (a private repository reads as missing to a token that cannot see it).
// Other errors are wrapped with where.
func apiError(err error, what, where string) error {
	var er *gh.ErrorResponse
	if errors.As(err, &er) && er.Response != nil {
		switch er.Response.StatusCode {
		case http.StatusUnauthorized:
			return fmt.Errorf("%w: %w", cadre.Errorf(cadre.EUNAUTHORIZED, "github token rejected"), err)
		case http.StatusNotFound:
			return fmt.Errorf("%w: %w", cadre.Errorf(cadre.ENOTFOUND, "github %s not found, or the token cannot see it", what), err)
		}
	}
	return fmt.Errorf("%s: %w", where, err)
}

func (c *Client) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}
