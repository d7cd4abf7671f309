package events

import (
	"errors"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/cadrehq/cadre"
	"github.com/cadrehq/cadre/interchange"
)

// fuzzRead reads src to the end and checks what a reader promises: record
// errors name the file and a line, fatal errors name the file, and records
// are complete.
func fuzzRead(t *testing.T, src source, file string) {
	for range 100_000 {
		rec, err := src.Next()
		if err == io.EOF {
			return
		}
		if re, ok := errors.AsType[*interchange.RecordError](err); ok {
			if re.File != file || re.Line < 1 || re.Reason == "" {
				t.Fatalf("unclear record error %v", re)
			}
			continue
		}
		if err != nil {
			if !strings.Contains(err.Error(), file) {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		m := rec.Member
		if rec.Type != ActivityType || rec.Source != Source || strings.Count(rec.ExternalID, ":") < 2 ||
			cadre.CheckActivityTime(rec.OccurredAt) != "" || m.IsZero() || m.Handle != "" && m.Platform == "" {
			t.Fatalf("incomplete record %+v", rec)
		}
	}
	t.Fatal("the reader does not end")
}

func seed(f *testing.F, path string) {
	b, err := os.ReadFile(path)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(string(b))
}

func FuzzEventsCSV(f *testing.F) {
	seed(f, "testdata/conference.csv")
	f.Add("event_id,session_id,starts_at,speaker,speaker_email,speaker_handle,speaker_platform\ne,s,2025-01-01,A;B,a@b.c;,;b,x\n")
	f.Add("\ufeffspeaker,starts_at,session_id,event_id\n\"A\"\"\",2025-01-01T00:00:00Z,s,e\n")
	f.Add("")
	f.Fuzz(func(t *testing.T, input string) {
		r, err := NewCSVReader(strings.NewReader(input), "in.csv")
		if err != nil {
			if !strings.HasPrefix(err.Error(), "read in.csv: ") {
				t.Fatalf("unclear error %v", err)
			}
			return
		}
		fuzzRead(t, r, "in.csv")
	})
}

func FuzzICS(f *testing.F) {
	seed(f, "testdata/conference.ics")
	f.Add("BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:1\nDTSTART;TZID=\"Europe/Paris\":20250101T100000\nATTENDEE;ROLE=CHAIR;CN=\"A, B\":mailto:a@b.c\n \tx\nEND:VEVENT\nEND:VCALENDAR\n")
	f.Add("BEGIN:VCALENDAR\r\nX-WR-TIMEZONE:UTC\r\nBEGIN:VEVENT\r\nUID:1\r\nDTSTART;VALUE=DATE:20250101\r\nORGANIZER;CN=X:\r\nBEGIN:VALARM\r\nEND:VEVENT\r\n")
	f.Add("")
	f.Fuzz(func(t *testing.T, input string) {
		fuzzRead(t, NewICSReader(strings.NewReader(input), "in.ics"), "in.ics")
	})
}

func FuzzMeetup(f *testing.F) {
	f.Add(`[{"id": "1", "status": "past", "time": 1460046600000, "group": {"urlname": "g"}, "event_hosts": [{"id": 1, "name": "A"}]}]`)
	f.Add(`[{"response": "yes"}, {"id": 2, "time": -1}]`)
	f.Add(`[`)
	f.Fuzz(func(t *testing.T, input string) {
		fuzzRead(t, NewMeetupReader(strings.NewReader(input), "in.json"), "in.json")
	})
}
