// Package events reads talks given at events as speaking activities,
// following the defaults of SPEC section 9: every speaker of a session is one
// activity, and attendees are none. Three formats are read:
//
//   - a CSV of sessions that a program keeps by hand or exports from a
//     call-for-papers tool (CSVReader, whose documentation gives the format);
//   - an iCalendar (.ics) file of a conference's schedule (ICSReader);
//   - the events of a group as the legacy Meetup REST API returned them
//     (MeetupReader).
//
// Every record has source "events", type "speaking" and external_id
// "{event id}:{session id}:{speaker}"; each reader says where it takes the
// three from. The speaker part is the first of the speaker's handle, email
// address and name that is known, lower-cased, so that it stays the same
// when a file is imported again.
package events

import "strings"

// Source, Platform and ActivityType are what the readers put in their
// records. Platform is that of speakers known only by name.
const (
	Source       = "events"
	Platform     = "events"
	ActivityType = "speaking"
)

// speakerKey is how a speaker appears in an external_id: the first of handle,
// email and name that is set, lower-cased, with runs of spaces made one.
func speakerKey(handle, email, name string) string {
	key := handle
	if key == "" {
		key = email
	}
	if key == "" {
		key = name
	}
	return strings.ToLower(strings.Join(strings.Fields(key), " "))
}

// title joins an event's name and a session's title.
func title(event, session string) string {
	switch {
	case event == "":
		return session
	case session == "":
		return event
	}
	return event + ": " + session
}
