package discourse

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/cadrehq/cadre"
)

// topicJSON is a topic as /t/{id}.json serializes it at its top level, and as
// /latest.json lists it in topic_list.topics.
type topicJSON struct {
	ID         int64  `json:"id"`
	Title      string `json:"title"`
	Slug       string `json:"slug"`
	Views      int64  `json:"views"`
	PostsCount int64  `json:"posts_count"`
	ReplyCount int64  `json:"reply_count"`
	CreatedAt  string `json:"created_at"`
	UserID     *int64 `json:"user_id"`
	// HasAcceptedAnswer is how topic lists say a topic is solved.
	HasAcceptedAnswer bool `json:"has_accepted_answer"`
	// AcceptedAnswer is the discourse-solved plugin's single answer, and
	// AcceptedAnswers its list in versions that allow several.
	AcceptedAnswer *struct {
		PostNumber int `json:"post_number"`
	} `json:"accepted_answer"`
	AcceptedAnswers []struct {
		ID         int64 `json:"id"`
		PostNumber int   `json:"post_number"`
	} `json:"accepted_answers"`
	Details struct {
		CreatedBy *userJSON `json:"created_by"`
	} `json:"details"`
	Posters []struct {
		UserID      int64  `json:"user_id"`
		Description string `json:"description"`
	} `json:"posters"`
}

// userJSON is a user as topics and topic lists name one.
type userJSON struct {
	ID       *int64 `json:"id"`
	Username string `json:"username"`
	Name     string `json:"name"`
}

// latestJSON is a /latest.json page.
type latestJSON struct {
	Users     []userJSON `json:"users"`
	TopicList struct {
		Topics []topicJSON `json:"topics"`
	} `json:"topic_list"`
}

// usersByID indexes the users of a topic list, which names posters by id.
func usersByID(users []userJSON) map[int64]userJSON {
	m := make(map[int64]userJSON, len(users))
	for _, u := range users {
		if u.ID != nil {
			m[*u.ID] = u
		}
	}
	return m
}

// topic converts a topic as decoded. users names the posters of a topic
// list; first is the topic's first post when the response holds it, which
// names its author best.
func (j *topicJSON) topic(base string, users map[int64]userJSON, first *Post) (Topic, error) {
	if j.ID <= 0 {
		return Topic{}, errors.New("id: missing")
	}
	t := Topic{
		ID:         j.ID,
		Title:      j.Title,
		Slug:       j.Slug,
		URL:        topicURL(base, j.Slug, j.ID, 0),
		Views:      j.Views,
		PostsCount: j.PostsCount,
		ReplyCount: j.ReplyCount,
		Solved:     j.HasAcceptedAnswer,
	}
	if j.CreatedAt != "" {
		at, err := parseTime(j.CreatedAt)
		if err != nil {
			return Topic{}, fmt.Errorf("created_at: %w", err)
		}
		t.CreatedAt = at
	}
	t.Author = j.author(users, first)
	if a := j.AcceptedAnswer; a != nil && a.PostNumber > 0 {
		t.Answers = append(t.Answers, Answer{PostNumber: a.PostNumber})
	}
	for _, a := range j.AcceptedAnswers {
		if a.ID > 0 || a.PostNumber > 0 {
			t.Answers = append(t.Answers, Answer{PostID: a.ID, PostNumber: a.PostNumber})
		}
	}
	t.Solved = t.Solved || len(t.Answers) > 0
	return t, nil
}

func (j *topicJSON) author(users map[int64]userJSON, first *Post) cadre.MemberRef {
	if first != nil {
		return memberRef(first.UserID, first.Username, first.Name)
	}
	if c := j.Details.CreatedBy; c != nil {
		return memberRef(c.ID, c.Username, c.Name)
	}
	for _, p := range j.Posters {
		if strings.Contains(p.Description, "Original Poster") {
			u := users[p.UserID]
			return memberRef(&p.UserID, u.Username, u.Name)
		}
	}
	if j.UserID != nil {
		return memberRef(j.UserID, "", "")
	}
	return cadre.MemberRef{}
}

// completeAnswers fills in what the posts of a topic say about its answers:
// the ids of answers known by number, and answers that only the posts mark.
func (t *Topic) completeAnswers(posts []Post) {
	for i := range posts {
		p := &posts[i]
		if p.ID <= 0 || p.TopicID != 0 && p.TopicID != t.ID {
			continue
		}
		known := false
		for k := range t.Answers {
			a := &t.Answers[k]
			if a.PostNumber == p.PostNumber && a.PostID == 0 {
				a.PostID = p.ID
			}
			if a.PostID == p.ID {
				known = true
				if a.PostNumber == 0 {
					a.PostNumber = p.PostNumber
				}
			}
		}
		if p.AcceptedAnswer && !known {
			t.Answers = append(t.Answers, Answer{PostID: p.ID, PostNumber: p.PostNumber})
		}
	}
	t.Solved = t.Solved || len(t.Answers) > 0
}

// User is a Discourse account as /users/{username}.json describes it.
type User struct {
	ID       int64  `json:"id"`
	Username string `json:"username"`
	Name     string `json:"name"`
	// Email is present only when the API user may see it.
	Email      string    `json:"email"`
	Admin      bool      `json:"admin"`
	Moderator  bool      `json:"moderator"`
	TrustLevel int       `json:"trust_level"`
	CreatedAt  time.Time `json:"created_at"`
}

// Ref returns the member reference of the account, as Record names authors.
func (u User) Ref() cadre.MemberRef {
	ref := memberRef(&u.ID, u.Username, u.Name)
	ref.Email = strings.ToLower(strings.TrimSpace(u.Email))
	return ref
}
