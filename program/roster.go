package program

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/cadrehq/cadre"
)

// RosterRow is one term as a roster gives it (SPEC section 5).
type RosterRow struct {
	Line   int // where it starts, from 1
	Member cadre.MemberRef
	Since  time.Time
	Until  time.Time // zero: still open
	Via    Via
}

// Term is the row as a term of member id: closed by roster when it has an end.
func (r *RosterRow) Term(memberID int64) Term {
	t := Term{MemberID: memberID, Start: r.Since, End: r.Until, Via: r.Via}
	if !r.Until.IsZero() {
		t.EndedBy = EndRoster
	}
	return t
}

// RosterError names a bad row.
type RosterError struct {
	File   string
	Line   int
	Reason string
}

func (e *RosterError) Error() string { return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Reason) }

// ReadRoster reads a roster, CSV under the header member,since,until,via or
// JSON Lines, and returns its good rows and an error for each bad one.
func ReadRoster(r io.Reader, name string) ([]RosterRow, []error, error) {
	br := bufio.NewReader(r)
	head, err := br.Peek(1)
	for err == nil && (head[0] == ' ' || head[0] == '\n' || head[0] == '\r' || head[0] == '\t') {
		if _, err = br.ReadByte(); err == nil {
			head, err = br.Peek(1)
		}
	}
	if errors.Is(err, io.EOF) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, fmt.Errorf("read roster %s: %w", name, err)
	}
	if head[0] == '{' {
		return readRosterJSONL(br, name)
	}
	return readRosterCSV(br, name)
}

type rosterFields struct {
	Member, Since, Until, Via string
}

// row checks the fields of one row.
func (f rosterFields) row(line int) (RosterRow, string) {
	r := RosterRow{Line: line, Via: Via(strings.TrimSpace(f.Via))}
	var err error
	if r.Member, err = cadre.ParseMemberRef(f.Member); err != nil || r.Member.IsZero() {
		return r, fmt.Sprintf("member: %s is not platform:handle or an email", cadre.Quote(f.Member))
	}
	if r.Since, err = time.Parse(time.RFC3339, strings.TrimSpace(f.Since)); err != nil {
		return r, fmt.Sprintf("since: %s is not an RFC 3339 time", cadre.Quote(f.Since))
	}
	if reason := cadre.CheckActivityTime(r.Since); reason != "" {
		return r, "since: " + reason
	}
	if u := strings.TrimSpace(f.Until); u != "" {
		if r.Until, err = time.Parse(time.RFC3339, u); err != nil {
			return r, fmt.Sprintf("until: %s is not an RFC 3339 time", cadre.Quote(f.Until))
		}
		if !r.Until.After(r.Since) {
			return r, "until: the term ends before it starts"
		}
	}
	switch r.Via {
	case "":
		r.Via = ViaRoster
	case ViaInvitation, ViaApplication, ViaRoster:
	default:
		return r, fmt.Sprintf("via: %s is not invitation, application or roster", cadre.Quote(string(r.Via)))
	}
	return r, ""
}

func readRosterCSV(r io.Reader, name string) ([]RosterRow, []error, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err != nil {
		return nil, nil, fmt.Errorf("%s: read the header: %w", name, err)
	}
	col := map[string]int{}
	for i, h := range header {
		col[strings.ToLower(strings.TrimSpace(h))] = i
	}
	for _, need := range []string{"member", "since"} {
		if _, ok := col[need]; !ok {
			return nil, nil, &RosterError{File: name, Line: 1, Reason: "the header needs member and since (and may have until, via)"}
		}
	}
	get := func(rec []string, k string) string {
		if i, ok := col[k]; ok && i < len(rec) {
			return rec[i]
		}
		return ""
	}
	var rows []RosterRow
	var bad []error
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return rows, bad, nil
		}
		line, _ := cr.FieldPos(0)
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				bad = append(bad, &RosterError{File: name, Line: pe.Line, Reason: pe.Err.Error()})
				continue
			}
			return rows, bad, fmt.Errorf("%s: %w", name, err)
		}
		row, reason := rosterFields{get(rec, "member"), get(rec, "since"), get(rec, "until"), get(rec, "via")}.row(line)
		if reason != "" {
			bad = append(bad, &RosterError{File: name, Line: line, Reason: reason})
			continue
		}
		rows = append(rows, row)
	}
}

func readRosterJSONL(r io.Reader, name string) ([]RosterRow, []error, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	var rows []RosterRow
	var bad []error
	for line := 1; sc.Scan(); line++ {
		b := bytes.TrimSpace(sc.Bytes())
		if len(b) == 0 {
			continue
		}
		var f rosterFields
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&f); err != nil {
			bad = append(bad, &RosterError{File: name, Line: line, Reason: "not a roster record: " + err.Error()})
			continue
		}
		row, reason := f.row(line)
		if reason != "" {
			bad = append(bad, &RosterError{File: name, Line: line, Reason: reason})
			continue
		}
		rows = append(rows, row)
	}
	if err := sc.Err(); err != nil {
		return rows, bad, fmt.Errorf("%s: %w", name, err)
	}
	return rows, bad, nil
}

// RosterResult counts what a roster import did, or a preview would do.
type RosterResult struct {
	Added, Unchanged, MembersCreated int
	Rows                             []RosterOutcome // by row, in order
}

// RosterOutcome is what a roster row does: adds a term or changes
// nothing, for a member found or created.
type RosterOutcome struct {
	Line     int
	MemberID int64 // 0 for a member a preview would create
	Created  bool
	Added    bool
}
