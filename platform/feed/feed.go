// Package feed reads the entries of an RSS or Atom feed as content activities,
// following the defaults of SPEC section 9, with gofeed.
//
// A feed usually belongs to one member, the ambassador whose blog it is, and
// the caller says who: every entry is then credited to that member. A feed of
// many authors, such as a company blog, is read with a zero owner instead:
// each entry is credited to its own author (or the feed's, when the entry
// names none) on platform "rss". The handle is the author's name, as the
// feed spells it, or the email address when there is no name; the email, when
// the feed gives one, also lets the import match a member known by address.
//
// Every entry is a "content" activity with source "rss", external_id its
// guid (Atom: id), else its link, occurred_at its published time, else its
// updated time, its title and url its link. An entry without an identity or a
// time is a bad record.
//
// gofeed builds every entry in memory, so a feed is read whole, up to
// MaxFeedBytes: feeds are small.
package feed

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/mmcdole/gofeed"

	"github.com/cadrehq/cadre"
	"github.com/cadrehq/cadre/interchange"
)

// Source, Platform and ActivityType are what the reader puts in its records.
const (
	Source       = "rss"
	Platform     = "rss" // the platform of authors named by the feed
	ActivityType = "content"
)

// MaxFeedBytes bounds the size of a feed.
const MaxFeedBytes = 32 << 20

// Reader yields the entries of one feed. It is not safe for concurrent use.
type Reader struct {
	file        string
	owner       cadre.MemberRef // zero for a feed of many authors
	feedAuthors []*gofeed.Person
	items       []*gofeed.Item
	lines       []int // the line each item starts on; nil when unknown, and errors say line 0
	next        int
}

// NewReader parses the feed read from r, named file in messages, whose
// entries are credited to owner, or to their authors when owner is zero.
// Input that is not an RSS or Atom feed is an error, and nothing is yielded.
func NewReader(r io.Reader, file string, owner cadre.MemberRef) (*Reader, error) {
	if owner != (cadre.MemberRef{}) && (owner.IsZero() || owner.Handle != "" && owner.Platform == "") {
		return nil, fmt.Errorf("read feed %s: the owner needs a platform and handle, or an email", file)
	}
	data, err := io.ReadAll(io.LimitReader(r, MaxFeedBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read feed %s: %w", file, err)
	}
	if len(data) > MaxFeedBytes {
		return nil, fmt.Errorf("read feed %s: larger than %d MiB", file, MaxFeedBytes>>20)
	}
	notFeed := func(err error) error {
		return fmt.Errorf("%s is not an RSS or Atom feed: %w", file, err)
	}
	switch gofeed.DetectFeedType(bytes.NewReader(data)) {
	case gofeed.FeedTypeRSS, gofeed.FeedTypeAtom:
	case gofeed.FeedTypeJSON:
		return nil, notFeed(errors.New("it is JSON"))
	default:
		if len(bytes.TrimSpace(data)) == 0 {
			return nil, notFeed(errors.New("it is empty"))
		}
		return nil, notFeed(errors.New("no <rss>, <rdf:RDF> or <feed> root element"))
	}
	f, err := gofeed.NewParser().Parse(bytes.NewReader(data))
	if err != nil {
		return nil, notFeed(err)
	}
	rd := &Reader{file: file, owner: owner, feedAuthors: f.Authors, items: f.Items}
	if lines := entryLines(data); len(lines) == len(f.Items) {
		rd.lines = lines
	}
	return rd, nil
}

// Next returns the next entry. A bad entry comes back as an
// *interchange.RecordError and reading can go on; io.EOF ends the feed.
func (r *Reader) Next() (cadre.ActivityRecord, error) {
	if r.next >= len(r.items) {
		return cadre.ActivityRecord{}, io.EOF
	}
	i := r.next
	r.next++
	rec, reason := r.record(r.items[i])
	if reason != "" {
		line := 0
		if r.lines != nil {
			line = r.lines[i]
		}
		return cadre.ActivityRecord{}, &interchange.RecordError{File: r.file, Line: line, Reason: fmt.Sprintf("%s: %s", r.name(i), reason)}
	}
	return rec, nil
}

// name names item i in messages, by its place and title.
func (r *Reader) name(i int) string {
	if title := strings.TrimSpace(r.items[i].Title); title != "" {
		return fmt.Sprintf("entry %d (%s)", i+1, strconv.Quote(title))
	}
	return fmt.Sprintf("entry %d", i+1)
}

// record maps an entry, or returns the reason it cannot.
func (r *Reader) record(it *gofeed.Item) (cadre.ActivityRecord, string) {
	link := strings.TrimSpace(it.Link)
	id := strings.TrimSpace(it.GUID)
	if id == "" {
		id = link
	}
	if id == "" {
		return cadre.ActivityRecord{}, "no guid, id or link"
	}
	var at time.Time
	switch {
	case it.PublishedParsed != nil:
		at = *it.PublishedParsed
	case it.UpdatedParsed != nil:
		at = *it.UpdatedParsed
	case it.Published != "":
		return cadre.ActivityRecord{}, fmt.Sprintf("published date %s is not a date", strconv.Quote(it.Published))
	case it.Updated != "":
		return cadre.ActivityRecord{}, fmt.Sprintf("updated date %s is not a date", strconv.Quote(it.Updated))
	default:
		return cadre.ActivityRecord{}, "no published or updated date"
	}
	if reason := cadre.CheckActivityTime(at); reason != "" {
		return cadre.ActivityRecord{}, fmt.Sprintf("date %s is %s", at.Format(time.RFC3339), reason)
	}
	member := r.owner
	if member == (cadre.MemberRef{}) {
		var ok bool
		if member, ok = author(it.Authors); !ok {
			if member, ok = author(r.feedAuthors); !ok {
				return cadre.ActivityRecord{}, "no author, and the feed was read without an owner"
			}
		}
	}
	return cadre.ActivityRecord{
		Activity: cadre.Activity{
			Type:       ActivityType,
			OccurredAt: at.UTC(),
			Source:     Source,
			ExternalID: id,
			Status:     cadre.ActivityApproved,
			URL:        link,
			Title:      strings.TrimSpace(it.Title),
		},
		Member: member,
	}, ""
}

// author names the first of people with a name or an email address.
func author(people []*gofeed.Person) (cadre.MemberRef, bool) {
	for _, p := range people {
		if p == nil {
			continue
		}
		name := strings.TrimSpace(p.Name)
		email := strings.ToLower(strings.TrimSpace(p.Email))
		if !strings.Contains(email, "@") {
			email = ""
		}
		handle := name
		if handle == "" {
			handle = email
		}
		if handle != "" {
			return cadre.MemberRef{Platform: Platform, Handle: handle, Email: email, Name: name}, true
		}
	}
	return cadre.MemberRef{}, false
}

// entryLines returns the lines on which the entries of a feed start, in
// order, for messages: gofeed does not say. It reads leniently, as gofeed
// does; when it counts other entries than gofeed found, the caller ignores it.
func entryLines(data []byte) []int {
	dec := xml.NewDecoder(bytes.NewReader(data))
	dec.Strict = false
	dec.AutoClose = xml.HTMLAutoClose
	dec.Entity = xml.HTMLEntity
	var lines []int
	var stack []string
	for {
		line, _ := dec.InputPos()
		tok, err := dec.RawToken()
		if err != nil {
			return lines
		}
		switch t := tok.(type) {
		case xml.StartElement:
			name := strings.ToLower(t.Name.Local)
			if (name == "item" || name == "entry") && t.Name.Space == "" && len(stack) > 0 {
				switch stack[len(stack)-1] {
				case "channel", "rss", "rdf", "feed":
					lines = append(lines, line)
				}
			}
			stack = append(stack, name)
		case xml.EndElement:
			if len(stack) > 0 {
				stack = stack[:len(stack)-1]
			}
		}
	}
}
