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

// Mail states: waiting (for its first or next attempt), sent, or failed for
// good after MaxMailAttempts.
const (
	MailWaiting MailState = "waiting"
	MailSent    MailState = "sent"
	MailFailed  MailState = "failed"
)

// MaxMailAttempts is how many times delivery is tried before the message
// is marked failed: with the backoff of mail.Backoff, the last attempt comes
// about twenty hours after the first.
const MaxMailAttempts = 12

// State says where m stands.
func (m *Mail) State() MailState {
	switch {
	case !m.SentAt.IsZero():
		return MailSent
	case m.Attempts >= MaxMailAttempts:
		return MailFailed
	}
	return MailWaiting
}
