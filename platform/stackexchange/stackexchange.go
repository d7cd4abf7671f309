// Package stackexchange reads the answers of a Stack Exchange data dump
// (https://archive.org/details/stackexchange) as forum activities, following
// the defaults of SPEC section 9.
//
// A dump is a folder of XML files, each a root element holding one <row> a
// line. The reader streams them with encoding/xml and never holds a file in
// memory: Open makes a first pass over Posts.xml to learn which answers were
// accepted (answers can come before their question) and who wrote answers,
// then reads Users.xml keeping the names of those authors only, and Next makes
// a second pass over Posts.xml yielding one record an answer.
//
// Mapping:
//   - An answer (PostTypeId 2) is a "forum" activity with source
//     "stackexchange", external_id "post:{Id}", occurred_at its CreationDate
//     (dump times are UTC without a zone), url https://{site}/a/{Id}, metrics
//     likes = Score and solved = 1 when it is its question's AcceptedAnswerId.
//   - The member is on platform "stackexchange", one platform for every site
//     of the network, so UserID is the user's AccountId, the network-wide
//     account id, which stays the same across sites and renames. The handle is
//     the DisplayName: the dumps have no better one, and display names are
//     not unique (the ids are the stable key). The Community user (Id -1) is
//     flagged as a bot.
//   - An answer's thread is its question (ParentId), named by its id, with
//     the question's ViewCount and whether it has an AcceptedAnswerId: the
//     forum outcomes of SPEC 6.
//   - Questions (PostTypeId 1) are not activities; they are counted and their
//     ViewCount summed in Stats. Other post types (tag
//     wikis, moderator nominations, ...) are counted and skipped.
//   - Answers without an OwnerUserId belong to deleted accounts. They are
//     skipped and counted: their OwnerDisplayName ("user123") is a placeholder
//     that would only create a member nobody can claim.
//
// Activities are unique by source and external_id, and post ids are only
// unique within one site: a program that imports several sites must give each
// its own source when importing.
package stackexchange

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/cadrehq/cadre"
	"github.com/cadrehq/cadre/interchange"
)

// Source, Platform and ActivityType are what the reader puts in its records.
const (
	Source       = "stackexchange"
	Platform     = "stackexchange"
	ActivityType = "forum"
)

// communityUserID is the account Stack Exchange runs its automated work under.
const communityUserID = -1

// Stats counts what the reader saw in Posts.xml so far.
type Stats struct {
	Answers       int   // yielded as activities
	Accepted      int   // answers yielded with metrics.solved = 1
	Questions     int   // not activities
	QuestionViews int64 // the sum of the questions' ViewCount
	NoOwner       int   // answers skipped because their owner's account is deleted
	Other         int   // rows of other post types, skipped
}

// Reader yields the answers of one site's dump. It is not safe for concurrent
// use. Call Close when done.
type Reader struct {
	site     string
	posts    *rows
	users    map[int64]user
	accepted map[int64]bool // ids of accepted answers
	// questions holds each question's views and whether it has an accepted
	// answer, for the threads of its answers.
	questions map[int64]questionState
	pending   []error // bad rows of Users.xml, returned before any post
	stats     Stats
}

// questionState is what the reader keeps of a question: its thread's state.
type questionState struct {
	views  int64
	solved bool
}

// user is what the reader keeps of a row of Users.xml.
type user struct {
	name    string
	account string // AccountId, "" when the dump has none
}

// Open opens the dump in dir of the site whose host name is site, such as
// "conlang.stackexchange.com", and reads what it needs before the first
// answer: the accepted answers of Posts.xml and the authors of Users.xml.
func Open(dir, site string) (*Reader, error) {
	site = strings.TrimSuffix(strings.TrimPrefix(strings.TrimPrefix(site, "https://"), "http://"), "/")
	if site == "" || strings.ContainsAny(site, "/ \t\r\n") {
		return nil, fmt.Errorf("open stack exchange dump: site %q is not a host name such as conlang.stackexchange.com", site)
	}
	postsPath := filepath.Join(dir, "Posts.xml")
	accepted, owners, questions, err := scanPosts(postsPath)
	if err != nil {
		return nil, err
	}
	users, pending, err := readUsers(filepath.Join(dir, "Users.xml"), owners)
	if err != nil {
		return nil, err
	}
	posts, err := openRows(postsPath, "posts")
	if err != nil {
		return nil, err
	}
	return &Reader{site: site, posts: posts, users: users, accepted: accepted, questions: questions, pending: pending}, nil
}

// Close closes Posts.xml.
func (r *Reader) Close() error {
	return r.posts.close()
}

// Stats returns the counts of the posts read so far; after Next returned
// io.EOF they cover the whole dump.
func (r *Reader) Stats() Stats {
	return r.stats
}

// Next returns the next answer. A bad row comes back as an
// *interchange.RecordError and reading can go on; io.EOF ends the dump.
func (r *Reader) Next() (cadre.ActivityRecord, error) {
	if len(r.pending) > 0 {
		err := r.pending[0]
		r.pending = r.pending[1:]
		return cadre.ActivityRecord{}, err
	}
	for {
		attrs, line, err := r.posts.next()
		if err != nil {
			return cadre.ActivityRecord{}, err
		}
		p, reason := parsePost(attrs)
		if reason != "" {
			return cadre.ActivityRecord{}, &interchange.RecordError{File: r.posts.file, Line: line, Reason: reason}
		}
		switch p.typ {
		case questionType:
			r.stats.Questions++
			r.stats.QuestionViews += p.views
			continue
		case answerType:
		default:
			r.stats.Other++
			continue
		}
		if !p.hasOwner {
			r.stats.NoOwner++
			continue
		}
		u, ok := r.users[p.owner]
		if !ok {
			return cadre.ActivityRecord{}, &interchange.RecordError{File: r.posts.file, Line: line,
				Reason: fmt.Sprintf("answer %d: owner %d is not in Users.xml", p.id, p.owner)}
		}
		rec := r.record(p, u)
		r.stats.Answers++
		if r.accepted[p.id] {
			rec.Metrics["solved"] = 1
			r.stats.Accepted++
		}
		if p.parent > 0 {
			rec.Thread = cadre.Thread{ID: strconv.FormatInt(p.parent, 10)}
			if q, ok := r.questions[p.parent]; ok {
				rec.Thread.Views, rec.Thread.HasViews = q.views, true
				rec.Thread.Solved, rec.Thread.HasSolved = q.solved, true
			}
		}
		return rec, nil
	}
}

func (r *Reader) record(p post, u user) cadre.ActivityRecord {
	handle := u.name
	if handle == "" {
		// Stack Exchange's own name for an account without one.
		handle = "user" + strconv.FormatInt(p.owner, 10)
	}
	id := strconv.FormatInt(p.id, 10)
	return cadre.ActivityRecord{
		Activity: cadre.Activity{
			Type:       ActivityType,
			OccurredAt: p.created,
			Source:     Source,
			ExternalID: "post:" + id,
			Status:     cadre.ActivityApproved,
			URL:        "https://" + r.site + "/a/" + id,
			Metrics:    map[string]float64{"likes": float64(p.score)},
		},
		Member: cadre.MemberRef{
			Platform: Platform,
			Handle:   handle,
			UserID:   u.account,
			Name:     u.name,
			Bot:      p.owner == communityUserID,
		},
	}
}

// Post types of the dump's PostTypeId.
const (
	questionType = 1
	answerType   = 2
)

// post is what the reader uses of a row of Posts.xml.
type post struct {
	id, typ  int64
	accepted int64 // questions: the accepted answer's id, 0 when none
	views    int64 // questions
	parent   int64 // answers: the question's id, 0 when not given
	owner    int64
	hasOwner bool
	score    int64
	created  time.Time // answers
}

// dumpTime is the layout of the dump's times: UTC, without a zone, with
// milliseconds that time.Parse accepts without the layout naming them.
const dumpTime = "2006-01-02T15:04:05"

// parsePost decodes the attributes of a row of Posts.xml, returning the
// reason it is bad or "".
func parsePost(attrs []xml.Attr) (post, string) {
	var p post
	var hasID, hasType bool
	var created string
	for _, a := range attrs {
		var dst *int64
		switch a.Name.Local {
		case "Id":
			dst, hasID = &p.id, true
		case "PostTypeId":
			dst, hasType = &p.typ, true
		case "AcceptedAnswerId":
			dst = &p.accepted
		case "ViewCount":
			dst = &p.views
		case "ParentId":
			dst = &p.parent
		case "OwnerUserId":
			dst, p.hasOwner = &p.owner, true
		case "Score":
			dst = &p.score
		case "CreationDate":
			created = a.Value
		}
		if dst == nil {
			continue
		}
		n, err := strconv.ParseInt(a.Value, 10, 64)
		if err != nil {
			return p, fmt.Sprintf("%s: %q is not an integer", a.Name.Local, a.Value)
		}
		*dst = n
	}
	switch {
	case !hasID:
		return p, "missing Id"
	case !hasType:
		return p, fmt.Sprintf("post %d: missing PostTypeId", p.id)
	case p.typ != answerType:
		return p, ""
	case created == "":
		return p, fmt.Sprintf("answer %d: missing CreationDate", p.id)
	}
	t, err := time.Parse(dumpTime, created)
	if err != nil {
		return p, fmt.Sprintf("answer %d: CreationDate %q is not a time such as 2018-02-06T20:19:50.957", p.id, created)
	}
	p.created = t
	return p, ""
}

// scanPosts is the first pass over Posts.xml: it returns the ids of accepted
// answers, of the answers' owners, and the questions' views and solved
// state. Bad rows are left for the second pass to report.
func scanPosts(path string) (accepted, owners map[int64]bool, questions map[int64]questionState, err error) {
	posts, err := openRows(path, "posts")
	if err != nil {
		return nil, nil, nil, err
	}
	defer posts.close()
	accepted, owners, questions = map[int64]bool{}, map[int64]bool{}, map[int64]questionState{}
	for {
		attrs, _, err := posts.next()
		if err == io.EOF {
			return accepted, owners, questions, nil
		}
		if err != nil {
			return nil, nil, nil, err
		}
		p, reason := parsePost(attrs)
		switch {
		case reason != "":
		case p.typ == questionType:
			questions[p.id] = questionState{views: p.views, solved: p.accepted != 0}
			if p.accepted != 0 {
				accepted[p.accepted] = true
			}
		case p.typ == answerType && p.hasOwner:
			owners[p.owner] = true
		}
	}
}

// readUsers reads the users of Users.xml that are in owners. Bad rows are
// returned as record errors.
func readUsers(path string, owners map[int64]bool) (map[int64]user, []error, error) {
	rs, err := openRows(path, "users")
	if err != nil {
		return nil, nil, err
	}
	defer rs.close()
	users := make(map[int64]user, len(owners))
	var bad []error
	for {
		attrs, line, err := rs.next()
		if err == io.EOF {
			return users, bad, nil
		}
		if err != nil {
			return nil, nil, err
		}
		id, u, reason := parseUser(attrs)
		if reason != "" {
			bad = append(bad, &interchange.RecordError{File: rs.file, Line: line, Reason: reason})
			continue
		}
		if owners[id] {
			users[id] = u
		}
	}
}

func parseUser(attrs []xml.Attr) (int64, user, string) {
	var id int64
	var hasID bool
	var u user
	for _, a := range attrs {
		switch a.Name.Local {
		case "Id":
			n, err := strconv.ParseInt(a.Value, 10, 64)
			if err != nil {
				return 0, u, fmt.Sprintf("Id: %q is not an integer", a.Value)
			}
			id, hasID = n, true
		case "AccountId":
			if _, err := strconv.ParseInt(a.Value, 10, 64); err != nil {
				return 0, u, fmt.Sprintf("AccountId: %q is not an integer", a.Value)
			}
			u.account = a.Value
		case "DisplayName":
			u.name = strings.TrimSpace(a.Value)
		}
	}
	if !hasID {
		return 0, u, "missing Id"
	}
	return id, u, ""
}

// rows walks the <row> elements of one dump file.
type rows struct {
	file    string
	f       *os.File
	dec     *xml.Decoder
	root    string // the name the root element must have
	sawRoot bool
	depth   int
}

func openRows(path, root string) (*rows, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open stack exchange dump: %w", err)
	}
	// encoding/xml skips the byte order mark the dumps start with.
	return &rows{file: path, f: f, dec: xml.NewDecoder(f), root: root}, nil
}

func (r *rows) close() error {
	if err := r.f.Close(); err != nil && !errors.Is(err, os.ErrClosed) {
		return fmt.Errorf("close %s: %w", r.file, err)
	}
	return nil
}

// next returns the attributes of the next row and the line it starts on, or
// io.EOF after the root element ends. A file cut short, which encoding/xml
// finds at its end because elements are left open, is an error naming the
// line.
func (r *rows) next() ([]xml.Attr, int, error) {
	for {
		// The position after the previous token is where the next one starts.
		line, _ := r.dec.InputPos()
		tok, err := r.dec.Token()
		if err == io.EOF {
			if !r.sawRoot {
				return nil, 0, fmt.Errorf("read %s: no <%s> element", r.file, r.root)
			}
			return nil, 0, io.EOF
		}
		if _, ok := errors.AsType[*xml.SyntaxError](err); ok {
			return nil, 0, fmt.Errorf("read %s: cut short or not well-formed: %w", r.file, err)
		}
		if err != nil {
			return nil, 0, fmt.Errorf("read %s: %w", r.file, err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			r.depth++
			switch {
			case r.depth == 1 && t.Name.Local != r.root:
				return nil, 0, fmt.Errorf("read %s:%d: root element <%s>, want <%s>", r.file, line, t.Name.Local, r.root)
			case r.depth == 1:
				r.sawRoot = true
			case r.depth == 2 && t.Name.Local == "row":
				return t.Attr, line, nil
			}
		case xml.EndElement:
			r.depth--
		}
	}
}
