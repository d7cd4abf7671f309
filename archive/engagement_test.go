package archive_test

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/cadrehq/cadre"
	"github.com/cadrehq/cadre/archive"
)

// withEngagement is the sample program with a survey, a reward, a session
// and a webhook.
func withEngagement() *archive.Program {
	p, _ := sample()
	p.Surveys = []archive.Survey{{ID: 1, Quarter: "2025Q1", OpenedAt: t0, ClosesAt: t0.AddDate(0, 0, 14), Actor: "admin",
		Invitees: []archive.SurveyInvitee{{Member: 3, Hash: "s1"}, {Member: 8, Hash: "s2", RemindedAt: t0.AddDate(0, 0, 7)}},
		Answers:  []archive.SurveyAnswer{{Member: 3, Score: 9, Comment: "good", At: t0}}}}
	p.PainPoints = []archive.PainPoint{{ID: 1, Name: "Travel", Weight: 2}}
	p.Rewards = []archive.Reward{{ID: 1, Name: "Pass", Kind: "extrinsic", Cost: 400, UpdatedAt: t0, Scores: []archive.RewardScore{{PainPoint: 1, Score: 8}}}}
	p.Grants = []archive.RewardGrant{{ID: 1, Reward: 1, Member: 3, Quarter: "2025Q1", Cost: 400, State: "sent", GrantedAt: t0, UpdatedAt: t0, Actor: "admin"}}
	p.Budgets = []archive.RewardBudget{{Quarter: "2025Q1", Amount: 1000, UpdatedAt: t0, Actor: "admin"}}
	p.Sessions = []archive.Session{{ID: 1, Title: "Q1", At: t0, CreatedAt: t0, Actor: "admin", Ambassadors: []string{"3"}, Executives: []string{"CEO"},
		Items: []archive.FeedbackItem{{ID: 1, Kind: "critique", Title: "Docs", Author: 3, CreatedAt: t0, Votes: []archive.FeedbackVote{{Member: 3, At: t0}}}},
		Commitments: []archive.Commitment{{ID: 1, Item: 1, Title: "Docs", Owner: "cto", DueAt: t0.AddDate(0, 1, 0), Status: "open", CreatedAt: t0, Actor: "admin",
			Notes: []archive.CommitmentNote{{ID: 1, At: t0, Author: "cto", Text: "planned"}}}}}}
	p.Webhooks = []archive.Webhook{{ID: 1, URL: "https://hooks.example", Kind: "json", Secret: "s", CreatedAt: t0, Actor: "admin"}}
	return p
}

// TestArchiveEngagement writes and reads back the engagement, and finds
// each kind of error in its files, named by file and line.
func TestArchiveEngagement(t *testing.T) {
	_, acts := sample()
	p := withEngagement()
	a, err := archive.Read(write(t, p, acts))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := a.Program, *p; !reflect.DeepEqual(got.Surveys, want.Surveys) || !reflect.DeepEqual(got.Rewards, want.Rewards) ||
		!reflect.DeepEqual(got.Grants, want.Grants) || !reflect.DeepEqual(got.Budgets, want.Budgets) ||
		!reflect.DeepEqual(got.Sessions, want.Sessions) || !reflect.DeepEqual(got.Webhooks, want.Webhooks) {
		t.Errorf("read\n%+v\nwant\n%+v", got, want)
	}
	if c := a.Manifest.Counts; c.Surveys != 1 || c.SurveyInvitees != 2 || c.SurveyAnswers != 1 || c.RewardScores != 1 || c.FeedbackVotes != 1 || c.CommitmentNotes != 1 || c.Webhooks != 1 {
		t.Errorf("counts %+v", c)
	}
	tests := []struct {
		name, file string
		old, new   string
		want       string
	}{
		{"answer of nobody", archive.SurveysFile, `{"member":"3","score":9`, `{"member":"5","score":9`, "surveys.jsonl:1: answers[0].member: member 5 is not in members.jsonl"},
		{"score out of range", archive.SurveysFile, `"score":9`, `"score":11`, "surveys.jsonl:1: answers[0].score: 11 is not from 0 to 10"},
		{"shared survey link", archive.SurveysFile, `"hash":"s2"`, `"hash":"s1"`, "surveys.jsonl:1: invitees[1].hash: another invitee has the same"},
		{"a number for an id", archive.SurveysFile, `"id":"1"`, `"id":1`, `surveys.jsonl:1: an id is not a string of a whole number such as "12"`},
		{"score of no pain point", archive.RewardsFile, `"pain_point":"1"`, `"pain_point":"2"`, "rewards.jsonl:1: scores[0].pain_point: pain point 2 is not in pain_points.jsonl"},
		{"grant of no reward", archive.GrantsFile, `"reward":"1"`, `"reward":"9"`, "reward_grants.jsonl:1: reward: reward 9 is not in rewards.jsonl"},
		{"commitment of another item", archive.SessionsFile, `"item":"1"`, `"item":"2"`, "sessions.jsonl:1: commitments[0].item: item 2 is not one of the session's"},
		{"bad webhook kind", archive.WebhooksFile, `"kind":"json"`, `"kind":"xml"`, `webhooks.jsonl:1: kind: "xml" is not one of json, slack`},
		{"votes cut", archive.ManifestFile, `"feedback_votes": 1`, `"feedback_votes": 2`, "1 feedback votes, but manifest.json counts 2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := write(t, withEngagement(), acts)
			path := filepath.Join(dir, tt.file)
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(b), tt.old) {
				t.Fatalf("%s does not hold %s: %s", tt.file, tt.old, b)
			}
			if err := os.WriteFile(path, []byte(strings.Replace(string(b), tt.old, tt.new, 1)), 0o600); err != nil {
				t.Fatal(err)
			}
			_, err = archive.Read(dir)
			if cadre.ErrorCode(err) != cadre.EINVALID || !strings.Contains(cadre.ErrorMessage(err), tt.want) {
				t.Errorf("got %v, want an EINVALID error with %q", err, tt.want)
			}
		})
	}
}

// TestArchiveSessionIDs reads sessions whose items, commitments and notes
// were made interleaved, as two sessions open at once make them: a later
// session's IDs may be lower, a commitment's notes lower than another's,
// but an ID in two places is an error.
func TestArchiveSessionIDs(t *testing.T) {
	_, acts := sample()
	session := func(id, item, commitment int64, notes ...int64) archive.Session {
		s := archive.Session{ID: id, Title: "Q1", At: t0, CreatedAt: t0, Actor: "admin",
			Items:       []archive.FeedbackItem{{ID: item, Kind: "critique", Title: "Docs", Author: 3, CreatedAt: t0}},
			Commitments: []archive.Commitment{{ID: commitment, Item: item, Title: "Docs", Owner: "cto", DueAt: t0, Status: "open", CreatedAt: t0, Actor: "admin"}}}
		for _, n := range notes {
			s.Commitments[0].Notes = append(s.Commitments[0].Notes, archive.CommitmentNote{ID: n, At: t0, Author: "cto", Text: "on it"})
		}
		return s
	}
	tests := []struct {
		name     string
		sessions []archive.Session
		want     string // in the error; "" reads
	}{
		{"interleaved", []archive.Session{session(1, 4, 7, 3, 9), session(2, 2, 5, 2, 4)}, ""},
		{"notes out of order", []archive.Session{session(1, 4, 7, 9, 3)}, "sessions.jsonl:1: commitments[0].notes[1].id: 3 comes after 9"},
		{"item twice", []archive.Session{session(1, 4, 7), session(2, 4, 8)}, "sessions.jsonl:2: items[0].id: item 4 is in another session already"},
		{"commitment twice", []archive.Session{session(1, 4, 7), session(2, 5, 7)}, "sessions.jsonl:2: commitments[0].id: commitment 7 is in another session already"},
		{"note twice", []archive.Session{session(1, 4, 7, 3), session(2, 5, 8, 3)}, "sessions.jsonl:2: commitments[0].notes[0].id: note 3 is in another commitment already"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := withEngagement()
			p.Sessions = tt.sessions
			a, err := archive.Read(write(t, p, acts))
			switch {
			case tt.want == "" && err != nil:
				t.Fatal(err)
			case tt.want == "" && !reflect.DeepEqual(a.Program.Sessions, tt.sessions):
				t.Errorf("read\n%+v\nwant\n%+v", a.Program.Sessions, tt.sessions)
			case tt.want != "" && (cadre.ErrorCode(err) != cadre.EINVALID || !strings.Contains(cadre.ErrorMessage(err), tt.want)):
				t.Errorf("got %v, want an EINVALID error with %q", err, tt.want)
			}
		})
	}
}
