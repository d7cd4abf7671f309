package interchange

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/cadrehq/cadre"
)

// csvColumns are the columns of the CSV format, in the order the writer puts
// them; metric columns, "metrics_" and the metric's name, follow.
var csvColumns = [...]cadre.RecordField{
	cadre.FieldSource, cadre.FieldExternalID, cadre.FieldType, cadre.FieldOccurredAt,
	cadre.FieldMemberPlatform, cadre.FieldMemberHandle, cadre.FieldMemberEmail, cadre.FieldMemberName,
	cadre.FieldURL, cadre.FieldTitle, cadre.FieldEffortMinutes, cadre.FieldStatus,
	cadre.FieldMenteePlatform, cadre.FieldMenteeHandle, cadre.FieldMenteeEmail, cadre.FieldMenteeName,
	cadre.FieldThreadID, cadre.FieldThreadViews, cadre.FieldThreadSolved,
}

const metricPrefix = "metrics_"

// csvDecoder decodes one record a row, after a header row.
type csvDecoder struct {
	file     string
	lim      *recordLimiter
	cr       *csv.Reader
	cols     []csvColumn // nil until the header is read
	nMetrics int
}

// csvColumn is what one column holds: a field, or the metric named metric
// when field is cadre.FieldMetrics.
type csvColumn struct {
	field  cadre.RecordField
	metric string
}

func newCSVDecoder(r io.Reader, file string) *csvDecoder {
	lim := &recordLimiter{r: bufio.NewReader(r)}
	cr := csv.NewReader(lim)
	cr.ReuseRecord = true
	// FieldsPerRecord 0: rows must have as many fields as the header.
	return &csvDecoder{file: file, lim: lim, cr: cr}
}

func (d *csvDecoder) decode() (rec cadre.ActivityRecord, line int, occurredAt string, err error) {
	if d.cols == nil {
		if err = d.readHeader(); err != nil {
			return rec, 0, "", err
		}
	}
	row, err := d.cr.Read()
	if err == io.EOF {
		return rec, 0, "", io.EOF
	}
	cut := d.lim.cutBefore(d.cr.InputOffset())
	if err != nil {
		pe, ok := errors.AsType[*csv.ParseError](err)
		if !ok {
			return rec, 0, "", fmt.Errorf("read %s: %w", d.file, err)
		}
		reason := fmt.Sprintf("invalid CSV: %v (line %d, column %d)", pe.Err, pe.Line, pe.Column)
		switch {
		case cut:
			reason = fmt.Sprintf("record longer than %d bytes", MaxLineBytes)
		case errors.Is(pe.Err, csv.ErrFieldCount):
			reason = fmt.Sprintf("%d fields, but the header has %d", len(row), len(d.cols))
		}
		return rec, pe.StartLine, "", &RecordError{Line: pe.StartLine, Reason: reason}
	}
	line, _ = d.cr.FieldPos(0)
	if cut {
		return rec, line, "", &RecordError{Line: line, Reason: fmt.Sprintf("record longer than %d bytes", MaxLineBytes)}
	}
	for i, v := range row {
		if v == "" {
			continue
		}
		col := d.cols[i]
		if !utf8.ValidString(v) {
			return rec, line, "", &RecordError{Line: line, Reason: d.name(col) + ": invalid UTF-8"}
		}
		switch col.field {
		case cadre.FieldOccurredAt:
			occurredAt = v
		case cadre.FieldEffortMinutes, cadre.FieldMetrics:
			t := strings.TrimSpace(v)
			if t == "" {
				continue
			}
			n, reason := d.number(t, col)
			if reason != "" {
				return rec, line, "", &RecordError{Line: line, Reason: reason}
			}
			if col.field == cadre.FieldEffortMinutes {
				rec.EffortMinutes, rec.HasEffort = n, true
				continue
			}
			if rec.Metrics == nil {
				rec.Metrics = make(map[string]float64, d.nMetrics)
			}
			rec.Metrics[col.metric] = n
		case cadre.FieldThreadViews:
			t := strings.TrimSpace(v)
			if t == "" {
				continue
			}
			n, reason := d.number(t, col)
			if reason == "" {
				rec.Thread.Views, reason = threadViews(n, csvNames.of(col.field))
			}
			if reason != "" {
				return rec, line, "", &RecordError{Line: line, Reason: reason}
			}
			rec.Thread.HasViews = true
		case cadre.FieldThreadSolved:
			switch t := strings.TrimSpace(v); t {
			case "":
			case "true", "false":
				rec.Thread.Solved, rec.Thread.HasSolved = t == "true", true
			default:
				return rec, line, "", &RecordError{Line: line, Reason: fmt.Sprintf("%s: %s is not true or false", d.name(col), cadre.Quote(t))}
			}
		default:
			*fieldStr(col.field, &rec) = unneutralize(v)
		}
	}
	return rec, line, occurredAt, nil
}

func (d *csvDecoder) name(col csvColumn) string {
	if col.field == cadre.FieldMetrics {
		return csvNames.metric(col.metric)
	}
	return csvNames.of(col.field)
}

// number parses the cell t of column col, trimmed, as a JSON number, or
// returns the reason it cannot.
func (d *csvDecoder) number(t string, col csvColumn) (float64, string) {
	if scanNumber(t, 0) != len(t) {
		return 0, fmt.Sprintf("%s: %s is not a number", d.name(col), cadre.Quote(t))
	}
	n, ok := parseNumber(t)
	if !ok {
		return 0, d.name(col) + ": number out of range"
	}
	return n, ""
}

// readHeader reads the header row. Errors in it are fatal: without the
// columns, no row can be read.
func (d *csvDecoder) readHeader() error {
	header, err := d.cr.Read()
	if err == io.EOF {
		return io.EOF
	}
	if pe, ok := errors.AsType[*csv.ParseError](err); ok {
		return fmt.Errorf("%s:%d: header: invalid CSV: %w", d.file, pe.StartLine, pe.Err)
	}
	if err != nil {
		return fmt.Errorf("read %s: header: %w", d.file, err)
	}
	line, _ := d.cr.FieldPos(0)
	fail := func(format string, args ...any) error {
		return fmt.Errorf("%s:%d: header: %s", d.file, line, fmt.Sprintf(format, args...))
	}
	if d.lim.cutBefore(d.cr.InputOffset()) {
		return fail("longer than %d bytes", MaxLineBytes)
	}
	cols := make([]csvColumn, 0, len(header))
	var has [cadre.NumRecordFields]bool
	for _, name := range header {
		name = strings.TrimSpace(name)
		col, ok := csvColumnNamed(name)
		switch {
		case !ok && strings.HasPrefix(name, metricPrefix):
			return fail("invalid metric column %s (after %q %s)", cadre.Quote(name), metricPrefix, metricNameRule)
		case !ok:
			return fail("unknown column %s", cadre.Quote(name))
		case slices.Contains(cols, col):
			return fail("duplicate column %s", cadre.Quote(name))
		}
		if col.field == cadre.FieldMetrics {
			d.nMetrics++
		}
		has[col.field] = true
		cols = append(cols, col)
	}
	switch {
	case !has[cadre.FieldType]:
		return fail("missing column %q", csvNames.of(cadre.FieldType))
	case !has[cadre.FieldOccurredAt]:
		return fail("missing column %q", csvNames.of(cadre.FieldOccurredAt))
	case !(has[cadre.FieldMemberPlatform] && has[cadre.FieldMemberHandle]) && !has[cadre.FieldMemberEmail]:
		return fail("missing columns for the member: %s and %s, or %s",
			csvNames.of(cadre.FieldMemberPlatform), csvNames.of(cadre.FieldMemberHandle), csvNames.of(cadre.FieldMemberEmail))
	}
	d.cols = cols
	return nil
}

func csvColumnNamed(name string) (csvColumn, bool) {
	for _, f := range csvColumns {
		if csvNames.of(f) == name {
			return csvColumn{field: f}, true
		}
	}
	if m, ok := strings.CutPrefix(name, metricPrefix); ok && validMetricName(m) {
		return csvColumn{field: cadre.FieldMetrics, metric: m}, true
	}
	return csvColumn{}, false
}

// recordLimiter passes its input on to a csv.Reader, which holds whole records
// in memory, cutting records longer than MaxLineBytes (and a '\r') short. It
// remembers where it cut, as offsets in its output, so that the record it cut
// can be rejected. It also drops a UTF-8 byte order mark at the start, which
// spreadsheets write.
//
// A quoted field can hold line breaks, so it follows fields as csv.Reader
// parses them to know where records end. When it cuts inside a quoted field it
// closes the quote, so that the csv.Reader ends the record there and does not
// swallow the lines after it. Line breaks are never dropped, so line numbers
// stay right.
type recordLimiter struct {
	r       *bufio.Reader
	started bool       // the byte order mark has been looked for
	buf     []byte     // output not yet read
	pending []byte     // the unread part of buf
	err     error      // to return once pending is read
	state   fieldState // where the csv.Reader is in the current record
	recLen  int        // bytes of the current record passed on
	cutting bool       // dropping the rest of a long line
	out     int64      // bytes passed on
	cuts    []int64    // where records were cut and not yet claimed by cutBefore
}

// fieldState is a state of csv.Reader's parser (with LazyQuotes off).
type fieldState int

const (
	atFieldStart fieldState = iota
	inField                 // a field without quotes
	inQuotes                // a quoted field
	afterQuote              // a '"' in a quoted field: its end, or the first of `""`
	inBadLine               // a misplaced quote: csv.Reader skips the rest of the line
)

func (l *recordLimiter) Read(p []byte) (int, error) {
	if !l.started {
		l.started = true
		b, err := l.r.Peek(3)
		if err != nil && err != io.EOF {
			return 0, err
		}
		if string(b) == "\xef\xbb\xbf" {
			if _, err := l.r.Discard(3); err != nil {
				return 0, err
			}
		}
	}
	for len(l.pending) == 0 {
		if l.err != nil {
			return 0, l.err
		}
		// A line, or as much of it as fits in the buffer.
		chunk, err := l.r.ReadSlice('\n')
		if err != bufio.ErrBufferFull {
			l.err = err
		}
		l.buf = l.filter(l.buf[:0], chunk)
		l.pending = l.buf
	}
	n := copy(p, l.pending)
	l.pending = l.pending[n:]
	return n, nil
}

// filter appends to dst what is passed on of chunk, a line or part of one.
func (l *recordLimiter) filter(dst, chunk []byte) []byte {
	const limit = MaxLineBytes + 1 // room for a '\r' before the '\n'
	text, newline := bytes.CutSuffix(chunk, []byte("\n"))
	switch {
	case l.cutting:
	case l.recLen+len(text) > limit:
		keep := text[:max(limit-l.recLen, 0)]
		dst = append(dst, keep...)
		l.out += int64(len(keep))
		if l.follow(keep); l.state == inQuotes {
			dst = append(dst, '"')
			l.out++
			l.state = afterQuote
		}
		l.cuts = append(l.cuts, l.out)
		l.cutting = true
	default:
		dst = append(dst, text...)
		l.out += int64(len(text))
		l.recLen += len(text)
		if newline {
			// csv.Reader reads "\r\n" as "\n".
			text, _ = bytes.CutSuffix(text, []byte("\r"))
		}
		l.follow(text)
	}
	if newline {
		dst = append(dst, '\n')
		l.out++
		l.recLen++
		if l.state != inQuotes {
			l.state, l.recLen, l.cutting = atFieldStart, 0, false
		}
	}
	return dst
}

// follow moves l.state over text, which holds no line break.
func (l *recordLimiter) follow(text []byte) {
	if len(text) == 0 {
		return
	}
	if l.state != afterQuote && bytes.IndexByte(text, '"') < 0 {
		// The common case: only a quoted field can go on to the next line.
		switch {
		case l.state == inQuotes || l.state == inBadLine:
		case text[len(text)-1] == ',':
			l.state = atFieldStart
		default:
			l.state = inField
		}
		return
	}
	for i := 0; i < len(text); i++ {
		c := text[i]
		switch l.state {
		case atFieldStart:
			switch c {
			case '"':
				l.state = inQuotes
			case ',':
			default:
				l.state = inField
			}
		case inField:
			switch c {
			case ',':
				l.state = atFieldStart
			case '"':
				l.state = inBadLine
			}
		case inQuotes:
			j := bytes.IndexByte(text[i:], '"')
			if j < 0 {
				return
			}
			i += j
			l.state = afterQuote
		case afterQuote:
			switch c {
			case '"':
				l.state = inQuotes
			case ',':
				l.state = atFieldStart
			default:
				l.state = inBadLine
			}
		case inBadLine:
			return
		}
	}
}

// cutBefore reports whether a record was cut at or before offset end of the
// output, forgetting those cuts.
func (l *recordLimiter) cutBefore(end int64) bool {
	n := 0
	for n < len(l.cuts) && l.cuts[n] <= end {
		n++
	}
	l.cuts = append(l.cuts[:0], l.cuts[n:]...)
	return n > 0
}

// CSVWriter writes records as CSV under a header row: the fixed columns, then
// one metrics_<name> column for each metric name given to NewCSVWriter. A
// text cell that a spreadsheet would run as a formula, such as
// "=HYPERLINK(…)", is written with a leading "'", which the reader takes
// off again.
type CSVWriter struct {
	w       *csv.Writer
	metrics []string
	started bool // the header is written
	row     []string
}

// NewCSVWriter returns a CSVWriter to w whose records may have the metrics
// named in metricNames. Duplicates are ignored, and so are names that readers
// reject: the names come from the records, and a record that carries one is
// refused when written, not every record. The header is written with the
// first record, or by Flush when there is none. Call Flush when done.
func NewCSVWriter(w io.Writer, metricNames []string) *CSVWriter {
	cw := &CSVWriter{w: csv.NewWriter(w)}
	for _, name := range metricNames {
		if validMetricName(name) && !slices.Contains(cw.metrics, name) {
			cw.metrics = append(cw.metrics, name)
		}
	}
	return cw
}

// Write writes rec as one row. It refuses, with a cadre.EINVALID error, a
// record that the format cannot carry (invalid UTF-8, a bad metric name, a
// number that is not finite) and one with a metric that has no column.
func (w *CSVWriter) Write(rec cadre.ActivityRecord) error {
	if err := w.start(); err != nil {
		return err
	}
	if err := refuse(&rec, &csvNames); err != nil {
		return err
	}
	for name := range rec.Metrics {
		if !slices.Contains(w.metrics, name) {
			return cadre.Errorf(cadre.EINVALID, "activity %s/%s: metric %s has no column", rec.Source, rec.ExternalID, cadre.Quote(name))
		}
	}
	row := w.row[:0]
	for _, f := range csvColumns {
		switch f {
		case cadre.FieldOccurredAt:
			row = append(row, rec.OccurredAt.UTC().Format(time.RFC3339Nano))
		case cadre.FieldEffortMinutes:
			var s string
			if rec.HasEffort {
				s = string(appendNumber(nil, rec.EffortMinutes))
			}
			row = append(row, s)
		case cadre.FieldThreadViews:
			var s string
			if rec.Thread.HasViews {
				s = strconv.FormatInt(rec.Thread.Views, 10)
			}
			row = append(row, s)
		case cadre.FieldThreadSolved:
			var s string
			if rec.Thread.HasSolved {
				s = strconv.FormatBool(rec.Thread.Solved)
			}
			row = append(row, s)
		default:
			row = append(row, neutralize(*fieldStr(f, &rec)))
		}
	}
	for _, name := range w.metrics {
		var s string
		if v, ok := rec.Metrics[name]; ok {
			s = string(appendNumber(nil, v))
		}
		row = append(row, s)
	}
	w.row = row
	if err := w.w.Write(row); err != nil {
		return fmt.Errorf("write activity: %w", err)
	}
	return nil
}

// formulaStart reports whether a spreadsheet would run a cell that starts
// like s as a formula: the characters that OWASP lists against CSV
// injection, from "=HYPERLINK(…)" to "@SUM(…)".
func formulaStart(s string) bool {
	return s != "" && strings.IndexByte("=+-@\t\r", s[0]) >= 0
}

// neutralize returns a text cell as the writer writes it: with a leading
// "'", the spreadsheets' mark of text, when a spreadsheet would run it as a
// formula, and also when it is such a cell with marks of its own, as "'=x"
// is, so that unneutralize reads every cell back as it was.
func neutralize(cell string) string {
	if formulaStart(strings.TrimLeft(cell, "'")) {
		return "'" + cell
	}
	return cell
}

// unneutralize undoes neutralize: it takes the first "'" off a text cell
// that would be a formula without its leading "'"s. Other cells, such as
// "'tis", are read as they are.
func unneutralize(cell string) string {
	if strings.HasPrefix(cell, "'") && formulaStart(strings.TrimLeft(cell, "'")) {
		return cell[1:]
	}
	return cell
}

// start writes the header once.
func (w *CSVWriter) start() error {
	if w.started {
		return nil
	}
	w.started = true
	header := make([]string, 0, len(csvColumns)+len(w.metrics))
	for _, f := range csvColumns {
		header = append(header, csvNames.of(f))
	}
	for _, name := range w.metrics {
		header = append(header, metricPrefix+name)
	}
	if err := w.w.Write(header); err != nil {
		return fmt.Errorf("write header: %w", err)
	}
	return nil
}

// Flush writes any buffered data to the underlying writer.
func (w *CSVWriter) Flush() error {
	if err := w.start(); err != nil {
		return err
	}
	w.w.Flush()
	if err := w.w.Error(); err != nil {
		return fmt.Errorf("write activities: %w", err)
	}
	return nil
}
