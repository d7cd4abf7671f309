package main

import (
	"context"
	"encoding/json"
	"os"
	"path"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cadrehq/cadre"
	"github.com/cadrehq/cadre/program"
	"github.com/cadrehq/cadre/store"
)

// TestSurveyCommands opens the quarter's survey for its three ambassadors,
// answers through the links open --json prints, changes an answer, and
// reads the results and the health's NPS, computed here from the answers;
// on both stores.
func TestSurveyCommands(t *testing.T) {
	for name, db := range databases(t) {
		t.Run(name, func(t *testing.T) {
			q := program.QuarterOf(time.Now(), time.UTC)
			roster := filepath.Join(t.TempDir(), "roster.csv")
			if err := os.WriteFile(roster, []byte("member,since,until,via\ngithub:ada,2024-01-01T00:00:00Z,,\ngithub:bob,2024-01-01T00:00:00Z,,\nsam@example.org,2024-02-01T00:00:00Z,,\ngithub:old,2020-01-01T00:00:00Z,2021-01-01T00:00:00Z,\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			if code, _, stderr := cli(t, nil, "", "roster", "import", "--db", db, roster); code != exitOK {
				t.Fatalf("roster: %d %s", code, stderr)
			}
			code, out, stderr := cli(t, nil, "", "survey", "open", "--db", db, "--quarter", q.String(), "--json", "--base-url", "https://cadre.example.org")
			var opened struct {
				SurveyID int64 `json:"survey_id"`
				Invited  int   `json:"invited"`
				Links    []struct {
					MemberID string `json:"member_id"`
					URL      string `json:"url"`
				} `json:"links"`
			}
			if code != exitOK || json.Unmarshal([]byte(out), &opened) != nil || opened.Invited != 3 || len(opened.Links) != 3 ||
				!strings.HasPrefix(opened.Links[0].URL, "https://cadre.example.org/survey/") {
				t.Fatalf("survey open: %d %s %s", code, out, stderr)
			}
			if code, _, stderr := cli(t, nil, "", "survey", "open", "--db", db, "--quarter", q.String()); code != exitFailure || !strings.Contains(stderr, "open already") {
				t.Errorf("a second survey of the quarter: %d %s", code, stderr)
			}
			ctx := context.Background()
			st, err := store.Open(ctx, db)
			if err != nil {
				t.Fatal(err)
			}
			scores := []int{10, 8, 3}
			for i, l := range opened.Links {
				if _, err := st.AnswerSurvey(ctx, path.Base(l.URL), scores[i], "comment"); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := st.AnswerSurvey(ctx, path.Base(opened.Links[2].URL), 11, ""); cadre.ErrorCode(err) != cadre.EINVALID {
				t.Errorf("a score of 11: %v", err)
			}
			scores[2] = 9 // the third changes their mind
			if _, err := st.AnswerSurvey(ctx, path.Base(opened.Links[2].URL), scores[2], "better now"); err != nil {
				t.Fatal(err)
			}
			st.Close()
			// 9 and 10 promote, 8 is passive: NPS 100 × (2 − 0) / 3.
			var promoters, passives, detractors int
			for _, s := range scores {
				switch {
				case s >= 9:
					promoters++
				case s >= 7:
					passives++
				default:
					detractors++
				}
			}
			wantScore := 100 * float64(promoters-detractors) / float64(len(scores))
			code, out, stderr = cli(t, nil, "", "survey", "results", "--db", db, "--quarter", q.String(), "--json")
			var res struct {
				Quarter                         string   `json:"quarter"`
				Score                           *float64 `json:"score"`
				Responses, Invited              int
				ResponseRate                    *float64 `json:"response_rate"`
				Promoters, Passives, Detractors int
			}
			if code != exitOK || json.Unmarshal([]byte(out), &res) != nil || res.Score == nil || *res.Score != wantScore || res.Responses != 3 || res.Invited != 3 ||
				res.ResponseRate == nil || *res.ResponseRate != 1 || res.Promoters != promoters || res.Passives != passives || res.Detractors != detractors {
				t.Errorf("survey results: %d %s %s; want NPS %v", code, out, stderr, wantScore)
			}
			code, out, _ = cli(t, nil, "", "health", "--db", db, "--quarter", q.String(), "--json")
			var h struct {
				NPS *struct {
					Score        *float64 `json:"score"`
					Responses    int      `json:"responses"`
					ResponseRate *float64 `json:"response_rate"`
				} `json:"nps"`
			}
			if code != exitOK || json.Unmarshal([]byte(out), &h) != nil || h.NPS == nil || h.NPS.Score == nil || *h.NPS.Score != wantScore || h.NPS.Responses != 3 {
				t.Errorf("health's nps: %d %s", code, out)
			}
			if code, out, _ := cli(t, nil, "", "health", "--db", db, "--quarter", q.Prev().String(), "--json"); code != exitOK || !strings.Contains(out, `"nps": null`) {
				t.Errorf("a quarter without a survey: %d %s", code, out)
			}
			if code, out, stderr := cli(t, nil, "", "survey", "remind", "--db", db, "--quarter", q.String()); code != exitOK || out != "0 ambassadors reminded\n" {
				t.Errorf("remind when everyone answered: %d %s %s", code, out, stderr)
			}
		})
	}
}
