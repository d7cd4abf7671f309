package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/cadrehq/cadre/store/storetest"
)

func TestLeaderboardCommands(t *testing.T) {
	for name, db := range databases(t) {
		t.Run(name, func(t *testing.T) {
			path, _ := sharedTestdata(t, "activities.jsonl")
			if code, _, stderr := cli(t, nil, "", "import", "--db", db, path); code != 0 {
				t.Fatal(stderr)
			}
			// On 2025-04-15 (Q2) under the default criteria: Bob has a talk this
			// quarter (5) and, decayed once, a video (3 × 0.75), a merged PR
			// (2 × 0.75) and a mentoring session (4 × 0.75).
			code, stdout, stderr := cli(t, nil, "", "leaderboard", "--db", db, "--at", "2025-04-15", "--top", "0", "--json")
			if code != 0 {
				t.Fatalf("leaderboard: exit %d: %s", code, stderr)
			}
			var board []struct {
				Rank     int     `json:"rank"`
				MemberID int64   `json:"member_id"`
				Name     string  `json:"name"`
				Status   string  `json:"status"`
				Score    float64 `json:"score"`
			}
			if err := json.Unmarshal([]byte(stdout), &board); err != nil {
				t.Fatal(err)
			}
			want := []struct {
				rank  int
				name  string
				score float64
			}{{1, "Bob Brandt", 11.75}, {2, "Erin Okafor", 8}, {3, "Alice A.", 6.75}, {4, "dmitri-v", 2.25}, {5, "", 1.5}, {5, "", 1.5}, {7, "", 0.75}}
			if len(board) != 10 {
				t.Fatalf("%d lines, want all 10 members:\n%s", len(board), stdout)
			}
			for i, w := range want {
				got := board[i]
				if got.Rank != w.rank || (w.name != "" && got.Name != w.name) || got.Score != w.score || got.Status != "member" || got.MemberID == 0 {
					t.Errorf("line %d = %+v, want rank %d %q %v", i+1, got, w.rank, w.name, w.score)
				}
			}

			// This quarter's speakers: Bob and Erin, 5 points each.
			code, stdout, _ = cli(t, nil, "", "leaderboard", "--db", db, "--at", "2025-04-15", "--type", "speaking", "--since", "2025-04-01", "--top", "3", "--json")
			if code != 0 || strings.Count(stdout, `"rank": 1`) != 2 || strings.Count(stdout, `"score": 5`) != 2 || !strings.Contains(stdout, `"rank": 3`) {
				t.Fatalf("speakers this quarter: %s", stdout)
			}
			code, stdout, _ = cli(t, nil, "", "leaderboard", "--db", db, "--at", "2025-04-15", "--top", "2")
			if code != 0 || !strings.Contains(stdout, "Bob Brandt") || strings.Contains(stdout, "Alice") {
				t.Fatalf("top 2 table: %s", stdout)
			}
			code, stdout, stderr = cli(t, nil, "", "score", "--db", db, "--at", "2025-04-15", "github:bob")
			for _, want := range []string{"Bob Brandt", "11.75 points", "speaking", "2025-Q1", "2025-Q2", "2025-03-31", "With no new activity: 11.75 at the next review (2025-06-30)"} {
				if code != 0 || !strings.Contains(stdout, want) {
					t.Fatalf("score: exit %d, output lacks %q:\n%s%s", code, want, stdout, stderr)
				}
			}
			if code, _, stderr := cli(t, nil, "", "score", "--db", db, "nobody"); code != exitFailure || !strings.Contains(stderr, `no member is known as "nobody"`) {
				t.Fatalf("score of nobody: exit %d: %s", code, stderr)
			}
			code, stdout, _ = cli(t, nil, "", "criteria", "check", "--db", db, "--at", "2025-04-15")
			if code != 0 || !strings.Contains(stdout, "9 active members, 0 qualify") || !strings.Contains(stdout, "warning: bar too high") {
				t.Fatalf("criteria check: %s", stdout)
			}
			// 9 active; k = max(1, floor(0.2 × 9)) = 1: the best score, Bob's.
			code, stdout, _ = cli(t, nil, "", "criteria", "calibrate", "--db", db, "--at", "2025-04-15", "--target", "0.2")
			if code != 0 || !strings.Contains(stdout, "set thresholds.achieve to 11.75") {
				t.Fatalf("criteria calibrate: %s", stdout)
			}
		})
	}
	if code, _, stderr := cli(t, nil, "", "leaderboard", "--at", "last tuesday"); code != exitUsage || !strings.Contains(stderr, "RFC 3339") {
		t.Fatalf("bad --at: exit %d: %s", code, stderr)
	}
}

func TestBench(t *testing.T) {
	for name, db := range map[string]string{"sqlite": "", "postgres": storetest.PostgresDSN(t)} {
		t.Run(name, func(t *testing.T) {
			args := []string{"bench", "--members", "300", "--activities", "3000", "--gharchive", "500", "--dir", t.TempDir()}
			if db != "" {
				args = append(args, "--db", db)
			}
			code, stdout, stderr := cli(t, nil, "", args...)
			if code != 0 {
				t.Fatalf("bench: exit %d: %s", code, stderr)
			}
			for _, want := range []string{"import (end to end)", "full score, cold", "full score, warm", "restart from stored standings", "GH Archive hour, 500 events", "qualifying"} {
				if !strings.Contains(stdout, want) {
					t.Errorf("bench output lacks %q:\n%s", want, stdout)
				}
			}
			if sql := strings.Contains(stdout, "SQLite SQL"); sql != (db == "") {
				t.Errorf("SQL reference shown: %v, want only on SQLite:\n%s", sql, stdout)
			}
			// A database with data in it is refused rather than measured.
			if db != "" {
				code, _, stderr := cli(t, nil, "", "bench", "--members", "10", "--activities", "50", "--db", db)
				if code != exitFailure || !strings.Contains(stderr, "not empty") {
					t.Fatalf("bench on a used database: exit %d: %s", code, stderr)
				}
			}
		})
	}
}
