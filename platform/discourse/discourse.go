// Package discourse turns Discourse forum data into Cadre activities (SPEC
// section 9): saved API responses for `cadre import --format discourse`, the
// live API for scheduled syncs, and webhooks for posts as they are written.
//
// All three share one mapping, Record, so that a post seen through any of
// them is the same activity, `post:{id}`. Replies are activities; topics are
// not, but their views and solved state are forum outcomes, returned as Topic
// values beside the records.
package discourse

import (
	"cmp"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/cadrehq/cadre"
)

// Source is the source of the activities made here, and Platform the
// platform of their members.
const (
	Source   = "discourse"
	Platform = "discourse"
)

// ActivityType is the type of every Discourse activity (SPEC section 9).
const ActivityType = "forum"

// postTypeRegular is the only post type that makes replies: the others are
// moderator actions and small actions, notices such as "closed this topic",
// and whispers, staff-only notes. Discourse's own /posts.json lists regular
// posts only, so files and the API agree.
const postTypeRegular = 1

// likeActionID is the like among a post's actions_summary.
const likeActionID = 2

// Post is a post as the Discourse API serializes it in /t/{id}.json,
// /posts.json and webhooks. Fields the mapping does not use are left out.
type Post struct {
	ID         int64  `json:"id"`
	Username   string `json:"username"`
	Name       string `json:"name"`
	UserID     *int64 `json:"user_id"` // nil when absent: 0 is a real (bot) id
	CreatedAt  string `json:"created_at"`
	PostNumber int    `json:"post_number"`
	PostType   int    `json:"post_type"` // 0 when absent, taken as regular
	TopicID    int64  `json:"topic_id"`
	TopicSlug  string `json:"topic_slug"`
	TopicTitle string `json:"topic_title"`
	// TopicArchetype is "private_message" for private messages; only
	// webhooks send it.
	TopicArchetype string `json:"topic_archetype"`
	// LikeCount, when present, wins over ActionsSummary.
	LikeCount *int64 `json:"like_count"`
	// ActionsSummary is nil when absent (webhooks leave it out), and empty
	// when the post has no actions: then it has no likes.
	ActionsSummary []ActionSummary `json:"actions_summary"`
	// AcceptedAnswer is set by the discourse-solved plugin.
	AcceptedAnswer bool    `json:"accepted_answer"`
	DeletedAt      *string `json:"deleted_at"`
	UserDeleted    bool    `json:"user_deleted"`
}

// ActionSummary counts one kind of action on a post; id 2 is the like.
type ActionSummary struct {
	ID    int   `json:"id"`
	Count int64 `json:"count"`
}

// Topic is a topic's forum outcomes: how much it was read and whether it was
// solved. Topics are not activities.
type Topic struct {
	ID         int64
	Title      string
	Slug       string
	URL        string // "" when the forum's address is not known
	Views      int64
	PostsCount int64
	ReplyCount int64
	CreatedAt  time.Time
	// Author has no Handle when the response names the author by id only.
	Author cadre.MemberRef
	Solved bool
	// Answers are the accepted answers the response names; a solved topic
	// from /latest.json has none.
	Answers []Answer
}

// Answer is a post accepted as the answer of a topic. PostID is 0 when the
// response gives only the post number.
type Answer struct {
	PostID     int64
	PostNumber int
}

// accepts reports whether t names p as an accepted answer.
func (t *Topic) accepts(p *Post) bool {
	for _, a := range t.Answers {
		if a.PostID != 0 && a.PostID == p.ID || a.PostNumber != 0 && a.PostNumber == p.PostNumber {
			return true
		}
	}
	return false
}

// Record maps a post to the activity it stands for. base is the forum's
// address, such as "https://forum.example.org"; "" leaves URLs out. t is the
// topic the post came with, if any: it supplies the title, slug and accepted
// answers a post does not carry in /t/{id}.json.
//
// ok is false for posts that are not activities: first posts (topics),
// notices, whispers, deleted posts and private messages. err says what a
// reply lacks that the mapping needs.
func Record(p Post, base string, t *Topic) (rec cadre.ActivityRecord, ok bool, err error) {
	if p.PostNumber <= 0 {
		return rec, false, errors.New("post_number: missing")
	}
	if p.TopicID == 0 && t != nil {
		p.TopicID = t.ID
	}
	if t != nil && t.ID != p.TopicID {
		t = nil
	}
	if p.PostNumber == 1 || p.PostType != 0 && p.PostType != postTypeRegular ||
		p.DeletedAt != nil || p.UserDeleted || p.TopicArchetype == "private_message" {
		return rec, false, nil
	}
	switch {
	case p.ID <= 0:
		return rec, false, errors.New("id: missing")
	case p.TopicID <= 0:
		return rec, false, errors.New("topic_id: missing")
	case strings.TrimSpace(p.Username) == "":
		return rec, false, errors.New("username: missing")
	case p.CreatedAt == "":
		return rec, false, errors.New("created_at: missing")
	}
	at, err := parseTime(p.CreatedAt)
	if err != nil {
		return rec, false, fmt.Errorf("created_at: %w", err)
	}

	var metrics map[string]float64
	if likes, known := p.likes(); known {
		metrics = map[string]float64{"likes": float64(likes)}
	}
	if p.AcceptedAnswer || t != nil && t.accepts(&p) {
		if metrics == nil {
			metrics = map[string]float64{}
		}
		metrics["solved"] = 1
	}
	slug, title := p.TopicSlug, p.TopicTitle
	if t != nil {
		slug = cmp.Or(slug, t.Slug)
		title = cmp.Or(title, t.Title)
	}
	if title != "" {
		title = "Re: " + title
	}
	rec = cadre.ActivityRecord{
		Activity: cadre.Activity{
			Type:       ActivityType,
			OccurredAt: at,
			Source:     Source,
			ExternalID: "post:" + strconv.FormatInt(p.ID, 10),
			Status:     cadre.ActivityApproved,
			URL:        topicURL(base, slug, p.TopicID, p.PostNumber),
			Title:      title,
			Metrics:    metrics,
		},
		Member: memberRef(p.UserID, p.Username, p.Name),
	}
	// The reply's thread is its topic, named by its id as the forum's
	// addresses name it; the topic's views and solved state are known only
	// when the topic came with the post, and an accepted answer says its
	// topic is solved.
	rec.Thread = cadre.Thread{ID: strconv.FormatInt(p.TopicID, 10)}
	if t != nil {
		rec.Thread.Views, rec.Thread.HasViews = t.Views, true
		rec.Thread.Solved, rec.Thread.HasSolved = t.Solved || len(t.Answers) > 0, true
	}
	if metrics["solved"] == 1 {
		rec.Thread.Solved, rec.Thread.HasSolved = true, true
	}
	return rec, true, nil
}

// likes returns the post's like count and whether the post says it.
func (p *Post) likes() (int64, bool) {
	if p.LikeCount != nil {
		return *p.LikeCount, true
	}
	if p.ActionsSummary == nil {
		return 0, false
	}
	for _, a := range p.ActionsSummary {
		if a.ID == likeActionID {
			return a.Count, true
		}
	}
	// Discourse leaves out actions nobody took.
	return 0, true
}

// memberRef names a Discourse account. userID is nil when unknown.
func memberRef(userID *int64, username, name string) cadre.MemberRef {
	ref := cadre.MemberRef{
		Platform: Platform,
		Handle:   strings.TrimSpace(username),
		Name:     strings.TrimSpace(name),
		Bot:      isBot(userID, username),
	}
	if userID != nil {
		ref.UserID = strconv.FormatInt(*userID, 10)
	}
	return ref
}

// isBot applies Discourse's own rule, that accounts with ids up to 0 are bots
// (system is -1, discobot -2), and the "[bot]" convention of SPEC section 9.
// The names are checked too for responses that leave ids out. Staff flags
// (admin, moderator) say nothing about being a bot.
func isBot(userID *int64, username string) bool {
	if userID != nil && *userID <= 0 {
		return true
	}
	switch strings.ToLower(strings.TrimSpace(username)) {
	case "system", "discobot":
		return true
	}
	return cadre.IsBotHandle(username)
}

// topicURL returns {base}/t/{slug}/{topicID}[/{postNumber}], or "" when base
// is. A slug that would change the path is left out: Discourse redirects
// /t/{id} to the right slug.
func topicURL(base, slug string, topicID int64, postNumber int) string {
	if base == "" {
		return ""
	}
	var b strings.Builder
	b.WriteString(strings.TrimRight(base, "/"))
	b.WriteString("/t/")
	if safeSlug(slug) {
		b.WriteString(slug)
		b.WriteByte('/')
	}
	b.WriteString(strconv.FormatInt(topicID, 10))
	if postNumber > 0 {
		b.WriteByte('/')
		b.WriteString(strconv.Itoa(postNumber))
	}
	return b.String()
}

// safeSlug reports whether slug can stand in a path as it is. Discourse
// slugs are lower-case ASCII words, or percent-encoded when the forum uses
// encoded slugs.
func safeSlug(slug string) bool {
	if slug == "" {
		return false
	}
	for i := 0; i < len(slug); i++ {
		c := slug[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
			c == '-' || c == '_' || c == '.' || c == '~' || c == '%') {
			return false
		}
	}
	return true
}

// parseTime parses a Discourse timestamp such as 2013-02-04T15:26:32.362-05:00
// into UTC.
func parseTime(s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%s is not an RFC 3339 time", cadre.Quote(s))
	}
	return t.UTC(), nil
}
