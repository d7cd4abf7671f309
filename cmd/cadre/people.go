package main

import (
	"context"
	"flag"
	"fmt"
	"strconv"
	"text/tabwriter"

	"github.com/cadrehq/cadre"
	"github.com/cadrehq/cadre/identity"
	"github.com/cadrehq/cadre/server"
)

// actorFlag adds --actor, who an audited change is made by.
func actorFlag(fs *flag.FlagSet) *string {
	return fs.String("actor", "", "who makes the change, for the audit log (default $USER)")
}

// actor returns the --actor given, else $USER, else "cli".
func (e *env) actor(flagged string) string {
	for _, who := range []string{flagged, e.getenv("USER")} {
		if who != "" {
			return who
		}
	}
	return "cli"
}

// printJSON writes v as the API shapes it.
func printJSON(e *env, v any) error { return server.WriteJSON(e.stdout, v) }

const mergeHelp = `Merge two members who are one person: FROM's identities, emails and activities
move to INTO, and FROM is kept empty so the merge can be undone exactly. Members
are named by ID, email, platform:handle or a handle.

  cadre merge FROM INTO --reason "same person on GitHub and the forum"
  cadre merge --undo MERGE_ID --reason "two different people"
  cadre merge --suggestions [--json]        who looks like one person, and why
  cadre merge --suggestions --apply --min-confidence 0.9

Every merge and unmerge is audited.`

func cmdMerge(ctx context.Context, e *env) error {
	fs := e.flags("merge", "FROM INTO | --undo ID | --suggestions", mergeHelp)
	db := e.dbFlags(fs)
	reason := fs.String("reason", "", "why: kept in the audit log")
	undo := fs.Int64("undo", 0, "undo the merge with this ID")
	suggest := fs.Bool("suggestions", false, "list merge suggestions")
	apply := fs.Bool("apply", false, "with --suggestions: merge those at or above --min-confidence")
	minConf := fs.Float64("min-confidence", 0.9, "with --apply: the least confidence to merge automatically")
	asJSON := fs.Bool("json", false, "with --suggestions: print JSON")
	actor := actorFlag(fs)
	args, err := e.parseMixed(fs)
	if err != nil {
		return err
	}
	switch {
	case *suggest && (len(args) > 0 || *undo != 0):
		return usagef("--suggestions takes no members and no --undo")
	case *undo != 0 && len(args) > 0:
		return usagef("--undo takes no members")
	case !*suggest && *undo == 0 && len(args) != 2:
		return usagef("merge needs FROM and INTO, --undo ID or --suggestions")
	case *apply && !*suggest:
		return usagef("--apply goes with --suggestions")
	case *minConf < 0 || *minConf > 1:
		return usagef("--min-confidence is between 0 and 1")
	}
	st, err := openStore(ctx, e, db, existing)
	if err != nil {
		return err
	}
	defer st.Close()
	who := e.actor(*actor)
	switch {
	case *suggest:
		var sgs []cadre.MergeSuggestion
		if *apply {
			sgs, err = identity.AutoMerge(ctx, st, *minConf, who)
		} else {
			sgs, err = st.MergeSuggestions(ctx)
		}
		if err != nil {
			return err
		}
		if *asJSON {
			return printJSON(e, server.NewSuggestionsJSON(sgs))
		}
		tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "FROM\tINTO\tCONFIDENCE\tREASON")
		for _, s := range sgs {
			fmt.Fprintf(tw, "%d\t%d\t%.2f\t%s\n", s.From, s.Into, s.Confidence, s.Reason)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		if *apply {
			fmt.Fprintf(e.stderr, "merged %d pairs at confidence %.2f or more\n", len(sgs), *minConf)
		} else {
			fmt.Fprintf(e.stderr, "%d suggestions; merge with \"cadre merge FROM INTO\"\n", len(sgs))
		}
		return nil
	case *undo != 0:
		if err := st.UnmergeMembers(ctx, *undo, who, *reason); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "merge %d undone\n", *undo)
		return nil
	}
	from, err := st.FindMember(ctx, args[0])
	if err != nil {
		return err
	}
	into, err := st.FindMember(ctx, args[1])
	if err != nil {
		return err
	}
	id, err := st.MergeMembers(ctx, from, into, who, *reason)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "member %d merged into member %d (merge %d; \"cadre merge --undo %d\" undoes it)\n", from, into, id, id)
	return nil
}

const reportHelp = `Report an activity the platforms do not show (a talk, mentoring, a beta test).
It waits as pending until a reviewer approves it ("cadre review"); a report that
looks like activity already known is flagged as a likely duplicate.

  cadre report --member ada@example.org --type speaking --date 2025-05-14 \
    --title "Scaling Cadre" --url https://conf.example/talks/42 --effort 240`

func cmdReport(ctx context.Context, e *env) error {
	fs := e.flags("report", "", reportHelp)
	db := e.dbFlags(fs)
	member := fs.String("member", "", "who reports: ID, email, platform:handle or handle")
	typ := fs.String("type", "", "activity type, e.g. speaking, mentoring, beta")
	var date atFlag
	fs.Var(&date, "date", "when it happened (a date or RFC 3339 time)")
	title := fs.String("title", "", "what it was")
	url := fs.String("url", "", "evidence: a link to the talk, post, …")
	effort := fs.Float64("effort", 0, "minutes spent (default the type's effort)")
	asJSON := fs.Bool("json", false, "print the stored activity as JSON")
	if err := e.parse(fs); err != nil {
		return err
	}
	if *member == "" || *typ == "" || date.t.IsZero() || *title == "" {
		return usagef("report needs --member, --type, --date and --title")
	}
	st, err := openStore(ctx, e, db, existing)
	if err != nil {
		return err
	}
	defer st.Close()
	c, _, err := criteriaVersion(ctx, st, 0)
	if err != nil {
		return err
	}
	if err := c.CheckType(*typ); err != nil {
		return err
	}
	id, err := st.FindMember(ctx, *member)
	if err != nil {
		return err
	}
	a, err := st.Report(ctx, cadre.SelfReport{MemberID: id, Type: *typ, Date: date.t, Title: *title, URL: *url, EffortMinutes: *effort}, e.actor(""))
	if err != nil {
		return err
	}
	if *asJSON {
		return printJSON(e, server.NewActivityJSON(a))
	}
	fmt.Fprintf(e.stdout, "reported as activity %d, pending review\n", a.ID)
	if a.DuplicateOf != 0 {
		fmt.Fprintf(e.stdout, "note: it looks like activity %d, already known\n", a.DuplicateOf)
	}
	return nil
}

const reviewHelp = `Review self-reported activities: with no flags, list those pending (likely
duplicates flagged); --approve ID or --reject ID --reason R decides one.`

func cmdReview(ctx context.Context, e *env) error {
	fs := e.flags("review", "", reviewHelp)
	db := e.dbFlags(fs)
	approve := fs.Int64("approve", 0, "approve the pending report with this activity ID")
	reject := fs.Int64("reject", 0, "reject the pending report with this activity ID (needs --reason)")
	reason := fs.String("reason", "", "why: kept in the audit log")
	asJSON := fs.Bool("json", false, "print the pending reports as JSON")
	actor := actorFlag(fs)
	if err := e.parse(fs); err != nil {
		return err
	}
	if fs.NArg() > 0 || (*approve != 0 && *reject != 0) {
		return usagef("review takes --approve ID or --reject ID, not both, and no arguments")
	}
	if *reject != 0 && *reason == "" {
		return usagef("--reject needs a --reason")
	}
	st, err := openStore(ctx, e, db, existing)
	if err != nil {
		return err
	}
	defer st.Close()
	if id := max(*approve, *reject); id != 0 {
		if err := st.ReviewReport(ctx, id, *approve != 0, e.actor(*actor), *reason); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "activity %d %s\n", id, map[bool]string{true: "approved", false: "rejected"}[*approve != 0])
		return nil
	}
	pending, total, err := st.Activities(ctx, cadre.ActivityFilter{Source: cadre.SelfReportSource, Status: cadre.ActivityPending, Limit: 1000})
	if err != nil {
		return err
	}
	if *asJSON {
		rows := make([]server.ActivityJSON, len(pending))
		for i := range pending {
			rows[i] = server.NewActivityJSON(&pending[i])
		}
		return printJSON(e, rows)
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tMEMBER\tTYPE\tDATE\tTITLE\tEVIDENCE\tNOTE")
	for _, a := range pending {
		note := ""
		if a.DuplicateOf != 0 {
			note = "likely duplicate of " + strconv.FormatInt(a.DuplicateOf, 10)
		}
		fmt.Fprintf(tw, "%d\t%d\t%s\t%s\t%s\t%s\t%s\n", a.ID, a.MemberID, a.Type, a.OccurredAt.Format("2006-01-02"), a.Title, a.URL, note)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "%d pending\n", total)
	return nil
}

const staffHelp = `Show the email domains whose members are staff, or set them: members with an
email in one of them are flagged staff now and when first seen later, and staff
are kept out of rankings and the active community.

  cadre staff-domains                        show them
  cadre staff-domains example.com corp.example`

func cmdStaffDomains(ctx context.Context, e *env) error {
	fs := e.flags("staff-domains", "[DOMAIN...]", staffHelp)
	db := e.dbFlags(fs)
	actor := actorFlag(fs)
	args, err := e.parseMixed(fs)
	if err != nil {
		return err
	}
	use := existing
	if len(args) > 0 {
		use = creates // staff domains apply to members first seen later
	}
	st, err := openStore(ctx, e, db, use)
	if err != nil {
		return err
	}
	defer st.Close()
	if len(args) == 0 {
		domains, err := st.StaffDomains(ctx)
		if err != nil {
			return err
		}
		for _, d := range domains {
			fmt.Fprintln(e.stdout, d)
		}
		if len(domains) == 0 {
			fmt.Fprintln(e.stderr, "no staff domains set")
		}
		return nil
	}
	n, err := st.SetStaffDomains(ctx, args, e.actor(*actor))
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "staff domains set; %d members flagged staff\n", n)
	return nil
}
