package main

import (
	"compress/gzip"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cadrehq/cadre"
	"github.com/cadrehq/cadre/internal/realdata"
	"github.com/cadrehq/cadre/platform/github"
	"github.com/cadrehq/cadre/store"
)

// TestImportRealData imports every real sample through "cadre import" on
// both backends: each gives the activities its platform test counts from the
// raw file (SPEC section 9), per type, and importing it again adds nothing.
func TestImportRealData(t *testing.T) {
	dir := realdata.Dir(t)
	tests := []struct {
		name   string
		args   []string
		read   int // records, counting those a sample repeats
		byType map[string]int
	}{
		// 112 mapped events, of which GH Archive repeats 4 reviews.
		{"gharchive", []string{"--format", "gharchive", filepath.Join(dir, "gharchive", "2021-07-21-few-hours.jsonl")}, 112, map[string]int{"feedback": 13, "forum": 70, "code": 25}},
		{"discourse", []string{"--format", "discourse", "--base-url", "https://forum.example", filepath.Join(dir, "discourse")}, 22, map[string]int{"forum": 22}},
		{"stackexchange", []string{"--format", "stackexchange", "--site", "conlang.stackexchange.com", filepath.Join(dir, "stackexchange")}, 109, map[string]int{"forum": 109}},
		{"rss", []string{"--format", "rss", filepath.Join(dir, "rss")}, 55, map[string]int{"content": 55}},
		{"meetup", []string{"--format", "meetup", filepath.Join(dir, "meetup", "meetup_events.json")}, 3, map[string]int{"speaking": 3}},
	}
	for backend, db := range databases(t) {
		for _, tt := range tests {
			t.Run(backend+"/"+tt.name, func(t *testing.T) {
				args := append([]string{"import", "--db", db}, tt.args...)
				code, out, stderr := cli(t, nil, "", args...)
				if code != 0 {
					t.Fatalf("import: exit %d\n%s%s", code, out, stderr)
				}
				want := 0
				for _, n := range tt.byType {
					want += n
				}
				if !strings.Contains(out, fmt.Sprintf(": %d inserted", want)) {
					t.Errorf("first import: %s, want %d inserted", out, want)
				}
				st, err := store.Open(context.Background(), db)
				if err != nil {
					t.Fatal(err)
				}
				defer st.Close()
				source := map[string]string{"gharchive": "github", "meetup": "events"}[tt.name]
				if source == "" {
					source = tt.name
				}
				for typ, n := range tt.byType {
					_, got, err := st.Activities(context.Background(), cadre.ActivityFilter{Type: typ, Source: source})
					if err != nil {
						t.Fatal(err)
					}
					if got != n {
						t.Errorf("%s activities from %s: %d, want %d", typ, source, got, n)
					}
				}
				code, out, stderr = cli(t, nil, "", args...)
				if code != 0 || !strings.Contains(out, fmt.Sprintf(": 0 inserted, %d duplicates", tt.read)) {
					t.Errorf("second import: exit %d: %s%s", code, out, stderr)
				}
			})
		}
	}
}

func TestImportBadInput(t *testing.T) {
	db := migrated(t)
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	tests := []struct {
		name, format, path, stderr string
		code                       int
	}{
		{"not a feed", "rss", write("page.html", "<html><body>hello</body></html>"), "not an RSS or Atom feed", 1},
		{"GH Archive bad line", "gharchive", write("hour.json", `{"type":"IssueCommentEvent","payload":{"action":"created","comment":{"id":1}}`+"\n{oops\n"), "hour.json:2:", 1},
		{"folder needs a format", "", dir, "needs --format", 2},
		{"unknown format", "yaml", write("x.yaml", "a: 1"), "--format must be one of", 2},
		{"stackexchange needs a folder", "stackexchange", write("Posts.xml", "<posts/>"), "reads a folder", 2},
	}
	for _, tt := range tests {
		args := []string{"import", "--db", db, tt.path}
		if tt.format != "" {
			args = append(args, "--format", tt.format)
		}
		code, _, stderr := cli(t, nil, "", args...)
		if code != tt.code || !strings.Contains(stderr, tt.stderr) {
			t.Errorf("%s: exit %d, stderr %q; want %d and %q", tt.name, code, stderr, tt.code, tt.stderr)
		}
	}
}

// BenchmarkImportGHArchiveHour imports a generated hour of GH Archive in the
// real sample's shape (150,000 events, gzipped as gharchive.org serves it)
// into a new SQLite database with "cadre import", end to end.
func BenchmarkImportGHArchiveHour(b *testing.B) {
	dir := b.TempDir()
	path := filepath.Join(dir, "2026-01-01-15.json.gz")
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	gz := gzip.NewWriter(f)
	if err := github.GenerateHour(gz, 1, 150_000, time.Date(2026, 1, 1, 15, 0, 0, 0, time.UTC)); err != nil {
		b.Fatal(err)
	}
	if err := gz.Close(); err != nil {
		b.Fatal(err)
	}
	f.Close()
	fi, _ := os.Stat(path)
	b.ResetTimer()
	for i := range b.N {
		b.StopTimer()
		db := filepath.Join(dir, fmt.Sprintf("bench-%d.db", i))
		quiet := func(string) string { return "" }
		if code := run(context.Background(), []string{"migrate", "--db", db}, quiet, strings.NewReader(""), discard{}, discard{}); code != 0 {
			b.Fatalf("migrate: exit %d", code)
		}
		b.StartTimer()
		code := run(context.Background(), []string{"import", "--db", db, "--format", "gharchive", path},
			func(string) string { return "" }, strings.NewReader(""), discard{}, discard{})
		if code != 0 {
			b.Fatalf("import: exit %d", code)
		}
	}
	b.ReportMetric(float64(b.N)*150_000/b.Elapsed().Seconds(), "events/s")
	b.ReportMetric(float64(fi.Size())/1e6, "MB-gzipped")
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }
