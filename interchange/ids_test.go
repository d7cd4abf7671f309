package interchange_test

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/cadrehq/cadre"
	"github.com/cadrehq/cadre/interchange"
)

// TestJSONLWriterIDs writes the IDs of stored records, reads them back with
// RequireIDs, and checks that a plain reader takes the same line and drops them.
func TestJSONLWriterIDs(t *testing.T) {
	at := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		rec  cadre.ActivityRecord
		want string
	}{
		{
			"member and mentee",
			cadre.ActivityRecord{
				Activity: cadre.Activity{ID: 41, MemberID: 12, MenteeID: 13, Source: "discourse", ExternalID: "p-1", Type: "mentoring", OccurredAt: at, Status: cadre.ActivityApproved},
				Member:   cadre.MemberRef{Platform: "discourse", Handle: "alice", Name: "Alice"},
				Mentee:   cadre.MemberRef{Platform: "discourse", Handle: "bob"},
			},
			`{"id":"41","source":"discourse","external_id":"p-1","type":"mentoring","occurred_at":"2025-03-01T12:00:00Z",` +
				`"member":{"id":"12","platform":"discourse","handle":"alice","name":"Alice"},"mentee":{"id":"13","platform":"discourse","handle":"bob"},"status":"approved"}`,
		},
		{
			"a self-report flagged as a duplicate, of a member with no handle or email",
			cadre.ActivityRecord{
				Activity: cadre.Activity{ID: 42, MemberID: 12, Source: cadre.SelfReportSource, ExternalID: "r-1", Type: "speaking", OccurredAt: at, Status: cadre.ActivityPending, DuplicateOf: 41},
				Member:   cadre.MemberRef{Name: "Alice"},
			},
			`{"id":"42","source":"self-report","external_id":"r-1","type":"speaking","occurred_at":"2025-03-01T12:00:00Z",` +
				`"member":{"id":"12","name":"Alice"},"status":"pending","duplicate_of":"41"}`,
		},
		{
			"a mentee known by id alone",
			cadre.ActivityRecord{
				Activity: cadre.Activity{ID: 43, MemberID: 12, MenteeID: 14, Source: "events", ExternalID: "e-1", Type: "mentoring", OccurredAt: at, Status: cadre.ActivityApproved},
				Member:   cadre.MemberRef{Email: "alice@example.org"},
			},
			`{"id":"43","source":"events","external_id":"e-1","type":"mentoring","occurred_at":"2025-03-01T12:00:00Z",` +
				`"member":{"id":"12","email":"alice@example.org"},"mentee":{"id":"14"},"status":"approved"}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			w := interchange.NewJSONLWriter(&buf)
			w.IDs = true
			if err := w.Write(tt.rec); err != nil {
				t.Fatal(err)
			}
			if err := w.Flush(); err != nil {
				t.Fatal(err)
			}
			if got := buf.String(); got != tt.want+"\n" {
				t.Fatalf("got  %s\nwant %s", got, tt.want)
			}
			r := interchange.NewJSONLReader(strings.NewReader(buf.String()), "in", "")
			r.RequireIDs()
			got, err := r.Next()
			if err != nil {
				t.Fatal(err)
			}
			if got.ID != tt.rec.ID || got.MemberID != tt.rec.MemberID || got.MenteeID != tt.rec.MenteeID || got.DuplicateOf != tt.rec.DuplicateOf ||
				got.Member != tt.rec.Member || got.Mentee != tt.rec.Mentee || got.Status != tt.rec.Status || got.Source != tt.rec.Source {
				t.Errorf("read back %+v, want %+v", got, tt.rec)
			}
		})
	}

	// A plain reader takes the first line, dropping the IDs.
	r := interchange.NewJSONLReader(strings.NewReader(tests[0].want), "in", "")
	rec, err := r.Next()
	if err != nil {
		t.Fatal(err)
	}
	if rec.ID != 0 || rec.MemberID != 0 || rec.MenteeID != 0 || rec.Member.Handle != "alice" {
		t.Errorf("a plain reader kept the IDs: %+v", rec)
	}
}

func TestJSONLRequireIDsRejects(t *testing.T) {
	const member = `"member": {"id": "12", "platform": "discourse", "handle": "alice"}`
	tests := []struct {
		name string
		line string
		want string // in the reason
	}{
		{"no id", `{"source": "s", "external_id": "1", "type": "forum", "occurred_at": "2025-03-01T12:00:00Z", ` + member + `}`, "id: missing"},
		{"no member id", `{"id": "1", "source": "s", "external_id": "1", "type": "forum", "occurred_at": "2025-03-01T12:00:00Z", "member": {"platform": "discourse", "handle": "alice"}}`, "member.id: missing"},
		{"mentee without id", `{"id": "1", "source": "s", "external_id": "1", "type": "mentoring", "occurred_at": "2025-03-01T12:00:00Z", ` + member + `, "mentee": {"platform": "x", "handle": "bob"}}`, "mentee.id: missing"},
		{"a number", `{"id": 1, "source": "s", "external_id": "1", "type": "forum", "occurred_at": "2025-03-01T12:00:00Z", ` + member + `}`, `id: expected an id in a string, such as "12", got a number`},
		{"zero", `{"id": "1", "source": "s", "external_id": "1", "type": "forum", "occurred_at": "2025-03-01T12:00:00Z", "member": {"id": "0"}}`, `member.id: "0" is not an id`},
		{"negative", `{"id": "1", "duplicate_of": "-4", "source": "s", "external_id": "1", "type": "forum", "occurred_at": "2025-03-01T12:00:00Z", ` + member + `}`, `duplicate_of: "-4" is not an id`},
		{"too large", `{"id": "99999999999999999999", "source": "s", "external_id": "1", "type": "forum", "occurred_at": "2025-03-01T12:00:00Z", ` + member + `}`, `id: "99999999999999999999" is not an id`},
		{"twice", `{"id": "1", "source": "s", "external_id": "1", "type": "forum", "occurred_at": "2025-03-01T12:00:00Z", "member": {"id": "12", "id": "13"}}`, `duplicate field "member.id"`},
		{"time still checked", `{"id": "1", "source": "s", "external_id": "1", "type": "forum", "occurred_at": "2150-03-01T12:00:00Z", ` + member + `}`, "occurred_at: \"2150-03-01T12:00:00Z\" is out of range"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := interchange.NewJSONLReader(strings.NewReader(tt.line+"\n"), "activities.jsonl", "")
			r.RequireIDs()
			_, err := r.Next()
			re, ok := errors.AsType[*interchange.RecordError](err)
			if !ok || re.Line != 1 || !strings.Contains(re.Reason, tt.want) {
				t.Fatalf("got %v, want activities.jsonl:1 and %q", err, tt.want)
			}
			if _, err := r.Next(); err != io.EOF {
				t.Errorf("after the bad line: %v, want io.EOF", err)
			}
		})
	}
}
