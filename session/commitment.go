package session

import (
	"strings"
	"time"

	"github.com/cadrehq/cadre"
)

// Status is where a commitment stands.
type Status string

// Statuses (SPEC 6). Done and declined are final: a commitment taken up
// again is a new one.
const (
	Open       Status = "open"
	InProgress Status = "in_progress"
	Done       Status = "done"
	Declined   Status = "declined"
)

// ParseStatus reads a status by name.
func ParseStatus(v string) (Status, error) {
	switch st := Status(strings.ToLower(strings.TrimSpace(v))); st {
	case Open, InProgress, Done, Declined:
		return st, nil
	}
	return "", cadre.Errorf(cadre.EINVALID, "status must be open, in_progress, done or declined, got %s", cadre.Quote(v))
}

// Final says whether nothing follows the status.
func (st Status) Final() bool { return st == Done || st == Declined }

// CheckMove says whether a commitment may go from one status to another:
// open and in progress go either way and to done or declined, which are
// final.
func CheckMove(from, to Status) error {
	switch {
	case from == to:
		return cadre.Errorf(cadre.ECONFLICT, "the commitment is %s already", from)
	case from.Final():
		return cadre.Errorf(cadre.ECONFLICT, "the commitment is %s: a status after %s is a new commitment", from, from)
	}
	return nil
}

// Commitment is what the executive team promised about an item.
type Commitment struct {
	ID        int64
	SessionID int64
	ItemID    int64
	Title     string
	// Owner is who keeps it: a name, or an account's email, which is
	// reminded when it is overdue.
	Owner string
	// Due is the last instant of its due date (see DueOn).
	Due        time.Time
	Status     Status
	DoneAt     time.Time // when it was done; zero unless done
	CreatedAt  time.Time
	Actor      string
	RemindedAt time.Time // when its owner was last reminded; zero for never
	Notes      []Note    // its history, oldest first
}

// Note is a line of a commitment's history: a follow-up note, a change of
// status, or both.
type Note struct {
	At     time.Time
	Author string
	Status Status // the status it set, "" for a note alone
	Text   string
}

// DueOn is the due instant of a date in loc: its last instant, so that a
// commitment due on the last day of a quarter is due in that quarter and is
// on time when done that day.
func DueOn(date time.Time, loc *time.Location) time.Time {
	y, m, d := date.Date()
	return time.Date(y, m, d+1, 0, 0, 0, 0, loc).Add(-time.Microsecond)
}

// Validate checks a new commitment, tidying its owner and title.
func (c *Commitment) Validate() error {
	c.Title, c.Owner = strings.TrimSpace(c.Title), strings.TrimSpace(c.Owner)
	if err := checkText("title", c.Title, maxTitle, true); err != nil {
		return err
	}
	if err := checkText("owner", c.Owner, maxTitle, true); err != nil {
		return err
	}
	if c.Due.IsZero() {
		return cadre.Errorf(cadre.EINVALID, "a commitment needs its due date")
	}
	if c.Status == "" {
		c.Status = Open
	}
	return nil
}

// OwnerEmail is the owner's address when the owner is named by one, else "".
func (c *Commitment) OwnerEmail() string {
	if o := strings.ToLower(c.Owner); cadre.ValidEmail(o) {
		return o
	}
	return ""
}

// Overdue says whether the commitment is past its due date at now and
// neither done nor declined.
func (c *Commitment) Overdue(now time.Time) bool {
	return !c.Status.Final() && now.After(c.Due)
}

// OnTime says whether the commitment was done by its due date.
func (c *Commitment) OnTime() bool {
	return c.Status == Done && !c.DoneAt.After(c.Due)
}

// NeedsReminder says whether the owner of the commitment is to be reminded
// at now: it is overdue and they were not reminded in the last RemindEvery.
func (c *Commitment) NeedsReminder(now time.Time) bool {
	return c.Overdue(now) && (c.RemindedAt.IsZero() || now.Sub(c.RemindedAt) >= RemindEvery)
}

// Move changes the commitment's status at now, recording it with a note in
// its history; done records when.
func (c *Commitment) Move(to Status, author, text string, now time.Time) (Note, error) {
	if err := CheckMove(c.Status, to); err != nil {
		return Note{}, err
	}
	text = strings.TrimSpace(text)
	if err := checkText("note", text, maxText, false); err != nil {
		return Note{}, err
	}
	c.Status = to
	if to == Done {
		c.DoneAt = now
	}
	n := Note{At: now, Author: author, Status: to, Text: text}
	c.Notes = append(c.Notes, n)
	return n, nil
}

// AddNote adds a follow-up note to the commitment's history.
func (c *Commitment) AddNote(author, text string, now time.Time) (Note, error) {
	text = strings.TrimSpace(text)
	if err := checkText("note", text, maxText, true); err != nil {
		return Note{}, err
	}
	n := Note{At: now, Author: author, Text: text}
	c.Notes = append(c.Notes, n)
	return n, nil
}

// FollowThrough of the period [from, to) (SPEC 6): the commitments due in
// it that were done by their due date, over the commitments due in it; nil
// when none was due.
func FollowThrough(from, to time.Time, cs []Commitment) *float64 {
	due, onTime := 0, 0
	for i := range cs {
		c := &cs[i]
		if c.Due.Before(from) || !c.Due.Before(to) {
			continue
		}
		due++
		if c.OnTime() {
			onTime++
		}
	}
	if due == 0 {
		return nil
	}
	f := float64(onTime) / float64(due)
	return &f
}
