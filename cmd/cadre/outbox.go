package main

import (
	"context"
	"fmt"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/cadrehq/cadre"
	"github.com/cadrehq/cadre/mail"
)

const outboxHelp = `The program's mail: invitations, application confirmations and decisions, and
renewal outcomes, written to the outbox with the change that causes them.

  cadre outbox [--waiting] [--json]     list the messages, newest first
  cadre outbox send --smtp-url U --mail-from F
                                        deliver what is due now, once
  cadre outbox retry ID                 try a message that failed for good again

"cadre serve --smtp-url" delivers the outbox by itself; without a mail server,
the messages wait and their links can be sent another way.`

// outboxRow is a message as cadre outbox --json prints it.
type outboxRow struct {
	ID       int64           `json:"id"`
	Kind     string          `json:"kind"`
	To       string          `json:"to"`
	Subject  string          `json:"subject"`
	Link     string          `json:"link,omitempty"`
	State    cadre.MailState `json:"state"`
	Attempts int             `json:"attempts"`
	Created  time.Time       `json:"created_at"`
	Sent     *time.Time      `json:"sent_at"`
	Error    string          `json:"error,omitempty"`
}

func cmdOutbox(ctx context.Context, e *env) error {
	fs := e.flags("outbox", "[send|retry ID]", outboxHelp)
	db := e.dbFlags(fs)
	waiting := fs.Bool("waiting", false, "list only the messages not yet sent")
	limit := fs.Int("limit", 100, "list at most this many")
	asJSON := fs.Bool("json", false, "print JSON")
	smtpURL := fs.String("smtp-url", e.getenv("CADRE_SMTP_URL"), "send: the mail server (env CADRE_SMTP_URL)")
	mailFrom := fs.String("mail-from", e.getenv("CADRE_MAIL_FROM"), "send: the sender's address (env CADRE_MAIL_FROM)")
	args, err := e.parseMixed(fs)
	if err != nil {
		return err
	}
	if *limit < 1 {
		return usagef("--limit must be positive")
	}
	var sender mail.Sender
	switch {
	case len(args) == 0:
	case args[0] == "send" && len(args) == 1:
		if *smtpURL == "" {
			return usagef("outbox send needs --smtp-url and --mail-from")
		}
		if sender, err = newSender(*smtpURL, *mailFrom); err != nil {
			return err
		}
	case args[0] == "retry" && len(args) == 2:
	default:
		return usagef("outbox takes send, or retry ID, or nothing to list")
	}
	st, err := openStore(ctx, e, db, existing)
	if err != nil {
		return err
	}
	defer st.Close()
	switch {
	case sender != nil:
		sent, failed, err := mail.Deliver(ctx, st, sender, st.Now, e.log)
		fmt.Fprintf(e.stdout, "%d sent, %d failed\n", sent, failed)
		if err == nil && failed > 0 {
			return errReported
		}
		return err
	case len(args) == 2:
		id, err := strconv.ParseInt(args[1], 10, 64)
		if err != nil {
			return usagef("%q is no message ID", args[1])
		}
		if err := st.RetryMail(ctx, id); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "message %d is due again\n", id)
		return nil
	}
	ms, err := st.Outbox(ctx, *waiting, *limit)
	if err != nil {
		return err
	}
	rows := make([]outboxRow, len(ms))
	for i, m := range ms {
		rows[i] = outboxRow{ID: m.ID, Kind: m.Kind, To: m.To, Subject: m.Subject, Link: m.Link, State: m.State(), Attempts: m.Attempts, Created: m.CreatedAt, Error: m.Error}
		if !m.SentAt.IsZero() {
			rows[i].Sent = &ms[i].SentAt
		}
	}
	if *asJSON {
		return printJSON(e, rows)
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tWRITTEN\tTO\tSUBJECT\tSTATE\tLINK")
	for _, r := range rows {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\n", r.ID, r.Created.Format(time.DateOnly), r.To, r.Subject, r.State, r.Link)
	}
	return tw.Flush()
}
