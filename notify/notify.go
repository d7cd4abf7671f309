// Package notify tells other systems what happens in the program: each
// event (an application submitted, an invitation accepted, a review
// applied, a self-report waiting, a survey closed) is written, in the
// transaction of the change, as a delivery to every outgoing webhook that
// asks for it, and delivered later with retries: JSON signed with
// HMAC-SHA256 as GitHub signs its webhooks, or a Slack-compatible message.
package notify

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/cadrehq/cadre"
)

// Events that webhooks can ask for.
const (
	ApplicationSubmitted = "application.submitted"
	InvitationAccepted   = "invitation.accepted"
	RenewalApplied       = "renewal.applied"
	ReportWaiting        = "report.waiting"
	SurveyClosed         = "survey.closed"
	CommitmentOverdue    = "commitment.overdue"
)

// Events lists every event, in the order the docs give them.
var Events = []string{ApplicationSubmitted, InvitationAccepted, RenewalApplied, ReportWaiting, SurveyClosed, CommitmentOverdue}

// Kinds of webhook: JSON signed like GitHub's, or Slack's incoming
// webhooks (a text message).
const (
	KindJSON  = "json"
	KindSlack = "slack"
)

// Webhook is an outgoing webhook: where events go.
type Webhook struct {
	ID        int64
	URL       string
	Kind      string
	Secret    string   // signs JSON deliveries; "" for Slack
	Events    []string // asked for; empty for every event
	CreatedAt time.Time
	Actor     string
}

// Wants says whether w asks for event.
func (w *Webhook) Wants(event string) bool {
	return len(w.Events) == 0 || slices.Contains(w.Events, event)
}

// Check validates a webhook before it is stored.
func (w *Webhook) Check() error {
	u, err := url.Parse(w.URL)
	switch {
	case err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "":
		return cadre.Errorf(cadre.EINVALID, "url must be an http(s) address, got %s", cadre.Quote(w.URL))
	case w.Kind != KindJSON && w.Kind != KindSlack:
		return cadre.Errorf(cadre.EINVALID, "kind must be %s or %s, got %s", KindJSON, KindSlack, cadre.Quote(w.Kind))
	case w.Kind == KindJSON && len(w.Secret) < 16:
		return cadre.Errorf(cadre.EINVALID, "a JSON webhook needs a secret of at least 16 characters to sign its deliveries")
	}
	for _, e := range w.Events {
		if !slices.Contains(Events, e) {
			return cadre.Errorf(cadre.EINVALID, "unknown event %s: the events are %s", cadre.Quote(e), strings.Join(Events, ", "))
		}
	}
	return nil
}

// Event is something that happened, to be told: its name, a line for
// people to read, and the data for programs.
type Event struct {
	Name string
	Text string // for Slack and logs
	Data any    // the JSON payload's "data"
	At   time.Time
}

// Body is what a delivery of e to a webhook of kind sends; the delivery's
// ID goes in its X-Cadre-Delivery header.
func Body(kind string, e Event) ([]byte, error) {
	if kind == KindSlack {
		return json.Marshal(map[string]string{"text": e.Text})
	}
	return json.Marshal(struct {
		Event string    `json:"event"`
		At    time.Time `json:"at"`
		Text  string    `json:"text"`
		Data  any       `json:"data"`
	}{e.Name, e.At.UTC(), e.Text, e.Data})
}

// Sign is the X-Cadre-Signature-256 header of body under secret, as GitHub's
// X-Hub-Signature-256: "sha256=" and the hex HMAC-SHA256.
func Sign(secret string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// Delivery is an event on its way to one webhook.
type Delivery struct {
	ID        int64
	WebhookID int64
	Event     string
	Body      []byte
	CreatedAt time.Time
	Attempts  int
	NextAt    time.Time
	SentAt    time.Time // zero until delivered
	Status    int       // the last HTTP status, 0 before an answer
	Error     string
}

// State says where d stands: waiting, sent, or failed.
func (d *Delivery) State() cadre.MailState { return cadre.DeliveryState(d.SentAt, d.Attempts) }

// Events of the program, written by the changes that cause them.

// Application is the event of an application submitted.
func Application(id int64, name string, member int64, at time.Time) Event {
	return Event{Name: ApplicationSubmitted, At: at, Text: fmt.Sprintf("New application %d from %s", id, name),
		Data: map[string]any{"application_id": id, "name": name, "member_id": idOrNil(member)}}
}

// Accepted is the event of an invitation accepted.
func Accepted(invitation, member int64, name string, at time.Time) Event {
	return Event{Name: InvitationAccepted, At: at, Text: fmt.Sprintf("%s accepted invitation %d: a new ambassador", name, invitation),
		Data: map[string]any{"invitation_id": invitation, "member_id": fmt.Sprint(member), "name": name}}
}

// Renewal is the event of a quarter's review applied.
func Renewal(quarter string, renewed, lapsed, excused, carried int, rate *float64, at time.Time) Event {
	text := fmt.Sprintf("The %s review is applied: %d renewed, %d lapsed", quarter, renewed, lapsed)
	if rate != nil {
		text += fmt.Sprintf(" (renewal rate %.0f%%)", *rate*100)
	}
	return Event{Name: RenewalApplied, At: at, Text: text,
		Data: map[string]any{"quarter": quarter, "renewed": renewed, "lapsed": lapsed, "excused": excused, "carried_over": carried, "renewal_rate": rate}}
}

// Report is the event of a self-report waiting for review.
func Report(activity, member int64, typ, title string, at time.Time) Event {
	return Event{Name: ReportWaiting, At: at, Text: fmt.Sprintf("A %s report waits for review: %s", typ, title),
		Data: map[string]any{"activity_id": fmt.Sprint(activity), "member_id": fmt.Sprint(member), "type": typ, "title": title}}
}

func idOrNil(id int64) any {
	if id == 0 {
		return nil
	}
	return fmt.Sprint(id)
}

// Due is a delivery with the webhook it goes to.
type Due struct {
	Delivery
	Webhook Webhook
}

// Closed is the event of a survey closed, with its results.
func Closed(quarter string, invited, responses int, score *float64, at time.Time) Event {
	text := fmt.Sprintf("The %s survey closed: %d of %d answered", quarter, responses, invited)
	if score != nil {
		text += fmt.Sprintf(", NPS %.0f", *score)
	}
	return Event{Name: SurveyClosed, At: at, Text: text,
		Data: map[string]any{"quarter": quarter, "invited": invited, "responses": responses, "score": score}}
}

// Overdue is the event of a commitment past its due date, not done.
func Overdue(id int64, title, owner string, due, at time.Time) Event {
	return Event{Name: CommitmentOverdue, At: at, Text: fmt.Sprintf("Overdue since %s: %s (%s)", due.Format(time.DateOnly), title, owner),
		Data: map[string]any{"commitment_id": id, "title": title, "owner": owner, "due": due.UTC()}}
}
