package github

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cadrehq/cadre"
)

const (
	testToken = "test-token"
	// afterToken is the cursor the recordings' Link headers page issues by,
	// as GitHub does for large listings.
	afterToken = "Y3Vyc29yOnYyOpLPAAABaxTvQpDOGn4CtQ=="
)

// syncStart is the fixed clock of the tests, and syncCursor the cursor a
// sync of Codertocat/Hello-World started then returns.
var (
	syncStart  = time.Date(2024, 6, 1, 12, 0, 0, 0, time.UTC)
	syncCursor = `{"repos":{"codertocat/hello-world":"2024-06-01T11:59:00Z"}}`
)

// response is an answer the API server gives instead of its recordings.
type response struct {
	status int
	header map[string]string
	body   string
}

// apiServer serves the recordings of testdata/api as the GitHub REST API
// would: X.json for a listing's first page, X.pageN.json for page=N and
// X.after.json for after=afterToken, with a Link header to the next page
// when there is one. A repository with a folder of recordings has empty
// listings where it has no file; anything else is a 404.
type apiServer struct {
	t *testing.T
	// faults answer the first requests, in order.
	faults []response
	// bodies replace recordings, by path and file name, such as
	// "repos/Codertocat/Hello-World/issues.json".
	bodies map[string]string

	mu       sync.Mutex
	requests []*url.URL
}

func (s *apiServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.requests = append(s.requests, r.URL)
	var fault *response
	if len(s.faults) > 0 {
		fault, s.faults = &s.faults[0], s.faults[1:]
	}
	s.mu.Unlock()

	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	if fault != nil {
		for k, v := range fault.header {
			w.Header().Set(k, v)
		}
		w.WriteHeader(fault.status)
		fmt.Fprint(w, fault.body)
		return
	}
	if r.Header.Get("Authorization") != "Bearer "+testToken {
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprint(w, `{"message":"Bad credentials","documentation_url":"https://docs.github.com/rest","status":"401"}`)
		return
	}

	name := strings.TrimPrefix(path.Clean(r.URL.Path), "/")
	q := r.URL.Query()
	page, _ := strconv.Atoi(q.Get("page"))
	file := name + ".json"
	switch {
	case q.Get("after") == afterToken:
		file = name + ".after.json"
	case page > 1:
		file = fmt.Sprintf("%s.page%d.json", name, page)
	}
	body, ok := s.body(file)
	if !ok {
		parts := strings.Split(name, "/")
		if len(parts) < 3 || parts[0] != "repos" || !s.exists(filepath.Join(parts[:3]...)) {
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprint(w, `{"message":"Not Found","documentation_url":"https://docs.github.com/rest","status":"404"}`)
			return
		}
		body = "[]"
	}

	next := *r.URL
	next.Scheme, next.Host = "http", r.Host
	nq := next.Query()
	switch {
	case page == 0 && !q.Has("after") && s.exists(name+".after.json"):
		nq.Set("after", afterToken)
	case s.exists(fmt.Sprintf("%s.page%d.json", name, max(page, 1)+1)):
		nq.Set("page", strconv.Itoa(max(page, 1)+1))
	default:
		nq = nil
	}
	if nq != nil {
		next.RawQuery = nq.Encode()
		w.Header().Set("Link", fmt.Sprintf(`<%s>; rel="next"`, next.String()))
	}
	w.Header().Set("X-RateLimit-Limit", "5000")
	w.Header().Set("X-RateLimit-Remaining", "4999")
	fmt.Fprint(w, body)
}

func (s *apiServer) body(file string) (string, bool) {
	if b, ok := s.bodies[file]; ok {
		return b, true
	}
	b, err := os.ReadFile(filepath.Join("testdata", "api", filepath.FromSlash(file)))
	if errors.Is(err, os.ErrNotExist) {
		return "", false
	}
	if err != nil {
		s.t.Error(err)
	}
	return string(b), true
}

func (s *apiServer) exists(file string) bool {
	_, err := os.Stat(filepath.Join("testdata", "api", filepath.FromSlash(file)))
	return err == nil
}

// pageKey names the page of a listing that u requests, as the tests name
// pages: "path page=N after=CURSOR".
func pageKey(u *url.URL) string {
	q := u.Query()
	return u.Path + " page=" + q.Get("page") + " after=" + q.Get("after")
}

// requested returns the requests made.
func (s *apiServer) requested() []*url.URL {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.requests)
}

// sleeps records the waits a client asks for, without waiting.
type sleeps struct {
	mu sync.Mutex
	d  []time.Duration
}

func (s *sleeps) sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.d = append(s.d, d)
	return ctx.Err()
}

// newTestClient returns a client of srv for Codertocat/Hello-World, at
// syncStart, that records its sleeps in sl.
func newTestClient(t *testing.T, srv *apiServer, sl *sleeps) *Client {
	t.Helper()
	srv.t = t
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	return &Client{
		Repos:   []string{"Codertocat/Hello-World"},
		Token:   testToken,
		BaseURL: ts.URL,
		HTTP:    ts.Client(),
		Sleep:   sl.sleep,
		Now:     func() time.Time { return syncStart },
	}
}

// collect runs a sync and returns the records it emitted, by external id.
func collect(t *testing.T, c *Client, cursor string) ([]cadre.ActivityRecord, string, error) {
	t.Helper()
	var recs []cadre.ActivityRecord
	next, err := c.Sync(context.Background(), cursor, func(rec cadre.ActivityRecord) error {
		recs = append(recs, rec)
		return nil
	})
	slices.SortFunc(recs, func(a, b cadre.ActivityRecord) int { return strings.Compare(a.ExternalID, b.ExternalID) })
	return recs, next, err
}

// The activities of the recordings of Codertocat/Hello-World. Pull request 2
// is closed without a merge, and one review of pull request 3 is pending;
// neither is an activity, nor is the opening of a pull request.
// apiRecords are the records of the recorded API responses. The API sees
// the threads later than the webhooks did: issue 1 closed without saying
// why and pull request 2 closed unmerged are not known to be solved; pull
// request 3 was merged; issue 4 is open.
var apiRecords = map[string]cadre.ActivityRecord{
	"issue:444500041": threadOnly("Codertocat/Hello-World#1", record("feedback", "issue:444500041", "2019-05-15T15:20:18Z", "Codertocat", "21031067", false,
		"https://github.com/Codertocat/Hello-World/issues/1", "Spelling error in the README file")),
	"issue:444500100": inThread("Codertocat/Hello-World#4", false, record("feedback", "issue:444500100", "2019-05-16T09:00:00Z", "triage-app", "9919", true,
		"https://github.com/Codertocat/Hello-World/issues/4", "Triage: stale issues need a label")),
	"issue_comment:492700400": threadOnly("Codertocat/Hello-World#1", record("forum", "issue_comment:492700400", "2019-05-15T15:20:21Z", "Codertocat", "21031067", false,
		"https://github.com/Codertocat/Hello-World/issues/1#issuecomment-492700400", "Spelling error in the README file")),
	"issue_comment:492700500": inThread("Codertocat/Hello-World#3", true, record("forum", "issue_comment:492700500", "2019-05-16T09:30:00Z", "octocat", "583231", false,
		"https://github.com/Codertocat/Hello-World/pull/3#issuecomment-492700500", "Fix the spelling error in the README")),
	"pull_request:279147500": inThread("Codertocat/Hello-World#3", true, record("code", "pull_request:279147500", "2019-05-16T10:00:00Z", "octocat", "583231", false,
		"https://github.com/Codertocat/Hello-World/pull/3", "Fix the spelling error in the README")),
	"review:237895671": threadOnly("Codertocat/Hello-World#2", record("forum", "review:237895671", "2019-05-15T15:20:38Z", "Codertocat", "21031067", false,
		"https://github.com/Codertocat/Hello-World/pull/2#pullrequestreview-237895671", "Update the README with new information.")),
	"review:237895700": inThread("Codertocat/Hello-World#3", true, record("forum", "review:237895700", "2019-05-16T09:50:00Z", "octocat", "583231", false,
		"https://github.com/Codertocat/Hello-World/pull/3#pullrequestreview-237895700", "Fix the spelling error in the README")),
	"review_comment:284312630": inThread("Codertocat/Hello-World#3", true, record("forum", "review_comment:284312630", "2019-05-16T09:45:00Z", "dependabot[bot]", "49699333", true,
		"https://github.com/Codertocat/Hello-World/pull/3#discussion_r284312630", "Fix the spelling error in the README")),
}

// threadOnly sets the thread of r, not known to be solved or not.
func threadOnly(id string, r cadre.ActivityRecord) cadre.ActivityRecord {
	r.Thread = cadre.Thread{ID: id}
	return r
}

func TestSync(t *testing.T) {
	tests := []struct {
		name, cursor string
		wantSince    string // sent with the listings that take one
		want         []string
		// wantUnread are pages, as pageKey names them, that a sync that far
		// along does not read.
		wantUnread []string
	}{
		{
			name: "first sync", cursor: "",
			want: []string{
				"issue:444500041", "issue:444500100", "issue_comment:492700400", "issue_comment:492700500",
				"pull_request:279147500", "review:237895671", "review:237895700", "review_comment:284312630",
			},
		},
		{
			name:      "since between the first issue's comment and the first review",
			cursor:    `{"repos":{"codertocat/hello-world":"2019-05-15T15:20:30Z"}}`,
			wantSince: "2019-05-15T15:20:30Z",
			want: []string{
				"issue:444500100", "issue_comment:492700500", "pull_request:279147500",
				"review:237895671", "review:237895700", "review_comment:284312630",
			},
		},
		{
			name: "unchanged since the last sync", cursor: syncCursor, wantSince: "2024-06-01T11:59:00Z",
			// The first page of closed pull requests ends before the cursor.
			wantUnread: []string{"/repos/Codertocat/Hello-World/pulls page=2 after="},
		},
		{
			name:   "a repository new to the cursor is synced from its beginning",
			cursor: `{"repos":{"codertocat/other":"2024-05-01T00:00:00Z"}}`,
			want: []string{
				"issue:444500041", "issue:444500100", "issue_comment:492700400", "issue_comment:492700500",
				"pull_request:279147500", "review:237895671", "review:237895700", "review_comment:284312630",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := &apiServer{}
			c := newTestClient(t, srv, &sleeps{})
			got, next, err := collect(t, c, tt.cursor)
			if err != nil {
				t.Fatal(err)
			}
			if next != syncCursor {
				t.Errorf("cursor = %s, want %s", next, syncCursor)
			}
			var ids []string
			for _, rec := range got {
				ids = append(ids, rec.ExternalID)
				if want, ok := apiRecords[rec.ExternalID]; !ok || !equalRecords(rec, want) {
					t.Errorf("record %s:\n got %+v\nwant %+v", rec.ExternalID, rec, want)
				}
			}
			if !slices.Equal(ids, tt.want) {
				t.Errorf("records %q, want %q", ids, tt.want)
			}

			for _, u := range srv.requested() {
				if p := u.Path; strings.HasSuffix(p, "/issues") || strings.HasSuffix(p, "/comments") {
					if got := u.Query().Get("since"); got != tt.wantSince {
						t.Errorf("%s: since = %q, want %q", u, got, tt.wantSince)
					}
				}
				if slices.Contains(tt.wantUnread, pageKey(u)) {
					t.Errorf("requested %s", u)
				}
			}
		})
	}
}

// TestSyncPaging checks that every page of the recordings is read, by
// cursor (the issues) and by number (the closed pull requests).
func TestSyncPaging(t *testing.T) {
	srv := &apiServer{}
	c := newTestClient(t, srv, &sleeps{})
	if _, _, err := collect(t, c, ""); err != nil {
		t.Fatal(err)
	}
	var pages []string
	for _, u := range srv.requested() {
		pages = append(pages, pageKey(u))
	}
	for _, want := range []string{
		"/repos/Codertocat/Hello-World/issues page= after=",
		"/repos/Codertocat/Hello-World/issues page= after=" + afterToken,
		"/repos/Codertocat/Hello-World/pulls page= after=",
		"/repos/Codertocat/Hello-World/pulls page=2 after=",
		"/repos/Codertocat/Hello-World/pulls/2/reviews page= after=",
		"/repos/Codertocat/Hello-World/pulls/3/reviews page= after=",
	} {
		if !slices.Contains(pages, want) {
			t.Errorf("no request %q in %q", want, pages)
		}
	}
}

// TestSyncMatchesWebhooks checks that an object read from the API makes the
// very record its webhook delivery makes, so that the two are one activity.
func TestSyncMatchesWebhooks(t *testing.T) {
	c := newTestClient(t, &apiServer{}, &sleeps{})
	got, _, err := collect(t, c, "")
	if err != nil {
		t.Fatal(err)
	}
	byID := make(map[string]cadre.ActivityRecord)
	for _, rec := range got {
		byID[rec.ExternalID] = rec
	}
	for _, tt := range []struct{ event, file string }{
		{"issues", "issues.opened.payload.json"},
		{"issue_comment", "issue_comment.created.payload.json"},
		{"pull_request_review", "pull_request_review.submitted.payload.json"},
	} {
		t.Run(tt.file, func(t *testing.T) {
			recs, err := WebhookRecords(tt.event, readPayload(t, tt.file))
			if err != nil || len(recs) != 1 {
				t.Fatalf("WebhookRecords = %v, %v; want one record", recs, err)
			}
			api, ok := byID[recs[0].ExternalID]
			if !ok {
				t.Fatalf("the API sync made no %s", recs[0].ExternalID)
			}
			// One thread, whose state the API saw later than the webhook.
			if api.Thread.ID == "" || api.Thread.ID != recs[0].Thread.ID {
				t.Errorf("API thread %+v, webhook thread %+v", api.Thread, recs[0].Thread)
			}
			api.Thread = recs[0].Thread
			if !equalRecords(api, recs[0]) {
				t.Errorf("API record\n %+v\nwebhook record\n %+v", api, recs[0])
			}
		})
	}
	// The pull request the webhook saw closed without a merge is no activity
	// either way.
	if recs, err := WebhookRecords("pull_request", readPayload(t, "pull_request.closed.payload.json")); err != nil || len(recs) != 0 {
		t.Errorf("WebhookRecords(closed unmerged) = %v, %v", recs, err)
	}
	if _, ok := byID["pull_request:279147437"]; ok {
		t.Error("the API sync made an activity of a pull request closed without a merge")
	}
}

func TestSyncOrgs(t *testing.T) {
	srv := &apiServer{}
	c := newTestClient(t, srv, &sleeps{})
	c.Orgs = []string{"Codertocat"} // lists Hello-World, configured too, and Empty
	got, next, err := collect(t, c, "")
	if err != nil {
		t.Fatal(err)
	}
	const want = `{"repos":{"codertocat/empty":"2024-06-01T11:59:00Z","codertocat/hello-world":"2024-06-01T11:59:00Z"}}`
	if next != want {
		t.Errorf("cursor = %s, want %s", next, want)
	}
	if len(got) != len(apiRecords) {
		t.Errorf("%d records, want %d", len(got), len(apiRecords))
	}
	counts := make(map[string]int)
	for _, u := range srv.requested() {
		counts[pageKey(u)]++
	}
	for _, p := range []string{
		"/orgs/Codertocat/repos page= after=", "/orgs/Codertocat/repos page=2 after=",
		"/repos/Codertocat/Hello-World/issues page= after=", "/repos/Codertocat/Empty/issues page= after=",
	} {
		if counts[p] != 1 {
			t.Errorf("%s requested %d times, want once", p, counts[p])
		}
	}
}

func TestSyncRateLimit(t *testing.T) {
	limited := func(status int, header map[string]string, doc string) response {
		return response{status, header, fmt.Sprintf(`{"message":"API rate limit exceeded","documentation_url":%q}`, doc)}
	}
	const primaryDoc = "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-primary-rate-limits"
	exhausted := func(status int, in time.Duration) response {
		return limited(status, map[string]string{
			"X-RateLimit-Limit": "5000", "X-RateLimit-Remaining": "0", "X-RateLimit-Used": "5000",
			"X-RateLimit-Reset": strconv.FormatInt(syncStart.Add(in).Unix(), 10),
		}, primaryDoc)
	}
	retryAfter := func(secs string) response {
		return limited(http.StatusTooManyRequests, map[string]string{"Retry-After": secs}, primaryDoc)
	}
	secondary := limited(http.StatusForbidden, nil,
		"https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits")
	forbidden := response{http.StatusForbidden, nil,
		`{"message":"Resource not accessible by personal access token","documentation_url":"https://docs.github.com/rest","status":"403"}`}
	serverError := response{http.StatusInternalServerError, nil, `{"message":"Server Error"}`}

	tests := []struct {
		name       string
		faults     []response
		wantSleeps []time.Duration
		wantErr    string // "" for a sync that succeeds
	}{
		{"403, limit resets in 30s", []response{exhausted(http.StatusForbidden, 30*time.Second)},
			[]time.Duration{31 * time.Second}, ""},
		{"429, limit resets in 30s", []response{exhausted(http.StatusTooManyRequests, 30*time.Second)},
			[]time.Duration{31 * time.Second}, ""},
		{"limit reset already past", []response{exhausted(http.StatusForbidden, -10*time.Second)},
			[]time.Duration{0}, ""},
		{"403, limit resets in 2h", []response{exhausted(http.StatusForbidden, 2*time.Hour)},
			nil, "rate limited until 2024-06-01T14:00:01Z"},
		{"429 with Retry-After", []response{retryAfter("60")}, []time.Duration{time.Minute}, ""},
		{"429 with a Retry-After of an hour", []response{retryAfter("3600")}, nil, "rate limited until 2024-06-01T13:00:00Z"},
		{"secondary limit without a time", []response{secondary}, []time.Duration{time.Minute}, ""},
		{"limited at every try",
			slices.Repeat([]response{exhausted(http.StatusForbidden, 30*time.Second)}, maxRetries+1),
			slices.Repeat([]time.Duration{31 * time.Second}, maxRetries), "still rate limited after 3 waits"},
		{"403 without rate limit headers", []response{forbidden}, nil, "Resource not accessible by personal access token"},
		{"server error", []response{serverError}, nil, "github: Codertocat/Hello-World: issues: GET "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := &apiServer{faults: tt.faults}
			sl := &sleeps{}
			c := newTestClient(t, srv, sl)
			got, next, err := collect(t, c, "")
			if !slices.Equal(sl.d, tt.wantSleeps) {
				t.Errorf("slept %v, want %v", sl.d, tt.wantSleeps)
			}
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one containing %q", err, tt.wantErr)
				}
				if next != "" || len(got) != 0 {
					t.Errorf("a failed sync returned cursor %q and %d records", next, len(got))
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(apiRecords) || next != syncCursor {
				t.Errorf("%d records and cursor %s, want %d and %s", len(got), next, len(apiRecords), syncCursor)
			}
			reqs := srv.requested()
			if reqs[0].String() != reqs[1].String() {
				t.Errorf("retried %s with %s", reqs[0], reqs[1])
			}
		})
	}
}

func TestSyncErrors(t *testing.T) {
	tests := []struct {
		name     string
		setup    func(*Client)
		cursor   string
		wantCode string
		wantErr  string
	}{
		{"bad token", func(c *Client) { c.Token = "expired" }, syncCursor, cadre.EUNAUTHORIZED, "github token rejected"},
		{"unknown repository", func(c *Client) { c.Repos = []string{"Codertocat/Nope"} }, "",
			cadre.ENOTFOUND, "github repository Codertocat/Nope not found"},
		{"unknown organization", func(c *Client) { c.Repos, c.Orgs = nil, []string{"Nobody"} }, "",
			cadre.ENOTFOUND, "github organization Nobody not found"},
		{"repository without owner", func(c *Client) { c.Repos = []string{"Hello-World"} }, "",
			cadre.EINVALID, `"Hello-World" is not owner/name`},
		{"nothing to sync", func(c *Client) { c.Repos = nil }, "", cadre.EINVALID, "no repositories or organizations"},
		{"relative base URL", func(c *Client) { c.BaseURL = "api/v3" }, "", cadre.EINVALID, "not an absolute URL"},
		{"cursor not JSON", nil, "2024-06-01", cadre.EINVALID, "github cursor"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newTestClient(t, &apiServer{}, &sleeps{})
			if tt.setup != nil {
				tt.setup(c)
			}
			got, next, err := collect(t, c, tt.cursor)
			if code := cadre.ErrorCode(err); code != tt.wantCode || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("err = %v (code %q), want code %q and %q", err, code, tt.wantCode, tt.wantErr)
			}
			if next != tt.cursor || len(got) != 0 {
				t.Errorf("a failed sync returned cursor %q and %d records", next, len(got))
			}
		})
	}
}

// TestSyncReject checks objects the mapping cannot read: they fail the sync,
// or go to Reject when it is set.
func TestSyncReject(t *testing.T) {
	bodies := map[string]string{
		"repos/Codertocat/Hello-World/issues/comments.json": `[{"id": 5, "user": null, "created_at": "2019-05-16T09:30:00Z",
			"issue_url": "https://api.github.com/repos/Codertocat/Hello-World/issues/1"}]`,
	}
	const wantErr = "issue comment 5: comment.user: missing"
	for _, withReject := range []bool{false, true} {
		t.Run(fmt.Sprintf("reject=%v", withReject), func(t *testing.T) {
			c := newTestClient(t, &apiServer{bodies: bodies}, &sleeps{})
			var rejected []error
			if withReject {
				c.Reject = func(err error) { rejected = append(rejected, err) }
			}
			got, next, err := collect(t, c, "")
			if !withReject {
				const where = "github: Codertocat/Hello-World: issue comments: "
				if err == nil || !strings.Contains(err.Error(), where+wantErr) {
					t.Fatalf("err = %v, want %q", err, where+wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			const where = "github: Codertocat/Hello-World: "
			if len(rejected) != 1 || !strings.Contains(rejected[0].Error(), where+wantErr) {
				t.Errorf("rejected %v, want one %q", rejected, where+wantErr)
			}
			// The two recorded issue comments are gone; the rest remains.
			if len(got) != len(apiRecords)-2 || next != syncCursor {
				t.Errorf("%d records and cursor %s, want %d and %s", len(got), next, len(apiRecords)-2, syncCursor)
			}
		})
	}
}

func TestSyncCancel(t *testing.T) {
	// The first page of issues has one opened since.
	const cursor = `{"repos":{"codertocat/hello-world":"2019-05-15T15:20:30Z"}}`
	tests := []struct {
		name   string
		faults []response
		// cancel is called before the sync, on the first record, or on the
		// first sleep.
		when string
	}{
		{"before the sync", nil, "before"},
		{"while emitting", nil, "emit"},
		{"while waiting out a rate limit", []response{{http.StatusTooManyRequests, map[string]string{"Retry-After": "60"}, `{}`}}, "sleep"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := &apiServer{faults: tt.faults}
			c := newTestClient(t, srv, &sleeps{})
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			switch tt.when {
			case "before":
				cancel()
			case "sleep":
				c.Sleep = func(ctx context.Context, _ time.Duration) error {
					cancel()
					return ctx.Err()
				}
			}
			var emitted int
			next, err := c.Sync(ctx, cursor, func(cadre.ActivityRecord) error {
				emitted++
				if tt.when == "emit" {
					cancel()
				}
				return nil
			})
			if !errors.Is(err, context.Canceled) || next != cursor {
				t.Fatalf("Sync = %q, %v; want the old cursor and context.Canceled", next, err)
			}
			if emitted > 1 || len(srv.requested()) > 1 {
				t.Errorf("went on after the cancel: %d records, %d requests", emitted, len(srv.requested()))
			}
		})
	}
}

func TestNextPage(t *testing.T) {
	base, err := url.Parse("https://api.github.com/")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, link, want string
		wantErr          bool
	}{
		{"last page", `<https://api.github.com/repositories/1/issues?page=1>; rel="prev"`, "", false},
		{"no header", "", "", false},
		{"by number", `<https://api.github.com/repositories/1/issues?page=3>; rel="next", <https://api.github.com/repositories/1/issues?page=9>; rel="last"`,
			"https://api.github.com/repositories/1/issues?page=3", false},
		{"by cursor", `<https://api.github.com/repositories/1/issues?after=abc>; rel="next"`,
			"https://api.github.com/repositories/1/issues?after=abc", false},
		{"elsewhere", `<https://example.com/issues?page=2>; rel="next"`, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := http.Header{}
			if tt.link != "" {
				h.Set("Link", tt.link)
			}
			got, err := nextPage(h, base)
			if got != tt.want || (err != nil) != tt.wantErr {
				t.Errorf("nextPage = %q, %v; want %q, error %v", got, err, tt.want, tt.wantErr)
			}
		})
	}
}
