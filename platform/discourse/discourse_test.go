package discourse

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/cadrehq/cadre"
)

func ptr[T any](v T) *T { return &v }

// reply is a reply as /posts.json lists it, for tests to vary.
func reply() Post {
	return Post{
		ID:             8812,
		Username:       "alice",
		Name:           "Alice A.",
		UserID:         ptr[int64](42),
		CreatedAt:      "2025-03-01T13:00:00.000+01:00",
		PostNumber:     4,
		PostType:       1,
		TopicID:        123,
		TopicSlug:      "tls-setup",
		TopicTitle:     "TLS setup",
		ActionsSummary: []ActionSummary{{ID: 2, Count: 3}, {ID: 3, Count: 1}},
	}
}

func TestRecord(t *testing.T) {
	const base = "https://forum.example.org/"
	full := cadre.ActivityRecord{
		Activity: cadre.Activity{
			Type:       "forum",
			OccurredAt: time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC),
			Source:     "discourse",
			ExternalID: "post:8812",
			Status:     cadre.ActivityApproved,
			URL:        "https://forum.example.org/t/tls-setup/123/4",
			Title:      "Re: TLS setup",
			Metrics:    map[string]float64{"likes": 3},
			Thread:     cadre.Thread{ID: "123"},
		},
		Member: cadre.MemberRef{Platform: "discourse", Handle: "alice", UserID: "42", Name: "Alice A."},
	}
	topic := &Topic{ID: 123, Title: "TLS setup (topic)", Slug: "tls-setup-topic", Views: 640, Answers: []Answer{{PostNumber: 4}}}
	// seen is the thread of a post that came with its topic.
	seen := func(r *cadre.ActivityRecord, views int64, solved bool) {
		r.Thread = cadre.Thread{ID: "123", Views: views, HasViews: true, Solved: solved, HasSolved: true}
	}
	tests := []struct {
		name string
		post func(*Post)
		base string
		t    *Topic
		want func(*cadre.ActivityRecord) // edits full; nil when not an activity
	}{
		{name: "reply", base: base, want: func(*cadre.ActivityRecord) {}},
		{name: "like_count wins over actions_summary", base: base,
			post: func(p *Post) { p.LikeCount = ptr[int64](7) },
			want: func(r *cadre.ActivityRecord) { r.Metrics["likes"] = 7 }},
		{name: "empty actions_summary is no likes", base: base,
			post: func(p *Post) { p.ActionsSummary = []ActionSummary{} },
			want: func(r *cadre.ActivityRecord) { r.Metrics["likes"] = 0 }},
		{name: "no actions_summary leaves likes unknown", base: base,
			post: func(p *Post) { p.ActionsSummary = nil },
			want: func(r *cadre.ActivityRecord) { r.Metrics = nil }},
		{name: "accepted answer flag", base: base,
			post: func(p *Post) { p.AcceptedAnswer = true },
			want: func(r *cadre.ActivityRecord) {
				r.Metrics["solved"] = 1
				r.Thread.Solved, r.Thread.HasSolved = true, true // its views unknown without the topic
			}},
		{name: "solved without likes", base: base,
			post: func(p *Post) { p.AcceptedAnswer, p.ActionsSummary = true, nil },
			want: func(r *cadre.ActivityRecord) {
				r.Metrics = map[string]float64{"solved": 1}
				r.Thread.Solved, r.Thread.HasSolved = true, true
			}},
		{name: "topic's accepted post number", base: base, t: topic,
			want: func(r *cadre.ActivityRecord) { r.Metrics["solved"] = 1; seen(r, 640, true) }},
		{name: "topic's accepted post id", base: base,
			t:    &Topic{ID: 123, Answers: []Answer{{PostID: 8812}}},
			want: func(r *cadre.ActivityRecord) { r.Metrics["solved"] = 1; seen(r, 0, true) }},
		{name: "topic accepting another post", base: base,
			t:    &Topic{ID: 123, Views: 9, Answers: []Answer{{PostID: 9000, PostNumber: 5}}},
			want: func(r *cadre.ActivityRecord) { seen(r, 9, true) }},
		{name: "topic not solved", base: base,
			t:    &Topic{ID: 123, Views: 31},
			want: func(r *cadre.ActivityRecord) { seen(r, 31, false) }},
		{name: "another topic's answer is ignored", base: base,
			t:    &Topic{ID: 999, Answers: []Answer{{PostNumber: 4}}},
			want: func(*cadre.ActivityRecord) {}},
		{name: "title and slug from the topic", base: base, t: topic,
			post: func(p *Post) { p.TopicSlug, p.TopicTitle = "", "" },
			want: func(r *cadre.ActivityRecord) {
				r.Metrics["solved"] = 1
				seen(r, 640, true)
				r.Title = "Re: TLS setup (topic)"
				r.URL = "https://forum.example.org/t/tls-setup-topic/123/4"
			}},
		{name: "topic id from the topic", base: base, t: &Topic{ID: 123},
			post: func(p *Post) { p.TopicID = 0 },
			want: func(r *cadre.ActivityRecord) { seen(r, 0, false) }},
		{name: "no title known", base: base,
			post: func(p *Post) { p.TopicTitle = "" },
			want: func(r *cadre.ActivityRecord) { r.Title = "" }},
		{name: "no base, no URL",
			want: func(r *cadre.ActivityRecord) { r.URL = "" }},
		{name: "slug that would change the path", base: base,
			post: func(p *Post) { p.TopicSlug = "a/../b?x" },
			want: func(r *cadre.ActivityRecord) { r.URL = "https://forum.example.org/t/123/4" }},
		{name: "no user id", base: base,
			post: func(p *Post) { p.UserID = nil },
			want: func(r *cadre.ActivityRecord) { r.Member.UserID = "" }},
		{name: "post_type absent is regular", base: base,
			post: func(p *Post) { p.PostType = 0 },
			want: func(*cadre.ActivityRecord) {}},
		{name: "system is a bot", base: base,
			post: func(p *Post) { p.UserID, p.Username, p.Name = ptr[int64](-1), "system", "system" },
			want: func(r *cadre.ActivityRecord) {
				r.Member = cadre.MemberRef{Platform: "discourse", Handle: "system", UserID: "-1", Name: "system", Bot: true}
			}},
		{name: "discobot by id", base: base,
			post: func(p *Post) { p.UserID, p.Username = ptr[int64](-2), "renamed" },
			want: func(r *cadre.ActivityRecord) { r.Member.UserID, r.Member.Handle, r.Member.Bot = "-2", "renamed", true }},
		{name: "negative id", base: base,
			post: func(p *Post) { p.UserID, p.Username = ptr[int64](-1), "forum-helper" },
			want: func(r *cadre.ActivityRecord) {
				r.Member.UserID, r.Member.Handle, r.Member.Bot = "-1", "forum-helper", true
			}},
		{name: "id 0", base: base,
			post: func(p *Post) { p.UserID = ptr[int64](0) },
			want: func(r *cadre.ActivityRecord) { r.Member.UserID, r.Member.Bot = "0", true }},
		{name: "discobot by name", base: base,
			post: func(p *Post) { p.UserID, p.Username = nil, "DiscoBot" },
			want: func(r *cadre.ActivityRecord) { r.Member.UserID, r.Member.Handle, r.Member.Bot = "", "DiscoBot", true }},
		{name: "[bot] suffix", base: base,
			post: func(p *Post) { p.Username = "renovate[bot]" },
			want: func(r *cadre.ActivityRecord) { r.Member.Handle, r.Member.Bot = "renovate[bot]", true }},
		{name: "first post is the topic", base: base, post: func(p *Post) { p.PostNumber = 1 }},
		{name: "first post needs nothing else", base: base, post: func(p *Post) { p.PostNumber, p.CreatedAt, p.Username = 1, "", "" }},
		{name: "moderator action", base: base, post: func(p *Post) { p.PostType = 2 }},
		{name: "small action", base: base, post: func(p *Post) { p.PostType = 3 }},
		{name: "whisper", base: base, post: func(p *Post) { p.PostType = 4 }},
		{name: "deleted", base: base, post: func(p *Post) { p.DeletedAt = ptr("2025-03-02T00:00:00Z") }},
		{name: "withdrawn by its author", base: base, post: func(p *Post) { p.UserDeleted = true }},
		{name: "private message", base: base, post: func(p *Post) { p.TopicArchetype = "private_message" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := reply()
			if tt.post != nil {
				tt.post(&p)
			}
			got, ok, err := Record(p, tt.base, tt.t)
			if err != nil {
				t.Fatalf("Record: %v", err)
			}
			if tt.want == nil {
				if ok {
					t.Fatalf("Record = %+v, want no activity", got)
				}
				return
			}
			want := full
			want.Metrics = map[string]float64{"likes": 3}
			tt.want(&want)
			if !ok || !reflect.DeepEqual(got, want) {
				t.Errorf("Record = %+v, %v\nwant %+v", got, ok, want)
			}
		})
	}
}

func TestRecordErrors(t *testing.T) {
	tests := []struct {
		name string
		post func(*Post)
		want string
	}{
		{"no post number", func(p *Post) { p.PostNumber = 0 }, "post_number: missing"},
		{"no id", func(p *Post) { p.ID = 0 }, "id: missing"},
		{"no topic id", func(p *Post) { p.TopicID = 0 }, "topic_id: missing"},
		{"no username", func(p *Post) { p.Username = " " }, "username: missing"},
		{"no created_at", func(p *Post) { p.CreatedAt = "" }, "created_at: missing"},
		{"bad created_at", func(p *Post) { p.CreatedAt = "2025-03-01 12:00" }, `created_at: "2025-03-01 12:00" is not an RFC 3339 time`},
		{"long bad created_at", func(p *Post) { p.CreatedAt = strings.Repeat("x", 100) }, `created_at: "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"... is not`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := reply()
			tt.post(&p)
			rec, ok, err := Record(p, "", nil)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Record = %+v, %v, %v; want error containing %q", rec, ok, err, tt.want)
			}
			if ok {
				t.Errorf("Record reported an activity with its error")
			}
		})
	}
}

func TestUserRef(t *testing.T) {
	tests := []struct {
		user User
		want cadre.MemberRef
	}{
		{User{ID: 7, Username: "alice", Name: "Alice A.", Email: " Alice@Example.org", Admin: true},
			cadre.MemberRef{Platform: "discourse", Handle: "alice", UserID: "7", Name: "Alice A.", Email: "alice@example.org"}},
		{User{ID: -1, Username: "system"},
			cadre.MemberRef{Platform: "discourse", Handle: "system", UserID: "-1", Bot: true}},
	}
	for _, tt := range tests {
		if got := tt.user.Ref(); got != tt.want {
			t.Errorf("%+v.Ref() = %+v, want %+v", tt.user, got, tt.want)
		}
	}
}
