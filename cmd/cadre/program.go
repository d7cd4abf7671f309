package main

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/cadrehq/cadre"
	"github.com/cadrehq/cadre/program"
	"github.com/cadrehq/cadre/server"
	"github.com/cadrehq/cadre/standings"
	"github.com/cadrehq/cadre/store"
)

const rosterHelp = `Import or export the program's terms: the periods in which members are
ambassadors (SPEC section 5), for programs that move to Cadre with history.

  cadre roster import FILE [--dry-run]   CSV (header member,since,until,via) or JSON Lines
  cadre roster export [--format csv|jsonl]

member is platform:handle or an email, created when unknown; since and until are
RFC 3339 times (until: the term is closed); via is invitation, application or
roster (the default). Importing the same roster again changes nothing; a bad row
or an overlap with another term fails the whole import, named by line.
--dry-run says what the import would do, row by row, and changes nothing; the
roster page (/roster) previews an upload the same way before it imports.`

func cmdRoster(ctx context.Context, e *env) error {
	fs := e.flags("roster", "import FILE | export", rosterHelp)
	db := e.dbFlags(fs)
	format := fs.String("format", "csv", "export: csv or jsonl")
	dryRun := fs.Bool("dry-run", false, "import: say what it would do, change nothing")
	actor := actorFlag(fs)
	args, err := e.parseMixed(fs)
	if err != nil {
		return err
	}
	if len(args) == 0 {
		return usagef("roster needs a subcommand: import FILE or export")
	}
	switch args[0] {
	case "import":
		if len(args) != 2 {
			return usagef("roster import needs one FILE")
		}
		f, err := os.Open(args[1])
		if err != nil {
			return err
		}
		defer f.Close()
		rows, bad, err := program.ReadRoster(f, args[1])
		if err != nil {
			return err
		}
		for _, b := range bad {
			fmt.Fprintln(e.stderr, b)
		}
		if len(bad) > 0 {
			fmt.Fprintf(e.stderr, "%d bad rows: nothing imported\n", len(bad))
			return errReported
		}
		st, err := openStore(ctx, e, db, creates)
		if err != nil {
			return err
		}
		defer st.Close()
		if *dryRun {
			res, err := st.PreviewRoster(ctx, args[1], rows)
			if err != nil {
				return err
			}
			for i, o := range res.Rows {
				what := "unchanged"
				if o.Added {
					what = "adds a term"
				}
				who := fmt.Sprintf("member %d", o.MemberID)
				if o.Created {
					who = "a new member"
				}
				ref := rows[i].Member.Email
				if ref == "" {
					ref = rows[i].Member.Platform + ":" + rows[i].Member.Handle
				}
				fmt.Fprintf(e.stdout, "%s:%d: %s for %s (%s)\n", args[1], o.Line, what, who, ref)
			}
			fmt.Fprintf(e.stdout, "would add %d terms, leave %d unchanged, create %d members; nothing changed\n", res.Added, res.Unchanged, res.MembersCreated)
			return nil
		}
		res, err := st.ImportRoster(ctx, args[1], rows, e.actor(*actor))
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "%d terms added, %d unchanged, %d members created\n", res.Added, res.Unchanged, res.MembersCreated)
		return nil
	case "export":
		if *format != "csv" && *format != "jsonl" {
			return usagef("--format must be csv or jsonl, got %q", *format)
		}
		st, err := openStore(ctx, e, db, existing)
		if err != nil {
			return err
		}
		defer st.Close()
		return server.WriteRoster(ctx, e.stdout, st, *format)
	}
	return usagef("unknown roster subcommand %q: import or export", args[0])
}

const renewalHelp = `The quarterly review of ambassadors (SPEC section 5): who renews (score at the
review instant, the quarter's last microsecond, at least maintain), who lapses
(their term ends at the next quarter's start), who is carried over (their term
began in the quarter) or excused.

  cadre renewal preview --quarter 2026Q1 [--json]
  cadre renewal apply --quarter 2026Q1 [--json]     once the quarter has ended, once
  cadre renewal excuse --quarter 2026Q1 MEMBER --reason "parental leave"
  cadre renewal at-risk [--json]     who the coming review would lapse, and what closes the gap

"cadre review" stays the review of self-reports.`

func cmdRenewal(ctx context.Context, e *env) error {
	fs := e.flags("renewal", "preview|apply|excuse [MEMBER]", renewalHelp)
	db := e.dbFlags(fs)
	quarter := fs.String("quarter", "", "the quarter, such as 2026Q1")
	asJSON := fs.Bool("json", false, "print the review as JSON (SPEC section 8)")
	reason := fs.String("reason", "", "excuse: why the ambassador is excused")
	linkBase := e.linkBaseFlag(fs)
	actor := actorFlag(fs)
	args, err := e.parseMixed(fs)
	if err != nil {
		return err
	}
	if len(args) == 0 {
		return usagef("renewal needs a subcommand: preview, apply or excuse")
	}
	base, err := parseBaseURL(*linkBase)
	if err != nil {
		return err
	}
	var q program.Quarter
	if args[0] != "at-risk" {
		if q, err = program.ParseQuarter(*quarter); err != nil {
			return usagef("--quarter: %s", cadre.ErrorMessage(err))
		}
	}
	st, err := openStore(ctx, e, db, existing)
	if err != nil {
		return err
	}
	defer st.Close()
	switch sub := args[0]; sub {
	case "at-risk":
		eng, err := loadStandings(ctx, e, st, 0)
		if err != nil {
			return err
		}
		return atRisk(ctx, e, st, eng, *asJSON)
	case "excuse":
		if len(args) != 2 {
			return usagef("renewal excuse needs one MEMBER")
		}
		id, err := st.FindMember(ctx, args[1])
		if err != nil {
			return err
		}
		if err := st.Excuse(ctx, q, id, *reason, e.actor(*actor)); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "member %d excused from %s\n", id, q)
		return nil
	case "preview", "apply":
		eng, err := loadStandings(ctx, e, st, 0)
		if err != nil {
			return err
		}
		names := server.MemberNames(ctx, st.Member)
		var j server.ReviewJSON
		if sub == "preview" {
			if j, err = server.Renewal(ctx, st, eng, q, names); err != nil {
				return err
			}
		} else {
			r, version, err := server.ApplyRenewal(ctx, st, eng, q, st.Now(), e.actor(*actor), base)
			if err != nil {
				return err
			}
			j = server.NewReviewJSON(r, version, true, eng.Criteria().RenewalBand, names)
		}
		if *asJSON {
			return printJSON(e, j)
		}
		return printReview(e, j)
	}
	return usagef("unknown renewal subcommand %q: preview, apply or excuse", args[0])
}

func printReview(e *env, j server.ReviewJSON) error {
	state := "preview"
	if j.Applied {
		state = "applied"
	}
	rate := "n/a (nobody up for review)"
	if j.RenewalRate != nil {
		rate = fmt.Sprintf("%.1f%%: %s", *j.RenewalRate*100, j.Diagnosis)
	}
	fmt.Fprintf(e.stdout, "%s review (%s), at %s, maintain %.2f\n%d renewed, %d lapsed, %d excused, %d carried over; renewal rate %s\n\n",
		j.Quarter, state, j.At.Format(time.RFC3339Nano), j.Maintain, j.Renewed, j.Lapsed, j.Excused, j.CarriedOver, rate)
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "MEMBER\tNAME\tSCORE\tOUTCOME")
	for _, m := range j.Members {
		fmt.Fprintf(tw, "%s\t%s\t%.2f\t%s\n", m.MemberID, m.Name, m.Score, m.Outcome)
	}
	return tw.Flush()
}

const healthHelp = `The program's health in a quarter (SPEC section 6): the share of the active
community that qualifies at the review instant, ambassadors and how many were
active, points and influence hours per ambassador, and the quarter's review.

  cadre health --quarter 2026Q1 [--json]

"cadre report" stays the self-report of an activity.`

func cmdHealth(ctx context.Context, e *env) error {
	fs := e.flags("health", "", healthHelp)
	db := e.dbFlags(fs)
	quarter := fs.String("quarter", "", "the quarter, such as 2026Q1")
	asJSON := fs.Bool("json", false, "print JSON (SPEC section 8)")
	if err := e.parse(fs); err != nil {
		return err
	}
	q, err := program.ParseQuarter(*quarter)
	if err != nil {
		return usagef("--quarter: %s", cadre.ErrorMessage(err))
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
	j, err := server.Health(ctx, st, eng, q)
	if err != nil {
		return err
	}
	if *asJSON {
		return printJSON(e, j)
	}
	fmt.Fprintf(e.stdout, "%s at %s\nactive %d, qualifying %d (%.1f%%)\nambassadors %d, active %d, points each %s\ninfluence hours %.1f, each %s, weighted each %s\n",
		j.Quarter, j.At.Format(time.RFC3339Nano), j.Active, j.Qualifying, j.Share*100, j.Ambassadors, j.ActiveAmbassadors,
		orNA(j.PointsPerAmbassador), j.InfluenceHours.Total, orNA(j.InfluenceHours.PerAmbassador), orNA(j.InfluenceHours.WeightedPerAmbassador))
	if j.Review != nil {
		fmt.Fprintf(e.stdout, "review: %d renewed, %d lapsed, renewal rate %s\n", j.Review.Renewed, j.Review.Lapsed, orNA(j.Review.RenewalRate))
	} else {
		fmt.Fprintln(e.stdout, "review: not applied yet")
	}
	fmt.Fprintf(e.stdout, "follow-through of commitments due: %s\n", orNA(j.FollowThrough))
	return nil
}

func orNA(f *float64) string {
	if f == nil {
		return "n/a"
	}
	return strconv.FormatFloat(*f, 'f', 2, 64)
}

const termsHelp = `Show a member's terms as ambassador, start one, or end one. Starting and ending
are an admin's decisions, with a reason; the member's status follows and the
audit log keeps both. Staff and bots hold no term; terms of one member never
overlap.

  cadre terms MEMBER
  cadre terms start MEMBER --via invitation|application|roster --reason R [--at T]
  cadre terms end TERM_ID --as resigned|removed --reason R [--at T]`

func cmdTerms(ctx context.Context, e *env) error {
	fs := e.flags("terms", "MEMBER | start MEMBER | end TERM_ID", termsHelp)
	db := e.dbFlags(fs)
	via := fs.String("via", "invitation", "start: how the term began")
	as := fs.String("as", "", "end: resigned or removed")
	reason := fs.String("reason", "", "start, end: why")
	var at atFlag
	fs.Var(&at, "at", "start, end: when (default now)")
	asJSON := fs.Bool("json", false, "print the terms as JSON")
	actor := actorFlag(fs)
	args, err := e.parseMixed(fs)
	if err != nil {
		return err
	}
	if len(args) == 0 {
		return usagef("terms needs a MEMBER, or start MEMBER, or end TERM_ID")
	}
	st, err := openStore(ctx, e, db, existing)
	if err != nil {
		return err
	}
	defer st.Close()
	when := at.or(st.Now())
	switch args[0] {
	case "start":
		if len(args) != 2 {
			return usagef("terms start needs one MEMBER")
		}
		if *reason == "" {
			return usagef("terms start needs --reason")
		}
		id, err := st.FindMember(ctx, args[1])
		if err != nil {
			return err
		}
		t := &program.Term{MemberID: id, Start: when, Via: program.Via(*via), Reason: *reason}
		if err := st.StartTerm(ctx, t, e.actor(*actor)); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "term %d of member %d from %s\n", t.ID, id, t.Start.Format(time.RFC3339))
		return nil
	case "end":
		if len(args) != 2 {
			return usagef("terms end needs one TERM_ID")
		}
		id, err := strconv.ParseInt(args[1], 10, 64)
		if err != nil {
			return usagef("terms end: %q is no term ID", args[1])
		}
		if *reason == "" {
			return usagef("terms end needs --reason")
		}
		if err := st.EndTerm(ctx, id, when, program.EndReason(*as), *reason, e.actor(*actor)); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "term %d ended (%s) at %s\n", id, *as, when.Format(time.RFC3339))
		return nil
	}
	if len(args) != 1 {
		return usagef("terms takes one MEMBER")
	}
	id, err := st.FindMember(ctx, args[0])
	if err != nil {
		return err
	}
	terms, err := st.Terms(ctx, id)
	if err != nil {
		return err
	}
	out := make([]server.TermJSON, len(terms))
	for i := range terms {
		out[i] = server.NewTermJSON(&terms[i])
	}
	if *asJSON {
		return printJSON(e, out)
	}
	if len(out) == 0 {
		fmt.Fprintf(e.stderr, "member %d has held no term\n", id)
		return nil
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "TERM\tSTART\tEND\tVIA\tENDED BY\tREASON")
	for _, t := range out {
		end := "open"
		if t.End != nil {
			end = t.End.Format(time.RFC3339)
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\n", t.ID, t.Start.Format(time.RFC3339), end, t.Via, t.EndedBy, t.Reason)
	}
	return tw.Flush()
}

// atRisk lists the ambassadors whose score at the coming review would be
// below maintain, with the points they still need and what would make them
// up.
func atRisk(ctx context.Context, e *env, st *store.Store, eng *standings.Engine, asJSON bool) error {
	rows, err := server.AtRisk(ctx, st, eng, st.Now())
	if err != nil {
		return err
	}
	if asJSON {
		return printJSON(e, rows)
	}
	if len(rows) == 0 {
		fmt.Fprintln(e.stdout, "nobody is at risk at the next review")
		return nil
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "MEMBER\tNAME\tSCORE AT REVIEW\tPOINTS NEEDED\tFOR EXAMPLE")
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%s\t%.2f\t%.2f\t%s\n", r.MemberID, r.Name, r.ScoreAtReview, r.PointsNeeded, r.Example)
	}
	return tw.Flush()
}

const inviteHelp = `Invite members to become ambassadors (SPEC section 5). Each invitation is a
personal link, single use, open for 30 days: the invitee opens it (no account
needed), reads what the program asks and gives, and accepts or declines.
Accepting starts their term.

  cadre invite --proposals [--json]   who qualifies now and is not an ambassador, best first
  cadre invite MEMBER                 send one: prints the personal link
  cadre invite --list [--json]        every invitation and its state
  cadre invite --revoke ID

The link uses --base-url (or CADRE_BASE_URL), the address people reach the
server at; until mail is set up, send it yourself.`

func cmdInvite(ctx context.Context, e *env) error {
	fs := e.flags("invite", "[MEMBER]", inviteHelp)
	db := e.dbFlags(fs)
	proposals := fs.Bool("proposals", false, "list who qualifies now and is not an ambassador")
	list := fs.Bool("list", false, "list every invitation")
	revoke := fs.Int64("revoke", 0, "revoke the open invitation with this ID")
	baseURL := e.linkBaseFlag(fs)
	asJSON := fs.Bool("json", false, "print JSON")
	actor := actorFlag(fs)
	args, err := e.parseMixed(fs)
	if err != nil {
		return err
	}
	base, err := parseBaseURL(*baseURL)
	if err != nil {
		return err
	}
	st, err := openStore(ctx, e, db, existing)
	if err != nil {
		return err
	}
	defer st.Close()
	switch {
	case *proposals:
		eng, err := loadStandings(ctx, e, st, 0)
		if err != nil {
			return err
		}
		ps, err := server.Proposals(eng, st.Now())
		if err != nil {
			return err
		}
		if *asJSON {
			return printJSON(e, ps)
		}
		tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "MEMBER\tNAME\tSTATUS\tSCORE\tCARRIED BY")
		for _, p := range ps {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%.2f\t%s\n", p.MemberID, p.Name, p.Status, p.Score, p.Carried)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		fmt.Fprintf(e.stderr, "%d members qualify and are not ambassadors; invite one with \"cadre invite MEMBER\"\n", len(ps))
		return nil
	case *list:
		invs, err := st.Invitations(ctx, 0)
		if err != nil {
			return err
		}
		out := make([]server.InvitationJSON, len(invs))
		for i := range invs {
			out[i] = server.NewInvitationJSON(&invs[i], st.Now())
		}
		if *asJSON {
			return printJSON(e, out)
		}
		tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tMEMBER\tSTATE\tSENT\tEXPIRES")
		for _, j := range out {
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\n", j.ID, j.MemberID, j.State, j.SentAt.Format(time.DateOnly), j.ExpiresAt.Format(time.DateOnly))
		}
		return tw.Flush()
	case *revoke != 0:
		if err := st.RevokeInvitation(ctx, *revoke, e.actor(*actor)); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "invitation %d revoked\n", *revoke)
		return nil
	}
	if len(args) != 1 {
		return usagef("invite needs one MEMBER, or --proposals, --list or --revoke ID")
	}
	id, err := st.FindMember(ctx, args[0])
	if err != nil {
		return err
	}
	inv, link, err := server.Invite(ctx, st, id, e.actor(*actor), base)
	if err != nil {
		return err
	}
	j := server.NewInvitationJSON(inv, st.Now())
	j.Link = link
	if *asJSON {
		return printJSON(e, j)
	}
	fmt.Fprintln(e.stdout, j.Link)
	fmt.Fprintf(e.stderr, "invitation %d for member %d, open until %s: send them the link, it is not shown again\n", inv.ID, id, inv.ExpiresAt.Format(time.DateOnly))
	return nil
}

const applicationsHelp = `Applications through the public form (/apply): list them, or accept or reject
one. Accepting starts the applicant's term; a rejection needs a reason, which
the applicant is told with how far they are from the bar.

  cadre applications [--state submitted|accepted|rejected|withdrawn] [--json]
  cadre applications accept ID
  cadre applications reject ID --reason R
  cadre applications note ID --text T`

// ApplicationRow is an application as cadre applications --json prints it.
type applicationRow struct {
	ID       int64  `json:"id"`
	Name     string `json:"name"`
	Email    string `json:"email"`
	Status   string `json:"status"`
	MemberID string `json:"member_id"` // "" when it names no known member
	At       string `json:"at"`
	Reason   string `json:"reason,omitempty"`
}

func cmdApplications(ctx context.Context, e *env) error {
	fs := e.flags("applications", "[accept|reject|note ID]", applicationsHelp)
	db := e.dbFlags(fs)
	state := fs.String("state", "", "list only applications in this state")
	reason := fs.String("reason", "", "reject: why, as the applicant is told")
	text := fs.String("text", "", "note: the note")
	asJSON := fs.Bool("json", false, "print JSON")
	linkBase := e.linkBaseFlag(fs)
	actor := actorFlag(fs)
	args, err := e.parseMixed(fs)
	if err != nil {
		return err
	}
	base, err := parseBaseURL(*linkBase)
	if err != nil {
		return err
	}
	st, err := openStore(ctx, e, db, existing)
	if err != nil {
		return err
	}
	defer st.Close()
	if len(args) == 0 {
		apps, err := st.Applications(ctx, program.ApplicationState(*state))
		if err != nil {
			return err
		}
		rows := make([]applicationRow, len(apps))
		for i, a := range apps {
			rows[i] = applicationRow{ID: a.ID, Name: a.Name, Email: a.Email, Status: string(a.State), At: a.At.Format(time.RFC3339), Reason: a.Reason}
			if a.MemberID != 0 {
				rows[i].MemberID = strconv.FormatInt(a.MemberID, 10)
			}
		}
		if *asJSON {
			return printJSON(e, rows)
		}
		tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tNAME\tEMAIL\tSTATUS\tMEMBER\tAT")
		for _, r := range rows {
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\n", r.ID, r.Name, r.Email, r.Status, r.MemberID, r.At)
		}
		return tw.Flush()
	}
	if len(args) != 2 {
		return usagef("applications %s needs one ID", args[0])
	}
	id, err := strconv.ParseInt(args[1], 10, 64)
	if err != nil {
		return usagef("%q is no application ID", args[1])
	}
	switch args[0] {
	case "accept", "reject":
		eng, err := loadStandings(ctx, e, st, 0)
		if err != nil {
			return err
		}
		a, err := server.Decide(ctx, st, eng, id, args[0] == "accept", *reason, e.actor(*actor), st.Now(), base)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "application %d %s\n", a.ID, a.State)
		return nil
	case "note":
		if err := st.AddApplicationNote(ctx, id, e.actor(*actor), *text); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "note added to application %d\n", id)
		return nil
	}
	return usagef("unknown applications subcommand %q: accept, reject or note", args[0])
}
