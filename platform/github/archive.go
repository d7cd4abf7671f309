package github

import (
	"fmt"
	"io"
	"maps"
	"time"

	"github.com/cadrehq/cadre"
	"github.com/cadrehq/cadre/interchange"
)

// MaxLineBytes is the longest GH Archive line a reader accepts. Real events
// reach tens of kilobytes (a pull request carries two full repositories and
// its body); a line beyond this is broken, and is skipped without being held
// in memory.
const MaxLineBytes = 16 << 20

// ArchiveReader reads the events of a GH Archive file, one JSON object a
// line, and returns the activities they make. It streams: memory does not
// grow with the file.
type ArchiveReader struct {
	file    string
	lines   *interchange.LineReader
	ignored map[string]int
	err     error // a read error, returned again by every later call
}

// NewArchiveReader returns a reader of the GH Archive events in r, which must
// already be decompressed; file names r in errors.
func NewArchiveReader(r io.Reader, file string) *ArchiveReader {
	return &ArchiveReader{
		file:    file,
		lines:   interchange.NewLineReader(r, 64<<10, MaxLineBytes),
		ignored: make(map[string]int),
	}
}

// Next returns the next activity. An event that makes none is counted in
// Ignored and skipped. A bad line comes back as an *interchange.RecordError,
// after which reading goes on; a failure to read, such as a truncated gzip
// stream, is returned by this and every later call. Next returns io.EOF at
// the end of the file.
func (r *ArchiveReader) Next() (cadre.ActivityRecord, error) {
	if r.err != nil {
		return cadre.ActivityRecord{}, r.err
	}
	for {
		line, tooLong, err := r.lines.Next()
		if err == io.EOF {
			return cadre.ActivityRecord{}, io.EOF
		}
		if err != nil {
			r.err = fmt.Errorf("read %s: %w", r.file, err)
			return cadre.ActivityRecord{}, r.err
		}
		if tooLong {
			return cadre.ActivityRecord{}, r.bad(fmt.Sprintf("line longer than %d bytes", MaxLineBytes))
		}
		if skipSpace(line, 0) == len(line) {
			continue
		}
		rec, ok, reason := r.decode(line)
		if reason != "" {
			return cadre.ActivityRecord{}, r.bad(reason)
		}
		if ok {
			return rec, nil
		}
	}
}

// Ignored returns the number of events read so far that made no activity, by
// GH Archive event type: pushes, watches and the like, but also issues that
// were closed rather than opened and pull requests closed without a merge.
func (r *ArchiveReader) Ignored() map[string]int {
	return maps.Clone(r.ignored)
}

func (r *ArchiveReader) bad(reason string) error {
	return &interchange.RecordError{File: r.file, Line: r.lines.Line(), Reason: reason}
}

// decode maps one line. It returns ok false for an event that makes no
// activity, and a reason for a bad line.
func (r *ArchiveReader) decode(line []byte) (rec cadre.ActivityRecord, ok bool, reason string) {
	var (
		d               decoder
		kind, createdAt string
		actor           *account
		payloadText     []byte
	)
	if reason := decodeObject(line, "line", func(key, v []byte) {
		switch string(key) {
		case "type":
			kind = d.str(v, "", "type")
		case "actor":
			actor = d.account(v, "actor")
		case "created_at":
			createdAt = d.str(v, "", "created_at")
		case "payload":
			payloadText = v
		}
	}); reason != "" {
		return rec, false, reason
	}
	switch {
	case d.reason != "":
		return rec, false, d.reason
	case kind == "":
		return rec, false, "type: missing"
	case !mapped(kind):
		r.ignored[kind]++
		return rec, false, ""
	case payloadText == nil:
		return rec, false, kind + ": payload: missing"
	}
	var eventTime time.Time
	if createdAt != "" {
		t, err := time.Parse(time.RFC3339, createdAt)
		if err != nil {
			return rec, false, fmt.Sprintf("%s: created_at: %q is not an RFC 3339 time", kind, createdAt)
		}
		eventTime = t.UTC()
	}
	var p payload
	d.payload(payloadText, "payload", &p)
	if d.reason != "" {
		return rec, false, kind + ": " + d.reason
	}
	rec, ok, reason = mapPayload(kind, &p, actor, eventTime, "payload.")
	if reason != "" {
		return rec, false, kind + ": " + reason
	}
	if !ok {
		r.ignored[kind]++
	}
	return rec, ok, ""
}
