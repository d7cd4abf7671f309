package stackexchange

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// BenchmarkReader reads a generated dump of 200,000 posts, a third of them
// questions, with bodies of a realistic length.
func BenchmarkReader(b *testing.B) {
	const posts, users = 200_000, 20_000
	dir := b.TempDir()
	body := strings.Repeat("&lt;p&gt;Some words about constructed languages.&lt;/p&gt;&#xA;", 12)
	writeFile(b, filepath.Join(dir, "Users.xml"), "users", users, func(w *bufio.Writer, i int) {
		fmt.Fprintf(w, `  <row Id="%d" Reputation="101" CreationDate="2018-02-06T19:55:45.000" DisplayName="User %d" Views="2" AccountId="%d" />`+"\n", i, i, 1000+i)
	})
	writeFile(b, filepath.Join(dir, "Posts.xml"), "posts", posts, func(w *bufio.Writer, i int) {
		if i%3 == 0 {
			fmt.Fprintf(w, `  <row Id="%d" PostTypeId="1" AcceptedAnswerId="%d" CreationDate="2018-02-06T20:19:50.957" Score="10" ViewCount="172" Body="%s" OwnerUserId="%d" Title="A question" Tags="&lt;x&gt;" AnswerCount="2" />`+"\n", i, i+1, body, i%users+1)
			return
		}
		fmt.Fprintf(w, `  <row Id="%d" PostTypeId="2" ParentId="%d" CreationDate="2018-02-06T20:25:42.850" Score="22" Body="%s" OwnerUserId="%d" LastActivityDate="2018-02-06T20:25:42.850" CommentCount="7" />`+"\n", i, i-i%3, body, i%users+1)
	})
	fi, err := os.Stat(filepath.Join(dir, "Posts.xml"))
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(fi.Size())
	b.ResetTimer()
	for b.Loop() {
		r, err := Open(dir, conlang)
		if err != nil {
			b.Fatal(err)
		}
		recs, bad := readAll(b, r)
		r.Close()
		if len(bad) > 0 || len(recs) != posts-posts/3 {
			b.Fatalf("%d records, %d errors", len(recs), len(bad))
		}
	}
	b.ReportMetric(float64(posts*b.N)/b.Elapsed().Seconds(), "rows/s")
}

func writeFile(b *testing.B, path, root string, n int, row func(*bufio.Writer, int)) {
	b.Helper()
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	w := bufio.NewWriter(f)
	fmt.Fprintf(w, "\ufeff<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<%s>\n", root)
	for i := 1; i <= n; i++ {
		row(w, i)
	}
	fmt.Fprintf(w, "</%s>\n", root)
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
	if err := f.Close(); err != nil {
		b.Fatal(err)
	}
}
