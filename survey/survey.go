// Package survey holds the rules of the Ambassador NPS survey (SPEC 6): a
// survey per quarter asks each ambassador of the quarter how likely they
// are to recommend that others invest the effort to achieve ambassador
// status, 0 to 10, through a personal link; one answer each, changeable
// until the survey closes. It is pure: the store keeps surveys and
// answers, and the clock is passed in.
package survey

import (
	"time"
	"unicode/utf8"

	"github.com/cadrehq/cadre"
	"github.com/cadrehq/cadre/program"
)

// Question is what the survey asks (SPEC 6).
const Question = "How likely are you to recommend that others invest the effort to achieve ambassador status?"

// DefaultOpen is how long a survey stays open when no closing date is
// given.
const DefaultOpen = 14 * 24 * time.Hour

// maxComment bounds an answer's comment.
const maxComment = 2000

// Survey asks the ambassadors of a quarter.
type Survey struct {
	ID        int64
	Quarter   program.Quarter
	OpenedAt  time.Time
	ClosesAt  time.Time
	Anonymous bool // comments are shown without names
	Actor     string
}

// OpenAt says whether answers are taken at now.
func (s *Survey) OpenAt(now time.Time) bool { return now.Before(s.ClosesAt) }

// CheckOpen says whether a survey of quarter q may be opened at now,
// closing at closes: not for a quarter that has not begun, and closing
// after now.
func CheckOpen(q program.Quarter, loc *time.Location, now, closes time.Time) error {
	if now.Before(q.Start(loc)) {
		return cadre.Errorf(cadre.EINVALID, "%s has not begun: its ambassadors are not known yet", q)
	}
	if !closes.After(now) {
		return cadre.Errorf(cadre.EINVALID, "the survey must close after it opens, not %s", closes.Format(time.DateOnly))
	}
	return nil
}

// Link is an invitee's personal link to a survey: the secret, which only
// its hash is kept of.
type Link struct {
	MemberID int64
	Secret   string
}

// Answer is an ambassador's answer.
type Answer struct {
	SurveyID int64
	MemberID int64
	Score    int // 0 to 10
	Comment  string
	At       time.Time
}

// CheckAnswer says whether score and comment make an answer.
func CheckAnswer(score int, comment string) error {
	switch {
	case score < 0 || score > 10:
		return cadre.Errorf(cadre.EINVALID, "score must be a whole number from 0 to 10, got %d", score)
	case !utf8.ValidString(comment):
		return cadre.Errorf(cadre.EINVALID, "comment is not valid text")
	case utf8.RuneCountInString(comment) > maxComment:
		return cadre.Errorf(cadre.EINVALID, "comment must be at most %d characters", maxComment)
	}
	return nil
}

// Results are a survey's figures (SPEC 6): promoters answer 9-10,
// detractors 0-6; NPS = 100 × (promoters − detractors) / responses, nil
// with no response; the response rate is responses / invited, nil when
// nobody was invited.
type Results struct {
	Score                           *float64
	Responses, Invited              int
	ResponseRate                    *float64
	Promoters, Passives, Detractors int
}

// Measure computes the results of answers from invited ambassadors.
func Measure(invited int, answers []Answer) Results {
	r := Results{Responses: len(answers), Invited: invited}
	for _, a := range answers {
		switch {
		case a.Score >= 9:
			r.Promoters++
		case a.Score >= 7:
			r.Passives++
		default:
			r.Detractors++
		}
	}
	if r.Responses > 0 {
		nps := 100 * float64(r.Promoters-r.Detractors) / float64(r.Responses)
		r.Score = &nps
	}
	if invited > 0 {
		rate := float64(r.Responses) / float64(invited)
		r.ResponseRate = &rate
	}
	return r
}

// ByOutcome splits answers by the outcome their ambassador had at a
// review (renewed or lapsed, say), so that the NPS of those who later
// renewed can be set against those who lapsed. Answers of members with no
// outcome are left out.
func ByOutcome(answers []Answer, outcome map[int64]program.Outcome) map[program.Outcome][]Answer {
	out := map[program.Outcome][]Answer{}
	for _, a := range answers {
		if o, ok := outcome[a.MemberID]; ok {
			out[o] = append(out[o], a)
		}
	}
	return out
}
