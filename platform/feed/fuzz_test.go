package feed

import (
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/cadrehq/cadre"
	"github.com/cadrehq/cadre/interchange"
)

// FuzzFeed reads any input as a feed of many authors: it must never panic,
// refuse clearly what is not a feed, and yield only complete records.
func FuzzFeed(f *testing.F) {
	for _, seed := range []string{
		`<rss version="2.0"><channel><item><guid>1</guid><pubDate>Tue, 06 Dec 2016 17:17:00 +0000</pubDate><author>a@b.c (A)</author></item></channel></rss>`,
		`<feed xmlns="http://www.w3.org/2005/Atom"><author><name>T</name></author><entry><id>x</id><updated>2024-05-01T10:00:00Z</updated></entry></feed>`,
		`<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"><channel/><item><link>http://x</link><dc:date xmlns:dc="http://purl.org/dc/elements/1.1/">2020-01-01</dc:date></item></rdf:RDF>`,
		`<rss><channel><item><title>&nbsp;</title></item>`,
		`{"items": []}`,
		"<html></html>",
		"",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, input string) {
		r, err := NewReader(strings.NewReader(input), "in.xml", cadre.MemberRef{})
		if err != nil {
			if !strings.HasPrefix(err.Error(), "in.xml is not an RSS or Atom feed: ") {
				t.Fatalf("unclear error: %v", err)
			}
			return
		}
		for {
			rec, err := r.Next()
			if err == io.EOF {
				return
			}
			if re, ok := errors.AsType[*interchange.RecordError](err); ok {
				if re.File != "in.xml" || !strings.HasPrefix(re.Reason, "entry ") {
					t.Fatalf("record error does not name the entry: %v", re)
				}
				continue
			}
			if err != nil {
				t.Fatalf("Next: %v", err)
			}
			if rec.ExternalID == "" || rec.Member.Platform != Platform || rec.Member.Handle == "" || rec.OccurredAt.Year() < 1970 {
				t.Fatalf("incomplete record %+v", rec)
			}
		}
	})
}
