package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestRewardCommands adds rewards, imports the matrix file and reads the
// ranking, exports it back, sets a budget, grants (refused when not
// eligible, over budget or misused), moves a grant along and lists the
// grants with their impact; on both stores.
func TestRewardCommands(t *testing.T) {
	for name, db := range databases(t) {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			roster := filepath.Join(dir, "roster.csv")
			if err := os.WriteFile(roster, []byte("member,since,until,via\ngithub:ada,2024-01-01T00:00:00Z,,\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			if code, _, stderr := cli(t, nil, "", "roster", "import", "--db", db, roster); code != exitOK {
				t.Fatalf("roster: %d %s", code, stderr)
			}
			if code, out, stderr := cli(t, nil, "", "rewards", "add", "--db", db, "--name", "Conference pass", "--kind", "extrinsic",
				"--cost", "400", "--stock", "1", "--status", "ambassador"); code != exitOK || !strings.Contains(out, "Conference pass") {
				t.Fatalf("add: %d %s %s", code, out, stderr)
			}
			if code, _, stderr := cli(t, nil, "", "rewards", "add", "--db", db, "--name", "Conference pass", "--kind", "intrinsic"); code != exitFailure || !strings.Contains(stderr, "already") {
				t.Errorf("a second reward of the name: %d %s", code, stderr)
			}
			if code, _, _ := cli(t, nil, "", "rewards", "add", "--db", db, "--name", "Pass", "--kind", "money"); code != exitUsage {
				t.Errorf("an unknown kind: %d", code)
			}
			if code, _, _ := cli(t, nil, "", "rewards", "add", "--db", db, "--name", "Swag", "--kind", "extrinsic", "--regions", "EU"); code != exitOK {
				t.Fatal(code)
			}
			file := filepath.Join(dir, "matrix.csv")
			matrix := "reward,kind,Visibility,Travel costs\nweight,,2,1\nConference pass,extrinsic,7,10\nRoadmap briefing,intrinsic,9,\nSwag,extrinsic,3,\n"
			if err := os.WriteFile(file, []byte(matrix), 0o600); err != nil {
				t.Fatal(err)
			}
			if code, out, stderr := cli(t, nil, "", "rewards", "matrix", "import", "--db", db, file); code != exitOK || !strings.Contains(out, "imported 3 rewards (1 new), 2 new pain points") {
				t.Fatalf("import: %d %s %s", code, out, stderr)
			}
			bad := filepath.Join(dir, "bad.csv")
			_ = os.WriteFile(bad, []byte("reward,kind,a\nx,extrinsic,12\n"), 0o600)
			if code, _, stderr := cli(t, nil, "", "rewards", "matrix", "import", "--db", db, bad); code != exitFailure || !strings.Contains(stderr, "bad.csv:2: column 3") {
				t.Errorf("a bad file: %d %s", code, stderr)
			}
			code, out, _ := cli(t, nil, "", "rewards", "value", "--db", db, "--json")
			var values []struct {
				Reward string  `json:"reward"`
				Value  float64 `json:"value"`
			}
			// Conference pass 2×7 + 10 = 24, Roadmap briefing 18, Swag 6.
			if code != exitOK || json.Unmarshal([]byte(out), &values) != nil || len(values) != 3 || values[0].Reward != "Conference pass" || values[0].Value != 24 ||
				values[1].Value != 18 || values[2].Reward != "Swag" || values[2].Value != 6 {
				t.Errorf("value: %d %s", code, out)
			}
			if code, out, _ := cli(t, nil, "", "rewards", "matrix", "export", "--db", db, "-"); code != exitOK || out != matrix {
				t.Errorf("export: %d %q", code, out)
			}
			if code, _, _ := cli(t, nil, "", "rewards", "matrix", "--db", db); code != exitUsage {
				t.Errorf("matrix with no verb: %d", code)
			}

			if code, out, _ := cli(t, nil, "", "rewards", "budget", "--db", db, "--amount", "500", "--json"); code != exitOK || !strings.Contains(out, `"amount": 500`) {
				t.Errorf("budget: %d %s", code, out)
			}
			if code, _, stderr := cli(t, nil, "", "rewards", "grant", "--db", db, "--reward", "Swag", "--member", "github:ada"); code != exitFailure || !strings.Contains(stderr, "ships to EU only") {
				t.Errorf("swag to a member of no region: %d %s", code, stderr)
			}
			if code, out, stderr := cli(t, nil, "", "rewards", "grant", "--db", db, "--reward", "conference pass", "--member", "github:ada", "--note", "keynote"); code != exitOK || !strings.Contains(out, "promised") {
				t.Fatalf("grant: %d %s %s", code, out, stderr)
			}
			if code, _, stderr := cli(t, nil, "", "rewards", "grant", "--db", db, "--reward", "Conference pass", "--member", "github:ada"); code != exitFailure || !strings.Contains(stderr, "out of stock") {
				t.Errorf("a second pass of one: %d %s", code, stderr)
			}
			if code, _, _ := cli(t, nil, "", "rewards", "grant", "--db", db, "--id", "1"); code != exitUsage {
				t.Errorf("--id without --state: %d", code)
			}
			if code, _, _ := cli(t, nil, "", "rewards", "grant", "--db", db, "--id", "1", "--state", "delivered"); code != exitFailure {
				t.Errorf("promised straight to delivered: %d", code)
			}
			if code, _, _ := cli(t, nil, "", "rewards", "grant", "--db", db, "--id", "1", "--state", "sent"); code != exitOK {
				t.Errorf("sent: %d", code)
			}
			code, out, _ = cli(t, nil, "", "rewards", "grants", "--db", db, "--json")
			var grants struct {
				Grants []struct {
					Reward string `json:"reward"`
					State  string `json:"state"`
					Note   string `json:"note"`
					Impact struct {
						Complete bool `json:"complete"`
					} `json:"impact"`
					At time.Time `json:"granted_at"`
				} `json:"grants"`
				Average []struct {
					Reward string `json:"reward"`
					Grants int    `json:"grants"`
				} `json:"average"`
			}
			if code != exitOK || json.Unmarshal([]byte(out), &grants) != nil || len(grants.Grants) != 1 || grants.Grants[0].State != "sent" ||
				grants.Grants[0].Note != "keynote" || grants.Grants[0].Impact.Complete || len(grants.Average) != 1 || grants.Average[0].Grants != 0 {
				t.Errorf("grants: %d %s", code, out)
			}
			if code, out, _ := cli(t, nil, "", "rewards", "budget", "--db", db); code != exitOK || !strings.Contains(out, "400 spent of 500, 100 left") {
				t.Errorf("budget: %d %s", code, out)
			}
			if code, out, _ := cli(t, nil, "", "rewards", "list", "--db", db, "--json"); code != exitOK || !strings.Contains(out, `"stock": 0`) || !strings.Contains(out, `"regions": [`) {
				t.Errorf("list: %d %s", code, out)
			}
			if code, out, _ := cli(t, nil, "", "rewards", "--help"); code != exitOK || !strings.Contains(out, "matrix import FILE") {
				t.Errorf("help: %d %s", code, out)
			}
		})
	}
}
