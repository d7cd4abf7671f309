package cadre

import (
	"fmt"
	"math"
	"net/url"
	"strings"
	"time"
)

// RecordField names one field of an ActivityRecord, so that each format can
// spell it its own way in messages.
type RecordField int

// The fields of an activity record. A reference's fields follow it: Member,
// then its platform, handle, email and name. The IDs come last: only an
// export of the whole program (cadre export --all) writes them.
const (
	FieldSource RecordField = iota
	FieldExternalID
	FieldType
	FieldOccurredAt
	FieldMember
	FieldMemberPlatform
	FieldMemberHandle
	FieldMemberEmail
	FieldMemberName
	FieldURL
	FieldTitle
	FieldEffortMinutes
	FieldMetrics
	FieldMentee
	FieldMenteePlatform
	FieldMenteeHandle
	FieldMenteeEmail
	FieldMenteeName
	FieldStatus
	FieldThread
	FieldThreadID
	FieldThreadViews
	FieldThreadSolved
	FieldID
	FieldDuplicateOf
	FieldMemberID
	FieldMenteeID
	NumRecordFields
)

// jsonFieldNames spell the fields as the JSON interchange format does (SPEC
// section 8).
var jsonFieldNames = [NumRecordFields]string{
	"source", "external_id", "type", "occurred_at",
	"member", "member.platform", "member.handle", "member.email", "member.name",
	"url", "title", "effort_minutes", "metrics",
	"mentee", "mentee.platform", "mentee.handle", "mentee.email", "mentee.name",
	"status", "thread", "thread.id", "thread.views", "thread.solved",
	"id", "duplicate_of", "member.id", "mentee.id",
}

// String spells f as the JSON interchange format does.
func (f RecordField) String() string { return jsonFieldNames[f] }

// Activities occur from EarliestActivity up to, not including,
// LatestActivity (SPEC section 2): anything outside is a mistake.
var (
	EarliestActivity = time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC)
	LatestActivity   = time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC) // exclusive
)

// CheckActivityTime returns why no activity can occur at t, or "". It is the
// one range check that every way in (import files, webhooks, API syncs and
// self-reports) shares, so that every stored activity can be exported; the
// caller names the field and the value as its input spells them.
func CheckActivityTime(t time.Time) string {
	if t.Before(EarliestActivity) || !t.Before(LatestActivity) {
		return fmt.Sprintf("out of range (years %d to %d, UTC)", EarliestActivity.Year(), LatestActivity.Year()-1)
	}
	return ""
}

// Check returns why rec cannot be stored, or "": the one rule every way in
// (import files, webhooks, API syncs) shares. name spells the fields in the
// messages. Records come trimmed; a record's identity (source and external
// id) may still be missing, as a reader fills it in from the valid record.
//
// The source SelfReportSource is reserved: a record cannot pose as what a
// member reported, which only the review of self-reports may approve.
func (rec *ActivityRecord) Check(name func(RecordField) string) string {
	if strings.EqualFold(rec.Source, SelfReportSource) {
		return fmt.Sprintf("%s: %s is reserved for the activities members report themselves", name(FieldSource), Quote(rec.Source))
	}
	return rec.check(name, false)
}

// CheckStored is Check for a record of an export of the whole program, which
// brings an activity back as it was stored: it carries its ID and its
// member's (and mentee's), which name them in place of the references, and
// it may be a self-report, as the review of the program it comes from left it.
func (rec *ActivityRecord) CheckStored(name func(RecordField) string) string {
	switch {
	case rec.ID == 0:
		return name(FieldID) + ": missing"
	case rec.MemberID == 0:
		return name(FieldMemberID) + ": missing"
	case rec.Mentee != (MemberRef{}) && rec.MenteeID == 0:
		return name(FieldMenteeID) + ": missing (required with " + name(FieldMentee) + ")"
	}
	return rec.check(name, true)
}

// check applies the rules of Check but the reserved source; byID skips the
// references, which the IDs replace.
func (rec *ActivityRecord) check(name func(RecordField) string, byID bool) string {
	switch {
	case rec.Type == "":
		return name(FieldType) + ": missing"
	case rec.OccurredAt.IsZero():
		return name(FieldOccurredAt) + ": missing"
	}
	if reason := CheckActivityTime(rec.OccurredAt); reason != "" {
		return fmt.Sprintf("%s: %s is %s", name(FieldOccurredAt), rec.OccurredAt.UTC().Format(time.RFC3339Nano), reason)
	}
	if !byID {
		if reason := checkRef(rec.Member, FieldMember, name); reason != "" {
			return reason
		}
		if rec.Mentee != (MemberRef{}) {
			if reason := checkRef(rec.Mentee, FieldMentee, name); reason != "" {
				return reason
			}
		}
	}
	if rec.HasEffort {
		if reason := CheckEffort(rec.EffortMinutes); reason != "" {
			return name(FieldEffortMinutes) + ": " + reason
		}
	}
	if rec.URL != "" && !ValidURL(rec.URL) {
		return fmt.Sprintf("%s: %s is not an http(s) address with a host", name(FieldURL), Quote(rec.URL))
	}
	if rec.Status != "" && !rec.Status.Valid() {
		return fmt.Sprintf("%s: %s is not one of approved, pending, rejected", name(FieldStatus), Quote(string(rec.Status)))
	}
	return checkThread(rec.Thread, name)
}

// MaxThreadID is the longest thread ID, in bytes, that a record may name.
const MaxThreadID = 256

// checkThread returns why th cannot be an activity's thread, or "". Any
// type of activity may name its thread, as a platform's mapping may give a
// reply another type than forum; only forum activities count in the forum
// outcomes, but the state any activity saw of its thread is kept.
func checkThread(th Thread, name func(RecordField) string) string {
	switch {
	case th.ID == "" && th.HasViews:
		return fmt.Sprintf("%s: missing (required with %s)", name(FieldThreadID), name(FieldThreadViews))
	case th.ID == "" && th.HasSolved:
		return fmt.Sprintf("%s: missing (required with %s)", name(FieldThreadID), name(FieldThreadSolved))
	case len(th.ID) > MaxThreadID:
		return fmt.Sprintf("%s: longer than %d bytes", name(FieldThreadID), MaxThreadID)
	case strings.TrimSpace(th.ID) != th.ID:
		return fmt.Sprintf("%s: %s has spaces around it", name(FieldThreadID), Quote(th.ID))
	case th.HasViews && th.Views < 0:
		return fmt.Sprintf("%s: must not be negative, got %d", name(FieldThreadViews), th.Views)
	}
	return ""
}

// CheckEffort returns why e cannot be an activity's effort in minutes, or
// "": records and self-reports share it, so that no stored effort makes
// hours infinite or keeps an activity from being exported.
func CheckEffort(e float64) string {
	switch {
	case math.IsNaN(e) || math.IsInf(e, 0):
		return "not a finite number"
	case e < 0:
		return fmt.Sprintf("must not be negative, got %v", e)
	}
	return ""
}

// checkRef validates the member or mentee reference ref; which is
// FieldMember or FieldMentee, and the fields of ref follow it.
func checkRef(ref MemberRef, which RecordField, name func(RecordField) string) string {
	platform, handle, email := which+1, which+2, which+3
	switch {
	case ref == (MemberRef{}):
		return name(which) + ": missing"
	case ref.Handle != "" && ref.Platform == "":
		return fmt.Sprintf("%s: missing (required with %s)", name(platform), name(handle))
	case ref.Platform != "" && ref.Handle == "":
		return fmt.Sprintf("%s: missing (required with %s)", name(handle), name(platform))
	case ref.Handle == "" && ref.Email == "":
		return fmt.Sprintf("%s: needs %s and %s, or %s", name(which), name(platform), name(handle), name(email))
	case ref.Email != "" && !ValidEmail(ref.Email):
		return fmt.Sprintf("%s: invalid address %s", name(email), Quote(ref.Email))
	}
	return ""
}

// Validate applies the default that every way in shares (a record with no
// status is approved) and checks rec, identity included, as an EINVALID
// error naming the field as the JSON interchange format does: what a record
// must be to be stored.
func (rec *ActivityRecord) Validate() error {
	if rec.Status == "" {
		rec.Status = ActivityApproved
	}
	if rec.Source == "" || rec.ExternalID == "" {
		return Errorf(EINVALID, "%s and %s: required", FieldSource, FieldExternalID)
	}
	if reason := rec.Check(RecordField.String); reason != "" {
		return Errorf(EINVALID, "%s", reason)
	}
	return nil
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

// ValidURL reports whether s is an absolute http or https address with a
// host: what a record's url and a self-report's evidence must be, so that a
// link to them on a page goes to a page, and never runs script as a
// javascript: address would.
func ValidURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}
