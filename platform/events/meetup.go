package events

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/cadrehq/cadre"
	"github.com/cadrehq/cadre/interchange"
)

// MeetupPlatform is the platform of Meetup hosts.
const MeetupPlatform = "meetup"

// MeetupReader reads the events of a group as the legacy Meetup REST API
// (v3, /{urlname}/events) returned them: a JSON array of events. Meetup has
// retired that API, but exports in its format remain.
//
// Each host of a past event is a speaking activity: external_id
// "meetup/{group urlname}:{event id}:{host id}", occurred_at the event's
// time, its name as title and its link as url. The host is the member with
// the Meetup user id (UserID) and name (the handle: Meetup has no other) on
// platform "meetup". Events whose status is not "past" (upcoming, cancelled)
// did not take place and are skipped; RSVPs are not activities.
type MeetupReader struct {
	file    string
	dec     *json.Decoder
	lines   *lineCounter
	started bool
	pending []cadre.ActivityRecord
}

// NewMeetupReader returns a reader of the events read from r, named file in
// messages.
func NewMeetupReader(r io.Reader, file string) *MeetupReader {
	lc := &lineCounter{r: r}
	return &MeetupReader{file: file, dec: json.NewDecoder(lc), lines: lc}
}

// meetupEvent is what the reader uses of an event.
type meetupEvent struct {
	ID     json.RawMessage `json:"id"` // a string, or a number in old exports
	Name   string          `json:"name"`
	Link   string          `json:"link"`
	Status string          `json:"status"`
	Time   *int64          `json:"time"` // milliseconds since 1970, UTC
	Group  struct {
		URLName string `json:"urlname"`
	} `json:"group"`
	Hosts []struct {
		ID   json.Number `json:"id"`
		Name string      `json:"name"`
	} `json:"event_hosts"`
	Response *string `json:"response"` // set in RSVPs, which are not events
}

// Next returns the next host's activity; io.EOF ends the file.
func (r *MeetupReader) Next() (cadre.ActivityRecord, error) {
	if !r.started {
		tok, err := r.dec.Token()
		if err != nil || tok != json.Delim('[') {
			return cadre.ActivityRecord{}, fmt.Errorf("%s is not a list of Meetup events: want a JSON array", r.file)
		}
		r.started = true
	}
	for len(r.pending) == 0 {
		if !r.dec.More() {
			if _, err := r.dec.Token(); err != nil {
				return cadre.ActivityRecord{}, fmt.Errorf("read %s: the file is cut short or not JSON: %w", r.file, err)
			}
			return cadre.ActivityRecord{}, io.EOF
		}
		line := r.lines.lineAt(r.dec)
		var ev meetupEvent
		if err := r.dec.Decode(&ev); err != nil {
			if _, ok := err.(*json.UnmarshalTypeError); ok {
				// The decoder read the whole value: the next one can be read.
				return cadre.ActivityRecord{}, &interchange.RecordError{File: r.file, Line: line, Reason: err.Error()}
			}
			return cadre.ActivityRecord{}, fmt.Errorf("read %s:%d: the file is cut short or not JSON: %w", r.file, line, err)
		}
		recs, reason := meetupRecords(&ev)
		if reason != "" {
			return cadre.ActivityRecord{}, &interchange.RecordError{File: r.file, Line: line, Reason: reason}
		}
		r.pending = recs
	}
	rec := r.pending[0]
	r.pending = r.pending[1:]
	return rec, nil
}

// meetupRecords maps an event, or returns the reason it cannot.
func meetupRecords(ev *meetupEvent) ([]cadre.ActivityRecord, string) {
	if ev.Response != nil {
		return nil, "an RSVP, not an event: RSVPs are not activities"
	}
	var id string
	if err := json.Unmarshal(ev.ID, &id); err != nil {
		var n json.Number
		if err := json.Unmarshal(ev.ID, &n); err != nil || n == "" {
			return nil, "event without an id"
		}
		id = n.String()
	}
	id = strings.TrimSpace(id)
	switch {
	case id == "":
		return nil, "event without an id"
	case ev.Status != "past" && ev.Status != "":
		return nil, ""
	case ev.Time == nil:
		return nil, fmt.Sprintf("event %s: no time", id)
	case strings.TrimSpace(ev.Group.URLName) == "":
		return nil, fmt.Sprintf("event %s: no group urlname", id)
	}
	at := time.UnixMilli(*ev.Time).UTC()
	if reason := cadre.CheckActivityTime(at); reason != "" {
		return nil, fmt.Sprintf("event %s: time %d is %s", id, *ev.Time, reason)
	}
	recs := make([]cadre.ActivityRecord, 0, len(ev.Hosts))
	for _, h := range ev.Hosts {
		hostID, err := strconv.ParseInt(h.ID.String(), 10, 64)
		name := strings.TrimSpace(h.Name)
		if err != nil || name == "" {
			return nil, fmt.Sprintf("event %s: a host without a numeric id and a name", id)
		}
		recs = append(recs, cadre.ActivityRecord{
			Activity: cadre.Activity{
				Type:       ActivityType,
				OccurredAt: at,
				Source:     Source,
				ExternalID: "meetup/" + strings.TrimSpace(ev.Group.URLName) + ":" + id + ":" + strconv.FormatInt(hostID, 10),
				Status:     cadre.ActivityApproved,
				URL:        strings.TrimSpace(ev.Link),
				Title:      strings.TrimSpace(ev.Name),
			},
			Member: cadre.MemberRef{Platform: MeetupPlatform, Handle: name, UserID: strconv.FormatInt(hostID, 10), Name: name},
		})
	}
	return recs, ""
}

// lineCounter counts the line breaks read through it, so that the line of
// the decoder's position can be found without keeping the input.
type lineCounter struct {
	r     io.Reader
	lines int // line breaks read
}

func (c *lineCounter) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.lines += bytes.Count(p[:n], []byte("\n"))
	return n, err
}

// lineAt returns the line on which the decoder's next value starts: the
// breaks read, less those the decoder holds unread, plus those before the
// value in what it holds. dec.More has buffered up to the comma before the
// value; should its buffer end between the comma and the value, the line is
// that of the comma.
func (c *lineCounter) lineAt(dec *json.Decoder) int {
	buf, _ := io.ReadAll(dec.Buffered())
	rest := bytes.TrimLeft(buf, " \t\r\n,")
	return c.lines - bytes.Count(buf, []byte("\n")) + bytes.Count(buf[:len(buf)-len(rest)], []byte("\n")) + 1
}
