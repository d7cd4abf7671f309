package archive

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cadrehq/cadre"
	"github.com/cadrehq/cadre/criteria"
	"github.com/cadrehq/cadre/identity"
	"github.com/cadrehq/cadre/interchange"
	"github.com/cadrehq/cadre/program"
)

// maxLine is the longest line a reader takes: far more than a member with
// many identities or an application with many notes.
const maxLine = 16 << 20

// Archive is an archive as read: its manifest and program, every record
// checked, and its activities, to stream with Activities.
type Archive struct {
	Manifest Manifest
	Program  Program

	dir     string
	members map[int64]bool
}

// Read reads the archive in dir, but for its activities, checking each
// record alone and against those before it. The first that is wrong is an
// EINVALID error naming its file and line. A folder without a manifest is
// no complete archive.
func Read(dir string) (*Archive, error) {
	a := &Archive{dir: dir, members: map[int64]bool{}}
	if err := a.readManifest(); err != nil {
		return nil, err
	}
	r := &reader{a: a, emails: map[string]int64{}, handles: map[handleKey]int64{}, userIDs: map[handleKey]int64{},
		identities: map[int64]bool{}, termsOf: map[int64][]program.Term{}, versions: map[int]bool{}, painPointIDs: map[int64]bool{}, rewardIDs: map[int64]bool{}}
	steps := []func() error{r.members, r.merges, r.criteria, r.terms, r.reviews, r.excusals, r.invitations, r.applications, r.settings, r.audit, r.engagement}
	for _, step := range steps {
		if err := step(); err != nil {
			return nil, err
		}
	}
	return a, nil
}

func (a *Archive) readManifest() error {
	b, err := os.ReadFile(filepath.Join(a.dir, ManifestFile))
	if errors.Is(err, fs.ErrNotExist) {
		if _, err := os.Stat(a.dir); err != nil {
			return fmt.Errorf("read archive: %w", err)
		}
		return cadre.Errorf(cadre.EINVALID, "%s has no %s: it is no complete archive of cadre export --all", a.dir, ManifestFile)
	}
	if err != nil {
		return fmt.Errorf("read archive: %w", err)
	}
	if err := decodeStrict(b, &a.Manifest); err != nil {
		return cadre.Errorf(cadre.EINVALID, "%s: %s", ManifestFile, err)
	}
	switch m := &a.Manifest; {
	case m.Format != Format:
		return cadre.Errorf(cadre.EINVALID, "%s: format %s, want %q", ManifestFile, cadre.Quote(m.Format), Format)
	case m.Version < 1 || m.Version > Version:
		return cadre.Errorf(cadre.EINVALID, "%s: version %d of the format, this cadre reads versions 1 to %d", ManifestFile, m.Version, Version)
	}
	return nil
}

// reader checks the records of an archive as it reads them, against those
// read before.
type reader struct {
	a          *Archive
	emails     map[string]int64    // email → member
	handles    map[handleKey]int64 // platform and handle, lower-cased → member
	userIDs    map[handleKey]int64 // platform and the platform's user id → member
	identities map[int64]bool
	termsOf    map[int64][]program.Term // by member
	versions   map[int]bool             // criteria versions
	// painPointIDs and rewardIDs are those read, which scores and grants
	// refer to.
	painPointIDs map[int64]bool
	rewardIDs    map[int64]bool
}

type handleKey struct{ platform, key string }

// invalid is an error in a record; eachLine names the file and line.
func invalid(format string, args ...any) error {
	return cadre.Errorf(cadre.EINVALID, format, args...)
}

// eachLine decodes each line of the archive's file into a new T, strictly
// (no unknown field), and calls fn with it. Blank lines are skipped. It
// counts the lines against want, the manifest's count, so that a cut file
// is an error. Errors name the file and the line.
func eachLine[T any](a *Archive, file string, want int, fn func(v *T) error) error {
	f, err := os.Open(filepath.Join(a.dir, file))
	if errors.Is(err, fs.ErrNotExist) {
		return invalid("%s: missing from the archive", file)
	}
	if err != nil {
		return fmt.Errorf("read archive: %w", err)
	}
	defer f.Close()
	lr := interchange.NewLineReader(f, 64<<10, maxLine)
	n := 0
	for {
		text, tooLong, err := lr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("read %s: %w", file, err)
		}
		at := func(err error) error {
			return invalid("%s:%d: %s", file, lr.Line(), message(err))
		}
		if tooLong {
			return at(fmt.Errorf("line longer than %d bytes", maxLine))
		}
		if len(bytes.TrimSpace(text)) == 0 {
			continue
		}
		var v T
		if err := decodeStrict(text, &v); err != nil {
			return at(err)
		}
		if err := fn(&v); err != nil {
			return at(err)
		}
		n++
	}
	if n != want {
		return invalid("%s: %d records, but %s counts %d: the archive is incomplete or was edited", file, n, ManifestFile, want)
	}
	return nil
}

// message is the text of err for a user: that of a cadre error, or of any
// other.
func message(err error) string {
	if e, ok := errors.AsType[*cadre.Error](err); ok {
		return e.Message
	}
	return err.Error()
}

// decodeStrict decodes one JSON value, an object with known fields only,
// into v, explaining what is wrong in the terms of the file.
func decodeStrict(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil {
		if _, err := dec.Token(); err != io.EOF {
			return errors.New("unexpected text after the object")
		}
		return nil
	}
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntax):
		return fmt.Errorf("invalid JSON at column %d: %s", syntax.Offset, strings.TrimPrefix(syntax.Error(), "json: "))
	case errors.Is(err, io.ErrUnexpectedEOF):
		return errors.New("invalid JSON: unexpected end")
	case errors.As(err, &typ) && typ.Field == "":
		return fmt.Errorf("expected a JSON object, got %s", article(typ.Value))
	case errors.As(err, &typ):
		return fmt.Errorf("%s: expected %s, got %s", typ.Field, kindOf(typ.Type), article(typ.Value))
	case strings.Contains(err.Error(), ",string struct tag"):
		// encoding/json names no field here: the ID fields of the
		// engagement files are strings of a whole number.
		return errors.New(`an id is not a string of a whole number such as "12"`)
	}
	return errors.New(strings.TrimPrefix(err.Error(), "json: "))
}

func article(value string) string {
	switch value {
	case "array", "object":
		return "an " + value
	case "number", "string":
		return "a " + value
	}
	return value
}

func kindOf(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int64:
		return "a whole number"
	case reflect.Slice:
		return "a list"
	}
	return "an object"
}

// parseID reads the ID in field; "" is 0 when optional.
func parseID(field, s string, optional bool) (int64, error) {
	if s == "" {
		if optional {
			return 0, nil
		}
		return 0, invalid("%s: missing", field)
	}
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 || strconv.FormatInt(id, 10) != s {
		return 0, invalid("%s: %s is not an id, a positive whole number such as \"12\"", field, cadre.Quote(s))
	}
	return id, nil
}

// after reads the ID in field, which must be greater than last: records come
// in the order of their IDs, which makes each one's unique.
func after(field, s string, last int64) (int64, error) {
	id, err := parseID(field, s, false)
	if err == nil && id <= last {
		err = invalid("%s: %d comes after %d: records are in the order of their ids, each once", field, id, last)
	}
	return id, err
}

// member reads the ID of a member in field and checks that members.jsonl
// holds them.
func (r *reader) member(field, s string, optional bool) (int64, error) {
	id, err := parseID(field, s, optional)
	if err != nil || id == 0 {
		return id, err
	}
	if !r.a.members[id] {
		return 0, invalid("%s: member %d is not in %s", field, id, MembersFile)
	}
	return id, nil
}

func required(field string, t time.Time) error {
	if t.IsZero() {
		return invalid("%s: missing", field)
	}
	return nil
}

func nonEmpty(field, s string) error {
	if strings.TrimSpace(s) == "" {
		return invalid("%s: missing", field)
	}
	return nil
}

func (r *reader) members() error {
	p := &r.a.Program
	var last int64
	err := eachLine(r.a, MembersFile, r.a.Manifest.Counts.Members, func(l *memberLine) error {
		id, err := after("id", l.ID, last)
		if err != nil {
			return err
		}
		last = id
		m := Member{Member: cadre.Member{ID: id, Name: l.Name, Status: cadre.MemberStatus(l.Status), Staff: l.Staff, Bot: l.Bot,
			Region: l.Region, Company: l.Company, CreatedAt: l.CreatedAt.UTC()}}
		if m.MergedInto, err = parseID("merged_into", l.MergedInto, true); err != nil {
			return err
		}
		switch {
		case strings.TrimSpace(m.Name) == "":
			return invalid("name: missing")
		case !m.Status.Valid():
			return invalid("status: %s is not one of member, ambassador, alumni", cadre.Quote(l.Status))
		case m.CreatedAt.IsZero():
			return invalid("created_at: missing")
		case m.MergedInto == id:
			return invalid("merged_into: member %d cannot be merged into itself", id)
		}
		for _, e := range l.Emails {
			e = strings.ToLower(strings.TrimSpace(e))
			if !cadre.ValidEmail(e) {
				return invalid("emails: %s is not an email address", cadre.Quote(e))
			}
			if other, ok := r.emails[e]; ok {
				return invalid("emails: %s belongs to member %d already", e, other)
			}
			r.emails[e] = id
			m.Emails = append(m.Emails, e)
		}
		for i, il := range l.Identities {
			field := fmt.Sprintf("identities[%d]", i)
			iid, err := parseID(field+".id", il.ID, false)
			if err != nil {
				return err
			}
			ident := cadre.Identity{ID: iid, MemberID: id, Platform: il.Platform, Handle: il.Handle, UserID: il.UserID}
			key, uid := handleKey{ident.Platform, strings.ToLower(ident.Handle)}, handleKey{ident.Platform, ident.UserID}
			switch {
			case r.identities[iid]:
				return invalid("%s.id: identity %d is in %s already", field, iid, MembersFile)
			case ident.Platform == "" || ident.Handle == "":
				return invalid("%s: an identity needs a platform and a handle", field)
			case r.handles[key] != 0:
				return invalid("%s: %s handle %s belongs to member %d already", field, ident.Platform, ident.Handle, r.handles[key])
			case ident.UserID != "" && r.userIDs[uid] != 0:
				return invalid("%s: %s user id %s belongs to member %d already", field, ident.Platform, ident.UserID, r.userIDs[uid])
			}
			r.identities[iid], r.handles[key] = true, id
			if ident.UserID != "" {
				r.userIDs[uid] = id
			}
			m.Identities = append(m.Identities, ident)
		}
		r.a.members[id] = true
		p.Members = append(p.Members, m)
		return nil
	})
	if err != nil {
		return err
	}
	// Merged into a member that comes later in the file, maybe.
	for i := range p.Members {
		if m := &p.Members[i]; m.MergedInto != 0 && !r.a.members[m.MergedInto] {
			return invalid("%s: member %d: merged_into: member %d is not in %[1]s", MembersFile, m.ID, m.MergedInto)
		}
	}
	return nil
}

func (r *reader) merges() error {
	var last int64
	return eachLine(r.a, MergesFile, r.a.Manifest.Counts.Merges, func(l *mergeLine) error {
		id, err := after("id", l.ID, last)
		if err != nil {
			return err
		}
		last = id
		m := cadre.Merge{ID: id, At: l.At.Unix(), Actor: l.Actor, Reason: l.Reason}
		if len(l.Moved.Emails) > 0 {
			m.Moved.Emails = l.Moved.Emails
		}
		if m.FromID, err = r.member("from", l.From, false); err != nil {
			return err
		}
		if m.IntoID, err = r.member("into", l.Into, false); err != nil {
			return err
		}
		if m.FromID == m.IntoID {
			return invalid("into: member %d cannot be merged into itself", m.FromID)
		}
		if err := required("at", l.At); err != nil {
			return err
		}
		if !l.UndoneAt.IsZero() {
			m.UndoneAt = l.UndoneAt.Unix()
		}
		for _, ids := range []struct {
			field string
			in    []string
			out   *[]int64
		}{
			{"moved.identities", l.Moved.Identities, &m.Moved.Identities},
			{"moved.activities", l.Moved.Activities, &m.Moved.Activities},
			{"moved.mentored", l.Moved.Mentored, &m.Moved.Mentored},
		} {
			for i, s := range ids.in {
				v, err := parseID(fmt.Sprintf("%s[%d]", ids.field, i), s, false)
				if err != nil {
					return err
				}
				*ids.out = append(*ids.out, v)
			}
		}
		r.a.Program.Merges = append(r.a.Program.Merges, m)
		return nil
	})
}

func (r *reader) criteria() error {
	last := 0
	return eachLine(r.a, CriteriaFile, r.a.Manifest.Counts.CriteriaVersions, func(l *criteriaLine) error {
		if l.Version <= last {
			return invalid("version: %d comes after %d: versions are in order, each once", l.Version, last)
		}
		last = l.Version
		if err := required("created_at", l.CreatedAt); err != nil {
			return err
		}
		file := filepath.Join(CriteriaDir, criteriaDocFile(l.Version))
		doc, err := os.ReadFile(filepath.Join(r.a.dir, file))
		if errors.Is(err, fs.ErrNotExist) {
			return invalid("version %d: %s is missing from the archive", l.Version, file)
		}
		if err != nil {
			return fmt.Errorf("read archive: %w", err)
		}
		if _, err := criteria.Parse(doc); err != nil {
			return invalid("version %d: %s: %s", l.Version, file, message(err))
		}
		r.versions[l.Version] = true
		r.a.Program.Criteria = append(r.a.Program.Criteria, cadre.CriteriaDoc{Version: l.Version, Author: l.Author, CreatedAt: l.CreatedAt.UTC(), Document: string(doc)})
		return nil
	})
}

func (r *reader) terms() error {
	var last int64
	return eachLine(r.a, TermsFile, r.a.Manifest.Counts.Terms, func(l *termLine) error {
		id, err := after("id", l.ID, last)
		if err != nil {
			return err
		}
		last = id
		t := program.Term{ID: id, Start: l.Start.UTC(), End: utc(l.End), Via: program.Via(l.Via), EndedBy: program.EndReason(l.EndedBy), Reason: l.Reason}
		if t.MemberID, err = r.member("member", l.Member, false); err != nil {
			return err
		}
		if !slices.Contains([]program.EndReason{"", program.EndReview, program.EndResigned, program.EndRemoved, program.EndRoster}, t.EndedBy) {
			return invalid("ended_by: %s is not one of review, resigned, removed, roster", cadre.Quote(l.EndedBy))
		}
		// The rules of a new term but the member's flags: a member made
		// staff, or merged away, after their term keeps it.
		if err := program.CheckTerm(&cadre.Member{ID: t.MemberID}, r.termsOf[t.MemberID], &t); err != nil {
			return err
		}
		r.termsOf[t.MemberID] = append(r.termsOf[t.MemberID], t)
		r.a.Program.Terms = append(r.a.Program.Terms, t)
		return nil
	})
}

func (r *reader) reviews() error {
	var last *program.Quarter
	return eachLine(r.a, ReviewsFile, r.a.Manifest.Counts.Reviews, func(l *reviewLine) error {
		q, err := program.ParseQuarter(l.Quarter)
		if err != nil {
			return invalid("quarter: %s", message(err))
		}
		if last != nil && !last.Before(q) {
			return invalid("quarter: %s comes after %s: reviews are in the order of their quarters, each once", q, *last)
		}
		last = &q
		var result program.Review
		switch {
		case l.AppliedAt.IsZero():
			return invalid("applied_at: missing")
		case !r.versions[l.CriteriaVersion]:
			return invalid("criteria_version: %d is not in %s", l.CriteriaVersion, CriteriaFile)
		case len(l.Result) == 0 || l.Result[0] != '{':
			return invalid("result: expected the review as a JSON object")
		}
		if err := json.Unmarshal(l.Result, &result); err != nil {
			return invalid("result: %s", strings.TrimPrefix(err.Error(), "json: "))
		}
		r.a.Program.Reviews = append(r.a.Program.Reviews, Review{Quarter: q, AppliedAt: l.AppliedAt.UTC(), CriteriaVersion: l.CriteriaVersion, Actor: l.Actor, Result: l.Result})
		return nil
	})
}

func (r *reader) excusals() error {
	seen := map[string]bool{}
	return eachLine(r.a, ExcusalsFile, r.a.Manifest.Counts.Excusals, func(l *excusalLine) error {
		q, err := program.ParseQuarter(l.Quarter)
		if err != nil {
			return invalid("quarter: %s", message(err))
		}
		e := Excusal{Quarter: q, Reason: l.Reason, Actor: l.Actor, At: l.At.UTC()}
		if e.MemberID, err = r.member("member", l.Member, false); err != nil {
			return err
		}
		key := q.String() + "/" + l.Member
		switch {
		case seen[key]:
			return invalid("member %d is excused from %s already", e.MemberID, q)
		case l.At.IsZero():
			return invalid("at: missing")
		}
		if err := nonEmpty("reason", e.Reason); err != nil {
			return err
		}
		seen[key] = true
		r.a.Program.Excusals = append(r.a.Program.Excusals, e)
		return nil
	})
}

func (r *reader) invitations() error {
	var last int64
	hashes := map[string]bool{}
	return eachLine(r.a, InvitationsFile, r.a.Manifest.Counts.Invitations, func(l *invitationLine) error {
		id, err := after("id", l.ID, last)
		if err != nil {
			return err
		}
		last = id
		inv := program.Invitation{ID: id, Hash: l.Hash, State: program.InvitationState(l.State), SentAt: l.SentAt.UTC(), ExpiresAt: l.ExpiresAt.UTC(),
			DecidedAt: utc(l.DecidedAt), Actor: l.Actor}
		if inv.MemberID, err = r.member("member", l.Member, false); err != nil {
			return err
		}
		switch {
		case !slices.Contains([]program.InvitationState{program.InvitationSent, program.InvitationAccepted, program.InvitationDeclined, program.InvitationRevoked}, inv.State):
			return invalid("state: %s is not one of sent, accepted, declined, revoked", cadre.Quote(l.State))
		case inv.Hash == "":
			return invalid("hash: missing")
		case hashes[inv.Hash]:
			return invalid("hash: another invitation has the same")
		case inv.SentAt.IsZero():
			return invalid("sent_at: missing")
		case inv.ExpiresAt.IsZero():
			return invalid("expires_at: missing")
		}
		hashes[inv.Hash] = true
		r.a.Program.Invitations = append(r.a.Program.Invitations, inv)
		return nil
	})
}

func (r *reader) applications() error {
	var last int64
	hashes, open := map[string]bool{}, map[string]int64{}
	return eachLine(r.a, ApplicationsFile, r.a.Manifest.Counts.Applications, func(l *applicationLine) error {
		id, err := after("id", l.ID, last)
		if err != nil {
			return err
		}
		last = id
		a := Application{Application: program.Application{ID: id, Name: l.Name, Email: strings.ToLower(strings.TrimSpace(l.Email)), Motivation: l.Motivation,
			Links: l.Links, State: program.ApplicationState(l.State), Hash: l.Hash, At: l.At.UTC(), DecidedAt: utc(l.DecidedAt), Reviewer: l.Reviewer, Reason: l.Reason}}
		if a.MemberID, err = r.member("member", l.Member, true); err != nil {
			return err
		}
		switch {
		case strings.TrimSpace(a.Name) == "":
			return invalid("name: missing")
		case !cadre.ValidEmail(a.Email):
			return invalid("email: %s is not an email address", cadre.Quote(l.Email))
		case !slices.Contains([]program.ApplicationState{program.ApplicationSubmitted, program.ApplicationAccepted, program.ApplicationRejected, program.ApplicationWithdrawn}, a.State):
			return invalid("state: %s is not one of submitted, accepted, rejected, withdrawn", cadre.Quote(l.State))
		case a.Hash == "":
			return invalid("hash: missing")
		case hashes[a.Hash]:
			return invalid("hash: another application has the same")
		case a.At.IsZero():
			return invalid("at: missing")
		case a.State == program.ApplicationSubmitted && open[a.Email] != 0:
			return invalid("application %d from %s is waiting for a decision too: one open application per email", open[a.Email], a.Email)
		}
		for i, h := range l.Handles {
			ref, err := cadre.ParseMemberRef(h)
			if err != nil || ref.Handle == "" {
				return invalid("handles[%d]: %s is not platform:handle", i, cadre.Quote(h))
			}
			a.Handles = append(a.Handles, ref)
		}
		for i, link := range l.Links {
			if link == "" || strings.ContainsAny(link, " \t\r\n") {
				return invalid("links[%d]: %s is not an address", i, cadre.Quote(link))
			}
		}
		for i, n := range l.Notes {
			switch {
			case n.At.IsZero():
				return invalid("notes[%d].at: missing", i)
			case strings.TrimSpace(n.Text) == "":
				return invalid("notes[%d].text: missing", i)
			}
			a.Notes = append(a.Notes, Note{Author: n.Author, At: n.At.UTC(), Text: n.Text})
		}
		hashes[a.Hash] = true
		if a.State == program.ApplicationSubmitted {
			open[a.Email] = id
		}
		r.a.Program.Applications = append(r.a.Program.Applications, a)
		return nil
	})
}

func (r *reader) settings() error {
	b, err := os.ReadFile(filepath.Join(r.a.dir, SettingsFile))
	if errors.Is(err, fs.ErrNotExist) {
		return invalid("%s: missing from the archive", SettingsFile)
	}
	if err != nil {
		return fmt.Errorf("read archive: %w", err)
	}
	var s settingsFile
	if err := decodeStrict(b, &s); err != nil {
		return invalid("%s: %s", SettingsFile, message(err))
	}
	domains, err := identity.StaffDomains(s.StaffDomains)
	if err != nil {
		return invalid("%s: staff_domains: %s", SettingsFile, message(err))
	}
	if len(domains) > 0 {
		r.a.Program.StaffDomains = domains
	}
	return nil
}

func (r *reader) audit() error {
	return eachLine(r.a, AuditFile, r.a.Manifest.Counts.AuditEntries, func(l *auditLine) error {
		switch {
		case l.At.IsZero():
			return invalid("at: missing")
		case l.Action == "":
			return invalid("action: missing")
		}
		r.a.Program.Audit = append(r.a.Program.Audit, cadre.AuditEntry{At: l.At.UTC(), Actor: l.Actor, Action: l.Action, Target: l.Target, Detail: l.Detail})
		return nil
	})
}

// Activities streams the activities of an archive, checked: each as the
// interchange reader checks a stored record (cadre.ActivityRecord.CheckStored),
// in the order of their IDs, of members that members.jsonl holds.
type Activities struct {
	a    *Archive
	f    *os.File
	r    *interchange.Reader
	last int64
	n    int
}

// Activities opens the archive's activities. Close them when done.
func (a *Archive) Activities() (*Activities, error) {
	f, err := os.Open(filepath.Join(a.dir, ActivitiesFile))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, invalid("%s: missing from the archive", ActivitiesFile)
	}
	if err != nil {
		return nil, fmt.Errorf("read archive: %w", err)
	}
	r := interchange.NewJSONLReader(f, ActivitiesFile, "")
	r.RequireIDs()
	return &Activities{a: a, f: f, r: r}, nil
}

// Next returns the next activity, or io.EOF after the last. Any error in a
// record is an EINVALID error naming its line; reading stops there.
func (s *Activities) Next() (cadre.ActivityRecord, error) {
	rec, err := s.r.Next()
	if err == io.EOF {
		if want := s.a.Manifest.Counts.Activities; s.n != want {
			return rec, invalid("%s: %d records, but %s counts %d: the archive is incomplete or was edited", ActivitiesFile, s.n, ManifestFile, want)
		}
		return rec, io.EOF
	}
	if re, ok := errors.AsType[*interchange.RecordError](err); ok {
		return rec, invalid("%s", re.Error())
	}
	if err != nil {
		return rec, err
	}
	at := func(format string, args ...any) error {
		return invalid("%s:%d: %s", ActivitiesFile, s.r.Line(), fmt.Sprintf(format, args...))
	}
	switch {
	case rec.ID <= s.last:
		return rec, at("id: %d comes after %d: records are in the order of their ids, each once", rec.ID, s.last)
	case !s.a.members[rec.MemberID]:
		return rec, at("member.id: member %d is not in %s", rec.MemberID, MembersFile)
	case rec.MenteeID != 0 && !s.a.members[rec.MenteeID]:
		return rec, at("mentee.id: member %d is not in %s", rec.MenteeID, MembersFile)
	}
	s.last = rec.ID
	s.n++
	return rec, nil
}

// Pos names the file and line of the activity Next returned last, such as
// "activities.jsonl:12".
func (s *Activities) Pos() string { return fmt.Sprintf("%s:%d", ActivitiesFile, s.r.Line()) }

// Close closes the file.
func (s *Activities) Close() error { return s.f.Close() }
