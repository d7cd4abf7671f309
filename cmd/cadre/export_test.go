package main

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cadrehq/cadre"
	"github.com/cadrehq/cadre/store"
)

// threeRecords are imported by the export tests: ids 1, 2 and 3 of source
// "import".
const threeRecords = `{"external_id":"1","type":"forum","occurred_at":"2025-01-01T00:00:00Z","member":{"platform":"github","handle":"ann"}}
{"external_id":"2","type":"forum","occurred_at":"2025-01-02T00:00:00Z","member":{"platform":"github","handle":"ann"}}
{"external_id":"3","type":"forum","occurred_at":"2025-01-03T00:00:00Z","member":{"platform":"github","handle":"bob"}}
`

// tamper changes stored rows behind the store's back, as a database written
// by an older Cadre, or by hand, holds them.
func tamper(t *testing.T, db, query string) {
	t.Helper()
	driver := "sqlite"
	if strings.HasPrefix(db, "postgres://") {
		driver = "pgx"
	}
	conn, err := sql.Open(driver, db)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.Exec(query); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
}

// TestExportWritesEveryStoredActivity exports activities that import would
// refuse now: the export goes on to the end and holds them as stored, and
// importing it again names each refusal.
func TestExportWritesEveryStoredActivity(t *testing.T) {
	for name, db := range databases(t) {
		t.Run(name, func(t *testing.T) {
			if code, _, stderr := cli(t, nil, threeRecords, "import", "--db", db, "-"); code != 0 {
				t.Fatalf("import: %s", stderr)
			}
			// Stored when times up to 9999 were taken.
			late := time.Date(2150, 6, 1, 0, 0, 0, 0, time.UTC)
			tamper(t, db, "UPDATE activities SET occurred_at = "+strconv.FormatInt(late.UnixMicro(), 10)+" WHERE external_id = '2'")
			// A self-report, which only the review approves.
			func() {
				ctx := context.Background()
				st, err := store.Open(ctx, db)
				if err != nil {
					t.Fatal(err)
				}
				defer st.Close()
				ann, err := st.FindMember(ctx, "github:ann")
				if err != nil {
					t.Fatal(err)
				}
				r := cadre.SelfReport{MemberID: ann, Type: "speaking", Date: time.Date(2025, 1, 5, 0, 0, 0, 0, time.UTC), Title: "A talk"}
				if _, err := st.Report(ctx, r, "ann"); err != nil {
					t.Fatal(err)
				}
			}()

			code, out, stderr := cli(t, nil, "", "export", "--db", db)
			if code != 0 || strings.Count(out, "\n") != 4 || !strings.Contains(out, `"external_id":"2","type":"forum","occurred_at":"2150-06-01T00:00:00Z"`) ||
				!strings.Contains(out, `{"source":"self-report",`) {
				t.Fatalf("export: exit %d:\n%s%s", code, out, stderr)
			}
			code, out, stderr = cli(t, nil, out, "import", "--db", migrated(t), "-")
			if code != exitFailure || !strings.Contains(stderr, `stdin:2: occurred_at: "2150-06-01T00:00:00Z" is out of range`) ||
				!strings.Contains(stderr, `stdin:4: source: "self-report" is reserved`) ||
				!strings.Contains(out, "2 inserted, 0 duplicates, 2 rejected") {
				t.Errorf("re-import: exit %d:\n%s%s", code, out, stderr)
			}
		})
	}
}

// TestExportSkipsWhatTheFormatCannotCarry stores text that is not UTF-8,
// which SQLite keeps and PostgreSQL refuses: the export skips that activity,
// names it, writes the others and exits 1.
func TestExportSkipsWhatTheFormatCannotCarry(t *testing.T) {
	db := migrated(t)
	if code, _, stderr := cli(t, nil, threeRecords, "import", "--db", db, "-"); code != 0 {
		t.Fatalf("import: %s", stderr)
	}
	tamper(t, db, `UPDATE activities SET title = CAST(x'ff' AS TEXT) WHERE external_id = '2'`)
	for _, format := range []string{"jsonl", "csv"} {
		code, out, stderr := cli(t, nil, "", "export", "--db", db, "--format", format)
		lines := strings.Count(out, "\n")
		if format == "csv" {
			lines-- // the header
		}
		if code != exitFailure || lines != 2 || !strings.Contains(stderr, "skipped activity import/2: title: invalid UTF-8") ||
			!strings.Contains(stderr, "1 activities skipped") {
			t.Errorf("%s export: exit %d, %d records:\n%s%s", format, code, lines, out, stderr)
		}
	}
}

// TestExportOutFile checks that --out replaces the file only when the export
// is complete, and leaves no temporary file behind either way.
func TestExportOutFile(t *testing.T) {
	db := migrated(t)
	if code, _, stderr := cli(t, nil, threeRecords, "import", "--db", db, "-"); code != 0 {
		t.Fatalf("import: %s", stderr)
	}
	dir := t.TempDir()
	out := filepath.Join(dir, "activities.jsonl")
	if err := os.WriteFile(out, []byte("the last export\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	files := func() []string {
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		return names
	}

	// Metrics that do not decode fail the export after it has begun.
	tamper(t, db, `UPDATE activities SET metrics = '{' WHERE external_id = '3'`)
	if code, _, stderr := cli(t, nil, "", "export", "--db", db, "--out", out); code != exitFailure || !strings.Contains(stderr, "decode metrics") {
		t.Fatalf("failing export: exit %d: %s", code, stderr)
	}
	if b, _ := os.ReadFile(out); string(b) != "the last export\n" || len(files()) != 1 {
		t.Fatalf("a failed export left %q and files %q", b, files())
	}

	tamper(t, db, `UPDATE activities SET metrics = '' WHERE external_id = '3'`)
	code, _, stderr := cli(t, nil, "", "export", "--db", db, "--out", out)
	if code != 0 || !strings.Contains(stderr, "exported 3 activities to "+out) {
		t.Fatalf("export: exit %d: %s", code, stderr)
	}
	_, want, _ := cli(t, nil, "", "export", "--db", db)
	if b, _ := os.ReadFile(out); string(b) != want || len(files()) != 1 {
		t.Fatalf("export wrote %q and left files %q, want %q alone", b, files(), want)
	}

	if code, _, _ := cli(t, nil, "", "export", "--db", db, "--out", filepath.Join(dir, "missing", "x.jsonl")); code != exitFailure || len(files()) != 1 {
		t.Fatalf("export into a missing folder: exit %d, files %q", code, files())
	}
}
