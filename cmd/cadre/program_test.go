package main

import (
	"context"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cadrehq/cadre/criteria"
	"github.com/cadrehq/cadre/internal/shared"
	"github.com/cadrehq/cadre/mail/mailtest"
	"github.com/cadrehq/cadre/program"
	"github.com/cadrehq/cadre/store"
)

// TestProgramCasesThroughCLI replays the reference program cases (SPEC
// sections 5-6) as an operator would, on both databases: import the
// activities and the roster, apply the eight reviews in order with cadre
// renewal, and compare every outcome and rate, then every figure of cadre
// health with every review applied.
func TestProgramCasesThroughCLI(t *testing.T) {
	root := shared.ProgramCases(t)
	dirs, err := os.ReadDir(root)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range dirs {
		if !d.IsDir() {
			continue
		}
		for name, db := range databases(t) {
			t.Run(name+"/"+d.Name(), func(t *testing.T) {
				dir := filepath.Join(root, d.Name())
				var expect struct {
					Order    []string `json:"order"`
					Quarters map[string]struct {
						At                  string   `json:"at"`
						Renewed             []string `json:"renewed"`
						Lapsed              []string `json:"lapsed"`
						CarriedOver         []string `json:"carried_over"`
						RenewalRate         *float64 `json:"renewal_rate"`
						Active              int      `json:"active"`
						Qualifying          int      `json:"qualifying"`
						Share               float64  `json:"share"`
						Ambassadors         int      `json:"ambassadors"`
						ActiveAmbassadors   int      `json:"active_ambassadors"`
						PointsPerAmbassador *float64 `json:"points_per_ambassador"`
						InfluenceHours      struct {
							Total                 float64  `json:"total"`
							PerAmbassador         *float64 `json:"per_ambassador"`
							WeightedPerAmbassador *float64 `json:"weighted_per_ambassador"`
						} `json:"influence_hours"`
					} `json:"quarters"`
				}
				data, err := os.ReadFile(filepath.Join(dir, "expect.json"))
				if err != nil {
					t.Fatal(err)
				}
				if err := json.Unmarshal(data, &expect); err != nil {
					t.Fatal(err)
				}
				if code, _, stderr := cli(t, nil, "", "import", "--db", db, filepath.Join(dir, "acts.jsonl")); code != exitOK {
					t.Fatalf("import: exit %d: %s", code, stderr)
				}
				if code, out, stderr := cli(t, nil, "", "roster", "import", "--db", db, filepath.Join(dir, "roster.csv")); code != exitOK {
					t.Fatalf("roster import: exit %d: %s %s", code, out, stderr)
				}
				near := func(a, b float64) bool { return math.Abs(a-b) <= 1e-6*math.Max(1, math.Max(math.Abs(a), math.Abs(b))) }
				nearPtr := func(a, b *float64) bool { return a == nil && b == nil || a != nil && b != nil && near(*a, *b) }
				for _, q := range expect.Order {
					want := expect.Quarters[q]
					code, out, stderr := cli(t, nil, "", "renewal", "apply", "--db", db, "--quarter", q, "--json")
					if code != exitOK {
						t.Fatalf("renewal apply %s: exit %d: %s", q, code, stderr)
					}
					var got struct {
						At      string `json:"at"`
						Applied bool   `json:"applied"`
						Members []struct {
							Name    string `json:"name"`
							Outcome string `json:"outcome"`
						} `json:"members"`
						RenewalRate *float64 `json:"renewal_rate"`
					}
					if err := json.Unmarshal([]byte(out), &got); err != nil {
						t.Fatalf("renewal apply %s: %v\n%s", q, err, out)
					}
					by := map[string][]string{}
					for _, m := range got.Members {
						by[m.Outcome] = append(by[m.Outcome], m.Name)
					}
					for outcome, names := range map[string][]string{"renewed": want.Renewed, "lapsed": want.Lapsed, "carried_over": want.CarriedOver} {
						g, w := slices.Sorted(slices.Values(by[outcome])), slices.Sorted(slices.Values(names))
						if !slices.Equal(g, w) {
							t.Errorf("%s %s: %v, want %v", q, outcome, g, w)
						}
					}
					if got.At != want.At || !got.Applied || !nearPtr(got.RenewalRate, want.RenewalRate) {
						t.Errorf("%s: at %s, applied %v, rate %v; want %s, true, %v", q, got.At, got.Applied, got.RenewalRate, want.At, want.RenewalRate)
					}
				}
				if code, _, stderr := cli(t, nil, "", "renewal", "apply", "--db", db, "--quarter", expect.Order[0]); code != exitFailure {
					t.Errorf("a second apply of %s: exit %d (%s), want 1", expect.Order[0], code, stderr)
				}
				for _, q := range expect.Order {
					want := expect.Quarters[q]
					code, out, stderr := cli(t, nil, "", "health", "--db", db, "--quarter", q, "--json")
					if code != exitOK {
						t.Fatalf("health %s: exit %d: %s", q, code, stderr)
					}
					var got struct {
						Active, Qualifying, Ambassadors, ActiveAmbassadors int
						Share                                              float64
						PointsPerAmbassador                                *float64 `json:"points_per_ambassador"`
						ActiveAmb                                          int      `json:"active_ambassadors"`
						InfluenceHours                                     struct {
							Total                 float64  `json:"total"`
							PerAmbassador         *float64 `json:"per_ambassador"`
							WeightedPerAmbassador *float64 `json:"weighted_per_ambassador"`
						} `json:"influence_hours"`
						Review *struct {
							Applied bool `json:"applied"`
						} `json:"review"`
					}
					if err := json.Unmarshal([]byte(out), &got); err != nil {
						t.Fatalf("health %s: %v\n%s", q, err, out)
					}
					ih := got.InfluenceHours
					if got.Active != want.Active || got.Qualifying != want.Qualifying || !near(got.Share, want.Share) || got.Ambassadors != want.Ambassadors ||
						got.ActiveAmb != want.ActiveAmbassadors || !nearPtr(got.PointsPerAmbassador, want.PointsPerAmbassador) ||
						!near(ih.Total, want.InfluenceHours.Total) || !nearPtr(ih.PerAmbassador, want.InfluenceHours.PerAmbassador) ||
						!nearPtr(ih.WeightedPerAmbassador, want.InfluenceHours.WeightedPerAmbassador) || got.Review == nil || !got.Review.Applied {
						t.Errorf("health %s:\n%s\nwant %+v", q, out, want)
					}
				}
			})
		}
	}
}

// TestTermsAndAtRisk starts and ends terms as an admin would and lists who
// the coming review would lapse: an ambassador with no points needs all of
// maintain; one whose term began this quarter is carried over, not at risk.
func TestTermsAndAtRisk(t *testing.T) {
	db := migrated(t)
	now := time.Now().UTC()
	thisQuarter := time.Date(now.Year(), time.Month(3*((int(now.Month())-1)/3)+1), 1, 0, 0, 0, 0, time.UTC)
	roster := filepath.Join(t.TempDir(), "roster.csv")
	if err := os.WriteFile(roster, []byte("member,since,until,via\ngithub:ada,2024-01-01T00:00:00Z,,\ngithub:bob,"+
		thisQuarter.Add(time.Hour).Format(time.RFC3339)+",,invitation\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, stderr := cli(t, nil, "", "roster", "import", "--dry-run", "--db", db, roster)
	if code != exitOK || !strings.Contains(out, "roster.csv:2: adds a term for a new member (github:ada)") ||
		!strings.HasSuffix(out, "would add 2 terms, leave 0 unchanged, create 2 members; nothing changed\n") {
		t.Fatalf("roster import --dry-run: %d %s %s", code, out, stderr)
	}
	if code, out, _ := cli(t, nil, "", "members", "--db", db, "--json"); code != exitOK || strings.Contains(out, "ada") {
		t.Fatalf("a dry run stored members: %d %s", code, out)
	}
	if code, _, stderr := cli(t, nil, "", "roster", "import", "--db", db, roster); code != exitOK {
		t.Fatalf("roster import: %d %s", code, stderr)
	}
	code, out, stderr = cli(t, nil, "", "renewal", "at-risk", "--db", db, "--json")
	if code != exitOK {
		t.Fatalf("at-risk: %d %s", code, stderr)
	}
	var risky []struct {
		Name         string  `json:"name"`
		PointsNeeded float64 `json:"points_needed"`
		Example      string  `json:"example"`
	}
	if err := json.Unmarshal([]byte(out), &risky); err != nil {
		t.Fatal(err, out)
	}
	// Default criteria: maintain 40; speaking is worth 5, so 8 talks.
	if len(risky) != 1 || risky[0].Name != "ada" || risky[0].PointsNeeded != 40 || !strings.HasPrefix(risky[0].Example, "8 speaking") {
		t.Errorf("at risk: %s", out)
	}
	steps := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"terms", "--db", db, "github:ada"}, exitOK, "open"},
		{[]string{"terms", "start", "--db", db, "github:ada", "--reason", "again"}, exitFailure, "overlaps"},
		{[]string{"terms", "start", "--db", db, "github:ada"}, exitUsage, "needs --reason"},
		{[]string{"terms", "end", "--db", db, "1", "--as", "review", "--reason", "x"}, exitFailure, "resigned or removed"},
		{[]string{"terms", "end", "--db", db, "1", "--as", "resigned", "--reason", "moved on"}, exitOK, "term 1 ended (resigned)"},
		{[]string{"members", "--db", db, "--status", "alumni"}, exitOK, "ada"},
		{[]string{"terms", "start", "--db", db, "github:cy", "--via", "application", "--reason", "applied"}, exitFailure, "no member"},
	}
	for _, st := range steps {
		code, out, stderr := cli(t, nil, "", st.args...)
		if code != st.code || !strings.Contains(out+stderr, st.want) {
			t.Errorf("cadre %s: exit %d\n%s%s\nwant exit %d with %q", strings.Join(st.args, " "), code, out, stderr, st.code, st.want)
		}
	}
}

func TestCriteriaDoc(t *testing.T) {
	db := migrated(t)
	for format, want := range map[string]string{"md": "| Speaking or workshop | 5 | 5× | 240 min |", "html": "<td>Speaking or workshop</td>"} {
		code, out, stderr := cli(t, nil, "", "criteria", "doc", "--db", db, "--format", format)
		if code != exitOK || !strings.Contains(out, want) || !strings.Contains(out, "The default criteria.") {
			t.Errorf("criteria doc --format %s: exit %d %s\n%s", format, code, stderr, out)
		}
	}
	if code, _, stderr := cli(t, nil, "", "criteria", "doc", "--db", db, "--format", "pdf"); code != exitUsage || !strings.Contains(stderr, "md or html") {
		t.Errorf("criteria doc --format pdf: exit %d %s", code, stderr)
	}
}

// TestUnknownTypes: a report or a filter of a type the criteria do not know
// is an error naming the known ones.
func TestUnknownTypes(t *testing.T) {
	db := migrated(t)
	if code, _, stderr := cli(t, nil, "", "import", "--db", db, filepath.Join("..", "..", "testdata", "activities.jsonl")); code != exitOK {
		t.Fatalf("import: %d %s", code, stderr)
	}
	for _, args := range [][]string{
		{"report", "--db", db, "--member", "github:octocat", "--type", "talk", "--date", "2025-03-01", "--title", "x"},
		{"leaderboard", "--db", db, "--type", "talk"},
	} {
		code, _, stderr := cli(t, nil, "", args...)
		if code != exitFailure || !strings.Contains(stderr, `unknown activity type "talk": the criteria know forum, content, mentoring, speaking`) {
			t.Errorf("cadre %s: exit %d %s", strings.Join(args, " "), code, stderr)
		}
	}
}

func TestInviteCommands(t *testing.T) {
	db := migrated(t)
	if code, _, stderr := cli(t, nil, "", "import", "--db", db, filepath.Join("..", "..", "testdata", "activities.jsonl")); code != exitOK {
		t.Fatalf("import: %d %s", code, stderr)
	}
	// Everyone qualifies under a bar of 1: the proposals are everyone who
	// scores at least 1, best first.
	crit := filepath.Join(t.TempDir(), "criteria.yaml")
	doc := strings.Replace(strings.Replace(criteria.DefaultYAML, "achieve: 60", "achieve: 1", 1), "maintain: 40", "maintain: 1", 1)
	if err := os.WriteFile(crit, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := cli(t, nil, "", "criteria", "set", "--db", db, crit); code != exitOK {
		t.Fatalf("criteria set: %d %s", code, stderr)
	}
	code, out, stderr := cli(t, nil, "", "invite", "--proposals", "--json", "--db", db)
	var ps []struct {
		MemberID string  `json:"member_id"`
		Score    float64 `json:"score"`
	}
	if code != exitOK || json.Unmarshal([]byte(out), &ps) != nil || len(ps) == 0 {
		t.Fatalf("proposals: %d %s %s", code, out, stderr)
	}
	for i := 1; i < len(ps); i++ {
		if ps[i].Score > ps[i-1].Score || ps[i].Score < 1 {
			t.Errorf("proposals out of order or below the bar: %s", out)
		}
	}
	code, out, stderr = cli(t, map[string]string{"CADRE_BASE_URL": "https://cadre.example.org"}, "", "invite", "--db", db, ps[0].MemberID)
	if code != exitOK || !strings.HasPrefix(out, "https://cadre.example.org/invitation/") || strings.Count(out, "\n") != 1 {
		t.Fatalf("invite: %d %q %s", code, out, stderr)
	}
	if code, _, stderr := cli(t, nil, "", "invite", "--db", db, ps[0].MemberID); code != exitFailure || !strings.Contains(stderr, "open invitation") {
		t.Errorf("a second invitation: %d %s", code, stderr)
	}
	if code, out, _ := cli(t, nil, "", "invite", "--list", "--db", db); code != exitOK || !strings.Contains(out, "sent") {
		t.Errorf("list: %d %s", code, out)
	}
	if code, out, stderr := cli(t, nil, "", "invite", "--revoke", "1", "--db", db); code != exitOK || !strings.Contains(out, "revoked") {
		t.Errorf("revoke: %d %s %s", code, out, stderr)
	}
}

func TestApplicationsCommands(t *testing.T) {
	db := migrated(t)
	if code, _, stderr := cli(t, nil, "", "import", "--db", db, filepath.Join("..", "..", "testdata", "activities.jsonl")); code != exitOK {
		t.Fatalf("import: %d %s", code, stderr)
	}
	ctx := context.Background()
	st, err := store.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	// Bob by his handle, Alice by her email: both members of the testdata.
	for _, app := range [][2]string{{"bob@example.org", "github:bob"}, {"alice@example.org", ""}} {
		a, err := program.ParseApplication("A", app[0], app[1], "I help.", "")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.SubmitApplication(ctx, a, nil); err != nil {
			t.Fatal(err)
		}
	}
	st.Close()
	code, out, stderr := cli(t, nil, "", "applications", "--db", db, "--json")
	var apps []struct {
		ID       int64  `json:"id"`
		Email    string `json:"email"`
		Status   string `json:"status"`
		MemberID string `json:"member_id"`
	}
	if code != exitOK || json.Unmarshal([]byte(out), &apps) != nil || len(apps) != 2 {
		t.Fatalf("applications: %d %s %s", code, out, stderr)
	}
	steps := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"applications", "reject", "--db", db, "1"}, exitFailure, "needs a reason"},
		{[]string{"applications", "reject", "--db", db, "1", "--reason", "not yet"}, exitOK, "application 1 rejected"},
		{[]string{"applications", "accept", "--db", db, "1"}, exitFailure, "rejected already"},
		{[]string{"applications", "note", "--db", db, "2", "--text", "check the forum"}, exitOK, "note added"},
		{[]string{"applications", "accept", "--db", db, "2"}, exitOK, "application 2 accepted"},
		{[]string{"applications", "--db", db, "--state", "rejected", "--json"}, exitOK, `"reason": "not yet (about `},
	}
	for _, s := range steps {
		code, out, stderr := cli(t, nil, "", s.args...)
		if code != s.code || !strings.Contains(out+stderr, s.want) {
			t.Errorf("cadre %s: exit %d\n%s%s\nwant exit %d with %q", strings.Join(s.args, " "), code, out, stderr, s.code, s.want)
		}
	}

	// The decisions wait in the outbox until a mail server takes them.
	code, out, stderr = cli(t, nil, "", "outbox", "--db", db, "--waiting", "--json")
	var box []struct {
		To, Subject, State string
	}
	if code != exitOK || json.Unmarshal([]byte(out), &box) != nil || len(box) != 2 || box[0].State != "waiting" {
		t.Fatalf("outbox: %d %s %s", code, out, stderr)
	}
	srv := mailtest.Start(t, "", "")
	if code, out, stderr := cli(t, nil, "", "outbox", "send", "--db", db, "--smtp-url", srv.URL, "--mail-from", "devrel@example.org"); code != exitOK || out != "2 sent, 0 failed\n" {
		t.Fatalf("outbox send: %d %s %s", code, out, stderr)
	}
	got := map[string]mailtest.Message{}
	for _, m := range srv.Messages() {
		got[m.To[0]] = m
	}
	if m := got["bob@example.org"]; !strings.Contains(m.Body, "not yet (about ") || !strings.Contains(m.Body, "counts 5x") {
		t.Errorf("bob's rejection: %+v", m)
	}
	if m := got["alice@example.org"]; m.Subject != "Welcome to the ambassador program" {
		t.Errorf("alice's acceptance: %+v", m)
	}
	if code, out, _ := cli(t, nil, "", "outbox", "--db", db, "--waiting", "--json"); code != exitOK || strings.TrimSpace(out) != "[]" {
		t.Errorf("outbox after sending: %d %s", code, out)
	}
}
