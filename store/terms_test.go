package store_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cadrehq/cadre"
	"github.com/cadrehq/cadre/criteria"
	"github.com/cadrehq/cadre/program"
	"github.com/cadrehq/cadre/store"
	"github.com/cadrehq/cadre/store/storetest"
)

func rosterRows(t *testing.T, text string) []program.RosterRow {
	t.Helper()
	rows, bad, err := program.ReadRoster(strings.NewReader(text), "roster.csv")
	if err != nil || len(bad) > 0 {
		t.Fatal(err, bad)
	}
	return rows
}

func TestTerms(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		s.Now = func() time.Time { return time.Date(2025, 5, 1, 0, 0, 0, 0, time.UTC) }
		roster := "member,since,until,via\n" +
			"github:ada,2024-01-01T00:00:00Z,,\n" +
			"bob@example.org,2023-01-01T00:00:00Z,2024-01-01T00:00:00Z,invitation\n"
		// A preview says what the import will do and leaves nothing behind.
		pre, err := s.PreviewRoster(ctx, "roster.csv", rosterRows(t, roster))
		if err != nil || pre.Added != 2 || pre.MembersCreated != 2 || len(pre.Rows) != 2 || !pre.Rows[1].Created || pre.Rows[1].MemberID != 0 || pre.Rows[1].Line != 3 {
			t.Fatalf("preview: %+v, %v", pre, err)
		}
		if _, err := s.FindMember(ctx, "github:ada"); cadre.ErrorCode(err) != cadre.ENOTFOUND {
			t.Fatalf("a preview created member ada: %v", err)
		}
		res, err := s.ImportRoster(ctx, "roster.csv", rosterRows(t, roster), "pm")
		if err != nil || res.Added != 2 || res.MembersCreated != 2 {
			t.Fatalf("first import: %+v, %v", res, err)
		}
		if res, err := s.ImportRoster(ctx, "roster.csv", rosterRows(t, roster), "pm"); err != nil || res.Added != 0 || res.Unchanged != 2 {
			t.Fatalf("the same roster again: %+v, %v", res, err)
		}
		ada, _ := s.FindMember(ctx, "github:ada")
		bob, _ := s.FindMember(ctx, "bob@example.org")
		for id, want := range map[int64]cadre.MemberStatus{ada: cadre.StatusAmbassador, bob: cadre.StatusAlumni} {
			if m, err := s.Member(ctx, id); err != nil || m.Status != want {
				t.Errorf("member %d: %v, %v; want %s", id, m, err, want)
			}
		}
		// A bad row fails the whole import, named by its line: the good row
		// before it is not stored either.
		bad := "member,since,until,via\ngithub:cy,2024-01-01T00:00:00Z,,\ngithub:ada,2024-06-01T00:00:00Z,,\n"
		if _, err := s.ImportRoster(ctx, "more.csv", rosterRows(t, bad), "pm"); err == nil || !strings.Contains(err.Error(), "more.csv:3") || !strings.Contains(err.Error(), "overlaps") {
			t.Errorf("an overlapping row: %v", err)
		}
		if _, err := s.PreviewRoster(ctx, "more.csv", rosterRows(t, bad)); err == nil || !strings.Contains(err.Error(), "more.csv:3") {
			t.Errorf("a preview of an overlapping row: %v", err)
		}
		if _, err := s.FindMember(ctx, "github:cy"); cadre.ErrorCode(err) != cadre.ENOTFOUND {
			t.Errorf("a failed roster import left member cy behind: %v", err)
		}
		staff := cadre.Member{Name: "Sam", Staff: true}
		if err := s.CreateMember(ctx, &staff, nil); err != nil {
			t.Fatal(err)
		}
		if err := s.StartTerm(ctx, &program.Term{MemberID: staff.ID, Start: s.Now(), Via: program.ViaInvitation, Reason: "hired"}, "pm"); err == nil || !strings.Contains(err.Error(), "staff") {
			t.Errorf("a term for staff: %v", err)
		}
		terms, err := s.Terms(ctx, ada)
		if err != nil || len(terms) != 1 {
			t.Fatal(terms, err)
		}
		if err := s.EndTerm(ctx, terms[0].ID, s.Now(), program.EndResigned, "moved on", "pm"); err != nil {
			t.Fatal(err)
		}
		if err := s.EndTerm(ctx, terms[0].ID, s.Now(), program.EndResigned, "twice", "pm"); cadre.ErrorCode(err) != cadre.ECONFLICT {
			t.Errorf("ending a term twice: %v", err)
		}
		if m, _ := s.Member(ctx, ada); m.Status != cadre.StatusAlumni {
			t.Errorf("after resigning Ada is %s", m.Status)
		}
	})
}

// TestApplyReviewOnce applies one quarter from two goroutines at once: one
// apply lands, the other is refused, and the terms end once.
func TestApplyReviewOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		roster := "member,since,until,via\ngithub:ada,2024-01-01T00:00:00Z,,\ngithub:bob,2024-01-01T00:00:00Z,,\n"
		if _, err := s.ImportRoster(ctx, "roster.csv", rosterRows(t, roster), "pm"); err != nil {
			t.Fatal(err)
		}
		bob, _ := s.FindMember(ctx, "github:bob")
		q := program.Quarter{Year: 2024, Q: 2}
		if err := s.Excuse(ctx, q, bob, "parental leave", "pm"); err != nil {
			t.Fatal(err)
		}
		c := criteria.Default()
		review := func(terms []program.Term, excused map[int64]bool, last *program.Quarter) (*program.Review, error) {
			if err := program.CheckApply(q, time.Now(), c.Location(), last); err != nil {
				return nil, err
			}
			return program.Preview(q, c, terms, excused, func(int64, time.Time) float64 { return 0 }), nil
		}
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i := range errs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = s.ApplyReview(ctx, q, 0, "pm", review, nil)
			}()
		}
		wg.Wait()
		if (errs[0] == nil) == (errs[1] == nil) {
			t.Fatalf("two applies of one quarter: %v and %v, want one refused", errs[0], errs[1])
		}
		ar, err := s.Review(ctx, q)
		if err != nil || ar.Review.Lapsed != 1 || ar.Review.Excused != 1 {
			t.Fatalf("stored review %+v, %v; want Ada lapsed, Bob excused", ar, err)
		}
		if err := s.Excuse(ctx, q, bob, "late", "pm"); cadre.ErrorCode(err) != cadre.ECONFLICT {
			t.Errorf("excusing after the apply: %v", err)
		}
		ada, _ := s.FindMember(ctx, "github:ada")
		terms, _ := s.Terms(ctx, ada)
		if len(terms) != 1 || !terms[0].End.Equal(q.End(time.UTC)) || terms[0].EndedBy != program.EndReview {
			t.Errorf("Ada's term after the review: %+v", terms)
		}
		earlier := program.Quarter{Year: 2024, Q: 1}
		if _, err := s.ApplyReview(ctx, earlier, 0, "pm", func(terms []program.Term, excused map[int64]bool, last *program.Quarter) (*program.Review, error) {
			if err := program.CheckApply(earlier, time.Now(), c.Location(), last); err != nil {
				return nil, err
			}
			return program.Preview(earlier, c, terms, excused, func(int64, time.Time) float64 { return 0 }), nil
		}, nil); cadre.ErrorCode(err) != cadre.ECONFLICT {
			t.Errorf("applying a quarter before one applied: %v", err)
		}
	})
}
