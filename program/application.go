package program

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/cadrehq/cadre"
)

// ApplicationState is where an application stands (SPEC section 5).
type ApplicationState string

// Application states: submitted → accepted | rejected | withdrawn.
const (
	ApplicationSubmitted ApplicationState = "submitted"
	ApplicationAccepted  ApplicationState = "accepted"
	ApplicationRejected  ApplicationState = "rejected"
	ApplicationWithdrawn ApplicationState = "withdrawn"
)

// Application is an organic request to become an ambassador, through the
// public form.
type Application struct {
	ID         int64
	Name       string
	Email      string
	Handles    []cadre.MemberRef // platform:handle each
	Motivation string
	Links      []string
	MemberID   int64 // the member the handles or email resolve to; 0 when none
	State      ApplicationState
	Hash       string // of the applicant's personal link, to withdraw
	At         time.Time
	DecidedAt  time.Time
	Reviewer   string
	Reason     string
}

// Note is a reviewer's note on an application.
type Note struct {
	Author string
	At     time.Time
	Text   string
}

// Limits of the public form.
const (
	maxName       = 200
	maxMotivation = 5000
	maxLinks      = 10
	maxHandles    = 10
)

// ParseApplication reads the public form's fields: name, email, handles
// (platform:handle, one a line or comma-separated), motivation and links
// (http(s) addresses, one a line or separated by spaces or commas). Every
// problem is named by its field.
func ParseApplication(name, email, handles, motivation, links string) (*Application, error) {
	a := &Application{Name: strings.TrimSpace(name), Email: strings.ToLower(strings.TrimSpace(email)), Motivation: strings.TrimSpace(motivation), State: ApplicationSubmitted}
	switch {
	case a.Name == "" || len(a.Name) > maxName:
		return nil, cadre.Errorf(cadre.EINVALID, "name: 1 to %d characters", maxName)
	case !cadre.ValidEmail(a.Email):
		return nil, cadre.Errorf(cadre.EINVALID, "email: %s is not an email address", cadre.Quote(email))
	case a.Motivation == "" || len(a.Motivation) > maxMotivation:
		return nil, cadre.Errorf(cadre.EINVALID, "motivation: tell the program why, in at most %d characters", maxMotivation)
	}
	split := func(s string) []string {
		return strings.FieldsFunc(s, func(r rune) bool { return r == '\n' || r == '\r' || r == ',' || r == ' ' || r == '\t' })
	}
	for _, h := range split(handles) {
		ref, err := cadre.ParseMemberRef(h)
		if err != nil || ref.Handle == "" {
			return nil, cadre.Errorf(cadre.EINVALID, "handles: %s is not platform:handle, such as github:octocat", cadre.Quote(h))
		}
		a.Handles = append(a.Handles, ref)
	}
	for _, l := range split(links) {
		if !cadre.ValidURL(l) {
			return nil, cadre.Errorf(cadre.EINVALID, "links: %s is not an http(s) address", cadre.Quote(l))
		}
		a.Links = append(a.Links, l)
	}
	switch {
	case len(a.Handles) > maxHandles:
		return nil, cadre.Errorf(cadre.EINVALID, "handles: at most %d", maxHandles)
	case len(a.Links) > maxLinks:
		return nil, cadre.Errorf(cadre.EINVALID, "links: at most %d", maxLinks)
	}
	return a, nil
}

// Open reports whether the application still waits for a decision.
func (a *Application) Open() bool { return a.State == ApplicationSubmitted }

// Decide accepts or rejects an open application; a rejection needs a
// reason, which the applicant is told.
func (a *Application) Decide(accept bool, reason string) (ApplicationState, error) {
	switch {
	case !a.Open():
		return "", cadre.Errorf(cadre.ECONFLICT, "application %d was %s already", a.ID, a.State)
	case !accept && strings.TrimSpace(reason) == "":
		return "", cadre.Errorf(cadre.EINVALID, "a rejection needs a reason, which the applicant is told")
	case accept && a.MemberID == 0:
		return "", cadre.Errorf(cadre.EINVALID, "application %d names no known member: merge or link them first", a.ID)
	case accept:
		return ApplicationAccepted, nil
	}
	return ApplicationRejected, nil
}

// Gap says how far a score is from the bar, for a rejected applicant: the
// points to go and what counts most.
func Gap(score, achieve float64, best string, multiplier float64) string {
	if score >= achieve {
		return "Your score meets the bar."
	}
	return fmt.Sprintf("about %.0f more points; %s counts %gx", math.Ceil(achieve-score), best, multiplier)
}
