// Package interchange reads and writes the activity interchange format of SPEC
// section 8: one activity a line in JSON Lines, or one a row in CSV under a
// header row. It is what `cadre import` reads and `cadre export` writes.
//
// Readers validate every record, apply the format's defaults and return bad
// records as *RecordError values naming the file, the line and the reason, so
// that an import can skip them and carry on. Writers write every record the
// format can carry, and a record that the readers accept reads back equal.
package interchange

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/cadrehq/cadre"
)

// MaxLineBytes is the longest line a reader accepts, not counting the line
// ending; for CSV, the longest record, whose quoted fields may span lines.
// Longer ones are reported as bad records and skipped without being held in
// memory.
const MaxLineBytes = 1 << 20

// DefaultSource is the source of records that name none when the reader was
// given no default either.
const DefaultSource = "import"

// RecordError is a record that was rejected. The reader that returned it stays
// usable: its next call continues with the next record.
type RecordError struct {
	File   string
	Line   int // the line the record starts on, counting from 1
	Reason string
}

func (e *RecordError) Error() string {
	return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Reason)
}

// Recoverable reports that reading may go on after this error.
func (e *RecordError) Recoverable() bool { return true }

// FileError is a file of a folder that could not be read to the end, such as
// a truncated gzip file, or one that is not in the format at all. A reader of
// the folder that returns it goes on with the next file; the records it read
// from the file before the failure stand. Err names the file, as the fatal
// errors of readers do.
type FileError struct {
	File string
	Err  error
}

func (e *FileError) Error() string { return e.Err.Error() + " (skipped the rest of the file)" }

// Unwrap returns the cause.
func (e *FileError) Unwrap() error { return e.Err }

// Recoverable reports that reading may go on, with the next file.
func (e *FileError) Recoverable() bool { return true }

// fieldNames spells every cadre.RecordField in one format; metricSep joins "metrics" and a
// metric's name.
type fieldNames struct {
	names     [cadre.NumRecordFields]string
	metricSep string
}

var (
	jsonNames = fieldNames{
		names: [cadre.NumRecordFields]string{
			"source", "external_id", "type", "occurred_at",
			"member", "member.platform", "member.handle", "member.email", "member.name",
			"url", "title", "effort_minutes", "metrics",
			"mentee", "mentee.platform", "mentee.handle", "mentee.email", "mentee.name",
			"status", "thread", "thread.id", "thread.views", "thread.solved",
			"id", "duplicate_of", "member.id", "mentee.id",
		},
		metricSep: ".",
	}
	csvNames = fieldNames{
		names: [cadre.NumRecordFields]string{
			"source", "external_id", "type", "occurred_at",
			"member", "member_platform", "member_handle", "member_email", "member_name",
			"url", "title", "effort_minutes", "metrics",
			"mentee", "mentee_platform", "mentee_handle", "mentee_email", "mentee_name",
			"status", "thread", "thread_id", "thread_views", "thread_solved",
			"id", "duplicate_of", "member_id", "mentee_id",
		},
		metricSep: "_",
	}
)

func (n *fieldNames) of(f cadre.RecordField) string { return n.names[f] }

func (n *fieldNames) metric(name string) string { return "metrics" + n.metricSep + name }

// str returns the string cadre.RecordField f of rec, or nil when f is not a string field.
func fieldStr(f cadre.RecordField, rec *cadre.ActivityRecord) *string {
	switch f {
	case cadre.FieldSource:
		return &rec.Source
	case cadre.FieldExternalID:
		return &rec.ExternalID
	case cadre.FieldType:
		return &rec.Type
	case cadre.FieldMemberPlatform:
		return &rec.Member.Platform
	case cadre.FieldMemberHandle:
		return &rec.Member.Handle
	case cadre.FieldMemberEmail:
		return &rec.Member.Email
	case cadre.FieldMemberName:
		return &rec.Member.Name
	case cadre.FieldURL:
		return &rec.URL
	case cadre.FieldTitle:
		return &rec.Title
	case cadre.FieldMenteePlatform:
		return &rec.Mentee.Platform
	case cadre.FieldMenteeHandle:
		return &rec.Mentee.Handle
	case cadre.FieldMenteeEmail:
		return &rec.Mentee.Email
	case cadre.FieldMenteeName:
		return &rec.Mentee.Name
	case cadre.FieldStatus:
		return (*string)(&rec.Status)
	case cadre.FieldThreadID:
		return &rec.Thread.ID
	}
	return nil
}

// maxViews is the most views a thread may have: the largest whole number
// that every reader of the format, float64 included, holds exactly.
const maxViews = 1 << 53

// threadViews returns v as a thread's views, or why it cannot be; name is
// the field as the format spells it. A negative count is left to the
// record's check, which every way in shares.
func threadViews(v float64, name string) (int64, string) {
	if v != math.Trunc(v) || math.Abs(v) > maxViews {
		return 0, fmt.Sprintf("%s: %v is not a whole number of views", name, v)
	}
	return int64(v), ""
}

// normalize applies the defaults and clean-ups of the format to a record as
// decoded, parses occurredAt into it, validates it (as a stored record, with
// its IDs, when stored is set) and fills in its identity. It returns the
// reason the record is rejected, or "".
func normalize(rec *cadre.ActivityRecord, occurredAt, defaultSource string, names *fieldNames, stored bool) string {
	rec.Source = strings.TrimSpace(rec.Source)
	if rec.Source == "" {
		rec.Source = defaultSource
	}
	rec.ExternalID = strings.TrimSpace(rec.ExternalID)
	rec.Type = strings.TrimSpace(rec.Type)
	rec.Status = cadre.ActivityStatus(strings.TrimSpace(string(rec.Status)))
	if rec.Status == "" {
		rec.Status = cadre.ActivityApproved
	}
	normalizeRef(&rec.Member)
	normalizeRef(&rec.Mentee)
	rec.Thread.ID = strings.TrimSpace(rec.Thread.ID)
	if occurredAt = strings.TrimSpace(occurredAt); occurredAt != "" {
		t, err := time.Parse(time.RFC3339, occurredAt)
		if err != nil || !rfc3339Shape(occurredAt) {
			return fmt.Sprintf("%s: %s is not an RFC 3339 time such as 2025-03-01T12:00:00Z", names.of(cadre.FieldOccurredAt), cadre.Quote(occurredAt))
		}
		if reason := cadre.CheckActivityTime(t); reason != "" {
			return fmt.Sprintf("%s: %s is %s", names.of(cadre.FieldOccurredAt), cadre.Quote(occurredAt), reason)
		}
		rec.OccurredAt = t.UTC()
	}
	check := rec.CheckStored
	if !stored {
		check = rec.Check
		rec.ID, rec.DuplicateOf, rec.MemberID, rec.MenteeID = 0, 0, 0, 0
	}
	if reason := check(names.of); reason != "" {
		return reason
	}
	if rec.ExternalID == "" {
		rec.ExternalID = RecordHash(*rec)
	}
	return ""
}

// rfc3339Shape reports whether s has the shape of RFC 3339, which time.Parse
// does not fully check: it takes one-digit hours, a ',' before fractional
// seconds and offsets of 24 hours.
func rfc3339Shape(s string) bool {
	const shape = "dddd-dd-ddTdd:dd:dd"
	if len(s) < len(shape) {
		return false
	}
	for i := range len(shape) {
		if c := s[i]; shape[i] == 'd' && !isDigit(c) || shape[i] != 'd' && c != shape[i] {
			return false
		}
	}
	zone := s[len(shape):]
	if len(zone) > 0 && zone[0] == '.' {
		i := 1
		for i < len(zone) && isDigit(zone[i]) {
			i++
		}
		if i == 1 {
			return false
		}
		zone = zone[i:]
	}
	if zone == "Z" {
		return true
	}
	return len(zone) == 6 && (zone[0] == '+' || zone[0] == '-') && isDigit(zone[1]) && isDigit(zone[2]) &&
		zone[1:3] <= "23" && zone[3] == ':' && isDigit(zone[4]) && isDigit(zone[5]) && zone[4:6] <= "59"
}

func normalizeRef(r *cadre.MemberRef) {
	r.Platform = strings.TrimSpace(r.Platform)
	r.Handle = strings.TrimSpace(r.Handle)
	r.Email = strings.ToLower(strings.TrimSpace(r.Email))
	r.Name = strings.TrimSpace(r.Name)
}

// metricNameRule says what validMetricName accepts.
const metricNameRule = "use letters, digits, '_', '.' or '-', at most 64"

// validMetricName keeps metric names usable as CSV column suffixes and in
// reports.
func validMetricName[T string | []byte](s T) bool {
	if len(s) == 0 || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '.' || c == '-') {
			return false
		}
	}
	return true
}

// checkForWrite returns why the format cannot carry rec, or "": text that is
// not valid UTF-8, a metric name that readers reject, or a number that is not
// finite. Writers check nothing more. A stored record that breaks a rule of
// cadre.ActivityRecord.Check, such as one stored before the rule tightened,
// is written all the same, so that an export holds every activity; reading
// it back rejects that record with the reason.
func checkForWrite(rec *cadre.ActivityRecord, names *fieldNames) string {
	for f := range cadre.NumRecordFields {
		if p := fieldStr(f, rec); p != nil && !utf8.ValidString(*p) {
			return names.of(f) + ": invalid UTF-8"
		}
	}
	if rec.HasEffort && (math.IsNaN(rec.EffortMinutes) || math.IsInf(rec.EffortMinutes, 0)) {
		return names.of(cadre.FieldEffortMinutes) + ": not a finite number"
	}
	for name, v := range rec.Metrics {
		if !validMetricName(name) {
			return fmt.Sprintf("%s: invalid name %s (%s)", names.of(cadre.FieldMetrics), cadre.Quote(name), metricNameRule)
		}
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return names.metric(name) + ": not a finite number"
		}
	}
	return ""
}

// RecordHash returns the identity of a record that has no external_id: "h:"
// and the first 16 bytes, in hex, of the SHA-256 of its source, member
// (platform, handle and email, case-insensitively), type, occurred_at (UTC,
// with nanoseconds) and url. Records that differ only in other fields, such as
// title or metrics, are the same activity.
func RecordHash(rec cadre.ActivityRecord) string {
	var arr [512]byte
	b := arr[:0]
	for _, s := range [...]string{
		strings.TrimSpace(rec.Source),
		strings.ToLower(strings.TrimSpace(rec.Member.Platform)),
		strings.ToLower(strings.TrimSpace(rec.Member.Handle)),
		strings.ToLower(strings.TrimSpace(rec.Member.Email)),
		strings.TrimSpace(rec.Type),
		rec.OccurredAt.UTC().Format("2006-01-02T15:04:05.000000000Z07:00"),
		rec.URL,
	} {
		// Length prefixes keep ("ab", "c") and ("a", "bc") apart.
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	sum := sha256.Sum256(b)
	return "h:" + hex.EncodeToString(sum[:16])
}
