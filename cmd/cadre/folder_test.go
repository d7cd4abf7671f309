package main

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func gzipped(t *testing.T, s string) string {
	t.Helper()
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	if _, err := zw.Write([]byte(s)); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// TestImportFolderGoesOnAfterABadFile imports folders in which some files
// cannot be read to the end: each bad file is named, the files after it are
// imported, and the exit status says that some failed.
func TestImportFolderGoesOnAfterABadFile(t *testing.T) {
	line := func(id string) string {
		return fmt.Sprintf(`{"external_id":%q,"type":"forum","occurred_at":"2025-01-01T00:00:00Z","member":{"platform":"github","handle":"ann"}}`+"\n", id)
	}
	gz := gzipped(t, line("b1")+line("b2"))
	post := `{"id": %d, "post_number": 2, "username": "u", "created_at": "2025-01-01T00:00:00Z", "topic_id": 1}`
	item := `<item><guid>%s</guid><title>T</title><author>ann@example.org (Ann)</author><pubDate>Tue, 06 Dec 2016 17:17:00 +0000</pubDate></item>`
	feed := func(guid string) string {
		return `<?xml version="1.0"?><rss version="2.0"><channel><title>Blog</title>` + fmt.Sprintf(item, guid) + `</channel></rss>`
	}
	tests := []struct {
		name    string
		args    []string
		files   map[string]string
		summary string
		bad     []string // the files named on stderr
	}{
		{"jsonl", []string{"--format", "jsonl"}, map[string]string{
			"a.jsonl":    line("a1") + line("a2"),
			"b.jsonl.gz": gz[:len(gz)-4], // cut in the trailer: the records stand, the file fails
			"c.jsonl.gz": gz[:2] + "garbage after the magic",
			"d.jsonl.gz": gzipped(t, line("d1")+line("d2")),
			"e.jsonl":    line("e1") + "{oops\n",
			"README.md":  "not read",
		}, "7 inserted, 0 duplicates, 1 rejected, 2 files failed", []string{"b.jsonl.gz", "c.jsonl.gz"}},
		{"csv", []string{"--format", "csv"}, map[string]string{
			"a.csv": "nonsense,header\nx,y\n",
			"b.csv": "type,occurred_at,member_email\nforum,2025-01-01T00:00:00Z,ann@example.org\n",
		}, "1 inserted, 0 duplicates, 0 rejected, 1 files failed", []string{"a.csv"}},
		{"rss", []string{"--format", "rss"}, map[string]string{
			"a.xml": "<html>not a feed</html>",
			"b.xml": feed("https://blog.example/1"),
		}, "1 inserted, 0 duplicates, 0 rejected, 1 files failed", []string{"a.xml"}},
		{"discourse", []string{"--format", "discourse"}, map[string]string{
			"a.json": `{"latest_posts": [`,
			"b.json": fmt.Sprintf(`{"latest_posts": [`+post+`]}`, 7),
		}, "1 inserted, 0 duplicates, 0 rejected, 1 files failed", []string{"a.json"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			for name, content := range tt.files {
				if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			db := migrated(t)
			args := append([]string{"import", "--db", db, dir}, tt.args...)
			code, out, stderr := cli(t, nil, "", args...)
			if code != exitFailure || !strings.Contains(out, tt.summary) {
				t.Errorf("exit %d, %q; want 1 and %q\n%s", code, out, tt.summary, stderr)
			}
			for _, name := range tt.bad {
				if !strings.Contains(stderr, filepath.Join(dir, name)) {
					t.Errorf("stderr does not name %s:\n%s", name, stderr)
				}
			}
			if n := strings.Count(stderr, "(skipped the rest of the file)"); n != len(tt.bad) {
				t.Errorf("%d files skipped, want %d:\n%s", n, len(tt.bad), stderr)
			}

			// --strict imports nothing when a file fails.
			strictDB := migrated(t)
			code, out, stderr = cli(t, nil, "", append([]string{"import", "--db", strictDB, "--strict", dir}, tt.args...)...)
			if _, exported, _ := cli(t, nil, "", "export", "--db", strictDB); code != exitFailure || exported != "" {
				t.Errorf("strict: exit %d, stored %q\n%s%s", code, exported, out, stderr)
			}
		})
	}
}
