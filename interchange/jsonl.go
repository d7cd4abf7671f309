package interchange

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/cadrehq/cadre"
)

// jsonlDecoder decodes one record a line.
type jsonlDecoder struct {
	file  string
	lines *LineReader
	p     jsonParser
}

func newJSONLDecoder(r io.Reader, file string) *jsonlDecoder {
	return &jsonlDecoder{
		file:  file,
		lines: NewLineReader(r, 16<<10, MaxLineBytes),
		p:     jsonParser{intern: make(map[string]string)},
	}
}

func (d *jsonlDecoder) decode() (cadre.ActivityRecord, int, string, error) {
	var rec cadre.ActivityRecord
	for {
		text, tooLong, err := d.lines.Next()
		if err == io.EOF {
			return rec, d.lines.Line(), "", io.EOF
		}
		if err != nil {
			return rec, d.lines.Line(), "", fmt.Errorf("read %s: %w", d.file, err)
		}
		n := d.lines.Line()
		switch {
		case tooLong:
			return rec, n, "", &RecordError{Line: n, Reason: fmt.Sprintf("line longer than %d bytes", MaxLineBytes)}
		case len(bytes.Trim(text, " \t\r")) == 0:
			continue
		case !utf8.Valid(text):
			return rec, n, "", &RecordError{Line: n, Reason: fmt.Sprintf("invalid UTF-8 at column %d", invalidUTF8At(text)+1)}
		}
		occurredAt, err := d.p.parse(text, &rec)
		if err != nil {
			return rec, n, "", &RecordError{Line: n, Reason: err.Error()}
		}
		return rec, n, occurredAt, nil
	}
}

// invalidUTF8At returns the offset of the first byte of b that is not part of
// valid UTF-8.
func invalidUTF8At(b []byte) int {
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size == 1 {
			return i
		}
		i += size
	}
	return len(b)
}

// jsonParser is a decoder for the one shape of JSON that a record has. It
// replaces encoding/json, which is several times slower here: it reads the
// line once, makes one string for all of a record's text, and names the field
// in every error. The line must be valid UTF-8.
type jsonParser struct {
	data []byte
	pos  int

	unesc   []byte                      // a string with escapes, decoded
	text    []byte                      // the text of the record's strings, one after the other
	spans   [cadre.NumRecordFields]span // where each string field is in text
	inText  uint32                      // the fields that have a span
	seen    uint32                      // the fields seen, to reject duplicates
	metrics []metricValue               // metrics in the order seen
	intern  map[string]string           // repeated values: sources, types, platforms, metric names
	// The last value interned for each field, and for each metric by position:
	// cheaper to compare with than the map, and usually the same.
	lastValue  [cadre.NumRecordFields]string
	lastMetric [8]string
}

type span struct{ start, end int }

type metricValue struct {
	name  string
	value float64
	null  bool
}

// Bounds on interning, so that a file of distinct values does not grow the
// table without end.
const (
	maxInterned    = 4096
	maxInternedLen = 64
)

// parse decodes line into rec and returns the text of occurred_at.
func (p *jsonParser) parse(line []byte, rec *cadre.ActivityRecord) (string, error) {
	p.data, p.pos = line, 0
	p.text = p.text[:0]
	p.inText, p.seen = 0, 0
	p.metrics = p.metrics[:0]
	p.skipSpace()
	if p.data[p.pos] != '{' {
		got, err := p.kind()
		if err != nil {
			return "", err
		}
		return "", fmt.Errorf("invalid JSON: a line must hold an object, not %s", got)
	}
	p.pos++
	for first := true; ; first = false {
		key, ok, err := p.nextKey(first)
		if err != nil {
			return "", err
		}
		if !ok {
			break
		}
		f, known := topField(key)
		if !known {
			return "", fmt.Errorf("unknown field %s", cadre.Quote(string(key)))
		}
		if err := p.see(f); err != nil {
			return "", err
		}
		switch f {
		case cadre.FieldMember, cadre.FieldMentee:
			err = p.ref(f, rec)
		case cadre.FieldEffortMinutes:
			var v float64
			var given bool
			if v, given, err = p.number(f, ""); given {
				rec.EffortMinutes, rec.HasEffort = v, true
			}
		case cadre.FieldMetrics:
			err = p.metricsObject(rec)
		case cadre.FieldThread:
			err = p.threadObject(rec)
		case cadre.FieldID:
			err = p.idField(f, &rec.ID)
		case cadre.FieldDuplicateOf:
			err = p.idField(f, &rec.DuplicateOf)
		default:
			err = p.stringField(f, rec)
		}
		if err != nil {
			return "", err
		}
	}
	p.skipSpace()
	if p.pos < len(p.data) {
		return "", p.syntaxError("unexpected text after the object")
	}

	var occurredAt string
	if p.inText != 0 {
		all := string(p.text)
		for f := range cadre.NumRecordFields {
			if p.inText&(1<<f) == 0 {
				continue
			}
			s := all[p.spans[f].start:p.spans[f].end]
			if f == cadre.FieldOccurredAt {
				occurredAt = s
			} else {
				*fieldStr(f, rec) = s
			}
		}
	}
	if n := len(p.metrics); n > 0 {
		m := make(map[string]float64, n)
		for _, mv := range p.metrics {
			if !mv.null {
				m[mv.name] = mv.value
			}
		}
		if len(m) > 0 {
			rec.Metrics = m
		}
	}
	return occurredAt, nil
}

func topField(key []byte) (cadre.RecordField, bool) {
	switch string(key) {
	case "source":
		return cadre.FieldSource, true
	case "external_id":
		return cadre.FieldExternalID, true
	case "type":
		return cadre.FieldType, true
	case "occurred_at":
		return cadre.FieldOccurredAt, true
	case "member":
		return cadre.FieldMember, true
	case "url":
		return cadre.FieldURL, true
	case "title":
		return cadre.FieldTitle, true
	case "effort_minutes":
		return cadre.FieldEffortMinutes, true
	case "metrics":
		return cadre.FieldMetrics, true
	case "mentee":
		return cadre.FieldMentee, true
	case "status":
		return cadre.FieldStatus, true
	case "thread":
		return cadre.FieldThread, true
	case "id":
		return cadre.FieldID, true
	case "duplicate_of":
		return cadre.FieldDuplicateOf, true
	}
	return 0, false
}

// refField returns the field of a key of the member or mentee object; which is
// cadre.FieldMember or cadre.FieldMentee, and their fields follow them in the field list.
func refField(key []byte, which cadre.RecordField) (cadre.RecordField, bool) {
	switch string(key) {
	case "platform":
		return which + 1, true
	case "handle":
		return which + 2, true
	case "email":
		return which + 3, true
	case "name":
		return which + 4, true
	case "id":
		if which == cadre.FieldMember {
			return cadre.FieldMemberID, true
		}
		return cadre.FieldMenteeID, true
	}
	return 0, false
}

// see marks f as seen, rejecting a second occurrence.
func (p *jsonParser) see(f cadre.RecordField) error {
	if p.seen&(1<<f) != 0 {
		return fmt.Errorf("duplicate field %q", jsonNames.of(f))
	}
	p.seen |= 1 << f
	return nil
}

// ref decodes the member or mentee object.
func (p *jsonParser) ref(which cadre.RecordField, rec *cadre.ActivityRecord) error {
	switch p.data[p.pos] {
	case 'n':
		return p.literal("null")
	case '{':
		p.pos++
	default:
		return p.typeError(jsonNames.of(which), "an object")
	}
	for first := true; ; first = false {
		key, ok, err := p.nextKey(first)
		if err != nil || !ok {
			return err
		}
		f, known := refField(key, which)
		if !known {
			return fmt.Errorf("unknown field %s", cadre.Quote(jsonNames.of(which)+"."+string(key)))
		}
		if err := p.see(f); err != nil {
			return err
		}
		switch f {
		case cadre.FieldMemberID:
			err = p.idField(f, &rec.MemberID)
		case cadre.FieldMenteeID:
			err = p.idField(f, &rec.MenteeID)
		default:
			err = p.stringField(f, rec)
		}
		if err != nil {
			return err
		}
	}
}

// idField decodes the value of the ID field f, a string such as "12" or
// null, into id.
func (p *jsonParser) idField(f cadre.RecordField, id *int64) error {
	switch p.data[p.pos] {
	case 'n':
		return p.literal("null")
	case '"':
	default:
		return p.typeError(jsonNames.of(f), "an id in a string, such as \"12\"")
	}
	s, err := p.str()
	if err != nil {
		return err
	}
	v, ok := parseID(s)
	if !ok {
		return fmt.Errorf("%s: %s is not an id, a positive whole number such as \"12\"", jsonNames.of(f), cadre.Quote(string(s)))
	}
	*id = v
	return nil
}

// parseID reads a database ID as the format writes it: decimal digits, no
// sign or leading zero, greater than zero.
func parseID(s []byte) (int64, bool) {
	if len(s) == 0 || s[0] == '0' {
		return 0, false
	}
	for _, c := range s {
		if !isDigit(c) {
			return 0, false
		}
	}
	v, err := strconv.ParseInt(string(s), 10, 64)
	return v, err == nil
}

// metricsObject decodes the metrics object.
func (p *jsonParser) metricsObject(rec *cadre.ActivityRecord) error {
	switch p.data[p.pos] {
	case 'n':
		return p.literal("null")
	case '{':
		p.pos++
	default:
		return p.typeError(jsonNames.of(cadre.FieldMetrics), "an object")
	}
	for first := true; ; first = false {
		key, ok, err := p.nextKey(first)
		if err != nil || !ok {
			return err
		}
		if !validMetricName(key) {
			return fmt.Errorf("%s: invalid name %s (%s)", jsonNames.of(cadre.FieldMetrics), cadre.Quote(string(key)), metricNameRule)
		}
		var name string
		if n := len(p.metrics); n < len(p.lastMetric) {
			name = p.internLast(key, &p.lastMetric[n])
		} else {
			name = p.internBytes(key)
		}
		if slices.ContainsFunc(p.metrics, func(m metricValue) bool { return m.name == name }) {
			return fmt.Errorf("duplicate field %q", jsonNames.metric(name))
		}
		v, ok, err := p.number(cadre.FieldMetrics, name)
		if err != nil {
			return err
		}
		p.metrics = append(p.metrics, metricValue{name: name, value: v, null: !ok})
	}
}

// threadObject decodes the thread object: its id, a string, its views, a
// whole number, and solved, true or false; each may be null.
func (p *jsonParser) threadObject(rec *cadre.ActivityRecord) error {
	switch p.data[p.pos] {
	case 'n':
		return p.literal("null")
	case '{':
		p.pos++
	default:
		return p.typeError(jsonNames.of(cadre.FieldThread), "an object")
	}
	for first := true; ; first = false {
		key, ok, err := p.nextKey(first)
		if err != nil || !ok {
			return err
		}
		var f cadre.RecordField
		switch string(key) {
		case "id":
			f = cadre.FieldThreadID
		case "views":
			f = cadre.FieldThreadViews
		case "solved":
			f = cadre.FieldThreadSolved
		default:
			return fmt.Errorf("unknown field %s", cadre.Quote(jsonNames.of(cadre.FieldThread)+"."+string(key)))
		}
		if err := p.see(f); err != nil {
			return err
		}
		switch f {
		case cadre.FieldThreadID:
			err = p.stringField(f, rec)
		case cadre.FieldThreadViews:
			var v float64
			var given bool
			if v, given, err = p.number(f, ""); given {
				views, reason := threadViews(v, jsonNames.of(f))
				if reason != "" {
					return errors.New(reason)
				}
				rec.Thread.Views, rec.Thread.HasViews = views, true
			}
		case cadre.FieldThreadSolved:
			err = p.boolField(f, &rec.Thread.Solved, &rec.Thread.HasSolved)
		}
		if err != nil {
			return err
		}
	}
}

// boolField decodes true, false or null into v, setting given unless null.
func (p *jsonParser) boolField(f cadre.RecordField, v, given *bool) error {
	switch p.data[p.pos] {
	case 'n':
		return p.literal("null")
	case 't':
		*v, *given = true, true
		return p.literal("true")
	case 'f':
		*v, *given = false, true
		return p.literal("false")
	}
	return p.typeError(jsonNames.of(f), "true or false")
}

// stringField decodes the value of the string field f. Values repeated from
// record to record are interned; the others go to the record's text.
func (p *jsonParser) stringField(f cadre.RecordField, rec *cadre.ActivityRecord) error {
	var s []byte
	switch p.data[p.pos] {
	case 'n':
		return p.literal("null")
	case '"':
		var err error
		if s, err = p.str(); err != nil {
			return err
		}
	default:
		return p.typeError(jsonNames.of(f), "a string")
	}
	switch f {
	case cadre.FieldSource, cadre.FieldType, cadre.FieldStatus, cadre.FieldMemberPlatform, cadre.FieldMenteePlatform:
		*fieldStr(f, rec) = p.internLast(s, &p.lastValue[f])
	default:
		start := len(p.text)
		p.text = append(p.text, s...)
		p.spans[f] = span{start, len(p.text)}
		p.inText |= 1 << f
	}
	return nil
}

// number decodes a number or null; ok is false for null. f, or the metric
// named metric, is named in errors.
func (p *jsonParser) number(f cadre.RecordField, metric string) (v float64, ok bool, err error) {
	name := func() string {
		if metric != "" {
			return jsonNames.metric(metric)
		}
		return jsonNames.of(f)
	}
	c := p.data[p.pos]
	if c == 'n' {
		return 0, false, p.literal("null")
	}
	if c != '-' && !isDigit(c) {
		return 0, false, p.typeError(name(), "a number")
	}
	end := scanNumber(p.data, p.pos)
	if end < 0 {
		return 0, false, p.syntaxError("invalid number")
	}
	v, ok = parseNumber(p.data[p.pos:end])
	if !ok {
		return 0, false, fmt.Errorf("%s: number out of range", name())
	}
	p.pos = end
	return v, true, nil
}

// nextKey reads up to the value of the next key of an object whose '{' has
// been read; first says whether it is the first key. At the object's '}' it
// returns ok false.
func (p *jsonParser) nextKey(first bool) (key []byte, ok bool, err error) {
	p.skipSpace()
	if p.pos == len(p.data) {
		return nil, false, p.syntaxError("unexpected end of line")
	}
	switch c := p.data[p.pos]; {
	case c == '}':
		p.pos++
		return nil, false, nil
	case first:
	case c == ',':
		p.pos++
		p.skipSpace()
		if p.pos == len(p.data) {
			return nil, false, p.syntaxError("unexpected end of line")
		}
	default:
		return nil, false, p.syntaxError("expected ',' or '}' after a field")
	}
	if p.pos == len(p.data) || p.data[p.pos] != '"' {
		return nil, false, p.syntaxError("expected a field name in quotes")
	}
	if key, err = p.str(); err != nil {
		return nil, false, err
	}
	p.skipSpace()
	if p.pos == len(p.data) || p.data[p.pos] != ':' {
		return nil, false, p.syntaxError("expected ':' after a field name")
	}
	p.pos++
	p.skipSpace()
	if p.pos == len(p.data) {
		return nil, false, p.syntaxError("unexpected end of line")
	}
	return key, true, nil
}

// str decodes the string that starts at p.pos. The result is valid until the
// next call.
func (p *jsonParser) str() ([]byte, error) {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	start := p.pos + 1
	i := start
	// Skip eight bytes at a time while none is '"', '\\' or below 0x20: a
	// byte b of x is zero in x^(ones*b), which sets its high bit in
	// (y-ones)&^y; a byte below 0x20 sets its high bit in (x-0x20*ones)&^x.
	for ; i+8 <= len(p.data); i += 8 {
		x := binary.LittleEndian.Uint64(p.data[i:])
		q, b := x^(ones*'"'), x^(ones*'\\')
		if ((q-ones)&^q|(b-ones)&^b|(x-0x20*ones)&^x)&highs != 0 {
			break
		}
	}
	for ; i < len(p.data); i++ {
		switch c := p.data[i]; {
		case c == '"':
			p.pos = i + 1
			return p.data[start:i], nil
		case c == '\\':
			return p.strEscaped(start, i)
		case c < 0x20:
			p.pos = i
			return nil, p.syntaxError("control character in a string")
		}
	}
	p.pos = len(p.data)
	return nil, p.syntaxError("unterminated string")
}

// strEscaped finishes str for a string starting at start whose first escape
// is at i. Like encoding/json, it turns invalid surrogates into U+FFFD.
func (p *jsonParser) strEscaped(start, i int) ([]byte, error) {
	b := append(p.unesc[:0], p.data[start:i]...)
	defer func() { p.unesc = b[:0] }()
	for i < len(p.data) {
		c := p.data[i]
		switch {
		case c == '"':
			p.pos = i + 1
			return b, nil
		case c < 0x20:
			p.pos = i
			return nil, p.syntaxError("control character in a string")
		case c != '\\':
			b = append(b, c)
			i++
			continue
		}
		if i+1 == len(p.data) {
			break
		}
		switch e := p.data[i+1]; e {
		case '"', '\\', '/':
			b = append(b, e)
		case 'b':
			b = append(b, '\b')
		case 'f':
			b = append(b, '\f')
		case 'n':
			b = append(b, '\n')
		case 'r':
			b = append(b, '\r')
		case 't':
			b = append(b, '\t')
		case 'u':
			r, ok := hex4(p.data, i+2)
			if !ok {
				p.pos = i
				return nil, p.syntaxError(`invalid \u escape`)
			}
			i += 6
			if utf16.IsSurrogate(r) {
				r2, ok := rune(-1), false
				if i+1 < len(p.data) && p.data[i] == '\\' && p.data[i+1] == 'u' {
					r2, ok = hex4(p.data, i+2)
				}
				if dec := utf16.DecodeRune(r, r2); ok && dec != utf8.RuneError {
					r = dec
					i += 6
				} else {
					r = utf8.RuneError
				}
			}
			b = utf8.AppendRune(b, r)
			continue
		default:
			p.pos = i
			return nil, p.syntaxError("invalid escape in a string")
		}
		i += 2
	}
	p.pos = len(p.data)
	return nil, p.syntaxError("unterminated string")
}

func hex4(b []byte, i int) (rune, bool) {
	if i+4 > len(b) {
		return 0, false
	}
	var r rune
	for _, c := range b[i : i+4] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c -= 'a' - 10
		case 'A' <= c && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}

// literal consumes lit, which must be next.
func (p *jsonParser) literal(lit string) error {
	if !bytes.HasPrefix(p.data[p.pos:], []byte(lit)) {
		return p.syntaxError("invalid literal")
	}
	p.pos += len(lit)
	return nil
}

// typeError reports that the value at p.pos is not of the wanted type, or a
// syntax error when it is not a value at all.
func (p *jsonParser) typeError(name, want string) error {
	got, err := p.kind()
	if err != nil {
		return err
	}
	return fmt.Errorf("%s: expected %s, got %s", name, want, got)
}

// kind describes the value at p.pos for messages.
func (p *jsonParser) kind() (string, error) {
	switch c := p.data[p.pos]; {
	case c == '"':
		s, err := p.str()
		if err != nil {
			return "", err
		}
		return "the string " + cadre.Quote(string(s)), nil
	case c == '{':
		return "an object", nil
	case c == '[':
		return "an array", nil
	case c == 't':
		return "true", p.literal("true")
	case c == 'f':
		return "false", p.literal("false")
	case c == 'n':
		return "null", p.literal("null")
	case c == '-' || isDigit(c):
		if scanNumber(p.data, p.pos) < 0 {
			return "", p.syntaxError("invalid number")
		}
		return "a number", nil
	default:
		r, _ := utf8.DecodeRune(p.data[p.pos:])
		return "", p.syntaxError(fmt.Sprintf("unexpected %q", r))
	}
}

func (p *jsonParser) skipSpace() {
	for p.pos < len(p.data) && p.data[p.pos] <= ' ' {
		switch p.data[p.pos] {
		case ' ', '\t', '\r', '\n':
			p.pos++
		default:
			return
		}
	}
}

func (p *jsonParser) syntaxError(msg string) error {
	return fmt.Errorf("invalid JSON at column %d: %s", p.pos+1, msg)
}

// internLast interns b, trying last, which it updates, first.
func (p *jsonParser) internLast(b []byte, last *string) string {
	if string(b) == *last {
		return *last
	}
	*last = p.internBytes(b)
	return *last
}

func (p *jsonParser) internBytes(b []byte) string {
	if s, ok := p.intern[string(b)]; ok {
		return s
	}
	s := string(b)
	if len(s) <= maxInternedLen && len(p.intern) < maxInterned {
		p.intern[s] = s
	}
	return s
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// scanNumber returns the end of the JSON number that starts at s[i], or -1
// when there is none.
func scanNumber[T string | []byte](s T, i int) int {
	digits := func(i int) int {
		for i < len(s) && isDigit(s[i]) {
			i++
		}
		return i
	}
	if i < len(s) && s[i] == '-' {
		i++
	}
	switch {
	case i == len(s) || !isDigit(s[i]):
		return -1
	case s[i] == '0':
		i++
	default:
		i = digits(i)
	}
	if i < len(s) && s[i] == '.' {
		j := digits(i + 1)
		if j == i+1 {
			return -1
		}
		i = j
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		j := digits(i)
		if j == i {
			return -1
		}
		i = j
	}
	return i
}

// parseNumber converts a JSON number, as found by scanNumber; ok is false when
// it is out of the range of float64.
func parseNumber[T string | []byte](s T) (float64, bool) {
	// Integers, the common case, of up to 16 digits fit in an int64, whose
	// conversion rounds as ParseFloat does.
	if len(s) <= 16 {
		neg, i, n := false, 0, int64(0)
		if s[0] == '-' {
			neg, i = true, 1
		}
		for ; i < len(s) && isDigit(s[i]); i++ {
			n = n*10 + int64(s[i]-'0')
		}
		if i == len(s) {
			if neg && n != 0 {
				return -float64(n), true
			}
			return float64(n), true
		}
	}
	v, err := strconv.ParseFloat(string(s), 64)
	if v == 0 {
		v = 0 // not -0
	}
	return v, err == nil
}

// JSONLWriter writes records as JSON Lines, with the keys in the order of the
// SPEC and empty optional fields left out.
type JSONLWriter struct {
	// IDs writes the IDs that the records have in the database they come
	// from: the activity's "id" (first) and "duplicate_of" (last), and the
	// "id" of the member and the mentee, which an import of the whole
	// program keeps.
	IDs bool

	w    *bufio.Writer
	buf  []byte
	keys []string
}

// NewJSONLWriter returns a JSONLWriter to w. Call Flush when done.
func NewJSONLWriter(w io.Writer) *JSONLWriter {
	return &JSONLWriter{w: bufio.NewWriterSize(w, 16<<10)}
}

// Write writes rec as one line. It refuses, with a cadre.EINVALID error, a
// record that the format cannot carry (invalid UTF-8, a bad metric name, a
// number that is not finite), and writes nothing of it.
func (w *JSONLWriter) Write(rec cadre.ActivityRecord) error {
	if err := refuse(&rec, &jsonNames); err != nil {
		return err
	}
	b := append(w.buf[:0], '{')
	if w.IDs {
		b = appendKey(b, "id", formatID(rec.ID))
	}
	b = appendKey(b, "source", rec.Source)
	b = appendKey(b, "external_id", rec.ExternalID)
	b = appendKey(b, "type", rec.Type)
	b = append(b, `,"occurred_at":"`...)
	b = rec.OccurredAt.UTC().AppendFormat(b, time.RFC3339Nano)
	b = append(b, '"')
	b = appendRef(b, "member", w.refID(rec.MemberID), rec.Member)
	b = appendKey(b, "url", rec.URL)
	b = appendKey(b, "title", rec.Title)
	if rec.HasEffort {
		b = append(b, `,"effort_minutes":`...)
		b = appendNumber(b, rec.EffortMinutes)
	}
	if len(rec.Metrics) > 0 {
		w.keys = w.keys[:0]
		for name := range rec.Metrics {
			w.keys = append(w.keys, name)
		}
		slices.Sort(w.keys)
		b = append(b, `,"metrics":{`...)
		for i, name := range w.keys {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(b, name)
			b = append(b, ':')
			b = appendNumber(b, rec.Metrics[name])
		}
		b = append(b, '}')
	}
	if rec.Mentee != (cadre.MemberRef{}) || w.IDs && rec.MenteeID != 0 {
		b = appendRef(b, "mentee", w.refID(rec.MenteeID), rec.Mentee)
	}
	b = appendKey(b, "status", string(rec.Status))
	if th := rec.Thread; th != (cadre.Thread{}) {
		b = append(b, `,"thread":{`...)
		start := len(b)
		b = appendKey(b, "id", th.ID)
		if th.HasViews {
			b = append(b, `,"views":`...)
			b = strconv.AppendInt(b, th.Views, 10)
		}
		if th.HasSolved {
			b = append(b, `,"solved":`...)
			b = strconv.AppendBool(b, th.Solved)
		}
		if len(b) > start {
			b = append(b[:start], b[start+1:]...) // the comma before the first key
		}
		b = append(b, '}')
	}
	if w.IDs {
		b = appendKey(b, "duplicate_of", formatID(rec.DuplicateOf))
	}
	b = append(b, '}', '\n')
	b = append(b[:1], b[2:]...) // the comma before the first key
	w.buf = b
	if _, err := w.w.Write(b); err != nil {
		return fmt.Errorf("write activity: %w", err)
	}
	return nil
}

// refID is the member or mentee ID to write, "" for none.
func (w *JSONLWriter) refID(id int64) string {
	if !w.IDs {
		return ""
	}
	return formatID(id)
}

// formatID spells a database ID as the format does, "" for none (0).
func formatID(id int64) string {
	if id == 0 {
		return ""
	}
	return strconv.FormatInt(id, 10)
}

// Flush writes any buffered data to the underlying writer.
func (w *JSONLWriter) Flush() error {
	if err := w.w.Flush(); err != nil {
		return fmt.Errorf("write activities: %w", err)
	}
	return nil
}

// refuse returns the error of writers for a record that the format cannot
// carry, or nil.
func refuse(rec *cadre.ActivityRecord, names *fieldNames) error {
	if reason := checkForWrite(rec, names); reason != "" {
		return cadre.Errorf(cadre.EINVALID, "activity %s/%s: %s", rec.Source, rec.ExternalID, reason)
	}
	return nil
}

// appendKey appends `,"key":"value"`, or nothing when value is empty.
func appendKey(b []byte, key, value string) []byte {
	if value == "" {
		return b
	}
	b = append(b, ',', '"')
	b = append(b, key...)
	b = append(b, '"', ':')
	return appendString(b, value)
}

// appendRef appends the member or mentee object, with its id first when id
// is not "".
func appendRef(b []byte, key, id string, r cadre.MemberRef) []byte {
	b = append(b, ',', '"')
	b = append(b, key...)
	b = append(b, `":{`...)
	start := len(b)
	b = appendKey(b, "id", id)
	b = appendKey(b, "platform", r.Platform)
	b = appendKey(b, "handle", r.Handle)
	b = appendKey(b, "email", r.Email)
	b = appendKey(b, "name", r.Name)
	if len(b) > start {
		b = append(b[:start], b[start+1:]...) // the comma before the first key
	}
	return append(b, '}')
}

// appendString appends s as a JSON string. s is valid UTF-8.
func appendString(b []byte, s string) []byte {
	const hexDigits = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			continue
		}
		b = append(b, s[start:i]...)
		switch c {
		case '"', '\\':
			b = append(b, '\\', c)
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
			b = append(b, '\\', 'r')
		case '\t':
			b = append(b, '\\', 't')
		default:
			b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
		}
		start = i + 1
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// appendNumber appends the shortest text that reads back as f, in plain
// notation unless f is very large or very small, as encoding/json does.
func appendNumber(b []byte, f float64) []byte {
	format := byte('f')
	if a := math.Abs(f); a != 0 && (a < 1e-6 || a >= 1e21) {
		format = 'e'
	}
	return strconv.AppendFloat(b, f, format, -1, 64)
}
