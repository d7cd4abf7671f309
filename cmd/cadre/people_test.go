package main

import (
	"strings"
	"testing"
)

func TestReportReviewAndMerge(t *testing.T) {
	for backend, db := range databases(t) {
		t.Run(backend, func(t *testing.T) {
			in := `{"source":"github","external_id":"i1","type":"feedback","occurred_at":"2025-03-01T12:00:00Z","member":{"platform":"github","handle":"grace-h","name":"Grace Hopper"}}
{"source":"discourse","external_id":"p1","type":"forum","occurred_at":"2025-03-02T12:00:00Z","member":{"platform":"discourse","handle":"grace-h","name":"Grace Hopper"},"url":"https://forum.example/t/1/2"}
`
			if code, _, stderr := cli(t, nil, in, "import", "--db", db, "-"); code != 0 {
				t.Fatalf("import: %d %s", code, stderr)
			}
			code, out, stderr := cli(t, nil, "", "report", "--db", db, "--member", "discourse:grace-h", "--type", "forum",
				"--date", "2025-03-02", "--title", "Answered a question", "--url", "https://forum.example/t/1/2/")
			if code != 0 || !strings.Contains(out, "pending review") || !strings.Contains(out, "looks like activity") {
				t.Fatalf("report: %d %s %s", code, out, stderr)
			}
			if code, _, stderr := cli(t, nil, "", "report", "--db", db, "--member", "nobody", "--type", "forum", "--date", "2025-03-02", "--title", "x"); code != 1 || !strings.Contains(stderr, "nobody") {
				t.Errorf("report by an unknown member: %d %s", code, stderr)
			}
			if code, _, _ := cli(t, nil, "", "report", "--db", db, "--type", "forum"); code != 2 {
				t.Errorf("report without a member: exit %d, want 2", code)
			}
			code, out, _ = cli(t, nil, "", "review", "--db", db, "--json")
			if code != 0 || !strings.Contains(out, `"duplicate_of": 2`) {
				t.Fatalf("review list: %d %s", code, out)
			}
			if code, _, _ := cli(t, nil, "", "review", "--db", db, "--reject", "3"); code != 2 {
				t.Errorf("reject without a reason: exit %d, want 2", code)
			}
			if code, out, stderr := cli(t, nil, "", "review", "--db", db, "--reject", "3", "--reason", "seen on the forum already"); code != 0 || !strings.Contains(out, "rejected") {
				t.Fatalf("reject: %d %s %s", code, out, stderr)
			}

			code, out, _ = cli(t, nil, "", "merge", "--db", db, "--suggestions")
			if code != 0 || !strings.Contains(out, `same handle "grace-h" and name "Grace Hopper"`) {
				t.Fatalf("suggestions: %d %s", code, out)
			}
			code, out, stderr = cli(t, map[string]string{"USER": "dana"}, "", "merge", "--db", db, "discourse:grace-h", "github:grace-h", "--reason", "one Grace")
			if code != 0 || !strings.Contains(out, "merge 1") {
				t.Fatalf("merge: %d %s %s", code, out, stderr)
			}
			if code, out, _ := cli(t, nil, "", "members", "--db", db, "--json"); code != 0 || strings.Count(out, `"id"`) != 1 {
				t.Errorf("members after the merge: %s", out)
			}
			if code, out, stderr := cli(t, nil, "", "merge", "--db", db, "--undo", "1", "--reason", "two Graces"); code != 0 || !strings.Contains(out, "undone") {
				t.Fatalf("undo: %d %s %s", code, out, stderr)
			}
			if code, _, stderr := cli(t, nil, "", "merge", "--db", db, "--undo", "1"); code != 1 || !strings.Contains(stderr, "undone already") {
				t.Errorf("second undo: %d %s", code, stderr)
			}
		})
	}
}

func TestStaffDomainsCommand(t *testing.T) {
	db := migrated(t)
	if code, out, _ := cli(t, nil, "", "staff-domains", "--db", db, "corp.example"); code != 0 || !strings.Contains(out, "0 members flagged") {
		t.Fatalf("set: %d %s", code, out)
	}
	if code, out, _ := cli(t, nil, "", "staff-domains", "--db", db); code != 0 || out != "corp.example\n" {
		t.Errorf("show: %d %q", code, out)
	}
	if code, _, stderr := cli(t, nil, "", "staff-domains", "--db", db, "nope"); code != 1 || !strings.Contains(stderr, "not an email domain") {
		t.Errorf("bad domain: %d %s", code, stderr)
	}
}
