package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cadrehq/cadre/program"
	"github.com/cadrehq/cadre/store"
)

// TestSessionCommands runs a session through cadre sessions on both
// stores: added with its attendees, items submitted and voted on, items
// made commitments done on time, late and never, a refused change exiting
// 1 and wrong usage 2, the overdue listed and reminded once, and the
// health's follow_through of each quarter a commitment is due in against
// the test's own count.
func TestSessionCommands(t *testing.T) {
	for name, db := range databases(t) {
		t.Run(name, func(t *testing.T) {
			roster := filepath.Join(t.TempDir(), "roster.csv")
			if err := os.WriteFile(roster, []byte("member,since\ngithub:ada,2024-01-01T00:00:00Z\ngithub:bob,2024-01-01T00:00:00Z\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			if code, _, stderr := cli(t, nil, "", "roster", "import", "--db", db, roster); code != exitOK {
				t.Fatalf("roster: %d %s", code, stderr)
			}
			today := time.Now().UTC()
			day := func(days int) string { return today.AddDate(0, 0, days).Format(time.DateOnly) }
			for _, args := range [][]string{
				{"sessions"}, {"sessions", "bogus"}, {"sessions", "add", "--title", "x"}, {"sessions", "items"},
				{"sessions", "status", "1", "--to", "finished"}, {"sessions", "submit", "1", "--member", "github:ada", "--title", "x", "--kind", "wish"},
			} {
				if code, _, stderr := cli(t, nil, "", append(args, "--db", db)...); code != exitUsage {
					t.Errorf("%v: exit %d, want 2 (%s)", args, code, stderr)
				}
			}
			if code, out, _ := cli(t, nil, "", "sessions", "--help"); code != exitOK || !strings.Contains(out, "cadre sessions commit ITEM_ID --owner O --due") {
				t.Errorf("help: %d\n%s", code, out)
			}
			code, out, stderr := cli(t, nil, "", "sessions", "add", "--db", db, "--title", "Meet the executives", "--date", day(7),
				"--ambassadors", "github:ada, github:bob", "--executives", "Jane Doe, cto@example.org", "--json")
			var added struct {
				ID          int64 `json:"id"`
				Ambassadors []struct {
					Name string `json:"name"`
				} `json:"ambassadors"`
				Executives []string `json:"executives"`
				TakesItems bool     `json:"takes_items"`
			}
			if code != exitOK || json.Unmarshal([]byte(out), &added) != nil || len(added.Ambassadors) != 2 || len(added.Executives) != 2 || !added.TakesItems {
				t.Fatalf("add: %d %s %s", code, out, stderr)
			}
			sid := strconv.FormatInt(added.ID, 10)
			itemRe := regexp.MustCompile(`^item (\d+) submitted`)
			submit := func(member, kind, title string) int64 {
				t.Helper()
				code, out, stderr := cli(t, nil, "", "sessions", "submit", sid, "--db", db, "--member", member, "--kind", kind, "--title", title)
				m := itemRe.FindStringSubmatch(out)
				if code != exitOK || m == nil {
					t.Fatalf("submit %s: %d %s %s", title, code, out, stderr)
				}
				id, _ := strconv.ParseInt(m[1], 10, 64)
				return id
			}
			docs := submit("github:ada", "critique", "The docs lag the releases")
			roadmap := submit("github:bob", "feature", "A public roadmap")
			ctx := context.Background()
			st, err := store.Open(ctx, db)
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			bob, _ := st.FindMember(ctx, "github:bob")
			if err := st.Vote(ctx, docs, bob, "bob"); err != nil {
				t.Fatal(err)
			}
			code, out, _ = cli(t, nil, "", "sessions", "items", sid, "--db", db, "--json")
			var items []struct {
				ID    int64  `json:"id"`
				Votes int    `json:"votes"`
				Kind  string `json:"kind"`
			}
			if code != exitOK || json.Unmarshal([]byte(out), &items) != nil || len(items) != 2 || items[0].ID != docs || items[0].Votes != 1 || items[1].Kind != "feature" {
				t.Fatalf("items: %d %s", code, out)
			}

			// Done on time, done late, and overdue; the test keeps its own
			// record of each: due date and whether done by it.
			type record struct {
				id     int64
				due    string
				onTime bool
			}
			commit := func(item int64, owner string, due int) record {
				t.Helper()
				code, out, stderr := cli(t, nil, "", "sessions", "commit", strconv.FormatInt(item, 10), "--db", db, "--owner", owner, "--due", day(due), "--json")
				var c struct {
					ID     int64  `json:"id"`
					Status string `json:"status"`
					Due    string `json:"due"`
				}
				if code != exitOK || json.Unmarshal([]byte(out), &c) != nil || c.Status != "open" || c.Due != day(due) {
					t.Fatalf("commit: %d %s %s", code, out, stderr)
				}
				return record{id: c.ID, due: c.Due}
			}
			onTime := commit(docs, "cto@example.org", 10)
			late := commit(roadmap, "Jane Doe", -10)
			overdue := commit(docs, "cto@example.org", -5)
			status := func(r record, to string) int {
				code, _, _ := cli(t, nil, "", "sessions", "status", strconv.FormatInt(r.id, 10), "--db", db, "--to", to, "--note", "done and dusted")
				return code
			}
			if status(onTime, "done") != exitOK || status(late, "done") != exitOK {
				t.Fatal("status: refused")
			}
			onTime.onTime = true
			if code := status(onTime, "open"); code != exitFailure {
				t.Errorf("reopening a done commitment: exit %d, want 1", code)
			}
			if code, _, stderr := cli(t, nil, "", "sessions", "note", strconv.FormatInt(late.id, 10), "--db", db, "--text", "on the blog"); code != exitOK {
				t.Errorf("note: %d %s", code, stderr)
			}
			code, out, _ = cli(t, nil, "", "sessions", "commitments", "--db", db, "--json")
			var cs []struct {
				ID      int64 `json:"id"`
				Overdue bool  `json:"overdue"`
				OnTime  *bool `json:"on_time"`
				History []struct {
					Status string `json:"status"`
					Text   string `json:"text"`
				} `json:"history"`
			}
			if code != exitOK || json.Unmarshal([]byte(out), &cs) != nil || len(cs) != 3 {
				t.Fatalf("commitments: %d %s", code, out)
			}
			for _, c := range cs {
				switch c.ID {
				case onTime.id:
					if c.Overdue || c.OnTime == nil || !*c.OnTime || len(c.History) != 2 {
						t.Errorf("on time: %+v", c)
					}
				case late.id:
					if c.Overdue || c.OnTime == nil || *c.OnTime || len(c.History) != 3 || c.History[2].Text != "on the blog" {
						t.Errorf("late: %+v", c)
					}
				case overdue.id:
					if !c.Overdue || c.OnTime != nil {
						t.Errorf("overdue: %+v", c)
					}
				}
			}
			if code, out, _ := cli(t, nil, "", "sessions", "commitments", "--db", db, "--overdue"); code != exitOK || strings.Count(out, "(overdue)") != 1 || strings.Contains(out, "(late)") {
				t.Errorf("overdue only: %d\n%s", code, out)
			}
			for _, want := range []string{"1 owners", "0 owners"} {
				if code, out, stderr := cli(t, nil, "", "sessions", "remind", "--db", db); code != exitOK || !strings.HasPrefix(out, want) {
					t.Errorf("remind: %d %q %s, want %s", code, out, stderr, want)
				}
			}
			if code, out, _ := cli(t, nil, "", "sessions", "list", "--db", db); code != exitOK || !strings.Contains(out, "Meet the executives") {
				t.Errorf("list: %d\n%s", code, out)
			}

			quarters := map[program.Quarter][2]int{} // due, done on time
			for _, r := range []record{onTime, late, overdue} {
				d, _ := time.Parse(time.DateOnly, r.due)
				q := program.QuarterOf(d, time.UTC)
				n := quarters[q]
				n[0]++
				if r.onTime {
					n[1]++
				}
				quarters[q] = n
			}
			for q, n := range quarters {
				code, out, stderr := cli(t, nil, "", "health", "--db", db, "--quarter", q.String(), "--json")
				var h struct {
					FollowThrough *float64 `json:"follow_through"`
				}
				if code != exitOK || json.Unmarshal([]byte(out), &h) != nil || h.FollowThrough == nil || *h.FollowThrough != float64(n[1])/float64(n[0]) {
					t.Errorf("health of %s: %d %s %s, want follow_through %d/%d", q, code, out, stderr, n[1], n[0])
				}
			}
			if code, out, _ := cli(t, nil, "", "health", "--db", db, "--quarter", program.QuarterOf(today.AddDate(0, 0, -5), time.UTC).String()); code != exitOK || !strings.Contains(out, "follow-through of commitments due: ") {
				t.Errorf("health as text: %d\n%s", code, out)
			}
			empty := program.QuarterOf(today, time.UTC).Prev().Prev()
			if code, out, _ := cli(t, nil, "", "health", "--db", db, "--quarter", empty.String(), "--json"); code != exitOK || !strings.Contains(out, `"follow_through": null`) {
				t.Errorf("health of %s, when nothing was due: %d %s", empty, code, out)
			}
		})
	}
}
