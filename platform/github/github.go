// Package github turns GitHub activity into Cadre activity records by the
// default mapping of SPEC section 9: hourly GH Archive files through
// ArchiveReader, and webhook deliveries through VerifySignature and
// WebhookRecords. Both paths share one mapping, so an object seen both ways
// gets one external id and is one activity.
package github

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/cadrehq/cadre"
)

// Source is the source of every record this package makes, and Platform the
// platform of their members.
const (
	Source   = "github"
	Platform = "github"
)

// account is a GitHub user as events and payloads name it.
type account struct {
	Login string
	ID    int64
	Type  string // "Bot" for apps; absent from GH Archive actors
}

// item holds what an activity needs of an issue, comment, review or pull
// request; each kind fills only its own fields.
type item struct {
	ID          int64
	User        *account
	HTMLURL     string
	Title       string // issues and pull requests
	CreatedAt   string
	SubmittedAt string
	MergedAt    string
	Merged      bool
}

// item decodes the object v into it, and reports whether v is an object.
func (d *decoder) item(v []byte, path string, it *item) bool {
	return d.object(v, path, func(key, v []byte) {
		switch string(key) {
		case "id":
			it.ID = d.int(v, path, "id")
		case "user":
			it.User = d.account(v, join(path, "user"))
		case "html_url":
			it.HTMLURL = d.str(v, path, "html_url")
		case "title":
			it.Title = d.str(v, path, "title")
		case "created_at":
			it.CreatedAt = d.str(v, path, "created_at")
		case "submitted_at":
			it.SubmittedAt = d.str(v, path, "submitted_at")
		case "merged_at":
			it.MergedAt = d.str(v, path, "merged_at")
		case "merged":
			it.Merged = d.bool(v, path, "merged")
		}
	})
}

// thread is the issue, pull request or discussion that an object belongs to.
type thread struct {
	Title         string
	AnswerHTMLURL string // discussions only
	HTMLURL       string
	State         string // "open" or "closed"
	StateReason   string // issues: "completed", "not_planned", "reopened", ...
	Merged        bool   // pull requests
	MergedAt      string
}

func (d *decoder) thread(v []byte, path string, th *thread) {
	d.object(v, path, func(key, v []byte) {
		switch string(key) {
		case "title":
			th.Title = d.str(v, path, "title")
		case "answer_html_url":
			th.AnswerHTMLURL = d.str(v, path, "answer_html_url")
		case "html_url":
			th.HTMLURL = d.str(v, path, "html_url")
		case "state":
			th.State = d.str(v, path, "state")
		case "state_reason":
			th.StateReason = d.str(v, path, "state_reason")
		case "merged":
			th.Merged = d.bool(v, path, "merged")
		case "merged_at":
			th.MergedAt = d.str(v, path, "merged_at")
		case "pull_request":
			// An issue that is a pull request says when it was merged here.
			d.object(v, join(path, "pull_request"), func(key, v []byte) {
				if string(key) == "merged_at" {
					th.MergedAt = d.str(v, join(path, "pull_request"), "merged_at")
				}
			})
		}
	})
}

// cadreThread is th as an activity's thread: named "{owner}/{repo}#{number}"
// after its address, as issues, pull requests and discussions share the
// numbers of their repository, so that a pull request's comments (through
// its issue) and its reviews are one thread. GitHub tells no views. A
// discussion is solved when it has an answer; an issue or pull request is
// not while open, and is when closed as completed or merged; closed
// otherwise (not planned, or a payload that does not say) it is not known
// to be solved. A thread whose address does not have that shape is none.
func (th *thread) cadreThread() cadre.Thread {
	id := threadID(th.HTMLURL)
	if id == "" {
		return cadre.Thread{}
	}
	out := cadre.Thread{ID: id}
	switch {
	case th.AnswerHTMLURL != "":
		out.Solved, out.HasSolved = true, true
	case strings.Contains(th.HTMLURL, "/discussions/"):
	case th.State == "open":
		out.HasSolved = true
	case th.State == "closed" && (th.Merged || th.MergedAt != "" || th.StateReason == "completed"):
		out.Solved, out.HasSolved = true, true
	case th.State == "closed" && (th.StateReason == "not_planned" || th.StateReason == "duplicate"):
		out.HasSolved = true
	}
	return out
}

// threadID returns "{owner}/{repo}#{number}" of the address of an issue,
// pull request or discussion, or "".
func threadID(htmlURL string) string {
	rest, ok := strings.CutPrefix(htmlURL, "https://github.com/")
	if !ok {
		return ""
	}
	parts := strings.Split(rest, "/")
	if len(parts) != 4 || parts[0] == "" || parts[1] == "" {
		return ""
	}
	switch parts[2] {
	case "issues", "pull", "discussions":
	default:
		return ""
	}
	if n, err := strconv.ParseInt(parts[3], 10, 64); err != nil || n <= 0 || strconv.FormatInt(n, 10) != parts[3] {
		return ""
	}
	return parts[0] + "/" + parts[1] + "#" + parts[3]
}

// payload is a GH Archive event's payload, or a webhook body, which adds the
// sender. Its objects are kept as text and decoded only once the action says
// they are needed, so that an event without an activity is not checked
// beyond its action.
type payload struct {
	Action      string
	Issue       []byte
	Comment     []byte
	Review      []byte
	PullRequest []byte
	Discussion  []byte
	Sender      *account
}

// payload decodes the object v into p.
func (d *decoder) payload(v []byte, path string, p *payload) {
	d.object(v, path, func(key, v []byte) { d.payloadMember(p, path, key, v) })
}

func (d *decoder) payloadMember(p *payload, path string, key, v []byte) {
	switch string(key) {
	case "action":
		p.Action = d.str(v, path, "action")
	case "issue":
		p.Issue = v
	case "comment":
		p.Comment = v
	case "review":
		p.Review = v
	case "pull_request":
		p.PullRequest = v
	case "discussion":
		p.Discussion = v
	case "sender":
		p.Sender = d.account(v, join(path, "sender"))
	}
}

// mapped reports whether events of the GH Archive type kind can make an
// activity, so that the payloads of the others need not be decoded.
func mapped(kind string) bool {
	switch kind {
	case "IssuesEvent", "IssueCommentEvent", "PullRequestReviewEvent",
		"PullRequestReviewCommentEvent", "PullRequestEvent", "DiscussionCommentEvent":
		return true
	}
	return false
}

// archiveType returns the GH Archive type of the webhook event named by
// X-GitHub-Event, or "" for events that make no activity.
func archiveType(webhookEvent string) string {
	switch webhookEvent {
	case "issues":
		return "IssuesEvent"
	case "issue_comment":
		return "IssueCommentEvent"
	case "pull_request_review":
		return "PullRequestReviewEvent"
	case "pull_request_review_comment":
		return "PullRequestReviewCommentEvent"
	case "pull_request":
		return "PullRequestEvent"
	case "discussion_comment":
		return "DiscussionCommentEvent"
	}
	return ""
}

// mapPayload applies SPEC section 9 to an event of GH Archive type kind. The
// actor stands in for an object without an author, and eventTime, when not
// zero, for an object without a time. It returns ok false for events that make
// no activity, and otherwise a reason when the payload lacks what the mapping
// needs; path prefixes the field names in reasons.
func mapPayload(kind string, p *payload, actor *account, eventTime time.Time, path string) (rec cadre.ActivityRecord, ok bool, reason string) {
	var (
		objRaw, threadRaw         []byte
		name, prefix, typ, atName string
	)
	atName = "created_at"
	switch kind {
	case "IssuesEvent":
		if p.Action != "opened" {
			return rec, false, ""
		}
		objRaw, name, prefix, typ = p.Issue, "issue", "issue", "feedback"
	case "IssueCommentEvent":
		if p.Action != "created" {
			return rec, false, ""
		}
		objRaw, threadRaw, name, prefix, typ = p.Comment, p.Issue, "comment", "issue_comment", "forum"
	case "PullRequestReviewEvent":
		// GH Archive says "created" where webhooks say "submitted".
		if p.Action != "submitted" && p.Action != "created" {
			return rec, false, ""
		}
		objRaw, threadRaw, name, prefix, typ, atName = p.Review, p.PullRequest, "review", "review", "forum", "submitted_at"
	case "PullRequestReviewCommentEvent":
		if p.Action != "created" {
			return rec, false, ""
		}
		objRaw, threadRaw, name, prefix, typ = p.Comment, p.PullRequest, "comment", "review_comment", "forum"
	case "PullRequestEvent":
		if p.Action != "closed" {
			return rec, false, ""
		}
		objRaw, name, prefix, typ, atName = p.PullRequest, "pull_request", "pull_request", "code", "merged_at"
	case "DiscussionCommentEvent":
		if p.Action != "created" {
			return rec, false, ""
		}
		objRaw, threadRaw, name, prefix, typ = p.Comment, p.Discussion, "comment", "discussion_comment", "forum"
	default:
		return rec, false, ""
	}

	name = path + name
	var d decoder
	var obj item
	present := len(objRaw) > 0 && d.item(objRaw, name, &obj)
	switch {
	case d.reason != "":
		return rec, false, d.reason
	case !present:
		return rec, false, name + ": missing"
	}
	if kind == "PullRequestEvent" && !obj.Merged {
		return rec, false, ""
	}
	if obj.ID <= 0 {
		return rec, false, fmt.Sprintf("%s.id: missing or not positive (%d)", name, obj.ID)
	}
	// Issues and pull requests carry their own title; other objects take
	// that of their thread.
	// An issue opened and a pull request merged are their own thread.
	var th thread
	if kind == "IssuesEvent" || kind == "PullRequestEvent" {
		d.thread(objRaw, name, &th)
	} else if len(threadRaw) > 0 {
		d.thread(threadRaw, path+threadName(kind), &th)
	}
	if d.reason != "" {
		return rec, false, d.reason
	}
	if th.HTMLURL == "" {
		// The object's own address names its thread: a comment's is the
		// thread's and a fragment.
		th.HTMLURL, _, _ = strings.Cut(obj.HTMLURL, "#")
	}

	at := obj.CreatedAt
	switch atName {
	case "submitted_at":
		at = obj.SubmittedAt
	case "merged_at":
		at = obj.MergedAt
	}
	occurred := eventTime
	if at != "" {
		t, err := time.Parse(time.RFC3339, at)
		if err != nil {
			return rec, false, fmt.Sprintf("%s.%s: %q is not an RFC 3339 time", name, atName, at)
		}
		occurred = t.UTC()
	} else if occurred.IsZero() {
		return rec, false, fmt.Sprintf("%s.%s: missing", name, atName)
	}

	author := obj.User
	if author == nil || author.Login == "" {
		author = actor
	}
	if author == nil || author.Login == "" {
		return rec, false, name + ".user: missing, and no actor or sender to fall back to"
	}

	rec = cadre.ActivityRecord{
		Activity: cadre.Activity{
			Type:       typ,
			OccurredAt: occurred,
			Source:     Source,
			ExternalID: prefix + ":" + strconv.FormatInt(obj.ID, 10),
			Status:     cadre.ActivityApproved,
			URL:        obj.HTMLURL,
			Title:      th.Title,
			Thread:     th.cadreThread(),
		},
		Member: cadre.MemberRef{
			Platform: Platform,
			Handle:   author.Login,
			Bot:      cadre.IsBotHandle(author.Login) || author.Type == "Bot",
		},
	}
	if author.ID > 0 {
		rec.Member.UserID = strconv.FormatInt(author.ID, 10)
	}
	if kind == "DiscussionCommentEvent" && obj.HTMLURL != "" && th.AnswerHTMLURL == obj.HTMLURL {
		rec.Metrics = map[string]float64{"solved": 1}
	}
	return rec, true, ""
}

// threadName names the payload field that holds the title of kind's events.
func threadName(kind string) string {
	switch kind {
	case "IssueCommentEvent":
		return "issue"
	case "DiscussionCommentEvent":
		return "discussion"
	}
	return "pull_request"
}
