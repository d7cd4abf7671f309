package events

import (
	"bufio"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/cadrehq/cadre"
	"github.com/cadrehq/cadre/interchange"
)

// maxICSLine bounds a content line, unfolded, so that a file without line
// breaks cannot take all memory.
const maxICSLine = 1 << 20

// ICSReader reads the sessions of an iCalendar file (RFC 5545), one VEVENT
// a session, streaming it line by line.
//
// The speakers of a session are its attendees with ROLE=CHAIR, the role RFC
// 5545 gives presenters; a session without one is presented by its
// ORGANIZER. Other attendees are not activities, and neither are sessions
// with STATUS:CANCELLED or with no speaker at all (Stats counts them). A
// speaker is the member with the attendee's mailto: address, else the one
// named by its CN on platform "events".
//
// The session is the event's UID (with its RECURRENCE-ID, for a changed
// instance of a repeating event; repeats are not expanded), and the event is
// the calendar: its X-WR-CALNAME, else the file's name without extension.
// The time is DTSTART: in UTC when it ends in "Z", in the IANA zone its TZID
// names, a date alone as midnight UTC, and a floating time in the calendar's
// X-WR-TIMEZONE, else UTC. The title is the calendar's name and the SUMMARY.
//
// A VEVENT that cannot be read is reported as an *interchange.RecordError at
// its BEGIN line, and reading goes on. A file that is not iCalendar, or that
// ends inside a VEVENT or VCALENDAR, is a fatal error.
type ICSReader struct {
	file     string
	lines    icsLines
	calendar string         // the event id of the calendar being read
	zone     *time.Location // for floating times
	zones    map[string]*time.Location
	stack    []string // the components open, outermost first
	ev       *vevent  // the VEVENT being read, nil outside one
	pending  []cadre.ActivityRecord
	started  bool
	stats    ICSStats
}

// ICSStats counts the VEVENTs read so far.
type ICSStats struct {
	Events     int // all VEVENTs, good or bad
	Cancelled  int // with STATUS:CANCELLED, skipped
	NoSpeakers int // without a chair or organizer, skipped
}

// vevent collects the properties of a VEVENT.
type vevent struct {
	line               int // of BEGIN:VEVENT
	depth              int // len(stack) inside it
	uid, summary, url  string
	status, recurrence string
	start              *property
	chairs             []property
	organizer          *property
	bad                string // the first reason it cannot be read
}

func (ev *vevent) fail(reason string) {
	if ev.bad == "" {
		ev.bad = reason
	}
}

// NewICSReader returns a reader of the iCalendar file read from r, named file
// in messages.
func NewICSReader(r io.Reader, file string) *ICSReader {
	return &ICSReader{
		file:  file,
		lines: icsLines{br: bufio.NewReader(r)},
		zones: map[string]*time.Location{},
	}
}

// Stats returns the counts of the VEVENTs read so far.
func (r *ICSReader) Stats() ICSStats {
	return r.stats
}

// Next returns the next speaker's activity; io.EOF ends the file.
func (r *ICSReader) Next() (cadre.ActivityRecord, error) {
	for len(r.pending) == 0 {
		s, line, err := r.lines.next()
		if err == io.EOF {
			return cadre.ActivityRecord{}, r.end()
		}
		if err != nil {
			return cadre.ActivityRecord{}, fmt.Errorf("read %s: %w", r.file, err)
		}
		if err := r.line(s, line); err != nil {
			return cadre.ActivityRecord{}, err
		}
	}
	rec := r.pending[0]
	r.pending = r.pending[1:]
	return rec, nil
}

// end checks that the file ended where it may.
func (r *ICSReader) end() error {
	switch {
	case !r.started:
		return fmt.Errorf("%s is not an iCalendar file: it is empty", r.file)
	case r.ev != nil:
		return fmt.Errorf("%s:%d: the file is cut short: BEGIN:VEVENT has no END:VEVENT", r.file, r.ev.line)
	case len(r.stack) > 0:
		return fmt.Errorf("%s: the file is cut short: BEGIN:%s has no END:%s", r.file, r.stack[len(r.stack)-1], r.stack[len(r.stack)-1])
	}
	return io.EOF
}

// line handles one content line, queuing the records of a VEVENT it ends.
// It returns a record error for a bad line outside a VEVENT and for a bad
// VEVENT, and a fatal error for a file that is not iCalendar.
func (r *ICSReader) line(s string, line int) error {
	p, reason := parseProperty(s)
	if !r.started {
		if reason != "" || p.name != "BEGIN" || !strings.EqualFold(p.value, "VCALENDAR") {
			return fmt.Errorf("%s is not an iCalendar file: line %d is %q, want BEGIN:VCALENDAR", r.file, line, cut(s))
		}
		r.started = true
	}
	if reason != "" {
		reason = fmt.Sprintf("line %d: %s", line, reason)
		if r.ev != nil {
			r.ev.fail(reason)
			return nil
		}
		return r.recordError(line, reason)
	}
	switch p.name {
	case "BEGIN":
		return r.begin(strings.ToUpper(p.value), line)
	case "END":
		return r.endComponent(strings.ToUpper(p.value), line)
	}
	switch {
	case len(r.stack) == 0:
		return fmt.Errorf("%s:%d: %s outside BEGIN:VCALENDAR and END:VCALENDAR", r.file, line, p.name)
	case r.ev != nil && len(r.stack) == r.ev.depth:
		r.ev.add(p, line)
	case len(r.stack) == 1:
		return r.calendarProperty(p, line)
	}
	return nil
}

func (r *ICSReader) begin(comp string, line int) error {
	switch {
	case len(r.stack) == 0 && comp != "VCALENDAR":
		return fmt.Errorf("%s:%d: BEGIN:%s outside BEGIN:VCALENDAR and END:VCALENDAR", r.file, line, comp)
	case comp == "VCALENDAR":
		if len(r.stack) > 0 {
			return fmt.Errorf("%s:%d: BEGIN:VCALENDAR inside BEGIN:%s", r.file, line, r.stack[len(r.stack)-1])
		}
		r.calendar = strings.TrimSuffix(filepath.Base(r.file), filepath.Ext(r.file))
		r.zone = nil
	}
	r.stack = append(r.stack, comp)
	if comp != "VEVENT" {
		return nil
	}
	var err error
	if r.ev != nil {
		// The event before was never ended: drop it, read this one.
		err = r.recordError(r.ev.line, "BEGIN:VEVENT has no END:VEVENT")
		r.stack = append(r.stack[:r.ev.depth-1], comp)
	}
	r.stats.Events++
	r.ev = &vevent{line: line, depth: len(r.stack)}
	return err
}

func (r *ICSReader) endComponent(comp string, line int) error {
	i := len(r.stack) - 1
	for i >= 0 && r.stack[i] != comp {
		i--
	}
	if i < 0 {
		reason := fmt.Sprintf("line %d: END:%s without BEGIN:%s", line, comp, comp)
		if r.ev != nil {
			r.ev.fail(reason)
			return nil
		}
		return r.recordError(line, reason)
	}
	r.stack = r.stack[:i]
	ev := r.ev
	switch {
	case ev == nil || i >= ev.depth:
		return nil
	case i < ev.depth-1:
		// An enclosing component ended first.
		r.ev = nil
		return r.recordError(ev.line, "BEGIN:VEVENT has no END:VEVENT")
	}
	r.ev = nil
	recs, reason := r.records(ev)
	if reason != "" {
		return r.recordError(ev.line, reason)
	}
	r.pending = recs
	return nil
}

func (r *ICSReader) calendarProperty(p property, line int) error {
	switch p.name {
	case "X-WR-CALNAME":
		if name := strings.TrimSpace(unescapeText(p.value)); name != "" {
			r.calendar = name
		}
	case "X-WR-TIMEZONE":
		loc, err := r.location(strings.TrimSpace(p.value))
		if err != nil {
			return r.recordError(line, "X-WR-TIMEZONE: "+err.Error())
		}
		r.zone = loc
	}
	return nil
}

func (r *ICSReader) recordError(line int, reason string) error {
	return &interchange.RecordError{File: r.file, Line: line, Reason: reason}
}

func (ev *vevent) add(p property, line int) {
	switch p.name {
	case "UID":
		ev.uid = strings.TrimSpace(unescapeText(p.value))
	case "SUMMARY":
		ev.summary = strings.Join(strings.Fields(unescapeText(p.value)), " ")
	case "URL":
		ev.url = strings.TrimSpace(p.value)
	case "STATUS":
		ev.status = strings.ToUpper(strings.TrimSpace(p.value))
	case "RECURRENCE-ID":
		ev.recurrence = strings.TrimSpace(p.value)
	case "DTSTART":
		if ev.start != nil {
			ev.fail(fmt.Sprintf("line %d: a second DTSTART", line))
		}
		ev.start = &p
	case "ATTENDEE":
		if strings.EqualFold(p.params["ROLE"], "CHAIR") {
			ev.chairs = append(ev.chairs, p)
		}
	case "ORGANIZER":
		ev.organizer = &p
	}
}

// records maps a VEVENT, or returns the reason it cannot.
func (r *ICSReader) records(ev *vevent) ([]cadre.ActivityRecord, string) {
	switch {
	case ev.bad != "":
		return nil, ev.bad
	case ev.uid == "":
		return nil, "no UID"
	case ev.status == "CANCELLED":
		r.stats.Cancelled++
		return nil, ""
	case ev.start == nil:
		return nil, "no DTSTART"
	}
	at, err := r.startTime(*ev.start)
	if err != nil {
		return nil, "DTSTART: " + err.Error()
	}
	speakers := ev.chairs
	if len(speakers) == 0 && ev.organizer != nil {
		speakers = []property{*ev.organizer}
	}
	if len(speakers) == 0 {
		r.stats.NoSpeakers++
		return nil, ""
	}
	session := ev.uid
	if ev.recurrence != "" {
		session += "/" + ev.recurrence
	}
	recs := make([]cadre.ActivityRecord, len(speakers))
	for i, sp := range speakers {
		ref, key, reason := speaker(sp)
		if reason != "" {
			return nil, reason
		}
		recs[i] = cadre.ActivityRecord{
			Activity: cadre.Activity{
				Type:       ActivityType,
				OccurredAt: at,
				Source:     Source,
				ExternalID: r.calendar + ":" + session + ":" + key,
				Status:     cadre.ActivityApproved,
				URL:        ev.url,
				Title:      title(r.calendar, ev.summary),
			},
			Member: ref,
		}
	}
	return recs, ""
}

// speaker reads the member of an ATTENDEE or ORGANIZER property and their
// part of external_id.
func speaker(p property) (ref cadre.MemberRef, key, reason string) {
	name := strings.Join(strings.Fields(p.params["CN"]), " ")
	var email string
	if addr, ok := cutPrefixFold(strings.TrimSpace(p.value), "mailto:"); ok {
		email = strings.ToLower(addr)
		if !cadre.ValidEmail(email) {
			return ref, "", fmt.Sprintf("%s: %q is not an email address", p.name, addr)
		}
	}
	switch {
	case email != "":
		ref = cadre.MemberRef{Email: email, Name: name}
	case name != "":
		ref = cadre.MemberRef{Platform: Platform, Handle: name, Name: name}
	default:
		return ref, "", p.name + ": neither a mailto: address nor a CN"
	}
	return ref, speakerKey("", email, name), ""
}

func cutPrefixFold(s, prefix string) (string, bool) {
	if len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix) {
		return s[len(prefix):], true
	}
	return s, false
}

// startTime reads a DTSTART.
func (r *ICSReader) startTime(p property) (time.Time, error) {
	v := strings.TrimSpace(p.value)
	var t time.Time
	var err error
	switch {
	case strings.EqualFold(p.params["VALUE"], "DATE") || len(v) == len("20060102"):
		t, err = time.Parse("20060102", v)
	case strings.HasSuffix(v, "Z"):
		t, err = time.Parse("20060102T150405Z", v)
	default:
		loc := time.UTC
		if r.zone != nil {
			loc = r.zone
		}
		if tzid := strings.TrimSpace(p.params["TZID"]); tzid != "" {
			if loc, err = r.location(tzid); err != nil {
				return time.Time{}, err
			}
		}
		t, err = time.ParseInLocation("20060102T150405", v, loc)
	}
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is not a date-time such as 20250402T143000Z, 20250402T143000 or 20250402", v)
	}
	if reason := cadre.CheckActivityTime(t); reason != "" {
		return time.Time{}, fmt.Errorf("%q is %s", v, reason)
	}
	return t.UTC(), nil
}

// location loads the IANA time zone named tzid.
func (r *ICSReader) location(tzid string) (*time.Location, error) {
	if loc, ok := r.zones[tzid]; ok {
		return loc, nil
	}
	// time.LoadLocation reads "" and "Local" as zones of its own, which a
	// calendar cannot mean.
	if tzid == "" || tzid == "Local" {
		return nil, fmt.Errorf("unknown time zone %q", tzid)
	}
	loc, err := time.LoadLocation(tzid)
	if err != nil {
		return nil, fmt.Errorf("unknown time zone %q: use an IANA name such as Europe/Berlin", tzid)
	}
	r.zones[tzid] = loc
	return loc, nil
}

// property is one content line: NAME;PARAM=value;...:value.
type property struct {
	name   string            // upper-cased
	params map[string]string // upper-cased names; quotes removed, lists kept as written
	value  string
}

// parseProperty parses a content line, or returns the reason it cannot.
func parseProperty(s string) (property, string) {
	const notContent = "not a content line NAME:value (a folded line must start with a space)"
	if !utf8.ValidString(s) {
		return property{}, "invalid UTF-8"
	}
	i := 0
	for i < len(s) && isNameByte(s[i]) {
		i++
	}
	if i == 0 || i == len(s) || s[i] != ';' && s[i] != ':' {
		return property{}, notContent
	}
	p := property{name: strings.ToUpper(s[:i])}
	for s[i] == ';' {
		i++
		start := i
		for i < len(s) && isNameByte(s[i]) {
			i++
		}
		if i == start || i == len(s) || s[i] != '=' {
			return property{}, fmt.Sprintf("%s: bad parameter", p.name)
		}
		key := strings.ToUpper(s[start:i])
		i++
		var val strings.Builder
		for {
			if i < len(s) && s[i] == '"' {
				end := strings.IndexByte(s[i+1:], '"')
				if end < 0 {
					return property{}, fmt.Sprintf("%s: parameter %s: unclosed quote", p.name, key)
				}
				val.WriteString(s[i+1 : i+1+end])
				i += end + 2
			} else {
				end := strings.IndexAny(s[i:], ",;:")
				if end < 0 {
					return property{}, notContent
				}
				val.WriteString(s[i : i+end])
				i += end
			}
			if i < len(s) && s[i] == ',' {
				val.WriteByte(',')
				i++
				continue
			}
			break
		}
		if i == len(s) || s[i] != ';' && s[i] != ':' {
			return property{}, fmt.Sprintf("%s: parameter %s: text after the quoted value", p.name, key)
		}
		if p.params == nil {
			p.params = map[string]string{}
		}
		p.params[key] = val.String()
	}
	p.value = s[i+1:]
	return p, ""
}

// isNameByte reports whether c may be in a property or parameter name.
func isNameByte(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-'
}

// unescapeText undoes the escapes of a TEXT value: \\, \;, \, and \n.
func unescapeText(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '\\' && i+1 < len(s) {
			i++
			c = s[i]
			if c == 'n' || c == 'N' {
				c = '\n'
			}
		}
		b.WriteByte(c)
	}
	return b.String()
}

// cut shortens s for a message.
func cut(s string) string {
	if len(s) > 60 {
		n := 60
		for n > 0 && !utf8.RuneStart(s[n]) {
			n--
		}
		return s[:n] + "..."
	}
	return s
}

// icsLines reads the content lines of an iCalendar file, unfolding them: a
// line that starts with a space or a tab continues the line before.
type icsLines struct {
	br       *bufio.Reader
	n        int    // physical lines read
	peeked   string // a physical line read ahead
	peekLine int
	hasPeek  bool
}

// next returns the next content line, unfolded, and the line it starts on.
// Blank lines are skipped.
func (l *icsLines) next() (string, int, error) {
	var s string
	var line int
	for s == "" {
		var err error
		if s, line, err = l.take(); err != nil {
			return "", 0, err
		}
	}
	if s[0] == ' ' || s[0] == '\t' {
		// A continuation with no line to continue; the caller rejects it.
		return s, line, nil
	}
	var b strings.Builder
	b.WriteString(s)
	for {
		next, nextLine, err := l.take()
		if err == io.EOF {
			break
		}
		if err != nil {
			return "", 0, err
		}
		if next == "" || next[0] != ' ' && next[0] != '\t' {
			l.peeked, l.peekLine, l.hasPeek = next, nextLine, true
			break
		}
		if b.Len()+len(next)-1 > maxICSLine {
			return "", 0, fmt.Errorf("line %d: content line longer than %d bytes", line, maxICSLine)
		}
		b.WriteString(next[1:])
	}
	return b.String(), line, nil
}

// take returns the next physical line without its line break.
func (l *icsLines) take() (string, int, error) {
	if l.hasPeek {
		l.hasPeek = false
		return l.peeked, l.peekLine, nil
	}
	var buf []byte
	for {
		chunk, err := l.br.ReadSlice('\n')
		buf = append(buf, chunk...)
		if len(buf) > maxICSLine+2 {
			return "", 0, fmt.Errorf("line %d: longer than %d bytes", l.n+1, maxICSLine)
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		if err == io.EOF && len(buf) > 0 {
			err = nil
		}
		if err != nil {
			return "", 0, err
		}
		l.n++
		return strings.TrimRight(string(buf), "\r\n"), l.n, nil
	}
}
