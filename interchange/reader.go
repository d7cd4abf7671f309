package interchange

import (
	"errors"
	"io"

	"github.com/cadrehq/cadre"
)

// Reader reads activity records from JSON Lines or CSV input.
type Reader struct {
	file          string
	defaultSource string
	names         *fieldNames
	dec           decoder
	line          int
	err           error // the fatal error or io.EOF that ended reading
	// stored takes records as an export of the whole program wrote them.
	stored bool
}

// decoder is the format-specific half of a Reader: it decodes the next record
// without defaults or validation, and returns it with the line it starts on
// and its occurred_at text. (The record is returned rather than decoded
// into a pointer, which would escape through the interface and cost an
// allocation a record.) Bad records are reported as a
// *RecordError, without File; any other error ends reading, and names the
// file itself.
type decoder interface {
	decode() (rec cadre.ActivityRecord, line int, occurredAt string, err error)
}

func newReader(file, defaultSource string, names *fieldNames, dec decoder) *Reader {
	if defaultSource == "" {
		defaultSource = DefaultSource
	}
	return &Reader{file: file, defaultSource: defaultSource, names: names, dec: dec}
}

// NewJSONLReader returns a Reader of JSON Lines from r. file names the input in
// error messages. Records without a source get defaultSource, or
// DefaultSource when that is empty.
func NewJSONLReader(r io.Reader, file string, defaultSource string) *Reader {
	return newReader(file, defaultSource, &jsonNames, newJSONLDecoder(r, file))
}

// NewCSVReader returns a Reader of CSV from r, whose first row must be a
// header naming the columns. file names the input in error messages. Records
// without a source get defaultSource, or DefaultSource when that is empty.
func NewCSVReader(r io.Reader, file string, defaultSource string) *Reader {
	return newReader(file, defaultSource, &csvNames, newCSVDecoder(r, file))
}

// Next returns the next record. At the end of the input it returns io.EOF. A
// bad record is returned as a *RecordError, after which Next may be called
// again to continue with the next record. Any other error is fatal and is
// returned again by every later call.
func (r *Reader) Next() (cadre.ActivityRecord, error) {
	if r.err != nil {
		return cadre.ActivityRecord{}, r.err
	}
	rec, line, occurredAt, err := r.dec.decode()
	if err != nil {
		if re, ok := errors.AsType[*RecordError](err); ok {
			r.line = re.Line
			re.File = r.file
			return cadre.ActivityRecord{}, re
		}
		r.err = err
		return cadre.ActivityRecord{}, err
	}
	r.line = line
	if reason := normalize(&rec, occurredAt, r.defaultSource, r.names, r.stored); reason != "" {
		return cadre.ActivityRecord{}, &RecordError{File: r.file, Line: line, Reason: reason}
	}
	return rec, nil
}

// RequireIDs makes r read activities as an export of the whole program
// (cadre export --all) writes them, to be stored again as they were: every
// record must carry its id and its member's id (and its mentee's, with a
// mentee), which name them in place of the references, and a self-report is
// taken as any other record (see cadre.ActivityRecord.CheckStored). Other
// readers accept the IDs and drop them: they mean nothing in another
// database, where the references name the members.
func (r *Reader) RequireIDs() { r.stored = true }

// Line returns the line on which the record or *RecordError last returned by
// Next starts, counting from 1, or 0 before the first.
func (r *Reader) Line() int { return r.line }
