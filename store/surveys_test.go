package store_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/cadrehq/cadre"
	"github.com/cadrehq/cadre/program"
	"github.com/cadrehq/cadre/store"
	"github.com/cadrehq/cadre/store/storetest"
	"github.com/cadrehq/cadre/survey"
)

// TestSurveys opens a survey with its links, takes answers and a changed
// one, refuses a second survey of the quarter and answers after the close,
// replaces the links of those a reminder writes to, and leaves one answer
// when two arrive at once; on both stores.
func TestSurveys(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		now := time.Date(2026, 2, 10, 9, 0, 0, 0, time.UTC)
		s.Now = func() time.Time { return now }
		var ids []int64
		for _, name := range []string{"Ada", "Bob", "Cy"} {
			m := cadre.Member{Name: name, Emails: []string{name + "@example.org"}}
			if err := s.CreateMember(ctx, &m, nil); err != nil {
				t.Fatal(err)
			}
			ids = append(ids, m.ID)
		}
		q := program.Quarter{Year: 2026, Q: 1}
		sv := &survey.Survey{Quarter: q, OpenedAt: now, ClosesAt: now.Add(survey.DefaultOpen), Actor: "pm"}
		asked := func(m *cadre.Member, sv *survey.Survey, secret string) []cadre.Mail {
			return []cadre.Mail{{Kind: "survey", To: m.Emails[0], Subject: sv.Quarter.String(), Body: secret, Link: secret}}
		}
		links, err := s.OpenSurvey(ctx, sv, ids, asked)
		if err != nil || len(links) != 3 || sv.ID == 0 {
			t.Fatalf("open: %v %v", links, err)
		}
		if _, err := s.OpenSurvey(ctx, &survey.Survey{Quarter: q, OpenedAt: now, ClosesAt: now.Add(time.Hour), Actor: "pm"}, ids, nil); cadre.ErrorCode(err) != cadre.ECONFLICT {
			t.Errorf("a second survey of %s: %v", q, err)
		}
		// Two answers at once through one link: one stands.
		var wg sync.WaitGroup
		for _, score := range []int{3, 9} {
			wg.Go(func() {
				if _, err := s.AnswerSurvey(ctx, links[0].Secret, score, ""); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		answers, err := s.SurveyAnswers(ctx, sv.ID)
		if err != nil || len(answers) != 1 || answers[0].MemberID != ids[0] || answers[0].Score != 3 && answers[0].Score != 9 {
			t.Fatalf("after two answers at once: %+v %v", answers, err)
		}
		if _, err := s.AnswerSurvey(ctx, links[0].Secret, 7, "changed"); err != nil {
			t.Fatal(err)
		}
		if _, member, a, err := s.SurveyBySecret(ctx, links[0].Secret); err != nil || member != ids[0] || a == nil || a.Score != 7 || a.Comment != "changed" {
			t.Errorf("the changed answer: %d %+v %v", member, a, err)
		}
		n, err := s.RemindSurvey(ctx, sv.ID, "pm", asked)
		if err != nil || n != 2 {
			t.Fatalf("remind: %d %v", n, err)
		}
		if _, _, _, err := s.SurveyBySecret(ctx, links[1].Secret); cadre.ErrorCode(err) != cadre.ENOTFOUND {
			t.Errorf("a link a reminder replaced: %v", err)
		}
		box, err := s.Outbox(ctx, true, 10)
		if err != nil || len(box) != 5 {
			t.Fatalf("outbox: %d %v", len(box), err)
		}
		if _, err := s.AnswerSurvey(ctx, box[0].Link, 10, ""); err != nil { // the latest reminder's link works
			t.Errorf("a reminder's link: %v", err)
		}
		invitees, err := s.SurveyInvitees(ctx, sv.ID)
		if err != nil || len(invitees) != 3 {
			t.Fatal(invitees, err)
		}
		answered := 0
		for _, ok := range invitees {
			if ok {
				answered++
			}
		}
		if answered != 2 {
			t.Errorf("%d answered, want 2: %v", answered, invitees)
		}
		now = sv.ClosesAt
		if _, err := s.AnswerSurvey(ctx, links[0].Secret, 1, ""); cadre.ErrorCode(err) != cadre.ECONFLICT {
			t.Errorf("an answer at the close: %v", err)
		}
		if _, err := s.RemindSurvey(ctx, sv.ID, "pm", asked); cadre.ErrorCode(err) != cadre.ECONFLICT {
			t.Errorf("a reminder after the close: %v", err)
		}
	})
}
