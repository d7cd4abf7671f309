package session_test

import (
	"testing"
	"time"

	"github.com/cadrehq/cadre"
	"github.com/cadrehq/cadre/session"
)

var (
	berlin, _ = time.LoadLocation("Europe/Berlin")
	march31   = session.DueOn(time.Date(2026, 3, 31, 0, 0, 0, 0, time.UTC), berlin)
)

func TestDueOn(t *testing.T) {
	want := time.Date(2026, 4, 1, 0, 0, 0, 0, berlin).Add(-time.Microsecond)
	if !march31.Equal(want) {
		t.Errorf("due on 31 March in Berlin: %s, want %s", march31, want)
	}
}

func TestCheckMove(t *testing.T) {
	for _, tc := range []struct {
		from, to session.Status
		ok       bool
	}{
		{session.Open, session.InProgress, true},
		{session.InProgress, session.Open, true},
		{session.Open, session.Done, true},
		{session.InProgress, session.Declined, true},
		{session.Open, session.Open, false},
		{session.Done, session.InProgress, false},
		{session.Declined, session.Done, false},
	} {
		err := session.CheckMove(tc.from, tc.to)
		if (err == nil) != tc.ok || err != nil && cadre.ErrorCode(err) != cadre.ECONFLICT {
			t.Errorf("%s → %s: %v, want allowed %v", tc.from, tc.to, err, tc.ok)
		}
	}
	if _, err := session.ParseStatus("finished"); cadre.ErrorCode(err) != cadre.EINVALID {
		t.Errorf("an unknown status: %v", err)
	}
}

func TestOverdueAndReminders(t *testing.T) {
	after := march31.Add(time.Microsecond)
	for _, tc := range []struct {
		name     string
		status   session.Status
		now      time.Time
		reminded time.Time
		overdue  bool
		remind   bool
	}{
		{"open on its last instant", session.Open, march31, time.Time{}, false, false},
		{"open the instant after", session.Open, after, time.Time{}, true, true},
		{"in progress, late", session.InProgress, after, time.Time{}, true, true},
		{"done, late", session.Done, after, time.Time{}, false, false},
		{"declined, late", session.Declined, after, time.Time{}, false, false},
		{"reminded an hour ago", session.Open, after.Add(time.Hour), after, true, false},
		{"reminded a day ago", session.Open, after.Add(24 * time.Hour), after, true, true},
	} {
		c := session.Commitment{Status: tc.status, Due: march31, RemindedAt: tc.reminded}
		if got := c.Overdue(tc.now); got != tc.overdue {
			t.Errorf("%s: overdue %v, want %v", tc.name, got, tc.overdue)
		}
		if got := c.NeedsReminder(tc.now); got != tc.remind {
			t.Errorf("%s: needs a reminder %v, want %v", tc.name, got, tc.remind)
		}
	}
}

func TestMoveAndNotes(t *testing.T) {
	now := march31.Add(-time.Hour)
	c := session.Commitment{Title: "Publish the roadmap", Owner: " CTO@Example.org ", Due: march31}
	if err := c.Validate(); err != nil || c.Status != session.Open || c.OwnerEmail() != "cto@example.org" {
		t.Fatalf("validate: %+v, %v", c, err)
	}
	if _, err := c.AddNote("pm", "  ", now); cadre.ErrorCode(err) != cadre.EINVALID {
		t.Errorf("an empty note: %v", err)
	}
	if _, err := c.Move(session.Done, "pm", "published", now); err != nil || !c.DoneAt.Equal(now) || !c.OnTime() {
		t.Fatalf("done: %+v, %v", c, err)
	}
	if _, err := c.Move(session.Open, "pm", "", now); cadre.ErrorCode(err) != cadre.ECONFLICT {
		t.Errorf("reopening a done commitment: %v", err)
	}
	if _, err := c.AddNote("cto", "slides are up too", now); err != nil {
		t.Fatal(err)
	}
	if len(c.Notes) != 2 || c.Notes[0].Status != session.Done || c.Notes[1].Status != "" || c.Notes[1].Author != "cto" {
		t.Errorf("history: %+v", c.Notes)
	}
	if (&session.Commitment{Owner: "the CTO"}).OwnerEmail() != "" {
		t.Error("a name is no address")
	}
}

func TestFollowThrough(t *testing.T) {
	q1 := [2]time.Time{time.Date(2026, 1, 1, 0, 0, 0, 0, berlin), time.Date(2026, 4, 1, 0, 0, 0, 0, berlin)}
	jan := session.DueOn(time.Date(2026, 1, 15, 0, 0, 0, 0, time.UTC), berlin)
	done := func(due, at time.Time) session.Commitment {
		return session.Commitment{Due: due, Status: session.Done, DoneAt: at}
	}
	cs := []session.Commitment{
		done(jan, jan.Add(-time.Hour)),   // on time
		done(march31, march31),           // on time, at its last instant
		done(march31, march31.Add(1)),    // late
		{Due: jan, Status: session.Open}, // overdue
		{Due: jan, Status: session.Declined},
		done(march31.Add(time.Microsecond), march31), // due in Q2
	}
	for _, tc := range []struct {
		name string
		cs   []session.Commitment
		want float64 // -1: nil
	}{
		{"none due", nil, -1},
		{"only one of the next quarter", cs[5:], -1},
		{"mixed", cs, 2.0 / 5},
		{"all on time", cs[:2], 1},
	} {
		got := session.FollowThrough(q1[0], q1[1], tc.cs)
		switch {
		case tc.want < 0 && got != nil:
			t.Errorf("%s: %v, want nil", tc.name, *got)
		case tc.want >= 0 && (got == nil || *got != tc.want):
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestItemsAndVotes(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	s := session.Session{Title: " Q1 ", At: now.Add(48 * time.Hour), Executives: []string{" CEO ", "ceo", ""}}
	if err := s.Validate(); err != nil || s.Title != "Q1" || len(s.Executives) != 1 {
		t.Fatalf("session: %+v, %v", s, err)
	}
	if err := (&session.Session{Title: "x", At: now}).Validate(); cadre.ErrorCode(err) != cadre.EINVALID {
		t.Errorf("a session without executives: %v", err)
	}
	if err := (&session.Item{Kind: "wish", Title: "x", AuthorID: 1}).Validate(&s, now); cadre.ErrorCode(err) != cadre.EINVALID {
		t.Errorf("an unknown kind: %v", err)
	}
	it := session.Item{Kind: " Feature", Title: "Dark mode", AuthorID: 1, Voters: []int64{2}}
	for _, tc := range []struct {
		name   string
		member int64
		now    time.Time
		code   string
	}{
		{"another ambassador", 3, now, ""},
		{"the author", 1, now, cadre.ECONFLICT},
		{"twice", 2, now, cadre.ECONFLICT},
		{"once the session began", 3, s.At, cadre.ECONFLICT},
		{"nobody", 0, now, cadre.EINVALID},
	} {
		if err := session.CheckVote(&s, &it, tc.member, tc.now); cadre.ErrorCode(err) != tc.code && (err != nil || tc.code != "") {
			t.Errorf("%s: %v, want %q", tc.name, err, tc.code)
		}
	}
	if err := it.Validate(&s, s.At); cadre.ErrorCode(err) != cadre.ECONFLICT {
		t.Errorf("an item once the session began: %v", err)
	}
	if err := it.Validate(&s, now); err != nil || it.Votes() != 1 || it.Kind != session.Feature {
		t.Errorf("an item before: %v", err)
	}
}
