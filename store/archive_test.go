package store_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/cadrehq/cadre"
	"github.com/cadrehq/cadre/account"
	"github.com/cadrehq/cadre/archive"
	"github.com/cadrehq/cadre/criteria"
	"github.com/cadrehq/cadre/notify"
	"github.com/cadrehq/cadre/program"
	"github.com/cadrehq/cadre/reward"
	"github.com/cadrehq/cadre/session"
	"github.com/cadrehq/cadre/store"
	"github.com/cadrehq/cadre/store/storetest"
	"github.com/cadrehq/cadre/survey"
)

// backends open an empty store of each kind, for imports from one into the
// other: PostgreSQL skips when it is unreachable.
var backends = []struct {
	name string
	open func(testing.TB) *store.Store
}{
	{"into sqlite", storetest.SQLite},
	{"into postgres", storetest.Postgres},
}

// programHistory is a program with some of everything an archive carries,
// and the secrets of the links it sent.
type programHistory struct {
	invitationSecret, applicationSecret string
	mergeID                             int64
	// surveySecret is Bob's link to the survey, which Carl answered.
	surveySecret string
}

// buildProgram fills s with members, merges, terms, a review, an excusal,
// an invitation, an application with a note, criteria, staff domains,
// activities and a self-report, a survey with answers, a reward with a
// grant and a budget, a feedback session with a voted item and a noted
// commitment, and a webhook.
func buildProgram(t *testing.T, s *store.Store) programHistory {
	t.Helper()
	ctx := context.Background()
	var h programHistory
	roster := "member,since,until,via\ngithub:ada,2024-01-01T00:00:00Z,,\ngithub:bob,2024-01-01T00:00:00Z,,\ngithub:old,2023-01-01T00:00:00Z,2024-01-01T00:00:00Z,\n"
	if _, err := s.ImportRoster(ctx, "roster.csv", rosterRows(t, roster), "pm"); err != nil {
		t.Fatal(err)
	}
	carl, again := cadre.Member{Name: "Carl", Region: "EU", Company: "Acme", Emails: []string{"carl@example.org"}}, cadre.Member{Name: "Carl C."}
	if err := s.CreateMember(ctx, &carl, []cadre.Identity{{Platform: "github", Handle: "Carl", UserID: "77"}}); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateMember(ctx, &again, []cadre.Identity{{Platform: "discourse", Handle: "carl"}}); err != nil {
		t.Fatal(err)
	}
	recs := []cadre.ActivityRecord{
		{Activity: cadre.Activity{Source: "github", ExternalID: "1", Type: "code", OccurredAt: s.Now().AddDate(0, -1, 0)}, Member: cadre.MemberRef{Platform: "github", Handle: "ada"}},
		{Activity: cadre.Activity{Source: "github", ExternalID: "2", Type: "mentoring", OccurredAt: s.Now().AddDate(0, -2, 0), EffortMinutes: 30, HasEffort: true,
			URL: "https://example.org/x", Title: "Pairing", Metrics: map[string]float64{"views": 3}},
			Member: cadre.MemberRef{Platform: "github", Handle: "bob"}, Mentee: cadre.MemberRef{Platform: "github", Handle: "Carl"}},
		{Activity: cadre.Activity{Source: "discourse", ExternalID: "3", Type: "forum", OccurredAt: s.Now().AddDate(0, 0, -3)}, Member: cadre.MemberRef{Platform: "discourse", Handle: "carl"}},
		{Activity: cadre.Activity{Source: "events", ExternalID: "4", Type: "speaking", OccurredAt: s.Now().AddDate(0, 0, -4)}, Member: cadre.MemberRef{Email: "sam@cadre.example", Name: "Sam"}},
	}
	if _, err := s.NewImporter().Import(ctx, recs); err != nil {
		t.Fatal(err)
	}
	var err error
	if h.mergeID, err = s.MergeMembers(ctx, again.ID, carl.ID, "pm", "one person"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Report(ctx, cadre.SelfReport{MemberID: carl.ID, Type: "speaking", Date: s.Now().AddDate(0, 0, -4), Title: "A talk"}, "carl"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SetStaffDomains(ctx, []string{"cadre.example"}, "pm"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SaveCriteria(ctx, criteria.DefaultYAML, "pm"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SaveCriteria(ctx, strings.Replace(criteria.DefaultYAML, "achieve: 60", "achieve: 70", 1), "pm"); err != nil {
		t.Fatal(err)
	}
	bob, _ := s.FindMember(ctx, "github:bob")
	q := program.Quarter{Year: 2024, Q: 2}
	if err := s.Excuse(ctx, q, bob, "parental leave", "pm"); err != nil {
		t.Fatal(err)
	}
	c := criteria.Default()
	if _, err := s.ApplyReview(ctx, q, 1, "pm", func(terms []program.Term, excused map[int64]bool, last *program.Quarter) (*program.Review, error) {
		return program.Preview(q, c, terms, excused, func(int64, time.Time) float64 { return 0 }), nil
	}, nil); err != nil {
		t.Fatal(err)
	}
	if _, h.invitationSecret, err = s.Invite(ctx, carl.ID, "pm", nil); err != nil {
		t.Fatal(err)
	}
	a, err := program.ParseApplication("Dee", "dee@example.org", "github:dee", "I run a meetup.", "https://meetup.example/dee")
	if err != nil {
		t.Fatal(err)
	}
	if h.applicationSecret, err = s.SubmitApplication(ctx, a, nil); err != nil {
		t.Fatal(err)
	}
	if err := s.AddApplicationNote(ctx, a.ID, "rev", "Strong record."); err != nil {
		t.Fatal(err)
	}
	h.surveySecret = buildEngagement(t, s, bob, carl.ID)
	return h
}

// buildEngagement adds a survey that both members are invited to and Carl
// answered, a reward scored and granted to Bob, a session with an item of
// Bob's that Carl voted for and a commitment with a note, and a webhook. It
// returns Bob's survey link.
func buildEngagement(t *testing.T, s *store.Store, bob, carl int64) string {
	t.Helper()
	ctx := context.Background()
	now := s.Now()
	sv := &survey.Survey{Quarter: program.QuarterOf(now, time.UTC), OpenedAt: now, ClosesAt: now.Add(survey.DefaultOpen), Anonymous: true, Actor: "pm"}
	links, err := s.OpenSurvey(ctx, sv, []int64{bob, carl}, nil)
	if err != nil || len(links) != 2 {
		t.Fatalf("open survey: %v, %v", links, err)
	}
	var bobLink string
	for _, l := range links {
		if l.MemberID == bob {
			bobLink = l.Secret
		} else if _, err := s.AnswerSurvey(ctx, l.Secret, 9, "Great program"); err != nil {
			t.Fatal(err)
		}
	}
	pain := reward.PainPoint{Name: "Travel costs", Weight: 2}
	if err := s.SavePainPoint(ctx, &pain, "pm"); err != nil {
		t.Fatal(err)
	}
	three := 3
	pass := reward.Reward{Name: "Conference pass", Kind: reward.Extrinsic, Cost: 400, Stock: &three}
	if err := s.SaveReward(ctx, &pass, "pm"); err != nil {
		t.Fatal(err)
	}
	m, err := s.RewardMatrix(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Rows) != 1 || len(m.PainPoints) != 1 {
		t.Fatalf("the matrix: %+v", m)
	}
	m.Rows[0].Scores = []int{8}
	if err := s.SetRewardMatrix(ctx, m, "pm"); err != nil {
		t.Fatal(err)
	}
	q := program.QuarterOf(now, time.UTC)
	if err := s.SetRewardBudget(ctx, q, 1000, "pm"); err != nil {
		t.Fatal(err)
	}
	g := &reward.Grant{RewardID: pass.ID, MemberID: bob, Quarter: q.String(), At: now, Note: "for the talk", Actor: "pm"}
	if err := s.GrantReward(ctx, g, func(*reward.Reward, *cadre.Member) error { return nil }); err != nil {
		t.Fatal(err)
	}
	ss := &session.Session{Title: "Q2 with the executives", At: now.AddDate(0, 0, 10), Ambassadors: []int64{bob, carl}, Executives: []string{"Jane (CEO)"}, Actor: "pm"}
	if err := s.CreateFeedbackSession(ctx, ss); err != nil {
		t.Fatal(err)
	}
	it := &session.Item{SessionID: ss.ID, Kind: session.Critique, Title: "The docs lag the releases", Body: "By weeks.", AuthorID: bob}
	if err := s.SubmitItem(ctx, it, "amb"); err != nil {
		t.Fatal(err)
	}
	if err := s.Vote(ctx, it.ID, carl, "amb"); err != nil {
		t.Fatal(err)
	}
	s.Now = func() time.Time { return now.AddDate(0, 0, 11) }
	c := &session.Commitment{ItemID: it.ID, Owner: "cto@example.org", Due: session.DueOn(now.AddDate(0, 1, 0), time.UTC), Actor: "pm"}
	if err := s.Commit(ctx, c); err != nil {
		t.Fatal(err)
	}
	if _, err := s.NoteCommitment(ctx, c.ID, "Docs sprint planned.", "cto"); err != nil {
		t.Fatal(err)
	}
	s.Now = func() time.Time { return now }
	if err := s.CreateWebhook(ctx, &notify.Webhook{URL: "https://hooks.example/cadre", Kind: "json", Secret: "a-secret-of-32-characters-xxxxxx", Events: []string{"survey.closed"}, Actor: "pm"}); err != nil {
		t.Fatal(err)
	}
	return bobLink
}

// exportProgram writes s's program into a new archive and reads it back.
func exportProgram(t *testing.T, s *store.Store) *archive.Archive {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "archive")
	w, err := archive.Create(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Abort()
	p, err := s.ExportProgram(context.Background(), w.Activity)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Finish(p, archive.Manifest{ExportedAt: s.Now()}); err != nil {
		t.Fatal(err)
	}
	a, err := archive.Read(dir)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// importProgram imports the archive a into s.
func importProgram(t *testing.T, s *store.Store, a *archive.Archive) (archive.Counts, error) {
	t.Helper()
	acts, err := a.Activities()
	if err != nil {
		t.Fatal(err)
	}
	defer acts.Close()
	return s.ImportProgram(context.Background(), &a.Program, acts, "mover")
}

// programOf reads the program of s as an export does, but for the audit
// log, whose IDs an import renews and to which it adds its own entry.
func programOf(t *testing.T, s *store.Store) (*archive.Program, []cadre.ActivityRecord) {
	t.Helper()
	var acts []cadre.ActivityRecord
	p, err := s.ExportProgram(context.Background(), func(r *cadre.ActivityRecord) error {
		acts = append(acts, *r)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for i := range p.Audit {
		p.Audit[i].ID = 0
	}
	return p, acts
}

// TestExportImportProgram moves a program from each backend into each, and
// reads back everything it had; its links, its merge and its IDs go on
// working after the move.
func TestExportImportProgram(t *testing.T) {
	storetest.Each(t, func(t *testing.T, src *store.Store) {
		now := time.Date(2025, 5, 1, 0, 0, 0, 0, time.UTC)
		src.Now = func() time.Time { return now }
		h := buildProgram(t, src)
		a := exportProgram(t, src)
		want, wantActs := programOf(t, src)
		for _, b := range backends {
			t.Run(b.name, func(t *testing.T) {
				ctx := context.Background()
				dst := b.open(t)
				dst.Now = src.Now
				// Accounts are not part of a program: one may be made first.
				if err := dst.CreateUser(ctx, &account.User{Email: "admin@example.org", Role: account.Admin}, "setup"); err != nil {
					t.Fatal(err)
				}
				counts, err := importProgram(t, dst, a)
				if err != nil {
					t.Fatal(err)
				}
				if wantCounts := a.Manifest.Counts; counts != wantCounts {
					t.Errorf("imported %+v, want %+v", counts, wantCounts)
				}
				got, gotActs := programOf(t, dst)
				last := got.Audit[len(got.Audit)-1]
				if last.Action != "program.import" || last.Actor != "mover" || !strings.Contains(last.Detail, "6 members, 5 activities") {
					t.Errorf("the import's audit entry: %+v", last)
				}
				if first := got.Audit[0]; first.Action != "user.add" {
					t.Errorf("the audit log starts with %+v, want the account made before the import", first)
				}
				got.Audit = got.Audit[1 : len(got.Audit)-1]
				if !reflect.DeepEqual(got, want) {
					g, _ := json.MarshalIndent(got, "", " ")
					w, _ := json.MarshalIndent(want, "", " ")
					t.Errorf("imported program\n%s\nwant\n%s", g, w)
				}
				if !reflect.DeepEqual(gotActs, wantActs) {
					t.Errorf("imported activities\n%+v\nwant\n%+v", gotActs, wantActs)
				}

				// The links sent before the move still work.
				if _, err := dst.ApplicationBySecret(ctx, h.applicationSecret); err != nil {
					t.Errorf("the applicant's link after the move: %v", err)
				}
				inv, err := dst.AnswerInvitation(ctx, h.invitationSecret, true)
				if err != nil {
					t.Fatalf("accepting the invitation after the move: %v", err)
				}
				if m, _ := dst.Member(ctx, inv.MemberID); m.Status != cadre.StatusAmbassador {
					t.Errorf("the invitee is %s after accepting", m.Status)
				}
				// The survey link sent before the move still works.
				if _, err := dst.AnswerSurvey(ctx, h.surveySecret, 6, ""); err != nil {
					t.Errorf("answering the survey after the move: %v", err)
				}
				// The merge is undone as it would have been before.
				if err := dst.UnmergeMembers(ctx, h.mergeID, "pm", "two people"); err != nil {
					t.Fatalf("unmerge after the move: %v", err)
				}
				again, err := dst.FindMember(ctx, "discourse:carl")
				if err != nil {
					t.Fatal(err)
				}
				if acts, n, err := dst.Activities(ctx, cadre.ActivityFilter{MemberID: again}); err != nil || n != 1 || acts[0].ExternalID != "3" {
					t.Errorf("the unmerged member's activities: %+v, %v", acts, err)
				}
				// New rows get new IDs.
				m := cadre.Member{Name: "New"}
				if err := dst.CreateMember(ctx, &m, []cadre.Identity{{Platform: "github", Handle: "new"}}); err != nil {
					t.Fatalf("a member after the import: %v", err)
				}
				if max := want.Members[len(want.Members)-1].ID; m.ID <= max {
					t.Errorf("a new member got ID %d, not after the imported %d", m.ID, max)
				}
				w := notify.Webhook{URL: "https://hooks.example/new", Kind: "slack", Actor: "pm"}
				if err := dst.CreateWebhook(ctx, &w); err != nil || w.ID <= want.Webhooks[0].ID {
					t.Errorf("a webhook after the import: ID %d, %v", w.ID, err)
				}
				if got := a.Manifest.Counts; got.Surveys != 1 || got.SurveyAnswers != 1 || got.RewardGrants != 1 || got.Commitments != 1 || got.CommitmentNotes < 1 || got.Webhooks != 1 {
					t.Errorf("the manifest counts %+v", got)
				}

				_, err = importProgram(t, dst, a)
				if cadre.ErrorCode(err) != cadre.ECONFLICT || !strings.Contains(err.Error(), "the database holds 7 members, 5 activities, 4 terms") {
					t.Errorf("a second import: %v", err)
				}
			})
		}
	})
}

// failingActivities yields the activities of an archive, then fails.
type failingActivities struct{ store.ArchivedActivities }

func (f failingActivities) Next() (cadre.ActivityRecord, error) {
	rec, err := f.ArchivedActivities.Next()
	if errors.Is(err, io.EOF) {
		return rec, errors.New("disk on fire")
	}
	return rec, err
}

// TestImportProgramAllOrNothing fails imports at their end, for a duplicate
// activity and for a read error: the database stays empty.
func TestImportProgramAllOrNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		src := storetest.SQLite(t)
		buildProgram(t, src)
		good := exportProgram(t, src)

		// Two activities with one source and external_id, which the store
		// finds as it writes them.
		dir := filepath.Join(t.TempDir(), "dup")
		w, err := archive.Create(dir)
		if err != nil {
			t.Fatal(err)
		}
		var p *archive.Program
		var last cadre.ActivityRecord
		if p, err = src.ExportProgram(ctx, func(r *cadre.ActivityRecord) error {
			last = *r
			return w.Activity(r)
		}); err != nil {
			t.Fatal(err)
		}
		last.ID += 10
		if err := w.Activity(&last); err != nil {
			t.Fatal(err)
		}
		if _, err := w.Finish(p, archive.Manifest{}); err != nil {
			t.Fatal(err)
		}
		dup, err := archive.Read(dir)
		if err != nil {
			t.Fatal(err)
		}

		_, err = importProgram(t, s, dup)
		if cadre.ErrorCode(err) != cadre.EINVALID || !strings.Contains(err.Error(), "activities.jsonl:6: activity self-report/") {
			t.Errorf("a duplicate activity: %v", err)
		}
		acts, err := good.Activities()
		if err != nil {
			t.Fatal(err)
		}
		defer acts.Close()
		if _, err := s.ImportProgram(ctx, &good.Program, failingActivities{acts}, "mover"); err == nil || !strings.Contains(err.Error(), "disk on fire") {
			t.Errorf("a failing read: %v", err)
		}
		if _, total, err := s.Members(ctx, cadre.MemberFilter{}); err != nil || total != 0 {
			t.Errorf("%d members after failed imports, %v", total, err)
		}
		if log, err := s.AuditLog(ctx, "", 0); err != nil || len(log) != 0 {
			t.Errorf("audit log after failed imports: %+v, %v", log, err)
		}
		// Nothing was left behind to stop a good import.
		if _, err := importProgram(t, s, good); err != nil {
			t.Fatal(err)
		}
	})
}
