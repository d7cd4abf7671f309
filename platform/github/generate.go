package github

import (
	"bufio"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"
)

// eventMix is the type mix of a real GH Archive sample (800 events of
// 2021-07-21, shared/realdata/gharchive), in events per 800.
var eventMix = [...]struct {
	kind   string
	weight int
}{
	{"PushEvent", 425}, {"CreateEvent", 103}, {"PullRequestEvent", 64}, {"WatchEvent", 58},
	{"IssueCommentEvent", 36}, {"PullRequestReviewEvent", 28}, {"DeleteEvent", 23},
	{"IssuesEvent", 21}, {"ForkEvent", 19}, {"PullRequestReviewCommentEvent", 10},
	{"MemberEvent", 4}, {"ReleaseEvent", 3}, {"PublicEvent", 2}, {"CommitCommentEvent", 2},
	{"GollumEvent", 2},
}

func mixTotal() int {
	total := 0
	for _, m := range eventMix {
		total += m.weight
	}
	return total
}

// GenerateHour writes a synthetic GH Archive hour of events events to w, for
// benchmarks: lines of the real shape and size (full users, repositories,
// issues and pull requests with bodies; 3 to 4 KB a line on average), the
// type and action mix of a real hour, actors drawn from a power law with
// some bots, unique ids, and times spread over the hour from start. The
// output depends only on the arguments.
func GenerateHour(w io.Writer, seed uint64, events int, start time.Time) error {
	if events < 0 {
		return fmt.Errorf("generate hour: negative event count %d", events)
	}
	rng := rand.New(rand.NewPCG(seed, 0x6a09e667f3bcc909))
	actors := uint64(events + 16)
	g := &generator{
		rng:       rng,
		seed:      seed,
		actors:    rand.NewZipf(rng, 1.1, 50, actors-1),
		repos:     rand.NewZipf(rng, 1.1, 5, uint64(events/3+16)-1),
		actorBase: actors,
		mixTotal:  mixTotal(),
		// Ids start near those of mid-2021, and only grow.
		eventID: 17_244_207_336, objectID: 700_000_000, pushID: 7_561_414_800,
	}
	bw := bufio.NewWriterSize(w, 256<<10)
	start = start.UTC()
	for i := range events {
		at := start.Add(time.Duration(int64(i) * int64(time.Hour) / int64(max(events, 1))))
		g.event(at.Truncate(time.Second))
		if _, err := bw.Write(g.b); err != nil {
			return fmt.Errorf("generate hour: %w", err)
		}
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("generate hour: %w", err)
	}
	return nil
}

type generator struct {
	jsonBuf
	rng           *rand.Rand
	seed          uint64
	actors, repos *rand.Zipf
	actorBase     uint64 // repository owners are numbered after the actors
	mixTotal      int    // the sum of eventMix's weights
	eventID       int64
	objectID      int64 // issues, comments, reviews, pull requests and releases share one sequence
	pushID        int64
}

// user is a generated account; index i of the power law is the i-th most
// active.
type user struct {
	login string
	id    int64
	bot   bool
}

func (g *generator) user(i uint64) user {
	h := mix(g.seed ^ i)
	login := syllables[h%uint64(len(syllables))] + syllables[h>>8%uint64(len(syllables))]
	if h>>16%3 == 0 {
		login += "-" + syllables[h>>24%uint64(len(syllables))]
	}
	login += strconv.FormatUint(i, 36)
	// A few of the busiest accounts are bots, as on GitHub, and about one in
	// thirty of the others.
	bot := i == 0 || i == 5 || h>>32%30 == 0
	if bot {
		login += "[bot]"
	}
	return user{login: login, id: 10_000_000 + int64(i), bot: bot}
}

func (g *generator) actor() user { return g.user(g.actors.Uint64()) }

// repo names repository i, owned by an account numbered after the actors.
type repo struct {
	owner user
	name  string
	id    int64
}

func (g *generator) repo() repo {
	i := g.repos.Uint64()
	h := mix(g.seed ^ i ^ 0xa5a5a5a5)
	name := syllables[h%uint64(len(syllables))] + "-" + syllables[h>>8%uint64(len(syllables))] + strconv.FormatUint(i, 36)
	return repo{owner: g.user(g.actorBase + i), name: name, id: 300_000_000 + int64(i)}
}

func (r repo) full() string { return r.owner.login + "/" + r.name }

func (g *generator) nextID() int64 {
	g.objectID += 1 + g.rng.Int64N(4)
	return g.objectID
}

func (g *generator) event(at time.Time) {
	g.b = g.b[:0]
	n := g.rng.IntN(g.mixTotal)
	kind := eventMix[0].kind
	for _, m := range eventMix {
		if n < m.weight {
			kind = m.kind
			break
		}
		n -= m.weight
	}
	actor, r := g.actor(), g.repo()
	g.eventID += 1 + g.rng.Int64N(3)

	g.open("")
	g.str("id", strconv.FormatInt(g.eventID, 10))
	g.str("type", kind)
	g.open("actor")
	g.num("id", actor.id)
	g.str("login", actor.login)
	g.str("display_login", strings.TrimSuffix(actor.login, "[bot]"))
	g.str("gravatar_id", "")
	g.str("url", "https://api.github.com/users/"+escapeLogin(actor.login))
	g.str("avatar_url", "https://avatars.githubusercontent.com/u/"+strconv.FormatInt(actor.id, 10)+"?")
	g.close()
	g.open("repo")
	g.num("id", r.id)
	g.str("name", r.full())
	g.str("url", "https://api.github.com/repos/"+r.full())
	g.close()
	g.open("payload")
	switch kind {
	case "PushEvent":
		g.push(r, actor)
	case "CreateEvent":
		g.create()
	case "DeleteEvent":
		g.str("ref", g.branch())
		g.str("ref_type", "branch")
		g.str("pusher_type", "user")
	case "WatchEvent":
		g.str("action", "started")
	case "PublicEvent":
	case "ForkEvent":
		g.key("forkee")
		g.repository(repo{owner: actor, name: r.name, id: g.nextID()}, at)
	case "IssuesEvent":
		g.issuesEvent(r, actor, at)
	case "IssueCommentEvent":
		g.issueCommentEvent(r, actor, at)
	case "PullRequestEvent":
		g.pullRequestEvent(r, actor, at)
	case "PullRequestReviewEvent":
		g.reviewEvent(r, actor, at)
	case "PullRequestReviewCommentEvent":
		g.reviewCommentEvent(r, actor, at)
	case "MemberEvent":
		g.key("member")
		g.userObject(g.actor())
		g.str("action", "added")
	case "ReleaseEvent":
		g.release(r, actor, at)
	case "CommitCommentEvent":
		g.commitComment(r, actor, at)
	case "GollumEvent":
		g.gollum(r)
	}
	g.close()
	g.boolean("public", true)
	g.time("created_at", at)
	if g.rng.IntN(100) < 28 {
		g.open("org")
		g.num("id", r.owner.id)
		g.str("login", r.owner.login)
		g.str("gravatar_id", "")
		g.str("url", "https://api.github.com/orgs/"+escapeLogin(r.owner.login))
		g.str("avatar_url", "https://avatars.githubusercontent.com/u/"+strconv.FormatInt(r.owner.id, 10)+"?")
		g.close()
	}
	g.close()
	g.b = append(g.b, '\n')
}

func (g *generator) push(r repo, actor user) {
	commits := 1
	for commits < 20 && g.rng.IntN(3) == 0 {
		commits++
	}
	head, before := g.sha(), g.sha()
	g.pushID += 1 + g.rng.Int64N(5)
	g.num("push_id", g.pushID)
	g.num("size", int64(commits))
	g.num("distinct_size", int64(commits))
	g.str("ref", "refs/heads/"+g.branch())
	g.str("head", head)
	g.str("before", before)
	g.openArray("commits")
	for c := range commits {
		sha := g.sha()
		if c == commits-1 {
			sha = head
		}
		g.open("")
		g.str("sha", sha)
		g.open("author")
		g.str("name", strings.TrimSuffix(actor.login, "[bot]"))
		g.str("email", g.sha()+"@users.noreply.github.com")
		g.close()
		g.str("message", g.text(3, 40))
		g.boolean("distinct", true)
		g.str("url", "https://api.github.com/repos/"+r.full()+"/commits/"+sha)
		g.close()
	}
	g.closeArray()
}

func (g *generator) create() {
	switch g.rng.IntN(10) {
	case 0, 1:
		g.null("ref")
		g.str("ref_type", "repository")
	case 2:
		g.str("ref", "v"+strconv.Itoa(g.rng.IntN(5))+"."+strconv.Itoa(g.rng.IntN(20))+"."+strconv.Itoa(g.rng.IntN(10)))
		g.str("ref_type", "tag")
	default:
		g.str("ref", g.branch())
		g.str("ref_type", "branch")
	}
	g.str("master_branch", "main")
	if g.rng.IntN(3) == 0 {
		g.str("description", g.text(3, 12))
	} else {
		g.null("description")
	}
	g.str("pusher_type", "user")
}

func (g *generator) issuesEvent(r repo, actor user, at time.Time) {
	if g.rng.IntN(21) < 13 {
		g.str("action", "opened")
		g.key("issue")
		g.issue(r, actor, at, false)
		return
	}
	g.str("action", "closed")
	g.key("issue")
	g.issue(r, g.actor(), at.Add(-g.ago()), false)
}

func (g *generator) issueCommentEvent(r repo, actor user, at time.Time) {
	g.str("action", "created")
	g.key("issue")
	number := g.issue(r, g.actor(), at.Add(-g.ago()), g.rng.IntN(2) == 0)
	id := g.nextID()
	issueURL := "https://api.github.com/repos/" + r.full() + "/issues/" + strconv.Itoa(number)
	g.open("comment")
	g.str("url", "https://api.github.com/repos/"+r.full()+"/issues/comments/"+strconv.FormatInt(id, 10))
	g.str("html_url", "https://github.com/"+r.full()+"/issues/"+strconv.Itoa(number)+"#issuecomment-"+strconv.FormatInt(id, 10))
	g.str("issue_url", issueURL)
	g.num("id", id)
	g.str("node_id", nodeID("IssueComment", id))
	g.key("user")
	g.userObject(actor)
	g.time("created_at", at)
	g.time("updated_at", at)
	g.str("author_association", "CONTRIBUTOR")
	g.str("body", g.text(3, 130))
	g.null("performed_via_github_app")
	g.close()
}

// issue writes an issue, or the issue side of a pull request, and returns its
// number.
func (g *generator) issue(r repo, author user, created time.Time, isPR bool) int {
	number := 1 + g.rng.IntN(5000)
	id := g.nextID()
	api := "https://api.github.com/repos/" + r.full()
	url := api + "/issues/" + strconv.Itoa(number)
	html := "https://github.com/" + r.full() + "/issues/" + strconv.Itoa(number)
	if isPR {
		html = "https://github.com/" + r.full() + "/pull/" + strconv.Itoa(number)
	}
	g.open("")
	g.str("url", url)
	g.str("repository_url", api)
	g.str("labels_url", url+"/labels{/name}")
	g.str("comments_url", url+"/comments")
	g.str("events_url", url+"/events")
	g.str("html_url", html)
	g.num("id", id)
	g.str("node_id", nodeID("Issue", id))
	g.num("number", int64(number))
	g.str("title", g.text(3, 12))
	g.key("user")
	g.userObject(author)
	g.labels(r)
	g.str("state", "open")
	g.boolean("locked", false)
	g.null("assignee")
	g.emptyArray("assignees")
	g.null("milestone")
	g.num("comments", int64(g.rng.IntN(10)))
	g.time("created_at", created)
	g.time("updated_at", created)
	g.null("closed_at")
	g.str("author_association", "NONE")
	g.null("active_lock_reason")
	if isPR {
		g.open("pull_request")
		g.str("url", api+"/pulls/"+strconv.Itoa(number))
		g.str("html_url", html)
		g.str("diff_url", html+".diff")
		g.str("patch_url", html+".patch")
		g.close()
	}
	g.str("body", g.text(20, 760))
	g.null("performed_via_github_app")
	g.close()
	return number
}

func (g *generator) labels(r repo) {
	g.openArray("labels")
	for range g.rng.IntN(4) / 2 {
		id := g.nextID()
		name := syllables[g.rng.IntN(len(syllables))]
		g.open("")
		g.num("id", id)
		g.str("node_id", nodeID("Label", id))
		g.str("url", "https://api.github.com/repos/"+r.full()+"/labels/"+name)
		g.str("name", name)
		g.str("color", "ededed")
		g.boolean("default", false)
		g.null("description")
		g.close()
	}
	g.closeArray()
}

func (g *generator) pullRequestEvent(r repo, actor user, at time.Time) {
	n := g.rng.IntN(64)
	switch {
	case n < 33:
		g.str("action", "opened")
		g.pullRequest(r, actor, at, at, "opened")
	case n < 58:
		// Merged by the actor; often written by someone else.
		author := actor
		if g.rng.IntN(2) == 0 {
			author = g.actor()
		}
		g.str("action", "closed")
		g.pullRequest(r, author, at.Add(-g.ago()), at, "merged")
	default:
		g.str("action", "closed")
		g.pullRequest(r, g.actor(), at.Add(-g.ago()), at, "closed")
	}
}

func (g *generator) reviewEvent(r repo, actor user, at time.Time) {
	g.str("action", "created")
	id := g.nextID()
	number := g.rng.IntN(5000) + 1
	html := "https://github.com/" + r.full() + "/pull/" + strconv.Itoa(number)
	prURL := "https://api.github.com/repos/" + r.full() + "/pulls/" + strconv.Itoa(number)
	g.open("review")
	g.num("id", id)
	g.str("node_id", nodeID("PullRequestReview", id))
	g.key("user")
	g.userObject(actor)
	if g.rng.IntN(2) == 0 {
		g.str("body", g.text(3, 80))
	} else {
		g.null("body")
	}
	g.str("commit_id", g.sha())
	g.time("submitted_at", at)
	g.str("state", [...]string{"commented", "approved", "changes_requested"}[g.rng.IntN(3)])
	g.str("html_url", html+"#pullrequestreview-"+strconv.FormatInt(id, 10))
	g.str("pull_request_url", prURL)
	g.str("author_association", "MEMBER")
	g.open("_links")
	g.href("html", html+"#pullrequestreview-"+strconv.FormatInt(id, 10))
	g.href("pull_request", prURL)
	g.close()
	g.close()
	g.pullRequestNumbered(r, g.actor(), at.Add(-g.ago()), at, "review", number)
}

func (g *generator) reviewCommentEvent(r repo, actor user, at time.Time) {
	g.str("action", "created")
	id := g.nextID()
	number := g.rng.IntN(5000) + 1
	html := "https://github.com/" + r.full() + "/pull/" + strconv.Itoa(number)
	api := "https://api.github.com/repos/" + r.full() + "/pulls/"
	g.open("comment")
	g.str("url", api+"comments/"+strconv.FormatInt(id, 10))
	g.num("pull_request_review_id", g.nextID())
	g.num("id", id)
	g.str("node_id", nodeID("PullRequestReviewComment", id))
	g.str("diff_hunk", "@@ -1,6 +1,9 @@\n "+g.text(20, 120))
	g.str("path", "src/"+syllables[g.rng.IntN(len(syllables))]+".go")
	g.num("position", int64(g.rng.IntN(50)))
	g.num("original_position", int64(g.rng.IntN(50)))
	g.str("commit_id", g.sha())
	g.str("original_commit_id", g.sha())
	g.key("user")
	g.userObject(actor)
	g.str("body", g.text(3, 80))
	g.time("created_at", at)
	g.time("updated_at", at)
	g.str("html_url", html+"#discussion_r"+strconv.FormatInt(id, 10))
	g.str("pull_request_url", api+strconv.Itoa(number))
	g.str("author_association", "CONTRIBUTOR")
	g.open("_links")
	g.href("self", api+"comments/"+strconv.FormatInt(id, 10))
	g.href("html", html+"#discussion_r"+strconv.FormatInt(id, 10))
	g.href("pull_request", api+strconv.Itoa(number))
	g.close()
	g.null("start_line")
	g.null("original_start_line")
	g.null("start_side")
	g.num("line", int64(g.rng.IntN(400)))
	g.num("original_line", int64(g.rng.IntN(400)))
	g.str("side", "RIGHT")
	g.close()
	g.pullRequestNumbered(r, g.actor(), at.Add(-g.ago()), at, "review", number)
}

// pullRequest writes the number and the pull_request of a pull request
// event; state is "opened", "merged" or "closed".
func (g *generator) pullRequest(r repo, author user, created, at time.Time, state string) {
	number := g.rng.IntN(5000) + 1
	g.num("number", int64(number))
	g.pullRequestNumbered(r, author, created, at, state, number)
}

// pullRequestNumbered writes a pull_request; state "review" leaves out the
// merge fields, as review events do.
func (g *generator) pullRequestNumbered(r repo, author user, created, at time.Time, state string, number int) {
	id := g.nextID()
	api := "https://api.github.com/repos/" + r.full()
	url := api + "/pulls/" + strconv.Itoa(number)
	html := "https://github.com/" + r.full() + "/pull/" + strconv.Itoa(number)
	issueURL := api + "/issues/" + strconv.Itoa(number)
	head := g.sha()
	g.open("pull_request")
	g.str("url", url)
	g.num("id", id)
	g.str("node_id", nodeID("PullRequest", id))
	g.str("html_url", html)
	g.str("diff_url", html+".diff")
	g.str("patch_url", html+".patch")
	g.str("issue_url", issueURL)
	g.num("number", int64(number))
	if state == "merged" || state == "closed" {
		g.str("state", "closed")
	} else {
		g.str("state", "open")
	}
	g.boolean("locked", false)
	g.str("title", g.text(3, 12))
	g.key("user")
	g.userObject(author)
	g.str("body", g.text(20, 900))
	g.time("created_at", created)
	g.time("updated_at", at)
	if state == "merged" || state == "closed" {
		g.time("closed_at", at)
	} else {
		g.null("closed_at")
	}
	if state == "merged" {
		g.time("merged_at", at)
		g.str("merge_commit_sha", g.sha())
	} else {
		g.null("merged_at")
		g.null("merge_commit_sha")
	}
	g.null("assignee")
	g.emptyArray("assignees")
	g.emptyArray("requested_reviewers")
	g.emptyArray("requested_teams")
	g.labels(r)
	g.null("milestone")
	g.boolean("draft", false)
	g.str("commits_url", url+"/commits")
	g.str("review_comments_url", url+"/comments")
	g.str("review_comment_url", api+"/pulls/comments{/number}")
	g.str("comments_url", issueURL+"/comments")
	g.str("statuses_url", api+"/statuses/"+head)
	branch := g.branch()
	for _, side := range [...]string{"head", "base"} {
		g.open(side)
		ref, sha := branch, head
		if side == "base" {
			ref, sha = "main", g.sha()
		}
		g.str("label", r.owner.login+":"+ref)
		g.str("ref", ref)
		g.str("sha", sha)
		g.key("user")
		g.userObject(r.owner)
		g.key("repo")
		g.repository(r, created)
		g.close()
	}
	g.open("_links")
	g.href("self", url)
	g.href("html", html)
	g.href("issue", issueURL)
	g.href("comments", issueURL+"/comments")
	g.href("review_comments", url+"/comments")
	g.href("review_comment", api+"/pulls/comments{/number}")
	g.href("commits", url+"/commits")
	g.href("statuses", api+"/statuses/"+head)
	g.close()
	g.str("author_association", "CONTRIBUTOR")
	g.null("auto_merge")
	g.null("active_lock_reason")
	if state != "review" {
		g.boolean("merged", state == "merged")
		g.null("mergeable")
		g.null("rebaseable")
		g.str("mergeable_state", "unknown")
		if state == "merged" {
			g.key("merged_by")
			g.userObject(r.owner)
		} else {
			g.null("merged_by")
		}
		g.num("comments", int64(g.rng.IntN(10)))
		g.num("review_comments", int64(g.rng.IntN(10)))
		g.boolean("maintainer_can_modify", false)
		g.num("commits", int64(1+g.rng.IntN(10)))
		g.num("additions", int64(g.rng.IntN(500)))
		g.num("deletions", int64(g.rng.IntN(200)))
		g.num("changed_files", int64(1+g.rng.IntN(20)))
	}
	g.close()
}

func (g *generator) release(r repo, actor user, at time.Time) {
	id := g.nextID()
	tag := "v" + strconv.Itoa(g.rng.IntN(5)) + "." + strconv.Itoa(g.rng.IntN(20)) + ".0"
	api := "https://api.github.com/repos/" + r.full() + "/releases/"
	g.str("action", "published")
	g.open("release")
	g.str("url", api+strconv.FormatInt(id, 10))
	g.str("assets_url", api+strconv.FormatInt(id, 10)+"/assets")
	g.str("upload_url", "https://uploads.github.com/repos/"+r.full()+"/releases/"+strconv.FormatInt(id, 10)+"/assets{?name,label}")
	g.str("html_url", "https://github.com/"+r.full()+"/releases/tag/"+tag)
	g.num("id", id)
	g.key("author")
	g.userObject(actor)
	g.str("node_id", nodeID("Release", id))
	g.str("tag_name", tag)
	g.str("target_commitish", "main")
	g.str("name", tag)
	g.boolean("draft", false)
	g.boolean("prerelease", false)
	g.time("created_at", at)
	g.time("published_at", at)
	g.emptyArray("assets")
	g.str("tarball_url", "https://api.github.com/repos/"+r.full()+"/tarball/"+tag)
	g.str("zipball_url", "https://api.github.com/repos/"+r.full()+"/zipball/"+tag)
	g.str("body", g.text(5, 60))
	g.str("short_description_html", "<p>"+g.text(5, 30)+"</p>")
	g.boolean("is_short_description_html_truncated", false)
	g.close()
}

func (g *generator) commitComment(r repo, actor user, at time.Time) {
	id, sha := g.nextID(), g.sha()
	g.open("comment")
	g.str("url", "https://api.github.com/repos/"+r.full()+"/comments/"+strconv.FormatInt(id, 10))
	g.str("html_url", "https://github.com/"+r.full()+"/commit/"+sha+"#commitcomment-"+strconv.FormatInt(id, 10))
	g.num("id", id)
	g.str("node_id", nodeID("CommitComment", id))
	g.key("user")
	g.userObject(actor)
	g.null("position")
	g.null("line")
	g.null("path")
	g.str("commit_id", sha)
	g.time("created_at", at)
	g.time("updated_at", at)
	g.str("author_association", "OWNER")
	g.str("body", g.text(3, 60))
	g.close()
}

func (g *generator) gollum(r repo) {
	page := syllables[g.rng.IntN(len(syllables))]
	g.openArray("pages")
	g.open("")
	g.str("page_name", page)
	g.str("title", page)
	g.null("summary")
	g.str("action", "edited")
	g.str("sha", g.sha())
	g.str("html_url", "https://github.com/"+r.full()+"/wiki/"+page)
	g.close()
	g.closeArray()
}

// userUrls are the API links of a user, after https://api.github.com/users/{login}.
var userURLs = [...][2]string{
	{"followers_url", "/followers"}, {"following_url", "/following{/other_user}"},
	{"gists_url", "/gists{/gist_id}"}, {"starred_url", "/starred{/owner}{/repo}"},
	{"subscriptions_url", "/subscriptions"}, {"organizations_url", "/orgs"},
	{"repos_url", "/repos"}, {"events_url", "/events{/privacy}"},
	{"received_events_url", "/received_events"},
}

func (g *generator) userObject(u user) {
	api := "https://api.github.com/users/" + escapeLogin(u.login)
	g.open("")
	g.str("login", u.login)
	g.num("id", u.id)
	if u.bot {
		g.str("node_id", nodeID("Bot", u.id))
	} else {
		g.str("node_id", nodeID("User", u.id))
	}
	g.str("avatar_url", "https://avatars.githubusercontent.com/u/"+strconv.FormatInt(u.id, 10)+"?v=4")
	g.str("gravatar_id", "")
	g.str("url", api)
	if u.bot {
		g.str("html_url", "https://github.com/apps/"+strings.TrimSuffix(u.login, "[bot]"))
	} else {
		g.str("html_url", "https://github.com/"+u.login)
	}
	for _, l := range userURLs {
		g.str(l[0], api+l[1])
	}
	if u.bot {
		g.str("type", "Bot")
	} else {
		g.str("type", "User")
	}
	g.boolean("site_admin", false)
	g.close()
}

// repoURLs are the API links of a repository, after
// https://api.github.com/repos/{owner}/{name}.
var repoURLs = [...][2]string{
	{"forks_url", "/forks"}, {"keys_url", "/keys{/key_id}"},
	{"collaborators_url", "/collaborators{/collaborator}"}, {"teams_url", "/teams"},
	{"hooks_url", "/hooks"}, {"issue_events_url", "/issues/events{/number}"},
	{"events_url", "/events"}, {"assignees_url", "/assignees{/user}"},
	{"branches_url", "/branches{/branch}"}, {"tags_url", "/tags"},
	{"blobs_url", "/git/blobs{/sha}"}, {"git_tags_url", "/git/tags{/sha}"},
	{"git_refs_url", "/git/refs{/sha}"}, {"trees_url", "/git/trees{/sha}"},
	{"statuses_url", "/statuses/{sha}"}, {"languages_url", "/languages"},
	{"stargazers_url", "/stargazers"}, {"contributors_url", "/contributors"},
	{"subscribers_url", "/subscribers"}, {"subscription_url", "/subscription"},
	{"commits_url", "/commits{/sha}"}, {"git_commits_url", "/git/commits{/sha}"},
	{"comments_url", "/comments{/number}"}, {"issue_comment_url", "/issues/comments{/number}"},
	{"contents_url", "/contents/{+path}"}, {"compare_url", "/compare/{base}...{head}"},
	{"merges_url", "/merges"}, {"archive_url", "/{archive_format}{/ref}"},
	{"downloads_url", "/downloads"}, {"issues_url", "/issues{/number}"},
	{"pulls_url", "/pulls{/number}"}, {"milestones_url", "/milestones{/number}"},
	{"notifications_url", "/notifications{?since,all,participating}"},
	{"labels_url", "/labels{/name}"}, {"releases_url", "/releases{/id}"},
	{"deployments_url", "/deployments"},
}

func (g *generator) repository(r repo, at time.Time) {
	full := r.full()
	api := "https://api.github.com/repos/" + full
	html := "https://github.com/" + full
	g.open("")
	g.num("id", r.id)
	g.str("node_id", nodeID("Repository", r.id))
	g.str("name", r.name)
	g.str("full_name", full)
	g.boolean("private", false)
	g.key("owner")
	g.userObject(r.owner)
	g.str("html_url", html)
	g.str("description", g.text(4, 20))
	g.boolean("fork", false)
	g.str("url", api)
	for _, l := range repoURLs {
		g.str(l[0], api+l[1])
	}
	g.time("created_at", at.Add(-400*24*time.Hour))
	g.time("updated_at", at)
	g.time("pushed_at", at)
	g.str("git_url", "git://github.com/"+full+".git")
	g.str("ssh_url", "git@github.com:"+full+".git")
	g.str("clone_url", html+".git")
	g.str("svn_url", html)
	g.null("homepage")
	g.num("size", int64(g.rng.IntN(100_000)))
	stars := int64(g.rng.IntN(2000))
	g.num("stargazers_count", stars)
	g.num("watchers_count", stars)
	g.str("language", [...]string{"Go", "JavaScript", "Python", "TypeScript", "Java", "Rust"}[g.rng.IntN(6)])
	g.boolean("has_issues", true)
	g.boolean("has_projects", true)
	g.boolean("has_downloads", true)
	g.boolean("has_wiki", true)
	g.boolean("has_pages", false)
	forks, issues := int64(g.rng.IntN(300)), int64(g.rng.IntN(100))
	g.num("forks_count", forks)
	g.null("mirror_url")
	g.boolean("archived", false)
	g.boolean("disabled", false)
	g.num("open_issues_count", issues)
	g.open("license")
	g.str("key", "mit")
	g.str("name", "MIT License")
	g.str("spdx_id", "MIT")
	g.str("url", "https://api.github.com/licenses/mit")
	g.str("node_id", "MDc6TGljZW5zZTEz")
	g.close()
	g.num("forks", forks)
	g.num("open_issues", issues)
	g.num("watchers", stars)
	g.str("default_branch", "main")
	g.close()
}

func (g *generator) href(name, url string) {
	g.open(name)
	g.str("href", url)
	g.close()
}

// ago is how long before an event the object it is about was made.
func (g *generator) ago() time.Duration {
	return time.Duration(1+g.rng.IntN(30*24*3600)) * time.Second
}

func (g *generator) branch() string {
	return syllables[g.rng.IntN(len(syllables))] + "-" + strconv.Itoa(g.rng.IntN(1000))
}

func (g *generator) sha() string {
	var b [20]byte
	for i := 0; i < len(b); i += 8 {
		v := g.rng.Uint64()
		for j := i; j < min(i+8, len(b)); j++ {
			b[j] = byte(v)
			v >>= 8
		}
	}
	return hex.EncodeToString(b[:])
}

// text is prose of min to max words, skewed short as real bodies are, with
// the occasional paragraph break.
func (g *generator) text(minWords, maxWords int) string {
	n := minWords + int(float64(maxWords-minWords)*g.rng.Float64()*g.rng.Float64())
	var sb strings.Builder
	for i := range n {
		if i > 0 {
			if g.rng.IntN(25) == 0 {
				sb.WriteString("\r\n\r\n")
			} else {
				sb.WriteByte(' ')
			}
		}
		sb.WriteString(words[g.rng.IntN(len(words))])
	}
	return sb.String()
}

func nodeID(kind string, id int64) string {
	return base64.StdEncoding.EncodeToString([]byte("0" + strconv.Itoa(len(kind)) + ":" + kind + strconv.FormatInt(id, 10)))
}

// escapeLogin escapes the brackets of a bot's login in a URL, as GitHub does.
func escapeLogin(login string) string {
	if !strings.HasSuffix(login, "[bot]") {
		return login
	}
	return strings.TrimSuffix(login, "[bot]") + "%5Bbot%5D"
}

// mix is the finalizer of SplitMix64: it scatters consecutive numbers, so that
// account i's name and bot flag do not depend on i's neighbours.
func mix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ x>>30) * 0xbf58476d1ce4e5b9
	x = (x ^ x>>27) * 0x94d049bb133111eb
	return x ^ x>>31
}

var syllables = [...]string{
	"ka", "lo", "mi", "zen", "tor", "bel", "ra", "vi", "dan", "sol", "ne", "pix",
	"cor", "ul", "fa", "jin", "mar", "tek", "ori", "sam", "quin", "de", "hal", "wy",
}

var words = [...]string{
	"the", "fix", "test", "build", "error", "when", "config", "update", "add", "support",
	"for", "a", "to", "in", "and", "of", "is", "this", "release", "docs", "api", "should",
	"not", "with", "change", "version", "dependency", "bump", "from", "handle", "case",
	"null", "value", "returns", "expected", "actual", "crash", "on", "startup", "log",
	"`go test ./...`", "see", "#1234", "https://example.com/issue", "PR", "LGTM", "thanks!",
}

// jsonBuf writes JSON by hand, which keeps the keys in the order of the real
// events, and is fast enough to generate hours of hundreds of megabytes.
type jsonBuf struct{ b []byte }

// sep writes the comma due before a key or an element.
func (j *jsonBuf) sep() {
	if n := len(j.b); n > 0 {
		switch j.b[n-1] {
		case '{', '[', ':', '\n':
		default:
			j.b = append(j.b, ',')
		}
	}
}

func (j *jsonBuf) key(k string) {
	j.sep()
	j.b = append(j.b, '"')
	j.b = append(j.b, k...)
	j.b = append(j.b, '"', ':')
}

// open starts an object, under key k unless k is "".
func (j *jsonBuf) open(k string) {
	if k == "" {
		j.sep()
	} else {
		j.key(k)
	}
	j.b = append(j.b, '{')
}

func (j *jsonBuf) close() { j.b = append(j.b, '}') }

func (j *jsonBuf) openArray(k string) {
	j.key(k)
	j.b = append(j.b, '[')
}

func (j *jsonBuf) closeArray() { j.b = append(j.b, ']') }

func (j *jsonBuf) emptyArray(k string) {
	j.key(k)
	j.b = append(j.b, '[', ']')
}

func (j *jsonBuf) str(k, v string) {
	j.key(k)
	j.b = append(j.b, '"')
	start := 0
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			continue
		}
		j.b = append(j.b, v[start:i]...)
		switch c {
		case '\n':
			j.b = append(j.b, '\\', 'n')
		case '\r':
			j.b = append(j.b, '\\', 'r')
		case '"', '\\':
			j.b = append(j.b, '\\', c)
		default:
			j.b = append(j.b, fmt.Sprintf(`\u%04x`, c)...)
		}
		start = i + 1
	}
	j.b = append(j.b, v[start:]...)
	j.b = append(j.b, '"')
}

func (j *jsonBuf) num(k string, v int64) {
	j.key(k)
	j.b = strconv.AppendInt(j.b, v, 10)
}

func (j *jsonBuf) boolean(k string, v bool) {
	j.key(k)
	j.b = strconv.AppendBool(j.b, v)
}

func (j *jsonBuf) null(k string) {
	j.key(k)
	j.b = append(j.b, "null"...)
}

func (j *jsonBuf) time(k string, t time.Time) {
	j.key(k)
	j.b = append(j.b, '"')
	j.b = t.UTC().AppendFormat(j.b, time.RFC3339)
	j.b = append(j.b, '"')
}
