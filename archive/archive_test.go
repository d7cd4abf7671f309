package archive_test

import (
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/cadrehq/cadre"
	"github.com/cadrehq/cadre/archive"
	"github.com/cadrehq/cadre/criteria"
	"github.com/cadrehq/cadre/program"
)

var t0 = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

// sample is a program with one of everything, and more where the order
// matters.
func sample() (*archive.Program, []cadre.ActivityRecord) {
	q1 := program.Quarter{Year: 2025, Q: 1}
	p := &archive.Program{
		Members: []archive.Member{
			{Member: cadre.Member{ID: 3, Name: "Ann", Status: cadre.StatusAmbassador, Region: "EU", Company: "Acme", CreatedAt: t0, Emails: []string{"ann@example.org", "ann@acme.example"}},
				Identities: []cadre.Identity{{ID: 5, MemberID: 3, Platform: "github", Handle: "Ann", UserID: "42"}, {ID: 9, MemberID: 3, Platform: "discourse", Handle: "ann"}}},
			{Member: cadre.Member{ID: 4, Name: "Bot", Status: cadre.StatusMember, Bot: true, CreatedAt: t0}},
			{Member: cadre.Member{ID: 7, Name: "Ann again", Status: cadre.StatusMember, CreatedAt: t0, MergedInto: 3}},
			{Member: cadre.Member{ID: 8, Name: "Staff", Status: cadre.StatusAlumni, Staff: true, CreatedAt: t0, Emails: []string{"s@cadre.example"}}},
		},
		Merges: []cadre.Merge{{ID: 1, FromID: 7, IntoID: 3, At: t0.Unix(), Actor: "admin", Reason: "same person",
			Moved: cadre.MergeMoved{Identities: []int64{9}, Activities: []int64{11}}}},
		Terms: []program.Term{
			{ID: 1, MemberID: 8, Start: t0.AddDate(-2, 0, 0), End: t0.AddDate(-1, 0, 0), Via: program.ViaRoster, EndedBy: program.EndRoster},
			{ID: 2, MemberID: 3, Start: t0.AddDate(0, -6, 0), Via: program.ViaInvitation, Reason: "accepted invitation 1"},
		},
		Reviews:     []archive.Review{{Quarter: q1, AppliedAt: t0, CriteriaVersion: 1, Actor: "admin", Result: json.RawMessage(`{"Quarter":{"Year":2025,"Q":1}}`)}},
		Excusals:    []archive.Excusal{{Quarter: program.Quarter{Year: 2025, Q: 2}, MemberID: 3, Reason: "leave", Actor: "admin", At: t0}},
		Invitations: []program.Invitation{{ID: 1, MemberID: 3, Hash: "h1", State: program.InvitationAccepted, SentAt: t0.AddDate(0, -7, 0), ExpiresAt: t0.AddDate(0, -6, 0), DecidedAt: t0.AddDate(0, -6, -1), Actor: "admin"}},
		Applications: []archive.Application{{
			Application: program.Application{ID: 2, Name: "Cy", Email: "cy@example.org", Handles: []cadre.MemberRef{{Platform: "github", Handle: "cy"}},
				Motivation: "I teach", Links: []string{"https://cy.example"}, State: program.ApplicationSubmitted, Hash: "h2", At: t0},
			Notes: []archive.Note{{Author: "rev", At: t0, Text: "promising"}},
		}},
		Criteria:     []cadre.CriteriaDoc{{Version: 1, Author: "admin", CreatedAt: t0, Document: criteria.DefaultYAML}, {Version: 2, Author: "admin", CreatedAt: t0.Add(time.Hour), Document: "timezone: UTC\n"}},
		StaffDomains: []string{"cadre.example"},
		Audit:        []cadre.AuditEntry{{At: t0, Actor: "admin", Action: "member.merge", Target: "member:3", Detail: "merge 1"}},
	}
	acts := []cadre.ActivityRecord{
		{Activity: cadre.Activity{ID: 11, MemberID: 3, Source: "discourse", ExternalID: "p1", Type: "forum", OccurredAt: t0, Status: cadre.ActivityApproved},
			Member: cadre.MemberRef{Platform: "discourse", Handle: "ann", Email: "ann@example.org", Name: "Ann"}},
		{Activity: cadre.Activity{ID: 12, MemberID: 3, Source: cadre.SelfReportSource, ExternalID: "r1", Type: "forum", OccurredAt: t0, Status: cadre.ActivityPending, DuplicateOf: 11},
			Member: cadre.MemberRef{Platform: "github", Handle: "Ann", Email: "ann@example.org", Name: "Ann"}},
	}
	return p, acts
}

// write writes p and acts into a new archive and returns its folder.
func write(t *testing.T, p *archive.Program, acts []cadre.ActivityRecord) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "archive")
	w, err := archive.Create(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Abort()
	for i := range acts {
		if err := w.Activity(&acts[i]); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := w.Finish(p, archive.Manifest{Cadre: "test", Schema: 8, ExportedAt: t0}); err != nil {
		t.Fatal(err)
	}
	return dir
}

// readActivities reads every activity of a.
func readActivities(t *testing.T, a *archive.Archive) ([]cadre.ActivityRecord, error) {
	t.Helper()
	s, err := a.Activities()
	if err != nil {
		return nil, err
	}
	defer s.Close()
	var out []cadre.ActivityRecord
	for {
		rec, err := s.Next()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		out = append(out, rec)
	}
}

func TestRoundTrip(t *testing.T) {
	p, acts := sample()
	dir := write(t, p, acts)
	a, err := archive.Read(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(&a.Program, p) {
		got, _ := json.MarshalIndent(a.Program, "", " ")
		want, _ := json.MarshalIndent(p, "", " ")
		t.Errorf("read back\n%s\nwant\n%s", got, want)
	}
	wantCounts := p.Counts()
	wantCounts.Activities = len(acts)
	if m := a.Manifest; m.Format != archive.Format || m.Version != archive.Version || m.Cadre != "test" || m.Counts != wantCounts {
		t.Errorf("manifest %+v, want counts %+v", m, wantCounts)
	}
	got, err := readActivities(t, a)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, acts) {
		t.Errorf("activities read back\n%+v\nwant\n%+v", got, acts)
	}
	for _, name := range []string{archive.MembersFile, archive.ActivitiesFile, archive.ManifestFile} {
		fi, err := os.Stat(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("%s is readable by others: %v", name, fi.Mode())
		}
	}
}

func TestCreateRefuses(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "notes.txt"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := archive.Create(dir); err == nil || !strings.Contains(err.Error(), "is not empty (it holds notes.txt)") {
		t.Errorf("Create of a folder with a file: %v", err)
	}
	if _, err := archive.Create(filepath.Join(dir, "notes.txt")); err == nil || !strings.Contains(err.Error(), "is a file") {
		t.Errorf("Create on a file: %v", err)
	}
}

// TestAbortLeavesNothing checks that an export that fails half-way leaves
// neither files nor the folder it created.
func TestAbortLeavesNothing(t *testing.T) {
	_, acts := sample()
	parent := t.TempDir()
	dir := filepath.Join(parent, "archive")
	w, err := archive.Create(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Activity(&acts[0]); err != nil {
		t.Fatal(err)
	}
	bad := acts[1]
	bad.Title = "\xff"
	if err := w.Activity(&bad); cadre.ErrorCode(err) != cadre.EINVALID || !strings.Contains(err.Error(), "title: invalid UTF-8, which an archive cannot carry") {
		t.Errorf("an activity the format cannot carry: %v", err)
	}
	w.Abort()
	if entries, _ := os.ReadDir(parent); len(entries) != 0 {
		t.Errorf("Abort left %v", entries)
	}
}

// TestReadRejects edits one line of a good archive at a time: the error
// names the file, the line and what is wrong.
func TestReadRejects(t *testing.T) {
	tests := []struct {
		name       string
		file       string
		line       int    // 1-based; 0 replaces the whole file
		old, new   string // replaced in the line
		want       string
		activities bool // the error comes while streaming the activities
	}{
		{"not JSON", archive.MembersFile, 2, `{"id"`, `{id`, "members.jsonl:2: invalid JSON at column 2", false},
		{"unknown field", archive.MembersFile, 1, `"name"`, `"nick":"x","name"`, `members.jsonl:1: unknown field "nick"`, false},
		{"a number for an id", archive.MembersFile, 1, `"id":"3"`, `"id":3`, "members.jsonl:1: id: expected a string, got a number", false},
		{"ids out of order", archive.MembersFile, 2, `"id":"4"`, `"id":"2"`, "members.jsonl:2: id: 2 comes after 3", false},
		{"no name", archive.MembersFile, 2, `"name":"Bot"`, `"name":" "`, "members.jsonl:2: name: missing", false},
		{"bad status", archive.MembersFile, 2, `"status":"member"`, `"status":"king"`, `members.jsonl:2: status: "king" is not one of`, false},
		{"shared email", archive.MembersFile, 4, `"s@cadre.example"`, `"ANN@example.org"`, "members.jsonl:4: emails: ann@example.org belongs to member 3 already", false},
		{"shared handle", archive.MembersFile, 2, `"created_at"`, `"identities":[{"id":"20","platform":"github","handle":"ANN"}],"created_at"`, "members.jsonl:2: identities[0]: github handle ANN belongs to member 3 already", false},
		{"identity twice", archive.MembersFile, 2, `"created_at"`, `"identities":[{"id":"5","platform":"x","handle":"y"}],"created_at"`, "members.jsonl:2: identities[0].id: identity 5 is in members.jsonl already", false},
		{"merged into nobody", archive.MembersFile, 3, `"merged_into":"3"`, `"merged_into":"99"`, "members.jsonl: member 7: merged_into: member 99 is not in members.jsonl", false},
		{"cut file", archive.MembersFile, 4, "", "", "members.jsonl: 3 records, but manifest.json counts 4", false},
		{"term of nobody", archive.TermsFile, 2, `"member":"3"`, `"member":"5"`, "terms.jsonl:2: member: member 5 is not in members.jsonl", false},
		{"overlapping terms", archive.TermsFile, 2, `"member":"3","start":"2024-09-01T12:00:00Z"`, `"member":"8","start":"2023-06-01T00:00:00Z"`, "terms.jsonl:2: the term from", false},
		{"bad via", archive.TermsFile, 1, `"via":"roster"`, `"via":"magic"`, `terms.jsonl:1: a term begins by invitation, application or roster, not "magic"`, false},
		{"bad quarter", archive.ReviewsFile, 1, `"2025Q1"`, `"2025Q5"`, "reviews.jsonl:1: quarter: a quarter is written like 2026Q1", false},
		{"unknown criteria version", archive.ReviewsFile, 1, `"criteria_version":1`, `"criteria_version":5`, "reviews.jsonl:1: criteria_version: 5 is not in criteria/versions.jsonl", false},
		{"invitation without hash", archive.InvitationsFile, 1, `"hash":"h1"`, `"hash":""`, "invitations.jsonl:1: hash: missing", false},
		{"bad application state", archive.ApplicationsFile, 1, `"state":"submitted"`, `"state":"maybe"`, `applications.jsonl:1: state: "maybe" is not one of`, false},
		{"invalid criteria", "criteria/0002.yaml", 0, "", "decay: {mode: sometimes}\n", "criteria/versions.jsonl:2: version 2: criteria/0002.yaml: ", false},
		{"bad staff domain", archive.SettingsFile, 0, "", `{"staff_domains": ["nodot"]}`, `settings.json: staff_domains: "nodot" is not an email domain`, false},
		{"no manifest", archive.ManifestFile, -1, "", "", "has no manifest.json: it is no complete archive", false},
		{"newer format", archive.ManifestFile, 0, "", `{"format": "cadre-program", "version": 3, "exported_at": "2025-03-01T12:00:00Z", "counts": {}}`, "manifest.json: version 3 of the format, this cadre reads versions 1 to 2", false},
		{"activity of nobody", archive.ActivitiesFile, 2, `"member":{"id":"3"`, `"member":{"id":"4000"`, "activities.jsonl:2: member.id: member 4000 is not in members.jsonl", true},
		{"activities out of order", archive.ActivitiesFile, 2, `"id":"12"`, `"id":"11"`, "activities.jsonl:2: id: 11 comes after 11", true},
		{"activity without id", archive.ActivitiesFile, 1, `"id":"11",`, ``, "activities.jsonl:1: id: missing", true},
		{"malformed activity", archive.ActivitiesFile, 1, `"type":"forum"`, `"type":forum`, "activities.jsonl:1: invalid JSON", true},
		{"cut activities", archive.ActivitiesFile, 2, "", "", "activities.jsonl: 1 records, but manifest.json counts 2", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, acts := sample()
			dir := write(t, p, acts)
			path := filepath.Join(dir, tt.file)
			switch {
			case tt.line < 0:
				if err := os.Remove(path); err != nil {
					t.Fatal(err)
				}
			case tt.line == 0:
				if err := os.WriteFile(path, []byte(tt.new), 0o600); err != nil {
					t.Fatal(err)
				}
			default:
				b, err := os.ReadFile(path)
				if err != nil {
					t.Fatal(err)
				}
				lines := strings.SplitAfter(string(b), "\n")
				l := &lines[tt.line-1]
				if tt.old == "" {
					*l = "" // the line is cut
				} else {
					if !strings.Contains(*l, tt.old) {
						t.Fatalf("line %d of %s does not hold %s: %s", tt.line, tt.file, tt.old, *l)
					}
					*l = strings.Replace(*l, tt.old, tt.new, 1)
				}
				if err := os.WriteFile(path, []byte(strings.Join(lines, "")), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			a, err := archive.Read(dir)
			if tt.activities {
				if err != nil {
					t.Fatal(err)
				}
				_, err = readActivities(t, a)
			}
			if cadre.ErrorCode(err) != cadre.EINVALID || !strings.Contains(cadre.ErrorMessage(err), tt.want) {
				t.Errorf("got %v, want an EINVALID error with %q", err, tt.want)
			}
		})
	}
}
