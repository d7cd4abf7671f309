package discourse

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/cadrehq/cadre"
	"github.com/cadrehq/cadre/interchange"
)

// MaxFileBytes is the largest saved response a Reader reads. API pages are
// far smaller: a larger file is not one, and is refused rather than held in
// memory.
const MaxFileBytes = 64 << 20

// Reader reads activities from saved Discourse API responses: /t/{id}.json
// topics, /posts.json pages and /latest.json pages, told apart by their
// top-level keys. /users/{username}.json profiles are recognized and hold no
// activities. It implements ingest.Source.
type Reader struct {
	base   string
	folder bool    // a bad file is skipped, not the end of reading
	inputs []input // files not read yet
	queue  []item  // what the current file holds that Next has not returned
	topics []Topic
	err    error // the fatal error or io.EOF that ended reading
}

type input struct {
	name string
	open func() (io.ReadCloser, error)
}

// item is a record or the *interchange.RecordError of a bad post or topic.
type item struct {
	rec cadre.ActivityRecord
	err error
}

// Open returns a Reader of the saved response in the file at path or, when
// path is a directory, of each of its *.json files in name order. base is
// the forum's address for URLs; "" leaves them out, as saved responses do
// not say where they came from. In a directory, a file that cannot be read
// or is not a response comes back from Next as an *interchange.FileError,
// and reading goes on with the next file.
func Open(path, base string) (*Reader, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("open discourse responses: %w", err)
	}
	r := &Reader{base: base, folder: fi.IsDir()}
	if !fi.IsDir() {
		r.inputs = []input{fileInput(path)}
		return r, nil
	}
	entries, err := os.ReadDir(path) // sorted by name
	if err != nil {
		return nil, fmt.Errorf("open discourse responses: %w", err)
	}
	for _, e := range entries {
		if !e.IsDir() && strings.EqualFold(filepath.Ext(e.Name()), ".json") {
			r.inputs = append(r.inputs, fileInput(filepath.Join(path, e.Name())))
		}
	}
	if len(r.inputs) == 0 {
		return nil, fmt.Errorf("open discourse responses: %s: no .json files", path)
	}
	return r, nil
}

func fileInput(path string) input {
	return input{name: path, open: func() (io.ReadCloser, error) { return os.Open(path) }}
}

// NewReader returns a Reader of one saved response read from rd; name names
// it in errors. base is as for Open.
func NewReader(rd io.Reader, name, base string) *Reader {
	return &Reader{base: base, inputs: []input{{name: name, open: func() (io.ReadCloser, error) {
		return io.NopCloser(rd), nil
	}}}}
}

// Next returns the next activity. At the end of the input it returns io.EOF.
// A post or topic that cannot be mapped comes back as an
// *interchange.RecordError naming the file, the line the post starts on and,
// in Reason, its place in the response and byte offset; Next may then be
// called again. Any other error, such as a file that is not a Discourse
// response, is fatal and returned by every later call, except in a
// directory (see Open).
func (r *Reader) Next() (cadre.ActivityRecord, error) {
	for len(r.queue) == 0 {
		if r.err != nil {
			return cadre.ActivityRecord{}, r.err
		}
		if len(r.inputs) == 0 {
			r.err = io.EOF
			continue
		}
		in := r.inputs[0]
		r.inputs = r.inputs[1:]
		if err := r.load(in); err != nil {
			if r.folder {
				return cadre.ActivityRecord{}, &interchange.FileError{File: in.name, Err: err}
			}
			r.err = err
		}
	}
	it := r.queue[0]
	r.queue[0] = item{}
	r.queue = r.queue[1:]
	return it.rec, it.err
}

// Topics returns the forum outcomes of the topics read so far: all of them
// once Next has returned io.EOF.
func (r *Reader) Topics() []Topic { return r.topics }

func (r *Reader) load(in input) error {
	f, err := in.open()
	if err != nil {
		return fmt.Errorf("read discourse response: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxFileBytes+1))
	if err != nil {
		return fmt.Errorf("read discourse response %s: %w", in.name, err)
	}
	if len(data) > MaxFileBytes {
		return fmt.Errorf("%s: larger than %d bytes, not a saved Discourse API response", in.name, MaxFileBytes)
	}
	items, topics, err := parseResponse(data, r.base)
	if err != nil {
		return fmt.Errorf("%s: %w", in.name, err)
	}
	for _, it := range items {
		if re, ok := errors.AsType[*interchange.RecordError](it.err); ok {
			re.File = in.name
		}
	}
	r.queue = items
	r.topics = append(r.topics, topics...)
	return nil
}

// probe holds the top-level keys that tell the responses apart; a nil value
// is an absent key.
type probe struct {
	PostStream  json.RawMessage `json:"post_stream"`
	LatestPosts json.RawMessage `json:"latest_posts"`
	TopicList   json.RawMessage `json:"topic_list"`
	User        json.RawMessage `json:"user"`
	Title       json.RawMessage `json:"title"`
}

// parseResponse reads one saved response. Bad posts and topics come back as
// items holding an *interchange.RecordError without File.
func parseResponse(data []byte, base string) ([]item, []Topic, error) {
	if start := firstByte(data); start != '{' {
		return nil, nil, errors.New("not Discourse JSON: want a JSON object")
	}
	var pr probe
	if err := json.Unmarshal(data, &pr); err != nil {
		return nil, nil, fmt.Errorf("not Discourse JSON: %w", err)
	}
	switch {
	case pr.PostStream != nil:
		return parseTopicResponse(data, base, pr.Title != nil)
	case pr.LatestPosts != nil:
		items, err := parsePostsResponse(data, base)
		return items, nil, err
	case pr.TopicList != nil:
		return parseLatestResponse(data, base)
	case pr.User != nil:
		return nil, nil, nil
	}
	return nil, nil, errors.New("not a saved Discourse API response: no post_stream (/t/{id}.json), latest_posts (/posts.json) or topic_list (/latest.json)")
}

// parseTopicResponse reads /t/{id}.json. The topic's outcomes are taken
// only when the response carries them: /t/{id}/posts.json has posts alone.
func parseTopicResponse(data []byte, base string, hasTopic bool) ([]item, []Topic, error) {
	const path = "post_stream.posts"
	elems, err := elements(data, "post_stream", "posts")
	if err != nil {
		return nil, nil, err
	}
	lines := newLineCounter(data)
	posts := make([]Post, len(elems))
	decodeErrs := make([]error, len(elems))
	var good []Post
	var first *Post
	for i, e := range elems {
		if decodeErrs[i] = json.Unmarshal(e.raw, &posts[i]); decodeErrs[i] == nil {
			good = append(good, posts[i])
			if posts[i].PostNumber == 1 && first == nil {
				first = &posts[i]
			}
		}
	}

	var items []item
	var topics []Topic
	var topic *Topic
	if hasTopic {
		var j topicJSON
		err := json.Unmarshal(data, &j)
		var t Topic
		if err == nil {
			t, err = j.topic(base, nil, first)
		}
		if err != nil {
			start := bytes.IndexByte(data, '{')
			items = append(items, item{err: &interchange.RecordError{
				Line:   lines.at(start),
				Reason: fmt.Sprintf("topic (byte %d): %v", start, err),
			}})
		} else {
			t.completeAnswers(good)
			topics = append(topics, t)
			topic = &topics[0]
		}
	}
	for i, e := range elems {
		if it, ok := postItem(path, i, e.start, lines.at(e.start), posts[i], decodeErrs[i], base, topic); ok {
			items = append(items, it)
		}
	}
	return items, topics, nil
}

// parsePostsResponse reads a /posts.json page. Its first posts are topics,
// but without the topics' views: they yield neither records nor outcomes.
func parsePostsResponse(data []byte, base string) ([]item, error) {
	const path = "latest_posts"
	elems, err := elements(data, path)
	if err != nil {
		return nil, err
	}
	lines := newLineCounter(data)
	var items []item
	for i, e := range elems {
		var p Post
		decodeErr := json.Unmarshal(e.raw, &p)
		if it, ok := postItem(path, i, e.start, lines.at(e.start), p, decodeErr, base, nil); ok {
			items = append(items, it)
		}
	}
	return items, nil
}

// postItem maps post i of the array at path, or reports why it cannot be
// mapped. ok is false for posts that are not activities.
func postItem(path string, i, start, line int, p Post, decodeErr error, base string, t *Topic) (it item, ok bool) {
	if decodeErr == nil {
		rec, ok, err := Record(p, base, t)
		if err == nil {
			return item{rec: rec}, ok
		}
		decodeErr = err
	}
	where := fmt.Sprintf("%s[%d] (byte %d)", path, i, start)
	if p.ID > 0 {
		where = fmt.Sprintf("%s[%d] (id %d, byte %d)", path, i, p.ID, start)
	}
	return item{err: &interchange.RecordError{Line: line, Reason: where + ": " + decodeErr.Error()}}, true
}

// parseLatestResponse reads a /latest.json page: topics only.
func parseLatestResponse(data []byte, base string) ([]item, []Topic, error) {
	const path = "topic_list.topics"
	var u struct {
		Users []userJSON `json:"users"`
	}
	if err := json.Unmarshal(data, &u); err != nil {
		return nil, nil, fmt.Errorf("users: %w", err)
	}
	users := usersByID(u.Users)
	elems, err := elements(data, "topic_list", "topics")
	if err != nil {
		return nil, nil, err
	}
	lines := newLineCounter(data)
	var items []item
	var topics []Topic
	for i, e := range elems {
		var j topicJSON
		err := json.Unmarshal(e.raw, &j)
		var t Topic
		if err == nil {
			t, err = j.topic(base, users, nil)
		}
		if err != nil {
			items = append(items, item{err: &interchange.RecordError{
				Line:   lines.at(e.start),
				Reason: fmt.Sprintf("%s[%d] (byte %d): %v", path, i, e.start, err),
			}})
			continue
		}
		topics = append(topics, t)
	}
	return items, topics, nil
}

// element is one element of a JSON array and the byte offset it starts at.
type element struct {
	start int
	raw   json.RawMessage
}

// elements returns the elements of the array reached from the top-level
// object by keys, with their offsets, which json.Unmarshal does not give.
// A null array has none. data must be valid JSON.
func elements(data []byte, keys ...string) ([]element, error) {
	path := strings.Join(keys, ".")
	dec := json.NewDecoder(bytes.NewReader(data))
	for depth, key := range keys {
		if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
			return nil, fmt.Errorf("%s: not an object", strings.Join(keys[:depth], "."))
		}
		found := false
		for dec.More() {
			tok, err := dec.Token()
			if err != nil {
				return nil, fmt.Errorf("%s: %w", path, err)
			}
			if tok == key {
				found = true
				break
			}
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return nil, fmt.Errorf("%s: %w", path, err)
			}
		}
		if !found {
			return nil, fmt.Errorf("%s: missing", path)
		}
	}
	tok, err := dec.Token()
	switch {
	case err != nil:
		return nil, fmt.Errorf("%s: %w", path, err)
	case tok == nil:
		return nil, nil
	case tok != json.Delim('['):
		return nil, fmt.Errorf("%s: not an array", path)
	}
	var out []element
	for dec.More() {
		// The offset is where the last token ended: the element starts after
		// the separator.
		start := int(dec.InputOffset())
		for start < len(data) && (data[start] == ',' || isSpace(data[start])) {
			start++
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, fmt.Errorf("%s[%d]: %w", path, len(out), err)
		}
		out = append(out, element{start: start, raw: raw})
	}
	return out, nil
}

// lineCounter turns ascending byte offsets into line numbers, counting each
// byte once.
type lineCounter struct {
	data []byte
	off  int
	line int
}

func newLineCounter(data []byte) *lineCounter { return &lineCounter{data: data, line: 1} }

func (c *lineCounter) at(off int) int {
	if off > c.off {
		c.line += bytes.Count(c.data[c.off:off], []byte{'\n'})
		c.off = off
	}
	return c.line
}

func firstByte(data []byte) byte {
	for _, c := range data {
		if !isSpace(c) {
			return c
		}
	}
	return 0
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }
