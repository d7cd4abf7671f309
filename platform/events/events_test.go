package events

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // the ICS tests need Europe/Berlin wherever they run

	"github.com/cadrehq/cadre"
	"github.com/cadrehq/cadre/interchange"
	"github.com/cadrehq/cadre/internal/realdata"
)

// source is any of the readers.
type source interface {
	Next() (cadre.ActivityRecord, error)
}

// readAll reads src to the end, returning its records, its record errors and
// the fatal error that stopped it, if any.
func readAll(t testing.TB, src source) ([]cadre.ActivityRecord, []*interchange.RecordError, error) {
	t.Helper()
	var recs []cadre.ActivityRecord
	var bad []*interchange.RecordError
	for {
		rec, err := src.Next()
		if err == io.EOF {
			return recs, bad, nil
		}
		if re, ok := errors.AsType[*interchange.RecordError](err); ok {
			bad = append(bad, re)
			continue
		}
		if err != nil {
			return recs, bad, err
		}
		recs = append(recs, rec)
		if len(recs) > 1000 {
			t.Fatal("runaway reader")
		}
	}
}

// brief is what the tests compare of a record.
func brief(rec cadre.ActivityRecord) string {
	m := rec.Member
	return fmt.Sprintf("%s %s %s|%s/%s/%s/%s/%s|%s|%s", rec.OccurredAt.Format(time.RFC3339), rec.Source, rec.ExternalID,
		m.Platform, m.Handle, m.Email, m.Name, m.UserID, rec.Title, rec.URL)
}

func briefs(recs []cadre.ActivityRecord) []string {
	var out []string
	for _, rec := range recs {
		if rec.Type != "speaking" || rec.Status != cadre.ActivityApproved {
			out = append(out, "bad type or status: "+rec.Type+"/"+string(rec.Status))
		}
		out = append(out, brief(rec))
	}
	return out
}

func checkBad(t *testing.T, bad []*interchange.RecordError, file string, want map[int]string) {
	t.Helper()
	if len(bad) != len(want) {
		t.Errorf("record errors %v, want %d", bad, len(want))
	}
	for _, e := range bad {
		if w, ok := want[e.Line]; !ok || e.File != file || !strings.Contains(e.Reason, w) {
			t.Errorf("unexpected record error %v", e)
		}
	}
}

func TestCSVConference(t *testing.T) {
	f, err := os.Open("testdata/conference.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := NewCSVReader(f, "conference.csv")
	if err != nil {
		t.Fatal(err)
	}
	recs, bad, err := readAll(t, r)
	if err != nil || len(bad) > 0 {
		t.Fatalf("errors: %v %v", err, bad)
	}
	want := []string{
		"2025-03-29T08:00:00Z events devconf-2025:s1:alice@example.org|//alice@example.org/Alice Example/|DevConf 2025: Opening keynote|https://devconf.example.org/s1",
		"2025-03-30T12:30:00Z events devconf-2025:s2:bobb|github/bobb//Bob Builder/|DevConf 2025: Scaling queues, safely|https://devconf.example.org/s2",
		"2025-03-30T12:30:00Z events devconf-2025:s2:carol@example.org|//carol@example.org/Carol Díaz/|DevConf 2025: Scaling queues, safely|https://devconf.example.org/s2",
		"2025-03-31T00:00:00Z events devconf-2025:s3:dan host|events/Dan  Host//Dan  Host/|DevConf 2025: Lightning talks|https://devconf.example.org/s3",
	}
	if got := briefs(recs); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("records\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestCSVRows(t *testing.T) {
	const header = "event_id,session_id,starts_at,speaker,speaker_email,speaker_handle,speaker_platform\n"
	tests := []struct {
		name string
		csv  string
		want []string // external ids
		bad  map[int]string
	}{
		{
			name: "bad rows are skipped with their line",
			csv: header +
				"e,s1,next tuesday,Ann,,,\n" +
				"e,s2,2025-01-01T10:00:00,Ann,,,\n" +
				",s3,2025-01-01,Ann,,,\n" +
				"e,s4,2025-01-01,,,,\n" +
				"e,s5,2025-01-01,Ann;Ben,a@x.org,,\n" +
				"e,s6,2025-01-01,Ann;;Ben,,,\n" +
				"e,s7,2025-01-01,Ann,not-an-address,,\n" +
				"e,s8,2025-01-01,Ann,,,\n" +
				"e,s9,2025-01-01,Ann\n" +
				"e,s10,1969-12-31,Ann,,,\n" +
				"e,\"s11,2025-01-01,Ann,,,\n",
			want: []string{"e:s8:ann"},
			bad: map[int]string{
				2:  `starts_at: "next tuesday" is not an RFC 3339 time`,
				3:  `starts_at: "2025-01-01T10:00:00" is not`,
				4:  "event_id: missing",
				5:  "speaker: missing",
				6:  "speaker_email: 1 entries for 2 speakers",
				7:  "speaker 2 of 3 has no name",
				8:  `"not-an-address" is not an email address`,
				10: "4 fields, but the header has 7",
				11: "out of range",
				12: "invalid CSV",
			},
		},
		{
			name: "one platform for all handles, or one each",
			csv: header +
				"e,s1,2025-01-01,Ann;Ben,,ann;ben,github\n" +
				"e,s2,2025-01-01,Ann;Ben,,ann;ben,github;gitlab\n" +
				"e,s3,2025-01-01,Ann;Ben,,ann;ben,a;b;c\n",
			want: []string{"e:s1:ann", "e:s1:ben", "e:s2:ann", "e:s2:ben"},
			bad:  map[int]string{4: "speaker_platform: 3 entries for 2 speakers"},
		},
		{
			name: "byte order mark and CRLF",
			csv:  "\ufeff" + strings.ReplaceAll(header+"e,s1,2025-01-01,Ann,,,\n", "\n", "\r\n"),
			want: []string{"e:s1:ann"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := NewCSVReader(strings.NewReader(tt.csv), "talks.csv")
			if err != nil {
				t.Fatal(err)
			}
			recs, bad, err := readAll(t, r)
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, rec := range recs {
				ids = append(ids, rec.ExternalID)
			}
			if fmt.Sprint(ids) != fmt.Sprint(tt.want) {
				t.Errorf("ids %v, want %v", ids, tt.want)
			}
			checkBad(t, bad, "talks.csv", tt.bad)
		})
	}
}

func TestCSVHeader(t *testing.T) {
	tests := []struct{ csv, want string }{
		{"", "talks.csv: empty, want a header row"},
		{"event_id,session_id,starts_at\n", "talks.csv: header: missing columns speaker"},
		{"title,url\n", "talks.csv: header: missing columns event_id, session_id, starts_at, speaker"},
		{"event_id,session_id,starts_at,speaker,room\n", `talks.csv: header: unknown column "room"`},
		{"event_id,session_id,starts_at,speaker,Speaker\n", `talks.csv: header: duplicate column "speaker"`},
		{"event_id,\"session_id\n", "talks.csv: header: "},
	}
	for _, tt := range tests {
		_, err := NewCSVReader(strings.NewReader(tt.csv), "talks.csv")
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("header %q: %v, want %q", tt.csv, err, tt.want)
		}
	}
}

func TestICSConference(t *testing.T) {
	f, err := os.Open("testdata/conference.ics")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := NewICSReader(f, "testdata/conference.ics")
	recs, bad, err := readAll(t, r)
	if err != nil || len(bad) > 0 {
		t.Fatalf("errors: %v %v", err, bad)
	}
	// 09:00 in Berlin is 08:00 UTC on the Saturday (CET), and 14:30 is 12:30
	// UTC on the Sunday, after the switch to summer time.
	want := []string{
		"2025-03-29T08:00:00Z events DevConf 2025:s1@devconf.example.org:alice@example.org|//alice@example.org/Alice Example/|DevConf 2025: Opening keynote|https://devconf.example.org/s1",
		"2025-03-30T12:30:00Z events DevConf 2025:s2@devconf.example.org:bob@example.org|//bob@example.org/Builder, Bob/|DevConf 2025: Scaling queues, safely; and what we learned|https://devconf.example.org/s2",
		"2025-03-30T12:30:00Z events DevConf 2025:s2@devconf.example.org:carol@example.org|//carol@example.org/Carol Díaz/|DevConf 2025: Scaling queues, safely; and what we learned|https://devconf.example.org/s2",
		"2025-03-31T00:00:00Z events DevConf 2025:s3@devconf.example.org:dan@example.org|//dan@example.org/Dan Host/|DevConf 2025: Lightning talks|",
	}
	if got := briefs(recs); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("records\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if got, want := r.Stats(), (ICSStats{Events: 5, Cancelled: 1, NoSpeakers: 1}); got != want {
		t.Errorf("Stats() = %+v, want %+v", got, want)
	}
}

// ics builds a calendar from lines, CRLF-terminated.
func ics(lines ...string) string {
	return strings.Join(lines, "\r\n") + "\r\n"
}

func TestICSEvents(t *testing.T) {
	chair := "ATTENDEE;ROLE=CHAIR;CN=Ann:mailto:ann@example.org"
	tests := []struct {
		name  string
		ics   string
		want  []string // "external id @ time"
		bad   map[int]string
		fatal string
	}{
		{
			name: "an event without END:VEVENT is dropped, the next one read",
			ics: ics("BEGIN:VCALENDAR",
				"BEGIN:VEVENT", "UID:1", "DTSTART:20250101T100000Z", chair,
				"BEGIN:VEVENT", "UID:2", "DTSTART:20250102T100000Z", chair, "END:VEVENT",
				"END:VCALENDAR"),
			want: []string{"cal:2:ann@example.org @ 2025-01-02T10:00:00Z"},
			bad:  map[int]string{2: "BEGIN:VEVENT has no END:VEVENT"},
		},
		{
			name: "bad events are record errors at their BEGIN line",
			ics: ics("BEGIN:VCALENDAR",
				"BEGIN:VEVENT", "UID:1", "DTSTART:2025-01-01", chair, "END:VEVENT",
				"BEGIN:VEVENT", "UID:2", "DTSTART;TZID=W. Europe Standard Time:20250101T100000", chair, "END:VEVENT",
				"BEGIN:VEVENT", "DTSTART:20250101T100000Z", chair, "END:VEVENT",
				"BEGIN:VEVENT", "UID:4", chair, "END:VEVENT",
				"BEGIN:VEVENT", "UID:5", "DTSTART:20250101T100000Z", "DESCRIPTION:two", "lines", chair, "END:VEVENT",
				"BEGIN:VEVENT", "UID:6", "DTSTART:20250101T100000Z", "ATTENDEE;ROLE=CHAIR:urn:uuid:x", "END:VEVENT",
				"BEGIN:VEVENT", "UID:7", "DTSTART:20250101T100000Z", "ATTENDEE;ROLE=CHAIR:mailto:nobody", "END:VEVENT",
				"BEGIN:VEVENT", "UID:8", "DTSTART:19000101T100000Z", chair, "END:VEVENT",
				"BEGIN:VEVENT", "UID:9", "DTSTART:20250101T100000Z", "ATTENDEE;CN=\"Ann:mailto:a@b.c", "END:VEVENT",
				"BEGIN:VEVENT", "UID:10", "DTSTART:20250101T100000Z", chair, "END:VALARM", "END:VEVENT",
				"END:VCALENDAR"),
			bad: map[int]string{
				2:  `DTSTART: "2025-01-01" is not a date-time`,
				7:  `DTSTART: unknown time zone "W. Europe Standard Time"`,
				12: "no UID",
				16: "no DTSTART",
				20: "line 24: not a content line",
				27: "ATTENDEE: neither a mailto: address nor a CN",
				32: `ATTENDEE: "nobody" is not an email address`,
				37: "out of range",
				42: "line 45: ATTENDEE: parameter CN: unclosed quote",
				47: "line 51: END:VALARM without BEGIN:VALARM",
			},
		},
		{
			name: "floating times, recurrences and speakers known by name",
			ics: ics("BEGIN:VCALENDAR", "X-WR-CALNAME:Meetups\\, 2025",
				"BEGIN:VEVENT", "UID:m1", "DTSTART:20250701T180000", "ORGANIZER;CN=Host  Person:urn:x", "END:VEVENT",
				"BEGIN:VEVENT", "UID:m1", "RECURRENCE-ID:20250801T180000", "DTSTART:20250802T180000", "ORGANIZER;CN=Host Person:", "END:VEVENT",
				"END:VCALENDAR",
				"BEGIN:VCALENDAR", "X-WR-TIMEZONE:America/New_York",
				"BEGIN:VEVENT", "uid:n1", "dtstart:20250701T180000", "attendee;role=chair;cn=Ann:MAILTO:Ann@Example.org", "END:VEVENT",
				"END:VCALENDAR"),
			want: []string{
				"Meetups, 2025:m1:host person @ 2025-07-01T18:00:00Z",
				"Meetups, 2025:m1/20250801T180000:host person @ 2025-08-02T18:00:00Z",
				"cal:n1:ann@example.org @ 2025-07-01T22:00:00Z",
			},
		},
		{
			name:  "cut inside an event",
			ics:   ics("BEGIN:VCALENDAR", "BEGIN:VEVENT", "UID:1", "DTSTART:20250101T100000Z", chair, "END:VEVENT", "BEGIN:VEVENT", "UID:2") + "DTST",
			want:  []string{"cal:1:ann@example.org @ 2025-01-01T10:00:00Z"},
			fatal: "cal.ics:7: the file is cut short: BEGIN:VEVENT has no END:VEVENT",
		},
		{
			name:  "cut after an event",
			ics:   ics("BEGIN:VCALENDAR", "BEGIN:VEVENT", "UID:1", "DTSTART:20250101T100000Z", chair, "END:VEVENT"),
			want:  []string{"cal:1:ann@example.org @ 2025-01-01T10:00:00Z"},
			fatal: "cal.ics: the file is cut short: BEGIN:VCALENDAR has no END:VCALENDAR",
		},
		{name: "empty", ics: "\r\n", fatal: "cal.ics is not an iCalendar file: it is empty"},
		{name: "html", ics: "<html>\n<body>calendar</body>\n", fatal: `cal.ics is not an iCalendar file: line 1 is "<html>", want BEGIN:VCALENDAR`},
		{name: "junk after the calendar", ics: ics("BEGIN:VCALENDAR", "END:VCALENDAR", "hello: world"), fatal: "cal.ics:3: "},
		{name: "event outside a calendar", ics: ics("BEGIN:VCALENDAR", "END:VCALENDAR", "BEGIN:VEVENT"), fatal: "cal.ics:3: BEGIN:VEVENT outside BEGIN:VCALENDAR"},
		{name: "very long line", ics: "BEGIN:VCALENDAR\r\nX-A:" + strings.Repeat("a", maxICSLine+10), fatal: "line 2: longer than"},
		{
			name:  "very long folded line",
			ics:   "BEGIN:VCALENDAR\r\nX-A:a\r\n" + strings.Repeat(" "+strings.Repeat("a", 1000)+"\r\n", maxICSLine/1000+1),
			fatal: "line 2: content line longer than",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			recs, bad, err := readAll(t, NewICSReader(strings.NewReader(tt.ics), "cal.ics"))
			if tt.fatal == "" && err != nil || tt.fatal != "" && (err == nil || !strings.Contains(err.Error(), tt.fatal)) {
				t.Errorf("error %v, want %q", err, tt.fatal)
			}
			var got []string
			for _, rec := range recs {
				got = append(got, rec.ExternalID+" @ "+rec.OccurredAt.Format(time.RFC3339))
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("records\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
			checkBad(t, bad, "cal.ics", tt.bad)
		})
	}
}

func TestMeetupReal(t *testing.T) {
	path := realdata.Path(t, "meetup", "meetup_events.json")
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	// The test's own reading: every host of every past event.
	var events []struct {
		ID     string `json:"id"`
		Time   int64  `json:"time"`
		Status string `json:"status"`
		Hosts  []struct {
			ID int64 `json:"id"`
		} `json:"event_hosts"`
	}
	if err := json.Unmarshal(raw, &events); err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, ev := range events {
		for _, h := range ev.Hosts {
			if ev.Status == "past" {
				want = append(want, fmt.Sprintf("meetup/sqlpass-es:%s:%d @ %d", ev.ID, h.ID, ev.Time))
			}
		}
	}
	if len(want) == 0 {
		t.Fatal("the test's own reading found no hosts")
	}

	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, bad, err := readAll(t, NewMeetupReader(f, path))
	if err != nil || len(bad) > 0 {
		t.Fatalf("errors: %v %v", err, bad)
	}
	var got []string
	for _, rec := range recs {
		got = append(got, fmt.Sprintf("%s @ %d", rec.ExternalID, rec.OccurredAt.UnixMilli()))
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("records %v, want %v", got, want)
	}
	wantFirst := "2016-04-07T16:30:00Z events meetup/sqlpass-es:1:1|meetup/Alberto//Alberto/1|Evento 7 Abril: DBA vs SSIS, consigue que tus proyectos SSIS vuelen|https://www.meetup.com/sqlpass-es/events/229789593/"
	if len(recs) > 0 && brief(recs[0]) != wantFirst {
		t.Errorf("first record\n%s\nwant\n%s", brief(recs[0]), wantFirst)
	}
}

func TestMeetupRSVPs(t *testing.T) {
	path := realdata.Path(t, "meetup", "meetup_rsvps.json")
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, bad, err := readAll(t, NewMeetupReader(f, path))
	if err != nil || len(recs) != 0 || len(bad) != 3 || !strings.Contains(bad[0].Reason, "RSVPs are not activities") {
		t.Errorf("got %d records, errors %v and %v, want 3 RSVPs refused", len(recs), bad, err)
	}
}

func TestMeetup(t *testing.T) {
	tests := []struct {
		name, json string
		want       []string
		bad        map[int]string
		fatal      string
	}{
		{
			name: "bad events are record errors at their line",
			json: `[
  {"id": 7, "status": "past", "time": 1460046600000, "group": {"urlname": "g"}, "event_hosts": [{"id": 3, "name": "Ann"}]},
  {"id": "8", "status": "upcoming", "time": 1460046600000, "group": {"urlname": "g"}, "event_hosts": [{"id": 3, "name": "Ann"}]},
  {"id": "9", "status": "past", "group": {"urlname": "g"}, "event_hosts": [{"id": 3, "name": "Ann"}]},
  {"id": "10", "status": "past", "time": "noon", "group": {"urlname": "g"}},
  {"id": "11", "status": "past", "time": 1460046600000, "group": {"urlname": "g"}, "event_hosts": [{"name": "Ann"}]},

  {"id": "12", "status": "past", "time": 1460046600000, "event_hosts": [{"id": 3, "name": "Ann"}]},
  {"status": "past", "time": 1460046600000, "group": {"urlname": "g"}},
  {"id": "14", "time": 1460046600000, "group": {"urlname": "g"}, "event_hosts": [{"id": "4", "name": "Ben"}, {"id": 5, "name": "Cy"}]}
]`,
			want: []string{"meetup/g:7:3", "meetup/g:14:4", "meetup/g:14:5"},
			bad: map[int]string{
				4: "event 9: no time",
				5: "cannot unmarshal string",
				6: "a host without a numeric id and a name",
				8: "event 12: no group urlname",
				9: "event without an id",
			},
		},
		{name: "not an array", json: `{"events": []}`, fatal: "m.json is not a list of Meetup events"},
		{name: "empty", json: ``, fatal: "m.json is not a list of Meetup events"},
		{name: "cut short", json: "[\n{\"id\": \"1\",", fatal: "read m.json:2: the file is cut short or not JSON"},
		{name: "cut after an event", json: "[{\"id\": \"1\"}", fatal: "read m.json: the file is cut short or not JSON", bad: map[int]string{1: "no time"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			recs, bad, err := readAll(t, NewMeetupReader(strings.NewReader(tt.json), "m.json"))
			if tt.fatal == "" && err != nil || tt.fatal != "" && (err == nil || !strings.Contains(err.Error(), tt.fatal)) {
				t.Errorf("error %v, want %q", err, tt.fatal)
			}
			var got []string
			for _, rec := range recs {
				got = append(got, rec.ExternalID)
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("records %v, want %v", got, tt.want)
			}
			checkBad(t, bad, "m.json", tt.bad)
		})
	}
}
