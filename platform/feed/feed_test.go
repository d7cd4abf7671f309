package feed

import (
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/cadrehq/cadre"
	"github.com/cadrehq/cadre/interchange"
	"github.com/cadrehq/cadre/internal/realdata"
)

func readAll(t testing.TB, r *Reader) ([]cadre.ActivityRecord, []*interchange.RecordError) {
	t.Helper()
	var recs []cadre.ActivityRecord
	var bad []*interchange.RecordError
	for {
		rec, err := r.Next()
		if err == io.EOF {
			return recs, bad
		}
		if re, ok := errors.AsType[*interchange.RecordError](err); ok {
			bad = append(bad, re)
			continue
		}
		if err != nil {
			t.Fatalf("Next: %v", err)
		}
		recs = append(recs, rec)
	}
}

var owner = cadre.MemberRef{Platform: "github", Handle: "octocat"}

func TestRealFeeds(t *testing.T) {
	tests := []struct {
		file    string
		entry   *regexp.Regexp // an entry's start tag
		author  *regexp.Regexp // an entry author's name
		first   cadre.ActivityRecord
		authors int // distinct
	}{
		{
			file:   "perceval-rss_entries.xml",
			entry:  regexp.MustCompile(`<item>`),
			author: regexp.MustCompile(`<author>([^<]*)</author>`),
			first: cadre.ActivityRecord{
				Activity: cadre.Activity{
					Type:       "content",
					OccurredAt: time.Date(2016, 12, 6, 17, 17, 0, 0, time.UTC),
					Source:     "rss",
					// The feed has no guids: the link is the identity.
					ExternalID: "http://blog.couchbase.com/2016/november/connect-2016-developer-workshop",
					Status:     cadre.ActivityApproved,
					URL:        "http://blog.couchbase.com/2016/november/connect-2016-developer-workshop",
					Title:      "Connect 2016 Developer Workshop",
				},
				Member: cadre.MemberRef{Platform: "rss", Handle: "Matthew Groves", Name: "Matthew Groves"},
			},
			authors: 11,
		},
		{
			file:   "feed-rs-atom_mediarss_reddit_1.xml",
			entry:  regexp.MustCompile(`<entry>`),
			author: regexp.MustCompile(`<author>\s*<name>([^<]*)</name>`),
			first: cadre.ActivityRecord{
				Activity: cadre.Activity{
					Type:       "content",
					OccurredAt: time.Date(2023, 7, 23, 17, 38, 30, 0, time.UTC),
					Source:     "rss",
					ExternalID: "t3_157kyrd",
					Status:     cadre.ActivityApproved,
					URL:        "https://ud.reddit.com/r/homelab/comments/157kyrd/any_reason_to_keep_1g_connections_to_my_servers/",
					Title:      "Any reason to keep 1G connections to my servers?",
				},
				Member: cadre.MemberRef{Platform: "rss", Handle: "/u/Remarkable_Housing61", Name: "/u/Remarkable_Housing61"},
			},
			authors: 24, // of 25 entries: one author wrote two
		},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			path := realdata.Path(t, "rss", tt.file)
			raw, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			wantEntries := len(tt.entry.FindAllIndex(raw, -1))
			wantAuthors := map[string]bool{}
			for _, m := range tt.author.FindAllSubmatch(raw, -1) {
				wantAuthors[string(m[1])] = true
			}
			if wantEntries == 0 || len(wantAuthors) != tt.authors {
				t.Fatalf("the test's own count found %d entries and %d authors", wantEntries, len(wantAuthors))
			}

			// Many authors: each entry is its author's.
			recs := readFile(t, path, cadre.MemberRef{})
			if len(recs) != wantEntries {
				t.Errorf("%d records, want %d", len(recs), wantEntries)
			}
			gotAuthors := map[string]bool{}
			for _, rec := range recs {
				gotAuthors[rec.Member.Handle] = true
			}
			if fmt.Sprint(gotAuthors) != fmt.Sprint(wantAuthors) {
				t.Errorf("authors %v, want %v", gotAuthors, wantAuthors)
			}
			if len(recs) > 0 && fmt.Sprint(recs[0]) != fmt.Sprint(tt.first) {
				t.Errorf("first record\n%+v\nwant\n%+v", recs[0], tt.first)
			}

			// One owner: every entry is the owner's.
			recs = readFile(t, path, owner)
			if len(recs) != wantEntries {
				t.Errorf("with an owner: %d records, want %d", len(recs), wantEntries)
			}
			for _, rec := range recs {
				if rec.Member != owner {
					t.Fatalf("with an owner: member %+v", rec.Member)
				}
			}
		})
	}
}

func readFile(t *testing.T, path string, owner cadre.MemberRef) []cadre.ActivityRecord {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := NewReader(f, path, owner)
	if err != nil {
		t.Fatal(err)
	}
	recs, bad := readAll(t, r)
	if len(bad) > 0 {
		t.Errorf("record errors: %v", bad)
	}
	return recs
}

func TestEntries(t *testing.T) {
	const rss = `<?xml version="1.0"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel>
<title>Blog</title>
<item>
  <title>No date</title>
  <link>https://blog.example.org/no-date</link>
</item>
<item>
  <title>Bad date</title>
  <guid>b</guid>
  <pubDate>someday</pubDate>
</item>
<item><title>Nameless</title><pubDate>Tue, 06 Dec 2016 17:17:00 +0000</pubDate></item>
<item>
  <guid isPermaLink="false">tag:blog.example.org,2016:4</guid>
  <link>https://blog.example.org/4</link>
  <pubDate>Tue, 06 Dec 2016 17:17:00 +0100</pubDate>
  <author>Alice@Example.org (Alice A.)</author>
</item>
<item>
  <link>https://blog.example.org/5</link>
  <pubDate>Wed, 07 Dec 2016 09:00:00 GMT</pubDate>
  <dc:creator>Bob B.</dc:creator>
</item>
<item>
  <link>https://blog.example.org/6</link>
  <pubDate>Wed, 07 Dec 2016 09:00:00 GMT</pubDate>
</item>
</channel>
</rss>
`
	const atom = `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Team blog</title>
  <author><name>Team</name><email>team@example.org</email></author>
  <id>urn:uuid:feed</id>
  <entry>
    <title>Updated only</title>
    <id>urn:uuid:1</id>
    <link href="https://example.org/1"/>
    <updated>2024-05-01T10:00:00+02:00</updated>
  </entry>
  <entry>
    <title>By Carol</title>
    <id>urn:uuid:2</id>
    <published>2024-05-02T10:00:00Z</published>
    <updated>2024-06-01T10:00:00Z</updated>
    <author><email>carol@example.org</email></author>
  </entry>
  <entry>
    <title>Ancient</title>
    <id>urn:uuid:3</id>
    <published>1900-01-01T00:00:00Z</published>
  </entry>
</feed>
`
	type want struct {
		id, handle, email string
		at                string
	}
	tests := []struct {
		name  string
		feed  string
		owner cadre.MemberRef
		want  []want
		bad   map[int]string // line → part of the reason
	}{
		{
			name: "rss, many authors",
			feed: rss,
			want: []want{
				{"tag:blog.example.org,2016:4", "Alice A.", "alice@example.org", "2016-12-06T16:17:00Z"},
				{"https://blog.example.org/5", "Bob B.", "", "2016-12-07T09:00:00Z"},
			},
			bad: map[int]string{
				5:  `entry 1 ("No date"): no published or updated date`,
				9:  `entry 2 ("Bad date"): published date "someday" is not a date`,
				14: `entry 3 ("Nameless"): no guid, id or link`,
				26: "entry 6: no author, and the feed was read without an owner",
			},
		},
		{
			name:  "rss, one owner",
			feed:  rss,
			owner: cadre.MemberRef{Email: "owner@example.org"},
			want: []want{
				{"tag:blog.example.org,2016:4", "", "owner@example.org", "2016-12-06T16:17:00Z"},
				{"https://blog.example.org/5", "", "owner@example.org", "2016-12-07T09:00:00Z"},
				{"https://blog.example.org/6", "", "owner@example.org", "2016-12-07T09:00:00Z"},
			},
			bad: map[int]string{5: "no published", 9: "not a date", 14: "no guid"},
		},
		{
			name: "atom, feed author stands in",
			feed: atom,
			want: []want{
				{"urn:uuid:1", "Team", "team@example.org", "2024-05-01T08:00:00Z"},
				{"urn:uuid:2", "carol@example.org", "carol@example.org", "2024-05-02T10:00:00Z"},
			},
			bad: map[int]string{19: `entry 3 ("Ancient"): date 1900-01-01T00:00:00Z is out of range`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := NewReader(strings.NewReader(tt.feed), "blog.xml", tt.owner)
			if err != nil {
				t.Fatal(err)
			}
			recs, bad := readAll(t, r)
			var got []want
			for _, rec := range recs {
				got = append(got, want{rec.ExternalID, rec.Member.Handle, rec.Member.Email, rec.OccurredAt.Format(time.RFC3339)})
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("records\n%v\nwant\n%v", got, tt.want)
			}
			if len(bad) != len(tt.bad) {
				t.Errorf("record errors %v, want %d", bad, len(tt.bad))
			}
			for _, e := range bad {
				if want, ok := tt.bad[e.Line]; !ok || e.File != "blog.xml" || !strings.Contains(e.Reason, want) {
					t.Errorf("unexpected record error %v", e)
				}
			}
		})
	}
}

func TestNotAFeed(t *testing.T) {
	raw, err := os.ReadFile(realdata.Path(t, "rss", "feed-rs-atom_mediarss_reddit_1.xml"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, input, want string
	}{
		{"empty", "", "it is empty"},
		{"blank", " \n", "it is empty"},
		{"html page", "<!DOCTYPE html>\n<html><head><title>Blog</title></head><body></body></html>", "no <rss>, <rdf:RDF> or <feed> root element"},
		{"json", `{"version": "https://jsonfeed.org/version/1.1", "items": []}`, "it is JSON"},
		{"truncated", string(raw[:len(raw)/2]), "unexpected EOF"},
		{"text", "hello", "no <rss>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewReader(strings.NewReader(tt.input), "blog.xml", owner)
			if err == nil || !strings.Contains(err.Error(), "blog.xml is not an RSS or Atom feed: ") || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want one saying blog.xml is not a feed: %s", err, tt.want)
			}
		})
	}
}

func TestBadOwner(t *testing.T) {
	for _, o := range []cadre.MemberRef{{Handle: "alice"}, {Name: "Alice"}, {Platform: "github"}} {
		if _, err := NewReader(strings.NewReader("<rss/>"), "blog.xml", o); err == nil || !strings.Contains(err.Error(), "owner") {
			t.Errorf("owner %+v: %v, want an error about the owner", o, err)
		}
	}
}
