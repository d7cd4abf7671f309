package main

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/cadrehq/cadre/notify"
)

const webhooksHelp = `Outgoing webhooks: tell other systems what happens in the program. Events:
application.submitted, invitation.accepted, renewal.applied, report.waiting,
survey.closed, commitment.overdue. A json webhook receives
{"event", "at", "text", "data"} signed in X-Cadre-Signature-256 with
HMAC-SHA256 of the body under its secret ("sha256=…", as GitHub signs its
webhooks), with X-Cadre-Event and X-Cadre-Delivery; a slack webhook receives
{"text"}, as Slack's incoming webhooks take it. The server delivers them,
trying again with backoff; a 4xx answer ends the attempts.

  cadre webhooks [--json]
  cadre webhooks add URL [--kind json|slack] [--events E,E] (the secret from CADRE_WEBHOOK_SECRET)
  cadre webhooks remove ID
  cadre webhooks deliveries [ID] [--json]`

// webhookRow is a webhook as cadre webhooks --json prints it; the secret
// is never printed.
type webhookRow struct {
	ID      int64     `json:"id"`
	URL     string    `json:"url"`
	Kind    string    `json:"kind"`
	Events  []string  `json:"events"`
	Created time.Time `json:"created_at"`
}

// deliveryRow is a delivery as cadre webhooks deliveries --json prints it.
type deliveryRow struct {
	ID       int64      `json:"id"`
	Webhook  int64      `json:"webhook_id"`
	Event    string     `json:"event"`
	State    string     `json:"state"`
	Attempts int        `json:"attempts"`
	Status   int        `json:"status"`
	Created  time.Time  `json:"created_at"`
	Sent     *time.Time `json:"sent_at"`
	Error    string     `json:"error,omitempty"`
}

func cmdWebhooks(ctx context.Context, e *env) error {
	fs := e.flags("webhooks", "[add URL|remove ID|deliveries [ID]]", webhooksHelp)
	db := e.dbFlags(fs)
	kind := fs.String("kind", notify.KindJSON, "add: json or slack")
	events := fs.String("events", "", "add: the events to send, comma-separated; every event when empty")
	asJSON := fs.Bool("json", false, "print JSON")
	actor := actorFlag(fs)
	args, err := e.parseMixed(fs)
	if err != nil {
		return err
	}
	st, err := openStore(ctx, e, db, existing)
	if err != nil {
		return err
	}
	defer st.Close()
	switch {
	case len(args) == 0:
		ws, err := st.Webhooks(ctx)
		if err != nil {
			return err
		}
		rows := []webhookRow{}
		for _, w := range ws {
			rows = append(rows, webhookRow{ID: w.ID, URL: w.URL, Kind: w.Kind, Events: append([]string{}, w.Events...), Created: w.CreatedAt})
		}
		if *asJSON {
			return printJSON(e, rows)
		}
		tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tKIND\tURL\tEVENTS")
		for _, r := range rows {
			ev := strings.Join(r.Events, ",")
			if ev == "" {
				ev = "all"
			}
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\n", r.ID, r.Kind, r.URL, ev)
		}
		return tw.Flush()
	case args[0] == "add" && len(args) == 2:
		w := &notify.Webhook{URL: args[1], Kind: *kind, Secret: e.getenv("CADRE_WEBHOOK_SECRET"), Actor: e.actor(*actor)}
		for _, ev := range strings.Split(*events, ",") {
			if ev = strings.TrimSpace(ev); ev != "" {
				w.Events = append(w.Events, ev)
			}
		}
		if err := st.CreateWebhook(ctx, w); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "webhook %d added\n", w.ID)
		return nil
	case args[0] == "remove" && len(args) == 2:
		id, err := strconv.ParseInt(args[1], 10, 64)
		if err != nil {
			return usagef("%q is no webhook ID", args[1])
		}
		if err := st.DeleteWebhook(ctx, id, e.actor(*actor)); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "webhook %d removed\n", id)
		return nil
	case args[0] == "deliveries" && len(args) <= 2:
		var id int64
		if len(args) == 2 {
			if id, err = strconv.ParseInt(args[1], 10, 64); err != nil {
				return usagef("%q is no webhook ID", args[1])
			}
		}
		ds, err := st.Deliveries(ctx, id, 100)
		if err != nil {
			return err
		}
		rows := []deliveryRow{}
		for i, d := range ds {
			r := deliveryRow{ID: d.ID, Webhook: d.WebhookID, Event: d.Event, State: string(d.State()), Attempts: d.Attempts, Status: d.Status, Created: d.CreatedAt, Error: d.Error}
			if !d.SentAt.IsZero() {
				r.Sent = &ds[i].SentAt
			}
			rows = append(rows, r)
		}
		if *asJSON {
			return printJSON(e, rows)
		}
		tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tWEBHOOK\tEVENT\tSTATE\tSTATUS\tATTEMPTS\tERROR")
		for _, r := range rows {
			fmt.Fprintf(tw, "%d\t%d\t%s\t%s\t%d\t%d\t%s\n", r.ID, r.Webhook, r.Event, r.State, r.Status, r.Attempts, r.Error)
		}
		return tw.Flush()
	}
	return usagef("webhooks takes add URL, remove ID, deliveries [ID], or nothing to list")
}
