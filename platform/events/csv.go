package events

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/cadrehq/cadre"
	"github.com/cadrehq/cadre/interchange"
)

// CSV columns.
const (
	colEventID         = "event_id"
	colEventName       = "event_name"
	colSessionID       = "session_id"
	colTitle           = "title"
	colStartsAt        = "starts_at"
	colURL             = "url"
	colSpeaker         = "speaker"
	colSpeakerEmail    = "speaker_email"
	colSpeakerPlatform = "speaker_platform"
	colSpeakerHandle   = "speaker_handle"
)

var (
	csvColumns      = []string{colEventID, colEventName, colSessionID, colTitle, colStartsAt, colURL, colSpeaker, colSpeakerEmail, colSpeakerPlatform, colSpeakerHandle}
	requiredColumns = []string{colEventID, colSessionID, colStartsAt, colSpeaker}
)

// CSVReader reads a CSV of sessions, one row a session, under a header row
// that names the columns in any order:
//
//	event_id          required  the event's id, stable across exports, e.g. "kubecon-eu-2025"
//	session_id        required  the session's id within the event
//	starts_at         required  when the session starts: RFC 3339 with a zone
//	                            (2025-04-02T14:30:00+01:00) or a date (2025-04-02, read as UTC)
//	speaker           required  the speaker's name; several speakers separated by ";"
//	event_name        optional  the event's name
//	title             optional  the session's title
//	url               optional  the session's page
//	speaker_email     optional  the speakers' email addresses, ";"-separated in
//	                            the order of speaker; an entry may be empty
//	speaker_handle    optional  the speakers' handles, aligned the same way
//	speaker_platform  optional  the platform of the handles: one for all, or
//	                            one per speaker; "events" when empty
//
// Each speaker of a row is one activity, with title "{event_name}: {title}"
// and url from the row. The speaker is the member with the given email
// address, else with the given handle, else the one named by their name on
// platform "events". Their part of external_id is their handle, else email,
// else name. A UTF-8 byte order mark is skipped. A row that cannot be read
// is reported as an *interchange.RecordError and reading goes on; a bad
// header row is a fatal error.
type CSVReader struct {
	file    string
	cr      *csv.Reader
	col     map[string]int // column name → index
	pending []cadre.ActivityRecord
}

// NewCSVReader reads the header row of the CSV read from r, named file in
// messages.
func NewCSVReader(r io.Reader, file string) (*CSVReader, error) {
	br := bufio.NewReader(r)
	if bom, err := br.Peek(3); err == nil && string(bom) == "\ufeff" {
		if _, err := br.Discard(3); err != nil {
			return nil, fmt.Errorf("read %s: %w", file, err)
		}
	}
	cr := csv.NewReader(br)
	header, err := cr.Read()
	if err == io.EOF {
		return nil, fmt.Errorf("read %s: empty, want a header row", file)
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: header: %w", file, err)
	}
	col := map[string]int{}
	for i, name := range header {
		name = strings.ToLower(strings.TrimSpace(name))
		switch _, dup := col[name]; {
		case !slices.Contains(csvColumns, name):
			return nil, fmt.Errorf("read %s: header: unknown column %q (known: %s)", file, name, strings.Join(csvColumns, ", "))
		case dup:
			return nil, fmt.Errorf("read %s: header: duplicate column %q", file, name)
		}
		col[name] = i
	}
	var missing []string
	for _, name := range requiredColumns {
		if _, ok := col[name]; !ok {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("read %s: header: missing columns %s", file, strings.Join(missing, ", "))
	}
	cr.ReuseRecord = true
	return &CSVReader{file: file, cr: cr, col: col}, nil
}

// Next returns the next speaker's activity; io.EOF ends the file.
func (r *CSVReader) Next() (cadre.ActivityRecord, error) {
	for len(r.pending) == 0 {
		row, err := r.cr.Read()
		if err == io.EOF {
			return cadre.ActivityRecord{}, io.EOF
		}
		if pe, ok := errors.AsType[*csv.ParseError](err); ok {
			reason := fmt.Sprintf("invalid CSV: %v", pe.Err)
			if errors.Is(pe.Err, csv.ErrFieldCount) {
				reason = fmt.Sprintf("%d fields, but the header has %d", len(row), len(r.col))
			}
			return cadre.ActivityRecord{}, &interchange.RecordError{File: r.file, Line: pe.StartLine, Reason: reason}
		}
		if err != nil {
			return cadre.ActivityRecord{}, fmt.Errorf("read %s: %w", r.file, err)
		}
		line, _ := r.cr.FieldPos(0)
		recs, reason := r.records(row)
		if reason != "" {
			return cadre.ActivityRecord{}, &interchange.RecordError{File: r.file, Line: line, Reason: reason}
		}
		r.pending = recs
	}
	rec := r.pending[0]
	r.pending = r.pending[1:]
	return rec, nil
}

// records maps a row, or returns the reason it cannot.
func (r *CSVReader) records(row []string) ([]cadre.ActivityRecord, string) {
	get := func(name string) string {
		if i, ok := r.col[name]; ok {
			return strings.TrimSpace(row[i])
		}
		return ""
	}
	for _, v := range row {
		if !utf8.ValidString(v) {
			return nil, "invalid UTF-8"
		}
	}
	for _, name := range requiredColumns {
		if get(name) == "" {
			return nil, name + ": missing"
		}
	}
	at, err := parseStart(get(colStartsAt))
	if err != nil {
		return nil, colStartsAt + ": " + err.Error()
	}
	names := splitList(get(colSpeaker))
	for i, name := range names {
		if name == "" {
			return nil, fmt.Sprintf("%s: speaker %d of %d has no name", colSpeaker, i+1, len(names))
		}
	}
	aligned := func(name string, allowOne bool) ([]string, string) {
		v := get(name)
		if v == "" {
			return make([]string, len(names)), ""
		}
		list := splitList(v)
		switch {
		case len(list) == len(names):
			return list, ""
		case allowOne && len(list) == 1:
			return slices.Repeat(list, len(names)), ""
		}
		return nil, fmt.Sprintf("%s: %d entries for %d speakers", name, len(list), len(names))
	}
	emails, reason := aligned(colSpeakerEmail, false)
	if reason != "" {
		return nil, reason
	}
	handles, reason := aligned(colSpeakerHandle, false)
	if reason != "" {
		return nil, reason
	}
	platforms, reason := aligned(colSpeakerPlatform, true)
	if reason != "" {
		return nil, reason
	}
	eventID, sessionID := get(colEventID), get(colSessionID)
	recs := make([]cadre.ActivityRecord, len(names))
	for i, name := range names {
		email := strings.ToLower(emails[i])
		if email != "" && !cadre.ValidEmail(email) {
			return nil, fmt.Sprintf("%s: %q is not an email address", colSpeakerEmail, emails[i])
		}
		ref := cadre.MemberRef{Email: email, Name: name}
		switch {
		case handles[i] != "":
			ref.Platform, ref.Handle = platforms[i], handles[i]
			if ref.Platform == "" {
				ref.Platform = Platform
			}
		case email == "":
			ref.Platform, ref.Handle = Platform, name
		}
		recs[i] = cadre.ActivityRecord{
			Activity: cadre.Activity{
				Type:       ActivityType,
				OccurredAt: at,
				Source:     Source,
				ExternalID: eventID + ":" + sessionID + ":" + speakerKey(handles[i], email, name),
				Status:     cadre.ActivityApproved,
				URL:        get(colURL),
				Title:      title(get(colEventName), get(colTitle)),
			},
			Member: ref,
		}
	}
	return recs, ""
}

// splitList splits a ";"-separated list, trimming its entries.
func splitList(s string) []string {
	list := strings.Split(s, ";")
	for i := range list {
		list[i] = strings.TrimSpace(list[i])
	}
	return list
}

// parseStart reads an RFC 3339 time with a zone, or a date as midnight UTC.
func parseStart(s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		if t, err = time.Parse(time.DateOnly, s); err != nil {
			return time.Time{}, fmt.Errorf("%q is not an RFC 3339 time such as 2025-04-02T14:30:00+01:00 or a date such as 2025-04-02", s)
		}
	}
	if reason := cadre.CheckActivityTime(t); reason != "" {
		return time.Time{}, fmt.Errorf("%q is %s", s, reason)
	}
	return t.UTC(), nil
}
