package main

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/cadrehq/cadre"
	"github.com/cadrehq/cadre/server"
	"github.com/cadrehq/cadre/session"
	"github.com/cadrehq/cadre/store"
)

const sessionsHelp = `Executive feedback sessions (SPEC 6). Before a session the ambassadors submit
items (a critique or a feature request) on the /feedback page and vote on each
other's; during it, items become commitments with an owner (a name, or an email
that is reminded), a due date and a status: open, in_progress, done or declined
(done and declined are final). A commitment neither done nor declined after its
due date is overdue. Every ambassador reads every commitment and its history on
/commitments; "cadre health" gives each quarter's follow_through.

  cadre sessions list [--json]
  cadre sessions add --title T --date 2026-03-10 --executives "Jane Doe, cto@example.org"
                     [--ambassadors github:ada,bob@example.org]
  cadre sessions items SESSION_ID [--json]           the most voted first
  cadre sessions submit SESSION_ID --member M --kind critique|feature --title T [--text X]
  cadre sessions commit ITEM_ID --owner O --due 2026-03-31 [--title T]
  cadre sessions commitments [--session ID] [--overdue] [--json]
  cadre sessions status COMMITMENT_ID --to in_progress|done|declined|open [--note N]
  cadre sessions note COMMITMENT_ID --text N
  cadre sessions remind      remind the owners of overdue commitments (once a day each)

Dates are in the criteria's time zone; a commitment is due at the end of its
date. cadre serve sends the reminders itself every day. A refused change (a
vote for one's own item, a status after done) exits 1.`

func cmdSessions(ctx context.Context, e *env) error {
	fs := e.flags("sessions", "list|add|items|submit|commit|commitments|status|note|remind [ID]", sessionsHelp)
	db := e.dbFlags(fs)
	title := fs.String("title", "", "add, submit, commit: the title (commit: default the item's)")
	date := fs.String("date", "", "add: the session's date")
	ambassadors := fs.String("ambassadors", "", "add: the ambassadors who attend, comma-separated (platform:handle, email or ID)")
	executives := fs.String("executives", "", "add: the executive team's attendees, comma-separated names or emails")
	member := fs.String("member", "", "submit: the ambassador who brings the item")
	kind := fs.String("kind", "", "submit: critique or feature")
	text := fs.String("text", "", "submit: the item's details; note: the note")
	owner := fs.String("owner", "", "commit: who keeps the commitment, a name or an email")
	due := fs.String("due", "", "commit: the due date")
	to := fs.String("to", "", "status: the new status")
	note := fs.String("note", "", "status: why, in the history")
	sessionID := fs.Int64("session", 0, "commitments: only those of this session")
	overdue := fs.Bool("overdue", false, "commitments: only the overdue")
	asJSON := fs.Bool("json", false, "print JSON")
	linkBase := e.linkBaseFlag(fs)
	actor := actorFlag(fs)
	args, err := e.parseMixed(fs)
	if err != nil {
		return err
	}
	if len(args) == 0 {
		return usagef("sessions needs a subcommand: list, add, items, submit, commit, commitments, status, note or remind")
	}
	sub := args[0]
	var id int64
	switch sub {
	case "items", "submit", "commit", "status", "note":
		if len(args) != 2 {
			return usagef("sessions %s needs one ID", sub)
		}
		if id, err = strconv.ParseInt(args[1], 10, 64); err != nil || id <= 0 {
			return usagef("sessions %s: %q is no ID", sub, args[1])
		}
	case "list", "add", "commitments", "remind":
		if len(args) != 1 {
			return usagef("sessions %s takes no argument", sub)
		}
	default:
		return usagef("unknown sessions subcommand %q: list, add, items, submit, commit, commitments, status, note or remind", sub)
	}
	base, err := parseBaseURL(*linkBase)
	if err != nil {
		return err
	}
	// Check what can be checked before opening the database.
	var k session.Kind
	var st0 session.Status
	switch sub {
	case "add":
		if *title == "" || *date == "" || *executives == "" {
			return usagef("sessions add needs --title, --date and --executives")
		}
	case "submit":
		if *member == "" || *title == "" {
			return usagef("sessions submit needs --member, --kind and --title")
		}
		if k, err = session.ParseKind(*kind); err != nil {
			return usagef("--kind: %s", cadre.ErrorMessage(err))
		}
	case "commit":
		if *owner == "" || *due == "" {
			return usagef("sessions commit needs --owner and --due")
		}
	case "status":
		if st0, err = session.ParseStatus(*to); err != nil {
			return usagef("--to: %s", cadre.ErrorMessage(err))
		}
	case "note":
		if strings.TrimSpace(*text) == "" {
			return usagef("sessions note needs --text")
		}
	}
	st, err := openStore(ctx, e, db, existing)
	if err != nil {
		return err
	}
	defer st.Close()
	eng, err := loadStandings(ctx, e, st, 0)
	if err != nil {
		return err
	}
	loc, now, who := eng.Criteria().Location(), st.Now(), e.actor(*actor)
	names := server.MemberNames(ctx, st.Member)
	switch sub {
	case "list":
		return listSessions(ctx, e, st, now, loc, names, *asJSON)
	case "add":
		ss, err := server.NewSession(ctx, st.FindMember, *title, *date, server.SplitList(*ambassadors), server.SplitList(*executives), loc, who)
		if err != nil {
			return err
		}
		if err := st.CreateFeedbackSession(ctx, ss); err != nil {
			return err
		}
		if *asJSON {
			return printJSON(e, server.NewSessionJSON(ss, now, loc, names))
		}
		fmt.Fprintf(e.stdout, "session %d: %s on %s, %d ambassadors, %d executives\n", ss.ID, ss.Title, ss.At.In(loc).Format(time.DateOnly), len(ss.Ambassadors), len(ss.Executives))
		return nil
	case "items":
		if _, err := st.FeedbackSession(ctx, id); err != nil {
			return err
		}
		items, err := st.FeedbackItems(ctx, id)
		if err != nil {
			return err
		}
		out := []server.ItemJSON{}
		for i := range items {
			out = append(out, server.NewItemJSON(&items[i], names))
		}
		if *asJSON {
			return printJSON(e, out)
		}
		tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tVOTES\tKIND\tBY\tTITLE")
		for _, it := range out {
			fmt.Fprintf(tw, "%d\t%d\t%s\t%s\t%s\n", it.ID, it.Votes, it.Kind, it.Author, it.Title)
		}
		return tw.Flush()
	case "submit":
		author, err := st.FindMember(ctx, *member)
		if err != nil {
			return err
		}
		it := &session.Item{SessionID: id, Kind: k, Title: *title, Body: *text, AuthorID: author}
		if err := st.SubmitItem(ctx, it, who); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "item %d submitted to session %d\n", it.ID, id)
		return nil
	case "commit":
		dueAt, err := server.ParseDue(*due, loc)
		if err != nil {
			return usagef("--due: %s", cadre.ErrorMessage(err))
		}
		c := &session.Commitment{ItemID: id, Title: *title, Owner: *owner, Due: dueAt, Actor: who}
		if err := st.Commit(ctx, c); err != nil {
			return err
		}
		if *asJSON {
			return printJSON(e, server.NewCommitmentJSON(c, now, loc))
		}
		fmt.Fprintf(e.stdout, "commitment %d: %s, owner %s, due %s\n", c.ID, c.Title, c.Owner, c.Due.In(loc).Format(time.DateOnly))
		return nil
	case "commitments":
		cs, err := st.Commitments(ctx, *sessionID)
		if err != nil {
			return err
		}
		out := []server.CommitmentJSON{}
		for i := range cs {
			if j := server.NewCommitmentJSON(&cs[i], now, loc); !*overdue || j.Overdue {
				out = append(out, j)
			}
		}
		if *asJSON {
			return printJSON(e, out)
		}
		tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tSESSION\tDUE\tSTATUS\tOWNER\tTITLE")
		for _, c := range out {
			status := c.Status
			if c.Overdue {
				status += " (overdue)"
			} else if c.OnTime != nil && !*c.OnTime {
				status += " (late)"
			}
			fmt.Fprintf(tw, "%d\t%d\t%s\t%s\t%s\t%s\n", c.ID, c.SessionID, c.Due, status, c.Owner, c.Title)
		}
		return tw.Flush()
	case "status":
		c, err := st.MoveCommitment(ctx, id, st0, *note, who)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "commitment %d is %s\n", c.ID, c.Status)
		return nil
	case "note":
		if _, err := st.NoteCommitment(ctx, id, *text, who); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "note added to commitment %d\n", id)
		return nil
	}
	// remind
	n, err := server.RemindOverdue(ctx, st, now, loc, base)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%d owners of overdue commitments reminded\n", n)
	return nil
}

func listSessions(ctx context.Context, e *env, st *store.Store, now time.Time, loc *time.Location, names func(int64) string, asJSON bool) error {
	sessions, err := st.FeedbackSessions(ctx)
	if err != nil {
		return err
	}
	out := []server.SessionJSON{}
	for i := range sessions {
		out = append(out, server.NewSessionJSON(&sessions[i], now, loc, names))
	}
	if asJSON {
		return printJSON(e, out)
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tDATE\tAMBASSADORS\tEXECUTIVES\tTITLE")
	for _, s := range out {
		fmt.Fprintf(tw, "%d\t%s\t%d\t%s\t%s\n", s.ID, s.Date, len(s.Ambassadors), strings.Join(s.Executives, ", "), s.Title)
	}
	return tw.Flush()
}
