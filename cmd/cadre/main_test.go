package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cadrehq/cadre/store"
	"github.com/cadrehq/cadre/store/storetest"
)

// cli runs cadre in-process with the given environment and returns the exit
// code and output.
func cli(t *testing.T, environ map[string]string, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	getenv := func(k string) string { return environ[k] }
	code = run(context.Background(), args, getenv, strings.NewReader(stdin), &out, &errOut)
	return code, out.String(), errOut.String()
}

// migrated returns the path of a fresh, migrated SQLite database.
func migrated(t *testing.T) string {
	t.Helper()
	db := filepath.Join(t.TempDir(), "cadre.db")
	if code, _, stderr := cli(t, nil, "", "migrate", "--db", db); code != 0 {
		t.Fatalf("migrate: exit %d: %s", code, stderr)
	}
	return db
}

// sharedTestdata returns the path of testdata/name and the number of
// records it holds, counted from its lines.
func sharedTestdata(t *testing.T, name string) (path string, records int) {
	t.Helper()
	path = filepath.Join("..", "..", "testdata", name)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if strings.TrimSpace(line) != "" {
			records++
		}
	}
	if strings.HasSuffix(name, ".csv") {
		records-- // the header
	}
	return path, records
}

// databases returns a migrated SQLite path and, when PostgreSQL is reachable,
// a migrated PostgreSQL URL, for tests that run the CLI against both backends.
// Without PostgreSQL the SQLite half still runs; with CI=true an unreachable
// PostgreSQL fails the test, as in storetest.
func databases(t *testing.T) map[string]string {
	t.Helper()
	dbs := map[string]string{"sqlite": migrated(t)}
	if pg, ok := storetest.PostgresDSNIfReachable(t); ok {
		if code, _, stderr := cli(t, nil, "", "migrate", "--db", pg); code != 0 {
			t.Fatalf("migrate postgres: exit %d: %s", code, stderr)
		}
		dbs["postgres"] = pg
	}
	return dbs
}

func TestUsage(t *testing.T) {
	tests := []struct {
		args     []string
		code     int
		contains string
	}{
		{nil, exitUsage, "Usage: cadre COMMAND"},
		{[]string{"--help"}, exitOK, "Commands:"},
		{[]string{"nope"}, exitUsage, `unknown command "nope"`},
		{[]string{"import", "--help"}, exitOK, "--strict"},
		{[]string{"import"}, exitUsage, "needs one FILE"},
		{[]string{"import", "--bogus", "x"}, exitUsage, "flag provided but not defined: -bogus"},
		{[]string{"export", "--format", "xml"}, exitUsage, "--format must be jsonl or csv"},
		{[]string{"members", "--status", "king"}, exitUsage, "--status must be"},
		{[]string{"criteria"}, exitUsage, "needs a subcommand"},
		{[]string{"criteria", "frobnicate"}, exitUsage, "unknown criteria subcommand"},
		{[]string{"backup"}, exitUsage, "exactly one FILE"},
		{[]string{"version"}, exitOK, "cadre "},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			code, stdout, stderr := cli(t, nil, "", tt.args...)
			if code != tt.code {
				t.Errorf("exit %d, want %d", code, tt.code)
			}
			if !strings.Contains(stdout+stderr, tt.contains) {
				t.Errorf("output lacks %q:\n%s%s", tt.contains, stdout, stderr)
			}
		})
	}
}

func TestVersionShowsSchema(t *testing.T) {
	db := migrated(t)
	code, stdout, _ := cli(t, nil, "", "version", "--db", db)
	want := fmt.Sprintf("schema %d (this binary's: %[1]d), sqlite", latestSchema(t))
	if code != 0 || !strings.Contains(stdout, want) {
		t.Fatalf("version --db: exit %d: %s", code, stdout)
	}
}

// latestSchema returns the newest schema version the store knows.
func latestSchema(t *testing.T) int {
	t.Helper()
	s, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "schema.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	_, latest, err := s.SchemaStatus(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return latest
}

func TestEnvironmentNamesDatabase(t *testing.T) {
	db := filepath.Join(t.TempDir(), "env.db")
	if code, _, stderr := cli(t, map[string]string{"CADRE_DB": db}, "", "migrate"); code != 0 {
		t.Fatalf("migrate: %d %s", code, stderr)
	}
	if _, err := os.Stat(db); err != nil {
		t.Fatalf("CADRE_DB was not used: %v", err)
	}
}

func TestImportExportRoundTrip(t *testing.T) {
	for name, db := range databases(t) {
		t.Run(name, func(t *testing.T) {
			var n int
			for _, file := range []string{"activities.jsonl", "activities.csv"} {
				path, records := sharedTestdata(t, file)
				code, stdout, stderr := cli(t, nil, "", "import", "--db", db, path)
				if code != 0 {
					t.Fatalf("import %s: exit %d: %s", file, code, stderr)
				}
				// The CSV holds the same activities as the JSON Lines file.
				want := fmt.Sprintf("%d inserted, 0 duplicates", records)
				if file == "activities.csv" {
					want = fmt.Sprintf("0 inserted, %d duplicates", n)
				}
				if !strings.Contains(stdout, want) {
					t.Fatalf("import %s: %q, want %q", file, stdout, want)
				}
				n = records
			}
			code, exported, stderr := cli(t, nil, "", "export", "--db", db)
			if code != 0 || strings.Count(exported, "\n") != n {
				t.Fatalf("export: exit %d, %d lines: %s", code, strings.Count(exported, "\n"), stderr)
			}
			// The export imports into an empty database and exports again unchanged.
			other := migrated(t)
			if code, stdout, stderr := cli(t, nil, exported, "import", "--db", other, "-"); code != 0 || !strings.Contains(stdout, fmt.Sprintf("%d inserted", n)) {
				t.Fatalf("re-import: exit %d: %s %s", code, stdout, stderr)
			}
			_, again, _ := cli(t, nil, "", "export", "--db", other)
			if again != exported {
				t.Fatalf("export after re-import differs:\n%s\nvs\n%s", again, exported)
			}
			code, csvOut, _ := cli(t, nil, "", "export", "--db", db, "--format", "csv")
			if code != 0 || !strings.HasPrefix(csvOut, "source,") || strings.Count(csvOut, "\n") != n+1 {
				t.Fatalf("csv export: exit %d:\n%s", code, csvOut)
			}
		})
	}
}

const badFile = `{"type":"forum","occurred_at":"2025-01-01T00:00:00Z","member":{"platform":"github","handle":"ann"},"external_id":"1"}
{"type":"forum","occurred_at":"yesterday","member":{"platform":"github","handle":"ann"},"external_id":"2"}
{"type":"forum","occurred_at":"2025-01-02T00:00:00Z","member":{"platform":"github","handle":"ann"},"external_id":"3"}
{"type":"forum","occurred_at":"2025-01-02T00:00:00Z","external_id":"4"}
not json
`

func TestImportReportsBadRecords(t *testing.T) {
	for name, db := range databases(t) {
		t.Run(name, func(t *testing.T) {
			code, stdout, stderr := cli(t, nil, badFile, "import", "--db", db, "--strict", "-")
			if code != exitFailure || !strings.Contains(stderr, "nothing imported") {
				t.Fatalf("strict import: exit %d: %s %s", code, stdout, stderr)
			}
			if _, out, _ := cli(t, nil, "", "export", "--db", db); out != "" {
				t.Fatalf("strict import of a bad file stored:\n%s", out)
			}
			code, stdout, stderr = cli(t, nil, badFile, "import", "--db", db, "-")
			if code != exitFailure {
				t.Fatalf("import with bad records: exit %d, want 1", code)
			}
			for _, line := range []string{"stdin:2:", "stdin:4:", "stdin:5:"} {
				if !strings.Contains(stderr, line) {
					t.Errorf("stderr lacks %q:\n%s", line, stderr)
				}
			}
			if !strings.Contains(stdout, "2 inserted, 0 duplicates, 3 rejected") {
				t.Fatalf("summary = %q", stdout)
			}
		})
	}
}

func TestCriteriaCommands(t *testing.T) {
	db := migrated(t)
	dir := t.TempDir()
	good := filepath.Join(dir, "good.yaml")
	bad := filepath.Join(dir, "bad.yaml")
	os.WriteFile(good, []byte("thresholds: {achieve: 80, maintain: 50}\n"), 0o644)
	os.WriteFile(bad, []byte("decay: {mode: sometimes, rate: 1.5}\nthresholds: {achieve: 10, maintain: 50}\n"), 0o644)

	if code, stdout, _ := cli(t, nil, "", "criteria", "show", "--db", db); code != 0 || !strings.Contains(stdout, "achieve: 60") {
		t.Fatalf("show default: exit %d:\n%s", code, stdout)
	}
	code, _, stderr := cli(t, nil, "", "criteria", "set", "--db", db, bad)
	if code != exitFailure {
		t.Fatalf("set bad criteria: exit %d", code)
	}
	for _, field := range []string{"decay.mode", "decay.rate", "thresholds.maintain"} {
		if !strings.Contains(stderr, field) {
			t.Errorf("errors lack field %s:\n%s", field, stderr)
		}
	}
	if code, stdout, _ := cli(t, nil, "", "criteria", "history", "--db", db); code != 0 || !strings.Contains(stdout, "no criteria stored") {
		t.Fatalf("a refused change was stored: %s", stdout)
	}
	if code, stdout, stderr := cli(t, map[string]string{"USER": "dana"}, "", "criteria", "set", "--db", db, good); code != 0 || !strings.Contains(stdout, "version 1") {
		t.Fatalf("set good criteria: exit %d: %s %s", code, stdout, stderr)
	}
	if code, stdout, _ := cli(t, nil, "", "criteria", "show", "--db", db); code != 0 || !strings.Contains(stdout, "achieve: 80") {
		t.Fatalf("show after set: %s", stdout)
	}
	if _, stdout, _ := cli(t, nil, "", "criteria", "history", "--db", db); !strings.Contains(stdout, "dana") {
		t.Fatalf("history lacks the author: %s", stdout)
	}
	if code, stdout, _ := cli(t, nil, "", "criteria", "validate", good); code != 0 || !strings.Contains(stdout, "valid") {
		t.Fatalf("validate: exit %d %s", code, stdout)
	}
}

func TestMembersAndBackup(t *testing.T) {
	db := migrated(t)
	path, _ := sharedTestdata(t, "activities.jsonl")
	if code, _, stderr := cli(t, nil, "", "import", "--db", db, path); code != 0 {
		t.Fatal(stderr)
	}
	code, stdout, _ := cli(t, nil, "", "members", "--db", db, "--json", "--limit", "1")
	if code != 0 || !strings.Contains(stdout, `"activities"`) || strings.Count(stdout, `"id"`) != 1 {
		t.Fatalf("members --json: exit %d:\n%s", code, stdout)
	}
	copyPath := filepath.Join(t.TempDir(), "backup.db")
	if code, _, stderr := cli(t, nil, "", "backup", "--db", db, copyPath); code != 0 {
		t.Fatalf("backup: %s", stderr)
	}
	_, orig, _ := cli(t, nil, "", "export", "--db", db)
	_, copied, _ := cli(t, nil, "", "export", "--db", copyPath)
	if orig != copied || orig == "" {
		t.Fatal("the backup does not hold the same activities")
	}
}

// TestEveryHelp asks every command, and every subcommand that has its own
// flags, for --help: each answers on standard output and exits 0.
func TestEveryHelp(t *testing.T) {
	var cmds [][]string
	for _, c := range commands() {
		cmds = append(cmds, []string{c.name})
	}
	cmds = append(cmds, []string{"criteria", "show"}, []string{"criteria", "set"}, []string{"criteria", "calibrate"},
		[]string{"sources", "add"}, []string{"users", "add"}, []string{"tokens", "create"})
	for _, args := range cmds {
		code, stdout, stderr := cli(t, nil, "", append(args, "--help")...)
		if code != exitOK || !strings.Contains(stdout, "Usage: cadre "+args[0]) || stderr != "" {
			t.Errorf("cadre %s --help: exit %d\nstdout: %.200s\nstderr: %.200s", strings.Join(args, " "), code, stdout, stderr)
		}
	}
}
