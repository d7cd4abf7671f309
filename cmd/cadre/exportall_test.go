package main

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/cadrehq/cadre"
	"github.com/cadrehq/cadre/archive"
	"github.com/cadrehq/cadre/demo"
	"github.com/cadrehq/cadre/program"
	"github.com/cadrehq/cadre/store"
)

// smallDemoNow is the end of the small demo's history.
var smallDemoNow = time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)

// smallDemo fills the migrated database db with a small demo community.
func smallDemo(t *testing.T, db string) {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	e := &env{getenv: func(string) string { return "" }, stdin: strings.NewReader(""), stdout: io.Discard, stderr: io.Discard,
		log: slog.New(slog.DiscardHandler)}
	if err := populateDemo(ctx, e, st, demo.Options{Seed: 3, Members: 120, Activities: 1500, Now: smallDemoNow}); err != nil {
		t.Fatal(err)
	}
}

// programView is what a program shows through the commands and the store's
// listings, each read its own way, to compare two databases by.
type programView struct {
	Leaderboard, Roster, Activities, Health string
	Members                                 []cadre.MemberSummary
	Identities                              map[int64][]cadre.Identity
	Terms                                   []program.Term
	Invitations                             []program.Invitation
	Applications                            []program.Application
	Notes                                   map[int64][]program.Note
	Criteria                                []cadre.CriteriaDoc
	StaffDomains                            []string
	// Program is everything an export reads, for what the listings above
	// leave out (merges, reviews, excusals…) and what the demo may gain.
	Program *archive.Program
}

// viewOf reads the program of the database db.
func viewOf(t *testing.T, db string) programView {
	t.Helper()
	ctx := context.Background()
	var v programView
	at := smallDemoNow.Format(time.RFC3339)
	for _, c := range []struct {
		out  *string
		args []string
	}{
		{&v.Leaderboard, []string{"leaderboard", "--json", "--top", "0", "--at", at}},
		{&v.Roster, []string{"roster", "export", "--format", "jsonl"}},
		{&v.Activities, []string{"export"}},
		{&v.Health, []string{"health", "--json", "--quarter", program.QuarterOf(smallDemoNow, time.UTC).Prev().String()}},
	} {
		code, out, stderr := cli(t, nil, "", append(c.args, "--db", db)...)
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", strings.Join(c.args, " "), code, stderr)
		}
		*c.out = out
	}
	st, err := store.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if v.Members, _, err = st.Members(ctx, cadre.MemberFilter{Limit: 1 << 20}); err != nil {
		t.Fatal(err)
	}
	v.Identities = map[int64][]cadre.Identity{}
	for _, m := range v.Members {
		if v.Identities[m.ID], err = st.Identities(ctx, m.ID); err != nil {
			t.Fatal(err)
		}
	}
	if v.Terms, err = st.Terms(ctx, 0); err != nil {
		t.Fatal(err)
	}
	if v.Invitations, err = st.Invitations(ctx, 0); err != nil {
		t.Fatal(err)
	}
	if v.Applications, err = st.Applications(ctx, ""); err != nil {
		t.Fatal(err)
	}
	v.Notes = map[int64][]program.Note{}
	for _, a := range v.Applications {
		if v.Notes[a.ID], err = st.ApplicationNotes(ctx, a.ID); err != nil {
			t.Fatal(err)
		}
	}
	history, err := st.CriteriaHistory(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range history {
		doc, err := st.Criteria(ctx, h.Version)
		if err != nil {
			t.Fatal(err)
		}
		v.Criteria = append(v.Criteria, *doc)
	}
	if v.StaffDomains, err = st.StaffDomains(ctx); err != nil {
		t.Fatal(err)
	}
	if v.Program, err = st.ExportProgram(ctx, func(*cadre.ActivityRecord) error { return nil }); err != nil {
		t.Fatal(err)
	}
	// An import renews the audit log's IDs and adds its own entry.
	for i := range v.Program.Audit {
		v.Program.Audit[i].ID = 0
	}
	return v
}

// TestExportAllImportAllRoundTripsTheDemo moves a small demo from each
// backend into each with export --all and import --all, and finds the same
// program there: leaderboard, members, terms, invitations, applications,
// criteria, activities and the rest.
func TestExportAllImportAllRoundTripsTheDemo(t *testing.T) {
	for from, src := range databases(t) {
		t.Run("from "+from, func(t *testing.T) {
			smallDemo(t, src)
			want := viewOf(t, src)
			if len(want.Members) < 100 || len(want.Terms) == 0 || len(want.Criteria) != 2 || want.Leaderboard == "[]\n" {
				t.Fatalf("the demo is too small to show anything: %d members, %d terms, %d criteria versions", len(want.Members), len(want.Terms), len(want.Criteria))
			}
			dir := filepath.Join(t.TempDir(), "program")
			code, _, stderr := cli(t, nil, "", "export", "--db", src, "--all", dir)
			if code != 0 || !strings.Contains(stderr, "exported 12") {
				t.Fatalf("export --all: exit %d: %s", code, stderr)
			}
			for to, dst := range databases(t) {
				t.Run("to "+to, func(t *testing.T) {
					code, out, stderr := cli(t, map[string]string{"USER": "mover"}, "", "import", "--all", dir, "--db", dst)
					if code != 0 || !strings.Contains(out, dir+": imported ") {
						t.Fatalf("import --all: exit %d: %s%s", code, out, stderr)
					}
					got := viewOf(t, dst)
					last := got.Program.Audit[len(got.Program.Audit)-1]
					if last.Action != "program.import" || last.Actor != "mover" {
						t.Errorf("the last audit entry is %+v, want the import's", last)
					}
					got.Program.Audit = got.Program.Audit[:len(got.Program.Audit)-1]
					compareViews(t, got, want)

					code, _, stderr = cli(t, nil, "", "import", "--all", dir, "--db", dst)
					if code != exitFailure || !strings.Contains(stderr, "the database holds 12") || !strings.Contains(stderr, "a program is imported into an empty database only") {
						t.Errorf("a second import --all: exit %d: %s", code, stderr)
					}
				})
			}
		})
	}
}

// compareViews reports each part of a program view that differs.
func compareViews(t *testing.T, got, want programView) {
	t.Helper()
	g, w := reflect.ValueOf(got), reflect.ValueOf(want)
	for i := range g.NumField() {
		name := g.Type().Field(i).Name
		if !reflect.DeepEqual(g.Field(i).Interface(), w.Field(i).Interface()) {
			gj, _ := json.MarshalIndent(g.Field(i).Interface(), "", " ")
			wj, _ := json.MarshalIndent(w.Field(i).Interface(), "", " ")
			t.Errorf("%s after the move:\n%.3000s\nwant:\n%.3000s", name, gj, wj)
		}
	}
}

// TestImportAllRefusesBadArchives edits a good archive one way at a time:
// import --all names the file and line, and the database holds nothing
// after.
func TestImportAllRefusesBadArchives(t *testing.T) {
	src := migrated(t)
	smallDemo(t, src)
	good := filepath.Join(t.TempDir(), "program")
	if code, _, stderr := cli(t, nil, "", "export", "--db", src, "--all", good); code != 0 {
		t.Fatalf("export --all: %s", stderr)
	}
	tests := []struct {
		name string
		file string
		line int // the line to edit, from 1
		edit func(line string) string
		want string
	}{
		{"malformed member", archive.MembersFile, 3, func(l string) string { return l[:len(l)/2] }, "members.jsonl:3: invalid JSON"},
		{"malformed activity", archive.ActivitiesFile, 700, func(l string) string { return strings.Replace(l, `"type":"`, `"type":`, 1) },
			"activities.jsonl:700: invalid JSON at column"},
		{"activity of nobody", archive.ActivitiesFile, 1200, func(l string) string {
			return strings.Replace(l, `"member":{"id":"`, `"member":{"id":"9999`, 1)
		}, "activities.jsonl:1200: member.id: member 9999"},
		{"a term by no known way", archive.TermsFile, 1, func(l string) string { return strings.Replace(l, `"via":"`, `"via":"x`, 1) }, "terms.jsonl:1: a term begins by invitation, application or roster"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "program")
			if err := os.CopyFS(dir, os.DirFS(good)); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(dir, tt.file)
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			lines := strings.Split(string(b), "\n")
			lines[tt.line-1] = tt.edit(lines[tt.line-1])
			if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")), 0o600); err != nil {
				t.Fatal(err)
			}
			for name, db := range databases(t) {
				code, _, stderr := cli(t, nil, "", "import", "--all", dir, "--db", db)
				if code != exitFailure || !strings.Contains(stderr, tt.want) {
					t.Errorf("%s: exit %d: %s, want %q", name, code, stderr, tt.want)
				}
				if code, out, stderr := cli(t, nil, "", "members", "--db", db); code != 0 || strings.Count(out, "\n") > 1 {
					t.Errorf("%s: a failed import left members: exit %d: %s%s", name, code, out, stderr)
				}
			}
		})
	}
}

func TestExportAllUsage(t *testing.T) {
	db := migrated(t)
	full := t.TempDir()
	if err := os.WriteFile(filepath.Join(full, "x"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"export", "--all"}, exitUsage, "export --all needs one DIR"},
		{[]string{"export", "--all", "d", "--format", "csv"}, exitUsage, "--all takes no --format"},
		{[]string{"export", "--all", full}, exitFailure, "is not empty (it holds x): an archive goes into a new or empty folder"},
		{[]string{"import", "--all"}, exitUsage, "import --all needs one DIR"},
		{[]string{"import", "--all", "d", "--strict"}, exitUsage, "--all takes no --strict"},
		{[]string{"import", "--all", full}, exitFailure, "has no manifest.json: it is no complete archive"},
	}
	for _, tt := range tests {
		code, _, stderr := cli(t, nil, "", append(tt.args, "--db", db)...)
		if code != tt.code || !strings.Contains(stderr, tt.want) {
			t.Errorf("%q: exit %d: %s, want %d and %q", tt.args, code, stderr, tt.code, tt.want)
		}
	}
	if entries, _ := os.ReadDir(full); len(entries) != 1 {
		t.Errorf("a refused export wrote into the folder: %v", entries)
	}
}
