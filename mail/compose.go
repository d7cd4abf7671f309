// Package mail writes the program's messages (invitations, confirmations,
// decisions, renewal outcomes, surveys and reminders of overdue
// commitments) and delivers the outbox over SMTP with retries and backoff.
// Messages are written when the change that causes them is made, and kept
// in the store's outbox until delivered.
package mail

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/cadrehq/cadre"
	"github.com/cadrehq/cadre/program"
	"github.com/cadrehq/cadre/session"
	"github.com/cadrehq/cadre/survey"
)

// Links are the addresses the messages point to.
type Links struct {
	Base string // the server's address, such as https://cadre.example.org
}

func (l Links) criteria() string { return l.Base + "/criteria" }

// Invitation is the invitee's message, sent to the member's primary
// address; none when the member has no address (the page shows the link).
func Invitation(m *cadre.Member, inv *program.Invitation, link string, l Links) []cadre.Mail {
	if len(m.Emails) == 0 {
		return nil
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Hello %s,\n\n", m.Name)
	b.WriteString("your contributions to the community put you among those who qualify for our\n")
	b.WriteString("ambassador program, and we would like you to join it.\n\n")
	fmt.Fprintf(&b, "What the program asks and gives is set out here:\n%s\n\n", l.criteria())
	fmt.Fprintf(&b, "Accept or decline through your personal link, before %s:\n%s\n\n", inv.ExpiresAt.Format("2 January 2006"), link)
	b.WriteString("The link is yours alone: please do not share it.\n")
	return []cadre.Mail{{Kind: "invitation", To: m.Emails[0], Subject: "You are invited to become an ambassador", Body: b.String(), Link: link}}
}

// Received confirms an application to the applicant, with the link to see
// or withdraw it.
func Received(a *program.Application, link string, l Links) []cadre.Mail {
	var b strings.Builder
	fmt.Fprintf(&b, "Hello %s,\n\n", a.Name)
	b.WriteString("thank you for applying to the ambassador program. A reviewer will read your\n")
	b.WriteString("application and you will hear from us when it is decided.\n\n")
	fmt.Fprintf(&b, "See or withdraw your application here:\n%s\n\n", link)
	fmt.Fprintf(&b, "How contributions are counted:\n%s\n", l.criteria())
	return []cadre.Mail{{Kind: "application", To: a.Email, Subject: "Your application to the ambassador program", Body: b.String(), Link: link}}
}

// Decision tells the applicant what was decided; a rejection gives its
// reason, which says how far they are from the bar.
func Decision(a *program.Application, l Links) []cadre.Mail {
	var b strings.Builder
	fmt.Fprintf(&b, "Hello %s,\n\n", a.Name)
	subject := "Welcome to the ambassador program"
	if a.State == program.ApplicationAccepted {
		b.WriteString("your application was accepted: you are an ambassador from today. Welcome!\n\n")
		fmt.Fprintf(&b, "What the program asks of ambassadors, and when it reviews them:\n%s\n", l.criteria())
	} else {
		subject = "Your application to the ambassador program"
		b.WriteString("thank you for applying. This time your application was not accepted:\n\n")
		fmt.Fprintf(&b, "  %s\n\n", a.Reason)
		fmt.Fprintf(&b, "You are welcome to apply again. How contributions are counted:\n%s\n", l.criteria())
	}
	return []cadre.Mail{{Kind: "decision", To: a.Email, Subject: subject, Body: b.String()}}
}

// Outcomes tells each ambassador renewed or lapsed at review r what the
// review found; member looks their name and address up. Those carried over
// or excused are not written to.
func Outcomes(r *program.Review, member func(id int64) (*cadre.Member, error), l Links) ([]cadre.Mail, error) {
	var out []cadre.Mail
	for _, e := range r.Entries {
		if e.Outcome != program.Renewed && e.Outcome != program.Lapsed {
			continue
		}
		m, err := member(e.MemberID)
		if err != nil {
			return nil, fmt.Errorf("write the outcome of member %d: %w", e.MemberID, err)
		}
		if len(m.Emails) == 0 {
			continue
		}
		var b strings.Builder
		fmt.Fprintf(&b, "Hello %s,\n\n", m.Name)
		subject := fmt.Sprintf("Your ambassador status is renewed (%s review)", r.Quarter)
		if e.Outcome == program.Renewed {
			fmt.Fprintf(&b, "the %s review renewed your ambassador term: your score was %.1f, and the\n", r.Quarter, e.Score)
			fmt.Fprintf(&b, "bar to stay is %.0f. Thank you for all you do for the community.\n", r.Maintain)
		} else {
			subject = fmt.Sprintf("Your ambassador term ends (%s review)", r.Quarter)
			fmt.Fprintf(&b, "at the %s review your score was %.1f, below the %.0f the program asks\n", r.Quarter, e.Score, r.Maintain)
			fmt.Fprintf(&b, "of ambassadors, so your term ends on %s and you join the alumni.\n", r.LapseAt.Format("2 January 2006"))
			fmt.Fprintf(&b, "You were %.0f points short. Thank you for what you gave: you can return when\n", math.Ceil(r.Maintain-e.Score))
			b.WriteString("your contributions qualify you again.\n")
		}
		fmt.Fprintf(&b, "\nHow contributions are counted:\n%s\n", l.criteria())
		out = append(out, cadre.Mail{Kind: "renewal", To: m.Emails[0], Subject: subject, Body: b.String()})
	}
	return out, nil
}

// SurveyInvitation asks an ambassador the survey's question through their
// personal link; a reminder says the link replaces the one sent before.
func SurveyInvitation(m *cadre.Member, sv *survey.Survey, link string, reminder bool) []cadre.Mail {
	if len(m.Emails) == 0 {
		return nil
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Hello %s,\n\n", m.Name)
	subject := fmt.Sprintf("One question about the ambassador program (%s)", sv.Quarter)
	if reminder {
		subject = "A reminder: " + subject
		b.WriteString("we have not heard from you yet, and your answer matters to us.\n")
		b.WriteString("This link replaces the one we sent before.\n\n")
	}
	fmt.Fprintf(&b, "%s\n\n", survey.Question)
	fmt.Fprintf(&b, "Answer from 0 to 10, with a comment if you like, here:\n%s\n\n", link)
	fmt.Fprintf(&b, "You can change your answer until the survey closes on %s.\n", sv.ClosesAt.Format("2 January 2006"))
	if sv.Anonymous {
		b.WriteString("Comments are read without your name.\n")
	}
	return []cadre.Mail{{Kind: "survey", To: m.Emails[0], Subject: subject, Body: b.String(), Link: link}}
}

// CommitmentReminder reminds the owner of an overdue commitment, when the
// owner is named by an address (none otherwise: the commitments page flags
// it); the date is shown in loc, the program's zone.
func CommitmentReminder(c *session.Commitment, loc *time.Location, l Links) []cadre.Mail {
	to := c.OwnerEmail()
	if to == "" {
		return nil
	}
	var b strings.Builder
	b.WriteString("Hello,\n\n")
	fmt.Fprintf(&b, "a commitment you own from an executive feedback session was due on %s\n", c.Due.In(loc).Format("2 January 2006"))
	fmt.Fprintf(&b, "and is still %s:\n\n  %s\n\n", strings.ReplaceAll(string(c.Status), "_", " "), c.Title)
	b.WriteString("The ambassadors can see every commitment and where it stands. Please mark it\n")
	b.WriteString("done, or declined with a reason, or add a note on what happens next:\n")
	fmt.Fprintf(&b, "%s\n\n", l.commitments())
	b.WriteString("You will be reminded once a day while it is overdue.\n")
	return []cadre.Mail{{Kind: "commitment", To: to, Subject: "Overdue commitment: " + c.Title, Body: b.String(), Link: l.commitments()}}
}

func (l Links) commitments() string { return l.Base + "/commitments" }
