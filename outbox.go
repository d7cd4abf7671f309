package cadre

import "time"

// Mail is a message to a person, kept in the outbox from the change that
// caused it until it is delivered, so that none is lost while the mail
// server is down or before there is one.
type Mail struct {
	ID      int64
	Kind    string // what it is about: invitation, application, decision, renewal
	To      string
	Subject string
	Body    string // plain text
	// Link is the personal link the message carries, shown to admins while
	// it waits, so that a program without a mail server can send it its
	// own way.
	Link      string
	CreatedAt time.Time
	Attempts  int
	NextAt    time.Time // when the next attempt is due
	SentAt    time.Time // zero until delivered
	Error     string    // of the last failed attempt
}

// MailState is where a message of the outbox stands.
type MailState string

// Mail states, which webhook deliveries share: waiting (for its first or
// next attempt), sent, or failed for good after MaxAttempts.
const (
	MailWaiting MailState = "waiting"
	MailSent    MailState = "sent"
	MailFailed  MailState = "failed"
)

// MaxAttempts is how many times a message or a webhook delivery is tried
// before it is marked failed: with Backoff, the last attempt comes about
// twenty hours after the first.
const MaxAttempts = 12

// Backoff is how long to wait after the attempts-th failed attempt at a
// delivery: a minute, doubling to at most six hours.
func Backoff(attempts int) time.Duration {
	return min(time.Minute<<min(max(attempts-1, 0), 9), 6*time.Hour)
}

// DeliveryState says where a delivery stands from when it was sent (zero:
// not yet) and how many attempts it took.
func DeliveryState(sent time.Time, attempts int) MailState {
	switch {
	case !sent.IsZero():
		return MailSent
	case attempts >= MaxAttempts:
		return MailFailed
	}
	return MailWaiting
}

// State says where m stands.
func (m *Mail) State() MailState { return DeliveryState(m.SentAt, m.Attempts) }
