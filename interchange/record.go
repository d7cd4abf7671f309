// Package interchange reads and writes the activity interchange format of SPEC
// section 8: one activity a line in JSON Lines, or one a row in CSV under a
// header row. It is what `cadre import` reads and `cadre export` writes.
//
// Readers validate every record, apply the format's defaults and return bad
// records as *RecordError values naming the file, the line and the reason, so
// that an import can skip them and carry on. Writers produce output that the
// readers read back into equal records.
package interchange

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math"
	"strconv"
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

// field names one field of a record, so that messages can use the spelling of
// the format at hand.
type field int

const (
	fSource field = iota
	fExternalID
	fType
	fOccurredAt
	fMember
	fMemberPlatform
	fMemberHandle
	fMemberEmail
	fMemberName
	fURL
	fTitle
	fEffortMinutes
	fMetrics
	fMentee
	fMenteePlatform
	fMenteeHandle
	fMenteeEmail
	fMenteeName
	fStatus
	numFields
)

// fieldNames spells every field in one format; metricSep joins "metrics" and a
// metric's name.
type fieldNames struct {
	names     [numFields]string
	metricSep string
}

var (
	jsonNames = fieldNames{
		names: [numFields]string{
			"source", "external_id", "type", "occurred_at",
			"member", "member.platform", "member.handle", "member.email", "member.name",
			"url", "title", "effort_minutes", "metrics",
			"mentee", "mentee.platform", "mentee.handle", "mentee.email", "mentee.name",
			"status",
		},
		metricSep: ".",
	}
	csvNames = fieldNames{
		names: [numFields]string{
			"source", "external_id", "type", "occurred_at",
			"member", "member_platform", "member_handle", "member_email", "member_name",
			"url", "title", "effort_minutes", "metrics",
			"mentee", "mentee_platform", "mentee_handle", "mentee_email", "mentee_name",
			"status",
		},
		metricSep: "_",
	}
)

func (n *fieldNames) of(f field) string { return n.names[f] }

func (n *fieldNames) metric(name string) string { return "metrics" + n.metricSep + name }

// str returns the string field f of rec, or nil when f is not a string field.
func (f field) str(rec *cadre.ActivityRecord) *string {
	switch f {
	case fSource:
		return &rec.Source
	case fExternalID:
		return &rec.ExternalID
	case fType:
		return &rec.Type
	case fMemberPlatform:
		return &rec.Member.Platform
	case fMemberHandle:
		return &rec.Member.Handle
	case fMemberEmail:
		return &rec.Member.Email
	case fMemberName:
		return &rec.Member.Name
	case fURL:
		return &rec.URL
	case fTitle:
		return &rec.Title
	case fMenteePlatform:
		return &rec.Mentee.Platform
	case fMenteeHandle:
		return &rec.Mentee.Handle
	case fMenteeEmail:
		return &rec.Mentee.Email
	case fMenteeName:
		return &rec.Mentee.Name
	case fStatus:
		return (*string)(&rec.Status)
	}
	return nil
}

// earliest and latest bound occurred_at: anything outside is a mistake, and
// years beyond four digits cannot be written in RFC 3339.
var (
	earliest = time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC)
	latest   = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)
)

// normalize applies the defaults and clean-ups of the format to a record as
// decoded, parses occurredAt into it, validates it and fills in its identity.
// It returns the reason the record is rejected, or "".
func normalize(rec *cadre.ActivityRecord, occurredAt, defaultSource string, names *fieldNames) string {
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
	if occurredAt = strings.TrimSpace(occurredAt); occurredAt != "" {
		t, err := time.Parse(time.RFC3339, occurredAt)
		if err != nil || !rfc3339Shape(occurredAt) {
			return fmt.Sprintf("%s: %s is not an RFC 3339 time such as 2025-03-01T12:00:00Z", names.of(fOccurredAt), quote(occurredAt))
		}
		if t.Before(earliest) || !t.Before(latest) {
			return fmt.Sprintf("%s: %s is out of range (years 1970 to 9999)", names.of(fOccurredAt), quote(occurredAt))
		}
		rec.OccurredAt = t.UTC()
	}
	if reason := check(rec, names); reason != "" {
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

// check validates a record, returning the reason it is rejected or "". Readers
// call it after normalizing; writers call it through checkForWrite.
func check(rec *cadre.ActivityRecord, names *fieldNames) string {
	switch {
	case rec.Type == "":
		return names.of(fType) + ": missing"
	case rec.OccurredAt.IsZero():
		return names.of(fOccurredAt) + ": missing"
	case rec.OccurredAt.Before(earliest) || !rec.OccurredAt.Before(latest):
		return fmt.Sprintf("%s: %s is out of range (years 1970 to 9999)", names.of(fOccurredAt), rec.OccurredAt.UTC().Format(time.RFC3339Nano))
	}
	if reason := checkRef(rec.Member, fMember, names); reason != "" {
		return reason
	}
	if rec.Mentee != (cadre.MemberRef{}) {
		if reason := checkRef(rec.Mentee, fMentee, names); reason != "" {
			return reason
		}
	}
	if rec.HasEffort {
		switch e := rec.EffortMinutes; {
		case math.IsNaN(e) || math.IsInf(e, 0):
			return names.of(fEffortMinutes) + ": not a finite number"
		case e < 0:
			return fmt.Sprintf("%s: must not be negative, got %v", names.of(fEffortMinutes), e)
		}
	}
	if rec.Status != "" && !rec.Status.Valid() {
		return fmt.Sprintf("%s: %s is not one of approved, pending, rejected", names.of(fStatus), quote(string(rec.Status)))
	}
	return ""
}

// checkRef validates the member or mentee reference ref; which is fMember or
// fMentee, and the fields of ref follow it in the field list.
func checkRef(ref cadre.MemberRef, which field, names *fieldNames) string {
	platform, handle, email := which+1, which+2, which+3
	switch {
	case ref == (cadre.MemberRef{}):
		return names.of(which) + ": missing"
	case ref.Handle != "" && ref.Platform == "":
		return fmt.Sprintf("%s: missing (required with %s)", names.of(platform), names.of(handle))
	case ref.Platform != "" && ref.Handle == "":
		return fmt.Sprintf("%s: missing (required with %s)", names.of(handle), names.of(platform))
	case ref.Handle == "" && ref.Email == "":
		return fmt.Sprintf("%s: needs %s and %s, or %s", names.of(which), names.of(platform), names.of(handle), names.of(email))
	case ref.Email != "" && !ValidEmail(ref.Email):
		return fmt.Sprintf("%s: invalid address %s", names.of(email), quote(ref.Email))
	}
	return ""
}

// ValidEmail is a plausibility check, not RFC 5322: something on both sides of
// the last '@' and no spaces or control characters.
func ValidEmail(s string) bool {
	at := strings.LastIndexByte(s, '@')
	if at <= 0 || at == len(s)-1 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] == 0x7f {
			return false
		}
	}
	return true
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

// checkForWrite adds to check what readers ensure while decoding: valid UTF-8,
// metric names and finite metric values. Writers call it so that their output
// is readable.
func checkForWrite(rec *cadre.ActivityRecord, names *fieldNames) string {
	for f := range numFields {
		if p := f.str(rec); p != nil && !utf8.ValidString(*p) {
			return names.of(f) + ": invalid UTF-8"
		}
	}
	for name, v := range rec.Metrics {
		if !validMetricName(name) {
			return fmt.Sprintf("%s: invalid name %s (%s)", names.of(fMetrics), quote(name), metricNameRule)
		}
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return names.metric(name) + ": not a finite number"
		}
	}
	return check(rec, names)
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

// quote quotes a value for a message, cut short so that a long line does not
// make a long message.
func quote(s string) string {
	const limit = 60
	if len(s) <= limit {
		return strconv.Quote(s)
	}
	cut := limit
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return strconv.Quote(s[:cut]) + "..."
}
